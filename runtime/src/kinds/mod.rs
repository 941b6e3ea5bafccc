//! The catalogue of agent kinds: each kind owns its settings, their checks
//! and how its agents are built ([`AgentKind`]); the [`AgentRegistry`] finds
//! them by the name a config gives.
//!
//! Built in: `echo`, `pinger`, `contract-net-manager`, `contract-net-worker`,
//! `bdi` (AgentSpeak) and `learner` (set up by `[learner]` and `[env]`).

mod bdi;
mod bdi_env;
mod bdi_kind;
mod bdi_world;
mod contract_net;
mod echo;
mod kind;
mod learner;
mod pinger;
mod registry;
mod report;

pub use bdi::{BdiAgent, BdiSettings};
pub use bdi_env::{BdiEnvSettings, QSettings};
pub use bdi_kind::{BdiEntry, BdiLimits};
pub use bdi_world::{WORLDS, WorldSeat};
pub use contract_net::{
    ContractNetManager, ContractNetReport, ContractNetWorker, ManagerSettings, RoundResult,
    WorkerSettings,
};
pub use echo::Echo;
pub use kind::{AgentKind, BuildContext, KindError, KindSettings, RegisteredKind};
pub use learner::{LEARNER, LearnerPlan};
pub use pinger::{Pinger, PingerReport, PingerSettings, RoundTrips};
pub use registry::{AgentRegistry, NoSettings};
pub use report::KindReport;
