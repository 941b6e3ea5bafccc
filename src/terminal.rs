//! Writing to stdout and stderr when they may have gone away.
//!
//! A run outlives its terminal: `agora run … | head`, a dead `tee` or a
//! closed SSH session close the pipe, and `println!` would then panic on
//! the training thread (the run aborted with SIGABRT and was left
//! `crashed`). Here a failed write is logged once per stream and every
//! later write to it is skipped; the run goes on to its end.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout as it is.
pub fn out(text: &str) {
    write_to(&STDOUT_GONE, "stdout", || {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()
    });
}

/// Writes `line` and a newline to stdout.
pub fn out_line(line: &str) {
    out(&format!("{line}\n"));
}

/// Writes `line` and a newline to stderr.
pub fn err_line(line: &str) {
    write_to(&STDERR_GONE, "stderr", || {
        std::io::stderr()
            .lock()
            .write_all(format!("{line}\n").as_bytes())
    });
}

fn write_to(gone: &AtomicBool, stream: &str, write: impl FnOnce() -> std::io::Result<()>) {
    if gone.load(Ordering::Relaxed) {
        return;
    }
    if let Err(error) = write()
        && !gone.swap(true, Ordering::Relaxed)
    {
        tracing::warn!(%error, "{stream} is closed; output to it is dropped from now on, the run goes on");
    }
}
