//! `agora env list|trace|bench`.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

use agora_agents::{AutoresetMode, Batch, Params, RandomActions, TraceSession, make_vec};
use agora_runtime::env::ShardedVecEnv;
use anyhow::Context;

use crate::cli::{EnvCommand, GlobalOptions};

pub fn run(global: &GlobalOptions, command: &EnvCommand) -> anyhow::Result<ExitCode> {
    match command {
        EnvCommand::List => {
            let ids = agora_agents::registry::ids();
            if global.json {
                println!("{}", serde_json::to_string(&ids)?);
            } else {
                for id in ids {
                    println!("{id}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        EnvCommand::Trace { env, params } => trace(env, &parse_params(params)?),
        EnvCommand::Bench {
            env,
            num_envs,
            shards,
            steps,
            params,
        } => bench(
            global,
            env,
            &parse_params(params)?,
            *num_envs,
            *shards,
            *steps,
        ),
    }
}

fn parse_params(pairs: &[String]) -> anyhow::Result<Params> {
    let mut params = Params::new();
    for pair in pairs {
        params
            .set_pair(pair)
            .with_context(|| format!("--param {pair}"))?;
    }
    Ok(params)
}

/// One JSON answer per JSON line on stdin; a bad line gets an error answer.
fn trace(env: &str, params: &Params) -> anyhow::Result<ExitCode> {
    let mut session = TraceSession::new(env, params)?;
    let stdin = std::io::stdin();
    if std::io::IsTerminal::is_terminal(&stdin) {
        // Otherwise a user who typed the command sees nothing and waits.
        eprintln!(
            "agora env trace {env}: reading one JSON request per line, e.g. {{\"reset\": {{\"seed\": 0}}}} (Ctrl-D ends)"
        );
    }
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.context("reading stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        writeln!(stdout, "{}", session.handle_line(&line))?;
        stdout.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

fn bench(
    global: &GlobalOptions,
    env: &str,
    params: &Params,
    num_envs: usize,
    shards: Option<usize>,
    steps: u64,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(num_envs > 0, "--num-envs must be at least 1");
    anyhow::ensure!(steps > 0, "--steps must be at least 1");
    let shards = shards.unwrap_or_else(|| {
        ShardedVecEnv::auto_shards(env, params, num_envs, AutoresetMode::NextStep)
    });

    // One thread, no actors: the VecEnv alone.
    let mut inline = make_vec(env, params, 0..num_envs as u64, AutoresetMode::NextStep)?;
    let mut batch = Batch::new(num_envs, inline.obs_dim());
    let mut actions = RandomActions::new(inline.action_space(), num_envs);
    inline.reset(Some(0), batch.view_mut())?;
    let started = Instant::now();
    let mut inline_transitions = 0u64;
    for _ in 0..steps {
        inline_transitions += inline.step(actions.next_batch(), batch.view_mut())? as u64;
    }
    let inline_rate = inline_transitions as f64 / started.elapsed().as_secs_f64();

    // Through the env actors: one thread per shard.
    let system = actix::System::new();
    let (actor_rate, overhead_us) = system.block_on(async {
        let mut envs =
            ShardedVecEnv::start(env, params, num_envs, shards, AutoresetMode::NextStep)?;
        let mut actions = RandomActions::new(envs.action_space(), num_envs);
        envs.reset(Some(0)).await?;
        let started = Instant::now();
        let mut transitions = 0u64;
        for _ in 0..steps {
            transitions += envs.step(actions.next_batch()).await? as u64;
        }
        let rate = transitions as f64 / started.elapsed().as_secs_f64();
        Ok::<_, anyhow::Error>((rate, envs.timing().overhead_us_per_batch()))
    })?;

    if global.json {
        println!(
            "{}",
            serde_json::json!({
                "env": env, "num_envs": num_envs, "shards": shards, "steps": steps,
                "inline_transitions_per_s": inline_rate,
                "actors_transitions_per_s": actor_rate,
                "actor_hop_overhead_us_per_batch": overhead_us,
            })
        );
    } else {
        println!("{env}: {num_envs} envs, {steps} batch steps, random actions");
        println!(
            "  VecEnv, one thread:        {:>12.0} transitions/s",
            inline_rate
        );
        println!(
            "  env actors, {shards} shard{}:     {:>12.0} transitions/s (actor hop {overhead_us:.1} µs per batch)",
            if shards == 1 { " " } else { "s" },
            actor_rate
        );
    }
    Ok(ExitCode::SUCCESS)
}
