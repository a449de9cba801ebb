//! Per-stage timings of the BlazePose pipeline on a 1080p frame.
//!
//! `cargo bench -p formcheck-vision --bench pose`; `FORMCHECK_BENCH_THREADS=1` and
//! `FORMCHECK_BENCH_SPIN=1` change the ONNX Runtime settings to compare them. The frame is the
//! first of `/tmp/peer-inputs/grass_1080p.mp4` when present, else the bundled sample clip's frame
//! scaled to 1920×1080.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use formcheck_vision::pose::{default_models_dir, BlazePose, PoseConfig};
use opencv::core::{Mat, Size};
use opencv::prelude::*;
use opencv::{imgproc, videoio};

fn first_frame(path: &str) -> Option<Mat> {
    let mut cap = videoio::VideoCapture::from_file(path, videoio::CAP_ANY).ok()?;
    let mut frame = Mat::default();
    (cap.read(&mut frame).ok()? && !frame.empty()).then_some(frame)
}

fn frame_1080p() -> Mat {
    if let Some(f) = first_frame("/tmp/peer-inputs/grass_1080p.mp4") {
        return f;
    }
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/01_clean_side.mp4");
    let f = first_frame(sample).expect("no benchmark input: samples/01_clean_side.mp4 is missing");
    let mut out = Mat::default();
    imgproc::resize(&f, &mut out, Size::new(1920, 1080), 0.0, 0.0, imgproc::INTER_LINEAR).expect("resize");
    out
}

fn config() -> PoseConfig {
    let mut cfg = PoseConfig::new(default_models_dir());
    if let Some(n) = std::env::var("FORMCHECK_BENCH_THREADS").ok().and_then(|v| v.parse().ok()) {
        cfg.intra_threads = n;
    }
    cfg.intra_spinning = std::env::var_os("FORMCHECK_BENCH_SPIN").is_some();
    cfg
}

fn bench(c: &mut Criterion) {
    let frame = frame_1080p();
    let cfg = config();
    eprintln!(
        "frame {}x{}, intra_threads {}, spinning {}",
        frame.cols(),
        frame.rows(),
        cfg.intra_threads,
        cfg.intra_spinning
    );
    let mut est = BlazePose::new(cfg.clone()).expect("estimator");
    let first = est.process(&frame, 0.0).expect("process");
    let roi = first.roi.expect("the benchmark frame must contain a person");

    let mut g = c.benchmark_group("pose_1080p");
    g.sample_size(30).measurement_time(Duration::from_secs(6)).warm_up_time(Duration::from_secs(2));
    g.bench_function("detector_model_only", |b| b.iter(|| est.detector_mut().infer_only().expect("infer")));
    g.bench_function("detector_stage", |b| b.iter(|| est.detector_mut().detect(&frame, 0.5).expect("detect")));
    g.bench_function("landmark_crop_only", |b| {
        b.iter(|| est.landmark_model_mut().prepare_only(&frame, &roi).expect("crop"))
    });
    g.bench_function("landmark_model_only", |b| b.iter(|| est.landmark_model_mut().infer_only().expect("infer")));
    g.bench_function("landmark_stage", |b| b.iter(|| est.landmark_model_mut().run(&frame, &roi).expect("run")));
    est.reset();
    g.bench_function("frame_tracking_path", |b| {
        b.iter(|| {
            let o = est.process(&frame, 0.0).expect("process");
            assert!(o.pose.is_some());
        })
    });
    let mut static_est = BlazePose::new(PoseConfig { static_mode: true, ..cfg }).expect("estimator");
    g.bench_function("frame_detect_path", |b| {
        b.iter(|| {
            let o = static_est.process(&frame, 0.0).expect("process");
            assert!(o.detector_ran);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
