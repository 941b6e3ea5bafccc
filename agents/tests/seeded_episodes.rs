//! Seeded episodes of every registered env against Gymnasium 1.4's.
//!
//! Each case is `reset(seed=S)` and then steps with recorded actions,
//! `reset()` without a seed after every episode end, exactly as
//! `bench/envs/gymnasium_reference.py` drove Gymnasium. Nothing is forced:
//! the start states, the slippery moves, the rainy and fickle taxi and the
//! unseeded resets all come from the env's own generator, so the data pins
//! Gymnasium's seeding along with the dynamics. Observations are compared
//! as `f32` bit patterns, rewards and `info["prob"]` as exact `f64`s, flags
//! as they are: no tolerance anywhere.

use agora_agents::{Action, Env, Params, TraceSession, make, registry};
use serde_json::{Value, json};

use crate::gymnasium_data::{cases, obs, same_bits, u64_of};

const FILES: [(&str, &str); 6] = [
    ("cartpole", include_str!("data/gymnasium/cartpole.jsonl")),
    (
        "mountain_car",
        include_str!("data/gymnasium/mountain_car.jsonl"),
    ),
    ("acrobot", include_str!("data/gymnasium/acrobot.jsonl")),
    (
        "frozen_lake",
        include_str!("data/gymnasium/frozen_lake.jsonl"),
    ),
    ("taxi", include_str!("data/gymnasium/taxi.jsonl")),
    (
        "cliff_walking",
        include_str!("data/gymnasium/cliff_walking.jsonl"),
    ),
];

/// Older ids Agora keeps, with the Gymnasium 1.4 id whose cases they must
/// replay unchanged (Gymnasium 1.4 no longer registers them).
const ALIASES: [(&str, &str); 2] = [
    ("Taxi-v3", "Taxi-v4"),
    ("CliffWalking-v0", "CliffWalking-v1"),
];

/// `make()` keyword arguments as Agora's string parameters.
pub fn params_of(kwargs: &Value) -> Params {
    let mut p = Params::new();
    for (k, v) in kwargs.as_object().unwrap() {
        match v {
            Value::String(s) => p.set(k, s),
            other => p.set(k, other),
        }
    }
    p
}

/// Replays one case on env `id`; returns the number of steps checked.
fn replay(id: &str, case: &Value) -> usize {
    let mut env = make(id, &params_of(&case["kwargs"])).unwrap();
    let seed = u64_of(&case["seed"]);
    let tabular = case["reset"].get("p").is_some();
    let at = |t: &str| format!("{id} {} seed {seed} {t}", case["kwargs"]);
    let (first, info) = env.reset(Some(seed));
    let want = obs(&case["reset"]["obs"]);
    assert!(
        same_bits(&first, &want),
        "{}: {first:?} vs gymnasium {want:?}",
        at("reset")
    );
    if tabular {
        assert_eq!(
            info.prob,
            case["reset"]["p"].as_f64(),
            "{}",
            at("reset prob")
        );
    }
    let steps = case["steps"].as_array().unwrap();
    for (t, row) in steps.iter().enumerate() {
        let row = row.as_array().unwrap();
        let where_ = at(&format!("step {t}"));
        let step = env
            .step(Action::Discrete(row[0].as_i64().unwrap()))
            .unwrap();
        let want = obs(&row[1]);
        assert!(
            same_bits(&step.obs, &want),
            "{where_}: obs {:?} vs gymnasium {want:?}",
            step.obs
        );
        assert_eq!(step.reward, row[2].as_f64().unwrap(), "{where_}: reward");
        assert_eq!(
            step.terminated,
            row[3].as_bool().unwrap(),
            "{where_}: terminated"
        );
        assert_eq!(
            step.truncated,
            row[4].as_bool().unwrap(),
            "{where_}: truncated"
        );
        let mut rest = &row[5..];
        if tabular {
            assert_eq!(step.info.prob, rest[0].as_f64(), "{where_}: prob");
            rest = &rest[1..];
        }
        if step.terminated || step.truncated {
            let (again, _) = env.reset(None);
            let want = obs(&rest[0]);
            assert!(
                same_bits(&again, &want),
                "{where_}: unseeded reset {again:?} vs gymnasium {want:?}"
            );
        } else {
            assert!(
                rest.is_empty(),
                "{where_}: gymnasium reset here, Agora did not end"
            );
        }
    }
    steps.len()
}

#[test]
fn seeded_episodes_match_gymnasium_step_for_step() {
    for (name, text) in FILES {
        let mut steps = 0;
        let mut episodes = 0;
        for case in cases(text) {
            steps += replay(case["env"].as_str().unwrap(), &case);
            episodes += 1 + case["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r[3].as_bool().unwrap() || r[4].as_bool().unwrap())
                .count();
        }
        assert!(
            steps >= 100 && episodes >= 2,
            "{name}: {steps} steps, {episodes} episodes"
        );
    }
}

#[test]
fn older_ids_replay_their_successors_cases() {
    for (alias, target) in ALIASES {
        let mut replayed = 0;
        for (_, text) in FILES {
            for case in cases(text) {
                let plain = case["kwargs"].as_object().is_some_and(|k| k.is_empty());
                if case["env"] == target && plain {
                    replay(alias, &case);
                    replayed += 1;
                }
            }
        }
        assert!(replayed > 0, "no {target} case to replay as {alias}");
    }
}

#[test]
fn every_registered_id_has_seeded_cases() {
    let mut covered: Vec<String> = ALIASES.iter().map(|(a, _)| a.to_string()).collect();
    for (_, text) in FILES {
        for case in cases(text) {
            covered.push(case["env"].as_str().unwrap().to_string());
        }
    }
    for id in registry::ids() {
        assert!(
            covered.iter().any(|c| c == id),
            "{id} has no seeded reference case"
        );
    }
}

#[test]
fn the_trace_protocol_resets_and_steps_as_gymnasium_does() {
    for (name, text) in FILES {
        let case = &cases(text)[0];
        let id = case["env"].as_str().unwrap();
        let mut session = TraceSession::new(id, &params_of(&case["kwargs"])).unwrap();
        let seed = u64_of(&case["seed"]);
        let reply = session.handle(&json!({"reset": {"seed": seed}})).unwrap();
        let want = obs(&case["reset"]["obs"]);
        assert!(
            same_bits(&obs(&reply["obs"]), &want),
            "{name}: {reply} vs {want:?}"
        );
        for (t, row) in case["steps"]
            .as_array()
            .unwrap()
            .iter()
            .take(20)
            .enumerate()
        {
            let reply = session.handle(&json!({ "step": row[0] })).unwrap();
            assert!(
                same_bits(&obs(&reply["obs"]), &obs(&row[1])),
                "{name} step {t}: {reply}"
            );
            assert_eq!(reply["reward"].as_f64(), row[2].as_f64(), "{name} step {t}");
            if row[3].as_bool().unwrap() || row[4].as_bool().unwrap() {
                break;
            }
        }
    }
}
