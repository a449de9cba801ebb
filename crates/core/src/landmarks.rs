//! Per-frame pose landmarks: the plain data that flows from the pose stage to the rule engine.
//!
//! The 33 points follow BlazePose's topology. The JSONL form (one frame per line) is the schema
//! of the reference peer (`shared/tools/peer/README.md`): `landmarks` are `[x_px, y_px, z, visibility]`,
//! `world` are `[x, y, z]` metres with the origin at the hip midpoint, both `null` when no person.

use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

/// Number of landmarks BlazePose predicts.
pub const NUM_LANDMARKS: usize = 33;

/// A BlazePose landmark, by name. `Left`/`Right` are the person's own sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Joint {
    Nose = 0,
    LeftEyeInner,
    LeftEye,
    LeftEyeOuter,
    RightEyeInner,
    RightEye,
    RightEyeOuter,
    LeftEar,
    RightEar,
    MouthLeft,
    MouthRight,
    LeftShoulder,
    RightShoulder,
    LeftElbow,
    RightElbow,
    LeftWrist,
    RightWrist,
    LeftPinky,
    RightPinky,
    LeftIndex,
    RightIndex,
    LeftThumb,
    RightThumb,
    LeftHip,
    RightHip,
    LeftKnee,
    RightKnee,
    LeftAnkle,
    RightAnkle,
    LeftHeel,
    RightHeel,
    LeftFootIndex,
    RightFootIndex,
}

impl Joint {
    /// All joints in BlazePose index order.
    pub const ALL: [Joint; NUM_LANDMARKS] = [
        Joint::Nose,
        Joint::LeftEyeInner,
        Joint::LeftEye,
        Joint::LeftEyeOuter,
        Joint::RightEyeInner,
        Joint::RightEye,
        Joint::RightEyeOuter,
        Joint::LeftEar,
        Joint::RightEar,
        Joint::MouthLeft,
        Joint::MouthRight,
        Joint::LeftShoulder,
        Joint::RightShoulder,
        Joint::LeftElbow,
        Joint::RightElbow,
        Joint::LeftWrist,
        Joint::RightWrist,
        Joint::LeftPinky,
        Joint::RightPinky,
        Joint::LeftIndex,
        Joint::RightIndex,
        Joint::LeftThumb,
        Joint::RightThumb,
        Joint::LeftHip,
        Joint::RightHip,
        Joint::LeftKnee,
        Joint::RightKnee,
        Joint::LeftAnkle,
        Joint::RightAnkle,
        Joint::LeftHeel,
        Joint::RightHeel,
        Joint::LeftFootIndex,
        Joint::RightFootIndex,
    ];

    /// Position of this joint in BlazePose's output arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The joint with BlazePose index `i`, if there is one.
    pub fn from_index(i: usize) -> Option<Joint> {
        Self::ALL.get(i).copied()
    }

    /// The same joint on the other side of the body (the nose mirrors to itself).
    pub fn mirrored(self) -> Joint {
        use Joint::*;
        match self {
            Nose => Nose,
            LeftEyeInner => RightEyeInner,
            LeftEye => RightEye,
            LeftEyeOuter => RightEyeOuter,
            RightEyeInner => LeftEyeInner,
            RightEye => LeftEye,
            RightEyeOuter => LeftEyeOuter,
            LeftEar => RightEar,
            RightEar => LeftEar,
            MouthLeft => MouthRight,
            MouthRight => MouthLeft,
            LeftShoulder => RightShoulder,
            RightShoulder => LeftShoulder,
            LeftElbow => RightElbow,
            RightElbow => LeftElbow,
            LeftWrist => RightWrist,
            RightWrist => LeftWrist,
            LeftPinky => RightPinky,
            RightPinky => LeftPinky,
            LeftIndex => RightIndex,
            RightIndex => LeftIndex,
            LeftThumb => RightThumb,
            RightThumb => LeftThumb,
            LeftHip => RightHip,
            RightHip => LeftHip,
            LeftKnee => RightKnee,
            RightKnee => LeftKnee,
            LeftAnkle => RightAnkle,
            RightAnkle => LeftAnkle,
            LeftHeel => RightHeel,
            RightHeel => LeftHeel,
            LeftFootIndex => RightFootIndex,
            RightFootIndex => LeftFootIndex,
        }
    }

    /// snake_case name, as in the reports.
    pub fn name(self) -> &'static str {
        JOINT_NAMES[self.index()]
    }
}

const JOINT_NAMES: [&str; NUM_LANDMARKS] = [
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
];

/// One landmark in image space.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ImagePoint {
    /// Pixels from the left edge of the decoded (rotation-corrected) frame; may lie outside it.
    pub x: f32,
    /// Pixels from the top edge.
    pub y: f32,
    /// BlazePose's relative depth (roughly on the scale of normalised x; smaller = nearer the camera).
    pub z: f32,
    /// Probability in [0, 1] that the point is visible (not occluded) and in frame.
    pub visibility: f32,
    /// Probability in [0, 1] that the point is inside the frame.
    pub presence: f32,
}

/// One landmark in metric 3D space, origin at the hip midpoint (BlazePose world landmarks).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WorldPoint {
    /// Metres, positive towards the image's right.
    pub x: f32,
    /// Metres, positive downwards.
    pub y: f32,
    /// Metres, positive away from the camera.
    pub z: f32,
}

/// The landmarks of one person in one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Pose {
    /// Image landmarks, indexed by [`Joint::index`].
    pub image: [ImagePoint; NUM_LANDMARKS],
    /// World landmarks, indexed by [`Joint::index`].
    pub world: [WorldPoint; NUM_LANDMARKS],
}

impl Pose {
    /// Image landmark of a joint.
    pub fn image_point(&self, joint: Joint) -> ImagePoint {
        self.image[joint.index()]
    }

    /// World landmark of a joint.
    pub fn world_point(&self, joint: Joint) -> WorldPoint {
        self.world[joint.index()]
    }
}

/// The joints of the 17 COCO keypoints (MoveNet's output order) in BlazePose's slots.
pub const COCO17_JOINTS: [Joint; 17] = [
    Joint::Nose,
    Joint::LeftEye,
    Joint::RightEye,
    Joint::LeftEar,
    Joint::RightEar,
    Joint::LeftShoulder,
    Joint::RightShoulder,
    Joint::LeftElbow,
    Joint::RightElbow,
    Joint::LeftWrist,
    Joint::RightWrist,
    Joint::LeftHip,
    Joint::RightHip,
    Joint::LeftKnee,
    Joint::RightKnee,
    Joint::LeftAnkle,
    Joint::RightAnkle,
];

impl Pose {
    /// What a 17-keypoint, image-only pose model (MoveNet) would give of this pose: the COCO
    /// joints' image points (depth 0), every other joint absent and no world landmarks. Lets the
    /// rendered corpus measure what the rules can do without 3D and feet, apart from how well
    /// such a model places its points.
    pub fn keypoints_only(&self) -> Pose {
        let nan = WorldPoint { x: f32::NAN, y: f32::NAN, z: f32::NAN };
        let mut out = Pose { image: [ImagePoint::default(); NUM_LANDMARKS], world: [nan; NUM_LANDMARKS] };
        for j in COCO17_JOINTS {
            out.image[j.index()] = ImagePoint { z: 0.0, ..self.image[j.index()] };
        }
        out
    }
}

/// What the pose stage saw in one decoded frame.
#[derive(Clone, Debug, PartialEq)]
pub struct PoseFrame {
    /// 0-based index of the decoded frame.
    pub index: u64,
    /// Presentation time in seconds from the container (variable frame rate is kept).
    pub t_s: f64,
    /// Width of the decoded frame in pixels (after rotation metadata is applied).
    pub width: u32,
    /// Height of the decoded frame in pixels.
    pub height: u32,
    /// The tracked person, or `None` when nobody was found.
    pub pose: Option<Pose>,
}

/// Errors reading or writing landmark JSONL.
#[derive(Debug, thiserror::Error)]
pub enum LandmarkIoError {
    /// The underlying reader or writer failed.
    #[error("landmark file I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A line is not valid JSON of the expected shape.
    #[error("line {line}: {source}")]
    Json {
        /// 1-based line number.
        line: usize,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// A line has the wrong number of landmarks.
    #[error("line {line}: expected {NUM_LANDMARKS} {what} landmarks, found {found}")]
    Count {
        /// 1-based line number.
        line: usize,
        /// `image` or `world`.
        what: &'static str,
        /// How many were there.
        found: usize,
    },
}

/// The JSON form of one frame (the peer's schema).
#[derive(Serialize, Deserialize)]
struct FrameLine {
    frame: u64,
    t_ms: f64,
    width: u32,
    height: u32,
    landmarks: Option<Vec<[f32; 4]>>,
    world: Option<Vec<[f32; 3]>>,
    /// Our extra key: per-landmark presence (ignored by the peer's tools).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    presence: Option<Vec<f32>>,
}

fn round_to(v: f32, digits: i32) -> f32 {
    let scale = 10f64.powi(digits);
    ((v as f64 * scale).round() / scale) as f32
}

impl PoseFrame {
    /// Serialises this frame as one JSONL line (without the trailing newline).
    pub fn to_json_line(&self) -> String {
        let line = FrameLine {
            frame: self.index,
            t_ms: (self.t_s * 1000.0 * 1000.0).round() / 1000.0,
            width: self.width,
            height: self.height,
            landmarks: self.pose.as_ref().map(|p| {
                p.image
                    .iter()
                    .map(|l| [round_to(l.x, 3), round_to(l.y, 3), round_to(l.z, 5), round_to(l.visibility, 5)])
                    .collect()
            }),
            // A model without 3D (MoveNet) leaves the world landmarks NaN: written as absent.
            world: self
                .pose
                .as_ref()
                .filter(|p| p.world.iter().all(|w| w.x.is_finite() && w.y.is_finite() && w.z.is_finite()))
                .map(|p| p.world.iter().map(|w| [round_to(w.x, 5), round_to(w.y, 5), round_to(w.z, 5)]).collect()),
            presence: self.pose.as_ref().map(|p| p.image.iter().map(|l| round_to(l.presence, 5)).collect()),
        };
        // Serialising plain numbers and vectors cannot fail.
        serde_json::to_string(&line).unwrap_or_default()
    }

    /// Parses one JSONL line. `line_no` (1-based) is used in errors.
    pub fn from_json_line(text: &str, line_no: usize) -> Result<PoseFrame, LandmarkIoError> {
        let line: FrameLine =
            serde_json::from_str(text).map_err(|source| LandmarkIoError::Json { line: line_no, source })?;
        let pose = match (line.landmarks, line.world) {
            (Some(img), world) => {
                if img.len() != NUM_LANDMARKS {
                    return Err(LandmarkIoError::Count { line: line_no, what: "image", found: img.len() });
                }
                // Absent world landmarks stay NaN, so nothing reads them as the origin.
                let nan = WorldPoint { x: f32::NAN, y: f32::NAN, z: f32::NAN };
                let mut pose = Pose { image: [ImagePoint::default(); NUM_LANDMARKS], world: [nan; NUM_LANDMARKS] };
                for (dst, src) in pose.image.iter_mut().zip(&img) {
                    *dst = ImagePoint { x: src[0], y: src[1], z: src[2], visibility: src[3], presence: 1.0 };
                }
                if let Some(presence) = line.presence.filter(|p| p.len() == NUM_LANDMARKS) {
                    for (dst, p) in pose.image.iter_mut().zip(presence) {
                        dst.presence = p;
                    }
                }
                if let Some(world) = world {
                    if world.len() != NUM_LANDMARKS {
                        return Err(LandmarkIoError::Count { line: line_no, what: "world", found: world.len() });
                    }
                    for (dst, src) in pose.world.iter_mut().zip(&world) {
                        *dst = WorldPoint { x: src[0], y: src[1], z: src[2] };
                    }
                }
                Some(pose)
            }
            (None, _) => None,
        };
        Ok(PoseFrame { index: line.frame, t_s: line.t_ms / 1000.0, width: line.width, height: line.height, pose })
    }
}

/// Reads a whole landmark JSONL stream (blank lines are skipped).
pub fn read_jsonl(reader: impl BufRead) -> Result<Vec<PoseFrame>, LandmarkIoError> {
    let mut frames = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        frames.push(PoseFrame::from_json_line(&line, i + 1)?);
    }
    Ok(frames)
}

/// Writes frames as JSONL, one line each.
pub fn write_jsonl<'a>(
    mut writer: impl Write,
    frames: impl IntoIterator<Item = &'a PoseFrame>,
) -> Result<(), LandmarkIoError> {
    for frame in frames {
        writeln!(writer, "{}", frame.to_json_line())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joint_indices_match_blazepose_order() {
        for (i, j) in Joint::ALL.iter().enumerate() {
            assert_eq!(j.index(), i);
            assert_eq!(Joint::from_index(i), Some(*j));
        }
        assert_eq!(Joint::LeftShoulder.index(), 11);
        assert_eq!(Joint::RightHip.index(), 24);
        assert_eq!(Joint::RightFootIndex.index(), 32);
        assert_eq!(Joint::from_index(33), None);
    }

    #[test]
    fn mirroring_is_an_involution_that_swaps_sides() {
        for j in Joint::ALL {
            assert_eq!(j.mirrored().mirrored(), j);
            if j != Joint::Nose {
                assert_ne!(j.mirrored(), j);
                assert_eq!(j.name().starts_with("left"), j.mirrored().name().starts_with("right"));
            }
        }
    }

    #[test]
    fn jsonl_round_trip_keeps_pose_and_null_frames() {
        let mut pose =
            Pose { image: [ImagePoint::default(); NUM_LANDMARKS], world: [WorldPoint::default(); NUM_LANDMARKS] };
        pose.image[Joint::LeftHip.index()] =
            ImagePoint { x: 10.5, y: 20.25, z: -0.125, visibility: 0.875, presence: 0.5 };
        pose.world[Joint::LeftHip.index()] = WorldPoint { x: 0.1, y: -0.2, z: 0.3 };
        let frames = vec![
            PoseFrame { index: 0, t_s: 0.0, width: 640, height: 480, pose: Some(pose) },
            PoseFrame { index: 1, t_s: 0.033, width: 640, height: 480, pose: None },
        ];
        let mut buf = Vec::new();
        write_jsonl(&mut buf, &frames).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.lines().nth(1).unwrap().contains("\"landmarks\":null"));
        let back = read_jsonl(text.as_bytes()).unwrap();
        assert_eq!(back, frames);
    }

    #[test]
    fn wrong_landmark_count_is_a_clear_error() {
        let line = r#"{"frame":0,"t_ms":0,"width":1,"height":1,"landmarks":[[0,0,0,1]],"world":null}"#;
        let err = PoseFrame::from_json_line(line, 7).unwrap_err();
        assert!(err.to_string().contains("line 7"), "{err}");
    }
}
