//! [`TabularEnv`]: the one [`Env`] implementation of the toy-text envs.
//!
//! FrozenLake, Taxi and CliffWalking step the same way: draw `u ~ U[0, 1)`,
//! take the outcome of `P[s][a]` it selects (see [`tabular`]), remember the
//! action and its probability for `info` and rendering. What differs (the
//! map, the table, the board, Taxi's fickle passenger) is a
//! [`TabularRules`] value the env carries. The random draws happen in
//! Gymnasium's order: one for the start state at reset, one per step, and
//! whatever the rules draw after those.
//!
//! Snapshot values: `[s, last_action or -1, last_prob, ready]`, then the
//! rules' own values.
//!
//! [`tabular`]: crate::env::tabular

use std::fmt;
use std::sync::Arc;

use crate::env::env_rng::EnvRng;
use crate::env::snapshot::{EnvSnapshot, as_bool, as_opt_u32, as_u32, opt_u32};
use crate::env::tabular::{TabularModel, Transition};
use crate::env::{Env, Info, StepResult, check_state, discrete_action};
use crate::render::Frame;
use crate::{Action, EnvError, Space};

/// Snapshot values every tabular env writes before its rules' own.
const COMMON_SNAPSHOT_VALUES: usize = 4;

/// What one toy-text env adds to its transition table.
pub trait TabularRules: Clone + fmt::Debug + Send {
    /// How many values [`snapshot_values`](TabularRules::snapshot_values) appends.
    const SNAPSHOT_VALUES: usize = 0;

    /// The state reported before the first reset.
    fn state_before_reset(&self) -> u32 {
        0
    }

    /// Runs at reset after the start state `s` was drawn; may draw from `rng`.
    fn on_reset(&mut self, _s: u32, _rng: &mut EnvRng) {}

    /// The state the env moves to when the table sent it from `from` to
    /// `to`; may draw from `rng` after the step's own draw.
    #[inline(always)]
    fn after_step(&mut self, _from: u32, to: u32, _rng: &mut EnvRng) -> u32 {
        to
    }

    /// `info.action_mask` in state `s`, for envs that report one.
    fn action_mask(&self, _s: u32) -> Option<Vec<u8>> {
        None
    }

    /// The text board with the agent in state `s`.
    fn render_text(&self, s: u32, last_action: Option<u32>) -> String;

    /// The picture with the agent in state `s`.
    fn render_rgb(&self, s: u32) -> Frame;

    /// The rules' own snapshot values.
    fn snapshot_values(&self) -> Vec<f64> {
        Vec::new()
    }

    /// Puts back [`snapshot_values`](TabularRules::snapshot_values); a bad
    /// value is an error and changes nothing.
    fn restore_values(&mut self, _values: &[f64]) -> Result<(), EnvError> {
        Ok(())
    }
}

/// A toy-text env: a shared transition model, the rules of one env, and
/// the position in an episode; see the module doc.
#[derive(Debug, Clone)]
pub struct TabularEnv<R> {
    id: &'static str,
    model: Arc<TabularModel>,
    rules: R,
    s: u32,
    last_action: Option<u32>,
    last_prob: f64,
    rng: EnvRng,
    ready: bool,
    observation_space: Space,
    action_space: Space,
}

impl<R: TabularRules> TabularEnv<R> {
    /// An env over `model` reported as `id`; it needs a reset before stepping.
    pub fn from_model(id: &'static str, model: TabularModel, rules: R) -> Self {
        Self {
            id,
            s: rules.state_before_reset(),
            observation_space: Space::Discrete {
                n: u64::from(model.n_states()),
            },
            action_space: Space::Discrete {
                n: u64::from(model.n_actions()),
            },
            model: Arc::new(model),
            rules,
            last_action: None,
            last_prob: 1.0,
            rng: EnvRng::default(),
            ready: false,
        }
    }

    /// The transition model (shared between clones).
    pub fn model(&self) -> &TabularModel {
        &self.model
    }

    /// The env's own rules, for its unit tests to reach into.
    #[cfg(test)]
    pub(crate) fn rules_mut(&mut self) -> &mut R {
        &mut self.rules
    }
}

impl<R: TabularRules> Env for TabularEnv<R> {
    fn id(&self) -> &str {
        self.id
    }

    fn observation_space(&self) -> &Space {
        &self.observation_space
    }

    fn action_space(&self) -> &Space {
        &self.action_space
    }

    fn obs_dim(&self) -> usize {
        1
    }

    fn reset_into(&mut self, seed: Option<u64>, obs: &mut [f32]) {
        self.rng.on_reset(seed);
        self.s = self.model.sample_initial(self.rng.random());
        self.last_action = None;
        self.last_prob = 1.0;
        self.rules.on_reset(self.s, &mut self.rng);
        self.ready = true;
        obs[0] = self.s as f32;
    }

    #[inline(always)]
    fn step_into(&mut self, action: Action<'_>, obs: &mut [f32]) -> Result<StepResult, EnvError> {
        let n_actions = u64::from(self.model.n_actions());
        let a = discrete_action(action, n_actions, &self.action_space)? as u32;
        if !self.ready {
            return Err(EnvError::ResetNeeded);
        }
        let t = *self.model.sample(self.s, a, self.rng.random());
        self.s = self.rules.after_step(self.s, t.next_state, &mut self.rng);
        self.last_action = Some(a);
        self.last_prob = t.prob;
        obs[0] = self.s as f32;
        Ok(StepResult {
            reward: t.reward,
            terminated: t.terminated,
            truncated: false,
        })
    }

    fn observe_into(&self, obs: &mut [f32]) {
        obs[0] = self.s as f32;
    }

    fn info(&self) -> Info {
        Info {
            prob: Some(self.last_prob),
            action_mask: self.rules.action_mask(self.s),
            ..Info::default()
        }
    }

    fn render_text(&self) -> Option<String> {
        Some(self.rules.render_text(self.s, self.last_action))
    }

    fn render_rgb(&self) -> Frame {
        self.rules.render_rgb(self.s)
    }

    fn state(&self) -> Vec<f64> {
        vec![f64::from(self.s)]
    }

    fn set_state(&mut self, state: &[f64]) -> Result<(), EnvError> {
        self.s = tabular_state(state, self.model.n_states())?;
        self.ready = true;
        Ok(())
    }

    fn snapshot(&self) -> Result<EnvSnapshot, EnvError> {
        let mut v = vec![
            f64::from(self.s),
            opt_u32(self.last_action),
            self.last_prob,
            f64::from(u8::from(self.ready)),
        ];
        v.extend(self.rules.snapshot_values());
        Ok(EnvSnapshot::new(v, self.rng.clone()))
    }

    fn restore(&mut self, snapshot: &EnvSnapshot) -> Result<(), EnvError> {
        let v = snapshot.values_of(self.id, COMMON_SNAPSHOT_VALUES + R::SNAPSHOT_VALUES)?;
        let (common, own) = v.split_at(COMMON_SNAPSHOT_VALUES);
        let (s, last_action, last_prob, ready) =
            parse_common(common, self.model.n_states(), self.model.n_actions())?;
        self.rules.restore_values(own)?;
        (self.s, self.last_action, self.last_prob, self.ready) = (s, last_action, last_prob, ready);
        self.rng = snapshot.rng.clone();
        Ok(())
    }

    fn transitions(&self, state: u64, action: u64) -> Result<&[Transition], EnvError> {
        let model = &self.model;
        if state >= u64::from(model.n_states()) {
            return Err(EnvError::InvalidState(format!(
                "state {state} is not in 0..{}",
                model.n_states()
            )));
        }
        if action >= u64::from(model.n_actions()) {
            return Err(EnvError::InvalidAction {
                action: action.to_string(),
                space: format!("Discrete({})", model.n_actions()),
            });
        }
        Ok(model.outcomes(state as u32, action as u32))
    }
}

/// Parses a trace `set_state` value `[s]` for a model with `n` states.
fn tabular_state(state: &[f64], n: u32) -> Result<u32, EnvError> {
    check_state(state, 1, "[s]")?;
    let s = state[0];
    if s < 0.0 || s.fract() != 0.0 || s >= f64::from(n) {
        return Err(EnvError::InvalidState(format!(
            "state {s} is not an integer in 0..{n}"
        )));
    }
    Ok(s as u32)
}

/// Parses the common snapshot values for a model with `n_states` states
/// and `n_actions` actions.
fn parse_common(
    v: &[f64],
    n_states: u32,
    n_actions: u32,
) -> Result<(u32, Option<u32>, f64, bool), EnvError> {
    let s = as_u32(v[0], "s")?;
    if s >= n_states {
        return Err(EnvError::InvalidState(format!(
            "snapshot state {s} is not in 0..{n_states}"
        )));
    }
    let a = as_opt_u32(v[1], "last_action")?;
    if a.is_some_and(|a| a >= n_actions) {
        return Err(EnvError::InvalidState(format!(
            "snapshot last action {a:?} is not in 0..{n_actions}"
        )));
    }
    if !(0.0..=1.0).contains(&v[2]) {
        return Err(EnvError::InvalidState(format!(
            "snapshot transition probability {} is not in [0, 1]",
            v[2]
        )));
    }
    Ok((s, a, v[2], as_bool(v[3], "ready")?))
}
