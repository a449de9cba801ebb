//! What a batch remembers between runs and between workers: each video's outputs keyed by its
//! content and settings (so a rerun skips what is current), and the lock a worker holds on a video.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

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

/// How long a lock that names no holder counts as alive. Locks are published whole (see
/// [`VideoLock::claim`]), so one without a holder was cut short while being written, by a
/// filesystem without hard links; writing it takes microseconds, so a minute is ample.
pub const UNNAMED_LOCK_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Whether a lock with `content`, last modified `age` ago, belongs to nobody alive: its process
/// is gone (when it names this host), it names no holder and is older than
/// [`UNNAMED_LOCK_GRACE`], or it is older than [`STALE_LOCK_AGE`].
pub fn lock_is_stale(content: &str, age: std::time::Duration, host: &str) -> bool {
    if age > STALE_LOCK_AGE {
        return true;
    }
    match lock_holder(content) {
        Some((holder_host, pid)) if holder_host == host && !host.is_empty() => {
            !Path::new(&format!("/proc/{pid}")).exists()
        }
        Some(_) => false,
        None => age > UNNAMED_LOCK_GRACE,
    }
}

/// Creates the lock file `path` holding `content`, or returns `Ok(false)` if it exists. The
/// content is written to a temporary file first and hard-linked into place, so a worker killed
/// at any moment leaves either no lock or a whole one naming it (a lock created empty and then
/// written would, killed in between, name nobody and block the video).
fn publish_lock(path: &Path, content: &str) -> std::io::Result<bool> {
    use std::io::Write;
    let tmp = crate::atomic::temp_path(path, Some("lock"));
    let written = crate::atomic::create_temp(&tmp).and_then(|mut file| file.write_all(content.as_bytes()));
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        // No hard links here (some removable and network filesystems): create, then write.
        Err(_) => match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
            Ok(mut file) => file.write_all(content.as_bytes()).map(|()| true),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(err) => Err(err),
        },
    }
}

impl VideoLock {
    /// Claims the video whose lock file is `path`, taking over a stale lock (see [`lock_is_stale`]).
    pub fn claim(path: &Path) -> std::io::Result<Claim> {
        let host = host_name();
        let content = format!("formcheck batch lock\nhost={host}\npid={}\n", std::process::id());
        for _ in 0..3 {
            if publish_lock(path, &content)? {
                return Ok(Claim::Ours(VideoLock { path: path.to_path_buf(), content }));
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(!lock_is_stale("half-written", now, &host), "a lock may be read while it is being written");
        assert!(lock_is_stale("", UNNAMED_LOCK_GRACE * 2, &host), "but not for long");
        std::fs::write(&lock, lock_of(&host, dead)).unwrap();
        assert!(matches!(VideoLock::claim(&lock).unwrap(), Claim::Ours(_)), "a dead worker's lock is taken over");
        assert!(!lock.exists());
        // Claiming leaves nothing but the lock itself (its temporary copy is gone).
        let Claim::Ours(again) = VideoLock::claim(&lock).unwrap() else { panic!("free again") };
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, [std::ffi::OsString::from("a.mp4.lock")]);
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), lock_of(&host, std::process::id()));
        drop(again);
    }

    #[test]
    fn output_paths_mirror_the_input_tree() {
        let p = OutputPaths::for_video(Path::new("/o"), Path::new("ann/set 1.mp4"));
        assert_eq!(p.report, PathBuf::from("/o/videos/ann/set 1.mp4.report.json"));
        assert_eq!(p.annotated, PathBuf::from("/o/videos/ann/set 1.mp4.annotated.mp4"));
    }
}
