//! Prints labels and detected reps for one synthetic seed: `--example debug_seed -- SEED`.
use formcheck_bench::synth::{generate, SynthParams};
use formcheck_core::analyze;
use formcheck_core::report::InputInfo;
use formcheck_core::spec::ExerciseSpec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let spec = ExerciseSpec::cable_medius_kickback()?;
    let mut p = SynthParams::random(seed);
    if let Some(v) = std::env::args().position(|a| a == "--test-view").and_then(|k| std::env::args().nth(k + 1)) {
        let view = formcheck_core::spec::View::ALL.into_iter().find(|x| x.as_str() == v).unwrap_or(p.view);
        p = SynthParams::clean(seed, view, formcheck_core::kinematics::Side::Left);
        p.reps = 4;
        p.noise = formcheck_bench::synth::Noise::TYPICAL;
        p.lead_in_out = true;
        p.partial_before = std::env::args()
            .position(|a| a == "--partial")
            .and_then(|k| std::env::args().nth(k + 1))
            .and_then(|v| v.parse().ok());
    }
    // `--view NAME`: the same draw seen from another camera position.
    if let Some(v) = std::env::args().position(|a| a == "--view").and_then(|k| std::env::args().nth(k + 1)) {
        p.view = formcheck_core::spec::View::ALL.into_iter().find(|x| x.as_str() == v).unwrap_or(p.view);
    }
    println!(
        "params: view {:?} side {:?} switch {} reps {} partial {:?} faults {:?} lead {}",
        p.view, p.side, p.switch_sides, p.reps, p.partial_before, p.faults, p.lead_in_out
    );
    let seq = generate(&p);
    for s in &seq.labels.sets {
        println!("label set {:?} {:?}", s.side, s.view);
        for r in &s.reps {
            println!("   {:.2} {:.2} {:.2} partial {} {:?}", r.start_s, r.peak_s, r.end_s, r.partial, r.faults);
        }
    }
    if let Some(pos) = std::env::args().position(|a| a == "-w") {
        if let Some(path) = std::env::args().nth(pos + 1) {
            formcheck_core::landmarks::write_jsonl(std::fs::File::create(path)?, &seq.frames)?;
        }
    }
    let rep = analyze(&seq.frames, &spec, InputInfo::default());
    println!("views {:?}", rep.views.iter().map(|v| (v.view, v.start_s, v.end_s)).collect::<Vec<_>>());
    for s in &rep.sets {
        println!("set {:?} view {:?}", s.side, s.view);
        for r in &s.reps {
            println!(
                "   {:.2} {:.2} {:.2} partial {} amp {:?} faults {:?}",
                r.start_s,
                r.peak_s,
                r.end_s,
                r.partial,
                r.metrics.get(formcheck_core::report::Metric::Amplitude),
                r.faults.iter().map(|f| (f.check, f.magnitude)).collect::<Vec<_>>()
            );
            println!("      {:?} {:?}", r.phases, r.metrics);
        }
    }
    if std::env::args().any(|a| a == "-s") {
        let el = &rep.series.signals["working_thigh_elevation_deg"];
        for (i, t) in rep.series.t_s.iter().enumerate().step_by(3) {
            println!("{t:.2} {:?} {:?}", el[i], rep.series.phase[i]);
        }
    }
    Ok(())
}
