//! Live coaching against the offline report, on every clip of the corpus (the shared samples,
//! their second seed and the rendered clips), replayed from its recorded landmarks frame by
//! frame as `formcheck live` would see them at 30 fps: the event stream is measured against
//! `analyze` of the same frames (issue 10's "done when").

mod common;

use formcheck::live::{Coach, CueKind, LiveOutput};
use formcheck_bench::corpus::Corpus;
use formcheck_core::landmarks::PoseFrame;
use formcheck_core::report::{InputInfo, RepReport, Report};
use formcheck_core::spec::{CheckId, ExerciseSpec};
use formcheck_core::{analyze, StreamingAnalyzer};
use std::collections::BTreeSet;

/// What one replayed clip gave.
struct Replay {
    name: String,
    outputs: Vec<LiveOutput>,
    live: Report,
    offline: Report,
}

/// Every corpus clip replayed, once for all the tests here.
fn replay_all() -> &'static [Replay] {
    static ALL: std::sync::OnceLock<Vec<Replay>> = std::sync::OnceLock::new();
    ALL.get_or_init(replay_each)
}

fn replay_each() -> Vec<Replay> {
    let corpus = Corpus::open(&common::root().join("corpus")).expect("corpus/manifest.jsonl is committed");
    let spec = ExerciseSpec::cable_medius_kickback().unwrap();
    corpus
        .select(None, std::env::var("LIVE_ONLY").ok().as_deref())
        .into_iter()
        .map(|clip| {
            let frames = corpus.landmarks(clip).expect("cached landmarks read");
            let (outputs, live) = replay(&frames, &spec);
            Replay { name: clip.name.clone(), outputs, live, offline: analyze(&frames, &spec, InputInfo::default()) }
        })
        .collect()
}

/// Plays `frames` through a live coach with the default cooldown.
fn replay(frames: &[PoseFrame], spec: &ExerciseSpec) -> (Vec<LiveOutput>, Report) {
    let mut coach = Coach::new(spec, formcheck::live::LiveOptions::default().cue_cooldown_s);
    let mut outputs = Vec::new();
    for f in frames {
        coach.push(f, &mut |o| outputs.push(o.clone()));
    }
    (outputs, coach.finish(InputInfo::default()).0)
}

/// The offline rep a live event names.
fn offline_rep(report: &Report, set: usize, rep: usize) -> Option<&RepReport> {
    report.sets.get(set.checked_sub(1)?)?.reps.get(rep.checked_sub(1)?)
}

/// A rep as the live stream names it: (withdrawals before it, set, index).
type RepKey = (usize, usize, usize);

/// The fix cues and counted reps of a live event stream, and the reps it withdrew.
struct Stream {
    fixes: Vec<(RepKey, CheckId, f64)>,
    reps: Vec<(RepKey, f64, bool)>,
    withdrawn: BTreeSet<RepKey>,
}

/// Reads a live event stream; a withdrawn rep's set number is taken by the next set, hence the
/// count of withdrawals in each key.
fn read_stream(outputs: &[LiveOutput]) -> Stream {
    let mut s = Stream { fixes: Vec::new(), reps: Vec::new(), withdrawn: BTreeSet::new() };
    for out in outputs {
        let gen = s.withdrawn.len();
        match out {
            LiveOutput::Cue(cue) if cue.kind == CueKind::Fix => {
                let (Some(check), Some(set), Some(rep)) = (cue.check, cue.set, cue.rep) else {
                    panic!("fix cue without check/set/rep: {cue:?}");
                };
                s.fixes.push(((gen, set, rep), check, cue.t_s));
            }
            LiveOutput::Rep { t_s, set, rep, partial, .. } => s.reps.push(((gen, *set, *rep), *t_s, *partial)),
            LiveOutput::RepWithdrawn { set, rep, .. } => {
                s.withdrawn.insert((gen, *set, *rep));
            }
            _ => {}
        }
    }
    s
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

#[test]
fn live_cues_and_counts_agree_with_the_offline_report_in_time() {
    let replays = replay_all();
    let mut problems = Vec::new();
    let (mut cue_delays, mut count_delays) = (Vec::new(), Vec::new());
    let mut withdrawn = 0;
    for r in replays {
        if std::env::var("LIVE_DEBUG").is_ok_and(|d| r.name.contains(&d)) {
            for o in &r.outputs {
                eprintln!("{}", serde_json::to_string(o).unwrap());
            }
            for s in &r.offline.sets {
                for rep in &s.reps {
                    let f: Vec<_> = rep.faults.iter().map(|f| f.check.as_str()).collect();
                    eprintln!(
                        "offline set {} {:?} rep {} {:.2} {:.2} {:.2} partial {} {f:?}",
                        s.index, s.side, rep.index, rep.start_s, rep.peak_s, rep.end_s, rep.partial
                    );
                }
            }
        }
        let stream = read_stream(&r.outputs);
        let mut cued: BTreeSet<CheckId> = BTreeSet::new();
        for (key, check, t) in &stream.fixes {
            cued.insert(*check);
            let (_, set, rep) = *key;
            if stream.withdrawn.contains(key) {
                problems.push(format!("{}: cue {check} on set {set} rep {rep}, a rep withdrawn later", r.name));
                continue;
            }
            match offline_rep(&r.offline, set, rep) {
                Some(o) if o.faults.iter().any(|f| f.check == *check) => {
                    if t - o.peak_s > 1.5 {
                        problems.push(format!("{}: cue {check} on set {set} rep {rep} {:.2} s after its peak", r.name, t - o.peak_s));
                    }
                    cue_delays.push(t - o.peak_s);
                }
                _ => problems.push(format!("{}: cue {check} on set {set} rep {rep}: not in the report", r.name)),
            }
        }
        let mut counted = 0;
        for (key, t, partial) in stream.reps.iter().filter(|(k, ..)| !stream.withdrawn.contains(k)) {
            let (_, set, rep) = *key;
            match offline_rep(&r.offline, set, rep) {
                Some(o) if o.partial == *partial => {
                    counted += usize::from(!partial);
                    if t - o.end_s > 0.5 {
                        problems.push(format!("{}: rep {rep} of set {set} counted {:.2} s after its end", r.name, t - o.end_s));
                    }
                    count_delays.push(t - o.end_s);
                }
                _ => problems.push(format!("{}: rep {rep} of set {set} (partial {partial}) not in the report", r.name)),
            }
        }
        withdrawn += stream.withdrawn.len();
        let faulted: BTreeSet<CheckId> =
            r.offline.sets.iter().flat_map(|s| &s.reps).flat_map(|rep| rep.faults.iter().map(|f| f.check)).collect();
        for missed in faulted.difference(&cued) {
            problems.push(format!("{}: {missed} faulted offline, never cued", r.name));
        }
        if counted != r.offline.rep_count() {
            problems.push(format!("{}: {counted} reps counted live, {} offline", r.name, r.offline.rep_count()));
        }
    }
    let worst = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    eprintln!(
        "{} clips: {} fix cues, delay after the rep's peak median {:.2} s, max {:.2} s; {} reps counted, \
         after the rep's end median {:.2} s, max {:.2} s; {withdrawn} withdrawn",
        replays.len(),
        cue_delays.len(),
        median(cue_delays.clone()),
        worst(&cue_delays),
        count_delays.len(),
        median(count_delays.clone()),
        worst(&count_delays),
    );
    for p in &problems {
        eprintln!("  {p}");
    }
    assert!(problems.is_empty(), "{} problems (above)", problems.len());
    assert!(!cue_delays.is_empty() && !count_delays.is_empty());
    assert!(worst(&cue_delays) <= 1.5, "a fix cue came {:.2} s after its rep's peak", worst(&cue_delays));
    assert!(median(cue_delays) <= 0.8);
    assert!(worst(&count_delays) <= 0.5, "a rep was counted {:.2} s after its end", worst(&count_delays));
}

#[test]
fn a_short_session_reports_exactly_what_analyze_does() {
    for r in replay_all() {
        assert_eq!(r.live, r.offline, "{}", r.name);
    }
}

#[test]
fn a_long_session_is_analysed_stretch_by_stretch() {
    // Two clips one after the other, the stretch closed in between: the report is the two
    // stretches' reports joined (sets of one leg running on, reps renumbered, counts summed).
    let corpus = Corpus::open(&common::root().join("corpus")).unwrap();
    let spec = ExerciseSpec::cable_medius_kickback().unwrap();
    let clip = |name: &str| corpus.landmarks(corpus.select(None, Some(name))[0]).unwrap();
    let (a, b) = (clip("shared_samples_05_forward_lean"), clip("shared_samples_08_pelvic_hike"));
    let shift = a.last().unwrap().t_s + 1.0 / 30.0;
    let n = a.len() as u64;
    let b: Vec<PoseFrame> = b.into_iter().map(|f| PoseFrame { index: f.index + n, t_s: f.t_s + shift, ..f }).collect();
    let mut live = StreamingAnalyzer::new(spec.clone()).with_chunk_s(12.0);
    for f in a.iter().chain(&b) {
        live.push(f);
    }
    assert!(live.frames_held() < b.len() + 12 * 30 + 1, "held {}", live.frames_held());
    let report = live.finish(InputInfo::default());
    let (ra, rb) = (analyze(&a, &spec, InputInfo::default()), analyze(&b, &spec, InputInfo::default()));
    assert_eq!(report.rep_count(), ra.rep_count() + rb.rep_count());
    let faults = |r: &Report| -> Vec<Vec<CheckId>> {
        r.sets.iter().flat_map(|s| &s.reps).map(|rep| rep.faults.iter().map(|f| f.check).collect()).collect()
    };
    assert_eq!(faults(&report), [faults(&ra), faults(&rb)].concat());
    assert_eq!(report.diagnostics.frames, a.len() + b.len());
    for c in &report.checks {
        let part = |r: &Report| r.checks.iter().find(|x| x.check == c.check).map_or(0, |x| x.reps_with_fault);
        assert_eq!(c.reps_with_fault, part(&ra) + part(&rb), "{}", c.check);
    }
}
