//! `formcheck report REPORT.json --html OUT.html`: one video's hand-out page, made from the
//! report `analyze --json` (or a batch) wrote. The page is the batch page's section of that video
//! ([`crate::html::render_handout`]), on its own and laid out to print on one page.
//!
//! The report is read through [`Report`], so every schema the library reads is read here; a
//! report from a newer formcheck, a file that is not JSON or not a report, is refused with a
//! message saying which. Keyframes come from a batch's outputs when the report is one of them
//! (`NAME.report.json` beside `NAME.assets.json` and its JPEGs). The page is written atomically
//! and never over the report itself.

use crate::html::{EntryStatus, HandoutPage, Thumbnail, VideoEntry};
use crate::keyframes::Assets;
use formcheck_core::report::{Report, SCHEMA_VERSION};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Reports larger than this are refused unread: an hour of video makes a report of a few tens
/// of MB, and `/dev/zero` must not fill memory.
const MAX_REPORT_BYTES: u64 = 256 << 20;

/// A keyframe larger than this is not a thumbnail (they are a few tens of kB); it is left out.
const MAX_THUMBNAIL_BYTES: u64 = 4 << 20;

/// What can go wrong making a hand-out.
#[derive(Debug, thiserror::Error)]
pub enum HandoutError {
    /// The report could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The report file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The report file is larger than any report.
    #[error("{}: larger than {} MiB, which no formcheck report is; refusing it", path.display(), MAX_REPORT_BYTES >> 20)]
    TooLarge {
        /// The report file.
        path: PathBuf,
    },
    /// The file is not JSON.
    #[error("{}: not a formcheck report: not JSON ({source})", path.display())]
    NotJson {
        /// The report file.
        path: PathBuf,
        /// Where the JSON broke.
        source: serde_json::Error,
    },
    /// JSON without a schema version: not a report.
    #[error("{}: not a formcheck report: no schema_version (write one with `formcheck analyze VIDEO --json REPORT.json`)", path.display())]
    NoSchema {
        /// The report file.
        path: PathBuf,
    },
    /// A report of a schema this build does not know.
    #[error("{}: report schema_version {found}, which this formcheck does not read (it reads up to {SCHEMA_VERSION}); use the formcheck that wrote it, or a newer one", path.display())]
    UnknownSchema {
        /// The report file.
        path: PathBuf,
        /// The version the file says.
        found: u64,
    },
    /// The report's schema version is known but its content does not follow it.
    #[error("{}: not a valid formcheck report of schema_version {version}: {source}", path.display())]
    Invalid {
        /// The report file.
        path: PathBuf,
        /// The version the file says.
        version: u64,
        /// What does not fit the schema (the library's reason).
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The output would replace the report.
    #[error("--html {}: that is the report itself; write the page to another file", path.display())]
    OverInput {
        /// The output path as given.
        path: PathBuf,
    },
    /// The page could not be written (nothing was left in its place).
    #[error("could not write --html {}: {source}", path.display())]
    Write {
        /// The output path as given.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

impl HandoutError {
    /// The process exit code: the input unreadable (3), a wrong request (2), a failed write (4).
    pub fn exit_code(&self) -> u8 {
        match self {
            HandoutError::OverInput { .. } => crate::exit::USAGE,
            HandoutError::Write { .. } => crate::exit::FAILURE,
            _ => crate::exit::UNREADABLE_INPUT,
        }
    }
}

/// What to put on the hand-out besides the report.
#[derive(Clone, Debug, Default)]
pub struct HandoutOptions {
    /// Who the video shows, for the title (e.g. the client's name).
    pub client: Option<String>,
}

/// Reads `report_path`, renders its hand-out and writes it to `out` (`-`: standard output).
/// Returns notes for the user: keyframes a batch left that could not be used (the page is made
/// without them).
pub fn write_handout(report_path: &Path, out: &Path, options: &HandoutOptions) -> Result<Vec<String>, HandoutError> {
    refuse_same_file(report_path, out)?;
    let report = read_report(report_path)?;
    let date = std::fs::metadata(report_path).and_then(|m| m.modified()).map(crate::html::utc_text);
    let (page, notes) = handout_page(report, report_path, date.unwrap_or_default(), options);
    let html = crate::html::render_handout(&page);
    crate::atomic::write_atomic(out, html.as_bytes())
        .map_err(|source| HandoutError::Write { path: out.into(), source })?;
    Ok(notes)
}

/// The page of `report`: its title (the client, if named, and the video's file name), the date
/// it was analysed, and the keyframes a batch left beside it; with notes on keyframes left out.
pub fn handout_page(
    report: Report,
    report_path: &Path,
    date: String,
    options: &HandoutOptions,
) -> (HandoutPage, Vec<String>) {
    let video = report.input.path.clone();
    let file = video.rsplit(['/', '\\']).find(|part| !part.is_empty()).unwrap_or(&video).to_string();
    let title = match options.client.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(client) => format!("{client} — {file}"),
        None => format!("Kickback form check — {file}"),
    };
    let (thumbnails, notes) = batch_thumbnails(report_path);
    let entry = VideoEntry {
        rel_path: video,
        status: EntryStatus::Analysed,
        report: Some(report),
        annotated_href: None,
        thumbnails,
    };
    (HandoutPage { title, date, entry }, notes)
}

/// Reads and parses a report file: bounded, then JSON, then its schema version, then the report.
pub fn read_report(path: &Path) -> Result<Report, HandoutError> {
    let read_error = |source| HandoutError::Read { path: path.into(), source };
    let file = std::fs::File::open(path).map_err(read_error)?;
    if file.metadata().map_err(read_error)?.is_dir() {
        return Err(read_error(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory")));
    }
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_BYTES + 1).read_to_end(&mut bytes).map_err(read_error)?;
    if bytes.len() as u64 > MAX_REPORT_BYTES {
        return Err(HandoutError::TooLarge { path: path.into() });
    }
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|source| HandoutError::NotJson { path: path.into(), source })?;
    let Some(version) = value.get("schema_version").and_then(serde_json::Value::as_u64) else {
        return Err(HandoutError::NoSchema { path: path.into() });
    };
    // Older schemas are the library's to read (or refuse, with its reason); newer ones are not.
    if version == 0 || version > u64::from(SCHEMA_VERSION) {
        return Err(HandoutError::UnknownSchema { path: path.into(), found: version });
    }
    let invalid =
        |source: Box<dyn std::error::Error + Send + Sync>| HandoutError::Invalid { path: path.into(), version, source };
    // It parsed as JSON, so it is UTF-8; the library's own reader decides the rest.
    let text = std::str::from_utf8(&bytes).map_err(|e| invalid(e.into()))?;
    Report::from_json(text).map_err(|e| invalid(e.into()))
}

/// Refuses an output that is the report itself (by name, through links, or as a hard link).
fn refuse_same_file(report: &Path, out: &Path) -> Result<(), HandoutError> {
    use std::os::unix::fs::MetadataExt;
    if crate::atomic::is_stdout(out) {
        return Ok(());
    }
    let (Ok(a), Ok(b)) = (std::fs::metadata(report), std::fs::metadata(out)) else { return Ok(()) };
    if a.dev() == b.dev() && a.ino() == b.ino() {
        return Err(HandoutError::OverInput { path: out.into() });
    }
    Ok(())
}

/// The keyframes of a batch's report (`NAME.report.json` beside `NAME.assets.json`), and a note
/// for each one (or an assets file) that could not be used; nothing when the report is not a
/// batch's. Only plain JPEG files beside the report are taken: an assets file naming another
/// path (`../…`) cannot pull it into the page.
fn batch_thumbnails(report_path: &Path) -> (Vec<Thumbnail>, Vec<String>) {
    let Some(name) = report_path.file_name().and_then(|n| n.to_str()) else { return Default::default() };
    let Some(stem) = name.strip_suffix(".report.json") else { return Default::default() };
    let dir = report_path.parent().unwrap_or(Path::new("."));
    let assets_path = dir.join(format!("{stem}.assets.json"));
    let bytes = match std::fs::read(&assets_path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Default::default(),
        Err(err) => return (Vec::new(), vec![format!("{}: {err}; no keyframes", assets_path.display())]),
    };
    let assets = match serde_json::from_slice::<Assets>(&bytes) {
        Ok(assets) => assets,
        Err(err) => return (Vec::new(), vec![format!("{}: {err}; no keyframes", assets_path.display())]),
    };
    let mut notes = Vec::new();
    let thumbnails = assets
        .thumbnails
        .into_iter()
        .filter_map(|t| match keyframe(dir, &t.file) {
            Ok(jpeg) => Some(Thumbnail { check: t.check, t_s: t.t_s, frame: t.frame, jpeg }),
            Err(why) => {
                notes.push(format!("keyframe {:?} left out: {why}", t.file));
                None
            }
        })
        .collect();
    (thumbnails, notes)
}

/// One keyframe named by an assets file: a plain JPEG file beside it, of a thumbnail's size.
fn keyframe(dir: &Path, file: &str) -> Result<Vec<u8>, String> {
    let plain = Path::new(file).file_name().is_some_and(|f| f == file) && !file.starts_with('.');
    if !plain || !file.ends_with(".jpg") {
        return Err("not a .jpg beside the report".into());
    }
    let path = dir.join(file);
    let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
    if !meta.is_file() || meta.len() > MAX_THUMBNAIL_BYTES {
        return Err(format!("not a file of at most {} MiB", MAX_THUMBNAIL_BYTES >> 20));
    }
    let jpeg = std::fs::read(&path).map_err(|e| e.to_string())?;
    if !jpeg.starts_with(&[0xff, 0xd8, 0xff]) {
        return Err("not a JPEG".into());
    }
    Ok(jpeg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn bad_reports_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let err = |path: &Path| read_report(path).expect_err("refused").to_string();
        assert!(err(&d.join("missing.json")).contains("No such file"));
        assert!(err(d).contains("is a directory"));
        assert!(err(&write(d, "a.json", "hello")).contains("not JSON"));
        assert!(err(&write(d, "b.json", "{\"sets\": []}")).contains("no schema_version"));
        let newer = err(&write(d, "c.json", "{\"schema_version\": 999}"));
        assert!(newer.contains("schema_version 999") && newer.contains("reads up to"), "{newer}");
        let invalid = err(&write(d, "d.json", "{\"schema_version\": 1, \"exercise\": 3}"));
        assert!(invalid.contains("not a valid formcheck report of schema_version 1"), "{invalid}");
    }

    #[test]
    fn only_plain_jpegs_beside_the_report_become_keyframes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.thumb-1-swing.jpg"), [0xff, 0xd8, 0xff, 0xe0, 0]).unwrap();
        std::fs::write(d.join("b.jpg"), b"not a jpeg").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/c.jpg"), [0xff, 0xd8, 0xff, 0xe0, 0]).unwrap();
        let entry = |file: &str| format!("{{\"check\":\"swing\",\"t_s\":1.0,\"frame\":30,\"file\":\"{file}\"}}");
        let files = ["a.thumb-1-swing.jpg", "b.jpg", "sub/c.jpg", "../a.thumb-1-swing.jpg", "missing.jpg"];
        let list: Vec<String> = files.iter().map(|f| entry(f)).collect();
        write(d, "v.mp4.assets.json", &format!("{{\"thumbnails\":[{}]}}", list.join(",")));
        let (thumbs, notes) = batch_thumbnails(&d.join("v.mp4.report.json"));
        assert_eq!(thumbs.len(), 1, "{thumbs:?}");
        assert_eq!(thumbs[0].frame, 30);
        assert_eq!(notes.len(), 4, "a note for each left out: {notes:?}");
        assert!(notes[0].contains("\"b.jpg\" left out: not a JPEG"), "{notes:?}");
        let (thumbs, notes) = batch_thumbnails(&d.join("v.json"));
        assert!(thumbs.is_empty() && notes.is_empty(), "not a batch's report: no keyframes, nothing to say");
        write(d, "w.mp4.assets.json", "{\"thumbnails\": 3}");
        let (thumbs, notes) = batch_thumbnails(&d.join("w.mp4.report.json"));
        assert!(thumbs.is_empty() && notes.len() == 1 && notes[0].contains("no keyframes"), "{notes:?}");
    }

    #[test]
    fn the_page_is_never_written_over_its_report() {
        let dir = tempfile::tempdir().unwrap();
        let report = write(dir.path(), "r.json", "{}");
        let link = dir.path().join("hard.json");
        std::fs::hard_link(&report, &link).unwrap();
        for out in [&report, &link] {
            let err = write_handout(&report, out, &HandoutOptions::default()).expect_err("refused");
            assert!(matches!(err, HandoutError::OverInput { .. }), "{err}");
        }
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "{}");
    }
}
