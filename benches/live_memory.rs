//! Memory of a long live session: an hour of 30 fps source time (recorded landmarks of a corpus
//! clip with a side switch, looped) through the live coach, headless and as fast as it goes,
//! with the resident set size printed every ten minutes of source time. Issue 10 asks for growth
//! of at most 20 MB an hour; the figure printed last is the growth from the first ten minutes
//! (allocator and caches warm) to the end.
//!
//! `cargo bench --bench live_memory` (about five minutes on a quiet machine); `-- --minutes N`
//! for another length.

use formcheck::bench::rss_mib;
use formcheck::live::{Coach, LiveOptions, LiveOutput};
use formcheck_bench::corpus::Corpus;
use formcheck_core::landmarks::PoseFrame;
use formcheck_core::report::InputInfo;
use formcheck_core::spec::ExerciseSpec;
use std::path::Path;
use std::time::Instant;

/// The looped clip: both legs worked, a lateral lean to cue.
const CLIP: &str = "c01038_side_working_switch";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let minutes: f64 =
        args.iter().position(|a| a == "--minutes").and_then(|k| args.get(k + 1)?.parse().ok()).unwrap_or(60.0);
    let corpus = Corpus::open(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"))?;
    let clip = corpus.select(None, Some(CLIP)).first().copied().ok_or("clip not in the corpus")?;
    let frames = corpus.landmarks(clip)?;
    let spec = ExerciseSpec::cable_medius_kickback()?;
    let mut coach = Coach::new(&spec, LiveOptions::default().cue_cooldown_s);
    let period = frames.last().map_or(1.0, |f| f.t_s) + 1.0 / 30.0;
    let total = (minutes * 60.0 * 30.0) as usize;
    let (mut reps, mut cues) = (0usize, 0usize);
    let mut next_mark = 10.0 * 60.0;
    let started = Instant::now();
    let mut rss_at_10 = None;
    println!("live_memory: {CLIP} looped for {minutes} min of 30 fps source time");
    println!("  source min   RSS MiB   frames held   reps   cues   wall s");
    for k in 0..total {
        let f = &frames[k % frames.len()];
        let lap = (k / frames.len()) as f64;
        let frame = PoseFrame { index: k as u64, t_s: f.t_s + lap * period, ..f.clone() };
        coach.push(&frame, &mut |o| match o {
            LiveOutput::Rep { .. } => reps += 1,
            LiveOutput::Cue(_) => cues += 1,
            _ => {}
        });
        if frame.t_s >= next_mark || k + 1 == total {
            let rss = rss_mib();
            rss_at_10.get_or_insert(rss);
            println!(
                "  {:10.1}   {rss:7.1}   {:11}   {reps:4}   {cues:4}   {:6.0}",
                frame.t_s / 60.0,
                coach.frames_held(),
                started.elapsed().as_secs_f64()
            );
            next_mark += 10.0 * 60.0;
        }
    }
    let before_report = rss_mib();
    let (report, log) = coach.finish(InputInfo::default());
    let after = rss_mib();
    let growth = before_report - rss_at_10.unwrap_or(before_report);
    println!(
        "live_memory: RSS growth from minute 10 to minute {minutes:.0}: {growth:.1} MiB ({:.1} MiB/hour); \
         report of {} reps, {} cues logged; RSS with the report built {after:.1} MiB",
        growth * 60.0 / (minutes - 10.0).max(1.0),
        report.rep_count(),
        log.len()
    );
    Ok(())
}
