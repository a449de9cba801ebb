//! The person's facing: their left axis per frame from hip and shoulder lines, averaged over
//! time.

use crate::kinematics::{Skeleton, Vec3};
use crate::landmarks::Joint;

/// The person's left direction from hip and shoulder lines, projected on the horizontal plane.
pub(super) fn raw_left_axis(s: &Skeleton) -> Option<Vec3> {
    let hips = match (s.world(Joint::LeftHip), s.world(Joint::RightHip)) {
        (Some(l), Some(r)) => Some(l - r),
        _ => None,
    };
    let shoulders = match (s.world(Joint::LeftShoulder), s.world(Joint::RightShoulder)) {
        (Some(l), Some(r)) => Some(l - r),
        _ => None,
    };
    let v = match (hips, shoulders) {
        (Some(h), Some(sh)) => h + sh,
        (Some(h), None) => h,
        (None, Some(sh)) => sh,
        (None, None) => return None,
    };
    Vec3::new(v.x, 0.0, v.z).unit()
}

/// Shoulder width plus hip width over torso length (shoulder to hip midpoints), in the image of
/// a person facing the camera squarely: body proportions as pose models place these joints
/// (the rendered corpus's front views read 0.91 with BlazePose's image points, its back views
/// 0.81; between, so neither is pushed towards 45°).
const ACROSS_OVER_TORSO_FACING: f64 = 0.85;

/// The person's left direction from the image alone, for a pose model without 3D (MoveNet),
/// in the same camera frame as [`raw_left_axis`] (x right, y down, z away from the camera).
///
/// How far the body is turned from the camera shows in how narrow the shoulders and hips look
/// against the torso's length: their signed width (the person's left to the right of their
/// right when facing the camera, to the left with the back to it) over its value facing the
/// camera is the cosine of the turn. Which way they turn shows in the nose, ahead of the
/// shoulders in the facing direction; without a nose the facing is known only near front-on or
/// back-on, where which way does not matter.
pub(super) fn image_left_axis(s: &Skeleton) -> Option<Vec3> {
    let (ls, rs) = (s.image(Joint::LeftShoulder)?, s.image(Joint::RightShoulder)?);
    let (lh, rh) = (s.image(Joint::LeftHip)?, s.image(Joint::RightHip)?);
    let (sh, hip) = (ls.mid(rs), lh.mid(rh));
    let torso = (sh - hip).norm();
    if torso < 1.0 {
        return None;
    }
    let cos = (((ls.x - rs.x) + (lh.x - rh.x)) / torso / ACROSS_OVER_TORSO_FACING).clamp(-1.0, 1.0);
    // Turned well away from the camera's axis, only the nose tells which way: without it the
    // facing is unknown (a wrong guess would turn a forward lean into a backward one).
    let nose = s.image(Joint::Nose);
    if nose.is_none() && cos.abs() < 0.5 {
        return None;
    }
    let toward_right = nose.is_none_or(|n| n.x >= sh.x);
    let sin = (1.0 - cos * cos).sqrt() * if toward_right { 1.0 } else { -1.0 };
    // With the yaw θ (+ facing image-right) this is (cos θ, 0, sin θ): facing = left × up.
    Some(Vec3::new(cos, 0.0, sin))
}

/// Averages unit axes over a ±`half` s window (vector mean, so it is circular-safe).
///
/// The window never reaches across a stretch longer than `max_gap` s without an axis (longer
/// than smoothing bridges): nobody was seen there, and the camera may have been moved or the
/// person turned to the other side (switching sides between sets). An average across it would
/// rotate the axis through the first seconds of the next stretch, and every angle measured
/// against it (pelvis rotation, trunk lean) with it.
pub(super) fn average_axis(t: &[f64], axes: &[Option<Vec3>], half: f64, max_gap: f64) -> Vec<Option<Vec3>> {
    let n = axes.len();
    let mut out = vec![None; n];
    // Stretch index per frame: a new one starts at an axis seen after a gap; frames without an
    // axis belong to the stretch before them.
    let mut stretch = vec![0usize; n];
    let mut last_seen: Option<f64> = None;
    let mut cur = 0usize;
    for i in 0..n {
        if axes[i].is_some() {
            if last_seen.is_some_and(|ts| t[i] - ts > max_gap) {
                cur += 1;
            }
            last_seen = Some(t[i]);
        }
        stretch[i] = cur;
    }
    // Prefix sums for O(n) windows.
    let mut px = vec![0.0; n + 1];
    let mut pz = vec![0.0; n + 1];
    let mut pc = vec![0usize; n + 1];
    for i in 0..n {
        let (x, z, c) = axes[i].map_or((0.0, 0.0, 0), |a| (a.x, a.z, 1));
        px[i + 1] = px[i] + x;
        pz[i + 1] = pz[i] + z;
        pc[i + 1] = pc[i] + c;
    }
    let (mut lo, mut hi) = (0usize, 0usize);
    for i in 0..n {
        while lo < i && (t[lo] < t[i] - half || stretch[lo] < stretch[i]) {
            lo += 1;
        }
        if hi < i {
            hi = i;
        }
        while hi + 1 < n && t[hi + 1] <= t[i] + half && stretch[hi + 1] == stretch[i] {
            hi += 1;
        }
        if pc[hi + 1] - pc[lo] > 0 {
            out[i] = Vec3::new(px[hi + 1] - px[lo], 0.0, pz[hi + 1] - pz[lo]).unit();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_facing_axis_is_not_averaged_across_a_gap() {
        // Facing one way for 5 s, nobody seen for 2.5 s (switching sides, camera moved), then
        // turned 90° for 5 s: right after the gap the axis is already the new one.
        let t: Vec<f64> = (0..375).map(|i| i as f64 / 30.0).collect();
        let axes: Vec<Option<Vec3>> = t
            .iter()
            .map(|&ti| {
                if ti < 5.0 {
                    Some(Vec3::new(1.0, 0.0, 0.0))
                } else if ti < 7.5 {
                    None
                } else {
                    Some(Vec3::new(0.0, 0.0, 1.0))
                }
            })
            .collect();
        let out = average_axis(&t, &axes, 3.0, 0.35);
        let after = out[226].expect("axis");
        assert!((after.z - 1.0).abs() < 1e-9, "{after:?}");
        let before = out[149].expect("axis");
        assert!((before.x - 1.0).abs() < 1e-9, "{before:?}");
        // A short dropout is bridged: the average still spans it.
        let mut axes = vec![Some(Vec3::new(1.0, 0.0, 0.0)); 150];
        axes.extend(vec![None; 5]);
        axes.extend(vec![Some(Vec3::new(0.0, 0.0, 1.0)); 150]);
        let t: Vec<f64> = (0..axes.len()).map(|i| i as f64 / 30.0).collect();
        let out = average_axis(&t, &axes, 3.0, 0.35);
        let mid = out[156].expect("axis");
        assert!(mid.x > 0.3 && mid.z > 0.3, "{mid:?}");
    }
}
