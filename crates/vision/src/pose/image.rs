//! Image → tensor: the rotated, letterboxed crop MediaPipe's `ImageToTensorCalculator` makes
//! (OpenCV converter: bilinear warp of the 8-bit image, then a linear map of 0..255 to the
//! tensor's float range), written straight into an NHWC RGB float buffer.

use opencv::core::{Mat, Scalar, Size, CV_64F, CV_8UC3};
use opencv::imgproc;
use opencv::prelude::*;

use super::geometry::{tensor_to_image_affine, PixelRect};
use super::PoseError;

/// How pixels outside the image are filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Border {
    /// Black (`BORDER_ZERO`, used by the detector's letterbox).
    Zero,
    /// Nearest edge pixel (`BORDER_REPLICATE`, the landmark crop).
    Replicate,
}

/// Reusable buffers for cropping frames into model inputs.
pub struct Cropper {
    warped: Mat,
    matrix: Mat,
}

impl Cropper {
    /// Empty buffers; they are sized on first use.
    pub fn new() -> Result<Self, PoseError> {
        Ok(Cropper { warped: Mat::default(), matrix: Mat::new_rows_cols_with_default(3, 3, CV_64F, Scalar::all(0.0))? })
    }

    /// Samples `rect` of the BGR image `bgr` into a `size`×`size` RGB tensor `out` (NHWC, length
    /// size·size·3) with values mapped linearly from 0..255 to `lo..hi`.
    pub fn crop(
        &mut self,
        bgr: &Mat,
        rect: PixelRect,
        size: u32,
        border: Border,
        (lo, hi): (f32, f32),
        out: &mut [f32],
    ) -> Result<(), PoseError> {
        let data = self.warp(bgr, rect, size, border, out.len())?;
        let scale = (hi - lo) / 255.0;
        for (dst, src) in out.chunks_exact_mut(3).zip(data.chunks_exact(3)) {
            dst[0] = src[2] as f32 * scale + lo;
            dst[1] = src[1] as f32 * scale + lo;
            dst[2] = src[0] as f32 * scale + lo;
        }
        Ok(())
    }

    /// Like [`Cropper::crop`] into an integer RGB tensor with the pixel values as they are
    /// (0..255), for models that take the 8-bit image (MoveNet).
    pub fn crop_i32(
        &mut self,
        bgr: &Mat,
        rect: PixelRect,
        size: u32,
        border: Border,
        out: &mut [i32],
    ) -> Result<(), PoseError> {
        let data = self.warp(bgr, rect, size, border, out.len())?;
        for (dst, src) in out.chunks_exact_mut(3).zip(data.chunks_exact(3)) {
            dst[0] = i32::from(src[2]);
            dst[1] = i32::from(src[1]);
            dst[2] = i32::from(src[0]);
        }
        Ok(())
    }

    /// Warps `rect` of `bgr` to a `size`×`size` BGR image and returns its bytes, checking that
    /// they fill a tensor of `tensor_len` values.
    fn warp(
        &mut self,
        bgr: &Mat,
        rect: PixelRect,
        size: u32,
        border: Border,
        tensor_len: usize,
    ) -> Result<&[u8], PoseError> {
        check_frame(bgr)?;
        let n = (size * size * 3) as usize;
        if tensor_len != n {
            return Err(PoseError::BadFrame(format!("tensor buffer has {tensor_len} values, expected {n}")));
        }
        let m = tensor_to_image_affine(rect, size, size);
        for (r, row) in m.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                *self.matrix.at_2d_mut::<f64>(r as i32, c as i32)? = *v;
            }
        }
        *self.matrix.at_2d_mut::<f64>(2, 2)? = 1.0;
        let (mode, value) = match border {
            Border::Zero => (opencv::core::BORDER_CONSTANT, Scalar::all(0.0)),
            Border::Replicate => (opencv::core::BORDER_REPLICATE, Scalar::all(0.0)),
        };
        imgproc::warp_perspective(
            bgr,
            &mut self.warped,
            &self.matrix,
            Size::new(size as i32, size as i32),
            imgproc::INTER_LINEAR | imgproc::WARP_INVERSE_MAP,
            mode,
            value,
        )?;
        let data = self.warped.data_bytes()?;
        if data.len() != n {
            return Err(PoseError::BadFrame(format!("warp produced {} bytes, expected {n}", data.len())));
        }
        Ok(data)
    }
}

/// Checks that `bgr` is a non-empty 8-bit, 3-channel image.
pub fn check_frame(bgr: &Mat) -> Result<(), PoseError> {
    if bgr.empty() || bgr.cols() <= 0 || bgr.rows() <= 0 {
        return Err(PoseError::BadFrame("empty image".into()));
    }
    if bgr.typ() != CV_8UC3 {
        return Err(PoseError::BadFrame(format!("expected an 8-bit BGR image (CV_8UC3), got type {}", bgr.typ())));
    }
    Ok(())
}
