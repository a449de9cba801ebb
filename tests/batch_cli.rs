//! `formcheck batch` end to end: bad files listed and skipped, awkward names escaped, resumable
//! reruns, sharding, and outputs that are never half-written (unwritable folder, full disk).

mod common;

use common::{run, text};
use std::path::{Path, PathBuf};

const AWKWARD: &str = "Zoë/<b>set & \"1\" 日本.mp4";

/// A client folder: two short real clips of two reps each (one with an awkward name), a broken
/// video and a note.
fn client_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("Zoë")).unwrap();
    std::fs::create_dir_all(root.join("ann")).unwrap();
    for (src, dst) in [("01_clean_side.mp4", AWKWARD), ("08_pelvic_hike.mp4", "ann/week1.mp4")] {
        common::short_copy(src, &root.join(dst), &[]);
    }
    std::fs::write(root.join("ann/broken.mp4"), b"not really a video").unwrap();
    std::fs::write(root.join("ann/notes.txt"), b"client notes").unwrap();
    dir
}

fn batch(dir: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["batch", dir.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn report_path(out: &Path, rel: &str) -> PathBuf {
    out.join("videos").join(format!("{rel}.report.json"))
}

/// Every report file under `out` parses completely.
fn assert_no_partial_reports(out: &Path) {
    let mut stack = vec![out.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".report.json") {
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(formcheck_core::report::Report::from_json(&text).is_ok(), "partial report {}", p.display());
            }
        }
    }
}

#[test]
fn batch_lists_bad_files_escapes_names_and_resumes() {
    let clients = client_dir();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("review");
    let first = batch(clients.path(), &out, &["--jobs", "2", "--annotate"]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    // One input failed: the batch still finished the others, then exits non-zero and says why.
    assert_eq!(first.status.code(), Some(3), "{}", text(&first));
    assert!(stderr.contains("ann/broken.mp4") && stderr.contains("cannot open"), "{stderr}");
    assert!(stderr.contains("2 analysed"), "{stderr}");
    for rel in [AWKWARD, "ann/week1.mp4"] {
        let report = std::fs::read_to_string(report_path(&out, rel)).expect("report written");
        formcheck_core::report::Report::from_json(&report).expect("complete report");
        assert!(out.join("videos").join(format!("{rel}.annotated.mp4")).is_file());
    }

    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("ann/broken.mp4,failed,")), "{csv}");
    assert!(csv.contains("\"Zoë/<b>set & \"\"1\"\" 日本.mp4\",analysed"), "{csv}");

    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("&lt;b&gt;set &amp;"), "name escaped");
    assert!(!html.contains("<b>set"), "raw name must not reach the page");
    assert!(html.contains("broken.mp4") && html.contains("notes.txt"));
    assert!(html.contains("<svg"), "charts inline");

    // A rerun skips both finished videos (same content, same settings) and touches nothing.
    let stamp = report_path(&out, "ann/week1.mp4");
    let before = std::fs::metadata(&stamp).unwrap().modified().unwrap();
    let second = batch(clients.path(), &out, &["--jobs", "2", "--annotate"]);
    let stderr2 = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(3));
    assert!(stderr2.contains("0 analysed, 2 already current, 1 failed"), "{stderr2}");
    assert_eq!(std::fs::metadata(&stamp).unwrap().modified().unwrap(), before);

    // Changing a video's content makes it stale again.
    std::fs::copy(clients.path().join(AWKWARD), clients.path().join("ann/week1.mp4")).unwrap();
    let third = batch(clients.path(), &out, &["--annotate"]);
    assert!(String::from_utf8_lossy(&third.stderr).contains("1 analysed, 1 already current"), "{}", text(&third));
    assert_no_partial_reports(&out);
}

#[test]
fn shards_split_the_work_and_merge_by_collecting_files() {
    let clients = client_dir();
    std::fs::remove_file(clients.path().join("ann/broken.mp4")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let a = batch(clients.path(), out.path(), &["--shard", "0/2", "-q"]);
    let b = batch(clients.path(), out.path(), &["--shard", "1/2", "-q"]);
    assert!(a.status.success() && b.status.success(), "{}\n{}", text(&a), text(&b));
    let done = |o: &std::process::Output| {
        let s = String::from_utf8_lossy(&o.stderr).into_owned();
        s.split(" analysed").next().and_then(|x| x.rsplit(' ').next()).and_then(|n| n.parse::<usize>().ok()).unwrap()
    };
    assert_eq!(done(&a) + done(&b), 2, "each video in exactly one shard");
    let merged = batch(clients.path(), out.path(), &["--index-only"]);
    assert!(merged.status.success(), "{}", text(&merged));
    let csv = std::fs::read_to_string(out.path().join("summary.csv")).unwrap();
    assert_eq!(csv.lines().filter(|l| l.contains(",analysed,")).count(), 2, "{csv}");
}

#[test]
fn empty_and_non_video_folders_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(dir.path().join("in")).unwrap();
    let result = batch(&dir.path().join("in"), &out, &[]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    assert!(out.join("index.html").is_file());
    std::fs::write(dir.path().join("in/readme.md"), "hi").unwrap();
    let result = batch(&dir.path().join("in"), &out, &[]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    assert!(String::from_utf8_lossy(&result.stderr).contains("1 non-video file(s) ignored"));
}

#[test]
fn an_unwritable_output_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "x").unwrap();
    let result = batch(dir.path(), &blocker.join("out"), &[]);
    assert_eq!(result.status.code(), Some(4), "{}", text(&result));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("a-file/out") && !stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_full_disk_fails_the_video_not_the_batch_and_leaves_no_partial_report() {
    let clients = client_dir();
    let out = tempfile::tempdir().unwrap();
    // RLIMIT_FSIZE makes any write past 64 KiB fail with EFBIG (SIGXFSZ ignored), as a full disk would.
    let script = "trap '' XFSZ; ulimit -f 64; exec \"$0\" batch \"$1\" --out \"$2\" --annotate";
    let result = std::process::Command::new("bash")
        .args(["-c", script])
        .arg(env!("CARGO_BIN_EXE_formcheck"))
        .arg(clients.path())
        .arg(out.path())
        .env("FORMCHECK_DB", common::test_history())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(result.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("File too large") || stderr.contains("disk full"), "{stderr}");
    assert_no_partial_reports(out.path());
    // Nothing is marked done that is not: every stamp has its report beside it.
    let done: Vec<_> = walk(out.path()).into_iter().filter(|p| p.to_string_lossy().ends_with(".done")).collect();
    for stamp in done {
        let report = PathBuf::from(stamp.to_string_lossy().replace(".done", ".report.json"));
        assert!(report.is_file(), "{} without its report", stamp.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// With `--annotate` the keyframes come out of the annotated video's pass (one decode fewer); they
/// must be the very thumbnails the keyframe-only pass writes.
#[test]
fn keyframes_from_the_annotation_pass_match_their_own_pass() {
    let clients = tempfile::tempdir().unwrap();
    common::short_copy("08_pelvic_hike.mp4", &clients.path().join("hike.mp4"), &[]);
    let out_dir = tempfile::tempdir().unwrap();
    let plain = out_dir.path().join("plain");
    let annotated = out_dir.path().join("annotated");
    assert!(batch(clients.path(), &plain, &[]).status.success());
    assert!(batch(clients.path(), &annotated, &["--annotate"]).status.success());
    let assets = |out: &Path| std::fs::read_to_string(out.join("videos/hike.mp4.assets.json")).unwrap();
    assert_eq!(assets(&plain), assets(&annotated));
    let listed: serde_json::Value = serde_json::from_str(&assets(&plain)).unwrap();
    let thumbs = listed["thumbnails"].as_array().unwrap();
    assert!(!thumbs.is_empty(), "the hike clip has faults, so it has keyframes: {listed}");
    for t in thumbs {
        let file = t["file"].as_str().unwrap();
        let read = |out: &Path| std::fs::read(out.join("videos").join(file)).unwrap();
        assert_eq!(read(&plain), read(&annotated), "{file}");
    }
}
