//! Working-leg metrics: the swing of the return, the leg's sideways path and its extension
//! relative to the trunk.

use crate::report::Metric;
use crate::rules::context::RepContext;
use crate::rules::is_frontal;
use crate::rules::measure::{sustained_peak, Measure};
use crate::rules::swing::{swing_ratio, swing_ratio_speed, SmoothingBlur};
use crate::signal::median_of;

/// One rep's working-leg readings.
pub(super) struct Leg {
    /// 1 − return time / lift time (see [`swing_ratio`]).
    pub(super) swing: Option<f64>,
    /// Whether the signal runs on long enough past the rep for the smoothing to have settled
    /// the return (see [`swing_settle_s`]); a swing read before that is not decided yet.
    pub(super) swing_settled: bool,
    /// How far the leg goes out rather than back (deg).
    pub(super) sideways: Option<f64>,
    /// The thigh's extension beyond the trunk line.
    pub(super) extension_rel_trunk: Option<Measure>,
}

impl Leg {
    /// Reads the working leg over the rep.
    pub(super) fn read(cx: &RepContext) -> Leg {
        let settled = swing_settled(cx);
        Leg {
            swing: swing(cx, settled),
            swing_settled: settled,
            sideways: sideways(cx),
            extension_rel_trunk: {
                let xs = &cx.side.hip_extension_rel_trunk;
                let dur = cx.min_duration(Metric::PeakHipExtensionRelTrunk);
                sustained_peak(cx.track(xs), 0.0, cx.rep.start, cx.rep.end, dur)
            },
        }
    }
}

/// Two witnesses of "the return is faster than the lift" with different failure modes: the
/// ratio of transition times (noisy when slow pose-model drift bends the leg signal's profile)
/// and of peak speeds (biased towards 0 when smoothing flattens a short return). The smaller one
/// is reported, so a swing is called only when both see it.
fn swing(cx: &RepContext, settled: bool) -> Option<f64> {
    let elev = cx.track(&cx.base.rep[cx.side.working]);
    let m = &cx.spec.measures;
    // The smoothing needs frames after the return to settle it: where the signal ends right
    // after the rep (live, a rep just finished) the return's end reads early and sharp, and
    // taking the blur out of it called swings that the whole clip did not show. There the
    // durations are read as they are, and the reading decides nothing yet (see `rep.rs`).
    let blur = if settled { cx.set.swing_blur } else { SmoothingBlur::default() };
    match (
        swing_ratio(elev, cx.rep, m.swing_transition, &blur),
        swing_ratio_speed(elev, cx.rep, m.swing_speed_half_window_s, &blur),
    ) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// How long (s) the signal must run on past a rep's end for the smoothing (running median, then
/// forward-backward exponential) to have settled its return: twice their combined reach.
pub(crate) fn swing_settle_s(spec: &crate::spec::ExerciseSpec) -> f64 {
    2.0 * (spec.smoothing.median_half_window_s + spec.smoothing.smooth_tau_s)
}

fn swing_settled(cx: &RepContext) -> bool {
    let last_t = cx.base.t.last().copied().unwrap_or(f64::NEG_INFINITY);
    last_t - cx.ts(cx.rep.end) >= swing_settle_s(cx.spec)
}

/// From behind or in front the pose model's depth all but loses the leg's backward travel, so
/// there the path is judged by how far out the thigh goes (in the image plane) against the
/// check's secondary threshold; elsewhere by outward minus backward travel. (Relative to the hip
/// line's normal: a hiked pelvis tilts the whole leg outward.)
fn sideways(cx: &RepContext) -> Option<f64> {
    let (side, rep) = (cx.side, cx.rep);
    if cx.view_is(is_frontal) {
        let mut win: Vec<f64> = (rep.pause_start..=rep.pause_end)
            .filter_map(|k| {
                let a = side.hip_abduction_img.get(k).copied().flatten()?;
                Some(a - side.pelvis_hike_img.get(k).copied().flatten().unwrap_or(0.0))
            })
            .collect();
        return median_of(&mut win);
    }
    Some(cx.at_peak(&side.hip_abduction)? - cx.at_peak(&side.hip_extension)?)
}
