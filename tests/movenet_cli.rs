//! The second pose model, MoveNet, end to end on real video: `pose`, `analyze` and `live` with
//! `--model movenet-thunder|movenet-lightning`. MoveNet gives 17 keypoints in the image only, so
//! the report must count the reps and judge what the image shows, and say of every check that
//! needs depth or the feet that this model cannot measure it.

mod common;

use common::{read_jsonl, run, sample, text};
use formcheck_core::kickback::{LOW_BACK_ARCH, SUPPORT_FOOT_SHIFT, TORSO_LEAN_FORWARD};
use formcheck_core::report::{Report, Status};

#[test]
fn pose_writes_keypoints_without_world_landmarks_or_feet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pose.jsonl");
    let clip = sample("01_clean_side.mp4");
    let result =
        run(&["pose", clip.to_str().unwrap(), "--jsonl", out.to_str().unwrap(), "--model", "movenet-lightning"]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    let lines = read_jsonl(&out);
    assert_eq!(lines.len(), 268, "one line per frame");
    let with_person: Vec<_> = lines.iter().filter(|l| l["landmarks"].is_array()).collect();
    assert!(with_person.len() >= 260, "person in {} of 268 frames", with_person.len());
    for l in with_person {
        assert!(l["world"].is_null(), "no 3D from MoveNet: {}", l["world"]);
        let lm = l["landmarks"].as_array().unwrap();
        assert_eq!(lm.len(), 33, "BlazePose's slots");
        // heels and toes (29–32) are not given; hips (23, 24) are, inside the frame
        for (i, point) in lm.iter().enumerate().skip(29) {
            assert_eq!(point[3].as_f64(), Some(0.0), "slot {i}: {point}");
        }
        for i in [23, 24] {
            let (x, y) = (lm[i][0].as_f64().unwrap(), lm[i][1].as_f64().unwrap());
            assert!((0.0..720.0).contains(&x) && (0.0..1280.0).contains(&y), "hip {i} at {x},{y}");
        }
    }
}

#[test]
fn analyze_counts_the_reps_and_says_what_it_cannot_measure() {
    let dir = tempfile::tempdir().unwrap();
    let (json, db) = (dir.path().join("report.json"), dir.path().join("history.sqlite"));
    // Side-on, right leg, three clean reps (per the clip's ground truth).
    let clip = sample("01_clean_side.mp4");
    let result = run(&[
        "analyze",
        clip.to_str().unwrap(),
        "--model",
        "movenet-thunder",
        "--json",
        json.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    // The history reads sessions on BlazePose's scale: a MoveNet session stays out of it.
    assert!(!db.exists(), "nothing recorded");
    assert!(String::from_utf8_lossy(&result.stderr).contains("not recorded in the history"), "{}", text(&result));
    let report = Report::from_json(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report.sets.len(), 1);
    assert_eq!(report.sets[0].side.as_str(), "right");
    assert_eq!(report.sets[0].rep_count, 3);
    let check = |id| report.checks.iter().find(|c| c.check == id).unwrap();
    // The forward lean is read from the image side-on: judged.
    assert_ne!(check(TORSO_LEAN_FORWARD).status, Status::NotMeasurable);
    // The standing foot needs heel and toe, the low back depth: not measurable, and why.
    for (id, word) in [(SUPPORT_FOOT_SHIFT, "heel"), (LOW_BACK_ARCH, "3D")] {
        let c = check(id);
        assert_eq!(c.status, Status::NotMeasurable, "{id}");
        assert!(c.reason.as_deref().is_some_and(|r| r.contains(word)), "{id}: {:?}", c.reason);
    }
    // Clean reps: no fault to cue.
    assert!(report.sets[0].reps.iter().all(|r| r.faults.is_empty()), "{:?}", report.sets[0].reps);
}

#[test]
fn live_coaches_with_movenet_too() {
    let dir = tempfile::tempdir().unwrap();
    let (json, events) = (dir.path().join("session.json"), dir.path().join("events.jsonl"));
    let clip = sample("08_pelvic_hike.mp4");
    let result = run(&[
        "live",
        clip.to_str().unwrap(),
        "--headless",
        "--no-history",
        "--model",
        "movenet-lightning",
        "--json",
        json.to_str().unwrap(),
        "--jsonl",
        events.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result));
    let session: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // From behind, right leg, three reps (per the clip's ground truth).
    assert_eq!(session["summary"]["reps_right"].as_u64(), Some(3), "{}", session["summary"]);
    let reps = read_jsonl(&events).into_iter().filter(|e| e["event"] == "rep").count();
    assert_eq!(reps, 3, "each rep announced once");
}
