//! One rep's metrics and verdict.

use crate::kinematics::{BaseSignals, SideSignals};
use crate::report::{Borderline, Fault, Metric, PhaseDurations, RepMetrics};
use crate::reps::RepSegment;
use crate::rules::foot::{FootShift, SetContext};
use crate::rules::judge::{judge, ratio, round2, JudgeContext, Judged};
use crate::rules::measure::{baseline, coverage, sustained_peak, top_change, Measure, MIN_COVERAGE};
use crate::rules::swing::{swing_ratio, swing_ratio_speed, SWING_SPEED_HALF_S};
use crate::rules::{is_frontal, is_side, RepVerdict};
use crate::signal::{median_of, percentile};
use crate::spec::{ExerciseSpec, View};

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
    let elev = &base.rep[side.working];
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
