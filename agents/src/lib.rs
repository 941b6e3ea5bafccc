//! Environments and learners for Agora.
//!
//! This crate is pure compute: environments with Gymnasium 1.x semantics
//! (seeded episodes included: `reset(Some(seed))` draws what Gymnasium draws), a
//! vectorized [`VecEnv`], wrappers, the `agora env trace` protocol, and the
//! learners (tabular Q-learning and SARSA, DQN and PPO on candle). It knows nothing of actors, threads, MQTT or files;
//! the runtime (`agora-runtime`) shards environments across threads and hosts
//! learners as agents.
//!
//! ```
//! use agora_agents::{Action, ActionBatch, AutoresetMode, Batch, Params, make, make_vec};
//!
//! // One env, Gymnasium style.
//! let mut env = make("FrozenLake-v1", &Params::new().with("is_slippery", false))?;
//! let (obs, _info) = env.reset(Some(42));
//! assert_eq!(obs, vec![0.0]);
//! let step = env.step(Action::Discrete(2))?; // right
//! assert_eq!((step.obs[0], step.reward, step.terminated), (1.0, 0.0, false));
//!
//! // A batch of 8 CartPoles (global indices 0..8), stepped in place.
//! let mut envs = make_vec("CartPole-v1", &Params::new(), 0..8, AutoresetMode::NextStep)?;
//! let mut batch = Batch::new(8, envs.obs_dim());
//! envs.reset(Some(0), batch.view_mut())?;
//! let transitions = envs.step(ActionBatch::Discrete(&[1; 8]), batch.view_mut())?;
//! assert_eq!(transitions, 8);
//! assert_eq!(batch.rewards, vec![1.0; 8]);
//! # Ok::<(), agora_agents::EnvError>(())
//! ```
//!
//! # Layout
//!
//! | module | owns |
//! | --- | --- |
//! | [`env`](mod@env) | the [`Env`] trait and the built-in environments |
//! | [`space`] | [`Space`]: Discrete, Box, MultiDiscrete |
//! | [`space_sampler`] | [`SpaceSampler`]: seeded `space.sample()` as Gymnasium draws it |
//! | [`action`] | [`Action`] and [`ActionBatch`] |
//! | [`vec_env`] | [`VecEnv`], autoreset modes, the object-safe [`VectorEnv`] |
//! | [`batch`] | the struct-of-arrays step buffers and shard views |
//! | [`wrappers`] | time limit, action repeat, episode statistics |
//! | [`registry`] | ids → envs ([`make`], [`make_vec`]) |
//! | [`params`] | [`Params`]: `make()` keyword arguments |
//! | [`trace`] | the `agora env trace` JSON-lines protocol |
//! | [`render`] | RGB [`Frame`](render::Frame)s and drawing primitives |
//! | [`rng`] | the learners' [`Rng`] (xoshiro256++) |
//! | [`numpy_rng`] | numpy's `default_rng`: SeedSequence, PCG64, the draws Gymnasium's envs and spaces make |
//! | [`learners`] | tabular Q-learning/SARSA, DQN, PPO; the [`Trainer`](learners::Trainer) trait, checkpoints, evaluation |
//! | [`nn`] | candle networks, Adam, gradient clipping, categorical, init, threads |
//! | [`policy`] | epsilon-greedy exploration and schedules |
//! | [`replay`] | the replay buffer |
#![warn(missing_docs)]

pub mod action;
mod autoreset;
pub mod batch;
mod batch_episodes;
pub mod env;
mod episode_stats;
mod error;
pub mod learners;
pub mod nn;
pub mod numpy_rng;
pub mod params;
pub mod policy;
pub mod random_actions;
pub mod registry;
pub mod render;
pub mod replay;
pub mod rng;
pub mod space;
pub mod space_sampler;
pub mod trace;
mod train_error;
pub mod vec_env;
pub mod wrappers;

pub use action::{Action, ActionBatch};
pub use autoreset::AutoresetMode;
pub use batch::{Batch, BatchMut, shard_ranges};
pub use env::snapshot::{EnvSnapshot, VecEnvSnapshot};
pub use env::{Env, Info, Step, StepResult, Transition};
pub use error::EnvError;
pub use params::Params;
pub use random_actions::RandomActions;
pub use registry::{make, make_vec};
pub use rng::Rng;
pub use space::Space;
pub use space_sampler::SpaceSampler;
pub use trace::TraceSession;
pub use vec_env::{VecEnv, VectorEnv};
