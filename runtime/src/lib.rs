//! Agora's actor runtime: the MQTT transport, supervised agents, the redb
//! checkpoint store and telemetry.
//!
//! `agora-bdi` and `agora-agents` are pure libraries; this crate owns every
//! thread, socket, file and timer around them.
//!
//! The entry point for a whole experiment is [`run::run_experiment`]; the
//! pieces ([`transport::Transport`], [`supervisor::Supervisor`],
//! [`store::Store`], [`agent::Agent`]) can be used alone.
#![warn(missing_docs)]

pub mod agent;
pub mod broker;
pub mod config;
pub mod control;
pub mod env;
pub mod kinds;
pub mod learn;
pub mod panic_text;
pub mod run;
pub mod settings;
pub mod store;
pub mod stored_run;
pub mod supervisor;
pub mod telemetry;
pub mod transport;

/// This machine's name, made safe for one MQTT topic level.
pub fn host_name() -> String {
    let raw = gethostname::gethostname().to_string_lossy().into_owned();
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "host".to_string()
    } else {
        cleaned
    }
}

/// Whether an `agora` process with this id still runs on this host (Linux:
/// `/proc`; elsewhere every process is taken to be alive).
pub fn agora_process_alive(pid: u32) -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    // The pid may have been reused by another program since.
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|cmdline| String::from_utf8_lossy(&cmdline).contains("agora"))
        .unwrap_or(false)
}
