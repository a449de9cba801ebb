//! Body geometry: a small 3D vector, angles between vectors and between lines.

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
pub(crate) const UP: Vec3 = Vec3::new(0.0, -1.0, 0.0);

/// Folds an angle between two undirected lines into (−90°, 90°].
pub(crate) fn fold_line_deg(a: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
