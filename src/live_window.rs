//! The live window (where a display exists): the camera picture with the skeleton and a screen
//! readable from two metres: rep counters per leg, phase, set tally, the cue, prompts.

use crate::annotate::{ascii, draw_skeleton, phase_label, put_text, wrap};
use crate::live::{CueKind, ProcessedFrame, Screen};
use formcheck_core::kinematics::Side;
use opencv::core::{Mat, Point, Rect, Scalar};
use opencv::highgui;
use opencv::imgproc;
use opencv::prelude::*;

const WINDOW: &str = "formcheck live (q to quit)";

/// A highgui window showing processed frames.
pub struct LiveWindow {
    canvas: Mat,
    sized: bool,
    mirror: bool,
}

/// The window opens at most this large; the person can resize it.
const MAX_WINDOW: (f64, f64) = (1280.0, 900.0);

/// True when `$DISPLAY` names an X server that accepts connections. OpenCV's GUI backend aborts
/// the process when it cannot reach the display, so this is checked before opening a window.
pub fn display_reachable() -> bool {
    let Some(display) = std::env::var_os("DISPLAY").map(|d| d.to_string_lossy().into_owned()) else {
        return false;
    };
    let Some((host, rest)) = display.rsplit_once(':') else { return false };
    let Ok(number) = rest.split('.').next().unwrap_or("").parse::<u16>() else { return false };
    if host.is_empty() || host == "unix" {
        let socket = format!("/tmp/.X11-unix/X{number}");
        return std::os::unix::net::UnixStream::connect(socket).is_ok();
    }
    let addr = format!("{host}:{}", 6000 + u32::from(number));
    std::net::ToSocketAddrs::to_socket_addrs(&addr)
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, std::time::Duration::from_millis(500)).is_ok())
}

impl LiveWindow {
    /// Opens the window; `mirror` shows the picture mirrored (a front camera), so the person's
    /// left is on the screen's left.
    pub fn new(mirror: bool) -> opencv::Result<LiveWindow> {
        highgui::named_window(WINDOW, highgui::WINDOW_NORMAL)?;
        Ok(LiveWindow { canvas: Mat::default(), sized: false, mirror })
    }

    /// Draws and shows one frame; returns false when the person asked to quit (q or Esc) or
    /// the window failed.
    pub fn show(&mut self, frame: &ProcessedFrame<'_>) -> bool {
        let mut draw = || -> opencv::Result<bool> {
            frame.image.copy_to(&mut self.canvas)?;
            draw_skeleton(&mut self.canvas, frame.pose, 1.0, 2)?;
            if self.mirror {
                let mut flipped = Mat::default();
                opencv::core::flip(&self.canvas, &mut flipped, 1)?;
                self.canvas = flipped;
            }
            draw_screen(&mut self.canvas, &frame.screen, self.mirror)?;
            highgui::imshow(WINDOW, &self.canvas)?;
            if !self.sized {
                let (w, h) = (self.canvas.cols() as f64, self.canvas.rows() as f64);
                let scale = (MAX_WINDOW.0 / w).min(MAX_WINDOW.1 / h).min(1.0);
                highgui::resize_window(WINDOW, (w * scale) as i32, (h * scale) as i32)?;
                self.sized = true;
            }
            let key = highgui::wait_key(1)?;
            Ok(key != i32::from(b'q') && key != 27)
        };
        draw().unwrap_or(false)
    }
}

/// Colours (BGR).
const WHITE: (f64, f64, f64) = (255.0, 255.0, 255.0);
const ACTIVE: (f64, f64, f64) = (0.0, 215.0, 255.0);
const PRAISE: (f64, f64, f64) = (90.0, 220.0, 90.0);
const FIX: (f64, f64, f64) = (0.0, 140.0, 255.0);

fn bgr(c: (f64, f64, f64)) -> Scalar {
    Scalar::new(c.0, c.1, c.2, 0.0)
}

/// Darkens a band of the picture so text on it reads from across the room.
fn shade(img: &mut Mat, band: Rect) -> opencv::Result<()> {
    let band = band & Rect::new(0, 0, img.cols(), img.rows());
    if band.width <= 0 || band.height <= 0 {
        return Ok(());
    }
    let mut roi = Mat::roi_mut(img, band)?;
    let mut dark = Mat::default();
    roi.convert_to(&mut dark, -1, 0.35, 0.0)?;
    dark.copy_to(&mut roi)
}

/// The width of `text` at `scale`.
fn text_width(text: &str, scale: f64, thickness: i32) -> i32 {
    let mut base = 0;
    imgproc::get_text_size(text, imgproc::FONT_HERSHEY_SIMPLEX, scale, thickness, &mut base).map_or(0, |s| s.width)
}

/// The live screen over the picture, sized to be read from two metres: a large rep counter per
/// leg (the leg of the set under way highlighted) at the top corners, on the side of the screen
/// where that leg is seen; the phase and the set's tally between them; the cue in a band at the
/// bottom with its icon and colour; a prompt across the middle when the person should move.
pub fn draw_screen(img: &mut Mat, screen: &Screen<'_>, mirror: bool) -> opencv::Result<()> {
    let (w, h) = (img.cols(), img.rows());
    let unit = (w.min(h) as f64 / 720.0).max(0.4);
    let top = (170.0 * unit) as i32;
    shade(img, Rect::new(0, 0, w, top))?;
    let active = screen.set.map(|(_, side, _)| side);
    // Facing the camera, the person's left leg is on the screen's right unless mirrored.
    let left_on_left = mirror;
    for (side, count) in [(Side::Left, screen.reps.0), (Side::Right, screen.reps.1)] {
        let colour = bgr(if active == Some(side) { ACTIVE } else { WHITE });
        let label = if side == Side::Left { "LEFT" } else { "RIGHT" };
        let number = count.to_string();
        let (big, small) = (3.2 * unit, 0.9 * unit);
        let thick = (7.0 * unit).max(2.0) as i32;
        let on_left = (side == Side::Left) == left_on_left;
        let width = text_width(&number, big, thick).max(text_width(label, small, 2));
        let x = if on_left { (20.0 * unit) as i32 } else { w - width - (20.0 * unit) as i32 };
        put_text(img, label, Point::new(x, (38.0 * unit) as i32), small, colour, 2)?;
        put_text(img, &number, Point::new(x, (150.0 * unit) as i32), big, colour, thick)?;
    }
    let centre = |img: &mut Mat, text: &str, y: i32, scale: f64, colour: Scalar, thick: i32| {
        let x = (w - text_width(text, scale, thick)) / 2;
        put_text(img, text, Point::new(x.max(0), y), scale, colour, thick)
    };
    if let Some(phase) = screen.phase {
        centre(img, &phase_label(phase).to_uppercase(), (70.0 * unit) as i32, 1.3 * unit, bgr(WHITE), 3)?;
    }
    if let Some((set, side, reps)) = screen.set {
        let tally = format!("set {set} ({}): {reps} rep{}", side.as_str(), if reps == 1 { "" } else { "s" });
        centre(img, &tally, (130.0 * unit) as i32, 0.9 * unit, bgr(ACTIVE), 2)?;
    }
    if let Some(prompt) = screen.prompt {
        let y = h / 2;
        shade(img, Rect::new(0, y - (60.0 * unit) as i32, w, (90.0 * unit) as i32))?;
        let lines = wrap(prompt.text(), ((w as f64 / (24.0 * unit)) as usize).max(12));
        let mut ly = y - (lines.len() as i32 - 1) * (22.0 * unit) as i32;
        for line in lines {
            centre(img, &line, ly, 1.1 * unit, bgr(ACTIVE), 3)?;
            ly += (44.0 * unit) as i32;
        }
    }
    if let Some(cue) = screen.cue {
        draw_cue(img, &cue.text, cue.kind == CueKind::Praise, unit)?;
    }
    Ok(())
}

/// The cue in a dark band at the bottom: a round icon (a tick for praise, "!" for a fix) in
/// the cue's colour, then its words.
fn draw_cue(img: &mut Mat, text: &str, praise: bool, unit: f64) -> opencv::Result<()> {
    let (w, h) = (img.cols(), img.rows());
    let colour = bgr(if praise { PRAISE } else { FIX });
    let line_h = (48.0 * unit) as i32;
    let r = (36.0 * unit) as i32;
    let x_text = 3 * r;
    let lines = wrap(&ascii(text), ((f64::from(w - x_text) / (24.0 * unit)) as usize).max(12));
    let band_h = (lines.len() as i32) * line_h + line_h / 2;
    shade(img, Rect::new(0, h - band_h, w, band_h))?;
    let centre = Point::new(r + r / 2, h - band_h / 2);
    imgproc::circle(img, centre, r, colour, -1, imgproc::LINE_AA, 0)?;
    let dark = Scalar::all(0.0);
    let t = (6.0 * unit).max(2.0) as i32;
    if praise {
        let p =
            |dx: f64, dy: f64| Point::new(centre.x + (dx * f64::from(r)) as i32, centre.y + (dy * f64::from(r)) as i32);
        imgproc::line(img, p(-0.5, 0.0), p(-0.1, 0.4), dark, t, imgproc::LINE_AA, 0)?;
        imgproc::line(img, p(-0.1, 0.4), p(0.55, -0.45), dark, t, imgproc::LINE_AA, 0)?;
    } else {
        let x = centre.x - text_width("!", 1.6 * unit, t) / 2;
        imgproc::put_text(
            img,
            "!",
            Point::new(x, centre.y + (22.0 * unit) as i32),
            imgproc::FONT_HERSHEY_SIMPLEX,
            1.6 * unit,
            dark,
            t,
            imgproc::LINE_AA,
            false,
        )?;
    }
    let mut y = h - band_h + line_h;
    for line in lines {
        put_text(img, &line, Point::new(x_text, y), 1.05 * unit, colour, 2)?;
        y += line_h;
    }
    Ok(())
}

impl Drop for LiveWindow {
    fn drop(&mut self) {
        let _ = highgui::destroy_window(WINDOW);
    }
}
