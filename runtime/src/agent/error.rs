//! The error type agent code returns.

use std::fmt;

/// A failure inside an agent. Returning one from a behaviour is a failure
/// of the agent: the supervisor restarts it or marks it failed by policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentError {
    message: String,
}

impl AgentError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AgentError {}

impl From<String> for AgentError {
    fn from(message: String) -> Self {
        Self { message }
    }
}

impl From<&str> for AgentError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

impl From<crate::transport::PublishError> for AgentError {
    fn from(error: crate::transport::PublishError) -> Self {
        Self::new(error.to_string())
    }
}

impl From<crate::transport::EncodeError> for AgentError {
    fn from(error: crate::transport::EncodeError) -> Self {
        Self::new(error.to_string())
    }
}

impl From<serde_json::Error> for AgentError {
    fn from(error: serde_json::Error) -> Self {
        Self::new(error.to_string())
    }
}

impl From<super::SendError> for AgentError {
    fn from(error: super::SendError) -> Self {
        Self::new(error.to_string())
    }
}
