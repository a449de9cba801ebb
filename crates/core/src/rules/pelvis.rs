//! Pelvis metrics: the hip line's hike and its rotation over the top of the rep.

use crate::rules::context::RepContext;
use crate::rules::measure::Measure;
use crate::rules::{is_frontal, is_oblique};

/// One rep's pelvis readings, with the hike signal they were read on (for coverage).
pub(super) struct Pelvis<'a> {
    /// Hike change (working hip up).
    pub(super) hike: Option<Measure>,
    /// The hike signal used: the image one from behind or in front, else the world one.
    pub(super) hike_sig: &'a [Option<f64>],
    /// Rotation change (the hip line opening towards the working side).
    pub(super) rotation: Option<Measure>,
    /// The rotation signal used: the image one at 45°, else the world one.
    pub(super) rotation_sig: &'a [Option<f64>],
}

impl<'a> Pelvis<'a> {
    /// Reads the pelvis over the rep.
    pub(super) fn read(cx: &RepContext<'a>) -> Pelvis<'a> {
        let side = cx.side;
        let hike_sig: &[Option<f64>] = if cx.view_is(is_frontal) { &side.pelvis_hike_img } else { &side.pelvis_hike };
        // At 45° the hip line's image width reads its turn (see `SideSignals::pelvis`).
        let rotation_sig: &[Option<f64>] =
            if cx.view_is(is_oblique) { &side.pelvis_rotation_img } else { &side.pelvis_rotation };
        Pelvis {
            // The hip line is short (≈ 20 cm), so its tilt is noisy: judge the top of the rep as a
            // whole. Its turn (depth, or at 45° a few pixels of width) is noisy too: the same.
            hike: cx.top_change(hike_sig),
            hike_sig,
            rotation: cx.top_change(rotation_sig),
            rotation_sig,
        }
    }
}
