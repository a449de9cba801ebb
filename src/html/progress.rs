//! Progress across sessions on the coach's page: per person, the sessions in a table and one
//! small chart per check and tempo phase (each session's median, left leg and right leg apart),
//! with the verdict on the latest session in words. Also a page of its own (`history --html`).

use super::{escape_html, page_end, page_start, COLORS};
use crate::history::trend::{Trend, Verdict};
use crate::history::PersonHistory;
use std::fmt::Write as _;

/// A progress chart's plot geometry (SVG user units).
const PW: f64 = 340.0;
const PH: f64 = 130.0;
const PML: f64 = 38.0;
const PMR: f64 = 12.0;
const PMT: f64 = 10.0;
const PMB: f64 = 24.0;

/// A page holding the progress of `people` (`formcheck history --html`).
pub fn render_progress_page(title: &str, people: &[PersonHistory]) -> String {
    let mut h = String::with_capacity(32 * 1024);
    let facts = format!("{} {}", people.len(), if people.len() == 1 { "person" } else { "people" });
    page_start(&mut h, title, &facts);
    if people.iter().all(|p| p.sessions.len() < 2) {
        h.push_str("<p class=\"notes\">Progress needs two sessions or more; record another set.</p>");
    }
    progress_sections(&mut h, people);
    page_end(&mut h);
    h
}

/// The progress sections of `people` (those with at least two sessions; nothing otherwise).
pub fn progress_sections(h: &mut String, people: &[PersonHistory]) {
    let shown: Vec<&PersonHistory> = people.iter().filter(|p| p.sessions.len() >= 2).collect();
    if shown.is_empty() {
        return;
    }
    h.push_str("<section class=\"progress\" id=\"progress\"><h2>Progress across sessions</h2>");
    h.push_str(
        "<p class=\"notes\">Each point is a session's median over its reps (● left leg, ■ right leg). \
         \"Better\" or \"worse\" means the latest session moved beyond the person's own rep-to-rep \
         spread; a check is compared only across sessions filmed from the same view.</p>",
    );
    for (k, p) in shown.iter().enumerate() {
        person(h, k, p);
    }
    h.push_str("</section>\n");
}

fn person(h: &mut String, k: usize, p: &PersonHistory) {
    let _ = write!(
        h,
        "<article class=\"person\"><h3>{} <span class=\"muted\">{} sessions</span></h3>",
        escape_html(&p.person),
        p.sessions.len()
    );
    h.push_str("<div class=\"tablewrap\"><table class=\"sessions\"><thead><tr><th scope=\"col\">Filmed</th><th scope=\"col\">View</th><th scope=\"col\">Reps L / R</th><th scope=\"col\">Faults</th><th scope=\"col\">Video</th></tr></thead><tbody>");
    for s in &p.sessions {
        let faults: Vec<String> = s.faults.iter().map(|(c, n)| format!("{} ×{n}", super::check_label(c))).collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td></tr>",
            escape_html(s.filmed_at.get(..10).unwrap_or(&s.filmed_at)),
            escape_html(&s.view.as_deref().unwrap_or("unknown").replace('_', " ")),
            s.reps_left,
            s.reps_right,
            if faults.is_empty() { "none".to_string() } else { escape_html(&faults.join(", ")) },
            escape_html(&s.input)
        );
    }
    h.push_str("</tbody></table></div><div class=\"charts progress-charts\">");
    let dates: Vec<&str> = p.sessions.iter().map(|s| s.filmed_at.get(5..10).unwrap_or("")).collect();
    for (j, t) in p.trends.iter().enumerate() {
        if t.left.iter().chain(&t.right).flatten().count() >= 2 {
            chart(h, &format!("p{k}-{j}"), t, &dates);
        }
    }
    h.push_str("</div></article>");
}

/// The verdict in words, and a class for its look.
fn verdict_text(t: &Trend) -> (&'static str, &'static str) {
    match t.verdict {
        Verdict::Better => ("better", "ok"),
        Verdict::Worse => ("worse", "bad"),
        Verdict::Same => ("same", "muted"),
        Verdict::TooFewSessions if t.sessions.iter().flatten().count() >= 2 => ("not compared: other views", "muted"),
        Verdict::TooFewSessions => ("needs two sessions", "muted"),
    }
}

/// One series' chart: the left and right legs' session medians over the sessions.
fn chart(h: &mut String, id: &str, t: &Trend, dates: &[&str]) {
    let label = series_label(t);
    let (verdict, look) = verdict_text(t);
    let vals: Vec<f64> = t.left.iter().chain(&t.right).flatten().copied().filter(|v| v.is_finite()).collect();
    let (mut lo, mut hi) = vals.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    if hi - lo < 1.0 {
        let mid = (hi + lo) / 2.0;
        (lo, hi) = (mid - 0.5, mid + 0.5);
    }
    let pad = (hi - lo) * 0.1;
    let (lo, hi) = (lo - pad, hi + pad);
    let n = dates.len().max(2);
    let x = |i: usize| PML + i as f64 / (n - 1) as f64 * (PW - PML - PMR);
    let y = |v: f64| PMT + (hi - v) / (hi - lo) * (PH - PMT - PMB);
    let _ = write!(
        h,
        "<figure class=\"chart\"><figcaption>{} <span class=\"verdict {look}\">{verdict}</span></figcaption>",
        escape_html(&label)
    );
    let _ = write!(
        h,
        "<svg class=\"chart\" viewBox=\"0 0 {PW} {PH}\" role=\"img\" aria-labelledby=\"{id}-t\" aria-describedby=\"{id}-d\"><title id=\"{id}-t\">{} per session ({})</title><desc id=\"{id}-d\">{}</desc>",
        escape_html(&label),
        escape_html(&t.unit),
        escape_html(&describe(t, dates))
    );
    for v in [lo + pad, hi - pad] {
        let _ = write!(
            h,
            "<line class=\"grid\" x1=\"{PML}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            PW - PMR,
            y(v),
            y(v),
            PML - 4.0,
            y(v) + 4.0,
            super::num(v)
        );
    }
    for (i, d) in dates.iter().enumerate() {
        // The end labels are anchored inwards so they are never cut at the chart's edges.
        let anchor = if i == 0 && dates.len() > 1 {
            "start"
        } else if i + 1 == dates.len() && i > 0 {
            "end"
        } else {
            "middle"
        };
        let _ =
            write!(h, "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>", x(i), PH - 6.0, escape_html(d));
    }
    for (side, values) in [(0, &t.left), (1, &t.right)] {
        let points: Vec<Option<(f64, f64)>> = values.iter().enumerate().map(|(i, v)| v.map(|v| (x(i), y(v)))).collect();
        let dash = if side == 1 { " stroke-dasharray=\"5 3\"" } else { "" };
        let _ = write!(
            h,
            "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{dash}/>",
            super::svg_path(&points),
            COLORS[side]
        );
        for (px, py) in points.iter().flatten() {
            if side == 0 {
                let _ = write!(h, "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"3.5\" fill=\"{}\"/>", COLORS[0]);
            } else {
                let _ = write!(
                    h,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"{}\"/>",
                    px - 3.5,
                    py - 3.5,
                    COLORS[1]
                );
            }
        }
    }
    h.push_str("</svg></figure>");
}

/// A series' name for people: the check's label, or the tempo phase's.
fn series_label(t: &Trend) -> String {
    match t.name.as_str() {
        "top_pause_s" => "Top pause (s)".to_string(),
        "return_s" => "Return (s)".to_string(),
        name => super::check_label(name),
    }
}

/// A chart in words: each session's value per leg and the verdict.
fn describe(t: &Trend, dates: &[&str]) -> String {
    let fmt = |v: &Option<f64>| v.map_or("not measured".to_string(), |v| format!("{v:.1} {}", t.unit));
    let per: Vec<String> = dates
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!("{d}: left {}, right {}", fmt(t.left.get(i).unwrap_or(&None)), fmt(t.right.get(i).unwrap_or(&None)))
        })
        .collect();
    format!("{}. Latest session: {}.", per.join("; "), verdict_text(t).0)
}
