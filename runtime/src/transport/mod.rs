//! MQTT transport: the envelope and its encodings, the topic table, and the
//! single connection per host that dispatches inbound messages by topic.

mod broker_url;
mod connection;
mod dedup;
mod envelope;
mod inbox;
mod performative;
mod stats;
mod subscriptions;
mod topic;

pub use broker_url::{BrokerUrl, BrokerUrlError};
pub use connection::{PublishError, Transport, TransportError, TransportOptions};
pub use dedup::DedupWindow;
pub use envelope::{
    DecodeError, ENVELOPE_VERSION, EncodeError, Encoding, Envelope, next_message_id, unix_now,
};
pub use inbox::{DeliveryError, InboundMessage, Inbox};
pub use performative::{Performative, UnknownPerformative};
pub use rumqttc::QoS;
pub use stats::{TransportStats, TransportStatsSnapshot};
pub use subscriptions::{SubscribeTicket, SubscribeTimeout};
pub use topic::{NameError, Topics, filter_matches, validate_name};
