//! Frames → landmarks: decodes an input on one thread and runs pose estimation on another, so
//! decoding and inference overlap, and hands every frame's result to a sink as it comes.

use crate::AppError;
use formcheck_core::landmarks::PoseFrame;
use formcheck_vision::pose::{PoseConfig, PoseEstimator};
use formcheck_vision::video::{PrefetchReader, VideoInfo, VideoReader};
use opencv::prelude::*;
use std::path::Path;
use std::time::Instant;

/// How many decoded frames may wait for the pose stage. Two keep the decoder busy while
/// bounding memory (a 4K BGR frame is 24 MB).
const PREFETCH_DEPTH: usize = 2;

/// Totals of one pass over an input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PassStats {
    /// Frames decoded.
    pub frames: u64,
    /// Frames in which a person was found.
    pub frames_with_pose: u64,
    /// Frames in which the detector ran (tracking was lost or not yet started).
    pub detector_runs: u64,
    /// Detector runs that found more than one person (the most prominent one is followed).
    pub multiple_people: u64,
    /// Wall-clock seconds of the whole pass.
    pub wall_s: f64,
}

/// Opens `path` and runs the pose estimator on every frame, calling `sink` with each result in
/// order, stopping after `max_frames` if given. `on_progress` gets (frames done, frame count hint). Returns the input's facts and totals.
pub fn extract_landmarks(
    path: &Path,
    estimator: &mut PoseEstimator,
    max_frames: Option<u64>,
    mut sink: impl FnMut(PoseFrame) -> Result<(), AppError>,
    mut on_progress: impl FnMut(u64, u64),
) -> Result<(VideoInfo, PassStats), AppError> {
    let reader = VideoReader::open_file(path)?;
    let info = reader.info().clone();
    let frames = PrefetchReader::spawn(reader, PREFETCH_DEPTH);
    let started = Instant::now();
    let mut stats = PassStats::default();
    for frame in frames {
        if max_frames.is_some_and(|max| stats.frames >= max) {
            break;
        }
        let frame = frame?;
        let output = estimator.process(&frame.image, frame.t_s)?;
        stats.frames += 1;
        stats.detector_runs += u64::from(output.detector_ran);
        stats.frames_with_pose += u64::from(output.pose.is_some());
        stats.multiple_people += u64::from(output.people_detected.is_some_and(|n| n > 1));
        sink(PoseFrame {
            index: frame.index,
            t_s: frame.t_s,
            width: frame.image.cols() as u32,
            height: frame.image.rows() as u32,
            pose: output.pose,
        })?;
        on_progress(stats.frames, info.frame_count_hint);
    }
    stats.wall_s = started.elapsed().as_secs_f64();
    Ok((info, stats))
}

/// Builds an estimator, mapping its errors into the app's.
pub fn new_estimator(config: PoseConfig) -> Result<PoseEstimator, AppError> {
    Ok(PoseEstimator::new(config)?)
}
