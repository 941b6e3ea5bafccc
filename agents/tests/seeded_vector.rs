//! Seeded vector envs against Gymnasium 1.4's `SyncVectorEnv`.
//!
//! `gym.make_vec(id, n, vectorization_mode="sync")` resets sub-env `i` with
//! `seed + i` and autoresets finished episodes from each sub-env's own
//! generator, in next-step or same-step mode. Agora's `make_vec` (including
//! the struct-of-arrays `CartPoleVecEnv`) must give the same observations,
//! rewards, flags and same-step final observations, exactly; and so must
//! the batch split into shards over global index ranges.

use agora_agents::{ActionBatch, AutoresetMode, Batch, VectorEnv, make_vec};
use serde_json::Value;

use crate::gymnasium_data::{cases, obs, same_bits, u64_of};
use crate::seeded_episodes::params_of;

const VECTOR: &str = include_str!("data/gymnasium/vector.jsonl");

/// Rows of per-env observations, flattened as a batch holds them.
fn flat_obs(v: &Value) -> Vec<f32> {
    v.as_array().unwrap().iter().flat_map(obs).collect()
}

fn bools(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_bool().unwrap())
        .collect()
}

/// Replays `case` on the envs `lo..hi` of its batch, split into shards at
/// `cuts`, and compares those envs' columns.
fn replay(case: &Value, cuts: &[u64]) {
    let id = case["env"].as_str().unwrap();
    let n = u64_of(&case["num_envs"]);
    let mode = match case["autoreset"].as_str().unwrap() {
        "NextStep" => AutoresetMode::NextStep,
        _ => AutoresetMode::SameStep,
    };
    let seed = u64_of(&case["seed"]);
    let params = params_of(&case["kwargs"]);
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(n);
    let mut shards: Vec<(Box<dyn VectorEnv>, Batch)> = bounds
        .windows(2)
        .map(|w| {
            let e = make_vec(id, &params, w[0]..w[1], mode).unwrap();
            let b = Batch::new(e.num_envs(), e.obs_dim());
            (e, b)
        })
        .collect();
    let dim = shards[0].0.obs_dim();
    let gather = |shards: &[(Box<dyn VectorEnv>, Batch)], pick: &dyn Fn(&Batch) -> Vec<f32>| {
        shards
            .iter()
            .flat_map(|(_, b)| pick(b))
            .collect::<Vec<f32>>()
    };
    let at = |t: &str| format!("{id} n={n} {mode:?} seed {seed} shards {cuts:?} {t}");

    for (e, b) in &mut shards {
        e.reset(Some(seed), b.view_mut()).unwrap();
    }
    let want = flat_obs(&case["reset"]);
    let got = gather(&shards, &|b| b.obs.clone());
    assert!(
        same_bits(&got, &want),
        "{}: {got:?} vs {want:?}",
        at("reset")
    );

    for (t, row) in case["steps"].as_array().unwrap().iter().enumerate() {
        let actions: Vec<i64> = row[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_i64().unwrap())
            .collect();
        for ((e, b), w) in shards.iter_mut().zip(bounds.windows(2)) {
            let mine = &actions[w[0] as usize..w[1] as usize];
            e.step(ActionBatch::Discrete(mine), b.view_mut()).unwrap();
        }
        let where_ = at(&format!("step {t}"));
        let got = gather(&shards, &|b| b.obs.clone());
        let want = flat_obs(&row[1]);
        assert!(same_bits(&got, &want), "{where_}: obs {got:?} vs {want:?}");
        let rewards: Vec<f64> = shards
            .iter()
            .flat_map(|(_, b)| b.rewards.iter().map(|&r| f64::from(r)))
            .collect();
        let want: Vec<f64> = row[2]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_f64().unwrap())
            .collect();
        assert_eq!(rewards, want, "{where_}: rewards");
        let terminated: Vec<bool> = shards
            .iter()
            .flat_map(|(_, b)| b.terminated.clone())
            .collect();
        assert_eq!(terminated, bools(&row[3]), "{where_}: terminated");
        let truncated: Vec<bool> = shards
            .iter()
            .flat_map(|(_, b)| b.truncated.clone())
            .collect();
        assert_eq!(truncated, bools(&row[4]), "{where_}: truncated");
        if mode == AutoresetMode::SameStep {
            let finals = gather(&shards, &|b| b.final_obs.clone());
            for (i, want) in row[5].as_array().unwrap().iter().enumerate() {
                if !want.is_null() {
                    let got = &finals[i * dim..(i + 1) * dim];
                    assert!(
                        same_bits(got, &obs(want)),
                        "{where_}: env {i} final obs {got:?} vs {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn seeded_vector_envs_match_sync_vector_env_in_both_autoreset_modes() {
    let all = cases(VECTOR);
    assert!(all.len() >= 6);
    for case in &all {
        replay(case, &[]);
    }
}

#[test]
fn shards_of_a_seeded_batch_behave_as_the_whole_batch() {
    for case in cases(VECTOR) {
        let n = u64_of(&case["num_envs"]);
        for cut in 1..n {
            replay(&case, &[cut]);
        }
    }
}
