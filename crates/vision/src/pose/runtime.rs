//! Finding and initialising the ONNX Runtime shared library, and building sessions.
//!
//! `ort` is built with `load-dynamic`: the library is `libonnxruntime.so.1.31.1` from the PyPI wheel
//! `onnxruntime==1.31.1`, put in place by `scripts/setup.sh`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;

use super::PoseError;

/// File name of the ONNX Runtime library we load.
pub const ORT_LIBRARY: &str = "libonnxruntime.so.1.31.1";

/// Where the ONNX Runtime library is looked for, in order: `ORT_DYLIB_PATH` (a file), then
/// `$FORMCHECK_ORT_DIR/libonnxruntime.so.1.31.1`, then `~/.cache/formcheck/onnxruntime-1.31.1/`.
pub fn ort_library_path() -> (PathBuf, &'static str) {
    resolve_library_path(
        std::env::var_os("ORT_DYLIB_PATH"),
        std::env::var_os("FORMCHECK_ORT_DIR"),
        std::env::var_os("HOME"),
    )
}

/// [`ort_library_path`] with the environment passed in: returns the path and which setting chose it.
fn resolve_library_path(
    ort_dylib_path: Option<OsString>,
    formcheck_ort_dir: Option<OsString>,
    home: Option<OsString>,
) -> (PathBuf, &'static str) {
    if let Some(p) = ort_dylib_path.filter(|p| !p.is_empty()) {
        return (PathBuf::from(p), "ORT_DYLIB_PATH");
    }
    if let Some(d) = formcheck_ort_dir.filter(|p| !p.is_empty()) {
        return (PathBuf::from(d).join(ORT_LIBRARY), "FORMCHECK_ORT_DIR");
    }
    let home = home.filter(|h| !h.is_empty()).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/root"));
    (home.join(".cache/formcheck/onnxruntime-1.31.1").join(ORT_LIBRARY), "the default user cache")
}

/// The outcome of the one-time initialisation, shared by every estimator in the process.
static INIT: OnceLock<Result<(ort::environment::Environment, PathBuf), String>> = OnceLock::new();

/// Loads ONNX Runtime once per process and returns its environment. Later calls return the
/// first call's outcome.
pub fn init_runtime() -> Result<&'static ort::environment::Environment, PoseError> {
    let (path, why) = ort_library_path();
    if INIT.get().is_none() && !path.is_file() {
        return Err(PoseError::RuntimeMissing { path, why });
    }
    let res = INIT.get_or_init(|| {
        let builder = ort::init_from(&path).map_err(|e| e.to_string())?;
        let env = builder.with_name("formcheck").with_telemetry(false).build().map_err(|e| e.to_string())?;
        Ok((env, path.clone()))
    });
    match res {
        Ok((env, _)) => Ok(env),
        Err(message) => Err(PoseError::RuntimeInit { path, message: message.clone() }),
    }
}

/// ONNX Runtime threading for one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadSettings {
    /// Intra-op threads (0 lets ONNX Runtime pick one per physical core).
    pub intra_threads: usize,
    /// Whether idle intra-op threads spin (busy-wait) between ops.
    pub intra_spinning: bool,
}

/// Builds a CPU session for `model` (bytes already checked) with optimisation level 3,
/// one inter-op thread and the given intra-op settings.
pub fn build_session(name: &str, model: &[u8], threads: ThreadSettings) -> Result<Session, PoseError> {
    let env = init_runtime()?;
    let ctx = |what: &str| format!("{name}: {what}");
    let builder = Session::builder(env).map_err(|e| PoseError::ort(ctx("session builder"), e))?;
    let builder = builder
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(|e| PoseError::ort(ctx("optimisation level"), e))?
        .with_inter_threads(1)
        .map_err(|e| PoseError::ort(ctx("inter-op threads"), e))?
        .with_intra_threads(threads.intra_threads)
        .map_err(|e| PoseError::ort(ctx("intra-op threads"), e))?
        .with_intra_op_spinning(threads.intra_spinning)
        .map_err(|e| PoseError::ort(ctx("intra-op spinning"), e))?
        .with_inter_op_spinning(false)
        .map_err(|e| PoseError::ort(ctx("inter-op spinning"), e))?;
    let mut builder = builder;
    builder.commit_from_memory(model).map_err(|e| PoseError::ort(ctx("loading model"), e))
}

/// True when the runtime library is present (used by tests to skip cleanly on bare machines).
pub fn runtime_available() -> bool {
    let (p, _) = ort_library_path();
    Path::new(&p).is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_path_precedence() {
        let some = |s: &str| Some(OsString::from(s));
        let (p, why) = resolve_library_path(some("/x/lib.so"), some("/dir"), some("/home/u"));
        assert_eq!((p, why), (PathBuf::from("/x/lib.so"), "ORT_DYLIB_PATH"));
        let (p, why) = resolve_library_path(some(""), some("/dir"), some("/home/u"));
        assert_eq!((p, why), (PathBuf::from("/dir").join(ORT_LIBRARY), "FORMCHECK_ORT_DIR"));
        let (p, _) = resolve_library_path(None, None, some("/home/u"));
        assert_eq!(p, PathBuf::from("/home/u/.cache/formcheck/onnxruntime-1.31.1/libonnxruntime.so.1.31.1"));
    }

    #[test]
    fn missing_library_error_names_the_setup_script() {
        let err =
            PoseError::RuntimeMissing { path: PathBuf::from("/nope/libonnxruntime.so.1.31.1"), why: "ORT_DYLIB_PATH" };
        let text = err.to_string();
        assert!(text.contains("scripts/setup.sh") && text.contains("/nope/libonnxruntime.so.1.31.1"), "{text}");
    }
}
