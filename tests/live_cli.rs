//! `formcheck live` without a camera: a file played at real-time pace, a UDP stream sent by
//! ffmpeg on loopback that stops, and a camera that is not there.

mod common;

use common::{formcheck, read_jsonl, run, sample, text};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn realtime_file_gives_cues_latency_and_a_session_report() {
    let dir = tempfile::tempdir().unwrap();
    let (json, events) = (dir.path().join("session.json"), dir.path().join("events.jsonl"));
    let result = run(&[
        "live",
        sample("01_clean_side.mp4").to_str().unwrap(),
        "--realtime",
        "--headless",
        "--json",
        json.to_str().unwrap(),
        "--jsonl",
        events.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    let session: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // The analyze report's contract, plus the live figures.
    assert_eq!(session["schema_version"], 2);
    assert_eq!(session["checks"].as_array().map(Vec::len), Some(11));
    for key in ["p50", "p95", "max"] {
        let v = session["latency_ms"][key].as_f64().unwrap();
        assert!(v > 0.0 && v < 2000.0, "latency {key} = {v}");
    }
    assert!(session["dropped_frames"].is_u64());
    assert_eq!(session["end_reason"], "source_ended");
    // Played at its own pace: the 8.9 s clip takes about that long, and its reps are counted.
    let processed = session["processed_frames"].as_u64().unwrap();
    let dropped = session["dropped_frames"].as_u64().unwrap();
    assert!(processed + dropped >= 250, "{processed} + {dropped}");
    let reps: u64 = session["summary"]["reps_right"].as_u64().unwrap();
    assert!(reps >= 2, "reps {reps}");
    let events = read_jsonl(&events);
    assert!(events.iter().any(|e| e["event"] == "rep"), "rep events");
    assert!(events.iter().any(|e| e["event"] == "cue"), "at least one cue");
    // Each event says when it was emitted and what it is about.
    let mut last_t = 0.0;
    for e in &events {
        let t = e["t_s"].as_f64().unwrap_or(f64::NAN);
        assert!(t >= last_t, "events in emission order: {e}");
        last_t = t;
        match e["event"].as_str() {
            Some("rep") => {
                for key in ["set", "rep", "reps_in_set"] {
                    assert!(e[key].as_u64().is_some_and(|n| n >= 1), "{key} in {e}");
                }
                let (start, peak, end) =
                    (e["start_s"].as_f64().unwrap(), e["peak_s"].as_f64().unwrap(), e["end_s"].as_f64().unwrap());
                assert!(start < peak && peak < end && end <= t, "{e}");
                assert!(e["faults"].is_array(), "{e}");
            }
            Some("cue") => {
                assert!(e["text"].as_str().is_some_and(|s| !s.is_empty()) && e["kind"].is_string(), "{e}");
                if e["kind"] == "fix" {
                    assert!(e["check"].is_string() && e["set"].is_u64() && e["rep"].is_u64(), "{e}");
                }
            }
            _ => {}
        }
    }
    // The session's cue log is the events' cues.
    let cues = events.iter().filter(|e| e["event"] == "cue").count();
    assert_eq!(session["cues"].as_array().map(Vec::len), Some(cues));
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(stdout.contains("right leg rep 1"), "{stdout}");
}

#[test]
fn a_udp_stream_that_stops_ends_the_session_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("session.json");
    let port = 20_000 + (std::process::id() % 20_000) as u16;
    let url = format!("udp://127.0.0.1:{port}");
    let live = formcheck()
        .args(["live", &url, "--headless", "--stall-timeout", "2", "--json", json.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let sender = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-re", "-i"])
        .arg(sample("08_pelvic_hike.mp4"))
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15", "-f", "mpegts"])
        .arg(format!("{url}?pkt_size=1316"))
        .status()
        .unwrap();
    assert!(sender.success());
    let output = live.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let session: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(["source_lost", "source_ended"].contains(&session["end_reason"].as_str().unwrap()), "{session}");
    assert!(session["processed_frames"].as_u64().unwrap() > 60, "{}", session["processed_frames"]);
}

#[test]
fn live_udp_ignores_stall_timeout_while_opening_no_more_and_leaves_no_jsonl() {
    // Nothing sends to this port: the stream never opens. Before, OpenCV's FFmpeg backend waited
    // its own 30 s, GStreamer then printed assertion noise, and the events file was created first.
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let port = 40_000 + (std::process::id() % 20_000) as u16;
    let url = format!("udp://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let result = formcheck()
        .args(["live", &url, "--headless", "--stall-timeout", "2", "--jsonl", events.to_str().unwrap()])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(result.status.code(), Some(3), "{}", text(&result));
    assert!(took < Duration::from_secs(12), "took {took:?} with --stall-timeout 2\n{}", text(&result));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains(&format!("cannot open capture source {url}")), "{}", text(&result));
    assert!(!stderr.contains("GStreamer") && !stderr.contains("OpenCV("), "noise on stderr:\n{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn an_unreachable_display_is_a_clear_error_not_an_abort() {
    let result = formcheck()
        .args(["live", sample("08_pelvic_hike.mp4").to_str().unwrap(), "--max-seconds", "1"])
        .env("DISPLAY", ":9987")
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2), "{}", text(&result));
    assert!(String::from_utf8_lossy(&result.stderr).contains("--headless"), "{}", text(&result));
}

#[test]
fn a_missing_camera_is_a_clear_error() {
    let result = run(&["live", "9", "--headless"]);
    assert_eq!(result.status.code(), Some(3), "{}", text(&result));
    assert!(String::from_utf8_lossy(&result.stderr).contains("camera 9"), "{}", text(&result));
}

#[test]
fn the_live_window_opens_on_a_display() {
    // A virtual display stands in for a screen; the test needs Xvfb (installed by scripts/setup.sh).
    if !Path::new("/usr/bin/Xvfb").exists() {
        common::skip_or_fail("no /usr/bin/Xvfb (scripts/setup.sh installs it)");
        return;
    }
    // A display number nobody uses (no X socket, no lock file).
    let free = (90 + std::process::id() % 100..400)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free X display number");
    let display = format!(":{free}");
    let mut xvfb = Command::new("/usr/bin/Xvfb")
        .args([display.as_str(), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the server's socket (a loaded CI machine may take a moment to start it).
    let socket = format!("/tmp/.X11-unix/X{free}");
    for _ in 0..100 {
        if Path::new(&socket).exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("session.json");
    let result = formcheck()
        .args(["live", sample("08_pelvic_hike.mp4").to_str().unwrap(), "--realtime", "--max-seconds", "4", "--mirror"])
        .args(["--json", json.to_str().unwrap()])
        .env("DISPLAY", &display)
        .env("XDG_RUNTIME_DIR", dir.path())
        .output()
        .unwrap();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    assert!(!String::from_utf8_lossy(&result.stderr).contains("cannot open a window"), "{}", text(&result));
    let session: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(session["end_reason"], "time_limit");
    assert!(session["processed_frames"].as_u64().unwrap() > 30);
}

#[test]
fn ctrl_c_ends_the_session_cleanly_with_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("session.json");
    let live = formcheck()
        .args(["live", sample("01_clean_side.mp4").to_str().unwrap(), "--realtime", "--headless"])
        .args(["--json", json.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(3500));
    let killed = Command::new("kill").args(["-INT", &live.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let output = live.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let session: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(session["end_reason"], "interrupted");
    let processed = session["processed_frames"].as_u64().unwrap();
    assert!((50..250).contains(&processed), "stopped part-way: {processed} frames");
}

/// Samples of a mono 16-bit WAV as written by `--speak-to` (a 44-byte header) and its rate.
fn read_wav(path: &Path) -> (u32, Vec<i16>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..16], b"WAVEfmt ");
    assert_eq!(u16::from_le_bytes([bytes[22], bytes[23]]), 1, "mono");
    let rate = u32::from_le_bytes([bytes[24], bytes[25], bytes[26], bytes[27]]);
    assert_eq!(&bytes[36..40], b"data");
    (rate, bytes[44..].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect())
}

#[test]
fn speak_to_renders_each_cue_at_its_time_without_overlap() {
    if !Command::new("espeak-ng").arg("--version").output().is_ok_and(|o| o.status.success()) {
        common::skip_or_fail("no espeak-ng (scripts/setup.sh installs the Debian package espeak-ng)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (json, events, wav) =
        (dir.path().join("session.json"), dir.path().join("events.jsonl"), dir.path().join("speech.wav"));
    let result = run(&[
        "live",
        sample("08_pelvic_hike.mp4").to_str().unwrap(),
        "--realtime",
        "--headless",
        "--json",
        json.to_str().unwrap(),
        "--jsonl",
        events.to_str().unwrap(),
        "--speak-to",
        wav.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    let session: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let cue_events: Vec<f64> =
        read_jsonl(&events).iter().filter(|e| e["event"] == "cue").map(|e| e["t_s"].as_f64().unwrap()).collect();
    let cues = session["cues"].as_array().unwrap();
    let heard = session["heard"].as_array().unwrap();
    assert_eq!(cues.len(), cue_events.len(), "the cue log is the events' cues");
    assert_eq!(heard.len(), cues.len());
    let (rate, samples) = read_wav(&wav);
    let duration = samples.len() as f64 / f64::from(rate);
    assert!(duration >= session["input"]["duration_s"].as_f64().unwrap() - 0.1, "the track spans the session");
    let mut spans = Vec::new();
    for (cue, h) in cues.iter().zip(heard) {
        let t = cue["t_s"].as_f64().unwrap();
        if h.is_null() {
            continue;
        }
        let (start, end) = (h["start_s"].as_f64().unwrap(), h["end_s"].as_f64().unwrap());
        assert!((t..=t + 0.5).contains(&start), "cue at {t:.2} s heard from {start:.2} s");
        // Speech there: the cue's first half second is not silent.
        let at = |s: f64| ((s * f64::from(rate)) as usize).min(samples.len());
        let loud = samples[at(start)..at(start + 0.5)].iter().filter(|v| v.unsigned_abs() > 1000).count();
        assert!(loud > 100, "cue at {t:.2} s: no speech in the track at {start:.2} s");
        spans.push((at(start), at(end)));
    }
    assert!(!spans.is_empty(), "the pelvic hike sample gets at least one cue");
    for pair in spans.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "cues overlap: {pair:?}");
    }
    // Nothing sounds outside the cues' spans.
    let stray =
        samples.iter().enumerate().filter(|(i, v)| **v != 0 && !spans.iter().any(|(a, b)| (a..b).contains(&i))).count();
    assert_eq!(stray, 0, "sound outside the cues");
}
