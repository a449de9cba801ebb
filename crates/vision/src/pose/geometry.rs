//! Rotated regions of interest and the coordinate transforms between the image, a letterboxed
//! tensor and a rotated crop — MediaPipe's `NormalizedRect` maths as plain functions.
//!
//! Sources (mediapipe repository): `calculators/util/alignment_points_to_rects_calculator.cc`,
//! `calculators/util/detections_to_rects_calculator.cc` (rotation, `NormalizeRadians`),
//! `calculators/util/rect_transformation_calculator.cc`,
//! `calculators/tensor/image_to_tensor_utils.cc` (`PadRoi`, `GetRoi`),
//! `calculators/tensor/image_to_tensor_converter_opencv.cc` (crop corners via `cv::RotatedRect`),
//! `calculators/util/landmark_projection_calculator.cc`,
//! `calculators/util/landmark_letterbox_removal_calculator.cc`.

use std::f32::consts::PI;

/// A rotated rectangle in normalised image coordinates (MediaPipe's `NormalizedRect`).
///
/// Centre and size are fractions of the image width/height; `rotation` is in radians,
/// clockwise in image space (y down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Roi {
    /// Centre x as a fraction of the image width.
    pub x_center: f32,
    /// Centre y as a fraction of the image height.
    pub y_center: f32,
    /// Width as a fraction of the image width.
    pub width: f32,
    /// Height as a fraction of the image height.
    pub height: f32,
    /// Rotation in radians, in (-π, π].
    pub rotation: f32,
}

/// A rotated rectangle in pixels (what the crop works on).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PixelRect {
    /// Centre x in pixels.
    pub cx: f32,
    /// Centre y in pixels.
    pub cy: f32,
    /// Width in pixels.
    pub w: f32,
    /// Height in pixels.
    pub h: f32,
    /// Rotation in radians.
    pub rotation: f32,
}

/// Letterbox padding as fractions of the tensor size (MediaPipe's `LETTERBOX_PADDING`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Padding {
    /// Fraction of the tensor width padded on the left.
    pub left: f32,
    /// Fraction of the tensor height padded on top.
    pub top: f32,
    /// Fraction of the tensor width padded on the right.
    pub right: f32,
    /// Fraction of the tensor height padded at the bottom.
    pub bottom: f32,
}

/// Wraps an angle into [-π, π) as MediaPipe's `NormalizeRadians` does.
pub fn normalize_radians(angle: f32) -> f32 {
    angle - 2.0 * PI * ((angle - (-PI)) / (2.0 * PI)).floor()
}

impl Roi {
    /// The ROI in pixels of a `width`×`height` image (`GetRoi` in image_to_tensor_utils.cc).
    pub fn to_pixels(&self, width: u32, height: u32) -> PixelRect {
        PixelRect {
            cx: self.x_center * width as f32,
            cy: self.y_center * height as f32,
            w: self.width * width as f32,
            h: self.height * height as f32,
            rotation: self.rotation,
        }
    }

    /// Maps a point given in the ROI's own normalised frame ([0,1]² over the rotated rectangle)
    /// to normalised image coordinates, and scales z like x (`LandmarkProjectionCalculator`).
    pub fn project(&self, x: f32, y: f32, z: f32) -> (f32, f32, f32) {
        let (s, c) = self.rotation.sin_cos();
        let dx = x - 0.5;
        let dy = y - 0.5;
        let nx = c * dx - s * dy;
        let ny = s * dx + c * dy;
        (nx * self.width + self.x_center, ny * self.height + self.y_center, z * self.width)
    }

    /// Inverse of [`Roi::project`] for x and y (used by tests and by tools that map image points into
    /// the crop).
    pub fn unproject(&self, x: f32, y: f32) -> (f32, f32) {
        let (s, c) = self.rotation.sin_cos();
        let nx = (x - self.x_center) / self.width;
        let ny = (y - self.y_center) / self.height;
        (c * nx + s * ny + 0.5, -s * nx + c * ny + 0.5)
    }
}

/// Builds a ROI from two alignment points given in normalised coordinates: `center` becomes the
/// centre, twice the (pixel) distance to `scale` the side, and the rotation turns the
/// `center → scale` vector to `target_angle` radians (`AlignmentPointsRectsCalculator` with
/// `DetectionsToRectsCalculator::ComputeRotation`).
pub fn alignment_points_to_roi(
    center: (f32, f32),
    scale: (f32, f32),
    width: u32,
    height: u32,
    target_angle: f32,
) -> Roi {
    let (w, h) = (width as f32, height as f32);
    let (x0, y0) = (center.0 * w, center.1 * h);
    let (x1, y1) = (scale.0 * w, scale.1 * h);
    let box_size = ((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)).sqrt() * 2.0;
    let rotation = normalize_radians(target_angle - (-(y1 - y0)).atan2(x1 - x0));
    Roi { x_center: x0 / w, y_center: y0 / h, width: box_size / w, height: box_size / h, rotation }
}

/// `RectTransformationCalculator` without shift: optionally squares the rectangle on its long
/// side (in pixels), then scales it.
pub fn transform_roi(roi: Roi, width: u32, height: u32, scale_x: f32, scale_y: f32, square_long: bool) -> Roi {
    let (iw, ih) = (width as f32, height as f32);
    let (mut w, mut h) = (roi.width, roi.height);
    if square_long {
        let long_side = (w * iw).max(h * ih);
        w = long_side / iw;
        h = long_side / ih;
    }
    Roi { width: w * scale_x, height: h * scale_y, ..roi }
}

/// Enlarges a pixel ROI to the tensor's aspect ratio and returns the letterbox padding this leaves
/// in the tensor (`PadRoi` in image_to_tensor_utils.cc, used with `keep_aspect_ratio: true`).
pub fn pad_to_aspect(rect: PixelRect, tensor_w: u32, tensor_h: u32) -> (PixelRect, Padding) {
    let tensor_aspect = tensor_h as f32 / tensor_w as f32;
    let roi_aspect = rect.h / rect.w;
    let mut out = rect;
    let mut pad = Padding::default();
    if tensor_aspect > roi_aspect {
        out.h = rect.w * tensor_aspect;
        let v = (1.0 - roi_aspect / tensor_aspect) / 2.0;
        pad.top = v;
        pad.bottom = v;
    } else {
        out.w = rect.h / tensor_aspect;
        let hp = (1.0 - tensor_aspect / roi_aspect) / 2.0;
        pad.left = hp;
        pad.right = hp;
    }
    (out, pad)
}

/// Maps a point normalised to the letterboxed tensor back to the un-padded region
/// (`DetectionLetterboxRemovalCalculator` / `LandmarkLetterboxRemovalCalculator`).
pub fn remove_letterbox(x: f32, y: f32, pad: Padding) -> (f32, f32) {
    let lr = pad.left + pad.right;
    let tb = pad.top + pad.bottom;
    ((x - pad.left) / (1.0 - lr), (y - pad.top) / (1.0 - tb))
}

/// Inverse of [`remove_letterbox`].
pub fn add_letterbox(x: f32, y: f32, pad: Padding) -> (f32, f32) {
    let lr = pad.left + pad.right;
    let tb = pad.top + pad.bottom;
    (x * (1.0 - lr) + pad.left, y * (1.0 - tb) + pad.top)
}

/// The four corners of a rotated pixel rectangle in the order `cv::RotatedRect::points` gives
/// them: bottom-left, top-left, top-right, bottom-right (in the rectangle's own frame). The crop
/// maps them to the tensor corners (0,H), (0,0), (W,0), (W,H).
pub fn box_corners(rect: PixelRect) -> [(f32, f32); 4] {
    // cv::RotatedRect takes degrees and converts back; the round trip is kept for fidelity.
    let angle = (rect.rotation as f64 * 180.0 / std::f64::consts::PI) * std::f64::consts::PI / 180.0;
    let b = (angle.cos() * 0.5) as f32;
    let a = (angle.sin() * 0.5) as f32;
    let p0 = (rect.cx - a * rect.h - b * rect.w, rect.cy + b * rect.h - a * rect.w);
    let p1 = (rect.cx + a * rect.h - b * rect.w, rect.cy - b * rect.h - a * rect.w);
    let p2 = (2.0 * rect.cx - p0.0, 2.0 * rect.cy - p0.1);
    let p3 = (2.0 * rect.cx - p1.0, 2.0 * rect.cy - p1.1);
    [p0, p1, p2, p3]
}

/// The affine map from tensor pixel coordinates (u, v) to image pixel coordinates for a crop of
/// `rect` into a `tensor_w`×`tensor_h` tensor, as a row-major 2×3 matrix. It sends the corners of
/// [`box_corners`] to the tensor corners, like `getPerspectiveTransform` in MediaPipe's converter.
pub fn tensor_to_image_affine(rect: PixelRect, tensor_w: u32, tensor_h: u32) -> [[f64; 3]; 2] {
    let [p0, p1, p2, _] = box_corners(rect);
    // p1 = image of (0,0); p2 - p1 = image of (W,0) - (0,0); p0 - p1 = image of (0,H) - (0,0).
    let (tw, th) = (tensor_w as f64, tensor_h as f64);
    let ux = ((p2.0 - p1.0) as f64 / tw, (p2.1 - p1.1) as f64 / tw);
    let vy = ((p0.0 - p1.0) as f64 / th, (p0.1 - p1.1) as f64 / th);
    [[ux.0, vy.0, p1.0 as f64], [ux.1, vy.1, p1.1 as f64]]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny deterministic PRNG (xorshift64*) for property-style tests without extra crates.
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Self {
            Rng(seed.max(1))
        }
        pub(crate) fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        /// Uniform in [lo, hi).
        pub(crate) fn range(&mut self, lo: f32, hi: f32) -> f32 {
            let u = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
            lo + (hi - lo) * u
        }
    }

    fn random_roi(rng: &mut Rng) -> Roi {
        Roi {
            x_center: rng.range(-0.2, 1.2),
            y_center: rng.range(-0.2, 1.2),
            width: rng.range(0.05, 2.0),
            height: rng.range(0.05, 2.0),
            rotation: rng.range(-PI, PI),
        }
    }

    #[test]
    fn normalize_radians_wraps_into_range() {
        let mut rng = Rng::new(7);
        for _ in 0..1000 {
            let a = rng.range(-20.0, 20.0);
            let n = normalize_radians(a);
            assert!((-PI - 1e-5..PI + 1e-5).contains(&n), "{a} -> {n}");
            let k = (a - n) / (2.0 * PI);
            assert!((k - k.round()).abs() < 1e-3, "{a} -> {n} not a multiple of 2π apart");
        }
    }

    #[test]
    fn roi_projection_round_trips() {
        let mut rng = Rng::new(42);
        for _ in 0..2000 {
            let roi = random_roi(&mut rng);
            let (x, y) = (rng.range(-0.5, 1.5), rng.range(-0.5, 1.5));
            let (ix, iy, _) = roi.project(x, y, 0.0);
            let (bx, by) = roi.unproject(ix, iy);
            assert!((bx - x).abs() < 1e-3 && (by - y).abs() < 1e-3, "{roi:?} ({x},{y}) -> ({bx},{by})");
        }
    }

    #[test]
    fn letterbox_round_trips_and_pads_the_short_side() {
        let mut rng = Rng::new(3);
        for _ in 0..2000 {
            let (w, h) = (rng.range(16.0, 4000.0) as u32, rng.range(16.0, 4000.0) as u32);
            let full = PixelRect { cx: w as f32 / 2.0, cy: h as f32 / 2.0, w: w as f32, h: h as f32, rotation: 0.0 };
            let (padded, pad) = pad_to_aspect(full, 224, 224);
            assert!((padded.w - padded.h).abs() <= 1e-3 * padded.w, "not square: {padded:?}");
            assert!(pad.left == 0.0 || pad.top == 0.0);
            let (x, y) = (rng.range(0.0, 1.0), rng.range(0.0, 1.0));
            let (tx, ty) = add_letterbox(x, y, pad);
            // The image point (x·w, y·h) sits at (tx, ty) of the padded square crop.
            let px = padded.cx - padded.w / 2.0 + tx * padded.w;
            let py = padded.cy - padded.h / 2.0 + ty * padded.h;
            assert!((px - x * w as f32).abs() < 0.05 + 1e-4 * w as f32, "x {px} vs {}", x * w as f32);
            assert!((py - y * h as f32).abs() < 0.05 + 1e-4 * h as f32, "y {py} vs {}", y * h as f32);
            let (bx, by) = remove_letterbox(tx, ty, pad);
            assert!((bx - x).abs() < 1e-4 && (by - y).abs() < 1e-4);
        }
    }

    #[test]
    fn crop_affine_agrees_with_landmark_projection() {
        // The crop samples tensor pixel (u, v) from the image point that landmark projection assigns
        // to the normalised ROI point (u/W, v/H): the two stages must be exact inverses.
        let mut rng = Rng::new(99);
        for _ in 0..2000 {
            let (w, h) = (rng.range(100.0, 2000.0) as u32, rng.range(100.0, 2000.0) as u32);
            // Pipeline ROIs are square in pixels (`square_long`), which projection relies on.
            let mut roi = random_roi(&mut rng);
            roi.height = roi.width * w as f32 / h as f32;
            let m = tensor_to_image_affine(roi.to_pixels(w, h), 256, 256);
            let (u, v) = (rng.range(0.0, 256.0) as f64, rng.range(0.0, 256.0) as f64);
            let ix = m[0][0] * u + m[0][1] * v + m[0][2];
            let iy = m[1][0] * u + m[1][1] * v + m[1][2];
            let (nx, ny, _) = roi.project(u as f32 / 256.0, v as f32 / 256.0, 0.0);
            let tol = 1e-3 * (w.max(h) as f64) * (1.0 + roi.width.max(roi.height) as f64);
            assert!((ix - (nx * w as f32) as f64).abs() < tol, "x {ix} vs {}", nx * w as f32);
            assert!((iy - (ny * h as f32) as f64).abs() < tol, "y {iy} vs {}", ny * h as f32);
        }
    }

    #[test]
    fn alignment_points_give_upright_rect_for_vertical_body() {
        // Hip centre below the scale point (straight up the image): no rotation needed.
        let roi = alignment_points_to_roi((0.5, 0.6), (0.5, 0.4), 640, 480, PI / 2.0);
        assert!(roi.rotation.abs() < 1e-6, "{roi:?}");
        assert!((roi.width * 640.0 - 0.2 * 480.0 * 2.0).abs() < 1e-3);
        assert!((roi.height * 480.0 - 0.2 * 480.0 * 2.0).abs() < 1e-3);
        // Scale point to the right: the body lies along +x, rotate by +90°.
        let roi = alignment_points_to_roi((0.5, 0.5), (0.7, 0.5), 640, 480, PI / 2.0);
        assert!((roi.rotation - PI / 2.0).abs() < 1e-6, "{roi:?}");
    }

    #[test]
    fn rect_transformation_squares_on_long_side_then_scales() {
        let mut rng = Rng::new(5);
        for _ in 0..500 {
            let roi = random_roi(&mut rng);
            let (w, h) = (rng.range(50.0, 3000.0) as u32, rng.range(50.0, 3000.0) as u32);
            let t = transform_roi(roi, w, h, 1.25, 1.25, true);
            let (pw, ph) = (t.width * w as f32, t.height * h as f32);
            assert!((pw - ph).abs() <= 1e-3 * pw.max(1.0), "{pw} vs {ph}");
            let long = (roi.width * w as f32).max(roi.height * h as f32);
            assert!((pw - 1.25 * long).abs() <= 1e-3 * pw.max(1.0));
            assert_eq!((t.x_center, t.y_center, t.rotation), (roi.x_center, roi.y_center, roi.rotation));
        }
    }
}
