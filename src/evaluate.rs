//! `eval`: the whole chain (video → pose → rules) scored against ground truth — the rendered
//! sample clips (`NAME.mp4` + `NAME.json`), or the synthetic landmark bench.

use crate::analyze::analyze_file;
use crate::AppError;
use formcheck_core::eval::{load_sample_labels, Scoreboard};
use formcheck_core::report::Report;
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::PoseEstimator;
use std::path::{Path, PathBuf};

/// One clip's outcome in a sample evaluation.
pub struct ClipResult {
    /// The clip.
    pub video: PathBuf,
    /// Its report, or why there is none.
    pub report: Result<Report, String>,
}

/// Lists `NAME.mp4` files in `dir` that have a `NAME.json` ground truth beside them, sorted.
pub fn sample_clips(dir: &Path) -> Result<Vec<PathBuf>, AppError> {
    let mut clips: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| AppError::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "mp4") && p.with_extension("json").is_file())
        .collect();
    clips.sort();
    Ok(clips)
}

/// Runs the chain on each clip and scores it against its ground truth.
pub fn evaluate_samples(
    clips: &[PathBuf],
    estimator: &mut PoseEstimator,
    spec: &ExerciseSpec,
    mut on_clip: impl FnMut(&ClipResult),
) -> Result<Scoreboard, AppError> {
    let mut board = Scoreboard::default();
    for video in clips {
        let labels = load_sample_labels(video.with_extension("json"))
            .map_err(|e| AppError::Usage(format!("ground truth: {e}")))?;
        let report = match analyze_file(video, estimator, spec, |_, _| {}) {
            Ok(analysis) => {
                board.score(&analysis.report, &labels, spec);
                Ok(analysis.report)
            }
            Err(err) => Err(err.to_string()),
        };
        on_clip(&ClipResult { video: video.clone(), report });
    }
    Ok(board)
}
