//! The landmark stage: rotated 256×256 crop of the ROI in [0, 1] → `pose_landmark_*.onnx` →
//! 39 landmarks (33 + auxiliary) refined by the heatmap and projected to the image, plus world
//! landmarks rotated by the ROI (`PoseLandmarkByRoiCpu`, `TensorsToPoseLandmarksAndSegmentation`).

use std::path::Path;

use opencv::core::Mat;
use opencv::prelude::*;
use ort::session::Session;
use ort::value::Tensor;

use super::geometry::{pad_to_aspect, remove_letterbox, Roi};
use super::image::{Border, Cropper};
use super::models::{load_verified, pick_output};
use super::runtime::{build_session, ThreadSettings};
use super::PoseError;

/// Landmark model input side (`output_tensor_width/height: 256`).
pub const LANDMARK_INPUT_SIZE: u32 = 256;
/// Landmarks the model predicts: 33 body points + 6 auxiliary (`num_landmarks: 39`).
pub const NUM_ALL_LANDMARKS: usize = 39;
/// Body landmarks.
pub const NUM_BODY: usize = 33;
/// Heatmap refinement window. Today's `tensors_to_pose_landmarks_and_segmentation.pbtxt` sets
/// `kernel_size: 7`, but the graph compiled into the reference (mediapipe 0.10.14 wheel) behaves as
/// the proto default, 9 (`RefineLandmarksFromHeatmapCalculatorOptions.kernel_size`): with 9 our
/// landmarks match the reference to 0.01 px on messi5.jpg, with 7 they differ by up to 3.6 px.
const HEATMAP_KERNEL: usize = 9;
/// `min_confidence_to_refine` default (refine_landmarks_from_heatmap_calculator.proto).
const HEATMAP_MIN_CONFIDENCE: f32 = 0.5;

/// One landmark as MediaPipe's `NormalizedLandmark`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NormLandmark {
    /// x as a fraction of the image width.
    pub x: f32,
    /// y as a fraction of the image height.
    pub y: f32,
    /// Depth, scaled like x.
    pub z: f32,
    /// Visibility after the sigmoid.
    pub visibility: f32,
    /// Presence after the sigmoid.
    pub presence: f32,
}

/// What the landmark model found in one ROI.
#[derive(Clone, Debug, PartialEq)]
pub struct RoiLandmarks {
    /// Pose presence score (the model's flag output, already in [0, 1]).
    pub flag: f32,
    /// 39 landmarks in normalised image coordinates (33 body + aux; 33 and 34 define the next ROI).
    pub landmarks: [NormLandmark; NUM_ALL_LANDMARKS],
    /// 33 world landmarks in metres, rotated into the image orientation.
    pub world: [[f32; 3]; NUM_BODY],
}

/// The landmark model with its session and reusable buffers.
pub struct LandmarkModel {
    session: Session,
    input: Tensor<f32>,
    file: String,
    landmarks_name: String,
    flag_name: String,
    heatmap_name: String,
    world_name: String,
    cropper: Cropper,
    raw_landmarks: Vec<f32>,
    raw_world: Vec<f32>,
    heatmap: Vec<f32>,
    heatmap_dims: [usize; 3],
    flag: f32,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl LandmarkModel {
    /// Loads and checks `file` (e.g. `pose_landmark_full.onnx`) from `models_dir`.
    pub fn new(models_dir: &Path, file: &str, threads: ThreadSettings) -> Result<Self, PoseError> {
        let model = load_verified(models_dir, file)?;
        let session = build_session(file, &model.bytes, threads)?;
        let landmarks_name =
            pick_output(&session, file, model.output_for_role("landmarks"), "landmarks", |s| s == [1, 195])?;
        let flag_name = pick_output(&session, file, model.output_for_role("pose_flag"), "pose flag", |s| s == [1, 1])?;
        let heatmap_name = pick_output(&session, file, model.output_for_role("heatmap"), "heatmap", |s| {
            s.len() == 4 && s[3] == NUM_ALL_LANDMARKS as i64
        })?;
        let world_name =
            pick_output(&session, file, model.output_for_role("world_landmarks"), "world landmarks", |s| {
                s == [1, 117]
            })?;
        let s = LANDMARK_INPUT_SIZE as usize;
        let input = Tensor::from_array(([1usize, s, s, 3], vec![0.0f32; s * s * 3].into_boxed_slice()))
            .map_err(|e| PoseError::ort("landmark input tensor", e))?;
        Ok(LandmarkModel {
            session,
            input,
            file: file.to_string(),
            landmarks_name,
            flag_name,
            heatmap_name,
            world_name,
            cropper: Cropper::new()?,
            raw_landmarks: Vec::with_capacity(195),
            raw_world: Vec::with_capacity(117),
            heatmap: Vec::with_capacity(64 * 64 * NUM_ALL_LANDMARKS),
            heatmap_dims: [0; 3],
            flag: 0.0,
        })
    }

    /// Crops `roi` out of `bgr` into the input tensor; returns the letterbox padding (zero for a
    /// square ROI).
    fn preprocess(&mut self, bgr: &Mat, roi: &Roi) -> Result<super::geometry::Padding, PoseError> {
        let rect = roi.to_pixels(bgr.cols() as u32, bgr.rows() as u32);
        let (rect, pad) = pad_to_aspect(rect, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE);
        let (_, buf) = self.input.try_extract_tensor_mut::<f32>().map_err(|e| PoseError::ort("landmark input", e))?;
        self.cropper.crop(bgr, rect, LANDMARK_INPUT_SIZE, Border::Replicate, (0.0, 1.0), buf)?;
        Ok(pad)
    }

    /// Runs the model on the current input tensor, copying the outputs we use.
    fn infer(&mut self) -> Result<(), PoseError> {
        let outputs =
            self.session.run(ort::inputs![&self.input]).map_err(|e| PoseError::ort("landmark inference", e))?;
        let get = |name: &str| {
            outputs[name].try_extract_tensor::<f32>().map_err(|e| PoseError::ort(format!("landmark output {name}"), e))
        };
        let (_, lm) = get(&self.landmarks_name)?;
        let (_, flag) = get(&self.flag_name)?;
        let (hm_shape, hm) = get(&self.heatmap_name)?;
        let (_, world) = get(&self.world_name)?;
        if lm.len() != NUM_ALL_LANDMARKS * 5
            || world.len() != NUM_ALL_LANDMARKS * 3
            || flag.is_empty()
            || hm_shape.len() != 4
        {
            return Err(PoseError::ModelShape {
                model: self.file.clone(),
                message: format!("unexpected output sizes {} / {} / {}", lm.len(), world.len(), flag.len()),
            });
        }
        self.raw_landmarks.clear();
        self.raw_landmarks.extend_from_slice(lm);
        self.raw_world.clear();
        self.raw_world.extend_from_slice(world);
        self.heatmap.clear();
        self.heatmap.extend_from_slice(hm);
        self.heatmap_dims = [hm_shape[1] as usize, hm_shape[2] as usize, hm_shape[3] as usize];
        self.flag = flag[0];
        Ok(())
    }

    /// Only crops `roi` of `bgr` into the input tensor (for benchmarks).
    pub fn prepare_only(&mut self, bgr: &Mat, roi: &Roi) -> Result<(), PoseError> {
        self.preprocess(bgr, roi).map(|_| ())
    }

    /// Runs only the model on an already prepared input (for benchmarks).
    pub fn infer_only(&mut self) -> Result<(), PoseError> {
        self.infer()
    }

    /// Runs the landmark model on `roi` of `bgr`.
    pub fn run(&mut self, bgr: &Mat, roi: &Roi) -> Result<RoiLandmarks, PoseError> {
        let pad = self.preprocess(bgr, roi)?;
        self.infer()?;
        let mut landmarks = [NormLandmark::default(); NUM_ALL_LANDMARKS];
        let size = LANDMARK_INPUT_SIZE as f32;
        for (i, l) in landmarks.iter_mut().enumerate() {
            let r = &self.raw_landmarks[i * 5..i * 5 + 5];
            *l = NormLandmark {
                x: r[0] / size,
                y: r[1] / size,
                z: r[2] / size,
                visibility: sigmoid(r[3]),
                presence: sigmoid(r[4]),
            };
        }
        refine_from_heatmap(&mut landmarks, &self.heatmap, self.heatmap_dims);
        let lr = pad.left + pad.right;
        for l in landmarks.iter_mut() {
            let (x, y) = remove_letterbox(l.x, l.y, pad);
            let (px, py, pz) = roi.project(x, y, l.z / (1.0 - lr));
            l.x = px;
            l.y = py;
            l.z = pz;
        }
        let (s, c) = roi.rotation.sin_cos();
        let mut world = [[0.0f32; 3]; NUM_BODY];
        for (i, w) in world.iter_mut().enumerate() {
            let r = &self.raw_world[i * 3..i * 3 + 3];
            *w = [c * r[0] - s * r[1], s * r[0] + c * r[1], r[2]];
        }
        Ok(RoiLandmarks { flag: self.flag, landmarks, world })
    }
}

/// Moves each landmark to the sigmoid-weighted mean of the heatmap in a 9×9 window around it, when
/// the window's peak confidence reaches 0.5 (`RefineLandmarksFromHeatmapCalculator`). The heatmap
/// is HWC with one channel per landmark. Coordinates are normalised to the crop.
pub fn refine_from_heatmap(landmarks: &mut [NormLandmark], heatmap: &[f32], [hm_h, hm_w, channels]: [usize; 3]) {
    if hm_h == 0 || hm_w == 0 || heatmap.len() < hm_h * hm_w * channels {
        return;
    }
    let offset = (HEATMAP_KERNEL as i64 - 1) / 2;
    for (lm_index, l) in landmarks.iter_mut().enumerate().take(channels) {
        // Truncation toward zero as in the C++ int conversion.
        let center_col = (l.x * hm_w as f32) as i64;
        let center_row = (l.y * hm_h as f32) as i64;
        // MediaPipe compares the column (not the row) against the height here; kept for fidelity
        // (the heatmap is square).
        if center_col < 0 || center_col >= hm_w as i64 || center_row < 0 || center_col >= hm_h as i64 {
            continue;
        }
        let begin_col = (center_col - offset).max(0) as usize;
        let end_col = ((center_col + offset + 1).min(hm_w as i64)) as usize;
        let begin_row = (center_row - offset).max(0) as usize;
        let end_row = ((center_row + offset + 1).min(hm_h as i64)) as usize;
        let (mut sum, mut wc, mut wr, mut max_conf) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for row in begin_row..end_row {
            for col in begin_col..end_col {
                let conf = sigmoid(heatmap[(row * hm_w + col) * channels + lm_index]);
                sum += conf;
                max_conf = max_conf.max(conf);
                wc += col as f32 * conf;
                wr += row as f32 * conf;
            }
        }
        if max_conf >= HEATMAP_MIN_CONFIDENCE && sum > 0.0 {
            l.x = wc / hm_w as f32 / sum;
            l.y = wr / hm_h as f32 / sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_refinement_moves_to_the_peak() {
        let (h, w, c) = (64usize, 64usize, 2usize);
        let mut hm = vec![-20.0f32; h * w * c];
        // Landmark 0: a confident peak at (col 10, row 20).
        hm[(20 * w + 10) * c] = 20.0;
        // Landmark 1: nothing confident — must not move.
        let mut lms = [
            NormLandmark { x: 11.5 / 64.0, y: 21.2 / 64.0, ..Default::default() },
            NormLandmark { x: 0.3, y: 0.7, ..Default::default() },
        ];
        refine_from_heatmap(&mut lms, &hm, [h, w, c]);
        assert!((lms[0].x - 10.0 / 64.0).abs() < 1e-4 && (lms[0].y - 20.0 / 64.0).abs() < 1e-4, "{:?}", lms[0]);
        assert_eq!((lms[1].x, lms[1].y), (0.3, 0.7));
        // Out of the heatmap: untouched.
        let mut out = [NormLandmark { x: 1.2, y: 0.5, ..Default::default() }];
        refine_from_heatmap(&mut out, &hm, [h, w, c]);
        assert_eq!(out[0].x, 1.2);
    }
}
