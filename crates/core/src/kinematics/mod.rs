//! Kinematics: a visibility-aware skeleton per frame, left/right leg-swap repair, and the
//! body-frame signals over time (angles in degrees, lengths in cm) the rep and rule stages read.
//!
//! World landmarks are BlazePose's: metres, camera-aligned axes (x image-right, y down,
//! z away from the camera), origin at the hip midpoint. "Up" is therefore −y (the camera is
//! assumed roughly level), and the person's facing is estimated from the hip and shoulder lines.

mod base_signals;
mod facing;
mod geometry;
mod side_signals;
mod skeleton;
mod swaps;

pub use base_signals::{base_signals, BaseSignals, RepSignal};
pub use geometry::{angle_between_deg, Vec3};
pub use side_signals::{machine_side, side_signals, SideSignals};
pub use skeleton::Skeleton;
pub use swaps::repair_leg_swaps;

use crate::landmarks::Joint;
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

    /// 0 for left, 1 for right: the side's slot in a pair.
    pub(crate) fn index(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }

    /// +1 for left, −1 for right (the sign of the person's left axis).
    pub(crate) fn sign(self) -> f64 {
        match self {
            Side::Left => 1.0,
            Side::Right => -1.0,
        }
    }

    /// Hip, knee, ankle, heel of this side.
    pub(crate) fn leg(self) -> [Joint; 4] {
        match self {
            Side::Left => [Joint::LeftHip, Joint::LeftKnee, Joint::LeftAnkle, Joint::LeftHeel],
            Side::Right => [Joint::RightHip, Joint::RightKnee, Joint::RightAnkle, Joint::RightHeel],
        }
    }

    /// Heel, ankle and toe (foot index) of this side: the three witnesses of where the foot is.
    pub(crate) fn foot(self) -> [Joint; 3] {
        match self {
            Side::Left => [Joint::LeftHeel, Joint::LeftAnkle, Joint::LeftFootIndex],
            Side::Right => [Joint::RightHeel, Joint::RightAnkle, Joint::RightFootIndex],
        }
    }

    /// The shoulder of this side.
    pub(crate) fn shoulder(self) -> Joint {
        match self {
            Side::Left => Joint::LeftShoulder,
            Side::Right => Joint::RightShoulder,
        }
    }
}
