//! States saved before env generators followed numpy still load, and the
//! runs they came from carry on exactly as the code of that time did.
//!
//! The data in `data/pre_numpy/` was written by agora-agents at commit
//! 5187633 (see its README): env batch snapshots with xoshiro256++ env
//! streams, with what the batch did after each snapshot, and a tabular
//! learner's checkpoint (old `envs` section, learner RNG state) with the
//! learner's end state after finishing its run.

use agora_agents::learners::q_table::{QTableConfig, QTableTrainer};
use agora_agents::learners::{EnvBatchSpec, Trainer};
use agora_agents::{ActionBatch, AutoresetMode, Batch, Params, VecEnvSnapshot, make_vec};
use serde_json::Value;

use crate::gymnasium_data::same_bits;

const VEC_ENV_SNAPSHOTS: &str = include_str!("data/pre_numpy/vec_env_snapshots.jsonl");
const Q_TABLE_CHECKPOINT: &str = include_str!("data/pre_numpy/q_table_checkpoint.json");

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn f32s(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn bools(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_bool().unwrap())
        .collect()
}

#[test]
fn pre_numpy_env_snapshots_restore_and_continue_their_streams() {
    let mut checked = 0;
    for line in VEC_ENV_SNAPSHOTS.lines().filter(|l| !l.is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["env"].as_str().unwrap();
        let params: Params = serde_json::from_value(case["params"].clone()).unwrap();
        let mode: AutoresetMode = serde_json::from_value(case["mode"].clone()).unwrap();
        let n = case["num_envs"].as_u64().unwrap();
        let snapshot = VecEnvSnapshot::from_bytes(&unhex(case["snapshot"].as_str().unwrap()))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(snapshot.envs.iter().all(|e| !e.rng.follows_numpy()), "{id}");
        let mut envs = make_vec(id, &params, 0..n, mode).unwrap();
        envs.restore(&snapshot).unwrap();
        let mut b = Batch::new(n as usize, envs.obs_dim());
        for (t, (actions, want)) in case["actions"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["after"].as_array().unwrap())
            .enumerate()
        {
            let actions: Vec<i64> = actions
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_i64().unwrap())
                .collect();
            envs.step(ActionBatch::Discrete(&actions), b.view_mut())
                .unwrap();
            let at = format!("{id} step {t} after restore");
            assert!(
                same_bits(&b.obs, &f32s(&want["obs"])),
                "{at}: {:?} vs {}",
                b.obs,
                want["obs"]
            );
            assert!(
                same_bits(&b.rewards, &f32s(&want["rewards"])),
                "{at}: rewards"
            );
            assert_eq!(b.terminated, bools(&want["terminated"]), "{at}");
            assert_eq!(b.truncated, bools(&want["truncated"]), "{at}");
            if let Some(finals) = want.get("final_obs") {
                assert!(same_bits(&b.final_obs, &f32s(finals)), "{at}: final obs");
            }
            checked += 1;
        }
        envs.reset(None, b.view_mut()).unwrap();
        assert!(
            same_bits(&b.obs, &f32s(&case["unseeded_reset"])),
            "{id}: unseeded reset"
        );
        // A seeded reset moves the envs onto numpy's stream.
        envs.reset(Some(0), b.view_mut()).unwrap();
        let fresh = {
            let mut e = make_vec(id, &params, 0..n, mode).unwrap();
            let mut f = Batch::new(n as usize, e.obs_dim());
            e.reset(Some(0), f.view_mut()).unwrap();
            f.obs
        };
        assert!(
            same_bits(&b.obs, &fresh),
            "{id}: seeded reset after a pre-numpy restore"
        );
    }
    assert_eq!(checked, 6 * 20);
}

#[test]
fn a_pre_numpy_checkpoint_resumes_to_the_same_end() {
    let data: Value = serde_json::from_str(Q_TABLE_CHECKPOINT).unwrap();
    let env_of = || {
        make_vec(
            "FrozenLake-v1",
            &Params::new(),
            0..3,
            AutoresetMode::NextStep,
        )
        .unwrap()
    };
    let config = QTableConfig {
        total_episodes: 300,
        ..QTableConfig::default()
    };
    let mut envs = env_of();
    let mut t =
        QTableTrainer::new(config, EnvBatchSpec::of(envs.as_ref(), Params::new()), 4).unwrap();
    let shards = t
        .load_state(&unhex(data["checkpoint"].as_str().unwrap()))
        .unwrap();
    envs.restore(&shards[0]).unwrap();
    let mut b = Batch::new(3, 1);
    while !t.is_done() {
        t.step(envs.as_mut(), &mut b).unwrap();
    }
    let m = t.metrics();
    let want = &data["final_metrics"];
    assert_eq!(m.iterations, want["iterations"].as_u64().unwrap());
    assert_eq!(m.env_steps, want["env_steps"].as_u64().unwrap());
    assert_eq!(m.episodes, want["episodes"].as_u64().unwrap());
    assert_eq!(m.updates, want["updates"].as_u64().unwrap());
    assert_eq!(m.epsilon, want["epsilon"].as_f64());
    assert_eq!(m.last_return, want["last_return"].as_f64());
    let states: Vec<f32> = (0..16).map(|s| s as f32).collect();
    let greedy: Vec<i64> = data["final_greedy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_i64().unwrap())
        .collect();
    assert_eq!(t.act_greedy(&states).unwrap(), greedy);
    assert!(same_bits(&b.obs, &f32s(&data["final_env_obs"])));
}

#[test]
fn todays_snapshots_carry_the_version_header_and_round_trip() {
    let mut envs = make_vec(
        "Taxi-v4",
        &Params::new().with("is_rainy", true),
        0..2,
        AutoresetMode::SameStep,
    )
    .unwrap();
    let mut b = Batch::new(2, 1);
    envs.reset(Some(7), b.view_mut()).unwrap();
    envs.step(ActionBatch::Discrete(&[0, 1]), b.view_mut())
        .unwrap();
    let snap = envs.snapshot().unwrap();
    let bytes = snap.to_bytes().unwrap();
    assert!(bytes.starts_with(b"AGORAVS2"));
    let back = VecEnvSnapshot::from_bytes(&bytes).unwrap();
    assert_eq!(back, snap);
    assert!(back.envs.iter().all(|e| e.rng.follows_numpy()));
}
