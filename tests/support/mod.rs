//! Helpers shared by the integration tests: brokers on free ports, the
//! binary under test, bounded waits.

use std::time::Duration;

use agora_runtime::broker::{EmbeddedBroker, EmbeddedBrokerOptions};
use agora_runtime::transport::{BrokerUrl, Transport, TransportOptions};

/// Every network wait in the tests is bounded by this.
pub const WAIT: Duration = Duration::from_secs(10);

/// An embedded broker on a free loopback port.
pub fn embedded_broker() -> EmbeddedBroker {
    EmbeddedBroker::start(EmbeddedBrokerOptions {
        port: 0,
        ..EmbeddedBrokerOptions::default()
    })
    .expect("embedded broker starts on a free port")
}

/// The URL of a broker listening on `port` on loopback.
pub fn loopback(port: u16) -> BrokerUrl {
    BrokerUrl::new("127.0.0.1", port)
}

/// A transport connected to `url` with a unique client id.
pub async fn connect(url: BrokerUrl, client: &str) -> Transport {
    let id = format!("{client}-{}", std::process::id());
    Transport::connect(TransportOptions::new(url, id, "test"))
        .await
        .expect("transport connects")
}
