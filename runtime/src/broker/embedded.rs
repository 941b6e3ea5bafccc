//! An rmqtt broker on its own thread and Tokio runtime, so broker work never
//! competes with the agents' arbiter for the same thread.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::{NonZeroU16, NonZeroU32};
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use rmqtt::context::ServerContext;
use rmqtt::net::Builder;
use rmqtt::server::MqttServer;
use tokio::sync::oneshot;

use super::disconnects::DisconnectLog;
use super::retained::BoundedRetainStore;
use rmqtt::hook::Type;

/// Settings of the embedded broker. Queues are bounded on purpose.
#[derive(Debug, Clone)]
pub struct EmbeddedBrokerOptions {
    /// Address to listen on (loopback by default).
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// When `port` is taken, listen on a free port instead of failing.
    pub fall_back_to_free_port: bool,
    /// Messages queued per session while its client is slow or away.
    pub max_queued_per_session: usize,
    /// QoS 1/2 messages in flight per session towards its client.
    pub max_inflight: u16,
    /// Largest packet, in bytes.
    pub max_packet_size: u32,
    /// Topics with a retained message, at most.
    pub max_retained: usize,
}

impl Default for EmbeddedBrokerOptions {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1883,
            fall_back_to_free_port: true,
            max_queued_per_session: 100_000,
            max_inflight: 1024,
            max_packet_size: 4 * 1024 * 1024,
            max_retained: 1_000_000,
        }
    }
}

/// The broker could not start.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// Binding the listener failed.
    #[error("embedded broker cannot listen on {addr}: {reason}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's answer.
        reason: String,
    },
    /// The broker thread could not be started or died while starting.
    #[error("embedded broker failed to start: {0}")]
    Start(String),
}

/// A running embedded broker. Dropping it (or calling [`stop`](Self::stop))
/// stops it and closes every connection.
#[derive(Debug)]
pub struct EmbeddedBroker {
    addr: SocketAddr,
    fell_back: bool,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl EmbeddedBroker {
    /// Starts the broker and returns once it listens.
    ///
    /// # Blocking
    ///
    /// Blocks the calling thread until the listener is bound (milliseconds).
    pub fn start(options: EmbeddedBrokerOptions) -> Result<EmbeddedBroker, BrokerError> {
        let (ready_tx, ready_rx) = std_mpsc::channel::<Result<(SocketAddr, bool), BrokerError>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("agora-broker".into())
            .spawn(move || serve(options, ready_tx, stop_rx))
            .map_err(|e| BrokerError::Start(e.to_string()))?;
        match ready_rx.recv() {
            Ok(Ok((addr, fell_back))) => Ok(EmbeddedBroker {
                addr,
                fell_back,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Ok(Err(error)) => {
                let _ = thread.join();
                Err(error)
            }
            Err(_) => {
                let _ = thread.join();
                Err(BrokerError::Start(
                    "the broker thread ended before listening".into(),
                ))
            }
        }
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the configured port was taken and a free one was used.
    pub fn fell_back_to_free_port(&self) -> bool {
        self.fell_back
    }

    /// Stops the broker and waits for its thread.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for EmbeddedBroker {
    fn drop(&mut self) {
        self.shut_down();
    }
}

fn listener_builder(options: &EmbeddedBrokerOptions, port: u16) -> Builder {
    Builder::new()
        .name("agora-embedded")
        .laddr(SocketAddr::new(options.bind, port))
        // Without TCP_NODELAY every QoS 1 round trip waits 40–90 ms for Nagle.
        .nodelay(true)
        .reuseaddr(Some(true))
        .max_inflight(NonZeroU16::new(options.max_inflight).unwrap_or(NonZeroU16::MIN))
        .max_mqueue_len(options.max_queued_per_session)
        .mqueue_rate_limit(NonZeroU32::MAX, Duration::from_secs(1))
        .max_packet_size(options.max_packet_size)
        .handshake_timeout(Duration::from_secs(10))
}

fn serve(
    options: EmbeddedBrokerOptions,
    ready: std_mpsc::Sender<Result<(SocketAddr, bool), BrokerError>>,
    stop: oneshot::Receiver<()>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(BrokerError::Start(e.to_string())));
            return;
        }
    };
    runtime.block_on(async move {
        // rmqtt's busy check refuses handshakes when the machine is loaded;
        // a test box at full load must still accept its own agents.
        let context = ServerContext::new().busy_check_enable(false).build().await;
        *context.extends.retain_mut().await = Box::new(BoundedRetainStore::new(options.max_retained));
        let hooks = context.extends.hook_mgr().register();
        hooks
            .add(Type::ClientDisconnected, Box::new(DisconnectLog::new(options.max_packet_size)))
            .await;
        hooks.start().await;

        let wanted = SocketAddr::new(options.bind, options.port);
        let (listener, fell_back) = match listener_builder(&options, options.port).bind() {
            Ok(listener) => (listener, false),
            Err(first) if options.fall_back_to_free_port && options.port != 0 => match listener_builder(&options, 0).bind() {
                Ok(listener) => {
                    tracing::info!(%wanted, reason = %first, "port taken; embedded broker uses a free port");
                    (listener, true)
                }
                Err(e) => {
                    let _ = ready.send(Err(BrokerError::Bind { addr: wanted, reason: e.to_string() }));
                    return;
                }
            },
            Err(e) => {
                let _ = ready.send(Err(BrokerError::Bind { addr: wanted, reason: e.to_string() }));
                return;
            }
        };
        let listener = match listener.tcp() {
            Ok(listener) => listener,
            Err(e) => {
                let _ = ready.send(Err(BrokerError::Bind { addr: wanted, reason: e.to_string() }));
                return;
            }
        };
        let addr = match listener.local_addr() {
            Ok(addr) => addr,
            Err(e) => {
                let _ = ready.send(Err(BrokerError::Bind { addr: wanted, reason: e.to_string() }));
                return;
            }
        };
        let server = MqttServer::new(context).listener_by_id(listener, addr.port()).build();
        let _ = ready.send(Ok((addr, fell_back)));
        tokio::select! {
            result = server.run() => {
                if let Err(e) = result {
                    tracing::error!(error = %e, "embedded broker stopped");
                }
            }
            _ = stop => {}
        }
    });
    // Dropping the runtime cancels every connection task of the broker.
    drop(runtime);
}
