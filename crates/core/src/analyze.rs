//! Offline analysis of a whole sequence: signals, sets and reps, each rep judged, and the report
//! assembled.

use crate::kinematics::{base_signals, machine_side, side_signals, BaseSignals, PerSide, Side, SideSignals};
use crate::landmarks::PoseFrame;
use crate::report::series::build_series;
use crate::report::summary::{check_results, positive_cue, summarize, CheckCounts};
use crate::report::{Diagnostics, InputInfo, Phase, RepReport, Report, SetReport, SCHEMA_VERSION};
use crate::reps::{segment, RepSegment, SetSegment};
use crate::rules::{evaluate_rep, FootShift, RepContext, RepVerdict, SetContext};
use crate::spec::{ExerciseSpec, MachineSide, View};
use crate::view::{dominant_view, frame_views, segments};

/// Analyses a whole sequence of pose frames (any frame rate, gaps and empty frames allowed).
pub fn analyze(frames: &[PoseFrame], spec: &ExerciseSpec, input: InputInfo) -> Report {
    let base = base_signals(frames, spec);
    let spec = spec.for_landmarks(base.landmark_set());
    let sets = segment(&base, &spec);
    build_report(&base, &sets, &spec, input)
}

/// The set's reps without a first or last one during which the standing foot moved further
/// than a foot length ([`FootShift::Stepped`]): that is stepping into place or walking away,
/// with a leg swing that looked like a rep, not a rep. Only the set's ends: inside a set the
/// person is standing there doing reps on both sides of it.
fn without_steps(base: &BaseSignals, sig: &SideSignals, reps: &[RepSegment], spec: &ExerciseSpec) -> Vec<RepSegment> {
    let ctx = SetContext::new(base, sig, reps, spec);
    let stepped = |k: usize| matches!(ctx.foot.get(k), Some(FootShift::Stepped { .. }));
    let n = reps.len();
    reps.iter()
        .enumerate()
        .filter(|(k, _)| !((*k == 0 || *k + 1 == n) && n > 1 && stepped(*k)))
        .map(|(_, r)| r.clone())
        .collect()
}

/// The working side in effect at each frame: the set spanning it, else the nearest set.
fn working_per_frame(n: usize, sets: &[SetSegment]) -> Vec<Option<Side>> {
    let spans: Vec<(usize, usize, Side)> =
        sets.iter().filter_map(|s| Some((s.reps.first()?.start, s.reps.last()?.end, s.side))).collect();
    (0..n)
        .map(|i| {
            spans.iter().min_by_key(|(a, b, _)| if i < *a { a - i } else { i.saturating_sub(*b) }).map(|(_, _, s)| *s)
        })
        .collect()
}

/// Judges every rep of `sets` and assembles the report (offline and for each live window).
pub(crate) fn build_report(base: &BaseSignals, sets: &[SetSegment], spec: &ExerciseSpec, input: InputInfo) -> Report {
    let n = base.t.len();
    // Each leg's signals, where some set works it.
    let sides: PerSide<Option<SideSignals>> =
        PerSide::from_fn(|side| sets.iter().any(|x| x.side == side).then(|| side_signals(base, side, spec)));
    let working = working_per_frame(n, sets);
    let views = frame_views(base, &working, spec);
    let view_segments = segments(&base.t, &views, spec.view.min_segment_s);
    let mut a =
        Assembly { sets: Vec::new(), counts: CheckCounts::default(), set_views: Vec::new(), phase: vec![None; n] };
    for set in sets {
        if let Some(sig) = sides[set.side].as_ref() {
            a.add_set(base, sig, set, &views, spec);
        }
    }
    let checks = check_results(spec, &a.counts, &a.set_views, sets.is_empty());
    let summary = summarize(spec, &view_segments, &a.sets, &checks);
    let series = build_series(base, &sides, &working, a.phase);
    let frames_with_pose = base.skeletons.iter().filter(|s| s.is_some()).count();
    Report {
        schema_version: SCHEMA_VERSION,
        exercise: spec.exercise.clone(),
        input,
        views: view_segments,
        sets: a.sets,
        checks,
        summary,
        series,
        diagnostics: Diagnostics {
            frames: n,
            frames_with_pose,
            leg_swaps_repaired: base.swaps_repaired,
            ..Default::default()
        },
        session: None,
        personal_thresholds: Vec::new(),
    }
}

/// What the sets add up to while the report is assembled.
struct Assembly {
    /// The sets' reports so far.
    sets: Vec<SetReport>,
    /// Per check, over the full reps so far.
    counts: CheckCounts,
    /// Each reported set's view.
    set_views: Vec<Option<View>>,
    /// Movement phase per frame.
    phase: Vec<Option<Phase>>,
}

impl Assembly {
    /// Judges the reps of `set` (whose working leg's signals are `sig`) and adds its report,
    /// unless without the steps at its ends it is no longer a set.
    fn add_set(
        &mut self,
        base: &BaseSignals,
        sig: &SideSignals,
        set: &SetSegment,
        views: &[Option<View>],
        spec: &ExerciseSpec,
    ) {
        let (Some(first), Some(last)) = (set.reps.first(), set.reps.last()) else { return };
        let set_reps = without_steps(base, sig, &set.reps, spec);
        // Without the steps at its ends the set may no longer be one (see `reps.min_set_reps`).
        if set_reps.iter().filter(|r| !r.partial).count() < spec.reps.min_set_reps {
            return;
        }
        let view = dominant_view(views, first.start, last.end + 1);
        self.set_views.push(view);
        // Without a machine, leaning "away" is leaning towards the standing leg, as it is when
        // the machine stands on the working side.
        let machine = match &spec.equipment {
            Some(eq) => eq.holding_hand_margin_m.and_then(|m| machine_side(base, first.start, last.end + 1, m)).or(
                match eq.default_machine_side {
                    MachineSide::Working => Some(set.side),
                    MachineSide::Support => Some(set.side.other()),
                    MachineSide::Either => None,
                },
            ),
            None => Some(set.side),
        };
        for p in self.phase.iter_mut().take(last.end + 1).skip(first.start) {
            *p = Some(Phase::Bottom);
        }
        let mut reps = Vec::new();
        let ctx = SetContext::new(base, sig, &set_reps, spec);
        for (ri, rep) in set_reps.iter().enumerate() {
            let v = evaluate_rep(&RepContext {
                base,
                side: sig,
                rep,
                index: ri,
                set: &ctx,
                next_start: set_reps.get(ri + 1).map(|r| r.start),
                view,
                machine_on_working: machine.map(|m| m == set.side),
                spec,
            });
            mark_phases(&mut self.phase, rep);
            if !rep.partial {
                self.counts.add(&v);
            }
            reps.push(rep_report(base, spec, ri, rep, v));
        }
        let rep_count = reps.iter().filter(|r| !r.partial).count();
        self.sets.push(SetReport {
            index: self.sets.len() + 1,
            side: set.side,
            machine_side: machine,
            view,
            start_s: base.t.get(first.start).copied().unwrap_or(0.0),
            end_s: base.t.get(last.end).copied().unwrap_or(0.0),
            rep_count,
            partial_count: reps.len() - rep_count,
            reps,
        });
    }
}

/// Marks the rep's frames with their phase: lift, top pause, return.
fn mark_phases(phase: &mut [Option<Phase>], rep: &RepSegment) {
    for (k, p) in phase.iter_mut().enumerate().take(rep.end + 1).skip(rep.start) {
        *p = Some(if k < rep.pause_start {
            Phase::Lift
        } else if k <= rep.pause_end {
            Phase::TopPause
        } else {
            Phase::Return
        });
    }
}

/// The report of the set's rep number `ri` (0-based) from its verdict; a partial rep shows no
/// faults.
fn rep_report(base: &BaseSignals, spec: &ExerciseSpec, ri: usize, rep: &RepSegment, v: RepVerdict) -> RepReport {
    let cue = match v.faults.first() {
        Some(f) => f.cue.clone(),
        None => {
            let fine: Vec<_> =
                v.measured.iter().copied().filter(|id| !v.borderline.iter().any(|b| b.check == *id)).collect();
            positive_cue(spec, &fine)
        }
    };
    let t = |i: usize| base.t.get(i).copied().unwrap_or(0.0);
    let fr = |i: usize| base.frame.get(i).copied().unwrap_or(i as u64);
    RepReport {
        index: ri + 1,
        start_s: t(rep.start),
        peak_s: t(rep.peak),
        end_s: t(rep.end),
        start_frame: fr(rep.start),
        peak_frame: fr(rep.peak),
        end_frame: fr(rep.end),
        partial: rep.partial,
        phases: v.phases,
        metrics: v.metrics,
        faults: if rep.partial { Vec::new() } else { v.faults },
        borderline: if rep.partial { Vec::new() } else { v.borderline },
        cue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::StreamingAnalyzer;
    use crate::report::Status;

    #[test]
    fn empty_and_poseless_input_gives_a_full_report() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let r = analyze(&[], &spec, InputInfo::default());
        assert_eq!(r.checks.len(), spec.checks.len());
        assert!(r.checks.iter().all(|c| c.status == Status::NotMeasurable && c.reason.is_some()));
        let frames: Vec<PoseFrame> = (0..50)
            .map(|i| PoseFrame { index: i, t_s: i as f64 / 30.0, width: 640, height: 480, pose: None })
            .collect();
        let r = analyze(&frames, &spec, InputInfo::default());
        assert_eq!(r.rep_count(), 0);
        assert_eq!(r.series.t_s.len(), 50);
        let mut live = StreamingAnalyzer::new(spec);
        for f in &frames {
            assert!(live.push(f).is_empty());
        }
        let mut bad = frames[0].clone();
        bad.t_s = f64::NAN;
        assert!(live.push(&bad).is_empty());
        assert_eq!(live.finish(InputInfo::default()).rep_count(), 0);
    }
}
