//! One env shard: a slice of a vectorized environment stepped on its own
//! thread (one `SyncArbiter` of one thread per shard, so a stateful env is
//! always stepped by the same thread and never shares a queue).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix::prelude::*;
use agora_agents::{ActionBatch, Batch, EnvError, VectorEnv};

/// Actions for one shard, owned so they can travel to its thread and back.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedActions {
    /// One index per env.
    Discrete(Vec<i64>),
    /// `dim` floats per env.
    Box(Vec<f32>),
    /// `dim` indices per env.
    MultiDiscrete(Vec<i64>),
}

impl OwnedActions {
    /// Borrowed view, as the env batch takes it.
    pub fn as_batch(&self) -> ActionBatch<'_> {
        match self {
            OwnedActions::Discrete(v) => ActionBatch::Discrete(v),
            OwnedActions::Box(v) => ActionBatch::Box(v),
            OwnedActions::MultiDiscrete(v) => ActionBatch::MultiDiscrete(v),
        }
    }

    /// Copies `actions` into this buffer, reusing its allocation.
    pub fn copy_from(&mut self, actions: ActionBatch<'_>) {
        match (self, actions) {
            (OwnedActions::Discrete(own), ActionBatch::Discrete(new))
            | (OwnedActions::MultiDiscrete(own), ActionBatch::MultiDiscrete(new)) => {
                own.clear();
                own.extend_from_slice(new);
            }
            (OwnedActions::Box(own), ActionBatch::Box(new)) => {
                own.clear();
                own.extend_from_slice(new);
            }
            (own, new) => *own = OwnedActions::from(new),
        }
    }
}

impl From<ActionBatch<'_>> for OwnedActions {
    fn from(actions: ActionBatch<'_>) -> Self {
        match actions {
            ActionBatch::Discrete(v) => OwnedActions::Discrete(v.to_vec()),
            ActionBatch::Box(v) => OwnedActions::Box(v.to_vec()),
            ActionBatch::MultiDiscrete(v) => OwnedActions::MultiDiscrete(v.to_vec()),
        }
    }
}

/// Owns one shard's envs on its thread.
pub struct EnvShard {
    envs: Option<Box<dyn VectorEnv>>,
}

impl EnvShard {
    /// Starts a shard on a thread of its own.
    pub fn start(envs: Box<dyn VectorEnv>) -> Addr<EnvShard> {
        // SyncArbiter wants a factory it may call again (it does after an
        // actor stops itself, which a shard never does); the envs move in once.
        let slot = Mutex::new(Some(envs));
        SyncArbiter::start(1, move || EnvShard {
            envs: slot.lock().unwrap_or_else(|p| p.into_inner()).take(),
        })
    }

    fn envs(&mut self) -> Result<&mut Box<dyn VectorEnv>, EnvError> {
        self.envs
            .as_mut()
            .ok_or_else(|| EnvError::InvalidConfig("this env shard has lost its envs".into()))
    }
}

impl Actor for EnvShard {
    type Context = SyncContext<Self>;
}

/// Step every env of the shard once.
#[derive(Debug, Message)]
#[rtype(result = "Result<Stepped, ShardError>")]
pub struct StepShard {
    /// The shard's actions (given back in the answer for reuse).
    pub actions: OwnedActions,
    /// The shard's step buffers (given back filled).
    pub buffer: Batch,
}

/// Reset every env of the shard.
#[derive(Debug, Message)]
#[rtype(result = "Result<Stepped, ShardError>")]
pub struct ResetShard {
    /// Seed of the whole batch; env `i` gets `seed + i` (global index).
    pub seed: Option<u64>,
    /// The shard's actions buffer, passed through.
    pub actions: OwnedActions,
    /// The shard's buffers.
    pub buffer: Batch,
}

/// A shard's answer: the filled buffers and how long stepping took inside.
#[derive(Debug)]
pub struct Stepped {
    /// The actions buffer, for reuse.
    pub actions: OwnedActions,
    /// Filled step buffers.
    pub buffer: Batch,
    /// Real transitions (autoreset-only slots not counted).
    pub transitions: usize,
    /// Time spent stepping on the shard's thread.
    pub compute: Duration,
}

/// A shard refused a request; the buffers are given back.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ShardError {
    /// What went wrong.
    pub error: EnvError,
    /// The actions buffer, given back.
    pub actions: OwnedActions,
    /// The step buffers, given back.
    pub buffer: Batch,
}

impl Handler<StepShard> for EnvShard {
    type Result = Result<Stepped, ShardError>;

    fn handle(&mut self, msg: StepShard, _: &mut Self::Context) -> Self::Result {
        let StepShard {
            actions,
            mut buffer,
        } = msg;
        let started = Instant::now();
        match self
            .envs()
            .and_then(|envs| envs.step(actions.as_batch(), buffer.view_mut()))
        {
            Ok(transitions) => Ok(Stepped {
                actions,
                buffer,
                transitions,
                compute: started.elapsed(),
            }),
            Err(error) => Err(ShardError {
                error,
                actions,
                buffer,
            }),
        }
    }
}

impl Handler<ResetShard> for EnvShard {
    type Result = Result<Stepped, ShardError>;

    fn handle(&mut self, msg: ResetShard, _: &mut Self::Context) -> Self::Result {
        let ResetShard {
            seed,
            actions,
            mut buffer,
        } = msg;
        let started = Instant::now();
        match self
            .envs()
            .and_then(|envs| envs.reset(seed, buffer.view_mut()))
        {
            Ok(()) => Ok(Stepped {
                actions,
                buffer,
                transitions: 0,
                compute: started.elapsed(),
            }),
            Err(error) => Err(ShardError {
                error,
                actions,
                buffer,
            }),
        }
    }
}

/// Takes a snapshot of the shard's envs (for a checkpoint).
#[derive(Debug, Message)]
#[rtype(result = "Result<agora_agents::VecEnvSnapshot, EnvError>")]
pub struct SnapshotShard;

impl Handler<SnapshotShard> for EnvShard {
    type Result = Result<agora_agents::VecEnvSnapshot, EnvError>;

    fn handle(&mut self, _: SnapshotShard, _: &mut Self::Context) -> Self::Result {
        self.envs()?.snapshot()
    }
}

/// Puts a snapshot back into the shard's envs (resuming a checkpoint).
#[derive(Debug, Message)]
#[rtype(result = "Result<(), EnvError>")]
pub struct RestoreShard(pub agora_agents::VecEnvSnapshot);

impl Handler<RestoreShard> for EnvShard {
    type Result = Result<(), EnvError>;

    fn handle(
        &mut self,
        RestoreShard(snapshot): RestoreShard,
        _: &mut Self::Context,
    ) -> Self::Result {
        self.envs()?.restore(&snapshot)
    }
}
