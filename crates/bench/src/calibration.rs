//! What the calibration is fitted on: per paired rep and check, the engine's raw reading of the
//! check's metric, from the view the engine judged it from, next to the true size of the fault
//! on the label's scale (injected degrees, centimetres, ratio; for a locked knee the standing
//! knee's flexion, for a high kick the target extension, for a sideways path abduction minus
//! extension). `scripts/corpus/calibrate.py` fits `reading = offset + scale × truth` per check
//! and view on the calibration part and writes the result into the exercise spec.

use crate::truth::GroundTruth;
use formcheck_core::report::Report;
use formcheck_core::spec::{CheckId, ExerciseSpec, View};
use std::fmt::Write as _;

/// The renderer label whose size a check's metric measures.
pub fn calibration_label(check: CheckId) -> Option<&'static str> {
    Some(match check {
        formcheck_core::kickback::TORSO_LEAN_FORWARD => "forward_lean",
        formcheck_core::kickback::TORSO_LEAN_AWAY => "lateral_lean",
        formcheck_core::kickback::PELVIS_HIKE => "pelvic_hike",
        formcheck_core::kickback::PELVIS_ROTATION => "pelvic_rotation",
        formcheck_core::kickback::SUPPORT_KNEE_LOCKED => "locked_knee",
        formcheck_core::kickback::SUPPORT_KNEE_UNSTABLE => "knee_bounce",
        formcheck_core::kickback::SWING => "swing",
        formcheck_core::kickback::LEG_PATH_SIDEWAYS => "sideways_path",
        // The primary reading (hip extension against the trunk) measures the kick's height.
        formcheck_core::kickback::LOW_BACK_ARCH => "kick_too_high",
        formcheck_core::kickback::SUPPORT_FOOT_SHIFT => "foot_shift",
        // the torso twist has no renderer label; checks of other exercises have none either
        _ => return None,
    })
}

/// One reading next to its truth.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// Clip name.
    pub clip: String,
    /// 1-based true rep index.
    pub rep: usize,
    /// The view the engine judged the set from.
    pub view: View,
    /// The check.
    pub check: CheckId,
    /// The engine's raw reading of the check's metric.
    pub value: f64,
    /// The true size on the label's scale.
    pub truth: f64,
    /// Whether the label calls it a fault.
    pub present: bool,
}

/// The readings of one clip.
pub fn readings(report: &Report, truth: &GroundTruth, spec: &ExerciseSpec) -> Vec<Reading> {
    let mut out = Vec::new();
    for (i, ours, view) in crate::score::paired(report, truth) {
        let Some(view) = view else { continue };
        let g = &truth.reps[i];
        for check in &spec.checks {
            let Some(label) = calibration_label(check.id).and_then(|l| g.labels.get(l)) else { continue };
            let Some(value) = ours.metrics.get(check.metric) else { continue };
            // A swing's size is its tempo ratio, which a clean rep has too (negative: the return
            // is slower than the lift); the label's injected size is 0 there.
            let true_size = match check.id {
                formcheck_core::kickback::SWING => match (g.tempo_s.get("eccentric"), g.tempo_s.get("concentric")) {
                    (Some(e), Some(c)) if *c > 0.0 => 1.0 - e / c,
                    _ => continue,
                },
                _ => label.injected,
            };
            out.push(Reading {
                clip: truth.name.clone(),
                rep: i + 1,
                view,
                check: check.id,
                value,
                truth: true_size,
                present: label.present,
            });
        }
    }
    out
}

/// The readings as CSV.
pub fn csv(readings: &[Reading]) -> String {
    let mut s = String::from("clip,rep,view,check,value,truth,present\n");
    for r in readings {
        let _ = writeln!(s, "{},{},{},{},{:.4},{:.4},{}", r.clip, r.rep, r.view, r.check, r.value, r.truth, r.present);
    }
    s
}
