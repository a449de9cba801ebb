//! formcheck: the application layer over the pipeline crates — the `pose`, `analyze`, `live`,
//! `batch` and `report` front-ends and their outputs. The `formcheck` binary is a thin shell over this.
//!
//! Stages: [`formcheck_vision::video`] → [`formcheck_vision::pose`] → [`formcheck_core`]'s
//! kinematics, reps and rules → reports ([`formcheck_core::report`], [`html`], [`annotate`]).

pub mod analyze;
pub mod annotate;
pub mod atomic;
pub mod batch;
pub mod bench;
pub mod evaluate;
pub mod handout;
pub mod history;
pub mod html;
pub mod keyframes;
pub mod live;
pub mod live_window;
pub mod pipeline;
pub mod speech;

use std::path::PathBuf;

/// Errors of the front-ends; each maps to a process exit code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input could not be opened or decoded.
    #[error(transparent)]
    Video(#[from] formcheck_vision::video::VideoError),
    /// The pose stage failed (model missing, checksum mismatch, runtime error).
    #[error(transparent)]
    Pose(#[from] formcheck_vision::pose::PoseError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// An output could not be written completely; nothing was left in its place.
    #[error("could not write {what} {}: {reason}", path.display())]
    Output {
        /// What the output is ("annotated video", "report"...).
        what: &'static str,
        /// The output path as given.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The video decoded but nobody was found in any frame.
    #[error("{path}: no person found in any of its {frames} frames (is the whole body in the picture?)")]
    NoPerson {
        /// The input.
        path: PathBuf,
        /// Frames decoded.
        frames: u64,
    },
    /// The exercise spec file is invalid.
    #[error(transparent)]
    Spec(#[from] formcheck_core::spec::SpecError),
    /// Stopped by Ctrl-C or SIGTERM before it was done; nothing partial was left behind.
    #[error("interrupted; nothing was written")]
    Interrupted,
    /// The request itself is wrong (bad option combination, bad spec file...).
    #[error("{0}")]
    Usage(String),
    /// A report's hand-out page could not be made (`formcheck report --html`).
    #[error(transparent)]
    Handout(#[from] handout::HandoutError),
}

impl AppError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> AppError {
        AppError::Io { path: path.into(), source }
    }

    /// The process exit code for this error: 2 usage, 3 unreadable input, 4 other failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Usage(_) | AppError::Spec(_) => exit::USAGE,
            AppError::Video(_) | AppError::NoPerson { .. } => exit::UNREADABLE_INPUT,
            AppError::Pose(_) | AppError::Io { .. } | AppError::Output { .. } => exit::FAILURE,
            AppError::Interrupted => exit::INTERRUPTED,
            AppError::Handout(err) => err.exit_code(),
        }
    }
}

/// An error and those of its causes whose text it does not already say, outermost first. Most
/// errors include their cause's text in their own; printing it again reads as the same error twice.
pub fn error_lines(err: &dyn std::error::Error) -> Vec<String> {
    let mut lines = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !lines.iter().any(|said| said.contains(text.trim())) {
            lines.push(text);
        }
        source = cause.source();
    }
    lines
}

/// The text printed for a failed command: `formcheck: ERROR`, then `  caused by: CAUSE` for each
/// cause not already said (see [`error_lines`]).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let lines = error_lines(err);
    let mut out = format!("formcheck: {}\n", lines[0]);
    for cause in &lines[1..] {
        out.push_str(&format!("  caused by: {cause}\n"));
    }
    out
}

/// What is said of a video in which nobody did a set of the exercise (walking, setting up,
/// standing still, someone else in view): no reps are counted or judged.
pub const NO_EXERCISE: &str = "no set of at least two full kickback reps was seen";

/// Why a report has no reps: [`NO_EXERCISE`], and, where the camera stood where a kick can hide,
/// what to change (the report's `summary.no_reps_advice`).
pub fn no_exercise_reason(report: &formcheck_core::report::Report) -> String {
    match &report.summary.no_reps_advice {
        Some(advice) => format!("{NO_EXERCISE}. {advice}"),
        None => NO_EXERCISE.to_string(),
    }
}

/// Process exit codes shared by all subcommands.
pub mod exit {
    /// Analysed (and no fault, when asked to fail on faults).
    pub const OK: u8 = 0;
    /// Analysed, and faults were found while `--fail-on-fault` was given.
    pub const FAULTS: u8 = 1;
    /// Bad command line or settings.
    pub const USAGE: u8 = 2;
    /// The input could not be read as a video or image (batch: some input failed).
    pub const UNREADABLE_INPUT: u8 = 3;
    /// Something else failed (model, runtime, output not writable).
    pub const FAILURE: u8 = 4;
    /// Stopped by Ctrl-C (SIGINT), SIGTERM or SIGHUP (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: u8 = 130;
}
