//! What a running child is told by the run: pause, resume, checkpoint,
//! visual mode.

use actix::Message;

/// What one agent is asked to do by a control command.
#[derive(Debug, Clone, PartialEq, Message)]
#[rtype(result = "Result<(), String>")]
pub enum AgentControl {
    /// Stop between steps (learners) or between messages (other agents);
    /// nothing is lost.
    Pause,
    /// Continue where it paused.
    Resume,
    /// Write a checkpoint now.
    Checkpoint,
    /// Publish env frames (learners), at most `fps × speed` per second.
    Visual {
        /// Visual mode on or off.
        on: bool,
        /// Slows what is shown (0 < speed ≤ 1).
        speed: f64,
    },
}
