//! Validation of an exercise spec: every value in range and consistent, with an error naming
//! the offending key. The checks run in a fixed order, so a spec with several faults always
//! names the same one first.

use crate::spec::{CheckId, CheckSpec, ExerciseSpec, SpecError, View, SPEC_VERSION};
use std::collections::BTreeSet;

/// An invalid spec, saying why.
fn bad(m: String) -> Result<(), SpecError> {
    Err(SpecError::Invalid(m))
}

impl ExerciseSpec {
    /// Checks the values for consistency, with an error naming the offending key.
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.spec_version != SPEC_VERSION {
            return bad(format!(
                "spec_version = {}, but this formcheck reads spec_version = {SPEC_VERSION} only",
                self.spec_version
            ));
        }
        self.positive_numbers()?;
        self.consistent_numbers()?;
        self.check_entries()?;
        self.measure_numbers()?;
        self.decision_numbers()?;
        self.equipment_numbers()?;
        self.calibrations()
    }

    /// The machine's margin is a positive distance and it is named.
    fn equipment_numbers(&self) -> Result<(), SpecError> {
        let Some(eq) = &self.equipment else { return Ok(()) };
        if let Some(m) = eq.holding_hand_margin_m.filter(|m| !(m.is_finite() && *m > 0.0)) {
            return bad(format!("equipment.holding_hand_margin_m must be a positive number, got {m}"));
        }
        if eq.machine.trim().is_empty() {
            return bad("equipment.machine must say what the machine is".into());
        }
        Ok(())
    }

    /// Every number that must be positive and finite is.
    fn positive_numbers(&self) -> Result<(), SpecError> {
        let positive: [(&str, f64); 36] = [
            ("visibility.min_visibility", self.visibility.min_visibility),
            ("visibility.min_visibility_rep_signal", self.visibility.min_visibility_rep_signal),
            ("smoothing.median_half_window_s", self.smoothing.median_half_window_s),
            ("smoothing.smooth_tau_s", self.smoothing.smooth_tau_s),
            ("smoothing.max_gap_s", self.smoothing.max_gap_s),
            ("smoothing.facing_half_window_s", self.smoothing.facing_half_window_s),
            ("view.front_max_deg", self.view.front_max_deg),
            ("view.back_min_deg", self.view.back_min_deg),
            ("view.side_half_width_deg", self.view.side_half_width_deg),
            ("view.side_max_shoulder_width", self.view.side_max_shoulder_width),
            ("view.min_segment_s", self.view.min_segment_s),
            ("view.face_visibility_back", self.view.face_visibility_back),
            ("reps.enter_deg", self.reps.enter_deg),
            ("reps.enter_fraction", self.reps.enter_fraction),
            ("reps.exit_fraction", self.reps.exit_fraction),
            ("reps.rest_fraction", self.reps.rest_fraction),
            ("reps.high_percentile", self.reps.high_percentile),
            ("reps.exit_deg", self.reps.exit_deg),
            ("reps.rest_deg", self.reps.rest_deg),
            ("reps.full_fraction", self.reps.full_fraction),
            ("reps.split_fraction", self.reps.split_fraction),
            ("reps.min_world_rise_deg", self.reps.min_world_rise_deg),
            ("reps.min_world_fraction", self.reps.min_world_fraction),
            ("reps.pause_band_fraction", self.reps.pause_band_fraction),
            ("reps.min_rep_s", self.reps.min_rep_s),
            ("reps.max_rep_s", self.reps.max_rep_s),
            ("reps.other_leg_max_fraction", self.reps.other_leg_max_fraction),
            ("reps.max_hip_travel_torso", self.reps.max_hip_travel_torso),
            ("reps.min_ankle_travel_torso", self.reps.min_ankle_travel_torso),
            ("reps.bottom_percentile", self.reps.bottom_percentile),
            ("reps.baseline_window_s", self.reps.baseline_window_s),
            ("reps.foot_window_s", self.reps.foot_window_s),
            ("reps.foot_noise_k", self.reps.foot_noise_k),
            ("reps.foot_guard_s", self.reps.foot_guard_s),
            ("reps.foot_depth_image_ratio", self.reps.foot_depth_image_ratio),
            ("reps.foot_length_cm", self.reps.foot_length_cm),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return bad(format!("{name} must be a positive number, got {v}"));
            }
        }
        Ok(())
    }

    /// Ranges and orders between numbers: hysteresis levels, percentiles, durations, view bands.
    fn consistent_numbers(&self) -> Result<(), SpecError> {
        if self.reps.foot_depth_image_ratio > 1.0 {
            return bad(format!(
                "reps.foot_depth_image_ratio is a sine, at most 1, got {}",
                self.reps.foot_depth_image_ratio
            ));
        }
        if self.visibility.min_visibility >= 1.0 {
            return bad("visibility.min_visibility must be below 1".into());
        }
        if !(self.reps.exit_deg < self.reps.enter_deg && self.reps.rest_deg <= self.reps.exit_deg) {
            return bad("reps: need rest_deg <= exit_deg < enter_deg (hysteresis)".into());
        }
        if !(self.reps.exit_fraction < self.reps.enter_fraction
            && self.reps.rest_fraction <= self.reps.exit_fraction
            && self.reps.enter_fraction < 1.0)
        {
            return bad("reps: need rest_fraction <= exit_fraction < enter_fraction < 1 (hysteresis)".into());
        }
        if !(self.reps.bottom_percentile < self.reps.high_percentile && self.reps.high_percentile <= 100.0) {
            return bad("reps: need bottom_percentile < high_percentile <= 100".into());
        }
        if self.reps.min_set_reps == 0 {
            return bad("reps.min_set_reps must be at least 1".into());
        }
        if self.reps.min_rep_s >= self.reps.max_rep_s {
            return bad("reps.min_rep_s must be below reps.max_rep_s".into());
        }
        if self.reps.full_fraction >= 1.0 || self.reps.pause_band_fraction >= 1.0 || self.reps.split_fraction >= 1.0 {
            return bad("reps.full_fraction and reps.pause_band_fraction must be below 1".into());
        }
        if self.reps.bottom_percentile >= 100.0 {
            return bad("reps.bottom_percentile must be below 100".into());
        }
        if !(self.view.front_max_deg < 90.0 - self.view.side_half_width_deg
            && 90.0 + self.view.side_half_width_deg < self.view.back_min_deg
            && self.view.back_min_deg < 180.0)
        {
            return bad(
                "view: need front_max_deg < 90 - side_half_width_deg and 90 + side_half_width_deg < back_min_deg < 180"
                    .into(),
            );
        }
        Ok(())
    }

    /// The all-clear cue and every check: ids unique and snake_case, thresholds, views, texts.
    fn check_entries(&self) -> Result<(), SpecError> {
        if self.all_clear_cue.trim().is_empty() {
            return bad("all_clear_cue must not be empty".into());
        }
        if let Some(n) = &self.no_reps {
            if n.advice.trim().is_empty() || n.views.is_empty() {
                return bad("no_reps needs views and a non-empty advice".into());
            }
        }
        let mut seen = BTreeSet::new();
        for c in &self.checks {
            check_entry(c, &mut seen)?;
        }
        if self.checks.is_empty() {
            return bad("an exercise needs at least one check".into());
        }
        Ok(())
    }

    /// How the metrics read a rep: fractions in (0, 1), percentiles in [0, 100], ordered pairs.
    fn measure_numbers(&self) -> Result<(), SpecError> {
        let m = &self.measures;
        let [lo, hi] = m.swing_transition;
        if !(lo > 0.0 && lo < hi && hi < 1.0) {
            return bad(format!("measures.swing_transition must be two fractions 0 < a < b < 1, got [{lo}, {hi}]"));
        }
        let [plo, phi] = m.knee_range_percentiles;
        if !(plo >= 0.0 && plo < phi && phi <= 100.0) {
            return bad(format!("measures.knee_range_percentiles must be 0 <= a < b <= 100, got [{plo}, {phi}]"));
        }
        for (name, v) in [
            ("measures.knee_image_min_coverage", m.knee_image_min_coverage),
            ("measures.min_coverage", m.min_coverage),
            ("measures.unconfirmed_shift_confidence", m.unconfirmed_shift_confidence),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return bad(format!("{name} must be a fraction in (0, 1], got {v}"));
            }
        }
        for (name, v) in [
            ("measures.swing_speed_half_window_s", m.swing_speed_half_window_s),
            ("measures.top_half_window_s", m.top_half_window_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return bad(format!("{name} must be a positive number, got {v}"));
            }
        }
        Ok(())
    }

    /// The decision's false-alarm rate and margins.
    fn decision_numbers(&self) -> Result<(), SpecError> {
        let d = &self.decision;
        if !(d.false_alarm_rate > 0.0 && d.false_alarm_rate < 0.5) {
            return bad(format!("decision.false_alarm_rate must be between 0 and 0.5, got {}", d.false_alarm_rate));
        }
        if !(0.0..=1.0).contains(&d.min_fault_separation) {
            return bad(format!(
                "decision.min_fault_separation must be between 0 and 1, got {}",
                d.min_fault_separation
            ));
        }
        if d.min_faulted_clips == 0 {
            return bad("decision.min_faulted_clips must be at least 1".to_string());
        }
        for (name, v) in [
            ("decision.fault_margin_sd", d.fault_margin_sd),
            ("decision.ok_margin_sd", d.ok_margin_sd),
            ("decision.min_separation_sd", d.min_separation_sd),
            ("decision.clean_ceiling_spreads", d.clean_ceiling_spreads),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(format!("{name} must be a non-negative number, got {v}"));
            }
        }
        Ok(())
    }

    /// Each calibration names a check of the exercise once per view, with a usable fit.
    fn calibrations(&self) -> Result<(), SpecError> {
        let mut pairs = BTreeSet::new();
        for c in &self.calibration {
            if self.check(c.check).is_none() {
                return bad(format!("calibration of {}: the exercise has no such check", c.check));
            }
            if !pairs.insert((c.check, c.view, c.landmarks)) {
                return bad(format!("calibration of {} from {} appears more than once", c.check, c.view));
            }
            if !(c.offset.is_finite()
                && c.scale.is_finite()
                && c.scale.abs() > 1e-6
                && c.noise.is_finite()
                && c.noise > 0.0
                && c.clean_ceiling.is_none_or(f64::is_finite))
            {
                return bad(format!(
                    "calibration of {} from {}: need finite offset, non-zero scale, positive noise and a finite clean ceiling",
                    c.check, c.view
                ));
            }
        }
        Ok(())
    }
}

/// One check's entry (`seen` holds the ids before it).
fn check_entry(c: &CheckSpec, seen: &mut BTreeSet<CheckId>) -> Result<(), SpecError> {
    let id_ok = !c.id.as_str().is_empty()
        && c.id.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !id_ok {
        return bad(format!("check id {:?} must be snake_case (a-z, 0-9, _)", c.id.as_str()));
    }
    if !seen.insert(c.id) {
        return bad(format!("check {} appears more than once", c.id));
    }
    if !(c.threshold.is_finite() && c.threshold >= 0.0) {
        return bad(format!("check {}: threshold must be a non-negative number", c.id));
    }
    if !(c.min_duration_s.is_finite() && c.min_duration_s >= 0.0) {
        return bad(format!("check {}: min_duration_s must be a non-negative number", c.id));
    }
    if let Some(s) = c.secondary_threshold {
        if !(s.is_finite() && s > 0.0) {
            return bad(format!("check {}: secondary_threshold must be positive", c.id));
        }
    }
    if let Some(m) = c.plausible_max {
        if !(m.is_finite() && m > c.threshold) {
            return bad(format!("check {}: plausible_max must be a number above the threshold", c.id));
        }
    }
    if let Some(p) = &c.personal {
        if !(p.margin.is_finite() && p.margin > 0.0 && p.min.is_finite() && p.max.is_finite() && p.min <= p.max) {
            return bad(format!("check {}: personal needs margin > 0 and min <= max", c.id));
        }
        if !(p.min..=p.max).contains(&c.threshold) {
            return bad(format!("check {}: personal min..max must hold the threshold {}", c.id, c.threshold));
        }
    }
    if c.views.is_empty() {
        return bad(format!("check {}: views must list at least one view", c.id));
    }
    let distinct: BTreeSet<View> = c.views.iter().copied().collect();
    if distinct.len() != c.views.len() {
        return bad(format!("check {}: a view is listed twice", c.id));
    }
    for (field, text) in [("cue", &c.cue), ("positive_cue", &c.positive_cue), ("advice", &c.advice)] {
        if text.trim().is_empty() {
            return bad(format!("check {}: {field} must not be empty", c.id));
        }
    }
    Ok(())
}
