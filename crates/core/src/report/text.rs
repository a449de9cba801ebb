//! The report's readable terminal summary.

use crate::report::{Report, Status};
use std::fmt::Write as _;

/// A readable terminal summary: the input, each set's reps, each check's status, what to fix.
pub fn render_text(r: &Report) -> String {
    let mut s = String::new();
    header(&mut s, r);
    sets(&mut s, r);
    checks(&mut s, r);
    summary(&mut s, r);
    s
}

/// The input, its length and the camera views.
fn header(s: &mut String, r: &Report) {
    let _ = writeln!(s, "{} — {}", r.exercise, if r.input.path.is_empty() { "(input)" } else { &r.input.path });
    let duration = if r.input.duration_s > 0.0 {
        r.input.duration_s
    } else {
        match (r.series.t_s.first(), r.series.t_s.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        }
    };
    let _ = writeln!(
        s,
        "  {} frames, {} with a person, {duration:.1} s",
        r.diagnostics.frames, r.diagnostics.frames_with_pose
    );
    if !r.views.is_empty() {
        let v: Vec<String> =
            r.views.iter().map(|v| format!("{} ({:.1}–{:.1} s)", v.view, v.start_s, v.end_s)).collect();
        let _ = writeln!(s, "  view: {}", v.join(", "));
    }
}

/// Each set's reps with their phases and faults.
fn sets(s: &mut String, r: &Report) {
    if r.sets.is_empty() {
        let _ = writeln!(s, "\nNo reps found.");
        if let Some(advice) = &r.summary.no_reps_advice {
            let _ = writeln!(s, "{advice}");
        }
    }
    for set in &r.sets {
        let _ = writeln!(
            s,
            "\nSet {} — {} leg working: {} rep{}{}",
            set.index,
            set.side.as_str(),
            set.rep_count,
            if set.rep_count == 1 { "" } else { "s" },
            if set.partial_count > 0 { format!(" (+{} partial)", set.partial_count) } else { String::new() }
        );
        for rep in &set.reps {
            let faults: Vec<String> =
                rep.faults.iter().map(|f| format!("{} {:.1}{}", f.check, f.magnitude, f.unit.suffix())).collect();
            let _ = writeln!(
                s,
                "  rep {:>2}{} {:6.2}–{:6.2} s  lift {:.2} s, pause {:.2} s, return {:.2} s  {}",
                rep.index,
                if rep.partial { " (partial)" } else { "          " },
                rep.start_s,
                rep.end_s,
                rep.phases.lift_s,
                rep.phases.top_pause_s,
                rep.phases.return_s,
                if faults.is_empty() { "ok".to_string() } else { faults.join(", ") }
            );
        }
    }
}

/// Each check's status over the session, with why and what to change when not measurable.
fn checks(s: &mut String, r: &Report) {
    let _ = writeln!(s, "\nChecks:");
    for c in &r.checks {
        let status = match c.status {
            Status::Ok => "ok".to_string(),
            Status::Fault => format!("FAULT in {}/{} reps", c.reps_with_fault, c.reps_measured),
            Status::Borderline => {
                format!("borderline in {}/{} reps (too close to call)", c.reps_borderline, c.reps_measured)
            }
            Status::NotMeasurable => "not measurable".to_string(),
        };
        let _ = write!(s, "  {:<22} {status}", c.check.as_str());
        if let Some(reason) = &c.reason {
            let _ = write!(s, " — {reason}");
        }
        if let Some(advice) = &c.advice {
            let _ = write!(s, " {advice}");
        }
        s.push('\n');
    }
}

/// What to fix first and what went well, and the thresholds that followed the person.
fn summary(s: &mut String, r: &Report) {
    for p in &r.personal_thresholds {
        let _ = writeln!(
            s,
            "\nPersonal baseline: {} judged at {:.1} (yours: {:.1} over {} sessions; the exercise's: {:.1}).",
            p.check, p.threshold, p.baseline, p.sessions, p.spec_threshold
        );
    }
    if !r.summary.top_fixes.is_empty() {
        let _ = writeln!(s, "\nFix first:");
        for f in &r.summary.top_fixes {
            let _ =
                writeln!(s, "  • {} ({} rep{})", f.cue, f.reps_affected, if f.reps_affected == 1 { "" } else { "s" });
        }
    }
    if let Some(p) = &r.summary.positive {
        let _ = writeln!(s, "\nGood: {p}");
    }
}
