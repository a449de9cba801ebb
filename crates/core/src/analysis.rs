//! Entry points: offline [`analyze`] of a whole sequence and the [`StreamingAnalyzer`] for live
//! camera feedback.

use crate::kinematics::{base_signals, machine_side, side_signals, BaseSignals, Side, SideSignals};
use crate::landmarks::PoseFrame;
use crate::report::{
    CheckResult, Diagnostics, Fix, InputInfo, Phase, RepReport, Report, Series, SetReport, Status, Summary,
    SCHEMA_VERSION,
};
use crate::reps::{segment, RepSegment, SetSegment};
use crate::rules::{evaluate_rep, FootShift, SetContext};
use crate::spec::{CheckId, ExerciseSpec, MachineSide, View};
use crate::view::{dominant_view, frame_views, segments};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Analyses a whole sequence of pose frames (any frame rate, gaps and empty frames allowed).
pub fn analyze(frames: &[PoseFrame], spec: &ExerciseSpec, input: InputInfo) -> Report {
    let base = base_signals(frames, spec);
    let sets = segment(&base, spec);
    build_report(&base, &sets, spec, input)
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

fn side_index(s: Side) -> usize {
    match s {
        Side::Left => 0,
        Side::Right => 1,
    }
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

fn build_report(base: &BaseSignals, sets: &[SetSegment], spec: &ExerciseSpec, input: InputInfo) -> Report {
    let n = base.t.len();
    let need = |s: Side| sets.iter().any(|x| x.side == s);
    let sides: [Option<SideSignals>; 2] = [
        need(Side::Left).then(|| side_signals(base, Side::Left, spec)),
        need(Side::Right).then(|| side_signals(base, Side::Right, spec)),
    ];
    let working = working_per_frame(n, sets);
    let views = frame_views(base, &working, spec);
    let view_segments = segments(&base.t, &views, spec.view.min_segment_s);

    let mut set_reports = Vec::new();
    let mut measured: BTreeMap<CheckId, usize> = BTreeMap::new();
    let mut faulted: BTreeMap<CheckId, usize> = BTreeMap::new();
    let mut borderlined: BTreeMap<CheckId, usize> = BTreeMap::new();
    // Why a check the view shows could not be judged (first reason seen).
    let mut reasons: BTreeMap<CheckId, String> = BTreeMap::new();
    let mut set_views: Vec<Option<View>> = Vec::new();
    let mut phase: Vec<Option<Phase>> = vec![None; n];
    for set in sets {
        let (Some(first), Some(last)) = (set.reps.first(), set.reps.last()) else { continue };
        let Some(sig) = sides[side_index(set.side)].as_ref() else { continue };
        let set_reps = without_steps(base, sig, &set.reps, spec);
        // Without the steps at its ends the set may no longer be one (see `reps.min_set_reps`).
        if set_reps.iter().filter(|r| !r.partial).count() < spec.reps.min_set_reps {
            continue;
        }
        let view = dominant_view(&views, first.start, last.end + 1);
        set_views.push(view);
        let machine = machine_side(base, first.start, last.end + 1, spec.holding_hand_margin_m).unwrap_or(
            match spec.default_machine_side {
                MachineSide::Working => set.side,
                MachineSide::Support => set.side.other(),
            },
        );
        for p in phase.iter_mut().take(last.end + 1).skip(first.start) {
            *p = Some(Phase::Bottom);
        }
        let mut reps = Vec::new();
        let ctx = SetContext::new(base, sig, &set_reps, spec);
        for (ri, rep) in set_reps.iter().enumerate() {
            let next = set_reps.get(ri + 1).map(|r| r.start);
            let v = evaluate_rep(base, sig, rep, ri, &ctx, next, view, machine == set.side, spec);
            for (k, p) in phase.iter_mut().enumerate().take(rep.end + 1).skip(rep.start) {
                *p = Some(if k < rep.pause_start {
                    Phase::Lift
                } else if k <= rep.pause_end {
                    Phase::TopPause
                } else {
                    Phase::Return
                });
            }
            if !rep.partial {
                for (c, why) in &v.unmeasured {
                    reasons.entry(*c).or_insert_with(|| why.clone());
                }
                for c in &v.measured {
                    *measured.entry(*c).or_default() += 1;
                }
                for f in &v.faults {
                    *faulted.entry(f.check).or_default() += 1;
                }
                for b in &v.borderline {
                    *borderlined.entry(b.check).or_default() += 1;
                }
            }
            let cue = match v.faults.first() {
                Some(f) => f.cue.clone(),
                None => positive_cue(spec, &v.measured),
            };
            let t = |i: usize| base.t.get(i).copied().unwrap_or(0.0);
            let fr = |i: usize| base.frame.get(i).copied().unwrap_or(i as u64);
            reps.push(RepReport {
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
            });
        }
        let rep_count = reps.iter().filter(|r| !r.partial).count();
        set_reports.push(SetReport {
            index: set_reports.len() + 1,
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

    let counts = CheckCounts { measured, faulted, borderlined, reasons };
    let checks = check_results(spec, &counts, &set_views, sets.is_empty());
    let summary = summarize(spec, &set_reports, &checks);
    let series = build_series(base, &sides, &working, phase);
    let frames_with_pose = base.skeletons.iter().filter(|s| s.is_some()).count();
    Report {
        schema_version: SCHEMA_VERSION,
        exercise: spec.exercise.clone(),
        input,
        views: view_segments,
        sets: set_reports,
        checks,
        summary,
        series,
        diagnostics: Diagnostics {
            frames: n,
            frames_with_pose,
            leg_swaps_repaired: base.swaps_repaired,
            ..Default::default()
        },
    }
}

/// The positive cue of the most important check that was measured and passed.
fn positive_cue(spec: &ExerciseSpec, measured: &[CheckId]) -> String {
    spec.checks
        .iter()
        .filter(|c| measured.contains(&c.id))
        .max_by(|a, b| a.severity.cmp(&b.severity))
        .map_or_else(|| spec.all_clear_cue.clone(), |c| c.positive_cue.clone())
}

/// Per check, over the full reps: how many were measured, faulted, borderline, and the first
/// reason one could not be judged.
struct CheckCounts {
    measured: BTreeMap<CheckId, usize>,
    faulted: BTreeMap<CheckId, usize>,
    borderlined: BTreeMap<CheckId, usize>,
    reasons: BTreeMap<CheckId, String>,
}

fn check_results(
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
                    status: Status::NotMeasurable,
                    reps_measured: 0,
                    reps_with_fault: 0,
                    reps_borderline: 0,
                    reason: Some(reason),
                    advice,
                    cue: None,
                };
            }
            CheckResult {
                check: id,
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
                reason: None,
                advice: None,
                cue: c.map(|c| if f > 0 { c.cue.clone() } else { c.positive_cue.clone() }),
            }
        })
        .collect()
}

fn summarize(spec: &ExerciseSpec, sets: &[SetReport], checks: &[CheckResult]) -> Summary {
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
    let positive = if ok.is_empty() {
        None
    } else if ranked.is_empty() {
        Some(spec.all_clear_cue.clone())
    } else {
        ok.iter()
            .filter_map(|c| spec.check(c.check))
            .max_by(|a, b| a.severity.cmp(&b.severity))
            .map(|c| c.positive_cue.clone())
    };
    Summary {
        reps_left: count(Side::Left),
        reps_right: count(Side::Right),
        partial_reps: sets.iter().map(|s| s.partial_count).sum(),
        top_fixes,
        positive,
    }
}

fn round2(v: Option<f64>) -> Option<f64> {
    v.map(|v| (v * 100.0).round() / 100.0)
}

fn build_series(
    base: &BaseSignals,
    sides: &[Option<SideSignals>; 2],
    working: &[Option<Side>],
    phase: Vec<Option<Phase>>,
) -> Series {
    let n = base.t.len();
    let mut signals: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    let pick = |f: &dyn Fn(&SideSignals, usize) -> Option<f64>| -> Vec<Option<f64>> {
        (0..n)
            .map(|i| {
                let s = working.get(i).copied().flatten()?;
                round2(f(sides[side_index(s)].as_ref()?, i))
            })
            .collect()
    };
    let g = |x: &Vec<Option<f64>>, i: usize| x.get(i).copied().flatten();
    let elev: Vec<Option<f64>> = (0..n)
        .map(|i| {
            let s = working.get(i).copied().flatten()?;
            let v = match s {
                Side::Left => &base.elevation_left,
                Side::Right => &base.elevation_right,
            };
            round2(v.get(i).copied().flatten())
        })
        .collect();
    signals.insert("working_thigh_elevation_deg".into(), elev);
    signals.insert("hip_extension_deg".into(), pick(&|s, i| g(&s.hip_extension, i)));
    signals.insert("hip_abduction_deg".into(), pick(&|s, i| g(&s.hip_abduction, i)));
    signals.insert("trunk_forward_deg".into(), pick(&|s, i| g(&s.trunk_forward, i)));
    signals.insert("trunk_away_deg".into(), pick(&|s, i| g(&s.trunk_away, i)));
    signals.insert("pelvis_hike_deg".into(), pick(&|s, i| g(&s.pelvis_hike, i)));
    signals.insert("pelvis_rotation_deg".into(), pick(&|s, i| g(&s.pelvis_rotation, i)));
    signals.insert("support_knee_flexion_deg".into(), pick(&|s, i| g(&s.support_knee, i)));
    signals.insert("torso_twist_deg".into(), pick(&|s, i| g(&s.torso_twist, i)));
    // Heel shift relative to the first known position of the series (for charting).
    let scale = |i: usize| base.m_per_px.get(i).copied().flatten().map(|m| m * 100.0);
    let heel = pick(&|s, i| Some(g(&s.support_heel_x_px, i)? * scale(i)?));
    let heel_y = pick(&|s, i| Some(g(&s.support_heel_y_px, i)? * scale(i)?));
    let first = heel.iter().zip(&heel_y).find_map(|(x, y)| Some((x.as_ref().copied()?, y.as_ref().copied()?)));
    let shift: Vec<Option<f64>> = heel
        .iter()
        .zip(&heel_y)
        .map(|(x, y)| {
            let (x0, y0) = first?;
            round2(Some((x.as_ref()? - x0).hypot(y.as_ref()? - y0)))
        })
        .collect();
    signals.insert("support_heel_shift_cm".into(), shift);
    Series {
        t_s: base.t.iter().map(|t| (t * 1000.0).round() / 1000.0).collect(),
        frame: base.frame.clone(),
        phase,
        signals,
    }
}

/// Something the live overlay or terminal should show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LiveEvent {
    /// The movement phase changed.
    Phase {
        /// Time (s).
        t_s: f64,
        /// New phase.
        phase: Phase,
    },
    /// A new set began (first rep of a side, or a side switch).
    SetStarted {
        /// Time (s).
        t_s: f64,
        /// 1-based set number in the session.
        set: usize,
        /// Working leg.
        side: Side,
    },
    /// A rep finished.
    RepCompleted {
        /// Time (s) of the rep's end.
        t_s: f64,
        /// 1-based set number.
        set: usize,
        /// Working leg.
        side: Side,
        /// Full reps so far in this set.
        reps_in_set: usize,
        /// The rep.
        rep: Box<RepReport>,
        /// The single most important cue, or a positive one.
        cue: String,
    },
}

/// Live analysis: push frames as they arrive; each push re-analyses only a bounded recent
/// window ([`DEFAULT_WINDOW_S`]), so its cost does not grow with the session (about 2 ms per
/// push in a release build for a 12 s window at 30 fps). The first rep of a set is reported
/// together with the second, once it is clear the movement is a set and not setting up.
pub struct StreamingAnalyzer {
    spec: ExerciseSpec,
    frames: Vec<PoseFrame>,
    window_start: usize,
    window_s: f64,
    last_end_s: f64,
    set: usize,
    side: Option<Side>,
    reps_in_set: usize,
    phase: Option<Phase>,
}

/// Default length of the re-analysed window (s): long enough for a baseline and a few slow
/// reps, short enough to stay far under a frame's time budget.
pub const DEFAULT_WINDOW_S: f64 = 12.0;

impl StreamingAnalyzer {
    /// A new analyser with the default window.
    pub fn new(spec: ExerciseSpec) -> StreamingAnalyzer {
        Self::with_window(spec, DEFAULT_WINDOW_S)
    }

    /// A new analyser re-analysing the last `window_s` seconds on each push.
    pub fn with_window(spec: ExerciseSpec, window_s: f64) -> StreamingAnalyzer {
        StreamingAnalyzer {
            spec,
            frames: Vec::new(),
            window_start: 0,
            window_s: if window_s.is_finite() && window_s > 1.0 { window_s } else { DEFAULT_WINDOW_S },
            last_end_s: f64::NEG_INFINITY,
            set: 0,
            side: None,
            reps_in_set: 0,
            phase: None,
        }
    }

    /// Adds one frame and returns what changed.
    pub fn push(&mut self, frame: &PoseFrame) -> Vec<LiveEvent> {
        let mut events = Vec::new();
        // Frames must move forward in time; a stale or non-finite time is ignored.
        if !frame.t_s.is_finite() || self.frames.last().is_some_and(|l| frame.t_s < l.t_s) {
            return events;
        }
        self.frames.push(frame.clone());
        let now = frame.t_s;
        while self.window_start < self.frames.len() && self.frames[self.window_start].t_s < now - self.window_s {
            self.window_start += 1;
        }
        let window = &self.frames[self.window_start..];
        let base = base_signals(window, &self.spec);
        let sets = segment(&base, &self.spec);
        let report = build_report(&base, &sets, &self.spec, InputInfo::default());
        // Reps whose return has settled (the leg has rested a moment): later frames cannot
        // change them any more.
        let settle = self.spec.reps.baseline_window_s;
        for set in &report.sets {
            let settled: Vec<&RepReport> = set.reps.iter().filter(|r| !r.partial && r.end_s + settle < now).collect();
            // A lone excursion is not yet known to be a rep (it may be setting up): wait until
            // the window holds two settled reps of the set, then report both; and hold back
            // excursions much smaller than the set's biggest (set-up steps).
            if settled.len() < 2 {
                continue;
            }
            let biggest = settled.iter().filter_map(|r| r.metrics.amplitude_deg).fold(0.0, f64::max);
            for rep in settled {
                if rep.metrics.amplitude_deg.unwrap_or(0.0) < self.spec.reps.full_fraction * biggest {
                    continue;
                }
                // Each rep once: only reps that start after the last reported one ended.
                if rep.start_s < self.last_end_s {
                    continue;
                }
                self.last_end_s = rep.end_s;
                if self.side != Some(set.side) {
                    self.side = Some(set.side);
                    self.set += 1;
                    self.reps_in_set = 0;
                    events.push(LiveEvent::SetStarted { t_s: rep.start_s, set: self.set, side: set.side });
                }
                self.reps_in_set += 1;
                events.push(LiveEvent::RepCompleted {
                    t_s: rep.end_s,
                    set: self.set,
                    side: set.side,
                    reps_in_set: self.reps_in_set,
                    cue: rep.cue.clone(),
                    // Numbered within the session's set, not within the analysis window.
                    rep: Box::new(RepReport { index: self.reps_in_set, ..rep.clone() }),
                });
            }
        }
        let phase = current_phase(&base, self.side, &self.spec);
        if phase.is_some() && phase != self.phase {
            self.phase = phase;
            if let Some(p) = phase {
                events.push(LiveEvent::Phase { t_s: now, phase: p });
            }
        }
        events
    }

    /// Frames received so far.
    pub fn frames(&self) -> usize {
        self.frames.len()
    }

    /// Analyses the whole session offline.
    pub fn finish(self, input: InputInfo) -> Report {
        analyze(&self.frames, &self.spec, input)
    }
}

/// The phase at the newest frame, from the working thigh's elevation and its trend.
fn current_phase(base: &BaseSignals, side: Option<Side>, spec: &ExerciseSpec) -> Option<Phase> {
    let side = side.or_else(|| {
        let l = base.rep_left.last().copied().flatten()?;
        let r = base.rep_right.last().copied().flatten()?;
        Some(if l >= r { Side::Left } else { Side::Right })
    })?;
    let e = match side {
        Side::Left => &base.rep_left,
        Side::Right => &base.rep_right,
    };
    let bottom = crate::kinematics::percentile(e.iter().flatten().copied(), spec.reps.bottom_percentile)?;
    let n = e.len();
    let now = e.get(n.checked_sub(1)?).copied().flatten()?;
    if now - bottom < spec.reps.exit_deg {
        return Some(Phase::Bottom);
    }
    let t_now = *base.t.last()?;
    let past = (0..n).rev().find(|&k| t_now - base.t[k] >= 0.1).and_then(|k| e[k])?;
    let rate = now - past; // deg over ~0.1 s
    Some(if rate > 1.0 {
        Phase::Lift
    } else if rate < -1.0 {
        Phase::Return
    } else {
        Phase::TopPause
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_leg_swing_while_walking_away_is_not_a_rep() {
        // Synthetic seed 10097: 7 reps, then walking away; the first stride looked like an 8th
        // rep, during which the standing foot "slid" 44 cm.
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let seq = crate::synth::generate(&crate::synth::SynthParams::random(10097));
        let truth: usize = seq.labels.sets.iter().map(|s| s.reps.iter().filter(|r| !r.partial).count()).sum();
        let r = analyze(&seq.frames, &spec, InputInfo::default());
        assert_eq!(r.rep_count(), truth);
        let foot = r.sets.iter().flat_map(|s| &s.reps).flat_map(|rep| &rep.faults);
        assert!(foot.filter(|f| f.check == crate::kickback::SUPPORT_FOOT_SHIFT).all(|f| f.magnitude < 20.0));
    }
}
