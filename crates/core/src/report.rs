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
use std::fmt::Write as _;

/// Version of the report schema.
pub const SCHEMA_VERSION: u32 = 1;

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

/// Measured values of one rep (`null` when not measurable). Changes are relative to the rep's start.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepMetrics {
    /// Peak thigh elevation above its bottom position (deg).
    pub amplitude_deg: Option<f64>,
    /// Peak thigh angle behind vertical (deg).
    pub peak_hip_extension_deg: Option<f64>,
    /// Thigh outward angle at the peak (deg).
    pub peak_hip_abduction_deg: Option<f64>,
    /// Peak hip extension relative to the trunk line (deg).
    pub peak_hip_extension_rel_trunk_deg: Option<f64>,
    /// Peak forward trunk lean change (deg).
    pub trunk_forward_change_deg: Option<f64>,
    /// Peak backward trunk lean change (deg).
    pub trunk_back_change_deg: Option<f64>,
    /// Peak sideways trunk lean away from the machine (deg).
    pub trunk_away_change_deg: Option<f64>,
    /// Peak hike of the working hip (deg).
    pub pelvis_hike_change_deg: Option<f64>,
    /// Peak opening rotation of the pelvis (deg).
    pub pelvis_rotation_change_deg: Option<f64>,
    /// Median support-knee flexion (deg).
    pub support_knee_flexion_deg: Option<f64>,
    /// Range of support-knee flexion within the rep (deg).
    pub support_knee_range_deg: Option<f64>,
    /// 1 − return time / lift time: the smaller of the estimates from 20–80 % transition times
    /// and from peak speeds (a swing is called only when both see a fast return).
    pub swing_ratio: Option<f64>,
    /// Leg path: abduction minus extension change at the peak (deg; positive = more sideways
    /// than back), or from behind/in front the thigh's outward angle at the top (deg).
    pub sideways_margin_deg: Option<f64>,
    /// Standing-foot displacement over the rep that persisted (cm, across the image at the
    /// body's scale; median of heel, ankle and toe between the quiet phases around the rep);
    /// `null` when not measurable (e.g. the foot's landmarks were too noisy in the set).
    pub support_foot_shift_cm: Option<f64>,
    /// Peak shoulder-vs-hip turn (deg).
    pub torso_twist_change_deg: Option<f64>,
}

/// The per-rep measurements a check can judge: a closed set in code (each computed by the rule
/// engine from the rep's signals); which of them an exercise judges, under which check ids and
/// thresholds, is the exercise spec's business. Serialised by the names of [`RepMetrics`]' fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// See [`RepMetrics::amplitude_deg`].
    #[serde(rename = "amplitude_deg")]
    Amplitude,
    /// See [`RepMetrics::peak_hip_extension_deg`].
    #[serde(rename = "peak_hip_extension_deg")]
    PeakHipExtension,
    /// See [`RepMetrics::peak_hip_abduction_deg`].
    #[serde(rename = "peak_hip_abduction_deg")]
    PeakHipAbduction,
    /// See [`RepMetrics::peak_hip_extension_rel_trunk_deg`]; judged with the trunk tipping back
    /// (the `trunk_back_change_deg` reading) against the check's `secondary_threshold`.
    #[serde(rename = "peak_hip_extension_rel_trunk_deg")]
    PeakHipExtensionRelTrunk,
    /// See [`RepMetrics::trunk_forward_change_deg`].
    #[serde(rename = "trunk_forward_change_deg")]
    TrunkForwardChange,
    /// See [`RepMetrics::trunk_back_change_deg`].
    #[serde(rename = "trunk_back_change_deg")]
    TrunkBackChange,
    /// See [`RepMetrics::trunk_away_change_deg`].
    #[serde(rename = "trunk_away_change_deg")]
    TrunkAwayChange,
    /// See [`RepMetrics::pelvis_hike_change_deg`].
    #[serde(rename = "pelvis_hike_change_deg")]
    PelvisHikeChange,
    /// See [`RepMetrics::pelvis_rotation_change_deg`].
    #[serde(rename = "pelvis_rotation_change_deg")]
    PelvisRotationChange,
    /// See [`RepMetrics::support_knee_flexion_deg`].
    #[serde(rename = "support_knee_flexion_deg")]
    SupportKneeFlexion,
    /// See [`RepMetrics::support_knee_range_deg`].
    #[serde(rename = "support_knee_range_deg")]
    SupportKneeRange,
    /// See [`RepMetrics::swing_ratio`].
    #[serde(rename = "swing_ratio")]
    SwingRatio,
    /// See [`RepMetrics::sideways_margin_deg`]; from behind or in front judged against the
    /// check's `secondary_threshold` when it has one.
    #[serde(rename = "sideways_margin_deg")]
    SidewaysMargin,
    /// See [`RepMetrics::support_foot_shift_cm`].
    #[serde(rename = "support_foot_shift_cm")]
    SupportFootShift,
    /// See [`RepMetrics::torso_twist_change_deg`].
    #[serde(rename = "torso_twist_change_deg")]
    TorsoTwistChange,
}

impl Metric {
    /// Every metric, in the order of [`RepMetrics`]' fields.
    pub const ALL: [Metric; 15] = [
        Metric::Amplitude,
        Metric::PeakHipExtension,
        Metric::PeakHipAbduction,
        Metric::PeakHipExtensionRelTrunk,
        Metric::TrunkForwardChange,
        Metric::TrunkBackChange,
        Metric::TrunkAwayChange,
        Metric::PelvisHikeChange,
        Metric::PelvisRotationChange,
        Metric::SupportKneeFlexion,
        Metric::SupportKneeRange,
        Metric::SwingRatio,
        Metric::SidewaysMargin,
        Metric::SupportFootShift,
        Metric::TorsoTwistChange,
    ];

    /// The metric's name: its key in the report's rep `metrics` and in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Amplitude => "amplitude_deg",
            Metric::PeakHipExtension => "peak_hip_extension_deg",
            Metric::PeakHipAbduction => "peak_hip_abduction_deg",
            Metric::PeakHipExtensionRelTrunk => "peak_hip_extension_rel_trunk_deg",
            Metric::TrunkForwardChange => "trunk_forward_change_deg",
            Metric::TrunkBackChange => "trunk_back_change_deg",
            Metric::TrunkAwayChange => "trunk_away_change_deg",
            Metric::PelvisHikeChange => "pelvis_hike_change_deg",
            Metric::PelvisRotationChange => "pelvis_rotation_change_deg",
            Metric::SupportKneeFlexion => "support_knee_flexion_deg",
            Metric::SupportKneeRange => "support_knee_range_deg",
            Metric::SwingRatio => "swing_ratio",
            Metric::SidewaysMargin => "sideways_margin_deg",
            Metric::SupportFootShift => "support_foot_shift_cm",
            Metric::TorsoTwistChange => "torso_twist_change_deg",
        }
    }

    /// The metric with this name, if there is one.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RepMetrics {
    /// The value of one metric, `None` when it was not measurable.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Amplitude => self.amplitude_deg,
            Metric::PeakHipExtension => self.peak_hip_extension_deg,
            Metric::PeakHipAbduction => self.peak_hip_abduction_deg,
            Metric::PeakHipExtensionRelTrunk => self.peak_hip_extension_rel_trunk_deg,
            Metric::TrunkForwardChange => self.trunk_forward_change_deg,
            Metric::TrunkBackChange => self.trunk_back_change_deg,
            Metric::TrunkAwayChange => self.trunk_away_change_deg,
            Metric::PelvisHikeChange => self.pelvis_hike_change_deg,
            Metric::PelvisRotationChange => self.pelvis_rotation_change_deg,
            Metric::SupportKneeFlexion => self.support_knee_flexion_deg,
            Metric::SupportKneeRange => self.support_knee_range_deg,
            Metric::SwingRatio => self.swing_ratio,
            Metric::SidewaysMargin => self.sideways_margin_deg,
            Metric::SupportFootShift => self.support_foot_shift_cm,
            Metric::TorsoTwistChange => self.torso_twist_change_deg,
        }
    }

    /// The value of the metric named `name`, `None` when it was not measurable or the name is
    /// not a metric.
    pub fn value(&self, name: &str) -> Option<f64> {
        Metric::from_name(name).and_then(|m| self.get(m))
    }
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
    /// Unit of magnitude and threshold.
    pub unit: String,
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
    /// Unit of magnitude and threshold.
    pub unit: String,
    /// The measurement's noise (one standard deviation) from this view, from the corpus.
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
    /// Body side facing the cable machine (from the holding hand, else the spec's default).
    pub machine_side: Side,
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
    /// Corrective cue (fault) or positive cue (ok).
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
    /// Named signals (deg or cm), `null` where unknown. Names: see [`SERIES_SIGNALS`].
    pub signals: BTreeMap<String, Vec<Option<f64>>>,
}

/// Names of the signals in [`Series::signals`].
pub const SERIES_SIGNALS: [&str; 10] = [
    "working_thigh_elevation_deg",
    "hip_extension_deg",
    "hip_abduction_deg",
    "trunk_forward_deg",
    "trunk_away_deg",
    "pelvis_hike_deg",
    "pelvis_rotation_deg",
    "support_knee_flexion_deg",
    "torso_twist_deg",
    "support_heel_shift_cm",
];

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
}

impl Report {
    /// Serialises to pretty JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// Parses a report (unknown fields are rejected).
    pub fn from_json(text: &str) -> Result<Report, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Full reps over all sets.
    pub fn rep_count(&self) -> usize {
        self.summary.reps_left + self.summary.reps_right
    }
}

/// A readable terminal summary.
pub fn render_text(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {}", r.exercise, if r.input.path.is_empty() { "(input)" } else { &r.input.path });
    let duration = if r.input.duration_s > 0.0 {
        r.input.duration_s
    } else {
        match (r.series.t_s.first(), r.series.t_s.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        }
    };
    let _ = writeln!(
        s,
        "  {} frames, {} with a person, {duration:.1} s",
        r.diagnostics.frames, r.diagnostics.frames_with_pose
    );
    if !r.views.is_empty() {
        let v: Vec<String> =
            r.views.iter().map(|v| format!("{} ({:.1}–{:.1} s)", v.view, v.start_s, v.end_s)).collect();
        let _ = writeln!(s, "  view: {}", v.join(", "));
    }
    if r.sets.is_empty() {
        let _ = writeln!(s, "\nNo reps found.");
    }
    for set in &r.sets {
        let _ = writeln!(
            s,
            "\nSet {} — {} leg working: {} rep{}{}",
            set.index,
            set.side.as_str(),
            set.rep_count,
            if set.rep_count == 1 { "" } else { "s" },
            if set.partial_count > 0 { format!(" (+{} partial)", set.partial_count) } else { String::new() }
        );
        for rep in &set.reps {
            let faults: Vec<String> =
                rep.faults.iter().map(|f| format!("{} {:.1}{}", f.check, f.magnitude, unit_suffix(&f.unit))).collect();
            let _ = writeln!(
                s,
                "  rep {:>2}{} {:6.2}–{:6.2} s  lift {:.2} s, pause {:.2} s, return {:.2} s  {}",
                rep.index,
                if rep.partial { " (partial)" } else { "          " },
                rep.start_s,
                rep.end_s,
                rep.phases.lift_s,
                rep.phases.top_pause_s,
                rep.phases.return_s,
                if faults.is_empty() { "ok".to_string() } else { faults.join(", ") }
            );
        }
    }
    let _ = writeln!(s, "\nChecks:");
    for c in &r.checks {
        let status = match c.status {
            Status::Ok => "ok".to_string(),
            Status::Fault => format!("FAULT in {}/{} reps", c.reps_with_fault, c.reps_measured),
            Status::Borderline => {
                format!("borderline in {}/{} reps (too close to call)", c.reps_borderline, c.reps_measured)
            }
            Status::NotMeasurable => "not measurable".to_string(),
        };
        let _ = write!(s, "  {:<22} {status}", c.check.as_str());
        if let Some(reason) = &c.reason {
            let _ = write!(s, " — {reason}");
        }
        if let Some(advice) = &c.advice {
            let _ = write!(s, " {advice}");
        }
        s.push('\n');
    }
    if !r.summary.top_fixes.is_empty() {
        let _ = writeln!(s, "\nFix first:");
        for f in &r.summary.top_fixes {
            let _ =
                writeln!(s, "  • {} ({} rep{})", f.cue, f.reps_affected, if f.reps_affected == 1 { "" } else { "s" });
        }
    }
    if let Some(p) = &r.summary.positive {
        let _ = writeln!(s, "\nGood: {p}");
    }
    s
}

fn unit_suffix(unit: &str) -> String {
    match unit {
        "deg" => "°".into(),
        "ratio" => String::new(),
        u => format!(" {u}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_are_the_report_keys() {
        let v = serde_json::to_value(RepMetrics::default()).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        names.sort();
        keys.sort();
        assert_eq!(names, keys);
        // `value` reads each of them.
        let m = RepMetrics {
            amplitude_deg: Some(1.0),
            peak_hip_extension_deg: Some(2.0),
            peak_hip_abduction_deg: Some(3.0),
            peak_hip_extension_rel_trunk_deg: Some(4.0),
            trunk_forward_change_deg: Some(5.0),
            trunk_back_change_deg: Some(6.0),
            trunk_away_change_deg: Some(7.0),
            pelvis_hike_change_deg: Some(8.0),
            pelvis_rotation_change_deg: Some(9.0),
            support_knee_flexion_deg: Some(10.0),
            support_knee_range_deg: Some(11.0),
            swing_ratio: Some(12.0),
            sideways_margin_deg: Some(13.0),
            support_foot_shift_cm: Some(14.0),
            torso_twist_change_deg: Some(15.0),
        };
        let json = serde_json::to_value(&m).unwrap();
        for metric in Metric::ALL {
            let name = metric.as_str();
            assert_eq!(m.value(name), json[name].as_f64(), "{name}");
            // the spec names a metric the way the report keys it
            assert_eq!(serde_json::to_value(metric).unwrap(), serde_json::Value::from(name));
        }
        assert_eq!(m.value("nonsense"), None);
    }
}
