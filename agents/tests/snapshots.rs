//! Env snapshots: a batch restored from a snapshot continues exactly as the
//! batch it was taken from, for every registered env, and bad snapshots are
//! refused without changing the batch.

use agora_agents::{ActionBatch, AutoresetMode, Batch, Params, Rng, VecEnvSnapshot, make_vec};

/// Steps `env` `steps` times with random valid actions drawn from `rng`.
fn run(env: &mut dyn agora_agents::VectorEnv, batch: &mut Batch, rng: &mut Rng, steps: usize) {
    let n = env.num_envs();
    let k = env.action_space().n().unwrap();
    for _ in 0..steps {
        let a: Vec<i64> = (0..n).map(|_| rng.below(k) as i64).collect();
        env.step(ActionBatch::Discrete(&a), batch.view_mut())
            .unwrap();
    }
}

#[test]
fn every_env_resumes_bit_for_bit_from_a_snapshot() {
    for id in [
        "CartPole-v1",
        "MountainCar-v0",
        "Acrobot-v1",
        "FrozenLake-v1",
        "Taxi-v4",
        "CliffWalking-v1",
    ] {
        for mode in [AutoresetMode::NextStep, AutoresetMode::SameStep] {
            let mut a = make_vec(id, &Params::new(), 3..8, mode).unwrap();
            let mut ba = Batch::new(5, a.obs_dim());
            a.reset(Some(11), ba.view_mut()).unwrap();
            let mut rng = Rng::seed_from_u64(1);
            run(a.as_mut(), &mut ba, &mut rng, 137);
            let bytes = a.snapshot().unwrap().to_bytes().unwrap();
            let rng_at_snapshot = rng.clone();
            run(a.as_mut(), &mut ba, &mut rng, 300);

            let mut b = make_vec(id, &Params::new(), 3..8, mode).unwrap();
            b.restore(&VecEnvSnapshot::from_bytes(&bytes).unwrap())
                .unwrap();
            let mut bb = Batch::new(5, b.obs_dim());
            let mut rng = rng_at_snapshot;
            run(b.as_mut(), &mut bb, &mut rng, 300);
            assert_eq!(ba, bb, "{id} {mode:?}");
        }
    }
}

#[test]
fn cartpole_batch_and_generic_vec_env_share_snapshots() {
    use agora_agents::VecEnv;
    use agora_agents::env::cartpole::CartPole;
    use agora_agents::wrappers::TimeLimit;
    let mut soa = make_vec("CartPole-v1", &Params::new(), 0..4, AutoresetMode::NextStep).unwrap();
    let mut b1 = Batch::new(4, 4);
    soa.reset(Some(3), b1.view_mut()).unwrap();
    let mut rng = Rng::seed_from_u64(2);
    run(soa.as_mut(), &mut b1, &mut rng, 40);
    let snap = soa.snapshot().unwrap();
    let mut generic = VecEnv::from_prototype(
        TimeLimit::new(CartPole::default(), 500),
        0..4,
        AutoresetMode::NextStep,
    )
    .unwrap();
    generic.restore(&snap).unwrap();
    assert_eq!(generic.snapshot().unwrap(), snap);
}

#[test]
fn snapshots_of_another_batch_or_corrupt_bytes_are_refused() {
    let mut a = make_vec(
        "FrozenLake-v1",
        &Params::new(),
        0..2,
        AutoresetMode::NextStep,
    )
    .unwrap();
    let mut b = Batch::new(2, 1);
    a.reset(Some(0), b.view_mut()).unwrap();
    let snap = a.snapshot().unwrap();
    let mut other = make_vec(
        "FrozenLake-v1",
        &Params::new(),
        0..3,
        AutoresetMode::NextStep,
    )
    .unwrap();
    let e = other.restore(&snap).unwrap_err();
    assert!(e.to_string().contains("`envs` length"), "{e}");
    let mut taxi = make_vec("Taxi-v4", &Params::new(), 0..2, AutoresetMode::NextStep).unwrap();
    assert!(taxi.restore(&snap).unwrap_err().to_string().contains("id"));
    let mut same_step = make_vec(
        "FrozenLake-v1",
        &Params::new(),
        0..2,
        AutoresetMode::SameStep,
    )
    .unwrap();
    assert!(same_step.restore(&snap).is_err());

    // An out-of-range state in the second env leaves the batch unchanged.
    let before = a.snapshot().unwrap();
    let mut bad = snap.clone();
    bad.envs[1].values[0] = 99.0;
    let e = a.restore(&bad).unwrap_err();
    assert!(e.to_string().contains("state 99"), "{e}");
    assert_eq!(a.snapshot().unwrap(), before);

    let bytes = snap.to_bytes().unwrap();
    for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            VecEnvSnapshot::from_bytes(&bytes[..cut]).is_err(),
            "cut {cut}"
        );
    }
}
