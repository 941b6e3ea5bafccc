//! The error type agent code returns: a message for logs and exits, and
//! the error that caused it, kept so callers can inspect or chain it.

use std::error::Error;
use std::fmt;

/// Any error a cause can be, as agent code meets it.
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// A failure inside an agent. Returning one from a behaviour is a failure
/// of the agent: the supervisor restarts it or marks it failed by policy.
#[derive(Debug)]
pub struct AgentError {
    message: String,
    cause: Cause,
}

#[derive(Debug)]
enum Cause {
    None,
    /// The message explains this error; [`Error::source`] returns it.
    Source(BoxError),
    /// The message is this error's own text (a `From` conversion), so it is
    /// transparent: [`Error::source`] goes on to what caused it, and a
    /// chain printed in full does not say the same thing twice.
    Wrapped(BoxError),
}

impl AgentError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            cause: Cause::None,
        }
    }

    /// An error with this message, caused by `source`.
    ///
    /// ```
    /// use agora_runtime::agent::AgentError;
    /// let io = std::io::Error::other("disk full");
    /// let error = AgentError::with_source("cannot write the log", io);
    /// assert_eq!(error.to_string(), "cannot write the log");
    /// assert!(std::error::Error::source(&error).is_some());
    /// ```
    pub fn with_source(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self {
            message: message.into(),
            cause: Cause::Source(source.into()),
        }
    }

    /// An error that reads as `error` does and keeps it.
    pub fn wrap(error: impl Error + Send + Sync + 'static) -> Self {
        Self {
            message: error.to_string(),
            cause: Cause::Wrapped(Box::new(error)),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error behind this one, if it is of type `E` (whether it was
    /// wrapped or given as the source).
    pub fn downcast_ref<E: Error + 'static>(&self) -> Option<&E> {
        match &self.cause {
            Cause::None => None,
            Cause::Source(error) | Cause::Wrapped(error) => error.downcast_ref(),
        }
    }
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for AgentError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.cause {
            Cause::None => None,
            Cause::Source(error) => Some(error.as_ref()),
            Cause::Wrapped(error) => error.source(),
        }
    }
}

impl From<String> for AgentError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl From<&str> for AgentError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

impl From<crate::transport::PublishError> for AgentError {
    fn from(error: crate::transport::PublishError) -> Self {
        Self::wrap(error)
    }
}

impl From<crate::transport::EncodeError> for AgentError {
    fn from(error: crate::transport::EncodeError) -> Self {
        Self::wrap(error)
    }
}

impl From<serde_json::Error> for AgentError {
    fn from(error: serde_json::Error) -> Self {
        Self::wrap(error)
    }
}

impl From<super::SendError> for AgentError {
    fn from(error: super::SendError) -> Self {
        Self::wrap(error)
    }
}

impl From<std::io::Error> for AgentError {
    fn from(error: std::io::Error) -> Self {
        Self::wrap(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::SendError;

    #[test]
    fn a_message_reads_as_it_was_written_and_has_no_source() {
        let error = AgentError::new("refusing to work");
        assert_eq!(error.to_string(), "refusing to work");
        assert_eq!(error.message(), "refusing to work");
        assert!(error.source().is_none());
    }

    #[test]
    fn a_source_is_kept_behind_its_message() {
        let error = AgentError::with_source("cannot load", std::io::Error::other("gone"));
        assert_eq!(error.to_string(), "cannot load");
        assert_eq!(error.source().map(|s| s.to_string()), Some("gone".into()));
        assert!(error.downcast_ref::<std::io::Error>().is_some());
    }

    #[test]
    fn a_converted_error_reads_as_before_and_can_be_inspected() {
        let error = AgentError::from(SendError::NoReceiver);
        assert_eq!(error.to_string(), SendError::NoReceiver.to_string());
        assert!(matches!(
            error.downcast_ref::<SendError>(),
            Some(SendError::NoReceiver)
        ));
        assert!(
            error.source().is_none(),
            "the text is not repeated as a source"
        );
    }
}
