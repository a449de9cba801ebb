//! The report's time series of the key signals, for charts and overlays.

use crate::kinematics::{BaseSignals, Side, SideSignals};
use crate::report::{Phase, Series};
use std::collections::BTreeMap;

fn round2(v: Option<f64>) -> Option<f64> {
    v.map(|v| (v * 100.0).round() / 100.0)
}

/// The report's series: per frame, the working leg's key signals (rounded to 0.01) and phase.
pub(crate) fn build_series(
    base: &BaseSignals,
    sides: &[Option<SideSignals>; 2],
    working: &[Option<Side>],
    phase: Vec<Option<Phase>>,
) -> Series {
    let n = base.t.len();
    let mut signals: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    let pick = |f: &dyn Fn(&SideSignals, usize) -> Option<f64>| -> Vec<Option<f64>> {
        (0..n)
            .map(|i| {
                let s = working.get(i).copied().flatten()?;
                round2(f(sides[s.index()].as_ref()?, i))
            })
            .collect()
    };
    let g = |x: &Vec<Option<f64>>, i: usize| x.get(i).copied().flatten();
    let elev: Vec<Option<f64>> = (0..n)
        .map(|i| {
            let s = working.get(i).copied().flatten()?;
            let v = match s {
                Side::Left => &base.elevation_left,
                Side::Right => &base.elevation_right,
            };
            round2(v.get(i).copied().flatten())
        })
        .collect();
    signals.insert("working_thigh_elevation_deg".into(), elev);
    signals.insert("hip_extension_deg".into(), pick(&|s, i| g(&s.hip_extension, i)));
    signals.insert("hip_abduction_deg".into(), pick(&|s, i| g(&s.hip_abduction, i)));
    signals.insert("trunk_forward_deg".into(), pick(&|s, i| g(&s.trunk_forward, i)));
    signals.insert("trunk_away_deg".into(), pick(&|s, i| g(&s.trunk_away, i)));
    signals.insert("pelvis_hike_deg".into(), pick(&|s, i| g(&s.pelvis_hike, i)));
    signals.insert("pelvis_rotation_deg".into(), pick(&|s, i| g(&s.pelvis_rotation, i)));
    signals.insert("support_knee_flexion_deg".into(), pick(&|s, i| g(&s.support_knee, i)));
    signals.insert("torso_twist_deg".into(), pick(&|s, i| g(&s.torso_twist, i)));
    // Heel shift relative to the first known position of the series (for charting).
    let scale = |i: usize| base.m_per_px.get(i).copied().flatten().map(|m| m * 100.0);
    let heel = pick(&|s, i| Some(g(&s.support_heel_x_px, i)? * scale(i)?));
    let heel_y = pick(&|s, i| Some(g(&s.support_heel_y_px, i)? * scale(i)?));
    let first = heel.iter().zip(&heel_y).find_map(|(x, y)| Some((x.as_ref().copied()?, y.as_ref().copied()?)));
    let shift: Vec<Option<f64>> = heel
        .iter()
        .zip(&heel_y)
        .map(|(x, y)| {
            let (x0, y0) = first?;
            round2(Some((x.as_ref()? - x0).hypot(y.as_ref()? - y0)))
        })
        .collect();
    signals.insert("support_heel_shift_cm".into(), shift);
    Series {
        t_s: base.t.iter().map(|t| (t * 1000.0).round() / 1000.0).collect(),
        frame: base.frame.clone(),
        phase,
        signals,
    }
}
