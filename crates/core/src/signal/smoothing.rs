//! Smoothing and time windows over signals sampled at (possibly irregular) frame times.

use crate::signal::median_of;
use crate::spec::SmoothingSpec;

/// Robust smoothing of a signal sampled at (possibly irregular) times `t`:
/// a running median over ±`median_half_window_s` removes outliers, gaps up to `max_gap_s` are
/// bridged linearly, then a forward-backward exponential smoother (time constant `smooth_tau_s`,
/// dt-aware so variable frame rates are fine) removes jitter without shifting peaks in time.
pub fn smooth(t: &[f64], x: &[Option<f64>], spec: &SmoothingSpec) -> Vec<Option<f64>> {
    let n = x.len().min(t.len());
    let x: Vec<Option<f64>> = x[..n].iter().map(|v| v.filter(|v| v.is_finite())).collect();
    // Running median, at the known frames.
    let mut med: Vec<Option<f64>> =
        running_median(t, &x, spec.median_half_window_s).into_iter().zip(&x).map(|(m, v)| v.and(m)).collect();
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

/// The median of the known values within ±`half` s of each frame (`None` where there are none).
pub(crate) fn running_median(t: &[f64], x: &[Option<f64>], half: f64) -> Vec<Option<f64>> {
    let n = x.len().min(t.len());
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut buf = Vec::new();
    (0..n)
        .map(|i| {
            slide_window(t, i, half, n, &mut lo, &mut hi);
            buf.clear();
            buf.extend(x[lo..=hi].iter().flatten());
            median_of(&mut buf)
        })
        .collect()
}

/// Moves `lo..=hi` (indices into the first `n` times `t`) to the frames within ±`half` s of frame
/// `i`; both ends only move forward, so a pass over all frames is linear.
pub(crate) fn slide_window(t: &[f64], i: usize, half: f64, n: usize, lo: &mut usize, hi: &mut usize) {
    while *lo < i && t[*lo] < t[i] - half {
        *lo += 1;
    }
    *hi = (*hi).max(i);
    while *hi + 1 < n && t[*hi + 1] <= t[i] + half {
        *hi += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> SmoothingSpec {
        SmoothingSpec { median_half_window_s: 0.07, smooth_tau_s: 0.04, max_gap_s: 0.3, facing_half_window_s: 2.0 }
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
}
