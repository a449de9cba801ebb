//! Leg-specific signals for one hypothesis of which leg works: trunk, pelvis, standing knee and
//! foot, working thigh and heel; and which side the machine is on.

use crate::kinematics::geometry::{fold_line_deg, UP};
use crate::kinematics::{angle_between_deg, BaseSignals, Side, Vec3};
use crate::landmarks::Joint;
use crate::signal::{median_of, smooth};
use crate::spec::ExerciseSpec;

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
