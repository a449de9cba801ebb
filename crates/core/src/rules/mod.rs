//! The rule engine: per-rep metrics and faults, each compared with the spec's threshold.
//!
//! Angles whose absolute value depends on the camera and the person (trunk lean, hip line,
//! shoulder line, foot position) are compared with the rep's own start position (a short window
//! just before the rep), so a person's natural posture is never a fault; only absolute anatomy
//! (knee flexion, hip extension relative to the trunk) is compared with absolute thresholds.
//! A check is only evaluated when the spec lists the rep's view for it.

mod context;
mod foot;
mod judge;
mod knee;
mod leg;
mod measure;
mod pelvis;
mod rep;
mod swing;
mod trunk;

pub use context::RepContext;
pub use foot::{FootShift, SetContext};
pub(crate) use leg::swing_settle_s;
pub use rep::evaluate_rep;

use crate::report::{Borderline, Fault, PhaseDurations, RepMetrics};
use crate::spec::{CheckId, View};

/// What the engine concluded for one rep.
#[derive(Clone, Debug, PartialEq)]
pub struct RepVerdict {
    /// Phase durations.
    pub phases: PhaseDurations,
    /// Measured values.
    pub metrics: RepMetrics,
    /// Faults, most important first.
    pub faults: Vec<Fault>,
    /// Checks too close to their threshold, for the view's noise, to call either way.
    pub borderline: Vec<Borderline>,
    /// Checks that could be measured on this rep.
    pub measured: Vec<CheckId>,
    /// Checks the view shows but that could not be judged on this rep, with why.
    pub unmeasured: Vec<(CheckId, String)>,
}

fn is_side(v: View) -> bool {
    matches!(v, View::SideWorking | View::SideSupport)
}

fn is_frontal(v: View) -> bool {
    matches!(v, View::Back | View::Front)
}

fn is_oblique(v: View) -> bool {
    matches!(v, View::ObliqueBackWorking | View::ObliqueBackSupport | View::ObliqueFront)
}
