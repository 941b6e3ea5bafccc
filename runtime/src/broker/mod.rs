//! The MQTT broker Agora starts in-process when a config names no external
//! one (behind the default `embedded-broker` feature).

#[cfg(feature = "embedded-broker")]
mod disconnects;
#[cfg(feature = "embedded-broker")]
mod embedded;
#[cfg(feature = "embedded-broker")]
mod retained;

#[cfg(feature = "embedded-broker")]
pub use embedded::{BrokerError, EmbeddedBroker, EmbeddedBrokerOptions};
