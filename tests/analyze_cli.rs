//! `formcheck analyze` end to end on real video: the report contract, the annotated video,
//! exit codes, phone-video quirks (rotation metadata, variable frame rate), and hard scenes.

mod common;

use common::{codec_name, count_frames, ffmpeg, read_jsonl, run, sample, text};
use formcheck_core::report::{Report, Status};
use formcheck_core::spec::CheckId;

fn analyze(input: &std::path::Path, extra: &[&str]) -> (std::process::Output, Option<Report>) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let mut args = vec!["analyze", input.to_str().unwrap(), "--json", json.to_str().unwrap()];
    args.extend_from_slice(extra);
    let result = run(&args);
    let report = std::fs::read_to_string(&json).ok().map(|t| Report::from_json(&t).expect("report follows the schema"));
    (result, report)
}

#[test]
fn report_contract_and_annotated_video() {
    let dir = tempfile::tempdir().unwrap();
    let annotated = dir.path().join("annotated.mp4");
    let clip = sample("08_pelvic_hike.mp4");
    let (result, report) = analyze(&clip, &["--annotate", annotated.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    let report = report.expect("report written");

    // The fixed parts of the contract, read as plain JSON the way another tool would.
    let raw: serde_json::Value = serde_json::to_value(&report).unwrap();
    assert_eq!(raw["schema_version"], 2);
    let checks = raw["checks"].as_array().unwrap();
    let ids: Vec<&str> = checks.iter().map(|c| c["check"].as_str().unwrap()).collect();
    let expected: Vec<&str> = formcheck_core::kickback::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(ids, expected, "one entry per check id, in order");
    for check in checks {
        let status = check["status"].as_str().unwrap();
        assert!(["ok", "fault", "borderline", "not_measurable"].contains(&status));
        if status == "not_measurable" {
            assert!(check["reason"].is_string() && check["advice"].is_string(), "{check}");
        }
    }
    let set = &raw["sets"][0];
    assert!(set["side"] == "left" || set["side"] == "right");
    for rep in set["reps"].as_array().unwrap() {
        for key in ["index", "start_s", "peak_s", "end_s", "partial", "faults"] {
            assert!(rep.get(key).is_some(), "rep lacks {key}: {rep}");
        }
        for fault in rep["faults"].as_array().unwrap() {
            assert!(expected.contains(&fault["check"].as_str().unwrap()));
        }
    }

    // From behind, the working leg (right, per the ground truth) and pelvic level are visible.
    assert_eq!(report.sets[0].side.as_str(), "right");
    let hike = report.checks.iter().find(|c| c.check == formcheck_core::kickback::PELVIS_HIKE).unwrap();
    assert_ne!(hike.status, Status::NotMeasurable);

    // The summary went to stdout; the annotated video is H.264 with every frame.
    assert!(String::from_utf8_lossy(&result.stdout).contains("Checks:"));
    assert_eq!(codec_name(&annotated), "h264");
    assert_eq!(count_frames(&annotated), 258);
}

#[test]
fn side_view_says_what_it_cannot_see() {
    let (result, report) = analyze(&sample("01_clean_side.mp4"), &["--quiet"]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    assert!(result.stdout.is_empty(), "--quiet prints nothing");
    let report = report.unwrap();
    let status = |id: CheckId| report.checks.iter().find(|c| c.check == id).unwrap().status;
    // Pelvic level and sideways lean cannot be judged from the side; forward lean can.
    assert_eq!(status(formcheck_core::kickback::PELVIS_HIKE), Status::NotMeasurable);
    assert_eq!(status(formcheck_core::kickback::TORSO_LEAN_AWAY), Status::NotMeasurable);
    assert_ne!(status(formcheck_core::kickback::TORSO_LEAN_FORWARD), Status::NotMeasurable);
    assert_eq!(report.sets.first().map(|s| s.side.as_str()), Some("right"));
}

#[test]
fn fail_on_fault_sets_exit_code_1_only_when_asked() {
    let clip = sample("08_pelvic_hike.mp4");
    let (plain, report) = analyze(&clip, &["--quiet"]);
    assert_eq!(plain.status.code(), Some(0));
    let faulty = report.unwrap().checks.iter().any(|c| c.status == Status::Fault);
    let (strict, _) = analyze(&clip, &["--quiet", "--fail-on-fault"]);
    assert_eq!(strict.status.code(), Some(if faulty { 1 } else { 0 }), "{}", text(&strict));
}

#[test]
fn rotation_metadata_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    // A landscape recording stored sideways with a 90° rotation flag, as phones do.
    let sideways = dir.path().join("sideways.mp4");
    ffmpeg(&[
        "-i",
        sample("08_pelvic_hike.mp4").to_str().unwrap(),
        "-frames:v",
        "20",
        "-vf",
        "transpose=2",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        sideways.to_str().unwrap(),
    ]);
    let rotated = dir.path().join("rotated.mp4");
    ffmpeg(&[
        "-i",
        sideways.to_str().unwrap(),
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        rotated.to_str().unwrap(),
    ]);
    let out = dir.path().join("o.jsonl");
    let result = run(&["pose", rotated.to_str().unwrap(), "--jsonl", out.to_str().unwrap()]);
    assert!(result.status.success(), "{}", text(&result));
    let lines = read_jsonl(&out);
    assert_eq!(lines.len(), 20);
    // Decoded upright: 1280 wide again, and the person stands (head above hips).
    assert_eq!((lines[0]["width"].as_u64(), lines[0]["height"].as_u64()), (Some(1280), Some(720)));
    let lm = &lines[10]["landmarks"];
    assert!(lm[0][1].as_f64().unwrap() < lm[23][1].as_f64().unwrap(), "nose above hip");
}

#[test]
fn variable_frame_rate_keeps_container_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let vfr = dir.path().join("vfr.mp4");
    // Keep frames 0,1, 3,4, 6,7, ...: gaps of 1 and 2 frame periods, timestamps preserved.
    ffmpeg(&[
        "-i",
        sample("01_clean_side.mp4").to_str().unwrap(),
        "-vf",
        "select='not(eq(mod(n\\,3)\\,2))'",
        "-fps_mode",
        "vfr",
        "-frames:v",
        "30",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        vfr.to_str().unwrap(),
    ]);
    let out = dir.path().join("o.jsonl");
    let result = run(&["pose", vfr.to_str().unwrap(), "--jsonl", out.to_str().unwrap(), "--real-clock"]);
    assert!(result.status.success(), "{}", text(&result));
    let t: Vec<f64> = read_jsonl(&out).iter().map(|l| l["t_ms"].as_f64().unwrap()).collect();
    let gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let short = gaps.iter().filter(|g| (**g - 33.3).abs() < 3.0).count();
    let long = gaps.iter().filter(|g| (**g - 66.7).abs() < 3.0).count();
    assert!(short >= 10 && long >= 10, "gaps {gaps:?}");
}

#[test]
fn two_people_and_a_person_who_leaves_do_not_break_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let a = sample("01_clean_side.mp4");
    let b = sample("08_pelvic_hike.mp4");
    // Two people side by side.
    let two = dir.path().join("two.mp4");
    ffmpeg(&[
        "-i",
        a.to_str().unwrap(),
        "-i",
        b.to_str().unwrap(),
        "-filter_complex",
        "[0:v]scale=360:640[l];[1:v]crop=405:720:440:0,scale=360:640[r];[l][r]hstack",
        "-frames:v",
        "150",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        two.to_str().unwrap(),
    ]);
    let (result, report) = analyze(&two, &[]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    assert!(report.unwrap().diagnostics.frames_with_pose > 100);
    assert!(String::from_utf8_lossy(&result.stdout).contains("someone else was in view"), "{}", text(&result));

    // The person walks out: the clip, then two seconds of the empty gym (a frame with nobody).
    let leaves = dir.path().join("leaves.mp4");
    ffmpeg(&[
        "-i",
        a.to_str().unwrap(),
        "-f",
        "lavfi",
        "-i",
        "color=gray:s=720x1280:r=30:d=2",
        "-filter_complex",
        "[0:v][1:v]concat=n=2:v=1[v]",
        "-map",
        "[v]",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        leaves.to_str().unwrap(),
    ]);
    let (result, report) = analyze(&leaves, &["--quiet"]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    let report = report.unwrap();
    assert!(report.diagnostics.frames_with_pose < report.diagnostics.frames, "{:?}", report.diagnostics);
    assert!(report.rep_count() >= 1);
}

/// Real footage of people walking past (OpenCV's vtest.avi, from Debian's opencv-doc): nobody does
/// the exercise, so no rep is counted, the report still says what was seen, and the exit code
/// and message say there was nothing to judge.
#[test]
fn people_walking_past_are_no_exercise() {
    let vtest = std::path::Path::new("/usr/share/doc/opencv-doc/examples/data/vtest.avi");
    if !vtest.is_file() {
        return common::skip_or_fail("vtest.avi (the Debian package opencv-doc, installed by scripts/setup.sh)");
    }
    let (result, report) = analyze(vtest, &["--quiet"]);
    assert_eq!(result.status.code(), Some(3), "{}", text(&result));
    assert!(String::from_utf8_lossy(&result.stderr).contains("no exercise found"), "{}", text(&result));
    let report = report.expect("the report is written");
    assert_eq!(report.summary.reps_left + report.summary.reps_right, 0);
    assert!(report.sets.is_empty());
}
