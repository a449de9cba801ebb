//! The whole chain (video → pose → rules) on the two bundled rendered clips with ground truth,
//! scored by the reference rules. (The rendered corpus is judged from its cached landmarks in
//! `tests/corpus.rs`.)

use formcheck::evaluate::{evaluate_samples, sample_clips, Evaluation};
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::{default_models_dir, BlazePose, PoseConfig, SmoothingClock};
use std::path::{Path, PathBuf};

fn run(clips: &[PathBuf]) -> Evaluation {
    let spec = ExerciseSpec::cable_medius_kickback().unwrap();
    let mut config = PoseConfig::new(default_models_dir());
    config.smoothing_clock = SmoothingClock::Timestamps;
    let mut estimator = BlazePose::new(config).unwrap();
    let eval = evaluate_samples(clips, &mut estimator, &spec, |clip| {
        if let Err(err) = &clip.report {
            panic!("{}: {err}", clip.name);
        }
    })
    .unwrap();
    eprintln!("{}{}", eval.scores.table(), eval.scores.headline("bundled"));
    eval
}

#[test]
fn bundled_samples_count_reps_and_find_the_hike() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let clips = sample_clips(&root).unwrap();
    assert_eq!(clips.len(), 2);
    let scores = run(&clips).scores;
    assert_eq!(scores.reps_exact_rate(), 1.0, "{:?}", scores.clips);
    // The hike is 12° in every rep of 08; from behind the calibrated noise is about ±5°, so a rep
    // that reads 10° is borderline rather than cued. Never a false alarm.
    let hike = scores.check_total(formcheck_core::kickback::PELVIS_HIKE);
    assert!(hike.tp >= 2 && hike.fp == 0, "pelvis hike in 08: {hike:?}");
    assert_eq!(scores.clean_flag_rate(), 0.0);
}
