//! The person detector stage: letterboxed 224×224 crop in [-1, 1] → `pose_detection.onnx` →
//! decoded, suppressed detections in normalised image coordinates (`PoseDetectionCpu`).

use opencv::core::Mat;
use opencv::prelude::*;
use ort::session::Session;
use ort::value::Tensor;

use super::detection::{
    decode_detections, pose_detector_anchors, remove_detection_letterbox, weighted_nms, Anchor, Detection,
    DETECTOR_INPUT_SIZE, NMS_MIN_SUPPRESSION, NUM_ANCHORS, NUM_COORDS,
};
use super::geometry::{pad_to_aspect, PixelRect};
use super::image::{check_frame, Border, Cropper};
use super::models::{load_verified, pick_output};
use super::runtime::{build_session, ThreadSettings};
use super::PoseError;
use std::path::Path;

/// Detector model file name in the models directory.
pub const DETECTOR_FILE: &str = "pose_detection.onnx";

/// The pose detector with its session and reusable buffers.
pub struct PoseDetector {
    session: Session,
    input: Tensor<f32>,
    boxes_name: String,
    scores_name: String,
    anchors: Vec<Anchor>,
    cropper: Cropper,
    boxes: Vec<f32>,
    scores: Vec<f32>,
    decoded: Vec<Detection>,
}

impl PoseDetector {
    /// Loads and checks `pose_detection.onnx` from `models_dir`.
    pub fn new(models_dir: &Path, threads: ThreadSettings) -> Result<Self, PoseError> {
        let model = load_verified(models_dir, DETECTOR_FILE)?;
        let session = build_session(DETECTOR_FILE, &model.bytes, threads)?;
        let boxes_name =
            pick_output(&session, DETECTOR_FILE, model.output_for_role("regressors"), "regressors", |s| {
                s.last() == Some(&(NUM_COORDS as i64))
            })?;
        let scores_name = pick_output(&session, DETECTOR_FILE, model.output_for_role("scores"), "scores", |s| {
            s.len() == 3 && s[2] == 1
        })?;
        let s = DETECTOR_INPUT_SIZE as usize;
        let input = Tensor::from_array(([1usize, s, s, 3], vec![0.0f32; s * s * 3].into_boxed_slice()))
            .map_err(|e| PoseError::ort("detector input tensor", e))?;
        Ok(PoseDetector {
            session,
            input,
            boxes_name,
            scores_name,
            anchors: pose_detector_anchors(),
            cropper: Cropper::new()?,
            boxes: Vec::with_capacity(NUM_ANCHORS * NUM_COORDS),
            scores: Vec::with_capacity(NUM_ANCHORS),
            decoded: Vec::new(),
        })
    }

    /// Fills the input tensor from `bgr` (letterboxed, [-1, 1]) and returns the letterbox padding.
    fn preprocess(&mut self, bgr: &Mat) -> Result<super::geometry::Padding, PoseError> {
        check_frame(bgr)?;
        let (w, h) = (bgr.cols() as f32, bgr.rows() as f32);
        let full = PixelRect { cx: w / 2.0, cy: h / 2.0, w, h, rotation: 0.0 };
        let (rect, pad) = pad_to_aspect(full, DETECTOR_INPUT_SIZE, DETECTOR_INPUT_SIZE);
        let (_, buf) = self.input.try_extract_tensor_mut::<f32>().map_err(|e| PoseError::ort("detector input", e))?;
        self.cropper.crop(bgr, rect, DETECTOR_INPUT_SIZE, Border::Zero, (-1.0, 1.0), buf)?;
        Ok(pad)
    }

    /// Runs the model on the current input tensor, leaving raw outputs in `self.boxes/scores`.
    fn infer(&mut self) -> Result<(), PoseError> {
        let outputs =
            self.session.run(ort::inputs![&self.input]).map_err(|e| PoseError::ort("detector inference", e))?;
        let (_, boxes) = outputs[self.boxes_name.as_str()]
            .try_extract_tensor::<f32>()
            .map_err(|e| PoseError::ort("detector regressors", e))?;
        let (_, scores) = outputs[self.scores_name.as_str()]
            .try_extract_tensor::<f32>()
            .map_err(|e| PoseError::ort("detector scores", e))?;
        if boxes.len() != NUM_ANCHORS * NUM_COORDS || scores.len() != NUM_ANCHORS {
            return Err(PoseError::ModelShape {
                model: DETECTOR_FILE.into(),
                message: format!("outputs have {} and {} values", boxes.len(), scores.len()),
            });
        }
        self.boxes.clear();
        self.boxes.extend_from_slice(boxes);
        self.scores.clear();
        self.scores.extend_from_slice(scores);
        Ok(())
    }

    /// Runs only the model on an already prepared input (for benchmarks).
    pub fn infer_only(&mut self) -> Result<(), PoseError> {
        self.infer()
    }

    /// Detects people in `bgr`: detections with score ≥ `min_score` after weighted NMS, in
    /// normalised image coordinates, best first.
    pub fn detect(&mut self, bgr: &Mat, min_score: f32) -> Result<Vec<Detection>, PoseError> {
        let pad = self.preprocess(bgr)?;
        self.infer()?;
        self.decoded.clear();
        decode_detections(&self.boxes, &self.scores, &self.anchors, min_score, &mut self.decoded);
        let kept = weighted_nms(&self.decoded, NMS_MIN_SUPPRESSION);
        Ok(kept.iter().map(|d| remove_detection_letterbox(d, pad)).collect())
    }
}
