//! Test driver: runs the pose estimator over a video or image and writes the peer's JSONL schema.
//!
//! ```sh
//! cargo run --release -p formcheck-vision --example pose_jsonl -- INPUT --out OUT.jsonl \
//!     [--static] [--complexity lite|full|heavy] [--threads N] [--clock fake|real] [--max-frames N]
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use formcheck_core::landmarks::PoseFrame;
use formcheck_vision::pose::{default_models_dir, BlazePose, ModelComplexity, PoseConfig, PoseModel, SmoothingClock};
use opencv::core::Mat;
use opencv::prelude::*;
use opencv::{imgcodecs, videoio};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut input = None;
    let mut out = None;
    let mut cfg = PoseConfig::new(default_models_dir());
    let mut max_frames = u64::MAX;
    let mut print_roi = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--static" => cfg.static_mode = true,
            "--print-roi" => print_roi = true,
            "--no-smooth" => cfg.smooth = false,
            "--spin" => cfg.intra_spinning = true,
            "--threads" => cfg.intra_threads = args.next().ok_or("--threads N")?.parse()?,
            "--max-frames" => max_frames = args.next().ok_or("--max-frames N")?.parse()?,
            "--clock" => {
                cfg.smoothing_clock = match args.next().as_deref() {
                    Some("real") => SmoothingClock::Timestamps,
                    _ => SmoothingClock::Fake30Fps,
                }
            }
            "--complexity" => {
                cfg.model = PoseModel::BlazePose(match args.next().as_deref() {
                    Some("lite") | Some("0") => ModelComplexity::Lite,
                    Some("heavy") | Some("2") => ModelComplexity::Heavy,
                    _ => ModelComplexity::Full,
                })
            }
            _ => input = Some(PathBuf::from(a)),
        }
    }
    let input = input.ok_or("usage: pose_jsonl INPUT --out OUT.jsonl")?;
    let out = out.ok_or("--out OUT.jsonl is required")?;
    let mut est = BlazePose::new(cfg)?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(&out)?);
    let ext = input.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let path = input.to_string_lossy().to_string();
    let (mut frames, mut detects, mut found) = (0u64, 0u64, 0u64);
    let mut infer = std::time::Duration::ZERO;
    let mut stages = [std::time::Duration::ZERO; 3];
    let start = Instant::now();
    let mut emit = |est: &mut BlazePose, frame: &Mat, index: u64, t_s: f64| -> Result<(), Box<dyn std::error::Error>> {
        let o = est.process(frame, t_s)?;
        if print_roi {
            if let Some(r) = o.roi {
                eprintln!(
                    "{index} roi{} {:.6} {:.6} {:.6} {:.6} {:.6}",
                    if o.detector_ran { "(det)" } else { "" },
                    r.x_center,
                    r.y_center,
                    r.width,
                    r.height,
                    r.rotation
                );
            }
        }
        infer += o.timings.total;
        stages[0] += o.timings.detector;
        stages[1] += o.timings.landmarks;
        stages[2] += o.timings.post;
        detects += o.detector_ran as u64;
        found += o.pose.is_some() as u64;
        let pf = PoseFrame { index, t_s, width: frame.cols() as u32, height: frame.rows() as u32, pose: o.pose };
        writeln!(w, "{}", pf.to_json_line())?;
        Ok(())
    };
    if ["jpg", "jpeg", "png", "bmp", "webp"].contains(&ext.as_str()) {
        let img = imgcodecs::imread(&path, imgcodecs::IMREAD_COLOR)?;
        emit(&mut est, &img, 0, 0.0)?;
        frames = 1;
    } else {
        let mut cap = videoio::VideoCapture::from_file(&path, videoio::CAP_ANY)?;
        if !cap.is_opened()? {
            return Err(format!("cannot open {path}").into());
        }
        let fps = cap.get(videoio::CAP_PROP_FPS)?;
        let fps = if fps > 0.0 { fps } else { 30.0 };
        let mut frame = Mat::default();
        while frames < max_frames && cap.read(&mut frame)? && !frame.empty() {
            emit(&mut est, &frame, frames, frames as f64 / fps)?;
            frames += 1;
        }
    }
    let wall = start.elapsed().as_secs_f64();
    eprintln!(
        "{}: {frames} frames, pose in {found}, detector ran {detects}x, wall {:.2}s ({:.1} fps), pose {:.2}s ({:.1} fps)",
        input.display(),
        wall,
        frames as f64 / wall,
        infer.as_secs_f64(),
        frames as f64 / infer.as_secs_f64()
    );
    eprintln!(
        "  stages: detector {:.2}s, landmarks (crop + model + decoding) {:.2}s, smoothing and next region {:.2}s",
        stages[0].as_secs_f64(),
        stages[1].as_secs_f64(),
        stages[2].as_secs_f64()
    );
    Ok(())
}
