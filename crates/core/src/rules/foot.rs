//! The standing foot's shift: measured over a whole set's quiet phases, against the set's own
//! landmark noise, with the image and the world landmarks as two witnesses.

use crate::kinematics::{BaseSignals, SideSignals};
use crate::report::Metric;
use crate::reps::RepSegment;
use crate::rules::swing::{frame_interval, SmoothingBlur};
use crate::signal::median_of;
use crate::spec::ExerciseSpec;

/// The standing foot's shift over one rep, judged against its set's own landmark noise.
#[derive(Clone, Debug, PartialEq)]
pub enum FootShift {
    /// Measured.
    Measured {
        /// Horizontal displacement (cm) that persisted, ≥ 0.
        shift_cm: f64,
        /// Smallest shift (cm) the set's landmark noise lets us tell from jitter.
        floor_cm: f64,
        /// Whether a later quiet phase confirmed that the foot stayed where it went.
        confirmed: bool,
    },
    /// The standing foot moved further than a foot length: a step (setting up, walking away),
    /// not a slide of a planted foot; never reported as a foot shift.
    Stepped {
        /// The displacement (cm).
        shift_cm: f64,
    },
    /// Not measurable on this rep, with why.
    Unmeasurable(String),
}

/// Facts about a whole set that single-rep rules need.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SetContext {
    /// Standing-foot shift per rep (same order as the set's reps).
    pub foot: Vec<FootShift>,
    /// How much the smoothing stretches the swing's durations at the clip's frame interval.
    pub(super) swing_blur: SmoothingBlur,
}

impl SetContext {
    /// Measures what needs the whole set: the standing foot's position in every quiet phase.
    ///
    /// A slide of the standing foot persists: the foot stays where it went for the rest of the
    /// set. What the pose model adds does not: landmark jitter, a heel that jumps while the
    /// working leg passes in front of it or rests beside it, camera sway. So positions are
    /// taken only in quiet phases (the bottom between reps), as medians, and:
    /// - in the image, with the vertical motion the foot shares with the trunk taken off: a
    ///   planted foot and the trunk above it keep their heights, so shared vertical motion is the
    ///   camera tilting (hand-held sway); shared horizontal motion is kept, since the body may
    ///   follow a sliding foot. A camera near hip height sees the floor at a grazing angle, so a
    ///   slide towards or away from it moves the foot only a third or so as far in the image;
    /// - as the median of heel, ankle and toe shifts: the foot is rigid, one landmark jumping alone
    ///   is noise;
    /// - confirmed by the quiet phase after the next rep when there is one (a slide persists; a
    ///   landmark that wandered comes back);
    /// - against a noise floor `foot_noise_k`·σ, σ from the spread (MAD) of the foot landmarks
    ///   inside the set's quiet phases; a set whose floor exceeds the check's threshold cannot
    ///   show the fault at all and is reported as not measurable.
    ///
    /// A second, depth-aware witness is read the same way (quiet-phase medians, median of the
    /// three landmarks, persistence, its own noise floor): the foot's horizontal offset from the
    /// standing hip in the world landmarks. The hip stays over the spot the foot left, so the
    /// offset changes by the slide in any direction, along the camera axis too, where the image
    /// barely sees it; it is hip-relative, so camera sway does not reach it (but a whole body
    /// following the foot does, which only the image sees). Its noise differs per axis (depth
    /// is the pose model's weakest) and drifts slowly, so σ per axis is the larger of the
    /// in-phase spread and the spread of the set's phase-to-phase displacements, and its floor
    /// is σ projected on the shift's direction. World landmarks drift where a foot does not, so
    /// this witness counts only when its slide persists and the image agrees: the image
    /// displacement must lie along the one that slide would produce (sideways at full scale,
    /// along the camera axis `reps.foot_depth_image_ratio` of it, vertically) and match it per
    /// axis within the combined noise. The rep's shift is the witness that clears its own bar
    /// (max(threshold, floor)) by more.
    ///
    /// A displacement longer than a foot (`reps.foot_length_cm`) is a step — setting up or
    /// walking away — not a slide, and is never reported as one. (Not the person's own foot
    /// from the world landmarks: seen from behind, the pose models put heel and toe at nearly
    /// the same depth, and the foot reads a few centimetres long.)
    pub fn new(base: &BaseSignals, side: &SideSignals, reps: &[RepSegment], spec: &ExerciseSpec) -> SetContext {
        let m = &spec.measures;
        SetContext {
            foot: foot_shifts(base, side, reps, spec),
            swing_blur: SmoothingBlur::of(
                frame_interval(&base.t),
                &spec.smoothing,
                m.swing_transition,
                m.swing_speed_half_window_s,
            ),
        }
    }
}

/// One quiet window: per foot landmark the median position (px) and its spread (MAD, px,
/// both axes), the trunk's median height (px) and the window's scale (m/px).
struct QuietWindow {
    median_px: [Option<(f64, f64)>; 3],
    mad_px: Vec<f64>,
    trunk_y_px: Option<f64>,
    m_per_px: Option<f64>,
    /// Per foot landmark the median horizontal offset from the standing hip (cm, world x and
    /// depth z), and the spreads (MAD, cm) along x and along z.
    median_w: [Option<(f64, f64)>; 3],
    mad_wx: Vec<f64>,
    mad_wz: Vec<f64>,
}

/// Median and median absolute deviation of the known values (at least three).
fn median_mad(xs: &[Option<f64>]) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = xs.iter().flatten().copied().collect();
    // A median of fewer than three samples is not robust to one jump.
    if v.len() < 3 {
        return None;
    }
    let m = median_of(&mut v)?;
    let mut dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    Some((m, median_of(&mut dev)?))
}

fn quiet_window(base: &BaseSignals, side: &SideSignals, lo: usize, hi: usize) -> QuietWindow {
    let hi = hi.min(base.t.len().saturating_sub(1));
    let slice = |x: &[Option<f64>]| -> Vec<Option<f64>> { x.get(lo..=hi).unwrap_or(&[]).to_vec() };
    let mut median_px = [None; 3];
    let mut mad_px = Vec::new();
    for ((slot, xs), ys) in median_px.iter_mut().zip(&side.support_foot_x_px).zip(&side.support_foot_y_px) {
        let (Some((mx, dx)), Some((my, dy))) = (median_mad(&slice(xs)), median_mad(&slice(ys))) else {
            continue;
        };
        *slot = Some((mx, my));
        mad_px.extend([dx, dy]);
    }
    let mut median_w = [None; 3];
    let (mut mad_wx, mut mad_wz) = (Vec::new(), Vec::new());
    for ((slot, xs), zs) in median_w.iter_mut().zip(&side.support_foot_wx_cm).zip(&side.support_foot_wz_cm) {
        let (Some((mx, dx)), Some((mz, dz))) = (median_mad(&slice(xs)), median_mad(&slice(zs))) else {
            continue;
        };
        *slot = Some((mx, mz));
        mad_wx.push(dx);
        mad_wz.push(dz);
    }
    let trunk_y_px = median_mad(&slice(&base.trunk_y_px)).map(|(m, _)| m);
    let mut sc: Vec<f64> = base.m_per_px.get(lo..=hi).unwrap_or(&[]).iter().flatten().copied().collect();
    QuietWindow { median_px, mad_px, trunk_y_px, m_per_px: median_of(&mut sc), median_w, mad_wx, mad_wz }
}

/// Displacement (cm, world x and depth z) of the standing foot relative to the standing hip
/// from window `a` to window `b`: per axis the median over heel, ankle and toe.
fn world_shift(a: &QuietWindow, b: &QuietWindow) -> Option<(f64, f64)> {
    let pairs: Vec<((f64, f64), (f64, f64))> = (0..3).filter_map(|j| Some((a.median_w[j]?, b.median_w[j]?))).collect();
    let mut dx: Vec<f64> = pairs.iter().map(|(p, q)| q.0 - p.0).collect();
    let mut dz: Vec<f64> = pairs.iter().map(|(p, q)| q.1 - p.1).collect();
    Some((median_of(&mut dx)?, median_of(&mut dz)?))
}

/// One witness's persisting shift over a rep: the displacement `d` from before to after the
/// rep, confirmed (when `c`, the displacement to the quiet phase after the next rep, exists)
/// by how much of it is still there. Returns (shift, confirmed).
fn persisting(d: (f64, f64), c: Option<(f64, f64)>) -> (f64, bool) {
    let len = d.0.hypot(d.1);
    match c {
        Some(c) if len > 1e-9 => {
            let along = (c.0 * d.0 + c.1 * d.1) / len;
            (len.min(along.max(0.0)), true)
        }
        _ => (len, false),
    }
}

/// Displacement (cm, image x and y) of the standing foot from window `a` to window `b`: per axis
/// the median over heel, ankle and toe. Vertically, the trunk's own vertical displacement is
/// taken off: a planted foot and the trunk above it keep their heights, so vertical motion they
/// share is the camera tilting (hand-held sway), never a slide; horizontally it is not, since the
/// whole body may follow a sliding foot.
fn landmark_shift(a: &QuietWindow, b: &QuietWindow) -> Option<(f64, f64)> {
    let scale = match (a.m_per_px, b.m_per_px) {
        (Some(x), Some(y)) => (x + y) / 2.0,
        (x, y) => x.or(y)?,
    };
    let pairs: Vec<((f64, f64), (f64, f64))> =
        (0..3).filter_map(|j| Some((a.median_px[j]?, b.median_px[j]?))).collect();
    let mut dx: Vec<f64> = pairs.iter().map(|(p, q)| q.0 - p.0).collect();
    let mut dy: Vec<f64> = pairs.iter().map(|(p, q)| q.1 - p.1).collect();
    let trunk = match (a.trunk_y_px, b.trunk_y_px) {
        (Some(p), Some(q)) => q - p,
        _ => 0.0,
    };
    Some((median_of(&mut dx)? * scale * 100.0, (median_of(&mut dy)? - trunk) * scale * 100.0))
}

/// Relative uncertainty of `reps.foot_depth_image_ratio` for one camera (the exercise file's
/// range for phones at hip height 2–4 m away, 0.25–0.4 around 0.33, widened for other heights).
const DEPTH_RATIO_SPREAD: f64 = 0.5;

/// See [`SetContext::new`].
fn foot_shifts(base: &BaseSignals, side: &SideSignals, reps: &[RepSegment], spec: &ExerciseSpec) -> Vec<FootShift> {
    if reps.is_empty() || base.t.is_empty() {
        return Vec::new();
    }
    let windows = quiet_windows(base, side, reps, spec);
    let noise = FootNoise::of(&windows, spec);
    (0..reps.len()).map(|k| noise.rep_shift(&windows[k], &windows[k + 1], windows.get(k + 2))).collect()
}

/// The quiet windows of a set (at least one rep, at least one frame): window i before rep i, the
/// last one after the last rep.
fn quiet_windows(base: &BaseSignals, side: &SideSignals, reps: &[RepSegment], spec: &ExerciseSpec) -> Vec<QuietWindow> {
    let t = &base.t;
    let n = t.len();
    let (fw, guard) = (spec.reps.foot_window_s, spec.reps.foot_guard_s);
    let frame_at = |time: f64| t.partition_point(|&x| x < time).min(n - 1);
    let ts = |i: usize| t[i.min(n - 1)];
    // Quiet window i lies before rep i (the last one after the last rep), kept `guard` seconds
    // away from the reps: the working leg is already moving (and may pass the standing foot,
    // dragging its landmarks) a little before segmentation calls the rep's start.
    (0..=reps.len())
        .map(|i| {
            let (lo, hi) = match (i.checked_sub(1).and_then(|k| reps.get(k)), reps.get(i)) {
                (Some(p), Some(r)) => (ts(p.end) + guard, ts(r.start) - guard),
                (None, Some(r)) => (ts(r.start) - guard - fw, ts(r.start) - guard),
                (Some(p), None) => (ts(p.end) + guard, ts(p.end) + guard + fw),
                (None, None) => (0.0, 0.0),
            };
            let (mut lo, mut hi) = (frame_at(lo), frame_at(hi).min(n - 1));
            if hi < lo + 2 {
                // A short rest between reps: its middle frames.
                let mid = match (i.checked_sub(1).and_then(|k| reps.get(k)), reps.get(i)) {
                    (Some(p), Some(r)) => (p.end + r.start) / 2,
                    _ => (lo + hi) / 2,
                };
                (lo, hi) = (mid.saturating_sub(1), (mid + 1).min(n - 1));
            }
            quiet_window(base, side, lo, hi)
        })
        .collect()
}

/// A set's standing-foot noise and the bars a rep's shift is judged against.
struct FootNoise {
    /// The check's threshold (cm), infinite without a check.
    threshold: f64,
    /// How many σ of noise a shift must clear (`reps.foot_noise_k`).
    k_noise: f64,
    /// The image witness's noise floor (cm), if its landmarks were seen.
    floor: Option<f64>,
    /// The world witness's σ (cm) along x and depth z, if seen.
    world_sigma: Option<(f64, f64)>,
    /// A displacement longer than this (cm) is a step (`reps.foot_length_cm`).
    foot_len: f64,
    /// The image's vertical displacement per cm of depth (`reps.foot_depth_image_ratio`).
    ratio: f64,
}

impl FootNoise {
    /// The noise of a set's quiet windows.
    fn of(windows: &[QuietWindow], spec: &ExerciseSpec) -> FootNoise {
        let mut mads: Vec<f64> =
            windows.iter().flat_map(|w| w.mad_px.iter().filter_map(move |d| Some(d * w.m_per_px? * 100.0))).collect();
        // MAD → σ for Gaussian noise.
        let sigma = median_of(&mut mads).map(|m| 1.4826 * m);
        let threshold = spec.check_judging(Metric::SupportFootShift).map_or(f64::INFINITY, |c| c.threshold);
        let k_noise = spec.reps.foot_noise_k;
        let floor = sigma.map(|s| k_noise * s);
        // The world witness: σ per axis (cm) from the quiet phases' spreads.
        let sigma_axis = |f: fn(&QuietWindow) -> &Vec<f64>| {
            let mut v: Vec<f64> = windows.iter().flat_map(|w| f(w).iter().copied()).collect();
            median_of(&mut v).map(|m| 1.4826 * m)
        };
        let within = sigma_axis(|w| &w.mad_wx).zip(sigma_axis(|w| &w.mad_wz));
        // The world landmarks' error drifts slowly, so the spread inside one quiet phase
        // under-reads how far two quiet phases' medians differ on a planted foot; the set's own
        // phase-to-phase displacements (most reps do not slide: median and MAD are robust to the
        // one that does) measure that directly. The larger of the two is the noise.
        let steps: Vec<(f64, f64)> = windows.windows(2).filter_map(|w| world_shift(&w[0], &w[1])).collect();
        let between = |f: fn(&(f64, f64)) -> f64| -> Option<f64> {
            let v: Vec<Option<f64>> = steps.iter().map(|d| Some(f(d))).collect();
            // Fewer than three steps (a set of one or two reps) cannot tell drift from a slide.
            median_mad(&v).map(|(_, mad)| 1.4826 * mad / std::f64::consts::SQRT_2)
        };
        let world_sigma = within.map(|(wx, wz)| {
            let (bx, bz) = (between(|d| d.0).unwrap_or(0.0), between(|d| d.1).unwrap_or(0.0));
            (wx.max(bx), wz.max(bz))
        });
        FootNoise {
            threshold,
            k_noise,
            floor,
            world_sigma,
            foot_len: spec.reps.foot_length_cm,
            ratio: spec.reps.foot_depth_image_ratio,
        }
    }

    /// The standing foot's shift over one rep, from the quiet windows `before` and `after` it
    /// (and `later`, after the next rep, to confirm it persisted).
    fn rep_shift(&self, before: &QuietWindow, after: &QuietWindow, later: Option<&QuietWindow>) -> FootShift {
        let image_d = landmark_shift(before, after);
        let world_d = world_shift(before, after);
        // Further than the foot is long: a step, not a slide.
        let moved = [image_d, world_d].into_iter().flatten().map(|d| d.0.hypot(d.1)).fold(0.0, f64::max);
        if moved > self.foot_len {
            return FootShift::Stepped { shift_cm: moved };
        }
        // A slide persists: the quiet phase after the next rep must still show it (its
        // displacement from before this rep, along this rep's shift).
        let image = self.floor.filter(|f| *f <= self.threshold).zip(image_d).map(|(floor, d)| {
            let c = later.and_then(|w| landmark_shift(before, w));
            (persisting(d, c), floor)
        });
        let world =
            self.world_sigma.zip(world_d).and_then(|(sigma, d)| self.world_witness(d, sigma, image_d, before, later));
        // Each witness against its own bar; the one clearing it by more decides.
        let margin = |w: &((f64, bool), f64)| w.0 .0 - w.1.max(self.threshold);
        let best = match (image, world) {
            (Some(a), Some(b)) => Some(if margin(&b) > margin(&a) { b } else { a }),
            (a, b) => a.or(b),
        };
        if let Some(((shift_cm, confirmed), floor_cm)) = best {
            return FootShift::Measured { shift_cm, floor_cm, confirmed };
        }
        let threshold = self.threshold;
        match self.floor {
            None => FootShift::Unmeasurable("the standing foot was not visible between reps".into()),
            Some(f) if f > threshold => FootShift::Unmeasurable(format!(
                "the standing foot's landmarks jitter too much in this set (±{f:.1} cm) to tell a {threshold:.0} cm slide from noise"
            )),
            Some(_) => FootShift::Unmeasurable("the standing foot was not visible before and after the rep".into()),
        }
    }

    /// The world witness's persisting shift `d` (cm; its σ per axis `sigma`) and its bar, if
    /// the image displacement `image_d` confirms it.
    fn world_witness(
        &self,
        d: (f64, f64),
        sigma: (f64, f64),
        image_d: Option<(f64, f64)>,
        before: &QuietWindow,
        later: Option<&QuietWindow>,
    ) -> Option<((f64, bool), f64)> {
        let (sx, sz) = sigma;
        let c = later.and_then(|w| world_shift(before, w));
        let (shift, confirmed) = persisting(d, c);
        // The world landmarks drift more than the image ones and alone would raise false
        // alarms: their slide must persist, and the image must show the foot moving the
        // way that slide would move it (across the image as much as the slide goes
        // across, up or down by `ratio` of what it goes away or closer) by at least one
        // σ of the image's noise. A witness whose floor is above the threshold still
        // tells the larger slides (its bar is max(threshold, floor)).
        let (di, sigma_img) = (image_d?, self.floor? / self.k_noise);
        let u = (d.0, -self.ratio * d.1);
        let ul = u.0.hypot(u.1);
        if !confirmed || ul < 1e-9 || (di.0 * u.0 + di.1 * u.1) / ul < sigma_img {
            return None;
        }
        // Nor may the image contradict it: what it shows must match what that slide
        // would show, per axis within the two witnesses' combined noise (a world slide
        // sideways that the image, which sees sideways at full scale, does not show is
        // the world landmarks drifting).
        // Vertically the ratio itself is uncertain (camera height and distance vary):
        // ± `DEPTH_RATIO_SPREAD` of it counts as noise too.
        let fits = |res: f64, sw: f64| res.abs() <= self.k_noise * sigma_img.hypot(sw);
        let sy = (self.ratio * sz).hypot(DEPTH_RATIO_SPREAD * self.ratio * d.1);
        if !(fits(di.0 - u.0, sx) && fits(di.1 - u.1, sy)) {
            return None;
        }
        let len = d.0.hypot(d.1);
        // σ projected on the shift's direction.
        let s = (d.0 / len * sx).hypot(d.1 / len * sz);
        Some(((shift, confirmed), self.k_noise * s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::kinematics::Side;

    /// A set of 4 reps at 30 frames/s: rep k spans 1.0 + 2.5k … 2.5 + 2.5k s, with quiet
    /// bottoms in between; 2 mm per pixel; the standing foot at x = 300 px, y = 900 px, the
    /// trunk at y = 500 px. `foot(frame, landmark) -> (dx, dy)` and `trunk(frame) -> dy`
    /// disturb them.
    fn foot_set(
        foot: impl Fn(usize, usize) -> (f64, f64),
        trunk: impl Fn(usize) -> f64,
    ) -> (BaseSignals, SideSignals, Vec<RepSegment>) {
        let n = 12 * 30;
        let t: Vec<f64> = (0..n).map(|i| i as f64 / 30.0).collect();
        let reps: Vec<RepSegment> = (0..4)
            .map(|k| {
                let start = 30 + 75 * k;
                RepSegment {
                    side: Side::Left,
                    start,
                    pause_start: start + 20,
                    peak: start + 22,
                    pause_end: start + 25,
                    end: start + 45,
                    amplitude_deg: 40.0,
                    partial: false,
                    thigh_rise_deg: Some(40.0),
                    ankle_travel: 0.3,
                }
            })
            .collect();
        let base = BaseSignals {
            t,
            m_per_px: vec![Some(0.002); n],
            trunk_y_px: (0..n).map(|i| Some(500.0 + trunk(i))).collect(),
            ..Default::default()
        };
        let mut side = SideSignals::unknown(Side::Left, 0);
        for j in 0..3 {
            side.support_foot_x_px[j] = (0..n).map(|i| Some(300.0 + 10.0 * j as f64 + foot(i, j).0)).collect();
            side.support_foot_y_px[j] = (0..n).map(|i| Some(900.0 + foot(i, j).1)).collect();
        }
        (base, side, reps)
    }

    fn spec() -> ExerciseSpec {
        ExerciseSpec::cable_medius_kickback().expect("embedded spec")
    }

    fn shifts(ctx: &SetContext) -> Vec<Option<f64>> {
        ctx.foot
            .iter()
            .map(|f| match f {
                FootShift::Measured { shift_cm, .. } => Some(*shift_cm),
                FootShift::Stepped { .. } | FootShift::Unmeasurable(_) => None,
            })
            .collect()
    }

    /// Small deterministic jitter (px) in [-1, 1].
    fn jitter(i: usize, j: usize) -> f64 {
        (((i * 7919 + j * 104_729) % 1000) as f64 / 500.0) - 1.0
    }

    #[test]
    fn transient_heel_jitter_on_a_clean_set_is_not_a_foot_shift() {
        // The working leg passing drags all three landmarks 30 px (6 cm) for the first and last
        // 10 frames of every rep, and the heel alone sits 25 px (5 cm) off for a whole bottom
        // phase (a hidden heel the model misplaced), on top of ±1 px jitter.
        let (base, side, reps) = foot_set(
            |i, j| {
                let in_rep = |k: usize| {
                    let s = 30 + 75 * k;
                    (s..s + 10).contains(&i) || (s + 35..s + 45).contains(&i)
                };
                let passing = (0..4).any(in_rep);
                let hidden_heel = j == 0 && (150..180).contains(&i);
                let dx = if passing { 30.0 } else { 0.0 } + if hidden_heel { 25.0 } else { 0.0 };
                (dx + jitter(i, j), jitter(i + 1, j))
            },
            |_| 0.0,
        );
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        for s in shifts(&ctx) {
            let s = s.expect("measurable");
            assert!(s < 1.0, "{:?}", ctx.foot);
        }
    }

    #[test]
    fn a_persistent_slide_is_found_on_its_rep_only() {
        // 30 px = 6 cm sideways during rep 1 (frames 105..150), staying there.
        let (base, side, reps) = foot_set(
            |i, j| {
                let a = ((i as f64 - 105.0) / 45.0).clamp(0.0, 1.0);
                (30.0 * a + jitter(i, j), jitter(i + 3, j))
            },
            |_| 0.0,
        );
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        let s = shifts(&ctx);
        assert!(s[1].is_some_and(|v| (v - 6.0).abs() < 0.6), "{s:?}");
        for k in [0, 2, 3] {
            assert!(s[k].is_some_and(|v| v < 1.0), "{s:?}");
        }
        assert!(matches!(ctx.foot[1], FootShift::Measured { confirmed: true, .. }));
    }

    #[test]
    fn a_landmark_that_wanders_back_is_not_a_slide() {
        // All three landmarks 25 px off during the bottom after rep 0 only, back afterwards.
        let (base, side, reps) =
            foot_set(|i, j| (if (75..105).contains(&i) { 25.0 } else { 0.0 } + jitter(i, j), 0.0), |_| 0.0);
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        let s = shifts(&ctx);
        assert!(s[0].is_some_and(|v| v < 1.0), "{s:?}");
    }

    #[test]
    fn camera_tilt_moving_foot_and_trunk_together_is_not_a_slide() {
        // The whole picture drifts 25 px (5 cm) down and back up over the set.
        let sway = |i: usize| 25.0 * (i as f64 / 360.0 * std::f64::consts::PI).sin();
        let (base, side, reps) = foot_set(|i, j| (jitter(i, j), sway(i) + jitter(i + 5, j)), sway);
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        for s in shifts(&ctx) {
            assert!(s.is_some_and(|v| v < 1.0), "{:?}", ctx.foot);
        }
    }

    #[test]
    fn a_foot_too_noisy_to_see_a_slide_is_not_measurable() {
        // ±20 px (4 cm) jitter: no 3 cm slide can be told from it.
        let (base, side, reps) = foot_set(|i, j| (20.0 * jitter(i, j), 20.0 * jitter(i + 11, j)), |_| 0.0);
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        assert!(ctx.foot.iter().all(|f| matches!(f, FootShift::Unmeasurable(why) if why.contains("jitter"))));
    }

    /// Adds world landmarks of the standing foot to a [`foot_set`]: heel 5 cm behind the ankle,
    /// toe 18 cm ahead along the camera axis (a 23 cm foot seen from behind), each moved by
    /// `world(frame, landmark) -> (dx, dz)` cm.
    fn with_world(side: &mut SideSignals, n: usize, world: impl Fn(usize, usize) -> (f64, f64)) {
        for (j, z0) in [-5.0, 0.0, 18.0].into_iter().enumerate() {
            side.support_foot_wx_cm[j] = (0..n).map(|i| Some(-9.0 + world(i, j).0)).collect();
            side.support_foot_wz_cm[j] = (0..n).map(|i| Some(z0 + world(i, j).1)).collect();
        }
    }

    /// Ramp from 0 to 1 over rep 1 (frames 105..150).
    fn over_rep_1(i: usize) -> f64 {
        ((i as f64 - 105.0) / 45.0).clamp(0.0, 1.0)
    }

    #[test]
    fn a_slide_along_the_camera_axis_is_found_by_the_world_witness() {
        // 8 cm away from the camera during rep 1: the world landmarks see 8 cm of depth; the
        // image only a third of it, upwards (13 px = 2.7 cm, under the 3 cm threshold alone).
        let (base, mut side, reps) = foot_set(|i, j| (jitter(i, j), -13.3 * over_rep_1(i) + jitter(i + 3, j)), |_| 0.0);
        let n = base.t.len();
        with_world(&mut side, n, |i, j| (0.8 * jitter(i + 7, j), 8.0 * over_rep_1(i) + 1.5 * jitter(i + 13, j)));
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        let s = shifts(&ctx);
        assert!(s[1].is_some_and(|v| (v - 8.0).abs() < 1.0), "{:?}", ctx.foot);
        for k in [0, 2, 3] {
            assert!(s[k].is_some_and(|v| v < 3.0), "{:?}", ctx.foot);
        }
    }

    #[test]
    fn world_drift_the_image_does_not_confirm_is_not_a_slide() {
        // The world landmarks report the same 8 cm of depth, but the image foot stays put: the
        // pose model's depth drifted, the foot did not move.
        let (base, mut side, reps) = foot_set(|i, j| (jitter(i, j), jitter(i + 3, j)), |_| 0.0);
        let n = base.t.len();
        with_world(&mut side, n, |i, j| (0.8 * jitter(i + 7, j), 8.0 * over_rep_1(i) + 1.5 * jitter(i + 13, j)));
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        for s in shifts(&ctx) {
            assert!(s.is_some_and(|v| v < 1.0), "{:?}", ctx.foot);
        }
    }

    #[test]
    fn moving_further_than_a_foot_length_is_a_step_not_a_slide() {
        // 40 cm (200 px) sideways during rep 1: walking off, with or without world landmarks.
        let (base, mut side, reps) = foot_set(|i, j| (200.0 * over_rep_1(i) + jitter(i, j), jitter(i + 3, j)), |_| 0.0);
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        assert!(matches!(ctx.foot[1], FootShift::Stepped { shift_cm } if shift_cm > 35.0), "{:?}", ctx.foot);
        let n = base.t.len();
        with_world(&mut side, n, |i, j| (40.0 * over_rep_1(i) + 0.5 * jitter(i + 7, j), 0.5 * jitter(i + 13, j)));
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        assert!(matches!(ctx.foot[1], FootShift::Stepped { .. }), "{:?}", ctx.foot);
        assert!(shifts(&ctx)[0].is_some_and(|v| v < 1.0), "{:?}", ctx.foot);
    }

    #[test]
    fn a_world_slide_sideways_the_image_does_not_show_is_not_a_slide() {
        // Seen in a rendered clip: the world landmarks put the foot 2.5 cm sideways and 2 cm
        // away after the set-up; the image, which sees sideways at full scale, shows it 2 cm
        // higher but not sideways at all. The image moved the right way vertically, yet it
        // contradicts the sideways part: drift, not a slide.
        let (base, mut side, reps) =
            foot_set(|i, j| (0.3 * jitter(i, j), -10.0 * over_rep_1(i) + 0.3 * jitter(i + 3, j)), |_| 0.0);
        let n = base.t.len();
        with_world(&mut side, n, |i, j| {
            (-4.0 * over_rep_1(i) + 0.3 * jitter(i + 7, j), 3.0 * over_rep_1(i) + 0.4 * jitter(i + 13, j))
        });
        let ctx = SetContext::new(&base, &side, &reps, &spec());
        let s = shifts(&ctx);
        assert!(s[1].is_some_and(|v| v < 3.0), "{:?}", ctx.foot);
    }
}
