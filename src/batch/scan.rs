//! Which videos a batch covers: the recursive scan of the input folder, and the shard of them
//! this worker owns.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::{DirEntry, Metadata};
use std::os::unix::fs::MetadataExt;
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
fn kind_of(meta: &Metadata) -> &'static str {
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

/// A file's identity: (device, inode).
type FileId = (u64, u64);

fn file_id(meta: &Metadata) -> FileId {
    (meta.dev(), meta.ino())
}

/// The state of one scan while it walks the tree.
struct Walk<'a> {
    root: &'a Path,
    /// The output folder, canonical, when it lies inside the input.
    skip: Option<PathBuf>,
    /// Folders entered so far, by identity, with the path they were first reached by.
    seen_dirs: HashMap<FileId, PathBuf>,
    /// Regular files named like videos, with their identity; deduplicated after sorting, so the
    /// name kept does not depend on the order the folders were read in.
    candidates: Vec<(PathBuf, FileId)>,
    scan: Scan,
}

impl Walk<'_> {
    fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(self.root).unwrap_or(path).to_path_buf()
    }

    /// The entries of `dir` in name order, or `None` (noted as skipped) when a folder below the
    /// root cannot be read. Depth first in name order: the first route to a folder reached twice
    /// is the sorted-first one.
    fn list(&mut self, dir: &Path) -> std::io::Result<Option<Vec<DirEntry>>> {
        match std::fs::read_dir(dir).and_then(|it| it.collect::<Result<Vec<_>, _>>()) {
            Ok(mut entries) => {
                entries.sort_by_key(|e| e.file_name());
                Ok(Some(entries))
            }
            Err(err) if dir != self.root => {
                let rel = self.relative(dir);
                self.scan.skipped.push((rel, format!("folder cannot be read: {err}")));
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    /// Files one entry under its kind; returns it when it is a folder to descend into.
    fn visit(&mut self, entry: &DirEntry) -> Option<PathBuf> {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            return None;
        }
        let rel = self.relative(&path);
        // Follows links; a dangling link is an unreadable file, listed with the others.
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(err) => {
                if has_video_extension(&path) {
                    self.scan.skipped.push((rel, format!("cannot be read: {err}")));
                } else {
                    self.scan.ignored.push(rel);
                }
                return None;
            }
        };
        if meta.is_dir() {
            return self.enter_dir(path, rel, &meta);
        }
        if !has_video_extension(&path) {
            self.scan.ignored.push(rel);
        } else if !meta.is_file() {
            self.scan.skipped.push((rel, format!("{}, not a video file", kind_of(&meta))));
        } else {
            self.candidates.push((rel, file_id(&meta)));
        }
        None
    }

    /// A folder is entered once: not the output folder, and not again when reached twice.
    fn enter_dir(&mut self, path: PathBuf, rel: PathBuf, meta: &Metadata) -> Option<PathBuf> {
        if self.skip.as_deref() == path.canonicalize().ok().as_deref() {
            return None;
        }
        match self.seen_dirs.get(&file_id(meta)) {
            Some(first) => {
                let first = first.strip_prefix(self.root).unwrap_or(first);
                let first = if first.as_os_str().is_empty() { Path::new(".") } else { first };
                let why = format!("the same folder as {} (reached twice)", first.display());
                self.scan.skipped.push((rel, why));
                None
            }
            None => {
                self.seen_dirs.insert(file_id(meta), path.clone());
                Some(path)
            }
        }
    }

    /// The videos, each file once under its sorted-first name, and everything sorted.
    fn finish(mut self) -> Scan {
        self.candidates.sort();
        let mut first_name: HashMap<FileId, PathBuf> = HashMap::new();
        for (rel, id) in self.candidates {
            match first_name.get(&id) {
                Some(first) => {
                    let why = format!("the same file as {} (reached twice)", first.display());
                    self.scan.skipped.push((rel, why));
                }
                None => {
                    first_name.insert(id, rel.clone());
                    self.scan.videos.push(rel);
                }
            }
        }
        self.scan.videos.sort();
        self.scan.ignored.sort();
        self.scan.skipped.sort();
        self.scan
    }
}

/// Lists the videos under `root`, recursively, skipping hidden entries and `skip` (the output
/// folder, when it lies inside the input). Sorted so every shard sees the same order.
///
/// Symlinks are followed. Only regular files are videos: a fifo or a device named like a video
/// is listed in [`Scan::skipped`] with its kind. A file or folder reached twice (same device and
/// inode, e.g. through a link to `..`) is scanned once; the second name is listed as skipped.
pub fn scan(root: &Path, skip: Option<&Path>) -> std::io::Result<Scan> {
    let root_meta = std::fs::metadata(root)?;
    let mut walk = Walk {
        root,
        skip: skip.and_then(|s| s.canonicalize().ok()),
        seen_dirs: HashMap::from([(file_id(&root_meta), root.into())]),
        candidates: Vec::new(),
        scan: Scan::default(),
    };
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Some(entries) = walk.list(&dir)? else { continue };
        let subdirs: Vec<PathBuf> = entries.iter().filter_map(|entry| walk.visit(entry)).collect();
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(walk.finish())
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
}
