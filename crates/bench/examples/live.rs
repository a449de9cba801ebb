//! Replays a synthetic sequence through the streaming analyser and prints its events and the
//! per-push cost: `--example live -- SEED`.
use formcheck_bench::synth::{generate, SynthParams};
use formcheck_core::report::InputInfo;
use formcheck_core::spec::ExerciseSpec;
use formcheck_core::{analyze, StreamingAnalyzer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(600);
    let spec = ExerciseSpec::cable_medius_kickback()?;
    let mut p = SynthParams::random(seed);
    if std::env::args().any(|a| a == "--test") {
        p = SynthParams::clean(seed, formcheck_core::spec::View::Front, formcheck_core::kinematics::Side::Left);
        p.reps = 4;
        p.noise = formcheck_bench::synth::Noise::TYPICAL;
        p.lead_in_out = true;
        p.faults.push(formcheck_bench::synth::Injection {
            check: formcheck_core::kickback::TORSO_LEAN_AWAY,
            magnitude: 16.5,
            from_rep: 0,
        });
    }
    let seq = generate(&p);
    let offline = analyze(&seq.frames, &spec, InputInfo::default());
    for s in &offline.sets {
        for r in &s.reps {
            println!("offline {:?} {:.2}-{:.2} partial {}", s.side, r.start_s, r.end_s, r.partial);
        }
    }
    let mut live = StreamingAnalyzer::new(spec);
    let mut worst = 0.0f64;
    for f in &seq.frames {
        let t0 = std::time::Instant::now();
        let ev = live.push(f);
        worst = worst.max(t0.elapsed().as_secs_f64());
        for e in ev {
            if !matches!(e, formcheck_core::live::LiveEvent::Phase { .. }) {
                println!("{:.2} {}", f.t_s, serde_json::to_string(&e)?.chars().take(160).collect::<String>());
            }
        }
    }
    println!("worst push {:.2} ms over {} frames", worst * 1e3, seq.frames.len());
    Ok(())
}
