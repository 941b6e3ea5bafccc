//! Seeded space samples against Gymnasium 1.4's `space.seed(S); space.sample()`.
//!
//! Discrete, MultiDiscrete and bounded float32 Box spaces, every registered
//! env's action space seeded as `env.action_space.seed(S)`, and a sync
//! vector env's batch action space (`MultiDiscrete([n] * num_envs)`). Box
//! samples are compared as `f32` bit patterns, the others exactly.

use agora_agents::{Action, Space, SpaceSampler, make};
use serde_json::Value;

use crate::gymnasium_data::{cases, obs, same_bits, u64_of};

const SPACES: &str = include_str!("data/gymnasium/spaces.jsonl");

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(u64_of).collect()
}

fn f32s(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

/// Draws the case's samples from `sampler` and compares them.
fn check(sampler: &mut SpaceSampler, case: &Value, what: &str) -> usize {
    let samples = case["samples"].as_array().unwrap();
    for (k, want) in samples.iter().enumerate() {
        match sampler.sample() {
            Action::Discrete(a) => assert_eq!(a, want.as_i64().unwrap(), "{what} sample {k}"),
            Action::MultiDiscrete(a) => {
                let want: Vec<i64> = want
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_i64().unwrap())
                    .collect();
                assert_eq!(a, want.as_slice(), "{what} sample {k}");
            }
            Action::Box(a) => {
                assert!(
                    same_bits(a, &obs(want)),
                    "{what} sample {k}: {a:?} vs {want}"
                );
            }
        }
    }
    samples.len()
}

#[test]
fn seeded_space_samples_match_gymnasium() {
    let mut checked = 0;
    for case in cases(SPACES) {
        let Some(kind) = case["space"].as_str() else {
            continue;
        };
        let space = match kind {
            "Discrete" => Space::Discrete {
                n: u64_of(&case["n"]),
            },
            "MultiDiscrete" => Space::MultiDiscrete {
                nvec: u64s(&case["nvec"]),
            },
            "Box" => Space::Box {
                low: f32s(&case["low"]),
                high: f32s(&case["high"]),
            },
            other => panic!("unknown space {other}"),
        };
        let seed = u64_of(&case["seed"]);
        let mut sampler = SpaceSampler::seeded(&space, seed).unwrap();
        checked += check(&mut sampler, &case, &format!("{space} seed {seed}"));
    }
    assert!(checked >= 600, "{checked}");
}

#[test]
fn seeded_env_action_spaces_sample_as_gymnasium_does() {
    let mut envs = 0;
    for case in cases(SPACES) {
        let seed = u64_of(&case["seed"]);
        if let Some(id) = case["env"].as_str() {
            let env = make(id, &Default::default()).unwrap();
            let mut sampler = SpaceSampler::seeded(env.action_space(), seed).unwrap();
            check(
                &mut sampler,
                &case,
                &format!("{id} action space seed {seed}"),
            );
            envs += 1;
        } else if let Some(id) = case["vector_env"].as_str() {
            let env = make(id, &Default::default()).unwrap();
            let n = env.action_space().n().unwrap();
            let batch = Space::MultiDiscrete {
                nvec: vec![n; case["num_envs"].as_u64().unwrap() as usize],
            };
            let mut sampler = SpaceSampler::seeded(&batch, seed).unwrap();
            check(
                &mut sampler,
                &case,
                &format!("{id} batch action space seed {seed}"),
            );
        }
    }
    assert_eq!(
        envs,
        agora_agents::registry::ids().len() - 2,
        "every id but the two aliases"
    );
}
