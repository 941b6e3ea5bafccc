//! What a running child is told by the run (pause, resume, checkpoint,
//! visual mode), and how it says no.

use actix::Message;

/// What one agent is asked to do by a control command.
#[derive(Debug, Clone, PartialEq, Message)]
#[rtype(result = "Result<(), ControlRefused>")]
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

/// Why a child did not carry out an [`AgentControl`]. Its text is what the
/// user reads in the command's answer on the run's status topic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlRefused {
    /// The child has not set up what the command acts on yet.
    #[error("the {child} is not ready")]
    NotReady {
        /// What kind of child refused ("learner").
        child: &'static str,
    },
}
