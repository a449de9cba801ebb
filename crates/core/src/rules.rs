//! The rule engine: per-rep metrics and faults, each compared with the spec's threshold.
//!
//! Angles whose absolute value depends on the camera and the person (trunk lean, hip line,
//! shoulder line, foot position) are compared with the rep's own start position (a short window
//! just before the rep), so a person's natural posture is never a fault; only absolute anatomy
//! (knee flexion, hip extension relative to the trunk) is compared with absolute thresholds.
//! A check is only evaluated when the spec lists the rep's view for it.

use crate::kinematics::{median_of, percentile, BaseSignals, SideSignals};
use crate::report::{Borderline, Fault, Metric, PhaseDurations, RepMetrics};
use crate::reps::RepSegment;
use crate::spec::{Calibration, CheckId, CheckSpec, Comparison, ExerciseSpec, View};

/// What the engine concluded for one rep.
#[derive(Clone, Debug, PartialEq)]
pub struct RepVerdict {
    /// Phase durations.
    pub phases: PhaseDurations,
    /// Measured values.
    pub metrics: RepMetrics,
    /// Faults, most important first.
    pub faults: Vec<Fault>,
    /// Checks too close to their threshold, for the view's noise, to call either way.
    pub borderline: Vec<Borderline>,
    /// Checks that could be measured on this rep.
    pub measured: Vec<CheckId>,
    /// Checks the view shows but that could not be judged on this rep, with why.
    pub unmeasured: Vec<(CheckId, String)>,
}

/// A metric with where it peaked.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Measure {
    value: f64,
    at: usize,
}

fn is_side(v: View) -> bool {
    matches!(v, View::SideWorking | View::SideSupport)
}

fn is_frontal(v: View) -> bool {
    matches!(v, View::Back | View::Front)
}

/// Median of the signal over the baseline window before `start` (falls back to the value at start).
fn baseline(t: &[f64], x: &[Option<f64>], start: usize, window_s: f64) -> Option<f64> {
    let t0 = *t.get(start)?;
    let mut buf: Vec<f64> = Vec::new();
    let mut k = start as isize;
    while k >= 0 {
        let ku = k as usize;
        if t0 - t[ku] > window_s {
            break;
        }
        if let Some(v) = x.get(ku).copied().flatten() {
            buf.push(v);
        }
        k -= 1;
    }
    if buf.is_empty() {
        // Nothing before the start: use the first known value of the rep.
        return x.get(start..).and_then(|s| s.iter().flatten().next().copied());
    }
    median_of(&mut buf)
}

/// Largest value that the signal (minus `base`) holds for at least `min_dur` seconds within
/// `lo..=hi`; robust to single-frame spikes that survived smoothing.
fn sustained_peak(t: &[f64], x: &[Option<f64>], base: f64, lo: usize, hi: usize, min_dur: f64) -> Option<Measure> {
    let hi = hi.min(x.len().saturating_sub(1)).min(t.len().saturating_sub(1));
    let mut best: Option<Measure> = None;
    for k in lo..=hi {
        let mut m = f64::INFINITY;
        let mut any = false;
        let mut j = k;
        while j <= hi {
            if let Some(v) = x[j] {
                m = m.min(v - base);
                any = true;
            }
            if t[j] - t[k] >= min_dur {
                break;
            }
            j += 1;
        }
        if any && best.is_none_or(|b| m > b.value) {
            best = Some(Measure { value: m, at: k });
        }
    }
    best
}

/// Median over the top of the rep (the pause, at least ±0.1 s around the peak) minus the
/// median over the baseline window before the start.
fn top_change(t: &[f64], x: &[Option<f64>], rep: &RepSegment, window_s: f64) -> Option<Measure> {
    let b = baseline(t, x, rep.start, window_s)?;
    let tp = *t.get(rep.peak)?;
    let (t0, t1) = (t.get(rep.pause_start)?.min(tp - 0.1), t.get(rep.pause_end)?.max(tp + 0.1));
    let mut v: Vec<f64> = (rep.start..=rep.end)
        .filter(|&k| t.get(k).is_some_and(|tk| (t0..=t1).contains(tk)))
        .filter_map(|k| x.get(k).copied().flatten())
        .collect();
    Some(Measure { value: median_of(&mut v)? - b, at: rep.peak })
}

/// 1 − return time / lift time (the spec's definition of a swing: 0 when the leg comes back as
/// slowly as it went out, near 1 when it snaps back).
///
/// Each time is the 20 %→80 % transition of the leg signal (rise before the peak, fall after it),
/// interpolated between frames: for one movement profile it is proportional to the phase's
/// duration, but unlike the phase boundaries it does not depend on where segmentation cut the
/// rep or on how long the top pause lasted, and unlike peak speeds over finite differences it
/// is not flattened when a ballistic return lasts only a few frames.
fn swing_ratio(t: &[f64], elev: &[Option<f64>], rep: &RepSegment) -> Option<f64> {
    const LOW: f64 = 0.2;
    const HIGH: f64 = 0.8;
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
    let lift = crossing(b_lift + HIGH * a_lift, true, lo_i)? - crossing(b_lift + LOW * a_lift, true, lo_i)?;
    let ret = crossing(b_ret + LOW * a_ret, false, hi_i)? - crossing(b_ret + HIGH * a_ret, false, hi_i)?;
    (lift > 0.0 && ret > 0.0).then(|| 1.0 - ret / lift)
}

/// Half-width (s) of the central differences for leg speeds: a ballistic return lasts about
/// 0.2 s, so the difference window must stay well under that (at 30 frames/s, ±0.05 s is the
/// nearest frames but one on each side).
const SWING_SPEED_HALF_S: f64 = 0.05;

/// 1 − peak lift speed / peak return speed (for one movement profile speed scales with
/// 1/duration, so this also estimates 1 − return time / lift time), speeds as central
/// differences over ±`half_s`.
fn swing_ratio_speed(t: &[f64], elev: &[Option<f64>], rep: &RepSegment, half_s: f64) -> Option<f64> {
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

/// The standing foot's shift over one rep, judged against its set's own landmark noise.
#[derive(Clone, Debug, PartialEq)]
pub enum FootShift {
    /// Measured.
    Measured {
        /// Horizontal displacement (cm) that persisted, ≥ 0.
        shift_cm: f64,
        /// Smallest shift (cm) the set's landmark noise lets us tell from jitter.
        floor_cm: f64,
        /// Whether a later quiet phase confirmed that the foot stayed where it went.
        confirmed: bool,
    },
    /// The standing foot moved further than a foot length: a step (setting up, walking away),
    /// not a slide of a planted foot; never reported as a foot shift.
    Stepped {
        /// The displacement (cm).
        shift_cm: f64,
    },
    /// Not measurable on this rep, with why.
    Unmeasurable(String),
}

/// Facts about a whole set that single-rep rules need.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SetContext {
    /// Standing-foot shift per rep (same order as the set's reps).
    pub foot: Vec<FootShift>,
}

impl SetContext {
    /// Measures what needs the whole set: the standing foot's position in every quiet phase.
    ///
    /// A slide of the standing foot persists: the foot stays where it went for the rest of the
    /// set. What the pose model adds does not: landmark jitter, a heel that jumps while the
    /// working leg passes in front of it or rests beside it, camera sway. So positions are
    /// taken only in quiet phases (the bottom between reps), as medians, and:
    /// - in the image, with the vertical motion the foot shares with the trunk taken off: a
    ///   planted foot and the trunk above it keep their heights, so shared vertical motion is the
    ///   camera tilting (hand-held sway); shared horizontal motion is kept, since the body may
    ///   follow a sliding foot. A camera near hip height sees the floor at a grazing angle, so a
    ///   slide towards or away from it moves the foot only a third or so as far in the image;
    /// - as the median of heel, ankle and toe shifts: the foot is rigid, one landmark jumping alone
    ///   is noise;
    /// - confirmed by the quiet phase after the next rep when there is one (a slide persists; a
    ///   landmark that wandered comes back);
    /// - against a noise floor `foot_noise_k`·σ, σ from the spread (MAD) of the foot landmarks
    ///   inside the set's quiet phases; a set whose floor exceeds the check's threshold cannot
    ///   show the fault at all and is reported as not measurable.
    ///
    /// A second, depth-aware witness is read the same way (quiet-phase medians, median of the
    /// three landmarks, persistence, its own noise floor): the foot's horizontal offset from the
    /// standing hip in the world landmarks. The hip stays over the spot the foot left, so the
    /// offset changes by the slide in any direction, along the camera axis too, where the image
    /// barely sees it; it is hip-relative, so camera sway does not reach it (but a whole body
    /// following the foot does, which only the image sees). Its noise differs per axis (depth
    /// is the pose model's weakest) and drifts slowly, so σ per axis is the larger of the
    /// in-phase spread and the spread of the set's phase-to-phase displacements, and its floor
    /// is σ projected on the shift's direction. World landmarks drift where a foot does not, so
    /// this witness counts only when its slide persists and the image agrees: the image
    /// displacement must lie along the one that slide would produce (sideways at full scale,
    /// along the camera axis `reps.foot_depth_image_ratio` of it, vertically) and match it per
    /// axis within the combined noise. The rep's shift is the witness that clears its own bar
    /// (max(threshold, floor)) by more.
    ///
    /// A displacement longer than a foot (`reps.foot_length_cm`) is a step — setting up or
    /// walking away — not a slide, and is never reported as one. (Not the person's own foot
    /// from the world landmarks: seen from behind, the pose models put heel and toe at nearly
    /// the same depth, and the foot reads a few centimetres long.)
    pub fn new(base: &BaseSignals, side: &SideSignals, reps: &[RepSegment], spec: &ExerciseSpec) -> SetContext {
        SetContext { foot: foot_shifts(base, side, reps, spec) }
    }
}

/// One quiet window: per foot landmark the median position (px) and its spread (MAD, px,
/// both axes), the trunk's median height (px) and the window's scale (m/px).
struct QuietWindow {
    median_px: [Option<(f64, f64)>; 3],
    mad_px: Vec<f64>,
    trunk_y_px: Option<f64>,
    m_per_px: Option<f64>,
    /// Per foot landmark the median horizontal offset from the standing hip (cm, world x and
    /// depth z), and the spreads (MAD, cm) along x and along z.
    median_w: [Option<(f64, f64)>; 3],
    mad_wx: Vec<f64>,
    mad_wz: Vec<f64>,
}

/// Median and median absolute deviation of the known values (at least three).
fn median_mad(xs: &[Option<f64>]) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = xs.iter().flatten().copied().collect();
    // A median of fewer than three samples is not robust to one jump.
    if v.len() < 3 {
        return None;
    }
    let m = median_of(&mut v)?;
    let mut dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    Some((m, median_of(&mut dev)?))
}

fn quiet_window(base: &BaseSignals, side: &SideSignals, lo: usize, hi: usize) -> QuietWindow {
    let hi = hi.min(base.t.len().saturating_sub(1));
    let slice = |x: &[Option<f64>]| -> Vec<Option<f64>> { x.get(lo..=hi).unwrap_or(&[]).to_vec() };
    let mut median_px = [None; 3];
    let mut mad_px = Vec::new();
    for ((slot, xs), ys) in median_px.iter_mut().zip(&side.support_foot_x_px).zip(&side.support_foot_y_px) {
        let (Some((mx, dx)), Some((my, dy))) = (median_mad(&slice(xs)), median_mad(&slice(ys))) else {
            continue;
        };
        *slot = Some((mx, my));
        mad_px.extend([dx, dy]);
    }
    let mut median_w = [None; 3];
    let (mut mad_wx, mut mad_wz) = (Vec::new(), Vec::new());
    for ((slot, xs), zs) in median_w.iter_mut().zip(&side.support_foot_wx_cm).zip(&side.support_foot_wz_cm) {
        let (Some((mx, dx)), Some((mz, dz))) = (median_mad(&slice(xs)), median_mad(&slice(zs))) else {
            continue;
        };
        *slot = Some((mx, mz));
        mad_wx.push(dx);
        mad_wz.push(dz);
    }
    let trunk_y_px = median_mad(&slice(&base.trunk_y_px)).map(|(m, _)| m);
    let mut sc: Vec<f64> = base.m_per_px.get(lo..=hi).unwrap_or(&[]).iter().flatten().copied().collect();
    QuietWindow { median_px, mad_px, trunk_y_px, m_per_px: median_of(&mut sc), median_w, mad_wx, mad_wz }
}

/// Displacement (cm, world x and depth z) of the standing foot relative to the standing hip
/// from window `a` to window `b`: per axis the median over heel, ankle and toe.
fn world_shift(a: &QuietWindow, b: &QuietWindow) -> Option<(f64, f64)> {
    let pairs: Vec<((f64, f64), (f64, f64))> = (0..3).filter_map(|j| Some((a.median_w[j]?, b.median_w[j]?))).collect();
    let mut dx: Vec<f64> = pairs.iter().map(|(p, q)| q.0 - p.0).collect();
    let mut dz: Vec<f64> = pairs.iter().map(|(p, q)| q.1 - p.1).collect();
    Some((median_of(&mut dx)?, median_of(&mut dz)?))
}

/// One witness's persisting shift over a rep: the displacement `d` from before to after the
/// rep, confirmed (when `c`, the displacement to the quiet phase after the next rep, exists)
/// by how much of it is still there. Returns (shift, confirmed).
fn persisting(d: (f64, f64), c: Option<(f64, f64)>) -> (f64, bool) {
    let len = d.0.hypot(d.1);
    match c {
        Some(c) if len > 1e-9 => {
            let along = (c.0 * d.0 + c.1 * d.1) / len;
            (len.min(along.max(0.0)), true)
        }
        _ => (len, false),
    }
}

/// Displacement (cm, image x and y) of the standing foot from window `a` to window `b`: per axis
/// the median over heel, ankle and toe. Vertically, the trunk's own vertical displacement is
/// taken off: a planted foot and the trunk above it keep their heights, so vertical motion they
/// share is the camera tilting (hand-held sway), never a slide; horizontally it is not, since the
/// whole body may follow a sliding foot.
fn landmark_shift(a: &QuietWindow, b: &QuietWindow) -> Option<(f64, f64)> {
    let scale = match (a.m_per_px, b.m_per_px) {
        (Some(x), Some(y)) => (x + y) / 2.0,
        (x, y) => x.or(y)?,
    };
    let pairs: Vec<((f64, f64), (f64, f64))> =
        (0..3).filter_map(|j| Some((a.median_px[j]?, b.median_px[j]?))).collect();
    let mut dx: Vec<f64> = pairs.iter().map(|(p, q)| q.0 - p.0).collect();
    let mut dy: Vec<f64> = pairs.iter().map(|(p, q)| q.1 - p.1).collect();
    let trunk = match (a.trunk_y_px, b.trunk_y_px) {
        (Some(p), Some(q)) => q - p,
        _ => 0.0,
    };
    Some((median_of(&mut dx)? * scale * 100.0, (median_of(&mut dy)? - trunk) * scale * 100.0))
}

/// Relative uncertainty of `reps.foot_depth_image_ratio` for one camera (the exercise file's
/// range for phones at hip height 2–4 m away, 0.25–0.4 around 0.33, widened for other heights).
const DEPTH_RATIO_SPREAD: f64 = 0.5;

/// See [`SetContext::new`].
fn foot_shifts(base: &BaseSignals, side: &SideSignals, reps: &[RepSegment], spec: &ExerciseSpec) -> Vec<FootShift> {
    let t = &base.t;
    let n = t.len();
    if reps.is_empty() || n == 0 {
        return Vec::new();
    }
    let (fw, guard) = (spec.reps.foot_window_s, spec.reps.foot_guard_s);
    let frame_at = |time: f64| t.partition_point(|&x| x < time).min(n - 1);
    let ts = |i: usize| t[i.min(n - 1)];
    // Quiet window i lies before rep i (the last one after the last rep), kept `guard` seconds
    // away from the reps: the working leg is already moving (and may pass the standing foot,
    // dragging its landmarks) a little before segmentation calls the rep's start.
    let windows: Vec<QuietWindow> = (0..=reps.len())
        .map(|i| {
            let (lo, hi) = match (i.checked_sub(1).and_then(|k| reps.get(k)), reps.get(i)) {
                (Some(p), Some(r)) => (ts(p.end) + guard, ts(r.start) - guard),
                (None, Some(r)) => (ts(r.start) - guard - fw, ts(r.start) - guard),
                (Some(p), None) => (ts(p.end) + guard, ts(p.end) + guard + fw),
                (None, None) => (0.0, 0.0),
            };
            let (mut lo, mut hi) = (frame_at(lo), frame_at(hi).min(n - 1));
            if hi < lo + 2 {
                // A short rest between reps: its middle frames.
                let mid = match (i.checked_sub(1).and_then(|k| reps.get(k)), reps.get(i)) {
                    (Some(p), Some(r)) => (p.end + r.start) / 2,
                    _ => (lo + hi) / 2,
                };
                (lo, hi) = (mid.saturating_sub(1), (mid + 1).min(n - 1));
            }
            quiet_window(base, side, lo, hi)
        })
        .collect();
    let mut mads: Vec<f64> =
        windows.iter().flat_map(|w| w.mad_px.iter().filter_map(move |d| Some(d * w.m_per_px? * 100.0))).collect();
    // MAD → σ for Gaussian noise.
    let sigma = median_of(&mut mads).map(|m| 1.4826 * m);
    let threshold = spec.check_judging(Metric::SupportFootShift).map_or(f64::INFINITY, |c| c.threshold);
    let k_noise = spec.reps.foot_noise_k;
    let floor = sigma.map(|s| k_noise * s);
    // The world witness: σ per axis (cm) from the quiet phases' spreads.
    let sigma_axis = |f: fn(&QuietWindow) -> &Vec<f64>| {
        let mut v: Vec<f64> = windows.iter().flat_map(|w| f(w).iter().copied()).collect();
        median_of(&mut v).map(|m| 1.4826 * m)
    };
    let within = sigma_axis(|w| &w.mad_wx).zip(sigma_axis(|w| &w.mad_wz));
    // The world landmarks' error drifts slowly, so the spread inside one quiet phase
    // under-reads how far two quiet phases' medians differ on a planted foot; the set's own
    // phase-to-phase displacements (most reps do not slide: median and MAD are robust to the
    // one that does) measure that directly. The larger of the two is the noise.
    let steps: Vec<(f64, f64)> = windows.windows(2).filter_map(|w| world_shift(&w[0], &w[1])).collect();
    let between = |f: fn(&(f64, f64)) -> f64| -> Option<f64> {
        let v: Vec<Option<f64>> = steps.iter().map(|d| Some(f(d))).collect();
        // Fewer than three steps (a set of one or two reps) cannot tell drift from a slide.
        median_mad(&v).map(|(_, mad)| 1.4826 * mad / std::f64::consts::SQRT_2)
    };
    let world_sigma = within.map(|(wx, wz)| {
        let (bx, bz) = (between(|d| d.0).unwrap_or(0.0), between(|d| d.1).unwrap_or(0.0));
        (wx.max(bx), wz.max(bz))
    });
    let foot_len = spec.reps.foot_length_cm;
    let ratio = spec.reps.foot_depth_image_ratio;
    (0..reps.len())
        .map(|k| {
            let (before, after, later) = (&windows[k], &windows[k + 1], windows.get(k + 2));
            let image_d = landmark_shift(before, after);
            let world_d = world_shift(before, after);
            // Further than the foot is long: a step, not a slide.
            let moved = [image_d, world_d].into_iter().flatten().map(|d| d.0.hypot(d.1)).fold(0.0, f64::max);
            if moved > foot_len {
                return FootShift::Stepped { shift_cm: moved };
            }
            // A slide persists: the quiet phase after the next rep must still show it (its
            // displacement from before this rep, along this rep's shift).
            let image = floor.filter(|f| *f <= threshold).zip(image_d).map(|(floor, d)| {
                let c = later.and_then(|w| landmark_shift(before, w));
                (persisting(d, c), floor)
            });
            let world = world_sigma.zip(world_d).and_then(|((sx, sz), d)| {
                let c = later.and_then(|w| world_shift(before, w));
                let (shift, confirmed) = persisting(d, c);
                // The world landmarks drift more than the image ones and alone would raise false
                // alarms: their slide must persist, and the image must show the foot moving the
                // way that slide would move it (across the image as much as the slide goes
                // across, up or down by `ratio` of what it goes away or closer) by at least one
                // σ of the image's noise. A witness whose floor is above the threshold still
                // tells the larger slides (its bar is max(threshold, floor)).
                let (di, sigma_img) = (image_d?, floor? / k_noise);
                let u = (d.0, -ratio * d.1);
                let ul = u.0.hypot(u.1);
                if !confirmed || ul < 1e-9 || (di.0 * u.0 + di.1 * u.1) / ul < sigma_img {
                    return None;
                }
                // Nor may the image contradict it: what it shows must match what that slide
                // would show, per axis within the two witnesses' combined noise (a world slide
                // sideways that the image, which sees sideways at full scale, does not show is
                // the world landmarks drifting).
                // Vertically the ratio itself is uncertain (camera height and distance vary):
                // ± `DEPTH_RATIO_SPREAD` of it counts as noise too.
                let fits = |res: f64, sw: f64| res.abs() <= k_noise * sigma_img.hypot(sw);
                let sy = (ratio * sz).hypot(DEPTH_RATIO_SPREAD * ratio * d.1);
                if !(fits(di.0 - u.0, sx) && fits(di.1 - u.1, sy)) {
                    return None;
                }
                let len = d.0.hypot(d.1);
                // σ projected on the shift's direction.
                let s = (d.0 / len * sx).hypot(d.1 / len * sz);
                Some(((shift, confirmed), k_noise * s))
            });
            // Each witness against its own bar; the one clearing it by more decides.
            let margin = |w: &((f64, bool), f64)| w.0 .0 - w.1.max(threshold);
            let best = match (image, world) {
                (Some(a), Some(b)) => Some(if margin(&b) > margin(&a) { b } else { a }),
                (a, b) => a.or(b),
            };
            if let Some(((shift_cm, confirmed), floor_cm)) = best {
                return FootShift::Measured { shift_cm, floor_cm, confirmed };
            }
            match floor {
                None => FootShift::Unmeasurable("the standing foot was not visible between reps".into()),
                Some(f) if f > threshold => FootShift::Unmeasurable(format!(
                    "the standing foot's landmarks jitter too much in this set (±{f:.1} cm) to tell a {threshold:.0} cm slide from noise"
                )),
                Some(_) => FootShift::Unmeasurable("the standing foot was not visible before and after the rep".into()),
            }
        })
        .collect()
}

/// Fraction of frames in `lo..=hi` where the signal is known.
fn coverage(x: &[Option<f64>], lo: usize, hi: usize) -> f64 {
    let s = x.get(lo..=hi.min(x.len().saturating_sub(1))).unwrap_or(&[]);
    if s.is_empty() {
        return 0.0;
    }
    s.iter().filter(|v| v.is_some()).count() as f64 / s.len() as f64
}

/// Evaluates one rep of a set seen from `view`, with `side` the signals for its working leg.
/// `next_start` is the next rep's start in the same set (for the bottom phase);
/// `machine_on_working` says whether the machine is on the working leg's side; `ctx` holds the
/// set-level measurements and `index` is the rep's position in the set.
#[allow(clippy::too_many_arguments)]
pub fn evaluate_rep(
    base: &BaseSignals,
    side: &SideSignals,
    rep: &RepSegment,
    index: usize,
    ctx: &SetContext,
    next_start: Option<usize>,
    view: Option<View>,
    machine_on_working: bool,
    spec: &ExerciseSpec,
) -> RepVerdict {
    let t = &base.t;
    let ts = |i: usize| t.get(i).copied().unwrap_or(0.0);
    let phases = PhaseDurations {
        lift_s: ts(rep.pause_start) - ts(rep.start),
        top_pause_s: ts(rep.pause_end) - ts(rep.pause_start),
        return_s: ts(rep.end) - ts(rep.pause_end),
        bottom_s: next_start.map(|n| ts(n) - ts(rep.end)),
    };
    let (lo, hi) = (rep.start, rep.end);
    let bw = spec.reps.baseline_window_s;
    let change = |x: &[Option<f64>], min_dur: f64| -> Option<Measure> {
        let b = baseline(t, x, lo, bw)?;
        sustained_peak(t, x, b, lo, hi, min_dur)
    };
    let neg: Vec<Option<f64>> = side.trunk_forward.iter().map(|v| v.map(|v| -v)).collect();
    let dur = |m: Metric| spec.check_judging(m).map_or(0.0, |c| c.min_duration_s);

    let fwd_sig = if view.is_some_and(is_side) { &side.trunk_forward_img } else { &side.trunk_forward };
    // The side signals lean towards the support side; away from the machine is the other way
    // when the machine stands on the support side.
    let away_raw = if view.is_some_and(is_frontal) { &side.trunk_away_img } else { &side.trunk_away };
    let flipped: Vec<Option<f64>>;
    let away_sig = if machine_on_working {
        away_raw
    } else {
        flipped = away_raw.iter().map(|v| v.map(|v| -v)).collect();
        &flipped
    };
    let hike_sig = if view.is_some_and(is_frontal) { &side.pelvis_hike_img } else { &side.pelvis_hike };
    let fwd = change(fwd_sig, dur(Metric::TrunkForwardChange));
    let back = change(&neg, dur(Metric::PeakHipExtensionRelTrunk));
    let away = change(away_sig, dur(Metric::TrunkAwayChange));
    // The hip line is short (≈ 20 cm), so its tilt is noisy: judge the top of the rep as a whole.
    let hike = top_change(t, hike_sig, rep, bw);
    // Hip- and shoulder-line turns come from depth, the noisiest coordinate: compare the median
    // over the top of the rep with the median before it rather than chasing a peak.
    let rot = top_change(t, &side.pelvis_rotation, rep, bw);
    let twist = top_change(t, &side.torso_twist, rep, bw).map(|m| Measure { value: m.value.abs(), at: m.at });
    // Knee flexion: the signed image angle where the view is side-on (3D angles from noisy depth
    // are biased away from 0, which would hide a locked knee), else the world angle.
    let knee_img_ok = coverage(&side.support_knee_img, lo, hi) >= 0.5;
    let knee_sig = if knee_img_ok { &side.support_knee_img } else { &side.support_knee };
    let knee_vals: Vec<f64> = knee_sig.get(lo..=hi).unwrap_or(&[]).iter().flatten().copied().collect();
    let knee_median = median_of(&mut knee_vals.clone());
    // Knee steadiness: the image angle wobbles when the working leg crosses in front of or
    // behind the standing knee, the world angle when depth is noisy; a real bend shows in both,
    // so the smaller of the two ranges is used.
    let range = |v: &[f64]| match (percentile(v.iter().copied(), 95.0), percentile(v.iter().copied(), 5.0)) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    let knee_world: Vec<f64> = side.support_knee.get(lo..=hi).unwrap_or(&[]).iter().flatten().copied().collect();
    // Side-on with the standing leg nearer the camera, nothing passes in front of the standing
    // knee and its bend lies in the image plane: the image angle is the sharp witness there,
    // while the world angle's depth estimate compresses a bend (on the rendered clips a 17°
    // bounce reads 7° in 3D). Elsewhere the two must agree.
    let support_near = view == Some(View::SideSupport);
    let knee_range = match (range(&knee_vals), range(&knee_world)) {
        (Some(a), _) if support_near => Some(a),
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let knee_peak_at = {
        let m = knee_median.unwrap_or(0.0);
        (lo..=hi)
            .filter_map(|k| knee_sig.get(k).copied().flatten().map(|v| (k, (v - m).abs())))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(rep.peak, |(k, _)| k)
    };
    let elev = match side.working {
        Some(crate::kinematics::Side::Right) => &base.rep_right,
        _ => &base.rep_left,
    };
    // Two witnesses of "the return is faster than the lift" with different failure modes: the
    // ratio of transition times (noisy when slow pose-model drift bends the leg signal's
    // profile) and of peak speeds (biased towards 0 when smoothing flattens a short return).
    // The smaller one is reported, so a swing is called only when both see it.
    let swing = match (swing_ratio(t, elev, rep), swing_ratio_speed(t, elev, rep, SWING_SPEED_HALF_S)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let at_peak = |x: &[Option<f64>]| -> Option<f64> {
        let b = baseline(t, x, lo, bw)?;
        // Average a few frames around the peak.
        let win: Vec<f64> = x.get(rep.pause_start..=rep.pause_end).unwrap_or(&[]).iter().flatten().copied().collect();
        let v = median_of(&mut win.clone()).or_else(|| x.get(rep.peak).copied().flatten())?;
        Some(v - b)
    };
    let d_ext = at_peak(&side.hip_extension);
    let d_abd = at_peak(&side.hip_abduction);
    // From behind or in front the pose model's depth all but loses the leg's backward travel,
    // so there the path is judged by how far out the thigh goes (in the image plane) against
    // the check's secondary threshold; elsewhere by outward minus backward travel.
    // (Relative to the hip line's normal: a hiked pelvis tilts the whole leg outward.)
    let frontal_abd = if view.is_some_and(is_frontal) {
        let mut win: Vec<f64> = (rep.pause_start..=rep.pause_end)
            .filter_map(|k| {
                let a = side.hip_abduction_img.get(k).copied().flatten()?;
                Some(a - side.pelvis_hike_img.get(k).copied().flatten().unwrap_or(0.0))
            })
            .collect();
        median_of(&mut win)
    } else {
        None
    };
    let sideways = match (view.is_some_and(is_frontal), frontal_abd, d_abd, d_ext) {
        (true, Some(a), _, _) => Some(a),
        (true, None, _, _) => None,
        (false, _, Some(a), Some(e)) => Some(a - e),
        _ => None,
    };
    let ext_rel = {
        let xs = &side.hip_extension_rel_trunk;
        sustained_peak(t, xs, 0.0, lo, hi, dur(Metric::PeakHipExtensionRelTrunk))
    };
    // Foot shift: measured over the whole set (see [`SetContext::new`]).
    let foot = ctx.foot.get(index);
    let foot_cm = match foot {
        Some(FootShift::Measured { shift_cm, .. }) => Some(*shift_cm),
        _ => None,
    };
    let metrics = RepMetrics {
        amplitude_deg: Some(rep.amplitude_deg),
        peak_hip_extension_deg: side.hip_extension.get(rep.peak).copied().flatten(),
        peak_hip_abduction_deg: side.hip_abduction.get(rep.peak).copied().flatten(),
        peak_hip_extension_rel_trunk_deg: ext_rel.map(|m| m.value),
        trunk_forward_change_deg: fwd.map(|m| m.value),
        trunk_back_change_deg: back.map(|m| m.value),
        trunk_away_change_deg: away.map(|m| m.value),
        pelvis_hike_change_deg: hike.map(|m| m.value),
        pelvis_rotation_change_deg: rot.map(|m| m.value),
        support_knee_flexion_deg: knee_median,
        support_knee_range_deg: knee_range,
        swing_ratio: swing,
        sideways_margin_deg: sideways,
        support_foot_shift_cm: foot_cm,
        torso_twist_change_deg: twist.map(|m| m.value),
    };

    let vis = {
        let v = side.visibility.get(lo..=hi).unwrap_or(&[]);
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let mut faults = Vec::new();
    let mut borderline = Vec::new();
    let mut measured = Vec::new();
    let mut unmeasured = Vec::new();
    for check in &spec.checks {
        let Some(view) = view else { continue };
        let calibration = match spec.judgement(check.id, view) {
            Ok(c) => c,
            Err(why) => {
                // A view the check is listed for but that cannot judge it says why.
                if check.views.contains(&view) {
                    unmeasured.push((check.id, why));
                }
                continue;
            }
        };
        // (metric, peak frame, signal used for coverage)
        let m: Option<(f64, usize, f64)> = match check.metric {
            Metric::TrunkForwardChange => fwd.map(|m| (m.value, m.at, coverage(fwd_sig, lo, hi))),
            Metric::TrunkAwayChange => away.map(|m| (m.value, m.at, coverage(away_sig, lo, hi))),
            Metric::PelvisHikeChange => hike.map(|m| (m.value, m.at, coverage(hike_sig, lo, hi))),
            Metric::PelvisRotationChange => rot.map(|m| (m.value, m.at, coverage(&side.pelvis_rotation, lo, hi))),
            Metric::TorsoTwistChange => twist.map(|m| (m.value, m.at, coverage(&side.torso_twist, lo, hi))),
            // Side-on, the image angle is missing only when the standing knee is hidden (the far
            // leg, behind the working one); then there is no safe "locked" call: the model's 3D
            // angle of a knee it cannot see is squeezed towards 0 (rendered clips: an 18° knee
            // reads 5–7°), exactly into the fault. (At 45° the image angle is not used at all and
            // the 3D angle, of a knee that is seen, is the measure.)
            Metric::SupportKneeFlexion if !knee_img_ok && is_side(view) => {
                unmeasured.push((
                    check.id,
                    "the standing knee was not clearly visible in the image (its 3D angle under-reads a bend)"
                        .to_string(),
                ));
                None
            }
            Metric::SupportKneeFlexion => knee_median.map(|v| (v, rep.peak, coverage(knee_sig, lo, hi))),
            Metric::SupportKneeRange => knee_range.map(|v| (v, knee_peak_at, coverage(knee_sig, lo, hi))),
            Metric::SwingRatio => swing.map(|v| (v, rep.pause_end, 1.0)),
            Metric::SidewaysMargin => sideways.map(|v| (v, rep.peak, coverage(&side.hip_abduction, lo, hi))),
            // The primary reading; the trunk tipping back (secondary) is judged beside it.
            Metric::PeakHipExtensionRelTrunk => match (ext_rel, back) {
                (Some(e), _) => Some((e.value, e.at, coverage(&side.hip_extension_rel_trunk, lo, hi))),
                (None, Some(b)) if check.secondary_threshold.is_some() => Some((f64::NEG_INFINITY, b.at, 1.0)),
                _ => None,
            },
            // Readings reported for the coach that no check judges on their own yet.
            Metric::Amplitude | Metric::PeakHipExtension | Metric::PeakHipAbduction | Metric::TrunkBackChange => {
                metrics.get(check.metric).map(|v| (v, rep.peak, 1.0))
            }
            Metric::SupportFootShift => match foot {
                Some(FootShift::Measured { shift_cm, .. }) => Some((*shift_cm, hi, 1.0)),
                // A step is not a slide, and no evidence of one either way.
                Some(FootShift::Stepped { .. }) => None,
                Some(FootShift::Unmeasurable(why)) => {
                    unmeasured.push((check.id, why.clone()));
                    None
                }
                None => None,
            },
        };
        let Some((value, at, cov)) = m else { continue };
        // A rep where the signal was mostly missing is not measured.
        if cov < MIN_COVERAGE {
            continue;
        }
        measured.push(check.id);
        let ctx = JudgeContext { check, view, foot, back, vis, cov };
        match judge(&ctx, value, calibration, spec) {
            Judged::Fine => {}
            Judged::Borderline { magnitude, noise } => borderline.push(Borderline {
                check: check.id,
                magnitude: round2(magnitude),
                threshold: check.threshold,
                unit: check.unit.clone(),
                noise: round2(noise),
                peak_s: ts(at),
            }),
            Judged::Fault { magnitude, threshold, confidence } => faults.push(Fault {
                check: check.id,
                magnitude: round2(magnitude),
                threshold,
                unit: check.unit.clone(),
                severity: check.severity,
                peak_s: ts(at),
                peak_frame: base.frame.get(at).copied().unwrap_or(at as u64),
                confidence: round2(confidence.clamp(0.0, 1.0)),
                cue: check.cue.clone(),
            }),
        }
    }
    faults.sort_by(|a, b| {
        let ka = a.severity.weight() * ratio(a);
        let kb = b.severity.weight() * ratio(b);
        kb.total_cmp(&ka)
    });
    RepVerdict { phases, metrics, faults, borderline, measured, unmeasured }
}

/// Extra confidence factor of a check's fault: a foot shift that no later quiet phase could
/// confirm (the set's last rep) is less certain than one seen to persist.
fn confidence_factor(metric: Metric, foot: Option<&FootShift>) -> f64 {
    match (metric, foot) {
        (Metric::SupportFootShift, Some(FootShift::Measured { confirmed: false, .. })) => 0.6,
        _ => 1.0,
    }
}

/// Least fraction of a rep's frames in which a check's signal must be known for it to be judged.
const MIN_COVERAGE: f64 = 0.5;

/// What one rep's check was judged.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Judged {
    /// Clearly short of the threshold.
    Fine,
    /// Too close to call for the view's noise (magnitude on the threshold's scale, noise sd).
    Borderline { magnitude: f64, noise: f64 },
    /// Clearly past it.
    Fault { magnitude: f64, threshold: f64, confidence: f64 },
}

/// What [`judge`] needs besides the reading.
struct JudgeContext<'a> {
    check: &'a CheckSpec,
    view: View,
    foot: Option<&'a FootShift>,
    back: Option<Measure>,
    /// Mean landmark visibility over the rep.
    vis: f64,
    /// Fraction of the rep's frames where the signal was known.
    cov: f64,
}

/// Standard normal cumulative distribution (Abramowitz–Stegun 26.2.17, |error| < 7.5e-8).
fn normal_cdf(z: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.231_641_9 * z.abs());
    let poly =
        t * (0.319_381_530 + t * (-0.356_563_782 + t * (1.781_477_937 + t * (-1.821_255_978 + t * 1.330_274_429))));
    let tail = (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() * poly;
    if z >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The standard normal quantile of `p` in (0, 1), by bisection on [`normal_cdf`].
fn normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-10.0, 10.0);
    for _ in 0..80 {
        let mid = (lo + hi) / 2.0;
        if normal_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// Judges one reading. Calibrated: the reading goes back to the true scale, and the distance
/// from the threshold in the view's noise decides fault / borderline / fine; the fault's
/// confidence is the probability, under that noise, that the true value is past the threshold.
/// A view that was never seen to show the fault (scale not fitted there) gives fine or
/// borderline only.
/// Uncalibrated (a check the corpus has no labels for): the raw reading against the threshold.
fn judge(ctx: &JudgeContext, value: f64, calibration: Option<&Calibration>, spec: &ExerciseSpec) -> Judged {
    let check = ctx.check;
    let sign = match check.comparison {
        Comparison::Above => 1.0,
        Comparison::Below => -1.0,
    };
    // Low-back arch has a second witness: the trunk tipping back past the secondary threshold
    // (raw degrees: the renderer's arch label moves the pelvis as much as the spine).
    let secondary = (check.metric == Metric::PeakHipExtensionRelTrunk)
        .then(|| check.secondary_threshold.zip(ctx.back).filter(|(s, b)| b.value > *s))
        .flatten()
        .map(|(s, b)| Judged::Fault { magnitude: b.value, threshold: s, confidence: ctx.vis * ctx.cov });
    let Some(cal) = calibration else {
        // Which threshold applies: the frontal leg-path judgement uses the secondary one.
        let threshold = match (check.metric, check.secondary_threshold, ctx.foot) {
            (Metric::SidewaysMargin, Some(s), _) if is_frontal(ctx.view) => s,
            // A shift inside the set's own landmark noise is not evidence of a slide.
            (Metric::SupportFootShift, _, Some(FootShift::Measured { floor_cm, .. })) => check.threshold.max(*floor_cm),
            _ => check.threshold,
        };
        if sign * (value - threshold) > 0.0 {
            let confidence = ctx.vis * ctx.cov * confidence_factor(check.metric, ctx.foot);
            return Judged::Fault { magnitude: value, threshold, confidence };
        }
        return secondary.unwrap_or(Judged::Fine);
    };
    if !value.is_finite() {
        return secondary.unwrap_or(Judged::Fine);
    }
    let true_value = (value - cal.offset) / cal.scale;
    let noise = cal.noise / cal.scale.abs();
    // A foot shift inside the set's own landmark noise is not evidence of a slide either.
    let threshold = match ctx.foot {
        Some(FootShift::Measured { floor_cm, .. }) if check.metric == Metric::SupportFootShift => {
            check.threshold.max((floor_cm - cal.offset) / cal.scale)
        }
        _ => check.threshold,
    };
    let z = sign * (true_value - threshold) / noise;
    let d = &spec.decision;
    // How many sd a good rep sits short of the threshold; a fault must clear the threshold by
    // enough that a good rep gets there only `false_alarm_rate` of the time.
    let separation = (check.threshold - check.typical).abs() / noise;
    let margin = d.fault_margin_sd.max(normal_quantile(1.0 - d.false_alarm_rate) - separation);
    if z >= margin && cal.scale_fitted {
        let confidence = normal_cdf(z) * ctx.cov.min(1.0) * confidence_factor(check.metric, ctx.foot);
        Judged::Fault { magnitude: true_value, threshold, confidence }
    } else if let Some(f) = secondary {
        f
    } else if z > -d.ok_margin_sd {
        Judged::Borderline { magnitude: true_value, noise }
    } else {
        Judged::Fine
    }
}

/// How far past its threshold a fault is (for ranking), ≥ 1.
fn ratio(f: &Fault) -> f64 {
    if f.threshold.abs() < 1e-9 {
        return 1.0 + f.magnitude.abs() / 10.0;
    }
    (f.magnitude / f.threshold).abs().max(f.threshold / f.magnitude.abs().max(1e-9)).max(1.0)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_quantile(0.98) - 2.053_749).abs() < 1e-4);
        assert!((normal_quantile(0.5)).abs() < 1e-9);
    }

    fn calibrated(spec: &ExerciseSpec, id: CheckId, value: f64, cal: &Calibration) -> Judged {
        let check = spec.check(id).unwrap();
        let ctx = JudgeContext { check, view: cal.view, foot: None, back: None, vis: 1.0, cov: 1.0 };
        judge(&ctx, value, Some(cal), spec)
    }

    #[test]
    fn calibrated_readings_are_fault_borderline_or_fine_by_their_noise() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        // Reads 2° on a good rep, 0.5° per true degree, ±1° (= ±2 true degrees).
        let cal = Calibration {
            check: crate::kickback::PELVIS_HIKE,
            view: View::Back,
            offset: 2.0,
            scale: 0.5,
            noise: 1.0,
            reps: 30,
            scale_fitted: true,
        };
        let thr = spec.check(crate::kickback::PELVIS_HIKE).unwrap().threshold; // 6 true degrees
        let reading = |true_deg: f64| 2.0 + 0.5 * true_deg;
        assert_eq!(calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(0.0), &cal), Judged::Fine);
        assert!(matches!(
            calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr), &cal),
            Judged::Borderline { .. }
        ));
        // A good rep sits 3 sd below the threshold, so the margin is fault_margin_sd (0.5 sd).
        match calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr + 2.0), &cal) {
            Judged::Fault { magnitude, threshold, confidence } => {
                assert!((magnitude - (thr + 2.0)).abs() < 1e-9);
                assert_eq!(threshold, thr);
                assert!((confidence - normal_cdf(1.0)).abs() < 1e-6, "{confidence}");
            }
            other => panic!("{other:?}"),
        }
        // Noise as large as the threshold's distance from a good rep: a fault must clear the
        // threshold by enough that a good rep reaches it only 2 % of the time.
        let noisy = Calibration { noise: 3.0, ..cal.clone() };
        assert!(matches!(
            calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr + 6.0), &noisy),
            Judged::Borderline { .. }
        ));
        assert!(matches!(
            calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr + 7.0), &noisy),
            Judged::Fault { .. }
        ));
        // A view never seen to show the fault can say fine or borderline, never fault.
        let unseen = Calibration { scale_fitted: false, ..cal };
        assert!(matches!(
            calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr + 20.0), &unseen),
            Judged::Borderline { .. }
        ));
        assert_eq!(calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(0.0), &unseen), Judged::Fine);
    }

    #[test]
    fn below_checks_judge_the_other_way() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let cal = Calibration {
            check: crate::kickback::SUPPORT_KNEE_LOCKED,
            view: View::SideWorking,
            offset: 0.0,
            scale: 1.0,
            noise: 1.0,
            reps: 30,
            scale_fitted: true,
        };
        assert_eq!(calibrated(&spec, crate::kickback::SUPPORT_KNEE_LOCKED, 15.0, &cal), Judged::Fine);
        assert!(matches!(calibrated(&spec, crate::kickback::SUPPORT_KNEE_LOCKED, 1.0, &cal), Judged::Fault { .. }));
        assert!(matches!(
            calibrated(&spec, crate::kickback::SUPPORT_KNEE_LOCKED, 5.0, &cal),
            Judged::Borderline { .. }
        ));
    }

    #[test]
    fn sustained_peak_ignores_one_frame_spikes() {
        let t: Vec<f64> = (0..30).map(|i| i as f64 / 30.0).collect();
        let mut x: Vec<Option<f64>> = vec![Some(1.0); 30];
        x[10] = Some(50.0);
        for v in x.iter_mut().skip(20).take(6) {
            *v = Some(12.0);
        }
        let m = sustained_peak(&t, &x, 1.0, 0, 29, 0.1).unwrap();
        assert!((m.value - 11.0).abs() < 1e-9, "{m:?}");
        assert_eq!(m.at, 20);
        assert!(sustained_peak(&t, &vec![None; 30], 0.0, 0, 29, 0.1).is_none());
    }

    use crate::kinematics::Side;

    /// A set of 4 reps at 30 frames/s: rep k spans 1.0 + 2.5k … 2.5 + 2.5k s, with quiet
    /// bottoms in between; 2 mm per pixel; the standing foot at x = 300 px, y = 900 px, the
    /// trunk at y = 500 px. `foot(frame, landmark) -> (dx, dy)` and `trunk(frame) -> dy`
    /// disturb them.
    fn foot_set(
        foot: impl Fn(usize, usize) -> (f64, f64),
        trunk: impl Fn(usize) -> f64,
    ) -> (BaseSignals, SideSignals, Vec<RepSegment>) {
        let n = 12 * 30;
        let t: Vec<f64> = (0..n).map(|i| i as f64 / 30.0).collect();
        let reps: Vec<RepSegment> = (0..4)
            .map(|k| {
                let start = 30 + 75 * k;
                RepSegment {
                    side: Side::Left,
                    start,
                    pause_start: start + 20,
                    peak: start + 22,
                    pause_end: start + 25,
                    end: start + 45,
                    amplitude_deg: 40.0,
                    partial: false,
                    thigh_rise_deg: Some(40.0),
                    ankle_travel: 0.3,
                }
            })
            .collect();
        let base = BaseSignals {
            t,
            m_per_px: vec![Some(0.002); n],
            trunk_y_px: (0..n).map(|i| Some(500.0 + trunk(i))).collect(),
            ..Default::default()
        };
        let mut side = SideSignals { working: Some(Side::Left), ..Default::default() };
        for j in 0..3 {
            side.support_foot_x_px[j] = (0..n).map(|i| Some(300.0 + 10.0 * j as f64 + foot(i, j).0)).collect();
            side.support_foot_y_px[j] = (0..n).map(|i| Some(900.0 + foot(i, j).1)).collect();
        }
        (base, side, reps)
    }

    fn spec() -> ExerciseSpec {
        ExerciseSpec::cable_medius_kickback().expect("embedded spec")
    }

    fn shifts(ctx: &SetContext) -> Vec<Option<f64>> {
        ctx.foot
            .iter()
            .map(|f| match f {
                FootShift::Measured { shift_cm, .. } => Some(*shift_cm),
                FootShift::Stepped { .. } | FootShift::Unmeasurable(_) => None,
            })
            .collect()
    }

    /// Small deterministic jitter (px) in [-1, 1].
    fn jitter(i: usize, j: usize) -> f64 {
        (((i * 7919 + j * 104_729) % 1000) as f64 / 500.0) - 1.0
    }

    #[test]
    fn transient_heel_jitter_on_a_clean_set_is_not_a_foot_shift() {
        // The working leg passing drags all three landmarks 30 px (6 cm) for the first and last
        // 10 frames of every rep, and the heel alone sits 25 px (5 cm) off for a whole bottom
        // phase (a hidden heel the model misplaced), on top of ±1 px jitter.
        let (base, side, reps) = foot_set(
            |i, j| {
                let in_rep = |k: usize| {
                    let s = 30 + 75 * k;
                    (s..s + 10).contains(&i) || (s + 35..s + 45).contains(&i)
                };
                let passing = (0..4).any(in_rep);
                let hidden_heel = j == 0 && (150..180).contains(&i);
                let dx = if passing { 30.0 } else { 0.0 } + if hidden_heel { 25.0 } else { 0.0 };
                (dx + jitter(i, j), jitter(i + 1, j))
            },
            |_| 0.0,
        );
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        for s in shifts(&ctx) {
            let s = s.expect("measurable");
            assert!(s < 1.0, "{:?}", ctx.foot);
        }
    }

    #[test]
    fn a_persistent_slide_is_found_on_its_rep_only() {
        // 30 px = 6 cm sideways during rep 1 (frames 105..150), staying there.
        let (base, side, reps) = foot_set(
            |i, j| {
                let a = ((i as f64 - 105.0) / 45.0).clamp(0.0, 1.0);
                (30.0 * a + jitter(i, j), jitter(i + 3, j))
            },
            |_| 0.0,
        );
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        let s = shifts(&ctx);
        assert!(s[1].is_some_and(|v| (v - 6.0).abs() < 0.6), "{s:?}");
        for k in [0, 2, 3] {
            assert!(s[k].is_some_and(|v| v < 1.0), "{s:?}");
        }
        assert!(matches!(ctx.foot[1], FootShift::Measured { confirmed: true, .. }));
    }

    #[test]
    fn a_landmark_that_wanders_back_is_not_a_slide() {
        // All three landmarks 25 px off during the bottom after rep 0 only, back afterwards.
        let (base, side, reps) =
            foot_set(|i, j| (if (75..105).contains(&i) { 25.0 } else { 0.0 } + jitter(i, j), 0.0), |_| 0.0);
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        let s = shifts(&ctx);
        assert!(s[0].is_some_and(|v| v < 1.0), "{s:?}");
    }

    #[test]
    fn camera_tilt_moving_foot_and_trunk_together_is_not_a_slide() {
        // The whole picture drifts 25 px (5 cm) down and back up over the set.
        let sway = |i: usize| 25.0 * (i as f64 / 360.0 * std::f64::consts::PI).sin();
        let (base, side, reps) = foot_set(|i, j| (jitter(i, j), sway(i) + jitter(i + 5, j)), sway);
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        for s in shifts(&ctx) {
            assert!(s.is_some_and(|v| v < 1.0), "{:?}", ctx.foot);
        }
    }

    #[test]
    fn a_foot_too_noisy_to_see_a_slide_is_not_measurable() {
        // ±20 px (4 cm) jitter: no 3 cm slide can be told from it.
        let (base, side, reps) = foot_set(|i, j| (20.0 * jitter(i, j), 20.0 * jitter(i + 11, j)), |_| 0.0);
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        assert!(ctx.foot.iter().all(|f| matches!(f, FootShift::Unmeasurable(why) if why.contains("jitter"))));
    }

    /// Adds world landmarks of the standing foot to a [`foot_set`]: heel 5 cm behind the ankle,
    /// toe 18 cm ahead along the camera axis (a 23 cm foot seen from behind), each moved by
    /// `world(frame, landmark) -> (dx, dz)` cm.
    fn with_world(side: &mut SideSignals, n: usize, world: impl Fn(usize, usize) -> (f64, f64)) {
        for (j, z0) in [-5.0, 0.0, 18.0].into_iter().enumerate() {
            side.support_foot_wx_cm[j] = (0..n).map(|i| Some(-9.0 + world(i, j).0)).collect();
            side.support_foot_wz_cm[j] = (0..n).map(|i| Some(z0 + world(i, j).1)).collect();
        }
    }

    /// Ramp from 0 to 1 over rep 1 (frames 105..150).
    fn over_rep_1(i: usize) -> f64 {
        ((i as f64 - 105.0) / 45.0).clamp(0.0, 1.0)
    }

    #[test]
    fn a_slide_along_the_camera_axis_is_found_by_the_world_witness() {
        // 8 cm away from the camera during rep 1: the world landmarks see 8 cm of depth; the
        // image only a third of it, upwards (13 px = 2.7 cm, under the 3 cm threshold alone).
        let (base, mut side, reps) = foot_set(|i, j| (jitter(i, j), -13.3 * over_rep_1(i) + jitter(i + 3, j)), |_| 0.0);
        let n = base.t.len();
        with_world(&mut side, n, |i, j| (0.8 * jitter(i + 7, j), 8.0 * over_rep_1(i) + 1.5 * jitter(i + 13, j)));
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        let s = shifts(&ctx);
        assert!(s[1].is_some_and(|v| (v - 8.0).abs() < 1.0), "{:?}", ctx.foot);
        for k in [0, 2, 3] {
            assert!(s[k].is_some_and(|v| v < 3.0), "{:?}", ctx.foot);
        }
    }

    #[test]
    fn world_drift_the_image_does_not_confirm_is_not_a_slide() {
        // The world landmarks report the same 8 cm of depth, but the image foot stays put: the
        // pose model's depth drifted, the foot did not move.
        let (base, mut side, reps) = foot_set(|i, j| (jitter(i, j), jitter(i + 3, j)), |_| 0.0);
        let n = base.t.len();
        with_world(&mut side, n, |i, j| (0.8 * jitter(i + 7, j), 8.0 * over_rep_1(i) + 1.5 * jitter(i + 13, j)));
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        for s in shifts(&ctx) {
            assert!(s.is_some_and(|v| v < 1.0), "{:?}", ctx.foot);
        }
    }

    #[test]
    fn moving_further_than_a_foot_length_is_a_step_not_a_slide() {
        // 40 cm (200 px) sideways during rep 1: walking off, with or without world landmarks.
        let (base, mut side, reps) = foot_set(|i, j| (200.0 * over_rep_1(i) + jitter(i, j), jitter(i + 3, j)), |_| 0.0);
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        assert!(matches!(ctx.foot[1], FootShift::Stepped { shift_cm } if shift_cm > 35.0), "{:?}", ctx.foot);
        let n = base.t.len();
        with_world(&mut side, n, |i, j| (40.0 * over_rep_1(i) + 0.5 * jitter(i + 7, j), 0.5 * jitter(i + 13, j)));
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        assert!(matches!(ctx.foot[1], FootShift::Stepped { .. }), "{:?}", ctx.foot);
        assert!(shifts(&ctx)[0].is_some_and(|v| v < 1.0), "{:?}", ctx.foot);
    }

    #[test]
    fn a_world_slide_sideways_the_image_does_not_show_is_not_a_slide() {
        // Seen in a rendered clip: the world landmarks put the foot 2.5 cm sideways and 2 cm
        // away after the set-up; the image, which sees sideways at full scale, shows it 2 cm
        // higher but not sideways at all. The image moved the right way vertically, yet it
        // contradicts the sideways part: drift, not a slide.
        let (base, mut side, reps) =
            foot_set(|i, j| (0.3 * jitter(i, j), -10.0 * over_rep_1(i) + 0.3 * jitter(i + 3, j)), |_| 0.0);
        let n = base.t.len();
        with_world(&mut side, n, |i, j| {
            (-4.0 * over_rep_1(i) + 0.3 * jitter(i + 7, j), 3.0 * over_rep_1(i) + 0.4 * jitter(i + 13, j))
        });
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        let s = shifts(&ctx);
        assert!(s[1].is_some_and(|v| v < 3.0), "{:?}", ctx.foot);
    }

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
        let a = swing_ratio(&t, &x, &rep).expect("transition ratio");
        let b = swing_ratio_speed(&t, &x, &rep, SWING_SPEED_HALF_S).expect("speed ratio");
        assert!((a - 0.72).abs() < 0.08 && b > 0.5, "{a} {b}");
        let (t, x, rep) = profile(0.8, 1.1);
        let a = swing_ratio(&t, &x, &rep).expect("transition ratio");
        assert!(a < 0.0, "{a}");
    }

    #[test]
    fn baseline_uses_the_window_before_start() {
        let t: Vec<f64> = (0..10).map(|i| i as f64 * 0.1).collect();
        let x: Vec<Option<f64>> = (0..10).map(|i| Some(if i < 5 { 2.0 } else { 9.0 })).collect();
        assert_eq!(baseline(&t, &x, 4, 0.3), Some(2.0));
        assert_eq!(baseline(&t, &[None; 10], 4, 0.3), None);
    }
}
