//! The decision: one reading against its check's threshold, on the view's calibrated scale and
//! noise, as fault, borderline or fine.

use crate::report::{Fault, Metric};
use crate::rules::foot::FootShift;
use crate::rules::is_frontal;
use crate::rules::measure::Measure;
use crate::spec::{Calibration, CheckSpec, Comparison, ExerciseSpec, View};

/// Extra confidence factor of a check's fault: a foot shift that no later quiet phase could
/// confirm (the set's last rep) is less certain than one seen to persist.
fn confidence_factor(metric: Metric, foot: Option<&FootShift>, spec: &ExerciseSpec) -> f64 {
    match (metric, foot) {
        (Metric::SupportFootShift, Some(FootShift::Measured { confirmed: false, .. })) => {
            spec.measures.unconfirmed_shift_confidence
        }
        _ => 1.0,
    }
}

/// What one rep's check was judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Judged {
    /// Clearly short of the threshold.
    Fine,
    /// Too close to call for the view's noise (magnitude on the threshold's scale, noise sd).
    Borderline { magnitude: f64, noise: f64 },
    /// Clearly past it.
    Fault { magnitude: f64, threshold: f64, confidence: f64 },
}

/// What [`judge`] needs besides the reading.
pub(super) struct JudgeContext<'a> {
    pub(super) check: &'a CheckSpec,
    pub(super) view: View,
    pub(super) foot: Option<&'a FootShift>,
    pub(super) back: Option<Measure>,
    /// Mean landmark visibility over the rep.
    pub(super) vis: f64,
    /// Fraction of the rep's frames where the signal was known.
    pub(super) cov: f64,
}

/// Standard normal cumulative distribution (Abramowitz–Stegun 26.2.17, |error| < 7.5e-8).
fn normal_cdf(z: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.231_641_9 * z.abs());
    let poly =
        t * (0.319_381_530 + t * (-0.356_563_782 + t * (1.781_477_937 + t * (-1.821_255_978 + t * 1.330_274_429))));
    let tail = (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() * poly;
    if z >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The standard normal quantile of `p` in (0, 1), by bisection on [`normal_cdf`].
fn normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-10.0, 10.0);
    for _ in 0..80 {
        let mid = (lo + hi) / 2.0;
        if normal_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// Judges one reading. Calibrated: the reading goes back to the true scale, and the distance
/// from the threshold in the view's noise decides fault / borderline / fine; the fault's
/// confidence is the probability, under that noise, that the true value is past the threshold.
/// A view that was never seen to show the fault (scale not fitted there) gives fine or
/// borderline only.
/// Uncalibrated (a check the corpus has no labels for): the raw reading against the threshold.
pub(super) fn judge(ctx: &JudgeContext, value: f64, calibration: Option<&Calibration>, spec: &ExerciseSpec) -> Judged {
    let check = ctx.check;
    let sign = match check.comparison {
        Comparison::Above => 1.0,
        Comparison::Below => -1.0,
    };
    // Low-back arch has a second witness: the trunk tipping back past the secondary threshold
    // (raw degrees: the renderer's arch label moves the pelvis as much as the spine).
    let secondary = (check.metric == Metric::PeakHipExtensionRelTrunk)
        .then(|| check.secondary_threshold.zip(ctx.back).filter(|(s, b)| b.value > *s))
        .flatten()
        .map(|(s, b)| Judged::Fault { magnitude: b.value, threshold: s, confidence: ctx.vis * ctx.cov });
    let Some(cal) = calibration else {
        // Which threshold applies: the frontal leg-path judgement uses the secondary one.
        let threshold = match (check.metric, check.secondary_threshold, ctx.foot) {
            (Metric::SidewaysMargin, Some(s), _) if is_frontal(ctx.view) => s,
            // A shift inside the set's own landmark noise is not evidence of a slide.
            (Metric::SupportFootShift, _, Some(FootShift::Measured { floor_cm, .. })) => check.threshold.max(*floor_cm),
            _ => check.threshold,
        };
        if sign * (value - threshold) > 0.0 {
            if implausible(check, value) {
                return Judged::Borderline { magnitude: value, noise: 0.0 };
            }
            let confidence = ctx.vis * ctx.cov * confidence_factor(check.metric, ctx.foot, spec);
            return Judged::Fault { magnitude: value, threshold, confidence };
        }
        return secondary.unwrap_or(Judged::Fine);
    };
    if !value.is_finite() {
        return secondary.unwrap_or(Judged::Fine);
    }
    let true_value = (value - cal.offset) / cal.scale;
    let noise = cal.noise / cal.scale.abs();
    // A foot shift inside the set's own landmark noise is not evidence of a slide either.
    let threshold = match ctx.foot {
        Some(FootShift::Measured { floor_cm, .. }) if check.metric == Metric::SupportFootShift => {
            check.threshold.max((floor_cm - cal.offset) / cal.scale)
        }
        _ => check.threshold,
    };
    let z = sign * (true_value - threshold) / noise;
    let d = &spec.decision;
    // How many sd a good rep sits short of the threshold; a fault must clear the threshold by
    // enough that a good rep gets there only `false_alarm_rate` of the time.
    let separation = (check.threshold - check.typical).abs() / noise;
    let margin = d.fault_margin_sd.max(normal_quantile(1.0 - d.false_alarm_rate) - separation);
    // Past the tail of the clearly good calibration reps from this view, too.
    let past_clean = cal.clean_ceiling.is_none_or(|c| sign * (value - cal.offset - cal.scale * check.typical) > c);
    // Both the raw reading and its estimate on the true scale must be past what a body does: a
    // scale fitted on few reps can stretch a plausible reading past it.
    if z >= margin && implausible(check, true_value) && implausible(check, value) {
        // A measurement that failed: shown to the coach, never cued.
        Judged::Borderline { magnitude: true_value, noise }
    } else if z >= margin && cal.scale_fitted && past_clean {
        let confidence = normal_cdf(z) * ctx.cov.min(1.0) * confidence_factor(check.metric, ctx.foot, spec);
        Judged::Fault { magnitude: true_value, threshold, confidence }
    } else if let Some(f) = secondary.filter(|_| cal.scale_fitted) {
        // (The second witness too needs a view that was seen to show the fault.)
        f
    } else if z > -d.ok_margin_sd {
        Judged::Borderline { magnitude: true_value, noise }
    } else {
        Judged::Fine
    }
}

/// Whether an estimated size (threshold's scale) is past what a body can show for the check.
fn implausible(check: &CheckSpec, size: f64) -> bool {
    check.plausible_max.is_some_and(|m| size.abs() > m)
}

/// How far past its threshold a fault is (for ranking), ≥ 1.
pub(super) fn ratio(f: &Fault) -> f64 {
    if f.threshold.abs() < 1e-9 {
        return 1.0 + f.magnitude.abs() / 10.0;
    }
    (f.magnitude / f.threshold).abs().max(f.threshold / f.magnitude.abs().max(1e-9)).max(1.0)
}

pub(super) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::CheckId;

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_quantile(0.98) - 2.053_749).abs() < 1e-4);
        assert!((normal_quantile(0.5)).abs() < 1e-9);
    }

    fn calibrated(spec: &ExerciseSpec, id: CheckId, value: f64, cal: &Calibration) -> Judged {
        let check = spec.check(id).unwrap();
        let ctx = JudgeContext { check, view: cal.view, foot: None, back: None, vis: 1.0, cov: 1.0 };
        judge(&ctx, value, Some(cal), spec)
    }

    /// Pelvis hike from behind: 2° on a good rep, 0.5° per true degree, ±1°.
    fn hike_from_behind() -> Calibration {
        Calibration {
            check: crate::kickback::PELVIS_HIKE,
            view: View::Back,
            offset: 2.0,
            scale: 0.5,
            noise: 1.0,
            reps: 30,
            scale_fitted: true,
            clean_ceiling: None,
            landmarks: Default::default(),
        }
    }

    #[test]
    fn calibrated_readings_are_fault_borderline_or_fine_by_their_noise() {
        let mut spec = ExerciseSpec::cable_medius_kickback().unwrap();
        // The margins below are worked out for a 2 % false-alarm rate, whatever the spec has.
        spec.decision.false_alarm_rate = 0.02;
        // Reads 2° on a good rep, 0.5° per true degree, ±1° (= ±2 true degrees).
        let cal = hike_from_behind();
        let thr = spec.check(crate::kickback::PELVIS_HIKE).unwrap().threshold; // 6 true degrees
        let reading = |true_deg: f64| 2.0 + 0.5 * true_deg;
        assert_eq!(calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(0.0), &cal), Judged::Fine);
        assert!(matches!(
            calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr), &cal),
            Judged::Borderline { .. }
        ));
        // A good rep sits 3 sd below the threshold, so the margin is fault_margin_sd (0.5 sd).
        match calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr + 2.0), &cal) {
            Judged::Fault { magnitude, threshold, confidence } => {
                assert!((magnitude - (thr + 2.0)).abs() < 1e-9);
                assert_eq!(threshold, thr);
                assert!((confidence - normal_cdf(1.0)).abs() < 1e-6, "{confidence}");
            }
            other => panic!("{other:?}"),
        }
        // Noise as large as the threshold's distance from a good rep: a fault must clear the
        // threshold by enough that a good rep reaches it only 2 % of the time.
        let noisy = Calibration { noise: 3.0, ..cal.clone() };
        assert!(matches!(
            calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr + 6.0), &noisy),
            Judged::Borderline { .. }
        ));
        assert!(matches!(
            calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr + 7.0), &noisy),
            Judged::Fault { .. }
        ));
        // A view never seen to show the fault can say fine or borderline, never fault.
        let unseen = Calibration { scale_fitted: false, ..cal };
        assert!(matches!(
            calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(thr + 20.0), &unseen),
            Judged::Borderline { .. }
        ));
        assert_eq!(calibrated(&spec, crate::kickback::PELVIS_HIKE, reading(0.0), &unseen), Judged::Fine);
    }

    #[test]
    fn a_size_no_body_shows_is_a_failed_reading_not_a_fault() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let hike = crate::kickback::PELVIS_HIKE;
        let max = spec.check(hike).unwrap().plausible_max.expect("the hike has a plausible maximum");
        // Reading and true size on the same scale: past the maximum, both are.
        let cal = Calibration { scale: 1.0, offset: 0.0, ..hike_from_behind() };
        assert!(matches!(calibrated(&spec, hike, max - 5.0, &cal), Judged::Fault { .. }));
        match calibrated(&spec, hike, max + 5.0, &cal) {
            Judged::Borderline { magnitude, .. } => assert!((magnitude - (max + 5.0)).abs() < 1e-9),
            other => panic!("{other:?}"),
        }
        // A reading a body can show, stretched past the maximum only by the view's scale, stands.
        let compressed = Calibration { scale: 0.5, offset: 0.0, ..hike_from_behind() };
        assert!(matches!(calibrated(&spec, hike, max - 5.0, &compressed), Judged::Fault { .. }));
    }

    #[test]
    fn a_fault_must_read_past_the_good_reps_seen_from_that_view() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let hike = crate::kickback::PELVIS_HIKE;
        // Good reps from this view once read up to 6° above a good rep's 2°: a reading of 7° clears
        // the noise margin (true 10°, 2 sd past 6°) but not that tail.
        let cal = Calibration { clean_ceiling: Some(6.0), ..hike_from_behind() };
        assert!(matches!(calibrated(&spec, hike, 7.0, &cal), Judged::Borderline { .. }));
        assert!(matches!(calibrated(&spec, hike, 8.5, &cal), Judged::Fault { .. }));
        // For a check judged below its threshold the tail lies below a good rep's reading.
        let knee = crate::kickback::SUPPORT_KNEE_LOCKED;
        let typical = spec.check(knee).unwrap().typical;
        let cal = Calibration {
            check: knee,
            view: View::SideWorking,
            offset: 0.0,
            scale: 1.0,
            clean_ceiling: Some(13.0),
            ..cal
        };
        assert!(matches!(calibrated(&spec, knee, typical - 12.0, &cal), Judged::Borderline { .. }));
        assert!(matches!(calibrated(&spec, knee, typical - 14.0, &cal), Judged::Fault { .. }));
    }

    #[test]
    fn below_checks_judge_the_other_way() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let cal = Calibration {
            check: crate::kickback::SUPPORT_KNEE_LOCKED,
            view: View::SideWorking,
            offset: 0.0,
            scale: 1.0,
            noise: 1.0,
            reps: 30,
            scale_fitted: true,
            clean_ceiling: None,
            landmarks: Default::default(),
        };
        assert_eq!(calibrated(&spec, crate::kickback::SUPPORT_KNEE_LOCKED, 15.0, &cal), Judged::Fine);
        assert!(matches!(calibrated(&spec, crate::kickback::SUPPORT_KNEE_LOCKED, 1.0, &cal), Judged::Fault { .. }));
        assert!(matches!(
            calibrated(&spec, crate::kickback::SUPPORT_KNEE_LOCKED, 5.0, &cal),
            Judged::Borderline { .. }
        ));
    }
}
