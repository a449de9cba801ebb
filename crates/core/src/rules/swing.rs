//! The swing metric: how much faster the leg comes back than it went out.

use crate::reps::RepSegment;
use crate::signal::{median_of, smooth, Track};
use crate::spec::SmoothingSpec;

/// How much the engine's own smoothing stretches a movement in time, for each swing witness:
/// what a unit step becomes after [`smooth`] at the clip's frame interval. A return that lasts
/// a few frames is lengthened by about as much as its own duration (a 0.17 s return of the
/// rendered corpus read 0.27 s), which pulled every swing towards 0; durations are taken back
/// in quadrature (the filter's and the movement's spreads add as squares for a smooth profile).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct SmoothingBlur {
    /// 20→80 % rise time (s) of a smoothed step (the `transition` fractions).
    pub(super) transition_s: f64,
    /// The step's amplitude over its peak speed (s) measured as [`swing_ratio_speed`] does.
    pub(super) speed_s: f64,
    /// The frame interval (s): no duration is read shorter than half of it.
    pub(super) frame_s: f64,
}

/// The shortest a measured duration is taken back to, as a share of itself: a phase read about
/// as short as the blur itself is mostly noise (a jittery pose model's wiggle), and taking the
/// whole blur out of it would read any wiggle as a snap. A 0.17 s return read 0.27 s needs 0.63.
const UNBLUR_FLOOR: f64 = 0.6;

impl SmoothingBlur {
    /// The blur of `smoothing` at frame interval `frame_s`, for the transition fractions and
    /// speed half-window the witnesses use.
    pub(super) fn of(frame_s: f64, smoothing: &SmoothingSpec, transition: [f64; 2], half_s: f64) -> Self {
        if !(frame_s > 0.0 && frame_s.is_finite()) {
            return Self::default();
        }
        // Long enough on both sides for the median window and the EMA to settle.
        let n = (2.0 * (smoothing.median_half_window_s + 10.0 * smoothing.smooth_tau_s + 4.0 * half_s) / frame_s)
            .ceil()
            .clamp(8.0, 4000.0) as usize;
        let t: Vec<f64> = (0..2 * n).map(|i| i as f64 * frame_s).collect();
        let step: Vec<Option<f64>> = (0..2 * n).map(|i| Some(if i < n { 0.0 } else { 1.0 })).collect();
        let y = smooth(&t, &step, smoothing);
        let [low, high] = transition;
        let crossing = |level: f64| -> Option<f64> {
            (1..y.len()).find_map(|k| {
                let (a, b) = (y[k - 1]?, y[k]?);
                (a < level && b >= level).then(|| t[k - 1] + frame_s * (level - a) / (b - a))
            })
        };
        let transition_s = match (crossing(low), crossing(high)) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        };
        let track = Track::new(&t, &y);
        let peak_speed = (0..y.len()).filter_map(|k| central_speed(track, k, half_s)).fold(0.0, f64::max);
        let speed_s = if peak_speed > 0.0 { 1.0 / peak_speed } else { 0.0 };
        Self { transition_s, speed_s, frame_s }
    }

    /// A duration measured through the blur `blur_s`, taken back to the movement's own.
    fn unblur(&self, measured_s: f64, blur_s: f64) -> f64 {
        (measured_s * measured_s - blur_s * blur_s)
            .max(0.0)
            .sqrt()
            .max(0.5 * self.frame_s)
            .max(UNBLUR_FLOOR * measured_s)
    }
}

/// The clip's typical frame interval (s): the median step between known times.
pub(super) fn frame_interval(t: &[f64]) -> f64 {
    let mut steps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0.0 && d.is_finite()).collect();
    median_of(&mut steps).unwrap_or(0.0)
}

/// The signal's speed at frame `k` as a central difference over ±`half_s`.
fn central_speed(elev: Track, k: usize, half_s: f64) -> Option<f64> {
    let (t, v) = (elev.times(), elev.values());
    let tk = *t.get(k)?;
    let a = (0..k).rev().find(|&j| tk - t[j] >= half_s)?;
    let b = (k + 1..t.len()).find(|&j| t[j] - tk >= half_s)?;
    let (va, vb) = (v.get(a).copied().flatten()?, v.get(b).copied().flatten()?);
    Some((vb - va) / (t[b] - t[a]))
}

/// 1 − return time / lift time (the spec's definition of a swing: 0 when the leg comes back as
/// slowly as it went out, near 1 when it snaps back).
///
/// Each time is the 20 %→80 % transition of the leg signal (rise before the peak, fall after it),
/// interpolated between frames: for one movement profile it is proportional to the phase's
/// duration, but unlike the phase boundaries it does not depend on where segmentation cut the
/// rep or on how long the top pause lasted, and unlike peak speeds over finite differences it
/// is not flattened when a ballistic return lasts only a few frames.
/// `transition`: the fractions of the excursion between which the times are taken; `blur`: the
/// smoothing's own stretch, taken back out of both times.
pub(super) fn swing_ratio(elev: Track, rep: &RepSegment, transition: [f64; 2], blur: &SmoothingBlur) -> Option<f64> {
    let (t, elev) = (elev.times(), elev.values());
    let [low, high] = transition;
    // How far beyond the rep's ends a transition may be looked for (segmentation may start the
    // rep after the leg has begun to move).
    const MARGIN_S: f64 = 0.5;
    let n = elev.len().min(t.len());
    let peak_t = *t.get(rep.peak)?;
    let top = elev.get(rep.peak).copied().flatten()?;
    let lo_i = (0..=rep.start.min(n.saturating_sub(1)))
        .rev()
        .take_while(|&k| t[rep.start.min(n - 1)] - t[k] <= MARGIN_S)
        .last()?;
    let hi_i = (rep.end.min(n - 1)..n).take_while(|&k| t[k] - t[rep.end.min(n - 1)] <= MARGIN_S).last()?;
    let base = |range: std::ops::RangeInclusive<usize>| -> Option<f64> {
        range.filter_map(|k| elev[k]).min_by(|a, b| a.total_cmp(b))
    };
    // Time at which the signal crosses `level` walking from the peak towards `stop`.
    let crossing = |level: f64, backwards: bool, stop: usize| -> Option<f64> {
        let mut prev: Option<(f64, f64)> = Some((peak_t, top));
        let idx: Box<dyn Iterator<Item = usize>> =
            if backwards { Box::new((stop..rep.peak).rev()) } else { Box::new(rep.peak + 1..=stop) };
        for k in idx {
            let Some(v) = elev[k] else { continue };
            if v <= level {
                let (tp, vp) = prev?;
                let a = if (vp - v).abs() > 1e-12 { (vp - level) / (vp - v) } else { 0.0 };
                return Some(tp + (t[k] - tp) * a);
            }
            prev = Some((t[k], v));
        }
        None
    };
    let b_lift = base(lo_i..=rep.peak)?;
    let b_ret = base(rep.peak..=hi_i)?;
    let (a_lift, a_ret) = (top - b_lift, top - b_ret);
    if a_lift <= 0.0 || a_ret <= 0.0 {
        return None;
    }
    let lift = crossing(b_lift + high * a_lift, true, lo_i)? - crossing(b_lift + low * a_lift, true, lo_i)?;
    let ret = crossing(b_ret + low * a_ret, false, hi_i)? - crossing(b_ret + high * a_ret, false, hi_i)?;
    (lift > 0.0 && ret > 0.0).then(|| 1.0 - blur.unblur(ret, blur.transition_s) / blur.unblur(lift, blur.transition_s))
}

/// 1 − peak lift speed / peak return speed (for one movement profile speed scales with
/// 1/duration, so this also estimates 1 − return time / lift time), speeds as central
/// differences over ±`half_s` (a ballistic return lasts about 0.2 s, so the window must stay well
/// under that: the spec's `measures.swing_speed_half_window_s`). Each phase's duration is read
/// as its amplitude over its peak speed and taken back through `blur`.
pub(super) fn swing_ratio_speed(elev: Track, rep: &RepSegment, half_s: f64, blur: &SmoothingBlur) -> Option<f64> {
    let values = elev.values();
    let speed = |k: usize| central_speed(elev, k, half_s);
    let lift = (rep.start..=rep.peak).filter_map(speed).fold(f64::NEG_INFINITY, f64::max);
    let ret = (rep.peak..=rep.end).filter_map(speed).fold(f64::INFINITY, f64::min);
    if !(lift.is_finite() && ret.is_finite() && lift > 0.0 && ret < 0.0) {
        return None;
    }
    let known = |r: std::ops::RangeInclusive<usize>| r.filter_map(|k| values.get(k).copied().flatten());
    let top = values.get(rep.peak).copied().flatten()?;
    let low = |r: std::ops::RangeInclusive<usize>| known(r).fold(f64::INFINITY, f64::min);
    let (a_lift, a_ret) = (top - low(rep.start..=rep.peak), top - low(rep.peak..=rep.end));
    if !(a_lift > 0.0 && a_ret > 0.0 && a_lift.is_finite() && a_ret.is_finite()) {
        return Some(1.0 - lift / -ret);
    }
    let (d_lift, d_ret) = (blur.unblur(a_lift / lift, blur.speed_s), blur.unblur(a_ret / -ret, blur.speed_s));
    Some(1.0 - d_ret / d_lift)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::Side;

    #[test]
    fn swing_witnesses_see_a_ballistic_return_and_not_a_slow_one() {
        // Smoothstep lift over `lift` s, 0.2 s pause, return over `ret` s, sampled at 30 fps.
        let profile = |lift: f64, ret: f64| -> (Vec<f64>, Vec<Option<f64>>, RepSegment) {
            let t: Vec<f64> = (0..120).map(|i| i as f64 / 30.0).collect();
            let ss = |x: f64| {
                let x = x.clamp(0.0, 1.0);
                x * x * (3.0 - 2.0 * x)
            };
            let (t0, t1, t2) = (0.5, 0.5 + lift, 0.7 + lift);
            let x: Vec<Option<f64>> = t
                .iter()
                .map(|&tt| Some(40.0 * if tt < t1 { ss((tt - t0) / lift) } else { 1.0 - ss((tt - t2) / ret) }))
                .collect();
            let f = |time: f64| (time * 30.0).round() as usize;
            let rep = RepSegment {
                side: Side::Left,
                start: f(t0),
                pause_start: f(t1),
                peak: f(t1 + 0.1),
                pause_end: f(t2),
                end: f(t2 + ret).min(119),
                amplitude_deg: 40.0,
                partial: false,
                thigh_rise_deg: Some(40.0),
                ankle_travel: 0.3,
            };
            (t, x, rep)
        };
        let none = SmoothingBlur::default();
        let (t, x, rep) = profile(0.8, 0.22);
        let a = swing_ratio(Track::new(&t, &x), &rep, [0.2, 0.8], &none).expect("transition ratio");
        let b = swing_ratio_speed(Track::new(&t, &x), &rep, 0.05, &none).expect("speed ratio");
        assert!((a - 0.72).abs() < 0.08 && b > 0.5, "{a} {b}");
        let (t, x, rep) = profile(0.8, 1.1);
        let a = swing_ratio(Track::new(&t, &x), &rep, [0.2, 0.8], &none).expect("transition ratio");
        assert!(a < 0.0, "{a}");
    }

    #[test]
    fn the_smoothings_own_stretch_is_taken_back_out_of_a_quick_return() {
        // A 0.6 s lift and a 0.17 s return (smoothstep phases) at 30 fps, through the spec's
        // smoothing: read as they are, the return looks slower than it was.
        let spec = crate::spec::ExerciseSpec::cable_medius_kickback().unwrap();
        let t: Vec<f64> = (0..90).map(|i| i as f64 / 30.0).collect();
        let ss = |x: f64| {
            let x: f64 = x.clamp(0.0, 1.0);
            x * x * (3.0 - 2.0 * x)
        };
        let (t0, lift, pause, ret) = (0.7, 0.6, 0.1, 0.17);
        let raw: Vec<Option<f64>> = t
            .iter()
            .map(|&tt| {
                Some(
                    30.0 * if tt < t0 + lift { ss((tt - t0) / lift) } else { 1.0 - ss((tt - t0 - lift - pause) / ret) },
                )
            })
            .collect();
        let x = smooth(&t, &raw, &spec.smoothing);
        let f = |time: f64| (time * 30.0).round() as usize;
        let rep = RepSegment {
            side: Side::Left,
            start: f(t0),
            pause_start: f(t0 + lift),
            peak: f(t0 + lift + 0.05),
            pause_end: f(t0 + lift + pause),
            end: f(t0 + lift + pause + ret + 0.2),
            amplitude_deg: 30.0,
            partial: false,
            thigh_rise_deg: Some(30.0),
            ankle_travel: 0.3,
        };
        let (tr, half) = (spec.measures.swing_transition, spec.measures.swing_speed_half_window_s);
        let blur = SmoothingBlur::of(1.0 / 30.0, &spec.smoothing, tr, half);
        assert!(blur.transition_s > 0.03 && blur.speed_s > 0.03, "{blur:?}");
        let truth = 1.0 - ret / lift;
        let none = SmoothingBlur::default();
        let track = Track::new(&t, &x);
        let as_read =
            swing_ratio(track, &rep, tr, &none).unwrap().min(swing_ratio_speed(track, &rep, half, &none).unwrap());
        let taken_back =
            swing_ratio(track, &rep, tr, &blur).unwrap().min(swing_ratio_speed(track, &rep, half, &blur).unwrap());
        assert!(truth - as_read > 0.1, "as read {as_read} vs {truth}");
        assert!((taken_back - truth).abs() < 0.08, "taken back {taken_back} vs {truth}");
        // A slow return is left a slow return.
        let slow: Vec<Option<f64>> = t
            .iter()
            .map(|&tt| {
                Some(
                    30.0 * if tt < t0 + lift { ss((tt - t0) / lift) } else { 1.0 - ss((tt - t0 - lift - pause) / 1.0) },
                )
            })
            .collect();
        let x = smooth(&t, &slow, &spec.smoothing);
        let rep = RepSegment { end: 89, ..rep };
        assert!(swing_ratio(Track::new(&t, &x), &rep, tr, &blur).unwrap() < -0.3);
    }
}
