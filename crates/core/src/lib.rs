//! formcheck-core: everything after pose estimation, with no video or ML dependencies.
//!
//! Data flows one way, a module per stage: [`landmarks`] (per-frame poses) → [`kinematics`]
//! (skeleton, leg-swap repair, body signals; [`signal`] holds the statistics and smoothing they
//! use) → [`view`] (camera view) and [`reps`] (sets, reps, phases) → [`rules`] (per-rep metrics
//! and the judge) → [`report`]. [`analyze()`] wires the stages offline, [`live`] re-runs them on
//! a recent window for live feedback; [`spec`] holds every exercise-specific number and text,
//! and [`kickback`] names the bundled exercise's checks for tools. The body simulator and the
//! scoring against ground truth live in `formcheck-bench`, which depends on this crate.

pub mod analyze;
pub mod kickback;
pub mod kinematics;
pub mod landmarks;
pub mod live;
pub mod report;
pub mod reps;
pub mod rules;
pub mod signal;
pub mod spec;
pub mod view;

pub use analyze::analyze;
pub use live::{LiveEvent, StreamingAnalyzer};
pub use report::{render_text, InputInfo, Report};
pub use report::{Metric, Signal};
pub use spec::{CheckId, ExerciseSpec, View};
