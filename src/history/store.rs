//! The history database: one SQLite file indexing every analysed report by person, exercise and
//! filming time, with each rep's metrics, faults and tempo. Reports stay the files of record; the
//! database can be rebuilt from them.

use super::filmed::parse_rfc3339;
use formcheck_core::report::Report;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The schema version this build writes ([`MIGRATIONS`]`.len()`), kept in SQLite's `user_version`.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Each step takes the schema from version `i` to `i + 1`; a database is brought up to date on
/// open, in one transaction per step.
const MIGRATIONS: [&str; 1] = [r#"
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    person TEXT NOT NULL,
    exercise TEXT NOT NULL,
    filmed_at INTEGER NOT NULL,          -- Unix seconds, UTC
    filmed_from TEXT NOT NULL,           -- container | file | clock
    input_sha256 TEXT NOT NULL,
    input_path TEXT NOT NULL,
    report_path TEXT,                    -- the report file, when one was written
    recorded_at INTEGER NOT NULL,
    reps_left INTEGER NOT NULL,
    reps_right INTEGER NOT NULL,
    view TEXT,                           -- the camera view of most of the video
    UNIQUE (input_sha256, exercise)
);
CREATE TABLE session_checks (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    metric TEXT,
    status TEXT NOT NULL,                -- ok | fault | borderline | not_measurable
    PRIMARY KEY (session_id, check_id)
);
CREATE INDEX sessions_by_person ON sessions (person, exercise, filmed_at);
CREATE TABLE reps (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    set_index INTEGER NOT NULL,
    rep_index INTEGER NOT NULL,
    side TEXT NOT NULL,
    partial INTEGER NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL,
    lift_s REAL NOT NULL,
    top_pause_s REAL NOT NULL,
    return_s REAL NOT NULL,
    PRIMARY KEY (session_id, set_index, rep_index)
);
CREATE TABLE rep_metrics (
    session_id INTEGER NOT NULL,
    set_index INTEGER NOT NULL,
    rep_index INTEGER NOT NULL,
    metric TEXT NOT NULL,
    value REAL,                          -- NULL: not measurable on this rep
    PRIMARY KEY (session_id, set_index, rep_index, metric),
    FOREIGN KEY (session_id, set_index, rep_index) REFERENCES reps ON DELETE CASCADE
);
CREATE TABLE rep_findings (
    session_id INTEGER NOT NULL,
    set_index INTEGER NOT NULL,
    rep_index INTEGER NOT NULL,
    check_id TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- fault | borderline
    magnitude REAL NOT NULL,
    PRIMARY KEY (session_id, set_index, rep_index, check_id),
    FOREIGN KEY (session_id, set_index, rep_index) REFERENCES reps ON DELETE CASCADE
);
"#];

/// A failure of the history database (the analysis itself never fails because of one).
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// SQLite refused (locked, read-only, corrupt, full disk...).
    #[error("history database {}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was written by a newer formcheck.
    #[error("history database {}: schema version {found} is newer than this formcheck's {SCHEMA_VERSION}", path.display())]
    Newer {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
    },
    /// The folder for it could not be made.
    #[error("history database {}: {source}", path.display())]
    Io {
        /// The database file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A report cannot be indexed (it does not say whose or when).
    #[error("{0}")]
    Report(String),
}

/// One recorded session: a report's set(s) of one person on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRow {
    /// The person.
    pub person: String,
    /// The exercise.
    pub exercise: String,
    /// When it was filmed (Unix seconds).
    pub filmed_at: i64,
    /// Where that time came from.
    pub filmed_from: String,
    /// The input's sha256.
    pub input_sha256: String,
    /// The input as the report names it.
    pub input_path: String,
    /// The report file, when there is one.
    pub report_path: Option<String>,
    /// Full reps of the left leg.
    pub reps_left: i64,
    /// Full reps of the right leg.
    pub reps_right: i64,
    /// The camera view of most of the video.
    pub view: Option<String>,
    /// The checks the video's view could not measure.
    pub unmeasurable: Vec<String>,
    /// The full reps, in time order.
    pub reps: Vec<RepRow>,
}

/// One full rep of a session.
#[derive(Clone, Debug, PartialEq)]
pub struct RepRow {
    /// Working leg (`left` / `right`).
    pub side: String,
    /// Top pause (s).
    pub top_pause_s: f64,
    /// Return (s).
    pub return_s: f64,
    /// Metric readings (metric name, value; `None` when not measurable).
    pub metrics: Vec<(String, Option<f64>)>,
    /// Checks that faulted on it.
    pub faults: Vec<String>,
}

/// An open history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

/// How long a writer waits for another (a parallel batch, a live session) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl History {
    /// Where the history lives unless told: `$FORMCHECK_DB`, else
    /// `$XDG_DATA_HOME/formcheck/history.sqlite`, else `~/.local/share/formcheck/history.sqlite`.
    pub fn default_path() -> Option<PathBuf> {
        let nonempty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        if let Some(p) = nonempty("FORMCHECK_DB") {
            return Some(p);
        }
        let data = nonempty("XDG_DATA_HOME").or_else(|| nonempty("HOME").map(|h| h.join(".local/share")))?;
        Some(data.join("formcheck").join("history.sqlite"))
    }

    /// Opens (creating when missing) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| HistoryError::Io { path: path.into(), source })?;
        }
        let sql = |source| HistoryError::Sqlite { path: path.into(), source };
        let conn = Connection::open(path).map_err(sql)?;
        let mut history = History { conn, path: path.into() };
        history.configure().map_err(sql)?;
        history.migrate()?;
        Ok(history)
    }

    /// Opens an existing database read-only (for reports and listings; never creates one).
    pub fn open_read_only(path: &Path) -> Result<History, HistoryError> {
        let sql = |source| HistoryError::Sqlite { path: path.into(), source };
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        let history = History { conn, path: path.into() };
        let found = history.version().map_err(sql)?;
        if found > SCHEMA_VERSION {
            return Err(HistoryError::Newer { path: path.into(), found });
        }
        Ok(history)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Sqlite { path: self.path.clone(), source }
    }

    fn configure(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL: a live session and parallel batch jobs write while others read.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // A quick structural check: a corrupt file is refused here rather than half-read later.
        let ok: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if ok != "ok" {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(format!("integrity check failed: {ok}")),
            ));
        }
        Ok(())
    }

    fn version(&self) -> rusqlite::Result<i64> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))
    }

    fn migrate(&mut self) -> Result<(), HistoryError> {
        let found = self.version().map_err(|e| self.sql(e))?;
        if found > SCHEMA_VERSION {
            return Err(HistoryError::Newer { path: self.path.clone(), found });
        }
        for (v, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let path = self.path.clone();
            let sql = move |source| HistoryError::Sqlite { path: path.clone(), source };
            let tx = self.conn.transaction().map_err(&sql)?;
            // Another process may have migrated between our read and this transaction.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(&sql)?;
            if now > v as i64 {
                continue;
            }
            tx.execute_batch(step).map_err(&sql)?;
            tx.pragma_update(None, "user_version", v as i64 + 1).map_err(&sql)?;
            tx.commit().map_err(&sql)?;
        }
        Ok(())
    }

    /// Records one report (whose `session` block says whose and when), replacing an earlier
    /// entry of the same input and exercise; `report_path` is the report file, if any.
    pub fn record(&mut self, report: &Report, report_path: Option<&Path>) -> Result<(), HistoryError> {
        let Some(session) = &report.session else {
            return Err(HistoryError::Report(format!(
                "{}: the report does not say whose set it is or when it was filmed",
                report.input.path
            )));
        };
        let filmed_at = parse_rfc3339(&session.filmed_at).ok_or_else(|| {
            HistoryError::Report(format!(
                "{}: filmed_at {:?} is not a UTC date-time",
                report.input.path, session.filmed_at
            ))
        })?;
        let path = self.path.clone();
        let sql = move |source| HistoryError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(&sql)?;
        tx.execute(
            "DELETE FROM sessions WHERE input_sha256 = ?1 AND exercise = ?2",
            params![session.input_sha256, report.exercise],
        )
        .map_err(&sql)?;
        tx.execute(
            "INSERT INTO sessions (person, exercise, filmed_at, filmed_from, input_sha256, input_path, report_path,
                                   recorded_at, reps_left, reps_right, view)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                session.person,
                report.exercise,
                filmed_at,
                session.filmed_from,
                session.input_sha256,
                report.input.path,
                report_path.map(|p| p.display().to_string()),
                super::filmed::now(),
                report.summary.reps_left as i64,
                report.summary.reps_right as i64,
                main_view(report),
            ],
        )
        .map_err(&sql)?;
        let id = tx.last_insert_rowid();
        insert_checks(&tx, id, report).map_err(&sql)?;
        insert_reps(&tx, id, report).map_err(&sql)?;
        tx.commit().map_err(&sql)
    }

    /// The people and exercises recorded, with how many sessions each.
    pub fn people(&self) -> Result<Vec<(String, String, i64)>, HistoryError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT person, exercise, COUNT(*) FROM sessions GROUP BY person, exercise ORDER BY person, exercise",
            )
            .map_err(|e| self.sql(e))?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.sql(e))
    }

    /// Every session of `person` doing `exercise`, oldest first, with its full reps.
    pub fn sessions(&self, person: &str, exercise: &str) -> Result<Vec<SessionRow>, HistoryError> {
        self.read_sessions(person, exercise).map_err(|e| self.sql(e))
    }

    fn read_sessions(&self, person: &str, exercise: &str) -> rusqlite::Result<Vec<SessionRow>> {
        let mut st = self.conn.prepare(
            "SELECT id, person, exercise, filmed_at, filmed_from, input_sha256, input_path, report_path, reps_left, reps_right, view
             FROM sessions WHERE person = ?1 AND exercise = ?2 ORDER BY filmed_at, input_path",
        )?;
        let heads: Vec<(i64, SessionRow)> = st
            .query_map(params![person, exercise], |r| {
                Ok((
                    r.get(0)?,
                    SessionRow {
                        person: r.get(1)?,
                        exercise: r.get(2)?,
                        filmed_at: r.get(3)?,
                        filmed_from: r.get(4)?,
                        input_sha256: r.get(5)?,
                        input_path: r.get(6)?,
                        report_path: r.get(7)?,
                        reps_left: r.get(8)?,
                        reps_right: r.get(9)?,
                        view: r.get(10)?,
                        unmeasurable: Vec::new(),
                        reps: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        heads
            .into_iter()
            .map(|(id, mut row)| {
                row.reps = self.read_reps(id)?;
                let mut st = self.conn.prepare_cached(
                    "SELECT check_id FROM session_checks WHERE session_id = ?1 AND status = 'not_measurable' ORDER BY check_id",
                )?;
                row.unmeasurable = st.query_map(params![id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                Ok(row)
            })
            .collect()
    }

    fn read_reps(&self, id: i64) -> rusqlite::Result<Vec<RepRow>> {
        let mut st = self.conn.prepare(
            "SELECT set_index, rep_index, side, top_pause_s, return_s FROM reps
             WHERE session_id = ?1 AND partial = 0 ORDER BY start_s",
        )?;
        let mut metrics = self.conn.prepare(
            "SELECT metric, value FROM rep_metrics WHERE session_id = ?1 AND set_index = ?2 AND rep_index = ?3 ORDER BY metric",
        )?;
        let mut faults = self.conn.prepare(
            "SELECT check_id FROM rep_findings
             WHERE session_id = ?1 AND set_index = ?2 AND rep_index = ?3 AND kind = 'fault' ORDER BY check_id",
        )?;
        let heads: Vec<(i64, i64, RepRow)> = st
            .query_map(params![id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    RepRow {
                        side: r.get(2)?,
                        top_pause_s: r.get(3)?,
                        return_s: r.get(4)?,
                        metrics: Vec::new(),
                        faults: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        heads
            .into_iter()
            .map(|(set, rep, mut row)| {
                row.metrics = metrics
                    .query_map(params![id, set, rep], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                row.faults = faults.query_map(params![id, set, rep], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                Ok(row)
            })
            .collect()
    }

    /// The session recorded for this input and exercise, if any (its person and filming time).
    pub fn find(&self, input_sha256: &str, exercise: &str) -> Result<Option<(String, i64)>, HistoryError> {
        self.conn
            .query_row(
                "SELECT person, filmed_at FROM sessions WHERE input_sha256 = ?1 AND exercise = ?2",
                params![input_sha256, exercise],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }
}

/// The camera view of most of the report's video.
fn main_view(report: &Report) -> Option<&'static str> {
    let mut time: std::collections::BTreeMap<&'static str, f64> = Default::default();
    for v in &report.views {
        *time.entry(v.view.as_str()).or_default() += v.end_s - v.start_s;
    }
    time.into_iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|(v, _)| v)
}

/// Inserts each check's status over the session.
fn insert_checks(tx: &rusqlite::Transaction, id: i64, report: &Report) -> rusqlite::Result<()> {
    let mut st =
        tx.prepare("INSERT INTO session_checks (session_id, check_id, metric, status) VALUES (?1, ?2, ?3, ?4)")?;
    for c in &report.checks {
        let status = serde_json::to_value(c.status).ok().and_then(|v| v.as_str().map(str::to_string));
        st.execute(params![id, c.check.as_str(), c.metric.map(|m| m.as_str()), status.unwrap_or_default()])?;
    }
    Ok(())
}

/// Inserts the reps of `report` under session `id`.
fn insert_reps(tx: &rusqlite::Transaction, id: i64, report: &Report) -> rusqlite::Result<()> {
    let mut rep_st = tx.prepare(
        "INSERT INTO reps (session_id, set_index, rep_index, side, partial, start_s, end_s, lift_s, top_pause_s, return_s)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut metric_st = tx.prepare(
        "INSERT INTO rep_metrics (session_id, set_index, rep_index, metric, value) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut finding_st = tx.prepare(
        "INSERT OR REPLACE INTO rep_findings (session_id, set_index, rep_index, check_id, kind, magnitude)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for set in &report.sets {
        for rep in &set.reps {
            let key = (id, set.index as i64, rep.index as i64);
            let p = &rep.phases;
            rep_st.execute(params![
                key.0,
                key.1,
                key.2,
                set.side.as_str(),
                rep.partial,
                rep.start_s,
                rep.end_s,
                p.lift_s,
                p.top_pause_s,
                p.return_s
            ])?;
            for (metric, value) in rep.metrics.iter() {
                metric_st.execute(params![key.0, key.1, key.2, metric.as_str(), value])?;
            }
            for b in &rep.borderline {
                finding_st.execute(params![key.0, key.1, key.2, b.check.as_str(), "borderline", b.magnitude])?;
            }
            for f in &rep.faults {
                finding_st.execute(params![key.0, key.1, key.2, f.check.as_str(), "fault", f.magnitude])?;
            }
        }
    }
    Ok(())
}
