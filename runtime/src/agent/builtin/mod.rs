//! Agent kinds usable from a config without writing Rust.

mod bdi;
mod bdi_env;
mod bdi_world;
mod contract_net;
mod echo;
mod pinger;
mod registry;

pub use bdi::{BdiAgent, BdiSettings};
pub use bdi_env::{BdiEnvSettings, QSettings};
pub use bdi_world::{WORLDS, WorldSeat};
pub use contract_net::{ContractNetManager, ContractNetWorker, ManagerSettings};
pub use echo::Echo;
pub use pinger::{Pinger, PingerSettings};
pub use registry::{AgentRegistry, KindBuilder};
