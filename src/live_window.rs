//! The live overlay window (where a display exists): the camera picture with the skeleton, the
//! rep counter and the current cue.

use crate::annotate::{draw_overlay, draw_skeleton, OverlayState};
use crate::live::ProcessedFrame;
use opencv::core::Mat;
use opencv::highgui;
use opencv::prelude::*;

const WINDOW: &str = "formcheck live (q to quit)";

/// A highgui window showing processed frames.
pub struct LiveWindow {
    canvas: Mat,
}

impl LiveWindow {
    /// Opens the window.
    pub fn new() -> opencv::Result<LiveWindow> {
        highgui::named_window(WINDOW, highgui::WINDOW_NORMAL)?;
        Ok(LiveWindow { canvas: Mat::default() })
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
                cue: frame.cue.map(|c| (c.text.clone(), c.kind == "praise")),
                ..OverlayState::default()
            };
            draw_overlay(&mut self.canvas, &state)?;
            highgui::imshow(WINDOW, &self.canvas)?;
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
