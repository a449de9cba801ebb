//! Readings of a signal over one rep: its baseline before the rep, its sustained peak, its change
//! over the top of the rep, and how much of the rep it covers.

use crate::reps::RepSegment;
use crate::signal::{median_of, Track};

/// A metric with where it peaked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Measure {
    pub(super) value: f64,
    pub(super) at: usize,
}

/// Median of the signal over the baseline window before `start` (falls back to the value at start).
pub(super) fn baseline(x: Track, start: usize, window_s: f64) -> Option<f64> {
    let (t, x) = (x.times(), x.values());
    let t0 = *t.get(start)?;
    let mut buf: Vec<f64> = Vec::new();
    let mut k = start as isize;
    while k >= 0 {
        let ku = k as usize;
        if t0 - t[ku] > window_s {
            break;
        }
        if let Some(v) = x.get(ku).copied().flatten() {
            buf.push(v);
        }
        k -= 1;
    }
    if buf.is_empty() {
        // Nothing before the start: use the first known value of the rep.
        return x.get(start..).and_then(|s| s.iter().flatten().next().copied());
    }
    median_of(&mut buf)
}

/// Largest value that the signal (minus `base`) holds for at least `min_dur` seconds within
/// `lo..=hi`; robust to single-frame spikes that survived smoothing.
pub(super) fn sustained_peak(x: Track, base: f64, lo: usize, hi: usize, min_dur: f64) -> Option<Measure> {
    let (t, x) = (x.times(), x.values());
    let hi = hi.min(x.len().saturating_sub(1)).min(t.len().saturating_sub(1));
    let mut best: Option<Measure> = None;
    for k in lo..=hi {
        let mut m = f64::INFINITY;
        let mut any = false;
        let mut j = k;
        while j <= hi {
            if let Some(v) = x[j] {
                m = m.min(v - base);
                any = true;
            }
            if t[j] - t[k] >= min_dur {
                break;
            }
            j += 1;
        }
        if any && best.is_none_or(|b| m > b.value) {
            best = Some(Measure { value: m, at: k });
        }
    }
    best
}

/// Median over the top of the rep (the pause, at least ±`top_half_s` around the peak) minus the
/// median over the baseline window before the start.
pub(super) fn top_change(x: Track, rep: &RepSegment, window_s: f64, top_half_s: f64) -> Option<Measure> {
    let b = baseline(x, rep.start, window_s)?;
    let (t, x) = (x.times(), x.values());
    let tp = *t.get(rep.peak)?;
    let (t0, t1) = (t.get(rep.pause_start)?.min(tp - top_half_s), t.get(rep.pause_end)?.max(tp + top_half_s));
    let mut v: Vec<f64> = (rep.start..=rep.end)
        .filter(|&k| t.get(k).is_some_and(|tk| (t0..=t1).contains(tk)))
        .filter_map(|k| x.get(k).copied().flatten())
        .collect();
    Some(Measure { value: median_of(&mut v)? - b, at: rep.peak })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sustained_peak_ignores_one_frame_spikes() {
        let t: Vec<f64> = (0..30).map(|i| i as f64 / 30.0).collect();
        let mut x: Vec<Option<f64>> = vec![Some(1.0); 30];
        x[10] = Some(50.0);
        for v in x.iter_mut().skip(20).take(6) {
            *v = Some(12.0);
        }
        let m = sustained_peak(Track::new(&t, &x), 1.0, 0, 29, 0.1).unwrap();
        assert!((m.value - 11.0).abs() < 1e-9, "{m:?}");
        assert_eq!(m.at, 20);
        assert!(sustained_peak(Track::new(&t, &[None; 30]), 0.0, 0, 29, 0.1).is_none());
    }

    #[test]
    fn baseline_uses_the_window_before_start() {
        let t: Vec<f64> = (0..10).map(|i| i as f64 * 0.1).collect();
        let x: Vec<Option<f64>> = (0..10).map(|i| Some(if i < 5 { 2.0 } else { 9.0 })).collect();
        assert_eq!(baseline(Track::new(&t, &x), 4, 0.3), Some(2.0));
        assert_eq!(baseline(Track::new(&t, &[None; 10]), 4, 0.3), None);
    }
}
