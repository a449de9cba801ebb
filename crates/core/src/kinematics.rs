//! Kinematics: a visibility-aware skeleton per frame, left/right leg-swap repair, and the
//! body-frame signals over time (angles in degrees, lengths in cm) the rep and rule stages read.
//!
//! World landmarks are BlazePose's: metres, camera-aligned axes (x image-right, y down,
//! z away from the camera), origin at the hip midpoint. "Up" is therefore −y (the camera is
//! assumed roughly level), and the person's facing is estimated from the hip and shoulder lines.

use crate::landmarks::{Joint, Pose, PoseFrame};
use crate::spec::{ExerciseSpec, SmoothingSpec};
use serde::{Deserialize, Serialize};

/// A leg (and body side), as the person sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The person's left.
    Left,
    /// The person's right.
    Right,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    /// `left` / `right`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }

    /// +1 for left, −1 for right (the sign of the person's left axis).
    fn sign(self) -> f64 {
        match self {
            Side::Left => 1.0,
            Side::Right => -1.0,
        }
    }

    /// Hip, knee, ankle, heel of this side.
    fn leg(self) -> [Joint; 4] {
        match self {
            Side::Left => [Joint::LeftHip, Joint::LeftKnee, Joint::LeftAnkle, Joint::LeftHeel],
            Side::Right => [Joint::RightHip, Joint::RightKnee, Joint::RightAnkle, Joint::RightHeel],
        }
    }

    /// Heel, ankle and toe (foot index) of this side: the three witnesses of where the foot is.
    fn foot(self) -> [Joint; 3] {
        match self {
            Side::Left => [Joint::LeftHeel, Joint::LeftAnkle, Joint::LeftFootIndex],
            Side::Right => [Joint::RightHeel, Joint::RightAnkle, Joint::RightFootIndex],
        }
    }

    fn shoulder(self) -> Joint {
        match self {
            Side::Left => Joint::LeftShoulder,
            Side::Right => Joint::RightShoulder,
        }
    }
}

/// A small 3D vector (f64) for body geometry.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Vec3 {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// z.
    pub z: f64,
}

impl Vec3 {
    /// Builds a vector.
    pub const fn new(x: f64, y: f64, z: f64) -> Vec3 {
        Vec3 { x, y, z }
    }
    /// Dot product.
    pub fn dot(self, o: Vec3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }
    /// Cross product.
    pub fn cross(self, o: Vec3) -> Vec3 {
        Vec3::new(self.y * o.z - self.z * o.y, self.z * o.x - self.x * o.z, self.x * o.y - self.y * o.x)
    }
    /// Euclidean length.
    pub fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }
    /// Unit vector, or `None` for a (near) zero vector.
    pub fn unit(self) -> Option<Vec3> {
        let n = self.norm();
        (n.is_finite() && n > 1e-9).then(|| self * (1.0 / n))
    }
    /// Midpoint.
    pub fn mid(self, o: Vec3) -> Vec3 {
        (self + o) * 0.5
    }
}

impl std::ops::Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}
impl std::ops::Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}
impl std::ops::Mul<f64> for Vec3 {
    type Output = Vec3;
    fn mul(self, k: f64) -> Vec3 {
        Vec3::new(self.x * k, self.y * k, self.z * k)
    }
}

/// Angle (deg) between two vectors, `None` if either is degenerate.
pub fn angle_between_deg(a: Vec3, b: Vec3) -> Option<f64> {
    let (a, b) = (a.unit()?, b.unit()?);
    Some(a.dot(b).clamp(-1.0, 1.0).acos().to_degrees())
}

/// "Up" in BlazePose world coordinates (y points down).
const UP: Vec3 = Vec3::new(0.0, -1.0, 0.0);

/// One frame's landmarks with missing/occluded joints as `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Skeleton {
    world: [Option<Vec3>; crate::landmarks::NUM_LANDMARKS],
    world_weak: [Option<Vec3>; crate::landmarks::NUM_LANDMARKS],
    image_weak: [Option<Vec3>; crate::landmarks::NUM_LANDMARKS],
    image: [Option<Vec3>; crate::landmarks::NUM_LANDMARKS],
    visibility: [f64; crate::landmarks::NUM_LANDMARKS],
}

impl Skeleton {
    /// Builds a skeleton, dropping joints under `min_visibility` and any non-finite coordinate.
    pub fn from_pose(pose: &Pose, min_visibility: f64) -> Skeleton {
        Self::from_pose_with_weak(pose, min_visibility, min_visibility)
    }

    /// Like [`Skeleton::from_pose`], also keeping joints down to `weak_visibility` for
    /// [`Skeleton::world_weak`] / [`Skeleton::image_weak`].
    pub fn from_pose_with_weak(pose: &Pose, min_visibility: f64, weak_visibility: f64) -> Skeleton {
        let mut s = Skeleton {
            world: [None; crate::landmarks::NUM_LANDMARKS],
            world_weak: [None; crate::landmarks::NUM_LANDMARKS],
            image_weak: [None; crate::landmarks::NUM_LANDMARKS],
            image: [None; crate::landmarks::NUM_LANDMARKS],
            visibility: [0.0; crate::landmarks::NUM_LANDMARKS],
        };
        for j in Joint::ALL {
            let ip = pose.image_point(j);
            let wp = pose.world_point(j);
            let vis = if ip.visibility.is_finite() { f64::from(ip.visibility).clamp(0.0, 1.0) } else { 0.0 };
            s.visibility[j.index()] = vis;
            if vis < min_visibility.min(weak_visibility) {
                continue;
            }
            let img = Vec3::new(f64::from(ip.x), f64::from(ip.y), f64::from(ip.z));
            let img = (img.x.is_finite() && img.y.is_finite()).then(|| Vec3::new(img.x, img.y, 0.0));
            let w = Vec3::new(f64::from(wp.x), f64::from(wp.y), f64::from(wp.z));
            let w = (w.x.is_finite() && w.y.is_finite() && w.z.is_finite()).then_some(w);
            if vis >= weak_visibility {
                s.image_weak[j.index()] = img;
                s.world_weak[j.index()] = w;
            }
            if vis >= min_visibility {
                s.image[j.index()] = img;
                s.world[j.index()] = w;
            }
        }
        s
    }

    /// World position (m) of a joint, if visible.
    pub fn world(&self, j: Joint) -> Option<Vec3> {
        self.world[j.index()]
    }

    /// Image position (px, z = 0) of a joint, if visible.
    pub fn image(&self, j: Joint) -> Option<Vec3> {
        self.image[j.index()]
    }

    /// World position of a joint seen at least weakly (for rep segmentation only).
    pub fn world_weak(&self, j: Joint) -> Option<Vec3> {
        self.world_weak[j.index()]
    }

    /// Image position of a joint seen at least weakly (for rep segmentation only).
    pub fn image_weak(&self, j: Joint) -> Option<Vec3> {
        self.image_weak[j.index()]
    }

    /// Visibility in [0, 1] (0 for non-finite input).
    pub fn visibility(&self, j: Joint) -> f64 {
        self.visibility[j.index()]
    }

    fn world_mid(&self, a: Joint, b: Joint) -> Option<Vec3> {
        Some(self.world(a)?.mid(self.world(b)?))
    }

    fn image_mid(&self, a: Joint, b: Joint) -> Option<Vec3> {
        Some(self.image(a)?.mid(self.image(b)?))
    }
}

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
/// plus [`SWAP_PRIOR_PER_FRAME`] for each exchanged frame. The world landmarks are no witness: on
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
    /// Thigh angle from straight down (deg), left leg, smoothed.
    pub elevation_left: Vec<Option<f64>>,
    /// Same, right leg.
    pub elevation_right: Vec<Option<f64>>,
    /// Leg-swing signal used for rep segmentation, left leg (see [`RepSignal`]).
    pub rep_left: Vec<Option<f64>>,
    /// Same, right leg.
    pub rep_right: Vec<Option<f64>>,
    /// Which signal `rep_left`/`rep_right` hold.
    pub rep_signal: RepSignal,
    /// Hip midpoint in the image (px).
    pub hip_px: Vec<Option<(f64, f64)>>,
    /// Left ankle in the image (px, weakly visible allowed), smoothed.
    pub ankle_px_left: Vec<Option<(f64, f64)>>,
    /// Right ankle in the image (px, weakly visible allowed), smoothed.
    pub ankle_px_right: Vec<Option<(f64, f64)>>,
    /// Mean image height (px, down) of both hips and shoulders: the trunk's vertical position,
    /// which follows camera tilt but not a foot sliding on the floor.
    pub trunk_y_px: Vec<Option<f64>>,
    /// Shoulder-to-hip midline length in the image (px).
    pub torso_px: Vec<Option<f64>>,
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
}

/// Leg-specific signals, for one hypothesis of which leg works. All smoothed; `None` = unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SideSignals {
    /// The working leg these signals assume.
    pub working: Option<Side>,
    /// Trunk forward lean from vertical (deg, + forward), from world landmarks.
    pub trunk_forward: Vec<Option<f64>>,
    /// Trunk forward lean measured in the image (meaningful in side views).
    pub trunk_forward_img: Vec<Option<f64>>,
    /// Trunk sideways lean towards the support side (deg); "away from the machine" when the
    /// machine is on the working side (see [`machine_side`]).
    pub trunk_away: Vec<Option<f64>>,
    /// Same, measured in the image (meaningful from behind/front).
    pub trunk_away_img: Vec<Option<f64>>,
    /// Pelvic obliquity: working hip above support hip (deg), world.
    pub pelvis_hike: Vec<Option<f64>>,
    /// Same, from the image hip line (meaningful from behind/front).
    pub pelvis_hike_img: Vec<Option<f64>>,
    /// Hip line opening towards the working side (deg, working hip moving back).
    pub pelvis_rotation: Vec<Option<f64>>,
    /// Shoulder line turn relative to the hip line (deg).
    pub torso_twist: Vec<Option<f64>>,
    /// Support knee flexion (deg, 0 = straight).
    pub support_knee: Vec<Option<f64>>,
    /// Working thigh behind vertical (deg) in the sagittal plane.
    pub hip_extension: Vec<Option<f64>>,
    /// Working thigh outward from vertical (deg) in the frontal plane.
    pub hip_abduction: Vec<Option<f64>>,
    /// Working thigh outward angle measured in the image (only from behind or in front).
    pub hip_abduction_img: Vec<Option<f64>>,
    /// Working thigh relative to the trunk line (deg): extension beyond the trunk.
    pub hip_extension_rel_trunk: Vec<Option<f64>>,
    /// Working heel backward displacement from the hip (cm, world).
    pub heel_back_cm: Vec<Option<f64>>,
    /// Working heel outward displacement from the hip (cm, world).
    pub heel_out_cm: Vec<Option<f64>>,
    /// Support heel (or ankle) image position, horizontal (px).
    pub support_heel_x_px: Vec<Option<f64>>,
    /// Support heel (or ankle) image position, vertical (px).
    pub support_heel_y_px: Vec<Option<f64>>,
    /// Support heel, ankle and toe image positions, horizontal (px), unsmoothed and gated by
    /// visibility: the foot-shift rule takes its own robust medians over quiet phases and
    /// compares the three landmarks, which smoothing would blur together with the rep's motion.
    pub support_foot_x_px: [Vec<Option<f64>>; 3],
    /// Same, vertical (px, down).
    pub support_foot_y_px: [Vec<Option<f64>>; 3],
    /// Support heel, ankle and toe horizontal offset from the support hip in the world
    /// landmarks (cm), along the camera's x axis; unsmoothed, like the image positions. A slide
    /// moves the foot away from under a hip that stays, whatever its direction: the depth-aware
    /// witness of a slide that the image sees foreshortened (see [`crate::rules::SetContext`]).
    pub support_foot_wx_cm: [Vec<Option<f64>>; 3],
    /// Same, along the camera's depth axis (cm).
    pub support_foot_wz_cm: [Vec<Option<f64>>; 3],
    /// Support knee flexion measured in the image, signed (+ = knee in front of the hip–ankle
    /// line, − = hyperextended); only where the view is side-on enough for it to mean something.
    pub support_knee_img: Vec<Option<f64>>,
    /// Mean visibility of the joints the leg and trunk signals use.
    pub visibility: Vec<f64>,
}

/// Computes the side-independent signals of a whole sequence.
pub fn base_signals(frames: &[PoseFrame], spec: &ExerciseSpec) -> BaseSignals {
    let (poses, swaps) = repair_leg_swaps(frames);
    let min_vis = spec.visibility.min_visibility;
    let skeletons: Vec<Option<Skeleton>> = poses
        .iter()
        .map(|p| {
            p.as_ref().map(|p| Skeleton::from_pose_with_weak(p, min_vis, spec.visibility.min_visibility_rep_signal))
        })
        .collect();
    let t: Vec<f64> = frames.iter().map(|f| if f.t_s.is_finite() { f.t_s } else { 0.0 }).collect();
    let n = frames.len();
    let mut b = BaseSignals {
        t: t.clone(),
        frame: frames.iter().map(|f| f.index).collect(),
        swaps_repaired: swaps,
        ..Default::default()
    };
    let mut el = Vec::with_capacity(n);
    let mut er = Vec::with_capacity(n);
    let mut raw_left: Vec<Option<Vec3>> = Vec::with_capacity(n);
    for s in &skeletons {
        let Some(s) = s else {
            el.push(None);
            er.push(None);
            b.hip_px.push(None);
            b.trunk_y_px.push(None);
            b.torso_px.push(None);
            b.m_per_px.push(None);
            b.face_visibility.push(0.0);
            b.left_nearer.push(None);
            raw_left.push(None);
            continue;
        };
        el.push(thigh_elevation(s, Side::Left));
        er.push(thigh_elevation(s, Side::Right));
        let hip_img = s.image_mid(Joint::LeftHip, Joint::RightHip);
        let sh_img = s.image_mid(Joint::LeftShoulder, Joint::RightShoulder);
        b.hip_px.push(hip_img.map(|p| (p.x, p.y)));
        b.trunk_y_px.push(hip_img.zip(sh_img).map(|(h, sh)| (h.y + sh.y) / 2.0));
        let tpx = match (hip_img, sh_img) {
            (Some(h), Some(sh)) => Some((sh - h).norm()).filter(|d| *d > 1.0),
            _ => None,
        };
        b.torso_px.push(tpx);
        let tw = match (
            s.world_mid(Joint::LeftHip, Joint::RightHip),
            s.world_mid(Joint::LeftShoulder, Joint::RightShoulder),
        ) {
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
        raw_left.push(raw_left_axis(s));
    }
    let smooth_px = |f: &dyn Fn(&Skeleton) -> Option<Vec3>| -> Vec<Option<(f64, f64)>> {
        let xs: Vec<Option<f64>> = skeletons.iter().map(|s| s.as_ref().and_then(f).map(|p| p.x)).collect();
        let ys: Vec<Option<f64>> = skeletons.iter().map(|s| s.as_ref().and_then(f).map(|p| p.y)).collect();
        let (xs, ys) = (smooth(&t, &xs, &spec.smoothing), smooth(&t, &ys, &spec.smoothing));
        xs.iter().zip(&ys).map(|(x, y)| Some(((*x)?, (*y)?))).collect()
    };
    b.ankle_px_left = smooth_px(&|s| s.image_weak(Joint::LeftAnkle));
    b.ankle_px_right = smooth_px(&|s| s.image_weak(Joint::RightAnkle));
    // Pixel positions and scale carry outliers and jitter too.
    let hx = smooth(&t, &b.hip_px.iter().map(|p| p.map(|p| p.0)).collect::<Vec<_>>(), &spec.smoothing);
    let hy = smooth(&t, &b.hip_px.iter().map(|p| p.map(|p| p.1)).collect::<Vec<_>>(), &spec.smoothing);
    b.hip_px = hx.iter().zip(&hy).map(|(x, y)| Some(((*x)?, (*y)?))).collect();
    b.m_per_px = smooth(&t, &b.m_per_px, &spec.smoothing);
    b.left_axis = average_axis(&t, &raw_left, spec.smoothing.facing_half_window_s, spec.smoothing.max_gap_s);
    // Where the person's frame is known, the thigh's swing is measured from its own rest
    // direction (see `rest_relative_elevation`); elsewhere from straight down.
    let el = rest_relative_elevation(&t, &skeletons, &b.left_axis, Side::Left, &el);
    let er = rest_relative_elevation(&t, &skeletons, &b.left_axis, Side::Right, &er);
    b.elevation_left = smooth(&t, &el, &spec.smoothing);
    b.elevation_right = smooth(&t, &er, &spec.smoothing);
    let swing_l = smooth(&t, &image_swing(&t, &skeletons, &b.elevation_left, Side::Left), &spec.smoothing);
    let swing_r = smooth(&t, &image_swing(&t, &skeletons, &b.elevation_right, Side::Right), &spec.smoothing);
    let exc = |x: &[Option<f64>]| {
        let v = || x.iter().flatten().copied();
        match (percentile(v(), 90.0), percentile(v(), 10.0)) {
            (Some(a), Some(b)) => a - b,
            _ => 0.0,
        }
    };
    let world_exc = exc(&b.elevation_left).max(exc(&b.elevation_right));
    let img_exc = exc(&swing_l).max(exc(&swing_r));
    // Both witnesses of the leg's swing are summed: depth-compressed views flatten the world
    // angle but not the image swing, side views the other way round; the sum keeps whichever
    // moved. A leg missing one witness keeps the other, scaled to the sum's typical size.
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
    b.rep_signal = if img_exc > 0.0 { RepSignal::Fused } else { RepSignal::WorldElevation };
    b.rep_left = fuse(&b.elevation_left, &swing_l);
    b.rep_right = fuse(&b.elevation_right, &swing_r);
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
    b.skeletons = skeletons;
    b
}

/// The person's left direction from hip and shoulder lines, projected on the horizontal plane.
fn raw_left_axis(s: &Skeleton) -> Option<Vec3> {
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

/// Averages unit axes over a ±`half` s window (vector mean, so it is circular-safe).
///
/// The window never reaches across a stretch longer than `max_gap` s without an axis (longer
/// than smoothing bridges): nobody was seen there, and the camera may have been moved or the
/// person turned to the other side (switching sides between sets). An average across it would
/// rotate the axis through the first seconds of the next stretch, and every angle measured
/// against it (pelvis rotation, trunk lean) with it.
fn average_axis(t: &[f64], axes: &[Option<Vec3>], half: f64, max_gap: f64) -> Vec<Option<Vec3>> {
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

/// Image ankle displacement from its rest position relative to the hip midpoint, in
/// pseudo-degrees (see [`RepSignal::Fused`]). The rest position is local in time (the camera or
/// the person may move between sets): the median offset over the frames within ±4 s whose
/// world thigh angle is in that window's lowest quarter.
fn image_swing(t: &[f64], skeletons: &[Option<Skeleton>], elevation: &[Option<f64>], side: Side) -> Vec<Option<f64>> {
    const HALF_WINDOW_S: f64 = 4.0;
    let [_, _, ankle, _] = side.leg();
    let offs: Vec<Option<(f64, f64)>> = skeletons
        .iter()
        .map(|s| {
            let s = s.as_ref()?;
            let hip = s.image_mid(Joint::LeftHip, Joint::RightHip)?;
            let sh = s.image_mid(Joint::LeftShoulder, Joint::RightShoulder)?;
            let torso = (sh - hip).norm();
            if torso < 1.0 {
                return None;
            }
            let a = s.image_weak(ankle)?;
            Some(((a.x - hip.x) / torso, (a.y - hip.y) / torso))
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
            let low = percentile(elevation[lo..=hi].iter().flatten().copied(), 25.0);
            let (mut xs, mut ys): (Vec<f64>, Vec<f64>) = offs[lo..=hi]
                .iter()
                .zip(&elevation[lo..=hi])
                .filter(|(_, e)| low.is_none() || e.zip(low).is_some_and(|(e, l)| e <= l))
                .filter_map(|(o, _)| *o)
                .unzip();
            if let (Some(rx), Some(ry)) = (median_of(&mut xs), median_of(&mut ys)) {
                reference = Some((rx, ry));
            }
        }
        if let (Some((x, y)), Some((rx, ry))) = (offs[i], reference) {
            out[i] = Some(((x - rx).hypot(y - ry) / 1.6).to_degrees());
        }
    }
    out
}

/// Half-width (s) of the window in which a thigh's rest direction is estimated: a few reps long,
/// so each window holds rest phases, and short enough to follow a person who turns.
const REST_WINDOW_HALF_S: f64 = 4.0;
/// Percentile of the thigh's backward and outward angles taken as its rest direction (the leg
/// rests at its most forward and innermost; a low percentile rather than the minimum keeps one
/// noisy frame from setting it).
const REST_PERCENTILE: f64 = 15.0;

/// Moves `lo..=hi` (indices into the first `n` times `t`) to the frames within ±`half` s of frame
/// `i`; both ends only move forward, so a pass over all frames is linear.
fn slide_window(t: &[f64], i: usize, half: f64, n: usize, lo: &mut usize, hi: &mut usize) {
    while *lo < i && t[*lo] < t[i] - half {
        *lo += 1;
    }
    *hi = (*hi).max(i);
    while *hi + 1 < n && t[*hi + 1] <= t[i] + half {
        *hi += 1;
    }
}

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
/// the surrounding seconds, the same rep is one bump from 0. Frames without the person's frame
/// keep `fallback` (the angle from straight down).
fn rest_relative_elevation(
    t: &[f64],
    skeletons: &[Option<Skeleton>],
    left_axis: &[Option<Vec3>],
    side: Side,
    fallback: &[Option<f64>],
) -> Vec<Option<f64>> {
    let angles: Vec<Option<(f64, f64)>> =
        skeletons.iter().zip(left_axis).map(|(s, l)| thigh_angles(s.as_ref()?, side, (*l)?)).collect();
    let n = angles.len().min(t.len());
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut rest: Option<(f64, f64)> = None;
    (0..n)
        .map(|i| {
            if i % 5 == 0 || rest.is_none() {
                slide_window(t, i, REST_WINDOW_HALF_S, n, &mut lo, &mut hi);
                let win = || angles[lo..=hi].iter().flatten();
                rest = percentile(win().map(|a| a.0), REST_PERCENTILE)
                    .zip(percentile(win().map(|a| a.1), REST_PERCENTILE));
            }
            match (angles[i], rest) {
                (Some((b, o)), Some((b0, o0))) => Some((b - b0).max(0.0).hypot((o - o0).max(0.0))),
                _ => fallback.get(i).copied().flatten(),
            }
        })
        .collect()
}

fn thigh_elevation(s: &Skeleton, side: Side) -> Option<f64> {
    // From the vertical, not from the trunk: a forward lean "uses up" hip extension, so a
    // trunk-relative angle would hide the very reps in which the person leans.
    let [hip, knee, _, _] = side.leg();
    angle_between_deg(s.world_weak(knee)? - s.world_weak(hip)?, UP * -1.0)
}

/// Which body side faces the machine during frames `lo..hi`: the side whose wrist is held
/// further from its hip (the hand on the machine), when that is clear by `margin_m`.
pub fn machine_side(base: &BaseSignals, lo: usize, hi: usize, margin_m: f64) -> Option<Side> {
    let dist = |wrist: Joint, hip: Joint| -> Option<f64> {
        let mut v: Vec<f64> = base
            .skeletons
            .get(lo..hi.min(base.skeletons.len()))?
            .iter()
            .flatten()
            .filter_map(|s| Some((s.world(wrist)? - s.world(hip)?).norm()))
            .collect();
        median_of(&mut v)
    };
    let l = dist(Joint::LeftWrist, Joint::LeftHip)?;
    let r = dist(Joint::RightWrist, Joint::RightHip)?;
    if (l - r).abs() < margin_m {
        None
    } else if l > r {
        Some(Side::Left)
    } else {
        Some(Side::Right)
    }
}

/// Computes the leg-specific signals assuming `working` is the working leg.
// One pass fills many per-frame columns by index: clearer than zipping 18 iterators.
#[allow(clippy::needless_range_loop)]
pub fn side_signals(base: &BaseSignals, working: Side, spec: &ExerciseSpec) -> SideSignals {
    let n = base.t.len();
    let support = working.other();
    let ws = working.sign();
    let away = support.sign(); // sign of the left axis pointing away from the machine
    let [w_hip, w_knee, _, w_heel] = working.leg();
    let [s_hip, s_knee, s_ankle, s_heel] = support.leg();
    let mut r = vec![vec![None; n]; 18];
    let mut foot_x: [Vec<Option<f64>>; 3] = [vec![None; n], vec![None; n], vec![None; n]];
    let mut foot_y = foot_x.clone();
    let (mut foot_wx, mut foot_wz) = (foot_x.clone(), foot_x.clone());
    let mut vis = Vec::with_capacity(n);
    for i in 0..n {
        let (Some(s), Some(l)) = (base.skeletons[i].as_ref(), base.left_axis[i]) else {
            vis.push(0.0);
            continue;
        };
        let f = l.cross(UP); // forward
        let joints = [w_hip, w_knee, s_hip, s_knee, s_ankle, working.shoulder(), support.shoulder()];
        vis.push(joints.iter().map(|j| s.visibility(*j)).sum::<f64>() / joints.len() as f64);
        let hip_mid = s.world_mid(Joint::LeftHip, Joint::RightHip);
        let sh_mid = s.world_mid(Joint::LeftShoulder, Joint::RightShoulder);
        if let (Some(h), Some(sh)) = (hip_mid, sh_mid) {
            let tr = sh - h;
            r[0][i] = Some(tr.dot(f).atan2(tr.dot(UP)).to_degrees());
            r[2][i] = Some((tr.dot(l) * away).atan2(tr.dot(UP)).to_degrees());
        }
        // Image trunk: image y is down, so up = −y; image x is world x (camera-aligned).
        if let (Some(h), Some(sh)) =
            (s.image_mid(Joint::LeftHip, Joint::RightHip), s.image_mid(Joint::LeftShoulder, Joint::RightShoulder))
        {
            let tr = sh - h;
            if f.x.abs() > 0.5 {
                r[1][i] = Some((tr.x * f.x.signum()).atan2(-tr.y).to_degrees());
            }
            if l.x.abs() > 0.5 {
                r[3][i] = Some((tr.x * l.x.signum() * away).atan2(-tr.y).to_degrees());
            }
        }
        if let (Some(wh), Some(sh)) = (s.world(w_hip), s.world(s_hip)) {
            let d = wh - sh;
            let horiz = Vec3::new(d.x, 0.0, d.z).norm();
            r[4][i] = Some(d.dot(UP).atan2(horiz).to_degrees());
            // Lines, not arrows: a hip or shoulder pair whose labels flip is the same line, so
            // yaws are folded into (−90°, 90°].
            let hip_yaw = fold_line_deg((-d.dot(f)).atan2(d.dot(l) * ws).to_degrees());
            r[6][i] = Some(hip_yaw);
            if let (Some(wsh), Some(ssh)) = (s.world(working.shoulder()), s.world(support.shoulder())) {
                let e = wsh - ssh;
                let sh_yaw = (-e.dot(f)).atan2(e.dot(l) * ws).to_degrees();
                r[7][i] = Some(fold_line_deg(sh_yaw - hip_yaw));
            }
        }
        if let (Some(h), Some(k)) = (s.image(w_hip), s.image(w_knee)) {
            // Seen from behind or in front, the thigh's outward angle lies in the image plane.
            if l.x.abs() > 0.7 {
                let th = k - h;
                r[17][i] = Some((th.x * l.x.signum() * ws).atan2(th.y).to_degrees());
            }
        }
        if let (Some(wh), Some(sh)) = (s.image(w_hip), s.image(s_hip)) {
            let d = wh - sh;
            if l.x.abs() > 0.5 {
                r[5][i] = Some((-d.y).atan2(d.x.abs()).to_degrees());
            }
        }
        if let (Some(h), Some(k), Some(a)) = (s.world(s_hip), s.world(s_knee), s.world(s_ankle)) {
            r[8][i] = angle_between_deg(h - k, a - k).map(|a| 180.0 - a);
        }
        if let (Some(h), Some(k)) = (s.world(w_hip), s.world(w_knee)) {
            let th = k - h;
            let down = -th.dot(UP);
            let ext = (-th.dot(f)).atan2(down).to_degrees();
            r[9][i] = Some(ext);
            // Extension relative to the trunk line: a forward-tipped trunk already "uses up" part
            // of the thigh's angle behind vertical, so subtract the trunk's forward lean.
            r[10][i] = Some((th.dot(l) * ws).atan2(down).to_degrees());
            if let Some(tf) = r[0][i] {
                r[11][i] = Some(ext - tf);
            }
        }
        if let (Some(h), Some(hh)) = (s.world(w_hip), s.world(w_heel)) {
            let d = hh - h;
            r[12][i] = Some(-d.dot(f) * 100.0);
            r[13][i] = Some(d.dot(l) * ws * 100.0);
        }
        for (k, j) in support.foot().into_iter().enumerate() {
            foot_x[k][i] = s.image(j).map(|p| p.x);
            foot_y[k][i] = s.image(j).map(|p| p.y);
            if let (Some(p), Some(h)) = (s.world(j), s.world(s_hip)) {
                let d = p - h;
                // Horizontal: the vertical (UP) component is taken off.
                let d = d - UP * d.dot(UP);
                foot_wx[k][i] = Some(d.x * 100.0);
                foot_wz[k][i] = Some(d.z * 100.0);
            }
        }
        if let Some(p) = s.image(s_heel).or_else(|| s.image(s_ankle)) {
            r[14][i] = Some(p.x);
            r[15][i] = Some(p.y);
        }
        if let (Some(h), Some(k), Some(a)) = (s.image(s_hip), s.image(s_knee), s.image(s_ankle)) {
            // Side-on enough that the sagittal plane faces the camera.
            if f.x.abs() > 0.6 {
                let (th, sh) = (k - h, a - k);
                let cross = th.x * sh.y - th.y * sh.x;
                let ang = cross.atan2(th.x * sh.x + th.y * sh.y).to_degrees();
                // Image y is down: facing image-right (f.x > 0), a knee bent forward gives a
                // positive cross product of thigh and shin.
                r[16][i] = Some(ang * f.x.signum());
            }
        }
    }
    let sm = |k: usize| smooth(&base.t, &r[k], &spec.smoothing);
    SideSignals {
        working: Some(working),
        trunk_forward: sm(0),
        trunk_forward_img: sm(1),
        trunk_away: sm(2),
        trunk_away_img: sm(3),
        pelvis_hike: sm(4),
        pelvis_hike_img: sm(5),
        pelvis_rotation: sm(6),
        torso_twist: sm(7),
        support_knee: sm(8),
        hip_extension: sm(9),
        hip_abduction: sm(10),
        hip_extension_rel_trunk: sm(11),
        heel_back_cm: sm(12),
        heel_out_cm: sm(13),
        support_heel_x_px: sm(14),
        support_heel_y_px: sm(15),
        support_foot_x_px: foot_x,
        support_foot_y_px: foot_y,
        support_foot_wx_cm: foot_wx,
        support_foot_wz_cm: foot_wz,
        support_knee_img: sm(16),
        hip_abduction_img: sm(17),
        visibility: vis,
    }
}

/// Folds an angle between two undirected lines into (−90°, 90°].
fn fold_line_deg(a: f64) -> f64 {
    let a = wrap_deg(a);
    if a > 90.0 {
        a - 180.0
    } else if a <= -90.0 {
        a + 180.0
    } else {
        a
    }
}

fn wrap_deg(a: f64) -> f64 {
    let mut a = a % 360.0;
    if a > 180.0 {
        a -= 360.0;
    } else if a < -180.0 {
        a += 360.0;
    }
    a
}

/// Robust smoothing of a signal sampled at (possibly irregular) times `t`:
/// a running median over ±`median_half_window_s` removes outliers, gaps up to `max_gap_s` are
/// bridged linearly, then a forward-backward exponential smoother (time constant `smooth_tau_s`,
/// dt-aware so variable frame rates are fine) removes jitter without shifting peaks in time.
pub fn smooth(t: &[f64], x: &[Option<f64>], spec: &SmoothingSpec) -> Vec<Option<f64>> {
    let n = x.len().min(t.len());
    let x: Vec<Option<f64>> = x[..n].iter().map(|v| v.filter(|v| v.is_finite())).collect();
    // Running median.
    let mut med = vec![None; n];
    let mut buf: Vec<f64> = Vec::new();
    let (mut lo, mut hi) = (0usize, 0usize);
    for i in 0..n {
        if x[i].is_none() {
            continue;
        }
        while lo < i && t[lo] < t[i] - spec.median_half_window_s {
            lo += 1;
        }
        if hi < i {
            hi = i;
        }
        while hi + 1 < n && t[hi + 1] <= t[i] + spec.median_half_window_s {
            hi += 1;
        }
        buf.clear();
        buf.extend(x[lo..=hi].iter().flatten());
        med[i] = median_of(&mut buf);
    }
    // Gap bridging.
    let mut last: Option<usize> = None;
    for i in 0..n {
        if let Some(v) = med[i] {
            if let Some(j) = last {
                if i > j + 1 && t[i] - t[j] <= spec.max_gap_s {
                    if let Some(vj) = med[j] {
                        for k in j + 1..i {
                            let a = if t[i] > t[j] { (t[k] - t[j]) / (t[i] - t[j]) } else { 0.5 };
                            med[k] = Some(vj + (v - vj) * a);
                        }
                    }
                }
            }
            last = Some(i);
        }
    }
    // Forward-backward EMA over runs of known values.
    let tau = spec.smooth_tau_s;
    let mut fwd = med.clone();
    for i in 1..n {
        if let (Some(p), Some(c)) = (fwd[i - 1], med[i]) {
            let a = 1.0 - (-(t[i] - t[i - 1]).max(0.0) / tau).exp();
            fwd[i] = Some(p + a * (c - p));
        }
    }
    let mut out = fwd.clone();
    for i in (0..n.saturating_sub(1)).rev() {
        if let (Some(nx), Some(c)) = (out[i + 1], fwd[i]) {
            let a = 1.0 - (-(t[i + 1] - t[i]).max(0.0) / tau).exp();
            out[i] = Some(nx + a * (c - nx));
        }
    }
    out
}

/// Median of a buffer (reorders it), `None` when empty.
pub fn median_of(buf: &mut [f64]) -> Option<f64> {
    if buf.is_empty() {
        return None;
    }
    buf.sort_by(|a, b| a.total_cmp(b));
    let m = buf.len() / 2;
    Some(if buf.len() % 2 == 1 { buf[m] } else { (buf[m - 1] + buf[m]) / 2.0 })
}

/// Percentile (0..=100) of the known values, `None` when there are none.
pub fn percentile(values: impl IntoIterator<Item = f64>, p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let idx = ((p / 100.0).clamp(0.0, 1.0) * (v.len() - 1) as f64).round() as usize;
    v.get(idx).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> SmoothingSpec {
        SmoothingSpec { median_half_window_s: 0.07, smooth_tau_s: 0.04, max_gap_s: 0.3, facing_half_window_s: 2.0 }
    }

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

    #[test]
    fn smoothing_removes_a_spike_and_bridges_short_gaps() {
        let t: Vec<f64> = (0..60).map(|i| i as f64 / 30.0).collect();
        let mut x: Vec<Option<f64>> = t.iter().map(|_| Some(10.0)).collect();
        x[20] = Some(90.0);
        x[30] = None;
        x[31] = None;
        x[32] = Some(f64::NAN);
        let y = smooth(&t, &x, &spec());
        for v in &y {
            let v = v.expect("bridged");
            assert!((v - 10.0).abs() < 1.0, "{v}");
        }
    }

    #[test]
    fn smoothing_empty_and_all_none_is_fine() {
        assert!(smooth(&[], &[], &spec()).is_empty());
        let y = smooth(&[0.0, 1.0], &[None, None], &spec());
        assert_eq!(y, vec![None, None]);
    }

    #[test]
    fn angles_are_rotation_invariant() {
        let a = Vec3::new(1.0, 0.0, 0.0);
        let b = Vec3::new(1.0, 1.0, 0.0);
        let base = angle_between_deg(a, b).unwrap();
        assert!((base - 45.0).abs() < 1e-9);
        // rotate both about an arbitrary axis (here: z by 33°, then x by 70°)
        let rot = |v: Vec3| {
            let (s, c) = 33f64.to_radians().sin_cos();
            let v = Vec3::new(c * v.x - s * v.y, s * v.x + c * v.y, v.z);
            let (s, c) = 70f64.to_radians().sin_cos();
            Vec3::new(v.x, c * v.y - s * v.z, s * v.y + c * v.z)
        };
        assert!((angle_between_deg(rot(a), rot(b)).unwrap() - base).abs() < 1e-9);
        assert_eq!(angle_between_deg(a, Vec3::default()), None);
    }

    #[test]
    fn percentile_and_median_handle_nan_and_empty() {
        assert_eq!(percentile(Vec::<f64>::new(), 50.0), None);
        assert_eq!(percentile(vec![3.0, f64::NAN, 1.0, 2.0], 50.0), Some(2.0));
        assert_eq!(median_of(&mut []), None);
        assert_eq!(median_of(&mut [4.0, 1.0]), Some(2.5));
    }
}
