//! When a video was filmed: the creation time a phone writes into the MP4/MOV container (its
//! `mvhd` box), else the file's modification time; and the UTC date-time text the history uses.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds from the MP4 epoch (1904-01-01) to the Unix epoch (1970-01-01).
const MP4_EPOCH_OFFSET_S: i64 = 2_082_844_800;

/// A container's creation time is trusted only after this (2000-01-01): cameras without a clock
/// write 0 (1904) or small values.
const PLAUSIBLE_AFTER_S: i64 = 946_684_800;

/// Where a filming time came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilmedFrom {
    /// The container's creation time.
    Container,
    /// The file's modification time.
    File,
    /// The clock when a live session started.
    Clock,
}

impl FilmedFrom {
    /// The name written in reports (`container`, `file`, `clock`).
    pub fn as_str(self) -> &'static str {
        match self {
            FilmedFrom::Container => "container",
            FilmedFrom::File => "file",
            FilmedFrom::Clock => "clock",
        }
    }
}

/// When the video at `path` was filmed (Unix seconds) and where that came from; `None` only when
/// neither the container nor the file system says.
pub fn filmed_at(path: &Path) -> Option<(i64, FilmedFrom)> {
    if let Some(t) = container_creation_time(path).filter(|t| *t > PLAUSIBLE_AFTER_S) {
        return Some((t, FilmedFrom::Container));
    }
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some((unix_seconds(modified), FilmedFrom::File))
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    unix_seconds(SystemTime::now())
}

/// A time in Unix seconds (negative before 1970).
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// The `mvhd` creation time of an MP4/MOV file (Unix seconds), walking the top-level boxes to
/// `moov` without reading the media data. `None` for anything else or a damaged file.
pub fn container_creation_time(path: &Path) -> Option<i64> {
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let moov = find_box(&mut f, 0, len, b"moov")?;
    let (start, end) = moov;
    let (mvhd, _) = find_box(&mut f, start, end, b"mvhd")?;
    f.seek(SeekFrom::Start(mvhd)).ok()?;
    let mut version = [0u8; 4];
    f.read_exact(&mut version).ok()?;
    let created = if version[0] == 1 {
        let mut b = [0u8; 8];
        f.read_exact(&mut b).ok()?;
        i64::try_from(u64::from_be_bytes(b)).ok()?
    } else {
        let mut b = [0u8; 4];
        f.read_exact(&mut b).ok()?;
        i64::from(u32::from_be_bytes(b))
    };
    Some(created - MP4_EPOCH_OFFSET_S)
}

/// The payload range of the first box of type `kind` among the boxes in `from..to`.
fn find_box(f: &mut std::fs::File, from: u64, to: u64, kind: &[u8; 4]) -> Option<(u64, u64)> {
    let mut at = from;
    // A damaged file cannot make this loop forever: every box moves `at` forward by at least 8.
    while at + 8 <= to {
        f.seek(SeekFrom::Start(at)).ok()?;
        let mut head = [0u8; 8];
        f.read_exact(&mut head).ok()?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
        let (size, header) = match size32 {
            0 => (to - at, 8),
            1 => {
                let mut b = [0u8; 8];
                f.read_exact(&mut b).ok()?;
                (u64::from_be_bytes(b), 16)
            }
            n => (n, 8),
        };
        if size < header || at.checked_add(size)? > to {
            return None;
        }
        if &head[4..8] == kind {
            return Some((at + header, at + size));
        }
        at += size;
    }
    None
}

/// A Unix time as UTC RFC 3339 (`2026-12-02T05:28:37Z`).
pub fn rfc3339(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    let secs = unix_s.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Parses what [`rfc3339`] writes (UTC, `Z`, whole seconds).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's algorithm, public domain).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for t in [0, 951_782_400, 1_764_653_317, 4_102_444_800, -86_400] {
            assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t), "{t}");
        }
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn creation_time_is_read_from_the_mvhd_box() {
        // ftyp, then moov holding a version-0 mvhd created 2026-11-02T10:00:00Z.
        let created = parse_rfc3339("2026-11-02T10:00:00Z").unwrap() + MP4_EPOCH_OFFSET_S;
        let mut mvhd = vec![0u8; 4];
        mvhd.extend_from_slice(&(created as u32).to_be_bytes());
        mvhd.extend_from_slice(&[0u8; 92]);
        let boxed = |kind: &[u8; 4], payload: &[u8]| {
            let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
            b.extend_from_slice(kind);
            b.extend_from_slice(payload);
            b
        };
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0");
        file.extend(boxed(b"moov", &boxed(b"mvhd", &mvhd)));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.mp4");
        std::fs::write(&path, &file).unwrap();
        assert_eq!(container_creation_time(&path).map(rfc3339).as_deref(), Some("2026-11-02T10:00:00Z"));
        assert_eq!(filmed_at(&path).map(|(_, from)| from), Some(FilmedFrom::Container));
        // A file that is not MP4 falls back to its modification time; a truncated box is no answer.
        std::fs::write(&path, b"not a video").unwrap();
        assert_eq!(container_creation_time(&path), None);
        assert_eq!(filmed_at(&path).map(|(_, from)| from), Some(FilmedFrom::File));
        std::fs::write(&path, &file[..file.len() - 50]).unwrap();
        assert_eq!(container_creation_time(&path), None);
    }
}
