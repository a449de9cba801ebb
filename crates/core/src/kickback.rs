//! The check ids of the bundled cable medius kickback spec, named for the tools that simulate
//! and score that one exercise (the synthetic generator, the evaluation against rendered ground
//! truth). The rule engine itself never names a check: it judges the [`Metric`] each check of
//! the spec points at.
//!
//! [`Metric`]: crate::report::Metric

use crate::spec::CheckId;

/// Trunk tips forward during the rep.
pub const TORSO_LEAN_FORWARD: CheckId = CheckId::from_static("torso_lean_forward");
/// Trunk leans sideways away from the machine.
pub const TORSO_LEAN_AWAY: CheckId = CheckId::from_static("torso_lean_away");
/// The working-side hip rises.
pub const PELVIS_HIKE: CheckId = CheckId::from_static("pelvis_hike");
/// The pelvis turns open at the top.
pub const PELVIS_ROTATION: CheckId = CheckId::from_static("pelvis_rotation");
/// The standing knee is held straight.
pub const SUPPORT_KNEE_LOCKED: CheckId = CheckId::from_static("support_knee_locked");
/// The standing knee's bend changes within the rep.
pub const SUPPORT_KNEE_UNSTABLE: CheckId = CheckId::from_static("support_knee_unstable");
/// Momentum: the return is much faster than the lift.
pub const SWING: CheckId = CheckId::from_static("swing");
/// The leg goes mostly sideways instead of back and slightly out.
pub const LEG_PATH_SIDEWAYS: CheckId = CheckId::from_static("leg_path_sideways");
/// Range comes from the low back.
pub const LOW_BACK_ARCH: CheckId = CheckId::from_static("low_back_arch");
/// The standing foot slides.
pub const SUPPORT_FOOT_SHIFT: CheckId = CheckId::from_static("support_foot_shift");
/// Shoulders turn against the hips at the top.
pub const TORSO_TWIST: CheckId = CheckId::from_static("torso_twist");

/// Every check of the kickback spec, in its report order.
pub const ALL: [CheckId; 11] = [
    TORSO_LEAN_FORWARD,
    TORSO_LEAN_AWAY,
    PELVIS_HIKE,
    PELVIS_ROTATION,
    SUPPORT_KNEE_LOCKED,
    SUPPORT_KNEE_UNSTABLE,
    SWING,
    LEG_PATH_SIDEWAYS,
    LOW_BACK_ARCH,
    SUPPORT_FOOT_SHIFT,
    TORSO_TWIST,
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_names_are_the_bundled_specs_checks_in_order() {
        let spec = crate::spec::ExerciseSpec::cable_medius_kickback().unwrap();
        let ids: Vec<_> = spec.checks.iter().map(|c| c.id).collect();
        assert_eq!(ids, super::ALL);
    }
}
