//! MoveNet SinglePose (Lightning, Thunder) on ONNX Runtime: the second pose model behind
//! [`PoseEstimator`].
//!
//! ```text
//! frame ─┬─(no track)→ BlazePose detector → upright square around the chosen person ─┐
//!        └─(tracking)→ upright square around the previous frame's keypoints ──────────┤
//!                                                                                      ▼
//!        MoveNet (int32 RGB crop) → 17 COCO keypoints (y, x, score) → person? → smooth → pose
//! ```
//!
//! MoveNet gives 17 COCO keypoints in the image only: no heel or toe, no hands beyond the wrist,
//! no depth and no 3D world landmarks. They land in their BlazePose slots of [`Pose`]; every
//! other slot has visibility and presence 0, and the world landmarks are NaN (absent), so the
//! rule engine can say which checks this model cannot support instead of reading zeros.

use std::path::Path;
use std::time::Instant;

use formcheck_core::landmarks::{ImagePoint, Pose, WorldPoint, COCO17_JOINTS, NUM_LANDMARKS};
use opencv::core::Mat;
use opencv::prelude::*;
use ort::session::Session;
use ort::value::Tensor;

use super::detector::PoseDetector;
use super::filter::{PointsSmoother, VisibilitySmoother, LANDMARKS_FILTER, VISIBILITY_ALPHA};
use super::image::{self, Border, Cropper};
use super::models::{load_verified, pick_output};
use super::runtime::{build_session, ThreadSettings};
use super::{find_person, follow, Clock, PoseConfig, PoseError, PoseEstimator, PoseOutput, Roi, StageTimings};
use crate::video::Frame;

/// Which MoveNet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveNetVariant {
    /// Lightning: 192×192 input, the faster.
    Lightning,
    /// Thunder: 256×256 input, the more accurate.
    Thunder,
}

impl MoveNetVariant {
    /// The ONNX file name in the models directory.
    pub fn file_name(self) -> &'static str {
        match self {
            MoveNetVariant::Lightning => "movenet_lightning.onnx",
            MoveNetVariant::Thunder => "movenet_thunder.onnx",
        }
    }

    /// The square input's side in pixels.
    pub fn input_size(self) -> u32 {
        match self {
            MoveNetVariant::Lightning => 192,
            MoveNetVariant::Thunder => 256,
        }
    }
}

/// COCO indices of the shoulders and hips.
const TORSO: [usize; 4] = [5, 6, 11, 12];

/// A keypoint below this score does not place the next frame's crop (MoveNet's own tracking
/// uses about this: lower scores are mostly guesses at hidden joints).
const MIN_KEYPOINT_SCORE: f32 = 0.2;

/// Below this mean score over the 12 body keypoints (shoulders to ankles) nobody is in the crop:
/// MoveNet always answers with 17 points, and on an empty crop their scores sit near 0.05–0.15.
const MIN_PERSON_SCORE: f32 = 0.25;

/// The next crop's side, in the confident keypoints' extent: room for the working leg to swing
/// out between two frames.
const CROP_MARGIN: f32 = 1.35;

/// The next crop's smallest side, in torso lengths (shoulder to hip midpoints): a body is about
/// three torso lengths tall, and a crop cut to the joints seen would lose a leg that reappears.
const MIN_CROP_TORSOS: f32 = 3.2;

/// MoveNet pose estimator for one video stream (or unrelated images in static mode).
pub struct MoveNet {
    cfg: PoseConfig,
    variant: MoveNetVariant,
    session: Session,
    input: Tensor<i32>,
    output_name: String,
    detector: PoseDetector,
    cropper: Cropper,
    /// The crop for the next frame, from this frame's keypoints (tracking).
    next_crop: Option<Roi>,
    keypoints: [[f32; 3]; 17],
    points: PointsSmoother,
    scores: VisibilitySmoother,
    clock: Clock,
    follow: follow::Follow,
}

impl MoveNet {
    /// Loads ONNX Runtime, the MoveNet model and the BlazePose detector (which finds the person
    /// to crop when nobody is tracked), checking both files against the manifest.
    pub fn new(cfg: PoseConfig, variant: MoveNetVariant) -> Result<Self, PoseError> {
        let threads = ThreadSettings { intra_threads: cfg.intra_threads, intra_spinning: cfg.intra_spinning };
        let file = variant.file_name();
        let model = load_verified(&cfg.models_dir, file)?;
        let session = build_session(file, &model.bytes, threads)?;
        let output_name =
            pick_output(&session, file, model.output_for_role("keypoints"), "keypoints", |s| s == [1, 1, 17, 3])?;
        let s = variant.input_size() as usize;
        let input = Tensor::from_array(([1usize, s, s, 3], vec![0i32; s * s * 3].into_boxed_slice()))
            .map_err(|e| PoseError::ort("movenet input tensor", e))?;
        let detector = PoseDetector::new(&cfg.models_dir, threads)?;
        let clock = Clock::new(cfg.smoothing_clock);
        Ok(MoveNet {
            cfg,
            variant,
            session,
            input,
            output_name,
            detector,
            cropper: Cropper::new()?,
            next_crop: None,
            keypoints: [[0.0; 3]; 17],
            points: PointsSmoother::new(LANDMARKS_FILTER),
            scores: VisibilitySmoother::default(),
            clock,
            follow: follow::Follow::default(),
        })
    }

    /// Which MoveNet this is.
    pub fn variant(&self) -> MoveNetVariant {
        self.variant
    }

    /// Forgets the tracked person and all smoothing state.
    pub fn reset(&mut self) {
        self.next_crop = None;
        self.points.reset();
        self.scores.reset();
        self.clock = Clock::new(self.cfg.smoothing_clock);
        self.follow.reset();
    }

    /// Estimates the pose in one BGR frame whose timestamp is `t_s` seconds.
    pub fn process(&mut self, bgr: &Mat, t_s: f64) -> Result<PoseOutput, PoseError> {
        let start = Instant::now();
        image::check_frame(bgr)?;
        let (w, h) = (bgr.cols() as u32, bgr.rows() as u32);
        let t_ns = self.clock.next_ns(t_s);
        let mut timings = StageTimings::default();
        let tracking = !self.cfg.static_mode;

        // A detection's region is turned upright: MoveNet was trained on upright crops.
        let tracked = self.next_crop.take().filter(|_| tracking);
        let was_tracking = tracked.is_some();
        let located = find_person(&mut self.detector, &mut self.follow, &self.cfg, bgr, t_s, tracked)?;
        let crop = located.roi.map(|roi| if was_tracking { roi } else { upright_square(&roi, w, h) });
        let (detector_ran, people_detected) = (located.detector_ran, located.people);
        timings.detector = located.detector_time;

        let mut found = false;
        if let Some(crop) = crop {
            let t0 = Instant::now();
            self.run(bgr, &crop)?;
            timings.landmarks = t0.elapsed();
            found = person_score(&self.keypoints) >= MIN_PERSON_SCORE;
        }

        let t0 = Instant::now();
        let pose = if found {
            let smooth = self.cfg.smooth && !self.cfg.static_mode;
            if smooth {
                let scale = crop.map_or(0.0, |c| c.width * w as f32);
                self.smooth(t_ns, scale);
            }
            if tracking {
                if let Some(next) = next_crop(&self.keypoints, w, h) {
                    self.follow.remember(&next, w, h, t_s);
                    self.next_crop = Some(next);
                }
            }
            Some(to_pose(&self.keypoints))
        } else {
            // Nobody this frame: smoothing restarts and the next frame detects again.
            self.points.reset();
            self.scores.reset();
            None
        };
        timings.post = t0.elapsed();
        timings.total = start.elapsed();
        Ok(PoseOutput { pose, roi: crop, detector_ran, people_detected, timings })
    }

    /// Runs the model on `crop` of `bgr`, leaving the keypoints in image pixels with their scores.
    fn run(&mut self, bgr: &Mat, crop: &Roi) -> Result<(), PoseError> {
        let size = self.variant.input_size();
        let rect = crop.to_pixels(bgr.cols() as u32, bgr.rows() as u32);
        {
            let (_, buf) =
                self.input.try_extract_tensor_mut::<i32>().map_err(|e| PoseError::ort("movenet input", e))?;
            self.cropper.crop_i32(bgr, rect, size, Border::Zero, buf)?;
        }
        let outputs =
            self.session.run(ort::inputs![&self.input]).map_err(|e| PoseError::ort("movenet inference", e))?;
        let (_, out) = outputs[self.output_name.as_str()]
            .try_extract_tensor::<f32>()
            .map_err(|e| PoseError::ort("movenet output", e))?;
        if out.len() != 17 * 3 {
            return Err(PoseError::ModelShape {
                model: self.variant.file_name().to_string(),
                message: format!("{} output values, expected 51", out.len()),
            });
        }
        let (x0, y0) = (rect.cx - rect.w / 2.0, rect.cy - rect.h / 2.0);
        for (k, p) in self.keypoints.iter_mut().enumerate() {
            let (y, x, score) = (out[k * 3], out[k * 3 + 1], out[k * 3 + 2]);
            *p = [x0 + x * rect.w, y0 + y * rect.h, score];
        }
        Ok(())
    }

    /// One Euro smoothing of the keypoints (pixels, scaled by the crop's side) and a low-pass of
    /// their scores, as the BlazePose path smooths its landmarks.
    fn smooth(&mut self, t_ns: i64, object_scale: f32) {
        let mut pts = [[0.0f32; 3]; 17];
        let mut scores = [0.0f32; 17];
        for ((p, s), k) in pts.iter_mut().zip(scores.iter_mut()).zip(self.keypoints.iter()) {
            *p = [k[0], k[1], 0.0];
            *s = k[2];
        }
        self.points.apply(t_ns, object_scale, &mut pts);
        self.scores.apply(VISIBILITY_ALPHA, &mut scores);
        for ((k, p), s) in self.keypoints.iter_mut().zip(pts.iter()).zip(scores.iter()) {
            *k = [p[0], p[1], *s];
        }
    }
}

impl PoseEstimator for MoveNet {
    fn estimate(&mut self, frame: &Frame) -> Result<PoseOutput, PoseError> {
        self.process(&frame.image, frame.t_s)
    }

    fn reset(&mut self) {
        MoveNet::reset(self);
    }
}

/// Mean score of the 12 body keypoints (shoulders to ankles).
fn person_score(k: &[[f32; 3]; 17]) -> f32 {
    k[5..].iter().map(|p| p[2]).sum::<f32>() / 12.0
}

/// An upright square ROI (pixels square) with the centre of `roi` and the larger of its sides.
fn upright_square(roi: &Roi, w: u32, h: u32) -> Roi {
    let side = (roi.width * w as f32).max(roi.height * h as f32);
    Roi {
        x_center: roi.x_center,
        y_center: roi.y_center,
        width: side / w as f32,
        height: side / h as f32,
        rotation: 0.0,
    }
}

/// The next frame's crop from this frame's keypoints (pixels): an upright square around the
/// confident ones, or `None` when the torso is not among them (then the detector looks again).
fn next_crop(k: &[[f32; 3]; 17], w: u32, h: u32) -> Option<Roi> {
    let ok = |i: usize| k[i][2] >= MIN_KEYPOINT_SCORE && k[i][0].is_finite() && k[i][1].is_finite();
    let mid = |a: usize, b: usize| {
        let n = usize::from(ok(a)) + usize::from(ok(b));
        (n > 0).then(|| {
            let (sa, sb) = (f32::from(u8::from(ok(a))), f32::from(u8::from(ok(b))));
            ((k[a][0] * sa + k[b][0] * sb) / n as f32, (k[a][1] * sa + k[b][1] * sb) / n as f32)
        })
    };
    let (shoulders, hips) = (mid(5, 6)?, mid(11, 12)?);
    if !TORSO.iter().any(|&i| ok(i)) {
        return None;
    }
    let torso = (shoulders.0 - hips.0).hypot(shoulders.1 - hips.1);
    let (mut x0, mut y0, mut x1, mut y1) = (f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY);
    for p in k.iter().enumerate().filter(|(i, _)| ok(*i)).map(|(_, p)| p) {
        (x0, y0, x1, y1) = (x0.min(p[0]), y0.min(p[1]), x1.max(p[0]), y1.max(p[1]));
    }
    let side = ((x1 - x0).max(y1 - y0) * CROP_MARGIN).max(torso * MIN_CROP_TORSOS);
    if !side.is_finite() || side < 8.0 {
        return None;
    }
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    Some(Roi {
        x_center: cx / w as f32,
        y_center: cy / h as f32,
        width: side / w as f32,
        height: side / h as f32,
        rotation: 0.0,
    })
}

/// A keypoint score read as BlazePose's visibility: the rule engine drops a joint under a
/// visibility of 0.5 (`visibility.min_visibility`), which BlazePose gives a joint it sees at
/// 0.9–1.0. MoveNet scores joints it sees at 0.4–0.7 (the rendered samples: median 0.5–0.67 on
/// hips, knees and ankles in plain view) and guesses under 0.2, so its scores are mapped
/// linearly from [`SCORE_UNSEEN`]..[`SCORE_SEEN`] to 0..1: a score of 0.3 is visibility 0.5.
fn visibility_of(score: f32) -> f32 {
    ((score - SCORE_UNSEEN) / (SCORE_SEEN - SCORE_UNSEEN)).clamp(0.0, 1.0)
}

/// The MoveNet score read as visibility 0 (see [`visibility_of`]).
const SCORE_UNSEEN: f32 = 0.1;
/// The MoveNet score read as visibility 1.
const SCORE_SEEN: f32 = 0.5;

/// The keypoints (pixels, score) in their BlazePose slots; everything MoveNet does not give is
/// absent (visibility and presence 0, world NaN).
fn to_pose(k: &[[f32; 3]; 17]) -> Pose {
    let nan = WorldPoint { x: f32::NAN, y: f32::NAN, z: f32::NAN };
    let mut pose = Pose { image: [ImagePoint::default(); NUM_LANDMARKS], world: [nan; NUM_LANDMARKS] };
    for (p, joint) in k.iter().zip(COCO17_JOINTS) {
        let v = visibility_of(p[2]);
        pose.image[joint.index()] = ImagePoint { x: p[0], y: p[1], z: 0.0, visibility: v, presence: v };
    }
    pose
}

/// Whether `dir` holds the MoveNet model files (for tests and tools).
pub fn available(dir: &Path, variant: MoveNetVariant) -> bool {
    dir.join(variant.file_name()).is_file()
}

#[cfg(test)]
mod tests {
    use super::*;
    use formcheck_core::landmarks::Joint;

    fn standing(cx: f32, top: f32, height: f32) -> [[f32; 3]; 17] {
        // A rough upright figure: head at `top`, ankles at `top + height`.
        let y = |f: f32| top + f * height;
        let mut k = [[0.0, 0.0, 0.9]; 17];
        let rows = [0.0, 0.0, 0.0, 0.02, 0.02, 0.18, 0.18, 0.33, 0.33, 0.47, 0.47, 0.52, 0.52, 0.74, 0.74, 1.0, 1.0];
        for (i, r) in rows.iter().enumerate() {
            let dx = if i % 2 == 1 { -0.08 } else { 0.08 } * height;
            k[i] = [cx + if i == 0 { 0.0 } else { dx }, y(*r), 0.9];
        }
        k
    }

    #[test]
    fn the_next_crop_is_a_pixel_square_around_the_body() {
        let k = standing(500.0, 200.0, 600.0);
        let roi = next_crop(&k, 1280, 720).expect("a crop");
        let (wpx, hpx) = (roi.width * 1280.0, roi.height * 720.0);
        assert!((wpx - hpx).abs() < 1e-3, "{wpx} vs {hpx}");
        assert!(wpx >= 600.0 * CROP_MARGIN - 1.0, "{wpx}");
        assert!((roi.y_center * 720.0 - 500.0).abs() < 1.0, "{}", roi.y_center * 720.0);
        assert_eq!(roi.rotation, 0.0);
    }

    #[test]
    fn no_torso_means_no_crop_and_low_scores_mean_nobody() {
        let mut k = standing(500.0, 200.0, 600.0);
        for i in [5, 6, 11, 12] {
            k[i][2] = 0.05;
        }
        assert!(next_crop(&k, 1280, 720).is_none());
        let empty = [[10.0, 10.0, 0.1]; 17];
        assert!(person_score(&empty) < MIN_PERSON_SCORE);
        assert!(person_score(&standing(500.0, 200.0, 600.0)) >= MIN_PERSON_SCORE);
    }

    #[test]
    fn keypoints_land_in_their_blazepose_slots_and_nothing_else_is_given() {
        let k = standing(500.0, 200.0, 600.0);
        let pose = to_pose(&k);
        assert_eq!(pose.image_point(Joint::LeftKnee).x, k[13][0]);
        assert_eq!(pose.image_point(Joint::RightAnkle).y, k[16][1]);
        assert_eq!(pose.image_point(Joint::LeftHeel).visibility, 0.0);
        assert_eq!(pose.image_point(Joint::RightFootIndex).presence, 0.0);
        assert!(pose.world.iter().all(|w| w.x.is_nan()));
        assert!((visibility_of(0.3) - 0.5).abs() < 1e-6);
        assert_eq!(visibility_of(0.05), 0.0);
        assert_eq!(visibility_of(0.9), 1.0);
    }
}
