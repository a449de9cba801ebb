//! The report's time series of the key signals, for charts and overlays.

use crate::kinematics::{BaseSignals, PerSide, Side, SideSignals};
use crate::report::{Phase, Series, Signal};
use std::collections::BTreeMap;

fn round2(v: Option<f64>) -> Option<f64> {
    v.map(|v| (v * 100.0).round() / 100.0)
}

/// The report's series: per frame, the working leg's key signals (rounded to 0.01) and phase.
pub(crate) fn build_series(
    base: &BaseSignals,
    sides: &PerSide<Option<SideSignals>>,
    working: &[Option<Side>],
    phase: Vec<Option<Phase>>,
) -> Series {
    let n = base.t.len();
    let leg = WorkingLeg { sides, working, n };
    let column = |x: fn(&SideSignals) -> &Vec<Option<f64>>| leg.values(|s, i| x(s).get(i).copied().flatten());
    let mut signals: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    for signal in Signal::ALL {
        let values = match signal {
            Signal::WorkingThighElevation => (0..n)
                .map(|i| {
                    let s = working.get(i).copied().flatten()?;
                    round2(base.elevation[s].get(i).copied().flatten())
                })
                .collect(),
            Signal::HipExtension => column(|s| &s.hip_extension),
            Signal::HipAbduction => column(|s| &s.hip_abduction),
            Signal::TrunkForward => column(|s| &s.trunk_forward),
            Signal::TrunkAway => column(|s| &s.trunk_away),
            Signal::PelvisHike => column(|s| &s.pelvis_hike),
            Signal::PelvisRotation => column(|s| &s.pelvis_rotation),
            Signal::SupportKneeFlexion => column(|s| &s.support_knee),
            Signal::TorsoTwist => column(|s| &s.torso_twist),
            Signal::SupportHeelShift => heel_shift(base, &leg),
        };
        signals.insert(signal.as_str().to_string(), values);
    }
    Series {
        t_s: base.t.iter().map(|t| (t * 1000.0).round() / 1000.0).collect(),
        frame: base.frame.clone(),
        phase,
        signals,
    }
}

/// The side signals of the leg working at each frame.
struct WorkingLeg<'a> {
    sides: &'a PerSide<Option<SideSignals>>,
    working: &'a [Option<Side>],
    n: usize,
}

impl WorkingLeg<'_> {
    /// `f` of the working leg's side signals at each frame, rounded to 0.01.
    fn values(&self, f: impl Fn(&SideSignals, usize) -> Option<f64>) -> Vec<Option<f64>> {
        (0..self.n)
            .map(|i| {
                let s = self.working.get(i).copied().flatten()?;
                round2(f(self.sides[s].as_ref()?, i))
            })
            .collect()
    }
}

/// The standing heel's shift (cm) relative to its first known position in the series (for
/// charting).
fn heel_shift(base: &BaseSignals, leg: &WorkingLeg) -> Vec<Option<f64>> {
    let g = |x: &Vec<Option<f64>>, i: usize| x.get(i).copied().flatten();
    let scale = |i: usize| base.m_per_px.get(i).copied().flatten().map(|m| m * 100.0);
    let heel = leg.values(|s, i| Some(g(&s.support_heel_x_px, i)? * scale(i)?));
    let heel_y = leg.values(|s, i| Some(g(&s.support_heel_y_px, i)? * scale(i)?));
    let first = heel.iter().zip(&heel_y).find_map(|(x, y)| Some((x.as_ref().copied()?, y.as_ref().copied()?)));
    heel.iter()
        .zip(&heel_y)
        .map(|(x, y)| {
            let (x0, y0) = first?;
            round2(Some((x.as_ref()? - x0).hypot(y.as_ref()? - y0)))
        })
        .collect()
}
