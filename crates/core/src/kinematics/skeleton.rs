//! One frame's landmarks as a skeleton: joints below the visibility floor (or with non-finite
//! coordinates) are `None`.

use crate::kinematics::Vec3;
use crate::landmarks::{Joint, Pose};

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

    pub(crate) fn world_mid(&self, a: Joint, b: Joint) -> Option<Vec3> {
        Some(self.world(a)?.mid(self.world(b)?))
    }

    pub(crate) fn image_mid(&self, a: Joint, b: Joint) -> Option<Vec3> {
        Some(self.image(a)?.mid(self.image(b)?))
    }
}
