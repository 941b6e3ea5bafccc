//! The error type of every fallible environment operation.
//!
//! One enum for the whole crate's env side: construction from an id and
//! parameters, stepping with a bad action, batch-shape mismatches and the
//! trace protocol's state handling all report through [`EnvError`], so the
//! runtime and the CLI can show the message as is.

use thiserror::Error;

/// What went wrong when building, stepping or inspecting an environment.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EnvError {
    /// The id is not registered; `known` lists every id that is.
    #[error("unknown environment id `{id}`; known ids: {}", known.join(", "))]
    UnknownId {
        /// The id that was asked for.
        id: String,
        /// Every registered id, in registry order.
        known: Vec<String>,
    },

    /// A `make()` parameter the environment does not take.
    #[error("`{id}` has no parameter `{key}`; it accepts: {}", if accepted.is_empty() { "no parameters".to_string() } else { accepted.join(", ") })]
    UnknownParam {
        /// The environment id.
        id: String,
        /// The parameter name that was given.
        key: String,
        /// The parameter names the environment accepts.
        accepted: Vec<String>,
    },

    /// A parameter value that could not be parsed or is out of range.
    #[error("parameter `{key}`: {reason} (got `{value}`)")]
    InvalidParam {
        /// The parameter name.
        key: String,
        /// The raw value as given.
        value: String,
        /// What was expected.
        reason: String,
    },

    /// A custom map (FrozenLake `desc`, a grid-world layout) that cannot be used.
    #[error("invalid map: {0}")]
    InvalidMap(String),

    /// An action that is not an element of the action space.
    #[error("action {action} is outside the action space {space}")]
    InvalidAction {
        /// The offending action, formatted.
        action: String,
        /// The action space, formatted.
        space: String,
    },

    /// A batch of actions whose length does not match the number of envs.
    #[error("action batch has {got} values, expected {expected} ({num_envs} envs)")]
    ActionBatchLength {
        /// Values received.
        got: usize,
        /// Values expected (`num_envs` times the per-env action length).
        expected: usize,
        /// Number of environments in the batch.
        num_envs: usize,
    },

    /// An output buffer whose length does not match the batch.
    #[error("output buffer `{buffer}` has length {got}, expected {expected}")]
    BufferLength {
        /// Which buffer.
        buffer: &'static str,
        /// Its length.
        got: usize,
        /// The length the batch needs.
        expected: usize,
    },

    /// `step` was called before the first `reset`.
    #[error("the environment must be reset before it is stepped")]
    ResetNeeded,

    /// A state vector (trace `set_state`) that does not fit the environment.
    #[error("invalid state: {0}")]
    InvalidState(String),

    /// The operation needs a feature the environment does not have, e.g.
    /// transition tables on a continuous env or a step counter on an env
    /// without a time limit.
    #[error("`{env}` does not support {what}")]
    Unsupported {
        /// The environment id.
        env: String,
        /// The missing capability.
        what: &'static str,
    },

    /// An invalid VecEnv or grid-world configuration (zero envs, an empty range…).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
}
