//! Robust statistics over signal values: medians and percentiles that skip unknown and
//! non-finite values.

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

/// How widely the known values spread: their 90th minus their 10th percentile, which one
/// outlying frame cannot set. `None` when there are none.
pub fn spread(values: impl IntoIterator<Item = f64> + Clone) -> Option<f64> {
    Some(percentile(values.clone(), 90.0)? - percentile(values, 10.0)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_and_median_handle_nan_and_empty() {
        assert_eq!(percentile(Vec::<f64>::new(), 50.0), None);
        assert_eq!(percentile(vec![3.0, f64::NAN, 1.0, 2.0], 50.0), Some(2.0));
        assert_eq!(median_of(&mut []), None);
        assert_eq!(median_of(&mut [4.0, 1.0]), Some(2.5));
        assert_eq!(spread((0..=10).map(f64::from)), Some(8.0));
        assert_eq!(spread(Vec::<f64>::new()), None);
    }
}
