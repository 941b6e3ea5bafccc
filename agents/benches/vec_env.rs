//! Criterion benchmark of batch stepping on one thread, random actions drawn
//! ahead of time, at 1, 8, 64 and 256 envs:
//!
//! - `CartPole-v1`: what `make_vec` returns (the struct-of-arrays
//!   `CartPoleVecEnv`);
//! - `CartPole-v1 generic`: `VecEnv<TimeLimit<CartPole>>`, the generic path
//!   every other env takes;
//! - `FrozenLake-v1`: `make_vec` (generic `VecEnv`, 4x4 slippery).
//!
//! Throughput is in env slots per second (autoreset slots included);
//! `examples/vec_env_throughput.rs` reports transitions for the
//! side-by-side comparison with the Python peers (`bench/envs/`).

use std::hint::black_box;

use agora_agents::env::cartpole::CartPole;
use agora_agents::wrappers::TimeLimit;
use agora_agents::{ActionBatch, AutoresetMode, Batch, Params, Rng, VecEnv, VectorEnv, make_vec};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const POOL: usize = 1024;

/// Pre-drawn random actions, cycled through so drawing is not measured.
fn action_pool(n: usize, num_actions: u64) -> Vec<i64> {
    let mut rng = Rng::seed_from_u64(7);
    (0..n * POOL)
        .map(|_| rng.below(num_actions) as i64)
        .collect()
}

fn bench_batches(c: &mut Criterion, name: &str, build: impl Fn(usize) -> Box<dyn VectorEnv>) {
    let mut group = c.benchmark_group(name);
    for n in [1usize, 8, 64, 256] {
        let mut venv = build(n);
        let mut batch = Batch::new(n, venv.obs_dim());
        venv.reset(Some(0), batch.view_mut()).expect("reset");
        let num_actions = venv.action_space().n().expect("discrete actions");
        let pool = action_pool(n, num_actions);
        let mut k = 0;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                let actions = &pool[k * n..(k + 1) * n];
                k = (k + 1) % POOL;
                black_box(
                    venv.step(ActionBatch::Discrete(actions), batch.view_mut())
                        .expect("step"),
                )
            })
        });
    }
    group.finish();
}

fn vec_env(c: &mut Criterion) {
    let registry = |id: &'static str| {
        move |n: usize| {
            make_vec(id, &Params::new(), 0..n as u64, AutoresetMode::NextStep).expect("make_vec")
        }
    };
    bench_batches(c, "CartPole-v1", registry("CartPole-v1"));
    bench_batches(c, "CartPole-v1 generic", |n| {
        let proto = TimeLimit::new(CartPole::default(), 500);
        Box::new(
            VecEnv::from_prototype(proto, 0..n as u64, AutoresetMode::NextStep).expect("VecEnv"),
        )
    });
    bench_batches(c, "FrozenLake-v1", registry("FrozenLake-v1"));
}

criterion_group!(benches, vec_env);
criterion_main!(benches);
