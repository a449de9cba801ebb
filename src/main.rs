//! The `formcheck` command: parses arguments, runs one subcommand, prints the error chain.

use clap::Parser;
use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    // Output piped into `head` or a pager that quits: end quietly, as Unix tools do, instead of
    // the standard library's panic on the first print to a closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // OpenCV's FFmpeg backend is chatty about broken files; our own errors say what matters.
    if std::env::var_os("OPENCV_LOG_LEVEL").is_none() {
        std::env::set_var("OPENCV_LOG_LEVEL", "ERROR");
    }
    if std::env::var_os("OPENCV_FFMPEG_LOGLEVEL").is_none() {
        std::env::set_var("OPENCV_FFMPEG_LOGLEVEL", "-8");
    }
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { formcheck::exit::USAGE } else { formcheck::exit::OK });
        }
    };
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprint!("{}", formcheck::error_chain(&err));
            ExitCode::from(err.exit_code())
        }
    }
}
