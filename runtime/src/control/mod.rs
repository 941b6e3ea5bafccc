//! Run control: commands on `runs/{run}/control` (pause, resume, stop,
//! checkpoint, visual on/off, speed), answered on the run's status topic,
//! carried to every agent through the supervisor.

mod actor;
mod command;

pub use crate::agent::AgentControl;
pub use actor::{ControlInbound, RunControl, subscribe_control};
pub use command::{Command, CommandError, Request};
