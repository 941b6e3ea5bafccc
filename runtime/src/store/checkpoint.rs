//! What a checkpoint is in the store: its bytes and the facts about them.

use serde::{Deserialize, Serialize};

/// Facts about one saved checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    /// Run it belongs to.
    pub run: String,
    /// Agent that saved it.
    pub agent: String,
    /// 1, 2, 3, … per (run, agent).
    pub sequence: u64,
    /// Seconds since the Unix epoch.
    pub created_at: f64,
    /// Size of the bytes.
    pub size: u64,
    /// Tag given when it was saved, e.g. `best`.
    #[serde(default)]
    pub tag: Option<String>,
    /// CRC-32C of the bytes, checked on every load (absent in checkpoints
    /// saved before it was kept).
    #[serde(default)]
    pub crc32c: Option<u32>,
    /// It holds what playing the policy needs, not what only training
    /// needs (a DQN `best` without its replay buffer): eval and warm start
    /// load it, resuming and restarting skip it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub policy_only: bool,
}

/// A checkpoint as loaded: facts and bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Facts about it.
    pub meta: CheckpointMeta,
    /// The agent's saved state.
    pub bytes: Vec<u8>,
}

/// Which checkpoint of an agent to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointSelector {
    /// The most recent one.
    Latest,
    /// The most recent one a run can resume from (not policy-only).
    LatestResumable,
    /// The one a tag points at (`best`).
    Tag(String),
    /// A given sequence number.
    Sequence(u64),
}

/// A checkpoint to save, borrowed from its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewCheckpoint<'a> {
    /// Run it belongs to.
    pub run: &'a str,
    /// Agent that saves it.
    pub agent: &'a str,
    /// The agent's state.
    pub bytes: &'a [u8],
    /// Optional tag such as `best`.
    pub tag: Option<&'a str>,
    /// Playing needs it, resuming cannot use it ([`CheckpointMeta::policy_only`]).
    pub policy_only: bool,
}

impl std::fmt::Display for CheckpointSelector {
    /// As a user writes it after `RUN:`: `latest`, the tag, or `#N`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Latest => f.write_str("latest"),
            Self::LatestResumable => f.write_str("latest resumable"),
            Self::Tag(tag) => write!(f, "`{tag}`"),
            Self::Sequence(n) => write!(f, "#{n}"),
        }
    }
}
