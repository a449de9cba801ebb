//! Live analysis: the [`StreamingAnalyzer`] follows a session frame by frame and says what
//! happens as it happens: phases, sets, each rep when it has ended (the set's first included)
//! and a fault of the rep under way as soon as its top is past.
//!
//! Each push re-analyses a bounded recent window ([`DEFAULT_WINDOW_S`]) with the offline engine
//! (the same segmentation, measures and calibrated decision), so a live verdict is the one
//! `analyze` gives on those frames. Two differences are deliberate:
//! - a set's first rep is counted when it has settled, not once a second one proves the
//!   movement is a set (the offline rule `reps.min_set_reps`): live counts it provisionally and
//!   looks at it again when the second is counted; one the engine then no longer sees (a set-up
//!   step), or one the other leg's reps follow, is withdrawn ([`LiveEvent::RepWithdrawn`]). A
//!   lone rep at the very end of a session stays counted live and is not in the report;
//! - faults of the top of the rep (trunk lean, pelvis hike and rotation, arch) are told as soon
//!   as the leg is on its way back, before the rep has ended;
//! - the swing needs the frames just after the rep (the smoothing settles the return only with
//!   them): a rep counted at once has its swing undecided (borderline, neither cue nor praise),
//!   and a swing is told as a [`LiveEvent::FaultSeen`] of that rep once they are in (0.22 s
//!   after its end with the spec's smoothing).
//!
//! Memory stays bounded: frames are kept only for the open stretch of the session and the
//! window; a stretch is closed at a quiet moment once it is [`DEFAULT_CHUNK_S`] long, analysed
//! offline and kept as its compact report ([`chunks`] says what that changes in the report).

mod chunks;

pub use chunks::SERIES_STRIDE;

use crate::analyze::{analyze, build_report};
use crate::kinematics::{base_signals, BaseSignals, PerSide, Side};
use crate::landmarks::PoseFrame;
use crate::report::{Fault, InputInfo, Metric, Phase, RepReport, Report, SetReport};
use crate::reps::segment;
use crate::signal::median_of;
use crate::spec::{CheckId, ExerciseSpec, View};
use chunks::ClosedChunks;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Something the live overlay or terminal should show. Every `t_s` is when the event was
/// emitted, on the source's timeline (the newest frame's time).
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
    /// A fault of the rep under way is certain already (the leg is on its way back from the
    /// top); the rep's [`LiveEvent::RepCompleted`] follows when it has ended. Also a counted
    /// rep's swing, told a moment after the rep (see the module's notes).
    FaultSeen {
        /// Time (s).
        t_s: f64,
        /// 1-based set number the rep will be counted in.
        set: usize,
        /// 1-based index the rep will have in its set.
        rep: usize,
        /// Working leg.
        side: Side,
        /// The fault.
        fault: Box<Fault>,
    },
    /// The set's only rep counted so far was not a set's first after all: the other leg's reps
    /// followed (the offline report takes a set to be `reps.min_set_reps` reps), or with the
    /// second rep in view it is a set-up step or too short. The offline report does not have it
    /// either; the rep counter goes back by one and the next rep takes its number.
    RepWithdrawn {
        /// Time (s).
        t_s: f64,
        /// The set it was counted in (the next set takes its number).
        set: usize,
        /// Its index there.
        rep: usize,
        /// Its leg.
        side: Side,
    },
    /// A rep finished.
    RepCompleted {
        /// Time (s) it was decided (its end is in `rep`).
        t_s: f64,
        /// 1-based set number.
        set: usize,
        /// Working leg.
        side: Side,
        /// Full reps so far in this set.
        reps_in_set: usize,
        /// The rep (`index` numbers full and partial reps, as in the report).
        rep: Box<RepReport>,
        /// The single most important cue, or a positive one.
        cue: String,
    },
}

/// Default length of the re-analysed window (s): long enough for a baseline and a few slow
/// reps, short enough to stay far under a frame's time budget.
pub const DEFAULT_WINDOW_S: f64 = 12.0;

/// Default length (s) after which the open stretch of a session is closed at the next quiet
/// moment (and at twice it in any case): a set or two of kickbacks.
pub const DEFAULT_CHUNK_S: f64 = 60.0;

/// Where the session's counting stands.
#[derive(Clone, Debug)]
struct Tally {
    /// Current set number (0 before the first).
    set: usize,
    side: Option<Side>,
    /// Full reps in the current set.
    full: usize,
    /// Reps (full and partial) in the current set.
    all: usize,
    /// End of the last rep counted or passed over (s).
    last_end_s: f64,
    /// Checks already told for the rep under way.
    told: Vec<CheckId>,
    /// Peak (s) of the current set's first rep until the second one confirms it.
    first_peak_s: Option<f64>,
    /// Reps counted before the frames after them had settled their swing: told later.
    unsettled: Vec<Unsettled>,
    /// Leg swing (`amplitude_deg`) of each full rep counted in the current set.
    amplitudes: Vec<f64>,
}

/// A counted rep whose swing was not decided yet when it was counted (see `rules::rep`).
#[derive(Clone, Copy, Debug)]
struct Unsettled {
    set: usize,
    rep: usize,
    side: Side,
    peak_s: f64,
    end_s: f64,
}

/// Live analysis: push frames as they arrive; each push re-analyses only a bounded recent
/// window, so its cost does not grow with the session (about 2 ms per push in a release build
/// for a 12 s window at 30 fps), and the frames kept stay bounded too.
pub struct StreamingAnalyzer {
    spec: ExerciseSpec,
    /// The spec with `min_set_reps` = 1, for the window: a set's first rep shows on its own.
    window_spec: ExerciseSpec,
    /// The window's spec seeing a rep as soon as the leg is on its way back
    /// ([`EARLY_SPLIT_FRACTION`]), for the faults of its top.
    early_spec: ExerciseSpec,
    /// The window's frames and the open stretch's (whichever reaches further back).
    frames: VecDeque<PoseFrame>,
    /// Index in `frames` of the open stretch's first frame.
    chunk_start: usize,
    window_s: f64,
    chunk_s: f64,
    closed: ClosedChunks,
    received: usize,
    tally: Tally,
    phase: Option<Phase>,
    /// The camera view at the newest frame, if known.
    view: Option<View>,
}

impl StreamingAnalyzer {
    /// A new analyser with the default window and stretch length.
    pub fn new(spec: ExerciseSpec) -> StreamingAnalyzer {
        Self::with_window(spec, DEFAULT_WINDOW_S)
    }

    /// A new analyser re-analysing the last `window_s` seconds on each push.
    pub fn with_window(spec: ExerciseSpec, window_s: f64) -> StreamingAnalyzer {
        let mut window_spec = spec.clone();
        window_spec.reps.min_set_reps = 1;
        let mut early_spec = window_spec.clone();
        early_spec.reps.split_fraction = EARLY_SPLIT_FRACTION;
        StreamingAnalyzer {
            spec,
            window_spec,
            early_spec,
            frames: VecDeque::new(),
            chunk_start: 0,
            window_s: if window_s.is_finite() && window_s > 1.0 { window_s } else { DEFAULT_WINDOW_S },
            chunk_s: DEFAULT_CHUNK_S,
            closed: ClosedChunks::default(),
            received: 0,
            tally: Tally {
                set: 0,
                side: None,
                full: 0,
                all: 0,
                last_end_s: f64::NEG_INFINITY,
                told: Vec::new(),
                first_peak_s: None,
                unsettled: Vec::new(),
                amplitudes: Vec::new(),
            },
            phase: None,
            view: None,
        }
    }

    /// The same analyser closing its open stretch after `chunk_s` seconds (at least the
    /// window's length) instead of [`DEFAULT_CHUNK_S`].
    pub fn with_chunk_s(mut self, chunk_s: f64) -> StreamingAnalyzer {
        if chunk_s.is_finite() {
            self.chunk_s = chunk_s.max(self.window_s);
        }
        self
    }

    /// Adds one frame and returns what changed.
    pub fn push(&mut self, frame: &PoseFrame) -> Vec<LiveEvent> {
        let mut events = Vec::new();
        // Frames must move forward in time; a stale or non-finite time is ignored.
        if !frame.t_s.is_finite() || self.frames.back().is_some_and(|l| frame.t_s < l.t_s) {
            return events;
        }
        self.received += 1;
        self.frames.push_back(frame.clone());
        let now = frame.t_s;
        self.trim(now);
        let window = self.analyse_window(now);
        let under_way = self.follow_reps(&window, now, &mut events);
        // The view of the window's last segment, if it reaches the newest frame.
        self.view = window.report.views.last().filter(|v| v.end_s >= now - 1.0).map(|v| v.view);
        if window.phase.is_some() && window.phase != self.phase {
            self.phase = window.phase;
            if let Some(p) = window.phase {
                events.push(LiveEvent::Phase { t_s: now, phase: p });
            }
        }
        self.maybe_close(now, under_way);
        events
    }

    /// Frames received so far.
    pub fn frames(&self) -> usize {
        self.received
    }

    /// The camera view at the newest frame, when it is known (a person in view long enough).
    pub fn view(&self) -> Option<View> {
        self.view
    }

    /// Frames held in memory now (the window's and the open stretch's).
    pub fn frames_held(&self) -> usize {
        self.frames.len()
    }

    /// The session's report: the closed stretches' and the open one's, merged; exactly
    /// `analyze` of every frame when no stretch was closed.
    pub fn finish(mut self, input: InputInfo) -> Report {
        let frames = self.frames.make_contiguous();
        let last = analyze(&frames[self.chunk_start.min(frames.len())..], &self.spec, InputInfo::default());
        self.closed.merge(last, &self.spec, input)
    }

    /// Drops frames that are neither in the window nor in the open stretch.
    fn trim(&mut self, now: f64) {
        while self.chunk_start > 0 && self.frames.front().is_some_and(|f| f.t_s < now - self.window_s) {
            self.frames.pop_front();
            self.chunk_start -= 1;
        }
    }

    /// The offline engine on the window (a set of one rep allowed).
    fn analyse_window(&mut self, now: f64) -> Window {
        let frames = self.frames.make_contiguous();
        let from = frames.partition_point(|f| f.t_s < now - self.window_s);
        let window = &frames[from..];
        let base = base_signals(window, &self.window_spec);
        // A pose model without 3D: from now on the rules read with the calibration fitted on
        // such landmarks (one model serves a whole session).
        let set = base.landmark_set();
        if base.image_only && self.spec.landmarks != set {
            self.spec = self.spec.for_landmarks(set).into_owned();
            self.window_spec = self.window_spec.for_landmarks(set).into_owned();
            self.early_spec = self.early_spec.for_landmarks(set).into_owned();
        }
        let sets = segment(&base, &self.window_spec);
        // Only while a leg is up can a rep be under way.
        let up = PerSide::from_fn(|side| leg_raised(&base, side, &self.spec));
        let early = (up.left > 0.0 || up.right > 0.0).then(|| {
            let sets = segment(&base, &self.early_spec);
            build_report(&base, &sets, &self.early_spec, InputInfo::default())
        });
        Window {
            report: build_report(&base, &sets, &self.window_spec, InputInfo::default()),
            early,
            phase: current_phase(&base, self.tally.side, &self.spec),
            t0: window.first().map_or(now, |f| f.t_s),
            raised: up,
        }
    }

    /// Counts the window's reps that have settled and tells the certain faults of the one under
    /// way; returns whether a rep is under way.
    fn follow_reps(&mut self, window: &Window, now: f64, events: &mut Vec<LiveEvent>) -> bool {
        let mut under_way = false;
        for set in &window.report.sets {
            for (k, rep) in set.reps.iter().enumerate() {
                match self.rep_state(window, set.side, &set.reps[k..], now) {
                    RepState::Done => {}
                    RepState::Passed => self.tally.last_end_s = self.tally.last_end_s.max(rep.end_s),
                    RepState::UnderWay => under_way = true,
                    RepState::Settled => {
                        self.review_first(set, now, events);
                        self.count(set.side, rep, now, events);
                    }
                }
            }
        }
        self.tell_settled(window, now, events);
        for set in window.early.iter().flat_map(|r| &r.sets) {
            // Not on a side switch: the new side's first rep is not known to be one yet.
            if self.tally.side.is_some_and(|s| s != set.side) {
                continue;
            }
            // A rep is told early until it could have been counted (its leg's reps are counted
            // at once, but a switch waits this long); `peak_s` then keeps it from being told twice.
            let settle = self.spec.reps.baseline_window_s;
            for rep in &set.reps {
                if rep.peak_s > self.tally.last_end_s
                    && rep.start_s > window.t0
                    && !rep.partial
                    && rep.end_s + settle >= now
                {
                    self.tell_early(set.side, rep, now, events);
                }
            }
        }
        under_way
    }

    /// Where the first of `reps` (a window set's reps from it on, of leg `side`) stands.
    fn rep_state(&self, window: &Window, side: Side, reps: &[RepReport], now: f64) -> RepState {
        let t = &self.tally;
        let rep = &reps[0];
        // Reps already counted or passed over have their peak before the last one's end
        // (robust to the window moving their ends by a frame).
        if rep.peak_s <= t.last_end_s {
            return RepState::Done;
        }
        // A rep must be seen to leave its rest position: one already under way when the
        // window (the session) began is passed over.
        if rep.start_s <= window.t0 {
            return RepState::Passed;
        }
        // A rep has ended once the window's segmentation ends it (the leg back down: it found
        // the rest after it, or the next rep's start) and the other leg is down too (while it is
        // up, its excursion may yet prove the bigger one, and this one the other leg's
        // compensation). A rep of the other leg must also have settled (rested a moment: later
        // frames cannot move its end any more): counted at once, a switch soon after a rep was
        // taken on a leg label the next frames put back. Waiting the same moment for every rep
        // counted reps a median 0.33 s after their end on the corpus, and the first rep of a set
        // whose rest between reps is short (0.2 s) over 0.5 s late; now 0.07 s. The session's
        // first rep is counted at once too: it is provisional (see `review_first`), withdrawn if
        // the next windows give it to the other leg.
        let switch = t.side.is_some_and(|s| s != side);
        let settle = if switch { self.spec.reps.baseline_window_s } else { 0.0 };
        let settled = |r: &RepReport| r.end_s + settle < now && !r.partial;
        // A switch of sides soon after a rep is confirmed by a second rep of the new side: a lone
        // excursion of the other leg between reps is its compensation or a mislabelled frame.
        let confirmed =
            !switch || rep.start_s - t.last_end_s >= SWITCH_PAUSE_S || reps.iter().filter(|r| settled(r)).count() >= 2;
        // The other leg up by as much as a partial rep of this one's may yet outdo it.
        let amplitude = rep.metrics.get(Metric::Amplitude).unwrap_or(0.0);
        let other_up = window.raised[side.other()] > self.spec.reps.full_fraction * amplitude;
        if rep.end_s + settle >= now || other_up || !confirmed {
            return RepState::UnderWay;
        }
        // A partial excursion before the set's first full rep is setting up.
        if rep.partial && (switch || t.side.is_none() || t.full == 0) {
            return RepState::Passed;
        }
        // A bump that rises straight out of the last rep's return, without a rest between, by
        // under half the set's usual swing (its counted full reps' median): a wobble on the way
        // down or a leg label flickering there. The window calls it a rep only because it holds
        // few reps to compare with; with the whole set in view the offline report finds none.
        let wobble = !switch
            && rep.start_s - t.last_end_s < self.spec.reps.baseline_window_s
            && median_of(&mut t.amplitudes.clone())
                .is_some_and(|usual| amplitude < self.spec.reps.full_fraction * usual);
        if wobble {
            return RepState::Passed;
        }
        RepState::Settled
    }

    /// When a set's second rep is counted, its first (counted on its own, provisionally) is
    /// looked at again with both in the window: if the engine no longer sees it as a full rep of
    /// the set (a set-up step, or short next to the second), it is withdrawn, as the offline
    /// report will not have it either.
    fn review_first(&mut self, set: &SetReport, now: f64, events: &mut Vec<LiveEvent>) {
        let t = &mut self.tally;
        let Some(first) = t.first_peak_s.take() else { return };
        if t.side != Some(set.side) || t.all != 1 {
            return;
        }
        // The same rep: one spanning the peak it was first seen with (a flat top pause lets the
        // peak move between windows).
        let seen = set.reps.iter().any(|r| !r.partial && r.start_s <= first && first <= r.end_s);
        if !seen {
            events.push(LiveEvent::RepWithdrawn { t_s: now, set: t.set, rep: 1, side: set.side });
            t.full = 0;
            t.all = 0;
        }
    }

    /// Counts a settled rep, starting a set on a side switch (and withdrawing the last set's
    /// one provisional rep: one rep is not a set).
    fn count(&mut self, side: Side, rep: &RepReport, now: f64, events: &mut Vec<LiveEvent>) {
        let t = &mut self.tally;
        if t.side != Some(side) {
            if t.full == 1 && t.all == 1 {
                events.push(LiveEvent::RepWithdrawn { t_s: now, set: t.set, rep: 1, side: t.side.unwrap_or(side) });
                t.set -= 1;
            }
            t.side = Some(side);
            t.set += 1;
            t.full = 0;
            t.all = 0;
            t.amplitudes.clear();
            events.push(LiveEvent::SetStarted { t_s: now, set: t.set, side });
        }
        t.all += 1;
        t.full += usize::from(!rep.partial);
        if !rep.partial {
            t.amplitudes.extend(rep.metrics.get(Metric::Amplitude));
        }
        t.last_end_s = rep.end_s;
        if t.all == 1 {
            t.first_peak_s = Some(rep.peak_s);
        }
        if now - rep.end_s < crate::rules::swing_settle_s(&self.spec) && !rep.partial {
            t.unsettled.push(Unsettled { set: t.set, rep: t.all, side, peak_s: rep.peak_s, end_s: rep.end_s });
        }
        t.told.clear();
        events.push(LiveEvent::RepCompleted {
            t_s: now,
            set: t.set,
            side,
            reps_in_set: t.full,
            cue: rep.cue.clone(),
            // Numbered within the session's set, not within the analysis window.
            rep: Box::new(RepReport { index: t.all, ..rep.clone() }),
        });
    }

    /// Tells the swing of a rep counted before it could be decided, once the frames after the
    /// rep have settled it: the window's reading of that rep is then the offline one.
    fn tell_settled(&mut self, window: &Window, now: f64, events: &mut Vec<LiveEvent>) {
        let settle = crate::rules::swing_settle_s(&self.spec);
        let (ready, waiting): (Vec<Unsettled>, Vec<Unsettled>) =
            self.tally.unsettled.iter().partition(|u| now - u.end_s >= settle);
        self.tally.unsettled = waiting;
        for u in ready {
            let same = window
                .report
                .sets
                .iter()
                .filter(|s| s.side == u.side)
                .flat_map(|s| &s.reps)
                .find(|r| !r.partial && r.start_s <= u.peak_s && u.peak_s <= r.end_s);
            let swing = same
                .into_iter()
                .flat_map(|r| &r.faults)
                .find(|f| self.spec.check(f.check).is_some_and(|c| c.metric == Metric::SwingRatio));
            if let Some(fault) = swing {
                let fault = Box::new(fault.clone());
                events.push(LiveEvent::FaultSeen { t_s: now, set: u.set, rep: u.rep, side: u.side, fault });
            }
        }
    }

    /// Tells the faults of the top of the rep under way that are not told yet.
    fn tell_early(&mut self, side: Side, rep: &RepReport, now: f64, events: &mut Vec<LiveEvent>) {
        let t = &mut self.tally;
        let (set, index) = if t.side == Some(side) { (t.set, t.all + 1) } else { (t.set + 1, 1) };
        for fault in &rep.faults {
            let at_top = self.spec.check(fault.check).is_some_and(|c| decided_at_top(c.metric));
            if at_top && !t.told.contains(&fault.check) {
                t.told.push(fault.check);
                events.push(LiveEvent::FaultSeen { t_s: now, set, rep: index, side, fault: Box::new(fault.clone()) });
            }
        }
    }

    /// Closes the open stretch once it is long enough and the leg is at rest between reps (or
    /// at twice the length regardless): analysed offline, it is kept as its report only.
    fn maybe_close(&mut self, now: f64, under_way: bool) {
        let Some(first) = self.frames.get(self.chunk_start) else { return };
        let len = now - first.t_s;
        let quiet = !under_way && self.phase != Some(Phase::Lift) && self.phase != Some(Phase::Return);
        if !(len >= self.chunk_s && quiet || len >= 2.0 * self.chunk_s) {
            return;
        }
        let frames = self.frames.make_contiguous();
        self.closed.push(analyze(&frames[self.chunk_start..], &self.spec, InputInfo::default()));
        self.chunk_start = self.frames.len();
        self.trim(now);
    }
}

/// The offline engine's view of the current window.
struct Window {
    report: Report,
    /// The same with reps seen early ([`EARLY_SPLIT_FRACTION`]), while a leg is up.
    early: Option<Report>,
    phase: Option<Phase>,
    /// The window's first time (s).
    t0: f64,
    /// How far each leg is up now, in an excursion (deg; 0 when it is not).
    raised: PerSide<f64>,
}

/// Where a rep of the window stands for the live count.
enum RepState {
    /// Counted (or passed over) already.
    Done,
    /// Not a rep to count (set-up, or seen only in part): passed over.
    Passed,
    /// Not ended yet.
    UnderWay,
    /// Ended: count it now.
    Settled,
}

/// The early view of the window sees a rep once the leg has come down this fraction of its
/// height (the offline segmentation's `reps.split_fraction`, 0.6, waits for more): the top and
/// its measures are in by then.
pub const EARLY_SPLIT_FRACTION: f64 = 0.2;

/// A rep of the other leg starting this soon (s) after the last one counted is a side switch
/// only once a second one confirms it. Switching sides takes a few seconds (turning round,
/// moving the cuff); an excursion of the other leg within the rest between reps does not.
pub const SWITCH_PAUSE_S: f64 = 3.0;

/// How far `side`'s leg is up at the newest frame (deg above its bottom), when it is above the
/// level where `reps::segment` sees an excursion begin; 0 otherwise.
fn leg_raised(base: &BaseSignals, side: Side, spec: &ExerciseSpec) -> f64 {
    let e = &base.rep[side];
    let Some(now) = e.last().copied().flatten() else { return 0.0 };
    let level = |p: f64| crate::signal::percentile(e.iter().flatten().copied(), p);
    let (Some(bottom), Some(high)) = (level(spec.reps.bottom_percentile), level(spec.reps.high_percentile)) else {
        return 0.0;
    };
    let enter = spec.reps.enter_deg.max(spec.reps.enter_fraction * (high - bottom).max(0.0));
    if now - bottom >= enter {
        now - bottom
    } else {
        0.0
    }
}

/// Metrics read at the top of the rep: once the leg is on its way back their reading is in.
/// The others (leg path, torso twist, the standing knee, the swing, the standing foot) are
/// decided when the rep has ended: told early from the rep's first part, they disagreed with
/// the offline report on the corpus.
fn decided_at_top(metric: Metric) -> bool {
    matches!(
        metric,
        Metric::TrunkForwardChange
            | Metric::TrunkAwayChange
            | Metric::TrunkBackChange
            | Metric::PelvisHikeChange
            | Metric::PelvisRotationChange
            | Metric::PeakHipExtensionRelTrunk
    )
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
