//! `agora asl run|check`: one AgentSpeak agent, no broker.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use agora_bdi::{
    ActionRegistry, EndReason, Limit, Limits, Report, RunOptions, RunOutcome, agent_name_from_path,
    check_program_with, run_program,
};
use agora_runtime::config::ExperimentConfig;
use agora_runtime::kinds::{BdiEntry, BuildContext};
use anyhow::Context;

use crate::cli::AslCommand;

pub fn run(command: &AslCommand) -> anyhow::Result<ExitCode> {
    match command {
        AslCommand::Run {
            file,
            name,
            max_cycles,
            seed,
            limits,
        } => {
            let (source, label) = read(file)?;
            let options = RunOptions {
                name: Some(name.clone().unwrap_or_else(|| agent_name_from_path(&label))),
                max_cycles: Some(*max_cycles),
                seed: *seed,
                limits: Limits {
                    max_intention_depth: limits.max_intention_depth,
                    max_intended_means: limits.max_intended_means,
                    max_intentions: limits.max_intentions,
                    max_events: limits.max_events,
                    max_beliefs: limits.max_beliefs,
                    ..Limits::default()
                },
            };
            run_file(&source, &label, &options)
        }
        AslCommand::Check {
            file,
            world,
            env,
            config,
        } => match config {
            Some(config) => check_config(config, file.as_deref()),
            None => {
                let file = file.as_deref().context("a program to check")?;
                let entry = BdiEntry {
                    world: world.clone(),
                    env: env.clone(),
                    ..BdiEntry::default()
                };
                check_with(file, &entry)?;
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}

/// Runs one program, its prints on stdout and what went wrong on stderr:
/// unhandled failures, resource limits, the cycle limit (status 1 for
/// the first and the last).
fn run_file(source: &str, label: &str, options: &RunOptions) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut write_error = None;
    let outcome = run_program(source, label, options, &mut |line| {
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
    for report in &outcome.reports {
        match report {
            Report::ResourceLimit { limit, max, detail } => eprintln!(
                "agora: {label}: resource limit {limit} hit ({} = {max}; --{} raises it): {detail}",
                limit.setting(),
                limit.setting().replace('_', "-")
            ),
            report if report.is_unhandled_failure() => eprintln!("agora: {label}: {report}"),
            _ => {}
        }
    }
    report_limit_counts(label, &outcome);
    report_undelivered(label, &outcome);
    let cut_short = outcome.end == EndReason::MaxCycles;
    if cut_short {
        eprintln!(
            "agora: {label}: stopped after {} reasoning cycles, the cycle limit (--max-cycles raises it); the program did not end by itself",
            outcome.cycles
        );
    }
    Ok(if outcome.failed() || cut_short {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Says that messages to other agents went nowhere: a standalone run has
/// no other agents (an ask then stays unanswered).
fn report_undelivered(label: &str, outcome: &RunOutcome) {
    let Some(first) = outcome.undelivered.first() else {
        return;
    };
    let to = first
        .receiver
        .as_deref()
        .map_or("every other agent".to_string(), |r| format!("`{r}`"));
    let count = outcome.undelivered.len();
    let noun = if count == 1 { "message" } else { "messages" };
    eprintln!(
        "agora: {label}: {count} {noun} went nowhere: a standalone run has no other agents (the first: {} {} to {to}); run it in a config with those agents (agora run)",
        first.performative, first.content
    );
}

/// Says how often each limit was hit, where it was hit more than the once
/// that was reported.
fn report_limit_counts(label: &str, outcome: &RunOutcome) {
    let repeated: Vec<String> = Limit::ALL
        .iter()
        .map(|&limit| (limit, outcome.limit_hits.get(limit)))
        .filter(|&(_, count)| count > 1)
        .map(|(limit, count)| format!("{limit} {count} times"))
        .collect();
    if !repeated.is_empty() {
        eprintln!(
            "agora: {label}: resource limits hit: {}",
            repeated.join(", ")
        );
    }
}

/// Checks `file` as an agent of `entry` would run it.
fn check_with(file: &Path, entry: &BdiEntry) -> anyhow::Result<()> {
    let (source, label) = read(file)?;
    let actions = entry
        .actions(&ActionRegistry::new())
        .map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
    let checked = check_program_with(&source, &label, &actions);
    if let Err(error) = &checked
        && entry.world.is_none()
        && entry.env.is_none()
        && error.to_string().contains("unknown internal action")
    {
        anyhow::bail!(
            "{error}\n(the actions of a world or env are known with --world gold-miners, --env ID or --config FILE)"
        );
    }
    checked?;
    Ok(())
}

/// Checks the program of every `bdi` agent of `config` (or only those
/// running `only`), each with its world and env.
fn check_config(config: &Path, only: Option<&Path>) -> anyhow::Result<ExitCode> {
    let experiment = ExperimentConfig::load(config)?;
    let build = BuildContext::new(config.parent().unwrap_or(Path::new(".")));
    let mut checked = 0;
    for agent in experiment.agents.iter().filter(|a| a.kind == "bdi") {
        let Some(entry) = agent.settings.get::<BdiEntry>() else {
            continue;
        };
        let Some(program) = &entry.program else {
            continue;
        };
        let path = build.resolve(program);
        if only.is_some_and(|only| !same_file(only, &path)) {
            continue;
        }
        check_with(&path, entry).with_context(|| format!("agent {}", agent.name))?;
        checked += 1;
    }
    if checked == 0 {
        anyhow::bail!(
            "{}: no bdi agent{} to check",
            config.display(),
            only.map_or(String::new(), |p| format!(" runs {}", p.display()))
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn read(file: &Path) -> anyhow::Result<(String, String)> {
    let source =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok((source, file.display().to_string()))
}
