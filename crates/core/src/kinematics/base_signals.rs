//! Side-independent signals: both thighs' swing (the rep signal), the hips' and ankles' image
//! positions, the image scale, the facing and the face's visibility.

use crate::kinematics::facing::{average_axis, image_left_axis, raw_left_axis};
use crate::kinematics::geometry::UP;
use crate::kinematics::swaps::repair_leg_swaps;
use crate::kinematics::{angle_between_deg, PerSide, Side, Skeleton, Vec3};
use crate::landmarks::{Joint, PoseFrame};
use crate::signal::{median_of, percentile, running_median, slide_window, smooth, spread};
use crate::spec::ExerciseSpec;
use serde::{Deserialize, Serialize};

/// The signal reps are segmented on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepSignal {
    /// World thigh angle from straight down (deg).
    #[default]
    WorldElevation,
    /// The world thigh angle plus the image swing of the ankle: its displacement relative to
    /// the hip from its rest position, expressed as the angle it would subtend at a leg length
    /// of 1.6 torso lengths (pseudo-degrees).
    Fused,
}

/// Per-frame measurements that do not depend on which leg works.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BaseSignals {
    /// Frame times (s).
    pub t: Vec<f64>,
    /// Frame indices.
    pub frame: Vec<u64>,
    /// Thigh angle from straight down (deg) per leg, smoothed.
    pub elevation: PerSide<Vec<Option<f64>>>,
    /// Leg-swing signal used for rep segmentation, per leg (see [`RepSignal`]).
    pub rep: PerSide<Vec<Option<f64>>>,
    /// Which signal `rep` holds.
    pub rep_signal: RepSignal,
    /// Hip midpoint in the image (px).
    pub hip_px: Vec<Option<(f64, f64)>>,
    /// Each ankle in the image (px, weakly visible allowed), smoothed.
    pub ankle_px: PerSide<Vec<Option<(f64, f64)>>>,
    /// Mean image height (px, down) of both hips and shoulders: the trunk's vertical position,
    /// which follows camera tilt but not a foot sliding on the floor.
    pub trunk_y_px: Vec<Option<f64>>,
    /// Shoulder-to-hip midline length in the image (px).
    pub torso_px: Vec<Option<f64>>,
    /// The shoulders' image width over `torso_px` (3 s running median): near 0 side-on, about
    /// 0.4 at 45°, 0.5–0.6 facing the camera or turned away from it. `None` without depth
    /// (`image_only`), where the facing already comes from these widths.
    pub shoulder_width: Vec<Option<f64>>,
    /// Metres per pixel near the body (world torso length / image torso length).
    pub m_per_px: Vec<Option<f64>>,
    /// The person's left axis (unit, horizontal), averaged over time.
    pub left_axis: Vec<Option<Vec3>>,
    /// Facing yaw (deg): 0 = facing the camera, ±180 = back to the camera; sign: + when facing image-right.
    pub yaw_deg: Vec<Option<f64>>,
    /// Mean visibility of nose, eyes and ears.
    pub face_visibility: Vec<f64>,
    /// Whether the left hip is nearer the camera than the right (world z).
    pub left_nearer: Vec<Option<bool>>,
    /// The repaired skeletons.
    pub skeletons: Vec<Option<Skeleton>>,
    /// Frames whose leg labels were swapped back.
    pub swaps_repaired: usize,
    /// The pose model gave no 3D world landmarks (MoveNet): facing, nearer side and reps come
    /// from the image alone, and what needs depth cannot be measured.
    pub image_only: bool,
}

impl BaseSignals {
    /// The landmarks the rules read on this sequence (which calibration applies).
    pub fn landmark_set(&self) -> crate::spec::LandmarkSet {
        if self.image_only {
            crate::spec::LandmarkSet::Keypoints
        } else {
            crate::spec::LandmarkSet::Blazepose
        }
    }
}

/// Computes the side-independent signals of a whole sequence.
pub fn base_signals(frames: &[PoseFrame], spec: &ExerciseSpec) -> BaseSignals {
    let (poses, swaps) = repair_leg_swaps(frames);
    // Image only: someone was seen, never with 3D landmarks.
    let mut poses_seen = frames.iter().filter_map(|f| f.pose.as_ref()).peekable();
    let image_only = poses_seen.peek().is_some()
        && !poses_seen.any(|p| p.world.iter().all(|w| w.x.is_finite() && w.y.is_finite() && w.z.is_finite()));
    let min_vis = spec.visibility.min_visibility;
    let skeletons: Vec<Option<Skeleton>> = poses
        .iter()
        .map(|p| {
            p.as_ref().map(|p| Skeleton::from_pose_with_weak(p, min_vis, spec.visibility.min_visibility_rep_signal))
        })
        .collect();
    let t: Vec<f64> = frames.iter().map(|f| if f.t_s.is_finite() { f.t_s } else { 0.0 }).collect();
    let mut b = BaseSignals {
        t: t.clone(),
        frame: frames.iter().map(|f| f.index).collect(),
        swaps_repaired: swaps,
        image_only,
        ..Default::default()
    };
    // Per leg, the thigh's angle from straight down.
    let mut from_down: PerSide<Vec<Option<f64>>> = PerSide::default();
    let mut raw_left: Vec<Option<Vec3>> = Vec::with_capacity(frames.len());
    for s in &skeletons {
        for side in Side::BOTH {
            from_down[side].push(s.as_ref().and_then(|s| thigh_elevation(s, side)));
        }
        push_body(&mut b, s.as_ref());
        let axis = if image_only { image_left_axis } else { raw_left_axis };
        raw_left.push(s.as_ref().and_then(axis));
    }
    b.ankle_px = PerSide::from_fn(|side| {
        let [_, _, ankle, _] = side.leg();
        smooth_px(&t, &skeletons.iter().map(|s| s.as_ref().and_then(|s| s.image_weak(ankle))).collect::<Vec<_>>(), spec)
    });
    // Pixel positions and scale carry outliers and jitter too.
    b.hip_px = smooth_px(&t, &b.hip_px.iter().map(|p| p.map(|(x, y)| Vec3::new(x, y, 0.0))).collect::<Vec<_>>(), spec);
    b.m_per_px = smooth(&t, &b.m_per_px, &spec.smoothing);
    b.left_axis = average_axis(&t, &raw_left, spec.smoothing.facing_half_window_s, spec.smoothing.max_gap_s);
    // The shoulders open and close a little with each kick; the view is the body's turn over
    // seconds, like the facing above. Without depth the facing already comes from these widths.
    b.shoulder_width = if image_only {
        vec![None; b.shoulder_width.len()]
    } else {
        running_median(&t, &b.shoulder_width, spec.smoothing.facing_half_window_s)
    };
    b.yaw_deg = b
        .left_axis
        .iter()
        .map(|l| {
            l.map(|l| {
                let f = l.cross(UP);
                f.x.atan2(-f.z).to_degrees()
            })
        })
        .collect();
    // Where the person's frame is known, the thigh's swing is measured from its own rest
    // direction (see `rest_relative_elevation`); elsewhere from straight down.
    let ankles = PerSide::from_fn(|leg| skeletons.iter().map(|s| ankle_offset(s.as_ref()?, leg)).collect::<Vec<_>>());
    // How high each ankle is above the hip midpoint in the image (image y points down).
    let lift = PerSide::from_fn(|leg| ankles[leg].iter().map(|a| a.map(|(_, y)| -y)).collect::<Vec<_>>());
    let facing = Facing { left_axis: &b.left_axis, yaw_deg: &b.yaw_deg };
    b.elevation = PerSide::from_fn(|side| {
        let e = rest_relative_elevation(&t, &skeletons, facing, &lift, side, &from_down[side]);
        smooth(&t, &e, &spec.smoothing)
    });
    let swing = PerSide::from_fn(|side| {
        smooth(&t, &image_swing(&t, &ankles, &b.elevation[side], side, image_only), &spec.smoothing)
    });
    (b.rep, b.rep_signal) = fuse_swings(&b.elevation, &swing);
    // A cut (a joined or edited clip) is no movement: no excursion may run across one.
    let as_seen = |k: usize| frames.get(k)?.pose.as_ref().map(|p| Skeleton::from_pose(p, min_vis));
    for (i, cut) in cuts(&skeletons, as_seen).into_iter().enumerate() {
        if cut {
            for side in Side::BOTH {
                b.rep[side][i] = None;
            }
        }
    }
    if image_only {
        // Side-on, the side turned to the camera is the one the person faces away from: facing
        // image-right (yaw > 0) shows their right side, so the left hip is the farther one.
        b.left_nearer = b.yaw_deg.iter().map(|y| y.map(|y| y < 0.0)).collect();
    }
    b.skeletons = skeletons;
    b
}

/// Frames where the whole body jumps in the image: the median seen landmark moves more than
/// [`CUT_JUMP_TORSO`] torso lengths from the frame before. During the exercise only a leg moves
/// (the median landmark moves ~0.002 a frame on the rendered corpus, 0.04 at the 99th percentile);
/// a cut between two shots moved it 0.14 on the corpus's joined side switches (the pose model's
/// filter spreads the rest over the next frames). Walking past moves it ~0.1 at 30 frames/s: a
/// gap there costs nothing, walking is no rep.
///
/// The lower body (hips, legs, feet) must jump too: the model flickering on the head and
/// shoulders alone, over legs that stay put (seen on a tall figure filmed from low down), is no
/// cut, and taking it for one hid every rep. The lower body is judged as the model gave it
/// (`as_seen(k)`: frame k's skeleton before any left/right repair), because the repair lines
/// the legs up with the frame before and so hides the legs' own jump: a whole-body flip between
/// facing the camera and facing away, which the repair half undoes, was a cut before this test
/// was added and must stay one (a front-view clip of the corpus counts an extra rep without
/// it). Without enough seen joints in the lower body no cut is called. `as_seen` is only asked
/// where the repaired body jumped.
fn cuts(repaired: &[Option<Skeleton>], as_seen: impl Fn(usize) -> Option<Skeleton>) -> Vec<bool> {
    let mut out = vec![false; repaired.len()];
    let lower = &Joint::ALL[Joint::LeftHip as usize..];
    for i in 1..repaired.len() {
        // The jump must also hold a few frames later: a tracking glitch that snaps back (the
        // model re-finding the person) is no cut.
        let jumped =
            |a: Option<&Skeleton>, b: Option<&Skeleton>, c: Option<&Skeleton>, joints: &[Joint], min: usize| {
                let (Some(a), Some(b), Some(c)) = (a, b, c) else { return false };
                body_jump(a, b, joints, min).is_some_and(|m| m > CUT_JUMP_TORSO)
                    && body_jump(a, c, joints, min).is_some_and(|m| m > CUT_JUMP_TORSO)
            };
        let later = repaired.get(i + CUT_HOLD_FRAMES).and_then(Option::as_ref);
        if !jumped(repaired[i - 1].as_ref(), repaired[i].as_ref(), later, &Joint::ALL, MIN_JOINTS_FOR_CUT) {
            continue;
        }
        let (a, b, c) = (as_seen(i - 1), as_seen(i), as_seen(i + CUT_HOLD_FRAMES));
        out[i] = jumped(a.as_ref(), b.as_ref(), c.as_ref(), lower, MIN_LOWER_JOINTS_FOR_CUT);
    }
    out
}

/// The median image displacement of `joints` seen in both skeletons, in `a`'s torso lengths, if
/// at least `min_seen` of them are.
fn body_jump(a: &Skeleton, b: &Skeleton, joints: &[Joint], min_seen: usize) -> Option<f64> {
    let h = a.image_mid(Joint::LeftHip, Joint::RightHip)?;
    let s = a.image_mid(Joint::LeftShoulder, Joint::RightShoulder)?;
    let torso = (s - h).norm();
    if torso < 1.0 {
        return None;
    }
    let mut moved: Vec<f64> = joints.iter().filter_map(|&j| Some((b.image(j)? - a.image(j)?).norm() / torso)).collect();
    if moved.len() < min_seen {
        return None;
    }
    median_of(&mut moved)
}

/// Frames after a jump at which the body must still be away for the jump to be a cut.
const CUT_HOLD_FRAMES: usize = 4;

/// Image jump (median joint, torso lengths between two frames) of the whole body, and of the
/// lower body, that is a cut, not movement.
const CUT_JUMP_TORSO: f64 = 0.1;
/// Joints of the whole body seen in both frames for its jump to be judged.
const MIN_JOINTS_FOR_CUT: usize = 8;
/// Joints of the lower body (of its ten) seen in both frames for its jump to be judged.
const MIN_LOWER_JOINTS_FOR_CUT: usize = 4;

/// Appends one frame's body measurements (hip midpoint, trunk height, torso length, image scale,
/// face visibility, nearer hip) to `b`; all unknown without a skeleton.
fn push_body(b: &mut BaseSignals, s: Option<&Skeleton>) {
    let Some(s) = s else {
        b.hip_px.push(None);
        b.trunk_y_px.push(None);
        b.torso_px.push(None);
        b.shoulder_width.push(None);
        b.m_per_px.push(None);
        b.face_visibility.push(0.0);
        b.left_nearer.push(None);
        return;
    };
    let hip_img = s.image_mid(Joint::LeftHip, Joint::RightHip);
    let sh_img = s.image_mid(Joint::LeftShoulder, Joint::RightShoulder);
    b.hip_px.push(hip_img.map(|p| (p.x, p.y)));
    b.trunk_y_px.push(hip_img.zip(sh_img).map(|(h, sh)| (h.y + sh.y) / 2.0));
    let tpx = match (hip_img, sh_img) {
        (Some(h), Some(sh)) => Some((sh - h).norm()).filter(|d| *d > 1.0),
        _ => None,
    };
    b.torso_px.push(tpx);
    let shoulders = s.image(Joint::LeftShoulder).zip(s.image(Joint::RightShoulder));
    b.shoulder_width.push(shoulders.zip(tpx).map(|((l, r), t)| (l - r).norm() / t));
    let tw =
        match (s.world_mid(Joint::LeftHip, Joint::RightHip), s.world_mid(Joint::LeftShoulder, Joint::RightShoulder)) {
            (Some(h), Some(sh)) => Some((sh - h).norm()).filter(|d| *d > 0.05),
            _ => None,
        };
    b.m_per_px.push(match (tw, tpx) {
        (Some(w), Some(p)) => Some(w / p),
        _ => None,
    });
    let face = [Joint::Nose, Joint::LeftEye, Joint::RightEye, Joint::LeftEar, Joint::RightEar];
    b.face_visibility.push(face.iter().map(|j| s.visibility(*j)).sum::<f64>() / face.len() as f64);
    b.left_nearer.push(match (s.world(Joint::LeftHip), s.world(Joint::RightHip)) {
        (Some(l), Some(r)) => Some(l.z < r.z),
        _ => None,
    });
}

/// Smooths image points (px) coordinate by coordinate; a point is known where both are.
fn smooth_px(t: &[f64], points: &[Option<Vec3>], spec: &ExerciseSpec) -> Vec<Option<(f64, f64)>> {
    let xs: Vec<Option<f64>> = points.iter().map(|p| p.map(|p| p.x)).collect();
    let ys: Vec<Option<f64>> = points.iter().map(|p| p.map(|p| p.y)).collect();
    let (xs, ys) = (smooth(t, &xs, &spec.smoothing), smooth(t, &ys, &spec.smoothing));
    xs.iter().zip(&ys).map(|(x, y)| Some(((*x)?, (*y)?))).collect()
}

/// The rep signal per leg from its two witnesses of the swing, the world thigh angle and the
/// image swing, and which signal that is.
///
/// Both witnesses are summed: depth-compressed views flatten the world angle but not the image
/// swing, side views the other way round; the sum keeps whichever moved. A leg missing one
/// witness keeps the other, scaled to the sum's typical size.
fn fuse_swings(
    world: &PerSide<Vec<Option<f64>>>,
    image: &PerSide<Vec<Option<f64>>>,
) -> (PerSide<Vec<Option<f64>>>, RepSignal) {
    // The typical excursion (90th − 10th percentile) of a signal.
    let exc = |x: &[Option<f64>]| spread(x.iter().flatten().copied()).unwrap_or(0.0);
    let world_exc = exc(&world.left).max(exc(&world.right));
    let img_exc = exc(&image.left).max(exc(&image.right));
    let (wk, ik) = if world_exc > 0.0 && img_exc > 0.0 {
        ((world_exc + img_exc) / world_exc, (world_exc + img_exc) / img_exc)
    } else {
        (1.0, 1.0)
    };
    let fuse = |w: &[Option<f64>], im: &[Option<f64>]| -> Vec<Option<f64>> {
        w.iter()
            .zip(im)
            .map(|(w, i)| match (w, i) {
                (Some(w), Some(i)) => Some(w + i),
                (Some(w), None) => Some(w * wk),
                (None, Some(i)) => Some(i * ik),
                (None, None) => None,
            })
            .collect()
    };
    let signal = if img_exc > 0.0 { RepSignal::Fused } else { RepSignal::WorldElevation };
    (PerSide::from_fn(|side| fuse(&world[side], &image[side])), signal)
}

/// Image ankle displacement from its rest position relative to the hip midpoint, in
/// pseudo-degrees (see [`RepSignal::Fused`]). The rest position is local in time (the camera or
/// the person may move between sets): the median offset over the frames within ±4 s whose
/// world thigh angle is in that window's lowest quarter. A pose model without 3D (MoveNet)
/// gives no thigh angle; then the rest frames are those where the ankles are closest together
/// (the window's lowest quarter of their image gap): a kick takes the working ankle away from
/// the standing one from every camera position, and the gap does not care which ankle the
/// model calls left. (The ankle's reach down the body axis was tried first: side-on the kick
/// straightens the knee and the trunk tips, and the reach grew as often as it shrank.)
fn image_swing(
    t: &[f64],
    ankles: &PerSide<Vec<Option<(f64, f64)>>>,
    elevation: &[Option<f64>],
    side: Side,
    image_only: bool,
) -> Vec<Option<f64>> {
    const HALF_WINDOW_S: f64 = 4.0;
    // The ankle's offset from the hip midpoint and its gap to the other ankle, in torso lengths.
    let offs = &ankles[side];
    let gap: Vec<Option<f64>> = offs
        .iter()
        .zip(&ankles[side.other()])
        .map(|(a, b)| {
            let ((ax, ay), (bx, by)) = ((*a)?, (*b)?);
            Some((ax - bx).hypot(ay - by))
        })
        .collect();
    let n = offs.len().min(t.len());
    let mut out = vec![None; n];
    let mut reference: Option<(f64, f64)> = None;
    let (mut lo, mut hi) = (0usize, 0usize);
    for i in 0..n {
        // Re-estimate the rest position every few frames (it changes slowly).
        if i % 5 == 0 || reference.is_none() {
            slide_window(t, i, HALF_WINDOW_S, n, &mut lo, &mut hi);
            let low = percentile(elevation[lo..=hi].iter().flatten().copied(), REST_QUARTER_PERCENTILE);
            let close = percentile(gap[lo..=hi].iter().flatten().copied(), REST_QUARTER_PERCENTILE);
            let at_rest = |k: usize| match low {
                Some(l) => elevation[k].is_some_and(|e| e <= l),
                None if image_only => close.is_none() || gap[k].zip(close).is_some_and(|(g, c)| g <= c),
                None => true,
            };
            let (mut xs, mut ys): (Vec<f64>, Vec<f64>) =
                (lo..=hi).filter(|&k| at_rest(k)).filter_map(|k| offs[k]).unzip();
            if let (Some(rx), Some(ry)) = (median_of(&mut xs), median_of(&mut ys)) {
                reference = Some((rx, ry));
            }
        }
        if let (Some((x, y)), Some((rx, ry))) = (offs[i], reference) {
            out[i] = Some(((x - rx).hypot(y - ry) / LEG_TORSO_RATIO).to_degrees());
        }
    }
    out
}

/// Hip-to-ankle length in torso lengths (hip midpoint to shoulder midpoint) of an adult: turns the
/// ankle's image displacement into the angle it subtends at the hip. Body proportions, not the
/// movement's: only the scale of the fused rep signal depends on it.
const LEG_TORSO_RATIO: f64 = 1.6;
/// The ankle's rest position is taken over the frames whose thigh angle is in the window's lowest
/// quarter (the leg at rest, whatever share of the window the reps fill).
const REST_QUARTER_PERCENTILE: f64 = 25.0;

/// Half-width (s) of the window in which a thigh's rest direction is estimated: a few reps long,
/// so each window holds rest phases, and short enough to follow a person who turns.
const REST_WINDOW_HALF_S: f64 = 4.0;
/// Percentile of the thigh's backward and outward angles taken as its rest direction (the leg
/// rests at its most forward and innermost; a low percentile rather than the minimum keeps one
/// noisy frame from setting it).
const REST_PERCENTILE: f64 = 15.0;

/// The thigh's angles from straight down in the person's own frame (deg): backward (+ behind
/// the hip) and outward (+ away from the body's midline).
fn thigh_angles(s: &Skeleton, side: Side, left: Vec3) -> Option<(f64, f64)> {
    let [hip, knee, _, _] = side.leg();
    let d = s.world_weak(knee)? - s.world_weak(hip)?;
    let down = UP * -1.0;
    let backward = UP.cross(left);
    let outward = left * side.sign();
    let dn = d.dot(down);
    Some((d.dot(backward).atan2(dn).to_degrees(), d.dot(outward).atan2(dn).to_degrees()))
}

/// The thigh's swing away from its rest direction (deg), per frame.
///
/// An angle from straight down cannot tell a thigh 5° in front of vertical from one 5° behind
/// it, and where the model's depth is weak (filmed from in front or behind) a resting thigh often
/// reads a few degrees forward: a kick back then reads 5 → 0 → 5 → 0 → 5, two bumps a rep, and
/// reps are counted twice. Measured in the person's frame, signed, against the rest direction of
/// the surrounding seconds, the same rep is one bump from 0. Where the depth has the whole kick
/// going forwards, the backward angle is read the other way round (see [`kick_direction`]).
/// Frames without the person's frame keep `fallback` (the angle from straight down).
fn rest_relative_elevation(
    t: &[f64],
    skeletons: &[Option<Skeleton>],
    facing: Facing<'_>,
    lift: &PerSide<Vec<Option<f64>>>,
    side: Side,
    fallback: &[Option<f64>],
) -> Vec<Option<f64>> {
    let angles: Vec<Option<(f64, f64)>> =
        skeletons.iter().zip(facing.left_axis).map(|(s, l)| thigh_angles(s.as_ref()?, side, (*l)?)).collect();
    let n = angles.len().min(t.len());
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut rest: Option<(f64, f64)> = None;
    let mut way = 1.0;
    (0..n)
        .map(|i| {
            if i % 5 == 0 || rest.is_none() {
                slide_window(t, i, REST_WINDOW_HALF_S, n, &mut lo, &mut hi);
                // Only facing the camera: see `kick_direction`.
                let facing_camera = facing.yaw_deg[i].is_some_and(|y| y.abs() <= KICK_DIRECTION_MAX_YAW_DEG);
                way = if facing_camera {
                    kick_direction(&angles[lo..=hi], &lift[side][lo..=hi], &lift[side.other()][lo..=hi])
                } else {
                    1.0
                };
                let win = || angles[lo..=hi].iter().flatten();
                rest = percentile(win().map(|a| way * a.0), REST_PERCENTILE)
                    .zip(percentile(win().map(|a| a.1), REST_PERCENTILE));
            }
            match (angles[i], rest) {
                (Some((b, o)), Some((b0, o0))) => Some((way * b - b0).max(0.0).hypot((o - o0).max(0.0))),
                _ => fallback.get(i).copied().flatten(),
            }
        })
        .collect()
}

/// The person's facing per frame, as `base_signals` averaged it: their left axis and its yaw.
#[derive(Clone, Copy)]
struct Facing<'a> {
    left_axis: &'a [Option<Vec3>],
    yaw_deg: &'a [Option<f64>],
}

/// The ankle's image offset from the hip midpoint (x right, y down), in torso lengths.
fn ankle_offset(s: &Skeleton, side: Side) -> Option<(f64, f64)> {
    let [_, _, ankle, _] = side.leg();
    let hip = s.image_mid(Joint::LeftHip, Joint::RightHip)?;
    let sh = s.image_mid(Joint::LeftShoulder, Joint::RightShoulder)?;
    let torso = (sh - hip).norm();
    let a = s.image_weak(ankle)?;
    (torso >= 1.0).then(|| ((a.x - hip.x) / torso, (a.y - hip.y) / torso))
}

/// Which way the model's depth has the thigh go when the leg kicks (+1 backward as it should,
/// −1 forward), over one window of a person facing the camera.
///
/// Filmed from in front the kick runs along the camera's axis, and BlazePose's depth often has
/// it backwards: on the rendered corpus the thigh's backward angle falls as the ankle rises in
/// 14 of 39 clips filmed from in front (side-on in none). Measured from its most forward
/// direction, the thigh then swings most at rest, and reps come out half a rep out of phase or
/// doubled. The image has no such doubt: a kick back lifts the ankle. So where this leg's ankle
/// moves more than the other's (it is the one kicking) and its backward angle falls as that
/// ankle rises (correlation under −[`KICK_DIRECTION_MIN_CORRELATION`], the angle moving at
/// least [`KICK_DIRECTION_MIN_SWING_DEG`]), the angle is read the other way round. From behind
/// and 45° behind the kick the depth is as often backwards, but run in every view the same test
/// counted ten more clips wrong there (most at 45° behind the kick) and none right, so it is
/// used only facing the camera.
fn kick_direction(angles: &[Option<(f64, f64)>], lift: &[Option<f64>], other_lift: &[Option<f64>]) -> f64 {
    let known = |v: &[Option<f64>]| spread(v.iter().flatten().copied());
    if !matches!((known(lift), known(other_lift)), (Some(a), Some(b)) if a > b) {
        return 1.0;
    }
    let pairs: Vec<(f64, f64)> = angles.iter().zip(lift).filter_map(|(a, l)| Some((a.as_ref()?.0, (*l)?))).collect();
    // A thigh whose backward angle hardly moves carries no kick either way: turned round, its
    // jitter only adds to the image swing's.
    if !spread(pairs.iter().map(|p| p.0)).is_some_and(|s| s >= KICK_DIRECTION_MIN_SWING_DEG) {
        return 1.0;
    }
    match correlation(&pairs) {
        Some(r) if r < -KICK_DIRECTION_MIN_CORRELATION => -1.0,
        _ => 1.0,
    }
}

/// Pearson correlation of the pairs, if both sides vary.
fn correlation(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    if pairs.len() < 3 {
        return None;
    }
    let (mx, my) = pairs.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// How strongly (−) the thigh's backward angle must fall as its ankle rises, over a rest window,
/// for the model's depth to be read the other way round (see [`kick_direction`]).
const KICK_DIRECTION_MIN_CORRELATION: f64 = 0.3;
/// How far (deg, 90th − 10th percentile over the window) the thigh's backward angle must move
/// for its direction to be judged (see [`kick_direction`]): the kicks the depth reads forwards in
/// c01005 and c01454 move it 13–28°; c01075's second set reads its kicks 6° forwards, and
/// turning that round split a rep in two.
const KICK_DIRECTION_MIN_SWING_DEG: f64 = 8.0;
/// Facing yaw (deg from facing the camera) up to which a window's kick direction is checked
/// (see [`kick_direction`]): on the rendered corpus a clip filmed from in front reads 21° at
/// most (median over the clip), one filmed 45° in front 35° at least.
const KICK_DIRECTION_MAX_YAW_DEG: f64 = 30.0;

fn thigh_elevation(s: &Skeleton, side: Side) -> Option<f64> {
    // From the vertical, not from the trunk: a forward lean "uses up" hip extension, so a
    // trunk-relative angle would hide the very reps in which the person leans.
    let [hip, knee, _, _] = side.leg();
    angle_between_deg(s.world_weak(knee)? - s.world_weak(hip)?, UP * -1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::{ImagePoint, Pose, WorldPoint, NUM_LANDMARKS};

    /// A standing figure, every joint seen: joint k at (300 + 3k, 100 + 20k) px, so the torso
    /// (shoulders 11–12 to hips 23–24) is about 240 px long.
    fn standing() -> Pose {
        let mut image = [ImagePoint::default(); NUM_LANDMARKS];
        for (k, p) in image.iter_mut().enumerate() {
            *p = ImagePoint {
                x: 300.0 + 3.0 * k as f32,
                y: 100.0 + 20.0 * k as f32,
                z: 0.0,
                visibility: 1.0,
                presence: 1.0,
            };
        }
        Pose { image, world: [WorldPoint::default(); NUM_LANDMARKS] }
    }

    /// `n` frames of `before`, then `n` of `after`, as skeletons.
    fn clip(before: &Pose, after: &Pose, n: usize) -> Vec<Option<Skeleton>> {
        (0..2 * n).map(|i| Some(Skeleton::from_pose_with_weak(if i < n { before } else { after }, 0.5, 0.5))).collect()
    }

    /// `pose` with the joints in `range` moved by `dy` px.
    fn moved(pose: &Pose, range: std::ops::Range<usize>, dy: f32) -> Pose {
        let mut p = pose.clone();
        for k in range {
            p.image[k].y += dy;
        }
        p
    }

    #[test]
    fn a_kick_read_forwards_is_turned_round_only_on_the_kicking_leg() {
        // Three reps: the ankle lifts 0.6 torso lengths at each top.
        let lift: Vec<Option<f64>> =
            (0..300).map(|i| Some(0.6 * (i as f64 * std::f64::consts::TAU / 100.0).sin().max(0.0))).collect();
        let still: Vec<Option<f64>> = (0..300).map(|i| Some(0.01 * ((i % 7) as f64 - 3.0))).collect();
        let angles = |sign: f64| -> Vec<Option<(f64, f64)>> {
            lift.iter().map(|l| l.map(|l| (sign * 25.0 * l + 2.0, 1.0))).collect()
        };
        // The depth has the thigh go back as the ankle lifts: as read.
        assert_eq!(kick_direction(&angles(1.0), &lift, &still), 1.0);
        // The depth has it go forwards: turned round.
        assert_eq!(kick_direction(&angles(-1.0), &lift, &still), -1.0);
        // The other ankle is the one that moves: this leg stands, its angle is left alone.
        assert_eq!(kick_direction(&angles(-1.0), &still, &lift), 1.0);
        // Forwards, but by a few degrees only: jitter, left alone.
        let small: Vec<Option<(f64, f64)>> = lift.iter().map(|l| l.map(|l| (-8.0 * l, 1.0))).collect();
        assert_eq!(kick_direction(&small, &lift, &still), 1.0);
    }

    #[test]
    fn a_whole_body_jump_is_a_cut_and_upper_body_flicker_is_not() {
        let still = standing();
        let hip = Joint::LeftHip as usize;
        // Everything 80 px (a third of the torso) lower from frame 6 on: a cut there only.
        let whole = clip(&still, &moved(&still, 0..NUM_LANDMARKS, 80.0), 6);
        let seen = |v: &[Option<Skeleton>]| {
            let v = v.to_vec();
            move |k: usize| v.get(k).cloned().flatten()
        };
        let found = cuts(&whole, seen(&whole));
        assert!(found[6], "{found:?}");
        assert_eq!(found.iter().filter(|c| **c).count(), 1);
        // Head, shoulders and arms jump as far, the legs stay put: the model flickering, no cut.
        let upper = clip(&still, &moved(&still, 0..hip, 80.0), 6);
        assert!(cuts(&upper, seen(&upper)).iter().all(|c| !c));
        // The lower body is judged as the model gave it: a jump there that the repair evened
        // out still makes a cut of a whole-body jump; legs that jumped only as seen, under a
        // still repaired body, make none.
        let legs_only = clip(&still, &moved(&still, hip..NUM_LANDMARKS, 80.0), 6);
        assert!(cuts(&clip(&still, &still, 6), seen(&legs_only)).iter().all(|c| !c));
        assert!(cuts(&whole, seen(&legs_only))[6]);
        assert!(cuts(&whole, seen(&upper)).iter().all(|c| !c));
    }
}
