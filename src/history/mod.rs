//! Progress across sessions: a local SQLite history of every analysed set (person, exercise,
//! filming time, each rep's metrics, faults and tempo), trends judged against the person's own
//! noise, and the terminal, CSV and JSON views of them. The reports stay the files of record:
//! the history indexes them and can be rebuilt from a folder of them.

pub mod baseline;
pub mod filmed;
mod store;
pub mod trend;
mod view;

pub use store::{History, HistoryError, RepRow, SessionRow, SCHEMA_VERSION};
pub use view::{render_csv, render_terminal, PersonHistory};

use formcheck_core::report::{Report, SessionInfo};
use std::path::{Path, PathBuf};

/// The person a set is recorded under when nobody said.
pub const DEFAULT_PERSON: &str = "me";

/// Whose set a video is and when it was filmed: the report's `session` block. The input's
/// sha256 identifies it (analysing it again replaces its entry).
pub fn session_for_file(person: &str, input: &Path, input_sha256: String) -> SessionInfo {
    let (t, from) = filmed::filmed_at(input).unwrap_or((filmed::now(), filmed::FilmedFrom::Clock));
    SessionInfo {
        person: person.to_string(),
        filmed_at: filmed::rfc3339(t),
        filmed_from: from.as_str().to_string(),
        input_sha256,
    }
}

/// A live session's `session` block: filmed now, identified by its source and start.
pub fn session_for_live(person: &str, source: &str) -> SessionInfo {
    use sha2::{Digest, Sha256};
    let started = filmed::now();
    let digest = Sha256::digest(format!("live\0{source}\0{started}\0{}", std::process::id()).as_bytes());
    SessionInfo {
        person: person.to_string(),
        filmed_at: filmed::rfc3339(started),
        filmed_from: filmed::FilmedFrom::Clock.as_str().to_string(),
        input_sha256: crate::batch::hex(&digest),
    }
}

/// Records `reports` (with their report files) in the history at `db`. A history that cannot be
/// opened or written (locked, read-only, corrupt) costs only the record: the returned warning
/// says so, and the analysis and its report stand.
pub fn record_all<'a>(db: &Path, reports: impl IntoIterator<Item = (&'a Report, Option<&'a Path>)>) -> Option<String> {
    let mut history = match History::open(db) {
        Ok(h) => h,
        Err(e) => return Some(format!("{e}; this analysis was not added to the history")),
    };
    let mut failed = Vec::new();
    for (report, path) in reports {
        if let Err(e) = history.record(report, path) {
            failed.push(e.to_string());
        }
    }
    match failed.len() {
        0 => None,
        1 => Some(format!("{}; not added to the history", failed[0])),
        n => Some(format!("{n} reports were not added to the history, the first: {}", failed[0])),
    }
}

/// The person's baselines from their sessions of `spec`'s exercise in the history at `db`,
/// leaving out the input being analysed (`input_sha256`); empty, with a warning, when the
/// history cannot be read.
pub fn baselines_for(
    db: &Path,
    person: &str,
    spec: &formcheck_core::spec::ExerciseSpec,
    input_sha256: &str,
) -> Result<Vec<baseline::Baseline>, String> {
    if !db.is_file() {
        return Ok(Vec::new());
    }
    let history = History::open_read_only(db).map_err(|e| e.to_string())?;
    let mut sessions = history.sessions(person, &spec.exercise).map_err(|e| e.to_string())?;
    sessions.retain(|s| s.input_sha256 != input_sha256);
    Ok(baseline::baselines(&sessions, spec))
}

/// What a rebuild found.
#[derive(Debug, Default)]
pub struct Rebuilt {
    /// Reports recorded.
    pub recorded: usize,
    /// JSON files that are not reports of ours, or reports that do not say whose or when.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Records every report under `dir` (recursively; `*.json` files that are formcheck reports).
/// Rows of the same inputs are replaced, so rebuilding twice changes nothing.
pub fn rebuild(db: &Path, dir: &Path) -> Result<Rebuilt, HistoryError> {
    let mut history = History::open(db)?;
    let mut files = Vec::new();
    collect_json(dir, &mut files).map_err(|source| HistoryError::Io { path: dir.into(), source })?;
    files.sort();
    let mut out = Rebuilt::default();
    for file in files {
        let report = match std::fs::read_to_string(&file).map(|t| Report::from_json(&t)) {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                out.skipped.push((file, format!("not a formcheck report ({e})")));
                continue;
            }
            Err(e) => {
                out.skipped.push((file, e.to_string()));
                continue;
            }
        };
        match history.record(&report, Some(&file)) {
            Ok(()) => out.recorded += 1,
            Err(HistoryError::Report(why)) => out.skipped.push((file, why)),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The `*.json` files under `dir`, not following links (a loop cannot trap the walk).
fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            collect_json(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}
