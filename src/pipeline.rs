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

/// How many bytes of decoded frames may be alive at once in a pass: the queue, the frame the
/// decoder is filling and the one being posed. The queue is deep enough for decoding to run on
/// while the models load and while the detector takes a slow frame (a 1080p BGR frame is 6 MB:
/// eight wait), and memory stays bounded on large inputs (a 4K frame is 24 MB: one waits).
const FRAME_BUDGET_BYTES: u64 = 64 << 20;

/// Frames alive outside the queue: the one being decoded and the one being posed.
const FRAMES_OUTSIDE_QUEUE: u64 = 2;

/// No deeper than this, however small the frames: more would not keep the decoder busier.
const MAX_QUEUE_FRAMES: u64 = 32;

/// The decode queue's depth for frames of `info`'s size: what [`FRAME_BUDGET_BYTES`] leaves
/// after the frames outside the queue, at least one. An input of unknown size counts as 4K.
pub fn prefetch_depth(info: &VideoInfo) -> usize {
    let pixels = u64::from(info.width) * u64::from(info.height);
    let frame_bytes = if pixels == 0 { 3840 * 2160 * 3 } else { pixels * 3 };
    let depth = (FRAME_BUDGET_BYTES / frame_bytes).saturating_sub(FRAMES_OUTSIDE_QUEUE).clamp(1, MAX_QUEUE_FRAMES);
    usize::try_from(depth).unwrap_or(1)
}

/// Starts decoding `source` on its own thread, ahead of whatever will consume its frames.
pub fn start_decoding(source: impl FrameSource + Send + 'static) -> PrefetchReader {
    let depth = prefetch_depth(source.info());
    PrefetchReader::spawn(source, depth)
}

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
    extract_from(start_decoding(VideoReader::open_file(path)?), estimator, max_frames, sink, on_progress)
}

/// [`extract_landmarks`] on an input already opened and decoding (so a caller can open the
/// input before it creates its outputs, and decoding can start while the models load).
pub fn extract_from(
    mut frames: PrefetchReader,
    estimator: &mut dyn PoseEstimator,
    max_frames: Option<u64>,
    mut sink: impl FnMut(PoseFrame) -> Result<(), AppError>,
    mut on_progress: impl FnMut(u64, u64),
) -> Result<(VideoInfo, PassStats), AppError> {
    let info = frames.info().clone();
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
        let (width, height) = (frame.image.cols() as u32, frame.image.rows() as u32);
        let (index, t_s) = (frame.index, frame.t_s);
        frames.recycle(frame.image);
        sink(PoseFrame { index, t_s, width, height, pose: output.pose })?;
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

/// Builds the estimator while `path` is opened and starts decoding on another thread: loading
/// the models takes tens of milliseconds, and the decoder need not wait for them (the frames it
/// decodes meanwhile wait in its queue). A model error is reported before an input error, as
/// when the two were done one after the other.
pub fn estimator_and_input(
    config: PoseConfig,
    path: &Path,
) -> Result<(Box<dyn PoseEstimator + Send>, PrefetchReader), AppError> {
    let (estimator, reader) = std::thread::scope(|s| {
        let opening = s.spawn(|| VideoReader::open_file(path).map(start_decoding));
        let estimator = new_estimator(config);
        (estimator, opening.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    Ok((estimator?, reader?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decode_queue_holds_more_small_frames_than_large_ones() {
        let size = |width, height| VideoInfo { width, height, ..VideoInfo::default() };
        assert_eq!(prefetch_depth(&size(1920, 1080)), 8);
        assert_eq!(prefetch_depth(&size(2160, 3840)), 1);
        assert_eq!(prefetch_depth(&size(7680, 4320)), 1);
        assert_eq!(prefetch_depth(&size(640, 360)), 32);
        assert_eq!(prefetch_depth(&VideoInfo::default()), 1);
    }

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
