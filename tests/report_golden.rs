//! Golden verdicts: the whole chain on the bundled samples, reduced to what a person is told
//! (sets, reps, which faults per rep, each check's status), compared with tests/golden/verdicts.json.
//! A change of verdict must be deliberate: rerun with FORMCHECK_BLESS=1 to rewrite the file, and
//! review its diff.

mod common;

use common::digest;
use formcheck::analyze::analyze_file;
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::{default_models_dir, BlazePose, PoseConfig, SmoothingClock};
use serde_json::Value;
use std::path::Path;

#[test]
fn verdicts_on_the_bundled_samples_match_the_golden_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = ExerciseSpec::cable_medius_kickback().unwrap();
    let mut config = PoseConfig::new(default_models_dir());
    config.smoothing_clock = SmoothingClock::Timestamps;
    let mut estimator = BlazePose::new(config).unwrap();
    let mut actual = serde_json::Map::new();
    for clip in ["01_clean_side.mp4", "08_pelvic_hike.mp4"] {
        let analysis = analyze_file(&root.join("samples").join(clip), &mut estimator, &spec, |_, _| {}).unwrap();
        actual.insert(clip.to_string(), digest(&analysis.report));
    }
    let actual = Value::Object(actual);
    let golden_path = root.join("tests/golden/verdicts.json");
    if std::env::var_os("FORMCHECK_BLESS").is_some() {
        std::fs::write(&golden_path, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
        return;
    }
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(&golden_path).unwrap()).unwrap();
    assert_eq!(
        actual,
        golden,
        "verdicts changed; if intended, rerun with FORMCHECK_BLESS=1 and review the diff:\n{}",
        serde_json::to_string_pretty(&actual).unwrap()
    );
}
