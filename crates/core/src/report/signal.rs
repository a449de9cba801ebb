//! The closed set of signals the report's series carries, by name.

/// A signal of the report's series ([`crate::report::Series::signals`]), for the working leg.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    /// The working thigh's angle from its rest direction (deg).
    WorkingThighElevation,
    /// Working hip extension: the thigh behind vertical (deg).
    HipExtension,
    /// Working hip abduction: the thigh outward from vertical (deg).
    HipAbduction,
    /// Trunk forward lean (deg).
    TrunkForward,
    /// Trunk sideways lean towards the standing side (deg).
    TrunkAway,
    /// Pelvis hike: working hip above the standing one (deg).
    PelvisHike,
    /// Pelvis rotation: the hip line opening towards the working side (deg).
    PelvisRotation,
    /// Standing knee flexion (deg, 0 = straight).
    SupportKneeFlexion,
    /// Shoulder line turn relative to the hip line (deg).
    TorsoTwist,
    /// The standing heel's distance from its first known position in the series (cm).
    SupportHeelShift,
}

impl Signal {
    /// Every signal, in the order the report documents them.
    pub const ALL: [Signal; 10] = [
        Signal::WorkingThighElevation,
        Signal::HipExtension,
        Signal::HipAbduction,
        Signal::TrunkForward,
        Signal::TrunkAway,
        Signal::PelvisHike,
        Signal::PelvisRotation,
        Signal::SupportKneeFlexion,
        Signal::TorsoTwist,
        Signal::SupportHeelShift,
    ];

    /// The signal's key in the report's series (its unit is the suffix).
    pub const fn as_str(self) -> &'static str {
        match self {
            Signal::WorkingThighElevation => "working_thigh_elevation_deg",
            Signal::HipExtension => "hip_extension_deg",
            Signal::HipAbduction => "hip_abduction_deg",
            Signal::TrunkForward => "trunk_forward_deg",
            Signal::TrunkAway => "trunk_away_deg",
            Signal::PelvisHike => "pelvis_hike_deg",
            Signal::PelvisRotation => "pelvis_rotation_deg",
            Signal::SupportKneeFlexion => "support_knee_flexion_deg",
            Signal::TorsoTwist => "torso_twist_deg",
            Signal::SupportHeelShift => "support_heel_shift_cm",
        }
    }

    /// The signal named `name` in a report's series, if any.
    pub fn from_name(name: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Names of the signals in [`crate::report::Series::signals`]: [`Signal::ALL`]'s names.
pub const SERIES_SIGNALS: [&str; 10] = {
    let mut names = [""; 10];
    let mut i = 0;
    while i < Signal::ALL.len() {
        names[i] = Signal::ALL[i].as_str();
        i += 1;
    }
    names
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Signal::ALL {
            assert_eq!(Signal::from_name(s.as_str()), Some(s));
        }
        assert_eq!(SERIES_SIGNALS[0], "working_thigh_elevation_deg");
        assert_eq!(Signal::from_name("nonsense"), None);
    }
}
