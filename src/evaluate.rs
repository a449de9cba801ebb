//! `eval`: the engine scored against ground truth — the rendered corpus from its cached
//! landmarks, any folder of rendered clips (video → pose → rules), or the synthetic bench.

use crate::analyze::analyze_file;
use crate::AppError;
use formcheck_bench::calibration::{self, Reading};
use formcheck_bench::corpus::{input_info, ClipEntry, Corpus};
use formcheck_bench::pose_error::{self, MetricPair};
use formcheck_bench::score::Scores;
use formcheck_bench::truth::GroundTruth;
use formcheck_core::report::Report;
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::PoseEstimator;
use std::path::{Path, PathBuf};

/// One clip's outcome in an evaluation.
pub struct ClipResult {
    /// The clip's name.
    pub name: String,
    /// Its report, or why there is none.
    pub report: Result<Report, String>,
}

/// What an evaluation measured.
#[derive(Default)]
pub struct Evaluation {
    /// Scores by the reference rules.
    pub scores: Scores,
    /// Engine metric next to the truth, per paired rep.
    pub pairs: Vec<MetricPair>,
    /// Each check's raw reading next to the fault's true size (what calibration fits).
    pub readings: Vec<Reading>,
}

impl Evaluation {
    fn add(&mut self, report: &Report, truth: &GroundTruth, spec: &ExerciseSpec) {
        self.scores.add(report, truth);
        self.pairs.extend(pose_error::pairs(report, truth));
        self.readings.extend(calibration::readings(report, truth, spec));
    }
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

fn truth_error(e: formcheck_bench::BenchError) -> AppError {
    AppError::Usage(format!("ground truth: {e}"))
}

/// Runs the chain on each rendered clip and scores it against its ground truth.
pub fn evaluate_samples(
    clips: &[PathBuf],
    estimator: &mut dyn PoseEstimator,
    spec: &ExerciseSpec,
    mut on_clip: impl FnMut(&ClipResult),
) -> Result<Evaluation, AppError> {
    let mut eval = Evaluation::default();
    for video in clips {
        let mut truth = GroundTruth::load(&video.with_extension("json")).map_err(truth_error)?;
        truth.name = video.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let report = match analyze_file(video, estimator, spec, |_, _| {}) {
            Ok(analysis) => {
                eval.add(&analysis.report, &truth, spec);
                Ok(analysis.report)
            }
            Err(err) => Err(err.to_string()),
        };
        on_clip(&ClipResult { name: truth.name.clone(), report });
    }
    Ok(eval)
}

/// Which of a corpus clip's cached landmarks the rules read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorpusLandmarks {
    /// The corpus's own (BlazePose full).
    Own,
    /// Only what a 17-keypoint, image-only model would give of them (see `Pose::keypoints_only`).
    KeypointsOnly,
    /// Another pose model's (`landmarks_by_model`); clips without them are left out by the caller.
    Model(String),
}

/// Runs the rules on the corpus clips' cached landmarks (no pose model needed) and scores them.
pub fn evaluate_corpus(
    corpus: &Corpus,
    clips: &[&ClipEntry],
    spec: &ExerciseSpec,
    landmarks: &CorpusLandmarks,
    mut on_clip: impl FnMut(&ClipResult),
) -> Result<Evaluation, AppError> {
    let mut eval = Evaluation::default();
    for clip in clips {
        let truth = corpus.truth(clip).map_err(truth_error)?;
        let model = match landmarks {
            CorpusLandmarks::Model(m) => Some(m.as_str()),
            _ => None,
        };
        let mut frames = corpus.landmarks_by(clip, model).map_err(|e| AppError::Usage(e.to_string()))?;
        if *landmarks == CorpusLandmarks::KeypointsOnly {
            for pose in frames.iter_mut().filter_map(|f| f.pose.as_mut()) {
                *pose = pose.keypoints_only();
            }
        }
        let report = formcheck_core::analyze(&frames, spec, input_info(&clip.name, &frames));
        eval.add(&report, &truth, spec);
        on_clip(&ClipResult { name: clip.name.clone(), report: Ok(report) });
    }
    Ok(eval)
}
