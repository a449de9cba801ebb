//! Person-detector post-processing: SSD anchors, box/keypoint decoding, weighted NMS and
//! letterbox removal — plain functions over plain data.
//!
//! Constants come from `mediapipe/modules/pose_detection/pose_detection_cpu.pbtxt`
//! (`SsdAnchorsCalculator`, `TensorsToDetectionsCalculator`, `NonMaxSuppressionCalculator` options);
//! the algorithms follow `calculators/tflite/ssd_anchors_calculator.cc`,
//! `calculators/tensor/tensors_to_detections_calculator.cc` and
//! `calculators/util/non_max_suppression_calculator.cc` (`WeightedNonMaxSuppression`).

use super::geometry::{remove_letterbox, Padding};

/// Detector input side in pixels (`input_size_width/height: 224`).
pub const DETECTOR_INPUT_SIZE: u32 = 224;
/// Number of SSD anchors (`num_boxes: 2254`).
pub const NUM_ANCHORS: usize = 2254;
/// Values per anchor in the regressor output (`num_coords: 12`).
pub const NUM_COORDS: usize = 12;
/// Keypoints per detection (`num_keypoints: 4`).
pub const NUM_KEYPOINTS: usize = 4;
/// `x_scale`, `y_scale`, `w_scale`, `h_scale: 224.0`.
const BOX_SCALE: f32 = 224.0;
/// `score_clipping_thresh: 100.0`.
const SCORE_CLIP: f32 = 100.0;
/// `min_suppression_threshold: 0.3` (IoU).
pub const NMS_MIN_SUPPRESSION: f32 = 0.3;

/// An SSD anchor centre (normalised) and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anchor {
    /// Centre x in [0, 1].
    pub x_center: f32,
    /// Centre y in [0, 1].
    pub y_center: f32,
    /// Width (1.0 with `fixed_anchor_size`).
    pub w: f32,
    /// Height (1.0 with `fixed_anchor_size`).
    pub h: f32,
}

/// `SsdAnchorsCalculatorOptions` of the pose detector (pose_detection_cpu.pbtxt): 5 layers,
/// strides 8/16/32/32/32, one aspect ratio (1.0) plus the interpolated scale (default aspect
/// 1.0), offsets 0.5, fixed anchor size. Returns the 2254 anchors in model output order.
pub fn pose_detector_anchors() -> Vec<Anchor> {
    const STRIDES: [u32; 5] = [8, 16, 32, 32, 32];
    const ASPECT_RATIOS: usize = 1; // aspect_ratios: 1.0
    const INTERPOLATED: usize = 1; // interpolated_scale_aspect_ratio default 1.0 adds one anchor
    const OFFSET: f32 = 0.5; // anchor_offset_x / anchor_offset_y
    let mut anchors = Vec::with_capacity(NUM_ANCHORS);
    let mut layer = 0;
    while layer < STRIDES.len() {
        // Layers with the same stride share one feature map; their anchors are interleaved per cell.
        let mut last = layer;
        let mut per_cell = 0;
        while last < STRIDES.len() && STRIDES[last] == STRIDES[layer] {
            per_cell += ASPECT_RATIOS + INTERPOLATED;
            last += 1;
        }
        let stride = STRIDES[layer];
        let fm_h = DETECTOR_INPUT_SIZE.div_ceil(stride);
        let fm_w = DETECTOR_INPUT_SIZE.div_ceil(stride);
        for y in 0..fm_h {
            for x in 0..fm_w {
                for _ in 0..per_cell {
                    anchors.push(Anchor {
                        x_center: (x as f32 + OFFSET) / fm_w as f32,
                        y_center: (y as f32 + OFFSET) / fm_h as f32,
                        w: 1.0,
                        h: 1.0,
                    });
                }
            }
        }
        layer = last;
    }
    anchors
}

/// One decoded person detection, normalised to the detector input (or, after
/// [`remove_detection_letterbox`], to the image).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    /// Person score after the sigmoid.
    pub score: f32,
    /// Left edge of the (face) box.
    pub xmin: f32,
    /// Top edge of the box.
    pub ymin: f32,
    /// Box width.
    pub width: f32,
    /// Box height.
    pub height: f32,
    /// Keypoints: 0 hip centre, 1 full-body scale/rotation point, 2 shoulder centre, 3 upper-body
    /// scale point (pose_detection_cpu.pbtxt).
    pub keypoints: [(f32, f32); NUM_KEYPOINTS],
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Decodes raw regressors (`[2254 × 12]`, `reverse_output_order`: x, y, w, h, then keypoint x/y
/// pairs) and raw score logits (`[2254]`) into detections with score ≥ `min_score`, appending
/// them to `out` in anchor order. Boxes with negative or NaN size are dropped (b/171391719).
pub fn decode_detections(
    raw_boxes: &[f32],
    raw_scores: &[f32],
    anchors: &[Anchor],
    min_score: f32,
    out: &mut Vec<Detection>,
) {
    for (i, anchor) in anchors.iter().enumerate() {
        let (Some(&logit), Some(b)) = (raw_scores.get(i), raw_boxes.get(i * NUM_COORDS..(i + 1) * NUM_COORDS)) else {
            break;
        };
        let score = sigmoid(logit.clamp(-SCORE_CLIP, SCORE_CLIP));
        if score < min_score {
            continue;
        }
        let xc = b[0] / BOX_SCALE * anchor.w + anchor.x_center;
        let yc = b[1] / BOX_SCALE * anchor.h + anchor.y_center;
        let w = b[2] / BOX_SCALE * anchor.w;
        let h = b[3] / BOX_SCALE * anchor.h;
        let (xmin, ymin, xmax, ymax) = (xc - w / 2.0, yc - h / 2.0, xc + w / 2.0, yc + h / 2.0);
        let (width, height) = (xmax - xmin, ymax - ymin);
        if width < 0.0 || height < 0.0 || width.is_nan() || height.is_nan() {
            continue;
        }
        let mut keypoints = [(0.0, 0.0); NUM_KEYPOINTS];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            let o = 4 + 2 * k;
            *kp = (b[o] / BOX_SCALE * anchor.w + anchor.x_center, b[o + 1] / BOX_SCALE * anchor.h + anchor.y_center);
        }
        out.push(Detection { score, xmin, ymin, width, height, keypoints });
    }
}

/// Intersection over union of two boxes (`OverlapSimilarity` with `INTERSECTION_OVER_UNION`).
pub fn iou(a: &Detection, b: &Detection) -> f32 {
    let ix0 = a.xmin.max(b.xmin);
    let iy0 = a.ymin.max(b.ymin);
    let ix1 = (a.xmin + a.width).min(b.xmin + b.width);
    let iy1 = (a.ymin + a.height).min(b.ymin + b.height);
    if ix1 < ix0 || iy1 < iy0 {
        return 0.0;
    }
    let inter = (ix1 - ix0) * (iy1 - iy0);
    let union = a.width * a.height + b.width * b.height - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// MediaPipe's weighted non-maximum suppression: repeatedly takes the best remaining detection,
/// gathers every remaining detection whose IoU with it exceeds `min_suppression`, and outputs the
/// score-weighted average box and keypoints of that cluster with the best detection's score.
/// The output is ordered by that score, highest first.
pub fn weighted_nms(detections: &[Detection], min_suppression: f32) -> Vec<Detection> {
    let mut remaining: Vec<usize> = (0..detections.len()).collect();
    // Stable sort by descending score (NaN-safe).
    remaining.sort_by(|&a, &b| detections[b].score.total_cmp(&detections[a].score));
    let mut out = Vec::new();
    let mut rest = Vec::with_capacity(remaining.len());
    while let Some(&first) = remaining.first() {
        let seed = detections[first];
        let mut total = 0.0f32;
        let (mut x0, mut y0, mut x1, mut y1) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        let mut kps = [(0.0f32, 0.0f32); NUM_KEYPOINTS];
        rest.clear();
        for &i in &remaining {
            let d = &detections[i];
            if iou(d, &seed) > min_suppression {
                let s = d.score;
                total += s;
                x0 += d.xmin * s;
                y0 += d.ymin * s;
                x1 += (d.xmin + d.width) * s;
                y1 += (d.ymin + d.height) * s;
                for (acc, kp) in kps.iter_mut().zip(&d.keypoints) {
                    acc.0 += kp.0 * s;
                    acc.1 += kp.1 * s;
                }
            } else {
                rest.push(i);
            }
        }
        let mut merged = seed;
        if total > 0.0 {
            merged.xmin = x0 / total;
            merged.ymin = y0 / total;
            merged.width = (x1 - x0) / total;
            merged.height = (y1 - y0) / total;
            for (dst, acc) in merged.keypoints.iter_mut().zip(&kps) {
                *dst = (acc.0 / total, acc.1 / total);
            }
        }
        out.push(merged);
        if rest.len() == remaining.len() {
            // Nothing was absorbed (the seed's IoU with itself is NaN/0): avoid looping forever.
            break;
        }
        std::mem::swap(&mut remaining, &mut rest);
    }
    out
}

/// Maps a detection from the letterboxed detector input back to normalised image coordinates.
pub fn remove_detection_letterbox(d: &Detection, pad: Padding) -> Detection {
    let lr = pad.left + pad.right;
    let tb = pad.top + pad.bottom;
    let mut out = *d;
    let (xmin, ymin) = remove_letterbox(d.xmin, d.ymin, pad);
    out.xmin = xmin;
    out.ymin = ymin;
    out.width = d.width / (1.0 - lr);
    out.height = d.height / (1.0 - tb);
    for kp in out.keypoints.iter_mut() {
        *kp = remove_letterbox(kp.0, kp.1, pad);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_match_mediapipe_layout() {
        let a = pose_detector_anchors();
        assert_eq!(a.len(), NUM_ANCHORS);
        // 28×28 cells × 2 at stride 8, then 14×14 × 2, then 7×7 × 6.
        let first = a[0];
        assert!((first.x_center - 0.5 / 28.0).abs() < 1e-7 && (first.y_center - 0.5 / 28.0).abs() < 1e-7);
        assert_eq!(a[1], first, "two anchors per stride-8 cell");
        assert!((a[2].x_center - 1.5 / 28.0).abs() < 1e-7);
        let s16 = a[28 * 28 * 2];
        assert!((s16.x_center - 0.5 / 14.0).abs() < 1e-7 && (s16.y_center - 0.5 / 14.0).abs() < 1e-7);
        let last = a[NUM_ANCHORS - 1];
        assert!((last.x_center - 6.5 / 7.0).abs() < 1e-6 && (last.y_center - 6.5 / 7.0).abs() < 1e-6);
        assert_eq!(a[NUM_ANCHORS - 6], last, "six anchors per stride-32 cell");
        assert!(a.iter().all(|x| x.w == 1.0 && x.h == 1.0));
    }

    fn det(score: f32, x: f32, y: f32, w: f32, h: f32) -> Detection {
        Detection { score, xmin: x, ymin: y, width: w, height: h, keypoints: [(x, y); NUM_KEYPOINTS] }
    }

    #[test]
    fn decode_applies_anchor_scale_and_threshold() {
        let anchors = [Anchor { x_center: 0.5, y_center: 0.25, w: 1.0, h: 1.0 }; 2];
        let mut boxes = vec![0.0f32; 2 * NUM_COORDS];
        boxes[0] = 22.4; // +0.1 in x
        boxes[1] = -22.4; // -0.1 in y
        boxes[2] = 44.8; // w 0.2
        boxes[3] = 89.6; // h 0.4
        boxes[4] = 11.2; // keypoint 0 x +0.05
        boxes[5] = 0.0;
        boxes[NUM_COORDS + 2] = -10.0; // negative width: dropped
        let scores = [1000.0, 1000.0]; // clipped to 100 → sigmoid ≈ 1
        let mut out = Vec::new();
        decode_detections(&boxes, &scores, &anchors, 0.5, &mut out);
        assert_eq!(out.len(), 1);
        let d = out[0];
        assert!((d.xmin - 0.5).abs() < 1e-6 && (d.ymin - (0.15 - 0.2)).abs() < 1e-6);
        assert!((d.width - 0.2).abs() < 1e-6 && (d.height - 0.4).abs() < 1e-6);
        assert!((d.keypoints[0].0 - 0.55).abs() < 1e-6 && (d.keypoints[0].1 - 0.25).abs() < 1e-6);
        assert!(d.score > 0.999);
        out.clear();
        decode_detections(&boxes, &[0.0, 0.0], &anchors, 0.5, &mut out);
        assert_eq!(out.len(), 1, "sigmoid(0) = 0.5 passes a 0.5 threshold");
        out.clear();
        decode_detections(&boxes, &[-0.01, -0.01], &anchors, 0.5, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn weighted_nms_merges_overlaps_and_keeps_separate_people() {
        let dets = [
            det(0.9, 0.10, 0.10, 0.20, 0.20),
            det(0.6, 0.12, 0.10, 0.20, 0.20), // IoU with the first ≈ 0.82: merged
            det(0.8, 0.60, 0.60, 0.20, 0.20), // another person
            det(0.7, 0.30, 0.10, 0.20, 0.20), // touches the first (IoU 0): kept
        ];
        let out = weighted_nms(&dets, NMS_MIN_SUPPRESSION);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].score, 0.9);
        let expect_x = (0.10 * 0.9 + 0.12 * 0.6) / 1.5;
        assert!((out[0].xmin - expect_x).abs() < 1e-6, "{}", out[0].xmin);
        assert!((out[0].keypoints[0].0 - expect_x).abs() < 1e-6);
        assert!((out[0].width - 0.2).abs() < 1e-6);
        assert_eq!(out[1].score, 0.8);
        assert_eq!(out[1].xmin, 0.60);
        assert_eq!(out[2].score, 0.7);
        assert!(weighted_nms(&[], 0.3).is_empty());
    }

    #[test]
    fn iou_of_known_boxes() {
        let a = det(1.0, 0.0, 0.0, 1.0, 1.0);
        let b = det(1.0, 0.5, 0.0, 1.0, 1.0);
        assert!((iou(&a, &b) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(iou(&a, &det(1.0, 2.0, 2.0, 1.0, 1.0)), 0.0);
    }

    #[test]
    fn letterbox_removal_maps_to_image() {
        // 1280×720 into 224×224: vertical padding (1 - 0.5625) / 2 on each side.
        let v = (1.0 - 720.0 / 1280.0) / 2.0;
        let pad = Padding { left: 0.0, top: v, right: 0.0, bottom: v };
        let d = det(0.9, 0.25, v, 0.5, 1.0 - 2.0 * v);
        let r = remove_detection_letterbox(&d, pad);
        assert!((r.ymin).abs() < 1e-6 && (r.height - 1.0).abs() < 1e-6 && (r.xmin - 0.25).abs() < 1e-6);
    }
}
