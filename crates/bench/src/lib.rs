//! formcheck's evaluation, kept apart from the engine it judges: rendered footage and a synthetic bench.
//!
//! - [`truth`]: the renderer's ground truth (full or as trimmed in the corpus): reps, working leg,
//!   per-rep fault labels and the values measured on the true skeleton.
//! - [`corpus`]: the committed corpus (`corpus/manifest.jsonl`): cached landmarks from
//!   `formcheck pose` and ground truth per clip, split into calibration and validation by seed.
//! - [`score`]: scoring reports by the reference rules (reps paired by time overlap and working
//!   leg, checks scored where the view shows them or the report claims them), per view class.
//! - [`synth`]: a body simulator: labelled landmark sequences of kickback sets (views, sides,
//!   injected faults, pose-model noise), the synthetic ground truth.
//! - [`eval`]: scoring reports against that ground truth (and the rendered samples' label
//!   files): rep counts, per-fault confusion by view, the synthetic bench's targets.
//! - [`synth_fit`]: the synthetic bench's noise fitted per view to the pose error measured on
//!   rendered footage, and the bench run with it.
//! - [`pose_error`]: what the pose error does to the engine's metrics: per view and metric the
//!   bias and spread of the measured value against the truth.

pub mod calibration;
pub mod corpus;
pub mod eval;
pub mod pose_error;
pub mod score;
pub mod synth;
pub mod synth_fit;
pub mod truth;

/// Errors reading corpus files and ground truth.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A file is not the JSON expected.
    #[error("parsing {path}: {source}")]
    Json {
        /// The file.
        path: String,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// A landmark file is not valid landmark JSONL.
    #[error("landmarks {path}: {source}")]
    Landmarks {
        /// The file.
        path: String,
        /// What the reader said.
        source: formcheck_core::landmarks::LandmarkIoError,
    },
    /// The content is readable but wrong (unknown view, leg, missing field).
    #[error("{path}: {what}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        what: String,
    },
}
