//! The report's per-check results and summary, from the counts over a session's full reps.

use crate::kinematics::Side;
use crate::report::{CheckResult, Fix, SetReport, Status, Summary};
use crate::rules::RepVerdict;
use crate::spec::{CheckId, ExerciseSpec, View};
use std::collections::BTreeMap;

/// A clean rep's praise: the exercise's all-clear cue when every check was judged fine on it,
/// else the positive cue of the most important check that was (one the view could not judge,
/// or too close to call, is not praised); empty when none was.
pub(crate) fn positive_cue(spec: &ExerciseSpec, fine: &[CheckId]) -> String {
    if spec.checks.iter().all(|c| fine.contains(&c.id)) {
        return spec.all_clear_cue.clone();
    }
    spec.checks
        .iter()
        .filter(|c| fine.contains(&c.id))
        .max_by(|a, b| a.severity.cmp(&b.severity))
        .map_or_else(String::new, |c| c.positive_cue.clone())
}

/// Per check, over the full reps: how many were measured, faulted, borderline, and the first
/// reason one could not be judged.
#[derive(Default)]
pub(crate) struct CheckCounts {
    pub(crate) measured: BTreeMap<CheckId, usize>,
    pub(crate) faulted: BTreeMap<CheckId, usize>,
    pub(crate) borderlined: BTreeMap<CheckId, usize>,
    pub(crate) reasons: BTreeMap<CheckId, String>,
}

impl CheckCounts {
    /// Counts one full rep's verdict.
    pub(crate) fn add(&mut self, v: &RepVerdict) {
        for (c, why) in &v.unmeasured {
            self.reasons.entry(*c).or_insert_with(|| why.clone());
        }
        for c in &v.measured {
            *self.measured.entry(*c).or_default() += 1;
        }
        for f in &v.faults {
            *self.faulted.entry(f.check).or_default() += 1;
        }
        for b in &v.borderline {
            *self.borderlined.entry(b.check).or_default() += 1;
        }
    }
}

/// One result per check of the spec: its status over the session's full reps, or why it could
/// not be measured.
pub(crate) fn check_results(
    spec: &ExerciseSpec,
    counts: &CheckCounts,
    set_views: &[Option<View>],
    no_reps: bool,
) -> Vec<CheckResult> {
    let reasons = &counts.reasons;
    spec.checks
        .iter()
        .map(|check| {
            let id = check.id;
            let c = Some(check);
            let get = |m: &BTreeMap<CheckId, usize>| m.get(&id).copied().unwrap_or(0);
            let (m, f, b) = (get(&counts.measured), get(&counts.faulted), get(&counts.borderlined));
            let advice = c.map(|c| c.advice.clone());
            if m == 0 {
                let view_ok = set_views.iter().flatten().any(|v| spec.measurable(id, *v));
                let reason = if no_reps {
                    "no reps were found".to_string()
                } else if set_views.iter().all(|v| v.is_none()) {
                    "the camera view could not be determined".to_string()
                } else if let Some(why) = reasons.get(&id) {
                    why.clone()
                } else if !view_ok {
                    let names: Vec<&str> = set_views.iter().flatten().map(|v| v.as_str()).collect();
                    format!("it cannot be seen from this camera view ({})", names.join(", "))
                } else {
                    "the joints it needs were not visible enough".to_string()
                };
                return CheckResult {
                    check: id,
                    metric: Some(check.metric),
                    status: Status::NotMeasurable,
                    reps_measured: 0,
                    reps_with_fault: 0,
                    reps_borderline: 0,
                    reason: Some(reason),
                    advice,
                    cue: None,
                };
            }
            // Borderline only because every view it was judged from is too coarse to clear a
            // good rep: say so, and where to film from instead.
            let views: Vec<View> = set_views.iter().flatten().copied().filter(|v| spec.measurable(id, *v)).collect();
            let coarse: Vec<String> = views.iter().filter_map(|v| spec.coarse_reason(id, *v)).collect();
            let coarse =
                (f == 0 && b > 0 && !views.is_empty() && coarse.len() == views.len()).then(|| coarse[0].clone());
            CheckResult {
                check: id,
                metric: Some(check.metric),
                status: if f > 0 {
                    Status::Fault
                } else if b > 0 {
                    Status::Borderline
                } else {
                    Status::Ok
                },
                reps_measured: m,
                reps_with_fault: f,
                reps_borderline: b,
                advice: coarse.as_ref().and(advice),
                reason: coarse,
                // Praise only for a check that was judged fine: a borderline rep earns none.
                cue: c.and_then(|c| match (f, b) {
                    (0, 0) => Some(c.positive_cue.clone()),
                    (0, _) => None,
                    _ => Some(c.cue.clone()),
                }),
            }
        })
        .collect()
}

/// Reps per side, the one or two most important fixes and something that went well.
pub(crate) fn summarize(
    spec: &ExerciseSpec,
    views: &[crate::view::ViewSegment],
    sets: &[SetReport],
    checks: &[CheckResult],
) -> Summary {
    let count = |s: Side| sets.iter().filter(|x| x.side == s).map(|x| x.rep_count).sum();
    let mut ranked: Vec<(f64, &CheckResult)> = checks
        .iter()
        .filter(|c| c.status == Status::Fault)
        .map(|c| {
            let w = spec.check(c.check).map_or(1.0, |s| s.severity.weight());
            (w * c.reps_with_fault as f64 / c.reps_measured.max(1) as f64, c)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top_fixes = ranked
        .iter()
        .take(2)
        .map(|(_, c)| Fix {
            check: c.check,
            cue: spec.check(c.check).map_or_else(String::new, |s| s.cue.clone()),
            reps_affected: c.reps_with_fault,
        })
        .collect();
    let ok: Vec<&CheckResult> = checks.iter().filter(|c| c.status == Status::Ok).collect();
    // The all-clear claims every check: only when every one was judged, and fine.
    let positive = if ok.is_empty() {
        None
    } else if ok.len() == checks.len() {
        Some(spec.all_clear_cue.clone())
    } else {
        ok.iter()
            .filter_map(|c| spec.check(c.check))
            .max_by(|a, b| a.severity.cmp(&b.severity))
            .map(|c| c.positive_cue.clone())
    };
    let (reps_left, reps_right) = (count(Side::Left), count(Side::Right));
    let no_reps_advice =
        (reps_left + reps_right == 0).then(|| spec.no_reps_advice(views)).flatten().map(str::to_string);
    Summary {
        reps_left,
        reps_right,
        partial_reps: sets.iter().map(|s| s.partial_count).sum(),
        top_fixes,
        positive,
        no_reps_advice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::LandmarkSet;

    #[test]
    fn borderline_earns_no_praise_and_a_coarse_view_says_why() {
        let mut spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let hike = CheckId::new("pelvis_hike");
        let mut counts = CheckCounts::default();
        counts.measured.insert(hike, 3);
        counts.borderlined.insert(hike, 3);
        let result = |spec: &ExerciseSpec| {
            check_results(spec, &counts, &[Some(View::Back)], false).into_iter().find(|c| c.check == hike).unwrap()
        };
        let r = result(&spec);
        assert_eq!(r.status, Status::Borderline);
        assert_eq!(r.cue, None, "a borderline check is not praised");
        // From behind the hike is judged finely enough that a good rep clears it: no excuse.
        assert_eq!(r.reason, None);
        // Make the view coarse: good reps would read borderline too, and the result says so.
        let gap = spec.check(hike).map(|c| (c.threshold - c.typical).abs()).unwrap();
        let cal = spec
            .calibration
            .iter_mut()
            .find(|c| c.check == hike && c.view == View::Back && c.landmarks == LandmarkSet::Blazepose)
            .unwrap();
        cal.noise = cal.scale.abs() * gap * 2.0;
        let r = result(&spec);
        assert!(r.reason.as_deref().is_some_and(|w| w.contains("only a large fault")), "{:?}", r.reason);
        assert!(r.advice.is_some());
    }

    #[test]
    fn no_reps_from_behind_come_with_where_to_film_from() {
        use crate::view::ViewSegment;
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let checks = check_results(&spec, &CheckCounts::default(), &[], true);
        let behind = [ViewSegment { start_s: 0.0, end_s: 9.0, view: View::ObliqueBackWorking }];
        let s = summarize(&spec, &behind, &[], &checks);
        assert_eq!((s.reps_left, s.reps_right), (0, 0));
        assert_eq!(s.no_reps_advice.as_deref(), spec.no_reps_advice(&behind));
        assert!(s.no_reps_advice.is_some());
        // Side-on, a kick would have shown: no advice to move the camera.
        let side = [ViewSegment { start_s: 0.0, end_s: 9.0, view: View::SideWorking }];
        assert_eq!(summarize(&spec, &side, &[], &checks).no_reps_advice, None);
    }
}
