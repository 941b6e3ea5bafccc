//! Environment and Q-table actions for `bdi` agents, the SPADE-BDI way of
//! learning: the AgentSpeak program drives the episodes, Rust does the
//! stepping and the table.
//!
//! | call | kind | what |
//! | --- | --- | --- |
//! | `.env_reset(S)` | function | resets the env; `S` is the start state |
//! | `.env_step(A, step(S2, R, Done))` | function | takes action `A`; `Done` is `true`/`false` |
//! | `.q_action(S, A)` | function | epsilon-greedy action in `S` |
//! | `.q_best(S, A)` | function | greedy action in `S` |
//! | `.q_update(S, A, R, S2, Done)` | action | the Q-learning update |
//! | `.q_episode_done` | action | decays epsilon (once per episode) |
//! | `.q_epsilon(E)` | function | the exploration rate in force |
//!
//! The table and epsilon are part of the agent's checkpoint, so a restarted
//! or resumed agent continues with what it learned.

use std::sync::{Arc, Mutex, MutexGuard};

use agora_agents::learners::q_function::QFunction;
use agora_agents::{Action, Env, Params, Rng, Space, make};
use agora_bdi::{ActionError, ActionRegistry, Term};
use serde::{Deserialize, Serialize};

/// The env and Q-learning settings of a `bdi` agent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QSettings {
    /// Learning rate (alpha).
    pub learning_rate: f64,
    /// Discount (gamma).
    pub gamma: f64,
    /// Exploration rate at the start.
    pub epsilon_start: f64,
    /// Factor applied to epsilon after each episode.
    pub epsilon_decay: f64,
    /// Lowest exploration rate.
    pub epsilon_min: f64,
}

impl Default for QSettings {
    fn default() -> Self {
        Self {
            learning_rate: 0.1,
            gamma: 0.99,
            epsilon_start: 1.0,
            epsilon_decay: 0.9995,
            epsilon_min: 0.0,
        }
    }
}

/// An env for a `bdi` agent: id, parameters, Q settings, seed.
#[derive(Debug, Clone)]
pub struct BdiEnvSettings {
    /// Env id (discrete observations and actions).
    pub id: String,
    /// `make()` parameters.
    pub params: Params,
    /// Q-learning settings.
    pub q: QSettings,
    /// Seed of the env and of exploration.
    pub seed: u64,
}

/// What a checkpoint keeps of the learning.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QProgress {
    table: QFunction,
    epsilon: f64,
    episodes: u64,
}

/// The env, the table and exploration of one agent.
pub struct BdiEnvState {
    env: Box<dyn Env>,
    progress: QProgress,
    settings: QSettings,
    rng: Rng,
    seed: Option<u64>,
}

/// Shared between the agent (for checkpoints) and its actions.
pub type SharedEnvState = Arc<Mutex<BdiEnvState>>;

fn lock(state: &SharedEnvState) -> MutexGuard<'_, BdiEnvState> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl BdiEnvSettings {
    /// Checks the env (discrete states and actions) and the settings.
    pub fn check(&self) -> Result<(), String> {
        self.state().map(|_| ())
    }

    fn state(&self) -> Result<BdiEnvState, String> {
        let env = make(&self.id, &self.params).map_err(|e| e.to_string())?;
        let (Space::Discrete { n: states }, Space::Discrete { n: actions }) =
            (env.observation_space(), env.action_space())
        else {
            return Err(format!(
                "`{}` needs discrete observations and actions for a Q-table",
                self.id
            ));
        };
        let q = &self.q;
        if !(q.learning_rate > 0.0 && q.learning_rate <= 1.0) {
            return Err(format!(
                "q_learning.learning_rate must be in (0, 1], got {}",
                q.learning_rate
            ));
        }
        if !(0.0..=1.0).contains(&q.gamma)
            || !(0.0..=1.0).contains(&q.epsilon_start)
            || !(0.0..=1.0).contains(&q.epsilon_decay)
        {
            return Err(
                "q_learning.gamma, epsilon_start and epsilon_decay must be in [0, 1]".into(),
            );
        }
        let table = QFunction::new(
            *states as usize,
            *actions as usize,
            q.learning_rate,
            q.gamma,
        );
        Ok(BdiEnvState {
            env,
            progress: QProgress {
                table,
                epsilon: q.epsilon_start,
                episodes: 0,
            },
            settings: q.clone(),
            rng: Rng::seed_from_u64(self.seed ^ 0x5151),
            seed: Some(self.seed),
        })
    }

    /// A fresh state and `base` extended with the actions bound to it.
    pub fn bind(&self, base: &ActionRegistry) -> Result<(ActionRegistry, SharedEnvState), String> {
        let state: SharedEnvState = Arc::new(Mutex::new(self.state()?));
        let mut actions = base.clone();
        let s = state.clone();
        actions.add_function(".env_reset", 0, move |_| {
            let mut st = lock(&s);
            let seed = st.seed.take();
            let (obs, _) = st.env.reset(seed);
            Ok(Term::Int(obs.first().copied().unwrap_or(0.0) as i64))
        });
        let s = state.clone();
        actions.add_function(".env_step", 1, move |args| {
            let action = index(&args[0], "action")?;
            let mut st = lock(&s);
            let step = st
                .env
                .step(Action::Discrete(action as i64))
                .map_err(|e| ActionError::Custom(e.to_string()))?;
            let done = step.terminated || step.truncated;
            Ok(Term::structure(
                agora_bdi::Symbol::intern("step"),
                vec![
                    Term::Int(step.obs.first().copied().unwrap_or(0.0) as i64),
                    Term::Float(step.reward),
                    Term::atom(if done { "true" } else { "false" }),
                ],
                Vec::new(),
            ))
        });
        let s = state.clone();
        actions.add_function(".q_action", 1, move |args| {
            let state_index = index(&args[0], "state")?;
            let mut st = lock(&s);
            let BdiEnvState { progress, rng, .. } = &mut *st;
            let a = progress
                .table
                .epsilon_greedy(state_index, progress.epsilon, rng)
                .ok_or_else(|| out_of_table(state_index))?;
            Ok(Term::Int(a as i64))
        });
        let s = state.clone();
        actions.add_function(".q_best", 1, move |args| {
            let state_index = index(&args[0], "state")?;
            let a = lock(&s)
                .progress
                .table
                .greedy(state_index)
                .ok_or_else(|| out_of_table(state_index))?;
            Ok(Term::Int(a as i64))
        });
        let s = state.clone();
        actions.add_action(".q_update", 5, move |args| {
            let (from, action, next) = (
                index(&args[0], "state")?,
                index(&args[1], "action")?,
                index(&args[3], "next state")?,
            );
            let reward = args[2].as_f64().ok_or_else(|| {
                ActionError::Custom(format!("reward `{}` is not a number", args[2]))
            })?;
            let terminal = args[4].to_string() == "true";
            Ok(lock(&s)
                .progress
                .table
                .update(from, action, reward, next, terminal)
                .is_some())
        });
        let s = state.clone();
        actions.add_action(".q_episode_done", 0, move |_| {
            let mut st = lock(&s);
            let settings = st.settings.clone();
            st.progress.epsilon =
                (st.progress.epsilon * settings.epsilon_decay).max(settings.epsilon_min);
            st.progress.episodes += 1;
            Ok(true)
        });
        let s = state.clone();
        actions.add_function(".q_epsilon", 0, move |_| {
            Ok(Term::Float(lock(&s).progress.epsilon))
        });
        Ok((actions, state))
    }
}

/// What a checkpoint keeps of `state`.
pub fn save(state: &SharedEnvState) -> QProgress {
    lock(state).progress.clone()
}

/// Puts checkpointed progress back, if its table fits.
pub fn restore(state: &SharedEnvState, progress: QProgress) -> Result<(), String> {
    let mut st = lock(state);
    let fits = progress.table.n_states() == st.progress.table.n_states()
        && progress.table.n_actions() == st.progress.table.n_actions();
    if !fits {
        return Err(format!(
            "the checkpoint's Q-table is {}x{}, this env's {}x{}",
            progress.table.n_states(),
            progress.table.n_actions(),
            st.progress.table.n_states(),
            st.progress.table.n_actions()
        ));
    }
    st.progress = progress;
    Ok(())
}

fn index(term: &Term, what: &str) -> Result<usize, ActionError> {
    match term {
        Term::Int(i) if *i >= 0 => Ok(*i as usize),
        other => Err(ActionError::Custom(format!(
            "{what} `{other}` is not a non-negative integer"
        ))),
    }
}

fn out_of_table(state: usize) -> ActionError {
    ActionError::Custom(format!("state {state} is outside the Q-table"))
}
