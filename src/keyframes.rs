//! Keyframe thumbnails of each fault's worst moment, for the coach's summary page.

use crate::AppError;
use formcheck_core::landmarks::PoseFrame;
use formcheck_core::report::Report;
use formcheck_core::spec::CheckId;
use formcheck_vision::video::{FrameSource, VideoError, VideoReader};
use opencv::core::{Mat, Size};
use opencv::imgproc;
use opencv::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Thumbnails are at most this many pixels on their long side.
const THUMB_LONG_SIDE: f64 = 360.0;
/// At most this many thumbnails per video (the worst moments first).
const MAX_THUMBNAILS: usize = 12;
/// JPEG quality of thumbnails.
const JPEG_QUALITY: u8 = 80;

/// Side files of one video's outputs: thumbnails of fault moments.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Assets {
    /// Keyframes of each fault's worst moment.
    pub thumbnails: Vec<ThumbnailFile>,
}

/// One keyframe thumbnail on disk.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ThumbnailFile {
    /// The check whose fault this is.
    pub check: CheckId,
    /// Time of the moment (s).
    pub t_s: f64,
    /// Frame index.
    pub frame: u64,
    /// JPEG file name, beside the report.
    pub file: String,
}

/// Picks the frames to show: one per fault, the worst (relative to its threshold) first, capped.
pub fn pick_moments(report: &Report) -> BTreeMap<u64, (CheckId, f64)> {
    let mut faults: Vec<(f64, u64, CheckId, f64)> = report
        .sets
        .iter()
        .flat_map(|s| &s.reps)
        .flat_map(|r| &r.faults)
        .map(|f| {
            let excess = if f.threshold.abs() > 1e-9 { f.magnitude / f.threshold } else { f.magnitude };
            (excess, f.peak_frame, f.check, f.peak_s)
        })
        .collect();
    faults.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut picked = BTreeMap::new();
    for (_, frame, check, t_s) in faults {
        if picked.len() >= MAX_THUMBNAILS {
            break;
        }
        picked.entry(frame).or_insert((check, t_s));
    }
    picked
}

/// Turns decoded frames into fault thumbnails as they go by: fed by its own short pass
/// ([`write_fault_thumbnails`]) or by the annotated-video pass, so that a batch with `--annotate`
/// decodes each video twice (pose, then annotation and keyframes together) instead of three times.
pub struct KeyframeCollector<'a> {
    moments: BTreeMap<u64, (CheckId, f64)>,
    frames: &'a [PoseFrame],
    report_path: PathBuf,
    stem: String,
    assets: Assets,
}

impl<'a> KeyframeCollector<'a> {
    /// A collector of the report's fault moments, writing beside `report_path`.
    pub fn new(frames: &'a [PoseFrame], report: &Report, report_path: &Path) -> KeyframeCollector<'a> {
        let stem = report_path
            .file_name()
            .map(|n| n.to_string_lossy().trim_end_matches(".report.json").to_string())
            .unwrap_or_default();
        KeyframeCollector {
            moments: pick_moments(report),
            frames,
            report_path: report_path.to_path_buf(),
            stem,
            assets: Assets::default(),
        }
    }

    /// The last frame a thumbnail is wanted of (None: no fault, nothing to decode).
    pub fn last_frame(&self) -> Option<u64> {
        self.moments.keys().next_back().copied()
    }

    /// Offers one decoded frame; writes its thumbnail when it is a fault moment.
    pub fn offer(&mut self, index: u64, image: &Mat) -> Result<(), AppError> {
        let Some(&(check, t_s)) = self.moments.get(&index) else { return Ok(()) };
        let pose = self.frames.iter().find(|f| f.index == index);
        let jpeg =
            thumbnail_jpeg(image, pose).map_err(|e| AppError::io(&self.report_path, std::io::Error::other(e)))?;
        let file = format!("{}.thumb-{index}-{check}.jpg", self.stem);
        let path = self.report_path.parent().unwrap_or(Path::new(".")).join(&file);
        crate::atomic::write_atomic(&path, &jpeg).map_err(|e| AppError::io(&path, e))?;
        self.assets.thumbnails.push(ThumbnailFile { check, t_s, frame: index, file });
        Ok(())
    }

    /// The thumbnails written, for the assets file.
    pub fn finish(self) -> Assets {
        self.assets
    }
}

/// Decodes `input` up to the last fault moment, draws the skeleton on each chosen frame, and
/// writes JPEG thumbnails beside `report_path`. Returns the list for the assets file.
pub fn write_fault_thumbnails(
    input: &Path,
    frames: &[PoseFrame],
    report: &Report,
    report_path: &Path,
) -> Result<Assets, AppError> {
    let mut collector = KeyframeCollector::new(frames, report, report_path);
    let Some(last) = collector.last_frame() else { return Ok(collector.finish()) };
    let mut reader = VideoReader::open_file(input)?;
    while let Some(frame) = reader.next_frame()? {
        if frame.index > last {
            break;
        }
        collector.offer(frame.index, &frame.image)?;
    }
    Ok(collector.finish())
}

/// A small JPEG of `bgr` with the skeleton drawn on it.
fn thumbnail_jpeg(bgr: &Mat, pose: Option<&PoseFrame>) -> Result<Vec<u8>, String> {
    let scale = (THUMB_LONG_SIDE / bgr.cols().max(bgr.rows()) as f64).min(1.0);
    let size = Size::new(((bgr.cols() as f64 * scale) as i32).max(1), ((bgr.rows() as f64 * scale) as i32).max(1));
    let mut small = Mat::default();
    let mut rgb = Mat::default();
    let mut draw = || -> Result<(), VideoError> {
        imgproc::resize(bgr, &mut small, size, 0.0, 0.0, imgproc::INTER_AREA)?;
        if let Some(pose) = pose {
            crate::annotate::draw_skeleton(&mut small, pose, scale, 1)?;
        }
        imgproc::cvt_color_def(&small, &mut rgb, imgproc::COLOR_BGR2RGB)?;
        Ok(())
    };
    draw().map_err(|e| e.to_string())?;
    let bytes = rgb.data_bytes().map_err(|e| e.to_string())?.to_vec();
    let image = image::RgbImage::from_raw(size.width as u32, size.height as u32, bytes)
        .ok_or_else(|| "thumbnail buffer has the wrong size".to_string())?;
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&image)
        .map_err(|e| e.to_string())?;
    Ok(out)
}
