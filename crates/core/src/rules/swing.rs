//! The swing metric: how much faster the leg comes back than it went out.

use crate::reps::RepSegment;
use crate::signal::Track;

/// 1 − return time / lift time (the spec's definition of a swing: 0 when the leg comes back as
/// slowly as it went out, near 1 when it snaps back).
///
/// Each time is the 20 %→80 % transition of the leg signal (rise before the peak, fall after it),
/// interpolated between frames: for one movement profile it is proportional to the phase's
/// duration, but unlike the phase boundaries it does not depend on where segmentation cut the
/// rep or on how long the top pause lasted, and unlike peak speeds over finite differences it
/// is not flattened when a ballistic return lasts only a few frames.
/// `transition`: the fractions of the excursion between which the times are taken.
pub(super) fn swing_ratio(elev: Track, rep: &RepSegment, transition: [f64; 2]) -> Option<f64> {
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
    (lift > 0.0 && ret > 0.0).then(|| 1.0 - ret / lift)
}

/// 1 − peak lift speed / peak return speed (for one movement profile speed scales with
/// 1/duration, so this also estimates 1 − return time / lift time), speeds as central
/// differences over ±`half_s` (a ballistic return lasts about 0.2 s, so the window must stay well
/// under that: the spec's `measures.swing_speed_half_window_s`).
pub(super) fn swing_ratio_speed(elev: Track, rep: &RepSegment, half_s: f64) -> Option<f64> {
    let (t, elev) = (elev.times(), elev.values());
    let speed = |k: usize| -> Option<f64> {
        let tk = *t.get(k)?;
        let a = (0..k).rev().find(|&j| tk - t[j] >= half_s)?;
        let b = (k + 1..t.len()).find(|&j| t[j] - tk >= half_s)?;
        let (va, vb) = (elev.get(a).copied().flatten()?, elev.get(b).copied().flatten()?);
        Some((vb - va) / (t[b] - t[a]))
    };
    let lift = (rep.start..=rep.peak).filter_map(speed).fold(f64::NEG_INFINITY, f64::max);
    let ret = (rep.peak..=rep.end).filter_map(speed).fold(f64::INFINITY, f64::min);
    (lift.is_finite() && ret.is_finite() && lift > 0.0 && ret < 0.0).then(|| 1.0 - lift / -ret)
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
        let (t, x, rep) = profile(0.8, 0.22);
        let a = swing_ratio(Track::new(&t, &x), &rep, [0.2, 0.8]).expect("transition ratio");
        let b = swing_ratio_speed(Track::new(&t, &x), &rep, 0.05).expect("speed ratio");
        assert!((a - 0.72).abs() < 0.08 && b > 0.5, "{a} {b}");
        let (t, x, rep) = profile(0.8, 1.1);
        let a = swing_ratio(Track::new(&t, &x), &rep, [0.2, 0.8]).expect("transition ratio");
        assert!(a < 0.0, "{a}");
    }
}
