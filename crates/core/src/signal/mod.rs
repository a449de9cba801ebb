//! Signal processing shared by the stages: robust statistics over a signal's known values and
//! smoothing over (possibly irregular) frame times.

mod smoothing;
mod stats;

pub(crate) use smoothing::slide_window;
pub use smoothing::smooth;
pub use stats::{median_of, percentile};
