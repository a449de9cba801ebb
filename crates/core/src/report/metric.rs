//! The closed set of per-rep metrics the engine measures, and one rep's readings of them.

use serde::{Deserialize, Serialize};

/// Measured values of one rep (`null` when not measurable). Changes are relative to the rep's start.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepMetrics {
    /// Peak thigh elevation above its bottom position (deg).
    pub amplitude_deg: Option<f64>,
    /// Peak thigh angle behind vertical (deg).
    pub peak_hip_extension_deg: Option<f64>,
    /// Thigh outward angle at the peak (deg).
    pub peak_hip_abduction_deg: Option<f64>,
    /// Peak hip extension relative to the trunk line (deg).
    pub peak_hip_extension_rel_trunk_deg: Option<f64>,
    /// Peak forward trunk lean change (deg).
    pub trunk_forward_change_deg: Option<f64>,
    /// Peak backward trunk lean change (deg).
    pub trunk_back_change_deg: Option<f64>,
    /// Peak sideways trunk lean away from the machine (deg).
    pub trunk_away_change_deg: Option<f64>,
    /// Peak hike of the working hip (deg).
    pub pelvis_hike_change_deg: Option<f64>,
    /// Peak opening rotation of the pelvis (deg).
    pub pelvis_rotation_change_deg: Option<f64>,
    /// Median support-knee flexion (deg).
    pub support_knee_flexion_deg: Option<f64>,
    /// Range of support-knee flexion within the rep (deg).
    pub support_knee_range_deg: Option<f64>,
    /// 1 − return time / lift time: the smaller of the estimates from 20–80 % transition times
    /// and from peak speeds (a swing is called only when both see a fast return).
    pub swing_ratio: Option<f64>,
    /// Leg path: abduction minus extension change at the peak (deg; positive = more sideways
    /// than back), or from behind/in front the thigh's outward angle at the top (deg).
    pub sideways_margin_deg: Option<f64>,
    /// Standing-foot displacement over the rep that persisted (cm, across the image at the
    /// body's scale; median of heel, ankle and toe between the quiet phases around the rep);
    /// `null` when not measurable (e.g. the foot's landmarks were too noisy in the set).
    pub support_foot_shift_cm: Option<f64>,
    /// Peak shoulder-vs-hip turn (deg).
    pub torso_twist_change_deg: Option<f64>,
}

/// The per-rep measurements a check can judge: a closed set in code (each computed by the rule
/// engine from the rep's signals); which of them an exercise judges, under which check ids and
/// thresholds, is the exercise spec's business. Serialised by the names of [`RepMetrics`]' fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// See [`RepMetrics::amplitude_deg`].
    #[serde(rename = "amplitude_deg")]
    Amplitude,
    /// See [`RepMetrics::peak_hip_extension_deg`].
    #[serde(rename = "peak_hip_extension_deg")]
    PeakHipExtension,
    /// See [`RepMetrics::peak_hip_abduction_deg`].
    #[serde(rename = "peak_hip_abduction_deg")]
    PeakHipAbduction,
    /// See [`RepMetrics::peak_hip_extension_rel_trunk_deg`]; judged with the trunk tipping back
    /// (the `trunk_back_change_deg` reading) against the check's `secondary_threshold`.
    #[serde(rename = "peak_hip_extension_rel_trunk_deg")]
    PeakHipExtensionRelTrunk,
    /// See [`RepMetrics::trunk_forward_change_deg`].
    #[serde(rename = "trunk_forward_change_deg")]
    TrunkForwardChange,
    /// See [`RepMetrics::trunk_back_change_deg`].
    #[serde(rename = "trunk_back_change_deg")]
    TrunkBackChange,
    /// See [`RepMetrics::trunk_away_change_deg`].
    #[serde(rename = "trunk_away_change_deg")]
    TrunkAwayChange,
    /// See [`RepMetrics::pelvis_hike_change_deg`].
    #[serde(rename = "pelvis_hike_change_deg")]
    PelvisHikeChange,
    /// See [`RepMetrics::pelvis_rotation_change_deg`].
    #[serde(rename = "pelvis_rotation_change_deg")]
    PelvisRotationChange,
    /// See [`RepMetrics::support_knee_flexion_deg`].
    #[serde(rename = "support_knee_flexion_deg")]
    SupportKneeFlexion,
    /// See [`RepMetrics::support_knee_range_deg`].
    #[serde(rename = "support_knee_range_deg")]
    SupportKneeRange,
    /// See [`RepMetrics::swing_ratio`].
    #[serde(rename = "swing_ratio")]
    SwingRatio,
    /// See [`RepMetrics::sideways_margin_deg`]; from behind or in front judged against the
    /// check's `secondary_threshold` when it has one.
    #[serde(rename = "sideways_margin_deg")]
    SidewaysMargin,
    /// See [`RepMetrics::support_foot_shift_cm`].
    #[serde(rename = "support_foot_shift_cm")]
    SupportFootShift,
    /// See [`RepMetrics::torso_twist_change_deg`].
    #[serde(rename = "torso_twist_change_deg")]
    TorsoTwistChange,
}

impl Metric {
    /// Every metric, in the order of [`RepMetrics`]' fields.
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

impl RepMetrics {
    /// The value of one metric, `None` when it was not measurable.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Amplitude => self.amplitude_deg,
            Metric::PeakHipExtension => self.peak_hip_extension_deg,
            Metric::PeakHipAbduction => self.peak_hip_abduction_deg,
            Metric::PeakHipExtensionRelTrunk => self.peak_hip_extension_rel_trunk_deg,
            Metric::TrunkForwardChange => self.trunk_forward_change_deg,
            Metric::TrunkBackChange => self.trunk_back_change_deg,
            Metric::TrunkAwayChange => self.trunk_away_change_deg,
            Metric::PelvisHikeChange => self.pelvis_hike_change_deg,
            Metric::PelvisRotationChange => self.pelvis_rotation_change_deg,
            Metric::SupportKneeFlexion => self.support_knee_flexion_deg,
            Metric::SupportKneeRange => self.support_knee_range_deg,
            Metric::SwingRatio => self.swing_ratio,
            Metric::SidewaysMargin => self.sideways_margin_deg,
            Metric::SupportFootShift => self.support_foot_shift_cm,
            Metric::TorsoTwistChange => self.torso_twist_change_deg,
        }
    }

    /// The value of the metric named `name`, `None` when it was not measurable or the name is
    /// not a metric.
    pub fn value(&self, name: &str) -> Option<f64> {
        Metric::from_name(name).and_then(|m| self.get(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_are_the_report_keys() {
        let v = serde_json::to_value(RepMetrics::default()).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        names.sort();
        keys.sort();
        assert_eq!(names, keys);
        // `value` reads each of them.
        let m = RepMetrics {
            amplitude_deg: Some(1.0),
            peak_hip_extension_deg: Some(2.0),
            peak_hip_abduction_deg: Some(3.0),
            peak_hip_extension_rel_trunk_deg: Some(4.0),
            trunk_forward_change_deg: Some(5.0),
            trunk_back_change_deg: Some(6.0),
            trunk_away_change_deg: Some(7.0),
            pelvis_hike_change_deg: Some(8.0),
            pelvis_rotation_change_deg: Some(9.0),
            support_knee_flexion_deg: Some(10.0),
            support_knee_range_deg: Some(11.0),
            swing_ratio: Some(12.0),
            sideways_margin_deg: Some(13.0),
            support_foot_shift_cm: Some(14.0),
            torso_twist_change_deg: Some(15.0),
        };
        let json = serde_json::to_value(&m).unwrap();
        for metric in Metric::ALL {
            let name = metric.as_str();
            assert_eq!(m.value(name), json[name].as_f64(), "{name}");
            // the spec names a metric the way the report keys it
            assert_eq!(serde_json::to_value(metric).unwrap(), serde_json::Value::from(name));
        }
        assert_eq!(m.value("nonsense"), None);
    }
}
