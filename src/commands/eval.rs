//! `agora eval RUN[:best|:SEQ]`: play a saved policy greedily.

use std::process::ExitCode;

use agora_agents::{ActionBatch, AutoresetMode, Batch, make_vec};
use agora_runtime::learn::LearnerSpec;
use agora_runtime::store::CheckpointSelector;
use anyhow::{Context, bail};

use crate::cli::GlobalOptions;

/// Reads `RUN`, `RUN:best` (any tag) or `RUN:SEQ`.
pub fn parse_checkpoint_ref(text: &str) -> anyhow::Result<(String, CheckpointSelector)> {
    let (run, which) = match text.split_once(':') {
        None => (text, CheckpointSelector::Latest),
        Some((run, which)) if which.chars().all(|c| c.is_ascii_digit()) && !which.is_empty() => (
            run,
            CheckpointSelector::Sequence(which.parse().context("checkpoint number")?),
        ),
        Some((run, tag)) if !tag.is_empty() => (run, CheckpointSelector::Tag(tag.to_string())),
        Some(_) => bail!("`{text}`: expected RUN, RUN:best or RUN:SEQ"),
    };
    if run.is_empty() {
        bail!("`{text}`: the run id is missing");
    }
    Ok((run.to_string(), which))
}

pub fn run(
    global: &GlobalOptions,
    reference: &str,
    episodes: u64,
    seed: u64,
    render: bool,
    env: Option<&str>,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(episodes > 0, "--episodes must be at least 1");
    let (wanted, which) = parse_checkpoint_ref(reference)?;
    let found = crate::commands::runs::locator(global).find(&wanted)?;
    let record = found.record();
    let evaluation = found.evaluate(&which, env, episodes, seed)?;
    if render {
        let loaded = found.learner_checkpoint(&which)?;
        let mut spec = loaded.spec.clone();
        if let Some(env) = env {
            spec.env_id = env.to_string();
        }
        let mut trainer = found.restored_trainer(&spec, &loaded)?;
        show_first_episode(trainer.as_mut(), &spec, seed)?;
    }
    let (checkpoint, summary) = (&evaluation.checkpoint, &evaluation.summary);
    if global.json {
        println!(
            "{}",
            serde_json::json!({"run": record.id, "checkpoint": checkpoint, "env": evaluation.env, "summary": summary})
        );
    } else {
        println!(
            "{} checkpoint #{}{} on {}: {} episodes, mean return {:.3}, min {:.3}, max {:.3}, success {:.3}",
            record.id,
            checkpoint.sequence,
            checkpoint
                .tag
                .as_deref()
                .map(|t| format!(" [{t}]"))
                .unwrap_or_default(),
            evaluation.env,
            summary.episodes,
            summary.mean_return,
            summary.min_return,
            summary.max_return,
            summary.success_rate
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Plays one greedy episode on one env and prints every step.
fn show_first_episode(
    trainer: &mut dyn agora_agents::learners::Trainer,
    spec: &LearnerSpec,
    seed: u64,
) -> anyhow::Result<()> {
    let mut env = make_vec(&spec.env_id, &spec.params, 0..1, AutoresetMode::SameStep)?;
    let mut batch = Batch::new(1, env.obs_dim());
    env.reset(Some(seed), batch.view_mut())?;
    let mut step = 0u32;
    loop {
        match env.render_text(0) {
            Some(board) => println!("step {step}\n{board}"),
            None => println!("step {step}: obs {:?}", batch.obs),
        }
        let mut obs = batch.obs.clone();
        obs.truncate(env.obs_dim());
        let action = trainer.act_greedy(&obs)?;
        env.step(ActionBatch::Discrete(&action[..1]), batch.view_mut())?;
        step += 1;
        println!("action {} reward {}", action[0], batch.rewards[0]);
        if batch.terminated[0] || batch.truncated[0] {
            println!(
                "episode over after {step} steps, return {}",
                batch.episode_return[0]
            );
            return Ok(());
        }
    }
}
