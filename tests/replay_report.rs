//! The analyze and report path without ONNX Runtime: the bundled sample is decoded for real, and
//! its poses are played back ([`ReplayedPoses`]) from what BlazePose recorded on it earlier
//! (`tests/golden/01_clean_side.landmarks.jsonl`, see the README there). The report must say what
//! the whole chain says with the model running: the golden verdicts, and the demo's summary.

mod common;

use common::digest;
use formcheck::analyze::analyze_file;
use formcheck_core::kinematics::Side;
use formcheck_core::landmarks::{read_jsonl, PoseFrame};
use formcheck_core::report::{Report, Status};
use formcheck_core::spec::{CheckId, ExerciseSpec};
use formcheck_vision::pose::replay::ReplayedPoses;
use serde_json::Value;
use std::path::PathBuf;

const CLIP: &str = "01_clean_side.mp4";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The landmarks BlazePose (`full` model, smoothing on the frames' timestamps, as `analyze` runs
/// it) found in every frame of the sample.
fn recorded() -> Vec<PoseFrame> {
    let path = root().join("tests/golden/01_clean_side.landmarks.jsonl");
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_jsonl(std::io::BufReader::new(file)).expect("the recording parses")
}

fn analyse(poses: ReplayedPoses) -> Result<Report, formcheck::AppError> {
    let spec = ExerciseSpec::cable_medius_kickback().expect("the built-in spec loads");
    let mut estimator = poses;
    analyze_file(&common::sample(CLIP), &mut estimator, &spec, |_, _| {}).map(|a| a.report)
}

#[test]
fn recorded_landmarks_give_the_golden_verdicts_without_the_model() {
    let frames = recorded();
    assert_eq!(frames.len(), 268, "one line per frame of the sample");
    let report = analyse(ReplayedPoses::new(frames)).expect("the sample analyses");

    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/golden/verdicts.json")).unwrap()).unwrap();
    assert_eq!(digest(&report), golden[CLIP], "the replayed analysis differs from the golden verdicts");

    // What the README's demo prints for this clip.
    assert_eq!((report.input.frames_decoded, report.input.frames_with_pose), (268, 268));
    assert_eq!((report.summary.reps_left, report.summary.reps_right), (0, 3));
    assert_eq!(report.sets.len(), 1);
    assert_eq!(report.sets[0].side, Side::Right);
    let status = |id: CheckId| report.checks.iter().find(|c| c.check == id).map(|c| c.status);
    assert_eq!(status(formcheck_core::kickback::TORSO_LEAN_FORWARD), Some(Status::Ok));
    assert_eq!(status(formcheck_core::kickback::PELVIS_HIKE), Some(Status::NotMeasurable));
    let text = formcheck_core::render_text(&report);
    assert!(text.contains("Set 1 — right leg working: 3 reps"), "{text}");

    // The report reads back under its own schema (unknown fields are refused on reading) and
    // says the same (its floats need not survive the text to the last bit).
    let json = report.to_json().unwrap();
    let read_back = Report::from_json(&json).expect("the report reads back");
    assert_eq!(digest(&read_back), digest(&report));
    assert_eq!(read_back.summary, report.summary);
}

#[test]
fn a_recording_that_does_not_cover_the_video_is_an_error_naming_the_frame() {
    let frames: Vec<PoseFrame> = recorded().into_iter().take(100).collect();
    let err = analyse(ReplayedPoses::new(frames)).expect_err("frame 100 has no recorded pose");
    assert_eq!(err.to_string(), "recorded landmarks, frame 100: not in the recording");

    let mut resized = recorded();
    resized[0].width = 360;
    let err = analyse(ReplayedPoses::new(resized)).expect_err("the first frame's size differs");
    assert_eq!(err.to_string(), "recorded landmarks, frame 0: recorded on a 360x1280 frame, played back on 720x1280");
}

#[test]
fn a_batch_runs_on_recorded_landmarks_and_a_rerun_finds_it_current() {
    use formcheck::batch::{run_batch, BatchOptions, Outcome};
    use formcheck_vision::pose::PoseEstimator;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/ann");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(common::sample(CLIP), input.join(CLIP)).unwrap();
    let options = BatchOptions {
        input_dir: dir.path().join("in"),
        out_dir: dir.path().join("out"),
        jobs: 2,
        annotate: false,
        shard: None,
        index_only: false,
        settings_key: "replayed".into(),
        person: None,
        history: None,
    };
    let spec = ExerciseSpec::cable_medius_kickback().unwrap();
    let frames = recorded();
    let replay = |_threads: usize| -> Result<Box<dyn PoseEstimator>, formcheck::AppError> {
        Ok(Box::new(ReplayedPoses::new(frames.clone())))
    };
    let outcomes = std::sync::Mutex::new(Vec::new());
    let summary = run_batch(&options, &spec, &replay, |rel, outcome| {
        outcomes.lock().unwrap().push((rel.to_path_buf(), outcome.clone()));
    })
    .expect("the batch runs");
    assert_eq!((summary.analysed, summary.current, summary.failed.len()), (1, 0, 0));
    assert_eq!(outcomes.into_inner().unwrap(), vec![(PathBuf::from("ann").join(CLIP), Outcome::Analysed)]);

    let csv = std::fs::read_to_string(options.out_dir.join("summary.csv")).unwrap();
    let row = csv.lines().nth(1).expect("a row for the video");
    assert!(row.starts_with("ann/01_clean_side.mp4,analysed,,0,3,0,,"), "{row}");
    let report_path = options.out_dir.join("videos/ann/01_clean_side.mp4.report.json");
    let report = Report::from_json(&std::fs::read_to_string(report_path).unwrap()).unwrap();
    assert_eq!(report.input.path, "ann/01_clean_side.mp4");
    assert_eq!(report.rep_count(), 3);
    let page = std::fs::read_to_string(options.out_dir.join("index.html")).unwrap();
    assert!(page.contains("data-reps-right=\"3\""), "the index row counts the right leg's reps");

    let again = run_batch(&options, &spec, &replay, |_, _| {}).expect("the rerun runs");
    assert_eq!((again.analysed, again.current), (0, 1), "outputs made with the same key are current");
}
