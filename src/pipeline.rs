//! Frames → landmarks: decodes an input on one thread and runs pose estimation on another, so
//! decoding and inference overlap, and hands every frame's result to a sink as it comes.

use crate::AppError;
use formcheck_core::landmarks::PoseFrame;
use formcheck_vision::pose::{open_estimator, PoseConfig, PoseEstimator};
use formcheck_vision::video::{FrameSource, PrefetchReader, VideoInfo, VideoReader};
use opencv::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Detector runs (re-detections and the once-a-second people counts) that found more than
    /// one person; the tracked person is kept (see `formcheck_vision::pose::follow`).
    pub multiple_people: u64,
    /// Wall-clock seconds of the whole pass.
    pub wall_s: f64,
    /// Set when the video yielded fewer frames than its container announced (see [`ends_early`]).
    pub ends_early: Option<String>,
}

/// Set by the handler [`stop_on_interrupt`] installs; the pose pass checks it every frame.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C (SIGINT), SIGTERM and SIGHUP stop a running pose pass with
/// [`AppError::Interrupted`] instead of killing the process, so its outputs are cleaned up
/// (temporary files removed) on the way out. For the commands that write files (`pose`, `analyze`).
pub fn stop_on_interrupt() {
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::Relaxed));
}

/// True once Ctrl-C or SIGTERM arrived after [`stop_on_interrupt`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// When a video yields fewer frames than its container announced: the sentence that says so,
/// `analysed N of M frames: the file ends early`. `None` for a complete video, an image, an
/// unknown frame count, or a pass stopped on purpose by `max_frames`. Containers estimate their
/// count (from the duration, for streams without an index), so a shortfall of a frame or two or
/// under 2 % is not taken for a cut.
pub fn ends_early(info: &VideoInfo, frames: u64, max_frames: Option<u64>) -> Option<String> {
    let expected = info.frame_count_hint;
    if info.is_image || expected == 0 || frames >= expected || max_frames.is_some_and(|max| frames >= max) {
        return None;
    }
    let missing = expected - frames;
    (missing > 2 && missing * 50 > expected)
        .then(|| format!("analysed {frames} of {expected} frames: the file ends early"))
}

/// Opens `path` and runs the pose estimator on every frame, calling `sink` with each result in
/// order, stopping after `max_frames` if given. `on_progress` gets (frames done, frame count hint). Returns the input's facts and totals.
pub fn extract_landmarks(
    path: &Path,
    estimator: &mut dyn PoseEstimator,
    max_frames: Option<u64>,
    sink: impl FnMut(PoseFrame) -> Result<(), AppError>,
    on_progress: impl FnMut(u64, u64),
) -> Result<(VideoInfo, PassStats), AppError> {
    extract_from(VideoReader::open_file(path)?, estimator, max_frames, sink, on_progress)
}

/// [`extract_landmarks`] on an input already opened (so a caller can open the input before it
/// creates its outputs). The source is decoded on its own thread, ahead of the estimator.
pub fn extract_from(
    source: impl FrameSource + Send + 'static,
    estimator: &mut dyn PoseEstimator,
    max_frames: Option<u64>,
    mut sink: impl FnMut(PoseFrame) -> Result<(), AppError>,
    mut on_progress: impl FnMut(u64, u64),
) -> Result<(VideoInfo, PassStats), AppError> {
    let info = source.info().clone();
    let mut frames = PrefetchReader::spawn(source, PREFETCH_DEPTH);
    let started = Instant::now();
    let mut stats = PassStats::default();
    loop {
        if max_frames.is_some_and(|max| stats.frames >= max) {
            break;
        }
        if interrupted() {
            return Err(AppError::Interrupted);
        }
        let Some(frame) = frames.next_frame()? else { break };
        let output = estimator.estimate(&frame)?;
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
    stats.ends_early = ends_early(&info, stats.frames, max_frames);
    Ok((info, stats))
}

/// Builds the estimator of the configured pose model, mapping its errors into the app's.
pub fn new_estimator(config: PoseConfig) -> Result<Box<dyn PoseEstimator + Send>, AppError> {
    Ok(open_estimator(config)?)
}

/// Builds the estimator while `path` is opened on another thread: loading the models and
/// starting the decoder (which decodes the first frame) each take tens of milliseconds, and
/// neither needs the other. A model error is reported before an input error, as when the two
/// were done one after the other.
pub fn estimator_and_input(
    config: PoseConfig,
    path: &Path,
) -> Result<(Box<dyn PoseEstimator + Send>, VideoReader), AppError> {
    let (estimator, reader) = std::thread::scope(|s| {
        let opening = s.spawn(|| VideoReader::open_file(path));
        let estimator = new_estimator(config);
        (estimator, opening.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    Ok((estimator?, reader?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_video_is_said_to_end_early() {
        let video = VideoInfo { frame_count_hint: 268, ..VideoInfo::default() };
        assert_eq!(ends_early(&video, 119, None).as_deref(), Some("analysed 119 of 268 frames: the file ends early"));
        // Complete, within the container's estimate, or stopped on purpose: nothing to say.
        assert_eq!(ends_early(&video, 268, None), None);
        assert_eq!(ends_early(&video, 266, None), None);
        assert_eq!(ends_early(&video, 100, Some(100)), None);
        assert_eq!(ends_early(&VideoInfo::default(), 10, None), None);
        let image = VideoInfo { frame_count_hint: 1, is_image: true, ..VideoInfo::default() };
        assert_eq!(ends_early(&image, 0, None), None);
    }
}
