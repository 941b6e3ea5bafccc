//! The seam between the MQTT connection and whoever consumes a topic.

use bytes::Bytes;

/// One publish received from the broker.
#[derive(Debug, Clone)]
pub struct InboundMessage {
    /// The topic it was published on.
    pub topic: String,
    /// The raw payload.
    pub payload: Bytes,
    /// Whether the broker delivered it from its retained store.
    pub retained: bool,
}

/// Why an inbound message could not be handed over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The consumer's queue is full.
    #[error("the consumer's queue is full")]
    Full,
    /// The consumer is gone.
    #[error("the consumer is gone")]
    Closed,
}

/// Something that takes the messages of a topic filter.
///
/// # Blocking
///
/// `deliver` is called on the task that polls the MQTT connection, so it must
/// never block or wait: hand the message over or refuse it at once.
pub trait Inbox: Send + Sync + 'static {
    /// Takes one message, or refuses it without waiting.
    fn deliver(&self, message: InboundMessage) -> Result<(), DeliveryError>;
}

impl<M> Inbox for actix::Recipient<M>
where
    M: actix::Message<Result = ()> + From<InboundMessage> + Send + 'static,
{
    fn deliver(&self, message: InboundMessage) -> Result<(), DeliveryError> {
        self.try_send(M::from(message)).map_err(|e| match e {
            actix::prelude::SendError::Full(_) => DeliveryError::Full,
            actix::prelude::SendError::Closed(_) => DeliveryError::Closed,
        })
    }
}

impl Inbox for tokio::sync::mpsc::Sender<InboundMessage> {
    fn deliver(&self, message: InboundMessage) -> Result<(), DeliveryError> {
        self.try_send(message).map_err(|e| match e {
            tokio::sync::mpsc::error::TrySendError::Full(_) => DeliveryError::Full,
            tokio::sync::mpsc::error::TrySendError::Closed(_) => DeliveryError::Closed,
        })
    }
}
