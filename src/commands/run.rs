//! `agora run CONFIG`: the main job.

use std::path::Path;
use std::process::ExitCode;

use agora_runtime::config::ExperimentConfig;
use agora_runtime::run::{RunOptions, RunProgress, run_experiment};
use agora_runtime::store::RunStatus;

use crate::cli::GlobalOptions;
use crate::output;

pub fn run(global: &GlobalOptions, config_path: &Path) -> anyhow::Result<ExitCode> {
    let config = ExperimentConfig::load(config_path)?;
    let mut options = RunOptions::new(&global.data_dir);
    options.broker.clone_from(&global.broker);
    // Agents' `.print`, Jason style: `[agent] text`.
    let console: agora_runtime::agent::Console = std::sync::Arc::new(|agent: &str, line: &str| {
        use std::io::Write;
        let _ = writeln!(std::io::stdout().lock(), "[{agent}] {line}");
    });
    if !global.json {
        options.console = Some(console);
    }
    let quiet = global.json;
    let system = actix::System::new();
    let report = system.block_on(run_experiment(&config, options, |progress| {
        if quiet {
            return;
        }
        match progress {
            RunProgress::BrokerStarted {
                addr,
                port_taken: Some(port),
            } => {
                eprintln!("port {port} is taken; embedded broker listening on {addr}")
            }
            RunProgress::BrokerStarted {
                addr,
                port_taken: None,
            } => eprintln!("embedded broker listening on {addr}"),
            RunProgress::Started { run_id, agents, .. } => {
                eprintln!("run {run_id} started with {agents} agents")
            }
        }
    }))?;
    if global.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", output::run_summary(&report));
    }
    Ok(if report.status == RunStatus::Failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
