//! Staying with the person who is exercising when other people are in view (a gym has people
//! walking past the camera).
//!
//! MediaPipe re-detects only when tracking is lost and then takes the most prominent person, who
//! may be a passer-by. Here a re-detection within [`LOCK_ON_MEMORY_S`] of losing the tracked
//! person takes only someone near where they were; nobody near means nobody this frame. While
//! tracking, the detector also runs every [`CENSUS_INTERVAL_S`] of video to count the people in
//! view, so the report can say that someone else was seen; that count never moves the tracking.

use super::detection::Detection;
use super::geometry::Roi;

/// How long (seconds of video) after tracking is lost a re-detection must be near the tracked
/// person's last place: long enough to bridge an occlusion by someone walking in front, short
/// enough that a person who really left the frame can be replaced by whoever steps in.
pub const LOCK_ON_MEMORY_S: f64 = 2.0;

/// How near a detection's centre must be to the last tracked centre, in the tracked region's
/// size (about 1.25 body heights), to be the same person: the hips of someone doing a standing
/// exercise move a few centimetres, and someone else stands at least a shoulder width away.
pub const LOCK_ON_RADIUS: f32 = 0.3;

/// Seconds of video between two counts of the people in view while tracking (the detector costs
/// about half a landmark pass, so once a second adds a few percent).
pub const CENSUS_INTERVAL_S: f64 = 1.0;

/// Where the tracked person was last seen, in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Seen {
    x: f32,
    y: f32,
    size: f32,
    t_s: f64,
}

/// The lock-on and census state of one video.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Follow {
    last: Option<Seen>,
    last_census_s: Option<f64>,
}

impl Follow {
    /// Forgets everything (a new video).
    pub fn reset(&mut self) {
        *self = Follow::default();
    }

    /// Notes that the tracked person was in `roi` at `t_s`.
    pub fn remember(&mut self, roi: &Roi, w: u32, h: u32, t_s: f64) {
        let (wf, hf) = (w as f32, h as f32);
        self.last =
            Some(Seen { x: roi.x_center * wf, y: roi.y_center * hf, size: (roi.width * wf).max(roi.height * hf), t_s });
    }

    /// Which detection to track after tracking was lost: the most prominent (the first) when
    /// nobody was tracked recently; else the one nearest the tracked person's last place if it is
    /// near enough, or none.
    pub fn choose(&self, detections: &[Detection], w: u32, h: u32, t_s: f64) -> Option<usize> {
        let recent = self.last.filter(|s| t_s.is_finite() && (t_s - s.t_s).abs() <= LOCK_ON_MEMORY_S);
        let Some(seen) = recent else {
            return (!detections.is_empty()).then_some(0);
        };
        let distance = |d: &Detection| {
            let roi = super::detection_to_roi(d, w, h);
            (roi.x_center * w as f32 - seen.x).hypot(roi.y_center * h as f32 - seen.y) / seen.size.max(1.0)
        };
        detections
            .iter()
            .enumerate()
            .map(|(i, d)| (i, distance(d)))
            .filter(|(_, d)| *d <= LOCK_ON_RADIUS)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// Whether the people in view should be counted at `t_s` (and, if so, notes that they were).
    pub fn census_due(&mut self, t_s: f64) -> bool {
        if !t_s.is_finite() {
            return false;
        }
        let due = self.last_census_s.is_none_or(|last| t_s - last >= CENSUS_INTERVAL_S || t_s < last);
        if due {
            self.last_census_s = Some(t_s);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A detection whose hip centre is at (x, y) px with a body scale point `size` px above it.
    fn person(x: f32, y: f32, size: f32, w: u32, h: u32) -> Detection {
        let (wf, hf) = (w as f32, h as f32);
        let mut keypoints = [(0.0, 0.0); 4];
        keypoints[0] = (x / wf, y / hf);
        keypoints[1] = (x / wf, (y - size) / hf);
        Detection { score: 0.9, xmin: 0.0, ymin: 0.0, width: 0.1, height: 0.1, keypoints }
    }

    #[test]
    fn a_re_detection_keeps_the_person_who_was_tracked() {
        let (w, h) = (720, 1280);
        let exerciser = person(450.0, 700.0, 300.0, w, h);
        // less than half a body height (600 px) to the side: someone else, though close
        let passer_by = person(200.0, 720.0, 320.0, w, h);
        let mut follow = Follow::default();
        // Nobody tracked yet: the most prominent (first) detection.
        assert_eq!(follow.choose(&[passer_by, exerciser], w, h, 0.0), Some(0));
        follow.remember(&crate::pose::detection_to_roi(&exerciser, w, h), w, h, 1.0);
        // Lost for a moment while someone walks past: the exerciser, though less prominent.
        assert_eq!(follow.choose(&[passer_by, exerciser], w, h, 1.5), Some(1));
        // Only the passer-by in view: nobody, rather than the wrong person.
        assert_eq!(follow.choose(&[passer_by], w, h, 1.5), None);
        // Long gone: whoever is there now.
        assert_eq!(follow.choose(&[passer_by], w, h, 1.0 + LOCK_ON_MEMORY_S + 0.1), Some(0));
        follow.reset();
        assert_eq!(follow.choose(&[passer_by], w, h, 1.5), Some(0));
    }

    #[test]
    fn people_are_counted_once_a_second_of_video() {
        let mut follow = Follow::default();
        let due: Vec<bool> = [0.0, 0.5, 0.99, 1.0, 1.5, 2.1, f64::NAN].iter().map(|t| follow.census_due(*t)).collect();
        assert_eq!(due, [true, false, false, true, false, true, false]);
        // A clock that goes back (a new clip in the same stream) restarts the count.
        assert!(follow.census_due(0.2));
    }
}
