//! Someone walking past the camera while the exerciser works: the analysis stays with the person
//! exercising (same reps, same verdicts as the clip alone) and says that someone else was in view.
//! The clip is made here: the person of the second bundled sample, cropped out of her gym and
//! moved across the first sample's frame beside the exerciser for three and a half seconds.

mod common;

use common::{digest, ffmpeg, root, run, sample, text};
use serde_json::Value;

#[test]
fn a_passer_by_changes_neither_the_reps_nor_the_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("passer_by.mp4");
    let (exerciser, passer) = (sample("01_clean_side.mp4"), sample("08_pelvic_hike.mp4"));
    ffmpeg(&[
        "-i",
        exerciser.to_str().unwrap(),
        "-i",
        passer.to_str().unwrap(),
        "-filter_complex",
        "[1:v]crop=200:480:560:120,scale=240:576[p];\
         [0:v][p]overlay=x='-240+110*(t-2)':y=504:enable='between(t,2,5.5)'",
        "-c:v",
        "libx264",
        "-crf",
        "20",
        "-pix_fmt",
        "yuv420p",
        clip.to_str().unwrap(),
    ]);
    let json = dir.path().join("report.json");
    let out = run(&["analyze", clip.to_str().unwrap(), "--json", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("someone else was in view"), "{}", text(&out));
    let report: formcheck_core::report::Report =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(report.diagnostics.others_in_view, "the report says someone else was seen");
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/golden/verdicts.json")).unwrap()).unwrap();
    let alone = &golden["01_clean_side.mp4"];
    let with_passer = digest(&report);
    // The exerciser's set: same leg, same number of reps, no fault on any.
    let reps = |d: &Value| -> Vec<(String, usize, usize)> {
        d["sets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let reps = s["reps"].as_array().unwrap();
                let faults = reps.iter().map(|r| r["faults"].as_array().unwrap().len()).sum();
                (s["side"].as_str().unwrap().to_string(), reps.len(), faults)
            })
            .collect()
    };
    assert_eq!(reps(&with_passer), reps(alone), "{}", text(&out));
    assert_eq!(with_passer["checks"], alone["checks"], "{}", text(&out));
}
