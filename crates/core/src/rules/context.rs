//! The typed per-rep context every metric reads: the rep, its set, its view and the signals of
//! its working leg, with the readings they share (baselines, changes, coverage).

use crate::kinematics::{BaseSignals, SideSignals};
use crate::report::Metric;
use crate::reps::RepSegment;
use crate::rules::foot::SetContext;
use crate::rules::measure::{baseline, sustained_peak, top_change, Measure};
use crate::signal::{median_of, Track};
use crate::spec::{ExerciseSpec, View};

/// One rep of a set and everything judging it needs.
#[derive(Clone, Copy, Debug)]
pub struct RepContext<'a> {
    /// The sequence's side-independent signals.
    pub base: &'a BaseSignals,
    /// The signals of the set's working leg.
    pub side: &'a SideSignals,
    /// The rep.
    pub rep: &'a RepSegment,
    /// The rep's position in its set (0-based).
    pub index: usize,
    /// The set-level measurements (the standing foot's shifts).
    pub set: &'a SetContext,
    /// The next rep's start in the same set (for the bottom phase).
    pub next_start: Option<usize>,
    /// The set's camera view, if known.
    pub view: Option<View>,
    /// Whether the machine stands on the working leg's side (`None`: not known).
    pub machine_on_working: Option<bool>,
    /// The exercise.
    pub spec: &'a ExerciseSpec,
}

impl RepContext<'_> {
    /// The signal `x` over the sequence's frame times.
    pub(super) fn track<'x>(&'x self, x: &'x [Option<f64>]) -> Track<'x> {
        Track::new(&self.base.t, x)
    }

    /// The time of frame `i` (0 past the end).
    pub(super) fn ts(&self, i: usize) -> f64 {
        self.base.t.get(i).copied().unwrap_or(0.0)
    }

    /// Whether the view is known and `pred` holds for it.
    pub(super) fn view_is(&self, pred: fn(View) -> bool) -> bool {
        self.view.is_some_and(pred)
    }

    /// The least duration (s) a reading of `metric` must hold, from the check judging it.
    pub(super) fn min_duration(&self, metric: Metric) -> f64 {
        self.spec.check_judging(metric).map_or(0.0, |c| c.min_duration_s)
    }

    /// The largest change of `x` from its baseline before the rep held for `min_dur` s.
    pub(super) fn change(&self, x: &[Option<f64>], min_dur: f64) -> Option<Measure> {
        let b = baseline(self.track(x), self.rep.start, self.spec.reps.baseline_window_s)?;
        sustained_peak(self.track(x), b, self.rep.start, self.rep.end, min_dur)
    }

    /// The change of `x` over the top of the rep from its baseline (see [`top_change`]).
    pub(super) fn top_change(&self, x: &[Option<f64>]) -> Option<Measure> {
        top_change(self.track(x), self.rep, self.spec.reps.baseline_window_s, self.spec.measures.top_half_window_s)
    }

    /// The change of `x` at the peak (the median over the top pause, else the peak frame's
    /// value) from its baseline.
    pub(super) fn at_peak(&self, x: &[Option<f64>]) -> Option<f64> {
        let rep = self.rep;
        let b = baseline(self.track(x), rep.start, self.spec.reps.baseline_window_s)?;
        // Average a few frames around the peak.
        let win: Vec<f64> = x.get(rep.pause_start..=rep.pause_end).unwrap_or(&[]).iter().flatten().copied().collect();
        let v = median_of(&mut win.clone()).or_else(|| x.get(rep.peak).copied().flatten())?;
        Some(v - b)
    }

    /// Fraction of the rep's frames where `x` is known.
    pub(super) fn coverage(&self, x: &[Option<f64>]) -> f64 {
        self.track(x).coverage(self.rep.start, self.rep.end)
    }

    /// Mean landmark visibility over the rep (0 when empty).
    pub(super) fn visibility(&self) -> f64 {
        let v = self.side.visibility.get(self.rep.start..=self.rep.end).unwrap_or(&[]);
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    }
}
