//! `agora run CONFIG` (the main job) and `agora resume RUN`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use agora_runtime::config::{ConfigError, ExperimentConfig, Override};
use agora_runtime::learn::Progress;
use agora_runtime::run::{RunOptions, RunProgress, run_experiment};
use agora_runtime::store::RunStatus;

use crate::cli::{ConfigChanges, GlobalOptions};
use crate::{output, terminal};

/// How to launch a run, beyond its config.
pub struct Launch {
    pub no_telemetry: bool,
    pub warm_start: Option<String>,
    pub take_over: bool,
    pub changes: ConfigChanges,
    pub quiet: bool,
    pub resume: Option<String>,
    /// The store a resumed run is continued in.
    pub store_path: Option<std::path::PathBuf>,
    /// Serve the dashboard while the run lasts.
    pub dashboard: Option<crate::cli::DashboardServe>,
}

pub fn run(
    global: &GlobalOptions,
    config_path: &Path,
    launch: &Launch,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(config_path).map_err(|source| ConfigError::Read {
        file: config_path.to_path_buf(),
        source,
    })?;
    let config = changed_config(config_path, &text, &launch.changes)?;
    execute(global, &config, launch)
}

/// The config with the command line's `--seed` and `--set` applied.
fn changed_config(
    source: &Path,
    text: &str,
    changes: &ConfigChanges,
) -> anyhow::Result<ExperimentConfig> {
    let mut overrides = match changes.seed {
        Some(seed) => Override::seed(seed, text)?,
        None => Vec::new(),
    };
    for change in &changes.set {
        overrides.push(Override::parse(change)?);
    }
    Ok(ExperimentConfig::from_toml_str_with_overrides(
        source,
        text,
        &agora_runtime::kinds::AgentRegistry::with_builtins(),
        &overrides,
    )?)
}

pub fn resume(
    global: &GlobalOptions,
    run: &str,
    no_telemetry: bool,
    changes: &ConfigChanges,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let found = crate::commands::runs::locator(global).find(run)?;
    let record = found.record();
    if record.status == RunStatus::Completed {
        anyhow::bail!("run {} is already completed; nothing to resume", record.id);
    }
    let config = changed_config(
        Path::new(record.config_path.as_deref().unwrap_or("stored config")),
        &record.config,
        changes,
    )?;
    let launch = Launch {
        no_telemetry,
        warm_start: None,
        take_over: false,
        changes: changes.clone(),
        quiet,
        resume: Some(record.id.clone()),
        store_path: Some(found.store().path().to_path_buf()),
        dashboard: None,
    };
    drop(found);
    execute(global, &config, &launch)
}

fn execute(
    global: &GlobalOptions,
    config: &ExperimentConfig,
    launch: &Launch,
) -> anyhow::Result<ExitCode> {
    let mut options = RunOptions::new(&global.data_dir);
    options.broker.clone_from(&global.broker);
    options.telemetry = !launch.no_telemetry;
    options.resume.clone_from(&launch.resume);
    options.store_path.clone_from(&launch.store_path);
    options.take_over = launch.take_over;
    if let Some(text) = &launch.warm_start {
        options.warm_start = Some(crate::commands::eval::parse_checkpoint_ref(text)?);
    }
    let quiet = global.json || launch.quiet;
    if !global.json {
        // Agents' `.print`, Jason style: `[agent] text`.
        let console: agora_runtime::agent::Console =
            Arc::new(|agent: &str, line: &str| terminal::out_line(&format!("[{agent}] {line}")));
        options.console = Some(console);
    }
    if !quiet {
        options.progress = Some(progress_sink());
    }
    let dashboard = match &launch.dashboard {
        Some(serve) => Some(crate::commands::dashboard::start(global, serve, false)?),
        None => None,
    };
    let system = actix::System::new();
    let report = system.block_on(run_experiment(config, options, |progress| {
        if let (Some(dashboard), RunProgress::Started { run_id, .. }) = (&dashboard, &progress) {
            // First line of output, so a script can read it; on stderr
            // with --json, whose stdout is one JSON document.
            let line = format!("dashboard: {}", dashboard.url(Some(run_id)));
            if global.json {
                terminal::err_line(&line);
            } else {
                terminal::out_line(&line);
            }
        }
        if quiet {
            return;
        }
        match progress {
            RunProgress::BrokerStarted {
                addr,
                port_taken: Some(port),
            } => terminal::err_line(&format!(
                "port {port} is taken; embedded broker listening on {addr}"
            )),
            RunProgress::BrokerStarted {
                addr,
                port_taken: None,
            } => terminal::err_line(&format!("embedded broker listening on {addr}")),
            RunProgress::Started { run_id, agents, .. } => {
                let noun = if agents == 1 { "agent" } else { "agents" };
                terminal::err_line(&format!("run {run_id} started with {agents} {noun}"))
            }
        }
    }))?;
    if global.json {
        terminal::out_line(&serde_json::to_string_pretty(&report)?);
    } else {
        terminal::out(&output::run_summary(&report));
    }
    if let Some(dashboard) = dashboard {
        dashboard.stop();
    }
    Ok(if report.status == RunStatus::Failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A progress bar on a terminal, a plain line now and then otherwise.
fn progress_sink() -> agora_runtime::learn::ProgressSink {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return Arc::new(|progress: &Progress| {
            terminal::err_line(&output::progress_line(progress))
        });
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Arc::new(move |progress: &Progress| {
        bar.set_message(output::progress_line(progress));
        if progress.finished {
            bar.finish();
        }
    })
}
