//! AgentSpeak(L) engine for Agora, with Jason as the reference semantics.
//!
//! This crate is pure: it parses programs, holds beliefs, plans and
//! intentions, and runs the reasoning cycle, but it never touches threads,
//! sockets, files or clocks. The runtime (`agora-runtime`) hosts an
//! [`Agent`] inside an actor: it calls [`Agent::step`] with the current
//! time, delivers [`Agent::take_outbox`] messages, pushes incoming ones
//! with [`Agent::push_message_text`], and forwards [`Agent::take_prints`]
//! and [`Agent::take_reports`]. `agora asl run` is [`run_program`].
//!
//! ```
//! use agora_bdi::{AgentBuilder, Performative, Term};
//!
//! let src = r#"
//!     +!say(What, Who) <- .print(What, Who); .send(Who, tell, said(What)).
//! "#;
//! let mut bob = AgentBuilder::new("bob").seed(1).load(src, "bob.asl").expect("valid");
//! bob.push_message_text("alice", Performative::Achieve, r#"say("hello", alice)"#, None, None)
//!     .expect("content parses");
//! bob.run_until_idle(0, 100);
//! assert_eq!(bob.take_prints(), vec!["hello alice".to_string()]);
//! let out = bob.take_outbox();
//! assert_eq!(out[0].receiver.as_deref(), Some("alice"));
//! assert_eq!(out[0].content.to_string(), r#"said("hello")"#);
//! ```
//!
//! Module map: [`term`] and [`symbol`] (terms), [`lexer`] and [`parser`]
//! (text), [`unify`] and [`eval`] (bindings, arithmetic), [`belief_base`],
//! [`solve`] (formulas and rules), [`plan`], [`event`], [`intention`],
//! [`cycle`] (the reasoning cycle), [`actions`] (internal and custom
//! actions, with the table of Jason's actions), [`message`] and [`speech`]
//! (speech acts), [`agent`] (the host API), [`runner`] (standalone runs:
//! [`run_program`] for `agora asl run`, [`check_program`] for
//! `agora asl check`), [`limits`] (resource limits: intention depth,
//! intended means, intentions, events, beliefs, cycles per slice),
//! [`rng`] (seeded random numbers), [`fxhash`] (the internal hasher).
#![warn(missing_docs)]

pub mod actions;
pub mod agent;
pub mod belief_base;
pub mod cycle;
pub mod error;
pub mod eval;
pub mod event;
pub mod fxhash;
pub mod intention;
pub mod lexer;
pub mod limits;
pub mod message;
pub mod parser;
pub mod plan;
pub mod rng;
pub mod runner;
pub mod solve;
pub mod speech;
pub mod symbol;
pub mod term;
pub mod unify;

pub use actions::registry::ActionRegistry;
pub use agent::{Agent, AgentBuilder, Report, Stats};
pub use error::{ActionError, ContentError, EvalError, LoadError, ParseError};
pub use limits::{Limit, LimitCounts, Limits};
pub use message::{InMessage, OutMessage, Performative};
pub use parser::{parse_program, parse_term};
pub use runner::{
    DEFAULT_MAX_CYCLES, EndReason, RunOptions, RunOutcome, agent_name_from_path, check_program,
    check_program_with, run_program, run_to_lines,
};
pub use symbol::Symbol;
pub use term::Term;
