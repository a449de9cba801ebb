//! `live`: real-time feedback from a camera, a stream, or a file played at its own pace.
//!
//! A capture thread keeps only the newest frame; the pose stage takes it when ready, so a slow
//! moment drops frames instead of queueing them and latency never builds up. Each rep's verdict
//! goes through a [`CuePolicy`]: one cue at a time, the most important first, with a cooldown.

use crate::pipeline::PassStats;
use crate::AppError;
use formcheck_core::kinematics::Side;
use formcheck_core::landmarks::PoseFrame;
use formcheck_core::live::{LiveEvent, StreamingAnalyzer};
use formcheck_core::report::{Fault, InputInfo, Phase, RepReport, Report};
use formcheck_core::spec::{CheckId, ExerciseSpec, LandmarkSet, Severity};
use formcheck_vision::pose::PoseEstimator;
use formcheck_vision::video::{Frame, FrameSource, LatestFrameSource, Source, VideoReader};
use opencv::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Settings of a live session.
#[derive(Clone, Debug)]
pub struct LiveOptions {
    /// Play a file at its own frame rate, dropping frames when behind, as a camera would.
    pub realtime: bool,
    /// Stop after this many seconds of source time.
    pub max_seconds: Option<f64>,
    /// A source silent for this long is treated as gone (camera unplugged, stream stopped).
    pub stall_timeout: Duration,
    /// Minimum time between two cues (s).
    pub cue_cooldown_s: f64,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions { realtime: false, max_seconds: None, stall_timeout: Duration::from_secs(5), cue_cooldown_s: 3.0 }
    }
}

/// A cue chosen for display (and speech).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cue {
    /// Session time (s) it was given, on the source's timeline.
    pub t_s: f64,
    /// What to say.
    pub text: String,
    /// A correction or praise.
    pub kind: CueKind,
    /// The check a correction is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckId>,
    /// 1-based set of the rep it is about (as in the report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<usize>,
    /// 1-based index in its set of the rep it is about (as in the report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rep: Option<usize>,
}

/// What a cue is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CueKind {
    /// Something to fix.
    Fix,
    /// A clean rep.
    Praise,
}

/// Decides which cue to show: one at a time, corrections before praise, the more severe first,
/// never two within the cooldown unless the new one is more severe, and the same correction not
/// repeated while it is still fresh.
#[derive(Clone, Debug)]
pub struct CuePolicy {
    cooldown_s: f64,
    last: Option<(f64, String, u8)>,
}

impl CuePolicy {
    /// A policy with the given cooldown (s).
    pub fn new(cooldown_s: f64) -> CuePolicy {
        CuePolicy { cooldown_s: cooldown_s.max(0.0), last: None }
    }

    /// Offers a cue of `rank` (0 = praise, higher = more severe) at time `t_s`; returns it if it
    /// should be shown now.
    pub fn offer(&mut self, t_s: f64, text: &str, rank: u8) -> Option<Cue> {
        if text.is_empty() {
            return None;
        }
        if let Some((last_t, last_text, last_rank)) = &self.last {
            let since = t_s - last_t;
            if since < self.cooldown_s && rank <= *last_rank {
                return None;
            }
            if last_text == text && since < 2.0 * self.cooldown_s {
                return None;
            }
        }
        self.last = Some((t_s, text.to_string(), rank));
        let kind = if rank == 0 { CueKind::Praise } else { CueKind::Fix };
        Some(Cue { t_s, text: text.to_string(), kind, check: None, set: None, rep: None })
    }
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
    }
}

/// Latency percentiles from frame capture to verdict (ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencyMs {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Worst.
    pub max: f64,
}

impl LatencyMs {
    /// Percentiles of `samples` (nearest rank); zeros when empty.
    pub fn from_samples(samples: &[f64]) -> LatencyMs {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return LatencyMs::default();
        }
        sorted.sort_by(|a, b| a.total_cmp(b));
        let at = |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        LatencyMs { p50: at(0.5), p95: at(0.95), max: at(1.0) }
    }
}

/// The live session report: the analyze report's contract plus latency and dropped frames.
#[derive(Clone, Debug, Serialize)]
pub struct LiveReport {
    /// The analysis of everything seen.
    #[serde(flatten)]
    pub report: Report,
    /// Capture-to-verdict latency.
    pub latency_ms: LatencyMs,
    /// Frames the source delivered that were skipped because processing was busy.
    pub dropped_frames: u64,
    /// Frames processed.
    pub processed_frames: u64,
    /// Why the session ended.
    pub end_reason: EndReason,
    /// Every cue given: what was said, when, about which rep.
    pub cues: Vec<Cue>,
    /// With `--speak-to`: when each cue of `cues` was heard on the rendered track (`null`:
    /// dropped, the voice busy until it was stale).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heard: Option<Vec<Option<crate::speech::Heard>>>,
    /// With `--speak`: cues said aloud, dropped and failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speech: Option<crate::speech::SpeechStats>,
}

/// Something to tell the person or write to the event log.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LiveOutput {
    /// A cue to show or say.
    Cue(Cue),
    /// The rep counter moved: a rep ended.
    Rep {
        /// Session time (s) it was counted.
        t_s: f64,
        /// 1-based set (as in the report).
        set: usize,
        /// 1-based index in the set, full and partial reps numbered (as in the report).
        rep: usize,
        /// Working leg.
        side: Side,
        /// Full reps so far in this set.
        reps_in_set: usize,
        /// Reached less than the set's typical range (not counted).
        partial: bool,
        /// When it began, peaked and ended (s).
        start_s: f64,
        /// See `start_s`.
        peak_s: f64,
        /// See `start_s`.
        end_s: f64,
        /// Faults of the rep, by check.
        faults: Vec<CheckId>,
    },
    /// A set's lone rep counted provisionally was not a set's first after all (the other leg's
    /// reps followed); the counter goes back and the report does not have it.
    RepWithdrawn {
        /// Session time (s).
        t_s: f64,
        /// 1-based set it was counted in.
        set: usize,
        /// Its index there.
        rep: usize,
        /// Working leg.
        side: Side,
    },
    /// The source went silent or failed.
    SourceLost {
        /// Session time (s).
        t_s: f64,
        /// What happened.
        reason: String,
    },
}

/// A frame as processed, for drawing the overlay.
pub struct ProcessedFrame<'a> {
    /// The picture.
    pub image: &'a opencv::core::Mat,
    /// Its landmarks.
    pub pose: &'a PoseFrame,
    /// What the screen shows besides the picture.
    pub screen: Screen<'a>,
}

/// What the live screen shows: the counters, the phase, the cue and a prompt.
#[derive(Clone, Debug)]
pub struct Screen<'a> {
    /// Full reps so far per side: (left, right).
    pub reps: (usize, usize),
    /// The current set: its number, leg and full reps so far.
    pub set: Option<(usize, Side, usize)>,
    /// The movement phase now.
    pub phase: Option<Phase>,
    /// The cue to show (the most recent, while it is fresh).
    pub cue: Option<&'a Cue>,
    /// What the person should do for the checks to be seen, if anything.
    pub prompt: Option<Prompt>,
}

/// A prompt about the person's place in the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    /// Nobody (or not the whole body) has been seen for a moment.
    StepIntoView,
    /// The camera view cannot show the exercise's first (most telling) check.
    TurnSideOn,
}

impl Prompt {
    /// The words on the screen.
    pub fn text(self) -> &'static str {
        match self {
            Prompt::StepIntoView => "Step into view: whole body in the picture",
            Prompt::TurnSideOn => "Turn side-on to the camera",
        }
    }
}

/// A cue stays on the screen this long (s).
const CUE_ON_SCREEN_S: f64 = 4.0;

/// Nobody seen for this long (s) prompts to step into view.
const NOBODY_PROMPT_S: f64 = 1.0;

/// Why a live session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The source delivered its last frame (the end of a file).
    SourceEnded,
    /// The source failed or went silent for the stall timeout.
    SourceLost,
    /// Ctrl-C, SIGTERM, or the window's close key.
    Interrupted,
    /// `--max-seconds` of source time were reached.
    TimeLimit,
}

impl EndReason {
    /// snake_case name, as in the session report.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::SourceEnded => "source_ended",
            EndReason::SourceLost => "source_lost",
            EndReason::Interrupted => "interrupted",
            EndReason::TimeLimit => "time_limit",
        }
    }
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The coaching of a session: poses in, rep counts and cues out. Each rep's verdict and each
/// fault seen early goes through the [`CuePolicy`]; every cue given is logged.
pub struct Coach {
    analyzer: StreamingAnalyzer,
    policy: CuePolicy,
    /// Checks already told, per (set, rep).
    told: Vec<(usize, usize, CheckId)>,
    cues: Vec<Cue>,
    /// Full reps so far: (left, right).
    reps: (usize, usize),
    /// A correction decided later than this after its rep's peak is not given (s).
    max_fix_delay_s: f64,
    /// The current set (number, leg, full reps) and phase, for the screen.
    set: Option<(usize, Side, usize)>,
    phase: Option<Phase>,
    /// Source time (s) a pose was last seen.
    last_pose_s: f64,
    /// The exercise's first check, whose view decides the "turn side-on" prompt.
    first_check: Option<CheckId>,
    spec_views: ExerciseSpec,
}

/// A correction is worth giving while the rep it is about is fresh: within this long (s) of
/// its peak as the live window sees it (issue 10's bound; the offline report's peak can be a few
/// frames earlier, so a cue can land just past 1.5 s after it). One decided later (a side switch waiting for its second
/// rep, a slow return) is dropped; the next rep with the fault gets it.
pub const MAX_FIX_DELAY_S: f64 = 1.5;

impl Coach {
    /// A coach for `spec` with a cue cooldown of `cooldown_s` seconds.
    pub fn new(spec: &ExerciseSpec, cooldown_s: f64) -> Coach {
        Self::with_analyzer(spec, StreamingAnalyzer::new(spec.clone()), cooldown_s)
    }

    /// A coach over a given analyser of `spec` (e.g. one closing its stretches sooner).
    pub fn with_analyzer(spec: &ExerciseSpec, analyzer: StreamingAnalyzer, cooldown_s: f64) -> Coach {
        Coach {
            analyzer,
            policy: CuePolicy::new(cooldown_s),
            told: Vec::new(),
            cues: Vec::new(),
            reps: (0, 0),
            max_fix_delay_s: MAX_FIX_DELAY_S,
            set: None,
            phase: None,
            last_pose_s: f64::NEG_INFINITY,
            first_check: spec.checks.first().map(|c| c.id),
            spec_views: spec.clone(),
        }
    }

    /// Takes one frame's pose; reps and cues go to `on_output`.
    pub fn push(&mut self, pose: &PoseFrame, on_output: &mut impl FnMut(&LiveOutput)) {
        if let Some(p) = &pose.pose {
            self.last_pose_s = pose.t_s;
            // A pose model without 3D (MoveNet): which views show a check is its calibration's.
            if self.spec_views.landmarks == LandmarkSet::Blazepose && p.world.iter().all(|w| !w.x.is_finite()) {
                self.spec_views = self.spec_views.for_landmarks(LandmarkSet::Keypoints).into_owned();
            }
        }
        for event in self.analyzer.push(pose) {
            match event {
                LiveEvent::FaultSeen { t_s, set, rep, fault, .. } => {
                    self.offer_fix(t_s, set, rep, &fault, on_output);
                }
                LiveEvent::RepCompleted { t_s, set, side, reps_in_set, rep, .. } => {
                    self.rep_ended(t_s, set, side, reps_in_set, &rep, on_output);
                }
                LiveEvent::RepWithdrawn { t_s, set, rep, side } => {
                    match side {
                        Side::Left => self.reps.0 = self.reps.0.saturating_sub(1),
                        Side::Right => self.reps.1 = self.reps.1.saturating_sub(1),
                    }
                    on_output(&LiveOutput::RepWithdrawn { t_s, set, rep, side });
                }
                LiveEvent::Phase { phase, .. } => self.phase = Some(phase),
                LiveEvent::SetStarted { set, side, .. } => self.set = Some((set, side, 0)),
            }
        }
    }

    /// A rep ended: the counter moves; its worst fault not told yet is offered, or praise for
    /// a clean full rep.
    fn rep_ended(
        &mut self,
        t_s: f64,
        set: usize,
        side: Side,
        reps_in_set: usize,
        rep: &RepReport,
        on_output: &mut impl FnMut(&LiveOutput),
    ) {
        if !rep.partial {
            match side {
                Side::Left => self.reps.0 += 1,
                Side::Right => self.reps.1 += 1,
            }
        }
        self.set = Some((set, side, reps_in_set));
        on_output(&LiveOutput::Rep {
            t_s,
            set,
            rep: rep.index,
            side,
            reps_in_set,
            partial: rep.partial,
            start_s: rep.start_s,
            peak_s: rep.peak_s,
            end_s: rep.end_s,
            faults: rep.faults.iter().map(|f| f.check).collect(),
        });
        // Worst first: the first fault not told yet that the policy lets through now.
        let fresh: Vec<&Fault> =
            rep.faults.iter().filter(|f| !self.told.contains(&(set, rep.index, f.check))).collect();
        let stale = t_s - rep.peak_s > self.max_fix_delay_s;
        match fresh.is_empty() {
            false if !stale => {
                for fault in fresh {
                    if self.offer_fix(t_s, set, rep.index, fault, on_output) {
                        break;
                    }
                }
            }
            true if rep.faults.is_empty() && !rep.partial => {
                if let Some(mut cue) = self.policy.offer(t_s, &rep.cue, 0) {
                    (cue.set, cue.rep) = (Some(set), Some(rep.index));
                    self.give(cue, on_output);
                }
            }
            _ => {}
        }
        // Only the rep under way can still be told about.
        self.told.retain(|(s, r, _)| (*s, *r) > (set, rep.index));
    }

    /// Offers the correction of `fault` on rep `rep` of set `set`; true if it was given.
    fn offer_fix(
        &mut self,
        t_s: f64,
        set: usize,
        rep: usize,
        fault: &Fault,
        on_output: &mut impl FnMut(&LiveOutput),
    ) -> bool {
        self.told.push((set, rep, fault.check));
        let Some(mut cue) = self.policy.offer(t_s, &fault.cue, severity_rank(fault.severity)) else { return false };
        (cue.check, cue.set, cue.rep) = (Some(fault.check), Some(set), Some(rep));
        self.give(cue, on_output);
        true
    }

    fn give(&mut self, cue: Cue, on_output: &mut impl FnMut(&LiveOutput)) {
        on_output(&LiveOutput::Cue(cue.clone()));
        self.cues.push(cue);
    }

    /// Full reps so far: (left, right).
    pub fn reps(&self) -> (usize, usize) {
        self.reps
    }

    /// The most recent cue, if any.
    pub fn last_cue(&self) -> Option<&Cue> {
        self.cues.last()
    }

    /// What the screen shows at source time `t_s`.
    pub fn screen(&self, t_s: f64) -> Screen<'_> {
        let view = self.analyzer.view();
        let prompt = if t_s - self.last_pose_s >= NOBODY_PROMPT_S {
            Some(Prompt::StepIntoView)
        } else {
            match (view, self.first_check) {
                (Some(v), Some(c)) if !self.spec_views.measurable(c, v) => Some(Prompt::TurnSideOn),
                _ => None,
            }
        };
        Screen {
            reps: self.reps,
            set: self.set,
            phase: self.phase,
            cue: self.cues.last().filter(|c| t_s - c.t_s <= CUE_ON_SCREEN_S),
            prompt,
        }
    }

    /// Frames the analyser holds now (bounded however long the session).
    pub fn frames_held(&self) -> usize {
        self.analyzer.frames_held()
    }

    /// Ends the session: its report and the cue log.
    pub fn finish(self, input: InputInfo) -> (Report, Vec<Cue>) {
        (self.analyzer.finish(input), self.cues)
    }
}

/// What a live session keeps between frames.
struct Session {
    coach: Coach,
    /// Capture-to-verdict latency of each processed frame (ms).
    latencies: Vec<f64>,
    stats: PassStats,
    /// Source time of the last frame taken (s).
    last_t: f64,
}

impl Session {
    fn new(spec: &ExerciseSpec, options: &LiveOptions) -> Session {
        Session {
            coach: Coach::new(spec, options.cue_cooldown_s),
            latencies: Vec::new(),
            stats: PassStats::default(),
            last_t: 0.0,
        }
    }

    /// Runs one frame through the estimator and the coach; reps and cues go to `on_output`.
    fn process(
        &mut self,
        frame: &Frame,
        estimator: &mut dyn PoseEstimator,
        on_output: &mut impl FnMut(&LiveOutput),
    ) -> Result<PoseFrame, AppError> {
        let output = estimator.estimate(frame)?;
        self.stats.frames += 1;
        self.stats.frames_with_pose += u64::from(output.pose.is_some());
        self.stats.detector_runs += u64::from(output.detector_ran);
        let pose_frame = PoseFrame {
            index: frame.index,
            t_s: frame.t_s,
            width: frame.image.cols() as u32,
            height: frame.image.rows() as u32,
            pose: output.pose,
        };
        self.coach.push(&pose_frame, on_output);
        // The verdict for this frame is in: capture-to-verdict latency.
        self.latencies.push(frame.captured_at.elapsed().as_secs_f64() * 1000.0);
        Ok(pose_frame)
    }
}

/// Runs a live session until the source ends or goes silent, `stop` is set, or the time limit.
/// `on_output` receives cues and rep events as they happen; `on_frame` every processed frame
/// (return false from it to stop, e.g. when the window's close key is pressed).
pub fn run_live(
    source: &Source,
    estimator: &mut dyn PoseEstimator,
    spec: &ExerciseSpec,
    options: &LiveOptions,
    stop: &AtomicBool,
    mut on_output: impl FnMut(&LiveOutput),
    mut on_frame: impl FnMut(ProcessedFrame<'_>) -> bool,
) -> Result<LiveReport, AppError> {
    // A stream that sends nothing is given up after the stall timeout, already while opening.
    let reader = VideoReader::open_with_timeout(source, options.stall_timeout)?;
    let video = reader.info().clone();
    let mut capture = LatestFrameSource::spawn(reader, options.realtime, options.stall_timeout);
    let mut session = Session::new(spec, options);
    let started = Instant::now();
    let end_reason = loop {
        if stop.load(Ordering::Relaxed) {
            break EndReason::Interrupted;
        }
        let frame = match capture.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => break EndReason::SourceEnded,
            // Silent for the stall timeout (`VideoError::Stalled`), or failed.
            Err(err) => {
                on_output(&LiveOutput::SourceLost { t_s: session.last_t, reason: err.to_string() });
                break EndReason::SourceLost;
            }
        };
        if options.max_seconds.is_some_and(|max| frame.t_s > max) {
            break EndReason::TimeLimit;
        }
        session.last_t = frame.t_s;
        let pose_frame = session.process(&frame, estimator, &mut on_output)?;
        let processed =
            ProcessedFrame { image: &frame.image, pose: &pose_frame, screen: session.coach.screen(frame.t_s) };
        if !on_frame(processed) {
            break EndReason::Interrupted;
        }
    };
    let capture_stats = capture.stats();
    drop(capture);
    session.stats.wall_s = started.elapsed().as_secs_f64();
    let input = InputInfo {
        path: source.describe(),
        width: video.width,
        height: video.height,
        fps: video.fps,
        duration_s: session.last_t,
        // Every frame the source delivered was decoded, including the ones dropped unprocessed.
        frames_decoded: capture_stats.captured,
        frames_with_pose: session.stats.frames_with_pose,
    };
    let (report, cues) = session.coach.finish(input);
    Ok(LiveReport {
        cues,
        heard: None,
        speech: None,
        report,
        latency_ms: LatencyMs::from_samples(&session.latencies),
        dropped_frames: capture_stats.dropped,
        processed_frames: session.stats.frames,
        end_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cooldown_holds_back_lesser_cues_but_not_worse_ones() {
        let mut policy = CuePolicy::new(3.0);
        assert!(policy.offer(10.0, "Stay tall", 2).is_some());
        assert!(policy.offer(11.0, "Nice rep", 0).is_none(), "praise must wait");
        assert!(policy.offer(11.5, "Keep hips level", 2).is_none(), "same severity waits");
        assert!(policy.offer(12.0, "Slow the return", 3).is_some(), "more severe pre-empts");
        assert!(policy.offer(15.5, "Nice rep", 0).is_some(), "after the cooldown anything goes");
    }

    #[test]
    fn the_same_correction_is_not_repeated_while_fresh() {
        let mut policy = CuePolicy::new(2.0);
        assert!(policy.offer(0.0, "Stay tall", 2).is_some());
        assert!(policy.offer(2.5, "Stay tall", 2).is_none());
        assert!(policy.offer(4.5, "Stay tall", 2).is_some());
        assert_eq!(policy.offer(9.0, "Good", 0).map(|c| c.kind), Some(CueKind::Praise));
        assert!(policy.offer(20.0, "", 1).is_none());
    }

    #[test]
    fn end_reasons_and_cue_kinds_keep_their_report_names() {
        for reason in [EndReason::SourceEnded, EndReason::SourceLost, EndReason::Interrupted, EndReason::TimeLimit] {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
            assert_eq!(reason.to_string(), reason.as_str());
        }
        assert_eq!(EndReason::TimeLimit.as_str(), "time_limit");
        assert_eq!(serde_json::to_value(CueKind::Fix).unwrap(), "fix");
        assert_eq!(serde_json::to_value(CueKind::Praise).unwrap(), "praise");
    }

    #[test]
    fn latency_percentiles_use_nearest_rank() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let l = LatencyMs::from_samples(&samples);
        assert_eq!((l.p50, l.p95, l.max), (50.0, 95.0, 100.0));
        assert_eq!(LatencyMs::from_samples(&[]), LatencyMs::default());
        assert_eq!(LatencyMs::from_samples(&[f64::NAN, 7.0]).p50, 7.0);
    }
}
