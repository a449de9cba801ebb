//! Working side, sets and rep segmentation from the thigh-elevation signals.
//!
//! A rep is an excursion of one thigh away from its bottom position that crosses an upper
//! threshold and comes back under a lower one (hysteresis), lasts a plausible time, happens while
//! the other leg stays put and the hips do not travel (so walking and set-up steps are not reps).
//! Phases: lift (start → top pause), top pause (within a band under the peak), return (→ start
//! position), bottom (→ next rep). A side switch starts a new set.

use crate::kinematics::{BaseSignals, Side};
use crate::signal::{median_of, percentile, spread};
use crate::spec::{ExerciseSpec, RepSpec};

/// A rep's start and end are walked outwards while the signal keeps falling; a rise smaller than
/// this (deg) is pose jitter on a flat stretch, not the leg moving again.
const FLAT_TOLERANCE_DEG: f64 = 0.05;

/// One detected rep, as frame indices into the sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct RepSegment {
    /// Working leg.
    pub side: Side,
    /// Leg leaves the start position.
    pub start: usize,
    /// Top pause begins.
    pub pause_start: usize,
    /// Highest thigh elevation.
    pub peak: usize,
    /// Top pause ends.
    pub pause_end: usize,
    /// Leg back at the start position.
    pub end: usize,
    /// Peak elevation above the leg's bottom position (deg).
    pub amplitude_deg: f64,
    /// Reached less than the set's typical range (reported, not counted).
    pub partial: bool,
    /// Rise of the world thigh angle over the rep (deg), `None` if unknown: partial reps are
    /// judged on it when the view shows it well, since the fused signal also grows with trunk lean.
    pub thigh_rise_deg: Option<f64>,
    /// Largest image displacement of the working ankle from its start position, in torso
    /// lengths (a bending standing knee tilts its thigh but leaves its ankle in place).
    pub ankle_travel: f64,
}

/// A set: consecutive reps of one working leg.
#[derive(Clone, Debug, PartialEq)]
pub struct SetSegment {
    /// Working leg.
    pub side: Side,
    /// Reps (full and partial) in time order.
    pub reps: Vec<RepSegment>,
}

/// Segments a whole sequence into sets and reps.
pub fn segment(base: &BaseSignals, spec: &ExerciseSpec) -> Vec<SetSegment> {
    let mut cands = detect_leg(base, Side::Left, &spec.reps);
    cands.extend(detect_leg(base, Side::Right, &spec.reps));
    cands.sort_by_key(|c| c.start);
    // Overlapping excursions of both legs: keep the bigger one (the other is usually a
    // mislabelled or compensating leg).
    let mut kept: Vec<RepSegment> = Vec::new();
    for c in cands {
        match kept.last_mut() {
            Some(last) if c.start < last.end => {
                if c.ankle_travel > last.ankle_travel {
                    *last = c;
                }
            }
            _ => kept.push(c),
        }
    }
    let mut sets: Vec<SetSegment> = Vec::new();
    for r in kept {
        match sets.last_mut() {
            Some(s) if s.side == r.side => s.reps.push(r),
            _ => sets.push(SetSegment { side: r.side, reps: vec![r] }),
        }
    }
    for s in &mut sets {
        // Partial only if short on both witnesses: the fused amplitude (which also grows with a
        // trunk lean, so leaning reps can dwarf normal ones) and, where the view shows it well,
        // the world thigh rise.
        let rises: Vec<f64> = s.reps.iter().filter_map(|r| r.thigh_rise_deg).collect();
        let world_typical =
            median_of(&mut rises.clone()).filter(|m| rises.len() == s.reps.len() && *m >= spec.reps.min_world_rise_deg);
        let typical = median_of(&mut s.reps.iter().map(|r| r.amplitude_deg).collect::<Vec<_>>()).unwrap_or(0.0);
        for r in &mut s.reps {
            let short_fused = r.amplitude_deg < spec.reps.full_fraction * typical;
            let short_world = match (world_typical, r.thigh_rise_deg) {
                (Some(w), Some(x)) => x < spec.reps.full_fraction * w,
                _ => true,
            };
            // No world rise and a smaller than usual swing in the image: the legs traded places
            // (a cut, a turn). A leaning rep can lose its world rise too, but its fused swing grows.
            let no_rise = match (world_typical, r.thigh_rise_deg) {
                (Some(w), Some(x)) => x < spec.reps.min_world_fraction * w && r.amplitude_deg < typical,
                _ => false,
            };
            r.partial = (short_fused && short_world) || no_rise;
        }
    }
    // Partial excursions before a set's first full rep or after its last are setting up and
    // stepping away, not attempts at a rep.
    for s in &mut sets {
        let first = s.reps.iter().position(|r| !r.partial);
        let last = s.reps.iter().rposition(|r| !r.partial);
        if let (Some(a), Some(b)) = (first, last) {
            s.reps = s.reps[a..=b].to_vec();
        }
    }
    // A "set" of a single rep is set-up or walking-away movement, a step of someone walking past,
    // or the other leg compensating: nobody does one kickback and stops. Drop it rather than
    // invent a side switch or count a passer-by's stride.
    let full = |s: &SetSegment| s.reps.iter().filter(|r| !r.partial).count();
    sets.retain(|s| full(s) >= spec.reps.min_set_reps);
    sets
}

/// One leg's rep candidates: its excursions that pass [`LegScan::rep`]'s tests.
fn detect_leg(base: &BaseSignals, side: Side, spec: &RepSpec) -> Vec<RepSegment> {
    let elev = &base.rep[side];
    let n = elev.len().min(base.t.len());
    let Some(levels) = Levels::of(elev, spec) else {
        return Vec::new();
    };
    let torso = percentile(base.torso_px.iter().flatten().copied(), 50.0).unwrap_or(0.0);
    let scan = LegScan { base, side, spec, elev, levels, torso };
    let mut out = Vec::new();
    let mut i = 0;
    let mut prev_end = 0usize;
    while i < n {
        let Some(v) = elev[i] else {
            i += 1;
            continue;
        };
        if v < levels.enter {
            i += 1;
            continue;
        }
        match scan.excursion(i, prev_end) {
            Excursion::Unfinished { resume } => i = resume,
            Excursion::Done { up, start, end } => {
                i = end + 1;
                prev_end = end;
                out.extend(scan.rep(up, start, end));
            }
        }
    }
    out
}

/// A leg signal's levels (deg), from its own range: the bottom, where an excursion enters and
/// exits (hysteresis), and the rest level a rep's ends extend down to.
#[derive(Clone, Copy)]
struct Levels {
    bottom: f64,
    enter: f64,
    exit: f64,
    rest: f64,
}

impl Levels {
    fn of(elev: &[Option<f64>], spec: &RepSpec) -> Option<Levels> {
        let bottom = percentile(elev.iter().flatten().copied(), spec.bottom_percentile)?;
        let high = percentile(elev.iter().flatten().copied(), spec.high_percentile).unwrap_or(bottom);
        let excursion = (high - bottom).max(0.0);
        Some(Levels {
            bottom,
            enter: bottom + spec.enter_deg.max(spec.enter_fraction * excursion),
            exit: bottom + spec.exit_deg.max(spec.exit_fraction * excursion),
            rest: bottom + spec.rest_deg.max(spec.rest_fraction * excursion),
        })
    }
}

/// Where one excursion of the leg signal went.
enum Excursion {
    /// It never came back (clip ended or tracking lost): not a rep; scanning resumes here.
    Unfinished { resume: usize },
    /// It went up through `enter` at `up` and came back; `start..=end` is the whole movement,
    /// from where the leg left its start position to where it reached it again.
    Done { up: usize, start: usize, end: usize },
}

/// One leg's signals and levels while its reps are looked for.
struct LegScan<'a> {
    base: &'a BaseSignals,
    side: Side,
    spec: &'a RepSpec,
    elev: &'a [Option<f64>],
    levels: Levels,
    /// The median image torso length (px), 0 if unknown.
    torso: f64,
}

impl LegScan<'_> {
    /// Follows the excursion going up through `enter` at frame `up` until it comes back under
    /// `exit` (unknown frames end it only if the gap is long: smoothing already bridged short
    /// ones), then extends it to where the leg left and reached its start position (not before
    /// `prev_end`, the previous excursion's end).
    fn excursion(&self, up: usize, prev_end: usize) -> Excursion {
        let (elev, lv) = (self.elev, &self.levels);
        let n = elev.len().min(self.base.t.len());
        let mut down = None;
        let mut j = up;
        let mut top = elev[up].unwrap_or(f64::MIN);
        while j < n {
            match elev[j] {
                // Back under the lower level, or down by more than `split_fraction` of the height
                // reached so far (two reps with too short a rest between them).
                Some(v) if v < lv.exit.max(top - self.spec.split_fraction * (top - lv.bottom)) => {
                    down = Some(j);
                    break;
                }
                None => break,
                Some(v) => {
                    top = top.max(v);
                    j += 1;
                }
            }
        }
        // Cut off (a gap, a cut, the clip's end) before it went back under the levels: it is
        // still a rep if the leg had come back down and rested there.
        let Some(down) = down.or_else(|| self.rested_after_top(up, j)).or_else(|| self.down_before_gap(up, j)) else {
            return Excursion::Unfinished { resume: j.max(up + 1) };
        };
        // The leg left its start position where it was last still: at the rest level, or
        // resting above it (after a turn the model may put the resting leg a little higher).
        let mut start = up;
        while start > prev_end && !self.still_before(start) {
            match (elev[start - 1], elev[start]) {
                (Some(a), Some(b)) if a <= b + FLAT_TOLERANCE_DEG && b > lv.rest => start -= 1,
                _ => break,
            }
        }
        let mut end = down;
        while end + 1 < n && !self.still_after(end) {
            match (elev[end + 1], elev[end]) {
                (Some(a), Some(b)) if a <= b + FLAT_TOLERANCE_DEG && b > lv.rest => end += 1,
                _ => break,
            }
        }
        let (start, end) = self.trim_to_stillness(start, end);
        Excursion::Done { up: up.max(start), start, end }
    }

    /// The first frame after the top of `up..j` where the leg was back in the lower half of its
    /// rise and still, if any.
    fn rested_after_top(&self, up: usize, j: usize) -> Option<usize> {
        let (peak, half) = self.top_and_half(up, j.checked_sub(1)?)?;
        (peak + 1..j).find(|&k| self.elev[k].is_some_and(|v| v < half) && self.still_after(k))
    }

    /// The frame before the gap at `j`, if the leg was already back in the lower half of its
    /// rise there, past its top: a rep whose return a gap or a cut interrupts (the pose model
    /// flipping the whole body for a few frames as the leg comes back, seen from behind) ended
    /// there rather than never.
    fn down_before_gap(&self, up: usize, j: usize) -> Option<usize> {
        let last = j.checked_sub(1)?;
        let (peak, half) = self.top_and_half(up, last)?;
        (last > peak && self.elev.get(j).is_some_and(Option::is_none) && self.elev[last].is_some_and(|v| v < half))
            .then_some(last)
    }

    /// The highest frame of `lo..=hi` and the level halfway up to it from the bottom (the
    /// leg's `full_fraction` of its rise), if any frame there is known.
    fn top_and_half(&self, lo: usize, hi: usize) -> Option<(usize, f64)> {
        let elev = self.elev;
        let peak = (lo..=hi)
            .filter(|&k| elev[k].is_some())
            .max_by(|&a, &b| elev[a].unwrap_or(f64::MIN).total_cmp(&elev[b].unwrap_or(f64::MIN)))?;
        let top = elev[peak]?;
        Some((peak, self.levels.bottom + self.spec.full_fraction * (top - self.levels.bottom)))
    }

    /// Moves the excursion's ends in to where the leg was last still before its top and first
    /// still after it, in the lower half of its rise. A leg that rests above the entry level
    /// (after a turn the model may put the resting leg a little higher) does not join the
    /// turn to the rep.
    fn trim_to_stillness(&self, start: usize, end: usize) -> (usize, usize) {
        let Some((peak, half)) = self.top_and_half(start, end) else { return (start, end) };
        let low = |k: usize| self.elev[k].is_some_and(|v| v < half);
        let start = (start..peak).rev().find(|&k| low(k) && self.still_before(k)).unwrap_or(start);
        let end = (peak + 1..=end).find(|&k| low(k) && self.still_after(k)).unwrap_or(end);
        (start, end)
    }

    /// Whether the leg was still over the [`RepSpec::baseline_window_s`] before frame `i`: its
    /// signal stayed within [`RepSpec::rest_deg`] there.
    fn still_before(&self, i: usize) -> bool {
        let t = &self.base.t;
        let lo = (0..i).rev().take_while(|&k| t[i] - t[k] <= self.spec.baseline_window_s).last();
        lo.is_some_and(|lo| t[i] - t[lo] >= 0.9 * self.spec.baseline_window_s && self.flat(lo, i))
    }

    /// Whether the leg stays still over the [`RepSpec::baseline_window_s`] after frame `i`.
    fn still_after(&self, i: usize) -> bool {
        let t = &self.base.t;
        let n = self.elev.len().min(t.len());
        let hi = (i + 1..n).take_while(|&k| t[k] - t[i] <= self.spec.baseline_window_s).last();
        hi.is_some_and(|hi| t[hi] - t[i] >= 0.9 * self.spec.baseline_window_s && self.flat(i, hi))
    }

    /// The signal is known over `lo..=hi` and its range stays within [`RepSpec::rest_deg`].
    fn flat(&self, lo: usize, hi: usize) -> bool {
        let w = &self.elev[lo..=hi];
        if w.iter().any(Option::is_none) {
            return false;
        }
        let (min, max) =
            w.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
        max - min <= self.spec.rest_deg
    }

    /// The excursion `start..=end` (up through `enter` at `up`) as a rep, if it is one: it lasts
    /// a plausible time, the other leg stays put, the hips do not travel, the standing foot does
    /// not step and the working foot does travel.
    fn rep(&self, up: usize, start: usize, end: usize) -> Option<RepSegment> {
        let (base, spec, elev, torso) = (self.base, self.spec, self.elev, self.torso);
        let dur = base.t[end] - base.t[start];
        if !(spec.min_rep_s..=spec.max_rep_s).contains(&dur) {
            return None;
        }
        let (mut peak, mut peak_v) = (up, f64::MIN);
        for (k, v) in elev.iter().enumerate().take(end + 1).skip(start) {
            if let Some(v) = v {
                if *v > peak_v {
                    peak_v = *v;
                    peak = k;
                }
            }
        }
        let amplitude = peak_v - self.levels.bottom;
        // The other leg must stay put.
        // Robust range (10th–90th percentile): pose noise on the standing leg is not movement.
        let other = &base.rep[self.side.other()];
        let other_range = spread(other[start..=end].iter().flatten().copied());
        if other_range.is_some_and(|r| r > spec.other_leg_max_fraction * amplitude) {
            return None;
        }
        // The hips must not travel and the standing foot must not step (walking, stepping into
        // position).
        if torso > 0.0 {
            let limit = spec.max_hip_travel_torso * torso;
            // A leg-label swap during the kick puts the standing ankle at the working one's
            // place for a few frames, at 45° in front for over half a second: a step is where
            // the foot ends up.
            let step = settled_displacement(&base.ankle_px[self.side.other()], start, end);
            let travel = max_displacement(&base.hip_px, start, end);
            if step.is_some_and(|d| d > limit) || travel.is_some_and(|d| d > limit) {
                return None;
            }
        }
        // The working foot must actually travel.
        let ankle_travel = if torso > 0.0 {
            max_displacement(&base.ankle_px[self.side], start, end).map_or(0.0, |d| d / torso)
        } else {
            0.0
        };
        if torso > 0.0 && ankle_travel < spec.min_ankle_travel_torso {
            return None;
        }
        let band = peak_v - spec.pause_band_fraction * amplitude;
        let above = |k: usize| elev[k].is_some_and(|v| v >= band);
        Some(RepSegment {
            side: self.side,
            start,
            pause_start: (start..=peak).find(|&k| above(k)).unwrap_or(peak),
            peak,
            pause_end: (peak..=end).rev().find(|&k| above(k)).unwrap_or(peak),
            end,
            amplitude_deg: amplitude,
            partial: false,
            thigh_rise_deg: thigh_rise(&base.elevation[self.side], start, end),
            ankle_travel,
        })
    }
}

/// Largest image distance (px) of a tracked point from its first known position over
/// `lo..=hi`; `None` when it is never known there.
fn max_displacement(track: &[Option<(f64, f64)>], lo: usize, hi: usize) -> Option<f64> {
    let w = track.get(lo..=hi)?;
    let p0 = w.iter().flatten().next()?;
    Some(w.iter().flatten().map(|p| (p.0 - p0.0).hypot(p.1 - p0.1)).fold(0.0, f64::max))
}

/// How far (px) a tracked point's place at the end of `lo..=hi` lies from its place at the
/// start (each the median of its first or last [`SETTLE_FRAMES`] known positions there). A step,
/// or the cut of a joined clip, moves where the foot stands; a label swap during the kick, which
/// can last for half the rep, leaves it where it was. `None` when never known.
fn settled_displacement(track: &[Option<(f64, f64)>], lo: usize, hi: usize) -> Option<f64> {
    let w: Vec<(f64, f64)> = track.get(lo..=hi)?.iter().flatten().copied().collect();
    let place = |pts: &[(f64, f64)]| {
        let x = median_of(&mut pts.iter().map(|p| p.0).collect::<Vec<_>>())?;
        let y = median_of(&mut pts.iter().map(|p| p.1).collect::<Vec<_>>())?;
        Some((x, y))
    };
    let k = w.len().min(SETTLE_FRAMES);
    let (x0, y0) = place(&w[..k])?;
    let (x1, y1) = place(&w[w.len() - k..])?;
    Some((x1 - x0).hypot(y1 - y0))
}

/// Known positions whose median is a point's place (a few frames: one mislabelled frame cannot
/// set it).
const SETTLE_FRAMES: usize = 5;

/// Rise of the world thigh angle over `lo..=hi` (deg): its highest value minus its value at
/// `lo` (or its first known one).
fn thigh_rise(world: &[Option<f64>], lo: usize, hi: usize) -> Option<f64> {
    let w: Vec<f64> = world.get(lo..=hi).unwrap_or(&[]).iter().flatten().copied().collect();
    let first = world.get(lo).copied().flatten().or_else(|| w.first().copied());
    match (w.iter().copied().reduce(f64::max), first) {
        (Some(hi), Some(lo)) => Some(hi - lo),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::PerSide;

    fn base_from(t: Vec<f64>, left: Vec<Option<f64>>, right: Vec<Option<f64>>) -> BaseSignals {
        let n = t.len();
        // The ankle follows the thigh (3 px per degree, torso 100 px).
        let ankle = |e: &Vec<Option<f64>>| e.iter().map(|v| v.map(|v| (100.0 + 3.0 * v, 300.0))).collect();
        BaseSignals {
            ankle_px: PerSide { left: ankle(&left), right: ankle(&right) },
            t,
            rep: PerSide { left: left.clone(), right: right.clone() },
            elevation: PerSide { left, right },
            hip_px: vec![Some((100.0, 100.0)); n],
            torso_px: vec![Some(100.0); n],
            ..Default::default()
        }
    }

    #[test]
    fn counts_reps_with_jitter_and_ignores_small_moves() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let t: Vec<f64> = (0..600).map(|i| i as f64 / 30.0).collect();
        let left: Vec<Option<f64>> = t
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let jitter = if i % 2 == 0 { 0.8 } else { -0.8 };
                let rep = if (3.0..15.0).contains(&t) {
                    let ph = ((t - 3.0) % 3.0) / 2.0;
                    if ph < 1.0 {
                        30.0 * (std::f64::consts::PI * ph).sin()
                    } else {
                        0.0
                    }
                } else if (1.0..1.5).contains(&t) {
                    6.0 // a small set-up shuffle
                } else {
                    0.0
                };
                Some(5.0 + rep + jitter)
            })
            .collect();
        let right = vec![Some(5.0); 600];
        let sets = segment(&base_from(t, left, right), &spec);
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].side, Side::Left);
        assert_eq!(sets[0].reps.iter().filter(|r| !r.partial).count(), 4);
    }

    #[test]
    fn a_rep_whose_return_a_gap_interrupts_is_still_counted() {
        // Three reps of one leg; on the second's way down, once it is past half way, the signal
        // is lost for two frames (a cut the pose model's whole-body flip leaves) and comes back
        // still on its way down, too near the bottom for what is left to make a rep of its own.
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        let t: Vec<f64> = (0..420).map(|i| i as f64 / 30.0).collect();
        let rep_at = |t: f64| {
            let ph = (t - 1.0) % 4.0 / 2.0;
            if (1.0..13.0).contains(&t) && ph < 1.0 {
                40.0 * (std::f64::consts::PI * ph).sin()
            } else {
                0.0
            }
        };
        let mut left: Vec<Option<f64>> = t.iter().map(|&t| Some(2.0 + rep_at(t))).collect();
        // Second rep: 5.0–7.0 s, top at 6.0 s; at 6.7 s (frame 201) the leg is 55 % of the way
        // down, short of where an excursion ends (`split_fraction`).
        left[202] = None;
        left[203] = None;
        let right = vec![Some(2.0); t.len()];
        let sets = segment(&base_from(t, left, right), &spec);
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].reps.iter().filter(|r| !r.partial).count(), 3);
    }

    #[test]
    fn empty_input_has_no_sets() {
        let spec = ExerciseSpec::cable_medius_kickback().unwrap();
        assert!(segment(&BaseSignals::default(), &spec).is_empty());
        let b = base_from(vec![0.0, 0.1], vec![None, None], vec![None, None]);
        assert!(segment(&b, &spec).is_empty());
    }
}
