//! Leg-specific signals for one hypothesis of which leg works: trunk, pelvis, standing knee and
//! foot, working thigh and heel; and which side the machine is on.

use crate::kinematics::geometry::{fold_line_deg, UP};
use crate::kinematics::{angle_between_deg, BaseSignals, Side, Skeleton, Vec3};
use crate::landmarks::Joint;
use crate::signal::{median_of, smooth};
use crate::spec::ExerciseSpec;

/// The image shows the frontal plane (a thigh's outward angle, the pelvis's tilt) when the body's
/// left-right axis lies within ~45° of the image plane (|x| of the unit axis above cos 45.6°).
const FRONTAL_FACING_MIN: f64 = 0.7;
/// The image shows the sagittal plane (the knee's bend) when the facing direction lies within ~53°
/// of the image plane; a little wider than the frontal gate since a knee angle survives more
/// foreshortening than a short hip line.
const SAGITTAL_FACING_MIN: f64 = 0.6;

/// Leg-specific signals, for one hypothesis of which leg works. All smoothed; `None` = unknown.
#[derive(Clone, Debug, PartialEq)]
pub struct SideSignals {
    /// The working leg these signals assume.
    pub working: Side,
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
    /// Same, from the image width of the hip line (meaningful at 45°; see
    /// `hip_line_turn_from_width`). Only its changes mean something: its level is the hip
    /// line's angle from the image plane, signed so that the working hip moving back raises it.
    pub pelvis_rotation_img: Vec<Option<f64>>,
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

/// Smallest image width of the hip line, over the torso's image length, at which its tilt is read
/// (facing the camera or turned from it, as the hike is read from in front or behind, it is about
/// 0.3-0.4).
const MIN_HIP_WIDTH_OVER_TORSO: f64 = 0.15;
/// The band of |x| of the unit left axis in which the body counts as turned about 45° from the
/// camera (25°-65° off the image plane) for the hip line's width to read its turn. The forward
/// axis, horizontal and square to it, has |x| = sqrt(1 - x²): the band is the same for both
/// (0.9075² + 0.42² = 1).
const OBLIQUE_AXIS_MIN: f64 = 0.42;
const OBLIQUE_AXIS_MAX: f64 = 0.9075;

/// A torso's length (shoulder to hip midpoints) in metres, to read image distances in metres
/// when the pose model gives no 3D (MoveNet): an adult's is 0.45–0.55 m.
const NOMINAL_TORSO_M: f64 = 0.5;

/// Which body side faces the machine during frames `lo..hi`. The hand on the machine is the one
/// whose wrist is held further from its hip, when that is clear by `margin_m`; the machine is on
/// the side of the body where that wrist is (with 3D landmarks: its offset along the body's left
/// axis, when it is at least `margin_m` from the midline), else on that hand's own side. A hand
/// can reach across the body to a column on the other side: the rendered corpus's figures grip
/// the column with the standing leg's hand wherever it stands, and taking the hand's own side
/// put the machine on the wrong side of every set filmed with it on the working side. Without 3D
/// landmarks the distances are the image's, in torso lengths taken as [`NOMINAL_TORSO_M`], and
/// the hand's own side is taken.
pub fn machine_side(base: &BaseSignals, lo: usize, hi: usize, margin_m: f64) -> Option<Side> {
    let reach = |s: &Skeleton, wrist: Joint, hip: Joint| -> Option<f64> {
        if !base.image_only {
            return Some((s.world(wrist)? - s.world(hip)?).norm());
        }
        let torso = (s.image_mid(Joint::LeftShoulder, Joint::RightShoulder)?
            - s.image_mid(Joint::LeftHip, Joint::RightHip)?)
        .norm();
        (torso > 1.0).then_some((s.image(wrist)? - s.image(hip)?).norm() / torso * NOMINAL_TORSO_M)
    };
    let dist = |wrist: Joint, hip: Joint| -> Option<f64> {
        let mut v: Vec<f64> = base
            .skeletons
            .get(lo..hi.min(base.skeletons.len()))?
            .iter()
            .flatten()
            .filter_map(|s| reach(s, wrist, hip))
            .collect();
        median_of(&mut v)
    };
    let l = dist(Joint::LeftWrist, Joint::LeftHip)?;
    let r = dist(Joint::RightWrist, Joint::RightHip)?;
    if (l - r).abs() < margin_m {
        return None;
    }
    let (hand, wrist) = if l > r { (Side::Left, Joint::LeftWrist) } else { (Side::Right, Joint::RightWrist) };
    if base.image_only {
        return Some(hand);
    }
    // Where the holding wrist is: metres towards the body's left from the hip midpoint.
    let mut lateral: Vec<f64> = (lo..hi.min(base.skeletons.len()))
        .filter_map(|k| {
            let s = base.skeletons[k].as_ref()?;
            let left = base.left_axis.get(k).copied().flatten()?;
            let hips = s.world(Joint::LeftHip)?.mid(s.world(Joint::RightHip)?);
            Some((s.world(wrist)? - hips).dot(left))
        })
        .collect();
    match median_of(&mut lateral) {
        Some(x) if x >= margin_m => Some(Side::Left),
        Some(x) if x <= -margin_m => Some(Side::Right),
        _ => Some(hand),
    }
}

/// Computes the leg-specific signals assuming `working` is the working leg.
pub fn side_signals(base: &BaseSignals, working: Side, spec: &ExerciseSpec) -> SideSignals {
    let mut raw = SideSignals::unknown(working, base.t.len());
    for (i, (s, l)) in base.skeletons.iter().zip(&base.left_axis).enumerate() {
        let (Some(s), Some(left)) = (s.as_ref(), *l) else { continue };
        let g = FrameGeometry { s, left, forward: left.cross(UP), working, torso_px: base.torso_px[i] };
        raw.visibility[i] = g.visibility();
        // The trunk first: the working thigh's extension relative to the trunk reads its lean.
        raw.trunk(i, &g);
        raw.pelvis(i, &g);
        raw.working_leg(i, &g);
        raw.support_leg(i, &g);
    }
    raw.pelvis_rotation_img = hip_line_turn_from_width(&raw.pelvis_rotation_img, &base.left_axis);
    raw.smoothed(&base.t, spec)
}

/// The hip line's turn from its image width at 45° (deg), per frame, from its signed width over
/// the torso length (see `SideSignals::pelvis`).
///
/// Seen from the side of the image plane, a line of full width `W` at angle `a` from that plane
/// is `W cos a` wide, so `a = acos(width / W)`, and turning the working hip back by θ moves `a`
/// by θ one way or the other (towards the plane when the backward axis points across the image
/// the way the hip line does, working hip first). `W` — the hips' width seen square on, in torso
/// lengths, a body proportion — is the set's median of width / cos(a), with `a` from the world
/// landmarks' averaged left axis: a direct witness of the turn where the depth, which the turn
/// moves and the world landmarks guess, is at its noisiest. Near front-on (the line hardly
/// narrows) or side-on (it has no width left) the width says nothing, and nothing is read.
fn hip_line_turn_from_width(signed_width: &[Option<f64>], left_axis: &[Option<Vec3>]) -> Vec<Option<f64>> {
    let mut full: Vec<f64> =
        signed_width.iter().zip(left_axis).filter_map(|(w, l)| Some(w.as_ref()?.abs() / l.as_ref()?.x.abs())).collect();
    let Some(full) = median_of(&mut full).filter(|w| *w > 0.0) else { return vec![None; signed_width.len()] };
    signed_width.iter().map(|w| w.map(|w| w.signum() * (w.abs() / full).min(1.0).acos().to_degrees())).collect()
}

/// One frame's skeleton in the person's own frame, for one working-leg hypothesis.
struct FrameGeometry<'a> {
    s: &'a Skeleton,
    /// The person's left axis (unit, horizontal).
    left: Vec3,
    /// The person's forward axis (unit, horizontal).
    forward: Vec3,
    working: Side,
    /// The torso's image length (px), from [`BaseSignals::torso_px`].
    torso_px: Option<f64>,
}

impl FrameGeometry<'_> {
    /// Mean visibility of the joints the leg and trunk signals use.
    fn visibility(&self) -> f64 {
        let [w_hip, w_knee, _, _] = self.working.leg();
        let [s_hip, s_knee, s_ankle, _] = self.working.other().leg();
        let joints = [w_hip, w_knee, s_hip, s_knee, s_ankle, self.working.shoulder(), self.working.other().shoulder()];
        joints.iter().map(|j| self.s.visibility(*j)).sum::<f64>() / joints.len() as f64
    }
}

impl SideSignals {
    /// Signals for `working` over `n` frames, all unknown (and visibility 0).
    pub fn unknown(working: Side, n: usize) -> SideSignals {
        let col = vec![None; n];
        let three = [col.clone(), col.clone(), col.clone()];
        SideSignals {
            working,
            trunk_forward: col.clone(),
            trunk_forward_img: col.clone(),
            trunk_away: col.clone(),
            trunk_away_img: col.clone(),
            pelvis_hike: col.clone(),
            pelvis_hike_img: col.clone(),
            pelvis_rotation: col.clone(),
            pelvis_rotation_img: col.clone(),
            torso_twist: col.clone(),
            support_knee: col.clone(),
            hip_extension: col.clone(),
            hip_abduction: col.clone(),
            hip_abduction_img: col.clone(),
            hip_extension_rel_trunk: col.clone(),
            heel_back_cm: col.clone(),
            heel_out_cm: col.clone(),
            support_heel_x_px: col.clone(),
            support_heel_y_px: col.clone(),
            support_foot_x_px: three.clone(),
            support_foot_y_px: three.clone(),
            support_foot_wx_cm: three.clone(),
            support_foot_wz_cm: three,
            support_knee_img: col,
            visibility: vec![0.0; n],
        }
    }

    /// The signals smoothed, except the standing foot's positions and the visibility (see
    /// [`SideSignals::support_foot_x_px`]).
    fn smoothed(self, t: &[f64], spec: &ExerciseSpec) -> SideSignals {
        let sm = |x: &[Option<f64>]| smooth(t, x, &spec.smoothing);
        SideSignals {
            working: self.working,
            trunk_forward: sm(&self.trunk_forward),
            trunk_forward_img: sm(&self.trunk_forward_img),
            trunk_away: sm(&self.trunk_away),
            trunk_away_img: sm(&self.trunk_away_img),
            pelvis_hike: sm(&self.pelvis_hike),
            pelvis_hike_img: sm(&self.pelvis_hike_img),
            pelvis_rotation: sm(&self.pelvis_rotation),
            pelvis_rotation_img: sm(&self.pelvis_rotation_img),
            torso_twist: sm(&self.torso_twist),
            support_knee: sm(&self.support_knee),
            hip_extension: sm(&self.hip_extension),
            hip_abduction: sm(&self.hip_abduction),
            hip_abduction_img: sm(&self.hip_abduction_img),
            hip_extension_rel_trunk: sm(&self.hip_extension_rel_trunk),
            heel_back_cm: sm(&self.heel_back_cm),
            heel_out_cm: sm(&self.heel_out_cm),
            support_heel_x_px: sm(&self.support_heel_x_px),
            support_heel_y_px: sm(&self.support_heel_y_px),
            support_knee_img: sm(&self.support_knee_img),
            support_foot_x_px: self.support_foot_x_px,
            support_foot_y_px: self.support_foot_y_px,
            support_foot_wx_cm: self.support_foot_wx_cm,
            support_foot_wz_cm: self.support_foot_wz_cm,
            visibility: self.visibility,
        }
    }

    /// Frame `i`'s trunk lean forward and sideways, in the world and in the image.
    fn trunk(&mut self, i: usize, g: &FrameGeometry) {
        let (s, l, f) = (g.s, g.left, g.forward);
        // Sign of the left axis pointing away from the machine (towards the support side).
        let away = g.working.other().sign();
        let hip_mid = s.world_mid(Joint::LeftHip, Joint::RightHip);
        let sh_mid = s.world_mid(Joint::LeftShoulder, Joint::RightShoulder);
        if let (Some(h), Some(sh)) = (hip_mid, sh_mid) {
            let tr = sh - h;
            self.trunk_forward[i] = Some(tr.dot(f).atan2(tr.dot(UP)).to_degrees());
            self.trunk_away[i] = Some((tr.dot(l) * away).atan2(tr.dot(UP)).to_degrees());
        }
        // Image trunk: image y is down, so up = −y; image x is world x (camera-aligned).
        if let (Some(h), Some(sh)) =
            (s.image_mid(Joint::LeftHip, Joint::RightHip), s.image_mid(Joint::LeftShoulder, Joint::RightShoulder))
        {
            let tr = sh - h;
            if f.x.abs() > 0.5 {
                self.trunk_forward_img[i] = Some((tr.x * f.x.signum()).atan2(-tr.y).to_degrees());
            }
            if l.x.abs() > 0.5 {
                self.trunk_away_img[i] = Some((tr.x * l.x.signum() * away).atan2(-tr.y).to_degrees());
            }
        }
    }

    /// Frame `i`'s hip line (hike, rotation) and the shoulder line's turn relative to it.
    fn pelvis(&mut self, i: usize, g: &FrameGeometry) {
        let (s, l, f, ws) = (g.s, g.left, g.forward, g.working.sign());
        let (working, support) = (g.working, g.working.other());
        let ([w_hip, ..], [s_hip, ..]) = (working.leg(), support.leg());
        if let (Some(wh), Some(sh)) = (s.world(w_hip), s.world(s_hip)) {
            let d = wh - sh;
            let horiz = Vec3::new(d.x, 0.0, d.z).norm();
            self.pelvis_hike[i] = Some(d.dot(UP).atan2(horiz).to_degrees());
            // Lines, not arrows: a hip or shoulder pair whose labels flip is the same line, so
            // yaws are folded into (−90°, 90°].
            let hip_yaw = fold_line_deg((-d.dot(f)).atan2(d.dot(l) * ws).to_degrees());
            self.pelvis_rotation[i] = Some(hip_yaw);
            if let (Some(wsh), Some(ssh)) = (s.world(working.shoulder()), s.world(support.shoulder())) {
                let e = wsh - ssh;
                let sh_yaw = (-e.dot(f)).atan2(e.dot(l) * ws).to_degrees();
                self.torso_twist[i] = Some(fold_line_deg(sh_yaw - hip_yaw));
            }
        }
        if let (Some(wh), Some(sh)) = (s.image(w_hip), s.image(s_hip)) {
            let d = wh - sh;
            // A hip line the model folds to a fraction of its width (both hips placed on one
            // another, as when it turns its reading of a back view round) has no tilt to read:
            // its angle swings through tens of degrees on a pixel's error.
            let folded = g.torso_px.is_some_and(|t| d.x.abs() < MIN_HIP_WIDTH_OVER_TORSO * t);
            if l.x.abs() > 0.5 && !folded {
                self.pelvis_hike_img[i] = Some((-d.y).atan2(d.x.abs()).to_degrees());
            }
            // Turned about 45° from the camera, the hip line's image width follows its turn
            // (see `hip_line_turn_from_width`): kept here as the width over the torso length,
            // signed by which way the working hip moving back turns the line (towards the image
            // plane when the backward axis and the hip line, working hip first, point the same
            // way across the image).
            let oblique = (OBLIQUE_AXIS_MIN..=OBLIQUE_AXIS_MAX).contains(&l.x.abs());
            if let Some(t) = g.torso_px.filter(|_| oblique && !folded) {
                let opens_towards_plane = -f.x * l.x * ws > 0.0;
                let width = d.x.abs() / t;
                // Towards the plane the angle shrinks as the hip goes back: read it negated.
                self.pelvis_rotation_img[i] = Some(if opens_towards_plane { -width } else { width });
            }
        }
    }

    /// Frame `i`'s working thigh (extension, abduction, in the world and the image) and heel.
    fn working_leg(&mut self, i: usize, g: &FrameGeometry) {
        let (s, l, f, ws) = (g.s, g.left, g.forward, g.working.sign());
        let [w_hip, w_knee, _, w_heel] = g.working.leg();
        if let (Some(h), Some(k)) = (s.image(w_hip), s.image(w_knee)) {
            // Seen from behind or in front, the thigh's outward angle lies in the image plane.
            if l.x.abs() > FRONTAL_FACING_MIN {
                let th = k - h;
                self.hip_abduction_img[i] = Some((th.x * l.x.signum() * ws).atan2(th.y).to_degrees());
            }
        }
        if let (Some(h), Some(k)) = (s.world(w_hip), s.world(w_knee)) {
            let th = k - h;
            let down = -th.dot(UP);
            let ext = (-th.dot(f)).atan2(down).to_degrees();
            self.hip_extension[i] = Some(ext);
            self.hip_abduction[i] = Some((th.dot(l) * ws).atan2(down).to_degrees());
            // Extension relative to the trunk line: a forward-tipped trunk already "uses up" part
            // of the thigh's angle behind vertical, so subtract the trunk's forward lean.
            if let Some(tf) = self.trunk_forward[i] {
                self.hip_extension_rel_trunk[i] = Some(ext - tf);
            }
        }
        if let (Some(h), Some(hh)) = (s.world(w_hip), s.world(w_heel)) {
            let d = hh - h;
            self.heel_back_cm[i] = Some(-d.dot(f) * 100.0);
            self.heel_out_cm[i] = Some(d.dot(l) * ws * 100.0);
        }
    }

    /// Frame `i`'s standing leg: knee flexion (world and image) and the foot's positions.
    fn support_leg(&mut self, i: usize, g: &FrameGeometry) {
        let (s, f) = (g.s, g.forward);
        let support = g.working.other();
        let [s_hip, s_knee, s_ankle, s_heel] = support.leg();
        if let (Some(h), Some(k), Some(a)) = (s.world(s_hip), s.world(s_knee), s.world(s_ankle)) {
            self.support_knee[i] = angle_between_deg(h - k, a - k).map(|a| 180.0 - a);
        }
        for (k, j) in support.foot().into_iter().enumerate() {
            self.support_foot_x_px[k][i] = s.image(j).map(|p| p.x);
            self.support_foot_y_px[k][i] = s.image(j).map(|p| p.y);
            if let (Some(p), Some(h)) = (s.world(j), s.world(s_hip)) {
                let d = p - h;
                // Horizontal: the vertical (UP) component is taken off.
                let d = d - UP * d.dot(UP);
                self.support_foot_wx_cm[k][i] = Some(d.x * 100.0);
                self.support_foot_wz_cm[k][i] = Some(d.z * 100.0);
            }
        }
        if let Some(p) = s.image(s_heel).or_else(|| s.image(s_ankle)) {
            self.support_heel_x_px[i] = Some(p.x);
            self.support_heel_y_px[i] = Some(p.y);
        }
        if let (Some(h), Some(k), Some(a)) = (s.image(s_hip), s.image(s_knee), s.image(s_ankle)) {
            // Side-on enough that the sagittal plane faces the camera.
            if f.x.abs() > SAGITTAL_FACING_MIN {
                let (th, sh) = (k - h, a - k);
                let cross = th.x * sh.y - th.y * sh.x;
                let ang = cross.atan2(th.x * sh.x + th.y * sh.y).to_degrees();
                // Image y is down: facing image-right (f.x > 0), a knee bent forward gives a
                // positive cross product of thigh and shin.
                self.support_knee_img[i] = Some(ang * f.x.signum());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::{ImagePoint, Pose, WorldPoint, NUM_LANDMARKS};

    #[test]
    fn the_machine_is_where_the_holding_hand_is_even_when_it_reaches_across() {
        // World landmarks of a person whose left axis is the world's +x: hips 0.2 m apart, the
        // right hand on its hip, the left hand held out to (x, 0.3 m in front) on the bar.
        let holding = |x: f32| {
            let image = [ImagePoint { x: 400.0, y: 500.0, z: 0.0, visibility: 1.0, presence: 1.0 }; NUM_LANDMARKS];
            let mut world = [WorldPoint::default(); NUM_LANDMARKS];
            let mut at = |j: Joint, x: f32, y: f32, z: f32| world[j as usize] = WorldPoint { x, y, z };
            at(Joint::LeftHip, 0.1, 0.0, 0.0);
            at(Joint::RightHip, -0.1, 0.0, 0.0);
            at(Joint::RightWrist, -0.18, 0.0, -0.05);
            at(Joint::LeftWrist, x, -0.1, -0.3);
            let s = Skeleton::from_pose(&Pose { image, world }, 0.5);
            let base = BaseSignals {
                skeletons: vec![Some(s); 5],
                left_axis: vec![Some(Vec3::new(1.0, 0.0, 0.0)); 5],
                t: (0..5).map(f64::from).collect(),
                ..Default::default()
            };
            machine_side(&base, 0, 5, 0.08)
        };
        // Held out on its own side: the machine is on the left.
        assert_eq!(holding(0.3), Some(Side::Left));
        // Reaching across the body to a column on the right: the machine is on the right.
        assert_eq!(holding(-0.3), Some(Side::Right));
        // In front of the midline: the hand's own side.
        assert_eq!(holding(0.0), Some(Side::Left));
    }

    /// A person turned 45° from the camera with the left leg working, whose hip line (40 px
    /// wide facing the camera, orthographic image) has turned the working hip back by `turn_deg`.
    fn hips_turned(turn_deg: f64) -> (Pose, Vec3) {
        let left = Vec3::new(1.0, 0.0, 1.0).unit().expect("unit");
        let backward = UP.cross(left);
        let t = turn_deg.to_radians();
        let hip_line = left * t.cos() + backward * t.sin();
        let mut image = [ImagePoint { x: 0.0, y: 0.0, z: 0.0, visibility: 1.0, presence: 1.0 }; NUM_LANDMARKS];
        let (w, s) = (Joint::LeftHip as usize, Joint::RightHip as usize);
        image[w].x = (400.0 + 20.0 * hip_line.x) as f32;
        image[s].x = (400.0 - 20.0 * hip_line.x) as f32;
        image[w].y = 500.0;
        image[s].y = 500.0;
        (Pose { image, world: [WorldPoint::default(); NUM_LANDMARKS] }, left)
    }

    /// The turn read from the hip line's width, relative to the line at rest, for a person whose
    /// hips turned by `turn_deg` (the set: three frames at rest, then one turned).
    fn rotation_img(turn_deg: f64) -> f64 {
        let mut sig = SideSignals::unknown(Side::Left, 4);
        let mut axes = Vec::new();
        for (i, turn) in [0.0, 0.0, 0.0, turn_deg].into_iter().enumerate() {
            let (pose, left) = hips_turned(turn);
            let s = Skeleton::from_pose(&pose, 0.5);
            let g = FrameGeometry { s: &s, left, forward: left.cross(UP), working: Side::Left, torso_px: Some(120.0) };
            sig.pelvis(i, &g);
            axes.push(Some(left));
        }
        let read = hip_line_turn_from_width(&sig.pelvis_rotation_img, &axes);
        read[3].expect("read at 45°") - read[0].expect("read at 45°")
    }

    #[test]
    fn at_45_degrees_the_hip_lines_image_width_reads_its_turn() {
        // Most of a set's frames are at rest, so the median of width / cos(angle) is the hips'
        // full width and the turn is read exactly.
        for (turn, tolerance) in [(5.0, 0.01), (10.0, 0.01), (15.0, 0.01)] {
            let read = rotation_img(turn);
            assert!((read - turn).abs() < tolerance, "turned {turn}°, read {read:.1}°");
            let back = rotation_img(-turn);
            assert!((back + turn).abs() < tolerance, "turned {}°, read {back:.1}°", -turn);
        }
    }
}
