//! Temporal smoothing as MediaPipe does it for pose: a One Euro filter per coordinate
//! (`mediapipe/util/filtering/one_euro_filter.cc`, `low_pass_filter.cc`), applied to landmark
//! lists by `LandmarksSmoothingCalculator`, and a low-pass filter on visibility
//! (`VisibilitySmoothingCalculator`). Settings are in
//! `mediapipe/modules/pose_landmark/pose_landmark_filtering.pbtxt`.

/// One Euro filter settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneEuroSettings {
    /// Minimum cutoff frequency (Hz).
    pub min_cutoff: f64,
    /// Speed coefficient.
    pub beta: f64,
    /// Cutoff frequency for the derivative (Hz).
    pub derivate_cutoff: f64,
    /// Filter raw values, not values divided by the object scale.
    pub disable_value_scaling: bool,
}

/// `OneEuroFilterOptions.frequency` default (30 Hz), the rate assumed before two timestamps are seen.
const DEFAULT_FREQUENCY: f64 = 30.0;
/// `min_allowed_object_scale` default (1e-6): below it smoothing is skipped.
const MIN_ALLOWED_OBJECT_SCALE: f32 = 1e-6;

/// Image landmarks: `min_cutoff: 0.05, beta: 80.0, derivate_cutoff: 1.0` (pose_landmark_filtering.pbtxt).
pub const LANDMARKS_FILTER: OneEuroSettings =
    OneEuroSettings { min_cutoff: 0.05, beta: 80.0, derivate_cutoff: 1.0, disable_value_scaling: false };
/// World landmarks: `min_cutoff: 0.1, beta: 40.0, derivate_cutoff: 1.0, disable_value_scaling: true`.
pub const WORLD_FILTER: OneEuroSettings =
    OneEuroSettings { min_cutoff: 0.1, beta: 40.0, derivate_cutoff: 1.0, disable_value_scaling: true };
/// Auxiliary (ROI) landmarks: `min_cutoff: 0.01, beta: 10.0, derivate_cutoff: 1.0`.
pub const AUX_FILTER: OneEuroSettings =
    OneEuroSettings { min_cutoff: 0.01, beta: 10.0, derivate_cutoff: 1.0, disable_value_scaling: false };
/// Visibility low-pass `alpha: 0.1`.
pub const VISIBILITY_ALPHA: f32 = 0.1;

/// Exponential low-pass filter with MediaPipe's float state.
#[derive(Clone, Copy, Debug, Default)]
pub struct LowPassFilter {
    raw: f32,
    stored: f32,
    initialized: bool,
}

impl LowPassFilter {
    /// Filters `value` with smoothing factor `alpha` (1 = no smoothing). The first value passes.
    pub fn apply(&mut self, value: f32, alpha: f32) -> f32 {
        let result = if self.initialized {
            alpha * value + (1.0 - alpha) * self.stored
        } else {
            self.initialized = true;
            value
        };
        self.raw = value;
        self.stored = result;
        result
    }

    /// The last unfiltered input, if any.
    pub fn last_raw(&self) -> Option<f32> {
        self.initialized.then_some(self.raw)
    }
}

/// A One Euro filter on one scalar signal.
#[derive(Clone, Copy, Debug)]
pub struct OneEuroFilter {
    settings: OneEuroSettings,
    frequency: f64,
    last_time_ns: i64,
    x: LowPassFilter,
    dx: LowPassFilter,
}

impl OneEuroFilter {
    /// A fresh filter.
    pub fn new(settings: OneEuroSettings) -> Self {
        OneEuroFilter {
            settings,
            frequency: DEFAULT_FREQUENCY,
            last_time_ns: 0,
            x: LowPassFilter::default(),
            dx: LowPassFilter::default(),
        }
    }

    fn alpha(&self, cutoff: f64) -> f64 {
        let te = 1.0 / self.frequency;
        let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
        1.0 / (1.0 + tau / te)
    }

    /// Filters `value` observed at `t_ns` (nanoseconds). `value_scale` multiplies the derivative
    /// (1 / object size). A timestamp not after the previous one returns `value` untouched, as
    /// MediaPipe does — including a first timestamp of 0.
    pub fn apply(&mut self, t_ns: i64, value_scale: f64, value: f64) -> f64 {
        if self.last_time_ns >= t_ns {
            return value;
        }
        if self.last_time_ns != 0 && t_ns != 0 {
            self.frequency = 1.0 / ((t_ns - self.last_time_ns) as f64 * 1e-9);
        }
        self.last_time_ns = t_ns;
        let dvalue = match self.x.last_raw() {
            Some(last) => (value - last as f64) * value_scale * self.frequency,
            None => 0.0,
        };
        let edvalue = self.dx.apply(dvalue as f32, self.alpha(self.settings.derivate_cutoff) as f32) as f64;
        let cutoff = self.settings.min_cutoff + self.settings.beta * edvalue.abs();
        self.x.apply(value as f32, self.alpha(cutoff) as f32) as f64
    }
}

/// One Euro filters for a fixed-size list of 3D points (`LandmarksSmoothingCalculator`).
#[derive(Clone, Debug)]
pub struct PointsSmoother {
    settings: OneEuroSettings,
    filters: Vec<[OneEuroFilter; 3]>,
}

impl PointsSmoother {
    /// A smoother with no state.
    pub fn new(settings: OneEuroSettings) -> Self {
        PointsSmoother { settings, filters: Vec::new() }
    }

    /// Forgets all state (MediaPipe resets when a frame has no landmarks).
    pub fn reset(&mut self) {
        self.filters.clear();
    }

    /// Smooths `points` in place. Coordinates must be in absolute units (pixels, with z scaled
    /// like x, for image landmarks; metres for world landmarks). `object_scale` is the object size
    /// in the same units; it is ignored when value scaling is disabled.
    pub fn apply(&mut self, t_ns: i64, object_scale: f32, points: &mut [[f32; 3]]) {
        if self.filters.len() != points.len() {
            self.filters = vec![[OneEuroFilter::new(self.settings); 3]; points.len()];
        }
        let mut value_scale = 1.0f32;
        if !self.settings.disable_value_scaling {
            if object_scale < MIN_ALLOWED_OBJECT_SCALE || object_scale.is_nan() {
                return;
            }
            value_scale = 1.0 / object_scale;
        }
        for (p, f) in points.iter_mut().zip(self.filters.iter_mut()) {
            for k in 0..3 {
                p[k] = f[k].apply(t_ns, value_scale as f64, p[k] as f64) as f32;
            }
        }
    }
}

/// Low-pass filters on visibility (`VisibilitySmoothingCalculator` with `low_pass_filter`).
#[derive(Clone, Debug, Default)]
pub struct VisibilitySmoother {
    filters: Vec<LowPassFilter>,
}

impl VisibilitySmoother {
    /// Forgets all state.
    pub fn reset(&mut self) {
        self.filters.clear();
    }

    /// Smooths `visibility` in place with `alpha`.
    pub fn apply(&mut self, alpha: f32, visibility: &mut [f32]) {
        if self.filters.len() != visibility.len() {
            self.filters = vec![LowPassFilter::default(); visibility.len()];
        }
        for (v, f) in visibility.iter_mut().zip(self.filters.iter_mut()) {
            *v = f.apply(*v, alpha);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME_NS: i64 = 33_333_000;

    #[test]
    fn first_sample_passes_and_static_signal_stays() {
        let mut f = OneEuroFilter::new(LANDMARKS_FILTER);
        assert_eq!(f.apply(FRAME_NS, 1.0 / 100.0, 10.0), 10.0);
        for i in 2..50 {
            let v = f.apply(i * FRAME_NS, 1.0 / 100.0, 10.0);
            assert!((v - 10.0).abs() < 1e-5);
        }
    }

    #[test]
    fn timestamp_zero_or_repeated_is_passed_through() {
        let mut f = OneEuroFilter::new(AUX_FILTER);
        assert_eq!(f.apply(0, 1.0, 5.0), 5.0);
        // Still uninitialised: the next sample passes through too.
        assert_eq!(f.apply(FRAME_NS, 1.0, 7.0), 7.0);
        assert_eq!(f.apply(FRAME_NS, 1.0, 100.0), 100.0, "same timestamp: returned as is");
        let v = f.apply(2 * FRAME_NS, 1.0, 8.0);
        assert!(v > 7.0 && v < 8.0, "{v}");
    }

    #[test]
    fn jitter_is_damped_and_fast_motion_followed() {
        // A 200 px person: small jitter around 100 px is strongly damped...
        let scale = 1.0 / 200.0;
        let mut f = OneEuroFilter::new(LANDMARKS_FILTER);
        let mut max_dev: f64 = 0.0;
        for i in 1..200 {
            let noisy = 100.0 + if i % 2 == 0 { 0.5 } else { -0.5 };
            let v = f.apply(i * FRAME_NS, scale, noisy);
            if i > 20 {
                max_dev = max_dev.max((v - 100.0).abs());
            }
        }
        assert!(max_dev < 0.4, "jitter not damped: {max_dev}");
        // ...while a fast, steady move (20 px per frame) is tracked with small lag.
        let mut g = OneEuroFilter::new(LANDMARKS_FILTER);
        let mut last = 0.0;
        for i in 1..60 {
            last = g.apply(i * FRAME_NS, scale, 20.0 * i as f64) - 20.0 * i as f64;
        }
        assert!(last.abs() < 10.0, "lag {last}");
        // The aux filter (lower beta) lags more on the same motion.
        let mut a = OneEuroFilter::new(AUX_FILTER);
        let mut lag_aux = 0.0;
        for i in 1..60 {
            lag_aux = a.apply(i * FRAME_NS, scale, 20.0 * i as f64) - 20.0 * i as f64;
        }
        assert!(lag_aux.abs() > last.abs());
    }

    #[test]
    fn frequency_follows_timestamps() {
        // The same motion sampled at 60 fps must give a smaller per-step change than at 15 fps.
        let run = |dt: i64| {
            let mut f = OneEuroFilter::new(LANDMARKS_FILTER);
            f.apply(dt, 0.01, 0.0);
            f.apply(2 * dt, 0.01, 0.0);
            f.apply(3 * dt, 0.01, 1.0)
        };
        assert!(run(FRAME_NS / 2) < run(FRAME_NS * 2));
    }

    #[test]
    fn points_smoother_resets_and_respects_scaling() {
        let mut s = PointsSmoother::new(LANDMARKS_FILTER);
        let mut p = [[10.0, 20.0, 0.0]];
        s.apply(FRAME_NS, 100.0, &mut p);
        let mut q = [[30.0, 20.0, 0.0]];
        s.apply(2 * FRAME_NS, 100.0, &mut q);
        assert!(q[0][0] > 10.0 && q[0][0] < 30.0);
        s.reset();
        let mut r = [[30.0, 20.0, 0.0]];
        s.apply(3 * FRAME_NS, 100.0, &mut r);
        assert_eq!(r[0][0], 30.0, "after reset the first sample passes");
        // A degenerate object scale disables smoothing.
        let mut t = [[99.0, 0.0, 0.0]];
        s.apply(4 * FRAME_NS, 0.0, &mut t);
        assert_eq!(t[0][0], 99.0);
    }

    #[test]
    fn visibility_low_pass() {
        let mut v = VisibilitySmoother::default();
        let mut a = [1.0f32];
        v.apply(VISIBILITY_ALPHA, &mut a);
        assert_eq!(a[0], 1.0);
        let mut b = [0.0f32];
        v.apply(VISIBILITY_ALPHA, &mut b);
        assert!((b[0] - 0.9).abs() < 1e-6);
    }
}
