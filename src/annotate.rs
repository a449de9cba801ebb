//! The annotated video: the input again with the skeleton, the angles that matter, the rep
//! counter and phase, the active cue, and each fault's worst moment drawn on it.
//!
//! A second decoding pass (the landmarks and the report are kept; frames are not), so memory stays
//! constant in the video's length.

use crate::keyframes::KeyframeCollector;
use crate::AppError;
use formcheck_core::kinematics::Side;
use formcheck_core::landmarks::{Joint, PoseFrame};
use formcheck_core::report::Signal;
use formcheck_core::report::{Metric, Phase, Report, Status, Unit};
use formcheck_vision::video::{FrameSource, VideoReader};
use opencv::core::{Mat, Point, Rect, Scalar, Size};
use opencv::prelude::*;
use opencv::{imgproc, videoio};
use std::collections::HashMap;
use std::path::Path;

/// Bones drawn for the skeleton (BlazePose body topology without the face mesh).
const BONES: &[(Joint, Joint)] = &[
    (Joint::LeftShoulder, Joint::RightShoulder),
    (Joint::LeftShoulder, Joint::LeftElbow),
    (Joint::LeftElbow, Joint::LeftWrist),
    (Joint::RightShoulder, Joint::RightElbow),
    (Joint::RightElbow, Joint::RightWrist),
    (Joint::LeftShoulder, Joint::LeftHip),
    (Joint::RightShoulder, Joint::RightHip),
    (Joint::LeftHip, Joint::RightHip),
    (Joint::LeftHip, Joint::LeftKnee),
    (Joint::LeftKnee, Joint::LeftAnkle),
    (Joint::LeftAnkle, Joint::LeftHeel),
    (Joint::LeftHeel, Joint::LeftFootIndex),
    (Joint::LeftAnkle, Joint::LeftFootIndex),
    (Joint::RightHip, Joint::RightKnee),
    (Joint::RightKnee, Joint::RightAnkle),
    (Joint::RightAnkle, Joint::RightHeel),
    (Joint::RightHeel, Joint::RightFootIndex),
    (Joint::RightAnkle, Joint::RightFootIndex),
    (Joint::Nose, Joint::LeftShoulder),
    (Joint::Nose, Joint::RightShoulder),
];

/// Landmarks less visible than this are not drawn (they would be guesses).
const MIN_VISIBILITY: f32 = 0.5;
/// How long a rep's cue stays on screen after the rep ends (s).
const CUE_HOLD_S: f64 = 2.5;
/// Half-width of the highlighted window around a fault's worst moment (s).
const WORST_MOMENT_HALF_S: f64 = 0.35;
/// Annotated videos are written at most this many pixels on their long side.
const MAX_LONG_SIDE: i32 = 1920;

/// What the annotator wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct AnnotateOutcome {
    /// FourCC of the codec used (`avc1` = H.264 when the platform can, else `mp4v`).
    pub codec: String,
    /// Frames written.
    pub frames: u64,
}

/// The overlay for one moment of the video, derived from the report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OverlayState {
    /// Completed full reps so far, per side.
    pub reps_left: usize,
    /// Completed full reps so far, right side.
    pub reps_right: usize,
    /// Current phase, if inside a set.
    pub phase: Option<Phase>,
    /// Key angles to print: (label, degrees).
    pub angles: Vec<(&'static str, f64)>,
    /// The cue to show, and whether it is praise (true) or a correction (false).
    pub cue: Option<(String, bool)>,
    /// Labels of faults whose worst moment is now.
    pub worst: Vec<String>,
}

/// Precomputed lookups from the report for fast per-frame overlay queries.
pub struct OverlayTimeline<'a> {
    report: &'a Report,
    series_pos: HashMap<u64, usize>,
    /// (series signal, label) pairs worth printing: those whose check this view can measure.
    angles: Vec<(Signal, &'static str)>,
}

/// The angles the overlay can print, with the metrics that make each one matter: it is printed
/// when a check judging one of them is measurable from the video's view.
const OVERLAY_ANGLES: [(Signal, &str, &[Metric]); 5] = [
    (Signal::HipExtension, "hip ext", &[Metric::PeakHipExtensionRelTrunk, Metric::PeakHipExtension]),
    (Signal::TrunkForward, "trunk fwd", &[Metric::TrunkForwardChange]),
    (Signal::TrunkAway, "trunk away", &[Metric::TrunkAwayChange]),
    (Signal::PelvisHike, "pelvis hike", &[Metric::PelvisHikeChange]),
    (Signal::SupportKneeFlexion, "support knee", &[Metric::SupportKneeFlexion, Metric::SupportKneeRange]),
];

impl<'a> OverlayTimeline<'a> {
    /// Indexes the report's series by frame.
    pub fn new(report: &'a Report) -> OverlayTimeline<'a> {
        let series_pos = report.series.frame.iter().enumerate().map(|(i, f)| (*f, i)).collect();
        // An angle the camera cannot measure from here would be a guess: leave it off the picture.
        let measurable = |metrics: &[Metric]| {
            report
                .checks
                .iter()
                .any(|c| c.metric.is_some_and(|m| metrics.contains(&m)) && c.status != Status::NotMeasurable)
        };
        let angles = OVERLAY_ANGLES
            .iter()
            .filter(|(_, _, metrics)| measurable(metrics))
            .map(|(name, label, _)| (*name, *label))
            .collect();
        OverlayTimeline { report, series_pos, angles }
    }

    /// The overlay at frame `index`, time `t_s`.
    pub fn state_at(&self, index: u64, t_s: f64) -> OverlayState {
        let mut state = OverlayState::default();
        let mut last_ended: Option<(f64, String, bool)> = None;
        for set in &self.report.sets {
            for rep in &set.reps {
                if rep.end_s <= t_s && !rep.partial {
                    match set.side {
                        Side::Left => state.reps_left += 1,
                        Side::Right => state.reps_right += 1,
                    }
                }
                if rep.end_s <= t_s && t_s - rep.end_s < CUE_HOLD_S {
                    let praise = rep.faults.is_empty();
                    if last_ended.as_ref().is_none_or(|(end, _, _)| rep.end_s > *end) {
                        last_ended = Some((rep.end_s, rep.cue.clone(), praise));
                    }
                }
                for fault in &rep.faults {
                    if (t_s - fault.peak_s).abs() <= WORST_MOMENT_HALF_S {
                        state.worst.push(format!(
                            "{} {:.0}{}",
                            fault.check.as_str().replace('_', " "),
                            fault.magnitude,
                            if fault.unit == Unit::Deg { " deg" } else { "" }
                        ));
                    }
                }
            }
        }
        state.cue = last_ended.filter(|(_, cue, _)| !cue.is_empty()).map(|(_, cue, praise)| (cue, praise));
        if let Some(&pos) = self.series_pos.get(&index) {
            state.phase = self.report.series.phase.get(pos).copied().flatten();
            for &(signal, label) in &self.angles {
                if let Some(Some(v)) = self.report.series.get(signal).and_then(|s| s.get(pos)) {
                    state.angles.push((label, *v));
                }
            }
        }
        state
    }
}

/// A phase's name on screen.
pub(crate) fn phase_label(phase: Phase) -> &'static str {
    match phase {
        Phase::Bottom => "start",
        Phase::Lift => "lift",
        Phase::TopPause => "top pause",
        Phase::Return => "return",
    }
}

/// Keeps what OpenCV's Hershey fonts can draw.
pub(crate) fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '°' => " deg".to_string(),
            '–' | '—' => "-".to_string(),
            '’' | '‘' => "'".to_string(),
            c if c.is_ascii() => c.to_string(),
            _ => "?".to_string(),
        })
        .collect()
}

/// Splits a cue into lines that fit `max_chars`.
pub(crate) fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > max_chars {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Draws `text` with a dark outline.
pub(crate) fn put_text(
    img: &mut Mat,
    text: &str,
    org: Point,
    scale: f64,
    color: Scalar,
    thickness: i32,
) -> opencv::Result<()> {
    // A dark outline keeps text readable on any background.
    imgproc::put_text(
        img,
        text,
        org,
        imgproc::FONT_HERSHEY_SIMPLEX,
        scale,
        Scalar::all(0.0),
        thickness + 3,
        imgproc::LINE_AA,
        false,
    )?;
    imgproc::put_text(img, text, org, imgproc::FONT_HERSHEY_SIMPLEX, scale, color, thickness, imgproc::LINE_AA, false)
}

/// Draws the skeleton of `frame` (coordinates already scaled by `scale`).
pub fn draw_skeleton(img: &mut Mat, frame: &PoseFrame, scale: f64, thickness: i32) -> opencv::Result<()> {
    let Some(pose) = &frame.pose else { return Ok(()) };
    let at = |j: Joint| {
        let p = pose.image_point(j);
        (p.visibility >= MIN_VISIBILITY && p.x.is_finite() && p.y.is_finite())
            .then(|| Point::new((p.x as f64 * scale) as i32, (p.y as f64 * scale) as i32))
    };
    let side_color = |j: Joint| {
        if j.name().starts_with("left") {
            Scalar::new(255.0, 160.0, 40.0, 0.0) // blue-ish (BGR): the person's left
        } else if j.name().starts_with("right") {
            Scalar::new(40.0, 160.0, 255.0, 0.0) // orange: the person's right
        } else {
            Scalar::new(230.0, 230.0, 230.0, 0.0)
        }
    };
    for &(a, b) in BONES {
        if let (Some(pa), Some(pb)) = (at(a), at(b)) {
            let color = if a.mirrored() == b { Scalar::new(230.0, 230.0, 230.0, 0.0) } else { side_color(b) };
            imgproc::line(img, pa, pb, color, thickness, imgproc::LINE_AA, 0)?;
        }
    }
    for joint in Joint::ALL.iter().copied().filter(|j| j.index() >= Joint::LeftShoulder.index()) {
        if let Some(p) = at(joint) {
            imgproc::circle(img, p, thickness + 2, side_color(joint), -1, imgproc::LINE_AA, 0)?;
        }
    }
    Ok(())
}

/// Draws the text panel, cue and worst-moment highlight for `state`.
pub fn draw_overlay(img: &mut Mat, state: &OverlayState) -> opencv::Result<()> {
    let (w, h) = (img.cols(), img.rows());
    let unit = (w.min(h) as f64 / 720.0).max(0.5);
    let line_h = (30.0 * unit) as i32;
    let white = Scalar::new(255.0, 255.0, 255.0, 0.0);
    let mut y = line_h + 6;
    let x = (14.0 * unit) as i32;
    let reps = format!("reps  L {}  R {}", state.reps_left, state.reps_right);
    put_text(img, &reps, Point::new(x, y), 0.9 * unit, white, 2)?;
    y += line_h;
    if let Some(phase) = state.phase {
        put_text(img, phase_label(phase), Point::new(x, y), 0.8 * unit, Scalar::new(200.0, 255.0, 200.0, 0.0), 2)?;
        y += line_h;
    }
    for (label, value) in &state.angles {
        put_text(img, &format!("{label} {value:.0} deg"), Point::new(x, y), 0.65 * unit, white, 1)?;
        y += (line_h as f64 * 0.85) as i32;
    }
    if !state.worst.is_empty() {
        let red = Scalar::new(40.0, 40.0, 235.0, 0.0);
        imgproc::rectangle(img, Rect::new(0, 0, w, h), red, (10.0 * unit) as i32, imgproc::LINE_8, 0)?;
        let mut wy = h / 2;
        for label in &state.worst {
            put_text(img, &format!("worst: {}", ascii(label)), Point::new(x, wy), 0.8 * unit, red, 2)?;
            wy += line_h;
        }
    }
    if let Some((cue, praise)) = &state.cue {
        let color = if *praise { Scalar::new(90.0, 220.0, 90.0, 0.0) } else { Scalar::new(60.0, 200.0, 255.0, 0.0) };
        let max_chars = ((w as f64 / (17.0 * unit)) as usize).max(16);
        let lines = wrap(&ascii(cue), max_chars);
        let mut cy = h - (lines.len() as i32) * line_h - line_h / 2;
        let band = Rect::new(0, cy - line_h, w, h - cy + line_h);
        let mut roi = Mat::roi_mut(img, band)?;
        let mut dark = Mat::default();
        roi.convert_to(&mut dark, -1, 0.45, 0.0)?;
        dark.copy_to(&mut roi)?;
        for line in lines {
            put_text(img, &line, Point::new(x, cy), 0.8 * unit, color, 2)?;
            cy += line_h;
        }
    }
    Ok(())
}

/// Writes the annotated copy of `input` to `output` (an `.mp4`; `-` is standard output), by the
/// rules of [`crate::atomic`]: encoded to a temporary file, read back to check that it plays to its
/// last frame (the encoder does not report write errors, e.g. a full disk), then put in place. On
/// any failure the temporary file is removed and nothing is left at `output`. Each decoded frame
/// is also offered to `keyframes`, if given, so fault thumbnails need no pass of their own.
pub fn annotate_video(
    input: &Path,
    frames: &[PoseFrame],
    report: &Report,
    output: &Path,
    mut keyframes: Option<&mut KeyframeCollector<'_>>,
) -> Result<AnnotateOutcome, AppError> {
    let failed = |reason: String| AppError::Output { what: "annotated video", path: output.to_path_buf(), reason };
    let mut reader = VideoReader::open_file(input)?;
    let info = reader.info().clone();
    let scale = {
        let long = info.width.max(info.height) as i32;
        if long > MAX_LONG_SIDE {
            MAX_LONG_SIDE as f64 / long as f64
        } else {
            1.0
        }
    };
    let size =
        Size::new((info.width as f64 * scale).round() as i32 & !1, (info.height as f64 * scale).round() as i32 & !1);
    let fps = if info.fps > 0.0 { info.fps } else { 30.0 };
    // Removed when dropped uncommitted: every early return below cleans up.
    let staged = crate::atomic::StagedFile::new(output, "mp4").map_err(|e| failed(e.to_string()))?;
    let (mut writer, codec) = open_writer(staged.path(), fps, size).map_err(|e| failed(e.to_string()))?;
    let by_index: HashMap<u64, &PoseFrame> = frames.iter().map(|f| (f.index, f)).collect();
    let timeline = OverlayTimeline::new(report);
    let thickness = ((size.width.min(size.height) as f64 / 360.0).round() as i32).max(2);
    let frames_written = (|| -> Result<u64, AppError> {
        let mut written = 0;
        while let Some(frame) = reader.next_frame()? {
            if crate::pipeline::interrupted() {
                return Err(AppError::Interrupted);
            }
            let mut canvas = Mat::default();
            let draw = |canvas: &mut Mat| -> opencv::Result<()> {
                if scale != 1.0 || frame.image.cols() != size.width || frame.image.rows() != size.height {
                    imgproc::resize(&frame.image, canvas, size, 0.0, 0.0, imgproc::INTER_AREA)?;
                } else {
                    frame.image.copy_to(canvas)?;
                }
                if let Some(pose_frame) = by_index.get(&frame.index) {
                    draw_skeleton(canvas, pose_frame, scale, thickness)?;
                }
                draw_overlay(canvas, &timeline.state_at(frame.index, frame.t_s))
            };
            if let Some(collector) = keyframes.as_deref_mut() {
                collector.offer(frame.index, &frame.image)?;
            }
            draw(&mut canvas).map_err(formcheck_vision::video::VideoError::from)?;
            writer.write(&canvas).map_err(formcheck_vision::video::VideoError::from)?;
            written += 1;
        }
        writer.release().map_err(formcheck_vision::video::VideoError::from)?;
        Ok(written)
    })()?;
    verify_video(staged.path(), frames_written).map_err(failed)?;
    staged.commit().map_err(|e| failed(e.to_string()))?;
    Ok(AnnotateOutcome { codec, frames: frames_written })
}

/// Reads a finished video back: it must open, hold `expected` frames, and decode its last one.
/// OpenCV's writer ignores write errors (a full disk leaves an MP4 without its index), so this is
/// the only way to know the file is whole.
pub fn verify_video(path: &Path, expected: u64) -> Result<(), String> {
    const INCOMPLETE: &str = "the encoder's output is incomplete (is the disk full?)";
    if expected == 0 {
        return Err("no frame was encoded".into());
    }
    let bytes = std::fs::metadata(path).map(|m| m.len()).map_err(|e| e.to_string())?;
    if bytes == 0 {
        return Err(format!("the encoder wrote nothing; {INCOMPLETE}"));
    }
    // The path's own bytes: a name that is not UTF-8 must reach OpenCV unchanged.
    let check = || -> opencv::Result<Result<(), String>> {
        let mut capture = videoio::VideoCapture::from_file(path.as_os_str(), videoio::CAP_FFMPEG)?;
        if !capture.is_opened()? {
            return Ok(Err(format!("it does not play back; {INCOMPLETE}")));
        }
        let count = capture.get(videoio::CAP_PROP_FRAME_COUNT)?;
        // The container's own count; allow one frame of rounding where it is derived from the duration.
        if !count.is_finite() || (count - expected as f64).abs() > 1.0 {
            return Ok(Err(format!("it holds {count} of the {expected} frames written; {INCOMPLETE}")));
        }
        capture.set(videoio::CAP_PROP_POS_FRAMES, (expected.saturating_sub(2)) as f64)?;
        let mut image = Mat::default();
        if !capture.read(&mut image)? || image.empty() {
            return Ok(Err(format!("its last frames do not decode; {INCOMPLETE}")));
        }
        Ok(Ok(()))
    };
    check().map_err(|e| format!("reading it back: {}", e.message))?
}

/// Opens an MP4 writer: H.264 (`avc1`) when OpenCV's FFmpeg has an encoder for it, else MPEG-4 Part 2.
fn open_writer(path: &Path, fps: f64, size: Size) -> std::io::Result<(videoio::VideoWriter, String)> {
    let name = path.display();
    for codec in ["avc1", "mp4v"] {
        let chars: Vec<char> = codec.chars().collect();
        let fourcc =
            videoio::VideoWriter::fourcc(chars[0], chars[1], chars[2], chars[3]).map_err(std::io::Error::other)?;
        if let Ok(writer) =
            videoio::VideoWriter::new_with_backend(path.as_os_str(), videoio::CAP_FFMPEG, fourcc, fps, size, true)
        {
            if writer.is_opened().unwrap_or(false) {
                return Ok((writer, codec.to_string()));
            }
        }
    }
    Err(std::io::Error::other(format!("no MP4 encoder could open {name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_wrap_to_width_and_become_ascii() {
        let lines = wrap("Keep the support knee soft but fixed through the whole rep", 20);
        assert!(lines.iter().all(|l| l.len() <= 20), "{lines:?}");
        assert_eq!(lines.join(" "), "Keep the support knee soft but fixed through the whole rep");
        assert_eq!(ascii("12° – ok"), "12 deg - ok");
    }
}
