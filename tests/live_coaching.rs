//! Live coaching against the offline report, on every clip of the corpus (the shared samples,
//! their second seed and the rendered clips), replayed from its recorded landmarks frame by
//! frame as `formcheck live` would see them at 30 fps: the event stream is measured against
//! `analyze` of the same frames (issue 10's "done when").

mod common;

use formcheck::live::{Coach, CueKind, LiveOutput};
use formcheck_bench::corpus::Corpus;
use formcheck_bench::eval::sample_label_check;
use formcheck_bench::truth::GroundTruth;
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
    /// The renderer's ground truth of the clip.
    truth: GroundTruth,
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
        .filter(|clip| in_fixed_slice(&clip.name))
        .map(|clip| {
            let frames = corpus.landmarks(clip).expect("cached landmarks read");
            let (outputs, live) = replay(&frames, &spec);
            let truth = corpus.truth(clip).expect("ground truth read");
            Replay {
                name: clip.name.clone(),
                outputs,
                live,
                offline: analyze(&frames, &spec, InputInfo::default()),
                truth,
            }
        })
        .collect()
}

/// The corpus grows; the bounds below were measured on a fixed slice of it: the shared samples and
/// seed-8 renders, and our renders of the design seeds up to 1039 that existed then (all but
/// 1003-1005, 1013-1015 and 1032-1035, rendered later). `LIVE_ALL=1` takes the whole corpus (the
/// bounds do not hold there: it is for measuring a change beyond the slice).
fn in_fixed_slice(name: &str) -> bool {
    if std::env::var_os("LIVE_ALL").is_some() {
        return true;
    }
    match name.strip_prefix('c').and_then(|rest| rest.get(..5)).and_then(|seed| seed.parse::<u32>().ok()) {
        Some(seed) => {
            let later = (1003..=1005).contains(&seed) || (1013..=1015).contains(&seed) || (1032..=1035).contains(&seed);
            seed <= 1039 && !later
        }
        None => true,
    }
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
    /// Each counted rep's start and end (s).
    spans: Vec<(RepKey, f64, f64)>,
    withdrawn: BTreeSet<RepKey>,
}

/// Reads a live event stream; a withdrawn rep's set number is taken by the next set, hence the
/// count of withdrawals in each key.
fn read_stream(outputs: &[LiveOutput]) -> Stream {
    let mut s = Stream { fixes: Vec::new(), reps: Vec::new(), spans: Vec::new(), withdrawn: BTreeSet::new() };
    for out in outputs {
        let gen = s.withdrawn.len();
        match out {
            LiveOutput::Cue(cue) if cue.kind == CueKind::Fix => {
                let (Some(check), Some(set), Some(rep)) = (cue.check, cue.set, cue.rep) else {
                    panic!("fix cue without check/set/rep: {cue:?}");
                };
                s.fixes.push(((gen, set, rep), check, cue.t_s));
            }
            LiveOutput::Rep { t_s, set, rep, partial, start_s, end_s, .. } => {
                s.reps.push(((gen, *set, *rep), *t_s, *partial));
                s.spans.push(((gen, *set, *rep), *start_s, *end_s));
            }
            LiveOutput::RepWithdrawn { set, rep, .. } => {
                s.withdrawn.insert((gen, *set, *rep));
            }
            _ => {}
        }
    }
    s
}

/// Whether the renders' labels have `check`'s fault on the true rep that the live rep `key`
/// overlaps most (by more than half of it).
fn truly_faulted(r: &Replay, stream: &Stream, key: &RepKey, check: CheckId) -> bool {
    let Some(&(_, start, end)) = stream.spans.iter().find(|(k, ..)| k == key) else { return false };
    let fps = r.truth.fps;
    let overlap =
        |t: &formcheck_bench::truth::TruthRep| (end.min(t.end as f64 / fps) - start.max(t.start as f64 / fps)).max(0.0);
    r.truth
        .reps
        .iter()
        .max_by(|a, b| overlap(a).total_cmp(&overlap(b)))
        .filter(|t| overlap(t) > 0.5 * (end - start))
        .is_some_and(|t| t.labels.iter().any(|(name, l)| l.present && sample_label_check(name) == Some(check)))
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Issue 10's figures over the corpus, and every case that misses one.
#[derive(Default)]
struct Tally {
    /// Fix cues naming a fault the offline report has for that rep: delay after its peak (s).
    cue_delays: Vec<f64>,
    /// Reps counted live that the report has: delay after their end (s).
    count_delays: Vec<f64>,
    /// Fix cues about a rep that neither the report nor the renders' labels have with that fault.
    false_cues: Vec<String>,
    /// Fix cues the report does not back but the labels do (the live reading was right).
    truth_backed: Vec<String>,
    /// (clip, check) faulted offline and never cued live, and how many such pairs there are.
    missed: Vec<String>,
    faulted_pairs: usize,
    /// Live reps the report does not have, or reps of the report never counted live.
    rep_mismatches: Vec<String>,
    withdrawn: usize,
    /// Fix cues over 1.5 s after their rep's peak, reps counted over 0.5 s after their end.
    late: Vec<String>,
}

impl Tally {
    fn add(&mut self, r: &Replay) {
        let stream = read_stream(&r.outputs);
        let mut cued: BTreeSet<CheckId> = BTreeSet::new();
        for (key, check, t) in &stream.fixes {
            cued.insert(*check);
            let (_, set, rep) = *key;
            match offline_rep(&r.offline, set, rep) {
                Some(o) if !stream.withdrawn.contains(key) && o.faults.iter().any(|f| f.check == *check) => {
                    if t - o.peak_s > 1.5 {
                        self.late.push(format!(
                            "{}: {check} on set {set} rep {rep}, {:.2} s after",
                            r.name,
                            t - o.peak_s
                        ));
                    }
                    self.cue_delays.push(t - o.peak_s);
                }
                _ if truly_faulted(r, &stream, key, *check) => {
                    self.truth_backed.push(format!("{}: {check} on set {set} rep {rep}", r.name))
                }
                _ => self.false_cues.push(format!("{}: {check} on set {set} rep {rep}", r.name)),
            }
        }
        let mut counted = 0;
        for (key, t, partial) in stream.reps.iter().filter(|(k, ..)| !stream.withdrawn.contains(k)) {
            let (_, set, rep) = *key;
            match offline_rep(&r.offline, set, rep) {
                Some(o) if o.partial == *partial => {
                    counted += usize::from(!partial);
                    if t - o.end_s > 0.5 {
                        self.late.push(format!(
                            "{}: rep {rep} of set {set} counted {:.2} s after its end",
                            r.name,
                            t - o.end_s
                        ));
                    }
                    self.count_delays.push(t - o.end_s);
                }
                _ => self.rep_mismatches.push(format!("{}: live rep {rep} of set {set} not in the report", r.name)),
            }
        }
        if counted != r.offline.rep_count() {
            self.rep_mismatches.push(format!(
                "{}: {counted} reps counted live, {} offline",
                r.name,
                r.offline.rep_count()
            ));
        }
        let faulted: BTreeSet<CheckId> =
            r.offline.sets.iter().flat_map(|s| &s.reps).flat_map(|rep| rep.faults.iter().map(|f| f.check)).collect();
        self.faulted_pairs += faulted.len();
        self.missed.extend(faulted.difference(&cued).map(|c| format!("{}: {c}", r.name)));
        self.withdrawn += stream.withdrawn.len();
    }

    fn print(&self, clips: usize) {
        let late = |v: &[f64], limit: f64| v.iter().filter(|d| **d > limit).count();
        eprintln!(
            "{clips} clips: {} fix cues agreeing with the report, {} not but with the renders' labels, {} with \
             neither; delay after the rep's peak median {:.2} s, max {:.2} s, {} over 1.5 s",
            self.cue_delays.len(),
            self.truth_backed.len(),
            self.false_cues.len(),
            median(&self.cue_delays),
            worst(&self.cue_delays),
            late(&self.cue_delays, 1.5),
        );
        eprintln!(
            "{} reps counted, after the rep's end median {:.2} s, max {:.2} s, {} over 0.5 s; {} withdrawn; \
             {} rep mismatches; {} of {} faulted (clip, check) pairs never cued",
            self.count_delays.len(),
            median(&self.count_delays),
            worst(&self.count_delays),
            late(&self.count_delays, 0.5),
            self.withdrawn,
            self.rep_mismatches.len(),
            self.missed.len(),
            self.faulted_pairs,
        );
        for (what, list) in [
            ("false cue", &self.false_cues),
            ("true, not in the report", &self.truth_backed),
            ("missed", &self.missed),
            ("reps", &self.rep_mismatches),
            ("late", &self.late),
        ] {
            for case in list {
                eprintln!("  {what}: {case}");
            }
        }
    }
}

fn worst(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

#[test]
fn live_cues_and_counts_agree_with_the_offline_report_in_time() {
    let replays = replay_all();
    let mut tally = Tally::default();
    for r in replays {
        if std::env::var("LIVE_DEBUG").is_ok_and(|d| r.name.contains(&d)) {
            debug_print(r);
        }
        tally.add(r);
    }
    tally.print(replays.len());
    let t = &tally;
    // Issue 10's targets are: no false cue, every faulted check cued, every fix cue within 1.5 s
    // of its rep's peak (median 0.8 s), every rep counted within 0.5 s of its end. The bounds
    // below hold what was measured on the fixed slice (62 clips, after the side-switch and cut
    // handling of the segmentation and the calibration refitted with clean ceilings on 56 clips:
    // 20 agreeing fix cues and none that the report does not back (the four there were are gone
    // since sizes no body shows are failed readings, and a view whose reading hardly follows a
    // fault never calls it), median 0.70 s, none over 1.5 s; 5 of 20 faulted pairs never cued;
    // 229 reps, median 0.33 s, 19 over 0.5 s; 4 rep mismatches. Since reps of the set's own leg
    // are counted without the extra settling moment: 22 agreeing fix cues, median 0.57 s, one at
    // 1.53 s; 3 of 20 pairs never cued; median 0.07 s, 16 over 0.5 s): the misses are on
    // noisy oblique clips, side switches, sideways lean judged on a 12 s window whose view differs
    // from the whole clip's, and checks the offline engine decides with reps still to come. Each
    // is printed. Stop 24: the swing's durations have the smoothing's blur taken out, but not
    // where the signal ends within the smoothing's settling time of the rep's end (live, a rep
    // just counted): read there with the blur taken out, one clip's first rep was cued a swing
    // the whole clip did not show. Read as they are, two swing cues are now missed instead:
    // 19 agreeing fix cues, none false, 4 of 18 faulted pairs never cued. Stop 25: a rep counted
    // before the smoothing settled its return has its swing undecided, and the swing is told 0.22 s
    // after the rep's end, read on the frames after it: 24 agreeing fix cues, 2 of 19 pairs
    // never cued, and one swing cue the report does not back but the renders' labels do (a true
    // 0.85 swing on the session's first rep, which the whole clip's reading misses); a cue is
    // false when neither backs it. Stop 26, refitted on 17 more calibration renders: the offline
    // report faults fewer of this slice's (clip, check) pairs (18, from 19), so 22 fix cues agree
    // with it; 2 of 18 pairs never cued, none false. Stop 30: the corpus's landmarks stored at
    // 0.1 px tipped two clips' wobbles after a rep's return (c01031, seed-8 clip 03) into live reps
    // the offline report does not have; a bump that rises out of the last return without a rest,
    // by under half the set's usual swing, is passed over now. 4 mismatches here; over the whole
    // corpus (`LIVE_ALL=1`, 269 clips) 58 → 48, nine mended outside this slice, one new (c01114).
    assert!(t.cue_delays.len() >= 22, "fix cues: {}", t.cue_delays.len());
    assert!(t.false_cues.is_empty(), "cues neither the offline report nor the labels back: {:?}", t.false_cues);
    assert!(median(&t.cue_delays) <= 0.8, "median cue delay {:.2} s", median(&t.cue_delays));
    let late_cues = t.cue_delays.iter().filter(|d| **d > 1.5).count();
    assert!(late_cues <= 3, "late fix cues: {late_cues}");
    assert!(t.missed.len() * 8 <= t.faulted_pairs, "missed {} of {}", t.missed.len(), t.faulted_pairs);
    let late_counts = t.count_delays.iter().filter(|d| **d > 0.5).count();
    assert!(late_counts * 10 <= t.count_delays.len(), "{late_counts} reps counted over 0.5 s after their end");
    assert!(median(&t.count_delays) <= 0.2, "median count delay {:.2} s", median(&t.count_delays));
    assert!(t.rep_mismatches.len() <= 4, "{:?}", t.rep_mismatches);
}

/// Issue 10's "done when", held exactly on the sixteen sample clips (`../shared/samples`, the
/// clips the issue names): every check the offline report faults in a clip is cued at least once
/// there (the feedback budget picks the rep), every fix cue names a
/// fault the report has for that rep and comes within 1.5 s of its peak (median 0.8 s), every rep
/// is counted within 0.5 s of its end, the first included, and live counts the report's reps.
#[test]
fn on_the_samples_every_faulted_check_is_cued_and_every_rep_counted_at_its_end() {
    let mut tally = Tally::default();
    let mut clips = 0;
    for r in replay_all().iter().filter(|r| r.name.starts_with("shared_samples_")) {
        tally.add(r);
        clips += 1;
    }
    tally.print(clips);
    let t = &tally;
    assert_eq!(clips, 16, "the sixteen samples are in the corpus");
    assert!(t.false_cues.is_empty(), "{:?}", t.false_cues);
    assert!(t.missed.is_empty(), "{:?}", t.missed);
    assert!(t.rep_mismatches.is_empty(), "{:?}", t.rep_mismatches);
    assert!(t.late.is_empty(), "{:?}", t.late);
    assert!(median(&t.cue_delays) <= 0.8, "median cue delay {:.2} s", median(&t.cue_delays));
    assert!(t.faulted_pairs >= 6, "faulted (clip, check) pairs: {}", t.faulted_pairs);
}

/// Prints a clip's live stream and its offline reps (`LIVE_DEBUG=NAME`).
fn debug_print(r: &Replay) {
    for o in &r.outputs {
        eprintln!("{}", serde_json::to_string(o).unwrap_or_default());
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
    // A short window and stretch, so the stretch closes in the rest between the two clips.
    let mut live = StreamingAnalyzer::with_window(spec.clone(), 6.0).with_chunk_s(8.5);
    for f in a.iter().chain(&b) {
        live.push(f);
    }
    assert!(live.frames_held() < b.len() + 6 * 30 + 1, "held {}", live.frames_held());
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
