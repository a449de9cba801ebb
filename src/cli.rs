//! Command-line arguments and the dispatch to the library's front-ends.

use clap::{Args, Parser, Subcommand, ValueEnum};
use formcheck::evaluate::{ClipResult, Evaluation};
use formcheck::{pipeline, AppError};
use formcheck_core::spec::ExerciseSpec;
use formcheck_vision::pose::movenet::MoveNetVariant;
use formcheck_vision::pose::{ModelComplexity, PoseConfig, PoseEstimator, PoseModel, SmoothingClock};
use std::io::IsTerminal;
use std::io::Write;
use std::path::PathBuf;

/// Checks the form of cable medius kickbacks in video and says, rep by rep, what to fix.
#[derive(Parser, Debug)]
#[command(name = "formcheck", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write per-frame BlazePose landmarks of a video or image as JSONL.
    Pose(PoseArgs),
    /// Analyse a video: reps, faults and cues, as a terminal summary, JSON report and annotated video.
    Analyze(AnalyzeArgs),
    /// Real-time feedback from a camera, stream, or a file played at its own pace.
    Live(LiveArgs),
    /// Analyse every video under a folder for a coach: reports, index.html and summary.csv.
    Batch(BatchArgs),
    /// Turn one video's JSON report into a one-page HTML hand-out for the client.
    Report(ReportArgs),
    /// Score the rule engine against ground truth: rendered sample clips or synthetic sequences.
    Eval(EvalArgs),
    /// Measure end-to-end throughput on one video: decode only, pose, whole analysis, peak memory.
    Bench(BenchArgs),
    /// Progress across sessions: a person's analysed sets over time, with trends per check.
    History(HistoryArgs),
}

/// Where analyses are recorded for `formcheck history`.
#[derive(Args, Debug)]
struct HistoryOptions {
    /// Whose set this is, in the history (default: "me"; in `batch`, each video's client folder).
    #[arg(long, value_name = "NAME")]
    person: Option<String>,
    /// The history database (default: $XDG_DATA_HOME/formcheck/history.sqlite).
    #[arg(long, value_name = "PATH", env = "FORMCHECK_DB")]
    db: Option<PathBuf>,
    /// Do not record this analysis in the history.
    #[arg(long)]
    no_history: bool,
    /// Judge the checks that allow it against your own baseline from your earlier sessions
    /// (three or more), within the exercise's bounds; the report says when it did.
    #[arg(long, conflicts_with = "no_history")]
    personal_baseline: bool,
}

impl HistoryOptions {
    /// The database to record in, unless history is off (or no home folder says where).
    fn db(&self) -> Option<PathBuf> {
        if self.no_history {
            return None;
        }
        self.db.clone().or_else(formcheck::history::History::default_path)
    }

    fn person(&self) -> String {
        self.person.clone().unwrap_or_else(|| formcheck::history::DEFAULT_PERSON.to_string())
    }
}

/// The history database for this run: none when history is off, or when the pose model is
/// MoveNet. The history does not record which model made a session, and its trends and personal
/// baselines read every session on BlazePose's scale, so a MoveNet session would skew them.
fn history_db(history: &HistoryOptions, pose: &PoseOptions) -> Option<PathBuf> {
    let db = history.db()?;
    if matches!(pose.model, ModelArg::MovenetLightning | ModelArg::MovenetThunder) {
        eprintln!(
            "formcheck: note: not recorded in the history, whose trends and personal baselines read sessions on \
             BlazePose's scale (analyse with --model full to track progress)"
        );
        return None;
    }
    Some(db)
}

#[derive(Args, Debug)]
struct HistoryArgs {
    #[command(subcommand)]
    action: Option<HistoryAction>,
    /// The person (default: the only one recorded for the exercise).
    #[arg(long, value_name = "NAME", global = true)]
    person: Option<String>,
    /// Print the history as JSON.
    #[arg(long, conflicts_with = "csv", global = true)]
    json: bool,
    /// Print the history as CSV (one row per session and series).
    #[arg(long, global = true)]
    csv: bool,
    /// Write the history as a page (sessions and a chart per check, left vs right) here.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// The history database (default: $XDG_DATA_HOME/formcheck/history.sqlite).
    #[arg(long, value_name = "PATH", env = "FORMCHECK_DB", global = true)]
    db: Option<PathBuf>,
    #[command(flatten)]
    spec: SpecOptions,
}

#[derive(Subcommand, Debug)]
enum HistoryAction {
    /// Record every report under a folder (e.g. a batch's output) again: the history is an index
    /// of the reports and can always be rebuilt from them.
    Rebuild {
        /// Folder searched recursively for reports (*.json).
        dir: PathBuf,
    },
    /// List the people and exercises recorded.
    People,
    /// Show the person's baselines: their typical reading of each check that may follow them,
    /// and the threshold it gives (with three sessions or more).
    Baseline,
}

#[derive(Args, Debug)]
struct BenchArgs {
    /// The video to measure (e.g. a 1080p H.264 clip).
    input: PathBuf,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    pose: PoseOptions,
}

#[derive(Args, Debug)]
struct EvalArgs {
    /// The rendered corpus (`corpus/`): the rules on its cached landmarks, no pose model needed.
    #[arg(long, value_name = "DIR", conflicts_with = "samples")]
    corpus: Option<PathBuf>,
    /// Which part of the corpus: calibration (may be tuned on), validation (never), or all.
    #[arg(long, value_enum, default_value = "all", requires = "corpus")]
    split: SplitArg,
    /// Only corpus clips whose name contains this.
    #[arg(long, value_name = "TEXT", requires = "corpus")]
    only: Option<String>,
    /// With `--corpus`: judge only what a 17-keypoint, image-only pose model (MoveNet) would give
    /// of the cached landmarks (the COCO joints' image points; no 3D, no feet).
    #[arg(long, requires = "corpus", conflicts_with = "pose_model")]
    keypoints_only: bool,
    /// With `--corpus`: judge another pose model's cached landmarks of the same videos (e.g.
    /// movenet-thunder; `scripts/corpus.sh pose-model NAME` makes them); clips without are left out.
    #[arg(long, value_name = "NAME", requires = "corpus")]
    pose_model: Option<String>,
    /// Folder of rendered clips (NAME.mp4 with NAME.json ground truth): runs video → pose → rules.
    #[arg(long, value_name = "DIR", conflicts_with = "synthetic")]
    samples: Option<PathBuf>,
    /// Synthetic landmark sequences for seeds FROM..TO (e.g. 10000..10200, held out from tuning).
    /// With `--corpus`, the synthetic bench's figures at the noise fitted to the corpus
    /// (`DIR/synth-noise.json`) and at the generator's typical noise are printed beside the
    /// rendered ones.
    #[arg(long, value_name = "FROM..TO")]
    synthetic: Option<String>,
    /// Fit the synthetic bench's noise per view to the pose error of the corpus's calibration
    /// part and write it here (`bash scripts/corpus.sh calibrate` writes `corpus/synth-noise.json`).
    #[arg(long, value_name = "JSON", requires = "corpus")]
    fit_synthetic: Option<PathBuf>,
    /// Write each clip's report as DIR/NAME.json (what the reference scorer reads).
    #[arg(long, value_name = "DIR")]
    reports: Option<PathBuf>,
    /// Write every engine metric next to its true value, one CSV line a paired rep and metric.
    #[arg(long, value_name = "CSV")]
    pairs: Option<PathBuf>,
    /// Write each check's raw reading next to the fault's true size (what calibration fits), as CSV.
    #[arg(long, value_name = "CSV")]
    readings: Option<PathBuf>,
    /// Write the pose error that reaches the rules (bias and spread per view and metric) as Markdown.
    #[arg(long, value_name = "MD")]
    pose_error: Option<PathBuf>,
    /// Write the headline figures as JSON.
    #[arg(long, value_name = "JSON")]
    figures: Option<PathBuf>,
    /// Also list every miss.
    #[arg(long, short)]
    verbose: bool,
    /// Exit with 1 when a target of the issue is missed.
    #[arg(long)]
    check_targets: bool,
    #[command(flatten)]
    spec: SpecOptions,
    #[command(flatten)]
    pose: PoseOptions,
}

/// `--split` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum SplitArg {
    Calibration,
    Validation,
    All,
}

/// Options naming the exercise spec.
#[derive(Args, Debug)]
struct SpecOptions {
    /// The exercise to check against: a bundled one by name, or a spec file (TOML).
    #[arg(long, value_name = "NAME|TOML", long_help = exercise_help())]
    exercise: Option<PathBuf>,
}

/// An exercise spec is a few kilobytes of TOML; anything over this is refused unread.
const MAX_SPEC_BYTES: u64 = 1 << 20;

/// `--exercise`'s long help, naming the bundled exercises.
fn exercise_help() -> String {
    let names: Vec<&str> = formcheck_core::spec::BUNDLED.iter().map(|(name, _)| *name).collect();
    format!(
        "The exercise to check against: a bundled one by name ({}; the first is the default), \
         or the path of an exercise spec file (TOML, see exercises/)",
        names.join(", ")
    )
}

impl SpecOptions {
    fn load(&self) -> Result<ExerciseSpec, AppError> {
        let Some(arg) = &self.exercise else { return Ok(ExerciseSpec::cable_medius_kickback()?) };
        match arg.to_str().and_then(ExerciseSpec::bundled) {
            Some(bundled) => Ok(bundled?),
            None => read_spec(arg),
        }
    }
}

/// Reads a spec file through a bounded reader (so `/dev/zero` or a huge file cannot grow memory)
/// and parses it.
fn read_spec(path: &std::path::Path) -> Result<ExerciseSpec, AppError> {
    use formcheck_core::spec::SpecError;
    use std::io::Read;
    let io_error = |source| SpecError::Io { path: path.display().to_string(), source };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_SPEC_BYTES + 1).read_to_end(&mut bytes).map_err(io_error)?;
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        return Err(AppError::Usage(format!(
            "exercise spec {}: larger than {} MiB, which no exercise spec is (the built-in one is a few kB); refusing it",
            path.display(),
            MAX_SPEC_BYTES >> 20
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| io_error(std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text")))?;
    Ok(ExerciseSpec::from_toml_str(&text)?)
}

/// Checks the output paths of one command before any work (a long analysis must not end in
/// "cannot write"): each can be written (its folder exists and takes a new file; none is a
/// directory), and at most one is `-` (standard output). Returns whether standard output is taken.
fn check_outputs(paths: &[(&'static str, Option<&PathBuf>)]) -> Result<bool, AppError> {
    let mut to_stdout = Vec::new();
    for (flag, path) in paths {
        let Some(path) = path else { continue };
        let checked = formcheck::atomic::check_writable(path);
        let target =
            checked.map_err(|e| AppError::Output { what: flag, path: path.to_path_buf(), reason: e.to_string() })?;
        match target {
            formcheck::atomic::Target::Stdout => to_stdout.push(*flag),
            formcheck::atomic::Target::Special(_) | formcheck::atomic::Target::File(_) => {}
        }
    }
    if to_stdout.len() > 1 {
        return Err(AppError::Usage(format!("only one output can be standard output ('-'): {}", to_stdout.join(", "))));
    }
    Ok(!to_stdout.is_empty())
}

/// `--jobs`: 1 to 64 parallel workers.
fn parse_jobs(text: &str) -> Result<usize, String> {
    let jobs: usize = text.parse().map_err(|e| format!("{e}"))?;
    if !(1..=64).contains(&jobs) {
        return Err("must be 1 to 64".into());
    }
    Ok(jobs)
}

/// `--threads`: 1 up to four per available core (at most 256); more only thrashes.
fn parse_threads(text: &str) -> Result<usize, String> {
    let threads: usize = text.parse().map_err(|e| format!("{e}"))?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let max = (4 * cores).clamp(1, 256);
    if !(1..=max).contains(&threads) {
        return Err(format!("must be 1 to {max} (four per core on this machine, {cores} cores)"));
    }
    Ok(threads)
}

/// A duration in seconds: a finite number above zero (and representable).
fn parse_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if !seconds.is_finite() || seconds <= 0.0 || std::time::Duration::try_from_secs_f64(seconds).is_err() {
        return Err("must be a number of seconds above 0".into());
    }
    Ok(seconds)
}

#[derive(Args, Debug)]
struct AnalyzeArgs {
    /// The video (any orientation; rotation metadata is honoured).
    input: PathBuf,
    /// Write the JSON report here.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Write the annotated video here (MP4; H.264 where the platform can).
    #[arg(long, value_name = "OUT.mp4")]
    annotate: Option<PathBuf>,
    /// Exit with 1 when any fault is found.
    #[arg(long)]
    fail_on_fault: bool,
    /// No progress bar and no summary (errors still go to stderr).
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    spec: SpecOptions,
    #[command(flatten)]
    pose: PoseOptions,
    #[command(flatten)]
    history: HistoryOptions,
}

#[derive(Args, Debug)]
struct LiveArgs {
    /// Camera index (0), device path (/dev/video0), stream URL (rtsp://, udp://...) or a video file.
    source: String,
    /// Play a file at its own frame rate, dropping frames when behind, as a camera would.
    #[arg(long)]
    realtime: bool,
    /// No window: cues go to the terminal only.
    #[arg(long)]
    headless: bool,
    /// Show the picture mirrored, as a front (selfie) camera's picture is expected to look.
    #[arg(long)]
    mirror: bool,
    /// Append every event (cues, reps, source loss) as JSON lines here.
    #[arg(long, value_name = "PATH")]
    jsonl: Option<PathBuf>,
    /// Write the session report (with latency and dropped frames) here at exit.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Stop after this many seconds.
    #[arg(long, value_name = "S", value_parser = parse_seconds)]
    max_seconds: Option<f64>,
    /// Say each cue aloud (espeak-ng; a cue the voice cannot start within 0.5 s is dropped).
    #[arg(long)]
    speak: bool,
    /// Write the session's speech into this WAV, each cue at its time on the session's timeline.
    #[arg(long, value_name = "FILE.wav")]
    speak_to: Option<PathBuf>,
    /// Treat the source as gone after this many seconds without a frame.
    #[arg(long, value_name = "S", default_value_t = 5.0, value_parser = parse_seconds)]
    stall_timeout: f64,
    #[command(flatten)]
    spec: SpecOptions,
    #[command(flatten)]
    pose: PoseOptions,
    #[command(flatten)]
    history: HistoryOptions,
}

#[derive(Args, Debug)]
struct BatchArgs {
    /// Folder scanned recursively for videos.
    dir: PathBuf,
    /// Output folder (reports, annotated videos, index.html, summary.csv).
    #[arg(long)]
    out: PathBuf,
    /// Parallel workers (1 to 64).
    #[arg(long, default_value_t = 1, value_parser = parse_jobs)]
    jobs: usize,
    /// Also write annotated videos.
    #[arg(long)]
    annotate: bool,
    /// Process only shard K of N (0-based, e.g. an array job's index): `--shard K/N`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Only rebuild index.html and summary.csv from the outputs already in OUT.
    #[arg(long)]
    index_only: bool,
    /// No per-video progress lines.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    spec: SpecOptions,
    #[command(flatten)]
    pose: PoseOptions,
    #[command(flatten)]
    history: HistoryOptions,
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// A report written by `analyze --json` (or by `batch`, whose keyframes come along).
    report: PathBuf,
    /// Write the one-page HTML hand-out here (`-` for standard output).
    #[arg(long, value_name = "OUT.html")]
    html: PathBuf,
    /// The client's name, for the page's title (default: the video's file name alone).
    #[arg(long, value_name = "NAME")]
    client: Option<String>,
}

/// Which pose model to run.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ModelArg {
    /// BlazePose, lite landmark model.
    Lite,
    /// BlazePose, full landmark model.
    Full,
    /// BlazePose, heavy landmark model.
    Heavy,
    /// MoveNet Lightning: 17 keypoints in the image only (no 3D, no feet).
    MovenetLightning,
    /// MoveNet Thunder: 17 keypoints in the image only (no 3D, no feet).
    MovenetThunder,
}

/// Options of the pose stage, shared by every subcommand that runs it.
#[derive(Args, Debug)]
struct PoseOptions {
    /// Pose model: BlazePose lite is fastest, heavy most accurate; MoveNet gives no 3D landmarks
    /// and no feet, so the checks that need them are reported as not measurable.
    #[arg(long, value_enum, default_value = "full")]
    model: ModelArg,
    /// Folder holding the ONNX models and manifest.json (default: the bundled models/).
    #[arg(long, env = "FORMCHECK_MODELS")]
    models: Option<PathBuf>,
    /// ONNX Runtime intra-op threads (default: chosen for the machine; at most four per core).
    #[arg(long, value_parser = parse_threads)]
    threads: Option<usize>,
}

impl PoseOptions {
    /// The pose settings, with the smoothing filter driven by `clock` (the analysis front-ends
    /// use the container's timestamps, so variable frame rate is smoothed correctly).
    fn config(&self, clock: SmoothingClock) -> PoseConfig {
        let dir = self.models.clone().unwrap_or_else(formcheck_vision::pose::default_models_dir);
        let mut config = PoseConfig::new(dir);
        config.smoothing_clock = clock;
        config.model = match self.model {
            ModelArg::Lite => PoseModel::BlazePose(ModelComplexity::Lite),
            ModelArg::Full => PoseModel::BlazePose(ModelComplexity::Full),
            ModelArg::Heavy => PoseModel::BlazePose(ModelComplexity::Heavy),
            ModelArg::MovenetLightning => PoseModel::MoveNet(MoveNetVariant::Lightning),
            ModelArg::MovenetThunder => PoseModel::MoveNet(MoveNetVariant::Thunder),
        };
        if let Some(threads) = self.threads {
            config.intra_threads = threads.max(1);
        }
        config
    }
}

#[derive(Args, Debug)]
struct PoseArgs {
    /// Video file or still image.
    input: PathBuf,
    /// Where to write the landmark JSONL (one line per decoded frame; `-` for stdout).
    #[arg(long)]
    jsonl: PathBuf,
    /// Run the detector on every frame and do not smooth (MediaPipe's static_image_mode).
    #[arg(long = "static")]
    static_mode: bool,
    /// Drive the smoothing filter by the container's timestamps instead of the reference's fixed 30 fps clock.
    #[arg(long)]
    real_clock: bool,
    /// Stop after this many frames.
    #[arg(long, value_name = "N")]
    max_frames: Option<u64>,
    /// After tracking is lost, take up the most prominent person, as MediaPipe does (for
    /// comparisons with it); by default the person tracked first is kept.
    #[arg(long)]
    most_prominent: bool,
    #[command(flatten)]
    pose: PoseOptions,
}

/// Runs the parsed command; returns the process exit code.
pub fn run(cli: Cli) -> Result<u8, AppError> {
    match cli.command {
        Command::Pose(args) => run_pose(args),
        Command::Analyze(args) => run_analyze(args),
        Command::Live(args) => run_live(args),
        Command::Batch(args) => run_batch(args),
        Command::Report(args) => run_report(args),
        Command::Eval(args) => run_eval(args),
        Command::Bench(args) => run_bench(args),
        Command::History(args) => run_history(args),
    }
}

fn run_pose(args: PoseArgs) -> Result<u8, AppError> {
    // The reference's legacy API drives its filter by a fixed 30 fps clock; match it unless asked.
    let mut config =
        args.pose.config(if args.real_clock { SmoothingClock::Timestamps } else { SmoothingClock::Fake30Fps });
    config.static_mode = args.static_mode;
    config.smooth = !args.static_mode;
    config.lock_on = !args.most_prominent;
    // The landmark file has no place for a count of the people in view: do not run the
    // detector once a second to take it.
    config.count_people = false;
    check_outputs(&[("--jsonl", Some(&args.jsonl))])?;
    // The input is opened before the output exists: a bad input leaves no trace.
    let (mut estimator, reader) = pipeline::estimator_and_input(config, &args.input)?;
    // A regular file is written to a temporary file and renamed at the end; Ctrl-C or SIGTERM
    // stops the pass and the temporary file is removed (`-`, devices and fifos are written through).
    pipeline::stop_on_interrupt();
    let mut out = formcheck::atomic::Output::create(&args.jsonl).map_err(|e| AppError::io(&args.jsonl, e))?;
    let result = pipeline::extract_from(
        reader,
        &mut estimator,
        args.max_frames,
        |frame| writeln!(out, "{}", frame.to_json_line()).map_err(|e| AppError::io(&args.jsonl, e)),
        |_, _| {},
    );
    // On error `out` is dropped unfinished, which removes its temporary file.
    let (info, stats) = result?;
    out.finish().map_err(|e| AppError::io(&args.jsonl, e))?;
    eprintln!(
        "pose: {} frames ({}x{}), person in {}, detector ran {} times, {:.1} fps",
        stats.frames,
        info.width,
        info.height,
        stats.frames_with_pose,
        stats.detector_runs,
        if stats.wall_s > 0.0 { stats.frames as f64 / stats.wall_s } else { 0.0 }
    );
    if let Some(note) = &stats.ends_early {
        eprintln!("pose: {}: {note}", args.input.display());
    }
    Ok(formcheck::exit::OK)
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
struct Progress {
    enabled: bool,
    started: std::time::Instant,
    last_draw: Option<std::time::Instant>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
            started: std::time::Instant::now(),
            last_draw: None,
        }
    }

    fn update(&mut self, done: u64, total: u64) {
        if !self.enabled || self.last_draw.is_some_and(|t| t.elapsed().as_millis() < 100) {
            return;
        }
        self.last_draw = Some(std::time::Instant::now());
        let fps = done as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        let line = if total > 0 {
            let frac = (done as f64 / total as f64).min(1.0);
            let filled = (frac * 30.0) as usize;
            format!(
                "[{}{}] {:3.0}% {done}/{total} frames, {fps:.1} fps",
                "#".repeat(filled),
                ".".repeat(30 - filled),
                frac * 100.0
            )
        } else {
            format!("{done} frames, {fps:.1} fps")
        };
        eprint!("\r{line}\x1b[K");
    }

    fn finish(&self) {
        if self.enabled && self.last_draw.is_some() {
            eprint!("\r\x1b[K");
        }
    }
}

fn run_analyze(args: AnalyzeArgs) -> Result<u8, AppError> {
    let stdout_taken = check_outputs(&[("--json", args.json.as_ref()), ("--annotate", args.annotate.as_ref())])?;
    let mut spec = args.spec.load()?;
    let db = history_db(&args.history, &args.pose);
    // Hashing reads the file once more (about a second for a 4K minute): only for the history. An
    // input that cannot be read is left to the analysis, which says what is wrong with it.
    let hash = db.as_ref().and_then(|_| formcheck::batch::content_hash(&args.input).ok());
    let mut personal = Vec::new();
    if let (true, Some(db), Some(hash)) = (args.history.personal_baseline, &db, &hash) {
        match formcheck::history::baselines_for(db, &args.history.person(), &spec, hash) {
            Ok(b) => personal = formcheck::history::baseline::personalise(&mut spec, &b),
            Err(e) => eprintln!("formcheck: warning: {e}; judged without a personal baseline"),
        }
    }
    let config = args.pose.config(SmoothingClock::Timestamps);
    let (mut estimator, reader) = pipeline::estimator_and_input(config, &args.input)?;
    pipeline::stop_on_interrupt();
    let mut progress = Progress::new(args.quiet);
    let analysis =
        formcheck::analyze::analyze_input(reader, &args.input, &mut estimator, &spec, |d, t| progress.update(d, t));
    progress.finish();
    let mut analysis = analysis?;
    analysis.report.personal_thresholds = personal;
    let hash = match (hash, &db) {
        (None, Some(_)) => Some(formcheck::batch::content_hash(&args.input).map_err(|e| AppError::io(&args.input, e))?),
        (hash, _) => hash,
    };
    if let Some(hash) = hash {
        let person = args.history.person();
        analysis.report.session = Some(formcheck::history::session_for_file(&person, &args.input, hash));
    }
    if let Some(path) = &args.json {
        let json = analysis.report.to_json().map_err(|e| AppError::Usage(format!("report serialisation: {e}")))?;
        formcheck::atomic::write_atomic(path, json.as_bytes()).map_err(|e| AppError::io(path, e))?;
    }
    if let Some(db) = &db {
        let file = args.json.as_deref().filter(|p| !formcheck::atomic::is_stdout(p));
        if let Some(warning) = formcheck::history::record_all(db, [(&analysis.report, file)]) {
            eprintln!("formcheck: warning: {warning}");
        }
    }
    if let Some(path) = &args.annotate {
        let outcome = formcheck::annotate::annotate_video(&args.input, &analysis.frames, &analysis.report, path, None)?;
        if !args.quiet {
            let codec = if outcome.codec == "avc1" {
                "H.264".to_string()
            } else {
                format!("{} (no H.264 encoder here)", outcome.codec)
            };
            eprintln!("annotated video: {} ({codec}, {} frames)", path.display(), outcome.frames);
        }
    }
    if !args.quiet {
        let mut text = formcheck_core::render_text(&analysis.report);
        if let Some(note) = &analysis.stats.ends_early {
            text.push_str(&format!("\nNote: {note}.\n"));
        }
        if analysis.stats.multiple_people > 0 {
            text.push_str(
                "\nNote: someone else was in view at times; the analysis stayed with the person exercising.\n",
            );
        }
        // When an output is standard output, the summary must not mix into it.
        if stdout_taken {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    }
    if analysis.report.summary.reps_left + analysis.report.summary.reps_right == 0 {
        // The report is written (it says what was seen); the exit code says there was nothing to judge.
        eprintln!(
            "formcheck: no exercise found in {}: {}",
            args.input.display(),
            formcheck::no_exercise_reason(&analysis.report)
        );
        return Ok(formcheck::exit::UNREADABLE_INPUT);
    }
    Ok(if args.fail_on_fault && analysis.has_faults() { formcheck::exit::FAULTS } else { formcheck::exit::OK })
}

fn run_live(args: LiveArgs) -> Result<u8, AppError> {
    use formcheck::live::LiveOptions;
    use formcheck_vision::video::Source;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let stdout_taken = check_outputs(&[
        ("--jsonl", args.jsonl.as_ref()),
        ("--json", args.json.as_ref()),
        ("--speak-to", args.speak_to.as_ref()),
    ])?;
    check_not_input(&args.source, &[args.jsonl.as_ref(), args.json.as_ref(), args.speak_to.as_ref()])?;
    let spec = args.spec.load()?;
    let speaker = args
        .speak
        .then(formcheck::speech::Speaker::spawn)
        .transpose()
        .map_err(|e| AppError::Usage(format!("--speak: {e}")))?;
    if args.speak_to.is_some() && !formcheck::speech::available() {
        return Err(AppError::Usage(
            "--speak-to: espeak-ng is not installed (scripts/setup.sh installs the Debian package espeak-ng)".into(),
        ));
    }
    let config = args.pose.config(SmoothingClock::Timestamps);
    let mut estimator = pipeline::new_estimator(config)?;
    let source = Source::parse(&args.source);
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // A second Ctrl-C while shutting down is ignored; the first one ends the session cleanly.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed));
    }
    let options = LiveOptions {
        realtime: args.realtime,
        max_seconds: args.max_seconds,
        stall_timeout: std::time::Duration::from_secs_f64(args.stall_timeout.max(0.1)),
        ..LiveOptions::default()
    };
    let events = EventsFile::new(args.jsonl.as_deref());
    let mut window = live_window(args.headless, args.mirror)?;
    let result = formcheck::live::run_live(
        &source,
        &mut estimator,
        &spec,
        &options,
        &stop,
        |output| {
            say_live_output(output, stdout_taken);
            if let (Some(speaker), formcheck::live::LiveOutput::Cue(cue)) = (&speaker, output) {
                speaker.say(&cue.text);
            }
            events.write(output);
        },
        |frame| {
            events.open();
            window.as_mut().map(|w| w.show(&frame)).unwrap_or(true)
        },
    )?;
    let mut result = result;
    events.finish()?;
    finish_speech(&mut result, speaker, args.speak_to.as_deref())?;
    eprintln!(
        "live: {} frames processed, {} dropped, latency p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms ({})",
        result.processed_frames,
        result.dropped_frames,
        result.latency_ms.p50,
        result.latency_ms.p95,
        result.latency_ms.max,
        result.end_reason
    );
    eprintln!("live: reps left {}, right {}", result.report.summary.reps_left, result.report.summary.reps_right);
    if let Some(db) = history_db(&args.history, &args.pose) {
        result.report.session = Some(formcheck::history::session_for_live(&args.history.person(), &args.source));
        // The session file (`--json`) is a live report, not a plain one: the history keeps the
        // session itself, and `history rebuild` (which reads plain reports) cannot bring it back.
        if let Some(warning) = formcheck::history::record_all(db.as_path(), [(&result.report, None)]) {
            eprintln!("formcheck: warning: {warning}");
        }
    }
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&result).map_err(|e| AppError::Usage(e.to_string()))?;
        formcheck::atomic::write_atomic(path, json.as_bytes()).map_err(|e| AppError::io(path, e))?;
    }
    Ok(formcheck::exit::OK)
}

/// Ends the session's speech: the speaker's figures, and the `--speak-to` track rendered.
fn finish_speech(
    result: &mut formcheck::live::LiveReport,
    speaker: Option<formcheck::speech::Speaker>,
    speak_to: Option<&std::path::Path>,
) -> Result<(), AppError> {
    result.speech = speaker.map(formcheck::speech::Speaker::finish);
    if let Some(path) = speak_to {
        let cues: Vec<(f64, String)> = result.cues.iter().map(|c| (c.t_s, c.text.clone())).collect();
        let heard = formcheck::speech::render_track(&cues, result.report.input.duration_s, path)
            .map_err(|e| AppError::Output { what: "speech track", path: path.to_path_buf(), reason: e.to_string() })?;
        result.heard = Some(heard);
    }
    Ok(())
}

/// Refuses outputs that would overwrite the input file.
fn check_not_input(source: &str, outputs: &[Option<&PathBuf>]) -> Result<(), AppError> {
    let Ok(input) = std::fs::canonicalize(source) else { return Ok(()) };
    for out in outputs.iter().flatten() {
        if std::fs::canonicalize(out).is_ok_and(|o| o == input) {
            return Err(AppError::Usage(format!("{} is the input; it would be overwritten", out.display())));
        }
    }
    Ok(())
}

/// The live window, when there is a display and `--headless` was not given. A display that
/// cannot be reached is a usage error; a window that cannot open leaves terminal cues only.
fn live_window(headless: bool, mirror: bool) -> Result<Option<formcheck::live_window::LiveWindow>, AppError> {
    let show_window = !headless && std::env::var_os("DISPLAY").is_some();
    if show_window && !formcheck::live_window::display_reachable() {
        return Err(AppError::Usage(format!(
            "cannot reach the display {:?}; use --headless for terminal cues only",
            std::env::var_os("DISPLAY").unwrap_or_default()
        )));
    }
    match show_window.then(|| formcheck::live_window::LiveWindow::new(mirror)).transpose() {
        Ok(window) => Ok(window),
        Err(err) => {
            eprintln!("live: cannot open a window ({err}); continuing with terminal cues only");
            Ok(None)
        }
    }
}

/// Prints a cue or rep line; to stderr when an output is standard output, so they do not mix.
fn say_live_output(output: &formcheck::live::LiveOutput, stdout_taken: bool) {
    use formcheck::live::{CueKind, LiveOutput};
    let say = |line: String| {
        if stdout_taken {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    match output {
        LiveOutput::Cue(cue) => {
            say(format!("[{:6.1}s] {} {}", cue.t_s, if cue.kind == CueKind::Praise { "+" } else { "!" }, cue.text))
        }
        LiveOutput::Rep { t_s, side, reps_in_set, faults, .. } => say(format!(
            "[{t_s:6.1}s] {} leg rep {reps_in_set}{}",
            side.as_str(),
            if faults.is_empty() {
                String::new()
            } else {
                format!(" ({})", faults.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))
            }
        )),
        LiveOutput::RepWithdrawn { t_s, side, rep, .. } => {
            say(format!("[{t_s:6.1}s] {} leg rep {rep} withdrawn: one rep is not a set", side.as_str()))
        }
        LiveOutput::SourceLost { reason, .. } => eprintln!("live: source lost: {reason}"),
    }
    let _ = std::io::stdout().flush();
}

/// The `--jsonl` events file of a live session. It is created once the source has given its
/// first frame (a source that never opens leaves nothing); dropped unfinished (the session
/// failed), its temporary copy is removed. Shared by the session's two callbacks, hence the cells.
struct EventsFile<'a> {
    path: Option<&'a std::path::Path>,
    out: std::cell::RefCell<Option<formcheck::atomic::Output>>,
    error: std::cell::RefCell<Option<AppError>>,
}

impl<'a> EventsFile<'a> {
    fn new(path: Option<&'a std::path::Path>) -> EventsFile<'a> {
        EventsFile { path, out: Default::default(), error: Default::default() }
    }

    /// Creates the file if it is wanted and not made yet; a failure is kept for [`Self::finish`].
    fn open(&self) {
        let Some(path) = self.path else { return };
        if self.out.borrow().is_some() || self.error.borrow().is_some() {
            return;
        }
        match formcheck::atomic::Output::create(path) {
            Ok(out) => *self.out.borrow_mut() = Some(out),
            Err(err) => *self.error.borrow_mut() = Some(AppError::io(path, err)),
        }
    }

    /// Appends one event as a JSON line.
    fn write(&self, output: &formcheck::live::LiveOutput) {
        self.open();
        if let Some(out) = self.out.borrow_mut().as_mut() {
            let _ = serde_json::to_writer(&mut *out, output).map(|_| writeln!(out)).map(|_| out.flush());
        }
    }

    /// Puts the file in place. A session that processed no frame still writes its (empty) file.
    fn finish(self) -> Result<(), AppError> {
        if let Some(err) = self.error.take() {
            return Err(err);
        }
        self.open();
        if let Some(err) = self.error.take() {
            return Err(err);
        }
        if let Some(out) = self.out.take() {
            out.finish().map_err(|e| AppError::io(self.path.unwrap_or(std::path::Path::new("")), e))?;
        }
        Ok(())
    }
}

fn run_batch(args: BatchArgs) -> Result<u8, AppError> {
    use formcheck::batch::{BatchOptions, Outcome, Shard};
    if formcheck::atomic::is_stdout(&args.out) {
        return Err(AppError::Usage("batch --out is a folder; '-' (standard output) cannot hold it".into()));
    }
    let spec = args.spec.load()?;
    let shard = args.shard.as_deref().map(Shard::parse).transpose().map_err(AppError::Usage)?;
    let pose = args.pose.config(SmoothingClock::Timestamps);
    // BlazePose models keep their old spelling in the key (the spec's part changes whenever the
    // spec does: a batch folder then analyses its videos again).
    let model_key = match pose.model {
        PoseModel::BlazePose(c) => format!("{c:?}"),
        other => other.name().to_string(),
    };
    let settings_key = format!("model={model_key};spec={spec:?};annotate={}", args.annotate);
    let options = BatchOptions {
        input_dir: args.dir.clone(),
        out_dir: args.out.clone(),
        jobs: args.jobs,
        annotate: args.annotate,
        shard,
        index_only: args.index_only,
        settings_key,
        person: args.history.person.clone(),
        history: history_db(&args.history, &args.pose),
    };
    // Each worker runs the pose model with its share of the cores.
    let new_estimator = move |threads: usize| -> Result<Box<dyn PoseEstimator>, AppError> {
        let config = PoseConfig { intra_threads: threads, ..pose.clone() };
        Ok(pipeline::new_estimator(config)?)
    };
    let quiet = args.quiet;
    let summary = formcheck::batch::run_batch(&options, &spec, &new_estimator, |rel, outcome| {
        if quiet {
            return;
        }
        match outcome {
            Outcome::Analysed => eprintln!("ok       {}", rel.display()),
            Outcome::Current => eprintln!("current  {}", rel.display()),
            Outcome::Failed(err) => eprintln!("FAILED   {}: {err}", rel.display()),
            Outcome::ClaimedElsewhere(by) => eprintln!("busy     {} (being analysed by {by})", rel.display()),
            Outcome::NotHere => {}
        }
    })?;
    if !quiet {
        for (rel, why) in &summary.skipped {
            eprintln!("skipped  {}: {why}", rel.display());
        }
    }
    eprintln!(
        "batch: {} analysed, {} already current, {}{} failed, {} skipped, {} non-video file(s) ignored; see {}",
        summary.analysed,
        summary.current,
        if summary.claimed_elsewhere > 0 {
            format!("{} left to another worker, ", summary.claimed_elsewhere)
        } else {
            String::new()
        },
        summary.failed.len(),
        summary.skipped.len(),
        summary.ignored,
        args.out.join("index.html").display()
    );
    for (rel, err) in &summary.failed {
        eprintln!("  failed: {}: {err}", rel.display());
    }
    if let Some(warning) = &summary.history_warning {
        eprintln!("formcheck: warning: {warning}");
    }
    Ok(if summary.failed.is_empty() { formcheck::exit::OK } else { formcheck::exit::UNREADABLE_INPUT })
}

fn run_report(args: ReportArgs) -> Result<u8, AppError> {
    let options = formcheck::handout::HandoutOptions { client: args.client };
    let notes = formcheck::handout::write_handout(&args.report, &args.html, &options)?;
    for note in notes {
        eprintln!("formcheck: note: {note}");
    }
    Ok(formcheck::exit::OK)
}

fn run_eval(args: EvalArgs) -> Result<u8, AppError> {
    check_outputs(&[
        ("--pairs", args.pairs.as_ref()),
        ("--readings", args.readings.as_ref()),
        ("--pose-error", args.pose_error.as_ref()),
        ("--figures", args.figures.as_ref()),
    ])?;
    if args.fit_synthetic.is_some() && !matches!(args.split, SplitArg::Calibration) {
        return Err(AppError::Usage(
            "--fit-synthetic fits on the calibration part only: add --split calibration".into(),
        ));
    }
    let spec = args.spec.load()?;
    let mut reports: Vec<(String, formcheck_core::report::Report)> = Vec::new();
    let mut keep = |clip: &ClipResult| {
        if args.verbose {
            print_clip(clip);
        }
        if let (Some(_), Ok(r)) = (&args.reports, &clip.report) {
            reports.push((clip.name.clone(), r.clone()));
        }
    };
    let (label, eval) = if let Some(dir) = &args.corpus {
        eval_corpus(&args, dir, &spec, &mut keep)?
    } else if let Some(dir) = &args.samples {
        eval_samples(&args, dir, &spec, &mut keep)?
    } else {
        return eval_synthetic(&args, &spec);
    };
    let scores = &eval.scores;
    if args.verbose {
        print_misses(scores);
    }
    print!("{}", scores.table());
    println!("{}", scores.headline(&label));
    write_eval_outputs(&args, &eval, &reports)?;
    if let Some(dir) = &args.corpus {
        if let Some(path) = &args.fit_synthetic {
            fit_synthetic_noise(&args, dir, &eval, &spec, path)?;
        }
        if args.synthetic.is_some() {
            print_synthetic_beside(&args, dir, &eval, &spec)?;
        }
    }
    let met = scores.reps_exact_rate() >= 0.97
        && scores.clean_flag_rate() <= 0.03
        && scores.coverage_rate() >= 0.95
        && scores.worst_cell().is_none_or(|(_, _, f)| f >= 0.90);
    Ok(if args.check_targets && !met { formcheck::exit::FAULTS } else { formcheck::exit::OK })
}

/// One line per clip: reps per side, views and faults (`eval --verbose`).
fn print_clip(clip: &ClipResult) {
    match &clip.report {
        Ok(report) => {
            let faults: Vec<&str> = report
                .checks
                .iter()
                .filter(|c| c.status == formcheck_core::report::Status::Fault)
                .map(|c| c.check.as_str())
                .collect();
            let views: Vec<String> = report.views.iter().map(|v| v.view.to_string()).collect();
            println!(
                "{:<44} reps L{} R{}  view {}  faults: {}",
                clip.name,
                report.summary.reps_left,
                report.summary.reps_right,
                views.join(","),
                if faults.is_empty() { "none".to_string() } else { faults.join(", ") }
            );
        }
        Err(err) => println!("{:<44} FAILED: {err}", clip.name),
    }
}

/// The rules on the corpus's cached landmarks; with no `--split`, each part's headline first.
fn eval_corpus(
    args: &EvalArgs,
    dir: &std::path::Path,
    spec: &ExerciseSpec,
    keep: impl FnMut(&ClipResult),
) -> Result<(String, Evaluation), AppError> {
    use formcheck_bench::corpus::{Corpus, Split};
    let corpus = Corpus::open(dir).map_err(|e| AppError::Usage(e.to_string()))?;
    let split = match args.split {
        SplitArg::Calibration => Some(Split::Calibration),
        SplitArg::Validation => Some(Split::Validation),
        SplitArg::All => None,
    };
    use formcheck::evaluate::CorpusLandmarks;
    let landmarks = match (&args.pose_model, args.keypoints_only) {
        (Some(m), _) => CorpusLandmarks::Model(m.clone()),
        (None, true) => CorpusLandmarks::KeypointsOnly,
        (None, false) => CorpusLandmarks::Own,
    };
    let by_model = |c: &&formcheck_bench::corpus::ClipEntry| {
        args.pose_model.as_ref().is_none_or(|m| c.landmarks_by_model.contains_key(m))
    };
    let mut clips = corpus.select(split, args.only.as_deref());
    clips.retain(by_model);
    if clips.is_empty() {
        return Err(AppError::Usage(format!("{}: no clips selected", dir.display())));
    }
    let label = format!("corpus/{}", split.map_or("all", |s| s.as_str()));
    if split.is_none() {
        // Both parts side by side: what was fitted on, and what was never seen.
        for part in [Split::Calibration, Split::Validation] {
            let mut part_clips = corpus.select(Some(part), args.only.as_deref());
            part_clips.retain(by_model);
            if !part_clips.is_empty() {
                let e = formcheck::evaluate::evaluate_corpus(&corpus, &part_clips, spec, &landmarks, |_| {})?;
                println!("{}", e.scores.headline(&format!("corpus/{}", part.as_str())));
            }
        }
    }
    Ok((label, formcheck::evaluate::evaluate_corpus(&corpus, &clips, spec, &landmarks, keep)?))
}

/// Video → pose → rules on a folder of rendered clips with ground truth.
fn eval_samples(
    args: &EvalArgs,
    dir: &std::path::Path,
    spec: &ExerciseSpec,
    keep: impl FnMut(&ClipResult),
) -> Result<(String, Evaluation), AppError> {
    if !dir.is_dir() {
        return Err(AppError::Usage(format!("--samples {}: no such folder", dir.display())));
    }
    let clips = formcheck::evaluate::sample_clips(dir)?;
    if clips.is_empty() {
        return Err(AppError::Usage(format!("{}: no NAME.mp4 with NAME.json ground truth", dir.display())));
    }
    let config = args.pose.config(SmoothingClock::Timestamps);
    let mut estimator = pipeline::new_estimator(config)?;
    let label = dir.display().to_string();
    Ok((label, formcheck::evaluate::evaluate_samples(&clips, &mut estimator, spec, keep)?))
}

/// `--synthetic FROM..TO` as a range.
fn synthetic_seeds(args: &EvalArgs) -> Result<std::ops::Range<u64>, AppError> {
    let range = args.synthetic.as_deref().unwrap_or("10000..10200");
    let (from, to) = range
        .split_once("..")
        .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
        .filter(|(a, b)| a < b)
        .ok_or_else(|| AppError::Usage(format!("--synthetic wants FROM..TO, got {range:?}")))?;
    Ok(from..to)
}

/// Seeds the noise fit runs per view and scale (apart from every seed range the bench reports).
const FIT_SEEDS: std::ops::Range<u64> = 70_000..70_040;

/// `--fit-synthetic`: the synthetic noise per view, fitted to the calibration part's pose error.
fn fit_synthetic_noise(
    args: &EvalArgs,
    dir: &std::path::Path,
    eval: &Evaluation,
    spec: &ExerciseSpec,
    out: &std::path::Path,
) -> Result<(), AppError> {
    use formcheck_bench::corpus::{Corpus, Split};
    let corpus = Corpus::open(dir).map_err(|e| AppError::Usage(e.to_string()))?;
    let clips = corpus.select(Some(Split::Calibration), args.only.as_deref());
    let rates = formcheck_bench::synth_fit::measured_rates(&clips);
    let fit = formcheck_bench::synth_fit::fit(&eval.pairs, &rates, spec, FIT_SEEDS, "calibration");
    let mut json = serde_json::to_string_pretty(&fit).map_err(|e| AppError::Usage(e.to_string()))?;
    json.push('\n');
    formcheck::atomic::write_atomic(out, json.as_bytes()).map_err(|e| AppError::io(out, e))?;
    for (view, v) in &fit.views {
        let worst = v
            .spreads
            .iter()
            .map(|(m, s)| (m, s.synthetic / s.rendered))
            .max_by(|a, b| a.1.ln().abs().total_cmp(&b.1.ln().abs()));
        let worst = worst.map_or(String::new(), |(m, r)| format!(", farthest: {m} synthetic/rendered spread {r:.2}"));
        println!("synthetic noise for {view}: scale {:.2}, pair share {:.1}{worst}", v.scale, v.pair_share);
    }
    Ok(())
}

/// The synthetic bench at the fitted noise and at the typical noise, beside the rendered figures.
fn print_synthetic_beside(
    args: &EvalArgs,
    dir: &std::path::Path,
    eval: &Evaluation,
    spec: &ExerciseSpec,
) -> Result<(), AppError> {
    use formcheck_bench::synth_fit::{run_fitted_suite, NoiseFit};
    let seeds = synthetic_seeds(args)?;
    let path = args.fit_synthetic.clone().unwrap_or_else(|| dir.join("synth-noise.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| AppError::io(&path, e))?;
    let fit: NoiseFit = serde_json::from_str(&text).map_err(|e| AppError::Usage(format!("{}: {e}", path.display())))?;
    let fitted = run_fitted_suite(spec, &fit, seeds.clone());
    let typical = formcheck_bench::eval::run_synthetic_suite(spec, seeds.clone());
    let s = &eval.scores;
    println!(
        "synthetic bench (seeds {}..{}, noise fitted on the {} part) beside the rendered clips:",
        seeds.start, seeds.end, fit.fitted_on
    );
    println!("  {:<20} {:>9} {:>18} {:>18}", "figure", "rendered", "synthetic fitted", "synthetic typical");
    let rows = [
        ("reps exact", s.reps_exact_rate(), fitted.rep_exact_rate(), typical.rep_exact_rate()),
        ("clean reps flagged", s.clean_flag_rate(), fitted.scored_clean_flag_rate(), typical.scored_clean_flag_rate()),
        ("macro F1", s.macro_f1(), fitted.scored_macro_f1(), typical.scored_macro_f1()),
    ];
    for (name, r, f, t) in rows {
        println!("  {name:<20} {r:>9.2} {f:>18.2} {t:>18.2}");
    }
    if args.verbose {
        println!("synthetic bench at the fitted noise:");
        print!("{}", fitted.summary());
    }
    Ok(())
}

/// The synthetic bench: generated landmark sequences for a range of seeds.
fn eval_synthetic(args: &EvalArgs, spec: &ExerciseSpec) -> Result<u8, AppError> {
    let board = formcheck_bench::eval::run_synthetic_suite(spec, synthetic_seeds(args)?);
    print!("{}", board.summary());
    if args.verbose {
        for miss in board.rep_misses.iter().chain(&board.fault_misses) {
            println!("  miss: {miss}");
        }
    }
    let failures = board.target_failures();
    Ok(if args.check_targets && !failures.is_empty() { formcheck::exit::FAULTS } else { formcheck::exit::OK })
}

/// Every clip whose reps or faults were missed, with why (`eval --verbose`).
fn print_misses(scores: &formcheck_bench::score::Scores) {
    for c in &scores.clips {
        if !c.reps_exact || !c.notes.is_empty() {
            println!(
                "  {:<44} {:<8} reps {} ours {} paired {}{}  {}",
                c.name,
                c.class.as_str(),
                c.truth_reps,
                c.our_reps,
                c.paired,
                if c.reps_exact { "" } else { "  REPS WRONG" },
                c.notes.join(" ")
            );
        }
    }
}

/// The files `eval` was asked for: per-clip reports, metric pairs, readings, pose error, figures.
fn write_eval_outputs(
    args: &EvalArgs,
    eval: &Evaluation,
    reports: &[(String, formcheck_core::report::Report)],
) -> Result<(), AppError> {
    let write = |path: &std::path::Path, bytes: &[u8]| {
        formcheck::atomic::write_atomic(path, bytes).map_err(|e| AppError::io(path, e))
    };
    if let Some(dir) = &args.reports {
        std::fs::create_dir_all(dir).map_err(|e| AppError::io(dir, e))?;
        for (name, r) in reports {
            let json = serde_json::to_string(r).map_err(|e| AppError::Usage(e.to_string()))?;
            write(&dir.join(format!("{name}.json")), json.as_bytes())?;
        }
    }
    if let Some(path) = &args.pairs {
        write(path, formcheck_bench::pose_error::csv(&eval.pairs).as_bytes())?;
    }
    if let Some(path) = &args.readings {
        write(path, formcheck_bench::calibration::csv(&eval.readings).as_bytes())?;
    }
    if let Some(path) = &args.pose_error {
        write(path, formcheck_bench::pose_error::markdown(&eval.pairs).as_bytes())?;
    }
    if let Some(path) = &args.figures {
        let scores = &eval.scores;
        let json = serde_json::json!({
            "clips": scores.clips.len(),
            "reps_exact": scores.reps_exact_rate(),
            "macro_f1": scores.macro_f1(),
            "clean_flagged": scores.clean_flag_rate(),
            "coverage": scores.coverage_rate(),
            "worst_cell": scores.worst_cell().map(|(c, v, f)| serde_json::json!({"check": c.as_str(), "view": v.as_str(), "f1": f})),
        });
        write(path, json.to_string().as_bytes())?;
    }
    Ok(())
}

fn run_bench(args: BenchArgs) -> Result<u8, AppError> {
    let spec = ExerciseSpec::cable_medius_kickback()?;
    let config = args.pose.config(SmoothingClock::Timestamps);
    let (threads, model) = (config.intra_threads, config.model.name());
    let mut estimator = pipeline::new_estimator(config)?;
    let f = formcheck::bench::run_bench(&args.input, &mut estimator, &spec)?;
    if args.json {
        println!("{}", serde_json::to_string(&f).unwrap_or_default());
    } else {
        println!(
            "bench: {} ({}x{}, {} frames, model {model}, {threads} ORT threads)\n  decode only   {:7.1} fps\n  pose          {:7.1} fps\n  analyze       {:7.1} fps  ({:.2}x the decode-only time)\n  peak memory   {:7.0} MiB",
            args.input.display(), f.width, f.height, f.frames, f.decode_fps, f.pose_fps, f.analyze_fps, f.analyze_to_decode_ratio, f.peak_rss_mib
        );
    }
    Ok(formcheck::exit::OK)
}

fn run_history(args: HistoryArgs) -> Result<u8, AppError> {
    use formcheck::history::{History, PersonHistory};
    let db =
        args.db.clone().or_else(History::default_path).ok_or_else(|| {
            AppError::Usage("no history database: set --db, FORMCHECK_DB, XDG_DATA_HOME or HOME".into())
        })?;
    let history_error = |e: formcheck::history::HistoryError| AppError::Usage(e.to_string());
    if let Some(HistoryAction::Rebuild { dir }) = &args.action {
        let rebuilt = formcheck::history::rebuild(&db, dir).map_err(history_error)?;
        eprintln!(
            "history: {} report(s) recorded in {} ({} other JSON file(s) skipped)",
            rebuilt.recorded,
            db.display(),
            rebuilt.skipped.len()
        );
        return Ok(formcheck::exit::OK);
    }
    if !db.exists() {
        eprintln!("history: nothing recorded yet ({} does not exist)", db.display());
        return Ok(formcheck::exit::OK);
    }
    let history = History::open_read_only(&db).map_err(history_error)?;
    let people = history.people().map_err(history_error)?;
    if matches!(args.action, Some(HistoryAction::Baseline)) {
        return show_baselines(&args, &history, &people);
    }
    if matches!(args.action, Some(HistoryAction::People)) {
        for (person, exercise, n) in &people {
            println!("{person}\t{exercise}\t{n} session(s)");
        }
        return Ok(formcheck::exit::OK);
    }
    let spec = args.spec.load()?;
    let person = match &args.person {
        Some(p) => p.clone(),
        None => {
            let of_exercise: Vec<&String> = people.iter().filter(|p| p.1 == spec.exercise).map(|p| &p.0).collect();
            match of_exercise.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    eprintln!("history: no sessions of {} recorded in {}", spec.exercise, db.display());
                    return Ok(formcheck::exit::OK);
                }
                many => {
                    let names: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
                    return Err(AppError::Usage(format!(
                        "several people recorded; pick one with --person: {}",
                        names.join(", ")
                    )));
                }
            }
        }
    };
    let sessions = history.sessions(&person, &spec.exercise).map_err(history_error)?;
    let view = PersonHistory::new(&person, &spec, &sessions);
    if let Some(out) = &args.html {
        check_outputs(&[("--html", Some(out))])?;
        let page = formcheck::html::render_progress_page(
            &format!("formcheck — {person}: {}", spec.title),
            std::slice::from_ref(&view),
        );
        formcheck::atomic::write_atomic(out, page.as_bytes()).map_err(|e| AppError::io(out, e))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&view).map_err(|e| AppError::Usage(e.to_string()))?);
    } else if args.csv {
        print!("{}", formcheck::history::render_csv(&view));
    } else {
        print!("{}", formcheck::history::render_terminal(&view));
    }
    Ok(formcheck::exit::OK)
}

/// `history baseline`: each check that may follow the person, their baseline and its threshold.
fn show_baselines(
    args: &HistoryArgs,
    history: &formcheck::history::History,
    people: &[(String, String, i64)],
) -> Result<u8, AppError> {
    let spec = args.spec.load()?;
    let person = match &args.person {
        Some(p) => p.clone(),
        None => match people.iter().filter(|p| p.1 == spec.exercise).collect::<Vec<_>>().as_slice() {
            [one] => one.0.clone(),
            _ => return Err(AppError::Usage("name the person with --person".into())),
        },
    };
    let sessions = history.sessions(&person, &spec.exercise).map_err(|e| AppError::Usage(e.to_string()))?;
    let baselines = formcheck::history::baseline::baselines(&sessions, &spec);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&baselines).map_err(|e| AppError::Usage(e.to_string()))?);
        return Ok(formcheck::exit::OK);
    }
    println!("{person} — {}: personal baselines (opt in with --personal-baseline)", spec.exercise);
    for b in &baselines {
        let usual = b.value.map_or("no reading yet".to_string(), |v| format!("usually {v:.1}"));
        let threshold = match b.threshold {
            Some(t) => format!("threshold {t:.1} instead of {:.1}", b.spec_threshold),
            None => format!(
                "needs {} more session(s); the exercise's {:.1} applies",
                formcheck::history::baseline::MIN_SESSIONS.saturating_sub(b.sessions),
                b.spec_threshold
            ),
        };
        println!("  {:<24} {usual} over {} session(s): {threshold}", b.check, b.sessions);
    }
    Ok(formcheck::exit::OK)
}
