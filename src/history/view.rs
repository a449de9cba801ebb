//! One person's history of one exercise, as JSON (serde), CSV and a terminal view with sparklines.

use super::filmed::rfc3339;
use super::store::SessionRow;
use super::trend::{trends, Trend, Verdict};
use formcheck_core::spec::ExerciseSpec;
use serde::Serialize;
use std::fmt::Write as _;

/// A person's sessions of one exercise and the trends over them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersonHistory {
    /// The person.
    pub person: String,
    /// The exercise.
    pub exercise: String,
    /// The sessions, oldest first.
    pub sessions: Vec<SessionSummary>,
    /// Per check and tempo phase.
    pub trends: Vec<Trend>,
}

/// One session, in brief.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SessionSummary {
    /// When it was filmed (UTC, RFC 3339).
    pub filmed_at: String,
    /// Where that time came from.
    pub filmed_from: String,
    /// The input.
    pub input: String,
    /// The report file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// Full reps of the left leg.
    pub reps_left: i64,
    /// Full reps of the right leg.
    pub reps_right: i64,
    /// The camera view of most of the video.
    pub view: Option<String>,
    /// Faulted reps per check, most first.
    pub faults: Vec<(String, usize)>,
}

impl PersonHistory {
    /// The history of `sessions` (one person, one exercise, oldest first) under `spec`.
    pub fn new(person: &str, spec: &ExerciseSpec, sessions: &[SessionRow]) -> PersonHistory {
        PersonHistory {
            person: person.to_string(),
            exercise: spec.exercise.clone(),
            sessions: sessions.iter().map(summary).collect(),
            trends: trends(sessions, spec),
        }
    }
}

fn summary(s: &SessionRow) -> SessionSummary {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in s.reps.iter().flat_map(|r| &r.faults) {
        *counts.entry(f.as_str()).or_default() += 1;
    }
    let mut faults: Vec<(String, usize)> = counts.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    faults.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    SessionSummary {
        filmed_at: rfc3339(s.filmed_at),
        filmed_from: s.filmed_from.clone(),
        input: s.input_path.clone(),
        report: s.report_path.clone(),
        reps_left: s.reps_left,
        reps_right: s.reps_right,
        view: s.view.clone(),
        faults,
    }
}

/// Eight levels of a sparkline, low to high.
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline of `values` (a gap where a value is missing).
pub fn sparkline(values: &[Option<f64>]) -> String {
    let known: Vec<f64> = values.iter().flatten().copied().filter(|v| v.is_finite()).collect();
    let lo = known.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| match v {
            Some(v) if v.is_finite() => {
                let k = if hi - lo > 1e-9 { ((v - lo) / (hi - lo) * 7.0).round() as usize } else { 3 };
                SPARKS[k.min(7)]
            }
            _ => ' ',
        })
        .collect()
}

/// The terminal view: the sessions, then one line per series with its sparkline and verdict
/// (a check is compared only across sessions filmed from the same view, since each view reads
/// it with its own bias).
pub fn render_terminal(h: &PersonHistory) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {} ({} session{})", h.person, h.exercise, h.sessions.len(), plural(h.sessions.len()));
    for (i, sess) in h.sessions.iter().enumerate() {
        let faults: Vec<String> = sess.faults.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        let _ = writeln!(
            s,
            "  {:>2}. {}  {:<14} reps L{} R{}  {}  {}",
            i + 1,
            &sess.filmed_at[..10.min(sess.filmed_at.len())],
            sess.view.as_deref().unwrap_or("view unknown"),
            sess.reps_left,
            sess.reps_right,
            if faults.is_empty() { "no faults".to_string() } else { faults.join(", ") },
            sess.input
        );
    }
    let _ = writeln!(s, "\n  {:<24} {:<12} {:>8}  latest vs before", "per rep (median)", "sessions", "latest");
    for t in &h.trends {
        let latest = t.sessions.iter().rev().flatten().next();
        let verdict = match t.verdict {
            Verdict::Better => "better",
            Verdict::Same => "same (within your own rep-to-rep spread)",
            Verdict::TooFewSessions if t.sessions.iter().flatten().count() >= 2 => {
                "not compared (the sessions were filmed from different views)"
            }
            Verdict::Worse => "worse",
            Verdict::TooFewSessions => "needs two sessions",
        };
        let change = t.change.map(|c| format!(" ({c:+.1} {})", t.unit)).unwrap_or_default();
        let _ = writeln!(
            s,
            "  {:<24} {:<12} {:>8}  {verdict}{}",
            t.name,
            sparkline(&t.sessions),
            latest.map_or("-".to_string(), |v| format!("{v:.1} {}", t.unit)),
            if t.verdict == Verdict::TooFewSessions { String::new() } else { change }
        );
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// CSV: one row per session and series (`person,exercise,filmed_at,series,unit,all,left,right`).
pub fn render_csv(h: &PersonHistory) -> String {
    let mut s = String::from("person,exercise,filmed_at,input,series,unit,value,left,right\n");
    let num = |v: Option<f64>| v.map(|v| format!("{v:.3}")).unwrap_or_default();
    for t in &h.trends {
        for (i, sess) in h.sessions.iter().enumerate() {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{}",
                csv_cell(&h.person),
                csv_cell(&h.exercise),
                sess.filmed_at,
                csv_cell(&sess.input),
                t.name,
                t.unit,
                num(t.sessions.get(i).copied().flatten()),
                num(t.left.get(i).copied().flatten()),
                num(t.right.get(i).copied().flatten())
            );
        }
    }
    s
}

/// A CSV cell: quoted when needed, and a leading `=`, `+`, `-` or `@` neutralised so a
/// spreadsheet does not run it as a formula.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_their_range_and_show_gaps() {
        assert_eq!(sparkline(&[Some(1.0), Some(2.0), None, Some(3.0)]), "▁▅ █");
        assert_eq!(sparkline(&[Some(5.0), Some(5.0)]), "▄▄");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_cell("ann"), "ann");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
    }
}
