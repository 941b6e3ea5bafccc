//! AgentSpeak(L) engine for Agora, with Jason as the reference semantics.
//!
//! This crate is pure: it parses programs, holds beliefs, plans and
//! intentions, and runs the reasoning cycle, but it never touches threads,
//! sockets, files or timers. The runtime (`agora-runtime`) hosts an engine
//! inside an actor and connects `.send` and incoming messages to MQTT.
#![warn(missing_docs)]
