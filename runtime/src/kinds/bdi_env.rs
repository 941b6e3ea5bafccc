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

/// Why a `bdi` agent's env or Q-table cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum BdiEnvError {
    /// The env id or its parameters are not usable.
    #[error(transparent)]
    Env(#[from] agora_agents::EnvError),
    /// A Q-table needs discrete observations and actions.
    #[error("`{id}` needs discrete observations and actions for a Q-table")]
    NotDiscrete {
        /// The env id.
        id: String,
    },
    /// `q_learning.learning_rate` outside (0, 1].
    #[error("q_learning.learning_rate must be in (0, 1], got {0}")]
    LearningRate(f64),
    /// `gamma`, `epsilon_start` or `epsilon_decay` outside [0, 1].
    #[error("q_learning.gamma, epsilon_start and epsilon_decay must be in [0, 1]")]
    Rate,
    /// A checkpoint's table does not fit this env.
    #[error(
        "the checkpoint's Q-table is {saved_states}x{saved_actions}, this env's {states}x{actions}"
    )]
    TableShape {
        /// The checkpoint's states.
        saved_states: usize,
        /// The checkpoint's actions.
        saved_actions: usize,
        /// This env's states.
        states: usize,
        /// This env's actions.
        actions: usize,
    },
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
    pub fn check(&self) -> Result<(), BdiEnvError> {
        self.state().map(|_| ())
    }

    fn state(&self) -> Result<BdiEnvState, BdiEnvError> {
        let env = make(&self.id, &self.params)?;
        let (Space::Discrete { n: states }, Space::Discrete { n: actions }) =
            (env.observation_space(), env.action_space())
        else {
            return Err(BdiEnvError::NotDiscrete {
                id: self.id.clone(),
            });
        };
        let q = &self.q;
        if !(q.learning_rate > 0.0 && q.learning_rate <= 1.0) {
            return Err(BdiEnvError::LearningRate(q.learning_rate));
        }
        if !(0.0..=1.0).contains(&q.gamma)
            || !(0.0..=1.0).contains(&q.epsilon_start)
            || !(0.0..=1.0).contains(&q.epsilon_decay)
        {
            return Err(BdiEnvError::Rate);
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
    pub fn bind(
        &self,
        base: &ActionRegistry,
    ) -> Result<(ActionRegistry, SharedEnvState), BdiEnvError> {
        let state: SharedEnvState = Arc::new(Mutex::new(self.state()?));
        let mut actions = base.clone();
        add_env_actions(&mut actions, &state);
        add_q_actions(&mut actions, &state);
        Ok((actions, state))
    }
}

/// `.env_reset` and `.env_step`, on the agent's env.
fn add_env_actions(actions: &mut ActionRegistry, state: &SharedEnvState) {
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
}

/// `.q_action`, `.q_best`, `.q_update`, `.q_episode_done`, `.q_epsilon`, on
/// the agent's Q-table.
fn add_q_actions(actions: &mut ActionRegistry, state: &SharedEnvState) {
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
        let reward = args[2]
            .as_f64()
            .ok_or_else(|| ActionError::Custom(format!("reward `{}` is not a number", args[2])))?;
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
}

/// What a checkpoint keeps of `state`.
pub fn save(state: &SharedEnvState) -> QProgress {
    lock(state).progress.clone()
}

/// Puts checkpointed progress back, if its table fits.
pub fn restore(state: &SharedEnvState, progress: QProgress) -> Result<(), BdiEnvError> {
    let mut st = lock(state);
    let fits = progress.table.n_states() == st.progress.table.n_states()
        && progress.table.n_actions() == st.progress.table.n_actions();
    if !fits {
        return Err(BdiEnvError::TableShape {
            saved_states: progress.table.n_states(),
            saved_actions: progress.table.n_actions(),
            states: st.progress.table.n_states(),
            actions: st.progress.table.n_actions(),
        });
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
