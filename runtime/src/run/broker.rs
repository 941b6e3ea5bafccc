//! Which broker a run talks through: the embedded one, started here and
//! kept alive for the run, or an external one.

use super::{RunError, RunProgress};
use crate::config::BrokerChoice;
use crate::transport::BrokerUrl;

/// Keeps the embedded broker running until dropped.
#[cfg(feature = "embedded-broker")]
pub(super) type BrokerGuard = Option<crate::broker::EmbeddedBroker>;
#[cfg(not(feature = "embedded-broker"))]
pub(super) type BrokerGuard = Option<()>;

/// The broker's URL, starting the embedded broker when it is the choice.
pub(super) fn start_broker(
    choice: BrokerChoice,
    max_packet_size: usize,
    progress: &mut impl FnMut(RunProgress),
) -> Result<(BrokerUrl, BrokerGuard), RunError> {
    match choice {
        BrokerChoice::External(url) => Ok((url, None)),
        #[cfg(feature = "embedded-broker")]
        BrokerChoice::Embedded { port } => {
            use crate::broker::{EmbeddedBroker, EmbeddedBrokerOptions};
            // The run's own limit, so its clients and its broker agree.
            let broker = EmbeddedBroker::start(EmbeddedBrokerOptions {
                port,
                max_packet_size: u32::try_from(max_packet_size).unwrap_or(u32::MAX),
                ..EmbeddedBrokerOptions::default()
            })?;
            let addr = broker.local_addr();
            progress(RunProgress::BrokerStarted {
                addr,
                port_taken: broker.fell_back_to_free_port().then_some(port),
            });
            Ok((
                BrokerUrl::new(addr.ip().to_string(), addr.port()),
                Some(broker),
            ))
        }
        #[cfg(not(feature = "embedded-broker"))]
        BrokerChoice::Embedded { .. } => {
            let _ = (max_packet_size, progress);
            Err(RunError::NoEmbeddedBroker)
        }
    }
}
