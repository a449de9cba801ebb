//! The renderer's ground truth for one clip, as written by `render_clip.py` (and `join_pair.py`
//! for side switches) or as trimmed into the corpus (`frame_t` instead of per-frame joints).

use crate::BenchError;
use formcheck_core::kinematics::Side;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// One labelled fault of a rep.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Label {
    /// Whether the rep shows the fault (its injected size reached the label threshold).
    pub present: bool,
    /// Injected size (unit of the fault).
    #[serde(default)]
    pub injected: f64,
    /// Label threshold.
    #[serde(default)]
    pub threshold: f64,
}

/// One rep of the ground truth.
#[derive(Clone, Debug, PartialEq)]
pub struct TruthRep {
    /// Frame of the start (leg leaves the start position).
    pub start: usize,
    /// Frame of the top.
    pub peak: usize,
    /// Frame of the end (leg back at the start).
    pub end: usize,
    /// The rep's working leg.
    pub working_leg: Side,
    /// The renderer's camera view name for this rep (e.g. `oblique_back_working`).
    pub view: String,
    /// Fault labels by the renderer's fault name.
    pub labels: BTreeMap<String, Label>,
    /// Values measured on the true skeleton (`peak_trunk_forward_deg`, ...).
    pub measured: BTreeMap<String, serde_json::Value>,
    /// The rep's true phase durations (s): `concentric`, `pause`, `eccentric`, `rest`.
    pub tempo_s: BTreeMap<String, f64>,
}

impl TruthRep {
    /// Whether no fault is present.
    pub fn is_clean(&self) -> bool {
        !self.labels.values().any(|l| l.present)
    }
    /// A measured value that is a number.
    pub fn measured(&self, key: &str) -> Option<f64> {
        self.measured.get(key).and_then(|v| v.as_f64())
    }
}

/// The ground truth of one clip.
#[derive(Clone, Debug, PartialEq)]
pub struct GroundTruth {
    /// Clip name.
    pub name: String,
    /// Frames per second of the clip.
    pub fps: f64,
    /// The camera view of the clip (of its first half for a side switch).
    pub view: String,
    /// Reps in time order.
    pub reps: Vec<TruthRep>,
}

#[derive(Deserialize)]
struct RawTruth {
    name: Option<String>,
    fps: Option<f64>,
    working_leg: String,
    params: RawParams,
    reps: Vec<RawRep>,
    #[serde(default)]
    halves: Vec<RawHalf>,
}
#[derive(Deserialize)]
struct RawParams {
    camera: RawCamera,
}
#[derive(Deserialize)]
struct RawCamera {
    view: String,
}
#[derive(Deserialize)]
struct RawHalf {
    params: RawParams,
    frames: usize,
}
#[derive(Deserialize)]
struct RawRep {
    start: usize,
    peak: usize,
    end: usize,
    working_leg: Option<String>,
    labels: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    measured: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    tempo_s: BTreeMap<String, f64>,
}

fn side(name: &str) -> Option<Side> {
    match name {
        "left" => Some(Side::Left),
        "right" => Some(Side::Right),
        _ => None,
    }
}

impl GroundTruth {
    /// Parses ground-truth JSON; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<GroundTruth, BenchError> {
        let raw: RawTruth =
            serde_json::from_str(text).map_err(|source| BenchError::Json { path: path.to_string(), source })?;
        let invalid = |what: String| BenchError::Invalid { path: path.to_string(), what };
        let clip_leg = side(&raw.working_leg);
        // A side switch: the second half's reps start after the first half's frames.
        let split_at = raw.halves.first().map(|h| h.frames);
        let half_view = |frame: usize| -> String {
            match (split_at, raw.halves.get(1)) {
                (Some(s), Some(b)) if frame >= s => b.params.camera.view.clone(),
                _ => raw.params.camera.view.clone(),
            }
        };
        let mut reps = Vec::new();
        for r in raw.reps {
            let leg = match (&r.working_leg, clip_leg) {
                (Some(l), _) => side(l).ok_or_else(|| invalid(format!("unknown working_leg {l}")))?,
                (None, Some(l)) => l,
                (None, None) => return Err(invalid(format!("unknown working_leg {}", raw.working_leg))),
            };
            let labels =
                r.labels.into_iter().filter_map(|(k, v)| Some((k, serde_json::from_value::<Label>(v).ok()?))).collect();
            reps.push(TruthRep {
                start: r.start,
                peak: r.peak,
                end: r.end,
                working_leg: leg,
                view: half_view(r.start),
                labels,
                measured: r.measured,
                tempo_s: r.tempo_s,
            });
        }
        Ok(GroundTruth {
            name: raw.name.unwrap_or_default(),
            fps: raw.fps.filter(|f| *f > 0.0).unwrap_or(30.0),
            view: raw.params.camera.view,
            reps,
        })
    }

    /// Reads ground truth from a `.json` or xz-compressed `.json.xz` file.
    pub fn load(path: &Path) -> Result<GroundTruth, BenchError> {
        let text = read_text(path)?;
        let mut gt = GroundTruth::parse(&text, &path.display().to_string())?;
        if gt.name.is_empty() {
            gt.name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        }
        Ok(gt)
    }
}

/// The whole text of a file, decompressed when its name ends in `.xz` (the corpus's files:
/// xz keeps them a third smaller than gzip, and the corpus must fit in 50 MB of git).
pub fn read_text(path: &Path) -> Result<String, BenchError> {
    let io = |source| BenchError::Io { path: path.display().to_string(), source };
    let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    if path.extension().is_some_and(|e| e == "xz") {
        let mut bytes = Vec::new();
        lzma_rs::xz_decompress(&mut file, &mut bytes)
            .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("xz: {e}"))))?;
        return String::from_utf8(bytes).map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)));
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SWITCH: &str = r#"{"name": "s", "fps": 30, "working_leg": "switch",
        "params": {"camera": {"view": "side_working"}},
        "halves": [{"params": {"camera": {"view": "side_working"}}, "frames": 100},
                   {"params": {"camera": {"view": "side_support"}}, "frames": 90}],
        "reps": [{"start": 10, "peak": 30, "end": 60, "working_leg": "right",
                  "labels": {"swing": {"present": true, "injected": 0.6, "unit": "ratio", "threshold": 0.5},
                             "any_fault": true}},
                 {"start": 120, "peak": 140, "end": 170, "working_leg": "left", "labels": {}}]}"#;

    #[test]
    fn a_side_switch_keeps_each_reps_leg_and_view() {
        let gt = GroundTruth::parse(SWITCH, "s.json").unwrap();
        assert_eq!(gt.reps.len(), 2);
        assert_eq!((gt.reps[0].working_leg, gt.reps[0].view.as_str()), (Side::Right, "side_working"));
        assert_eq!((gt.reps[1].working_leg, gt.reps[1].view.as_str()), (Side::Left, "side_support"));
        assert!(!gt.reps[0].is_clean());
        assert!(gt.reps[1].is_clean());
        // `any_fault` is a bool, not a label: it is skipped, not an error.
        assert!(!gt.reps[0].labels.contains_key("any_fault"));
    }

    #[test]
    fn unknown_legs_are_errors() {
        let bad = SWITCH.replace("\"working_leg\": \"right\"", "\"working_leg\": \"up\"");
        assert!(matches!(GroundTruth::parse(&bad, "x"), Err(BenchError::Invalid { .. })));
    }
}
