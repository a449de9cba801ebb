//! The report's series signals the app draws (the page's charts, the annotated video's angles),
//! by name. The engine names its signals in [`SERIES_SIGNALS`]; each name here is looked up in
//! that list when compiling, so a signal the engine renames or drops is a build error rather
//! than a chart that silently says "not visible from this camera view".

use formcheck_core::report::SERIES_SIGNALS;

/// `name`, if the engine's series holds a signal of that name; a compile-time error otherwise
/// (when used in a constant).
const fn engine_signal(name: &'static str) -> &'static str {
    let mut i = 0;
    while i < SERIES_SIGNALS.len() {
        if same(SERIES_SIGNALS[i].as_bytes(), name.as_bytes()) {
            return SERIES_SIGNALS[i];
        }
        i += 1;
    }
    panic!("not a signal of the engine's series (formcheck_core::report::SERIES_SIGNALS)")
}

/// Byte-wise equality, usable in constants.
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The working thigh's angle from straight down (deg).
pub const WORKING_THIGH_ELEVATION: &str = engine_signal("working_thigh_elevation_deg");
/// Working hip extension (deg).
pub const HIP_EXTENSION: &str = engine_signal("hip_extension_deg");
/// Forward trunk lean (deg).
pub const TRUNK_FORWARD: &str = engine_signal("trunk_forward_deg");
/// Sideways trunk lean away from the machine (deg).
pub const TRUNK_AWAY: &str = engine_signal("trunk_away_deg");
/// Pelvis hike, working hip up (deg).
pub const PELVIS_HIKE: &str = engine_signal("pelvis_hike_deg");
/// Pelvis rotation (deg).
pub const PELVIS_ROTATION: &str = engine_signal("pelvis_rotation_deg");
/// Support knee flexion (deg).
pub const SUPPORT_KNEE_FLEXION: &str = engine_signal("support_knee_flexion_deg");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_engines() {
        assert!(!same(b"a", b"ab") && !same(b"ab", b"ac") && same(b"ab", b"ab"));
        for name in [HIP_EXTENSION, TRUNK_FORWARD, SUPPORT_KNEE_FLEXION] {
            assert!(SERIES_SIGNALS.contains(&name), "{name}");
        }
    }
}
