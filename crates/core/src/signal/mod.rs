//! Signal processing shared by the stages: a signal's [`Track`] over time, robust statistics
//! over its known values and smoothing over (possibly irregular) frame times.

mod smoothing;
mod stats;
mod track;

pub(crate) use smoothing::slide_window;
pub use smoothing::smooth;
pub use stats::{median_of, percentile};
pub use track::Track;
