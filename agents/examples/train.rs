//! Trains one learner on one env and prints one JSON line of results: the
//! benchmark runner of `bench/rl/run.sh` (Agora's side of the comparison
//! with Stable-Baselines3 and a plain Python Q-learning loop).
//!
//! ```text
//! cargo run --release -p agora-agents --example train -- \
//!     --algo dqn|ppo|q_learning|sarsa [--seed N] [--config FILE.toml] \
//!     [--label NAME] [--t0 UNIX_SECONDS] [--eval-episodes N]
//! ```
//!
//! `--config` is a TOML file with the algorithm's section (`[dqn]`,
//! `[ppo]`, `[q_learning]`) and an optional `[env]` table (`id`,
//! `num_envs`, `params`). CartPole runs stop when the mean return of the
//! last 20 training episodes first reaches 475 (or at the configured
//! length); the line then holds the wall time from `--t0` (the launcher's
//! clock before it started this process; default: this process's start)
//! and the env steps at that moment, and the overall steps/s. Tabular runs
//! train to the end and report episodes/s and the greedy success rate over
//! `--eval-episodes` (default 1,000) episodes.

use std::collections::VecDeque;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use agora_agents::learners::eval::evaluate;
use agora_agents::learners::{Algorithm, EnvBatchSpec, build_trainer};
use agora_agents::{AutoresetMode, Batch, Params, make_vec};

fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started_unix = now_unix();
    let mut args = std::env::args().skip(1);
    let (mut algo, mut seed, mut config, mut label, mut t0, mut eval_episodes) = (
        String::from("dqn"),
        1u64,
        None::<String>,
        None::<String>,
        None::<f64>,
        1000u64,
    );
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--algo" => algo = value()?,
            "--seed" => seed = value()?.parse()?,
            "--config" => config = Some(value()?),
            "--label" => label = Some(value()?),
            "--t0" => t0 = Some(value()?.parse()?),
            "--eval-episodes" => eval_episodes = value()?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let t0 = t0.unwrap_or(started_unix);
    let algorithm: Algorithm = serde_json::from_value(serde_json::Value::String(algo.clone()))
        .map_err(|_| format!("unknown algorithm {algo}"))?;
    let table: toml::Table = match &config {
        Some(path) => toml::from_str(&std::fs::read_to_string(path)?)?,
        None => toml::Table::new(),
    };
    let section = table
        .get(algorithm.name())
        .cloned()
        .unwrap_or(toml::Value::Table(toml::Table::new()));
    let env_table = table
        .get("env")
        .and_then(|v| v.as_table())
        .cloned()
        .unwrap_or_default();
    let tabular = matches!(algorithm, Algorithm::QLearning | Algorithm::Sarsa);
    let default_id = if tabular {
        "FrozenLake-v1"
    } else {
        "CartPole-v1"
    };
    let env_id = env_table
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or(default_id)
        .to_string();
    let default_envs = if algorithm == Algorithm::Ppo { 4 } else { 1 };
    let num_envs = env_table
        .get("num_envs")
        .and_then(|v| v.as_integer())
        .unwrap_or(default_envs) as u64;
    let mut params = Params::new();
    if let Some(p) = env_table.get("params").and_then(|v| v.as_table()) {
        for (k, v) in p {
            let text = match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            params = params.with(k, text.as_str());
        }
    }

    let mut env = make_vec(&env_id, &params, 0..num_envs, AutoresetMode::SameStep)?;
    let spec = EnvBatchSpec::of(env.as_ref(), params.clone());
    let mut trainer = build_trainer(algorithm, section, &spec, seed)?;
    let mut batch = Batch::new(num_envs as usize, env.obs_dim());
    let train_start = Instant::now();
    trainer.start(env.as_mut(), &mut batch)?;

    let mut window: VecDeque<f64> = VecDeque::with_capacity(20);
    let mut solved: Option<(f64, u64)> = None;
    while !trainer.is_done() {
        let out = trainer.step(env.as_mut(), &mut batch)?;
        if tabular {
            continue;
        }
        for ep in &out.episodes {
            if window.len() == 20 {
                window.pop_front();
            }
            window.push_back(ep.episode_return);
            if solved.is_none() && window.len() == 20 && window.iter().sum::<f64>() / 20.0 >= 475.0
            {
                solved = Some((now_unix() - t0, trainer.metrics().env_steps));
            }
        }
        if solved.is_some() {
            break;
        }
    }
    let train_secs = train_start.elapsed().as_secs_f64();
    let m = trainer.metrics().clone();
    let mut line = serde_json::json!({
        "impl": "agora",
        "algo": algorithm.name(),
        "label": label.unwrap_or_else(|| "default".into()),
        "env": env_id,
        "num_envs": num_envs,
        "seed": seed,
        "env_steps": m.env_steps,
        "episodes": m.episodes,
        "train_secs": train_secs,
        "sps": m.env_steps as f64 / train_secs,
        "startup_secs": started_unix - t0,
    });
    if tabular {
        let mut eval_env = make_vec(&env_id, &params, 0..1, AutoresetMode::NextStep)?;
        let s = evaluate(
            trainer.as_mut(),
            eval_env.as_mut(),
            eval_episodes,
            seed + 1_000_000,
        )?;
        line["episodes_per_sec"] = (m.episodes as f64 / train_secs).into();
        line["greedy_success"] = s.success_rate.into();
        line["eval_episodes"] = eval_episodes.into();
    } else {
        line["solved"] = solved.is_some().into();
        line["wall_to_475"] = solved.map(|s| s.0).into();
        line["steps_to_475"] = solved.map(|s| s.1).into();
    }
    println!("{line}");
    Ok(())
}
