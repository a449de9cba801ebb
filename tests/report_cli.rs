//! `formcheck report REPORT.json --html OUT.html` end to end, through the real binary: a report
//! the engine made becomes a hand-out page holding what it says (and a batch's keyframes beside
//! it); bad input is refused with a clear message and a non-zero exit, leaving no page behind
//! and the report untouched. (The page in the browser: `html_report.rs`.)

mod common;

use formcheck_bench::synth::{generate, Injection, SynthParams};
use formcheck_core::kinematics::Side;
use formcheck_core::report::{InputInfo, Report};
use formcheck_core::spec::View;
use std::path::{Path, PathBuf};

/// A report of a set per leg with a forward lean from the third rep on, seen from the side, as
/// the engine makes it from synthetic landmarks.
fn engine_report(video: &str) -> Report {
    let spec = formcheck_core::spec::ExerciseSpec::cable_medius_kickback().expect("embedded spec");
    let mut p = SynthParams::clean(7, View::SideWorking, Side::Left);
    p.switch_sides = true;
    p.faults = vec![Injection { check: formcheck_core::kickback::TORSO_LEAN_FORWARD, magnitude: 20.0, from_rep: 2 }];
    let seq = generate(&p);
    let last = seq.frames.last().expect("frames");
    let input = InputInfo {
        path: video.into(),
        width: last.width,
        height: last.height,
        fps: p.fps,
        duration_s: last.t_s,
        frames_decoded: seq.frames.len() as u64,
        frames_with_pose: seq.frames.iter().filter(|f| f.pose.is_some()).count() as u64,
    };
    formcheck_core::analyze(&seq.frames, &spec, input)
}

fn write_report(dir: &Path, name: &str, report: &Report) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, report.to_json().unwrap()).unwrap();
    path
}

fn report_cmd(report: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    common::formcheck().arg("report").arg(report).arg("--html").arg(out).args(extra).output().expect("formcheck runs")
}

#[test]
fn a_report_becomes_a_hand_out_page() {
    let dir = tempfile::tempdir().unwrap();
    let report = engine_report("clients/ann/2026-11-30 kickbacks.mp4");
    assert!(!report.summary.top_fixes.is_empty(), "the injected lean is a fix");
    let path = write_report(dir.path(), "ann.json", &report);
    let before = std::fs::read(&path).unwrap();
    let out = dir.path().join("ann.html");
    let run = report_cmd(&path, &out, &["--client", "Ann <A.>"]);
    assert_eq!(run.status.code(), Some(0), "{}", common::text(&run));
    assert!(run.stdout.is_empty() && run.stderr.is_empty(), "a quiet success: {}", common::text(&run));
    assert_eq!(std::fs::read(&path).unwrap(), before, "the report is untouched");

    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<title>Ann &lt;A.&gt; — 2026-11-30 kickbacks.mp4</title>"), "title names the client");
    assert!(html.contains("analysed 20"), "the date the report was written");
    assert!(html.contains("<h2>clients/ann/2026-11-30 kickbacks.mp4</h2>"));
    assert_eq!(html.matches("<section class=\"video").count(), 1, "one video");
    assert!(html.contains("class=\"video v-fix handout\""));
    let s = &report.summary;
    for (value, label) in [(s.reps_left, "left leg"), (s.reps_right, "right leg"), (s.partial_reps, "partial")] {
        assert!(html.contains(&format!("<b>{value}</b><span>{label}</span>")), "{label}: {value}");
    }
    for fix in &s.top_fixes {
        assert!(html.contains(&formcheck::html::escape_html(&fix.cue)), "fix {:?}", fix.cue);
    }
    assert!(html.contains("<svg class=\"chart\""), "the key charts");
    assert!(!html.contains("back to list") && !html.contains("<script"), "no batch links, no script");
    assert!(!html.contains("data:image/jpeg"), "no keyframes without a batch's");

    // To standard output, the same page.
    let run = common::formcheck().arg("report").arg(&path).args(["--html", "-", "--client", "Ann <A.>"]).output();
    let run = run.expect("formcheck runs");
    assert_eq!(run.status.code(), Some(0), "{}", common::text(&run));
    assert_eq!(String::from_utf8(run.stdout).unwrap(), html);
}

#[test]
fn a_batch_report_brings_its_keyframes() {
    let dir = tempfile::tempdir().unwrap();
    let report = engine_report("ann/kickbacks.mp4");
    let faults: Vec<_> = report.sets.iter().flat_map(|s| &s.reps).flat_map(|r| &r.faults).collect();
    let fault = faults.first().expect("a fault");
    let path = write_report(dir.path(), "kickbacks.mp4.report.json", &report);
    // What a batch writes beside the report: the assets file and its JPEGs.
    let jpeg = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 0xff, 0xd9];
    std::fs::write(dir.path().join("kickbacks.mp4.thumb-1.jpg"), jpeg).unwrap();
    let assets = serde_json::json!({"thumbnails": [
        {"check": fault.check.as_str(), "t_s": fault.peak_s, "frame": fault.peak_frame, "file": "kickbacks.mp4.thumb-1.jpg"},
        {"check": fault.check.as_str(), "t_s": fault.peak_s, "frame": fault.peak_frame, "file": "gone.jpg"},
    ]});
    std::fs::write(dir.path().join("kickbacks.mp4.assets.json"), assets.to_string()).unwrap();
    let out = dir.path().join("page.html");
    let run = report_cmd(&path, &out, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", common::text(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("note: keyframe \"gone.jpg\" left out"), "the missing keyframe is said: {stderr}");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<title>Kickback form check — kickbacks.mp4</title>"));
    assert_eq!(html.matches("src=\"data:image/jpeg;base64,").count(), 1, "the keyframe, embedded");
}

#[test]
fn bad_input_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = engine_report("a.mp4");
    let mut newer = serde_json::to_value(&good).unwrap();
    newer["schema_version"] = serde_json::json!(formcheck_core::report::SCHEMA_VERSION + 1);
    let mut broken = serde_json::to_value(&good).unwrap();
    broken.as_object_mut().unwrap().remove("sets");
    let cases: Vec<(&str, Option<String>, i32, &str)> = vec![
        ("missing.json", None, 3, "No such file"),
        ("empty.json", Some(String::new()), 3, "not JSON"),
        ("text.json", Some("formcheck: 3 reps".into()), 3, "not JSON"),
        ("landmarks.json", Some("{\"frame\": 0, \"t_s\": 0.0}".into()), 3, "no schema_version"),
        ("newer.json", Some(newer.to_string()), 3, "does not read"),
        ("broken.json", Some(broken.to_string()), 3, "not a valid formcheck report of schema_version 2"),
    ];
    for (name, content, code, says) in cases {
        let path = d.join(name);
        if let Some(content) = &content {
            std::fs::write(&path, content).unwrap();
        }
        let out = d.join(format!("{name}.html"));
        let run = report_cmd(&path, &out, &[]);
        assert_eq!(run.status.code(), Some(code), "{name}: {}", common::text(&run));
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.starts_with("formcheck: ") && stderr.contains(says), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: the message names the file: {stderr}");
        assert!(!out.exists(), "{name}: no page written");
    }
    // Never over the report itself, nor into a folder that is not there.
    let path = write_report(d, "r.json", &good);
    let before = std::fs::read(&path).unwrap();
    let run = report_cmd(&path, &path, &[]);
    assert_eq!(run.status.code(), Some(2), "{}", common::text(&run));
    assert!(String::from_utf8_lossy(&run.stderr).contains("that is the report itself"));
    let run = report_cmd(&path, &d.join("no/such/dir/r.html"), &[]);
    assert_eq!(run.status.code(), Some(4), "{}", common::text(&run));
    assert_eq!(std::fs::read(&path).unwrap(), before, "the report is untouched");
    let left: Vec<_> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(
        left.iter().all(|f| f.to_string_lossy().ends_with(".json")),
        "only the reports, no page or temporary: {left:?}"
    );
    // The subcommand wants both its arguments.
    let run = common::formcheck().arg("report").arg(&path).output().unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", common::text(&run));
}
