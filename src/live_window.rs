//! The live overlay window (where a display exists): the camera picture with the skeleton, the
//! rep counter and the current cue.

use crate::annotate::{draw_overlay, draw_skeleton, OverlayState};
use crate::live::{CueKind, ProcessedFrame};
use opencv::core::Mat;
use opencv::highgui;
use opencv::prelude::*;

const WINDOW: &str = "formcheck live (q to quit)";

/// A highgui window showing processed frames.
pub struct LiveWindow {
    canvas: Mat,
    sized: bool,
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
    /// Opens the window.
    pub fn new() -> opencv::Result<LiveWindow> {
        highgui::named_window(WINDOW, highgui::WINDOW_NORMAL)?;
        Ok(LiveWindow { canvas: Mat::default(), sized: false })
    }

    /// Draws and shows one frame; returns false when the person asked to quit (q or Esc) or
    /// the window failed.
    pub fn show(&mut self, frame: &ProcessedFrame<'_>) -> bool {
        let mut draw = || -> opencv::Result<bool> {
            frame.image.copy_to(&mut self.canvas)?;
            draw_skeleton(&mut self.canvas, frame.pose, 1.0, 2)?;
            let state = OverlayState {
                reps_left: frame.reps.0,
                reps_right: frame.reps.1,
                cue: frame.cue.map(|c| (c.text.clone(), c.kind == CueKind::Praise)),
                ..OverlayState::default()
            };
            draw_overlay(&mut self.canvas, &state)?;
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

impl Drop for LiveWindow {
    fn drop(&mut self) {
        let _ = highgui::destroy_window(WINDOW);
    }
}
