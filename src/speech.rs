//! Spoken cues with espeak-ng (the Debian package espeak-ng; `scripts/setup.sh` installs it).
//!
//! [`Speaker`] says cues aloud from a worker thread: the frame loop only hands a cue over and
//! never waits. One utterance at a time; a cue given while another is being said waits in a
//! single slot (a newer cue replaces it) and is dropped if it has become stale by the time the
//! voice is free. [`render_track`] writes what a session said into one WAV on the session's
//! timeline instead, by the same rule, so a test can check when each cue was heard.

use std::io;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The speech synthesiser's program.
pub const ESPEAK: &str = "espeak-ng";

/// A cue not started within this long (s) after it was given is stale and is not said: the
/// moment it was about has passed.
pub const STALE_AFTER_S: f64 = 0.5;

/// Whether espeak-ng can be run.
pub fn available() -> bool {
    Command::new(ESPEAK)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The slot between the frame loop and the worker: the newest cue not said yet, when it was
/// given, and whether the session is over.
#[derive(Default)]
struct Slot {
    next: Option<(String, Instant)>,
    closed: bool,
}

/// Says cues aloud on a worker thread.
pub struct Speaker {
    shared: Arc<(Mutex<Slot>, Condvar)>,
    worker: Option<JoinHandle<SpeechStats>>,
}

/// What a [`Speaker`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SpeechStats {
    /// Cues said.
    pub spoken: u64,
    /// Cues dropped: replaced by a newer one or stale before the voice was free.
    pub dropped: u64,
    /// Cues espeak-ng failed on.
    pub failed: u64,
}

impl Speaker {
    /// Starts the worker; an error when espeak-ng cannot be run.
    pub fn spawn() -> io::Result<Speaker> {
        if !available() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "espeak-ng is not installed (scripts/setup.sh installs the Debian package espeak-ng)",
            ));
        }
        let shared = Arc::new((Mutex::new(Slot::default()), Condvar::new()));
        let worker_shared = shared.clone();
        let worker = std::thread::Builder::new().name("speech".into()).spawn(move || speak_loop(&worker_shared))?;
        Ok(Speaker { shared, worker: Some(worker) })
    }

    /// Hands a cue to the worker without waiting.
    pub fn say(&self, text: &str) {
        let (lock, ready) = &*self.shared;
        if let Ok(mut slot) = lock.lock() {
            slot.next = Some((text.to_string(), Instant::now()));
            ready.notify_one();
        }
    }

    /// Lets the utterance under way finish, drops what waits, and returns the figures.
    pub fn finish(mut self) -> SpeechStats {
        self.close();
        self.worker.take().and_then(|w| w.join().ok()).unwrap_or_default()
    }

    fn close(&self) {
        let (lock, ready) = &*self.shared;
        if let Ok(mut slot) = lock.lock() {
            slot.closed = true;
            ready.notify_one();
        }
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.close();
    }
}

/// The worker: takes the newest cue, says it if still fresh, until the slot is closed.
fn speak_loop(shared: &(Mutex<Slot>, Condvar)) -> SpeechStats {
    let (lock, ready) = shared;
    let mut stats = SpeechStats::default();
    loop {
        let next = {
            let Ok(mut slot) = lock.lock() else { return stats };
            while slot.next.is_none() && !slot.closed {
                slot = match ready.wait(slot) {
                    Ok(s) => s,
                    Err(_) => return stats,
                };
            }
            if slot.closed {
                stats.dropped += u64::from(slot.next.is_some());
                return stats;
            }
            slot.next.take()
        };
        let Some((text, given)) = next else { continue };
        if given.elapsed() > Duration::from_secs_f64(STALE_AFTER_S) {
            stats.dropped += 1;
            continue;
        }
        let said = Command::new(ESPEAK)
            .arg("--")
            .arg(&text)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match said {
            Ok(s) if s.success() => stats.spoken += 1,
            _ => stats.failed += 1,
        }
    }
}

/// One cue as heard on a rendered track: when its speech starts and ends (s, session time).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Heard {
    /// Start of the speech.
    pub start_s: f64,
    /// End of the speech.
    pub end_s: f64,
}

/// Mono 16-bit PCM.
struct Pcm {
    rate: u32,
    samples: Vec<i16>,
}

/// Renders `cues` (session time, text) into one WAV at `path`, written atomically: each cue
/// starts at its time or, if the previous one is still being said, when that ends, unless it
/// would then be stale ([`STALE_AFTER_S`]): the rule of the live [`Speaker`]. Returns when
/// each cue was heard (`None`: dropped).
pub fn render_track(cues: &[(f64, String)], session_s: f64, path: &Path) -> io::Result<Vec<Option<Heard>>> {
    let dir = tempfile_dir()?;
    let mut rate = 22_050;
    let mut track: Vec<i16> = Vec::new();
    let mut heard = Vec::new();
    let mut free_at = f64::NEG_INFINITY;
    for (k, (t, text)) in cues.iter().enumerate() {
        let start = t.max(free_at);
        // A cue outside the session (a clock that jumped) is not placed: the track would grow
        // without bound.
        if !t.is_finite() || *t < 0.0 || *t > session_s + 1.0 || start - t > STALE_AFTER_S {
            heard.push(None);
            continue;
        }
        let wav = dir.path.join(format!("cue{k}.wav"));
        let pcm = synthesise(text, &wav)?;
        rate = pcm.rate;
        let at = (start * f64::from(rate)).round().max(0.0) as usize;
        if track.len() < at + pcm.samples.len() {
            track.resize(at + pcm.samples.len(), 0);
        }
        track[at..at + pcm.samples.len()].copy_from_slice(&pcm.samples);
        let end = start + pcm.samples.len() as f64 / f64::from(rate);
        heard.push(Some(Heard { start_s: start, end_s: end }));
        free_at = end;
    }
    let total = (session_s.max(0.0) * f64::from(rate)).ceil() as usize;
    if track.len() < total {
        track.resize(total, 0);
    }
    crate::atomic::write_atomic(path, &wav_bytes(&Pcm { rate, samples: track }))?;
    Ok(heard)
}

/// Synthesises `text` into `wav` with espeak-ng and reads it back.
fn synthesise(text: &str, wav: &Path) -> io::Result<Pcm> {
    let status = Command::new(ESPEAK)
        .arg("-w")
        .arg(wav)
        .arg("--")
        .arg(text)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    if !status.success() {
        return Err(io::Error::other(format!("espeak-ng failed ({status}) on {text:?}")));
    }
    read_wav(&std::fs::read(wav)?)
}

/// Reads a mono 16-bit PCM WAV (what espeak-ng writes).
fn read_wav(bytes: &[u8]) -> io::Result<Pcm> {
    let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidData, format!("WAV from espeak-ng: {why}"));
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(bad("not RIFF/WAVE"));
    }
    let (mut pos, mut rate, mut data) = (12, None, None);
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let len = u32::from_le_bytes([bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]]) as usize;
        let body = bytes.get(pos + 8..(pos + 8).saturating_add(len).min(bytes.len())).unwrap_or(&[]);
        match id {
            b"fmt " if body.len() >= 16 => {
                let channels = u16::from_le_bytes([body[2], body[3]]);
                let bits = u16::from_le_bytes([body[14], body[15]]);
                if channels != 1 || bits != 16 {
                    return Err(bad("not mono 16-bit"));
                }
                rate = Some(u32::from_le_bytes([body[4], body[5], body[6], body[7]]));
            }
            // A data length of 0 (unknown, as when streamed) means the rest of the file.
            b"data" => data = Some(if len > 0 { body } else { &bytes[pos + 8..] }),
            _ => {}
        }
        if data.is_some() {
            break;
        }
        pos += 8 + len + (len & 1);
    }
    let (Some(rate), Some(data)) = (rate, data) else { return Err(bad("no fmt or data chunk")) };
    Ok(Pcm { rate, samples: data.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect() })
}

/// A mono 16-bit PCM WAV file's bytes.
fn wav_bytes(pcm: &Pcm) -> Vec<u8> {
    let data_len = (pcm.samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&pcm.rate.to_le_bytes());
    out.extend_from_slice(&(pcm.rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in &pcm.samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// A private temporary folder, removed when dropped.
struct TempDir {
    path: std::path::PathBuf,
}

fn tempfile_dir() -> io::Result<TempDir> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let path = std::env::temp_dir().join(format!("formcheck-speech-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&path)?;
    Ok(TempDir { path })
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_round_trips_and_bad_wavs_are_errors() {
        let pcm = Pcm { rate: 22_050, samples: vec![0, 1, -1, i16::MAX, i16::MIN] };
        let back = read_wav(&wav_bytes(&pcm)).unwrap();
        assert_eq!((back.rate, back.samples), (pcm.rate, pcm.samples));
        assert!(read_wav(b"RIFF").is_err());
        assert!(read_wav(b"RIFF\0\0\0\0WAVEdata\0\0\0\0").is_err());
        let mut stereo = wav_bytes(&Pcm { rate: 8000, samples: vec![0; 4] });
        stereo[22] = 2;
        assert!(read_wav(&stereo).is_err());
    }
}
