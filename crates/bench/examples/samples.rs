//! Scores landmark JSONL files against the rendered samples' ground truth:
//! `--example samples -- LANDMARK_DIR GROUND_TRUTH_DIR [-v]` (NAME.jsonl ↔ NAME.json).
use formcheck_bench::eval::{load_sample_labels, Scoreboard};
use formcheck_core::analyze;
use formcheck_core::landmarks::read_jsonl;
use formcheck_core::report::InputInfo;
use formcheck_core::spec::ExerciseSpec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let lm = args.get(1).cloned().unwrap_or_else(|| "/tmp/peer-samples".into());
    let gt = args.get(2).cloned().unwrap_or_else(|| "/work/shared/samples".into());
    let verbose = args.iter().any(|a| a == "-v");
    let spec = ExerciseSpec::cable_medius_kickback()?;
    let mut board = Scoreboard::default();
    let mut names: Vec<_> = std::fs::read_dir(&lm)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    names.sort();
    for path in names {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let frames = read_jsonl(std::io::BufReader::new(std::fs::File::open(&path)?))?;
        let labels = load_sample_labels(format!("{gt}/{stem}.json"))?;
        let report = analyze(&frames, &spec, InputInfo::default());
        let before = board.clone();
        board.score(&report, &labels, &spec);
        let truth: Vec<String> = labels.sets[0]
            .reps
            .iter()
            .map(|r| format!("{:?}", r.faults.iter().map(|f| f.0.as_str()).collect::<Vec<_>>()))
            .collect();
        let got: Vec<String> = report
            .sets
            .iter()
            .flat_map(|s| {
                s.reps.iter().filter(|r| !r.partial).map(|r| {
                    format!(
                        "{:?}",
                        r.faults.iter().map(|f| format!("{}={:.1}", f.check, f.magnitude)).collect::<Vec<_>>()
                    )
                })
            })
            .collect();
        println!(
            "{stem}: view true {} got {:?}; side true {} got {:?}; reps true {} got L{}/R{} (+{} partial); swaps {}",
            labels.sets[0].view,
            report.sets.iter().map(|s| s.view).collect::<Vec<_>>(),
            labels.sets[0].side.as_str(),
            report.sets.iter().map(|s| s.side.as_str()).collect::<Vec<_>>(),
            labels.sets[0].reps.len(),
            report.summary.reps_left,
            report.summary.reps_right,
            report.summary.partial_reps,
            report.diagnostics.leg_swaps_repaired
        );
        println!("   truth {}\n   got   {}", truth.join(" "), got.join(" "));
        if verbose {
            for s in &report.sets {
                for r in &s.reps {
                    println!("      {:.2}-{:.2} {:?}", r.start_s, r.end_s, r.metrics);
                }
            }
            for m in &board.fault_misses[before.fault_misses.len()..] {
                println!("      MISS {}", &m[..m.len().min(200)]);
            }
        }
    }
    print!("{}", board.summary());
    Ok(())
}
