//! `analyze`: one video in, a report out — frames → landmarks → rules, plus the optional
//! annotated video. Shared by the `analyze` and `batch` front-ends.

use crate::pipeline::{self, PassStats};
use crate::AppError;
use formcheck_core::landmarks::PoseFrame;
use formcheck_core::report::{InputInfo, Report, Status};
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::PoseEstimator;
use formcheck_vision::video::{PrefetchReader, VideoInfo, VideoReader};
use std::path::Path;

/// Everything one analysis produced.
pub struct Analysis {
    /// Facts about the input.
    pub video: VideoInfo,
    /// Totals of the pose pass.
    pub stats: PassStats,
    /// Per-frame landmarks (small: about 1 KB a frame; the frames themselves are not kept).
    pub frames: Vec<PoseFrame>,
    /// The verdict.
    pub report: Report,
}

impl Analysis {
    /// True when any check found a fault.
    pub fn has_faults(&self) -> bool {
        self.report.checks.iter().any(|c| c.status == Status::Fault)
    }
}

/// Runs the whole chain on one file with any pose estimator. Fails with [`AppError::NoPerson`] when nobody is seen in
/// any frame (there is nothing to judge), and with a video error when the file is unusable.
pub fn analyze_file(
    path: &Path,
    estimator: &mut dyn PoseEstimator,
    spec: &ExerciseSpec,
    on_progress: impl FnMut(u64, u64),
) -> Result<Analysis, AppError> {
    analyze_input(pipeline::start_decoding(VideoReader::open_file(path)?), path, estimator, spec, on_progress)
}

/// [`analyze_file`] on `path` already opened and decoding as `reader`.
pub fn analyze_input(
    reader: PrefetchReader,
    path: &Path,
    estimator: &mut dyn PoseEstimator,
    spec: &ExerciseSpec,
    on_progress: impl FnMut(u64, u64),
) -> Result<Analysis, AppError> {
    estimator.reset();
    let mut frames = Vec::new();
    let (video, stats) = pipeline::extract_from(
        reader,
        estimator,
        None,
        |frame| {
            frames.push(frame);
            Ok(())
        },
        on_progress,
    )?;
    if stats.frames_with_pose == 0 {
        return Err(AppError::NoPerson { path: path.to_path_buf(), frames: stats.frames });
    }
    let input = input_info(&path.display().to_string(), &video, &frames, &stats);
    let mut report = formcheck_core::analyze(&frames, spec, input);
    report.diagnostics.ends_early = stats.ends_early.clone();
    report.diagnostics.others_in_view = stats.multiple_people > 0;
    Ok(Analysis { video, stats, frames, report })
}

/// The report's input block from what the pose pass saw.
pub fn input_info(name: &str, video: &VideoInfo, frames: &[PoseFrame], stats: &PassStats) -> InputInfo {
    let duration_s = match (frames.first(), frames.last()) {
        (Some(a), Some(b)) if frames.len() > 1 => {
            // The last frame lasts one frame period too.
            let period = if video.fps > 0.0 { 1.0 / video.fps } else { (b.t_s - a.t_s) / (frames.len() - 1) as f64 };
            b.t_s - a.t_s + period
        }
        _ => 0.0,
    };
    InputInfo {
        path: name.to_string(),
        width: video.width,
        height: video.height,
        fps: video.fps,
        duration_s,
        frames_decoded: stats.frames,
        frames_with_pose: stats.frames_with_pose,
    }
}
