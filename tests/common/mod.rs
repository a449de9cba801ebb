//! Shared helpers of the end-to-end tests: run the real `formcheck` binary on real files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A bundled sample clip.
pub fn sample(name: &str) -> PathBuf {
    root().join("samples").join(name)
}

/// A `formcheck` command ready to run.
pub fn formcheck() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_formcheck"));
    cmd.env_remove("FORMCHECK_MODELS");
    // The tests keep their history to themselves, never in the user's data folder.
    cmd.env("FORMCHECK_DB", test_history());
    cmd
}

/// The history database the tests' runs record in (one per test binary; tests that look at the
/// history pass `--db` of their own).
pub fn test_history() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("history-{}.sqlite", std::process::id()))
}

/// Runs `formcheck` with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    formcheck().args(args).output().expect("formcheck runs")
}

/// stdout and stderr as text, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs ffmpeg quietly with `args`; panics with its stderr when it fails.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed by scripts/setup.sh");
    assert!(out.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Frames in a video, counted by decoding (ffprobe).
pub fn count_frames(path: &Path) -> u64 {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-count_frames",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout).trim().trim_end_matches(',').parse().unwrap_or(0)
}

/// The codec name of a video's first stream (ffprobe).
pub fn codec_name(path: &Path) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Reads a JSONL file into values.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("jsonl readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// A prerequisite of a test is missing: under `CI=1` that fails the test (CI must run
/// everything), elsewhere the test says it skipped and returns.
pub fn skip_or_fail(why: &str) {
    if std::env::var_os("CI").is_some_and(|v| v == "1" || v == "true") {
        panic!("prerequisite missing under CI=1: {why}");
    }
    eprintln!("skipped: {why}");
}

/// A report reduced to what a person is told: sets, reps, which faults per rep, each check's
/// status (the form of `tests/golden/verdicts.json`). Which rep a borderline falls on is left
/// out: a borderline reading sits on the noise's edge by definition, and the pose model's floats
/// differ between CPUs (a machine of another make moved one of sample 01's standing-foot
/// borderlines from its first rep to its second); the check's status still says borderline.
pub fn digest(report: &formcheck_core::report::Report) -> serde_json::Value {
    use serde_json::{json, Value};
    let sets: Vec<Value> = report
        .sets
        .iter()
        .map(|set| {
            let reps: Vec<Value> = set
                .reps
                .iter()
                .map(|rep| {
                    let faults: Vec<&str> = rep.faults.iter().map(|f| f.check.as_str()).collect();
                    json!({"index": rep.index, "partial": rep.partial, "faults": faults})
                })
                .collect();
            json!({"side": set.side.as_str(), "reps": reps})
        })
        .collect();
    let checks: serde_json::Map<String, Value> = report
        .checks
        .iter()
        .map(|c| (c.check.as_str().to_string(), serde_json::to_value(c.status).unwrap_or(Value::Null)))
        .collect();
    json!({"sets": sets, "checks": checks})
}

/// Re-encodes the first 172 frames (two reps) of a bundled sample to `dst` (quick, H.264), with
/// extra ffmpeg output options (e.g. `-metadata creation_time=…`).
pub fn short_copy(src: &str, dst: &Path, extra: &[&str]) {
    let input = sample(src);
    let mut args = vec!["-i", input.to_str().unwrap(), "-frames:v", "172", "-c:v", "libx264", "-preset", "ultrafast"];
    args.extend_from_slice(extra);
    args.push(dst.to_str().unwrap());
    ffmpeg(&args);
}
