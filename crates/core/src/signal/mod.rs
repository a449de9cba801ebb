//! Signal processing shared by the stages: a signal's [`Track`] over time, robust statistics
//! over its known values and smoothing over (possibly irregular) frame times.

mod smoothing;
mod stats;
mod track;

pub use smoothing::smooth;
pub(crate) use smoothing::{running_median, slide_window};
pub use stats::{median_of, percentile, spread};
pub use track::Track;
