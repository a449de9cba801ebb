//! The exercise specification: every exercise-specific number and text, loaded from TOML.
//!
//! The engine holds no kickback numbers in code; they all live in
//! `exercises/cable-medius-kickback.toml` and are validated here on load.

use crate::report::Metric;
use serde::{Deserialize, Serialize};
use std::path::Path;

mod check_id;
mod validate;

pub use check_id::CheckId;

/// Where the camera stands relative to the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Camera behind the person.
    Back,
    /// Camera in front of the person.
    Front,
    /// Side-on, the working leg nearer the camera.
    SideWorking,
    /// Side-on, the support leg nearer the camera.
    SideSupport,
    /// Between back and side, the working leg nearer the camera (the kick runs almost along
    /// the line of sight).
    ObliqueBackWorking,
    /// Between back and side, the support leg nearer the camera.
    ObliqueBackSupport,
    /// Between front and side.
    ObliqueFront,
}

impl View {
    /// All views.
    pub const ALL: [View; 7] = [
        View::Back,
        View::Front,
        View::SideWorking,
        View::SideSupport,
        View::ObliqueBackWorking,
        View::ObliqueBackSupport,
        View::ObliqueFront,
    ];

    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Back => "back",
            View::Front => "front",
            View::SideWorking => "side_working",
            View::SideSupport => "side_support",
            View::ObliqueBackWorking => "oblique_back_working",
            View::ObliqueBackSupport => "oblique_back_support",
            View::ObliqueFront => "oblique_front",
        }
    }
}

impl std::fmt::Display for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a fault matters when choosing what to tell the person first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth mentioning.
    Low,
    /// Should be fixed.
    Medium,
    /// Fix this first.
    High,
}

impl Severity {
    /// Weight used to rank faults in the summary.
    pub fn weight(self) -> f64 {
        match self {
            Severity::Low => 1.0,
            Severity::Medium => 2.0,
            Severity::High => 3.0,
        }
    }
}

/// Which leg is nearer the cable machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MachineSide {
    /// The working leg is nearer the machine (the exercise page's setup).
    Working,
    /// The support leg is nearer the machine.
    Support,
    /// Not known: a sideways lean is judged in whichever direction it goes.
    Either,
}

/// The machine beside the person and how to tell which side it stands on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquipmentSpec {
    /// What it is, for humans (e.g. a cable stack with a low pulley).
    pub machine: String,
    /// Where the machine is assumed to be when the hands do not tell (the hand holding the
    /// machine is the one held away from the body); `either` leaves it unknown.
    pub default_machine_side: MachineSide,
    /// Smallest difference (m) between the two wrists' distances from their hips for the
    /// holding hand to be trusted; absent, the hands are not read at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holding_hand_margin_m: Option<f64>,
}

/// Visibility gating of landmarks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisibilitySpec {
    /// A landmark below this visibility is treated as missing.
    pub min_visibility: f64,
    /// Lower bar for the leg landmarks that only drive rep segmentation: a far leg in a side
    /// view is reported with low visibility but is still roughly where it is.
    pub min_visibility_rep_signal: f64,
}

/// Signal smoothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmoothingSpec {
    /// Half-width (s) of the running median that removes outliers.
    pub median_half_window_s: f64,
    /// Time constant (s) of the forward-backward exponential smoother after the median.
    pub smooth_tau_s: f64,
    /// Gaps in a signal up to this long (s) are bridged by linear interpolation.
    pub max_gap_s: f64,
    /// Half-width (s) of the window over which the person's facing direction is averaged.
    pub facing_half_window_s: f64,
}

/// Camera-view classification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewSpec {
    /// |yaw| (deg, 0 = facing the camera) up to which the view is `front`.
    pub front_max_deg: f64,
    /// |yaw| from which the view is `back`.
    pub back_min_deg: f64,
    /// Half-width (deg) around 90° inside which the view is a side view.
    pub side_half_width_deg: f64,
    /// Largest image shoulder width (over the torso's image length) a side view shows: a
    /// frame whose facing from depth reads side-on but whose shoulders look wider is a 45° view.
    pub side_max_shoulder_width: f64,
    /// Shortest view segment (s); shorter runs are merged into neighbours.
    pub min_segment_s: f64,
    /// Mean face visibility below which a front-looking pose is taken as seen from behind.
    pub face_visibility_back: f64,
}

/// Rep segmentation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepSpec {
    /// Upper hysteresis level (a rep starts above it), as a fraction of the leg's typical
    /// excursion (its high percentile minus its bottom): pose models compress some views' angles,
    /// so absolute degrees would miss reps filmed from behind.
    pub enter_fraction: f64,
    /// Lower hysteresis level (the rep has returned below it), as a fraction of the excursion.
    pub exit_fraction: f64,
    /// Level under which the leg counts as at the start position, as a fraction of the excursion.
    pub rest_fraction: f64,
    /// Floor (deg) of the upper level, so noise on a still leg never makes reps.
    pub enter_deg: f64,
    /// Floor (deg) of the lower level.
    pub exit_deg: f64,
    /// Floor (deg) of the rest level.
    pub rest_deg: f64,
    /// Percentile (0..100) of the thigh elevation taken as the leg's typical high position.
    pub high_percentile: f64,
    /// A drop by this fraction of the height reached ends a rep even above the lower level
    /// (splits reps separated by too short a rest).
    pub split_fraction: f64,
    /// Median world thigh rise (deg) from which partial reps are judged on the world angle.
    pub min_world_rise_deg: f64,
    /// Where the world angle is reliable (see `min_world_rise_deg`), an excursion whose thigh
    /// rises less than this fraction of the set's typical rise, with a smaller than typical
    /// swing, is no attempt at a rep (the legs trading places at a cut or a turn).
    pub min_world_fraction: f64,
    /// A rep reaching less than this fraction of the set's typical amplitude is partial.
    pub full_fraction: f64,
    /// Band below the peak (fraction of amplitude) counted as the top pause.
    pub pause_band_fraction: f64,
    /// Shortest rep (s); shorter excursions are jitter.
    pub min_rep_s: f64,
    /// Longest rep (s); longer excursions are not reps (e.g. stepping away).
    pub max_rep_s: f64,
    /// Largest elevation range of the other leg during a rep, as a fraction of the rep's amplitude.
    pub other_leg_max_fraction: f64,
    /// Largest hip-centre travel during a rep, in torso lengths (walking is not a rep).
    pub max_hip_travel_torso: f64,
    /// Smallest image travel of the working ankle during a rep, in torso lengths.
    pub min_ankle_travel_torso: f64,
    /// Percentile (0..100) of the thigh elevation used as the leg's bottom position.
    pub bottom_percentile: f64,
    /// Window (s) before a rep's start over which the per-rep baseline is taken.
    pub baseline_window_s: f64,
    /// Window (s) before the set's first rep and after its last one over which the standing
    /// foot's position is taken (between reps the whole bottom phase is used).
    pub foot_window_s: f64,
    /// How many standard deviations of the standing foot's own landmark noise (estimated per
    /// set from its quiet phases) a shift must exceed before it counts; when this floor is above
    /// the check's threshold the set's foot shift is reported as not measurable.
    pub foot_noise_k: f64,
    /// Gap (s) kept between a rep and the quiet windows where the standing foot is located:
    /// the working leg starts moving (and may pass the standing foot) a little before the rep's
    /// detected start and settles a little after its end.
    pub foot_guard_s: f64,
    /// How far (as a fraction) a slide of the standing foot along the camera axis moves it
    /// vertically in the image, at the body's scale: the sine of the angle the camera looks down
    /// at the floor. Only its order matters: it turns a depth slide that the world landmarks
    /// report into the direction the image must then show it moving (see
    /// [`crate::rules::SetContext`]).
    pub foot_depth_image_ratio: f64,
    /// A foot's length (cm): the standing foot moving further than this between quiet phases
    /// stepped (set-up, walking away) rather than slid.
    pub foot_length_cm: f64,
    /// Fewest full reps that make a set (a lone excursion is setting up or someone walking).
    pub min_set_reps: usize,
}

/// How a check's metric is compared with its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Fault when the metric is above the threshold.
    Above,
    /// Fault when the metric is below the threshold.
    Below,
}

/// One check: thresholds, views and texts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// Which check this is.
    pub id: CheckId,
    /// The per-rep metric the check judges (also its key in the report's rep `metrics`).
    pub metric: Metric,
    /// Views from which the check can be measured.
    pub views: Vec<View>,
    /// The fault threshold, in the metric's unit.
    pub threshold: f64,
    /// Whether the fault is above or below the threshold.
    pub comparison: Comparison,
    /// The metric must stay past the threshold at least this long (s) to count.
    pub min_duration_s: f64,
    /// Ranking weight.
    pub severity: Severity,
    /// Short corrective cue shown when the fault happens.
    pub cue: String,
    /// Short positive cue when the check passes.
    pub positive_cue: String,
    /// Where to film from when the check cannot be measured.
    pub advice: String,
    /// Optional second threshold used by some checks (see the check's docs in the spec file).
    #[serde(default)]
    pub secondary_threshold: Option<f64>,
    /// What a good rep measures on the threshold's scale (0 for changes from the rep's start):
    /// a view whose noise does not separate it from the threshold cannot judge the check.
    #[serde(default)]
    pub typical: f64,
    /// How the threshold may follow the person's own baseline (opt-in, from their history).
    #[serde(default)]
    pub personal: Option<PersonalSpec>,
    /// The largest size (threshold's scale) a body doing this exercise can show: an estimate
    /// past it is the pose model losing the person (a turn, a flip, someone else), not a fault,
    /// so the rep is borderline for the check and never cued.
    #[serde(default)]
    pub plausible_max: Option<f64>,
}

/// A threshold that may follow the person: `baseline − margin` for a fault below the threshold,
/// `baseline + margin` for one above, kept within `[min, max]` (so a habit the spec calls a fault,
/// such as a knee that is always locked, stays one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalSpec {
    /// Distance of the personal threshold from the person's baseline (threshold units).
    pub margin: f64,
    /// Lowest personal threshold.
    pub min: f64,
    /// Highest personal threshold.
    pub max: f64,
}

impl CheckSpec {
    /// The threshold for a person whose baseline (their typical reading, true scale) is
    /// `baseline`, or `None` when the check does not follow the person.
    pub fn personal_threshold(&self, baseline: f64) -> Option<f64> {
        let p = self.personal.as_ref()?;
        let t = match self.comparison {
            Comparison::Below => baseline - p.margin,
            Comparison::Above => baseline + p.margin,
        };
        t.is_finite().then(|| t.clamp(p.min, p.max))
    }
}

/// How the metrics read a rep: the movement's own shape (which part of a transition times it,
/// which percentiles make a robust range, how wide the top of a rep is), not pose-noise
/// handling. A spec without the section gets the cable kickback's values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// The swing ratio times the lift and the return between these fractions of the leg's
    /// excursion (away from the start and the top, where a slow settle would dominate).
    pub swing_transition: [f64; 2],
    /// The swing ratio's second estimate takes peak speeds by central differences over ± this (s).
    pub swing_speed_half_window_s: f64,
    /// The standing knee's range over a rep is between these percentiles of its flexion.
    pub knee_range_percentiles: [f64; 2],
    /// The standing knee's image angle is used when known in at least this fraction of the rep.
    pub knee_image_min_coverage: f64,
    /// The top of a rep (pelvis hike and rotation, torso twist) is its pause, and at least ± this
    /// around the peak (s).
    pub top_half_window_s: f64,
    /// A check is judged on a rep only when its signal is known in at least this fraction of it.
    pub min_coverage: f64,
    /// Confidence factor of a foot shift that no later quiet phase confirmed (the set's last rep).
    pub unconfirmed_shift_confidence: f64,
}

impl Default for MeasureSpec {
    fn default() -> Self {
        MeasureSpec {
            swing_transition: [0.2, 0.8],
            swing_speed_half_window_s: 0.05,
            knee_range_percentiles: [10.0, 90.0],
            knee_image_min_coverage: 0.5,
            top_half_window_s: 0.1,
            min_coverage: 0.5,
            unconfirmed_shift_confidence: 0.6,
        }
    }
}

/// How a calibrated measurement becomes a verdict (see [`Calibration`]): the measurement is
/// put on the label's scale, and its distance from the threshold counted in the view's noise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionSpec {
    /// Largest share of good reps (at the check's `typical`) that may be called a fault, under
    /// the view's noise: sets how far past the threshold a fault must be where the noise is
    /// large against the threshold's distance from a good rep.
    pub false_alarm_rate: f64,
    /// A fault needs the corrected measurement past the threshold by at least this many noise sd.
    pub fault_margin_sd: f64,
    /// "Fine" needs it this many noise sd short of the threshold; in between is borderline.
    pub ok_margin_sd: f64,
    /// A view judges a check only when a good rep (`typical`) lies at least this many noise
    /// sd from the threshold; otherwise the check is not measurable from it.
    pub min_separation_sd: f64,
    /// How many spreads of the good reps' readings the calibration adds above their tail to set
    /// each view's clean ceiling (a fault must read past it). Read by the calibration script when
    /// it fits the `[[calibration]]` entries, not by the engine, which reads the ceilings.
    pub clean_ceiling_spreads: f64,
    /// A view counts as showing a fault only when, on the calibration reps its scale was fitted
    /// on, a faulted rep reads further on the fault's side than a good one at least this share of
    /// the time (pairs); otherwise it says fine or borderline, never fault. Read by the
    /// calibration script, like `clean_ceiling_spreads`.
    pub min_fault_separation: f64,
    /// A view's own scale for a check is fitted only when its faulted calibration reps come from
    /// at least this many clips (else it borrows, like a view with too few faulted reps): a pose
    /// error is shared by all reps of a clip, so one clip's faulted reps are one sample of it.
    /// Read by the calibration script.
    pub min_faulted_clips: usize,
}

/// Advice for a video in which no reps were found, filmed from where the movement runs towards or
/// away from the camera and so barely moves in the picture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoRepsSpec {
    /// Views from which the movement can hide: the advice is given when the view seen longest is
    /// one of them.
    pub views: Vec<View>,
    /// What to change (where to put the camera), in the exercise's words.
    pub advice: String,
}

/// How one check's measurement reads from one camera view, fitted on the calibration part of
/// the rendered corpus (`scripts/corpus/calibrate.py`): the engine reads
/// `offset + scale × true value` (true value on the label's scale) with noise `noise` (sd).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// The check.
    pub check: CheckId,
    /// The engine's view.
    pub view: View,
    /// Engine reading of a rep without the fault (true value 0).
    pub offset: f64,
    /// Engine units per true unit.
    pub scale: f64,
    /// Standard deviation of the reading about `offset + scale × truth` (engine units).
    pub noise: f64,
    /// Calibration reps behind the fit.
    pub reps: usize,
    /// Whether `scale` was fitted from faulted reps seen from this view. When it was not (it is
    /// the check's scale over other views), the view has never been seen to show the fault:
    /// its reading can tell a good rep (fine) from a doubtful one (borderline), never a fault.
    #[serde(default = "yes")]
    pub scale_fitted: bool,
    /// The highest reading (engine units, on the fault's side of `offset + scale × typical`) that
    /// a calibration rep clearly without the fault gave from this view, at the `false_alarm_rate`
    /// quantile. A fault must read past it: pose errors are heavier-tailed than `noise` says (a
    /// clip read askew stays askew for every rep), and a wrong cue is worse than none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean_ceiling: Option<f64>,
    /// The landmarks the fit was made on: each pose model family reads a rep its own way.
    #[serde(default, skip_serializing_if = "LandmarkSet::is_blazepose")]
    pub landmarks: LandmarkSet,
}

/// Which landmarks readings are taken from, and so which calibration applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LandmarkSet {
    /// BlazePose's 33 landmarks with their 3D world landmarks.
    #[default]
    Blazepose,
    /// 17 COCO keypoints in the image only (MoveNet): no depth, no feet.
    Keypoints,
}

impl LandmarkSet {
    fn is_blazepose(&self) -> bool {
        *self == LandmarkSet::Blazepose
    }
}

fn yes() -> bool {
    true
}

/// A whole exercise specification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseSpec {
    /// Version of the spec file format.
    pub spec_version: u32,
    /// Machine name of the exercise.
    pub exercise: String,
    /// Human title.
    pub title: String,
    /// Visibility gating.
    pub visibility: VisibilitySpec,
    /// Smoothing.
    pub smoothing: SmoothingSpec,
    /// View classification.
    pub view: ViewSpec,
    /// Rep segmentation.
    pub reps: RepSpec,
    /// Positive note when every measurable check passes.
    pub all_clear_cue: String,
    /// What to say when no reps were found while the camera stood where the movement is hard to
    /// see (see [`ExerciseSpec::no_reps_advice`]).
    #[serde(default)]
    pub no_reps: Option<NoRepsSpec>,
    /// Metrics reported on every rep for the coach beside those the checks judge (the rep's
    /// amplitude always is).
    #[serde(default)]
    pub reported_metrics: Vec<Metric>,
    /// The machine the exercise is done on; without one, "away from the machine" means
    /// towards the standing leg.
    #[serde(default)]
    pub equipment: Option<EquipmentSpec>,
    /// The checks this exercise runs, in report order (ids unique).
    pub checks: Vec<CheckSpec>,
    /// How the metrics read a rep.
    #[serde(default)]
    pub measures: MeasureSpec,
    /// How calibrated measurements become verdicts.
    pub decision: DecisionSpec,
    /// Per check and view, how the measurement reads (generated from the corpus). A check with
    /// entries is judged only from the views that have one.
    #[serde(default)]
    pub calibration: Vec<Calibration>,
    /// The landmarks the rules will read: only the calibration fitted on them applies (see
    /// [`ExerciseSpec::for_landmarks`]); not part of the file.
    #[serde(skip)]
    pub landmarks: LandmarkSet,
}

/// Errors loading an exercise spec.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("reading exercise spec {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid TOML of the spec's shape (unknown keys are rejected).
    #[error("parsing exercise spec: {0}")]
    Toml(#[from] toml::de::Error),
    /// The values are inconsistent.
    #[error("invalid exercise spec: {0}")]
    Invalid(String),
}

/// The `spec_version` this build reads; any other is refused (its meaning may differ).
pub const SPEC_VERSION: u32 = 1;

const EMBEDDED: &str = include_str!("../../../../exercises/cable-medius-kickback.toml");

/// The exercises shipped with the program, by name, as spec TOML embedded at build time; the
/// first is the default.
pub const BUNDLED: [(&str, &str); 2] = [
    ("cable-medius-kickback", EMBEDDED),
    ("cable-glute-kickback", include_str!("../../../../exercises/cable-glute-kickback.toml")),
];

impl ExerciseSpec {
    /// The spec's advice for a video in which no reps were found, when the view seen longest
    /// (`views`, the report's view segments) is one from which the movement can hide; `None`
    /// otherwise (nobody exercised, or the camera stood where reps would have shown).
    pub fn no_reps_advice(&self, views: &[crate::view::ViewSegment]) -> Option<&str> {
        let no_reps = self.no_reps.as_ref()?;
        let mut seen: Vec<(View, f64)> = Vec::new();
        for v in views {
            match seen.iter_mut().find(|(view, _)| *view == v.view) {
                Some((_, total)) => *total += v.end_s - v.start_s,
                None => seen.push((v.view, v.end_s - v.start_s)),
            }
        }
        let (longest, _) = seen.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
        no_reps.views.contains(&longest).then_some(no_reps.advice.as_str())
    }
}

impl ExerciseSpec {
    /// The cable medius kickback spec shipped with the program (embedded at build time).
    pub fn cable_medius_kickback() -> Result<ExerciseSpec, SpecError> {
        Self::from_toml_str(EMBEDDED)
    }

    /// The bundled exercise called `name` (see [`BUNDLED`]), `None` if there is none.
    pub fn bundled(name: &str) -> Option<Result<ExerciseSpec, SpecError>> {
        BUNDLED.iter().find(|(n, _)| *n == name).map(|(_, text)| Self::from_toml_str(text))
    }

    /// Loads and validates a spec file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<ExerciseSpec, SpecError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|source| SpecError::Io { path: path.display().to_string(), source })?;
        Self::from_toml_str(&text)
    }

    /// Parses and validates a spec from TOML text.
    pub fn from_toml_str(text: &str) -> Result<ExerciseSpec, SpecError> {
        let spec: ExerciseSpec = toml::from_str(text)?;
        spec.validate()?;
        Ok(spec)
    }

    /// The metrics each rep reports, in report order: the rep's amplitude, those the checks
    /// judge (with the trunk tipping back that the extension-vs-trunk check reads beside its
    /// own), and [`ExerciseSpec::reported_metrics`].
    pub fn reported_metrics(&self) -> std::collections::BTreeSet<Metric> {
        let mut out: std::collections::BTreeSet<Metric> = self.reported_metrics.iter().copied().collect();
        out.insert(Metric::Amplitude);
        for c in &self.checks {
            out.insert(c.metric);
            if c.metric == Metric::PeakHipExtensionRelTrunk {
                out.insert(Metric::TrunkBackChange);
            }
        }
        out
    }

    /// The spec of one check, if the exercise has it.
    pub fn check(&self, id: CheckId) -> Option<&CheckSpec> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The first check that judges `metric` (its settings, such as how long the reading must be
    /// sustained, shape how the metric is measured), if any does.
    pub fn check_judging(&self, metric: Metric) -> Option<&CheckSpec> {
        self.checks.iter().find(|c| c.metric == metric)
    }

    /// The calibration of `id` from `view`: `Ok(None)` when the check is not calibrated at all
    /// (judged on its raw measurement), `Err(())` when it is calibrated but not from this view.
    #[allow(clippy::result_unit_err)]
    pub fn calibration(&self, id: CheckId, view: View) -> Result<Option<&Calibration>, ()> {
        let mut any = false;
        for c in self.calibration.iter().filter(|c| c.check == id && c.landmarks == self.landmarks) {
            if c.view == view {
                return Ok(Some(c));
            }
            any = true;
        }
        // Another model's calibration does not carry over: a check calibrated for BlazePose
        // but not for these landmarks is not calibrated for them.
        if any || self.landmarks != LandmarkSet::Blazepose {
            Err(())
        } else {
            Ok(None)
        }
    }

    /// This spec as it applies to rules reading `landmarks` (the calibration fitted on them).
    pub fn for_landmarks(&self, landmarks: LandmarkSet) -> std::borrow::Cow<'_, ExerciseSpec> {
        if landmarks == self.landmarks {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(ExerciseSpec { landmarks, ..self.clone() })
        }
    }

    /// Whether `id` can be measured from `view`.
    pub fn measurable(&self, id: CheckId, view: View) -> bool {
        self.judgement(id, view).is_ok()
    }

    /// Why `id`, judged from `view`, says borderline on good reps too: the view's noise puts a
    /// good rep within `decision.ok_margin_sd` of the threshold, so only a large fault can show
    /// (`None` when the view tells a good rep from the threshold, or cannot judge at all).
    pub fn coarse_reason(&self, id: CheckId, view: View) -> Option<String> {
        let check = self.check(id)?;
        let cal = self.judgement(id, view).ok().flatten()?;
        let sd = cal.noise / cal.scale.abs();
        ((check.threshold - check.typical).abs() < self.decision.ok_margin_sd * sd).then(|| {
            format!(
                "from this camera view ({view}) only a large fault would show (±{sd:.1} {}): good reps read as borderline too",
                check.metric.unit()
            )
        })
    }

    /// How `id` is judged from `view`: on its calibrated reading (`Some`), on its raw reading
    /// (`None`, a check without calibration), or not at all, with why.
    pub fn judgement(&self, id: CheckId, view: View) -> Result<Option<&Calibration>, String> {
        let Some(check) = self.check(id) else { return Err("the exercise has no such check".into()) };
        if !check.views.contains(&view) {
            return Err(format!("it cannot be seen from this camera view ({view})"));
        }
        match self.calibration(id, view) {
            Ok(None) => Ok(None),
            Err(()) if self.landmarks == LandmarkSet::Keypoints => Err(format!(
                "its measurement from this camera view ({view}) has not been calibrated for a pose model without 3D \
                 landmarks (a BlazePose model's is)"
            )),
            Err(()) => Err(format!("its measurement from this camera view ({view}) has not been calibrated yet")),
            Ok(Some(c)) => {
                let sd = c.noise / c.scale.abs();
                if (check.threshold - check.typical).abs() < self.decision.min_separation_sd * sd {
                    Err(format!(
                        "from this camera view ({view}) its measurement is too noisy (±{sd:.1} {}) to tell a fault from a good rep",
                        check.metric.unit()
                    ))
                } else {
                    Ok(Some(c))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_spec_loads_with_its_checks_and_metrics() {
        let spec = ExerciseSpec::cable_medius_kickback().expect("embedded spec is valid");
        assert_eq!(spec.checks.len(), 11);
        let swing = spec.check(CheckId::new("swing")).expect("the kickback checks swing");
        assert_eq!(swing.metric, Metric::SwingRatio);
        assert_eq!(CheckId::new("swing"), CheckId::from_static("swing"));
    }

    #[test]
    fn no_reps_from_where_the_kick_can_hide_comes_with_advice() {
        use crate::view::ViewSegment;
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let seg = |start_s: f64, end_s: f64, view: View| ViewSegment { start_s, end_s, view };
        // Seen mostly from 45° behind (a second of side view on the way in): advice.
        let behind = [seg(0.0, 1.0, View::SideWorking), seg(1.0, 9.0, View::ObliqueBackWorking)];
        let advice = spec.no_reps_advice(&behind).expect("advice from behind");
        assert!(advice.contains("side"), "{advice}");
        // Side-on, reps would have shown: nobody exercised, nothing to change.
        assert_eq!(spec.no_reps_advice(&[seg(0.0, 9.0, View::SideSupport)]), None);
        // Nobody seen at all.
        assert_eq!(spec.no_reps_advice(&[]), None);
        // A spec without the table gives none, and an empty one is refused.
        let mut bare = spec.clone();
        bare.no_reps = None;
        assert_eq!(bare.no_reps_advice(&behind), None);
        bare.no_reps = Some(NoRepsSpec { views: vec![View::Back], advice: " ".into() });
        assert!(bare.validate().unwrap_err().to_string().contains("no_reps"));
    }

    #[test]
    fn how_metrics_read_a_rep_is_spec_data_checked_on_load() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        assert_eq!(spec.measures, MeasureSpec::default(), "the bundled file states the values");
        let mut reversed = spec.clone();
        reversed.measures.swing_transition = [0.8, 0.2];
        assert!(reversed.validate().unwrap_err().to_string().contains("measures.swing_transition"));
        let mut wide = spec.clone();
        wide.measures.knee_range_percentiles = [5.0, 120.0];
        assert!(wide.validate().unwrap_err().to_string().contains("measures.knee_range_percentiles"));
        let mut none = spec;
        none.measures.min_coverage = 0.0;
        assert!(none.validate().unwrap_err().to_string().contains("measures.min_coverage"));
        let unknown = EMBEDDED.replacen("[measures]", "[measures]\nsurprise = 1", 1);
        assert!(ExerciseSpec::from_toml_str(&unknown).unwrap_err().to_string().contains("surprise"));
    }

    #[test]
    fn every_bundled_exercise_loads_under_its_own_name() {
        for (name, _) in BUNDLED {
            let spec = ExerciseSpec::bundled(name).expect("bundled").expect("valid");
            assert_eq!(spec.exercise, name);
        }
        assert!(ExerciseSpec::bundled("cable-medius-kickback.toml").is_none());
    }

    #[test]
    fn each_landmark_set_is_judged_only_with_its_own_calibration() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let (lean, foot) = (crate::kickback::TORSO_LEAN_FORWARD, crate::kickback::SUPPORT_FOOT_SHIFT);
        let own = spec.judgement(lean, View::SideWorking).unwrap().unwrap();
        assert_eq!(own.landmarks, LandmarkSet::Blazepose);
        let keypoints = spec.for_landmarks(LandmarkSet::Keypoints);
        let theirs = keypoints.judgement(lean, View::SideWorking).unwrap().unwrap();
        assert_eq!(theirs.landmarks, LandmarkSet::Keypoints);
        // Calibrated for BlazePose only: not carried over to a model without 3D or feet.
        assert!(spec.judgement(foot, View::SideSupport).is_ok());
        let why = keypoints.judgement(foot, View::SideSupport).unwrap_err();
        assert!(why.contains("without 3D"), "{why}");
        assert!(matches!(spec.for_landmarks(LandmarkSet::Blazepose), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn a_view_too_coarse_to_clear_a_good_rep_says_why() {
        let mut spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let hike = CheckId::new("pelvis_hike");
        let check = spec.check(hike).unwrap().clone();
        let gap = (check.threshold - check.typical).abs();
        let cal = spec
            .calibration
            .iter_mut()
            .find(|c| c.check == hike && c.view == View::Back && c.landmarks == LandmarkSet::Blazepose)
            .unwrap();
        // A good rep 2 sd short of the threshold: judged, and cleared.
        cal.noise = cal.scale.abs() * gap / 2.0;
        assert!(spec.coarse_reason(hike, View::Back).is_none());
        // Half an sd short: judged, but a good rep reads borderline too.
        let cal = spec
            .calibration
            .iter_mut()
            .find(|c| c.check == hike && c.view == View::Back && c.landmarks == LandmarkSet::Blazepose)
            .unwrap();
        cal.noise = cal.scale.abs() * gap * 2.0;
        assert!(spec.measurable(hike, View::Back));
        let why = spec.coarse_reason(hike, View::Back).expect("too coarse to clear a good rep");
        assert!(why.contains("(back)") && why.contains("only a large fault"), "{why}");
        // A view that cannot judge at all says so elsewhere (not measurable), not here.
        assert!(spec.coarse_reason(hike, View::SideWorking).is_none());
    }

    #[test]
    fn an_exercise_lists_only_the_checks_it_needs() {
        // A movement without a sideways component has no leg-path check: valid, once its
        // calibration entries go with it.
        let mut spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let gone = CheckId::new("leg_path_sideways");
        spec.checks.retain(|c| c.id != gone);
        let orphaned = spec.clone();
        assert!(orphaned.validate().unwrap_err().to_string().contains("no such check"));
        spec.calibration.retain(|c| c.check != gone);
        spec.validate().expect("a spec without the leg-path check is valid");
        assert!(spec.judgement(gone, View::Back).is_err());
        // A new check may reuse any metric under its own id.
        let mut extra = spec.checks[0].clone();
        extra.id = CheckId::new("hip_extension_short");
        extra.metric = Metric::PeakHipExtension;
        spec.checks.push(extra);
        spec.validate().expect("a new check id is data");
        let mut bad_id = spec.clone();
        bad_id.checks[0].id = CheckId::new("Torso Lean");
        assert!(bad_id.validate().unwrap_err().to_string().contains("snake_case"));
        let unknown = EMBEDDED.replacen("metric = \"swing_ratio\"", "metric = \"swing_speed\"", 1);
        let err = ExerciseSpec::from_toml_str(&unknown).unwrap_err().to_string();
        assert!(err.contains("swing_speed") && err.contains("swing_ratio"), "{err}");
    }

    #[test]
    fn the_machine_is_spec_data() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let eq = spec.equipment.as_ref().expect("the kickback is done at a cable stack");
        assert_eq!(eq.default_machine_side, MachineSide::Either);
        assert_eq!(eq.holding_hand_margin_m, Some(0.08));
        let mut no_margin = spec.clone();
        no_margin.equipment.as_mut().unwrap().holding_hand_margin_m = Some(0.0);
        assert!(no_margin.validate().unwrap_err().to_string().contains("equipment.holding_hand_margin_m"));
        let mut unnamed = spec.clone();
        unnamed.equipment.as_mut().unwrap().machine = String::new();
        assert!(unnamed.validate().unwrap_err().to_string().contains("equipment.machine"));
        // An exercise without a machine is valid.
        let mut free = spec;
        free.equipment = None;
        free.validate().expect("no machine is fine");
        // Every rep reports the amplitude, the checks' metrics and the listed extras.
        let reported = free.reported_metrics();
        assert!(reported.contains(&Metric::Amplitude) && reported.contains(&Metric::PeakHipAbduction));
        assert!(free.checks.iter().all(|c| reported.contains(&c.metric)));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = format!("{EMBEDDED}\nsurprise = 1\n");
        let err = ExerciseSpec::from_toml_str(&text).unwrap_err();
        assert!(err.to_string().contains("surprise"), "{err}");
    }

    #[test]
    fn missing_or_duplicate_checks_and_bad_numbers_are_clear_errors() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let mut dup = spec.clone();
        dup.checks.push(dup.checks[0].clone());
        assert!(dup.validate().unwrap_err().to_string().contains("more than once"));
        let mut none = spec.clone();
        none.checks.clear();
        none.calibration.clear();
        assert!(none.validate().unwrap_err().to_string().contains("at least one check"));
        let mut neg = spec.clone();
        neg.reps.enter_deg = -1.0;
        assert!(neg.validate().unwrap_err().to_string().contains("reps.enter_deg"));
        let mut implausible = spec.clone();
        implausible.checks[0].plausible_max = Some(implausible.checks[0].threshold);
        assert!(implausible.validate().unwrap_err().to_string().contains("plausible_max"));
        let mut empty = spec.clone();
        empty.checks[2].cue = " ".into();
        assert!(empty.validate().unwrap_err().to_string().contains("cue must not be empty"));
        let mut bad_view = EMBEDDED.replacen("\"back\"", "\"ceiling\"", 1);
        bad_view.push('\n');
        assert!(ExerciseSpec::from_toml_str(&bad_view).is_err());
    }
}
