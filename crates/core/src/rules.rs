//! The rule engine: per-rep metrics and faults, each compared with the spec's threshold.
//!
//! Angles whose absolute value depends on the camera and the person (trunk lean, hip line,
//! shoulder line, foot position) are compared with the rep's own start position (a short window
//! just before the rep), so a person's natural posture is never a fault; only absolute anatomy
//! (knee flexion, hip extension relative to the trunk) is compared with absolute thresholds.
//! A check is only evaluated when the spec lists the rep's view for it.

use crate::kinematics::{median_of, percentile, BaseSignals, SideSignals};
use crate::report::{Fault, PhaseDurations, RepMetrics};
use crate::reps::RepSegment;
use crate::spec::{CheckId, CheckSpec, Comparison, ExerciseSpec, View};

/// What the engine concluded for one rep.
#[derive(Clone, Debug, PartialEq)]
pub struct RepVerdict {
    /// Phase durations.
    pub phases: PhaseDurations,
    /// Measured values.
    pub metrics: RepMetrics,
    /// Faults, most important first.
    pub faults: Vec<Fault>,
    /// Checks that could be measured on this rep.
    pub measured: Vec<CheckId>,
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

/// Median of the signal over `window_s` after frame `end` (or up to it, at the end of the data).
fn after(t: &[f64], x: &[Option<f64>], end: usize, window_s: f64) -> Option<f64> {
    let te = *t.get(end)?;
    let mut v: Vec<f64> =
        (end..t.len()).take_while(|&k| t[k] - te <= window_s).filter_map(|k| x.get(k).copied().flatten()).collect();
    if v.len() < 3 {
        v = (0..=end)
            .rev()
            .take_while(|&k| te - t[k] <= window_s)
            .filter_map(|k| x.get(k).copied().flatten())
            .collect();
    }
    median_of(&mut v)
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

/// 1 − (peak lift speed / peak return speed): 0 when the return is as fast as the lift, near 1
/// when the leg snaps back. For a given movement profile speed scales with 1/duration, so this
/// equals 1 − return time / lift time; peak speeds over ±0.1 s differences are far less
/// sensitive to where the rep is cut than durations are.
fn swing_ratio(t: &[f64], elev: &[Option<f64>], rep: &RepSegment) -> Option<f64> {
    let speed = |k: usize| -> Option<f64> {
        let tk = *t.get(k)?;
        let a = (0..=k).rev().find(|&j| tk - t[j] >= 0.1)?;
        let b = (k..t.len()).find(|&j| t[j] - tk >= 0.1)?;
        let (va, vb) = (elev.get(a).copied().flatten()?, elev.get(b).copied().flatten()?);
        Some((vb - va) / (t[b] - t[a]))
    };
    let lift = (rep.start..=rep.peak).filter_map(speed).fold(f64::NEG_INFINITY, f64::max);
    let ret = (rep.peak..=rep.end).filter_map(speed).fold(f64::INFINITY, f64::min);
    (lift.is_finite() && ret.is_finite() && lift > 0.0 && ret < 0.0).then(|| 1.0 - lift / -ret)
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
/// `machine_on_working` says whether the machine is on the working leg's side.
pub fn evaluate_rep(
    base: &BaseSignals,
    side: &SideSignals,
    rep: &RepSegment,
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
    let dur = |id: CheckId| spec.check(id).map_or(0.0, |c| c.min_duration_s);

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
    let fwd = change(fwd_sig, dur(CheckId::TorsoLeanForward));
    let back = change(&neg, dur(CheckId::LowBackArch));
    let away = change(away_sig, dur(CheckId::TorsoLeanAway));
    // The hip line is short (≈ 20 cm), so its tilt is noisy: judge the top of the rep as a whole.
    let hike = top_change(t, hike_sig, rep, bw);
    // Hip- and shoulder-line turns come from depth, the noisiest coordinate: compare the median
    // over the top of the rep with the median before it rather than chasing a peak.
    let rot = top_change(t, &side.pelvis_rotation, rep, bw);
    let twist = top_change(t, &side.torso_twist, rep, bw).map(|m| Measure { value: m.value.abs(), at: m.at });
    // Knee flexion: the signed image angle where the view is side-on (3D angles from noisy depth
    // are biased away from 0, which would hide a locked knee), else the world angle.
    let knee_sig =
        if coverage(&side.support_knee_img, lo, hi) >= 0.5 { &side.support_knee_img } else { &side.support_knee };
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
    let knee_range = match (range(&knee_vals), range(&knee_world)) {
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
    let swing = swing_ratio(t, elev, rep);
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
        sustained_peak(t, xs, 0.0, lo, hi, dur(CheckId::LowBackArch))
    };
    // Foot shift: where the standing foot is after the rep versus before it. A slide stays; the
    // landmark wobble while the working leg passes in front of or behind the foot does not.
    let foot = {
        let fw = spec.reps.foot_window_s;
        let bx = baseline(t, &side.support_heel_x_px, lo, fw);
        let by = baseline(t, &side.support_heel_y_px, lo, fw);
        let ax = after(t, &side.support_heel_x_px, hi, fw);
        let ay = after(t, &side.support_heel_y_px, hi, fw);
        // Pixels to cm with the rep's median scale (a per-frame scale would add its own jitter).
        let scale =
            median_of(&mut base.m_per_px.get(lo..=hi).unwrap_or(&[]).iter().flatten().copied().collect::<Vec<_>>());
        match (bx, by, ax, ay, scale) {
            (Some(bx), Some(by), Some(ax), Some(ay), Some(m)) => {
                Some(Measure { value: (ax - bx).hypot(ay - by) * m * 100.0, at: hi })
            }
            _ => None,
        }
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
        support_foot_shift_cm: foot.map(|m| m.value),
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
    let mut measured = Vec::new();
    for check in &spec.checks {
        if !view.is_some_and(|v| check.views.contains(&v)) {
            continue;
        }
        // (metric, peak frame, signal used for coverage)
        let m: Option<(f64, usize, f64)> = match check.id {
            CheckId::TorsoLeanForward => fwd.map(|m| (m.value, m.at, coverage(fwd_sig, lo, hi))),
            CheckId::TorsoLeanAway => away.map(|m| (m.value, m.at, coverage(away_sig, lo, hi))),
            CheckId::PelvisHike => hike.map(|m| (m.value, m.at, coverage(hike_sig, lo, hi))),
            CheckId::PelvisRotation => rot.map(|m| (m.value, m.at, coverage(&side.pelvis_rotation, lo, hi))),
            CheckId::TorsoTwist => twist.map(|m| (m.value, m.at, coverage(&side.torso_twist, lo, hi))),
            CheckId::SupportKneeLocked => knee_median.map(|v| (v, rep.peak, coverage(knee_sig, lo, hi))),
            CheckId::SupportKneeUnstable => knee_range.map(|v| (v, knee_peak_at, coverage(knee_sig, lo, hi))),
            CheckId::Swing => swing.map(|v| (v, rep.pause_end, 1.0)),
            CheckId::LegPathSideways => sideways.map(|v| (v, rep.peak, coverage(&side.hip_abduction, lo, hi))),
            CheckId::LowBackArch => {
                low_back(check, ext_rel, back).map(|(v, at)| (v, at, coverage(&side.hip_extension_rel_trunk, lo, hi)))
            }
            CheckId::SupportFootShift => foot.map(|m| (m.value, m.at, coverage(&side.support_heel_x_px, lo, hi))),
        };
        let Some((value, at, cov)) = m else { continue };
        // A rep where the signal was mostly missing is not measured.
        if cov < 0.5 {
            continue;
        }
        measured.push(check.id);
        // Which threshold applies: the frontal leg-path judgement uses the secondary one.
        let threshold = match (check.id, check.secondary_threshold) {
            (CheckId::LegPathSideways, Some(s)) if view.is_some_and(is_frontal) => s,
            _ => check.threshold,
        };
        let crossed = match check.comparison {
            Comparison::Above => value > threshold,
            Comparison::Below => value < threshold,
        };
        let secondary_crossed =
            check.id == CheckId::LowBackArch && check.secondary_threshold.zip(back).is_some_and(|(s, b)| b.value > s);
        if crossed || secondary_crossed {
            let threshold = if crossed { threshold } else { check.secondary_threshold.unwrap_or(check.threshold) };
            faults.push(Fault {
                check: check.id,
                magnitude: round2(value),
                threshold,
                unit: check.unit.clone(),
                severity: check.severity,
                peak_s: ts(at),
                peak_frame: base.frame.get(at).copied().unwrap_or(at as u64),
                confidence: round2((vis * cov).clamp(0.0, 1.0)),
                cue: check.cue.clone(),
            });
        }
    }
    faults.sort_by(|a, b| {
        let ka = a.severity.weight() * ratio(a);
        let kb = b.severity.weight() * ratio(b);
        kb.total_cmp(&ka)
    });
    RepVerdict { phases, metrics, faults, measured }
}

/// Low-back arch: hip extension relative to the trunk (primary) or the trunk tipping back
/// (secondary). Returns the primary metric, or the secondary one when only it crossed.
fn low_back(check: &CheckSpec, ext_rel: Option<Measure>, back: Option<Measure>) -> Option<(f64, usize)> {
    match (ext_rel, back, check.secondary_threshold) {
        (Some(e), Some(b), Some(s)) if e.value <= check.threshold && b.value > s => Some((b.value, b.at)),
        (Some(e), _, _) => Some((e.value, e.at)),
        (None, Some(b), Some(_)) => Some((b.value, b.at)),
        _ => None,
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

    #[test]
    fn baseline_uses_the_window_before_start() {
        let t: Vec<f64> = (0..10).map(|i| i as f64 * 0.1).collect();
        let x: Vec<Option<f64>> = (0..10).map(|i| Some(if i < 5 { 2.0 } else { 9.0 })).collect();
        assert_eq!(baseline(&t, &x, 4, 0.3), Some(2.0));
        assert_eq!(baseline(&t, &[None; 10], 4, 0.3), None);
    }
}
