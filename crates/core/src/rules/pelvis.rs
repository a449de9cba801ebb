//! Pelvis metrics: the hip line's hike and its rotation over the top of the rep.

use crate::rules::context::RepContext;
use crate::rules::is_frontal;
use crate::rules::measure::Measure;

/// One rep's pelvis readings, with the hike signal they were read on (for coverage).
pub(super) struct Pelvis<'a> {
    /// Hike change (working hip up).
    pub(super) hike: Option<Measure>,
    /// The hike signal used: the image one from behind or in front, else the world one.
    pub(super) hike_sig: &'a [Option<f64>],
    /// Rotation change (the hip line opening towards the working side).
    pub(super) rotation: Option<Measure>,
}

impl<'a> Pelvis<'a> {
    /// Reads the pelvis over the rep.
    pub(super) fn read(cx: &RepContext<'a>) -> Pelvis<'a> {
        let side = cx.side;
        let hike_sig: &[Option<f64>] = if cx.view_is(is_frontal) { &side.pelvis_hike_img } else { &side.pelvis_hike };
        Pelvis {
            // The hip line is short (≈ 20 cm), so its tilt is noisy: judge the top of the rep as a
            // whole. Its turn comes from depth, the noisiest coordinate: the same.
            hike: cx.top_change(hike_sig),
            hike_sig,
            rotation: cx.top_change(&side.pelvis_rotation),
        }
    }
}
