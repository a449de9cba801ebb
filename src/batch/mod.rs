//! Batch review: every video under a folder, analysed by parallel workers into per-video reports,
//! resumable (a video whose report is complete and current is skipped) and shardable across machines.
//!
//! [`scan`] finds the videos (and the shard of them this worker owns), [`cache`] keys each video's
//! outputs and locks a video while a worker has it, [`run`] drives the workers, and `index`
//! writes `index.html` and `summary.csv` from the outputs on disk.

pub mod cache;
mod index;
pub mod run;
pub mod scan;

pub use cache::{content_hash, hex, job_key, lock_is_stale, Claim, OutputPaths, VideoLock, STALE_LOCK_AGE};
pub use run::{error_chain, run_batch, BatchOptions, BatchSummary, NewEstimator, Outcome};
pub use scan::{has_video_extension, scan, Scan, Shard, VIDEO_EXTENSIONS};
