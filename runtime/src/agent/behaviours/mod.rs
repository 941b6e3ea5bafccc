//! SPADE's behaviour kinds: one-shot, cyclic, periodic, timeout and
//! finite-state machine.

mod cyclic;
mod fsm;
mod one_shot;
mod periodic;
mod timeout;

pub use cyclic::Cyclic;
pub use fsm::{Fsm, FsmBuilder, FsmError, FsmState, StateStep};
pub use one_shot::OneShot;
pub use periodic::Periodic;
pub use timeout::Timeout;
