//! End-to-end behaviour of the engine on synthetic sequences: faults found where the view shows
//! them, nothing found on clean reps, honest not_measurable, no panics on bad input, the live
//! analyser agreeing with the offline one, and the report schema pinned.

use formcheck_bench::synth::{fault_range, generate, Injection, Noise, SynthParams};
use formcheck_core::kinematics::Side;
use formcheck_core::landmarks::{ImagePoint, Pose, PoseFrame, WorldPoint, NUM_LANDMARKS};
use formcheck_core::report::{render_text, InputInfo, Metric, Report, Status, SCHEMA_VERSION};
use formcheck_core::spec::{CheckId, ExerciseSpec, View};
use formcheck_core::{analyze, LiveEvent, StreamingAnalyzer};

/// The embedded spec on raw readings: its calibration is fitted on rendered footage, whose pose
/// error the synthetic generator does not (yet) reproduce, so these tests pin the measurements
/// and the raw rules; the calibrated decisions are pinned on the corpus (`tests/corpus.rs`).
/// From side_working the standing foot is hidden behind the working one at every rep's bottom:
/// the raw foot-shift rule is not trusted there (the product judges it calibrated, fine or
/// borderline only until the corpus shows a slide from that side).
fn spec() -> ExerciseSpec {
    let mut spec = ExerciseSpec::cable_medius_kickback().expect("embedded spec");
    spec.calibration.clear();
    for c in spec.checks.iter_mut().filter(|c| c.id == formcheck_core::kickback::SUPPORT_FOOT_SHIFT) {
        c.views.retain(|v| *v != View::SideWorking);
    }
    spec
}

fn params(seed: u64, view: View, faults: &[CheckId]) -> SynthParams {
    let mut p = SynthParams::clean(seed, view, Side::Left);
    p.reps = 4;
    p.noise = Noise::TYPICAL;
    p.lead_in_out = true;
    for &c in faults {
        let (lo, hi) = fault_range(c);
        p.faults.push(Injection { check: c, magnitude: (lo + hi) / 2.0, from_rep: 0 });
    }
    p
}

#[test]
fn clean_sets_from_every_view_count_reps_and_flag_nothing() {
    let spec = spec();
    for (k, view) in View::ALL.iter().enumerate() {
        let seq = generate(&params(100 + k as u64, *view, &[]));
        let r = analyze(&seq.frames, &spec, InputInfo::default());
        assert_eq!(r.rep_count(), 4, "{view}\n{}", render_text(&r));
        let faults: Vec<_> =
            r.sets.iter().flat_map(|s| s.reps.iter().flat_map(|r| r.faults.iter().map(|f| f.check))).collect();
        assert!(faults.is_empty(), "{view}: {faults:?}");
        assert!(r.summary.positive.is_some());
    }
}

#[test]
fn each_fault_is_found_from_a_view_that_shows_it() {
    let spec = spec();
    let cases = [
        (formcheck_core::kickback::TORSO_LEAN_FORWARD, View::SideWorking),
        (formcheck_core::kickback::TORSO_LEAN_AWAY, View::Back),
        (formcheck_core::kickback::PELVIS_HIKE, View::Back),
        (formcheck_core::kickback::PELVIS_ROTATION, View::ObliqueBackSupport),
        (formcheck_core::kickback::SUPPORT_KNEE_LOCKED, View::SideSupport),
        (formcheck_core::kickback::SUPPORT_KNEE_UNSTABLE, View::SideWorking),
        (formcheck_core::kickback::SWING, View::Front),
        (formcheck_core::kickback::LEG_PATH_SIDEWAYS, View::Back),
        (formcheck_core::kickback::LOW_BACK_ARCH, View::SideWorking),
        // (the generated slide is forward for odd seeds: visible from the side)
        (formcheck_core::kickback::SUPPORT_FOOT_SHIFT, View::SideSupport),
        (formcheck_core::kickback::TORSO_TWIST, View::ObliqueFront),
    ];
    for (k, (check, view)) in cases.iter().enumerate() {
        let seq = generate(&params(200 + k as u64, *view, &[*check]));
        let r = analyze(&seq.frames, &spec, InputInfo::default());
        let status = r.checks.iter().find(|c| c.check == *check).map(|c| c.status);
        assert_eq!(status, Some(Status::Fault), "{check} from {view}\n{}", render_text(&r));
        let fault = r.sets.iter().flat_map(|s| &s.reps).flat_map(|r| &r.faults).find(|f| f.check == *check);
        let f = fault.expect("fault with evidence");
        assert!(f.confidence > 0.0 && f.confidence <= 1.0);
        assert!(!f.cue.is_empty());
        assert!(r.summary.top_fixes.iter().any(|x| x.check == *check) || r.summary.top_fixes.len() == 2);
    }
}

#[test]
fn checks_the_view_cannot_show_are_not_measurable_with_advice() {
    let spec = spec();
    let seq = generate(&params(300, View::SideWorking, &[]));
    let r = analyze(&seq.frames, &spec, InputInfo::default());
    let hike = r.checks.iter().find(|c| c.check == formcheck_core::kickback::PELVIS_HIKE).expect("every check listed");
    assert_eq!(hike.status, Status::NotMeasurable);
    assert!(hike.reason.as_deref().is_some_and(|s| s.contains("side_working")));
    assert!(hike.advice.as_deref().is_some_and(|s| !s.is_empty()));
    assert_eq!(r.checks.len(), formcheck_core::kickback::ALL.len());
}

#[test]
fn side_switch_makes_two_sets() {
    let spec = spec();
    let mut p = params(400, View::Back, &[]);
    p.switch_sides = true;
    let seq = generate(&p);
    let r = analyze(&seq.frames, &spec, InputInfo::default());
    let sides: Vec<Side> = r.sets.iter().map(|s| s.side).collect();
    assert_eq!(sides, vec![Side::Left, Side::Right], "{}", render_text(&r));
    assert_eq!((r.summary.reps_left, r.summary.reps_right), (4, 4));
}

#[test]
fn partial_reps_are_reported_but_not_counted() {
    let spec = spec();
    let mut p = params(500, View::SideWorking, &[]);
    p.partial_before = Some(2);
    let seq = generate(&p);
    let r = analyze(&seq.frames, &spec, InputInfo::default());
    assert_eq!(r.rep_count(), 4, "{}", render_text(&r));
    assert_eq!(r.summary.partial_reps, 1, "{}", render_text(&r));
}

#[test]
fn garbage_input_never_panics() {
    let spec = spec();
    let nan = f32::NAN;
    let bad_pose = Pose {
        image: [ImagePoint { x: nan, y: nan, z: nan, visibility: nan, presence: nan }; NUM_LANDMARKS],
        world: [WorldPoint { x: nan, y: f32::INFINITY, z: nan }; NUM_LANDMARKS],
    };
    let zero_pose =
        Pose { image: [ImagePoint::default(); NUM_LANDMARKS], world: [WorldPoint::default(); NUM_LANDMARKS] };
    let mut frames = Vec::new();
    for i in 0..120u64 {
        let pose = match i % 3 {
            0 => Some(bad_pose.clone()),
            1 => Some(zero_pose.clone()),
            _ => None,
        };
        // Times that stall and jump backwards, too.
        let t = if i % 10 == 0 { 0.0 } else { i as f64 / 30.0 };
        frames.push(PoseFrame { index: i, t_s: t, width: 0, height: 0, pose });
    }
    let r = analyze(&frames, &spec, InputInfo::default());
    assert_eq!(r.rep_count(), 0);
    let _ = render_text(&r);
    let mut live = StreamingAnalyzer::new(spec.clone());
    for f in &frames {
        let _ = live.push(f);
    }
    let _ = live.finish(InputInfo::default());
    let one = analyze(&frames[..1], &spec, InputInfo::default());
    assert_eq!(one.rep_count(), 0);
}

#[test]
fn live_analyser_reports_the_reps_offline_analysis_finds() {
    let spec = spec();
    let seq = generate(&params(600, View::Front, &[formcheck_core::kickback::TORSO_LEAN_AWAY]));
    let offline = analyze(&seq.frames, &spec, InputInfo::default());
    let mut live = StreamingAnalyzer::new(spec.clone());
    let mut reps = 0;
    let mut sets = 0;
    let mut phases = 0;
    for f in &seq.frames {
        for e in live.push(f) {
            match e {
                // Partial reps are reported too (numbered as in the report), not counted.
                LiveEvent::RepCompleted { cue, rep, .. } => {
                    reps += usize::from(!rep.partial);
                    assert!(!cue.is_empty());
                }
                LiveEvent::SetStarted { .. } => sets += 1,
                LiveEvent::Phase { .. } => phases += 1,
                // A set-up step counted as a set's first rep is withdrawn when the second comes.
                LiveEvent::RepWithdrawn { .. } => reps -= 1,
                LiveEvent::FaultSeen { .. } => {}
            }
        }
    }
    assert_eq!(reps, offline.rep_count());
    assert_eq!(sets, 1);
    assert!(phases >= 4);
    let report = live.finish(InputInfo::default());
    assert_eq!(report.rep_count(), offline.rep_count());
}

#[test]
fn report_schema_round_trips_with_unknown_fields_denied() {
    let spec = spec();
    let seq = generate(&params(700, View::ObliqueBackSupport, &[formcheck_core::kickback::PELVIS_ROTATION]));
    let input = InputInfo {
        path: "clip.mp4".into(),
        width: 720,
        height: 1280,
        fps: 30.0,
        duration_s: 9.0,
        frames_decoded: 270,
        frames_with_pose: 268,
    };
    let r = analyze(&seq.frames, &spec, input);
    let json = r.to_json().expect("serialise");
    let back = Report::from_json(&json).expect("deserialise with deny_unknown_fields");
    assert_eq!(back.schema_version, SCHEMA_VERSION);
    assert_eq!(back.sets.len(), r.sets.len());
    let value: serde_json::Value = serde_json::from_str(&json).expect("json");
    // The fixed contract.
    for key in ["schema_version", "sets", "checks", "input", "views", "summary", "series"] {
        assert!(value.get(key).is_some(), "missing {key}");
    }
    let rep = &value["sets"][0]["reps"][0];
    for key in ["index", "start_s", "peak_s", "end_s", "partial", "phases", "metrics", "faults"] {
        assert!(rep.get(key).is_some(), "rep missing {key}");
    }
    assert!(value["sets"][0]["side"].as_str().is_some_and(|s| s == "left" || s == "right"));
    let ids: Vec<&str> =
        value["checks"].as_array().expect("checks").iter().filter_map(|c| c["check"].as_str()).collect();
    assert_eq!(ids.len(), 11);
    for c in value["checks"].as_array().expect("checks") {
        let status = c["status"].as_str().expect("status");
        assert!(["ok", "fault", "borderline", "not_measurable"].contains(&status));
        if status == "not_measurable" {
            assert!(c["reason"].is_string() && c["advice"].is_string());
        }
    }
    // An unknown field is rejected.
    let mut tampered = value.clone();
    tampered["surprise"] = serde_json::json!(1);
    assert!(Report::from_json(&tampered.to_string()).is_err());
    // Series: one value per frame for every signal, null where unknown.
    let n = value["series"]["t_s"].as_array().map_or(0, |a| a.len());
    assert_eq!(n, seq.frames.len());
    for (_, v) in value["series"]["signals"].as_object().expect("signals") {
        assert_eq!(v.as_array().map_or(0, |a| a.len()), n);
    }
}

#[test]
fn version_1_reports_are_still_read_and_unknown_versions_refused() {
    let r = analyze(&generate(&params(701, View::SideWorking, &[])).frames, &spec(), InputInfo::default());
    let mut value: serde_json::Value = serde_json::from_str(&r.to_json().expect("serialise")).expect("json");
    // Version 1 listed all fifteen metrics on every rep, null where not measured.
    value["schema_version"] = serde_json::json!(1);
    for set in value["sets"].as_array_mut().expect("sets") {
        for rep in set["reps"].as_array_mut().expect("reps") {
            for m in Metric::ALL {
                if rep["metrics"].get(m.as_str()).is_none() {
                    rep["metrics"][m.as_str()] = serde_json::Value::Null;
                }
            }
        }
    }
    let v1 = Report::from_json(&value.to_string()).expect("a version-1 report reads");
    assert_eq!(v1.schema_version, 1);
    assert_eq!(v1.rep_count(), r.rep_count());
    value["schema_version"] = serde_json::json!(SCHEMA_VERSION + 1);
    let err = Report::from_json(&value.to_string()).expect_err("a future version is refused");
    assert!(err.to_string().contains("schema_version"), "{err}");
}

#[test]
fn a_leg_swing_while_walking_away_is_not_a_rep() {
    // Synthetic seed 10097: 7 reps, then walking away; the first stride looked like an 8th
    // rep, during which the standing foot "slid" 44 cm.
    let spec = ExerciseSpec::cable_medius_kickback().unwrap();
    let seq = generate(&SynthParams::random(10097));
    let truth: usize = seq.labels.sets.iter().map(|s| s.reps.iter().filter(|r| !r.partial).count()).sum();
    let r = analyze(&seq.frames, &spec, InputInfo::default());
    assert_eq!(r.rep_count(), truth);
    let foot = r.sets.iter().flat_map(|s| &s.reps).flat_map(|rep| &rep.faults);
    assert!(foot.filter(|f| f.check == formcheck_core::kickback::SUPPORT_FOOT_SHIFT).all(|f| f.magnitude < 20.0));
}
