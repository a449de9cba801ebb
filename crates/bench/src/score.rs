//! Scoring reports against rendered ground truth by the reference rules (the same rules as
//! `../shared/tools/score/score_rendered.py`, so the two agree clip for clip):
//! - reps are paired by time overlap (greatest overlap first, more than 30 % of the true rep,
//!   each used once) and must have the same working leg;
//! - a clip's rep count is exact when every leg has as many reps as the truth;
//! - a check is scored in a clip when the view class shows it or the report measured it there;
//!   a check the view shows but the report calls not measurable counts against coverage;
//! - a fault on a rep that pairs with no true rep is a false alarm;
//! - a clean true rep that pairs is flagged when any scored check faulted on it.
//!
//! Counts are kept per view class (side, back, front, oblique) so each class can be judged.

use crate::eval::Confusion;
use crate::truth::GroundTruth;
use formcheck_core::kickback::{
    LEG_PATH_SIDEWAYS, LOW_BACK_ARCH, PELVIS_HIKE, PELVIS_ROTATION, SUPPORT_FOOT_SHIFT, SUPPORT_KNEE_LOCKED,
    SUPPORT_KNEE_UNSTABLE, SWING, TORSO_LEAN_AWAY, TORSO_LEAN_FORWARD,
};
use formcheck_core::kinematics::Side;
use formcheck_core::report::{RepReport, Report, Status};
use formcheck_core::spec::{CheckId, View};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Camera positions grouped as a 2D camera sees the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ViewClass {
    /// From behind.
    Back,
    /// From the front.
    Front,
    /// Side-on, either leg nearer.
    Side,
    /// 45°, behind or in front.
    Oblique,
}

impl ViewClass {
    /// All classes.
    pub const ALL: [ViewClass; 4] = [ViewClass::Side, ViewClass::Back, ViewClass::Front, ViewClass::Oblique];

    /// The class of a renderer camera view name (`oblique_back_working` → oblique).
    pub fn of(view: &str) -> ViewClass {
        if view.starts_with("oblique") {
            ViewClass::Oblique
        } else if view.starts_with("side") {
            ViewClass::Side
        } else if view == "front" {
            ViewClass::Front
        } else {
            ViewClass::Back
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewClass::Back => "back",
            ViewClass::Front => "front",
            ViewClass::Side => "side",
            ViewClass::Oblique => "oblique",
        }
    }
}

/// The checks the reference scores (a torso twist has no label in the renderer).
pub const SCORED: [CheckId; 10] = [
    LEG_PATH_SIDEWAYS,
    LOW_BACK_ARCH,
    PELVIS_HIKE,
    PELVIS_ROTATION,
    SUPPORT_FOOT_SHIFT,
    SUPPORT_KNEE_LOCKED,
    SUPPORT_KNEE_UNSTABLE,
    SWING,
    TORSO_LEAN_AWAY,
    TORSO_LEAN_FORWARD,
];

/// The check a renderer fault label stands for.
pub fn label_check(label: &str) -> Option<CheckId> {
    crate::eval::sample_label_check(label)
}

/// Whether a 2D camera in this class of view can show the check (where a report may not call
/// it not measurable without losing coverage).
pub fn shown(check: CheckId, class: ViewClass) -> bool {
    use ViewClass::*;
    match check {
        TORSO_LEAN_FORWARD | LOW_BACK_ARCH => matches!(class, Side | Oblique),
        SUPPORT_KNEE_UNSTABLE | SUPPORT_KNEE_LOCKED => matches!(class, Side | Oblique),
        TORSO_LEAN_AWAY | PELVIS_HIKE | LEG_PATH_SIDEWAYS => {
            matches!(class, Back | Front | Oblique)
        }
        PELVIS_ROTATION => class == Oblique,
        SWING | SUPPORT_FOOT_SHIFT => true,
        // the torso twist has no label; no other exercise is scored against the renderer
        _ => false,
    }
}

/// One clip's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct ClipOutcome {
    /// Clip name.
    pub name: String,
    /// View class.
    pub class: ViewClass,
    /// True reps.
    pub truth_reps: usize,
    /// Full reps in the report.
    pub our_reps: usize,
    /// True reps paired with one of ours.
    pub paired: usize,
    /// Whether each leg's count was exact.
    pub reps_exact: bool,
    /// Misses and false alarms, `rep2:missed:swing` style.
    pub notes: Vec<String>,
}

/// Scores accumulated over clips.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    /// Per clip, in the order scored.
    pub clips: Vec<ClipOutcome>,
    /// Per (check, view class) counts.
    pub cells: BTreeMap<(CheckId, ViewClass), Confusion>,
    /// Clean true reps that paired, per class.
    pub clean_reps: BTreeMap<ViewClass, usize>,
    /// Of those, flagged with a scored check.
    pub clean_flagged: BTreeMap<ViewClass, usize>,
    /// Of those, given any cue at all (a torso twist included).
    pub clean_cued: BTreeMap<ViewClass, usize>,
    /// Per class: (check, rep) pairs the view shows, and of those not measurable.
    pub coverage: BTreeMap<ViewClass, (usize, usize)>,
    /// Checks reported borderline on at least one rep, per class (for the record).
    pub borderline_reps: BTreeMap<ViewClass, usize>,
}

fn full_reps(report: &Report) -> Vec<(&RepReport, Side)> {
    report.sets.iter().flat_map(|s| s.reps.iter().filter(|r| !r.partial).map(move |r| (r, s.side))).collect()
}

/// True rep index → our rep index, and our reps left unpaired (the reference's pairing).
fn pair(truth: &GroundTruth, ours: &[(&RepReport, Side)]) -> (BTreeMap<usize, usize>, Vec<usize>) {
    let mut cand: Vec<(f64, usize, usize)> = Vec::new();
    for (i, g) in truth.reps.iter().enumerate() {
        let (gs, ge) = (g.start as f64 / truth.fps, g.end as f64 / truth.fps);
        for (j, (o, _)) in ours.iter().enumerate() {
            let ov = ge.min(o.end_s) - gs.max(o.start_s);
            if ov > 0.3 * (ge - gs) {
                cand.push((ov, i, j));
            }
        }
    }
    // Python sorts the tuples descending: overlap, then true index, then ours.
    cand.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    let (mut used_g, mut used_o) = (vec![false; truth.reps.len()], vec![false; ours.len()]);
    let mut out = BTreeMap::new();
    for (_, i, j) in cand {
        if used_g[i] || used_o[j] || ours[j].1 != truth.reps[i].working_leg {
            continue;
        }
        used_g[i] = true;
        used_o[j] = true;
        out.insert(i, j);
    }
    let unpaired = (0..ours.len()).filter(|j| !used_o[*j]).collect();
    (out, unpaired)
}

/// Our full reps paired with the true ones by the reference rules: (true rep index, our rep,
/// the view our set was judged from).
pub fn paired<'a>(report: &'a Report, truth: &GroundTruth) -> Vec<(usize, &'a RepReport, Option<View>)> {
    let ours: Vec<(&RepReport, Side, Option<View>)> = report
        .sets
        .iter()
        .flat_map(|s| s.reps.iter().filter(|r| !r.partial).map(move |r| (r, s.side, s.view)))
        .collect();
    let sided: Vec<(&RepReport, Side)> = ours.iter().map(|(r, s, _)| (*r, *s)).collect();
    let (matched, _) = pair(truth, &sided);
    matched.into_iter().map(|(i, j)| (i, ours[j].0, ours[j].2)).collect()
}

impl Scores {
    /// Scores one clip's report.
    pub fn add(&mut self, report: &Report, truth: &GroundTruth) {
        let ours = full_reps(report);
        let (matched, unpaired) = pair(truth, &ours);
        let class = ViewClass::of(&truth.view);
        let count = |leg: Side| truth.reps.iter().filter(|r| r.working_leg == leg).count();
        let ours_of = |leg: Side| ours.iter().filter(|(_, s)| *s == leg).count();
        let legs: Vec<Side> = truth.reps.iter().map(|r| r.working_leg).collect();
        let reps_exact = ours.len() == truth.reps.len() && legs.iter().all(|l| ours_of(*l) == count(*l));
        let status: BTreeMap<CheckId, Status> = report.checks.iter().map(|c| (c.check, c.status)).collect();
        let mut notes = Vec::new();
        for (i, g) in truth.reps.iter().enumerate() {
            let got = matched.get(&i).map(|&j| ours[j].0);
            let flagged: Vec<CheckId> = got.map(|o| o.faults.iter().map(|f| f.check).collect()).unwrap_or_default();
            let truth_checks: Vec<CheckId> =
                g.labels.iter().filter(|(_, l)| l.present).filter_map(|(k, _)| label_check(k)).collect();
            if truth_checks.is_empty() && got.is_some() {
                *self.clean_reps.entry(class).or_default() += 1;
                if flagged.iter().any(|c| SCORED.contains(c)) {
                    *self.clean_flagged.entry(class).or_default() += 1;
                }
                if !flagged.is_empty() {
                    *self.clean_cued.entry(class).or_default() += 1;
                }
            }
            if got.is_some_and(|o| !o.borderline.is_empty()) {
                *self.borderline_reps.entry(class).or_default() += 1;
            }
            for c in SCORED {
                let show = shown(c, class);
                if status.get(&c) == Some(&Status::NotMeasurable) {
                    if show {
                        let cov = self.coverage.entry(class).or_default();
                        cov.0 += 1;
                        cov.1 += 1;
                    }
                    continue;
                }
                if show {
                    self.coverage.entry(class).or_default().0 += 1;
                }
                let (t, f) = (truth_checks.contains(&c), flagged.contains(&c));
                let cell = self.cells.entry((c, class)).or_default();
                match (t, f) {
                    (true, true) => cell.tp += 1,
                    (false, true) => cell.fp += 1,
                    (true, false) => cell.fn_ += 1,
                    (false, false) => cell.tn += 1,
                }
                if t != f {
                    notes.push(format!("rep{}:{}:{}", i + 1, if t { "missed" } else { "false" }, c.as_str()));
                }
            }
        }
        for &j in &unpaired {
            let (o, side) = ours[j];
            for f in &o.faults {
                if SCORED.contains(&f.check) {
                    self.cells.entry((f.check, class)).or_default().fp += 1;
                }
            }
            notes.push(format!("extra rep {:.1}-{:.1}s ({})", o.start_s, o.end_s, side.as_str()));
        }
        self.clips.push(ClipOutcome {
            name: truth.name.clone(),
            class,
            truth_reps: truth.reps.len(),
            our_reps: ours.len(),
            paired: matched.len(),
            reps_exact,
            notes,
        });
    }

    /// Counts of one check over all classes.
    pub fn check_total(&self, check: CheckId) -> Confusion {
        let mut c = Confusion::default();
        for v in self.cells.iter().filter(|((k, _), _)| *k == check).map(|(_, v)| v) {
            c.add(v);
        }
        c
    }

    /// Fraction of clips with every leg's rep count exact.
    pub fn reps_exact_rate(&self) -> f64 {
        ratio(self.clips.iter().filter(|c| c.reps_exact).count(), self.clips.len())
    }

    fn sum(map: &BTreeMap<ViewClass, usize>) -> usize {
        map.values().sum()
    }

    /// Fraction of paired clean reps flagged with a scored check.
    pub fn clean_flag_rate(&self) -> f64 {
        ratio(Self::sum(&self.clean_flagged), Self::sum(&self.clean_reps))
    }

    /// Fraction of the (check, rep) pairs a view shows that were measured (ok, fault or borderline).
    pub fn coverage_rate(&self) -> f64 {
        let (need, miss) = self.coverage.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        if need == 0 {
            0.0
        } else {
            1.0 - miss as f64 / need as f64
        }
    }

    /// F1 by the reference's rule: `None` when no rep had the fault.
    pub fn f1(c: &Confusion) -> Option<f64> {
        (c.tp + c.fn_ > 0).then(|| if c.tp == 0 { 0.0 } else { c.f1() })
    }

    /// Mean F1 over the checks that had a fault somewhere.
    pub fn macro_f1(&self) -> f64 {
        let f: Vec<f64> = SCORED.iter().filter_map(|c| Self::f1(&self.check_total(*c))).collect();
        if f.is_empty() {
            0.0
        } else {
            f.iter().sum::<f64>() / f.len() as f64
        }
    }

    /// The lowest F1 over (check, class) cells that had a fault, with where.
    pub fn worst_cell(&self) -> Option<(CheckId, ViewClass, f64)> {
        self.cells
            .iter()
            .filter_map(|((c, v), conf)| Some((*c, *v, Self::f1(conf)?)))
            .min_by(|a, b| a.2.total_cmp(&b.2))
    }

    /// The reference's summary line.
    pub fn headline(&self, label: &str) -> String {
        format!(
            "{label} {} clips: reps exact {:.2} (goal .97), macro F1 {:.2} (goal .90), clean reps flagged {:.2} (goal <= .03), measurable coverage {:.2} (goal .95)",
            self.clips.len(),
            self.reps_exact_rate(),
            self.macro_f1(),
            self.clean_flag_rate(),
            self.coverage_rate()
        )
    }

    /// A plain-text table: per check the totals and the F1 per view class, then per class the
    /// rep counts, clean-rep false alarms and coverage.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = write!(s, "{:<22} {:>4} {:>4} {:>4} {:>5}", "check", "tp", "fp", "fn", "F1");
        for v in ViewClass::ALL {
            let _ = write!(s, " {:>8}", v.as_str());
        }
        s.push('\n');
        let cell = |f: Option<f64>| f.map_or_else(|| "-".to_string(), |f| format!("{f:.2}"));
        for c in SCORED {
            let t = self.check_total(c);
            let _ = write!(s, "{:<22} {:>4} {:>4} {:>4} {:>5}", c.as_str(), t.tp, t.fp, t.fn_, cell(Self::f1(&t)));
            for v in ViewClass::ALL {
                let f = self.cells.get(&(c, v)).and_then(Self::f1);
                let _ = write!(s, " {:>8}", cell(f));
            }
            s.push('\n');
        }
        let _ =
            writeln!(s, "{:<10} {:>6} {:>11} {:>14} {:>9}", "view", "clips", "reps exact", "clean flagged", "coverage");
        for v in ViewClass::ALL {
            let clips: Vec<&ClipOutcome> = self.clips.iter().filter(|c| c.class == v).collect();
            if clips.is_empty() {
                continue;
            }
            let exact = clips.iter().filter(|c| c.reps_exact).count();
            let (clean, flagged) =
                (self.clean_reps.get(&v).copied().unwrap_or(0), self.clean_flagged.get(&v).copied().unwrap_or(0));
            let (need, miss) = self.coverage.get(&v).copied().unwrap_or((0, 0));
            let _ = writeln!(
                s,
                "{:<10} {:>6} {:>5}/{:<5} {:>6}/{:<7} {:>8.1}%",
                v.as_str(),
                clips.len(),
                exact,
                clips.len(),
                flagged,
                clean,
                100.0 * (1.0 - ratio(miss, need))
            );
        }
        s
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_classes() {
        assert_eq!(ViewClass::of("oblique_back_support"), ViewClass::Oblique);
        assert_eq!(ViewClass::of("side_working"), ViewClass::Side);
        assert_eq!(ViewClass::of("front"), ViewClass::Front);
        assert_eq!(ViewClass::of("back"), ViewClass::Back);
        assert!(shown(PELVIS_HIKE, ViewClass::Oblique));
        assert!(!shown(PELVIS_HIKE, ViewClass::Side));
    }

    #[test]
    fn reference_f1_rule() {
        assert_eq!(Scores::f1(&Confusion { tp: 0, fp: 3, fn_: 0, tn: 9 }), None);
        assert_eq!(Scores::f1(&Confusion { tp: 0, fp: 0, fn_: 2, tn: 9 }), Some(0.0));
        let f = Scores::f1(&Confusion { tp: 8, fp: 2, fn_: 2, tn: 0 }).unwrap();
        assert!((f - 0.8).abs() < 1e-9);
    }
}
