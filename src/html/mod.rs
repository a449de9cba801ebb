//! The coach's batch summary page, `index.html`: one self-contained HTML file (inline CSS and
//! SVG, images as `data:` URIs, no script, no external URL) with a row per client video and a
//! section per video (key-angle charts with reps shaded and fault moments marked, the checks,
//! the reps and keyframe thumbnails of each fault's worst moment).
//!
//! Pure: [`render_index`] turns plain values into a string; the caller writes it (atomically).
//! Every text that comes from the file system or a report is escaped with [`escape_html`]; the
//! output depends only on the input (entries are sorted; the only time shown is
//! [`IndexPage::generated`]).

mod progress;

pub use progress::{progress_sections, render_progress_page};

use crate::history::PersonHistory;
use formcheck_core::kinematics::Side;
use formcheck_core::report::Signal;
use formcheck_core::report::{Metric, Report, Status};
use formcheck_core::spec::CheckId;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A keyframe of one fault's worst moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Thumbnail {
    /// The check whose fault this is.
    pub check: CheckId,
    /// Time of the moment (s).
    pub t_s: f64,
    /// Frame index of the moment.
    pub frame: u64,
    /// The image, JPEG-encoded (embedded as a `data:image/jpeg;base64` URI).
    pub jpeg: Vec<u8>,
}

/// What happened to one video in this batch run.
#[derive(Clone, Debug, PartialEq)]
pub enum EntryStatus {
    /// Analysed in this run.
    Analysed,
    /// Skipped because its outputs from an earlier run are complete and current (the report
    /// shown is the earlier one).
    Current,
    /// Could not be analysed.
    Failed {
        /// Why (shown to the coach).
        error: String,
    },
}

/// One video of the batch.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoEntry {
    /// Path relative to the batch input folder, `/`-separated; the first component is the client.
    pub rel_path: String,
    /// Outcome of this run.
    pub status: EntryStatus,
    /// The analysis report, when there is one.
    pub report: Option<Report>,
    /// The annotated video, relative to `index.html`, *not* percent-encoded (this module does it).
    pub annotated_href: Option<String>,
    /// Keyframes of the faults' worst moments.
    pub thumbnails: Vec<Thumbnail>,
}

/// The whole page.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct IndexPage {
    /// Page title.
    pub title: String,
    /// When the page was generated (shown as given; the only time on the page).
    pub generated: String,
    /// The videos, in any order (the page sorts them by client folder, then path).
    pub entries: Vec<VideoEntry>,
    /// Files under the input folder that were not videos (relative paths).
    pub ignored_files: Vec<String>,
    /// Entries named like videos that were not analysed, with why (a fifo or device, or the
    /// same file reached twice).
    pub skipped_files: Vec<(String, String)>,
    /// The history of the batch's people (those with two sessions or more get a progress section).
    pub progress: Vec<PersonHistory>,
}

/// Escapes text for HTML element content and (quoted) attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { ALPHABET[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { ALPHABET[n as usize & 63] as char } else { '=' });
    }
    out
}

/// Percent-encodes a relative path for an `href`: every byte but the unreserved characters
/// and `/` (so Unicode, spaces, `#`, `?`, `%`, quotes and `<>` are all encoded).
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// An SVG path (`d` attribute) through points already in user units; `None` (or a non-finite
/// coordinate) breaks the line, so unknown values show as gaps. A lone point between gaps is
/// drawn as a zero-length segment (a dot with round line caps).
pub fn svg_path(points: &[Option<(f64, f64)>]) -> String {
    let mut d = String::new();
    let mut run = 0usize;
    for p in points {
        match p {
            Some((x, y)) if x.is_finite() && y.is_finite() => {
                if !d.is_empty() && run == 0 {
                    d.push(' ');
                }
                let _ = write!(d, "{}{},{}", if run == 0 { "M" } else { " L" }, num(*x), num(*y));
                run += 1;
            }
            _ => {
                if run == 1 {
                    d.push_str(" h0");
                }
                run = 0;
            }
        }
    }
    if run == 1 {
        d.push_str(" h0");
    }
    d
}

/// A number with at most one decimal, without a trailing `.0` or a negative zero.
fn num(x: f64) -> String {
    let s = format!("{:.1}", x);
    let s = s.strip_suffix(".0").unwrap_or(&s).to_string();
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A time as `YYYY-MM-DD HH:MM UTC` (times before 1970 show as its start).
pub fn utc_text(time: std::time::SystemTime) -> String {
    use crate::history::filmed::{civil_from_days, unix_seconds};
    let secs = unix_seconds(time).max(0);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

/// `snake_case` check id → "Snake case".
pub fn check_label(id: &str) -> String {
    let mut s = id.replace('_', " ");
    if let Some(first) = s.get(0..1) {
        let upper = first.to_ascii_uppercase();
        s.replace_range(0..1, &upper);
    }
    s
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Left => "Left",
        Side::Right => "Right",
    }
}

/// How much attention a video needs; drives colours and the overview counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Failed,
    Fix,
    NoReps,
    Clean,
}

impl Verdict {
    fn of(e: &VideoEntry) -> Verdict {
        if matches!(e.status, EntryStatus::Failed { .. }) {
            return Verdict::Failed;
        }
        let Some(r) = &e.report else { return Verdict::Failed };
        if !r.summary.top_fixes.is_empty() || r.checks.iter().any(|c| c.status == Status::Fault) {
            Verdict::Fix
        } else if r.sets.iter().all(|s| s.reps.is_empty()) {
            Verdict::NoReps
        } else {
            Verdict::Clean
        }
    }
    fn class(self) -> &'static str {
        match self {
            Verdict::Failed => "failed",
            Verdict::Fix => "fix",
            Verdict::NoReps => "noreps",
            Verdict::Clean => "clean",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Verdict::Failed => "Failed",
            Verdict::Fix => "Needs work",
            Verdict::NoReps => "No reps",
            Verdict::Clean => "Clean",
        }
    }
}

/// The client folder of a relative path (its first component; empty for top-level files).
fn client_of(rel: &str) -> &str {
    match rel.find(['/', '\\']) {
        Some(i) => &rel[..i],
        None => "",
    }
}

/// The page's style sheet, inlined into its `<style>` element (the page stays one file).
const CSS: &str = include_str!("../assets/index.css");

/// Renders the whole page.
pub fn render_index(page: &IndexPage) -> String {
    let mut entries: Vec<&VideoEntry> = page.entries.iter().collect();
    entries.sort_by_cached_key(|e| {
        (client_of(&e.rel_path).to_lowercase(), client_of(&e.rel_path).to_string(), e.rel_path.clone())
    });
    let verdicts: Vec<Verdict> = entries.iter().map(|e| Verdict::of(e)).collect();

    let mut h = String::with_capacity(64 * 1024);
    let generated = if page.generated.is_empty() {
        String::new()
    } else {
        format!("Generated {} · ", escape_html(&page.generated))
    };
    let facts = format!("{generated}{} video{}", entries.len(), plural(entries.len()));
    page_start(&mut h, &page.title, &facts);
    overview(&mut h, &entries, &verdicts);
    index_table(&mut h, &entries, &verdicts);
    progress_sections(&mut h, &page.progress);
    for (i, e) in entries.iter().enumerate() {
        video_section(&mut h, i + 1, e, verdicts[i], Place::Index);
    }
    if !page.ignored_files.is_empty() {
        let mut ignored: Vec<&String> = page.ignored_files.iter().collect();
        ignored.sort();
        let _ = write!(
            h,
            "<details class=\"ignored\" id=\"ignored\"><summary>{} other file{} ignored (not videos)</summary><ul>",
            ignored.len(),
            plural(ignored.len())
        );
        for f in ignored {
            let _ = write!(h, "<li>{}</li>", escape_html(f));
        }
        h.push_str("</ul></details>\n");
    }
    if !page.skipped_files.is_empty() {
        let mut skipped: Vec<&(String, String)> = page.skipped_files.iter().collect();
        skipped.sort();
        let _ = write!(
            h,
            "<details class=\"ignored\" id=\"skipped\" open><summary>{} entr{} skipped</summary><ul>",
            skipped.len(),
            if skipped.len() == 1 { "y" } else { "ies" }
        );
        for (f, why) in skipped {
            let _ = write!(h, "<li>{}: {}</li>", escape_html(f), escape_html(why));
        }
        h.push_str("</ul></details>\n");
    }
    page_end(&mut h);
    h
}

/// The start of a page up to its `<main>`: the head with the inlined style sheet, the header
/// (title, and `facts` as HTML under it), and the SVG definitions the charts share.
fn page_start(h: &mut String, title: &str, facts: &str) {
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{}</title>", escape_html(title));
    let _ = writeln!(h, "<style>\n{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(
        h,
        "<header class=\"page\" id=\"top\"><h1>{}</h1><div class=\"gen\">{facts}</div></header>",
        escape_html(title)
    );
    // Shared SVG definitions (the hatch of partial reps), once per page.
    h.push_str(
        "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eff6ff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#93c5fd\" stroke-width=\"2.5\"/></pattern></defs></svg>\n",
    );
    h.push_str("<main>\n");
}

/// The end of a page: the footer naming the version that made it.
fn page_end(h: &mut String) {
    let _ = writeln!(h, "<footer>formcheck {}</footer>", env!("CARGO_PKG_VERSION"));
    h.push_str("</main>\n</body>\n</html>\n");
}

/// One video's hand-out (`formcheck report --html`): a page of its own, for a coach to give the
/// client, holding what the batch page's section of that video holds, made by the same code.
#[derive(Clone, Debug, PartialEq)]
pub struct HandoutPage {
    /// Page title and heading (who and what, e.g. "Ann — kickbacks.mp4").
    pub title: String,
    /// When the video was analysed, as shown (e.g. `2026-12-02 05:40 UTC`); empty when unknown.
    pub date: String,
    /// The video: its report and the keyframes of its faults (none when there are none to hand).
    pub entry: VideoEntry,
}

/// Renders a hand-out: the page's header, then the video's section as on the batch page, laid
/// out to print on one page (see `index.css`).
pub fn render_handout(page: &HandoutPage) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let facts = if page.date.is_empty() {
        "Form check of the cable medius kickback".to_string()
    } else {
        format!("Form check of the cable medius kickback · analysed {}", escape_html(&page.date))
    };
    page_start(&mut h, &page.title, &facts);
    video_section(&mut h, 1, &page.entry, Verdict::of(&page.entry), Place::Handout);
    page_end(&mut h);
    h
}

/// Where a video's section is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// On the batch page, under its index (with a link back to its row).
    Index,
    /// Alone, as a hand-out.
    Handout,
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn overview(h: &mut String, entries: &[&VideoEntry], verdicts: &[Verdict]) {
    let count = |v: Verdict| verdicts.iter().filter(|x| **x == v).count();
    let clients = {
        let mut c: Vec<&str> = entries.iter().map(|e| client_of(&e.rel_path)).collect();
        c.dedup();
        c.len()
    };
    h.push_str("<div class=\"cards\">");
    let _ = write!(
        h,
        "<div class=\"card\"><b>{}</b><span>video{} · {clients} client{}</span></div>",
        entries.len(),
        plural(entries.len()),
        plural(clients)
    );
    for v in [Verdict::Fix, Verdict::Failed, Verdict::NoReps, Verdict::Clean] {
        let _ = write!(
            h,
            "<div class=\"card {}\" id=\"count-{}\"><b>{}</b><span>{}</span></div>",
            v.class(),
            v.class(),
            count(v),
            match v {
                Verdict::Fix => "need work",
                Verdict::Failed => "failed to analyse",
                Verdict::NoReps => "no reps found",
                Verdict::Clean => "clean",
            }
        );
    }
    // Which faults are most common across videos.
    let mut common: BTreeMap<String, usize> = BTreeMap::new();
    for e in entries {
        if let Some(r) = &e.report {
            for c in r.checks.iter().filter(|c| c.status == Status::Fault) {
                *common.entry(c.check.to_string()).or_default() += 1;
            }
        }
    }
    let analysed = entries.iter().filter(|e| e.report.is_some()).count().max(1);
    let mut common: Vec<(String, usize)> = common.into_iter().collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    h.push_str("<div class=\"common\"><h2>Most common faults</h2>");
    if common.is_empty() {
        h.push_str("<div class=\"sub\">None found.</div>");
    }
    for (check, n) in common.iter().take(5) {
        let _ = write!(
            h,
            "<div class=\"bar\"><span class=\"lbl\">{}</span><span class=\"track\"><span class=\"fill\" style=\"display:block;width:{}%\"></span></span><span class=\"n\">{} video{}</span></div>",
            escape_html(&check_label(check)),
            num(100.0 * *n as f64 / analysed as f64),
            n,
            plural(*n)
        );
    }
    h.push_str("</div></div>\n");
}

fn index_table(h: &mut String, entries: &[&VideoEntry], verdicts: &[Verdict]) {
    h.push_str("<div class=\"toolbar\"><label for=\"only-attn\"><input type=\"checkbox\" id=\"only-attn\"> only videos that need attention</label>");
    h.push_str("<span class=\"legend\">Checks:");
    for status in [Status::Ok, Status::Fault, Status::Borderline, Status::NotMeasurable] {
        let (class, icon, label) = status_look(status);
        // The legend's symbols repeat the words next to them: hidden from screen readers.
        let _ = write!(h, "<span class=\"cell {class}\" aria-hidden=\"true\">{icon}</span>{label}");
    }
    h.push_str(" from this view (hover a cell for the check)</span>");
    h.push_str("</div>\n");
    h.push_str("<table class=\"index\" id=\"index\">\n<thead><tr><th>Status</th><th>Video</th><th title=\"full reps, left leg working\">L</th><th title=\"full reps, right leg working\">R</th><th title=\"partial reps\">Part.</th><th>Fix first</th><th>Checks</th><th class=\"link\">Video</th></tr></thead>\n<tbody>\n");
    let mut i = 0;
    while i < entries.len() {
        let client = client_of(&entries[i].rel_path);
        let end = (i..entries.len()).find(|&j| client_of(&entries[j].rel_path) != client).unwrap_or(entries.len());
        let need = verdicts[i..end].iter().filter(|v| matches!(v, Verdict::Fix | Verdict::Failed)).count();
        let _ = writeln!(
            h,
            "<tr class=\"group\"><th colspan=\"8\">{}<span class=\"cnt\">{} video{}{}</span></th></tr>",
            if client.is_empty() { "(top folder)".to_string() } else { escape_html(client) },
            end - i,
            plural(end - i),
            if need > 0 {
                format!(" · {need} need{} attention", if need == 1 { "s" } else { "" })
            } else {
                String::new()
            }
        );
        for j in i..end {
            index_row(h, j + 1, entries[j], verdicts[j]);
        }
        i = end;
    }
    h.push_str("</tbody>\n</table>\n");
}

fn index_row(h: &mut String, n: usize, e: &VideoEntry, v: Verdict) {
    let (dir, file) = match e.rel_path.rfind(['/', '\\']) {
        Some(k) => e.rel_path.split_at(k + 1),
        None => ("", e.rel_path.as_str()),
    };
    let _ = write!(
        h,
        "<tr class=\"entry v-{}\" id=\"row{n}\" data-verdict=\"{}\"><td class=\"status\"><span class=\"pill {}\">{}</span>{}</td>",
        v.class(),
        v.class(),
        v.class(),
        v.label(),
        if e.status == EntryStatus::Current { "<div class=\"sub\">up to date, not re-run</div>" } else { "" }
    );
    let _ = write!(
        h,
        "<td class=\"path\"><a href=\"#v{n}\" title=\"{}\"><span class=\"dir\">{}</span><span class=\"file\">{}</span></a></td>",
        escape_html(&e.rel_path),
        escape_html(dir),
        escape_html(file)
    );
    match (&e.status, &e.report) {
        (EntryStatus::Failed { error }, _) => {
            let _ =
                write!(h, "<td class=\"fixes\" colspan=\"5\"><span class=\"error\">{}</span></td>", escape_html(error));
        }
        (_, None) => {
            h.push_str("<td class=\"fixes\" colspan=\"5\"><span class=\"error\">no report</span></td>");
        }
        (_, Some(r)) => {
            let s = &r.summary;
            for (class, value) in
                [("reps-left", s.reps_left), ("reps-right", s.reps_right), ("partial", s.partial_reps)]
            {
                let _ = write!(
                    h,
                    "<td class=\"num {class}{}\" data-{class}=\"{value}\">{value}</td>",
                    if value == 0 { " zero" } else { "" }
                );
            }
            h.push_str("<td class=\"fixes\">");
            fixes_list(h, r);
            h.push_str("</td><td class=\"strip\">");
            check_strip(h, r);
            h.push_str("</td>");
        }
    }
    match &e.annotated_href {
        Some(href) => {
            let _ = write!(
                h,
                "<td class=\"link\"><a class=\"play\" href=\"{}\">▶ Watch</a></td>",
                escape_html(&percent_encode_path(href))
            );
        }
        None => h.push_str("<td class=\"link\"><span class=\"none\">—</span></td>"),
    }
    h.push_str("</tr>\n");
}

/// A check status's look: CSS class, symbol and word. The symbol and the word carry the verdict
/// on their own (for colour-blind readers and on a black-and-white print); colour only adds.
fn status_look(status: Status) -> (&'static str, &'static str, &'static str) {
    match status {
        Status::Ok => ("ok", "✓", "ok"),
        Status::Fault => ("fault", "✕", "fault"),
        Status::Borderline => ("borderline", "~", "borderline"),
        Status::NotMeasurable => ("nm", "–", "not measurable"),
    }
}

/// One cell per check: its symbol, coloured; its status and numbers in the tooltip and the
/// accessible name.
fn check_strip(h: &mut String, r: &Report) {
    for c in &r.checks {
        let (class, text) = match c.status {
            Status::Ok => ("ok", format!("ok ({} rep{} measured)", c.reps_measured, plural(c.reps_measured))),
            Status::Fault => ("fault", format!("fault in {} of {} reps", c.reps_with_fault, c.reps_measured)),
            Status::Borderline => (
                "borderline",
                format!("borderline in {} of {} reps (too close to call)", c.reps_borderline, c.reps_measured),
            ),
            Status::NotMeasurable => {
                ("nm", format!("not measurable{}", c.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default()))
            }
        };
        let id = c.check.to_string();
        let (_, icon, _) = status_look(c.status);
        let name = escape_html(&format!("{}: {}", check_label(&id), text));
        let _ = write!(
            h,
            "<span class=\"cell {class}\" data-check=\"{}\" role=\"img\" aria-label=\"{name}\" title=\"{name}\">{icon}</span>",
            escape_html(&id),
        );
    }
}

fn fixes_list(h: &mut String, r: &Report) {
    let s = &r.summary;
    if !s.top_fixes.is_empty() {
        h.push_str("<ol class=\"fixes\">");
        for f in &s.top_fixes {
            let _ = write!(
                h,
                "<li data-check=\"{}\"><span class=\"cue\">{}</span> <span class=\"n\">({} rep{})</span></li>",
                escape_html(&f.check.to_string()),
                escape_html(&f.cue),
                f.reps_affected,
                plural(f.reps_affected)
            );
        }
        h.push_str("</ol>");
    } else if r.sets.iter().all(|s| s.reps.is_empty()) {
        let _ =
            write!(h, "<span class=\"sub\">No exercise found: {}.</span>", escape_html(&crate::no_exercise_reason(r)));
    } else if let Some(p) = &s.positive {
        let _ = write!(h, "<span class=\"positive\">{}</span>", escape_html(p));
    } else {
        h.push_str("<span class=\"positive\">No faults found.</span>");
    }
}

/// The facts under a video's title: verdict, duration, size, frame rate, how often the person
/// was seen, and the camera views.
fn meta_line(e: &VideoEntry, v: Verdict) -> Vec<String> {
    let mut meta: Vec<String> = vec![format!("<span class=\"pill {}\">{}</span>", v.class(), v.label())];
    if e.status == EntryStatus::Current {
        meta.push("up to date — report from an earlier run".into());
    }
    if let Some(r) = &e.report {
        let i = &r.input;
        meta.push(format!("{} s", num(i.duration_s)));
        if i.width > 0 && i.height > 0 {
            meta.push(format!("{}×{}", i.width, i.height));
        }
        if i.fps > 0.0 {
            meta.push(format!("{} fps", num(i.fps)));
        }
        if i.frames_decoded > 0 {
            meta.push(format!(
                "person seen in {}% of frames",
                (100.0 * i.frames_with_pose as f64 / i.frames_decoded as f64).round()
            ));
        }
        if !r.views.is_empty() {
            let views: Vec<String> = r
                .views
                .iter()
                .map(|s| format!("{} {}–{} s", s.view.to_string().replace('_', " "), num(s.start_s), num(s.end_s)))
                .collect();
            meta.push(format!("view: {}", escape_html(&views.join(", "))));
        }
    }
    meta
}

/// A video's headline: reps per side and what to fix (or what went well).
fn headline(h: &mut String, report: &Report) {
    let s = &report.summary;
    h.push_str("<div class=\"headline\">");
    for (label, value) in [("left leg", s.reps_left), ("right leg", s.reps_right), ("partial", s.partial_reps)] {
        let _ = write!(h, "<div class=\"stat\"><b>{value}</b><span>{label}</span></div>");
    }
    let _ = write!(
        h,
        "<div class=\"todo{}\"><h3>{}</h3>",
        if s.top_fixes.is_empty() { " good" } else { "" },
        if s.top_fixes.is_empty() { "Going well" } else { "Fix first" }
    );
    fixes_list(h, report);
    if !s.top_fixes.is_empty() {
        if let Some(p) = &s.positive {
            let _ = write!(h, "<div class=\"positive\">{}</div>", escape_html(p));
        }
    }
    h.push_str("</div></div>\n");
}

/// A video's section: heading and facts, its links, then (when it has a report) the headline,
/// charts, keyframes, checks and reps.
fn video_section(h: &mut String, n: usize, e: &VideoEntry, v: Verdict, place: Place) {
    let _ = write!(
        h,
        "<section class=\"video v-{}{}\" id=\"v{n}\"><div class=\"head\"><div><h2>{}</h2>",
        v.class(),
        if place == Place::Handout { " handout" } else { "" },
        escape_html(&e.rel_path)
    );
    let href = e.annotated_href.as_deref().map(percent_encode_path);
    let meta = meta_line(e, v);
    let _ = write!(h, "<div class=\"meta\">{}</div></div>", meta.join(" · "));
    let mut links = Vec::new();
    if let Some(href) = &href {
        links.push(format!("<a class=\"play\" href=\"{}\">▶ Annotated video</a>", escape_html(href)));
    }
    if place == Place::Index {
        links.push(format!("<a class=\"back\" href=\"#row{n}\">↑ back to list</a>"));
    }
    if !links.is_empty() {
        let _ = write!(h, "<div class=\"top\">{}</div>", links.join(" · "));
    }
    h.push_str("</div>\n");

    let report = match (&e.status, &e.report) {
        (EntryStatus::Failed { error }, _) => {
            let _ = writeln!(
                h,
                "<div class=\"headline\"><div class=\"todo bad\"><h3>Could not analyse this video</h3><div class=\"error\">{}</div></div></div></section>",
                escape_html(error)
            );
            return;
        }
        (_, None) => {
            h.push_str("<div class=\"headline\"><div class=\"todo bad\"><h3>No report</h3></div></div></section>\n");
            return;
        }
        (_, Some(r)) => r,
    };

    headline(h, report);
    charts(h, n, report);
    thumbnails(h, e, href.as_deref());
    checks_table(h, report);
    reps_table(h, report);
    h.push_str("</section>\n");
}

/// One chart: a title, the signals drawn (signal of the series, label) and the metrics whose
/// faults it marks (any exercise's check judging one of them).
struct ChartDef {
    title: &'static str,
    signals: &'static [(Signal, &'static str)],
    metrics: &'static [Metric],
}

/// The charts, by body part; a fault of a check whose metric none lists is marked on the first.
const CHARTS: [ChartDef; 4] = [
    ChartDef {
        title: "Working leg",
        signals: &[(Signal::WorkingThighElevation, "thigh elevation"), (Signal::HipExtension, "hip extension")],
        metrics: &[
            Metric::Amplitude,
            Metric::PeakHipExtension,
            Metric::PeakHipAbduction,
            Metric::PeakHipExtensionRelTrunk,
            Metric::SwingRatio,
            Metric::SidewaysMargin,
        ],
    },
    ChartDef {
        title: "Trunk lean",
        signals: &[(Signal::TrunkForward, "forward"), (Signal::TrunkAway, "away from the machine")],
        metrics: &[
            Metric::TrunkForwardChange,
            Metric::TrunkBackChange,
            Metric::TrunkAwayChange,
            Metric::TorsoTwistChange,
        ],
    },
    ChartDef {
        title: "Pelvis",
        signals: &[(Signal::PelvisHike, "hike (working hip up)"), (Signal::PelvisRotation, "rotation")],
        metrics: &[Metric::PelvisHikeChange, Metric::PelvisRotationChange],
    },
    ChartDef {
        title: "Standing knee",
        signals: &[(Signal::SupportKneeFlexion, "flexion")],
        metrics: &[Metric::SupportKneeFlexion, Metric::SupportKneeRange, Metric::SupportFootShift],
    },
];

/// The two lines of a chart: blue and bluish green from the Okabe–Ito palette (told apart under
/// red–green colour blindness, and far from the vermillion of fault marks); the second line is
/// also dashed, so the two differ without colour.
const COLORS: [&str; 2] = ["#0072b2", "#009e73"];

/// A chart's plot geometry (SVG user units).
const W: f64 = 720.0;
const H: f64 = 190.0;
const ML: f64 = 40.0;
const MR: f64 = 10.0;
const MT: f64 = 30.0;
const MB: f64 = 20.0;

/// At most this many buckets per line; each keeps its min and max so peaks survive.
const MAX_BUCKETS: usize = 360;

/// Reduces a signal to at most `2 * max_buckets` points, keeping each bucket's extremes in time
/// order; a bucket holding an unknown value ends its line (the gap stays visible).
fn decimate(t: &[f64], v: &[Option<f64>], max_buckets: usize) -> Vec<Option<(f64, f64)>> {
    let n = t.len().min(v.len());
    let known = |i: usize| v[i].filter(|x| x.is_finite() && t[i].is_finite()).map(|x| (t[i], x));
    if n <= 2 * max_buckets {
        return (0..n).map(known).collect();
    }
    let size = n.div_ceil(max_buckets);
    let mut out = Vec::with_capacity(2 * max_buckets + 8);
    for start in (0..n).step_by(size) {
        // Each run of known values within the bucket keeps its extremes; unknowns break the line.
        let mut run: Option<(usize, usize)> = None; // (index of min, index of max)
        let flush = |run: &mut Option<(usize, usize)>, out: &mut Vec<Option<(f64, f64)>>| {
            if let Some((lo, hi)) = run.take() {
                out.push(known(lo.min(hi)));
                if lo != hi {
                    out.push(known(lo.max(hi)));
                }
            }
        };
        for i in start..(start + size).min(n) {
            match known(i) {
                Some((_, y)) => {
                    run = Some(match run {
                        None => (i, i),
                        Some((lo, hi)) => {
                            let lo = if y < known(lo).map_or(f64::INFINITY, |p| p.1) { i } else { lo };
                            let hi = if y > known(hi).map_or(f64::NEG_INFINITY, |p| p.1) { i } else { hi };
                            (lo, hi)
                        }
                    })
                }
                None => {
                    flush(&mut run, &mut out);
                    if out.last().is_some_and(|p| p.is_some()) {
                        out.push(None);
                    }
                }
            }
        }
        flush(&mut run, &mut out);
    }
    out
}

/// Tick values for [lo, hi]: about `target` round numbers.
fn ticks(lo: f64, hi: f64, target: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / target;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let mut out = Vec::new();
    let mut x = (lo / step).ceil() * step;
    while x <= hi + step * 1e-6 && out.len() < 50 {
        out.push(if x.abs() < step * 1e-6 { 0.0 } else { x });
        x += step;
    }
    out
}

/// A fault's worst moment as marked on a chart: (time, check id, tooltip).
type FaultMark = (f64, String, String);

/// The charts that have something to draw: at least one of their signals holds a value.
fn shown_charts(r: &Report) -> Vec<&'static ChartDef> {
    CHARTS.iter().filter(|c| c.signals.iter().any(|(signal, _)| known_signal(r, *signal).is_some())).collect()
}

/// A signal of the report's series, if it holds any finite value.
fn known_signal(r: &Report, signal: Signal) -> Option<&Vec<Option<f64>>> {
    r.series.signals.get(signal.as_str()).filter(|v| v.iter().any(|x| x.is_some_and(f64::is_finite)))
}

/// Which chart each fault goes on: the one listing its check's metric, else the first shown.
fn faults_by_chart(r: &Report, shown: &[&ChartDef]) -> Vec<Vec<FaultMark>> {
    let mut faults_on: Vec<Vec<FaultMark>> = vec![Vec::new(); shown.len()];
    for set in &r.sets {
        for rep in &set.reps {
            for f in &rep.faults {
                let id = f.check.to_string();
                let metric = r.checks.iter().find(|c| c.check == f.check).and_then(|c| c.metric);
                let k = shown.iter().position(|c| metric.is_some_and(|m| c.metrics.contains(&m))).unwrap_or(0);
                let title = format!(
                    "{}: {}{} (limit {}{}) at {} s, {} leg rep {}",
                    check_label(&id),
                    num(f.magnitude),
                    f.unit.suffix(),
                    num(f.threshold),
                    f.unit.suffix(),
                    num(f.peak_s),
                    side_name(set.side).to_lowercase(),
                    rep.index
                );
                faults_on[k].push((f.peak_s, id, title));
            }
        }
    }
    faults_on
}

/// Where a chart's time and value ranges fall in the SVG.
struct Plot {
    t0: f64,
    t1: f64,
    lo: f64,
    hi: f64,
}

impl Plot {
    /// The time range of `t`, or `None` when it holds no finite time.
    fn over(t: &[f64]) -> Option<Plot> {
        let t0 = t.iter().copied().filter(|x| x.is_finite()).fold(f64::INFINITY, f64::min);
        let t1 = t.iter().copied().filter(|x| x.is_finite()).fold(f64::NEG_INFINITY, f64::max);
        t0.is_finite().then_some(Plot { t0, t1: if t1 <= t0 { t0 + 1.0 } else { t1 }, lo: 0.0, hi: 1.0 })
    }

    /// The same time range, with the value range of `lines` (at least 2 wide, padded 8 %).
    fn with_values(&self, lines: &[(&str, &Vec<Option<f64>>)]) -> Plot {
        let vals = lines.iter().flat_map(|(_, v)| v.iter().filter_map(|x| x.filter(|x| x.is_finite())));
        let (mut lo, mut hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        if hi - lo < 2.0 {
            let mid = (hi + lo) / 2.0;
            lo = mid - 1.0;
            hi = mid + 1.0;
        }
        let pad = (hi - lo) * 0.08;
        Plot { t0: self.t0, t1: self.t1, lo: lo - pad, hi: hi + pad }
    }

    fn sx(&self, x: f64) -> f64 {
        ML + (x - self.t0) / (self.t1 - self.t0) * (W - ML - MR)
    }

    fn sy(&self, y: f64) -> f64 {
        MT + (self.hi - y) / (self.hi - self.lo) * (H - MT - MB)
    }
}

/// The key-angle charts of video `n` (`n` keeps the SVG title and description ids unique).
fn charts(h: &mut String, n: usize, r: &Report) {
    let t = &r.series.t_s;
    let shown = shown_charts(r);
    h.push_str("<h3>Key angles over time</h3>");
    if shown.is_empty() || t.is_empty() {
        h.push_str("<p class=\"notes\">No angle could be measured in this video.</p>");
        return;
    }
    let faults_on = faults_by_chart(r, &shown);
    let Some(time) = Plot::over(t) else { return };
    h.push_str("<div class=\"charts\">");
    for (k, def) in shown.iter().enumerate() {
        let lines: Vec<(&str, &Vec<Option<f64>>)> =
            def.signals.iter().filter_map(|(signal, label)| Some((*label, known_signal(r, *signal)?))).collect();
        let plot = time.with_values(&lines);
        let _ = write!(h, "<figure class=\"chart\" data-chart=\"{}\"><figcaption>{}", k, def.title);
        for (i, (label, _)) in lines.iter().enumerate() {
            let _ = write!(
                h,
                "<span class=\"key\"><i class=\"line{}\" style=\"color:{}\"></i>{label}</span>",
                i % 2,
                COLORS[i % 2]
            );
        }
        h.push_str("</figcaption>");
        // The chart's text equivalent: a title and a description (value ranges, reps, faults)
        // that screen readers announce in place of the drawing.
        let _ = write!(
            h,
            "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"c{n}-{k}-t\" aria-describedby=\"c{n}-{k}-d\"><title id=\"c{n}-{k}-t\">{} over time</title><desc id=\"c{n}-{k}-d\">{}</desc>",
            def.title,
            escape_html(&chart_desc(r, &time, &lines, &faults_on[k]))
        );
        rep_bands(h, r, &plot);
        grid(h, &plot);
        signal_lines(h, t, &lines, &plot);
        fault_markers(h, &faults_on[k], &plot);
        h.push_str("</svg></figure>");
    }
    h.push_str("</div>");
    chart_notes(h, &shown);
}

/// A chart in words: the time span, each line's range, the reps shaded and the faults marked.
fn chart_desc(r: &Report, time: &Plot, lines: &[(&str, &Vec<Option<f64>>)], faults: &[FaultMark]) -> String {
    let mut parts = vec![format!("From {} to {} s.", num(time.t0), num(time.t1))];
    for (label, v) in lines {
        let (lo, hi) = v
            .iter()
            .filter_map(|x| x.filter(|x| x.is_finite()))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        if lo.is_finite() {
            parts.push(format!("{label}: {}° to {}°.", num(lo), num(hi)));
        }
    }
    let reps: Vec<_> = r.sets.iter().flat_map(|s| &s.reps).collect();
    let partial = reps.iter().filter(|r| r.partial).count();
    parts.push(format!(
        "{} rep{} shaded{}.",
        reps.len(),
        plural(reps.len()),
        if partial > 0 { format!(", {partial} partial") } else { String::new() }
    ));
    // Fault moments grouped by check, in time order.
    let mut by_check: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for (t_s, id, _) in faults {
        by_check.entry(id.as_str()).or_default().push(*t_s);
    }
    if by_check.is_empty() {
        parts.push("No fault marked.".into());
    }
    for (id, mut times) in by_check {
        times.sort_by(f64::total_cmp);
        let times: Vec<String> = times.into_iter().map(num).collect();
        parts.push(format!("Fault {} at {} s.", check_label(id).to_lowercase(), times.join(", ")));
    }
    parts.join(" ")
}

/// The reps, shaded (hatched when partial), each labelled with its side and number.
fn rep_bands(h: &mut String, r: &Report, plot: &Plot) {
    for set in &r.sets {
        for rep in &set.reps {
            let (x0, x1) = (plot.sx(rep.start_s), plot.sx(rep.end_s));
            let label = format!("{}{}", &side_name(set.side)[..1], rep.index);
            let _ = write!(
                h,
                "<g class=\"repg\"><title>{} leg, rep {}{}: {}–{} s</title><rect class=\"rep{}\" x=\"{}\" y=\"{MT}\" width=\"{}\" height=\"{}\"/><text class=\"replbl\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
                side_name(set.side),
                rep.index,
                if rep.partial { " (partial)" } else { "" },
                num(rep.start_s),
                num(rep.end_s),
                if rep.partial { " partial" } else { "" },
                num(x0),
                num((x1 - x0).max(1.0)),
                num(H - MT - MB),
                num((x0 + x1) / 2.0),
                num(MT - 3.0),
                escape_html(&label)
            );
        }
    }
}

/// Value grid lines with their labels, and the time axis labels.
fn grid(h: &mut String, plot: &Plot) {
    for y in ticks(plot.lo, plot.hi, 4.0) {
        let _ = write!(
            h,
            "<line class=\"grid\" x1=\"{ML}\" x2=\"{}\" y1=\"{y0}\" y2=\"{y0}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}°</text>",
            W - MR,
            num(ML - 5.0),
            num(plot.sy(y) + 4.0),
            num(y),
            y0 = num(plot.sy(y))
        );
    }
    for x in ticks(plot.t0, plot.t1, 8.0) {
        let _ = write!(
            h,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{} s</text>",
            num(plot.sx(x)),
            num(H - 5.0),
            num(x)
        );
    }
}

/// One path per signal, decimated, with gaps where it is unknown.
fn signal_lines(h: &mut String, t: &[f64], lines: &[(&str, &Vec<Option<f64>>)], plot: &Plot) {
    for (i, (label, v)) in lines.iter().enumerate() {
        let pts: Vec<Option<(f64, f64)>> =
            decimate(t, v, MAX_BUCKETS).into_iter().map(|p| p.map(|(x, y)| (plot.sx(x), plot.sy(y)))).collect();
        let _ = write!(
            h,
            "<path class=\"sig line{}\" data-signal=\"{}\" stroke=\"{}\" d=\"{}\"><title>{}</title></path>",
            i % 2,
            escape_html(label),
            COLORS[i % 2],
            svg_path(&pts),
            escape_html(label)
        );
    }
}

/// Fault moments. Each check is labelled at its first marker (the rest carry the same red line
/// and a tooltip); labels stagger over three rows so close ones do not overlap.
fn fault_markers(h: &mut String, faults: &[FaultMark], plot: &Plot) {
    let mut faults = faults.to_vec();
    faults.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut row_end = [f64::NEG_INFINITY; 3];
    let mut labelled: Vec<&str> = Vec::new();
    for (t_s, id, title) in &faults {
        let x = plot.sx(*t_s);
        let label = check_label(id);
        let width = 6.4 * label.chars().count() as f64 + 8.0;
        let _ = write!(
            h,
            "<g class=\"fault-marker\" data-check=\"{}\" data-t=\"{}\"><title>{}</title><line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"/><path class=\"sym\" d=\"M{},{} l8,8 m0,-8 l-8,8\"/>",
            escape_html(id),
            num(*t_s),
            escape_html(title),
            num(MT),
            num(H - MB),
            // A cross (the fault symbol of the check strip), not a coloured dot: it reads without colour.
            num(x - 4.0),
            num(H - MB - 4.0),
            x = num(x)
        );
        // Labels sit just inside the plot's top, left-aligned at the marker, flipped near the right edge.
        let (anchor, x0, x1) = if x + width > W - MR { ("end", x - width, x) } else { ("start", x, x + width) };
        let row = (0..3).find(|&r| row_end[r] + 14.0 < x0).filter(|_| !labelled.contains(&id.as_str()));
        if let Some(row) = row {
            labelled.push(id);
            row_end[row] = x1;
            let _ = write!(
                h,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
                num(if anchor == "start" { x + 4.0 } else { x - 4.0 }),
                num(MT + 12.0 + 12.0 * row as f64),
                escape_html(&label)
            );
        }
        h.push_str("</g>");
    }
}

/// The legend under the charts, and which charts this camera view could not show.
fn chart_notes(h: &mut String, shown: &[&ChartDef]) {
    let missing: Vec<&str> =
        CHARTS.iter().filter(|c| !shown.iter().any(|s| s.title == c.title)).map(|c| c.title).collect();
    let mut notes = vec![
        "Shaded: reps (hatched = partial). Dashed lines with a ✕: worst moment of each fault (hover for the numbers)."
            .to_string(),
    ];
    if !missing.is_empty() {
        notes.push(format!("Not visible from this camera view: {}.", missing.join(", ").to_lowercase()));
    }
    let _ = write!(h, "<p class=\"notes\">{}</p>", notes.join(" "));
}

fn thumbnails(h: &mut String, e: &VideoEntry, href: Option<&str>) {
    if e.thumbnails.is_empty() {
        return;
    }
    let mut thumbs: Vec<&Thumbnail> = e.thumbnails.iter().collect();
    thumbs.sort_by(|a, b| {
        a.t_s.total_cmp(&b.t_s).then(a.check.as_str().cmp(b.check.as_str())).then(a.frame.cmp(&b.frame))
    });
    h.push_str("<h3>Worst moments</h3><div class=\"thumbs\">");
    for th in thumbs {
        let label = check_label(th.check.as_str());
        let img = format!(
            "<img alt=\"{}\" src=\"data:image/jpeg;base64,{}\">",
            escape_html(&format!("{label} at {} s", num(th.t_s))),
            base64_encode(&th.jpeg)
        );
        let img = match href {
            Some(href) => format!("<a href=\"{}#t={}\">{img}</a>", escape_html(href), num(th.t_s)),
            None => img,
        };
        let _ = write!(
            h,
            "<figure class=\"thumb\" data-check=\"{}\">{img}<figcaption><b>{}</b><br>{} s · frame {}</figcaption></figure>",
            escape_html(th.check.as_str()),
            escape_html(&label),
            num(th.t_s),
            th.frame
        );
    }
    h.push_str("</div>");
}

fn checks_table(h: &mut String, r: &Report) {
    h.push_str("<h3>Checks</h3><table class=\"data checks\"><thead><tr><th>Check</th><th>Result</th><th>Reps</th><th>Notes</th></tr></thead><tbody>");
    for c in &r.checks {
        let id = c.check.to_string();
        let (class, _, label) = status_look(c.status);
        let reps = match c.status {
            Status::NotMeasurable => "—".to_string(),
            Status::Fault => format!("{} of {}", c.reps_with_fault, c.reps_measured),
            Status::Borderline => format!("0 of {} ({} borderline)", c.reps_measured, c.reps_borderline),
            Status::Ok => format!("0 of {}", c.reps_measured),
        };
        let mut notes = Vec::new();
        if let Some(reason) = &c.reason {
            notes.push(format!("<span class=\"reason\">{}</span>", escape_html(reason)));
        }
        if let Some(advice) = &c.advice {
            notes.push(format!("<span class=\"advice\">{}</span>", escape_html(advice)));
        }
        if c.status != Status::NotMeasurable {
            if let Some(cue) = &c.cue {
                notes.push(format!("<span class=\"cue\">{}</span>", escape_html(cue)));
            }
        }
        let _ = write!(
            h,
            "<tr class=\"{class}\" data-check=\"{}\"><td>{}</td><td><span class=\"pill {class}\">{label}</span></td><td class=\"t\" data-label=\"reps\">{reps}</td><td>{}</td></tr>",
            escape_html(&id),
            escape_html(&check_label(&id)),
            notes.join(" ")
        );
    }
    h.push_str("</tbody></table>");
}

fn reps_table(h: &mut String, r: &Report) {
    if r.sets.iter().all(|s| s.reps.is_empty()) {
        return;
    }
    h.push_str("<h3>Reps</h3><table class=\"data reps\"><thead><tr><th>Leg</th><th>Rep</th><th>Time</th><th>Lift</th><th>Pause</th><th>Return</th><th>Faults</th><th>Cue</th></tr></thead><tbody>");
    for set in &r.sets {
        for rep in &set.reps {
            let _ = write!(
                h,
                "<tr class=\"rep{}\" data-side=\"{}\"><td>{} <span class=\"sub\">set {}</span></td><td>{}{}</td><td class=\"t\" data-label=\"time\">{}–{} s</td><td class=\"t\" data-label=\"lift\">{} s</td><td class=\"t\" data-label=\"pause\">{} s</td><td class=\"t\" data-label=\"return\">{} s</td><td>",
                if rep.partial { " partial" } else { "" },
                set.side.as_str(),
                side_name(set.side),
                set.index,
                rep.index,
                if rep.partial { " (partial)" } else { "" },
                format_args!("{:.2}", rep.start_s),
                format_args!("{:.2}", rep.end_s),
                format_args!("{:.2}", rep.phases.lift_s),
                format_args!("{:.2}", rep.phases.top_pause_s),
                format_args!("{:.2}", rep.phases.return_s),
            );
            if rep.faults.is_empty() {
                h.push_str("<span class=\"positive\">none</span>");
            }
            for f in &rep.faults {
                let id = f.check.to_string();
                let _ = write!(
                    h,
                    "<span class=\"chip\" data-check=\"{}\" title=\"worst at {} s (frame {}), confidence {}%\">{} {}{}</span>",
                    escape_html(&id),
                    num(f.peak_s),
                    f.peak_frame,
                    (f.confidence * 100.0).round(),
                    escape_html(&check_label(&id)),
                    num(f.magnitude),
                    escape_html(f.unit.suffix())
                );
            }
            let _ = write!(h, "</td><td>{}</td></tr>", escape_html(&rep.cue));
        }
    }
    h.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_exactly_one_chart() {
        // A check of any exercise marks its faults on the chart of its metric.
        for m in Metric::ALL {
            let on: Vec<&str> = CHARTS.iter().filter(|c| c.metrics.contains(&m)).map(|c| c.title).collect();
            assert_eq!(on.len(), 1, "{m} is on {on:?}");
        }
    }

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape_html("<script>alert(1)</script>&\"'.mp4"),
            "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;.mp4"
        );
        assert_eq!(escape_html("Zoë/Ünïcödé 日本.mp4"), "Zoë/Ünïcödé 日本.mp4");
        assert_eq!(escape_html(""), "");
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(input.as_bytes()), want, "{input:?}");
        }
        assert_eq!(base64_encode(&[0xff, 0xfe, 0xfd, 0x00]), "//79AA==");
    }

    #[test]
    fn hrefs_are_percent_encoded() {
        assert_eq!(percent_encode_path("videos/a b/x.mp4"), "videos/a%20b/x.mp4");
        assert_eq!(percent_encode_path("Zoë/日.mp4"), "Zo%C3%AB/%E6%97%A5.mp4");
        assert_eq!(percent_encode_path("<s>&\"'#?%.mp4"), "%3Cs%3E%26%22%27%23%3F%25.mp4");
    }

    #[test]
    fn svg_path_breaks_at_unknown_values() {
        let p = |x: f64, y: f64| Some((x, y));
        assert_eq!(svg_path(&[p(0.0, 1.0), p(1.0, 2.5), p(2.0, 3.0)]), "M0,1 L1,2.5 L2,3");
        assert_eq!(svg_path(&[p(0.0, 1.0), p(1.0, 2.0), None, p(3.0, 4.0), p(4.0, 5.0)]), "M0,1 L1,2 M3,4 L4,5");
        // Leading/trailing/repeated gaps, a lone point, and non-finite values.
        assert_eq!(
            svg_path(&[None, None, p(1.0, 1.0), None, p(2.0, f64::NAN), p(3.0, 3.0), p(4.0, 4.0), None]),
            "M1,1 h0 M3,3 L4,4"
        );
        assert_eq!(svg_path(&[None, None]), "");
        assert_eq!(svg_path(&[]), "");
        assert_eq!(svg_path(&[p(-0.01, 7.25)]), "M0,7.2 h0");
    }

    #[test]
    fn decimation_keeps_extremes_and_gaps() {
        let t: Vec<f64> = (0..10_000).map(|i| i as f64 / 100.0).collect();
        let mut v: Vec<Option<f64>> = t.iter().map(|x| Some(x.sin())).collect();
        v[5000] = Some(50.0);
        for x in &mut v[7000..7100] {
            *x = None;
        }
        let d = decimate(&t, &v, 100);
        assert!(d.len() <= 2 * 100 + 110);
        assert!(d.iter().any(|p| p.is_some_and(|(_, y)| y == 50.0)), "peak kept");
        assert!(d.iter().any(|p| p.is_none()), "gap kept");
        let short = decimate(&t[..10], &v[..10], 100);
        assert_eq!(short.len(), 10);
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0, 10.0, 5.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(-3.0, 27.0, 4.0), vec![0.0, 10.0, 20.0]);
    }

    #[test]
    fn utc_text_reads_as_a_calendar_date() {
        let at = |secs: u64| utc_text(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01 00:00 UTC");
        assert_eq!(at(951_782_400 + 3_600 * 13 + 60 * 7), "2000-02-29 13:07 UTC");
        assert_eq!(at(1_795_000_000), "2026-11-18 11:06 UTC");
    }

    #[test]
    fn labels_and_clients() {
        assert_eq!(check_label("pelvis_hike"), "Pelvis hike");
        assert_eq!(client_of("ann/week 1/a.mp4"), "ann");
        assert_eq!(client_of("top.mp4"), "");
    }

    #[test]
    fn failed_entry_is_escaped_and_output_is_deterministic() {
        let page = IndexPage {
            title: "Batch <1>".into(),
            generated: "2026-01-01 00:00 UTC".into(),
            entries: vec![
                VideoEntry {
                    rel_path: "z/<script>alert(1)</script>&\"'.mp4".into(),
                    status: EntryStatus::Failed { error: "bad <moov> atom".into() },
                    report: None,
                    annotated_href: None,
                    thumbnails: vec![],
                },
                VideoEntry {
                    rel_path: "a/Zoë 日本.mp4".into(),
                    status: EntryStatus::Failed { error: "x".into() },
                    report: None,
                    annotated_href: Some("videos/a/Zoë 日本.mp4.annotated.mp4".into()),
                    thumbnails: vec![],
                },
            ],
            ignored_files: vec!["notes<b>.txt".into()],
            skipped_files: vec![("<i>f.mp4".into(), "a fifo, not a video file".into())],
            progress: Vec::new(),
        };
        let html = render_index(&page);
        assert!(!html.contains("<script"), "no script element");
        assert!(!html.contains("<moov>"));
        assert!(!html.contains("<b>.txt"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;.mp4"));
        assert!(html.contains("bad &lt;moov&gt; atom"));
        assert!(html.contains("<li>&lt;i&gt;f.mp4: a fifo, not a video file</li>"));
        assert!(html.contains("href=\"videos/a/Zo%C3%AB%20%E6%97%A5%E6%9C%AC.mp4.annotated.mp4\""));
        // Sorted by client: a/ comes first.
        assert!(html.find("Zoë 日本.mp4").unwrap() < html.find("alert(1)").unwrap());
        let mut reversed = page.clone();
        reversed.entries.reverse();
        assert_eq!(render_index(&reversed), html);
    }
}
