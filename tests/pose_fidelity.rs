//! The pose port held to the reference: `formcheck pose` against golden landmark files written by
//! legacy MediaPipe Pose (see tests/golden/README.md), scored like the peer's `compare.py`.

mod common;

use common::{read_jsonl, root, run, sample, text};
use serde_json::Value;

/// BlazePose indices of BODY12: shoulders, elbows, wrists, hips, knees, ankles.
const BODY12: [usize; 12] = [11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28];

fn point(lms: &Value, i: usize) -> (f64, f64) {
    let p = &lms[i];
    (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())
}

/// (detection agreement, BODY12 PCK@0.1) of OURS against REF, as compare.py computes them.
fn score(reference: &[Value], ours: &[Value]) -> (f64, f64) {
    assert_eq!(reference.len(), ours.len(), "one line per frame in both");
    let (mut agree, mut hits, mut total) = (0usize, 0usize, 0usize);
    for (r, o) in reference.iter().zip(ours) {
        assert_eq!(r["frame"], o["frame"]);
        let (rl, ol) = (&r["landmarks"], &o["landmarks"]);
        agree += usize::from(rl.is_null() == ol.is_null());
        if rl.is_null() || ol.is_null() {
            continue;
        }
        let mid = |a: (f64, f64), b: (f64, f64)| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        let shoulders = mid(point(rl, 11), point(rl, 12));
        let hips = mid(point(rl, 23), point(rl, 24));
        let torso = ((shoulders.0 - hips.0).powi(2) + (shoulders.1 - hips.1).powi(2)).sqrt();
        for i in BODY12 {
            let (a, b) = (point(rl, i), point(ol, i));
            let err = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt() / torso;
            hits += usize::from(err < 0.1);
            total += 1;
        }
    }
    (agree as f64 / reference.len() as f64, hits as f64 / total.max(1) as f64)
}

/// `extra`: further `pose` arguments.
fn check_clip(name: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ours.jsonl");
    let clip = sample(&format!("{name}.mp4"));
    let mut args = vec!["pose", clip.to_str().unwrap(), "--jsonl", out.to_str().unwrap(), "--max-frames", "60"];
    args.extend_from_slice(extra);
    let result = run(&args);
    assert!(result.status.success(), "{}", text(&result));
    let reference = read_jsonl(&root().join(format!("tests/golden/{name}.mediapipe.jsonl")));
    let ours = read_jsonl(&out);
    let (agreement, pck) = score(&reference, &ours);
    eprintln!("{name}: detection agreement {agreement:.3}, BODY12 PCK@0.1 {pck:.3}");
    assert!(agreement >= 0.99, "{name}: detection agreement {agreement}");
    assert!(pck >= 0.97, "{name}: BODY12 PCK@0.1 {pck}");
    // The schema of the peer: every line has the keys compare.py reads.
    for line in &ours {
        for key in ["frame", "t_ms", "width", "height", "landmarks", "world"] {
            assert!(line.get(key).is_some(), "missing {key}");
        }
        assert_eq!(line["landmarks"].as_array().map(Vec::len), Some(33));
        assert_eq!(line["world"].as_array().map(Vec::len), Some(33));
    }
}

#[test]
fn side_view_clip_matches_mediapipe() {
    check_clip("01_clean_side", &[]);
}

/// The MediaPipe-compatible choice of person after a loss (what scripts/fidelity.sh uses): with
/// one person in view it is the product's own.
#[test]
fn side_view_clip_matches_mediapipe_taking_the_most_prominent_person() {
    check_clip("01_clean_side", &["--most-prominent"]);
}

#[test]
fn back_view_clip_matches_mediapipe() {
    check_clip("08_pelvic_hike", &[]);
}
