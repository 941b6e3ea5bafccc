//! The `agora env trace` protocol: JSON lines in, JSON lines out.
//!
//! A [`TraceSession`] holds one environment built by the registry (so with
//! its time limit) and answers one JSON command per line with one JSON line.
//! It is how anyone can cross-check Agora's dynamics against Gymnasium's
//! from any language; the CLI is a stdin/stdout loop around
//! [`TraceSession::handle_line`].
//!
//! | input | output |
//! | --- | --- |
//! | `{"reset": {"seed": S}}` (seed optional) | `{"obs": [...], "state": [...]}` |
//! | `{"set_state": [...], "elapsed": K}` (`elapsed` optional) | `{"obs": [...]}` |
//! | `{"step": A}` | `{"obs": [...], "reward": R, "terminated": B, "truncated": B}` |
//! | `{"transitions": {"state": S, "action": A}}` | `{"transitions": [[p, next_state, reward, terminated], ...]}` |
//!
//! State layouts: CartPole `[x, x_dot, theta, theta_dot]`, MountainCar
//! `[position, velocity]`, Acrobot `[theta1, theta2, dtheta1, dtheta2]`,
//! tabular envs `[s]`. `set_state` clears any "already terminated" latch and
//! counts as a reset; `elapsed` sets the time-limit step counter, otherwise
//! it is left as it is. Observations of `Discrete` spaces are printed as
//! integers. `A` is an integer for a `Discrete` action space and an array
//! for `Box` / `MultiDiscrete`. Any bad line gets `{"error": "..."}` and the
//! session goes on.

use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::env::Env;
use crate::{Action, EnvError, Params, Space, registry};

/// Why a trace command failed; printed as `{"error": "..."}`.
#[derive(Debug, Error)]
pub enum TraceError {
    /// The line is not JSON.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON is not a known command or has ill-typed fields.
    #[error("{0}")]
    Command(String),
    /// The environment refused the command.
    #[error(transparent)]
    Env(#[from] EnvError),
}

fn bad(msg: impl Into<String>) -> TraceError {
    TraceError::Command(msg.into())
}

/// One environment driven by trace commands.
pub struct TraceSession {
    env: Box<dyn Env>,
    obs: Vec<f32>,
}

impl std::fmt::Debug for TraceSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceSession")
            .field("env", &self.env.id())
            .finish()
    }
}

impl TraceSession {
    /// A session on env `id` built with `params` (registry rules).
    pub fn new(id: &str, params: &Params) -> Result<Self, EnvError> {
        Ok(Self::from_env(registry::make(id, params)?))
    }

    /// A session on an already built env.
    pub fn from_env(env: Box<dyn Env>) -> Self {
        let obs = vec![0.0; env.obs_dim()];
        Self { env, obs }
    }

    /// The environment.
    pub fn env(&self) -> &dyn Env {
        self.env.as_ref()
    }

    /// Answers one input line with one output line (no trailing newline).
    /// Never fails: errors become `{"error": "..."}`.
    pub fn handle_line(&mut self, line: &str) -> String {
        let reply = serde_json::from_str::<Value>(line)
            .map_err(TraceError::from)
            .and_then(|v| self.handle(&v));
        match reply {
            Ok(v) => v.to_string(),
            Err(e) => json!({ "error": e.to_string() }).to_string(),
        }
    }

    /// Answers one parsed command.
    pub fn handle(&mut self, cmd: &Value) -> Result<Value, TraceError> {
        let obj = cmd
            .as_object()
            .ok_or_else(|| bad("a command is a JSON object such as {\"step\": 0}"))?;
        let commands: Vec<&str> = ["reset", "set_state", "step", "transitions"]
            .into_iter()
            .filter(|k| obj.contains_key(*k))
            .collect();
        if let Some(k) = obj.keys().find(|k| {
            !["reset", "set_state", "elapsed", "step", "transitions"].contains(&k.as_str())
        }) {
            return Err(bad(format!(
                "unknown key `{k}`; commands are reset, set_state (with optional elapsed), step, transitions"
            )));
        }
        match commands.as_slice() {
            ["reset"] => self.reset(&obj["reset"]),
            ["set_state"] => self.set_state(obj),
            ["step"] => self.step(&obj["step"]),
            ["transitions"] => self.transitions(&obj["transitions"]),
            [] => Err(bad(
                "no command; expected one of reset, set_state, step, transitions",
            )),
            many => Err(bad(format!(
                "one command per line, got {}",
                many.join(", ")
            ))),
        }
        .and_then(|v| {
            if obj.contains_key("elapsed") && commands != ["set_state"] {
                Err(bad("`elapsed` goes with set_state"))
            } else {
                Ok(v)
            }
        })
    }

    fn obs_json(&self) -> Value {
        match self.env.observation_space() {
            Space::Discrete { .. } | Space::MultiDiscrete { .. } => {
                Value::from(self.obs.iter().map(|&v| v as i64).collect::<Vec<_>>())
            }
            Space::Box { .. } => Value::from(self.obs.clone()),
        }
    }

    fn reset(&mut self, arg: &Value) -> Result<Value, TraceError> {
        let seed =
            match arg {
                Value::Null => None,
                Value::Object(m) => match m.get("seed") {
                    None | Some(Value::Null) => None,
                    Some(s) => Some(s.as_u64().ok_or_else(|| {
                        bad(format!("seed must be a non-negative integer, got {s}"))
                    })?),
                },
                other => return Err(bad(format!("reset takes {{\"seed\": S}}, got {other}"))),
            };
        self.env.reset_into(seed, &mut self.obs);
        Ok(json!({ "obs": self.obs_json(), "state": self.env.state() }))
    }

    fn set_state(&mut self, obj: &Map<String, Value>) -> Result<Value, TraceError> {
        let state: Vec<f64> = obj["set_state"]
            .as_array()
            .ok_or_else(|| bad("set_state takes an array of numbers"))?
            .iter()
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| bad(format!("state value {v} is not a number")))
            })
            .collect::<Result<_, _>>()?;
        let elapsed = match obj.get("elapsed") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let k = v
                    .as_u64()
                    .and_then(|k| u32::try_from(k).ok())
                    .ok_or_else(|| {
                        bad(format!("elapsed must be a non-negative integer, got {v}"))
                    })?;
                if self.env.elapsed_steps().is_none() {
                    return Err(EnvError::Unsupported {
                        env: self.env.id().to_string(),
                        what: "a time-limit step counter",
                    }
                    .into());
                }
                Some(k)
            }
        };
        self.env.set_state(&state)?;
        if let Some(k) = elapsed {
            self.env.set_elapsed_steps(k)?;
        }
        self.env.observe_into(&mut self.obs);
        Ok(json!({ "obs": self.obs_json() }))
    }

    fn step(&mut self, arg: &Value) -> Result<Value, TraceError> {
        let ints = |v: &Value| -> Result<Vec<i64>, TraceError> {
            v.as_array()
                .ok_or_else(|| {
                    bad(format!(
                        "this env's action is an array of integers, got {v}"
                    ))
                })?
                .iter()
                .map(|x| {
                    x.as_i64()
                        .ok_or_else(|| bad(format!("{x} is not an integer")))
                })
                .collect()
        };
        let r = match self.env.action_space() {
            Space::Discrete { .. } => {
                let a = arg
                    .as_i64()
                    .ok_or_else(|| bad(format!("this env's action is an integer, got {arg}")))?;
                self.env.step_into(Action::Discrete(a), &mut self.obs)?
            }
            Space::MultiDiscrete { .. } => {
                let a = ints(arg)?;
                self.env
                    .step_into(Action::MultiDiscrete(&a), &mut self.obs)?
            }
            Space::Box { .. } => {
                let a: Vec<f32> = arg
                    .as_array()
                    .ok_or_else(|| {
                        bad(format!(
                            "this env's action is an array of numbers, got {arg}"
                        ))
                    })?
                    .iter()
                    .map(|x| {
                        x.as_f64()
                            .map(|f| f as f32)
                            .ok_or_else(|| bad(format!("{x} is not a number")))
                    })
                    .collect::<Result<_, _>>()?;
                self.env.step_into(Action::Box(&a), &mut self.obs)?
            }
        };
        Ok(json!({
            "obs": self.obs_json(),
            "reward": r.reward,
            "terminated": r.terminated,
            "truncated": r.truncated,
        }))
    }

    fn transitions(&mut self, arg: &Value) -> Result<Value, TraceError> {
        let field = |k: &str| -> Result<u64, TraceError> {
            arg.get(k)
                .and_then(Value::as_u64)
                .ok_or_else(|| bad(format!("transitions takes {{\"state\": S, \"action\": A}} with non-negative integers; `{k}` is missing or not one")))
        };
        let (s, a) = (field("state")?, field("action")?);
        let list: Vec<Value> = self
            .env
            .transitions(s, a)?
            .iter()
            .map(|t| json!([t.prob, t.next_state, t.reward, t.terminated]))
            .collect();
        Ok(json!({ "transitions": list }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, params: Params) -> TraceSession {
        TraceSession::new(id, &params).unwrap()
    }

    fn reply(s: &mut TraceSession, line: &str) -> Value {
        serde_json::from_str(&s.handle_line(line)).unwrap()
    }

    #[test]
    fn reset_step_and_state_round_trip() {
        let mut s = session("CartPole-v1", Params::new());
        let r = reply(&mut s, r#"{"reset": {"seed": 3}}"#);
        assert_eq!(r["obs"].as_array().unwrap().len(), 4);
        assert_eq!(r["state"].as_array().unwrap().len(), 4);
        let r = reply(&mut s, r#"{"set_state": [0.0, 0.0, 0.0, 0.0]}"#);
        assert_eq!(r, json!({"obs": [0.0, 0.0, 0.0, 0.0]}));
        let r = reply(&mut s, r#"{"step": 1}"#);
        assert_eq!(r["reward"], json!(1.0));
        assert_eq!(r["terminated"], json!(false));
        assert_eq!(r["truncated"], json!(false));
    }

    #[test]
    fn elapsed_drives_truncation() {
        let mut s = session("CartPole-v1", Params::new());
        reply(&mut s, r#"{"set_state": [0, 0, 0, 0], "elapsed": 499}"#);
        assert_eq!(reply(&mut s, r#"{"step": 0}"#)["truncated"], json!(true));
    }

    #[test]
    fn tabular_transitions_and_integer_obs() {
        let mut s = session("FrozenLake-v1", Params::new().with("is_slippery", false));
        let r = reply(&mut s, r#"{"reset": {"seed": 0}}"#);
        assert_eq!(r, json!({"obs": [0], "state": [0.0]}));
        let r = reply(&mut s, r#"{"transitions": {"state": 14, "action": 2}}"#);
        assert_eq!(r, json!({"transitions": [[1.0, 15, 1.0, true]]}));
        let r = reply(&mut s, r#"{"set_state": [14]}"#);
        assert_eq!(r, json!({"obs": [14]}));
        let r = reply(&mut s, r#"{"step": 2}"#);
        assert_eq!(
            r,
            json!({"obs": [15], "reward": 1.0, "terminated": true, "truncated": false})
        );
    }

    #[test]
    fn bad_lines_get_errors_and_the_session_goes_on() {
        let mut s = session("CartPole-v1", Params::new());
        for (line, needle) in [
            ("not json", "invalid JSON"),
            ("[1]", "JSON object"),
            (r#"{"jump": 1}"#, "unknown key `jump`"),
            (r#"{"step": 0}"#, "must be reset"),
            (r#"{"reset": {"seed": -1}}"#, "seed"),
            (r#"{"reset": {}, "step": 0}"#, "one command per line"),
            (r#"{"set_state": [1, 2]}"#, "expected 4 values"),
            (r#"{"set_state": [0, 0, 0, 0], "elapsed": -3}"#, "elapsed"),
            (r#"{"step": 5}"#, "outside the action space"),
            (r#"{"step": "left"}"#, "integer"),
            (
                r#"{"transitions": {"state": 0, "action": 0}}"#,
                "does not support transition tables",
            ),
        ] {
            let r = reply(&mut s, line);
            let msg = r["error"]
                .as_str()
                .unwrap_or_else(|| panic!("no error for {line}: {r}"));
            assert!(msg.contains(needle), "{line}: {msg}");
        }
        assert!(reply(&mut s, r#"{"reset": null}"#).get("obs").is_some());
    }

    #[test]
    fn elapsed_on_an_env_without_time_limit_is_refused_before_changing_state() {
        let mut s = session("CliffWalking-v1", Params::new());
        reply(&mut s, r#"{"reset": {"seed": 0}}"#);
        let r = reply(&mut s, r#"{"set_state": [5], "elapsed": 3}"#);
        assert!(r["error"].as_str().unwrap().contains("step counter"), "{r}");
        assert_eq!(s.env().state(), vec![36.0]);
    }
}
