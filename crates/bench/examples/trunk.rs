//! Prints a corpus clip's trunk signals (image and world, towards the support side) next to its
//! true reps: `cargo run --release -p formcheck-bench --example trunk -- corpus CLIP_NAME [STEP]`.

use formcheck_bench::corpus::Corpus;
use formcheck_core::kinematics::{base_signals, side_signals, Side};
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
    let working: Side = truth.reps[0].working_leg;
    let s = side_signals(&b, working, &spec);
    let in_rep = |i: usize| truth.reps.iter().position(|r| (r.start..=r.end).contains(&i)).map(|k| k + 1);
    let f = |x: Option<f64>| x.map_or("    -".to_string(), |v| format!("{v:5.1}"));
    println!("   t  rep  awayImg awayW  fwdImg fwdW  hike  yaw");
    for i in (0..b.t.len()).step_by(step) {
        println!(
            "{:5.2} {:>3} {} {} {} {} {} {}",
            b.t[i],
            in_rep(i).map_or(String::new(), |k| k.to_string()),
            f(s.trunk_away_img[i]),
            f(s.trunk_away[i]),
            f(s.trunk_forward_img[i]),
            f(s.trunk_forward[i]),
            f(s.pelvis_hike[i]),
            f(b.yaw_deg[i])
        );
    }
}
