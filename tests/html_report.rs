//! The batch index page (`formcheck::html`) rendered from realistic reports, loaded in headless
//! Chromium: the DOM must hold what the reports say, names must be escaped, and a screenshot is
//! taken (kept under the target tmp dir as `html_report/index.png` for a human to look at). The
//! page is also laid out at phone, tablet and desktop sizes (no horizontal overflow, every
//! video's status and first fix on screen; the README's screenshots) and printed to PDF (a page
//! count that fits). `formcheck report --html`'s hand-out is laid out and printed too, and both
//! pages go through the npm package axe-core in Chromium (`tests/a11y/axe.js`): no serious or
//! critical accessibility violation. Skipped with a notice when `/usr/bin/chromium` (or, for the
//! accessibility check, node and its packages) is absent (a failure under `CI=1`).

mod common;

use formcheck::html::{escape_html, render_index, EntryStatus, IndexPage, Thumbnail, VideoEntry};
use formcheck_core::kinematics::Side;
use formcheck_core::report::{
    CheckResult, Diagnostics, Fault, Fix, InputInfo, PhaseDurations, RepMetrics, RepReport, Report, Series, SetReport,
    Status, Summary, Unit, SCHEMA_VERSION,
};
use formcheck_core::spec::{CheckId, ExerciseSpec, Severity, View};
use formcheck_core::view::ViewSegment;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// A tiny real JPEG (96×54 test pattern).
const THUMB_HEX: &[&str] = &[
    "ffd8ffe000104a46494600010200000100010000fffe00104c61766335392e33372e31303000ffdb0043000818181c18",
    "1c212121212121272427282828272727272828282b2b2b3333332b2b2b28282b2b303033333739373434333439393c3c",
    "3c4848454554545767677cffc4008f000100030101010100000000000000000000050704060308020100030101010000",
    "000000000000000000050607080403100001030203060406030100000000000001020011031251132161321431410481",
    "a22271a1d13352d25315b142e111000102040307030305010100000000000100023111120351142181a19161d1413204",
    "715233f062b1a24292132272ffc00011080036006003012200021100031100ffda000c03010002110311003f00ab8e6a",
    "aa14a3a09e90001a924e807bbfdc77175bd6dbbfcc5bf75dbb1b65ca20839e88b8ab2c84722a0932a036c78e0e5e53c3",
    "e4dbebdfc99336e65d6ce36f4ded8c7fa8f54ebce996e93d0133a43a467db410801cd3a86badb9c03dc353024409d145",
    "2fb9ee50614a8d27920820f504082c8ee7b95984aa749e480001d492203f4aa6050488429254609dcb952993ed8eb8b5",
    "2322ba4c2d4a29300efdaa9541f6c35c186ff9a6743780c653f6ef153acb5aae54b7fa8f8ce509ce7a41745c6f7d317f",
    "4bb769c4633111b65f8abbfef5060d4dbbb4f518821305fac8cacb8f56f65ceb17dd138c78b8ba863252210a04983fe2",
    "e5489ffac686b09fa6ceff00c4611f64d4e60022600ef87bfdc95788152a184eba12790000e6493a01eef4e556bad8d6",
    "dbb9a6db626eba6d8db30e6a89b8772831516a525500fd4b564aad2311ca35c039f94f0f936faf7f264dd6e65d6ce36f",
    "4ded8e8eff005b7dae9073a207918100d7e43410801cd7236cb48d84ed07c60753f6173abab5e998518d011a24820f50",
    "46847b322ad7a861267424e890001d493a01eef5d7129a34c0854afd13aa6f54a4127ac63ae2d40426b53225528f44ea",
    "ab152a008eb186b83f3cc5ca2aa8ce7898552aa30ef197347aa7d52adfc4e13929ae27bcbadbb58bb95388c662236cb7",
    "13de5d6ddac5dca9c4633111b65ed94e4e55beadecb9d6dbeeb671b7a73d8d29c9cab7d5bd973adb7dd6ce36f4e7b184",
    "ccdcfdd2d9f3f286efc925646c60df1abc447e1e3e5bff00155c56fa87c3fa785eeadf50f87f4f0bf56c07b04e977ea3",
    "ff00f4efd5493333f1539526cccf8d1f5c73333a02e5526cccf8d1f524fdd2852cc013a4e1007524e81f839ea1051553",
    "17136109e570499207878b1af716b66396f31d9149d6da1ce91e7b84e5b60a06a535a96481875183c993530f88f9bead",
    "9ae8b8460aeeef496dce24976a4988efb164e0ebfd9e64fcdb83aff67993f376ab307997e0ddfd5652cddcc1bc0f55c6",
    "7f1bddfeaf323f26fe37bbfd5e647e4eff0066bf9db983381eaab7485f155a5ad2e419eb7c95bc5fc47440ea2a4787ab",
    "f6fc47cdb87abf6fc47cdf76cc065998bb77455bca5bc5dc474509c0f73fafcc8fc9b81ee7f5f991f93b95982ff31cd6",
    "56cedcc19c0f554c33339aadb6aca6666acb0aab31999a9abfaf8e9999eff4aeacc6666a8afeaca6666acb0a2fffd9",
];

fn thumb_jpeg() -> Vec<u8> {
    let hex: String = THUMB_HEX.concat();
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

const FAILED_NAME: &str = "Zoë/<script>alert(1)</script>&\"'.mp4";
const FAILED_ERROR: &str = "moov atom not found: <Invalid data found> & \"truncated\"";
const CLEAN_NAME: &str = "Zoë/Ünïcödé 日本.mp4";
const FAULTY_NAME: &str = "ann/week 1/kickbacks.mp4";

/// One planned rep: side, index, start, end, partial, faults (check, magnitude, threshold, unit).
struct PlannedRep {
    start: f64,
    end: f64,
    partial: bool,
    faults: Vec<(CheckId, f64, f64, Unit)>,
}

/// Builds a report whose series really shows the planned reps: the thigh rises and falls within
/// each rep, the trunk tips forward in reps with a forward-lean fault, and signals not visible
/// from the view are null (plus an occlusion gap in the knee signal).
/// What a planned recording holds.
struct Recording<'a> {
    path: &'a str,
    view: View,
    duration: f64,
    sets: Vec<(Side, Vec<PlannedRep>)>,
    checks: Vec<(CheckId, Status)>,
    top_fixes: Vec<Fix>,
    positive: Option<&'a str>,
    /// Signals visible from the view (the others are null throughout).
    visible: &'a [&'a str],
    /// Times (s) when the support knee was hidden.
    knee_gap: Option<(f64, f64)>,
}

fn report(rec: Recording) -> Report {
    let Recording { path, view, duration, sets, checks, top_fixes, positive, visible, knee_gap } = rec;
    let fps = 30.0;
    let n = (duration * fps) as usize;
    let t_s: Vec<f64> = (0..n).map(|i| i as f64 / fps).collect();
    let in_rep = |t: f64| -> Option<(&PlannedRep, f64)> {
        sets.iter()
            .flat_map(|(_, reps)| reps)
            .find(|r| t >= r.start && t <= r.end)
            .map(|r| (r, (t - r.start) / (r.end - r.start)))
    };
    let mut signals: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    for name in formcheck_core::report::SERIES_SIGNALS {
        let v: Vec<Option<f64>> = t_s
            .iter()
            .map(|&t| {
                if !visible.contains(&name) {
                    return None;
                }
                let wobble = (t * 3.7).sin() * 0.6;
                let rep = in_rep(t);
                let lift =
                    rep.map(|(r, u)| (std::f64::consts::PI * u).sin().powi(2) * if r.partial { 14.0 } else { 42.0 });
                let has = |c: CheckId| rep.is_some_and(|(r, _)| r.faults.iter().any(|f| f.0 == c));
                Some(match name {
                    "working_thigh_elevation_deg" => 3.0 + lift.unwrap_or(0.0) + wobble,
                    "hip_extension_deg" => -4.0 + 0.85 * lift.unwrap_or(0.0) + wobble,
                    "trunk_forward_deg" => {
                        let bump = if has(formcheck_core::kickback::TORSO_LEAN_FORWARD) { 15.0 } else { 3.0 };
                        18.0 + bump * (lift.unwrap_or(0.0) / 42.0) + wobble
                    }
                    "trunk_away_deg" => 1.0 + 2.0 * (lift.unwrap_or(0.0) / 42.0) + wobble,
                    "pelvis_hike_deg" => 0.5 + 2.5 * (lift.unwrap_or(0.0) / 42.0) + wobble,
                    "support_knee_flexion_deg" => {
                        if knee_gap.is_some_and(|(a, b)| t >= a && t <= b) {
                            return None;
                        }
                        14.0 + 1.5 * (t * 0.35).sin() + 0.4 * wobble
                    }
                    _ => wobble,
                })
            })
            .collect();
        signals.insert(name.to_string(), v);
    }
    let mut reps_left = 0;
    let mut reps_right = 0;
    let mut partial_reps = 0;
    let mut set_reports = Vec::new();
    for (k, (side, reps)) in sets.iter().enumerate() {
        let mut rep_reports = Vec::new();
        for (i, r) in reps.iter().enumerate() {
            let peak = r.start + 0.45 * (r.end - r.start);
            let faults: Vec<Fault> = r
                .faults
                .iter()
                .map(|&(check, magnitude, threshold, unit)| Fault {
                    check,
                    magnitude,
                    threshold,
                    unit,
                    severity: Severity::High,
                    peak_s: peak,
                    peak_frame: (peak * fps).round() as u64,
                    confidence: 0.9,
                    cue: format!("cue for {check}"),
                })
                .collect();
            rep_reports.push(RepReport {
                index: i + 1,
                start_s: r.start,
                peak_s: peak,
                end_s: r.end,
                start_frame: (r.start * fps) as u64,
                peak_frame: (peak * fps) as u64,
                end_frame: (r.end * fps) as u64,
                partial: r.partial,
                phases: PhaseDurations {
                    lift_s: 0.45 * (r.end - r.start),
                    top_pause_s: 0.1,
                    return_s: 0.45 * (r.end - r.start) - 0.1,
                    bottom_s: Some(0.3),
                },
                metrics: RepMetrics::default(),
                borderline: Vec::new(),
                cue: faults.first().map_or_else(|| "Controlled return, no swinging.".to_string(), |f| f.cue.clone()),
                faults,
            });
        }
        let full = reps.iter().filter(|r| !r.partial).count();
        let partial = reps.len() - full;
        match side {
            Side::Left => reps_left += full,
            Side::Right => reps_right += full,
        }
        partial_reps += partial;
        set_reports.push(SetReport {
            index: k + 1,
            side: *side,
            machine_side: Some(side.other()),
            view: Some(view),
            start_s: reps.first().map_or(0.0, |r| r.start),
            end_s: reps.last().map_or(0.0, |r| r.end),
            rep_count: full,
            partial_count: partial,
            reps: rep_reports,
        });
    }
    let total = reps_left + reps_right;
    let checks = checks
        .into_iter()
        .map(|(check, status)| {
            let with_fault =
                set_reports.iter().flat_map(|s| &s.reps).filter(|r| r.faults.iter().any(|f| f.check == check)).count();
            CheckResult {
                check,
                metric: ExerciseSpec::cable_medius_kickback().ok().and_then(|s| s.check(check).map(|c| c.metric)),
                status,
                reps_measured: if status == Status::NotMeasurable { 0 } else { total },
                reps_with_fault: with_fault,
                reps_borderline: 0,
                reason: (status == Status::NotMeasurable)
                    .then(|| format!("not visible from a {} view <{check}>", view.as_str().replace('_', " "))),
                advice: (status == Status::NotMeasurable)
                    .then(|| format!("Film from behind to measure {check} & more.")),
                cue: Some(format!("cue for {check}")),
            }
        })
        .collect();
    Report {
        schema_version: SCHEMA_VERSION,
        exercise: "cable-medius-kickback".into(),
        input: InputInfo {
            path: path.into(),
            width: 1080,
            height: 1920,
            fps,
            duration_s: duration,
            frames_decoded: n as u64,
            frames_with_pose: n as u64 - 40,
        },
        views: vec![ViewSegment { start_s: 0.0, end_s: duration, view }],
        sets: set_reports,
        checks,
        summary: Summary {
            reps_left,
            reps_right,
            partial_reps,
            top_fixes,
            positive: positive.map(str::to_string),
            no_reps_advice: None,
        },
        series: Series { frame: (0..n as u64).collect(), phase: vec![None; n], t_s, signals },
        diagnostics: Diagnostics {
            frames: n,
            frames_with_pose: n - 40,
            leg_swaps_repaired: 0,
            ends_early: None,
            others_in_view: false,
        },
        session: None,
        personal_thresholds: Vec::new(),
    }
}

fn plan(starts: &[f64], len: f64, partial: &[usize], faults: &[(usize, CheckId, f64, f64, Unit)]) -> Vec<PlannedRep> {
    starts
        .iter()
        .enumerate()
        .map(|(i, &s)| PlannedRep {
            start: s,
            end: s + len,
            partial: partial.contains(&(i + 1)),
            faults: faults.iter().filter(|f| f.0 == i + 1).map(|f| (f.1, f.2, f.3, f.4)).collect(),
        })
        .collect()
}

/// The page under test: a video with faults and unmeasurable checks, a failed file with an
/// HTML-special name under a Unicode client folder, and a clean video with a Unicode name.
fn page() -> (IndexPage, usize) {
    use formcheck_core::kickback::*;
    let side_checks = |fault: &[CheckId]| -> Vec<(CheckId, Status)> {
        formcheck_core::kickback::ALL
            .iter()
            .map(|&c| {
                let status = if fault.contains(&c) {
                    Status::Fault
                } else if matches!(c, TORSO_LEAN_AWAY | PELVIS_HIKE | PELVIS_ROTATION | LEG_PATH_SIDEWAYS | TORSO_TWIST)
                {
                    Status::NotMeasurable
                } else {
                    Status::Ok
                };
                (c, status)
            })
            .collect()
    };
    let left: Vec<f64> = (0..8).map(|i| 1.0 + 2.1 * i as f64).collect();
    let right: Vec<f64> = (0..6).map(|i| 20.0 + 2.2 * i as f64).collect();
    let faulty = report(Recording {
        path: FAULTY_NAME,
        view: View::SideWorking,
        duration: 34.0,
        sets: vec![
            (
                Side::Left,
                plan(
                    &left,
                    1.8,
                    &[8],
                    &[
                        (3, TORSO_LEAN_FORWARD, 14.2, 10.0, Unit::Deg),
                        (5, TORSO_LEAN_FORWARD, 16.8, 10.0, Unit::Deg),
                        (6, TORSO_LEAN_FORWARD, 12.5, 10.0, Unit::Deg),
                        (6, LOW_BACK_ARCH, 38.0, 35.0, Unit::Deg),
                    ],
                ),
            ),
            (Side::Right, plan(&right, 1.9, &[], &[(2, TORSO_LEAN_FORWARD, 11.0, 10.0, Unit::Deg)])),
        ],
        checks: side_checks(&[TORSO_LEAN_FORWARD, LOW_BACK_ARCH]),
        top_fixes: vec![
            Fix {
                check: TORSO_LEAN_FORWARD,
                cue: "Chest stays tall: don't tip forward as the leg goes back.".into(),
                reps_affected: 4,
            },
            Fix {
                check: LOW_BACK_ARCH,
                cue: "Shorter range: stop when the glute is done, before the low back arches.".into(),
                reps_affected: 1,
            },
        ],
        positive: Some("Controlled return, no swinging."),
        visible: &["working_thigh_elevation_deg", "hip_extension_deg", "trunk_forward_deg", "support_knee_flexion_deg"],
        knee_gap: Some((9.0, 10.5)),
    });
    let faults_total = 5;
    let back_checks: Vec<(CheckId, Status)> = formcheck_core::kickback::ALL
        .iter()
        .map(|&c| {
            let nm = matches!(c, TORSO_LEAN_FORWARD | SUPPORT_KNEE_LOCKED | SUPPORT_KNEE_UNSTABLE | LOW_BACK_ARCH);
            (c, if nm { Status::NotMeasurable } else { Status::Ok })
        })
        .collect();
    let clean = report(Recording {
        path: CLEAN_NAME,
        view: View::Back,
        duration: 26.0,
        sets: vec![
            (Side::Left, plan(&[1.0, 3.2, 5.4, 7.6, 9.8], 1.9, &[], &[])),
            (Side::Right, plan(&[14.0, 16.2, 18.4, 20.6, 22.8], 1.9, &[5], &[])),
        ],
        checks: back_checks,
        top_fixes: vec![],
        positive: Some("Clean set: quiet trunk, level pelvis and a controlled return. Keep it up."),
        visible: &["working_thigh_elevation_deg", "hip_extension_deg", "trunk_away_deg", "pelvis_hike_deg"],
        knee_gap: None,
    });
    let jpeg = thumb_jpeg();
    let thumbs = vec![
        Thumbnail { check: TORSO_LEAN_FORWARD, t_s: 11.31, frame: 339, jpeg: jpeg.clone() },
        Thumbnail { check: LOW_BACK_ARCH, t_s: 11.31, frame: 339, jpeg: jpeg.clone() },
        Thumbnail { check: TORSO_LEAN_FORWARD, t_s: 5.01, frame: 150, jpeg },
    ];
    let page = IndexPage {
        title: "Kickback review — week 1".into(),
        generated: "2026-11-21 23:30 UTC".into(),
        entries: vec![
            VideoEntry {
                rel_path: FAULTY_NAME.into(),
                status: EntryStatus::Analysed,
                report: Some(faulty),
                annotated_href: Some(format!("videos/{FAULTY_NAME}.annotated.mp4")),
                thumbnails: thumbs,
            },
            VideoEntry {
                rel_path: FAILED_NAME.into(),
                status: EntryStatus::Failed { error: FAILED_ERROR.into() },
                report: None,
                annotated_href: None,
                thumbnails: vec![],
            },
            VideoEntry {
                rel_path: CLEAN_NAME.into(),
                status: EntryStatus::Current,
                report: Some(clean),
                annotated_href: Some(format!("videos/{CLEAN_NAME}.annotated.mp4")),
                thumbnails: vec![],
            },
        ],
        ignored_files: vec!["ann/notes <b>bold</b>.txt".into()],
        skipped_files: vec![],
        progress: Vec::new(),
    };
    (page, faults_total)
}

/// How Chromium serialises text content: only `&`, `<`, `>` (and NBSP) are escaped.
fn dom_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Serialised HTML with its tags removed (entities kept).
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Runs Chromium headless with a fresh profile and a hard time limit; returns stdout.
fn chromium(args: &[&str], profile: &Path, limit: Duration) -> String {
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start chromium");
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut { stdout }, &mut s).map(|_| s)
    });
    let stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut { stderr }, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} took over {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = reader.join().unwrap().expect("chromium stdout is UTF-8");
    let err = err_reader.join().unwrap();
    assert!(status.success(), "chromium {args:?} failed: {status}\n{err}");
    out
}

/// The serialised `<tr class="entry ...">` row whose link title is `rel_path`.
fn row<'a>(dom: &'a str, rel_path: &str) -> &'a str {
    // Chromium escapes `&`, `"`, `<` and `>` in attribute values.
    let title = format!("title=\"{}\"", dom_text(rel_path).replace('"', "&quot;"));
    dom.split("<tr class=\"entry")
        .skip(1)
        .map(|r| &r[..r.find("</tr>").unwrap_or(r.len())])
        .find(|r| r.contains(&title))
        .unwrap_or_else(|| panic!("no row for {rel_path:?}"))
}

/// The serialised `<section class="video ...">` whose heading is `rel_path`.
fn section<'a>(dom: &'a str, rel_path: &str) -> &'a str {
    let h2 = format!("<h2>{}</h2>", dom_text(rel_path));
    dom.split("<section class=\"video")
        .skip(1)
        .map(|s| &s[..s.find("</section>").unwrap_or(s.len())])
        .find(|s| s.contains(&h2))
        .unwrap_or_else(|| panic!("no section for {rel_path:?}"))
}

/// The chart groups of the page: a chart is drawn when any of its signals has a value.
const CHART_SIGNALS: [&[&str]; 4] = [
    &["working_thigh_elevation_deg", "hip_extension_deg"],
    &["trunk_forward_deg", "trunk_away_deg"],
    &["pelvis_hike_deg", "pelvis_rotation_deg"],
    &["support_knee_flexion_deg"],
];

/// Checks the row and the section of one analysed entry against its report.
fn assert_entry_matches(dom: &str, e: &VideoEntry) {
    let Some(r) = &e.report else { return };
    let tr = row(dom, &e.rel_path);
    let s = &r.summary;
    // Reps per side.
    assert!(tr.contains(&format!("data-reps-left=\"{}\">{}<", s.reps_left, s.reps_left)), "{tr}");
    assert!(tr.contains(&format!("data-reps-right=\"{}\">{}<", s.reps_right, s.reps_right)), "{tr}");
    assert!(tr.contains(&format!("data-partial=\"{}\">{}<", s.partial_reps, s.partial_reps)), "{tr}");
    // The things to fix, or the positive note.
    for fix in &s.top_fixes {
        assert!(tr.contains(&dom_text(&fix.cue)), "cue {:?} in {tr}", fix.cue);
    }
    if s.top_fixes.is_empty() && r.sets.iter().any(|set| !set.reps.is_empty()) {
        if let Some(p) = &s.positive {
            assert!(tr.contains(&dom_text(p)), "{tr}");
        }
    }
    // One strip cell per check, coloured by status.
    assert_eq!(tr.matches("class=\"cell ").count(), r.checks.len());
    for (class, status) in [("ok", Status::Ok), ("fault", Status::Fault), ("nm", Status::NotMeasurable)] {
        let want = r.checks.iter().filter(|c| c.status == status).count();
        assert_eq!(tr.matches(&format!("class=\"cell {class}\"")).count(), want, "{class} cells in {tr}");
    }
    if let Some(href) = &e.annotated_href {
        assert!(tr.contains("class=\"play\" href=\""), "{tr}");
        assert!(!href.is_empty());
    }

    let sec = section(dom, &e.rel_path);
    // Charts: one per group with data; every rep shaded in each; every fault's worst moment marked.
    let charts = CHART_SIGNALS
        .iter()
        .filter(|names| names.iter().any(|n| r.series.signals.get(*n).is_some_and(|v| v.iter().any(|x| x.is_some()))))
        .count();
    assert_eq!(sec.matches("<svg class=\"chart\"").count(), charts, "charts of {}", e.rel_path);
    let reps: Vec<_> = r.sets.iter().flat_map(|s| &s.reps).collect();
    let faults: Vec<_> = reps.iter().flat_map(|r| &r.faults).collect();
    if charts > 0 {
        assert_eq!(sec.matches("<rect class=\"rep").count(), charts * reps.len());
        assert_eq!(
            sec.matches("<rect class=\"rep partial\"").count(),
            charts * reps.iter().filter(|r| r.partial).count()
        );
        assert_eq!(sec.matches("class=\"fault-marker\"").count(), faults.len());
        for f in &faults {
            assert!(sec.contains(&format!("class=\"fault-marker\" data-check=\"{}\"", f.check)));
        }
    }
    // Checks: all listed; not-measurable ones with their reason and advice.
    for c in &r.checks {
        assert!(sec.contains(&format!("data-check=\"{}\"", c.check)));
        for text in c.reason.iter().chain(&c.advice) {
            if c.status == Status::NotMeasurable {
                assert!(sec.contains(&dom_text(text)), "{text:?}");
            }
        }
    }
    let nm = r.checks.iter().filter(|c| c.status == Status::NotMeasurable).count();
    assert_eq!(sec.matches("<tr class=\"nm\"").count(), nm);
    // Per-rep table: a row per rep, a chip per fault.
    assert_eq!(sec.matches("<tr class=\"rep").count(), reps.len());
    assert_eq!(sec.matches("<span class=\"chip\"").count(), faults.len());
    // Keyframes, embedded.
    assert_eq!(sec.matches("src=\"data:image/jpeg;base64,").count(), e.thumbnails.len());
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html_report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A page written to a temporary folder and loaded in Chromium.
struct Loaded {
    /// The folder holding the page (screenshots go here too).
    dir: tempfile::TempDir,
    /// The page's file URL.
    url: String,
    /// The DOM Chromium built from it.
    dom: String,
}

/// Writes `html` to a temporary `index.html` (and a copy named `copy_name` under the target dir
/// for a person to open), then loads it in Chromium; `None`, with a notice, without Chromium.
fn load_in_chromium(html: &str, copy_name: &str) -> Option<Loaded> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("index.html");
    std::fs::write(&file, html).unwrap();
    std::fs::write(out_dir().join(copy_name), html).unwrap();
    if !Path::new(CHROMIUM).exists() {
        common::skip_or_fail(&format!("{CHROMIUM} not found: the browser half of html_report"));
        return None;
    }
    let url = format!("file://{}", file.display());
    let profile = tempfile::tempdir().unwrap();
    let dom = chromium(&["--dump-dom", &url], profile.path(), Duration::from_secs(30));
    Some(Loaded { dir, url, dom })
}

#[test]
fn index_page_renders_in_chromium() {
    let (page, faults_total) = page();
    let html = render_index(&page);

    // Static properties of the file itself.
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src=\"//"), "no external URL");
    assert!(!html.contains("<script"), "no script at all");
    assert!(!html.contains("<b>bold"), "ignored file names are escaped");
    assert_eq!(html, render_index(&page), "deterministic");
    let mut shuffled = page.clone();
    shuffled.entries.rotate_left(1);
    assert_eq!(html, render_index(&shuffled), "independent of entry order");
    assert_eq!(html.matches("data:image/jpeg;base64,").count(), 3);
    assert!(html.contains(&escape_html(FAILED_NAME)));

    let Some(Loaded { dir, url, dom }) = load_in_chromium(&html, "index.html") else { return };
    assert!(dom.contains("</html>"), "a whole DOM came back:\n{dom}");

    // Nothing was injected by the hostile name; it shows as text in the row and its section.
    assert!(!dom.contains("<script"), "a script element appeared in the DOM");
    let failed_row = row(&dom, FAILED_NAME);
    assert!(failed_row.contains("v-failed"), "{failed_row}");
    assert!(failed_row.contains(&dom_text(FAILED_ERROR)), "error shown in the row: {failed_row}");
    // (A real file name holds no `/`: the name splits into a folder `<script>alert(1)<` and a
    // file `script>&"'.mp4`, shown in two spans; the row's text reads as the whole path.)
    assert!(text_of(failed_row).contains(&dom_text(FAILED_NAME)), "{failed_row}");
    let failed_section = section(&dom, FAILED_NAME);
    assert!(failed_section.contains(&dom_text(FAILED_ERROR)));

    // Every analysed entry's row and section say what its report says.
    for e in &page.entries {
        assert_entry_matches(&dom, e);
    }
    let faulty = page.entries[0].report.as_ref().unwrap();
    assert_eq!((faulty.summary.reps_left, faulty.summary.reps_right, faulty.summary.partial_reps), (7, 6, 1));
    assert!(row(&dom, FAULTY_NAME).contains("v-fix"));
    assert!(row(&dom, CLEAN_NAME).contains("v-clean"));
    assert!(
        dom.contains(
            "href=\"videos/Zo%C3%AB/%C3%9Cn%C3%AF c%C3%B6d%C3%A9 %E6%97%A5%E6%9C%AC.mp4.annotated.mp4\""
                .replace(' ', "%20")
                .as_str()
        ) || dom
            .contains("href=\"videos/Zo%C3%AB/%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20%E6%97%A5%E6%9C%AC.mp4.annotated.mp4\""),
        "percent-encoded link to the clean video's annotated file"
    );
    assert!(dom.contains("href=\"videos/ann/week%201/kickbacks.mp4.annotated.mp4\""));
    // The Unicode name is shown as is.
    assert!(section(&dom, CLEAN_NAME).contains("<h2>Zoë/Ünïcödé 日本.mp4</h2>"));

    // Charts: the faulty (side) video shows working leg, trunk and knee; the clean (back) video
    // working leg, trunk and pelvis.
    assert_eq!(dom.matches("<svg class=\"chart\"").count(), 6);
    let fs = section(&dom, FAULTY_NAME);
    assert_eq!(fs.matches("<svg class=\"chart\"").count(), 3);
    assert_eq!(section(&dom, CLEAN_NAME).matches("<svg class=\"chart\"").count(), 3);
    // Every fault's worst moment is marked once, with its check id.
    assert_eq!(dom.matches("class=\"fault-marker\"").count(), faults_total);
    assert_eq!(fs.matches("class=\"fault-marker\" data-check=\"torso_lean_forward\"").count(), 4);
    assert_eq!(fs.matches("class=\"fault-marker\" data-check=\"low_back_arch\"").count(), 1);
    // Reps are shaded (every rep in every chart), partial ones differently.
    let reps_faulty: usize = faulty.sets.iter().map(|s| s.reps.len()).sum();
    assert_eq!(fs.matches("<rect class=\"rep").count(), 3 * reps_faulty);
    assert_eq!(fs.matches("<rect class=\"rep partial\"").count(), 3);
    // The knee signal has an occlusion gap: its line has two pieces.
    let knee = fs.split("data-signal=\"flexion\"").nth(1).expect("knee line");
    let d = &knee[knee.find(" d=\"").unwrap() + 4..];
    let d = &d[..d.find('"').unwrap()];
    assert_eq!(d.matches('M').count(), 2, "gap in the knee line: {d}");

    // Checks: statuses, not-measurable reasons and advice (escaped).
    for c in &faulty.checks {
        assert!(fs.contains(&format!("data-check=\"{}\"", c.check)));
        if let Some(reason) = &c.reason {
            assert!(fs.contains(&dom_text(reason)), "reason {reason:?}");
            assert!(fs.contains(&dom_text(c.advice.as_deref().unwrap())));
        }
    }
    assert_eq!(fs.matches("<tr class=\"nm\"").count(), 5);
    // Per-rep table: one row per rep, fault chips.
    assert_eq!(fs.matches("<tr class=\"rep").count(), reps_faulty);
    assert_eq!(fs.matches("<span class=\"chip\"").count(), faults_total);
    // Keyframe thumbnails, embedded.
    assert_eq!(fs.matches("src=\"data:image/jpeg;base64,").count(), 3);
    // Verdicts read without colour (issue 13): every strip cell shows its status's symbol and
    // has an accessible name saying the check and its status; fault marks carry a cross; each
    // chart has a title and a description in words; the filter checkbox has its label.
    for (class, symbol, word) in [("ok", "✓", "ok"), ("fault", "✕", "fault"), ("nm", "–", "not measurable")] {
        let cells: Vec<&str> = dom
            .split(&format!("<span class=\"cell {class}\" data-check=\""))
            .skip(1)
            .map(|c| &c[..c.find("</span>").unwrap()])
            .collect();
        assert!(!cells.is_empty(), "{class} cells");
        for cell in cells {
            assert!(cell.ends_with(&format!(">{symbol}")), "{class} cell shows {symbol}: {cell}");
            let name = cell.split("aria-label=\"").nth(1).expect("an accessible name");
            assert!(name.contains(&format!(": {word}")) && cell.contains("role=\"img\""), "{cell}");
        }
    }
    assert_eq!(dom.matches("<path class=\"sym\"").count(), faults_total, "a cross per fault mark");
    for chart in dom.split("<svg class=\"chart\"").skip(1) {
        let head = &chart[..chart.find("</desc>").expect("a description")];
        assert!(head.contains("aria-labelledby=\"c") && head.contains("<title id=\"c"), "{head}");
        assert!(head.contains(" over time</title><desc id=\"c") && head.contains(" rep"), "{head}");
    }
    let mut lean: Vec<f64> = faulty
        .sets
        .iter()
        .flat_map(|s| &s.reps)
        .flat_map(|r| &r.faults)
        .filter(|f| f.check == formcheck_core::kickback::TORSO_LEAN_FORWARD)
        .map(|f| f.peak_s)
        .collect();
    lean.sort_by(f64::total_cmp);
    let lean: Vec<String> = lean.iter().map(|t| format!("{t:.1}").trim_end_matches(".0").to_string()).collect();
    let words = format!("Fault torso lean forward at {} s.", lean.join(", "));
    assert!(fs.contains(&words), "the trunk chart's description says {words:?}");
    assert!(dom.contains("<label for=\"only-attn\"><input type=\"checkbox\" id=\"only-attn\">"));
    // Ignored files listed, escaped.
    assert!(dom.contains(&dom_text("ann/notes <b>bold</b>.txt")));

    screenshot(&url, dir.path(), "index.png");
}

/// Screenshots the page at 1280×2000, checks the PNG and keeps a copy under the target tmp dir.
fn screenshot(url: &str, dir: &Path, name: &str) {
    let png = dir.join(name);
    let shot = format!("--screenshot={}", png.display());
    let profile = tempfile::tempdir().unwrap();
    chromium(&[&shot, "--window-size=1280,2000", url], profile.path(), Duration::from_secs(30));
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(bytes.len() > 50_000, "a non-trivial screenshot ({} bytes)", bytes.len());
    let kept = out_dir().join(name);
    std::fs::write(&kept, &bytes).unwrap();
    eprintln!("screenshot: {}", kept.display());
}

/// Two videos whose reports the real engine made from synthetic landmark sequences: a set per
/// leg with a forward lean from the third rep on and a partial rep, filmed from the side
/// (`bob/`; the engine flags the lean), and a clean set filmed from behind (`carla/`), with a
/// keyframe per faulty check.
fn engine_entries() -> Vec<VideoEntry> {
    use formcheck_bench::synth::{generate, Injection, Noise, SynthParams};
    let spec = formcheck_core::spec::ExerciseSpec::cable_medius_kickback().expect("embedded spec");
    let analyse = |p: &SynthParams, path: &str| {
        let seq = generate(p);
        let last = seq.frames.last().expect("frames");
        let input = InputInfo {
            path: path.into(),
            width: last.width,
            height: last.height,
            fps: p.fps,
            duration_s: last.t_s,
            frames_decoded: seq.frames.len() as u64,
            frames_with_pose: seq.frames.iter().filter(|f| f.pose.is_some()).count() as u64,
        };
        (formcheck_core::analyze(&seq.frames, &spec, input), seq)
    };
    let mut faulty = SynthParams::random(11);
    faulty.view = View::SideWorking;
    faulty.side = Side::Left;
    faulty.switch_sides = true;
    faulty.reps = 6;
    faulty.partial_before = Some(3);
    faulty.fps = 30.0;
    faulty.noise = Noise::TYPICAL;
    faulty.faults =
        vec![Injection { check: formcheck_core::kickback::TORSO_LEAN_FORWARD, magnitude: 20.0, from_rep: 2 }];
    let clean = SynthParams::clean(5, View::Back, Side::Right);

    let jpeg = thumb_jpeg();
    let mut entries = Vec::new();
    for (p, path) in [(&faulty, "bob/2026-11-20 kickbacks.mov"), (&clean, "carla/clean set.mp4")] {
        let (report, seq) = analyse(p, path);
        let faults = report.sets.iter().flat_map(|s| &s.reps).any(|r| !r.faults.is_empty());
        assert_eq!(faults, std::ptr::eq(p, &faulty), "{path}: faults only in the faulty set");
        // A keyframe per check at its worst fault, as the batch front-end makes them.
        let mut worst: BTreeMap<CheckId, (f64, f64, u64)> = BTreeMap::new();
        for f in report.sets.iter().flat_map(|s| &s.reps).flat_map(|r| &r.faults) {
            let w = worst.entry(f.check).or_insert((f64::NEG_INFINITY, 0.0, 0));
            if f.magnitude > w.0 {
                *w = (f.magnitude, f.peak_s, f.peak_frame);
            }
        }
        let thumbnails = worst
            .into_iter()
            .map(|(check, (_, t_s, frame))| Thumbnail { check, t_s, frame, jpeg: jpeg.clone() })
            .collect();
        assert!(!seq.frames.is_empty());
        entries.push(VideoEntry {
            rel_path: path.into(),
            status: EntryStatus::Analysed,
            report: Some(report),
            annotated_href: Some(format!("videos/{path}.annotated.mp4")),
            thumbnails,
        });
    }
    entries
}

/// The engine's reports, rendered and checked against what they say.
#[test]
fn engine_reports_render_in_chromium() {
    let page = IndexPage {
        title: "Engine reports".into(),
        generated: "2026-11-21 00:00 UTC".into(),
        entries: engine_entries(),
        ignored_files: vec![],
        skipped_files: vec![],
        progress: Vec::new(),
    };
    let html = render_index(&page);
    let Some(Loaded { dir, url, dom }) = load_in_chromium(&html, "index-engine.html") else { return };
    for e in &page.entries {
        assert_entry_matches(&dom, e);
    }
    assert!(dom.contains("href=\"videos/bob/2026-11-20%20kickbacks.mov.annotated.mp4\""));
    screenshot(&url, dir.path(), "index-engine.png");
}

/// Where one element of an index row was laid out (CSS px, relative to the viewport).
#[derive(Debug)]
struct Placed {
    left: f64,
    right: f64,
    width: f64,
    height: f64,
    /// Its text, whitespace collapsed.
    text: String,
}

impl Placed {
    fn from_json(v: &serde_json::Value) -> Option<Placed> {
        let n = |k: &str| v.get(k).and_then(serde_json::Value::as_f64);
        Some(Placed {
            left: n("left")?,
            right: n("right")?,
            width: n("width")?,
            height: n("height")?,
            text: v.get("text")?.as_str()?.to_string(),
        })
    }

    /// Drawn (non-zero box) and wholly within the viewport's width.
    fn visible_within(&self, width: f64) -> bool {
        self.width > 0.0 && self.height > 0.0 && self.left >= -0.5 && self.right <= width + 0.5
    }
}

/// What the measuring script saw of the page in a viewport.
#[derive(Debug)]
struct Layout {
    inner_width: f64,
    inner_height: f64,
    scroll_width: f64,
    /// Per index row (`tr.entry`, in page order).
    rows: Vec<RowLayout>,
}

/// Where one index row's parts were laid out.
#[derive(Debug)]
struct RowLayout {
    /// The row's id.
    id: String,
    /// The video's path (its link's title).
    path: String,
    /// The row's `display` (`grid` when it is a card).
    display: String,
    /// Its status pill.
    status: Option<Placed>,
    /// Its first fix (or the error, or the positive note).
    fix: Option<Placed>,
}

/// The script of the measuring frame: reads the framed page's geometry once it has loaded and
/// writes it, as JSON, into `#result` (the page itself holds no script; this one runs in the
/// harness around it).
const MEASURE_JS: &str = r#"
window.addEventListener('load', function () {
  var w = document.getElementById('page').contentWindow, d = w.document;
  function place(el) {
    if (!el) return null;
    var r = el.getBoundingClientRect(), cs = w.getComputedStyle(el);
    var shown = cs.visibility !== 'hidden' && cs.display !== 'none';
    return {left: r.left, right: r.right, width: shown ? r.width : 0, height: shown ? r.height : 0,
            text: el.textContent.replace(/\s+/g, ' ').trim()};
  }
  var rows = [];
  d.querySelectorAll('tr.entry').forEach(function (tr) {
    var link = tr.querySelector('td.path a');
    rows.push({id: tr.id, path: link ? link.title : '', display: w.getComputedStyle(tr).display,
               status: place(tr.querySelector('td.status .pill')),
               fix: place(tr.querySelector('td.fixes .cue, td.fixes > .positive, td.fixes > .sub, td.fixes > .error'))});
  });
  document.getElementById('result').textContent = JSON.stringify({
    innerWidth: w.innerWidth, innerHeight: w.innerHeight,
    scrollWidth: d.documentElement.scrollWidth, rows: rows});
});
"#;

/// Lays out the page `file` in `dir` in a `width`×`height` viewport and measures it.
///
/// Headless Chromium will not make a window narrower than 500 px, so the page is loaded in an
/// `<iframe>` of exactly that size (its own viewport: media queries and `innerWidth` follow it)
/// inside a harness page whose script reads the frame's layout; `--allow-file-access-from-files`
/// lets the harness, itself a file, read the framed file's document.
fn layout_at(dir: &Path, file: &str, width: u32, height: u32) -> Layout {
    let harness = dir.join(format!("harness-{file}-{width}x{height}.html"));
    std::fs::write(
        &harness,
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>body{{margin:0}}iframe{{border:0;display:block}}</style></head>\
             <body><iframe id=\"page\" src=\"{file}\" width=\"{width}\" height=\"{height}\"></iframe>\
             <pre id=\"result\"></pre><script>{MEASURE_JS}</script></body></html>"
        ),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", harness.display());
    let dom = chromium(
        &["--allow-file-access-from-files", "--window-size=1500,1000", "--dump-dom", &url],
        profile.path(),
        Duration::from_secs(30),
    );
    let json = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or_else(|| panic!("no result in the harness DOM at {width}×{height}:\n{dom}"));
    // The serialiser escaped the text; undo it (`&amp;` last).
    let json = json.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u{a0}").replace("&amp;", "&");
    let v: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("bad measurement at {width}×{height}: {e}\n{json}"));
    let n = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} in {json}"));
    let rows = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            RowLayout {
                id: text("id"),
                path: text("path"),
                display: text("display"),
                status: Placed::from_json(&r["status"]),
                fix: Placed::from_json(&r["fix"]),
            }
        })
        .collect();
    Layout { inner_width: n("innerWidth"), inner_height: n("innerHeight"), scroll_width: n("scrollWidth"), rows }
}

/// Pages of a PDF: its page objects (`/Type /Page`, not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let key = b"/Type /Page";
    pdf.windows(key.len() + 1).filter(|w| w.starts_with(key) && !w[key.len()].is_ascii_alphanumeric()).count()
}

/// A batch of five videos: the three of [`page`] (faults and keyframes, a failure with a hostile
/// name, a clean set) and the engine's two of [`engine_entries`], from four clients.
fn five_video_page() -> IndexPage {
    let (mut page, _) = page();
    page.entries.extend(engine_entries());
    assert_eq!(page.entries.len(), 5);
    page
}

/// What a video's row shows first in its "fix first" cell: the first fix, the error, or the
/// positive note.
fn first_fix(e: &VideoEntry) -> String {
    match (&e.status, &e.report) {
        (EntryStatus::Failed { error }, _) => error.clone(),
        (_, Some(r)) if !r.summary.top_fixes.is_empty() => r.summary.top_fixes[0].cue.clone(),
        (_, Some(r)) => r.summary.positive.clone().unwrap_or_else(|| "No faults found.".into()),
        (_, None) => "no report".into(),
    }
}

/// The viewports of issue 13 (phone, tablet, desktop) and the smallest phone, with whether the
/// index shows as cards there.
const VIEWPORTS: [(u32, u32, bool); 4] = [(360, 740, true), (390, 844, true), (820, 1180, true), (1440, 900, false)];

/// Issue 13: a five-video batch on a phone, a tablet and a desktop (no horizontal overflow;
/// every video's status and first fix on screen, screenshots kept), and on paper.
#[test]
fn index_page_fits_phone_tablet_desktop_and_prints() {
    let page = five_video_page();
    let html = render_index(&page);
    let Some(Loaded { dir, url, .. }) = load_in_chromium(&html, "index-layout.html") else { return };
    for (width, height, card) in VIEWPORTS {
        let at = format!("{width}×{height}");
        let l = layout_at(dir.path(), "index.html", width, height);
        assert_eq!((l.inner_width, l.inner_height), (f64::from(width), f64::from(height)), "viewport at {at}");
        assert!(l.scroll_width <= l.inner_width, "horizontal overflow at {at}: scrollWidth {}", l.scroll_width);
        assert_eq!(l.rows.len(), page.entries.len(), "a row per video at {at}");
        for row in &l.rows {
            let e = page.entries.iter().find(|e| e.rel_path == row.path).unwrap_or_else(|| panic!("{row:?}"));
            let rel_path = &e.rel_path;
            assert_eq!(row.display == "grid", card, "{} ({rel_path}) laid out as a card: {card} at {at}", row.id);
            let status = row.status.as_ref().unwrap_or_else(|| panic!("no status for {rel_path} at {at}"));
            assert!(status.visible_within(l.inner_width), "status of {rel_path} at {at}: {status:?}");
            assert!(!status.text.is_empty());
            let fix = row.fix.as_ref().unwrap_or_else(|| panic!("no first fix for {rel_path} at {at}"));
            assert!(fix.visible_within(l.inner_width), "first fix of {rel_path} at {at}: {fix:?}");
            assert_eq!(fix.text, first_fix(e), "{rel_path} at {at}");
        }
        eprintln!("layout {at}: scrollWidth {} ≤ innerWidth {}", l.scroll_width, l.inner_width);
        viewport_screenshot(&url, width, height, &format!("index-{width}x{height}.png"));
    }

    // On paper: the index on at most two pages, then each video from the top of a page, and
    // this page's videos each fit on one.
    let pdf = print_pdf(&url, "index.pdf");
    let (pages, videos) = (pdf_pages(&pdf), page.entries.len());
    eprintln!("print: {pages} pages for {videos} videos");
    assert!(pages > videos, "each video's section starts its own page after the index: {pages} pages");
    assert!(pages <= 2 + videos, "{pages} pages for {videos} videos");

    // One video targeted (its link in the index leaves `#vN` in the address): the print is that
    // video alone, on one page, for each of the five (the largest: 14 reps, faults, keyframes).
    for n in 1..=videos {
        let pdf = print_pdf(&format!("{url}#v{n}"), &format!("index-v{n}.pdf"));
        assert_eq!(pdf_pages(&pdf), 1, "the one-page hand-out of video {n}");
    }
}

/// Prints `url` to PDF in Chromium; keeps a copy named `name` under the target tmp dir.
fn print_pdf(url: &str, name: &str) -> Vec<u8> {
    let profile = tempfile::tempdir().unwrap();
    let pdf = profile.path().join("out.pdf");
    let print = format!("--print-to-pdf={}", pdf.display());
    chromium(&["--no-pdf-header-footer", &print, url], profile.path(), Duration::from_secs(30));
    let bytes = std::fs::read(&pdf).expect("PDF written");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    std::fs::write(out_dir().join(name), &bytes).unwrap();
    bytes
}

/// Screenshots the top of `url` in a `width`×`height` window, kept under the target tmp dir as
/// `name` (the README's pictures are these).
fn viewport_screenshot(url: &str, width: u32, height: u32, name: &str) {
    let profile = tempfile::tempdir().unwrap();
    let png = out_dir().join(name);
    let shot = format!("--screenshot={}", png.display());
    let size = format!("--window-size={width},{height}");
    chromium(&[&shot, &size, url], profile.path(), Duration::from_secs(30));
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let dims =
        (u32::from_be_bytes(bytes[16..20].try_into().unwrap()), u32::from_be_bytes(bytes[20..24].try_into().unwrap()));
    assert_eq!(dims, (width, height), "{name} is the viewport's size");
}

/// Writes the first engine video's report as a batch leaves it (`NAME.report.json` beside
/// `NAME.assets.json` and its keyframes) into `dir`, and makes its hand-out `handout.html` there
/// with the real `formcheck report`. Returns the entry it was made from.
fn handout_in(dir: &Path) -> VideoEntry {
    let entry = engine_entries().swap_remove(0);
    let report = entry.report.as_ref().expect("a report");
    let path = dir.join("kickbacks.mov.report.json");
    std::fs::write(&path, report.to_json().unwrap()).unwrap();
    let mut thumbnails = Vec::new();
    for (i, th) in entry.thumbnails.iter().enumerate() {
        let file = format!("kickbacks.mov.thumb-{i}.jpg");
        std::fs::write(dir.join(&file), &th.jpeg).unwrap();
        thumbnails
            .push(serde_json::json!({"check": th.check.as_str(), "t_s": th.t_s, "frame": th.frame, "file": file}));
    }
    let assets = serde_json::json!({ "thumbnails": thumbnails });
    std::fs::write(dir.join("kickbacks.mov.assets.json"), assets.to_string()).unwrap();
    let run = common::formcheck()
        .arg("report")
        .arg(&path)
        .arg("--html")
        .arg(dir.join("handout.html"))
        .args(["--client", "Bob"])
        .output()
        .expect("formcheck runs");
    assert!(run.status.success(), "{}", common::text(&run));
    entry
}

/// `formcheck report --html`'s page in the browser: what the report says, the keyframes, no
/// horizontal overflow from a phone to a desktop, and one printed page.
#[test]
fn report_hand_out_fits_and_prints_on_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let entry = handout_in(dir.path());
    if !Path::new(CHROMIUM).exists() {
        common::skip_or_fail(&format!("{CHROMIUM} not found: the hand-out in the browser"));
        return;
    }
    let url = format!("file://{}", dir.path().join("handout.html").display());
    let profile = tempfile::tempdir().unwrap();
    let dom = chromium(&["--dump-dom", &url], profile.path(), Duration::from_secs(30));
    assert!(dom.contains("<h1>Bob — 2026-11-20 kickbacks.mov</h1>"), "the client and the video head the page");
    assert_eq!(dom.matches("<section class=\"video").count(), 1);
    assert_entry_matches_section(&dom, &entry);
    assert_eq!(dom.matches("src=\"data:image/jpeg;base64,").count(), entry.thumbnails.len(), "keyframes");
    assert!(!entry.thumbnails.is_empty());
    for (width, height, _) in VIEWPORTS {
        let l = layout_at(dir.path(), "handout.html", width, height);
        assert!(l.scroll_width <= l.inner_width, "overflow at {width}×{height}: {}", l.scroll_width);
        eprintln!("hand-out {width}×{height}: scrollWidth {} ≤ innerWidth {}", l.scroll_width, l.inner_width);
    }
    viewport_screenshot(&url, 390, 844, "handout-390x844.png");
    let pdf = print_pdf(&url, "handout.pdf");
    assert_eq!(pdf_pages(&pdf), 1, "the hand-out prints on one page");
}

/// The section of an entry against its report (as [`assert_entry_matches`] does on the batch
/// page, without the index row a hand-out does not have).
fn assert_entry_matches_section(dom: &str, e: &VideoEntry) {
    let r = e.report.as_ref().expect("a report");
    let sec = section(dom, &e.rel_path);
    let s = &r.summary;
    for (value, label) in [(s.reps_left, "left leg"), (s.reps_right, "right leg"), (s.partial_reps, "partial")] {
        assert!(sec.contains(&format!("<b>{value}</b><span>{label}</span>")), "{label}: {value}");
    }
    for fix in &s.top_fixes {
        assert!(sec.contains(&dom_text(&fix.cue)), "fix {:?}", fix.cue);
    }
    let faults = r.sets.iter().flat_map(|s| &s.reps).flat_map(|r| &r.faults).count();
    assert_eq!(sec.matches("class=\"fault-marker\"").count(), faults, "every fault marked");
    assert_eq!(sec.matches("<tr class=\"rep").count(), r.sets.iter().map(|s| s.reps.len()).sum::<usize>());
}

/// Where the npm packages axe-core and puppeteer-core are: `FORMCHECK_NODE_DIR`'s `node_modules`, else where
/// `scripts/setup.sh` installs them.
fn node_modules() -> PathBuf {
    if let Some(dir) = std::env::var_os("FORMCHECK_NODE_DIR") {
        return PathBuf::from(dir).join("node_modules");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    home.join(".cache/formcheck/node-a11y/node_modules")
}

/// Why the accessibility check cannot run here, if it cannot.
fn axe_missing(modules: &Path) -> Option<String> {
    let node = Command::new("node").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !node.is_ok_and(|s| s.success()) {
        return Some("node not found (scripts/setup.sh installs the Debian package nodejs)".into());
    }
    for package in ["axe-core", "puppeteer-core"] {
        if !modules.join(package).join("package.json").is_file() {
            return Some(format!("the npm package {package} is not in {} (run scripts/setup.sh)", modules.display()));
        }
    }
    (!Path::new(CHROMIUM).exists()).then(|| format!("{CHROMIUM} not found"))
}

/// Issue 13's accessibility check: axe-core, in Chromium, on a five-video batch page and on a
/// hand-out, each on a phone and on a desktop; any serious or critical violation fails. A page
/// with known faults goes through the same run, and must be caught (the check is not blind).
#[test]
fn pages_have_no_serious_accessibility_violation() {
    let modules = node_modules();
    if let Some(why) = axe_missing(&modules) {
        common::skip_or_fail(&format!("the accessibility check: {why}"));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), render_index(&five_video_page())).unwrap();
    handout_in(dir.path());
    // An unlabelled checkbox and grey on grey: axe must call both serious.
    let faulty = "<!DOCTYPE html><html lang=\"en\"><head><title>Known faults</title></head><body><main>\
                  <input type=\"checkbox\"><p style=\"color:#aaa;background:#bbb\">hard to read</p></main></body></html>";
    std::fs::write(dir.path().join("faulty.html"), faulty).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/a11y/axe.js");
    let mut args = vec![CHROMIUM.to_string()];
    for page in ["index.html", "handout.html"] {
        for size in ["390x844", "1440x900"] {
            args.push(format!("file://{}", dir.path().join(page).display()));
            args.push(size.to_string());
        }
    }
    args.push(format!("file://{}", dir.path().join("faulty.html").display()));
    args.push("390x844".into());
    let mut cmd = Command::new("node");
    cmd.arg(&script).args(&args).env("NODE_PATH", &modules);
    let out = run_limited(cmd, Duration::from_secs(120));
    assert!(out.0.success(), "axe.js failed: {}\n{}", out.0, out.2);
    let v: serde_json::Value = serde_json::from_str(&out.1).unwrap_or_else(|e| panic!("axe.js said {e}: {}", out.1));
    let pages = v["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 5, "every page and size was checked");
    let caught: Vec<&str> = pages[4]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
        .filter_map(|v| v["id"].as_str())
        .collect();
    assert!(caught.contains(&"label") && caught.contains(&"color-contrast"), "the known faults: {caught:?}");
    let mut serious = Vec::new();
    for page in &pages[..4] {
        let at = format!("{} at {}", page["url"].as_str().unwrap_or("?"), page["size"].as_str().unwrap_or("?"));
        assert!(page["passes"].as_u64().unwrap_or(0) > 10, "axe's rules ran on {at}");
        for violation in page["violations"].as_array().expect("violations") {
            let impact = violation["impact"].as_str().unwrap_or("?");
            let line = format!(
                "{impact} {} on {at}: {} ({} elements) {}",
                violation["id"], violation["help"], violation["count"], violation["nodes"]
            );
            eprintln!("axe: {line}");
            if matches!(impact, "serious" | "critical") {
                serious.push(line);
            }
        }
    }
    eprintln!("axe {}: {} pages checked", v["axe"], pages.len());
    assert!(serious.is_empty(), "serious or critical accessibility violations:\n{}", serious.join("\n"));
}

/// Runs `cmd` with its output captured and a hard time limit: (status, stdout, stderr).
fn run_limited(mut cmd: Command, limit: Duration) -> (std::process::ExitStatus, String, String) {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {cmd:?}: {e}"));
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} took over {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status, stdout.join().unwrap(), stderr.join().unwrap())
}

/// One person's sessions as the history holds them: `n` sessions a week apart, from behind, the
/// pelvis hike shrinking and the top pause growing (reps of both legs).
fn progressing_sessions(n: usize) -> Vec<formcheck::history::SessionRow> {
    use formcheck::history::{RepRow, SessionRow};
    (0..n)
        .map(|k| {
            let reps = (0..8)
                .map(|r| RepRow {
                    side: if r % 2 == 0 { "left" } else { "right" }.into(),
                    top_pause_s: 0.4 + 0.2 * k as f64 + 0.02 * r as f64,
                    return_s: 1.0 + 0.05 * r as f64,
                    metrics: vec![
                        ("pelvis_hike_change_deg".into(), Some(12.0 - 3.0 * k as f64 + 0.3 * r as f64)),
                        ("trunk_away_change_deg".into(), Some(2.0 + 0.1 * r as f64)),
                    ],
                    faults: if k == 0 { vec!["pelvis_hike".into()] } else { vec![] },
                })
                .collect();
            SessionRow {
                person: "ann".into(),
                exercise: "cable-medius-kickback".into(),
                filmed_at: 1_790_000_000 + 7 * 86_400 * k as i64,
                filmed_from: "container".into(),
                input_sha256: format!("{k:064}"),
                input_path: format!("ann/week {}.mp4", k + 1),
                report_path: None,
                reps_left: 4,
                reps_right: 4,
                view: Some("back".into()),
                unmeasurable: vec![],
                reps,
            }
        })
        .collect()
}

/// Issue 11: the batch page's progress section, per person: a table of sessions and a chart per
/// check (left and right legs told apart by shape, not only colour), with the verdict in words;
/// it fits a phone and a desktop (screenshots kept for the README).
#[test]
fn progress_section_fits_and_says_what_changed() {
    let spec = ExerciseSpec::cable_medius_kickback().unwrap();
    let history = formcheck::history::PersonHistory::new("ann", &spec, &progressing_sessions(3));
    let hike = history.trends.iter().find(|t| t.name == "pelvis_hike").unwrap();
    assert_eq!(hike.verdict, formcheck::history::trend::Verdict::Better, "{hike:?}");
    let mut page = five_video_page();
    page.entries.truncate(2);
    page.progress = vec![history.clone()];
    let html = render_index(&page);
    let Some(Loaded { dir, url: _, dom }) = load_in_chromium(&html, "index-progress.html") else { return };
    assert!(dom.contains("Progress across sessions") && dom.contains("ann/week 3.mp4"), "the section and its sessions");
    assert!(dom.contains("Pelvis hike per session (deg)"), "each chart has a title");
    assert!(dom.contains("Latest session: better."), "and says in words what changed");
    assert!(dom.contains("<circle") && dom.contains("<rect x="), "left and right legs differ by marker shape");
    // `formcheck history --html`'s page holds the same section alone.
    let alone = formcheck::html::render_progress_page("formcheck — ann", &[history]);
    std::fs::write(dir.path().join("progress.html"), &alone).unwrap();
    for (width, height) in [(390, 844), (1440, 900)] {
        for file in ["index.html", "progress.html"] {
            let l = layout_at(dir.path(), file, width, height);
            assert!(l.scroll_width <= l.inner_width, "overflow of {file} at {width}: scrollWidth {}", l.scroll_width);
        }
        let url = format!("file://{}", dir.path().join("progress.html").display());
        viewport_screenshot(&url, width, height, &format!("progress-{width}x{height}.png"));
    }
}
