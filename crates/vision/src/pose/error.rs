//! The pose stage's error type.

use std::path::PathBuf;

/// Everything that can go wrong while loading or running the BlazePose pipeline.
#[derive(Debug, thiserror::Error)]
pub enum PoseError {
    /// The ONNX Runtime shared library was not found where we looked.
    #[error(
        "ONNX Runtime library not found at {path} ({why}); run `scripts/setup.sh` to fetch it, \
         or set ORT_DYLIB_PATH / FORMCHECK_ORT_DIR"
    )]
    RuntimeMissing {
        /// Where we looked last.
        path: PathBuf,
        /// Which setting chose that path.
        why: &'static str,
    },
    /// ONNX Runtime could not be loaded or initialised.
    #[error("ONNX Runtime initialisation failed ({path}): {message}")]
    RuntimeInit {
        /// The library file.
        path: PathBuf,
        /// What `ort` said.
        message: String,
    },
    /// A model file or the manifest could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `models/manifest.json` is malformed or lacks an entry.
    #[error("model manifest {path}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A model file's sha256 differs from the manifest's.
    #[error(
        "model {path} has sha256 {actual}, but the manifest says {expected}; the file is corrupt or \
         stale — re-run `bash models/convert.sh` or restore it from git"
    )]
    ChecksumMismatch {
        /// The model file.
        path: PathBuf,
        /// sha256 from the manifest.
        expected: String,
        /// sha256 of the file on disk.
        actual: String,
    },
    /// A model does not have the inputs/outputs we expect.
    #[error("model {model}: {message}")]
    ModelShape {
        /// Model name.
        model: String,
        /// What is wrong.
        message: String,
    },
    /// ONNX Runtime failed while creating a session or running inference.
    #[error("ONNX Runtime ({context}): {message}")]
    Ort {
        /// What we were doing.
        context: String,
        /// What `ort` said.
        message: String,
    },
    /// An OpenCV call failed.
    #[error("OpenCV: {0}")]
    OpenCv(#[from] opencv::Error),
    /// The input frame is not usable (empty, wrong type).
    #[error("bad input frame: {0}")]
    BadFrame(String),
    /// The configuration is invalid.
    #[error("invalid pose config: {0}")]
    Config(String),
    /// Recorded landmarks do not fit the frame they are played back for (see
    /// [`super::replay::ReplayedPoses`]).
    #[error("recorded landmarks, frame {frame}: {message}")]
    Replay {
        /// Index of the frame.
        frame: u64,
        /// What does not fit.
        message: String,
    },
}

impl PoseError {
    /// Wraps an `ort` error with what we were doing.
    pub(crate) fn ort(context: impl Into<String>, err: impl std::fmt::Display) -> Self {
        PoseError::Ort { context: context.into(), message: err.to_string() }
    }
}
