//! What a live session keeps of the stretches it has closed: each stretch's offline report
//! (its per-frame series thinned), merged into the session's report at the end.
//!
//! A session short enough never to close a stretch gets exactly [`crate::analyze()`]'s report.
//! A longer one is analysed stretch by stretch (cut at a quiet moment between reps), so what
//! differs from one offline pass over every frame is what depends on the whole input: each
//! leg's levels (bottom, thresholds) and a set's context (its typical amplitude, view, machine
//! side, standing-foot baselines) come from the stretch, not the session; a set running across
//! a cut is one set in the report (the view and machine side of its first stretch); and the
//! series of closed stretches keeps every [`SERIES_STRIDE`]th frame.

use crate::report::summary::{check_results, summarize, CheckCounts};
use crate::report::{InputInfo, Report, Series, SetReport, Status};
use crate::spec::ExerciseSpec;
use crate::view::ViewSegment;

/// Frames of a closed stretch's series kept: one in this many (5 per second at 30 fps), so an
/// hour's series is a few megabytes instead of some twenty.
pub const SERIES_STRIDE: usize = 6;

/// The reports of the closed stretches, in time order.
#[derive(Default)]
pub(crate) struct ClosedChunks {
    reports: Vec<Report>,
}

impl ClosedChunks {
    /// Keeps a closed stretch's report, its series thinned.
    pub(crate) fn push(&mut self, mut report: Report) {
        thin(&mut report.series, SERIES_STRIDE);
        self.reports.push(report);
    }

    /// The session's report: the closed stretches and then `last` (the open one, unthinned).
    pub(crate) fn merge(self, last: Report, spec: &ExerciseSpec, input: InputInfo) -> Report {
        if self.reports.is_empty() {
            return Report { input, ..last };
        }
        let mut chunks = self.reports;
        chunks.push(last);
        let mut out = Report { input, ..empty_like(&chunks[0]) };
        let mut counts = CheckCounts::default();
        for chunk in chunks {
            add_counts(&mut counts, &chunk);
            append_views(&mut out.views, chunk.views);
            append_sets(&mut out.sets, chunk.sets);
            append_series(&mut out.series, chunk.series);
            let d = &mut out.diagnostics;
            d.frames += chunk.diagnostics.frames;
            d.frames_with_pose += chunk.diagnostics.frames_with_pose;
            d.leg_swaps_repaired += chunk.diagnostics.leg_swaps_repaired;
            d.others_in_view |= chunk.diagnostics.others_in_view;
        }
        let set_views: Vec<_> = out.sets.iter().map(|s| s.view).collect();
        out.checks = check_results(spec, &counts, &set_views, out.sets.is_empty());
        out.summary = summarize(spec, &out.views, &out.sets, &out.checks);
        out
    }
}

/// A report with `like`'s schema and exercise and nothing else.
fn empty_like(like: &Report) -> Report {
    Report {
        schema_version: like.schema_version,
        exercise: like.exercise.clone(),
        input: InputInfo::default(),
        views: Vec::new(),
        sets: Vec::new(),
        checks: Vec::new(),
        summary: like.summary.clone(),
        series: Series::default(),
        diagnostics: Default::default(),
        session: None,
        personal_thresholds: Vec::new(),
    }
}

/// Adds a stretch's per-check counts; a reason a check could not be measured is kept only from
/// stretches that had reps (one without says "no reps were found", true of it alone).
fn add_counts(counts: &mut CheckCounts, chunk: &Report) {
    for c in &chunk.checks {
        *counts.measured.entry(c.check).or_default() += c.reps_measured;
        *counts.faulted.entry(c.check).or_default() += c.reps_with_fault;
        *counts.borderlined.entry(c.check).or_default() += c.reps_borderline;
        if c.status == Status::NotMeasurable && !chunk.sets.is_empty() {
            if let Some(why) = &c.reason {
                counts.reasons.entry(c.check).or_insert_with(|| why.clone());
            }
        }
    }
    // `check_results` treats a check with no entry as never measured.
    counts.measured.retain(|_, n| *n > 0);
}

/// Appends view segments, joining one that continues the last.
fn append_views(views: &mut Vec<ViewSegment>, more: Vec<ViewSegment>) {
    for seg in more {
        match views.last_mut() {
            Some(last) if last.view == seg.view => last.end_s = seg.end_s,
            _ => views.push(seg),
        }
    }
}

/// Appends sets; a stretch's first set that continues the last one (same working leg: sets
/// split only at a side switch) joins it, its reps renumbered.
fn append_sets(sets: &mut Vec<SetReport>, more: Vec<SetReport>) {
    for set in more {
        match sets.last_mut() {
            Some(last) if last.side == set.side => {
                let offset = last.reps.len();
                last.reps.extend(set.reps.into_iter().map(|mut r| {
                    r.index += offset;
                    r
                }));
                last.rep_count += set.rep_count;
                last.partial_count += set.partial_count;
                last.end_s = set.end_s;
            }
            _ => {
                let index = sets.len() + 1;
                sets.push(SetReport { index, ..set });
            }
        }
    }
}

/// Appends a series: the same signals, one after the other.
fn append_series(series: &mut Series, more: Series) {
    let before = series.t_s.len();
    series.t_s.extend(more.t_s);
    series.frame.extend(more.frame);
    series.phase.extend(more.phase);
    for (name, values) in more.signals {
        let column = series.signals.entry(name).or_insert_with(|| vec![None; before]);
        column.resize(before, None);
        column.extend(values);
    }
    let n = series.t_s.len();
    for column in series.signals.values_mut() {
        column.resize(n, None);
    }
}

/// Keeps every `stride`th frame of a series.
fn thin(series: &mut Series, stride: usize) {
    fn keep<T: Clone>(v: &mut Vec<T>, stride: usize) {
        *v = v.iter().step_by(stride.max(1)).cloned().collect();
    }
    keep(&mut series.t_s, stride);
    keep(&mut series.frame, stride);
    keep(&mut series.phase, stride);
    for column in series.signals.values_mut() {
        keep(column, stride);
    }
}
