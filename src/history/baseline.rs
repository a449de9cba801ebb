//! Personal baselines (opt-in): after a few sessions, a person's typical reading of a check that
//! allows it (the spec's `personal`) becomes their baseline, and the check's threshold follows it
//! within the spec's bounds.

use super::store::SessionRow;
use formcheck_core::report::PersonalThreshold;
use formcheck_core::signal::median_of;
use formcheck_core::spec::{CheckSpec, ExerciseSpec, View};
use serde::Serialize;

/// Sessions a baseline needs: one session may be an off day, three show what is usual.
pub const MIN_SESSIONS: usize = 3;

/// One check's baseline for a person.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Baseline {
    /// The check.
    pub check: String,
    /// The person's typical reading (true scale): the median of their sessions' medians.
    pub value: Option<f64>,
    /// Sessions with readings of it.
    pub sessions: usize,
    /// The threshold it gives (`None` until [`MIN_SESSIONS`]).
    pub threshold: Option<f64>,
    /// The spec's threshold.
    pub spec_threshold: f64,
}

/// The baselines of every check of `spec` that may follow the person, from `sessions` (the
/// person's earlier sessions of the exercise; the one being analysed left out by the caller).
pub fn baselines(sessions: &[SessionRow], spec: &ExerciseSpec) -> Vec<Baseline> {
    spec.checks
        .iter()
        .filter(|c| c.personal.is_some())
        .map(|check| {
            let mut medians: Vec<f64> = sessions.iter().filter_map(|s| session_median(s, check, spec)).collect();
            let value = median_of(&mut medians);
            let threshold = value.filter(|_| medians.len() >= MIN_SESSIONS).and_then(|b| check.personal_threshold(b));
            Baseline {
                check: check.id.to_string(),
                value,
                sessions: medians.len(),
                threshold,
                spec_threshold: check.threshold,
            }
        })
        .collect()
}

/// A session's median reading of `check` on the true scale: the raw readings of its view put
/// back through that view's calibration; `None` when the view could not measure it.
fn session_median(s: &SessionRow, check: &CheckSpec, spec: &ExerciseSpec) -> Option<f64> {
    if s.unmeasurable.iter().any(|c| c == check.id.as_str()) {
        return None;
    }
    let view = View::ALL.into_iter().find(|v| Some(v.as_str()) == s.view.as_deref())?;
    let calibration = spec.judgement(check.id, view).ok()?;
    let name = check.metric.as_str();
    let mut values: Vec<f64> = s
        .reps
        .iter()
        .filter_map(|r| r.metrics.iter().find(|(m, _)| m == name).and_then(|(_, v)| *v))
        .filter(|v| v.is_finite())
        .map(|v| match calibration {
            Some(c) if c.scale.abs() > 1e-9 => (v - c.offset) / c.scale,
            _ => v,
        })
        .collect();
    median_of(&mut values)
}

/// Applies the baselines that have enough sessions to `spec`'s thresholds; returns what the
/// report says about them.
pub fn personalise(spec: &mut ExerciseSpec, baselines: &[Baseline]) -> Vec<PersonalThreshold> {
    let mut used = Vec::new();
    for b in baselines {
        let (Some(value), Some(threshold)) = (b.value, b.threshold) else { continue };
        let Some(check) = spec.checks.iter_mut().find(|c| c.id.as_str() == b.check) else { continue };
        used.push(PersonalThreshold {
            check: check.id,
            baseline: (value * 100.0).round() / 100.0,
            threshold: (threshold * 100.0).round() / 100.0,
            spec_threshold: check.threshold,
            sessions: b.sessions,
        });
        check.threshold = threshold;
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{RepRow, SessionRow};

    fn session(k: usize, knee: f64) -> SessionRow {
        SessionRow {
            person: "ann".into(),
            exercise: "cable-medius-kickback".into(),
            filmed_at: k as i64 * 86_400,
            filmed_from: "file".into(),
            input_sha256: format!("{k}"),
            input_path: format!("{k}.mp4"),
            report_path: None,
            reps_left: 3,
            reps_right: 0,
            view: Some("side_support".into()),
            unmeasurable: vec![],
            reps: (0..3)
                .map(|_| RepRow {
                    side: "left".into(),
                    top_pause_s: 0.5,
                    return_s: 1.0,
                    metrics: vec![("support_knee_flexion_deg".into(), Some(knee))],
                    faults: vec![],
                })
                .collect(),
        }
    }

    #[test]
    fn a_baseline_needs_three_sessions_and_stays_within_the_specs_bounds() {
        let mut spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let knee = spec.check(formcheck_core::kickback::SUPPORT_KNEE_LOCKED).unwrap().clone();
        let cal = spec.judgement(knee.id, View::SideSupport).unwrap().unwrap().clone();
        // Raw readings of a knee that truly bends 20° from the standing leg's side.
        let raw = cal.offset + cal.scale * 20.0;
        let two = baselines(&[session(0, raw), session(1, raw)], &spec);
        let b = two.iter().find(|b| b.check == "support_knee_locked").unwrap();
        assert!((b.value.unwrap() - 20.0).abs() < 1e-6 && b.threshold.is_none(), "{b:?}");
        let three = baselines(&[session(0, raw), session(1, raw), session(2, raw)], &spec);
        let b = three.iter().find(|b| b.check == "support_knee_locked").unwrap();
        assert_eq!(b.threshold, Some(8.0), "20 − 8 = 12, bounded by the spec's 8");
        let used = personalise(&mut spec, &three);
        assert_eq!(spec.check(knee.id).unwrap().threshold, 8.0);
        assert!(used.iter().any(|u| u.check == knee.id && u.spec_threshold == 5.0));
        // A knee that is always nearly straight keeps the spec's threshold: still a fault.
        let locked = cal.offset + cal.scale * 2.0;
        let b = baselines(&[session(0, locked), session(1, locked), session(2, locked)], &spec);
        let b = b.iter().find(|b| b.check == "support_knee_locked").unwrap();
        assert_eq!(b.threshold, Some(5.0));
    }
}
