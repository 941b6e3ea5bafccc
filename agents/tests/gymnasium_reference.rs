//! Agora's built-in environments against data recorded from Gymnasium.
//!
//! `agents/reference/generate.py` ran Gymnasium (version inside each file)
//! and recorded trajectories from fixed states and action sequences for the
//! continuous envs, and the full transition tables for the tabular ones.
//! Trajectories are replayed through the `agora env trace` protocol handler
//! (so the protocol is checked on the way); observations must be Gymnasium's
//! float32 values bit for bit, rewards and flags equal. Tables must be equal
//! exactly. (Seeded episodes, without forced states, are in
//! `seeded_episodes`.)

use agora_agents::{Params, TraceSession, make};
use serde_json::{Value, json};

const CARTPOLE: &str = include_str!("../reference/cartpole.json");
const MOUNTAIN_CAR: &str = include_str!("../reference/mountain_car.json");
const ACROBOT: &str = include_str!("../reference/acrobot.json");
const FROZEN_LAKE: &str = include_str!("../reference/frozen_lake.json");
const TAXI: &str = include_str!("../reference/taxi.json");
const CLIFF_WALKING: &str = include_str!("../reference/cliff_walking.json");

/// The same float32 observation: the physics is float64 in both, in the
/// same order, so no tolerance is needed.
fn close(a: f64, b: f64) -> bool {
    (a as f32).to_bits() == (b as f32).to_bits()
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("reference file is JSON")
}

fn replay_trajectories(file: &str) -> usize {
    let data = parse(file);
    assert!(
        data["gymnasium"].as_str().unwrap().starts_with("1."),
        "recorded with Gymnasium 1.x"
    );
    let id = data["env"].as_str().unwrap();
    let mut steps = 0;
    for (c, case) in data["cases"].as_array().unwrap().iter().enumerate() {
        let mut session = TraceSession::new(id, &Params::new()).unwrap();
        let set = json!({"set_state": case["state"], "elapsed": case["elapsed"]});
        let r = session.handle(&set).unwrap();
        assert!(r.get("obs").is_some());
        for (t, (action, want)) in case["actions"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["steps"].as_array().unwrap())
            .enumerate()
        {
            let got = session.handle(&json!({ "step": action })).unwrap();
            let where_ = format!("{id} case {c} step {t}");
            let (go, wo) = (
                got["obs"].as_array().unwrap(),
                want["obs"].as_array().unwrap(),
            );
            assert_eq!(go.len(), wo.len(), "{where_}");
            for (g, w) in go.iter().zip(wo) {
                let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
                assert!(close(g, w), "{where_}: obs {got} vs gymnasium {want}");
            }
            assert_eq!(got["reward"].as_f64(), want["reward"].as_f64(), "{where_}");
            assert_eq!(got["terminated"], want["terminated"], "{where_}");
            assert_eq!(got["truncated"], want["truncated"], "{where_}");
            steps += 1;
        }
    }
    steps
}

#[test]
fn cartpole_trajectories_match_gymnasium() {
    assert!(replay_trajectories(CARTPOLE) > 400);
}

#[test]
fn mountain_car_trajectories_match_gymnasium() {
    assert!(replay_trajectories(MOUNTAIN_CAR) > 600);
}

#[test]
fn acrobot_trajectories_match_gymnasium() {
    assert!(replay_trajectories(ACROBOT) > 400);
}

/// Gymnasium `make()` kwargs as recorded (bools, numbers, comma-joined
/// lists) to Agora parameters.
fn params_of(v: &Value) -> Params {
    let mut p = Params::new();
    for (k, v) in v.as_object().unwrap() {
        let s = match v {
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(","),
            other => panic!("unexpected parameter value {other}"),
        };
        p.set(k, s);
    }
    p
}

fn compare_tables(file: &str) -> usize {
    let data = parse(file);
    let mut compared = 0;
    for table in data["tables"].as_array().unwrap() {
        let id = table["id"].as_str().unwrap();
        let params = params_of(&table["params"]);
        let env = make(id, &params).unwrap_or_else(|e| panic!("{id} {params}: {e}"));
        let label = format!("{id} {params}");
        assert_eq!(
            env.max_episode_steps().map(u64::from),
            table["max_episode_steps"].as_u64(),
            "{label}"
        );
        let n_s = table["n_states"].as_u64().unwrap();
        let n_a = table["n_actions"].as_u64().unwrap();
        assert_eq!(env.observation_space().n(), Some(n_s), "{label}");
        assert_eq!(env.action_space().n(), Some(n_a), "{label}");
        for (s, row) in table["P"].as_array().unwrap().iter().enumerate() {
            for (a, want) in row.as_array().unwrap().iter().enumerate() {
                let got = env.transitions(s as u64, a as u64).unwrap();
                let want = want.as_array().unwrap();
                assert_eq!(got.len(), want.len(), "{label} P[{s}][{a}]");
                for (g, w) in got.iter().zip(want) {
                    let w = w.as_array().unwrap();
                    // Exact: the same IEEE operations produce the same bits.
                    assert_eq!(g.prob, w[0].as_f64().unwrap(), "{label} P[{s}][{a}] prob");
                    assert_eq!(
                        u64::from(g.next_state),
                        w[1].as_u64().unwrap(),
                        "{label} P[{s}][{a}]"
                    );
                    assert_eq!(
                        g.reward,
                        w[2].as_f64().unwrap(),
                        "{label} P[{s}][{a}] reward"
                    );
                    assert_eq!(
                        u64::from(g.terminated),
                        w[3].as_u64().unwrap(),
                        "{label} P[{s}][{a}]"
                    );
                    compared += 1;
                }
            }
        }
        // The start distribution: same support, same probabilities.
        let mut session = TraceSession::new(id, &params).unwrap();
        let init: Vec<(u64, f64)> = table["initial"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e[0].as_u64().unwrap(), e[1].as_f64().unwrap()))
            .collect();
        let mut counts = vec![0u32; n_s as usize];
        let draws = 3000;
        for seed in 0..draws {
            let r = session.handle(&json!({"reset": {"seed": seed}})).unwrap();
            counts[r["obs"][0].as_u64().unwrap() as usize] += 1;
        }
        for (s, &c) in counts.iter().enumerate() {
            let p = init.iter().find(|e| e.0 == s as u64).map_or(0.0, |e| e.1);
            if p == 0.0 {
                assert_eq!(
                    c, 0,
                    "{label}: reset reached state {s}, outside Gymnasium's start distribution"
                );
            } else {
                // Binomial: 5 standard deviations around the expectation.
                let mean = p * f64::from(draws);
                let sd = (mean * (1.0 - p)).sqrt();
                assert!(
                    (f64::from(c) - mean).abs() <= 5.0 * sd + 1.0,
                    "{label}: start state {s} drawn {c} times, expected ~{mean}"
                );
            }
        }
    }
    compared
}

#[test]
fn frozen_lake_tables_match_gymnasium() {
    assert!(compare_tables(FROZEN_LAKE) > 2000);
}

#[test]
fn taxi_tables_match_gymnasium() {
    assert!(compare_tables(TAXI) > 9000);
}

#[test]
fn cliff_walking_tables_match_gymnasium() {
    assert!(compare_tables(CLIFF_WALKING) > 800);
}

/// Sampled steps follow the recorded table: from every state of the 4x4
/// slippery lake and every action, the empirical next-state frequencies are
/// within 5 standard deviations of Gymnasium's probabilities.
#[test]
fn frozen_lake_sampling_follows_the_recorded_probabilities() {
    let data = parse(FROZEN_LAKE);
    let table = &data["tables"][0];
    assert_eq!(table["params"], json!({}));
    let mut session = TraceSession::new("FrozenLake-v1", &Params::new()).unwrap();
    session.handle(&json!({"reset": {"seed": 1}})).unwrap();
    let n = 600;
    for (s, row) in table["P"].as_array().unwrap().iter().enumerate() {
        for (a, outcomes) in row.as_array().unwrap().iter().enumerate() {
            let mut expected = [0.0f64; 16];
            for o in outcomes.as_array().unwrap() {
                expected[o[1].as_u64().unwrap() as usize] += o[0].as_f64().unwrap();
            }
            let mut counts = [0u32; 16];
            for _ in 0..n {
                session.handle(&json!({"set_state": [s]})).unwrap();
                let r = session.handle(&json!({"step": a})).unwrap();
                counts[r["obs"][0].as_u64().unwrap() as usize] += 1;
            }
            for (t, (&c, &p)) in counts.iter().zip(&expected).enumerate() {
                let mean = p * f64::from(n);
                let sd = (mean * (1.0 - p)).sqrt();
                assert!(
                    (f64::from(c) - mean).abs() <= 5.0 * sd + 1.0,
                    "P[{s}][{a}] -> {t}: {c} of {n}, expected p = {p}"
                );
            }
        }
    }
}
