//! `agora broker`: the embedded broker alone.

use std::net::IpAddr;
use std::process::ExitCode;

use crate::cli::GlobalOptions;

#[cfg(feature = "embedded-broker")]
pub fn run(global: &GlobalOptions, bind: IpAddr, port: u16) -> anyhow::Result<ExitCode> {
    use agora_runtime::broker::{EmbeddedBroker, EmbeddedBrokerOptions};

    let options = EmbeddedBrokerOptions {
        bind,
        port,
        fall_back_to_free_port: false,
        ..EmbeddedBrokerOptions::default()
    };
    let broker = EmbeddedBroker::start(options)?;
    let addr = broker.local_addr();
    if global.json {
        println!("{}", serde_json::json!({"listening": addr.to_string()}));
    } else {
        println!("embedded broker listening on mqtt://{addr} (Ctrl-C to stop)");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let signal = runtime.block_on(agora_runtime::run::stop_signal());
    tracing::info!("{signal}: stopping the broker");
    broker.stop();
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "embedded-broker"))]
pub fn run(_: &GlobalOptions, _: IpAddr, _: u16) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this build of agora has no embedded broker (feature `embedded-broker`)")
}
