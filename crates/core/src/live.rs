//! Live analysis: the [`StreamingAnalyzer`] re-analyses a bounded recent window on each frame
//! and reports phases, sets and settled reps as [`LiveEvent`]s.

use crate::analyze::{analyze, build_report};
use crate::kinematics::{base_signals, BaseSignals, Side};
use crate::landmarks::PoseFrame;
use crate::report::{InputInfo, Metric, Phase, RepReport, Report};
use crate::reps::segment;
use crate::spec::ExerciseSpec;
use serde::{Deserialize, Serialize};

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
            let biggest = settled.iter().filter_map(|r| r.metrics.get(Metric::Amplitude)).fold(0.0, f64::max);
            for rep in settled {
                if rep.metrics.get(Metric::Amplitude).unwrap_or(0.0) < self.spec.reps.full_fraction * biggest {
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
        let l = base.rep.left.last().copied().flatten()?;
        let r = base.rep.right.last().copied().flatten()?;
        Some(if l >= r { Side::Left } else { Side::Right })
    })?;
    let e = &base.rep[side];
    let bottom = crate::signal::percentile(e.iter().flatten().copied(), spec.reps.bottom_percentile)?;
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
