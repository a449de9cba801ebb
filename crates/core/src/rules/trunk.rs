//! Trunk metrics: forward lean, tipping back, sideways lean away from the machine, and the
//! shoulder line's twist against the hip line.

use crate::report::Metric;
use crate::rules::context::RepContext;
use crate::rules::measure::Measure;
use crate::rules::{is_frontal, is_side};
use std::borrow::Cow;

/// One rep's trunk readings, with the signals they were read on (for coverage).
pub(super) struct Trunk<'a> {
    /// Forward lean change.
    pub(super) forward: Option<Measure>,
    /// The forward-lean signal used: the image one side-on, else the world one.
    pub(super) forward_sig: &'a [Option<f64>],
    /// Tipping back (the forward lean's negative change).
    pub(super) back: Option<Measure>,
    /// Sideways lean change away from the machine.
    pub(super) away: Option<Measure>,
    /// The sideways-lean signal used, oriented away from the machine.
    pub(super) away_sig: Cow<'a, [Option<f64>]>,
    /// Shoulder-line turn relative to the hip line (absolute).
    pub(super) twist: Option<Measure>,
}

impl<'a> Trunk<'a> {
    /// Reads the trunk over the rep; `hike` is the rep's pelvis hike (working hip up).
    pub(super) fn read(cx: &RepContext<'a>, hike: Option<&Measure>) -> Trunk<'a> {
        let side = cx.side;
        let neg: Vec<Option<f64>> = side.trunk_forward.iter().map(|v| v.map(|v| -v)).collect();
        let forward_sig: &[Option<f64>] =
            if cx.view_is(is_side) { &side.trunk_forward_img } else { &side.trunk_forward };
        // The side signals lean towards the support side; away from the machine is the other way
        // when the machine stands on the support side.
        let away_raw: &[Option<f64>] = if cx.view_is(is_frontal) { &side.trunk_away_img } else { &side.trunk_away };
        let flipped = || Cow::Owned(away_raw.iter().map(|v| v.map(|v| -v)).collect::<Vec<_>>());
        let min_away = cx.min_duration(Metric::TrunkAwayChange);
        let (away, away_sig) = match cx.machine_on_working {
            Some(true) => (cx.change(away_raw, min_away), Cow::Borrowed(away_raw)),
            Some(false) => {
                let sig = flipped();
                (cx.change(&sig, min_away), sig)
            }
            // Which way is "away" is not known: judge the lean in whichever direction it went
            // further. A trunk riding on a hiked pelvis tips towards the standing leg with it:
            // that much of a lean that way is the hike's (its own check), not a lean.
            None => {
                let sig = flipped();
                let hiked = hike.map_or(0.0, |h| h.value.max(0.0));
                let towards_support =
                    cx.change(away_raw, min_away).map(|m| Measure { value: m.value - hiked, at: m.at });
                let towards_working = cx.change(&sig, min_away);
                match (towards_support, towards_working) {
                    (Some(a), Some(b)) if b.value > a.value => (Some(b), sig),
                    (None, Some(b)) => (Some(b), sig),
                    (a, _) => (a, Cow::Borrowed(away_raw)),
                }
            }
        };
        Trunk {
            forward: cx.change(forward_sig, cx.min_duration(Metric::TrunkForwardChange)),
            forward_sig,
            back: cx.change(&neg, cx.min_duration(Metric::PeakHipExtensionRelTrunk)),
            away,
            away_sig,
            // Hip- and shoulder-line turns come from depth, the noisiest coordinate: compare the
            // median over the top of the rep with the median before it rather than chasing a peak.
            twist: cx.top_change(&side.torso_twist).map(|m| Measure { value: m.value.abs(), at: m.at }),
        }
    }
}
