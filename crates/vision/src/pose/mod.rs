//! BlazePose on ONNX Runtime: MediaPipe's legacy `solutions.pose` pipeline, stage by stage.
//!
//! ```text
//! frame ─┬─(no track)→ detector (224² letterbox) → weighted NMS → ROI from keypoints 0/1 ×1.25 ─┐
//!        └─(tracking)→ ROI from the previous frame's auxiliary landmarks ─────────────────────────┤
//!                                                                                                 ▼
//!        landmark model (256² rotated crop) → flag ≥ min_tracking? → heatmap refine → project → smooth
//!                                                                    → next ROI from aux landmarks
//! ```
//!
//! Stages: [`detection`] (anchors, decoding, NMS), [`geometry`] (ROIs and transforms),
//! [`image`] (crops), [`detector`] and [`landmark`] (models), [`filter`] (One Euro smoothing),
//! [`runtime`] and [`models`] (ONNX Runtime and checked model files). [`BlazePose`] wires them
//! together as `mediapipe/modules/pose_landmark/pose_landmark_cpu.pbtxt` does.
//!
//! The pipeline sees a pose model only through the [`PoseEstimator`] trait: [`BlazePose`] is the
//! one formcheck ships, and [`replay::ReplayedPoses`] plays back landmarks it recorded earlier.

pub mod detection;
pub mod detector;
mod error;
pub mod filter;
pub mod follow;
pub mod geometry;
pub mod image;
pub mod landmark;
pub mod models;
pub mod movenet;
pub mod replay;
pub mod runtime;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::video::Frame;
use formcheck_core::landmarks::{ImagePoint, Pose, WorldPoint, NUM_LANDMARKS};
use opencv::core::Mat;
use opencv::prelude::*;

pub use error::PoseError;
pub use geometry::Roi;

use detector::PoseDetector;
use filter::{PointsSmoother, VisibilitySmoother, AUX_FILTER, LANDMARKS_FILTER, VISIBILITY_ALPHA, WORLD_FILTER};
use geometry::{alignment_points_to_roi, transform_roi};
use landmark::{LandmarkModel, RoiLandmarks, NUM_BODY};
use runtime::ThreadSettings;

/// `rotation_vector_target_angle_degrees: 90` (pose_detection_to_roi.pbtxt, pose_landmarks_to_roi.pbtxt).
const ROI_TARGET_ANGLE: f32 = std::f32::consts::FRAC_PI_2;
/// `scale_x/scale_y: 1.25` with `square_long: true` (same files).
const ROI_SCALE: f32 = 1.25;
/// The legacy Python API's timestamp step: +33333 µs per `process()` call (solution_base.py).
const FAKE_FRAME_US: i64 = 33_333;
/// Auxiliary landmark indices: hip centre and the scale/rotation point.
const AUX_CENTER: usize = 33;
const AUX_SCALE: usize = 34;

/// Which landmark model to run (`model_complexity` 0, 1, 2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ModelComplexity {
    /// `pose_landmark_lite` (complexity 0).
    Lite,
    /// `pose_landmark_full` (complexity 1, MediaPipe's default).
    #[default]
    Full,
    /// `pose_landmark_heavy` (complexity 2).
    Heavy,
}

impl ModelComplexity {
    /// The ONNX file name in the models directory.
    pub fn file_name(self) -> &'static str {
        match self {
            ModelComplexity::Lite => "pose_landmark_lite.onnx",
            ModelComplexity::Full => "pose_landmark_full.onnx",
            ModelComplexity::Heavy => "pose_landmark_heavy.onnx",
        }
    }
}

/// Which pose model to run: BlazePose (33 landmarks with 3D world landmarks) at one of its
/// sizes, or MoveNet (17 COCO keypoints, image only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoseModel {
    /// BlazePose with this landmark model.
    BlazePose(ModelComplexity),
    /// MoveNet SinglePose.
    MoveNet(movenet::MoveNetVariant),
}

impl Default for PoseModel {
    fn default() -> Self {
        PoseModel::BlazePose(ModelComplexity::Full)
    }
}

impl PoseModel {
    /// The name the CLI and reports use (`full`, `movenet-thunder`, ...).
    pub fn name(self) -> &'static str {
        match self {
            PoseModel::BlazePose(ModelComplexity::Lite) => "lite",
            PoseModel::BlazePose(ModelComplexity::Full) => "full",
            PoseModel::BlazePose(ModelComplexity::Heavy) => "heavy",
            PoseModel::MoveNet(movenet::MoveNetVariant::Lightning) => "movenet-lightning",
            PoseModel::MoveNet(movenet::MoveNetVariant::Thunder) => "movenet-thunder",
        }
    }
}

/// Opens the estimator `cfg.model` names.
pub fn open_estimator(cfg: PoseConfig) -> Result<Box<dyn PoseEstimator + Send>, PoseError> {
    Ok(match cfg.model {
        PoseModel::BlazePose(_) => Box::new(BlazePose::new(cfg)?),
        PoseModel::MoveNet(variant) => Box::new(movenet::MoveNet::new(cfg, variant)?),
    })
}

/// The clock that drives the landmark smoothing filters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SmoothingClock {
    /// +33333 µs per processed frame, starting at 33333 — what MediaPipe's legacy Python API does
    /// whatever the real frame rate; needed to match the reference output.
    #[default]
    Fake30Fps,
    /// The frames' own timestamps (`t_s` passed to [`BlazePose::process`]).
    Timestamps,
}

/// Settings for [`BlazePose`].
#[derive(Clone, Debug, PartialEq)]
pub struct PoseConfig {
    /// The pose model (BlazePose's landmark model size, or MoveNet).
    pub model: PoseModel,
    /// Directory holding the `.onnx` files and `manifest.json`.
    pub models_dir: PathBuf,
    /// Run the detector on every frame and do not smooth (MediaPipe's `static_image_mode`).
    pub static_mode: bool,
    /// Smooth landmarks across frames (ignored in static mode).
    pub smooth: bool,
    /// Clock for the smoothing filters.
    pub smoothing_clock: SmoothingClock,
    /// Minimum detector score (`min_detection_confidence`, default 0.5).
    pub min_detection_confidence: f32,
    /// Minimum pose flag to keep tracking (`min_tracking_confidence`, default 0.5).
    pub min_tracking_confidence: f32,
    /// ONNX Runtime intra-op threads per session (0 = ONNX Runtime's choice).
    pub intra_threads: usize,
    /// Let idle ONNX Runtime threads spin between ops.
    pub intra_spinning: bool,
    /// After tracking is lost, re-detect only near where the tracked person was (see
    /// [`follow`]); `false` takes the most prominent person, as MediaPipe does.
    pub lock_on: bool,
    /// While tracking, count the people in view every [`follow::CENSUS_INTERVAL_S`] of video
    /// (reported in [`PoseOutput::people_detected`]; tracking is not affected).
    pub count_people: bool,
}

impl PoseConfig {
    /// MediaPipe's defaults (full model, video mode with smoothing on the fake 30 fps clock,
    /// confidences 0.5) with models from `models_dir`.
    pub fn new(models_dir: impl Into<PathBuf>) -> Self {
        PoseConfig {
            model: PoseModel::default(),
            models_dir: models_dir.into(),
            static_mode: false,
            smooth: true,
            smoothing_clock: SmoothingClock::Fake30Fps,
            min_detection_confidence: 0.5,
            min_tracking_confidence: 0.5,
            intra_threads: 2,
            intra_spinning: false,
            lock_on: true,
            count_people: true,
        }
    }
}

/// Wall time spent in each stage for one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageTimings {
    /// Detector (crop, inference, decoding, NMS); zero when it did not run.
    pub detector: Duration,
    /// Landmark model (crop, inference, decoding, projection).
    pub landmarks: Duration,
    /// Smoothing and next-ROI computation.
    pub post: Duration,
    /// Whole `process` call.
    pub total: Duration,
}

/// The result of one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct PoseOutput {
    /// The tracked person, or `None` when nobody was found.
    pub pose: Option<Pose>,
    /// The region the landmark model looked at this frame, if it ran.
    pub roi: Option<Roi>,
    /// Whether the detector ran this frame.
    pub detector_ran: bool,
    /// People the detector found (after non-maximum suppression) when it ran this frame, to
    /// re-detect or to count the people in view (see [`follow`]).
    pub people_detected: Option<usize>,
    /// Per-stage timings.
    pub timings: StageTimings,
}

/// Timestamps for the smoothing filters, in nanoseconds.
#[derive(Clone, Copy, Debug)]
struct Clock {
    kind: SmoothingClock,
    frames: i64,
    last_ns: Option<i64>,
}

impl Clock {
    fn new(kind: SmoothingClock) -> Self {
        Clock { kind, frames: 0, last_ns: None }
    }

    /// The timestamp of the next processed frame whose own time is `t_s` seconds.
    fn next_ns(&mut self, t_s: f64) -> i64 {
        self.frames += 1;
        match self.kind {
            // solution_base.py adds 33333 µs before stamping, so the first frame is at 33333 µs.
            SmoothingClock::Fake30Fps => self.frames * FAKE_FRAME_US * 1000,
            SmoothingClock::Timestamps => {
                // Microsecond resolution like MediaPipe packets, kept strictly increasing (the
                // filters ignore a sample whose time does not advance).
                let mut t = (t_s * 1e6).round() as i64 * 1000;
                if let Some(last) = self.last_ns {
                    if t <= last {
                        t = last + 1000;
                    }
                }
                self.last_ns = Some(t);
                t
            }
        }
    }
}

/// Smoothing state (`PoseLandmarkFiltering`).
struct Smoothers {
    visibility: VisibilitySmoother,
    landmarks: PointsSmoother,
    world: PointsSmoother,
    aux: PointsSmoother,
}

impl Smoothers {
    fn new() -> Self {
        Smoothers {
            visibility: VisibilitySmoother::default(),
            landmarks: PointsSmoother::new(LANDMARKS_FILTER),
            world: PointsSmoother::new(WORLD_FILTER),
            aux: PointsSmoother::new(AUX_FILTER),
        }
    }

    fn reset(&mut self) {
        self.visibility.reset();
        self.landmarks.reset();
        self.world.reset();
        self.aux.reset();
    }
}

/// What the pipeline needs of a pose model: the person in each frame of a video, in order.
pub trait PoseEstimator {
    /// Estimates the pose in `frame` (the next frame of the current video).
    fn estimate(&mut self, frame: &Frame) -> Result<PoseOutput, PoseError>;

    /// Forgets the tracked person and any smoothing state (start of a new video).
    fn reset(&mut self);
}

impl<T: PoseEstimator + ?Sized> PoseEstimator for Box<T> {
    fn estimate(&mut self, frame: &Frame) -> Result<PoseOutput, PoseError> {
        (**self).estimate(frame)
    }

    fn reset(&mut self) {
        (**self).reset();
    }
}

/// BlazePose pose estimator for one video stream (or a series of unrelated images in static mode).
pub struct BlazePose {
    cfg: PoseConfig,
    detector: PoseDetector,
    landmarks: LandmarkModel,
    /// ROI for the next frame, derived from this frame's landmarks (tracking).
    next_roi: Option<Roi>,
    smoothers: Smoothers,
    clock: Clock,
    follow: follow::Follow,
}

impl BlazePose {
    /// Loads ONNX Runtime and both models (checking their sha256 against the manifest).
    pub fn new(cfg: PoseConfig) -> Result<Self, PoseError> {
        for (name, v) in [
            ("min_detection_confidence", cfg.min_detection_confidence),
            ("min_tracking_confidence", cfg.min_tracking_confidence),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(PoseError::Config(format!("{name} must be in [0, 1], got {v}")));
            }
        }
        let PoseModel::BlazePose(complexity) = cfg.model else {
            return Err(PoseError::Config(format!("{} is not a BlazePose model", cfg.model.name())));
        };
        let threads = ThreadSettings { intra_threads: cfg.intra_threads, intra_spinning: cfg.intra_spinning };
        let cfg_clock = cfg.smoothing_clock;
        // The two sessions are built side by side: each spends tens of milliseconds optimising
        // its graph on one core.
        let (detector, landmarks) = std::thread::scope(|s| {
            let building = s.spawn(|| PoseDetector::new(&cfg.models_dir, threads));
            let landmarks = LandmarkModel::new(&cfg.models_dir, complexity.file_name(), threads);
            (building.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), landmarks)
        });
        let (detector, landmarks) = (detector?, landmarks?);
        Ok(BlazePose {
            cfg,
            detector,
            landmarks,
            next_roi: None,
            smoothers: Smoothers::new(),
            clock: Clock::new(cfg_clock),
            follow: follow::Follow::default(),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &PoseConfig {
        &self.cfg
    }

    /// Forgets the tracked person and all smoothing state (start of a new video).
    pub fn reset(&mut self) {
        self.next_roi = None;
        self.smoothers.reset();
        self.clock = Clock::new(self.cfg.smoothing_clock);
        self.follow.reset();
    }

    /// Direct access to the detector stage (benchmarks, tools).
    pub fn detector_mut(&mut self) -> &mut PoseDetector {
        &mut self.detector
    }

    /// Direct access to the landmark stage (benchmarks, tools).
    pub fn landmark_model_mut(&mut self) -> &mut LandmarkModel {
        &mut self.landmarks
    }

    /// Estimates the pose in one frame.
    ///
    /// `bgr`: CV_8UC3 Mat of the decoded frame; `t_s`: its timestamp in seconds (used only with
    /// [`SmoothingClock::Timestamps`]).
    pub fn process(&mut self, bgr: &Mat, t_s: f64) -> Result<PoseOutput, PoseError> {
        let start = Instant::now();
        image::check_frame(bgr)?;
        let (w, h) = (bgr.cols() as u32, bgr.rows() as u32);
        let t_ns = self.clock.next_ns(t_s);
        let mut timings = StageTimings::default();
        let tracking = !self.cfg.static_mode;

        let tracked = self.next_roi.take().filter(|_| tracking);
        let found = find_person(&mut self.detector, &mut self.follow, &self.cfg, bgr, t_s, tracked)?;
        let (roi, detector_ran, people_detected) = (found.roi, found.detector_ran, found.people);
        timings.detector = found.detector_time;

        let mut result = None;
        if let Some(roi) = roi {
            let t0 = Instant::now();
            let found = self.landmarks.run(bgr, &roi)?;
            timings.landmarks = t0.elapsed();
            if found.flag >= self.cfg.min_tracking_confidence {
                result = Some(found);
            }
        }

        let t0 = Instant::now();
        let pose = match result {
            None => {
                // No landmarks this frame: MediaPipe's smoothing calculators reset, tracking stops.
                self.smoothers.reset();
                None
            }
            Some(mut found) => {
                let smooth = self.cfg.smooth && !self.cfg.static_mode;
                let next = self.post_process(&mut found, w, h, t_ns, smooth);
                if tracking {
                    self.follow.remember(&next, w, h, t_s);
                    self.next_roi = Some(next);
                }
                Some(to_pose(&found, w, h))
            }
        };
        timings.post = t0.elapsed();
        timings.total = start.elapsed();
        Ok(PoseOutput { pose, roi, detector_ran, people_detected, timings })
    }

    /// Smooths `found` in place (`PoseLandmarkFiltering`) and returns the next frame's ROI
    /// (`PoseLandmarksToRoi` on the filtered auxiliary landmarks).
    fn post_process(&mut self, found: &mut RoiLandmarks, w: u32, h: u32, t_ns: i64, smooth: bool) -> Roi {
        let (wf, hf) = (w as f32, h as f32);
        let lm = &mut found.landmarks;
        // Object scale: ROI from the *unfiltered* auxiliary landmarks, without scaling.
        let scale_roi = alignment_points_to_roi(
            (lm[AUX_CENTER].x, lm[AUX_CENTER].y),
            (lm[AUX_SCALE].x, lm[AUX_SCALE].y),
            w,
            h,
            ROI_TARGET_ANGLE,
        );
        let object_scale = (scale_roi.width * wf + scale_roi.height * hf) / 2.0;

        if smooth {
            let mut vis = [0.0f32; NUM_BODY];
            for (v, l) in vis.iter_mut().zip(lm.iter()) {
                *v = l.visibility;
            }
            self.smoothers.visibility.apply(VISIBILITY_ALPHA, &mut vis);
            let mut pts = [[0.0f32; 3]; NUM_BODY];
            for (p, l) in pts.iter_mut().zip(lm.iter()) {
                *p = [l.x * wf, l.y * hf, l.z * wf];
            }
            self.smoothers.landmarks.apply(t_ns, object_scale, &mut pts);
            for ((l, p), v) in lm.iter_mut().zip(pts.iter()).zip(vis.iter()) {
                l.x = p[0] / wf;
                l.y = p[1] / hf;
                l.z = p[2] / wf;
                l.visibility = *v;
            }
            self.smoothers.world.apply(t_ns, 1.0, &mut found.world);
        }

        // The auxiliary landmarks are always smoothed (not behind the SMOOTH_LANDMARKS switch).
        let mut aux = [[0.0f32; 3]; 2];
        for (p, l) in aux.iter_mut().zip(&lm[AUX_CENTER..=AUX_SCALE]) {
            *p = [l.x * wf, l.y * hf, l.z * wf];
        }
        self.smoothers.aux.apply(t_ns, object_scale, &mut aux);
        let next = alignment_points_to_roi(
            (aux[0][0] / wf, aux[0][1] / hf),
            (aux[1][0] / wf, aux[1][1] / hf),
            w,
            h,
            ROI_TARGET_ANGLE,
        );
        transform_roi(next, w, h, ROI_SCALE, ROI_SCALE, true)
    }
}

impl PoseEstimator for BlazePose {
    fn estimate(&mut self, frame: &Frame) -> Result<PoseOutput, PoseError> {
        self.process(&frame.image, frame.t_s)
    }

    fn reset(&mut self) {
        BlazePose::reset(self);
    }
}

/// Where to look for the person this frame, and what finding them cost.
struct Found {
    /// The region to run the pose model on, if anyone is there.
    roi: Option<Roi>,
    /// Whether the detector ran to find them.
    detector_ran: bool,
    /// People the detector saw, when it ran (to re-detect or for the census).
    people: Option<usize>,
    /// Time spent in the detector.
    detector_time: Duration,
}

/// The region of the person to track this frame: the one `tracked` from the previous frame's
/// landmarks (counting the people in view when the census is due), or else the one the detector
/// finds, chosen by the lock-on (see [`follow`]) or as the most prominent. Shared by every pose
/// model that crops from BlazePose's detector.
fn find_person(
    detector: &mut PoseDetector,
    follow: &mut follow::Follow,
    cfg: &PoseConfig,
    bgr: &Mat,
    t_s: f64,
    tracked: Option<Roi>,
) -> Result<Found, PoseError> {
    let (w, h) = (bgr.cols() as u32, bgr.rows() as u32);
    let t0 = Instant::now();
    if let Some(roi) = tracked {
        let people = if cfg.count_people && follow.census_due(t_s) {
            Some(detector.detect(bgr, cfg.min_detection_confidence)?.len())
        } else {
            None
        };
        let detector_time = if people.is_some() { t0.elapsed() } else { Duration::ZERO };
        return Ok(Found { roi: Some(roi), detector_ran: false, people, detector_time });
    }
    let detections = detector.detect(bgr, cfg.min_detection_confidence)?;
    let detector_time = t0.elapsed();
    let pick = if !cfg.static_mode && cfg.lock_on {
        follow.choose(&detections, w, h, t_s)
    } else {
        (!detections.is_empty()).then_some(0)
    };
    let roi = pick.map(|i| detection_to_roi(&detections[i], w, h));
    Ok(Found { roi, detector_ran: true, people: Some(detections.len()), detector_time })
}

/// ROI for the landmark model from a detection: keypoint 0 (hip centre) and 1 (scale point),
/// target angle 90°, squared on the long side, ×1.25 (pose_detection_to_roi.pbtxt).
pub fn detection_to_roi(d: &detection::Detection, w: u32, h: u32) -> Roi {
    let roi = alignment_points_to_roi(d.keypoints[0], d.keypoints[1], w, h, ROI_TARGET_ANGLE);
    transform_roi(roi, w, h, ROI_SCALE, ROI_SCALE, true)
}

fn to_pose(found: &RoiLandmarks, w: u32, h: u32) -> Pose {
    let mut pose =
        Pose { image: [ImagePoint::default(); NUM_LANDMARKS], world: [WorldPoint::default(); NUM_LANDMARKS] };
    for (dst, l) in pose.image.iter_mut().zip(found.landmarks.iter()) {
        *dst =
            ImagePoint { x: l.x * w as f32, y: l.y * h as f32, z: l.z, visibility: l.visibility, presence: l.presence };
    }
    for (dst, p) in pose.world.iter_mut().zip(found.world.iter()) {
        *dst = WorldPoint { x: p[0], y: p[1], z: p[2] };
    }
    pose
}

/// Where the models are: `$FORMCHECK_MODELS`, else `models/` two levels above the executable's
/// directory when it runs from `target/<profile>/` (or three from `target/<profile>/deps|examples`),
/// else the workspace's `models/` via this crate's manifest directory.
pub fn default_models_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("FORMCHECK_MODELS").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Ok(exe) = std::env::current_exe() {
        for up in [3usize, 4] {
            let mut dir: Option<&Path> = Some(exe.as_path());
            for _ in 0..up {
                dir = dir.and_then(Path::parent);
            }
            if let Some(d) = dir {
                let candidate = d.join("models");
                if candidate.join("manifest.json").is_file() {
                    return candidate;
                }
            }
        }
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models"))
}

#[cfg(test)]
mod tests;
