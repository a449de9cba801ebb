//! Video input: decoded frames with their container timestamps, from files, images, cameras and streams.
//!
//! Every input is a [`FrameSource`]: a [`VideoReader`] (file, image, camera or stream) read in
//! place, a [`PrefetchReader`] that decodes one ahead on its own thread, or a
//! [`LatestFrameSource`] that keeps only the newest frame of a live input.
//!
//! OpenCV's FFmpeg backend applies the container's rotation metadata while decoding (phone videos
//! shot in portrait come out upright), and `CAP_PROP_POS_MSEC` after a read is the frame's own
//! presentation time, so variable-frame-rate recordings keep their real timing.

use opencv::core::Mat;
use opencv::prelude::*;
use opencv::{imgcodecs, videoio};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Errors of the video stage.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// The path does not exist.
    #[error("{0}: no such file")]
    NotFound(PathBuf),
    /// OpenCV could not open or decode it (not a video, unsupported codec, corrupt header...).
    #[error("{path}: cannot open as a video or image ({why})")]
    Unreadable {
        /// What was opened.
        path: String,
        /// What went wrong.
        why: String,
    },
    /// The file exists but this process may not read it.
    #[error("{0}: permission denied")]
    PermissionDenied(PathBuf),
    /// It opened but no frame could be decoded.
    #[error("{0}: the video holds no decodable frames")]
    NoFrames(String),
    /// A camera or stream could not be opened.
    #[error("cannot open capture source {0}")]
    SourceUnavailable(String),
    /// OpenCV reported an error mid-stream.
    #[error("video decode: {0}")]
    OpenCv(#[from] opencv::Error),
    /// A live source gave no frame for this long (a camera unplugged, a stream that stopped
    /// sending); see [`LatestFrameSource`].
    #[error("no frame for {0:?}")]
    Stalled(Duration),
}

/// Where a pipeline gets its frames: one API for files, images, cameras, streams and the
/// threaded readers wrapped around them.
pub trait FrameSource {
    /// Facts about the input (size of the first decoded frame, nominal fps).
    fn info(&self) -> &VideoInfo;

    /// True for a camera or stream: frames arrive in real time and are stamped with their
    /// capture time, not read at the consumer's pace.
    fn is_live(&self) -> bool;

    /// The next frame, or `Ok(None)` at the end of the input. A live source that goes silent
    /// may fail with [`VideoError::Stalled`].
    fn next_frame(&mut self) -> Result<Option<Frame>, VideoError>;

    /// [`next_frame`](FrameSource::next_frame), decoding into `buffer`'s memory when it has the
    /// frame's size (a pool of frames handed back by the consumer saves allocating and
    /// faulting in megabytes a frame). `buffer` must not be shared with another `Mat`.
    fn next_frame_into(&mut self, buffer: Mat) -> Result<Option<Frame>, VideoError> {
        drop(buffer);
        self.next_frame()
    }
}

/// One decoded frame.
pub struct Frame {
    /// 0-based index of the decoded frame.
    pub index: u64,
    /// Presentation time in seconds (container timestamps; capture time for live sources).
    pub t_s: f64,
    /// When the frame was read from its source (for latency measurements).
    pub captured_at: Instant,
    /// The picture, BGR 8-bit, upright.
    pub image: Mat,
}

/// Where frames come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A video file or still image on disk.
    File(PathBuf),
    /// A camera by OpenCV index.
    Camera(i32),
    /// A device path or a network stream URL (`rtsp://`, `udp://`, `http://`...).
    Url(String),
}

impl Source {
    /// Interprets a command-line argument: an integer is a camera index, something with `://`
    /// or under `/dev/` a device or stream, anything else a file.
    pub fn parse(arg: &str) -> Source {
        if let Ok(index) = arg.parse::<i32>() {
            Source::Camera(index)
        } else if arg.contains("://") || arg.starts_with("/dev/") {
            Source::Url(arg.to_string())
        } else {
            Source::File(PathBuf::from(arg))
        }
    }

    /// A short human-readable name.
    pub fn describe(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Camera(i) => format!("camera {i}"),
            Source::Url(u) => u.clone(),
        }
    }
}

/// File extensions read as single still images rather than videos.
const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "ppm", "pgm"];

/// True when the path names a still image (by extension).
pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

/// What the OS refusing to open `path` means for the user.
fn open_error(path: &Path, err: std::io::Error) -> VideoError {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => VideoError::PermissionDenied(path.to_path_buf()),
        std::io::ErrorKind::NotFound => VideoError::NotFound(path.to_path_buf()),
        _ => VideoError::Unreadable { path: path.display().to_string(), why: err.to_string() },
    }
}

/// Facts about an opened input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VideoInfo {
    /// Width of decoded (upright) frames.
    pub width: u32,
    /// Height of decoded frames.
    pub height: u32,
    /// The container's nominal frame rate (0 when unknown, e.g. an image).
    pub fps: f64,
    /// The container's frame count estimate (0 when unknown).
    pub frame_count_hint: u64,
    /// True for a still image.
    pub is_image: bool,
}

enum Backend {
    Capture(videoio::VideoCapture),
    Image(Option<Mat>),
}

/// A sequential reader of decoded frames. Holds one frame at a time: memory does not grow with
/// the video's length.
pub struct VideoReader {
    backend: Backend,
    name: String,
    info: VideoInfo,
    next_index: u64,
    /// The first frame, decoded while opening so a broken file fails at open.
    pending: Option<Frame>,
    last_t_s: f64,
    live: bool,
    started: Instant,
}

impl VideoReader {
    /// Opens a file (video or image), checking that at least one frame decodes.
    pub fn open_file(path: &Path) -> Result<VideoReader, VideoError> {
        if !path.exists() {
            return Err(VideoError::NotFound(path.to_path_buf()));
        }
        let name = path.display().to_string();
        if path.is_dir() {
            return Err(VideoError::Unreadable { path: name, why: "it is a directory".into() });
        }
        // OpenCV says only "no video stream" when it cannot read a file: ask the OS first (for a
        // regular file; opening a fifo would wait for a writer).
        if path.metadata().is_ok_and(|m| m.is_file()) {
            if let Err(err) = std::fs::File::open(path) {
                return Err(open_error(path, err));
            }
        }
        if is_image_path(path) {
            // The path's own bytes, not its display form: a name that is not UTF-8 must reach
            // OpenCV unchanged.
            let image = imgcodecs::imread(path.as_os_str(), imgcodecs::IMREAD_COLOR)?;
            if image.empty() {
                return Err(VideoError::Unreadable { path: name, why: "not a decodable image".into() });
            }
            let info = VideoInfo {
                width: image.cols() as u32,
                height: image.rows() as u32,
                fps: 0.0,
                frame_count_hint: 1,
                is_image: true,
            };
            return Ok(VideoReader {
                backend: Backend::Image(Some(image)),
                name,
                info,
                next_index: 0,
                pending: None,
                last_t_s: 0.0,
                live: false,
                started: Instant::now(),
            });
        }
        let capture = videoio::VideoCapture::from_file(path.as_os_str(), videoio::CAP_FFMPEG)
            .map_err(|e| VideoError::Unreadable { path: name.clone(), why: e.message.clone() })?;
        Self::from_capture(capture, name, false)
    }

    /// Opens any source: files as [`open_file`](Self::open_file), cameras and streams live
    /// (with FFmpeg's default 30 s limits on opening and on each read of a stream).
    pub fn open(source: &Source) -> Result<VideoReader, VideoError> {
        Self::open_with_timeout(source, Duration::from_secs(30))
    }

    /// Opens any source like [`open`](Self::open); a stream URL (`udp://`, `rtsp://`...) that
    /// gives no picture within `timeout` (opening, then each read) is
    /// [`VideoError::SourceUnavailable`]. Streams are opened by OpenCV's FFmpeg backend only, so a
    /// dead URL is not handed on to GStreamer, which only adds noise on stderr.
    pub fn open_with_timeout(source: &Source, timeout: Duration) -> Result<VideoReader, VideoError> {
        let unavailable = |_| VideoError::SourceUnavailable(source.describe());
        match source {
            Source::File(path) => Self::open_file(path),
            Source::Camera(index) => {
                let capture = videoio::VideoCapture::new(*index, videoio::CAP_ANY).map_err(unavailable)?;
                Self::from_capture(capture, source.describe(), true)
            }
            Source::Url(url) if url.contains("://") => {
                let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX).max(1);
                let params = opencv::core::Vector::<i32>::from_slice(&[
                    videoio::CAP_PROP_OPEN_TIMEOUT_MSEC,
                    ms,
                    videoio::CAP_PROP_READ_TIMEOUT_MSEC,
                    ms,
                ]);
                let capture = videoio::VideoCapture::from_file_with_params(url, videoio::CAP_FFMPEG, &params)
                    .map_err(unavailable)?;
                Self::from_capture(capture, source.describe(), true)
            }
            Source::Url(device) => {
                let capture = videoio::VideoCapture::from_file(device, videoio::CAP_ANY).map_err(unavailable)?;
                Self::from_capture(capture, source.describe(), true)
            }
        }
    }

    fn from_capture(capture: videoio::VideoCapture, name: String, live: bool) -> Result<VideoReader, VideoError> {
        if !capture.is_opened().unwrap_or(false) {
            return Err(if live {
                VideoError::SourceUnavailable(name)
            } else {
                VideoError::Unreadable { path: name, why: "no video stream OpenCV can decode".into() }
            });
        }
        let fps = capture.get(videoio::CAP_PROP_FPS).unwrap_or(0.0);
        let count = capture.get(videoio::CAP_PROP_FRAME_COUNT).unwrap_or(0.0);
        let mut reader = VideoReader {
            backend: Backend::Capture(capture),
            name: name.clone(),
            info: VideoInfo {
                width: 0,
                height: 0,
                fps: if fps.is_finite() && fps > 0.0 { fps } else { 0.0 },
                frame_count_hint: if count.is_finite() && count > 0.0 { count as u64 } else { 0 },
                is_image: false,
            },
            next_index: 0,
            pending: None,
            last_t_s: -1.0,
            live,
            started: Instant::now(),
        };
        match reader.decode_next(Mat::default())? {
            Some(first) => {
                reader.info.width = first.image.cols() as u32;
                reader.info.height = first.image.rows() as u32;
                reader.pending = Some(first);
                Ok(reader)
            }
            None if live => Err(VideoError::SourceUnavailable(name)),
            None => Err(VideoError::NoFrames(name)),
        }
    }

    /// The name the input was opened with.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Decodes the next frame into `buffer` (reallocated by OpenCV unless it fits).
    fn decode_next(&mut self, buffer: Mat) -> Result<Option<Frame>, VideoError> {
        match &mut self.backend {
            Backend::Image(image) => Ok(image.take().map(|image| {
                self.next_index = 1;
                Frame { index: 0, t_s: 0.0, captured_at: Instant::now(), image }
            })),
            Backend::Capture(capture) => {
                let mut image = buffer;
                // A read error mid-file (truncated data) ends the video: what decoded so far stands.
                let ok = capture.read(&mut image).unwrap_or(false);
                if !ok || image.empty() {
                    return Ok(None);
                }
                let captured_at = Instant::now();
                let index = self.next_index;
                self.next_index += 1;
                let t_s = if self.live {
                    captured_at.duration_since(self.started).as_secs_f64()
                } else {
                    let pos_ms = capture.get(videoio::CAP_PROP_POS_MSEC).unwrap_or(f64::NAN);
                    let nominal = if self.info.fps > 0.0 { index as f64 / self.info.fps } else { index as f64 / 30.0 };
                    let t = if pos_ms.is_finite() && pos_ms >= 0.0 { pos_ms / 1000.0 } else { nominal };
                    // Some containers repeat or lack timestamps: keep time strictly increasing.
                    if t > self.last_t_s {
                        t
                    } else {
                        self.last_t_s + 1e-3
                    }
                };
                self.last_t_s = t_s;
                Ok(Some(Frame { index, t_s, captured_at, image }))
            }
        }
    }
}

impl FrameSource for VideoReader {
    fn info(&self) -> &VideoInfo {
        &self.info
    }

    fn is_live(&self) -> bool {
        self.live
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, VideoError> {
        self.next_frame_into(Mat::default())
    }

    fn next_frame_into(&mut self, buffer: Mat) -> Result<Option<Frame>, VideoError> {
        if let Some(frame) = self.pending.take() {
            return Ok(Some(frame));
        }
        self.decode_next(buffer)
    }
}

/// Decodes on a background thread into a small bounded queue, so decoding overlaps with
/// whatever consumes the frames (pose inference). Memory stays bounded by `depth` frames, and
/// frames the consumer hands back with [`recycle`](PrefetchReader::recycle) are decoded into
/// again.
pub struct PrefetchReader {
    receiver: std::sync::mpsc::Receiver<Result<Frame, VideoError>>,
    spare: std::sync::mpsc::SyncSender<Mat>,
    handle: Option<JoinHandle<()>>,
    info: VideoInfo,
    live: bool,
}

impl PrefetchReader {
    /// Starts decoding `reader` on its own thread, holding at most `depth` frames ahead.
    pub fn spawn(mut reader: impl FrameSource + Send + 'static, depth: usize) -> PrefetchReader {
        let info = reader.info().clone();
        let live = reader.is_live();
        let (sender, receiver) = std::sync::mpsc::sync_channel(depth.max(1));
        // Room for every frame that can be alive at once: the queue, the one being decoded and
        // the one the consumer holds.
        let (spare, spares) = std::sync::mpsc::sync_channel::<Mat>(depth.max(1) + 2);
        let handle = std::thread::Builder::new()
            .name("decode".into())
            .spawn(move || loop {
                let buffer = spares.try_recv().unwrap_or_default();
                let item = reader.next_frame_into(buffer).transpose();
                let Some(item) = item else { break };
                let stop = item.is_err();
                if sender.send(item).is_err() || stop {
                    break;
                }
            })
            .ok();
        PrefetchReader { receiver, spare, handle, info, live }
    }

    /// Hands a frame's picture back to be decoded into, once nothing refers to it any more
    /// (`image` must not share its memory with another `Mat`). Frames beyond what the decoder
    /// can use are dropped.
    pub fn recycle(&self, image: Mat) {
        let _ = self.spare.try_send(image);
    }
}

impl FrameSource for PrefetchReader {
    fn info(&self) -> &VideoInfo {
        &self.info
    }

    fn is_live(&self) -> bool {
        self.live
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, VideoError> {
        // A closed channel is the end: the decoder sent its last frame or its error.
        self.receiver.recv().ok().transpose()
    }
}

impl Drop for PrefetchReader {
    fn drop(&mut self) {
        // Dropping the receiver unblocks the decoder's send; then wait for it.
        let (_, dead) = std::sync::mpsc::sync_channel(1);
        drop(std::mem::replace(&mut self.receiver, dead));
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// State shared between a live capture thread and its consumer.
struct LatestSlot {
    frame: Option<Frame>,
    ended: Option<Option<VideoError>>,
    dropped: u64,
    captured: u64,
}

/// A live source: a thread reads frames as fast as the source gives them (a camera's own rate,
/// or a file paced at its timestamps when `realtime`), keeping only the newest. A consumer that
/// falls behind skips frames instead of queueing them, so latency never builds up.
pub struct LatestFrameSource {
    shared: Arc<(Mutex<LatestSlot>, Condvar)>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: Option<JoinHandle<()>>,
    info: VideoInfo,
    live: bool,
    stall_timeout: Duration,
}

/// Counters of a live source at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// Frames read from the source.
    pub captured: u64,
    /// Frames overwritten before the consumer took them.
    pub dropped: u64,
}

impl LatestFrameSource {
    /// Starts the capture thread. With `realtime`, frames of a file are released at their own
    /// timestamps (as a camera would deliver them); live sources are never paced. A source that
    /// gives no frame for `stall_timeout` is reported as [`VideoError::Stalled`].
    pub fn spawn(mut reader: impl FrameSource + Send + 'static, realtime: bool, stall_timeout: Duration) -> Self {
        let info = reader.info().clone();
        let live = reader.is_live();
        let shared =
            Arc::new((Mutex::new(LatestSlot { frame: None, ended: None, dropped: 0, captured: 0 }), Condvar::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (thread_shared, thread_stop) = (shared.clone(), stop.clone());
        let handle = std::thread::Builder::new()
            .name("capture".into())
            .spawn(move || {
                let pace = realtime && !live;
                let start = Instant::now();
                let mut first_t: Option<f64> = None;
                loop {
                    if thread_stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let item = reader.next_frame();
                    let (lock, cvar) = &*thread_shared;
                    match item {
                        Ok(Some(mut frame)) => {
                            if pace {
                                let t0 = *first_t.get_or_insert(frame.t_s);
                                let due = start + Duration::from_secs_f64((frame.t_s - t0).max(0.0));
                                let now = Instant::now();
                                if due > now {
                                    std::thread::sleep(due - now);
                                }
                                frame.captured_at = Instant::now();
                            }
                            let Ok(mut slot) = lock.lock() else { break };
                            slot.captured += 1;
                            if slot.frame.replace(frame).is_some() {
                                slot.dropped += 1;
                            }
                            cvar.notify_one();
                        }
                        Ok(None) | Err(_) => {
                            let err = item.err();
                            if let Ok(mut slot) = lock.lock() {
                                slot.ended = Some(err);
                            }
                            cvar.notify_one();
                            break;
                        }
                    }
                }
            })
            .ok();
        LatestFrameSource { shared, stop, handle, info, live, stall_timeout }
    }

    /// Frames captured and dropped so far.
    pub fn stats(&self) -> CaptureStats {
        self.shared.0.lock().map(|s| CaptureStats { captured: s.captured, dropped: s.dropped }).unwrap_or_default()
    }
}

impl FrameSource for LatestFrameSource {
    fn info(&self) -> &VideoInfo {
        &self.info
    }

    fn is_live(&self) -> bool {
        self.live
    }

    /// Waits for the newest frame. `Ok(None)` when the source has ended; an error when it failed,
    /// and [`VideoError::Stalled`] when it has been silent for the stall timeout.
    fn next_frame(&mut self) -> Result<Option<Frame>, VideoError> {
        let (lock, cvar) = &*self.shared;
        let Ok(mut slot) = lock.lock() else { return Ok(None) };
        let deadline = Instant::now() + self.stall_timeout;
        loop {
            if let Some(frame) = slot.frame.take() {
                return Ok(Some(frame));
            }
            if let Some(ended) = slot.ended.take() {
                slot.ended = Some(None);
                return match ended {
                    Some(err) => Err(err),
                    None => Ok(None),
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(VideoError::Stalled(self.stall_timeout));
            }
            slot = match cvar.wait_timeout(slot, deadline - now) {
                Ok((guard, _)) => guard,
                Err(_) => return Ok(None),
            };
        }
    }
}

impl Drop for LatestFrameSource {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_arguments_are_classified() {
        assert_eq!(Source::parse("0"), Source::Camera(0));
        assert_eq!(Source::parse("/dev/video2"), Source::Url("/dev/video2".into()));
        assert_eq!(Source::parse("rtsp://127.0.0.1:8554/x"), Source::Url("rtsp://127.0.0.1:8554/x".into()));
        assert_eq!(Source::parse("clip.mp4"), Source::File("clip.mp4".into()));
    }

    #[test]
    fn image_extensions_are_case_insensitive() {
        assert!(is_image_path(Path::new("a/B.JPG")));
        assert!(!is_image_path(Path::new("a/b.mp4")));
        assert!(!is_image_path(Path::new("noext")));
    }

    #[test]
    fn an_unreadable_file_is_reported_as_permission_denied() {
        let denied = std::io::Error::from_raw_os_error(13); // EACCES
        let err = open_error(Path::new("/videos/clip.mp4"), denied);
        assert!(matches!(err, VideoError::PermissionDenied(_)), "{err:?}");
        assert_eq!(err.to_string(), "/videos/clip.mp4: permission denied");
        let other = open_error(Path::new("x.mp4"), std::io::Error::from_raw_os_error(5)); // EIO
        assert!(err_text_has(&other, "x.mp4: cannot open as a video or image"), "{other}");
        // Without root's override of file permissions, the real open says so too.
        let dir = std::env::temp_dir().join(format!("formcheck-perm-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("locked.mp4");
        std::fs::write(&file, b"not readable").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::File::open(&file).is_err() {
            let err = VideoReader::open_file(&file).err().expect("must fail");
            assert!(matches!(err, VideoError::PermissionDenied(_)), "{err}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    fn err_text_has(err: &VideoError, text: &str) -> bool {
        err.to_string().contains(text)
    }

    #[test]
    fn missing_and_non_video_files_are_clear_errors() {
        let err = VideoReader::open_file(Path::new("/nonexistent/clip.mp4")).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("/nonexistent/clip.mp4: no such file"));
        let dir = std::env::temp_dir().join(format!("formcheck-video-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = dir.join("notes.mp4");
        std::fs::write(&text, b"this is not a video at all").unwrap();
        let err = VideoReader::open_file(&text).err().expect("text file must not open as video");
        assert!(matches!(err, VideoError::Unreadable { .. } | VideoError::NoFrames(_)), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    /// The bundled sample clip (`samples/` at the workspace root).
    fn sample_clip() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/01_clean_side.mp4")
    }

    #[test]
    fn recycled_frames_are_decoded_into_and_decode_the_same_pictures() {
        let mut plain = VideoReader::open_file(&sample_clip()).expect("bundled sample opens");
        let mut expected = Vec::new();
        while let Some(frame) = plain.next_frame().expect("decode") {
            expected.push(frame.image.data_bytes().expect("continuous").to_vec());
            if expected.len() == 12 {
                break;
            }
        }
        let mut prefetch = PrefetchReader::spawn(VideoReader::open_file(&sample_clip()).expect("opens"), 1);
        // Every decoded frame is kept alive, so memory the decoder reuses can only be a buffer
        // handed back, never a block the allocator freed and gave out again.
        let mut kept: Vec<Mat> = Vec::new();
        let mut handed_back = Vec::new();
        for (index, want) in expected.iter().enumerate() {
            let frame = prefetch.next_frame().expect("decode").expect("a frame");
            assert_eq!(frame.index, index as u64);
            assert!(frame.image.data_bytes().expect("continuous") == want.as_slice(), "frame {index} differs");
            if index % 3 == 0 {
                let (rows, cols, kind) = (frame.image.rows(), frame.image.cols(), frame.image.typ());
                let buffer =
                    Mat::new_rows_cols_with_default(rows, cols, kind, opencv::core::Scalar::all(7.0)).expect("buffer");
                handed_back.push(buffer.data() as usize);
                prefetch.recycle(buffer);
            }
            kept.push(frame.image);
        }
        let decoded_into: Vec<usize> = kept.iter().map(|image| image.data() as usize).collect();
        let reused = handed_back.iter().filter(|b| decoded_into.contains(b)).count();
        // The decoder runs up to three frames ahead of the consumer, so the last buffer or two
        // handed back may not have been used yet.
        assert!(
            reused + 2 >= handed_back.len(),
            "{reused} of {} buffers handed back were decoded into",
            handed_back.len()
        );
        assert!(reused >= 1);
    }
}
