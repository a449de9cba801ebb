//! Camera-view classification (back / front / side working / side support / oblique), per
//! frame from the facing direction and face visibility, then merged into segments.

use crate::kinematics::{BaseSignals, Side};
use crate::spec::{ExerciseSpec, View};
use serde::{Deserialize, Serialize};

/// A stretch of video seen from one view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewSegment {
    /// Start time (s).
    pub start_s: f64,
    /// End time (s).
    pub end_s: f64,
    /// The view.
    pub view: View,
}

/// Classifies one frame. `working` decides which side view it is; without it a side view is
/// reported as seen from the working side only if the nearer leg is unknown (never guessed:
/// the caller passes `None` only before any rep, where no check is measured).
/// `shoulder_width`: the shoulders' image width over the torso's image length, when the facing
/// comes from depth (it then vetoes a side view the image cannot show).
pub fn classify_frame(
    yaw_deg: f64,
    face_visibility: f64,
    left_nearer: Option<bool>,
    working: Option<Side>,
    shoulder_width: Option<f64>,
    spec: &ExerciseSpec,
) -> Option<View> {
    if !yaw_deg.is_finite() {
        return None;
    }
    let a = yaw_deg.abs().min(180.0);
    let v = &spec.view;
    let working_nearer = || {
        let nearer = left_nearer.map(|l| if l { Side::Left } else { Side::Right })?;
        Some(Some(nearer) == working)
    };
    let oblique_back = |working_nearer: bool| {
        if working_nearer {
            View::ObliqueBackWorking
        } else {
            View::ObliqueBackSupport
        }
    };
    let view = if a <= v.front_max_deg {
        View::Front
    } else if a >= v.back_min_deg {
        View::Back
    } else if (a - 90.0).abs() <= v.side_half_width_deg && shoulder_width.is_none_or(|w| w <= v.side_max_shoulder_width)
    {
        // (The facing from depth can read a 45° view as side-on: the model guesses the hips'
        // depth. The image cannot: side-on the shoulders nearly overlap in it.)
        if working_nearer()? {
            View::SideWorking
        } else {
            View::SideSupport
        }
    } else if a < 90.0 {
        View::ObliqueFront
    } else {
        // 45° behind, which leg is nearer matters as much as side-on: on the working leg's side
        // the kick runs almost along the line of sight.
        oblique_back(working_nearer()?)
    };
    // A pose that looks front-on but shows no face is seen from behind (the pose model then
    // also tends to mirror the depth order, which is why the face is the better witness; for
    // the same reason the nearer leg is taken the other way round).
    Some(match view {
        View::Front if face_visibility < v.face_visibility_back => View::Back,
        View::ObliqueFront if face_visibility < v.face_visibility_back => oblique_back(!working_nearer()?),
        other => other,
    })
}

/// Per-frame views given the working side in effect at each frame.
pub fn frame_views(base: &BaseSignals, working: &[Option<Side>], spec: &ExerciseSpec) -> Vec<Option<View>> {
    (0..base.t.len())
        .map(|i| {
            let yaw = base.yaw_deg.get(i).copied().flatten()?;
            classify_frame(
                yaw,
                base.face_visibility.get(i).copied().unwrap_or(0.0),
                base.left_nearer.get(i).copied().flatten(),
                working.get(i).copied().flatten(),
                base.shoulder_width.get(i).copied().flatten(),
                spec,
            )
        })
        .collect()
}

/// The most common view over frames `lo..hi` (None if no frame has a view).
pub fn dominant_view(views: &[Option<View>], lo: usize, hi: usize) -> Option<View> {
    let mut counts = [0usize; View::ALL.len()];
    for v in views.get(lo..hi.min(views.len())).unwrap_or(&[]).iter().flatten() {
        if let Some(k) = View::ALL.iter().position(|x| x == v) {
            counts[k] += 1;
        }
    }
    let (k, c) = counts.iter().enumerate().max_by_key(|(_, c)| **c)?;
    (*c > 0).then(|| View::ALL[k])
}

/// Merges per-frame views into segments no shorter than `min_segment_s` (short runs join
/// their longer neighbour).
pub fn segments(t: &[f64], views: &[Option<View>], min_segment_s: f64) -> Vec<ViewSegment> {
    let mut segs: Vec<ViewSegment> = Vec::new();
    for (i, v) in views.iter().enumerate() {
        let (Some(v), Some(&ti)) = (v, t.get(i)) else { continue };
        match segs.last_mut() {
            Some(last) if last.view == *v => last.end_s = ti,
            _ => segs.push(ViewSegment { start_s: ti, end_s: ti, view: *v }),
        }
    }
    // Absorb short runs into the previous segment (or the next one for a short first run).
    let mut merged: Vec<ViewSegment> = Vec::new();
    for s in segs {
        match merged.last_mut() {
            Some(last) if s.end_s - s.start_s < min_segment_s || last.view == s.view => last.end_s = s.end_s,
            Some(last) if last.end_s - last.start_s < min_segment_s => {
                last.end_s = s.end_s;
                last.view = s.view;
            }
            _ => merged.push(s),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaw_maps_to_views() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let c = |yaw, face, near| classify_frame(yaw, face, near, Some(Side::Left), None, &spec);
        assert_eq!(c(5.0, 0.9, None), Some(View::Front));
        assert_eq!(c(5.0, 0.1, None), Some(View::Back));
        assert_eq!(c(-175.0, 0.1, None), Some(View::Back));
        assert_eq!(c(90.0, 0.5, Some(true)), Some(View::SideWorking));
        assert_eq!(c(-92.0, 0.5, Some(false)), Some(View::SideSupport));
        assert_eq!(c(90.0, 0.5, None), None);
        assert_eq!(c(135.0, 0.1, Some(true)), Some(View::ObliqueBackWorking));
        assert_eq!(c(-130.0, 0.1, Some(false)), Some(View::ObliqueBackSupport));
        assert_eq!(c(135.0, 0.1, None), None);
        // Front-on at 45° but no face: behind, and the depth order the model gave is mirrored.
        assert_eq!(c(45.0, 0.9, Some(true)), Some(View::ObliqueFront));
        assert_eq!(c(45.0, 0.1, Some(true)), Some(View::ObliqueBackSupport));
        assert_eq!(c(f64::NAN, 0.1, None), None);
    }

    #[test]
    fn shoulders_seen_wide_veto_a_side_view() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let c = |yaw, width| classify_frame(yaw, 0.1, Some(true), Some(Side::Left), width, &spec);
        // The facing from depth reads side-on; the shoulders barely apart in the image agree.
        assert_eq!(c(105.0, Some(0.08)), Some(View::SideWorking));
        assert_eq!(c(105.0, None), Some(View::SideWorking));
        // Shoulders 0.35 of the torso's length apart: no side view shows that, it is 45°,
        // behind or in front as the facing leans.
        assert_eq!(c(105.0, Some(0.35)), Some(View::ObliqueBackWorking));
        assert_eq!(
            classify_frame(75.0, 0.9, Some(true), Some(Side::Left), Some(0.35), &spec),
            Some(View::ObliqueFront)
        );
        // Outside the side band the width changes nothing.
        assert_eq!(c(170.0, Some(0.05)), Some(View::Back));
    }

    #[test]
    fn short_runs_are_merged() {
        let t: Vec<f64> = (0..100).map(|i| i as f64 * 0.1).collect();
        let mut v = vec![Some(View::Back); 100];
        v[50] = Some(View::ObliqueBackSupport);
        v[51] = None;
        let s = segments(&t, &v, 1.0);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].view, View::Back);
        assert!(segments(&[], &[], 1.0).is_empty());
    }
}
