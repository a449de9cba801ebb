//! The bad-input corpus (issue 12): `tests/bad/make.sh` generates small hostile inputs into a
//! temporary folder, and every case of `tests/bad/cases.tsv` runs through the real binary there,
//! which must exit with the listed code and print the listed message (no panic, no hang).

mod common;

use common::{formcheck, root, skip_or_fail, text};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One line of `cases.tsv`.
struct Case {
    name: String,
    args: Vec<OsString>,
    code: i32,
    message: String,
    /// A file the run must leave behind and a substring of it.
    file: Option<(String, String)>,
}

fn cases() -> Vec<Case> {
    let tsv = std::fs::read_to_string(root().join("tests/bad/cases.tsv")).expect("tests/bad/cases.tsv");
    tsv.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() == 4 || cols.len() == 5, "cases.tsv: 4 or 5 tab-separated columns: {l:?}");
            let args =
                cols[1]
                    .split(' ')
                    .filter(|a| !a.is_empty())
                    .map(|a| {
                        if a == "{nonutf8}" {
                            OsString::from_vec(b"bad\xffname.mp4".to_vec())
                        } else {
                            OsString::from(a)
                        }
                    })
                    .collect();
            let file = cols.get(4).map(|f| {
                let (path, needle) = f.split_once(' ').expect("FILE SUBSTRING");
                (path.to_string(), needle.to_string())
            });
            Case {
                name: cols[0].to_string(),
                args,
                code: cols[2].parse().unwrap_or_else(|_| panic!("cases.tsv: exit code of {}", cols[0])),
                message: cols[3].to_string(),
                file,
            }
        })
        .collect()
}

/// Runs `formcheck` with a deadline (a hang is a failure, not a stuck test run).
fn run_in(dir: &std::path::Path, args: &[OsString], limit: Duration) -> std::process::Output {
    let mut child = formcheck()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("formcheck runs");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!("formcheck {args:?} hung for {limit:?}\n{}", text(&out));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn every_bad_input_gives_its_exit_code_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("sh").arg(root().join("tests/bad/make.sh")).arg(dir.path()).output();
    match made {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            // Without ffmpeg the corpus cannot be made; anything else is a broken script.
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            if err.contains("ffmpeg") && err.contains("not found") {
                return skip_or_fail(&format!("tests/bad/make.sh needs ffmpeg: {err}"));
            }
            panic!("tests/bad/make.sh failed:\n{err}");
        }
        Err(e) => return skip_or_fail(&format!("cannot run sh: {e}")),
    }
    let cases = cases();
    assert!(cases.len() >= 30, "the corpus lost cases: {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let out = run_in(dir.path(), &case.args, Duration::from_secs(60));
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if all.contains("panicked") || all.contains("RUST_BACKTRACE") {
            failures.push(format!("{}: PANIC\n{}", case.name, text(&out)));
            continue;
        }
        if out.status.code() != Some(case.code) || !all.contains(&case.message) {
            failures.push(format!("{}: expected exit {} and {:?}\n{}", case.name, case.code, case.message, text(&out)));
            continue;
        }
        if let Some((path, needle)) = &case.file {
            let content = std::fs::read_to_string(dir.path().join(path)).unwrap_or_default();
            if !content.contains(needle.as_str()) {
                failures.push(format!("{}: {path} lacks {needle:?}:\n{content}", case.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    eprintln!("bad corpus: {} cases, all handled", cases.len());
}
