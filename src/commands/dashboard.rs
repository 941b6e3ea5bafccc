//! `agora dashboard`: the web dashboard over every run of the data dir,
//! and the one `agora run --dashboard` starts beside its run.

use std::process::ExitCode;

use agora_dashboard::{Options, Running};
use anyhow::Context;

use crate::cli::{DashboardServe, GlobalOptions};
use crate::terminal;

/// Starts the dashboard in the background; `read_ahead` reads the newest
/// runs' curves before a page asks (not beside a run starting: its CPU is
/// the run's).
pub fn start(
    global: &GlobalOptions,
    serve: &DashboardServe,
    read_ahead: bool,
) -> anyhow::Result<Running> {
    let agora = std::env::current_exe().context("finding the agora binary for warm starts")?;
    Ok(agora_dashboard::start(Options {
        data_dir: global.data_dir.clone(),
        bind: serve.bind,
        port: serve.port,
        token: serve.token.clone(),
        agora,
        read_ahead,
    })?)
}

/// Serves until Ctrl-C.
pub fn serve(global: &GlobalOptions, serve: &DashboardServe) -> anyhow::Result<ExitCode> {
    let running = start(global, serve, true)?;
    terminal::out_line(&format!("dashboard: {}", running.url(None)));
    if !serve.bind.is_loopback() && serve.token.is_none() {
        terminal::err_line(
            "a token was generated for this non-loopback address; it is in the URL above",
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(tokio::signal::ctrl_c())?;
    running.stop();
    Ok(ExitCode::SUCCESS)
}
