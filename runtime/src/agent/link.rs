//! The drop guard every supervised agent carries.
//!
//! actix does not call `stopped()` when a handler panics, and a panic in a
//! task is caught by Tokio after the actor is already unwound. So each
//! agent owns a [`Link`]; whatever ends the agent drops it, and its `Drop`
//! tells the supervisor how the agent ended.

use actix::{Message, Recipient};

/// How an agent ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildExit {
    /// It finished or was stopped on purpose.
    Normal(String),
    /// Its code returned an error.
    Failed(String),
    /// Its code panicked.
    Panicked(String),
    /// It ended without saying why (its arbiter died, for example).
    Lost,
}

impl ChildExit {
    /// Whether this counts as a failure for restart policies.
    pub fn is_failure(&self) -> bool {
        !matches!(self, ChildExit::Normal(_))
    }

    /// In words, for logs and telemetry.
    pub fn describe(&self) -> String {
        match self {
            ChildExit::Normal(reason) => reason.clone(),
            ChildExit::Failed(error) => format!("error: {error}"),
            ChildExit::Panicked(message) => format!("panic: {message}"),
            ChildExit::Lost => "ended without a reason (lost)".to_string(),
        }
    }
}

/// Sent to the supervisor when an agent's incarnation ends.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct ChildExited {
    /// Agent name.
    pub name: String,
    /// Which start of the agent ended (1 = first).
    pub incarnation: u64,
    /// How it ended.
    pub exit: ChildExit,
}

/// Tells the supervisor when the agent holding it is dropped.
pub struct Link {
    supervisor: Recipient<ChildExited>,
    name: String,
    incarnation: u64,
    exit: Option<ChildExit>,
}

impl Link {
    /// A link from agent `name` (this incarnation) to its supervisor.
    pub fn new(
        supervisor: Recipient<ChildExited>,
        name: impl Into<String>,
        incarnation: u64,
    ) -> Self {
        Self {
            supervisor,
            name: name.into(),
            incarnation,
            exit: None,
        }
    }

    /// Records how the agent is ending; the first record wins.
    pub fn set_exit(&mut self, exit: ChildExit) {
        self.exit.get_or_insert(exit);
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let exit = self.exit.take().unwrap_or_else(|| {
            if std::thread::panicking() {
                ChildExit::Panicked("unwound while running".into())
            } else {
                ChildExit::Lost
            }
        });
        // do_send ignores mailbox capacity on purpose: an exit notice must not
        // be lost, there is one per incarnation, and a Drop cannot wait.
        self.supervisor.do_send(ChildExited {
            name: std::mem::take(&mut self.name),
            incarnation: self.incarnation,
            exit,
        });
    }
}
