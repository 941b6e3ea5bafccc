//! The learners against real envs: they learn, resume bit for bit from any
//! checkpoint, warm-start, and refuse bad configs, unfit envs, corrupt
//! checkpoints and non-finite losses with errors that name the cause.

use agora_agents::learners::dqn::{DqnConfig, DqnTrainer};
use agora_agents::learners::eval::evaluate;
use agora_agents::learners::ppo::{PpoConfig, PpoTrainer};
use agora_agents::learners::q_table::{QTableConfig, QTableTrainer, UpdateRule};
use agora_agents::learners::{Algorithm, EnvBatchSpec, TrainError, Trainer, build_trainer};
use agora_agents::{AutoresetMode, Batch, Params, Space, VecEnvSnapshot, VectorEnv, make_vec};

fn env(id: &str, params: Params, n: u64, mode: AutoresetMode) -> Box<dyn VectorEnv> {
    make_vec(id, &params, 0..n, mode).unwrap()
}

fn small_dqn() -> DqnConfig {
    DqnConfig {
        total_timesteps: 400,
        learning_starts: 100,
        train_frequency: 4,
        target_network_frequency: 50,
        batch_size: 16,
        buffer_size: 150,
        hidden_sizes: vec![16, 16],
        ..DqnConfig::default()
    }
}

fn small_ppo() -> PpoConfig {
    PpoConfig {
        total_timesteps: 4 * 16 * 4,
        num_steps: 16,
        hidden_sizes: vec![16, 16],
        ..PpoConfig::default()
    }
}

/// Trains `make()`'s trainer for its whole run, once straight through and
/// once stopped after `stop_at` steps, checkpointed, rebuilt from scratch,
/// restored and continued; the two must end with identical checkpoints.
fn assert_bitwise_resume(
    make: &dyn Fn() -> Box<dyn Trainer>,
    env_of: &dyn Fn() -> Box<dyn VectorEnv>,
    stop_at: usize,
) {
    let run_to_end = |t: &mut dyn Trainer, e: &mut dyn VectorEnv, b: &mut Batch| {
        while !t.is_done() {
            t.step(e, b).unwrap();
        }
    };
    let (mut t1, mut e1) = (make(), env_of());
    let mut b1 = Batch::new(e1.num_envs(), e1.obs_dim());
    t1.start(e1.as_mut(), &mut b1).unwrap();
    run_to_end(t1.as_mut(), e1.as_mut(), &mut b1);
    let straight = t1.save_state(&[e1.snapshot().unwrap()]).unwrap();

    let (mut t2, mut e2) = (make(), env_of());
    let mut b2 = Batch::new(e2.num_envs(), e2.obs_dim());
    t2.start(e2.as_mut(), &mut b2).unwrap();
    for _ in 0..stop_at {
        t2.step(e2.as_mut(), &mut b2).unwrap();
    }
    let checkpoint = t2.save_state(&[e2.snapshot().unwrap()]).unwrap();
    drop((t2, e2));

    let (mut t3, mut e3) = (make(), env_of());
    let envs = t3.load_state(&checkpoint).unwrap();
    e3.restore(&envs[0]).unwrap();
    let mut b3 = Batch::new(e3.num_envs(), e3.obs_dim());
    run_to_end(t3.as_mut(), e3.as_mut(), &mut b3);
    let resumed = t3.save_state(&[e3.snapshot().unwrap()]).unwrap();
    assert_eq!(t1.metrics(), t3.metrics());
    assert!(
        straight == resumed,
        "resumed run differs from the straight run"
    );
}

#[test]
fn q_learning_solves_the_non_slippery_lake() {
    let mut e = env(
        "FrozenLake-v1",
        Params::new().with("is_slippery", false),
        4,
        AutoresetMode::SameStep,
    );
    let spec = EnvBatchSpec::of(e.as_ref(), Params::new());
    let cfg = QTableConfig {
        total_episodes: 3000,
        ..QTableConfig::default()
    };
    let mut t = QTableTrainer::new(cfg, spec, 1).unwrap();
    let mut b = Batch::new(4, 1);
    t.start(e.as_mut(), &mut b).unwrap();
    while !t.is_done() {
        t.step(e.as_mut(), &mut b).unwrap();
    }
    let mut eval_env = env(
        "FrozenLake-v1",
        Params::new().with("is_slippery", false),
        1,
        AutoresetMode::NextStep,
    );
    let s = evaluate(&mut t, eval_env.as_mut(), 20, 5).unwrap();
    assert_eq!(s.success_rate, 1.0, "{s:?}");
    assert_eq!(s.max_return, 1.0);
}

#[test]
fn sarsa_solves_the_non_slippery_lake_with_next_step_autoreset() {
    let mut e = env(
        "FrozenLake-v1",
        Params::new().with("is_slippery", false),
        2,
        AutoresetMode::NextStep,
    );
    let spec = EnvBatchSpec::of(e.as_ref(), Params::new());
    let cfg = QTableConfig {
        rule: UpdateRule::Sarsa,
        total_episodes: 3000,
        ..QTableConfig::default()
    };
    let mut t = QTableTrainer::new(cfg, spec, 2).unwrap();
    assert_eq!(t.algorithm(), Algorithm::Sarsa);
    let mut b = Batch::new(2, 1);
    t.start(e.as_mut(), &mut b).unwrap();
    while !t.is_done() {
        t.step(e.as_mut(), &mut b).unwrap();
    }
    let s = evaluate(&mut t, e.as_mut(), 10, 9).unwrap();
    assert_eq!(s.success_rate, 1.0, "{s:?}");
}

#[test]
fn q_table_resumes_bitwise() {
    let env_of = || env("FrozenLake-v1", Params::new(), 3, AutoresetMode::NextStep);
    let make = || -> Box<dyn Trainer> {
        let e = env_of();
        let cfg = QTableConfig {
            total_episodes: 300,
            ..QTableConfig::default()
        };
        Box::new(QTableTrainer::new(cfg, EnvBatchSpec::of(e.as_ref(), Params::new()), 4).unwrap())
    };
    assert_bitwise_resume(&make, &env_of, 777);
}

#[test]
fn dqn_resumes_bitwise_with_replay_buffer_and_target_network() {
    let env_of = || env("CartPole-v1", Params::new(), 2, AutoresetMode::SameStep);
    let make = || -> Box<dyn Trainer> {
        let e = env_of();
        Box::new(
            DqnTrainer::new(small_dqn(), EnvBatchSpec::of(e.as_ref(), Params::new()), 5).unwrap(),
        )
    };
    // Stop after learning started, between a train step and a target update.
    assert_bitwise_resume(&make, &env_of, 163);
}

#[test]
fn a_dqn_policy_checkpoint_leaves_the_replay_buffer_out_and_plays_the_same() {
    let spec_env = env("CartPole-v1", Params::new(), 1, AutoresetMode::SameStep);
    let spec = EnvBatchSpec::of(spec_env.as_ref(), Params::new());
    // A full buffer of 2,000 transitions: most of the whole checkpoint.
    let config = DqnConfig {
        total_timesteps: 2_000,
        buffer_size: 2_000,
        ..small_dqn()
    };
    let mut trained = DqnTrainer::new(config.clone(), spec.clone(), 7).unwrap();
    let mut e = env("CartPole-v1", Params::new(), 1, AutoresetMode::SameStep);
    let mut b = Batch::new(e.num_envs(), e.obs_dim());
    trained.start(e.as_mut(), &mut b).unwrap();
    while !trained.is_done() {
        trained.step(e.as_mut(), &mut b).unwrap();
    }
    let snapshot = [e.snapshot().unwrap()];
    let whole = trained.save_state(&snapshot).unwrap();
    let policy = trained.save_policy_state(&snapshot).unwrap();
    assert!(
        policy.len() * 4 < whole.len(),
        "policy {} bytes vs whole {} bytes",
        policy.len(),
        whole.len()
    );
    // It loads like any checkpoint, and plays exactly as the trained one.
    let mut player = DqnTrainer::new(config, spec, 8).unwrap();
    player.load_state(&policy).unwrap();
    assert_eq!(player.weights().unwrap(), trained.weights().unwrap());
    assert_eq!(player.replay().len(), 0);
    let play = |t: &mut DqnTrainer| {
        let mut e = env("CartPole-v1", Params::new(), 1, AutoresetMode::SameStep);
        evaluate(t, e.as_mut(), 3, 11).unwrap()
    };
    assert_eq!(play(&mut player), play(&mut trained));
}

#[test]
fn ppo_resumes_bitwise_mid_rollout() {
    // A short time limit, so that cut episodes are bootstrapped on the way.
    let env_of = || {
        env(
            "CartPole-v1",
            Params::new().with("max_episode_steps", 20),
            4,
            AutoresetMode::SameStep,
        )
    };
    let make = || -> Box<dyn Trainer> {
        let e = env_of();
        Box::new(
            PpoTrainer::new(small_ppo(), EnvBatchSpec::of(e.as_ref(), Params::new()), 6).unwrap(),
        )
    };
    assert_bitwise_resume(&make, &env_of, 16 + 5);
}

#[test]
fn dqn_and_ppo_report_training_metrics() {
    let mut e = env("CartPole-v1", Params::new(), 4, AutoresetMode::SameStep);
    let spec = EnvBatchSpec::of(e.as_ref(), Params::new());
    let mut b = Batch::new(4, 4);
    let mut ppo = PpoTrainer::new(small_ppo(), spec.clone(), 1).unwrap();
    ppo.start(e.as_mut(), &mut b).unwrap();
    let mut updates = 0;
    while !ppo.is_done() {
        updates += ppo.step(e.as_mut(), &mut b).unwrap().updates;
    }
    // 4 rollouts x 4 epochs x 4 minibatches.
    assert_eq!(updates, 64);
    let m = ppo.metrics();
    assert_eq!(m.env_steps, 256);
    assert!(m.approx_kl.is_some() && m.entropy.unwrap() > 0.0 && m.grad_norm.is_some());
    // Annealed: the last rollout used 1/4 of the initial rate.
    assert!(
        (m.learning_rate.unwrap() - 2.5e-4 / 4.0).abs() < 1e-12,
        "{m:?}"
    );

    let mut dqn = DqnTrainer::new(small_dqn(), spec, 1).unwrap();
    dqn.start(e.as_mut(), &mut b).unwrap();
    while !dqn.is_done() {
        dqn.step(e.as_mut(), &mut b).unwrap();
    }
    let m = dqn.metrics();
    // Steps 101..400 that are multiples of 4: 104, 108, ..., 396.
    assert_eq!(m.updates, 74);
    assert!(m.td_loss.unwrap().is_finite() && m.q_mean.is_some());
    assert!(m.epsilon.unwrap() < 1.0 && m.epsilon.unwrap() >= 0.05);
    let greedy = dqn.act_greedy(&b.obs).unwrap();
    assert_eq!(greedy.len(), 4);
    assert!(greedy.iter().all(|a| (0..2).contains(a)));
}

#[test]
fn configs_come_from_toml_sections_with_defaults_and_named_errors() {
    let e = env("CartPole-v1", Params::new(), 4, AutoresetMode::SameStep);
    let spec = EnvBatchSpec::of(e.as_ref(), Params::new());
    let section: toml::Value = toml::from_str("learning_rate = 1e-3\nhidden_sizes = [32]").unwrap();
    let t = build_trainer(Algorithm::Ppo, section, &spec, 0).unwrap();
    assert_eq!(t.algorithm(), Algorithm::Ppo);

    let bad = |alg: Algorithm, text: &str| -> String {
        let v: toml::Value = toml::from_str(text).unwrap();
        match build_trainer(alg, v, &spec, 0) {
            Ok(_) => panic!("{text} was accepted"),
            Err(e) => e.to_string(),
        }
    };
    assert!(bad(Algorithm::Dqn, "learning_rate = -0.1").contains("`learning_rate`"));
    let e = bad(Algorithm::Dqn, "batch_size = 256\nbuffer_size = 100");
    assert!(
        e.contains("`buffer_size`") && e.contains("batch_size = 256"),
        "{e}"
    );
    assert!(bad(Algorithm::Ppo, "lerning_rate = 0.1").contains("lerning_rate"));
    assert!(bad(Algorithm::Ppo, "num_minibatches = 0").contains("`num_minibatches`"));
    assert!(bad(Algorithm::Ppo, "clip_coef = -1.0").contains("`clip_coef`"));
    assert!(bad(Algorithm::Dqn, "threads = 0").contains("`threads`"));
    assert!(bad(Algorithm::Dqn, "device = \"tpu\"").contains("tpu"));
    assert!(bad(Algorithm::QLearning, "gamma = 1.5").contains("`gamma`"));
    #[cfg(not(feature = "cuda"))]
    assert!(bad(Algorithm::Dqn, "device = \"cuda\"").contains("`cuda` feature"));
}

#[test]
fn envs_that_do_not_fit_the_algorithm_are_refused() {
    let cart = env("CartPole-v1", Params::new(), 1, AutoresetMode::SameStep);
    let spec = EnvBatchSpec::of(cart.as_ref(), Params::new());
    let e = QTableTrainer::new(QTableConfig::default(), spec.clone(), 0).unwrap_err();
    assert!(e.to_string().contains("needs Discrete observations"), "{e}");

    let mut boxed = spec.clone();
    boxed.action_space = Space::Box {
        low: vec![-1.0],
        high: vec![1.0],
    };
    let e = DqnTrainer::new(DqnConfig::default(), boxed.clone(), 0).unwrap_err();
    assert!(matches!(e, TrainError::UnsupportedEnv { .. }));
    assert!(
        e.to_string()
            .contains("Discrete action space, the env has Box"),
        "{e}"
    );
    assert!(PpoTrainer::new(PpoConfig::default(), boxed, 0).is_err());

    let mut next_step = spec;
    next_step.autoreset = AutoresetMode::NextStep;
    let e = PpoTrainer::new(PpoConfig::default(), next_step, 0).unwrap_err();
    assert!(e.to_string().contains("SameStep"), "{e}");
}

#[test]
fn corrupt_checkpoints_are_errors_never_panics() {
    let mut e = env("CartPole-v1", Params::new(), 2, AutoresetMode::SameStep);
    let spec = EnvBatchSpec::of(e.as_ref(), Params::new());
    let mut t = DqnTrainer::new(small_dqn(), spec.clone(), 3).unwrap();
    let mut b = Batch::new(2, 4);
    t.start(e.as_mut(), &mut b).unwrap();
    for _ in 0..150 {
        t.step(e.as_mut(), &mut b).unwrap();
    }
    let good = t.save_state(&[e.snapshot().unwrap()]).unwrap();
    let mut fresh = DqnTrainer::new(small_dqn(), spec, 3).unwrap();
    let mut rng = agora_agents::Rng::seed_from_u64(0);
    for k in 0..300 {
        let mut bad = good.clone();
        if k % 2 == 0 {
            bad.truncate(rng.below(good.len() as u64) as usize);
        } else {
            for _ in 0..4 {
                let i = rng.below(good.len() as u64) as usize;
                bad[i] ^= 1 << rng.below(8);
            }
        }
        // Flipped bits inside float data decode fine; everything else must
        // be an error, and nothing may panic.
        if let Err(err) = fresh.load_state(&bad) {
            let msg = err.to_string();
            assert!(
                msg.contains("checkpoint") || msg.contains("tensor") || msg.contains("state"),
                "{msg}"
            );
        }
    }
    let e = fresh.load_state(b"not a checkpoint").unwrap_err();
    assert_eq!(
        e.to_string(),
        "corrupt checkpoint: cannot decode header: not an Agora checkpoint (bad magic)"
    );
}

#[test]
fn checkpoints_of_another_env_or_algorithm_are_refused() {
    let cart = env("CartPole-v1", Params::new(), 4, AutoresetMode::SameStep);
    let ppo = PpoTrainer::new(
        small_ppo(),
        EnvBatchSpec::of(cart.as_ref(), Params::new()),
        0,
    )
    .unwrap();
    let bytes = ppo.save_state(&[]).unwrap();
    let mut dqn = DqnTrainer::new(
        small_dqn(),
        EnvBatchSpec::of(cart.as_ref(), Params::new()),
        0,
    )
    .unwrap();
    let e = dqn.load_state(&bytes).unwrap_err();
    assert!(e.to_string().contains("written by ppo"), "{e}");
    let acro = env("Acrobot-v1", Params::new(), 4, AutoresetMode::SameStep);
    let mut other = PpoTrainer::new(
        small_ppo(),
        EnvBatchSpec::of(acro.as_ref(), Params::new()),
        0,
    )
    .unwrap();
    let e = other.warm_start(&bytes).unwrap_err();
    assert!(e.to_string().contains("`CartPole-v1`"), "{e}");
}

#[test]
fn warm_start_loads_matching_weights_and_names_a_mismatched_tensor() {
    let cart = env("CartPole-v1", Params::new(), 1, AutoresetMode::SameStep);
    let spec = EnvBatchSpec::of(cart.as_ref(), Params::new());
    let a = DqnTrainer::new(small_dqn(), spec.clone(), 1).unwrap();
    let bytes = a.save_state(&[]).unwrap();
    let mut b = DqnTrainer::new(small_dqn(), spec.clone(), 2).unwrap();
    assert_ne!(a.weights().unwrap(), b.weights().unwrap());
    b.warm_start(&bytes).unwrap();
    assert_eq!(a.weights().unwrap(), b.weights().unwrap());
    assert_eq!(b.metrics().iterations, 0, "counters start fresh");

    let wide = DqnConfig {
        hidden_sizes: vec![32, 16],
        ..small_dqn()
    };
    let mut c = DqnTrainer::new(wide, spec, 3).unwrap();
    let e = c.warm_start(&bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "tensor `q_network.0.weight` has shape [16, 4] in the checkpoint but [32, 4] in the network"
    );
}

#[test]
fn a_nan_loss_stops_the_step_with_an_error() {
    let e = env("CartPole-v1", Params::new(), 1, AutoresetMode::SameStep);
    let spec = EnvBatchSpec::of(e.as_ref(), Params::new());
    let cfg = DqnConfig {
        learning_starts: 2,
        train_frequency: 1,
        batch_size: 2,
        ..small_dqn()
    };
    let mut t = DqnTrainer::new(cfg, spec, 0).unwrap();
    let mut b = Batch::new(1, 4);
    t.begin(&b).unwrap();
    b.rewards[0] = f32::NAN;
    let mut result = Ok(Default::default());
    for _ in 0..5 {
        t.act().unwrap();
        result = t.observe(&b);
        if result.is_err() {
            break;
        }
    }
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::NonFinite {
                what: "TD loss",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("non-finite TD loss"), "{err}");
}

#[test]
fn a_non_finite_reward_stops_tabular_learning_with_an_error() {
    let e = env("FrozenLake-v1", Params::new(), 1, AutoresetMode::SameStep);
    let spec = EnvBatchSpec::of(e.as_ref(), Params::new());
    let mut t = QTableTrainer::new(QTableConfig::default(), spec, 0).unwrap();
    let mut b = Batch::new(1, 1);
    t.begin(&b).unwrap();
    t.act().unwrap();
    b.rewards[0] = f32::INFINITY;
    let err = t.observe(&b).unwrap_err();
    assert!(err.to_string().contains("non-finite Q-value"), "{err}");
    assert!(
        t.q_table().iter().all(|q| *q == 0.0),
        "the update was not applied"
    );
}

#[test]
fn env_snapshots_travel_inside_the_checkpoint() {
    let mut e = env("FrozenLake-v1", Params::new(), 2, AutoresetMode::SameStep);
    let spec = EnvBatchSpec::of(e.as_ref(), Params::new());
    let mut t = QTableTrainer::new(QTableConfig::default(), spec, 0).unwrap();
    let mut b = Batch::new(2, 1);
    t.start(e.as_mut(), &mut b).unwrap();
    t.step(e.as_mut(), &mut b).unwrap();
    let snap = e.snapshot().unwrap();
    let bytes = t.save_state(std::slice::from_ref(&snap)).unwrap();
    let back: Vec<VecEnvSnapshot> = t.load_state(&bytes).unwrap();
    assert_eq!(back, vec![snap]);
}

#[test]
fn ppo_bootstraps_only_episodes_cut_by_the_time_limit() {
    let final_weights = |limit: u32, bootstrap: bool| {
        let mut e = env(
            "CartPole-v1",
            Params::new().with("max_episode_steps", limit),
            4,
            AutoresetMode::SameStep,
        );
        let cfg = PpoConfig {
            bootstrap_truncated: bootstrap,
            ..small_ppo()
        };
        let mut t = PpoTrainer::new(cfg, EnvBatchSpec::of(e.as_ref(), Params::new()), 8).unwrap();
        let mut b = Batch::new(4, 4);
        t.start(e.as_mut(), &mut b).unwrap();
        let mut cut = 0;
        while !t.is_done() {
            t.step(e.as_mut(), &mut b).unwrap();
            cut += (0..4)
                .filter(|&i| b.truncated[i] && !b.terminated[i])
                .count();
        }
        (t.weights().unwrap(), cut)
    };
    // With a 10-step limit episodes are cut and the bootstrap changes learning.
    let ((with, cut), (without, _)) = (final_weights(10, true), final_weights(10, false));
    assert!(cut > 0);
    assert_ne!(with, without);
    // With the registered 500-step limit nothing is cut in 256 steps.
    let ((with, cut), (without, _)) = (final_weights(500, true), final_weights(500, false));
    assert_eq!(cut, 0);
    assert_eq!(with, without);
}
