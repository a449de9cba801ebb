//! The history across sessions, end to end on the bundled samples: three sessions of one person
//! filmed on different dates (the container's creation time set with ffmpeg), parallel batch
//! writes into one database, a rebuild from the reports, and a database that cannot be used
//! costing only the record, never the report.

mod common;

use common::{formcheck, sample, text};
use std::path::Path;

/// A two-rep copy of a sample with the container's creation time set.
fn dated_copy(src: &str, dst: &Path, created: &str) {
    std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
    common::short_copy(src, dst, &["-metadata", &format!("creation_time={created}")]);
}

fn history_json(db: &Path, person: &str) -> serde_json::Value {
    let out =
        formcheck().args(["history", "--json", "--person", person, "--db", db.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}

fn batch(input: &Path, out: &Path, db: &Path) -> std::process::Command {
    let mut cmd = formcheck();
    cmd.args(["batch", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--db", db.to_str().unwrap(), "-q"]);
    cmd
}

#[test]
fn three_sessions_parallel_batches_and_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    // Ann's three sessions (one the pelvic-hike sample) in one batch, Ben's in another.
    dated_copy("01_clean_side.mp4", &a.join("ann/2026-10-01.mp4"), "2026-10-01T09:00:00Z");
    dated_copy("08_pelvic_hike.mp4", &a.join("ann/2026-10-08.mp4"), "2026-10-08T09:00:00Z");
    dated_copy("01_clean_side.mp4", &a.join("ann/2026-10-15.mp4"), "2026-10-15T09:00:00Z");
    dated_copy("01_clean_side.mp4", &b.join("ben/monday.mp4"), "2026-11-02T18:30:00Z");
    let db = dir.path().join("history.sqlite");
    let (out_a, out_b) = (dir.path().join("out-a"), dir.path().join("out-b"));
    // Both batches write into the same database at once (WAL, busy timeout).
    let mut first = batch(&a, &out_a, &db).spawn().unwrap();
    let second = batch(&b, &out_b, &db).output().unwrap();
    let first_status = first.wait().unwrap();
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert_eq!(first_status.code(), Some(0));

    let ann = history_json(&db, "ann");
    let sessions = ann["sessions"].as_array().unwrap();
    let dates: Vec<&str> = sessions.iter().map(|s| s["filmed_at"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2026-10-01T09:00:00Z", "2026-10-08T09:00:00Z", "2026-10-15T09:00:00Z"], "in filming order");
    assert!(sessions.iter().all(|s| s["filmed_from"] == "container"));
    assert!(sessions.iter().all(|s| s["reps_left"].as_i64().unwrap() + s["reps_right"].as_i64().unwrap() >= 2));
    // The middle session is the pelvic hike, filmed from behind: its hike is there, the side views' is not.
    let hike = ann["trends"].as_array().unwrap().iter().find(|t| t["name"] == "pelvis_hike").expect("a hike trend");
    assert_eq!(hike["sessions"].as_array().unwrap().len(), 3);
    assert!(hike["sessions"][1].as_f64().is_some(), "{hike}");
    assert!(sessions[1]["faults"].as_array().unwrap().iter().any(|f| f[0] == "pelvis_hike"), "{}", sessions[1]);
    // Every trend says how the latest session compares.
    let verdicts = ["better", "same", "worse", "too_few_sessions"];
    assert!(ann["trends"].as_array().unwrap().iter().all(|t| verdicts.contains(&t["verdict"].as_str().unwrap())));
    let pause = ann["trends"].as_array().unwrap().iter().find(|t| t["name"] == "top_pause_s").unwrap();
    assert_ne!(pause["verdict"], "too_few_sessions", "{pause}");
    assert_eq!(history_json(&db, "ben")["sessions"].as_array().unwrap().len(), 1);

    // Analysing the same videos again replaces their entries, never duplicates them.
    let again = batch(&a, &dir.path().join("out-a2"), &db).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert_eq!(history_json(&db, "ann")["sessions"].as_array().unwrap().len(), 3);

    // The database is an index of the reports: rebuilt from the first batch's, the rows agree.
    let rebuilt = dir.path().join("rebuilt.sqlite");
    let out = formcheck()
        .args(["history", "rebuild", out_a.to_str().unwrap(), "--db", rebuilt.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let from_db = history_json(&db, "ann");
    let from_reports = history_json(&rebuilt, "ann");
    assert_eq!(from_db["trends"], from_reports["trends"]);
    let strip = |v: &serde_json::Value| -> Vec<(String, i64, i64)> {
        v["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["filmed_at"].as_str().unwrap().into(),
                    s["reps_left"].as_i64().unwrap(),
                    s["reps_right"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&from_db), strip(&from_reports));

    // The terminal view and CSV.
    let out = formcheck().args(["history", "--person", "ann", "--db", db.to_str().unwrap()]).output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("ann — cable-medius-kickback (3 sessions)") && shown.contains("top_pause_s"), "{shown}");
    let out = formcheck().args(["history", "--csv", "--person", "ann", "--db", db.to_str().unwrap()]).output().unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with("person,exercise,filmed_at,input,series,unit,value,left,right\n"), "{csv}");
    assert!(csv.lines().filter(|l| l.contains(",top_pause_s,")).count() == 3, "{csv}");
}

#[test]
fn a_database_that_cannot_be_used_costs_the_record_not_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.sqlite");
    std::fs::write(&corrupt, vec![0x5a; 64 * 1024]).unwrap();
    // A folder where the database's folder should be a file: it cannot even be created.
    let blocked_parent = dir.path().join("a-file");
    std::fs::write(&blocked_parent, b"").unwrap();
    for db in [corrupt.clone(), blocked_parent.join("history.sqlite")] {
        let report = dir.path().join("report.json");
        let _ = std::fs::remove_file(&report);
        let out = formcheck()
            .args(["analyze", sample("01_clean_side.mp4").to_str().unwrap(), "--json", report.to_str().unwrap()])
            .args(["--db", db.to_str().unwrap(), "-q"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "exit code unchanged: {}", text(&out));
        assert!(stderr.contains("warning") && stderr.contains("not added to the history"), "{stderr}");
        let written = std::fs::read_to_string(&report).expect("the report is written");
        let parsed = formcheck_core::report::Report::from_json(&written).unwrap();
        assert_eq!(parsed.session.as_ref().map(|s| s.person.as_str()), Some("me"));
    }
    // The corrupt file was not replaced or "repaired".
    assert_eq!(std::fs::read(&corrupt).unwrap(), vec![0x5a; 64 * 1024]);
    // --no-history records nothing and writes no session block.
    let db = dir.path().join("unused.sqlite");
    let report = dir.path().join("plain.json");
    let out = formcheck()
        .args(["analyze", sample("01_clean_side.mp4").to_str().unwrap(), "--json", report.to_str().unwrap(), "-q"])
        .args(["--db", db.to_str().unwrap(), "--no-history"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!db.exists());
    assert!(!std::fs::read_to_string(&report).unwrap().contains("\"session\""));
}

#[test]
fn a_personal_baseline_after_three_sessions_moves_a_threshold_within_the_specs_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    for (k, day) in ["2026-09-01", "2026-09-08", "2026-09-15"].iter().enumerate() {
        dated_copy("01_clean_side.mp4", &input.join(format!("cas/{k}.mp4")), &format!("{day}T07:00:00Z"));
    }
    let db = dir.path().join("h.sqlite");
    let out = batch(&input, &dir.path().join("out"), &db).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown =
        formcheck().args(["history", "baseline", "--json", "--person", "cas", "--db"]).arg(&db).output().unwrap();
    let baselines: serde_json::Value =
        serde_json::from_slice(&shown.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&shown)));
    let knee =
        baselines.as_array().unwrap().iter().find(|b| b["check"] == "support_knee_locked").expect("knee baseline");
    assert_eq!(knee["sessions"], 3, "{knee}");
    let threshold = knee["threshold"].as_f64().expect("a personal threshold after three sessions");
    assert!((5.0..=8.0).contains(&threshold), "within the spec's bounds: {threshold}");

    // A fourth session, analysed against the baseline: the report says which threshold moved.
    let fourth = dir.path().join("fourth.mp4");
    dated_copy("01_clean_side.mp4", &fourth, "2026-09-22T07:00:00Z");
    let report = dir.path().join("fourth.json");
    let run = formcheck()
        .args(["analyze", fourth.to_str().unwrap(), "--json", report.to_str().unwrap()])
        .args(["--person", "cas", "--personal-baseline", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert!(String::from_utf8_lossy(&run.stdout).contains("Personal baseline: support_knee_locked"), "{}", text(&run));
    let r = formcheck_core::report::Report::from_json(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let used = r.personal_thresholds.iter().find(|p| p.check.as_str() == "support_knee_locked").expect("recorded");
    assert_eq!((used.threshold, used.spec_threshold, used.sessions), (threshold, 5.0, 3));
    // Without the flag, the exercise's thresholds.
    let plain =
        formcheck().args(["analyze", fourth.to_str().unwrap(), "--json", "-", "-q", "--no-history"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("personal_thresholds"));
}

#[test]
fn a_locked_database_delays_then_warns_and_a_killed_batch_leaves_it_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    // Another process holds the database's write lock for the whole analysis.
    let make = formcheck()
        .args(["history", "rebuild", dir.path().to_str().unwrap(), "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(make.status.code(), Some(0), "{}", text(&make));
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let report = dir.path().join("r.json");
    let out = formcheck()
        .args(["analyze", sample("01_clean_side.mp4").to_str().unwrap(), "--json", report.to_str().unwrap(), "-q"])
        .args(["--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stderr.contains("locked") && stderr.contains("not added to the history"), "{stderr}");
    assert!(formcheck_core::report::Report::from_json(&std::fs::read_to_string(&report).unwrap()).is_ok());
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);

    // A batch killed while it works: the database stays whole, and a rerun records every video.
    let input = dir.path().join("in");
    for k in 0..3 {
        dated_copy("01_clean_side.mp4", &input.join(format!("dee/{k}.mp4")), &format!("2026-08-0{}T07:00:00Z", k + 1));
    }
    let out_dir = dir.path().join("out");
    let mut child = batch(&input, &out_dir, &db).spawn().unwrap();
    let first = out_dir.join("videos/dee/0.mp4.report.json");
    let started = std::time::Instant::now();
    while !first.exists() && started.elapsed() < std::time::Duration::from_secs(120) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    // Whole sessions or none: every recorded session has its reps.
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM reps r WHERE r.session_id = s.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    drop(conn);
    let rerun = batch(&input, &out_dir, &db).output().unwrap();
    assert_eq!(rerun.status.code(), Some(0), "{}", text(&rerun));
    assert_eq!(history_json(&db, "dee")["sessions"].as_array().unwrap().len(), 3, "{}", text(&rerun));
}
