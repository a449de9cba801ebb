//! Trends across a person's sessions: per check (its metric per rep) and per tempo phase, each
//! session's median, and whether the latest session is better, the same or worse than the ones
//! before, judged against the person's own rep-to-rep spread rather than a fixed step.

use super::store::SessionRow;
use formcheck_core::report::Metric;
use formcheck_core::signal::median_of;
use formcheck_core::spec::{Comparison, ExerciseSpec};
use serde::Serialize;

/// How far (in standard errors of the difference) the latest session must move to count as a change:
/// about a 5 % chance of calling noise a change.
pub const CHANGE_Z: f64 = 2.0;

/// Which way is better for a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Smaller values are better (a fault above a threshold).
    Lower,
    /// Larger values are better (a longer pause, a slower return).
    Higher,
}

/// The latest session against the earlier ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Moved the better way by more than the person's own noise.
    Better,
    /// Within the person's own noise.
    Same,
    /// Moved the worse way by more than the person's own noise.
    Worse,
    /// Fewer than two sessions with readings.
    TooFewSessions,
}

/// One series over the sessions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    /// What it follows: a check id, `top_pause_s` or `return_s`.
    pub name: String,
    /// The metric read per rep (for a check).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Unit of the values.
    pub unit: String,
    /// Which way is better.
    pub better: Better,
    /// Per session (oldest first): the median over its full reps, `null` when none was measured.
    pub sessions: Vec<Option<f64>>,
    /// The same per session for left-leg reps.
    pub left: Vec<Option<f64>>,
    /// The same per session for right-leg reps.
    pub right: Vec<Option<f64>>,
    /// Latest session's mean minus the earlier sessions' mean.
    pub change: Option<f64>,
    /// That change over its standard error (from the person's pooled rep-to-rep spread).
    pub z: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
}

/// The trends of every check of `spec` and of the tempo over `sessions` (oldest first).
pub fn trends(sessions: &[SessionRow], spec: &ExerciseSpec) -> Vec<Trend> {
    let mut out = Vec::new();
    for check in &spec.checks {
        let name = check.metric.as_str();
        let better = match check.comparison {
            Comparison::Above => Better::Lower,
            Comparison::Below => Better::Higher,
        };
        let id = check.id.as_str();
        // A reading from a view that cannot measure the check is no reading of it.
        let shown: Vec<bool> = sessions.iter().map(|s| !s.unmeasurable.iter().any(|c| c == id)).collect();
        let read = |rep: &super::store::RepRow| rep.metrics.iter().find(|(m, _)| m == name).and_then(|(_, v)| *v);
        out.push(series(id, Some(check.metric), better, sessions, &shown, read));
    }
    let all = vec![true; sessions.len()];
    out.push(series("top_pause_s", None, Better::Higher, sessions, &all, |r| Some(r.top_pause_s)));
    out.push(series("return_s", None, Better::Higher, sessions, &all, |r| Some(r.return_s)));
    out
}

/// One series: per-session medians (all reps, and per leg) over the sessions whose view `shown`
/// it, and the verdict on the latest session. A check's readings carry its view's bias, so the
/// verdict compares the latest session with the earlier ones filmed from the same view.
fn series(
    name: &str,
    metric: Option<Metric>,
    better: Better,
    sessions: &[SessionRow],
    shown: &[bool],
    read: impl Fn(&super::store::RepRow) -> Option<f64>,
) -> Trend {
    let values = |side: Option<&str>| -> Vec<Vec<f64>> {
        sessions
            .iter()
            .zip(shown)
            .map(|(s, shown)| {
                if !shown {
                    return Vec::new();
                }
                s.reps
                    .iter()
                    .filter(|r| side.is_none_or(|side| r.side == side))
                    .filter_map(&read)
                    .filter(|v| v.is_finite())
                    .collect()
            })
            .collect()
    };
    let all = values(None);
    let comparable: Vec<Vec<f64>> = match (metric, sessions.iter().zip(&all).rev().find(|(_, v)| !v.is_empty())) {
        (Some(_), Some((latest, _))) => {
            sessions.iter().zip(&all).map(|(s, v)| if s.view == latest.view { v.clone() } else { Vec::new() }).collect()
        }
        _ => all.clone(),
    };
    let (change, z) = compare_latest(&comparable).unzip();
    let verdict = match z {
        None => Verdict::TooFewSessions,
        Some(z) if z.abs() < CHANGE_Z => Verdict::Same,
        Some(z) if (z < 0.0) == (better == Better::Lower) => Verdict::Better,
        Some(_) => Verdict::Worse,
    };
    let medians = |v: Vec<Vec<f64>>| v.into_iter().map(|mut s| median_of(&mut s)).collect();
    Trend {
        name: name.to_string(),
        metric: metric.map(|m| m.as_str().to_string()),
        unit: metric.map_or("s", |m| m.unit().as_str()).to_string(),
        better,
        sessions: medians(all),
        left: medians(values(Some("left"))),
        right: medians(values(Some("right"))),
        change,
        z,
        verdict,
    }
}

/// The latest session with readings against all earlier ones: (difference of means, z), where
/// z divides by the standard error from the pooled within-session spread. `None` with fewer than
/// two sessions, or too few reps to know the spread.
fn compare_latest(per_session: &[Vec<f64>]) -> Option<(f64, f64)> {
    let with: Vec<&Vec<f64>> = per_session.iter().filter(|s| !s.is_empty()).collect();
    let (latest, earlier) = with.split_last()?;
    let before: Vec<f64> = earlier.iter().flat_map(|s| s.iter().copied()).collect();
    if before.is_empty() {
        return None;
    }
    let (mut ss, mut dof) = (0.0, 0usize);
    for s in &with {
        let m = mean(s);
        ss += s.iter().map(|v| (v - m).powi(2)).sum::<f64>();
        dof += s.len() - 1;
    }
    if dof == 0 {
        return None;
    }
    let sd = (ss / dof as f64).sqrt();
    let diff = mean(latest) - mean(&before);
    let se = sd * (1.0 / latest.len() as f64 + 1.0 / before.len() as f64).sqrt();
    // A person who repeats a reading exactly has no noise to judge against: any change is real.
    let z = if se > 1e-9 {
        diff / se
    } else if diff.abs() > 1e-9 {
        diff.signum() * f64::INFINITY
    } else {
        0.0
    };
    Some((diff, z))
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_counts_only_beyond_the_persons_own_spread() {
        // Spread ~1 per rep, 5 reps a session: a 0.5 step is noise, a 3 step is not.
        let noisy = |m: f64| vec![m - 1.0, m - 0.5, m, m + 0.5, m + 1.0];
        let (d, z) = compare_latest(&[noisy(10.0), noisy(10.0), noisy(10.5)]).unwrap();
        assert!((d - 0.5).abs() < 1e-9 && z.abs() < CHANGE_Z, "z {z}");
        let (d, z) = compare_latest(&[noisy(10.0), noisy(10.0), noisy(7.0)]).unwrap();
        assert!((d + 3.0).abs() < 1e-9 && z < -CHANGE_Z, "z {z}");
        // One session, or sessions of one rep each, cannot say.
        assert_eq!(compare_latest(&[noisy(10.0)]), None);
        assert_eq!(compare_latest(&[vec![1.0], vec![2.0]]), None);
        // Sessions without readings are skipped.
        assert!(compare_latest(&[noisy(10.0), vec![], noisy(7.0)]).is_some());
    }
}
