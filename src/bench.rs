//! `bench`: end-to-end throughput of one input, measured in one run so the figures compare —
//! decode only, pose (decode overlapped with inference), and the whole analysis — plus peak memory.

use crate::analyze::analyze_file;
use crate::pipeline;
use crate::AppError;
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::PoseEstimator;
use formcheck_vision::video::{FrameSource, VideoReader};
use std::path::Path;
use std::time::Instant;

/// Figures of one benchmark run.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct BenchFigures {
    /// Frames in the input.
    pub frames: u64,
    /// Frame size.
    pub width: u32,
    /// Frame size.
    pub height: u32,
    /// Decode-only frames per second (OpenCV, one thread reading).
    pub decode_fps: f64,
    /// `formcheck pose` frames per second (decode on its own thread, overlapped with inference).
    pub pose_fps: f64,
    /// Whole analysis (pose + kinematics + rules + report) frames per second.
    pub analyze_fps: f64,
    /// analyze time / decode-only time.
    pub analyze_to_decode_ratio: f64,
    /// Peak resident memory of the process (MiB), from the kernel's VmHWM.
    pub peak_rss_mib: f64,
}

/// Peak resident set size of this process in MiB (Linux; 0 elsewhere).
pub fn peak_rss_mib() -> f64 {
    proc_status_mib("VmHWM:")
}

/// Resident set size of this process now, in MiB (Linux; 0 elsewhere).
pub fn rss_mib() -> f64 {
    proc_status_mib("VmRSS:")
}

/// A memory figure of `/proc/self/status` (kB there) in MiB.
fn proc_status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Runs the three passes over `input` and returns the figures.
pub fn run_bench(
    input: &Path,
    estimator: &mut dyn PoseEstimator,
    spec: &ExerciseSpec,
) -> Result<BenchFigures, AppError> {
    let mut figures = BenchFigures::default();
    let started = Instant::now();
    let mut reader = VideoReader::open_file(input)?;
    figures.width = reader.info().width;
    figures.height = reader.info().height;
    while reader.next_frame()?.is_some() {
        figures.frames += 1;
    }
    let decode_s = started.elapsed().as_secs_f64();
    figures.decode_fps = figures.frames as f64 / decode_s.max(1e-9);

    estimator.reset();
    let (_, stats) = pipeline::extract_landmarks(input, estimator, None, |_| Ok(()), |_, _| {})?;
    figures.pose_fps = stats.frames as f64 / stats.wall_s.max(1e-9);

    let started = Instant::now();
    let analysis = analyze_file(input, estimator, spec, |_, _| {})?;
    let analyze_s = started.elapsed().as_secs_f64();
    figures.analyze_fps = analysis.stats.frames as f64 / analyze_s.max(1e-9);
    figures.analyze_to_decode_ratio = analyze_s / decode_s.max(1e-9);
    figures.peak_rss_mib = peak_rss_mib();
    Ok(figures)
}
