//! Property-style robustness tests (issue 12, "Also"): the spec loader, the landmark JSONL reader and
//! the report reader take arbitrary bytes and structured mutations of valid input without panicking,
//! and the geometry is invariant under rotation about the vertical axis and scale.
//!
//! No property-testing crate: a tiny xorshift64 generator with fixed seeds keeps every case
//! reproducible (the seed is in each failure message) and the dependency tree lean.

use formcheck_bench::synth::{generate, SynthParams};
use formcheck_core::kinematics::{angle_between_deg, Vec3};
use formcheck_core::landmarks::{read_jsonl, PoseFrame};
use formcheck_core::{analyze, ExerciseSpec, InputInfo, Report};

const SPEC: &str = include_str!("../../../exercises/cable-medius-kickback.toml");

/// xorshift64 (Marsaglia 2003); the seed must be non-zero.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = self.below(max_len + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Values that break naive numeric code.
const NASTY_NUMBERS: &[&str] = &[
    "1e308",
    "-1e308",
    "-1",
    "-0",
    "0",
    "nan",
    "inf",
    "-inf",
    "18446744073709551616",
    "-9223372036854775809",
    "1e-320",
    "999999999",
];

/// Replaces one number in `line` (a run of digits, maybe with a point) with a nasty value.
fn replace_number(line: &str, rng: &mut XorShift) -> String {
    let bytes = line.as_bytes();
    let starts: Vec<usize> =
        (0..bytes.len()).filter(|&i| bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit())).collect();
    if starts.is_empty() {
        return line.to_string();
    }
    let start = starts[rng.below(starts.len())];
    let mut end = start;
    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
        end += 1;
    }
    let nasty = NASTY_NUMBERS[rng.below(NASTY_NUMBERS.len())];
    format!("{}{}{}", &line[..start], nasty, &line[end..])
}

/// One structured mutation of a multi-line text.
fn mutate_lines(text: &str, rng: &mut XorShift) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match rng.below(6) {
        0 if !lines.is_empty() => {
            lines.remove(rng.below(n));
        }
        1 if !lines.is_empty() => {
            let i = rng.below(n);
            let l = lines[i].clone();
            lines.insert(rng.below(n), l);
        }
        2 if !lines.is_empty() => {
            let (a, b) = (rng.below(n), rng.below(n));
            lines.swap(a, b);
        }
        3 | 4 if !lines.is_empty() => {
            // Numbers: the most likely place for a panic (ranges, divisions, casts).
            for _ in 0..1 + rng.below(3) {
                let i = rng.below(n);
                lines[i] = replace_number(&lines[i], rng);
            }
        }
        _ => {
            let joined = lines.join("\n");
            let mut cut = rng.below(joined.len() + 1);
            while !joined.is_char_boundary(cut) {
                cut -= 1;
            }
            return joined[..cut].to_string();
        }
    }
    lines.join("\n")
}

/// Byte-level mutation: flip, insert or delete a few bytes (result as lossy UTF-8).
fn mutate_bytes(text: &str, rng: &mut XorShift) -> String {
    let mut b = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(3) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] = rng.next() as u8;
            }
            1 => {
                let i = rng.below(b.len() + 1);
                b.insert(i, rng.next() as u8);
            }
            _ if !b.is_empty() => {
                let i = rng.below(b.len());
                b.remove(i);
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn spec_must_not_panic(text: &str, what: &str) {
    let result = std::panic::catch_unwind(|| ExerciseSpec::from_toml_str(text).map(|_| ()).map_err(|e| e.to_string()));
    match result {
        Err(_) => panic!("spec loader panicked on {what}:\n{text}"),
        Ok(Err(msg)) => assert!(!msg.trim().is_empty(), "empty error message for {what}"),
        Ok(Ok(())) => {}
    }
}

#[test]
fn spec_loader_accepts_the_embedded_spec() {
    ExerciseSpec::from_toml_str(SPEC).expect("the bundled spec parses");
}

#[test]
fn spec_loader_survives_arbitrary_bytes() {
    for seed in 1..=150u64 {
        let mut rng = XorShift::new(seed);
        let text = String::from_utf8_lossy(&rng.bytes(512)).into_owned();
        spec_must_not_panic(&text, &format!("random bytes, seed {seed}"));
    }
}

#[test]
fn spec_loader_survives_structured_mutations() {
    let mut rejected = 0;
    for seed in 1..=300u64 {
        let mut rng = XorShift::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut text = SPEC.to_string();
        for _ in 0..1 + rng.below(3) {
            text = if rng.below(5) == 0 { mutate_bytes(&text, &mut rng) } else { mutate_lines(&text, &mut rng) };
        }
        if ExerciseSpec::from_toml_str(&text).is_err() {
            rejected += 1;
        }
        spec_must_not_panic(&text, &format!("mutation seed {seed}"));
    }
    // The mutations must actually reach the validator, not only the TOML parser's happy path.
    assert!(rejected > 30, "only {rejected} of 300 mutants were rejected: the mutations are too gentle");
}

#[test]
fn spec_loader_rejects_nasty_numbers_cleanly() {
    // Every number of the spec, one at a time, replaced with each nasty value: deterministic coverage.
    let lines: Vec<&str> = SPEC.lines().collect();
    let numeric: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = lines[i].trim_start();
            !l.starts_with('#') && l.contains('=') && l.bytes().any(|b| b.is_ascii_digit())
        })
        .collect();
    assert!(!numeric.is_empty());
    let mut rng = XorShift::new(42);
    for (k, &i) in numeric.iter().enumerate() {
        let mut copy: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        copy[i] = replace_number(&copy[i], &mut rng);
        spec_must_not_panic(&copy.join("\n"), &format!("number {k} on line {}", i + 1));
    }
}

fn synth_frames(seed: u64) -> Vec<PoseFrame> {
    generate(&SynthParams::random(seed)).frames
}

fn valid_lines() -> Vec<String> {
    let frames = synth_frames(1);
    let mut lines: Vec<String> = frames.iter().filter(|f| f.pose.is_some()).take(3).map(|f| f.to_json_line()).collect();
    if let Some(f) = frames.iter().find(|f| f.pose.is_none()) {
        lines.push(f.to_json_line());
    }
    lines
}

fn jsonl_must_not_panic(text: &str, what: &str) -> Result<usize, String> {
    let result = std::panic::catch_unwind(|| read_jsonl(text.as_bytes()).map(|f| f.len()).map_err(|e| e.to_string()));
    match result {
        Err(_) => panic!("landmark reader panicked on {what}:\n{text}"),
        Ok(r) => r,
    }
}

/// Removes the first image landmark of a line (a count error, not a syntax error), if it has any.
fn drop_first_landmark(line: &str) -> String {
    let key = "\"landmarks\":[";
    match line.find(key) {
        Some(at) => {
            let from = at + key.len();
            match line[from..].find("],") {
                Some(end) => format!("{}{}", &line[..from], &line[from + end + 2..]),
                None => line.to_string(),
            }
        }
        None => line.to_string(),
    }
}

#[test]
fn landmark_reader_names_a_short_landmark_list() {
    let line = valid_lines().into_iter().next().unwrap();
    let text = format!("{line}\n\n{}\n", drop_first_landmark(&line));
    let msg = read_jsonl(text.as_bytes()).unwrap_err().to_string();
    assert!(msg.starts_with("line 3: expected 33 image landmarks, found 32"), "{msg}");
}

#[test]
fn landmark_reader_round_trips_a_valid_line() {
    for line in valid_lines() {
        let frame = PoseFrame::from_json_line(&line, 1).expect("a line we wrote reads back");
        assert_eq!(frame.to_json_line(), line);
    }
}

#[test]
fn landmark_reader_survives_random_bytes() {
    for seed in 1..=100u64 {
        let mut rng = XorShift::new(seed);
        let text = String::from_utf8_lossy(&rng.bytes(400)).into_owned();
        if let Err(msg) = jsonl_must_not_panic(&text, &format!("random bytes, seed {seed}")) {
            assert!(msg.starts_with("line "), "error without a line number (seed {seed}): {msg}");
        }
    }
}

#[test]
fn landmark_reader_reports_the_line_of_a_broken_frame() {
    let valid = valid_lines();
    for seed in 1..=200u64 {
        let mut rng = XorShift::new(seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut lines: Vec<String> = (0..4).map(|_| valid[rng.below(valid.len())].clone()).collect();
        let bad = rng.below(lines.len());
        let line = &lines[bad];
        lines[bad] = match rng.below(4) {
            0 => {
                let mut cut = rng.below(line.len());
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                line[..cut].to_string()
            }
            1 => replace_number(line, &mut rng),
            2 => mutate_bytes(line, &mut rng),
            // One landmark too few.
            _ => drop_first_landmark(line),
        };
        let text = lines.join("\n");
        match jsonl_must_not_panic(&text, &format!("mutation seed {seed}")) {
            Ok(n) => assert!(n <= 4),
            Err(msg) => {
                // Only the mutated line can be wrong (an earlier one could be truncated to blank and skipped).
                assert!(msg.starts_with(&format!("line {}:", bad + 1)), "seed {seed}: wrong line in {msg:?}");
                assert!(msg.len() > "line 1: ".len(), "seed {seed}: empty message");
            }
        }
    }
}

fn sample_report() -> Report {
    let frames = synth_frames(1);
    let spec = ExerciseSpec::from_toml_str(SPEC).unwrap();
    let last = frames.last().map(|f| f.t_s).unwrap_or(0.0);
    let input = InputInfo {
        path: "synth.mp4".into(),
        width: frames.first().map(|f| f.width).unwrap_or(720),
        height: frames.first().map(|f| f.height).unwrap_or(1280),
        fps: 30.0,
        duration_s: last,
        frames_decoded: frames.len() as u64,
        frames_with_pose: frames.iter().filter(|f| f.pose.is_some()).count() as u64,
    };
    analyze(&frames, &spec, input)
}

#[test]
fn report_reader_survives_mutated_reports() {
    let json = sample_report().to_json().expect("the report serialises");
    Report::from_json(&json).expect("a report we wrote reads back");
    for seed in 1..=150u64 {
        let mut rng = XorShift::new(seed.wrapping_mul(0xA076_1D64_78BD_642F));
        let mut text = json.clone();
        for _ in 0..1 + rng.below(3) {
            text = match rng.below(3) {
                0 => mutate_lines(&text, &mut rng),
                1 => mutate_bytes(&text, &mut rng),
                _ => {
                    let lines: Vec<String> = text.lines().map(|l| replace_number(l, &mut rng)).collect();
                    let i = rng.below(lines.len());
                    let mut orig: Vec<String> = text.lines().map(str::to_string).collect();
                    orig[i] = lines[i].clone();
                    orig.join("\n")
                }
            };
        }
        let result = std::panic::catch_unwind(|| Report::from_json(&text).map(|_| ()).map_err(|e| e.to_string()));
        match result {
            Err(_) => panic!("report reader panicked on mutation seed {seed}"),
            Ok(Err(msg)) => assert!(!msg.is_empty(), "seed {seed}: empty error"),
            Ok(Ok(())) => {}
        }
    }
}

/// Rotation by `theta` about the vertical (y) axis, then scaling by `k`.
fn rotate_scale(v: Vec3, theta: f64, k: f64) -> Vec3 {
    let (s, c) = theta.sin_cos();
    Vec3::new(c * v.x + s * v.z, v.y, -s * v.x + c * v.z) * k
}

#[test]
fn angles_are_invariant_under_vertical_rotation_and_scale() {
    let mut rng = XorShift::new(7);
    let r = |rng: &mut XorShift| rng.unit() * 2.0 - 1.0;
    for case in 0..500 {
        let a = Vec3::new(r(&mut rng), r(&mut rng), r(&mut rng));
        let b = Vec3::new(r(&mut rng), r(&mut rng), r(&mut rng));
        let theta = rng.unit() * std::f64::consts::TAU;
        let k = 0.01 + rng.unit() * 100.0;
        let before = angle_between_deg(a, b);
        let after = angle_between_deg(rotate_scale(a, theta, k), rotate_scale(b, theta, k));
        match (before, after) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-6, "case {case}: {x} vs {y}"),
            (x, y) => assert_eq!(x.is_some(), y.is_some(), "case {case}: degenerate in one frame only"),
        }
    }
    assert_eq!(angle_between_deg(Vec3::default(), Vec3::new(1.0, 0.0, 0.0)), None);
}

#[test]
fn rep_count_is_unchanged_when_the_world_landmarks_are_scaled() {
    let spec = ExerciseSpec::from_toml_str(SPEC).unwrap();
    for seed in [1u64, 2, 3] {
        let frames = synth_frames(seed);
        let input = || InputInfo {
            path: "synth.mp4".into(),
            width: 720,
            height: 1280,
            fps: 30.0,
            duration_s: frames.last().map(|f| f.t_s).unwrap_or(0.0),
            frames_decoded: frames.len() as u64,
            frames_with_pose: frames.iter().filter(|f| f.pose.is_some()).count() as u64,
        };
        let base = analyze(&frames, &spec, input());
        let mut scaled = frames.clone();
        for f in &mut scaled {
            if let Some(p) = &mut f.pose {
                for w in &mut p.world {
                    w.x *= 1.3;
                    w.y *= 1.3;
                    w.z *= 1.3;
                }
            }
        }
        let other = analyze(&scaled, &spec, input());
        let count = |r: &Report| (r.summary.reps_left, r.summary.reps_right, r.summary.partial_reps);
        assert_eq!(count(&base), count(&other), "seed {seed}: rep counts change when the body is scaled by 1.3");
    }
}
