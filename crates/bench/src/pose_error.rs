//! The pose error that reaches the rules: for every paired rep, each engine metric next to the
//! value the renderer measured on the true skeleton, summarised per camera view and metric as
//! bias (mean of measured − true), spread (standard deviation) and median absolute error.

use crate::score::ViewClass;
use crate::truth::{GroundTruth, TruthRep};
use formcheck_core::report::{RepReport, Report};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How the truth value of an engine metric is read from a true rep.
pub struct MetricTruth {
    /// The engine's metric name (a key of the report's per-rep `metrics`).
    pub metric: &'static str,
    /// The true value.
    pub truth: fn(&TruthRep) -> Option<f64>,
}

fn knee_range(r: &TruthRep) -> Option<(f64, f64)> {
    let v = r.measured.get("support_knee_flexion_range_deg")?.as_array()?;
    Some((v.first()?.as_f64()?, v.get(1)?.as_f64()?))
}

/// The engine metrics that have a true counterpart.
pub const METRICS: &[MetricTruth] = &[
    MetricTruth {
        metric: "trunk_forward_change_deg",
        truth: |r| Some(r.measured("peak_trunk_forward_deg")? - r.measured("trunk_forward_at_start_deg")?),
    },
    MetricTruth { metric: "trunk_away_change_deg", truth: |r| r.measured("peak_trunk_lateral_away_deg") },
    MetricTruth { metric: "pelvis_hike_change_deg", truth: |r| r.measured("peak_pelvis_hike_deg") },
    MetricTruth { metric: "pelvis_rotation_change_deg", truth: |r| r.measured("peak_pelvis_rotation_deg") },
    MetricTruth { metric: "support_knee_flexion_deg", truth: |r| knee_range(r).map(|(lo, hi)| (lo + hi) / 2.0) },
    MetricTruth { metric: "support_knee_range_deg", truth: |r| knee_range(r).map(|(lo, hi)| hi - lo) },
    MetricTruth { metric: "peak_hip_extension_deg", truth: |r| r.measured("peak_thigh_behind_vertical_deg") },
    MetricTruth { metric: "peak_hip_abduction_deg", truth: |r| r.measured("peak_thigh_outward_deg") },
    MetricTruth { metric: "support_foot_shift_cm", truth: |r| r.measured("support_foot_displacement_cm") },
    MetricTruth {
        metric: "swing_ratio",
        truth: |r| Some(1.0 - r.tempo_s.get("eccentric")? / r.tempo_s.get("concentric")?),
    },
];

/// One (engine, truth) pair.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricPair {
    /// Clip name.
    pub clip: String,
    /// 1-based true rep index.
    pub rep: usize,
    /// Renderer camera view.
    pub view: String,
    /// Whether the true rep is clean.
    pub clean: bool,
    /// Engine metric name.
    pub metric: &'static str,
    /// What the engine measured.
    pub measured: f64,
    /// The truth.
    pub truth: f64,
}

/// A metric value of our rep by name.
pub fn metric_value(rep: &RepReport, name: &str) -> Option<f64> {
    rep.metrics.value(name)
}

/// The pairs of one clip: its true reps paired with ours by the scoring rules.
pub fn pairs(report: &Report, truth: &GroundTruth) -> Vec<MetricPair> {
    let mut out = Vec::new();
    for (i, ours, _) in crate::score::paired(report, truth) {
        let g = &truth.reps[i];
        for m in METRICS {
            if let (Some(measured), Some(t)) = (metric_value(ours, m.metric), (m.truth)(g)) {
                out.push(MetricPair {
                    clip: truth.name.clone(),
                    rep: i + 1,
                    view: g.view.clone(),
                    clean: g.is_clean(),
                    metric: m.metric,
                    measured,
                    truth: t,
                });
            }
        }
    }
    out
}

/// Bias, spread and size of a set of errors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErrorStats {
    /// Number of pairs.
    pub n: usize,
    /// Mean of measured − true.
    pub bias: f64,
    /// Standard deviation of measured − true.
    pub sd: f64,
    /// Median of |measured − true|.
    pub mae: f64,
}

impl ErrorStats {
    /// Statistics of the errors `e` (`None` when empty).
    pub fn of(e: &[f64]) -> Option<ErrorStats> {
        if e.is_empty() {
            return None;
        }
        let n = e.len();
        let bias = e.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 { (e.iter().map(|x| (x - bias).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt() } else { 0.0 };
        let mut a: Vec<f64> = e.iter().map(|x| x.abs()).collect();
        a.sort_by(f64::total_cmp);
        let mae = if n % 2 == 1 { a[n / 2] } else { (a[n / 2 - 1] + a[n / 2]) / 2.0 };
        Some(ErrorStats { n, bias, sd, mae })
    }
}

/// Per (metric, view) error statistics over the pairs (views: renderer names, then the class).
pub fn table(pairs: &[MetricPair]) -> BTreeMap<(&'static str, String), ErrorStats> {
    let mut groups: BTreeMap<(&'static str, String), Vec<f64>> = BTreeMap::new();
    for p in pairs {
        let e = p.measured - p.truth;
        groups.entry((p.metric, p.view.clone())).or_default().push(e);
        groups.entry((p.metric, format!("({})", ViewClass::of(&p.view).as_str()))).or_default().push(e);
    }
    groups.into_iter().filter_map(|(k, v)| Some((k, ErrorStats::of(&v)?))).collect()
}

/// The table as Markdown.
pub fn markdown(pairs: &[MetricPair]) -> String {
    let mut s = String::from(concat!(
        "# The pose error that reaches the rules\n\n",
        "Per engine metric and camera view (renderer view names; in parentheses the view class): what the\n",
        "engine measured minus the value measured on the true skeleton, over paired reps. Regenerate with\n",
        "`bash scripts/corpus.sh calibrate`.\n\n",
        "| metric | view | n | bias | sd | median abs error |\n| --- | --- | ---: | ---: | ---: | ---: |\n",
    ));
    for ((metric, view), st) in table(pairs) {
        let _ = writeln!(s, "| {metric} | {view} | {} | {:+.2} | {:.2} | {:.2} |", st.n, st.bias, st.sd, st.mae);
    }
    s
}

/// The pairs as CSV (one line a pair).
pub fn csv(pairs: &[MetricPair]) -> String {
    let mut s = String::from("clip,rep,view,clean,metric,measured,truth\n");
    for p in pairs {
        let _ =
            writeln!(s, "{},{},{},{},{},{:.4},{:.4}", p.clip, p.rep, p.view, p.clean, p.metric, p.measured, p.truth);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_of_errors() {
        let s = ErrorStats::of(&[1.0, 2.0, 3.0, -2.0]).unwrap();
        assert_eq!(s.n, 4);
        assert!((s.bias - 1.0).abs() < 1e-12);
        assert!((s.mae - 2.0).abs() < 1e-12);
        assert!(ErrorStats::of(&[]).is_none());
    }
}
