//! Prints a corpus clip's segmented sets and reps (before the steps at a set's ends are dropped)
//! with the standing foot's verdict per rep (a debugging aid for segmentation):
//! `cargo run --release -p formcheck-bench --example sets -- corpus CLIP_NAME`.

use formcheck_bench::corpus::Corpus;
use formcheck_core::kinematics::{base_signals, side_signals};
use formcheck_core::reps::segment;
use formcheck_core::rules::SetContext;
use formcheck_core::spec::ExerciseSpec;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus = Corpus::open(Path::new(&args[1])).expect("corpus");
    let clip = corpus.clips.iter().find(|c| c.name == args[2]).expect("clip");
    let frames = corpus.landmarks(clip).expect("landmarks");
    let spec = ExerciseSpec::cable_medius_kickback().expect("spec");
    let base = base_signals(&frames, &spec);
    for set in segment(&base, &spec) {
        let sig = side_signals(&base, set.side, &spec);
        let ctx = SetContext::new(&base, &sig, &set.reps, &spec);
        println!("set {:?}", set.side);
        for (k, r) in set.reps.iter().enumerate() {
            println!(
                "  {:6.2}-{:6.2} partial {} amplitude {:5.1} world rise {:?} foot {:?}",
                base.t[r.start],
                base.t[r.end],
                r.partial,
                r.amplitude_deg,
                r.thigh_rise_deg,
                ctx.foot.get(k)
            );
        }
    }
}
