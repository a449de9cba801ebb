//! A signal over time: frame times and values kept together.

/// One signal over a sequence: each frame's time (s) and value, `None` where the value is unknown
/// (not seen, not measurable from the view). Times and values always have the same length, so
/// an index is a frame of both.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Track<'a> {
    t: &'a [f64],
    values: &'a [Option<f64>],
}

impl<'a> Track<'a> {
    /// Pairs frame times and values; the longer of the two is cut to the other's length.
    pub fn new(t: &'a [f64], values: &'a [Option<f64>]) -> Track<'a> {
        let n = t.len().min(values.len());
        Track { t: &t[..n], values: &values[..n] }
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.t.len()
    }

    /// Whether there are no frames.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// Frame times (s).
    pub fn times(&self) -> &'a [f64] {
        self.t
    }

    /// Per-frame values, `None` where unknown.
    pub fn values(&self) -> &'a [Option<f64>] {
        self.values
    }

    /// The value at frame `i`, `None` where unknown or past the end.
    pub fn value(&self, i: usize) -> Option<f64> {
        self.values.get(i).copied().flatten()
    }

    /// Fraction of the frames in `lo..=hi` (cut to the track) where the value is known; 0 for
    /// none.
    pub fn coverage(&self, lo: usize, hi: usize) -> f64 {
        let x = self.values;
        let s = x.get(lo..=hi.min(x.len().saturating_sub(1))).unwrap_or(&[]);
        if s.is_empty() {
            return 0.0;
        }
        s.iter().filter(|v| v.is_some()).count() as f64 / s.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_values_keep_one_length() {
        let t = [0.0, 0.1, 0.2];
        let x = [Some(1.0), None];
        let tr = Track::new(&t, &x);
        assert_eq!((tr.len(), tr.times().len(), tr.values().len()), (2, 2, 2));
        assert_eq!((tr.value(0), tr.value(1), tr.value(5)), (Some(1.0), None, None));
        assert_eq!(tr.coverage(0, 9), 0.5);
        assert_eq!(Track::new(&[], &[]).coverage(0, 3), 0.0);
    }
}
