//! Prints Agora's single-thread `VecEnv` throughput as one JSON line, the
//! metric of `bench/envs/peers.py`: random-action env transitions per second
//! (autoreset-only slots not counted).
//!
//! ```text
//! cargo run --release -p agora-agents --example vec_env_throughput -- \
//!     --env CartPole-v1 --num-envs 64 [--seconds 2] [--param key=value]...
//! ```
//!
//! Actions are drawn ahead of time (a pool of 256 batches, cycled) so that
//! only stepping is timed, as in the peer script.

use std::process::ExitCode;
use std::time::Instant;

use agora_agents::{ActionBatch, AutoresetMode, Batch, Params, Rng, make_vec};

struct Args {
    env: String,
    num_envs: usize,
    seconds: f64,
    params: Params,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        env: "CartPole-v1".into(),
        num_envs: 64,
        seconds: 2.0,
        params: Params::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--env" => args.env = value()?,
            "--num-envs" => {
                args.num_envs = value()?.parse().map_err(|e| format!("--num-envs: {e}"))?
            }
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--param" => args.params.set_pair(&value()?).map_err(|e| e.to_string())?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let n = args.num_envs;
    let mut venv = match make_vec(
        &args.env,
        &args.params,
        0..n as u64,
        AutoresetMode::NextStep,
    ) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let Some(num_actions) = venv.action_space().n() else {
        eprintln!("error: {} has no discrete action space", args.env);
        return ExitCode::from(2);
    };
    let mut batch = Batch::new(n, venv.obs_dim());
    let mut rng = Rng::seed_from_u64(12345);
    const POOL: usize = 256;
    let pool: Vec<i64> = (0..POOL * n)
        .map(|_| rng.below(num_actions) as i64)
        .collect();
    if let Err(e) = venv.reset(Some(0), batch.view_mut()) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }

    // Warm-up, then timed batches; the clock is read every 64 batches.
    let mut k = 0;
    let mut run =
        |batches: usize, venv: &mut Box<dyn agora_agents::VectorEnv>, batch: &mut Batch| {
            let mut transitions = 0u64;
            for _ in 0..batches {
                let actions = &pool[k * n..(k + 1) * n];
                k = (k + 1) % POOL;
                match venv.step(ActionBatch::Discrete(actions), batch.view_mut()) {
                    Ok(t) => transitions += t as u64,
                    Err(e) => {
                        eprintln!("error: {e}");
                        std::process::exit(1);
                    }
                }
            }
            transitions
        };
    run(1000.max(100_000 / n), &mut venv, &mut batch);
    let start = Instant::now();
    let (mut transitions, mut slots) = (0u64, 0u64);
    while start.elapsed().as_secs_f64() < args.seconds {
        transitions += run(64, &mut venv, &mut batch);
        slots += 64 * n as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"impl\":\"agora_vecenv\",\"env\":\"{}\",\"num_envs\":{},\"seconds\":{:.3},\"transitions\":{},\"slots\":{},\"transitions_per_s\":{:.1}}}",
        args.env,
        n,
        secs,
        transitions,
        slots,
        transitions as f64 / secs
    );
    ExitCode::SUCCESS
}
