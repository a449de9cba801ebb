//! Runs the synthetic bench: `cargo run -p formcheck-bench --release --example suite -- FROM TO [-v]`.
use formcheck_bench::eval::run_synthetic_suite;
use formcheck_core::spec::ExerciseSpec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let from: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let to: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let verbose = args.iter().any(|a| a == "-v");
    let spec = ExerciseSpec::cable_medius_kickback()?;
    let board = run_synthetic_suite(&spec, from..to);
    print!("{}", board.summary());
    if verbose {
        for m in &board.rep_misses {
            println!("REPS {m}");
        }
        for m in &board.fault_misses {
            println!("FAULT {m}");
        }
    }
    Ok(())
}
