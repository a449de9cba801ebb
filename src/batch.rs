//! Batch review: every video under a folder, analysed by parallel workers into per-video reports,
//! resumable (a video whose report is complete and current is skipped) and shardable across machines.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// File extensions treated as videos when scanning a folder.
pub const VIDEO_EXTENSIONS: &[&str] =
    &["mp4", "mov", "m4v", "avi", "mkv", "webm", "mpg", "mpeg", "wmv", "3gp", "flv", "ts", "mts", "m2ts"];

/// What a scan of the input folder found.
#[derive(Debug, Default, PartialEq)]
pub struct Scan {
    /// Videos, as paths relative to the scanned folder, sorted.
    pub videos: Vec<PathBuf>,
    /// Other files that were ignored, relative and sorted.
    pub ignored: Vec<PathBuf>,
    /// Entries named like videos (or folders) that are not analysed, with why: not a regular file
    /// (a fifo or device would block or never end), or the same file or folder reached a second
    /// time (through a link). Relative and sorted.
    pub skipped: Vec<(PathBuf, String)>,
}

/// What kind of non-regular file `meta` is, in words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a fifo"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// True when the file name ends with a known video extension.
pub fn has_video_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

/// Lists the videos under `root`, recursively, skipping hidden entries and `skip` (the output
/// folder, when it lies inside the input). Sorted so every shard sees the same order.
///
/// Symlinks are followed. Only regular files are videos: a fifo or a device named like a video
/// is listed in [`Scan::skipped`] with its kind. A file or folder reached twice (same device and
/// inode, e.g. through a link to `..`) is scanned once; the second name is listed as skipped.
pub fn scan(root: &Path, skip: Option<&Path>) -> std::io::Result<Scan> {
    use std::collections::HashMap;
    use std::os::unix::fs::MetadataExt;
    let mut scan = Scan::default();
    let skip = skip.and_then(|s| s.canonicalize().ok());
    let root_meta = std::fs::metadata(root)?;
    let mut seen_dirs: HashMap<(u64, u64), PathBuf> =
        HashMap::from([((root_meta.dev(), root_meta.ino()), root.into())]);
    // Regular files named like videos, with their identity; deduplicated after sorting, so the
    // name kept does not depend on the order the folders were read in.
    let mut candidates: Vec<(PathBuf, (u64, u64))> = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let listing = std::fs::read_dir(&dir).and_then(|it| it.collect::<Result<Vec<_>, _>>());
        let mut entries = match listing {
            Ok(entries) => entries,
            Err(err) if dir != root => {
                let rel = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
                scan.skipped.push((rel, format!("folder cannot be read: {err}")));
                continue;
            }
            Err(err) => return Err(err),
        };
        // Depth first in name order: the first route to a folder reached twice is the sorted-first one.
        entries.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for entry in entries {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            // Follows links; a dangling link is an unreadable file, listed with the others.
            let meta = match std::fs::metadata(&path) {
                Ok(meta) => meta,
                Err(err) => {
                    if has_video_extension(&path) {
                        scan.skipped.push((rel, format!("cannot be read: {err}")));
                    } else {
                        scan.ignored.push(rel);
                    }
                    continue;
                }
            };
            if meta.is_dir() {
                if skip.as_deref() == path.canonicalize().ok().as_deref() {
                    continue;
                }
                match seen_dirs.get(&(meta.dev(), meta.ino())) {
                    Some(first) => {
                        let first = first.strip_prefix(root).unwrap_or(first);
                        let first = if first.as_os_str().is_empty() { Path::new(".") } else { first };
                        scan.skipped.push((rel, format!("the same folder as {} (reached twice)", first.display())));
                    }
                    None => {
                        seen_dirs.insert((meta.dev(), meta.ino()), path.clone());
                        subdirs.push(path);
                    }
                }
                continue;
            }
            if !has_video_extension(&path) {
                scan.ignored.push(rel);
            } else if !meta.is_file() {
                scan.skipped.push((rel, format!("{}, not a video file", kind_of(&meta))));
            } else {
                candidates.push((rel, (meta.dev(), meta.ino())));
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    candidates.sort();
    let mut first_name: HashMap<(u64, u64), PathBuf> = HashMap::new();
    for (rel, id) in candidates {
        match first_name.get(&id) {
            Some(first) => scan.skipped.push((rel, format!("the same file as {} (reached twice)", first.display()))),
            None => {
                first_name.insert(id, rel.clone());
                scan.videos.push(rel);
            }
        }
    }
    scan.videos.sort();
    scan.ignored.sort();
    scan.skipped.sort();
    Ok(scan)
}

/// One shard of N: `index` in 0..count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This machine's shard, 0-based.
    pub index: u32,
    /// How many shards in all.
    pub count: u32,
}

impl Shard {
    /// Parses `K/N` with 0 ≤ K < N (as an indexed job array numbers its tasks).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (k, n) = text.split_once('/').ok_or_else(|| format!("shard must be K/N, got {text:?}"))?;
        let index: u32 = k.trim().parse().map_err(|_| format!("bad shard index {k:?}"))?;
        let count: u32 = n.trim().parse().map_err(|_| format!("bad shard count {n:?}"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: need 0 <= K < N"));
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard owns the video at `rel`. Decided by a hash of the relative path, so a
    /// video keeps its shard when others are added or removed.
    pub fn owns(&self, rel: &Path) -> bool {
        let digest = Sha256::digest(rel.to_string_lossy().as_bytes());
        let word = u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]);
        word % self.count == self.index
    }
}

/// Hex sha256 of a file's content, read in chunks (constant memory).
pub fn content_hash(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cache key of one video's outputs: its content and every setting that changes them.
pub fn job_key(content_hash: &str, settings: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(content_hash.as_bytes());
    hasher.update([0]);
    hasher.update(settings.as_bytes());
    hasher.update([0]);
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hex(&hasher.finalize())
}

/// Output file names for one video, mirroring its place under the input folder.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputPaths {
    /// The JSON report.
    pub report: PathBuf,
    /// The annotated video.
    pub annotated: PathBuf,
    /// The small file recording the key the outputs were made with (written last).
    pub stamp: PathBuf,
    /// Keyframe thumbnails and chart data for the index page.
    pub assets: PathBuf,
    /// Held while a worker analyses the video, so a second batch on the same `OUT` takes the next one.
    pub lock: PathBuf,
}

impl OutputPaths {
    /// Paths under `out` for the video at `rel`.
    pub fn for_video(out: &Path, rel: &Path) -> OutputPaths {
        let base = out.join("videos").join(rel);
        let with = |suffix: &str| {
            let mut name = base.file_name().map(|n| n.to_os_string()).unwrap_or_default();
            name.push(suffix);
            base.with_file_name(name)
        };
        OutputPaths {
            report: with(".report.json"),
            annotated: with(".annotated.mp4"),
            stamp: with(".done"),
            assets: with(".assets.json"),
            lock: with(".lock"),
        }
    }

    /// True when the outputs were completed with this key (and hold the annotated video if wanted).
    pub fn is_current(&self, key: &str, want_annotated: bool) -> bool {
        let stamp_ok = std::fs::read_to_string(&self.stamp).map(|s| s.trim() == key).unwrap_or(false);
        stamp_ok && self.report.is_file() && self.assets.is_file() && (!want_annotated || self.annotated.is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_videos() {
        let names: Vec<PathBuf> = (0..200).map(|i| PathBuf::from(format!("client{i}/set.mp4"))).collect();
        let shards: Vec<Shard> = (0..3).map(|k| Shard { index: k, count: 3 }).collect();
        for name in &names {
            assert_eq!(shards.iter().filter(|s| s.owns(name)).count(), 1);
        }
        for shard in &shards {
            let owned = names.iter().filter(|n| shard.owns(n)).count();
            assert!(owned > 40, "shard {shard:?} owns only {owned}");
        }
    }

    #[test]
    fn shard_syntax_is_checked() {
        assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("x").is_err());
    }

    #[test]
    fn scan_finds_videos_recursively_and_skips_the_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("ann/week 1")).unwrap();
        std::fs::create_dir_all(root.join("out/videos")).unwrap();
        for name in ["ann/week 1/a.MP4", "b.mov", "notes.txt", "out/videos/x.mp4", ".hidden.mp4"] {
            std::fs::write(root.join(name), b"x").unwrap();
        }
        let scan = scan(root, Some(&root.join("out"))).unwrap();
        assert_eq!(scan.videos, vec![PathBuf::from("ann/week 1/a.MP4"), PathBuf::from("b.mov")]);
        assert_eq!(scan.ignored, vec![PathBuf::from("notes.txt")]);
    }

    #[test]
    fn keys_change_with_content_and_settings() {
        let a = job_key("abc", "model=full");
        assert_eq!(a, job_key("abc", "model=full"));
        assert_ne!(a, job_key("abd", "model=full"));
        assert_ne!(a, job_key("abc", "model=lite"));
    }

    #[test]
    fn two_batch_runs_on_one_out_claim_each_video_a_lock_and_stale_locks_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("a.mp4.lock");
        let Claim::Ours(ours) = VideoLock::claim(&lock).unwrap() else { panic!("a free video is ours") };
        // A second claim (another worker of this host, alive) is refused while we hold it.
        assert!(
            matches!(VideoLock::claim(&lock).unwrap(), Claim::Held(by) if by.contains(&std::process::id().to_string()))
        );
        drop(ours);
        assert!(!lock.exists(), "released on drop");
        // A dead process of this host, or any lock over six hours old, is stale.
        let host = host_name();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let lock_of = |host: &str, pid: u32| format!("formcheck batch lock\nhost={host}\npid={pid}\n");
        let now = std::time::Duration::from_secs(1);
        assert!(lock_is_stale(&lock_of(&host, dead), now, &host));
        assert!(!lock_is_stale(&lock_of(&host, std::process::id()), now, &host));
        assert!(!lock_is_stale(&lock_of("elsewhere", dead), now, &host), "another host's pid says nothing here");
        assert!(lock_is_stale(&lock_of("elsewhere", dead), STALE_LOCK_AGE * 2, &host));
        assert!(!lock_is_stale("half-written", now, &host));
        std::fs::write(&lock, lock_of(&host, dead)).unwrap();
        assert!(matches!(VideoLock::claim(&lock).unwrap(), Claim::Ours(_)), "a dead worker's lock is taken over");
        assert!(!lock.exists());
    }

    #[test]
    fn output_paths_mirror_the_input_tree() {
        let p = OutputPaths::for_video(Path::new("/o"), Path::new("ann/set 1.mp4"));
        assert_eq!(p.report, PathBuf::from("/o/videos/ann/set 1.mp4.report.json"));
        assert_eq!(p.annotated, PathBuf::from("/o/videos/ann/set 1.mp4.annotated.mp4"));
    }
}

// ---------------------------------------------------------------------------------------------
// The runner.

use crate::analyze::analyze_file;
use crate::html::{EntryStatus, IndexPage, Thumbnail, VideoEntry};
use crate::AppError;
use formcheck_core::report::Report;
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::{PoseConfig, PoseEstimator};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Settings of a batch run.
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// Folder scanned for videos.
    pub input_dir: PathBuf,
    /// Folder the reports, index.html and summary.csv go to.
    pub out_dir: PathBuf,
    /// Parallel workers.
    pub jobs: usize,
    /// Also write annotated videos.
    pub annotate: bool,
    /// Only this shard's videos are processed.
    pub shard: Option<Shard>,
    /// Rebuild index.html and summary.csv from existing outputs without analysing anything.
    pub index_only: bool,
    /// Pose settings (each worker builds its own estimator from them).
    pub pose: PoseConfig,
    /// A string naming every setting that changes the outputs (part of the cache key).
    pub settings_key: String,
}

/// What happened to one video.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Analysed in this run.
    Analysed,
    /// Its outputs were complete and current; nothing was redone.
    Current,
    /// It could not be analysed.
    Failed(String),
    /// Belongs to another shard, or has no outputs yet (index-only).
    NotHere,
    /// Another worker (another `batch` on the same `OUT`, here or on another machine) holds its
    /// lock: it is left to that worker.
    ClaimedElsewhere(String),
}

/// Totals of a batch run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchSummary {
    /// Videos analysed now.
    pub analysed: usize,
    /// Videos skipped as current.
    pub current: usize,
    /// Videos that failed, with their errors.
    pub failed: Vec<(PathBuf, String)>,
    /// Non-video files ignored.
    pub ignored: usize,
    /// Entries not analysed (not regular files, or reached twice), with why.
    pub skipped: Vec<(PathBuf, String)>,
    /// Videos left to another worker that holds their lock.
    pub claimed_elsewhere: usize,
}

/// Side files of one video's outputs: thumbnails of fault moments.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Assets {
    /// Keyframes of each fault's worst moment.
    pub thumbnails: Vec<ThumbnailFile>,
}

/// One keyframe thumbnail on disk.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ThumbnailFile {
    /// Check id of the fault.
    pub check: String,
    /// Time of the moment (s).
    pub t_s: f64,
    /// Frame index.
    pub frame: u64,
    /// JPEG file name, beside the report.
    pub file: String,
}

/// Runs a batch: analyses what is needed, then writes index.html and summary.csv.
/// `on_video` is told each video's outcome as it finishes.
pub fn run_batch(
    options: &BatchOptions,
    spec: &ExerciseSpec,
    on_video: impl Fn(&Path, &Outcome) + Sync,
) -> Result<BatchSummary, AppError> {
    if !options.input_dir.is_dir() {
        return Err(AppError::Usage(format!("{} is not a folder", options.input_dir.display())));
    }
    std::fs::create_dir_all(&options.out_dir).map_err(|e| AppError::io(&options.out_dir, e))?;
    let probe = options.out_dir.join(format!(".formcheck-write-test.{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| AppError::io(&options.out_dir, e))?;
    let _ = std::fs::remove_file(&probe);
    let scan = scan(&options.input_dir, Some(&options.out_dir)).map_err(|e| AppError::io(&options.input_dir, e))?;
    let outcomes: Vec<Mutex<Outcome>> = scan.videos.iter().map(|_| Mutex::new(Outcome::NotHere)).collect();
    let next = AtomicUsize::new(0);
    let jobs = options.jobs.clamp(1, 64);
    let threads_each = (std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) / jobs).max(1);
    let setup_error: Mutex<Option<AppError>> = Mutex::new(None);
    if !options.index_only {
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(|| {
                    let mut estimator: Option<PoseEstimator> = None;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(rel) = scan.videos.get(i) else { break };
                        if options.shard.is_some_and(|s| !s.owns(rel)) {
                            continue;
                        }
                        if estimator.is_none() {
                            let mut config = options.pose.clone();
                            config.intra_threads = threads_each;
                            match PoseEstimator::new(config) {
                                Ok(e) => estimator = Some(e),
                                Err(err) => {
                                    // Not the video's fault: the whole run cannot work.
                                    if let Ok(mut slot) = setup_error.lock() {
                                        slot.get_or_insert(AppError::Pose(err));
                                    }
                                    break;
                                }
                            }
                        }
                        let Some(estimator) = estimator.as_mut() else { break };
                        let outcome = process_one(options, spec, estimator, rel);
                        on_video(rel, &outcome);
                        if let Ok(mut slot) = outcomes[i].lock() {
                            *slot = outcome;
                        }
                    }
                });
            }
        });
    }
    if let Some(err) = setup_error.into_inner().ok().flatten() {
        return Err(err);
    }
    let outcomes: Vec<Outcome> = outcomes.into_iter().map(|m| m.into_inner().unwrap_or(Outcome::NotHere)).collect();
    let mut summary = BatchSummary { ignored: scan.ignored.len(), skipped: scan.skipped.clone(), ..Default::default() };
    for (rel, outcome) in scan.videos.iter().zip(&outcomes) {
        match outcome {
            Outcome::Analysed => summary.analysed += 1,
            Outcome::Current => summary.current += 1,
            Outcome::Failed(err) => summary.failed.push((rel.clone(), err.clone())),
            Outcome::ClaimedElsewhere(_) => summary.claimed_elsewhere += 1,
            Outcome::NotHere => {}
        }
    }
    write_index(options, &scan, &outcomes)?;
    Ok(summary)
}

/// Analyses one video into its output files, unless they are already current.
fn process_one(options: &BatchOptions, spec: &ExerciseSpec, estimator: &mut PoseEstimator, rel: &Path) -> Outcome {
    let input = options.input_dir.join(rel);
    let paths = OutputPaths::for_video(&options.out_dir, rel);
    let mut run = || -> Result<Outcome, AppError> {
        let hash = content_hash(&input).map_err(|e| AppError::io(&input, e))?;
        let key = job_key(&hash, &options.settings_key);
        if paths.is_current(&key, options.annotate) {
            return Ok(Outcome::Current);
        }
        if let Some(parent) = paths.report.parent() {
            std::fs::create_dir_all(parent).map_err(|e| AppError::io(parent, e))?;
        }
        let _claim = match VideoLock::claim(&paths.lock).map_err(|e| AppError::io(&paths.lock, e))? {
            Claim::Ours(lock) => lock,
            Claim::Held(by) => return Ok(Outcome::ClaimedElsewhere(by)),
        };
        // Another worker may have finished it between the check above and the claim.
        if paths.is_current(&key, options.annotate) {
            return Ok(Outcome::Current);
        }
        // Invalidate first: if anything below fails, the old outputs are no longer "current".
        let _ = std::fs::remove_file(&paths.stamp);
        let mut analysis = analyze_file(&input, estimator, spec, |_, _| {})?;
        analysis.report.input.path = rel.display().to_string();
        let json = analysis.report.to_json().map_err(|e| AppError::Usage(format!("report serialisation: {e}")))?;
        crate::atomic::write_atomic(&paths.report, json.as_bytes()).map_err(|e| AppError::io(&paths.report, e))?;
        if options.annotate {
            crate::annotate::annotate_video(&input, &analysis.frames, &analysis.report, &paths.annotated)?;
        }
        let assets =
            crate::keyframes::write_fault_thumbnails(&input, &analysis.frames, &analysis.report, &paths.report)?;
        let assets_json = serde_json::to_vec_pretty(&assets).map_err(|e| AppError::Usage(e.to_string()))?;
        crate::atomic::write_atomic(&paths.assets, &assets_json).map_err(|e| AppError::io(&paths.assets, e))?;
        crate::atomic::write_atomic(&paths.stamp, key.as_bytes()).map_err(|e| AppError::io(&paths.stamp, e))?;
        Ok(Outcome::Analysed)
    };
    match run() {
        Ok(outcome) => outcome,
        Err(err) => {
            // The row already names the video: "clip.mp4: in/clip.mp4: cannot open" says it twice.
            let text = error_chain(&err);
            let named = format!("{}: ", input.display());
            Outcome::Failed(text.strip_prefix(&named).map(str::to_string).unwrap_or(text))
        }
    }
}

/// A lock older than this is taken over whoever holds it (no analysis of one video takes hours;
/// its holder died on a machine whose processes cannot be seen from here).
pub const STALE_LOCK_AGE: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// The claim on one video: its lock file (`OUT/videos/REL.lock`, created exclusively, holding
/// the host name and process id), removed when dropped if it is still ours.
pub struct VideoLock {
    path: PathBuf,
    content: String,
}

/// The result of trying to claim a video.
pub enum Claim {
    /// The lock is ours until dropped.
    Ours(VideoLock),
    /// Another live worker holds it: who ("host HOST, pid PID").
    Held(String),
}

/// This machine's name (the kernel's), for lock files on a shared folder.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// The holder a lock file names: (host, pid).
fn lock_holder(content: &str) -> Option<(String, u32)> {
    let field = |key: &str| content.lines().find_map(|l| l.strip_prefix(key)).map(str::trim);
    Some((field("host=")?.to_string(), field("pid=")?.parse().ok()?))
}

/// Whether a lock with `content`, last modified `age` ago, belongs to nobody alive: its process
/// is gone (when it names this host), or it is older than [`STALE_LOCK_AGE`]. An unreadable
/// holder counts as alive until the age rule (it may be being written).
pub fn lock_is_stale(content: &str, age: std::time::Duration, host: &str) -> bool {
    if age > STALE_LOCK_AGE {
        return true;
    }
    match lock_holder(content) {
        Some((holder_host, pid)) if holder_host == host && !host.is_empty() => {
            !Path::new(&format!("/proc/{pid}")).exists()
        }
        _ => false,
    }
}

impl VideoLock {
    /// Claims the video whose lock file is `path`, taking over a stale lock (see [`lock_is_stale`]).
    pub fn claim(path: &Path) -> std::io::Result<Claim> {
        use std::io::Write;
        let host = host_name();
        let content = format!("formcheck batch lock\nhost={host}\npid={}\n", std::process::id());
        for _ in 0..3 {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut file) => {
                    file.write_all(content.as_bytes())?;
                    return Ok(Claim::Ours(VideoLock { path: path.to_path_buf(), content }));
                }
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(err) => return Err(err),
            }
            let Ok(held) = std::fs::read_to_string(path) else { continue };
            let age = std::fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .unwrap_or_default();
            if !lock_is_stale(&held, age, &host) {
                let by = lock_holder(&held).map(|(h, p)| format!("host {h}, pid {p}"));
                return Ok(Claim::Held(by.unwrap_or_else(|| "another worker".into())));
            }
            // Take it over: move it aside (only one of several workers can), then check that
            // what was moved is the stale lock judged, not a fresh one made meanwhile.
            let aside = crate::atomic::temp_path(path, Some("stale"));
            if std::fs::rename(path, &aside).is_ok() {
                let moved = std::fs::read_to_string(&aside).unwrap_or_default();
                if moved == held {
                    let _ = std::fs::remove_file(&aside);
                } else {
                    let _ = std::fs::rename(&aside, path);
                }
            }
        }
        Ok(Claim::Held("another worker".into()))
    }
}

impl Drop for VideoLock {
    fn drop(&mut self) {
        if std::fs::read_to_string(&self.path).is_ok_and(|c| c == self.content) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// An error and its causes on one line, each cause once (see [`crate::error_lines`]).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    crate::error_lines(err).join(": ")
}

/// Loads the outputs of a video that has a complete set (its stamp exists).
fn load_outputs(paths: &OutputPaths) -> Option<(Report, Vec<Thumbnail>)> {
    if !paths.stamp.is_file() {
        return None;
    }
    let report = Report::from_json(&std::fs::read_to_string(&paths.report).ok()?).ok()?;
    let assets: Assets = serde_json::from_slice(&std::fs::read(&paths.assets).ok()?).ok()?;
    let dir = paths.report.parent()?;
    let thumbnails = assets
        .thumbnails
        .into_iter()
        .filter_map(|t| {
            let jpeg = std::fs::read(dir.join(&t.file)).ok()?;
            Some(Thumbnail { check: t.check, t_s: t.t_s, frame: t.frame, jpeg })
        })
        .collect();
    Some((report, thumbnails))
}

/// Writes index.html and summary.csv for every video that has outputs or failed in this run.
fn write_index(options: &BatchOptions, scan: &Scan, outcomes: &[Outcome]) -> Result<(), AppError> {
    let mut entries = Vec::new();
    let mut csv = String::from(
        "video,status,error,reps_left,reps_right,partial_reps,faults,not_measurable,fix_1,fix_2,report,annotated\n",
    );
    for (rel, outcome) in scan.videos.iter().zip(outcomes) {
        let paths = OutputPaths::for_video(&options.out_dir, rel);
        let rel_text = rel.display().to_string();
        let href = |p: &Path| p.strip_prefix(&options.out_dir).ok().map(|r| r.display().to_string());
        match outcome {
            Outcome::Failed(error) => {
                csv.push_str(&csv_row(&[&rel_text, "failed", error, "", "", "", "", "", "", "", "", ""]));
                entries.push(VideoEntry {
                    rel_path: rel_text,
                    status: EntryStatus::Failed { error: error.clone() },
                    report: None,
                    annotated_href: None,
                    thumbnails: Vec::new(),
                });
            }
            _ => {
                let Some((report, thumbnails)) = load_outputs(&paths) else { continue };
                let annotated = paths.annotated.is_file().then(|| href(&paths.annotated)).flatten();
                let faults: Vec<String> = report
                    .checks
                    .iter()
                    .filter(|c| c.status == formcheck_core::report::Status::Fault)
                    .map(|c| format!("{}:{}", c.check.as_str(), c.reps_with_fault))
                    .collect();
                let not_measurable: Vec<&str> = report
                    .checks
                    .iter()
                    .filter(|c| c.status == formcheck_core::report::Status::NotMeasurable)
                    .map(|c| c.check.as_str())
                    .collect();
                let fix = |k: usize| report.summary.top_fixes.get(k).map(|f| f.cue.clone()).unwrap_or_default();
                let no_exercise = report.summary.reps_left + report.summary.reps_right == 0;
                csv.push_str(&csv_row(&[
                    &rel_text,
                    if no_exercise { "no exercise found" } else { "analysed" },
                    if no_exercise { crate::NO_EXERCISE } else { "" },
                    &report.summary.reps_left.to_string(),
                    &report.summary.reps_right.to_string(),
                    &report.summary.partial_reps.to_string(),
                    &faults.join(" "),
                    &not_measurable.join(" "),
                    &fix(0),
                    &fix(1),
                    &href(&paths.report).unwrap_or_default(),
                    annotated.as_deref().unwrap_or(""),
                ]));
                entries.push(VideoEntry {
                    rel_path: rel_text,
                    status: if *outcome == Outcome::Current { EntryStatus::Current } else { EntryStatus::Analysed },
                    report: Some(report),
                    annotated_href: annotated,
                    thumbnails,
                });
            }
        }
    }
    for (rel, why) in &scan.skipped {
        csv.push_str(&csv_row(&[&rel.display().to_string(), "skipped", why, "", "", "", "", "", "", "", "", ""]));
    }
    let page = IndexPage {
        title: format!("formcheck — {}", options.input_dir.display()),
        generated: utc_now(),
        entries,
        ignored_files: scan.ignored.iter().map(|p| p.display().to_string()).collect(),
        skipped_files: scan.skipped.iter().map(|(p, why)| (p.display().to_string(), why.clone())).collect(),
    };
    let html = crate::html::render_index(&page);
    let index = options.out_dir.join("index.html");
    crate::atomic::write_atomic(&index, html.as_bytes()).map_err(|e| AppError::io(&index, e))?;
    let csv_path = options.out_dir.join("summary.csv");
    crate::atomic::write_atomic(&csv_path, csv.as_bytes()).map_err(|e| AppError::io(&csv_path, e))?;
    Ok(())
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC`.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

/// One CSV line (RFC 4180 quoting), with every cell made safe for spreadsheets.
fn csv_row(fields: &[&str]) -> String {
    let cells: Vec<String> = fields.iter().map(|f| csv_cell(f)).collect();
    format!("{}\n", cells.join(","))
}

/// One CSV cell. A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
/// tab or carriage return, e.g. a video named `=HYPERLINK(…).mp4`) is neutralised as OWASP
/// advises: prefixed with a single quote, and quoted. Otherwise RFC 4180 quoting when needed.
fn csv_cell(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula {
        format!("\"'{}\"", field.replace('"', "\"\""))
    } else if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod runner_tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_row(&["a", "b,c", "say \"hi\""]), "a,\"b,c\",\"say \"\"hi\"\"\"\n");
    }

    #[test]
    fn csv_formula_injection_is_neutralised() {
        assert_eq!(
            csv_row(&["=HYPERLINK(\"http://x\",\"y\").mp4", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "ok", "a=b"]),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\").mp4\",\"'+1\",\"'-2\",\"'@SUM(A1)\",\"'\tx\",\"'\rx\",ok,a=b\n"
        );
    }
}
