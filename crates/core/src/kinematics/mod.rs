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
use std::ops::{Index, IndexMut};

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
    /// Both sides, left first.
    pub const BOTH: [Side; 2] = [Side::Left, Side::Right];

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

/// One value per side, indexed by [`Side`]: a pair of left and right readings without the
/// `_left`/`_right` field pairs and the `match side` blocks they force.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerSide<T> {
    /// The person's left side.
    pub left: T,
    /// The person's right side.
    pub right: T,
}

impl<T> PerSide<T> {
    /// Both sides from a function of the side (left first).
    pub fn from_fn(mut f: impl FnMut(Side) -> T) -> PerSide<T> {
        let left = f(Side::Left);
        PerSide { left, right: f(Side::Right) }
    }

    /// Both sides as references.
    pub fn as_ref(&self) -> PerSide<&T> {
        PerSide { left: &self.left, right: &self.right }
    }

    /// Each side mapped through `f` (left first).
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> PerSide<U> {
        let left = f(self.left);
        PerSide { left, right: f(self.right) }
    }
}

impl<T> Index<Side> for PerSide<T> {
    type Output = T;
    fn index(&self, side: Side) -> &T {
        match side {
            Side::Left => &self.left,
            Side::Right => &self.right,
        }
    }
}

impl<T> IndexMut<Side> for PerSide<T> {
    fn index_mut(&mut self, side: Side) -> &mut T {
        match side {
            Side::Left => &mut self.left,
            Side::Right => &mut self.right,
        }
    }
}
