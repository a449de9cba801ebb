//! The committed corpus: `corpus/manifest.jsonl` lists every clip (how it was made, its split,
//! what the pose error was on it), `corpus/clips/` holds its landmarks as `formcheck pose` wrote
//! them (xz) and, for the clips we rendered, the trimmed ground truth. Clips of `../shared`
//! keep their ground truth there (`truth_ref`, relative to the project root).

use crate::truth::{read_text, GroundTruth};
use crate::BenchError;
use formcheck_core::landmarks::{read_jsonl, PoseFrame};
use formcheck_core::report::InputInfo;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Which part of the corpus a clip belongs to (by seed; see `scripts/corpus/design.py`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Thresholds, bias corrections and noise figures may be fitted on it.
    Calibration,
    /// Never tuned on: the figures that predict unseen footage.
    Validation,
}

impl Split {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Calibration => "calibration",
            Split::Validation => "validation",
        }
    }
}

/// One manifest line (the fields the evaluation reads; the rest documents how it was made).
#[derive(Clone, Debug, Deserialize)]
pub struct ClipEntry {
    /// Clip name, unique in the corpus.
    pub name: String,
    /// Calibration or validation.
    pub split: Split,
    /// Where it came from: `render` (ours), `shared_samples`, `shared_seed8`.
    pub source: String,
    /// Landmarks, relative to the corpus folder.
    pub landmarks: String,
    /// Trimmed ground truth, relative to the corpus folder (our renders).
    #[serde(default)]
    pub truth: Option<String>,
    /// Ground truth kept outside the project, relative to the project root (`../shared/...`).
    #[serde(default)]
    pub truth_ref: Option<String>,
    /// Renderer camera views (two for a side switch).
    #[serde(default)]
    pub views: Vec<String>,
    /// Design seed of our renders.
    #[serde(default)]
    pub seed: Option<u64>,
    /// What the pose model got wrong on the clip (as `scripts/corpus/ingest.py` measured it).
    #[serde(default)]
    pub pose_error: Option<ClipPoseError>,
    /// The same video's landmarks by other pose models (`formcheck pose --model NAME`), by model
    /// name, relative to the corpus folder (`scripts/corpus.sh pose-model NAME`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub landmarks_by_model: std::collections::BTreeMap<String, String>,
}

/// The per-clip pose error rates of the manifest (the fields the synthetic noise fit reads).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct ClipPoseError {
    /// Fraction of frames whose legs' image labels were swapped.
    #[serde(default)]
    pub leg_swap_rate: f64,
    /// Fraction of frames without a person.
    #[serde(default)]
    pub person_missing_rate: f64,
}

/// The corpus on disk.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The corpus folder.
    pub root: PathBuf,
    /// Its clips, in manifest order.
    pub clips: Vec<ClipEntry>,
}

impl Corpus {
    /// Reads `DIR/manifest.jsonl`.
    pub fn open(root: &Path) -> Result<Corpus, BenchError> {
        let path = root.join("manifest.jsonl");
        let text = read_text(&path)?;
        let mut clips = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let entry: ClipEntry = serde_json::from_str(line)
                .map_err(|source| BenchError::Json { path: path.display().to_string(), source })?;
            clips.push(entry);
        }
        Ok(Corpus { root: root.to_path_buf(), clips })
    }

    /// Clips of one split (or all), optionally only those whose name contains `filter`.
    pub fn select(&self, split: Option<Split>, filter: Option<&str>) -> Vec<&ClipEntry> {
        self.clips
            .iter()
            .filter(|c| split.is_none_or(|s| c.split == s))
            .filter(|c| filter.is_none_or(|f| c.name.contains(f)))
            .collect()
    }

    /// The clip's cached landmarks.
    pub fn landmarks(&self, clip: &ClipEntry) -> Result<Vec<PoseFrame>, BenchError> {
        self.landmarks_by(clip, None)
    }

    /// The clip's cached landmarks by pose model `model` (`None`: the corpus's own, BlazePose
    /// full); an error when the clip has none by that model.
    pub fn landmarks_by(&self, clip: &ClipEntry, model: Option<&str>) -> Result<Vec<PoseFrame>, BenchError> {
        let rel = match model {
            None => &clip.landmarks,
            Some(m) => clip.landmarks_by_model.get(m).ok_or_else(|| BenchError::Invalid {
                path: clip.name.clone(),
                what: format!("no landmarks by pose model {m}"),
            })?,
        };
        let path = self.root.join(rel);
        let text = read_text(&path)?;
        read_jsonl(text.as_bytes()).map_err(|source| BenchError::Landmarks { path: path.display().to_string(), source })
    }

    /// Where the clip's ground truth is, or why it is not at hand (a `../shared` clip without
    /// `../shared` beside the project).
    pub fn truth_path(&self, clip: &ClipEntry) -> Result<PathBuf, BenchError> {
        let path = match (&clip.truth, &clip.truth_ref) {
            (Some(t), _) => self.root.join(t),
            (None, Some(r)) => self.root.parent().unwrap_or(Path::new(".")).join(r),
            (None, None) => {
                return Err(BenchError::Invalid { path: clip.name.clone(), what: "no ground truth listed".into() })
            }
        };
        Ok(path)
    }

    /// The clip's ground truth.
    pub fn truth(&self, clip: &ClipEntry) -> Result<GroundTruth, BenchError> {
        let mut gt = GroundTruth::load(&self.truth_path(clip)?)?;
        gt.name = clip.name.clone();
        Ok(gt)
    }
}

/// The report's input block for cached landmarks (what `analyze` would have said of the video).
pub fn input_info(name: &str, frames: &[PoseFrame]) -> InputInfo {
    let (width, height) = frames.first().map_or((0, 0), |f| (f.width, f.height));
    let mut steps: Vec<f64> = frames.windows(2).map(|w| w[1].t_s - w[0].t_s).filter(|d| *d > 0.0).collect();
    steps.sort_by(f64::total_cmp);
    let period = steps.get(steps.len() / 2).copied().unwrap_or(1.0 / 30.0);
    let duration_s = match (frames.first(), frames.last()) {
        (Some(a), Some(b)) => b.t_s - a.t_s + period,
        _ => 0.0,
    };
    InputInfo {
        path: name.to_string(),
        width,
        height,
        fps: (1.0 / period * 1000.0).round() / 1000.0,
        duration_s,
        frames_decoded: frames.len() as u64,
        frames_with_pose: frames.iter().filter(|f| f.pose.is_some()).count() as u64,
    }
}
