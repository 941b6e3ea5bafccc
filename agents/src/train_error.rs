//! The error type of the learners: bad hyperparameters, an env that does not
//! fit the algorithm, non-finite losses, corrupt or mismatched checkpoints.
//!
//! Every message names what failed (the hyperparameter key, the tensor, the
//! checkpoint section) so the runtime can show it to the user as it is.

use thiserror::Error;

use crate::EnvError;

/// What went wrong while building, stepping, saving or loading a learner.
#[derive(Debug, Error)]
pub enum TrainError {
    /// A hyperparameter out of range; `key` is its name in the TOML section.
    #[error("hyperparameter `{key}`: {reason}")]
    Config {
        /// The key, as written in the config.
        key: String,
        /// What was expected, with the value given.
        reason: String,
    },

    /// The env's spaces do not fit the algorithm (e.g. DQN on a Box action space).
    #[error("{algorithm} cannot train on `{env}`: {reason}")]
    UnsupportedEnv {
        /// The algorithm.
        algorithm: &'static str,
        /// The env id.
        env: String,
        /// Which space does not fit and what is needed.
        reason: String,
    },

    /// A batch handed to the learner does not have the shape it was built for.
    #[error("batch shape: {0}")]
    BatchShape(String),

    /// A loss, gradient or value became NaN or infinite.
    #[error("non-finite {what} ({value}) at step {step}; the update was not applied")]
    NonFinite {
        /// Which quantity.
        what: &'static str,
        /// Its value.
        value: f64,
        /// The global env step.
        step: u64,
    },

    /// A checkpoint part that could not be decoded.
    #[error("corrupt checkpoint: cannot decode {part}: {reason}")]
    CorruptCheckpoint {
        /// Which part (header, section name, tensor name…).
        part: String,
        /// The decoder's complaint.
        reason: String,
    },

    /// A checkpoint of another algorithm, env or network layout.
    #[error("checkpoint does not fit this learner: {0}")]
    CheckpointMismatch(String),

    /// A tensor whose shape differs between the checkpoint and the network.
    #[error(
        "tensor `{tensor}` has shape {checkpoint:?} in the checkpoint but {model:?} in the network"
    )]
    ShapeMismatch {
        /// The tensor name.
        tensor: String,
        /// Its shape in the checkpoint.
        checkpoint: Vec<usize>,
        /// Its shape in the network being loaded.
        model: Vec<usize>,
    },

    /// A tensor the network needs is missing from the checkpoint.
    #[error("tensor `{0}` is missing from the checkpoint")]
    MissingTensor(String),

    /// An environment error while stepping.
    #[error(transparent)]
    Env(#[from] EnvError),

    /// A tensor operation failed (candle).
    #[error("tensor operation failed: {0}")]
    Tensor(#[from] candle_core::Error),
}

impl TrainError {
    /// A [`TrainError::Config`] for `key`.
    pub fn config(key: &str, reason: impl Into<String>) -> Self {
        Self::Config {
            key: key.to_string(),
            reason: reason.into(),
        }
    }

    /// `value`, or a [`TrainError::NonFinite`] for `what` at `step` when
    /// it is NaN or infinite.
    pub fn check_finite(what: &'static str, value: f64, step: u64) -> Result<f64, Self> {
        if value.is_finite() {
            Ok(value)
        } else {
            Err(Self::NonFinite { what, value, step })
        }
    }

    /// A [`TrainError::CorruptCheckpoint`] for `part`.
    pub fn corrupt(part: impl Into<String>, reason: impl ToString) -> Self {
        Self::CorruptCheckpoint {
            part: part.into(),
            reason: reason.to_string(),
        }
    }
}
