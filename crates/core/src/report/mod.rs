//! The versioned analysis report (JSON via serde) and its terminal rendering.
//!
//! Fixed contract (see the README): top-level `schema_version`; `sets[]` with `side` and
//! `reps[]`; each rep with `index`, `start_s`, `peak_s`, `end_s`, `partial`, `phases`, `metrics`,
//! `faults[]` (each with `check`); top-level `checks[]` with `check`, `status` and, when
//! not measurable, `reason` and `advice`. New fields may be added in later minor versions; a
//! removed or renamed field bumps `schema_version`.

use crate::kinematics::Side;
use crate::spec::{CheckId, Severity, View};
use crate::view::ViewSegment;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
mod metric;
pub(crate) mod series;
mod signal;
pub(crate) mod summary;
mod text;

pub use metric::{Metric, RepMetrics, Unit};
pub use signal::{Signal, SERIES_SIGNALS};
pub use text::render_text;

/// Version of the report schema written. 2: a rep's `metrics` hold only the metrics its exercise
/// reports (version 1 listed the cable medius kickback's fifteen on every rep).
pub const SCHEMA_VERSION: u32 = 2;

/// The report schema versions this build reads.
pub const READABLE_SCHEMA_VERSIONS: [u32; 2] = [1, 2];

/// Facts about the input that the caller (video or camera front-end) fills in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputInfo {
    /// Path or URL of the source.
    pub path: String,
    /// Frame width (px, after rotation).
    pub width: u32,
    /// Frame height (px, after rotation).
    pub height: u32,
    /// Nominal frame rate (frames/s).
    pub fps: f64,
    /// Duration (s).
    pub duration_s: f64,
    /// Frames decoded.
    pub frames_decoded: u64,
    /// Frames in which a person was found.
    pub frames_with_pose: u64,
}

/// Phase of the movement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Leg at the start position.
    Bottom,
    /// Concentric: leg going back and out.
    Lift,
    /// Held near the top.
    TopPause,
    /// Eccentric: leg coming back.
    Return,
}

/// Durations of a rep's phases (s).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseDurations {
    /// Lift (concentric).
    pub lift_s: f64,
    /// Top pause.
    pub top_pause_s: f64,
    /// Return (eccentric).
    pub return_s: f64,
    /// Rest at the bottom before the next rep of the set (`null` after the last).
    pub bottom_s: Option<f64>,
}

/// One fault found in a rep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Which check.
    pub check: CheckId,
    /// Measured magnitude (in `unit`).
    pub magnitude: f64,
    /// The threshold it crossed.
    pub threshold: f64,
    /// Unit of magnitude and threshold (the check's metric's).
    pub unit: Unit,
    /// Severity from the spec.
    pub severity: Severity,
    /// Time of the worst moment (s).
    pub peak_s: f64,
    /// Frame index of the worst moment.
    pub peak_frame: u64,
    /// Confidence in [0, 1] from landmark visibility and coverage.
    pub confidence: f64,
    /// Corrective cue.
    pub cue: String,
}

/// A check whose measurement on a rep was too close to its threshold, for the view's noise,
/// to call either way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Borderline {
    /// Which check.
    pub check: CheckId,
    /// Measured magnitude (in `unit`, after the view's bias correction).
    pub magnitude: f64,
    /// The check's threshold.
    pub threshold: f64,
    /// Unit of magnitude and threshold (the check's metric's).
    pub unit: Unit,
    /// The measurement's noise (one standard deviation) from this view, from the corpus (0 for a
    /// check judged on its raw reading, whose noise is not known).
    pub noise: f64,
    /// Time of the worst moment (s).
    pub peak_s: f64,
}

/// One rep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepReport {
    /// 1-based index within the set (partial reps are numbered too).
    pub index: usize,
    /// Start time (s).
    pub start_s: f64,
    /// Time of the peak (s).
    pub peak_s: f64,
    /// End time (s).
    pub end_s: f64,
    /// Frame index of the start.
    pub start_frame: u64,
    /// Frame index of the peak.
    pub peak_frame: u64,
    /// Frame index of the end.
    pub end_frame: u64,
    /// Partial reps are reported but not counted.
    pub partial: bool,
    /// Phase durations.
    pub phases: PhaseDurations,
    /// Measured values.
    pub metrics: RepMetrics,
    /// Faults, most important first.
    pub faults: Vec<Fault>,
    /// Checks whose measurement fell between "clearly fine" and "clearly a fault" given the
    /// view's measured noise: shown to the coach, never cued.
    #[serde(default)]
    pub borderline: Vec<Borderline>,
    /// The single cue for this rep: the most important fault's, or a positive one.
    pub cue: String,
}

/// A set of one working leg.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetReport {
    /// 1-based index.
    pub index: usize,
    /// Working leg.
    pub side: Side,
    /// Body side facing the cable machine (from the holding hand, else the spec's default;
    /// `null` when neither tells).
    pub machine_side: Option<Side>,
    /// Dominant camera view during the set (`null` if unknown).
    pub view: Option<View>,
    /// Start time (s).
    pub start_s: f64,
    /// End time (s).
    pub end_s: f64,
    /// Full reps.
    pub rep_count: usize,
    /// Partial reps.
    pub partial_count: usize,
    /// Reps, full and partial.
    pub reps: Vec<RepReport>,
}

/// Outcome of a check over the whole input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Measured and fine.
    Ok,
    /// At least one rep had the fault.
    Fault,
    /// No rep clearly had the fault, but at least one was too close to call for the view's
    /// noise (shown to the coach, never cued).
    Borderline,
    /// The view or the landmarks did not allow measuring it.
    NotMeasurable,
}

/// Per-check verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    /// Which check.
    pub check: CheckId,
    /// The metric it judges (absent in reports written before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
    /// Verdict.
    pub status: Status,
    /// Reps in which it was measured.
    pub reps_measured: usize,
    /// Reps with the fault.
    pub reps_with_fault: usize,
    /// Reps too close to the threshold to call.
    #[serde(default)]
    pub reps_borderline: usize,
    /// Why it could not be measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where to film from to measure it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
    /// Corrective cue (fault) or positive cue (ok); none when not measurable or borderline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
}

/// One thing to fix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    /// Which check.
    pub check: CheckId,
    /// Cue.
    pub cue: String,
    /// Reps affected.
    pub reps_affected: usize,
}

/// The headline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Full reps with the left leg working.
    pub reps_left: usize,
    /// Full reps with the right leg working.
    pub reps_right: usize,
    /// Partial reps (all sets).
    pub partial_reps: usize,
    /// The one or two most important things to fix.
    pub top_fixes: Vec<Fix>,
    /// Something that went well.
    pub positive: Option<String>,
    /// With no reps found while the camera stood where a kick can hide (the spec's `no_reps`
    /// views), what to change; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_reps_advice: Option<String>,
}

/// Time series of the key signals, for charts and overlays.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// Frame times (s).
    pub t_s: Vec<f64>,
    /// Frame indices.
    pub frame: Vec<u64>,
    /// Movement phase per frame (`null` outside reps' sets).
    pub phase: Vec<Option<Phase>>,
    /// Named signals (deg or cm), `null` where unknown. Names: see [`Signal`]; a map of names,
    /// not of [`Signal`]s, so a report with a signal this version does not know still reads.
    pub signals: BTreeMap<String, Vec<Option<f64>>>,
}

impl Series {
    /// The values of `signal`, if the series holds it.
    pub fn get(&self, signal: Signal) -> Option<&[Option<f64>]> {
        self.signals.get(signal.as_str()).map(Vec::as_slice)
    }
}

/// Diagnostics of the analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diagnostics {
    /// Frames given to the engine.
    pub frames: usize,
    /// Frames with a pose.
    pub frames_with_pose: usize,
    /// Frames whose left/right leg labels were repaired.
    pub leg_swaps_repaired: usize,
    /// Set when the video held fewer frames than its container announced:
    /// "analysed N of M frames: the file ends early" (absent otherwise, and in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_early: Option<String>,
    /// Someone besides the person exercising was in view at times (the analysis stayed with the
    /// person exercising); absent when nobody else was seen, and in older reports.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub others_in_view: bool,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Exercise id from the spec.
    pub exercise: String,
    /// Input facts.
    pub input: InputInfo,
    /// Camera view per segment.
    pub views: Vec<ViewSegment>,
    /// Sets.
    pub sets: Vec<SetReport>,
    /// One entry per check id.
    pub checks: Vec<CheckResult>,
    /// Headline.
    pub summary: Summary,
    /// Time series.
    pub series: Series,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
    /// Whose set it was and when it was filmed, for the history of sessions (absent when the
    /// front-end did not say, and in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionInfo>,
    /// Thresholds that followed the person's own baseline (opt-in; absent otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personal_thresholds: Vec<PersonalThreshold>,
}

/// A check judged against a threshold that followed the person's baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalThreshold {
    /// The check.
    pub check: CheckId,
    /// The person's typical reading (true scale), from their earlier sessions.
    pub baseline: f64,
    /// The threshold used.
    pub threshold: f64,
    /// The spec's threshold it replaced.
    pub spec_threshold: f64,
    /// Earlier sessions behind the baseline.
    pub sessions: usize,
}

/// Whose set a report is and when it was filmed: what the history of sessions indexes it by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionInfo {
    /// The person (`--person`, or the client's folder in a batch).
    pub person: String,
    /// When it was filmed (UTC, RFC 3339).
    pub filmed_at: String,
    /// Where that time came from: `container` (the video's creation time), `file` (the file's
    /// modification time) or `clock` (a live session's start).
    pub filmed_from: String,
    /// sha256 of the input file (a live session: of its source and start), so that analysing
    /// the same video again replaces its entry instead of adding one.
    pub input_sha256: String,
}

impl Report {
    /// Serialises to pretty JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// Parses a report (unknown fields are rejected).
    pub fn from_json(text: &str) -> Result<Report, serde_json::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Version {
            schema_version: u32,
        }
        // The version first: a report of an unknown version is refused by its number rather
        // than by whichever field happens to differ.
        let v: Version = serde_json::from_str(text)?;
        if !READABLE_SCHEMA_VERSIONS.contains(&v.schema_version) {
            return Err(serde_json::Error::custom(format!(
                "report schema_version {} is not one this formcheck reads ({READABLE_SCHEMA_VERSIONS:?})",
                v.schema_version
            )));
        }
        serde_json::from_str(text)
    }

    /// Full reps over all sets.
    pub fn rep_count(&self) -> usize {
        self.summary.reps_left + self.summary.reps_right
    }
}
