//! Landmarks recorded earlier, played back as a [`PoseEstimator`]: the rules and reports can then
//! run on a real video's real landmarks without loading a model (tests, re-analysis of a
//! recording).

use super::{PoseError, PoseEstimator, PoseOutput, StageTimings};
use crate::video::Frame;
use formcheck_core::landmarks::{Pose, PoseFrame};
use opencv::prelude::*;
use std::collections::HashMap;

/// The poses of one recording (e.g. a `formcheck pose --jsonl` file), by frame index. Each frame
/// gets the pose recorded for its index; a frame the recording does not hold, or whose size
/// differs from the recorded one, is an error (pixel coordinates would not fit it).
#[derive(Clone, Debug, Default)]
pub struct ReplayedPoses {
    frames: HashMap<u64, PoseFrame>,
}

impl ReplayedPoses {
    /// Plays back `frames` (as read by [`formcheck_core::landmarks::read_jsonl`]).
    pub fn new(frames: impl IntoIterator<Item = PoseFrame>) -> ReplayedPoses {
        ReplayedPoses { frames: frames.into_iter().map(|f| (f.index, f)).collect() }
    }

    /// How many frames the recording holds.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// True when the recording holds no frame.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The recorded pose of `frame`, checked against its index and size.
    fn recorded(&self, frame: &Frame) -> Result<Option<Pose>, PoseError> {
        let error = |message: String| PoseError::Replay { frame: frame.index, message };
        let recorded = self.frames.get(&frame.index).ok_or_else(|| error("not in the recording".into()))?;
        let size = (frame.image.cols() as u32, frame.image.rows() as u32);
        if size != (recorded.width, recorded.height) {
            return Err(error(format!(
                "recorded on a {}x{} frame, played back on {}x{}",
                recorded.width, recorded.height, size.0, size.1
            )));
        }
        Ok(recorded.pose.clone())
    }
}

impl PoseEstimator for ReplayedPoses {
    /// The recorded pose; no detector or landmark model runs, so no region or timings are given.
    fn estimate(&mut self, frame: &Frame) -> Result<PoseOutput, PoseError> {
        Ok(PoseOutput {
            pose: self.recorded(frame)?,
            roi: None,
            detector_ran: false,
            people_detected: None,
            timings: StageTimings::default(),
        })
    }

    /// Nothing to forget: every frame's pose is looked up by its index.
    fn reset(&mut self) {}
}
