//! Repair of the pose model's left/right lower-leg label swaps, with the image as the witness.

use crate::landmarks::{Joint, Pose, PoseFrame};

/// Leg joints whose left/right labels BlazePose sometimes exchanges.
const SWAPPABLE: [(Joint, Joint); 4] = [
    (Joint::LeftKnee, Joint::RightKnee),
    (Joint::LeftAnkle, Joint::RightAnkle),
    (Joint::LeftHeel, Joint::RightHeel),
    (Joint::LeftFootIndex, Joint::RightFootIndex),
];

/// Prior cost, in torso lengths of image motion, of believing the pose model mislabelled the legs
/// in one frame. The model's labels are right in all but a few percent of frames, so a stretch
/// is relabelled only when the image shows the legs jumping into each other's places on the way
/// in and back out, by more than this per frame in between.
const SWAP_PRIOR_PER_FRAME: f64 = 0.03;

/// Repairs stretches of frames where the pose model swapped the left and right lower legs.
///
/// The image is the witness: a swap is a jump of both legs at once to where the other leg was.
/// The most likely labelling of the whole sequence (a two-state Viterbi path: labels as given or
/// exchanged) minimises the legs' image motion between consecutive frames, in torso lengths,
/// plus `SWAP_PRIOR_PER_FRAME` for each exchanged frame. The world landmarks are no witness: on
/// the shared rendered clips they keep the legs on their own hips' sides in 25 of 26 frames whose
/// image labels are swapped, and put them on the wrong sides in 112 correctly labelled frames (a
/// crossing kick, a depth guess from behind) that an anatomy test used to "repair". A frame
/// without legs is skipped: the next one is compared with the last that had them. Returns the
/// poses (same order) and how many frames were relabelled.
pub fn repair_leg_swaps(frames: &[PoseFrame]) -> (Vec<Option<Pose>>, usize) {
    let swapped = swap_path(frames);
    let mut repaired = 0;
    let out = frames
        .iter()
        .zip(&swapped)
        .map(|(f, &swap)| {
            let mut pose = f.pose.clone()?;
            if swap {
                swap_legs(&mut pose);
                repaired += 1;
            }
            Some(pose)
        })
        .collect();
    (out, repaired)
}

/// The Viterbi path of [`repair_leg_swaps`]: per frame, whether its leg labels are exchanged.
fn swap_path(frames: &[PoseFrame]) -> Vec<bool> {
    // cost[s]: cheapest labelling so far ending in state s (0 = as given, 1 = exchanged);
    // from[i][s]: on that path, the state of the previous frame that had legs.
    let mut cost = [0.0, SWAP_PRIOR_PER_FRAME];
    let mut from: Vec<Option<[usize; 2]>> = Vec::with_capacity(frames.len());
    let mut prev: Option<[(f64, f64); 8]> = None;
    for f in frames {
        let Some((pose, pts)) = f.pose.as_ref().and_then(|p| Some((p, leg_points(p)?))) else {
            // no legs: the next frame is compared with the last one that had them
            from.push(None);
            continue;
        };
        let (stay, cross) = match prev {
            Some(p) => {
                let torso = torso_px(pose).unwrap_or(100.0).max(1.0);
                (cost_px(&pts, &p, false) / torso, cost_px(&pts, &p, true) / torso)
            }
            None => (0.0, 0.0),
        };
        let mut next = [0.0; 2];
        let mut back = [0; 2];
        for (s, slot) in next.iter_mut().enumerate() {
            let via = |p: usize| cost[p] + if p == s { stay } else { cross };
            back[s] = usize::from(via(1) < via(0));
            *slot = via(back[s]) + if s == 1 { SWAP_PRIOR_PER_FRAME } else { 0.0 };
        }
        cost = next;
        from.push(Some(back));
        prev = Some(pts);
    }
    let mut state = usize::from(cost[1] < cost[0]);
    let mut out = vec![false; frames.len()];
    for (i, back) in from.iter().enumerate().rev() {
        if let Some(back) = back {
            out[i] = state == 1;
            state = back[state];
        }
    }
    out
}

fn leg_points(pose: &Pose) -> Option<[(f64, f64); 8]> {
    let mut out = [(0.0, 0.0); 8];
    for (k, (l, r)) in SWAPPABLE.iter().enumerate() {
        for (slot, j) in [(2 * k, *l), (2 * k + 1, *r)] {
            let p = pose.image_point(j);
            if !(p.x.is_finite() && p.y.is_finite()) {
                return None;
            }
            out[slot] = (f64::from(p.x), f64::from(p.y));
        }
    }
    Some(out)
}

/// Summed image distance (px) of the eight leg joints from the previous frame's, with the
/// current frame's labels as given or exchanged.
fn cost_px(cur: &[(f64, f64); 8], prev: &[(f64, f64); 8], swapped: bool) -> f64 {
    let mut c = 0.0;
    for k in 0..4 {
        let (a, b) = if swapped { (2 * k + 1, 2 * k) } else { (2 * k, 2 * k + 1) };
        c += (cur[2 * k].0 - prev[a].0).hypot(cur[2 * k].1 - prev[a].1);
        c += (cur[2 * k + 1].0 - prev[b].0).hypot(cur[2 * k + 1].1 - prev[b].1);
    }
    c
}

fn torso_px(pose: &Pose) -> Option<f64> {
    let g = |j: Joint| {
        let p = pose.image_point(j);
        (f64::from(p.x), f64::from(p.y))
    };
    let (ls, rs, lh, rh) = (g(Joint::LeftShoulder), g(Joint::RightShoulder), g(Joint::LeftHip), g(Joint::RightHip));
    let d = ((ls.0 + rs.0 - lh.0 - rh.0) / 2.0).hypot((ls.1 + rs.1 - lh.1 - rh.1) / 2.0);
    d.is_finite().then_some(d)
}

/// Exchanges the lower legs' image labels. The world landmarks are left alone: where the model
/// swaps the legs in the image it keeps them on their own hips' sides in 3D (25 of 26 such frames
/// on the shared rendered clips).
fn swap_legs(pose: &mut Pose) {
    for (l, r) in SWAPPABLE {
        pose.image.swap(l.index(), r.index());
    }
}
