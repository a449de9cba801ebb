//! Standing-knee metrics: its flexion (locked or soft) and its range (steady or bouncing).

use crate::rules::context::RepContext;
use crate::signal::{median_of, percentile};
use crate::spec::View;

/// One rep's standing-knee readings.
pub(super) struct Knee<'a> {
    /// Whether the signed image angle was used (side-on and seen in enough frames).
    pub(super) image_ok: bool,
    /// The flexion signal used.
    pub(super) sig: &'a [Option<f64>],
    /// Median flexion over the rep (deg).
    pub(super) median: Option<f64>,
    /// Flexion range over the rep (deg), between the spec's percentiles.
    pub(super) range: Option<f64>,
    /// The frame furthest from the median.
    pub(super) peak_at: usize,
}

impl<'a> Knee<'a> {
    /// Reads the standing knee over the rep.
    pub(super) fn read(cx: &RepContext<'a>) -> Knee<'a> {
        let (side, rep) = (cx.side, cx.rep);
        let (lo, hi) = (rep.start, rep.end);
        // Knee flexion: the signed image angle where the view is side-on (3D angles from noisy
        // depth are biased away from 0, which would hide a locked knee), else the world angle.
        let m = &cx.spec.measures;
        let image_ok = cx.coverage(&side.support_knee_img) >= m.knee_image_min_coverage;
        let sig: &[Option<f64>] = if image_ok { &side.support_knee_img } else { &side.support_knee };
        let vals: Vec<f64> = sig.get(lo..=hi).unwrap_or(&[]).iter().flatten().copied().collect();
        let median = median_of(&mut vals.clone());
        // Knee steadiness: the image angle wobbles when the working leg crosses in front of or
        // behind the standing knee, the world angle when depth is noisy; a real bend shows in
        // both, so the smaller of the two ranges is used.
        let world: Vec<f64> = side.support_knee.get(lo..=hi).unwrap_or(&[]).iter().flatten().copied().collect();
        // Side-on with the standing leg nearer the camera, nothing passes in front of the
        // standing knee and its bend lies in the image plane: the image angle is the sharp
        // witness there, while the world angle's depth estimate compresses a bend (on the
        // rendered clips a 17° bounce reads 7° in 3D). Elsewhere the two must agree.
        let support_near = cx.view == Some(View::SideSupport);
        let range = match (range(&vals, m.knee_range_percentiles), range(&world, m.knee_range_percentiles)) {
            (Some(a), _) if support_near => Some(a),
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let peak_at = {
            let m = median.unwrap_or(0.0);
            (lo..=hi)
                .filter_map(|k| sig.get(k).copied().flatten().map(|v| (k, (v - m).abs())))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(rep.peak, |(k, _)| k)
        };
        Knee { image_ok, sig, median, range, peak_at }
    }
}

/// Robust range of the values: between the two percentiles (the spec's
/// `measures.knee_range_percentiles`).
fn range(v: &[f64], [low, high]: [f64; 2]) -> Option<f64> {
    match (percentile(v.iter().copied(), high), percentile(v.iter().copied(), low)) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    }
}
