//! One rep's verdict: every metric family read once over the rep, each check judged on the
//! reading of its metric.

use crate::report::{Borderline, Fault, Metric, PhaseDurations, RepMetrics};
use crate::rules::context::RepContext;
use crate::rules::foot::FootShift;
use crate::rules::judge::{judge, ratio, round2, JudgeContext, Judged};
use crate::rules::knee::Knee;
use crate::rules::leg::Leg;
use crate::rules::pelvis::Pelvis;
use crate::rules::trunk::Trunk;
use crate::rules::{is_frontal, is_side, RepVerdict};
use crate::spec::{CheckSpec, View};

/// Evaluates one rep (see [`RepContext`]): its phases, its metrics, and its faults, borderline
/// checks and unmeasured checks for the set's view.
pub fn evaluate_rep(cx: &RepContext) -> RepVerdict {
    let r = Readings::read(cx);
    let mut v = RepVerdict {
        phases: phases(cx),
        metrics: r.metrics(cx),
        faults: Vec::new(),
        borderline: Vec::new(),
        measured: Vec::new(),
        unmeasured: Vec::new(),
    };
    if let Some(view) = cx.view {
        let vis = cx.visibility();
        for check in &cx.spec.checks {
            judge_check(cx, &r, check, view, vis, &mut v);
        }
    }
    v.faults.sort_by(|a, b| {
        let ka = a.severity.weight() * ratio(a);
        let kb = b.severity.weight() * ratio(b);
        kb.total_cmp(&ka)
    });
    v
}

/// The rep's phase durations (the bottom lasts until the next rep of the set starts).
fn phases(cx: &RepContext) -> PhaseDurations {
    let rep = cx.rep;
    PhaseDurations {
        lift_s: cx.ts(rep.pause_start) - cx.ts(rep.start),
        top_pause_s: cx.ts(rep.pause_end) - cx.ts(rep.pause_start),
        return_s: cx.ts(rep.end) - cx.ts(rep.pause_end),
        bottom_s: cx.next_start.map(|n| cx.ts(n) - cx.ts(rep.end)),
    }
}

/// Every metric family's readings of one rep.
struct Readings<'a> {
    trunk: Trunk<'a>,
    pelvis: Pelvis<'a>,
    knee: Knee<'a>,
    leg: Leg,
    /// The standing foot's shift, measured over the whole set (see [`crate::rules::SetContext`]).
    foot: Option<&'a FootShift>,
}

/// A check's reading on one rep: the value, the frame it peaked at and the fraction of the
/// rep's frames where its signal was known.
struct Reading {
    value: f64,
    at: usize,
    coverage: f64,
}

impl<'a> Readings<'a> {
    fn read(cx: &RepContext<'a>) -> Readings<'a> {
        let pelvis = Pelvis::read(cx);
        Readings {
            trunk: Trunk::read(cx, pelvis.hike.as_ref()),
            pelvis,
            knee: Knee::read(cx),
            leg: Leg::read(cx),
            foot: cx.set.foot.get(cx.index),
        }
    }

    /// The rep's metrics as the report shows them: those its exercise reports.
    fn metrics(&self, cx: &RepContext) -> RepMetrics {
        cx.spec.reported_metrics().into_iter().map(|m| (m, self.metric(cx, m))).collect()
    }

    /// The rep's reading of one metric, `None` when it could not be measured.
    fn metric(&self, cx: &RepContext, metric: Metric) -> Option<f64> {
        let (side, rep) = (cx.side, cx.rep);
        match metric {
            Metric::Amplitude => Some(rep.amplitude_deg),
            Metric::PeakHipExtension => side.hip_extension.get(rep.peak).copied().flatten(),
            Metric::PeakHipAbduction => side.hip_abduction.get(rep.peak).copied().flatten(),
            Metric::PeakHipExtensionRelTrunk => self.leg.extension_rel_trunk.map(|m| m.value),
            Metric::TrunkForwardChange => self.trunk.forward.map(|m| m.value),
            Metric::TrunkBackChange => self.trunk.back.map(|m| m.value),
            Metric::TrunkAwayChange => self.trunk.away.map(|m| m.value),
            Metric::PelvisHikeChange => self.pelvis.hike.map(|m| m.value),
            Metric::PelvisRotationChange => self.pelvis.rotation.map(|m| m.value),
            Metric::SupportKneeFlexion => self.knee.median,
            Metric::SupportKneeRange => self.knee.range,
            Metric::SwingRatio => self.leg.swing,
            Metric::SidewaysMargin => self.leg.sideways,
            Metric::SupportFootShift => match self.foot {
                Some(FootShift::Measured { shift_cm, .. }) => Some(*shift_cm),
                _ => None,
            },
            Metric::TorsoTwistChange => self.trunk.twist.map(|m| m.value),
        }
    }

    /// The reading `check` judges on this rep seen from `view`: `Ok(None)` when there is none,
    /// `Err` with why when the view shows the check but this rep cannot be judged.
    fn reading(&self, cx: &RepContext, check: &CheckSpec, view: View) -> Result<Option<Reading>, String> {
        let (rep, side) = (cx.rep, cx.side);
        let on = |value: f64, at: usize, coverage: f64| Reading { value, at, coverage };
        let (t, p, k) = (&self.trunk, &self.pelvis, &self.knee);
        Ok(match check.metric {
            Metric::TrunkForwardChange => t.forward.map(|m| on(m.value, m.at, cx.coverage(t.forward_sig))),
            Metric::TrunkAwayChange => t.away.map(|m| on(m.value, m.at, cx.coverage(&t.away_sig))),
            Metric::PelvisHikeChange => p.hike.map(|m| on(m.value, m.at, cx.coverage(p.hike_sig))),
            Metric::PelvisRotationChange => p.rotation.map(|m| on(m.value, m.at, cx.coverage(p.rotation_sig))),
            Metric::TorsoTwistChange => t.twist.map(|m| on(m.value, m.at, cx.coverage(&side.torso_twist))),
            // Side-on, the image angle is missing only when the standing knee is hidden (the far
            // leg, behind the working one); then there is no safe "locked" call: the model's 3D
            // angle of a knee it cannot see is squeezed towards 0 (rendered clips: an 18° knee
            // reads 5–7°), exactly into the fault. (At 45° the image angle is not used at all and
            // the 3D angle, of a knee that is seen, is the measure.)
            Metric::SupportKneeFlexion if !k.image_ok && is_side(view) => {
                return Err(if cx.base.image_only {
                    "the standing knee was not clearly visible in the image".into()
                } else {
                    "the standing knee was not clearly visible in the image (its 3D angle under-reads a bend)".into()
                });
            }
            Metric::SupportKneeFlexion => k.median.map(|v| on(v, rep.peak, cx.coverage(k.sig))),
            Metric::SupportKneeRange => k.range.map(|v| on(v, k.peak_at, cx.coverage(k.sig))),
            Metric::SwingRatio => self.leg.swing.map(|v| on(v, rep.pause_end, 1.0)),
            // From behind or in front the path is read in the image (see `leg::sideways`).
            Metric::SidewaysMargin => {
                let sig =
                    if is_frontal(view) && cx.base.image_only { &side.hip_abduction_img } else { &side.hip_abduction };
                self.leg.sideways.map(|v| on(v, rep.peak, cx.coverage(sig)))
            }
            // The primary reading; the trunk tipping back (secondary) is judged beside it.
            Metric::PeakHipExtensionRelTrunk => match (self.leg.extension_rel_trunk, t.back) {
                (Some(e), _) => Some(on(e.value, e.at, cx.coverage(&side.hip_extension_rel_trunk))),
                (None, Some(b)) if check.secondary_threshold.is_some() => Some(on(f64::NEG_INFINITY, b.at, 1.0)),
                _ => None,
            },
            // Readings reported for the coach that no check judges on their own yet.
            Metric::Amplitude | Metric::PeakHipExtension | Metric::PeakHipAbduction | Metric::TrunkBackChange => {
                self.metric(cx, check.metric).map(|v| on(v, rep.peak, 1.0))
            }
            Metric::SupportFootShift => match self.foot {
                Some(FootShift::Measured { shift_cm, .. }) => Some(on(*shift_cm, rep.end, 1.0)),
                // A step is not a slide, and no evidence of one either way.
                Some(FootShift::Stepped { .. }) | None => None,
                Some(FootShift::Unmeasurable(why)) => return Err(why.clone()),
            },
        })
    }
}

/// Whether the engine always reads `metric` from the image alone when the camera sees the
/// person from `view` (see the readings above and the trunk, pelvis, knee and leg modules; the
/// standing knee is also read from the image at 45° where its image angle was seen enough).
fn reads_image(metric: Metric, view: View) -> bool {
    match metric {
        Metric::TrunkForwardChange | Metric::SupportKneeFlexion | Metric::SupportKneeRange => is_side(view),
        Metric::TrunkAwayChange | Metric::PelvisHikeChange | Metric::SidewaysMargin => is_frontal(view),
        Metric::SwingRatio | Metric::Amplitude => true,
        // At 45° the hip line's image width reads its turn, but which way a narrowing turns
        // the hips depends on which way the body faces, which needs depth.
        Metric::PelvisRotationChange
        | Metric::TorsoTwistChange
        | Metric::PeakHipExtension
        | Metric::PeakHipAbduction
        | Metric::PeakHipExtensionRelTrunk
        | Metric::TrunkBackChange
        | Metric::SupportFootShift => false,
    }
}

/// Why a check cannot be measured with a pose model that gives no 3D landmarks (nor heel or toe
/// points), and what would measure it.
fn without_depth(metric: Metric) -> String {
    let no_3d = "the pose model in use gives no 3D landmarks (a BlazePose model does)";
    if metric == Metric::SupportFootShift {
        return "the pose model in use gives no heel or toe points and no depth (a BlazePose model does)".into();
    }
    if reads_image(metric, View::SideSupport) {
        format!("from this camera view it needs depth, and {no_3d}; filmed side-on it is read from the image")
    } else if reads_image(metric, View::Back) {
        format!("from this camera view it needs depth, and {no_3d}; filmed from behind or in front it is read from the image")
    } else {
        format!("it needs depth, and {no_3d}")
    }
}

/// Judges `check` on the rep seen from `view` (mean landmark visibility `vis`) and records the
/// outcome in `v`.
fn judge_check(cx: &RepContext, r: &Readings, check: &CheckSpec, view: View, vis: f64, v: &mut RepVerdict) {
    // A pose model without 3D (MoveNet) leaves every depth reading empty, and the standing
    // foot needs heel and toe points it does not give: say so, and how to get the check,
    // rather than let it pass as unseen or as uncalibrated.
    let never_in_image = View::ALL.iter().all(|w| !reads_image(check.metric, *w));
    if cx.base.image_only && never_in_image && check.views.contains(&view) {
        v.unmeasured.push((check.id, without_depth(check.metric)));
        return;
    }
    let calibration = match cx.spec.judgement(check.id, view) {
        Ok(c) => c,
        Err(why) => {
            // A view the check is listed for but that cannot judge it says why.
            if check.views.contains(&view) {
                v.unmeasured.push((check.id, why));
            }
            return;
        }
    };
    let reading = match r.reading(cx, check, view) {
        Ok(Some(reading)) => reading,
        Ok(None) if cx.base.image_only && !reads_image(check.metric, view) => {
            v.unmeasured.push((check.id, without_depth(check.metric)));
            return;
        }
        Ok(None) => return,
        Err(why) => {
            v.unmeasured.push((check.id, why));
            return;
        }
    };
    // A rep where the signal was mostly missing is not measured.
    if reading.coverage < cx.spec.measures.min_coverage {
        return;
    }
    v.measured.push(check.id);
    let jc = JudgeContext { check, view, foot: r.foot, back: r.trunk.back, vis, cov: reading.coverage };
    let judged = match judge(&jc, reading.value, calibration, cx.spec) {
        // A swing read before the smoothing has settled the return (the signal ends right after
        // the rep: live, a rep just counted) is not decided yet, either way: no cue and no
        // praise. The live analyzer tells it once the frames after the rep are in.
        Judged::Fault { .. } | Judged::Fine if check.metric == Metric::SwingRatio && !r.leg.swing_settled => {
            let noise = calibration.map_or(0.0, |c| c.noise / c.scale.abs());
            let magnitude = calibration.map_or(reading.value, |c| (reading.value - c.offset) / c.scale);
            Judged::Borderline { magnitude, noise }
        }
        other => other,
    };
    match judged {
        Judged::Fine => {}
        Judged::Borderline { magnitude, noise } => v.borderline.push(Borderline {
            check: check.id,
            magnitude: round2(magnitude),
            threshold: check.threshold,
            unit: check.metric.unit(),
            noise: round2(noise),
            peak_s: cx.ts(reading.at),
        }),
        Judged::Fault { magnitude, threshold, confidence } => v.faults.push(Fault {
            check: check.id,
            magnitude: round2(magnitude),
            threshold,
            unit: check.metric.unit(),
            severity: check.severity,
            peak_s: cx.ts(reading.at),
            peak_frame: cx.base.frame.get(reading.at).copied().unwrap_or(reading.at as u64),
            confidence: round2(confidence.clamp(0.0, 1.0)),
            cue: check.cue.clone(),
        }),
    }
}
