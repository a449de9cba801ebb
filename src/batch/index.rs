//! The batch's summaries: `OUT/index.html` and `OUT/summary.csv`, rebuilt from every video's
//! outputs on disk (so `--index-only` can merge the outputs of several shards).

use super::cache::OutputPaths;
use super::run::{BatchOptions, Outcome};
use super::scan::Scan;
use crate::history::{History, PersonHistory};
use crate::html::{EntryStatus, IndexPage, Thumbnail, VideoEntry};
use crate::keyframes::Assets;
use crate::AppError;
use formcheck_core::report::{Report, Status};
use formcheck_core::spec::ExerciseSpec;
use std::collections::BTreeSet;
use std::path::Path;

/// The columns of `summary.csv`.
const CSV_HEADER: &str =
    "video,status,error,reps_left,reps_right,partial_reps,faults,not_measurable,fix_1,fix_2,report,annotated\n";

/// Loads the outputs of a video that has a complete set (its stamp exists).
fn load_outputs(paths: &OutputPaths) -> Option<(Report, Vec<Thumbnail>)> {
    if !paths.stamp.is_file() {
        return None;
    }
    let report = Report::from_json(&std::fs::read_to_string(&paths.report).ok()?).ok()?;
    let assets: Assets = serde_json::from_slice(&std::fs::read(&paths.assets).ok()?).ok()?;
    let dir = paths.report.parent()?;
    let thumbnails = assets
        .thumbnails
        .into_iter()
        .filter_map(|t| {
            let jpeg = std::fs::read(dir.join(&t.file)).ok()?;
            Some(Thumbnail { check: t.check, t_s: t.t_s, frame: t.frame, jpeg })
        })
        .collect();
    Some((report, thumbnails))
}

/// Writes index.html and summary.csv for every video that has outputs or failed in this run.
pub(super) fn write_index(
    options: &BatchOptions,
    spec: &ExerciseSpec,
    scan: &Scan,
    outcomes: &[Outcome],
) -> Result<(), AppError> {
    let mut entries = Vec::new();
    let mut csv = String::from(CSV_HEADER);
    for (rel, outcome) in scan.videos.iter().zip(outcomes) {
        let rel_text = rel.display().to_string();
        let row = match outcome {
            Outcome::Failed(error) => Some(failed_row(rel_text, error)),
            _ => analysed_row(options, rel, rel_text, *outcome == Outcome::Current),
        };
        if let Some((entry, line)) = row {
            entries.push(entry);
            csv.push_str(&line);
        }
    }
    for (rel, why) in &scan.skipped {
        csv.push_str(&csv_row(&[&rel.display().to_string(), "skipped", why, "", "", "", "", "", "", "", "", ""]));
    }
    let progress = progress(options, spec, &entries);
    let page = IndexPage {
        title: format!("formcheck — {}", options.input_dir.display()),
        generated: utc_now(),
        entries,
        ignored_files: scan.ignored.iter().map(|p| p.display().to_string()).collect(),
        skipped_files: scan.skipped.iter().map(|(p, why)| (p.display().to_string(), why.clone())).collect(),
        progress,
    };
    let html = crate::html::render_index(&page);
    let index = options.out_dir.join("index.html");
    crate::atomic::write_atomic(&index, html.as_bytes()).map_err(|e| AppError::io(&index, e))?;
    let csv_path = options.out_dir.join("summary.csv");
    crate::atomic::write_atomic(&csv_path, csv.as_bytes()).map_err(|e| AppError::io(&csv_path, e))?;
    Ok(())
}

/// The history of each person of this batch's reports (read-only; a history that cannot be
/// read leaves the page without progress, never without the rest).
fn progress(options: &BatchOptions, spec: &ExerciseSpec, entries: &[VideoEntry]) -> Vec<PersonHistory> {
    let Some(db) = options.history.as_deref().filter(|db| db.is_file()) else { return Vec::new() };
    let Ok(history) = History::open_read_only(db) else { return Vec::new() };
    let people: BTreeSet<&str> =
        entries.iter().filter_map(|e| e.report.as_ref()?.session.as_ref()).map(|s| s.person.as_str()).collect();
    people
        .into_iter()
        .filter_map(|p| {
            let sessions = history.sessions(p, &spec.exercise).ok()?;
            Some(PersonHistory::new(p, spec, &sessions))
        })
        .collect()
}

/// The page entry and CSV line of a video that could not be analysed.
fn failed_row(rel_text: String, error: &str) -> (VideoEntry, String) {
    let line = csv_row(&[&rel_text, "failed", error, "", "", "", "", "", "", "", "", ""]);
    let entry = VideoEntry {
        rel_path: rel_text,
        status: EntryStatus::Failed { error: error.to_string() },
        report: None,
        annotated_href: None,
        thumbnails: Vec::new(),
    };
    (entry, line)
}

/// The page entry and CSV line of a video with complete outputs; `None` when it has none.
fn analysed_row(options: &BatchOptions, rel: &Path, rel_text: String, current: bool) -> Option<(VideoEntry, String)> {
    let paths = OutputPaths::for_video(&options.out_dir, rel);
    let href = |p: &Path| p.strip_prefix(&options.out_dir).ok().map(|r| r.display().to_string());
    let (report, thumbnails) = load_outputs(&paths)?;
    let annotated = paths.annotated.is_file().then(|| href(&paths.annotated)).flatten();
    let faults: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Fault)
        .map(|c| format!("{}:{}", c.check.as_str(), c.reps_with_fault))
        .collect();
    let not_measurable: Vec<&str> =
        report.checks.iter().filter(|c| c.status == Status::NotMeasurable).map(|c| c.check.as_str()).collect();
    let fix = |k: usize| report.summary.top_fixes.get(k).map(|f| f.cue.clone()).unwrap_or_default();
    let no_exercise = report.summary.reps_left + report.summary.reps_right == 0;
    let reason = if no_exercise { crate::no_exercise_reason(&report) } else { String::new() };
    let line = csv_row(&[
        &rel_text,
        if no_exercise { "no exercise found" } else { "analysed" },
        &reason,
        &report.summary.reps_left.to_string(),
        &report.summary.reps_right.to_string(),
        &report.summary.partial_reps.to_string(),
        &faults.join(" "),
        &not_measurable.join(" "),
        &fix(0),
        &fix(1),
        &href(&paths.report).unwrap_or_default(),
        annotated.as_deref().unwrap_or(""),
    ]);
    let entry = VideoEntry {
        rel_path: rel_text,
        status: if current { EntryStatus::Current } else { EntryStatus::Analysed },
        report: Some(report),
        annotated_href: annotated,
        thumbnails,
    };
    Some((entry, line))
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC`.
fn utc_now() -> String {
    crate::html::utc_text(std::time::SystemTime::now())
}

/// One CSV line (RFC 4180 quoting), with every cell made safe for spreadsheets.
fn csv_row(fields: &[&str]) -> String {
    let cells: Vec<String> = fields.iter().map(|f| csv_cell(f)).collect();
    format!("{}\n", cells.join(","))
}

/// One CSV cell. A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
/// tab or carriage return, e.g. a video named `=HYPERLINK(…).mp4`) is neutralised as OWASP
/// advises: prefixed with a single quote, and quoted. Otherwise RFC 4180 quoting when needed.
fn csv_cell(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula {
        format!("\"'{}\"", field.replace('"', "\"\""))
    } else if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_row(&["a", "b,c", "say \"hi\""]), "a,\"b,c\",\"say \"\"hi\"\"\"\n");
    }

    #[test]
    fn csv_formula_injection_is_neutralised() {
        assert_eq!(
            csv_row(&["=HYPERLINK(\"http://x\",\"y\").mp4", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "ok", "a=b"]),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\").mp4\",\"'+1\",\"'-2\",\"'@SUM(A1)\",\"'\tx\",\"'\rx\",ok,a=b\n"
        );
    }
}
