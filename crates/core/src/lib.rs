//! formcheck-core: everything after pose estimation, with no video or ML dependencies.
//!
//! Data flows one way: [`landmarks`] (per-frame poses) → [`kinematics`] (skeleton, signals) →
//! [`view`] (camera view) and [`reps`] (sets, reps, phases) → [`rules`] (faults) → [`report`].
//! [`analysis`] wires the stages ([`analysis::analyze`] offline, [`analysis::StreamingAnalyzer`]
//! live); [`spec`] holds every exercise-specific number and text; [`synth`] and [`eval`] are the
//! synthetic ground-truth bench, and [`kickback`] names the bundled exercise's checks for them.

pub mod analysis;
pub mod eval;
pub mod kickback;
pub mod kinematics;
pub mod landmarks;
pub mod report;
pub mod reps;
pub mod rules;
pub mod spec;
pub mod synth;
pub mod view;

pub use analysis::{analyze, LiveEvent, StreamingAnalyzer};
pub use report::Metric;
pub use report::{render_text, InputInfo, Report};
pub use spec::{CheckId, ExerciseSpec, View};
