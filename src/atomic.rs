//! Output files, written so that nothing that is not ours is ever replaced and a failed write
//! leaves the previous file or nothing:
//!
//! - `-` is standard output;
//! - a symlink is followed, and the file is written at the link's target (the link survives);
//! - something that exists and is not a regular file (a character device such as `/dev/null`, a
//!   fifo, a socket) is written through, opened for writing as it is: never renamed over;
//! - a regular file (or a new name) is written to a temporary file beside it, synced, and renamed
//!   over it when complete, keeping the old file's permissions; on any error the temporary file
//!   is removed.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Symlinks followed at most when resolving an output path (as the kernel's own limit).
const MAX_LINKS: usize = 40;

/// Where an output path really leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `-`: the process's standard output.
    Stdout,
    /// Something that exists and is not a regular file (device, fifo, socket): written through.
    Special(PathBuf),
    /// A regular file, or a name that does not exist yet (symlinks resolved): written atomically.
    File(PathBuf),
}

/// True when `path` is `-`, standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Resolves an output path: `-`, symlinks (also dangling ones, to the file they will create),
/// special files, regular files. A directory is an error.
pub fn resolve(path: &Path) -> std::io::Result<Target> {
    if is_stdout(path) {
        return Ok(Target::Stdout);
    }
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(Target::File(current)),
            Err(err) => return Err(err),
        };
        if !meta.file_type().is_symlink() {
            return classify(current, &meta);
        }
        // A link to something that exists: let the OS follow it (this also handles the kernel's
        // magic links, e.g. /dev/stdout → /proc/self/fd/1 → pipe:[…]).
        match std::fs::metadata(&current) {
            Ok(meta) if meta.is_file() => return Ok(Target::File(std::fs::canonicalize(&current)?)),
            Ok(meta) => return classify(current, &meta),
            Err(err) if err.kind() == ErrorKind::NotFound => {
                // Dangling: follow one hop by hand, to the name the link will create.
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::other(format!("more than {MAX_LINKS} symbolic links")))
}

fn classify(path: PathBuf, meta: &std::fs::Metadata) -> std::io::Result<Target> {
    if meta.is_dir() {
        Err(std::io::Error::new(ErrorKind::IsADirectory, "is a directory"))
    } else if meta.is_file() {
        Ok(Target::File(path))
    } else {
        Ok(Target::Special(path))
    }
}

/// Checks, before any work, that `path` can be written: `-` always can; a device, fifo or
/// socket is taken as it is (opening a fifo would wait for its reader); for a regular file or a
/// new name, a temporary file is created beside it and removed again, which proves that its
/// folder exists and is writable. Leaves nothing behind.
pub fn check_writable(path: &Path) -> std::io::Result<Target> {
    let target = resolve(path)?;
    if let Target::File(file) = &target {
        let probe = temp_path(file, None);
        create_temp(&probe)?;
        let _ = std::fs::remove_file(&probe);
    }
    Ok(target)
}

/// Opens a special file (device, fifo...) for writing as it is: no create, no truncate, no rename.
fn open_special(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new().write(true).open(path)?;
    if file.metadata()?.is_file() {
        // Replaced by a regular file since it was resolved: writing without truncating would corrupt it.
        return Err(std::io::Error::other("changed into a regular file while being opened"));
    }
    Ok(file)
}

/// A fresh temporary name for `target`, beside it: `.NAME.PID-N.tmp` then `extension` if given
/// (the video encoder picks its container by extension).
pub fn temp_path(target: &Path, extension: Option<&str>) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = extension.map(|e| format!(".{e}")).unwrap_or_default();
    target.with_file_name(format!(".{name}.{}-{n}.tmp{ext}", std::process::id()))
}

/// Creates the temporary file exclusively (never through an existing name or link).
pub(crate) fn create_temp(tmp: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(tmp)
}

/// Renames a finished temporary file over the regular file `target`, after syncing it and giving
/// it the permissions of the file it replaces.
fn rename_into_place(file: &File, tmp: &Path, target: &Path) -> std::io::Result<()> {
    if let Ok(old) = std::fs::metadata(target) {
        if old.is_file() {
            file.set_permissions(old.permissions())?;
        }
    }
    file.sync_all()?;
    std::fs::rename(tmp, target)
}

/// Writes `bytes` to `target` as a whole: standard output, through a special file, or atomically
/// (temp file, fsync, rename) at a regular file or a symlink's target. On error nothing is left
/// behind and a previous regular file is untouched.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut out = Output::create(target)?;
    out.write_all(bytes)?;
    out.finish()
}

/// An output written incrementally (JSONL streams) with the same rules as [`write_atomic`]: a
/// regular file appears only when [`Output::finish`] succeeds; dropped unfinished, the temporary
/// file is removed. Standard output and special files are written as the data comes.
pub struct Output {
    sink: Sink,
}

enum Sink {
    Stdout(BufWriter<std::io::Stdout>),
    Special(BufWriter<File>),
    Staged { file: Option<BufWriter<File>>, tmp: PathBuf, target: PathBuf },
}

impl Output {
    /// Opens `path` for writing (see [`resolve`]).
    pub fn create(path: &Path) -> std::io::Result<Output> {
        let sink = match resolve(path)? {
            Target::Stdout => Sink::Stdout(BufWriter::new(std::io::stdout())),
            Target::Special(path) => Sink::Special(BufWriter::new(open_special(&path)?)),
            Target::File(target) => {
                let tmp = temp_path(&target, None);
                let file = create_temp(&tmp)?;
                Sink::Staged { file: Some(BufWriter::new(file)), tmp, target }
            }
        };
        Ok(Output { sink })
    }

    /// Completes the output: flushes, and for a regular file syncs and renames it into place.
    pub fn finish(mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(out) => out.flush(),
            Sink::Special(out) => out.flush(),
            Sink::Staged { file, tmp, target } => {
                let Some(buffered) = file.take() else { return Ok(()) };
                let file = buffered.into_inner().map_err(|e| e.into_error())?;
                let result = rename_into_place(&file, tmp, target);
                if result.is_err() {
                    let _ = std::fs::remove_file(&*tmp);
                }
                // Renamed (or removed): nothing left for Drop to clean up.
                *tmp = PathBuf::new();
                result
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(out) => out.write(buf),
            Sink::Special(out) => out.write(buf),
            Sink::Staged { file: Some(out), .. } => out.write(buf),
            Sink::Staged { file: None, .. } => Err(std::io::Error::other("output already finished")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(out) => out.flush(),
            Sink::Special(out) => out.flush(),
            Sink::Staged { file: Some(out), .. } => out.flush(),
            Sink::Staged { file: None, .. } => Ok(()),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Sink::Staged { file, tmp, .. } = &mut self.sink {
            drop(file.take());
            if !tmp.as_os_str().is_empty() {
                let _ = std::fs::remove_file(&*tmp);
            }
        }
    }
}

/// A temporary file for an output that another library writes by path (the video encoder), with
/// the same rules as [`write_atomic`] once [`StagedFile::commit`] is called. Beside the target when
/// it is a regular file; in the system's temporary folder when the target is standard output or a
/// special file (then copied into it). Dropped uncommitted, the temporary file is removed.
pub struct StagedFile {
    tmp: PathBuf,
    target: Target,
    committed: bool,
}

impl StagedFile {
    /// Reserves a temporary file for `output`, ending in `.extension`.
    pub fn new(output: &Path, extension: &str) -> std::io::Result<StagedFile> {
        let target = resolve(output)?;
        let tmp = match &target {
            Target::File(path) => temp_path(path, Some(extension)),
            Target::Stdout | Target::Special(_) => {
                let name = output.file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("stdout"));
                temp_path(&std::env::temp_dir().join(format!("formcheck-{}", name.display())), Some(extension))
            }
        };
        create_temp(&tmp)?;
        Ok(StagedFile { tmp, target, committed: false })
    }

    /// The temporary file to write.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Puts the finished temporary file in place: renamed over a regular file, or copied into
    /// standard output or a special file (and removed).
    pub fn commit(mut self) -> std::io::Result<()> {
        let result = match &self.target {
            Target::File(target) => File::open(&self.tmp).and_then(|file| rename_into_place(&file, &self.tmp, target)),
            Target::Stdout => File::open(&self.tmp).and_then(|mut file| {
                let mut out = std::io::stdout().lock();
                std::io::copy(&mut file, &mut out)?;
                out.flush()
            }),
            Target::Special(path) => File::open(&self.tmp).and_then(|mut file| {
                let mut out = open_special(path)?;
                std::io::copy(&mut file, &mut out)?;
                out.flush()
            }),
        };
        self.committed = result.is_ok() && matches!(self.target, Target::File(_));
        result
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        write_atomic(&target, b"one").unwrap();
        write_atomic(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        assert_eq!(names(dir.path()), vec!["report.json"]);
    }

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("missing-dir").join("report.json");
        assert!(write_atomic(&target, b"x").is_err());
        assert!(!target.exists());
    }

    #[test]
    fn outputs_replace_symlinks_no_more_the_link_survives_and_its_target_is_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        let real = dir.path().join("real/report.json");
        std::fs::write(&real, b"old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real/report.json", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert_eq!(names(dir.path()), vec!["link.json", "real"]);
        assert_eq!(names(&dir.path().join("real")), vec!["report.json"]);

        // A dangling link creates the file it points to.
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink("real/new.json", &dangling).unwrap();
        write_atomic(&dangling, b"fresh").unwrap();
        assert!(std::fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(dir.path().join("real/new.json")).unwrap(), b"fresh");
    }

    #[test]
    fn outputs_replace_device_nodes_no_more_a_fifo_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"through").unwrap();
        assert_eq!(reader.join().unwrap(), b"through");
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(names(dir.path()), vec!["fifo"]);
        // /dev/null stays a device.
        write_atomic(Path::new("/dev/null"), b"gone").unwrap();
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    }

    #[test]
    fn a_directory_is_not_an_output_and_permissions_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(write_atomic(dir.path(), b"x").unwrap_err().kind(), ErrorKind::IsADirectory);
        let target = dir.path().join("r.json");
        std::fs::write(&target, b"old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&target, b"new").unwrap();
        assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o640);
    }

    #[test]
    fn an_unfinished_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("o.jsonl");
        std::fs::write(&target, b"previous").unwrap();
        {
            let mut out = Output::create(&target).unwrap();
            out.write_all(b"partial").unwrap();
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"previous");
        assert_eq!(names(dir.path()), vec!["o.jsonl"]);
        let staged = StagedFile::new(&target, "mp4").unwrap();
        assert!(staged.path().exists());
        drop(staged);
        assert_eq!(names(dir.path()), vec!["o.jsonl"]);
    }
}
