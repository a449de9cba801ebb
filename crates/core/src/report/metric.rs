//! The closed set of per-rep metrics the engine measures, and one rep's readings of them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The per-rep measurements a check can judge: a closed set in code (each computed by the rule
/// engine from the rep's signals); which of them an exercise judges, under which check ids and
/// thresholds, is the exercise spec's business. Serialised by name (the keys of a rep's
/// `metrics` in the report and the `metric` of a spec check). Changes are relative to the rep's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// Peak thigh elevation above its bottom position (deg).
    #[serde(rename = "amplitude_deg")]
    Amplitude,
    /// Peak thigh angle behind vertical (deg).
    #[serde(rename = "peak_hip_extension_deg")]
    PeakHipExtension,
    /// Thigh outward angle at the peak (deg).
    #[serde(rename = "peak_hip_abduction_deg")]
    PeakHipAbduction,
    /// Peak hip extension relative to the trunk line (deg); judged with the trunk tipping back
    /// (the `trunk_back_change_deg` reading) against the check's `secondary_threshold`.
    #[serde(rename = "peak_hip_extension_rel_trunk_deg")]
    PeakHipExtensionRelTrunk,
    /// Peak forward trunk lean change (deg).
    #[serde(rename = "trunk_forward_change_deg")]
    TrunkForwardChange,
    /// Peak backward trunk lean change (deg).
    #[serde(rename = "trunk_back_change_deg")]
    TrunkBackChange,
    /// Peak sideways trunk lean away from the machine (deg).
    #[serde(rename = "trunk_away_change_deg")]
    TrunkAwayChange,
    /// Peak hike of the working hip (deg).
    #[serde(rename = "pelvis_hike_change_deg")]
    PelvisHikeChange,
    /// Peak opening rotation of the pelvis (deg).
    #[serde(rename = "pelvis_rotation_change_deg")]
    PelvisRotationChange,
    /// Median support-knee flexion (deg).
    #[serde(rename = "support_knee_flexion_deg")]
    SupportKneeFlexion,
    /// Range of support-knee flexion within the rep (deg).
    #[serde(rename = "support_knee_range_deg")]
    SupportKneeRange,
    /// 1 − return time / lift time: the smaller of the estimates from the lift's and return's
    /// transition times and from their peak speeds (a swing is called only when both see a fast return).
    #[serde(rename = "swing_ratio")]
    SwingRatio,
    /// Leg path: abduction minus extension change at the peak (deg; positive = more sideways
    /// than back), or from behind/in front the thigh's outward angle at the top (deg), judged
    /// against the check's `secondary_threshold` when it has one.
    #[serde(rename = "sideways_margin_deg")]
    SidewaysMargin,
    /// Standing-foot displacement over the rep that persisted (cm, across the image at the
    /// body's scale; median of heel, ankle and toe between the quiet phases around the rep).
    #[serde(rename = "support_foot_shift_cm")]
    SupportFootShift,
    /// Peak shoulder-vs-hip turn (deg).
    #[serde(rename = "torso_twist_change_deg")]
    TorsoTwistChange,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 15] = [
        Metric::Amplitude,
        Metric::PeakHipExtension,
        Metric::PeakHipAbduction,
        Metric::PeakHipExtensionRelTrunk,
        Metric::TrunkForwardChange,
        Metric::TrunkBackChange,
        Metric::TrunkAwayChange,
        Metric::PelvisHikeChange,
        Metric::PelvisRotationChange,
        Metric::SupportKneeFlexion,
        Metric::SupportKneeRange,
        Metric::SwingRatio,
        Metric::SidewaysMargin,
        Metric::SupportFootShift,
        Metric::TorsoTwistChange,
    ];

    /// The metric's name: its key in the report's rep `metrics` and in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Amplitude => "amplitude_deg",
            Metric::PeakHipExtension => "peak_hip_extension_deg",
            Metric::PeakHipAbduction => "peak_hip_abduction_deg",
            Metric::PeakHipExtensionRelTrunk => "peak_hip_extension_rel_trunk_deg",
            Metric::TrunkForwardChange => "trunk_forward_change_deg",
            Metric::TrunkBackChange => "trunk_back_change_deg",
            Metric::TrunkAwayChange => "trunk_away_change_deg",
            Metric::PelvisHikeChange => "pelvis_hike_change_deg",
            Metric::PelvisRotationChange => "pelvis_rotation_change_deg",
            Metric::SupportKneeFlexion => "support_knee_flexion_deg",
            Metric::SupportKneeRange => "support_knee_range_deg",
            Metric::SwingRatio => "swing_ratio",
            Metric::SidewaysMargin => "sideways_margin_deg",
            Metric::SupportFootShift => "support_foot_shift_cm",
            Metric::TorsoTwistChange => "torso_twist_change_deg",
        }
    }

    /// The metric with this name, if there is one.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Metric {
    /// The unit the metric is measured in (and its checks' thresholds are given in).
    pub fn unit(self) -> Unit {
        match self {
            Metric::SwingRatio => Unit::Ratio,
            Metric::SupportFootShift => Unit::Cm,
            _ => Unit::Deg,
        }
    }
}

/// The unit of a metric's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Degrees.
    Deg,
    /// Centimetres.
    Cm,
    /// A dimensionless ratio.
    Ratio,
}

impl Unit {
    /// The unit's name (`deg`, `cm`, `ratio`).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Deg => "deg",
            Unit::Cm => "cm",
            Unit::Ratio => "ratio",
        }
    }

    /// What follows a number in text: `12.3°`, `4.0 cm`, `0.42`.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Deg => "°",
            Unit::Cm => " cm",
            Unit::Ratio => "",
        }
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rep's readings of the metrics its exercise reports, keyed by metric (the report's rep
/// `metrics` object; `null` when the rep could not be measured). Which metrics appear is the
/// exercise's business ([`crate::spec::ExerciseSpec::reported_metrics`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RepMetrics(BTreeMap<Metric, Option<f64>>);

impl RepMetrics {
    /// The value of one metric, `None` when it was not measurable or not reported.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        self.0.get(&metric).copied().flatten()
    }

    /// The value of the metric named `name`, `None` when it was not measurable, not reported
    /// or the name is not a metric.
    pub fn value(&self, name: &str) -> Option<f64> {
        Metric::from_name(name).and_then(|m| self.get(m))
    }

    /// Records a reading (`None`: reported as not measurable).
    pub fn insert(&mut self, metric: Metric, value: Option<f64>) {
        self.0.insert(metric, value);
    }

    /// The reported metrics and their readings, in report order.
    pub fn iter(&self) -> impl Iterator<Item = (Metric, Option<f64>)> + '_ {
        self.0.iter().map(|(m, v)| (*m, *v))
    }
}

impl FromIterator<(Metric, Option<f64>)> for RepMetrics {
    fn from_iter<I: IntoIterator<Item = (Metric, Option<f64>)>>(iter: I) -> Self {
        RepMetrics(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_keyed_by_name_in_report_order() {
        let m: RepMetrics = Metric::ALL.iter().rev().enumerate().map(|(i, m)| (*m, Some(i as f64))).collect();
        let json = serde_json::to_value(&m).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        names.sort();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, names);
        for metric in Metric::ALL {
            let name = metric.as_str();
            assert_eq!(m.value(name), json[name].as_f64(), "{name}");
            assert_eq!(Metric::from_name(name), Some(metric));
            // the spec names a metric the way the report keys it
            assert_eq!(serde_json::to_value(metric).unwrap(), serde_json::Value::from(name));
        }
        assert_eq!(m.value("nonsense"), None);
        // round trip, with a not-measurable reading kept as null
        let mut m2 = m.clone();
        m2.insert(Metric::SwingRatio, None);
        let back: RepMetrics = serde_json::from_value(serde_json::to_value(&m2).unwrap()).unwrap();
        assert_eq!(back, m2);
        assert_eq!(serde_json::to_value(&m2).unwrap()["swing_ratio"], serde_json::Value::Null);
    }

    #[test]
    fn unknown_metric_names_are_refused() {
        assert!(serde_json::from_str::<RepMetrics>(r#"{"amplitude_deg": 1.0, "bogus_deg": 2.0}"#).is_err());
    }

    #[test]
    fn units_follow_the_metric() {
        assert_eq!(Metric::SwingRatio.unit(), Unit::Ratio);
        assert_eq!(Metric::SupportFootShift.unit(), Unit::Cm);
        assert_eq!(Metric::TrunkForwardChange.unit().suffix(), "°");
        assert_eq!(serde_json::to_value(Unit::Cm).unwrap(), serde_json::Value::from("cm"));
    }
}
