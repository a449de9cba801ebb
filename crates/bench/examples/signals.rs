//! Prints a corpus clip's rep signals next to its true reps (a debugging aid for segmentation):
//! `cargo run --release -p formcheck-bench --example signals -- corpus CLIP_NAME [STEP]`.

use formcheck_bench::corpus::Corpus;
use formcheck_core::kinematics::base_signals;
use formcheck_core::spec::ExerciseSpec;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus = Corpus::open(Path::new(&args[1])).expect("corpus");
    let clip = corpus.clips.iter().find(|c| c.name == args[2]).expect("clip");
    let step: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    let frames = corpus.landmarks(clip).expect("landmarks");
    let truth = corpus.truth(clip).expect("truth");
    let spec = ExerciseSpec::cable_medius_kickback().expect("spec");
    let b = base_signals(&frames, &spec);
    let in_rep = |i: usize| truth.reps.iter().position(|r| (r.start..=r.end).contains(&i)).map(|k| k + 1);
    let f = |x: Option<f64>| x.map_or("    -".to_string(), |v| format!("{v:5.1}"));
    println!("   t  rep  elevL  elevR  repL  repR  yaw");
    for i in (0..b.t.len()).step_by(step) {
        println!(
            "{:5.2} {:>3} {} {} {} {} {}",
            b.t[i],
            in_rep(i).map_or(String::new(), |k| k.to_string()),
            f(b.elevation.left[i]),
            f(b.elevation.right[i]),
            f(b.rep.left[i]),
            f(b.rep.right[i]),
            f(b.yaw_deg[i])
        );
    }
}
