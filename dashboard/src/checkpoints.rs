//! What the page can do with a checkpoint: play it (eval), start a new run
//! from it (warm start) and download it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use agora_runtime::store::CheckpointSelector;
use agora_runtime::stored_run::{Evaluation, StoredRun};

/// Episodes an eval plays unless asked otherwise, and at most.
pub const EVAL_EPISODES: u64 = 10;
const MAX_EVAL_EPISODES: u64 = 1_000;

/// Why a checkpoint action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// Asked for an impossible number of episodes.
    #[error("episodes must be between 1 and {MAX_EVAL_EPISODES}, got {0}")]
    Episodes(u64),
    /// Finding, loading or playing it failed.
    #[error(transparent)]
    Locate(#[from] agora_runtime::stored_run::LocateError),
    /// The warm-started run could not be launched.
    #[error("cannot start `{command}`: {source}")]
    Launch {
        /// What was run.
        command: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// Plays checkpoint `sequence` of `run`.
///
/// # Blocking
///
/// Steps envs for `episodes` episodes.
pub fn eval(
    run: &StoredRun,
    sequence: u64,
    episodes: u64,
    seed: u64,
) -> Result<Evaluation, CheckpointError> {
    if episodes == 0 || episodes > MAX_EVAL_EPISODES {
        return Err(CheckpointError::Episodes(episodes));
    }
    Ok(run.evaluate(
        &CheckpointSelector::Sequence(sequence),
        None,
        episodes,
        seed,
    )?)
}

/// A run started from a checkpoint, as launched.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Launched {
    /// Its process.
    pub pid: u32,
    /// The command line.
    pub command: String,
    /// Where its output goes.
    pub log: PathBuf,
}

/// Starts `agora run` on `run`'s stored config with `--warm-start
/// RUN:SEQ`, in the background, output to a log file in the run's folder.
///
/// # Blocking
///
/// Writes the config file and spawns the process.
pub fn warm_start(
    agora: &Path,
    data_dir: &Path,
    run: &StoredRun,
    sequence: u64,
) -> Result<Launched, CheckpointError> {
    // The checkpoint must exist and fit before anything starts.
    run.learner_checkpoint(&CheckpointSelector::Sequence(sequence))?;
    let folder = data_dir.join("runs").join(run.id());
    let config = folder.join(format!("warm-start-{sequence}.toml"));
    let log = folder.join(format!("warm-start-{sequence}.log"));
    let launch_error = |source: std::io::Error| CheckpointError::Launch {
        command: format!("agora run {}", config.display()),
        source,
    };
    std::fs::create_dir_all(&folder).map_err(launch_error)?;
    std::fs::write(&config, &run.record().config).map_err(launch_error)?;
    let output = std::fs::File::create(&log).map_err(launch_error)?;
    let errors = output.try_clone().map_err(launch_error)?;
    let reference = format!("{}:{sequence}", run.id());
    let mut command = Command::new(agora);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .arg("run")
        .arg(&config)
        .arg("--warm-start")
        .arg(&reference)
        .arg("--quiet")
        .stdin(Stdio::null())
        .stdout(output)
        .stderr(errors);
    let described = format!(
        "agora --data-dir {} run {} --warm-start {reference} --quiet",
        data_dir.display(),
        config.display()
    );
    let mut child = command.spawn().map_err(launch_error)?;
    let pid = child.id();
    // Reaped in the background so it never lingers as a zombie.
    std::thread::spawn(move || child.wait());
    Ok(Launched {
        pid,
        command: described,
        log,
    })
}

/// The bytes of checkpoint `sequence` of `run`'s learner.
///
/// # Blocking
///
/// Reads the store.
pub fn download(run: &StoredRun, sequence: u64) -> Result<Vec<u8>, CheckpointError> {
    let loaded = run.learner_checkpoint(&CheckpointSelector::Sequence(sequence))?;
    Ok(loaded.checkpoint.bytes)
}
