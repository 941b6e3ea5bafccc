//! `agora runs list|show|rm`: the run registry, across every store the data
//! dir knows of.

use std::process::ExitCode;

use agora_runtime::store::RunStatus;
use agora_runtime::stored_run::RunLocator;
use anyhow::bail;

use crate::cli::{GlobalOptions, RunsCommand};
use crate::output;

/// The runs of `--data-dir`, including those with their own `[store] path`.
pub fn locator(global: &GlobalOptions) -> RunLocator {
    RunLocator::new(&global.data_dir)
}

pub fn run(global: &GlobalOptions, command: &RunsCommand) -> anyhow::Result<ExitCode> {
    let locator = locator(global);
    for store in locator.open_stores()? {
        // A store that cannot be written is listed as it is; its runs are
        // marked crashed by the next command that can write it.
        if !store.is_read_only() {
            store.mark_crashed(
                &agora_runtime::host_name(),
                agora_runtime::agora_process_alive,
            )?;
        }
    }
    match command {
        RunsCommand::List => {
            let runs: Vec<_> = locator
                .runs()?
                .into_iter()
                .map(|run| run.record().clone())
                .collect();
            if global.json {
                println!("{}", serde_json::to_string_pretty(&runs)?);
            } else {
                print!("{}", output::runs_table(&runs));
            }
        }
        RunsCommand::Rm { run } => {
            let found = locator.find(run)?;
            let record = found.record();
            if matches!(record.status, RunStatus::Running | RunStatus::Paused) {
                bail!(
                    "run {} is {}; stop it first (agora ctl {} stop)",
                    record.id,
                    record.status.as_str(),
                    record.id
                );
            }
            let checkpoints = found.store().delete_run(&record.id)?;
            let folder = global.data_dir.join("runs").join(&record.id);
            if folder.exists() {
                std::fs::remove_dir_all(&folder)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", folder.display()))?;
            }
            if global.json {
                println!(
                    "{}",
                    serde_json::json!({"removed": record.id, "checkpoints": checkpoints})
                );
            } else {
                println!("removed {} and its {checkpoints} checkpoints", record.id);
            }
        }
        RunsCommand::Show { run } => {
            let found = locator.find(run)?;
            let checkpoints = found.checkpoints()?;
            if global.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "run": found.record(),
                        "store": found.store().path(),
                        "checkpoints": checkpoints
                    }))?
                );
            } else {
                print!("{}", output::run_detail(found.record(), &checkpoints));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
