//! `agora asl run|check`: one AgentSpeak agent, no broker.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use agora_bdi::{RunOptions, agent_name_from_path, check_program, run_program};
use anyhow::Context;

use crate::cli::AslCommand;

pub fn run(command: &AslCommand) -> anyhow::Result<ExitCode> {
    match command {
        AslCommand::Run {
            file,
            name,
            max_cycles,
            seed,
        } => {
            let (source, label) = read(file)?;
            let options = RunOptions {
                name: Some(name.clone().unwrap_or_else(|| agent_name_from_path(&label))),
                max_cycles: *max_cycles,
                seed: *seed,
            };
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let mut write_error = None;
            let outcome = run_program(&source, &label, &options, &mut |line| {
                if write_error.is_none()
                    && let Err(e) = writeln!(out, "{line}")
                {
                    write_error = Some(e);
                }
            });
            if let Some(error) = write_error {
                return Err(error).context("writing to stdout");
            }
            let outcome = outcome?;
            for report in outcome.reports.iter().filter(|r| r.is_unhandled_failure()) {
                eprintln!("agora: {label}: {report:?}");
            }
            Ok(if outcome.failed() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        AslCommand::Check { file } => {
            let (source, label) = read(file)?;
            check_program(&source, &label)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read(file: &Path) -> anyhow::Result<(String, String)> {
    let source =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok((source, file.display().to_string()))
}
