//! Golden verdicts: the whole chain on the bundled samples, reduced to what a person is told
//! (sets, reps, which faults per rep, each check's status), compared with tests/golden/verdicts.json.
//! A change of verdict must be deliberate: rerun with FORMCHECK_BLESS=1 to rewrite the file, and
//! review its diff.

use formcheck::analyze::analyze_file;
use formcheck_core::report::Report;
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::{default_models_dir, PoseConfig, PoseEstimator, SmoothingClock};
use serde_json::{json, Value};
use std::path::Path;

fn digest(report: &Report) -> Value {
    let sets: Vec<Value> = report
        .sets
        .iter()
        .map(|set| {
            let reps: Vec<Value> = set
                .reps
                .iter()
                .map(|rep| {
                    let faults: Vec<&str> = rep.faults.iter().map(|f| f.check.as_str()).collect();
                    let borderline: Vec<&str> = rep.borderline.iter().map(|b| b.check.as_str()).collect();
                    json!({"index": rep.index, "partial": rep.partial, "faults": faults, "borderline": borderline})
                })
                .collect();
            json!({"side": set.side.as_str(), "reps": reps})
        })
        .collect();
    let checks: serde_json::Map<String, Value> = report
        .checks
        .iter()
        .map(|c| (c.check.as_str().to_string(), serde_json::to_value(c.status).unwrap_or(Value::Null)))
        .collect();
    json!({"sets": sets, "checks": checks})
}

#[test]
fn verdicts_on_the_bundled_samples_match_the_golden_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = ExerciseSpec::cable_medius_kickback().unwrap();
    let mut config = PoseConfig::new(default_models_dir());
    config.smoothing_clock = SmoothingClock::Timestamps;
    let mut estimator = PoseEstimator::new(config).unwrap();
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
