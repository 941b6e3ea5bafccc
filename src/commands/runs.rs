//! `agora runs list|show`: the run registry.

use std::process::ExitCode;

use agora_runtime::store::{RunRecord, RunStatus, Store};
use anyhow::bail;

use crate::cli::{GlobalOptions, RunsCommand};
use crate::output;

/// The registry of `--data-dir`, which must exist.
pub fn open_store(global: &GlobalOptions) -> anyhow::Result<Store> {
    let path = global.data_dir.join("agora.redb");
    if !path.exists() {
        bail!(
            "no run registry at {} (runs are recorded there by `agora run`; see --data-dir)",
            path.display()
        );
    }
    Ok(Store::open(&path)?)
}

pub fn run(global: &GlobalOptions, command: &RunsCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(global)?;
    store.mark_crashed(
        &agora_runtime::host_name(),
        agora_runtime::agora_process_alive,
    )?;
    match command {
        RunsCommand::List => {
            let runs = store.runs()?;
            if global.json {
                println!("{}", serde_json::to_string_pretty(&runs)?);
            } else {
                print!("{}", output::runs_table(&runs));
            }
        }
        RunsCommand::Rm { run } => {
            let record = find_run(&store, run)?;
            if matches!(record.status, RunStatus::Running | RunStatus::Paused) {
                bail!(
                    "run {} is {}; stop it first (agora ctl {} stop)",
                    record.id,
                    record.status.as_str(),
                    record.id
                );
            }
            let checkpoints = store.delete_run(&record.id)?;
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
            let record = find_run(&store, run)?;
            let checkpoints = store.checkpoints(&record.id)?;
            if global.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"run": record, "checkpoints": checkpoints})
                    )?
                );
            } else {
                print!("{}", output::run_detail(&record, &checkpoints));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The run with this id, or the only one whose id starts with it.
pub fn find_run(store: &Store, wanted: &str) -> anyhow::Result<RunRecord> {
    if let Some(record) = store.run(wanted)? {
        return Ok(record);
    }
    let mut matches: Vec<RunRecord> = store
        .runs()?
        .into_iter()
        .filter(|r| r.id.starts_with(wanted))
        .collect();
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => bail!(
            "no run `{wanted}` in {} (see `agora runs list`)",
            store.path().display()
        ),
        n => bail!("`{wanted}` matches {n} runs; give more of the id"),
    }
}
