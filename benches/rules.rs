//! Cost of the stages after pose estimation: the offline analysis of a whole set, and one live
//! push (what a camera frame costs the rule engine in `formcheck live`).
//!
//! `cargo bench --bench rules`. Input: the synthetic bench's sequence for seed 7 (a set of reps
//! with noise, as the pose stage would produce it), so no video or model is needed.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use formcheck_bench::synth::{generate, SynthParams};
use formcheck_core::report::InputInfo;
use formcheck_core::spec::ExerciseSpec;
use formcheck_core::{analyze, StreamingAnalyzer};

fn bench(c: &mut Criterion) {
    let spec = ExerciseSpec::cable_medius_kickback().expect("built-in spec");
    let seq = generate(&SynthParams::random(7));
    let frames = seq.frames;
    let mut group = c.benchmark_group("rules");
    group.throughput(Throughput::Elements(frames.len() as u64));
    group.bench_function(format!("analyze_{}_frames", frames.len()), |b| {
        b.iter(|| analyze(&frames, &spec, InputInfo::default()))
    });
    group.finish();

    // One push with a full window behind it: the steady-state per-frame cost of live feedback.
    let mut live = StreamingAnalyzer::new(spec.clone());
    let (warm, rest) = frames.split_at(frames.len() * 3 / 4);
    for frame in warm {
        live.push(frame);
    }
    let mut next = rest.iter().cycle();
    let mut t_shift = 0.0;
    let period = frames.last().map_or(1.0, |f| f.t_s) + 0.1;
    c.bench_function("rules/live_push", |b| {
        b.iter(|| {
            let mut frame = next.next().expect("cycle never ends").clone();
            // Keep time moving forward as the cycle wraps around.
            if frame.index == rest[0].index {
                t_shift += period;
            }
            frame.t_s += t_shift;
            live.push(&frame)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
