//! The batch runner: workers take the scanned videos one by one, skip those whose outputs are
//! current or claimed by another worker, analyse the rest, then the index is rebuilt.

use super::cache::{content_hash, job_key, Claim, OutputPaths, VideoLock};
use super::scan::{scan, Shard};
use crate::analyze::analyze_file;
use crate::keyframes::KeyframeCollector;
use crate::AppError;
use formcheck_core::report::Report;
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::PoseEstimator;
use std::path::{Path, PathBuf};
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
    /// A string naming every setting that changes the outputs (part of the cache key).
    pub settings_key: String,
    /// Whose sets these are; `None`: each video's client folder (its first folder under the
    /// input), or [`crate::history::DEFAULT_PERSON`] for a video at the top.
    pub person: Option<String>,
    /// The history database the reports are recorded in (`None`: no history).
    pub history: Option<PathBuf>,
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
    /// Why some reports could not be added to the history (the batch itself is unaffected).
    pub history_warning: Option<String>,
}

/// Builds a worker's pose estimator, given how many inference threads it may use (the machine's
/// cores shared among the workers). Each worker builds its own on its first video; the builder
/// may borrow (`'a`) what it loads or plays back from.
pub type NewEstimator<'a> = dyn Fn(usize) -> Result<Box<dyn PoseEstimator>, AppError> + Sync + 'a;

/// Runs a batch: analyses what is needed, then writes index.html and summary.csv.
/// `new_estimator` gives each worker its estimator; `on_video` is told each video's outcome as
/// it finishes.
pub fn run_batch(
    options: &BatchOptions,
    spec: &ExerciseSpec,
    new_estimator: &NewEstimator<'_>,
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
    let outcomes = if options.index_only {
        vec![Outcome::NotHere; scan.videos.len()]
    } else {
        Workers::new(options, spec, &scan.videos).run(new_estimator, &on_video)?
    };
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
    if let Some(db) = &options.history {
        summary.history_warning = record_history(options, db, &scan.videos, &outcomes);
    }
    super::index::write_index(options, spec, &scan, &outcomes)?;
    Ok(summary)
}

/// Records the reports of this run's videos (analysed now or already current) in the history,
/// from the main thread and one transaction each: a killed batch leaves whole sessions or none.
fn record_history(options: &BatchOptions, db: &Path, videos: &[PathBuf], outcomes: &[Outcome]) -> Option<String> {
    let mut reports = Vec::new();
    for (rel, outcome) in videos.iter().zip(outcomes) {
        if !matches!(outcome, Outcome::Analysed | Outcome::Current) {
            continue;
        }
        let paths = OutputPaths::for_video(&options.out_dir, rel);
        let Some(mut report) = std::fs::read_to_string(&paths.report).ok().and_then(|t| Report::from_json(&t).ok())
        else {
            continue;
        };
        // A report written before the history was kept: say whose and when now.
        if report.session.is_none() {
            let input = options.input_dir.join(rel);
            let Ok(hash) = content_hash(&input) else { continue };
            report.session = Some(crate::history::session_for_file(&person_of(options, rel), &input, hash));
        }
        reports.push((report, paths.report));
    }
    crate::history::record_all(db, reports.iter().map(|(r, p)| (r, Some(p.as_path()))))
}

/// Whose set the video at `rel` (under the input folder) is: `--person`, else its client folder.
fn person_of(options: &BatchOptions, rel: &Path) -> String {
    if let Some(p) = &options.person {
        return p.clone();
    }
    let mut parts = rel.components();
    match (parts.next(), parts.next()) {
        (Some(first), Some(_)) => first.as_os_str().to_string_lossy().into_owned(),
        _ => crate::history::DEFAULT_PERSON.to_string(),
    }
}

/// The parallel workers of one run, sharing a queue of videos (an index into the scan).
struct Workers<'a> {
    options: &'a BatchOptions,
    spec: &'a ExerciseSpec,
    videos: &'a [PathBuf],
    next: AtomicUsize,
    outcomes: Vec<Mutex<Outcome>>,
    /// Set when an estimator cannot be built: not the video's fault, the whole run cannot work.
    setup_error: Mutex<Option<AppError>>,
}

impl<'a> Workers<'a> {
    fn new(options: &'a BatchOptions, spec: &'a ExerciseSpec, videos: &'a [PathBuf]) -> Workers<'a> {
        Workers {
            options,
            spec,
            videos,
            next: AtomicUsize::new(0),
            outcomes: videos.iter().map(|_| Mutex::new(Outcome::NotHere)).collect(),
            setup_error: Mutex::new(None),
        }
    }

    /// Runs `options.jobs` workers to the end of the queue; each video's outcome, in scan order.
    fn run(
        self,
        new_estimator: &NewEstimator<'_>,
        on_video: &(impl Fn(&Path, &Outcome) + Sync),
    ) -> Result<Vec<Outcome>, AppError> {
        let jobs = self.options.jobs.clamp(1, 64);
        let threads_each = (std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) / jobs).max(1);
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(|| self.work(|| new_estimator(threads_each), on_video));
            }
        });
        if let Some(err) = self.setup_error.into_inner().ok().flatten() {
            return Err(err);
        }
        Ok(self.outcomes.into_iter().map(|m| m.into_inner().unwrap_or(Outcome::NotHere)).collect())
    }

    /// One worker: takes the next video of this shard until none is left. Its estimator is built
    /// on its first video (a worker with nothing to do loads no model).
    fn work(
        &self,
        new_estimator: impl Fn() -> Result<Box<dyn PoseEstimator>, AppError>,
        on_video: &(impl Fn(&Path, &Outcome) + Sync),
    ) {
        let mut estimator: Option<Box<dyn PoseEstimator>> = None;
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(rel) = self.videos.get(i) else { break };
            if self.options.shard.is_some_and(|s| !s.owns(rel)) {
                continue;
            }
            if estimator.is_none() {
                match new_estimator() {
                    Ok(e) => estimator = Some(e),
                    Err(err) => {
                        if let Ok(mut slot) = self.setup_error.lock() {
                            slot.get_or_insert(err);
                        }
                        break;
                    }
                }
            }
            let Some(estimator) = estimator.as_mut() else { break };
            let outcome = process_one(self.options, self.spec, estimator.as_mut(), rel);
            on_video(rel, &outcome);
            if let Ok(mut slot) = self.outcomes[i].lock() {
                *slot = outcome;
            }
        }
    }
}
/// Analyses one video into its output files, unless they are already current.
fn process_one(options: &BatchOptions, spec: &ExerciseSpec, estimator: &mut dyn PoseEstimator, rel: &Path) -> Outcome {
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
        analysis.report.session = Some(crate::history::session_for_file(&person_of(options, rel), &input, hash));
        let json = analysis.report.to_json().map_err(|e| AppError::Usage(format!("report serialisation: {e}")))?;
        crate::atomic::write_atomic(&paths.report, json.as_bytes()).map_err(|e| AppError::io(&paths.report, e))?;
        // With an annotated video, its pass also yields the keyframes: one decode fewer.
        let assets = if options.annotate {
            let mut keyframes = KeyframeCollector::new(&analysis.frames, &analysis.report, &paths.report);
            crate::annotate::annotate_video(
                &input,
                &analysis.frames,
                &analysis.report,
                &paths.annotated,
                Some(&mut keyframes),
            )?;
            keyframes.finish()
        } else {
            crate::keyframes::write_fault_thumbnails(&input, &analysis.frames, &analysis.report, &paths.report)?
        };
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

/// An error and its causes on one line, each cause once (see [`crate::error_lines`]).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    crate::error_lines(err).join(": ")
}
