//! Regression guard on a fixed-seed subset of the synthetic bench (the full bench and its
//! figures: `cargo run -p formcheck-bench --release --example suite -- FROM TO`).
//!
//! The synthetic generator's noise is not yet fitted to the pose error measured on rendered
//! footage, so the spec's calibration (fitted on that footage) does not apply to it: the guard
//! runs the engine on raw readings, which pins segmentation and the metrics themselves.

use formcheck_bench::eval::run_synthetic_suite;
use formcheck_core::spec::ExerciseSpec;

#[test]
fn fixed_seed_subset_meets_the_targets() {
    let mut spec = ExerciseSpec::cable_medius_kickback().expect("spec");
    spec.calibration.clear();
    // From side_working the standing foot hides behind the working one: the raw foot rule is not
    // trusted there (the product's calibration allows it fine or borderline only).
    for c in spec.checks.iter_mut().filter(|c| c.id == formcheck_core::kickback::SUPPORT_FOOT_SHIFT) {
        c.views.retain(|v| *v != formcheck_core::spec::View::SideWorking);
    }
    // From 45° behind on the kicking side the generator's hip line, turning towards the line of
    // sight, folds to a few pixels and no longer reads (BlazePose's hips on the renders stay
    // apart and read the turn there best): the rendered corpus judges that view.
    for c in spec.checks.iter_mut().filter(|c| c.id == formcheck_core::kickback::PELVIS_ROTATION) {
        c.views.retain(|v| *v != formcheck_core::spec::View::ObliqueBackWorking);
    }
    // Seeds 0..100 are the tuning set; this subset is its first 24.
    let board = run_synthetic_suite(&spec, 0..24);
    let summary = board.summary();
    assert!(board.rep_exact_rate() >= 0.9, "{summary}");
    // Raw readings from every listed view (the product judges the noisy ones calibrated, mostly
    // borderline): more false alarms than the product gives.
    assert!(board.clean_flag_rate() <= 0.06, "{summary}");
    assert!(board.nm_rate() >= 0.95, "{summary}");
    for id in formcheck_core::kickback::ALL {
        let c = board.check_total(id);
        if c.tp + c.fn_ >= 3 {
            // 0.70: swing from oblique_front lost synthetic recall when the thigh's swing came to be
            // measured from its rest direction (which fixed double-counted reps on rendered
            // front views); the rendered corpus is the judge of that trade.
            assert!(c.f1() >= 0.70, "{id}: F1 {:.2}\n{summary}", c.f1());
        }
    }
}
