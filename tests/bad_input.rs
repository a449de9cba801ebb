//! Bad input gets a clear error, a meaningful exit code, and never a panic or a partial output.

mod common;

use common::{ffmpeg, read_jsonl, run, sample, text};
use std::path::Path;

/// Runs `formcheck pose INPUT --jsonl OUT` and returns (exit code, stderr, output existed).
fn pose(input: &Path, out: &Path) -> (i32, String, bool) {
    let result = run(&["pose", input.to_str().unwrap(), "--jsonl", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{}", text(&result));
    (result.status.code().unwrap_or(-1), stderr, out.exists())
}

#[test]
fn missing_file_is_exit_3_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr, wrote) = pose(&dir.path().join("nope.mp4"), &dir.path().join("o.jsonl"));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("nope.mp4: no such file"), "{stderr}");
    assert!(!wrote);
}

#[test]
fn text_and_random_bytes_are_not_videos() {
    let dir = tempfile::tempdir().unwrap();
    let text_file = dir.path().join("notes.mp4");
    std::fs::write(&text_file, "just some notes, not a video\n").unwrap();
    let noise = dir.path().join("noise.mov");
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&noise, bytes).unwrap();
    for input in [&text_file, &noise] {
        let out = dir.path().join("o.jsonl");
        let (code, stderr, wrote) = pose(input, &out);
        assert_eq!(code, 3, "{stderr}");
        assert!(stderr.contains("cannot open") || stderr.contains("no decodable frames"), "{stderr}");
        assert!(!wrote, "no output for an unusable input");
    }
}

#[test]
fn a_directory_is_not_a_video() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr, _) = pose(dir.path(), &dir.path().join("o.jsonl"));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("directory"), "{stderr}");
}

#[test]
fn zero_frame_video_is_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let zero = dir.path().join("zero.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=black:s=64x64:d=1",
        "-frames:v",
        "0",
        "-c:v",
        "libx264",
        zero.to_str().unwrap(),
    ]);
    let (code, stderr, wrote) = pose(&zero, &dir.path().join("o.jsonl"));
    assert_eq!(code, 3, "{stderr}");
    assert!(!wrote);
}

#[test]
fn truncated_video_keeps_what_decoded() {
    let dir = tempfile::tempdir().unwrap();
    // MPEG-TS has no index: a cut file still decodes up to the cut, like a recording that died.
    let ts = dir.path().join("full.ts");
    ffmpeg(&["-i", sample("01_clean_side.mp4").to_str().unwrap(), "-c", "copy", "-f", "mpegts", ts.to_str().unwrap()]);
    let bytes = std::fs::read(&ts).unwrap();
    let cut = dir.path().join("cut.ts");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 5]).unwrap();
    let out = dir.path().join("o.jsonl");
    let (code, stderr, wrote) = pose(&cut, &out);
    assert_eq!(code, 0, "{stderr}");
    assert!(wrote);
    let lines = read_jsonl(&out);
    assert!(lines.len() > 30 && lines.len() < 268, "{} frames decoded", lines.len());
    assert!(lines.iter().filter(|l| !l["landmarks"].is_null()).count() > 20);

    // An MP4 cut in the middle of its data: the index promises frames that are not there.
    let mp4 = std::fs::read(sample("01_clean_side.mp4")).unwrap();
    let cut_mp4 = dir.path().join("cut.mp4");
    std::fs::write(&cut_mp4, &mp4[..mp4.len() / 2]).unwrap();
    let out = dir.path().join("o2.jsonl");
    let (code, stderr, wrote) = pose(&cut_mp4, &out);
    assert!(code == 0 || code == 3, "{stderr}");
    if code == 0 {
        assert!(read_jsonl(&out).len() < 268);
    } else {
        assert!(!wrote && !stderr.is_empty());
    }
}

#[test]
fn an_image_with_nobody_gives_a_null_line_and_analyze_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty_room.png");
    ffmpeg(&["-f", "lavfi", "-i", "color=gray:s=320x240", "-frames:v", "1", empty.to_str().unwrap()]);
    let out = dir.path().join("o.jsonl");
    let (code, stderr, _) = pose(&empty, &out);
    assert_eq!(code, 0, "{stderr}");
    let lines = read_jsonl(&out);
    assert_eq!(lines.len(), 1);
    assert!(lines[0]["landmarks"].is_null() && lines[0]["world"].is_null());
    assert_eq!((lines[0]["width"].as_u64(), lines[0]["height"].as_u64()), (Some(320), Some(240)));

    let video = dir.path().join("empty_room.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=gray:s=320x240:d=1:r=10",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        video.to_str().unwrap(),
    ]);
    let report = dir.path().join("r.json");
    let result = run(&["analyze", video.to_str().unwrap(), "--json", report.to_str().unwrap(), "--quiet"]);
    assert_eq!(result.status.code(), Some(3), "{}", text(&result));
    assert!(String::from_utf8_lossy(&result.stderr).contains("no person found"), "{}", text(&result));
    assert!(!report.exists(), "no report for a video with nobody in it");
}

#[test]
fn a_still_of_a_person_gives_one_pose() {
    let dir = tempfile::tempdir().unwrap();
    let still = dir.path().join("still.jpg");
    ffmpeg(&[
        "-ss",
        "1",
        "-i",
        sample("08_pelvic_hike.mp4").to_str().unwrap(),
        "-frames:v",
        "1",
        still.to_str().unwrap(),
    ]);
    let out = dir.path().join("o.jsonl");
    let (code, stderr, _) = pose(&still, &out);
    assert_eq!(code, 0, "{stderr}");
    let lines = read_jsonl(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["landmarks"].as_array().map(Vec::len), Some(33));
}

#[test]
fn usage_errors_are_exit_2() {
    let result = run(&["analyze"]);
    assert_eq!(result.status.code(), Some(2), "{}", text(&result));
    let result = run(&["frobnicate"]);
    assert_eq!(result.status.code(), Some(2), "{}", text(&result));
    let result = run(&["batch", "/tmp", "--out", "/tmp/x", "--shard", "3/2"]);
    assert_eq!(result.status.code(), Some(2), "{}", text(&result));
}

#[test]
fn a_bad_exercise_spec_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.toml");
    std::fs::write(&spec, "not_a_key = 1\n").unwrap();
    let result = run(&["analyze", sample("01_clean_side.mp4").to_str().unwrap(), "--exercise", spec.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(2), "{}", text(&result));
}
