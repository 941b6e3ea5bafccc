//! Helpers shared by the integration tests: brokers on free ports, a
//! Mosquitto process started from the shipped config, the `agora` binary,
//! a plain MQTT client, bounded waits.

#![allow(dead_code)]

pub mod agora;
pub mod mosquitto;
pub mod python;
pub mod raw_client;

use std::time::{Duration, Instant};

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

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

/// Polls `ready` every 20 ms until it holds or `limit` passes.
pub fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    ready()
}

/// Sends SIGTERM to a process.
pub fn terminate(pid: u32) {
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM {pid}");
}

/// Runs `config` in this process with `registry`'s kinds on an embedded
/// broker (free port), data under `data`, within a minute.
pub fn run_in_process(
    config: &agora_runtime::config::ExperimentConfig,
    registry: agora_runtime::kinds::AgentRegistry,
    data: &std::path::Path,
) -> agora_runtime::run::RunReport {
    let mut options = agora_runtime::run::RunOptions::new(data);
    options.registry = registry;
    options.broker = Some("embedded:0".into());
    actix::System::new()
        .block_on(async move {
            tokio::time::timeout(
                Duration::from_secs(60),
                agora_runtime::run::run_experiment(config, options, |_| {}),
            )
            .await
        })
        .expect("the run ends in time")
        .expect("the run starts")
}
