//! Criterion benchmark of `VecEnv` stepping on one thread: CartPole-v1 and
//! FrozenLake-v1 (4x4, slippery) at 1, 8, 64 and 256 envs with random
//! actions drawn ahead of time. Throughput is in env slots per second
//! (autoreset slots included; `examples/vec_env_throughput.rs` reports
//! transitions for the side-by-side comparison with the Python peers).

use std::hint::black_box;

use agora_agents::env::cartpole::CartPole;
use agora_agents::env::frozen_lake::FrozenLake;
use agora_agents::wrappers::TimeLimit;
use agora_agents::{ActionBatch, AutoresetMode, Batch, Env, Params, Rng, VecEnv};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Pre-drawn random actions, cycled through so drawing is not measured.
fn action_pool(n: usize, num_actions: u64) -> Vec<i64> {
    let mut rng = Rng::seed_from_u64(7);
    (0..n * 1024)
        .map(|_| rng.below(num_actions) as i64)
        .collect()
}

fn bench_env<E: Env + Clone + 'static>(c: &mut Criterion, name: &str, proto: E, num_actions: u64) {
    let mut group = c.benchmark_group(name);
    for n in [1usize, 8, 64, 256] {
        let mut venv = VecEnv::from_prototype(proto.clone(), 0..n as u64, AutoresetMode::NextStep)
            .expect("benchmark VecEnv");
        let mut batch = Batch::new(n, venv.obs_dim());
        venv.reset(Some(0), batch.view_mut()).expect("reset");
        let pool = action_pool(n, num_actions);
        let mut k = 0;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                let actions = &pool[k * n..(k + 1) * n];
                k = (k + 1) % 1024;
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
    bench_env(
        c,
        "CartPole-v1",
        TimeLimit::new(CartPole::default(), 500),
        2,
    );
    let lake = FrozenLake::from_params(FrozenLake::ID, &Params::new()).expect("FrozenLake");
    bench_env(c, "FrozenLake-v1", TimeLimit::new(lake, 100), 4);
}

criterion_group!(benches, vec_env);
criterion_main!(benches);
