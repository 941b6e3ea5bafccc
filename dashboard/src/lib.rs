//! Agora's web dashboard: every run of a data dir in a browser, live.
//!
//! One actix-web server in the `agora` binary serves the page (its own
//! files, embedded), the runs and their curves from the store and
//! `events.jsonl` (decimated here, not in the browser), one WebSocket per
//! tab fed by one MQTT subscription per run, and controls that answer only
//! once the run has confirmed them. See `docs/dashboard-api.md`.

mod assets;
mod checkpoints;
pub mod decimate;
pub mod history;
mod live;
mod pace;
mod runs;
mod server;
pub mod token;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use actix_web::dev::Service;
use actix_web::{App, HttpServer, web};

pub use token::{Access, TokenError};

/// How the dashboard is started.
#[derive(Debug, Clone)]
pub struct Options {
    /// The data dir whose runs it serves.
    pub data_dir: PathBuf,
    /// Address to listen on (loopback unless told otherwise).
    pub bind: IpAddr,
    /// Port; 0 takes a free one.
    pub port: u16,
    /// Token every `/api/` request must carry (generated for a
    /// non-loopback bind when absent).
    pub token: Option<String>,
    /// The `agora` binary, for warm starts.
    pub agora: PathBuf,
    /// Read the newest runs' curves at start, before a page asks.
    pub read_ahead: bool,
}

/// Why the dashboard did not start.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// The token options do not fit.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The address could not be bound, or the server thread failed.
    #[error("dashboard on {addr}: {source}")]
    Listen {
        /// Where it tried to listen.
        addr: SocketAddr,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// A started dashboard.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The token, when one is needed.
    pub token: Option<String>,
    thread: std::thread::JoinHandle<std::io::Result<()>>,
    handle: actix_web::dev::ServerHandle,
}

impl Running {
    /// The page's URL, opened on `run` when given, with the token.
    pub fn url(&self, run: Option<&str>) -> String {
        let host = match self.addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let mut query: Vec<String> = Vec::new();
        if let Some(run) = run {
            query.push(format!("run={run}"));
        }
        if let Some(token) = &self.token {
            query.push(format!("token={token}"));
        }
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        format!("http://{host}:{}/{query}", self.addr.port())
    }

    /// Waits until the server stops (Ctrl-C, or [`Running::stop`]).
    pub fn wait(self) -> std::io::Result<()> {
        self.thread
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the dashboard thread panicked")))
    }

    /// Stops serving, letting open requests finish for a moment.
    pub fn stop(self) {
        let handle = self.handle.clone();
        let stopping = std::thread::spawn(move || futures::executor::block_on(handle.stop(true)));
        let _ = stopping.join();
        let _ = self.thread.join();
    }
}

/// Starts the dashboard on its own thread and returns once it listens.
pub fn start(options: Options) -> Result<Running, DashboardError> {
    let access = Access::for_bind(options.bind, options.token.clone())?;
    let token = access.token().map(str::to_string);
    let wanted = SocketAddr::new(options.bind, options.port);
    let listen_error = |source| DashboardError::Listen {
        addr: wanted,
        source,
    };
    let hub = live::Hub::new().map_err(listen_error)?;
    let state = web::Data::new(server::State::new(
        options.data_dir.clone(),
        access,
        hub,
        options.agora.clone(),
    ));
    if options.read_ahead {
        state.clone().into_inner().read_ahead();
    }
    let listener = std::net::TcpListener::bind(wanted).map_err(listen_error)?;
    let addr = listener.local_addr().map_err(listen_error)?;
    let (ready, started) = std::sync::mpsc::sync_channel(1);
    let thread = std::thread::Builder::new()
        .name("agora-dashboard".into())
        .spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    let state = state.clone();
                    App::new()
                        .app_data(state.clone())
                        .wrap_fn(move |req, service| {
                            let allowed = !req.path().starts_with("/api/") || {
                                let (bearer, query) = server::request_tokens(&req);
                                state.access.allows(bearer.as_deref(), query.as_deref())
                            };
                            let call = allowed.then(|| service.call(req));
                            async move {
                                match call {
                                    Some(call) => call.await,
                                    None => Err(actix_web::error::InternalError::from_response(
                                        "unauthorized",
                                        server::unauthorized(),
                                    )
                                    .into()),
                                }
                            }
                        })
                        .configure(server::routes)
                })
                .workers(2)
                .disable_signals()
                .shutdown_timeout(2)
                .listen(listener)?
                .run();
                let _ = ready.send(Ok::<_, std::io::Error>(server.handle()));
                server.await
            })
        })
        .map_err(listen_error)?;
    let handle = match started.recv() {
        Ok(handle) => handle,
        Err(_) => {
            let error =
                thread.join().ok().and_then(Result::err).unwrap_or_else(|| {
                    std::io::Error::other("the dashboard thread ended at start")
                });
            return Err(listen_error(error));
        }
    };
    let handle: actix_web::dev::ServerHandle = handle.map_err(listen_error)?;
    Ok(Running {
        addr,
        token,
        thread,
        handle,
    })
}
