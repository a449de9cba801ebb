//! Scoring reports against ground truth: rep-count exact rate, per-fault precision / recall /
//! F1 split by view, false alarms on clean reps, not-measurable correctness and view accuracy.
//! Works on synthetic sequences ([`run_synthetic_suite`]) and on the rendered samples' ground
//! truth JSON ([`load_sample_labels`]).

use crate::synth::{generate, LabeledRep, LabeledSet, Labels, SynthParams};
use crate::BenchError;
use formcheck_core::analyze::analyze;
use formcheck_core::kinematics::Side;
use formcheck_core::report::{InputInfo, Report, Status};
use formcheck_core::spec::{CheckId, ExerciseSpec, View};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// True/false positives and negatives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    /// Fault present and flagged.
    pub tp: usize,
    /// Flagged but not present.
    pub fp: usize,
    /// Present but not flagged.
    pub fn_: usize,
    /// Neither.
    pub tn: usize,
}

impl Confusion {
    /// Precision (1 when nothing was flagged).
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    /// Recall (1 when nothing was present).
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    /// F1 (harmonic mean of precision and recall).
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    /// Adds another count to this one.
    pub fn add(&mut self, o: &Confusion) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.tn += o.tn;
    }
}

/// Accumulated scores over many sequences.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scoreboard {
    /// Sequences scored.
    pub sequences: usize,
    /// Sequences whose full-rep count per side was exactly right.
    pub reps_exact: usize,
    /// Names of sequences with a wrong count (with expected/got).
    pub rep_misses: Vec<String>,
    /// Per (check, view) confusion, only where the spec says the view shows the check.
    pub faults: BTreeMap<(CheckId, View), Confusion>,
    /// Clean labelled reps that were matched to a detected rep.
    pub clean_reps: usize,
    /// Of those, reps where the engine flagged any fault.
    pub clean_flagged: usize,
    /// Of those, reps flagged with a check the rendered scorer scores ([`crate::score::SCORED`]):
    /// the count comparable with rendered figures.
    pub clean_flagged_scored: usize,
    /// Checks whose not-measurable status was as expected from the true view.
    pub nm_correct: usize,
    /// Checks judged.
    pub nm_total: usize,
    /// Sets whose detected view equals the true view.
    pub view_correct: usize,
    /// Sets judged for view.
    pub view_total: usize,
    /// Examples of wrong fault calls (for debugging).
    pub fault_misses: Vec<String>,
}

impl Scoreboard {
    /// Fraction of sequences with an exact rep count.
    pub fn rep_exact_rate(&self) -> f64 {
        if self.sequences == 0 {
            0.0
        } else {
            self.reps_exact as f64 / self.sequences as f64
        }
    }
    /// Fraction of clean reps flagged with any fault.
    pub fn clean_flag_rate(&self) -> f64 {
        if self.clean_reps == 0 {
            0.0
        } else {
            self.clean_flagged as f64 / self.clean_reps as f64
        }
    }
    /// Fraction of clean reps flagged with a check the rendered scorer scores (comparable with
    /// the rendered figures).
    pub fn scored_clean_flag_rate(&self) -> f64 {
        self.clean_flagged_scored as f64 / self.clean_reps.max(1) as f64
    }
    /// Macro F1 over the checks the rendered scorer scores, by its rule
    /// ([`crate::score::Scores::f1`]).
    pub fn scored_macro_f1(&self) -> f64 {
        let f: Vec<f64> =
            crate::score::SCORED.iter().filter_map(|c| crate::score::Scores::f1(&self.check_total(*c))).collect();
        if f.is_empty() {
            0.0
        } else {
            f.iter().sum::<f64>() / f.len() as f64
        }
    }
    /// Confusion of a check over all views that show it.
    pub fn check_total(&self, check: CheckId) -> Confusion {
        let mut c = Confusion::default();
        for ((k, _), v) in &self.faults {
            if *k == check {
                c.add(v);
            }
        }
        c
    }
    /// Not-measurable correctness rate.
    pub fn nm_rate(&self) -> f64 {
        if self.nm_total == 0 {
            1.0
        } else {
            self.nm_correct as f64 / self.nm_total as f64
        }
    }

    /// Checks the targets (reps exact ≥ 95 %, F1 ≥ 0.9 per fault with positives,
    /// clean flagged ≤ 5 %); returns the failures (empty = all met).
    pub fn target_failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.rep_exact_rate() < 0.95 {
            out.push(format!("reps exact {:.1} % < 95 %", 100.0 * self.rep_exact_rate()));
        }
        for id in formcheck_core::kickback::ALL {
            let c = self.check_total(id);
            if c.tp + c.fn_ > 0 && c.f1() < 0.9 {
                out.push(format!("{id} F1 {:.2} < 0.9", c.f1()));
            }
        }
        if self.clean_flag_rate() > 0.05 {
            out.push(format!("clean reps flagged {:.1} % > 5 %", 100.0 * self.clean_flag_rate()));
        }
        out
    }

    /// A printable summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "sequences: {}", self.sequences);
        let _ =
            writeln!(s, "reps exact: {}/{} = {:.1} %", self.reps_exact, self.sequences, 100.0 * self.rep_exact_rate());
        let _ = writeln!(
            s,
            "clean reps flagged: {}/{} = {:.1} %",
            self.clean_flagged,
            self.clean_reps,
            100.0 * self.clean_flag_rate()
        );
        let _ = writeln!(
            s,
            "not_measurable correct: {}/{} = {:.1} %",
            self.nm_correct,
            self.nm_total,
            100.0 * self.nm_rate()
        );
        let _ = writeln!(s, "view correct (sets): {}/{}", self.view_correct, self.view_total);
        let _ = writeln!(
            s,
            "{:<22} {:<14} {:>4} {:>4} {:>4} {:>6} {:>6} {:>6}",
            "check", "view", "tp", "fp", "fn", "prec", "recall", "F1"
        );
        // One row of the table: a check from one view (or all) and its counts.
        let row = |s: &mut String, id: CheckId, view: &str, c: &Confusion| {
            let _ = writeln!(
                s,
                "{:<22} {:<14} {:>4} {:>4} {:>4} {:>6.2} {:>6.2} {:>6.2}",
                id.as_str(),
                view,
                c.tp,
                c.fp,
                c.fn_,
                c.precision(),
                c.recall(),
                c.f1()
            );
        };
        for id in formcheck_core::kickback::ALL {
            for ((k, v), c) in &self.faults {
                if *k == id && (c.tp + c.fp + c.fn_) > 0 {
                    row(&mut s, id, v.as_str(), c);
                }
            }
            let c = self.check_total(id);
            if c.tp + c.fp + c.fn_ > 0 {
                row(&mut s, id, "(all views)", &c);
            }
        }
        let failures = self.target_failures();
        if failures.is_empty() {
            let _ = writeln!(s, "targets: all met");
        } else {
            let _ = writeln!(s, "targets missed: {}", failures.join("; "));
        }
        s
    }

    /// Scores one report against its labels.
    pub fn score(&mut self, report: &Report, labels: &Labels, spec: &ExerciseSpec) {
        self.sequences += 1;
        let expected = |side: Side| -> usize {
            labels.sets.iter().filter(|s| s.side == side).map(|s| s.reps.iter().filter(|r| !r.partial).count()).sum()
        };
        let (el, er) = (expected(Side::Left), expected(Side::Right));
        if el == report.summary.reps_left && er == report.summary.reps_right {
            self.reps_exact += 1;
        } else {
            self.rep_misses.push(format!(
                "{}: expected L{el}/R{er}, got L{}/R{}",
                labels.name, report.summary.reps_left, report.summary.reps_right
            ));
        }
        // Views of sets, matched by side and order.
        for (k, ls) in labels.sets.iter().enumerate() {
            if let Some(rs) = report.sets.iter().filter(|s| !s.reps.iter().all(|r| r.partial)).nth(k) {
                self.view_total += 1;
                if rs.view == Some(ls.view) && rs.side == ls.side {
                    self.view_correct += 1;
                }
            }
        }
        // Faults per rep.
        let detected: Vec<(&formcheck_core::report::RepReport, Side)> =
            report.sets.iter().flat_map(|s| s.reps.iter().filter(|r| !r.partial).map(move |r| (r, s.side))).collect();
        let mut used = vec![false; detected.len()];
        for ls in &labels.sets {
            for lr in ls.reps.iter().filter(|r| !r.partial) {
                let m = detected.iter().enumerate().position(|(k, (r, side))| {
                    !used[k] && *side == ls.side && r.peak_s >= lr.start_s - 0.2 && r.peak_s <= lr.end_s + 0.2
                });
                if let Some(k) = m {
                    used[k] = true;
                }
                let got = m.map(|k| detected[k].0);
                self.score_rep(lr, ls, got, spec, &labels.name);
            }
        }
        // Detected reps matching nothing: every fault is a false positive.
        for (k, (r, _)) in detected.iter().enumerate() {
            if used[k] {
                continue;
            }
            let view = labels.sets.first().map_or(View::Back, |s| s.view);
            for f in &r.faults {
                if spec.measurable(f.check, view) {
                    self.faults.entry((f.check, view)).or_default().fp += 1;
                }
            }
        }
        // Not-measurable status: expected from the true views.
        for c in &report.checks {
            let measurable = labels.sets.iter().any(|s| spec.measurable(c.check, s.view));
            let has_reps = labels.sets.iter().any(|s| s.reps.iter().any(|r| !r.partial));
            if !has_reps {
                continue;
            }
            self.nm_total += 1;
            if measurable == (c.status != Status::NotMeasurable) {
                self.nm_correct += 1;
            }
        }
    }

    fn score_rep(
        &mut self,
        lr: &LabeledRep,
        ls: &LabeledSet,
        got: Option<&formcheck_core::report::RepReport>,
        spec: &ExerciseSpec,
        name: &str,
    ) {
        let view = ls.view;
        let clean = lr.faults.is_empty();
        if let (true, Some(g)) = (clean, got) {
            self.clean_reps += 1;
            if g.faults.iter().any(|f| crate::score::SCORED.contains(&f.check)) {
                self.clean_flagged_scored += 1;
            }
            if !g.faults.is_empty() {
                self.clean_flagged += 1;
                self.fault_misses.push(format!(
                    "{name} rep@{:.1}s clean but flagged {:?}",
                    lr.peak_s,
                    g.faults.iter().map(|f| (f.check, f.magnitude)).collect::<Vec<_>>()
                ));
            }
        }
        for id in formcheck_core::kickback::ALL {
            if !spec.measurable(id, view) {
                continue;
            }
            let truth = lr.faults.iter().any(|(c, _)| *c == id);
            let pred = got.is_some_and(|g| g.faults.iter().any(|f| f.check == id));
            let c = self.faults.entry((id, view)).or_default();
            match (truth, pred) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => c.tn += 1,
            }
            if truth != pred && self.fault_misses.len() < 400 {
                let metric = got.map(|g| format!("{:?}", g.metrics)).unwrap_or_else(|| "unmatched".into());
                self.fault_misses.push(format!(
                    "{name} {view} rep@{:.1}s {id}: truth {truth} pred {pred} label {:?} metrics {metric}",
                    lr.peak_s, lr.faults
                ));
            }
        }
    }
}

/// Runs the engine on synthetic sequences for every seed in `seeds` and scores them, at the
/// generator's typical noise.
pub fn run_synthetic_suite(spec: &ExerciseSpec, seeds: std::ops::Range<u64>) -> Scoreboard {
    run_synthetic_suite_with(spec, seeds, |p| p)
}

/// [`run_synthetic_suite`] with each sequence's parameters adjusted first (its noise chosen by
/// its camera view, its faults sized another way).
pub fn run_synthetic_suite_with(
    spec: &ExerciseSpec,
    seeds: std::ops::Range<u64>,
    adjust: impl Fn(SynthParams) -> SynthParams,
) -> Scoreboard {
    let mut board = Scoreboard::default();
    for seed in seeds {
        let p = adjust(SynthParams::random(seed));
        let seq = generate(&p);
        let report = analyze(&seq.frames, spec, InputInfo::default());
        board.score(&report, &seq.labels, spec);
    }
    board
}

#[derive(Deserialize)]
struct SampleFile {
    name: Option<String>,
    fps: Option<f64>,
    working_leg: String,
    params: SampleParams,
    reps: Vec<SampleRep>,
    #[serde(default)]
    frames: Vec<SampleFrame>,
}
#[derive(Deserialize)]
struct SampleParams {
    camera: SampleCamera,
}
#[derive(Deserialize)]
struct SampleCamera {
    view: String,
}
#[derive(Deserialize)]
struct SampleRep {
    start: usize,
    peak: usize,
    end: usize,
    labels: BTreeMap<String, serde_json::Value>,
}
#[derive(Deserialize)]
struct SampleFrame {
    t: f64,
}

/// The check id a sample label name maps to (see the samples' README).
pub fn sample_label_check(name: &str) -> Option<CheckId> {
    Some(match name {
        "forward_lean" => formcheck_core::kickback::TORSO_LEAN_FORWARD,
        "lateral_lean" => formcheck_core::kickback::TORSO_LEAN_AWAY,
        "pelvic_hike" => formcheck_core::kickback::PELVIS_HIKE,
        "pelvic_rotation" => formcheck_core::kickback::PELVIS_ROTATION,
        "lumbar_arch" | "kick_too_high" => formcheck_core::kickback::LOW_BACK_ARCH,
        "knee_bounce" => formcheck_core::kickback::SUPPORT_KNEE_UNSTABLE,
        "locked_knee" => formcheck_core::kickback::SUPPORT_KNEE_LOCKED,
        "swing" => formcheck_core::kickback::SWING,
        "foot_shift" => formcheck_core::kickback::SUPPORT_FOOT_SHIFT,
        "sideways_path" => formcheck_core::kickback::LEG_PATH_SIDEWAYS,
        _ => return None,
    })
}

/// Our view for a sample's `camera.view` name.
pub fn sample_view(name: &str) -> Option<View> {
    Some(match name {
        "back" => View::Back,
        "front" => View::Front,
        "side_working" => View::SideWorking,
        "side_support" => View::SideSupport,
        "oblique_back_working" => View::ObliqueBackWorking,
        "oblique_back_support" => View::ObliqueBackSupport,
        n if n.starts_with("oblique_front") => View::ObliqueFront,
        _ => return None,
    })
}

/// Loads a rendered sample's ground truth (`NAME.json`) as labels (frame indices → seconds
/// through the file's own frame times, or its fps).
pub fn load_sample_labels(path: impl AsRef<Path>) -> Result<Labels, BenchError> {
    let path = path.as_ref();
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BenchError::Io { path: p.clone(), source })?;
    let f: SampleFile = serde_json::from_str(&text).map_err(|source| BenchError::Json { path: p.clone(), source })?;
    let view = sample_view(&f.params.camera.view).ok_or_else(|| BenchError::Invalid {
        path: p.clone(),
        what: format!("unknown view {}", f.params.camera.view),
    })?;
    let side = match f.working_leg.as_str() {
        "left" => Side::Left,
        "right" => Side::Right,
        other => return Err(BenchError::Invalid { path: p, what: format!("unknown working_leg {other}") }),
    };
    let fps = f.fps.filter(|x| *x > 0.0).unwrap_or(30.0);
    let t = |i: usize| f.frames.get(i).map_or(i as f64 / fps, |fr| fr.t);
    let reps = f
        .reps
        .iter()
        .map(|r| {
            let mut faults: Vec<(CheckId, f64)> = Vec::new();
            for (name, v) in &r.labels {
                let present = v.get("present").and_then(|x| x.as_bool()).unwrap_or(false);
                let Some(check) = sample_label_check(name) else { continue };
                if present && !faults.iter().any(|(c, _)| *c == check) {
                    let mag = v.get("injected").and_then(|x| x.as_f64()).unwrap_or(0.0);
                    faults.push((check, mag));
                }
            }
            LabeledRep { start_s: t(r.start), peak_s: t(r.peak), end_s: t(r.end), partial: false, faults }
        })
        .collect();
    Ok(Labels {
        name: f.name.unwrap_or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()),
        sets: vec![LabeledSet { side, view, reps }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_maths() {
        let c = Confusion { tp: 8, fp: 2, fn_: 2, tn: 0 };
        assert!((c.precision() - 0.8).abs() < 1e-9);
        assert!((c.f1() - 0.8).abs() < 1e-9);
        assert_eq!(Confusion::default().f1(), 1.0);
    }

    #[test]
    fn sample_names_map() {
        assert_eq!(sample_view("oblique_back_working"), Some(View::ObliqueBackWorking));
        assert_eq!(sample_label_check("kick_too_high"), Some(formcheck_core::kickback::LOW_BACK_ARCH));
        assert_eq!(sample_label_check("any_fault"), None);
    }
}
