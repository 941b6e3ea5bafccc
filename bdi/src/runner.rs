//! The standalone runner behind `agora asl run FILE.asl`: one agent, no
//! broker, output in python-agentspeak's format.
//!
//! Each `.print` becomes one line `NAME TEXT`. The run ends when the agent
//! is quiescent (no events, no runnable intentions, no messages, nothing
//! suspended that could still wake — an intention waiting without a
//! timeout for an event or answer that nothing can produce any more does
//! not keep the run alive), when `.stopMAS` runs, or after `max_cycles`
//! cycles (`agora asl run` stops at [`DEFAULT_MAX_CYCLES`] unless told
//! otherwise, so `+!g <- !g.` ends). The agent's [`Limits`] apply as in a
//! hosted run.
//!
//! Time is virtual: the clock starts at 0 and does not move while the agent
//! has work; when it has none but an intention sleeps (`.wait(Ms)`, an ask
//! or wait timeout), the clock jumps straight to the earliest deadline. So
//! `.wait(1000)` costs no real time and runs are deterministic.
//!
//! Messages the agent sends to itself (`.send(NAME, ...)` with its own
//! name, or `.my_name` as receiver) are delivered back to it; every other
//! message is collected in [`RunOutcome::undelivered`].

use crate::actions::registry::ActionRegistry;
use crate::agent::{AgentBuilder, Report, check_calls};
use crate::error::LoadError;
use crate::limits::{LimitCounts, Limits};
use crate::message::{InMessage, OutMessage};
use crate::parser::{Program, parse_program};
use crate::unify::detach;

/// The cycle limit of `agora asl run` when `--max-cycles` is not given:
/// a few seconds of reasoning, far beyond what a program that ends needs.
pub const DEFAULT_MAX_CYCLES: u64 = 10_000_000;

/// Options of a standalone run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Agent name; default: derived from the file name
    /// ([`agent_name_from_path`]).
    pub name: Option<String>,
    /// Stop after this many reasoning cycles.
    pub max_cycles: Option<u64>,
    /// Seed of the agent's random numbers.
    pub seed: u64,
    /// The agent's resource limits.
    pub limits: Limits,
}

/// Why the run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// Nothing left to do.
    Quiescent,
    /// `.stopMAS` ran.
    Stopped,
    /// The cycle limit was reached.
    MaxCycles,
}

/// How a standalone run went.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// Why it ended.
    pub end: EndReason,
    /// Reasoning cycles run.
    pub cycles: u64,
    /// Virtual time at the end (milliseconds).
    pub virtual_ms: u64,
    /// Everything the agent reported (failures, context errors, ...).
    pub reports: Vec<Report>,
    /// Messages to other agents, which a standalone run cannot deliver.
    pub undelivered: Vec<OutMessage>,
    /// How often each resource limit was hit (only the first hit of each
    /// is among `reports`).
    pub limit_hits: LimitCounts,
}

impl RunOutcome {
    /// Whether the agent ended on an unhandled plan failure (the CLI exits
    /// with status 1 then).
    pub fn failed(&self) -> bool {
        self.reports.iter().any(Report::is_unhandled_failure)
    }
}

/// The default agent name for a program file, as python-agentspeak makes
/// it: the file stem with non-alphanumeric characters as `_`, leading `_`
/// removed and the first letter in lower case (`agent` if nothing is left).
pub fn agent_name_from_path(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = match file.rfind('.') {
        Some(i) if i > 0 => &file[..i],
        _ => file,
    };
    let alnum: String = stem
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let alnum = alnum.trim_start_matches('_');
    let mut chars = alnum.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "agent".to_string(),
    }
}

/// Parses and runs `source` (named `file` in errors) as one agent; calls
/// `out` with each printed line.
///
/// # Errors
/// The program does not load (syntax errors, unknown internal actions);
/// nothing runs then.
pub fn run_program(
    source: &str,
    file: &str,
    options: &RunOptions,
    out: &mut dyn FnMut(&str),
) -> Result<RunOutcome, LoadError> {
    let name = options
        .name
        .clone()
        .unwrap_or_else(|| agent_name_from_path(file));
    let mut agent = AgentBuilder::new(&name)
        .seed(options.seed)
        .limits(options.limits)
        .load(source, file)?;
    let mut now = 0u64;
    let mut cycles = 0u64;
    let mut reports = Vec::new();
    let mut undelivered = Vec::new();
    let end = loop {
        if agent.is_stopped() {
            break EndReason::Stopped;
        }
        if options.max_cycles.is_some_and(|m| cycles >= m) {
            break EndReason::MaxCycles;
        }
        let worked = agent.step(now);
        cycles += 1;
        for line in agent.take_prints() {
            out(&format!("{name} {line}"));
        }
        reports.extend(agent.take_reports());
        for msg in agent.take_outbox() {
            let to_self = match &msg.receiver {
                Some(r) => *r == name,
                None => false,
            };
            if to_self {
                let (content, content_vars) = detach(&msg.content);
                agent.push_message(InMessage {
                    sender: name.clone(),
                    performative: msg.performative,
                    content,
                    content_vars,
                    reply_with: msg.reply_with,
                    in_reply_to: msg.in_reply_to,
                });
            } else {
                undelivered.push(msg);
            }
        }
        if !worked && agent.is_idle() {
            match agent.next_deadline() {
                Some(d) => now = now.max(d),
                None => break EndReason::Quiescent,
            }
        }
    };
    if end == EndReason::Stopped {
        // Lines printed in the cycle that ran .stopMAS are already out.
        reports.extend(agent.take_reports());
    }
    Ok(RunOutcome {
        end,
        cycles,
        virtual_ms: now,
        reports,
        undelivered,
        limit_hits: agent.stats().limit_hits,
    })
}

/// What `agora asl check FILE.asl` does: parses the program and checks its
/// internal action calls, without running anything.
///
/// # Errors
/// Every syntax error and every unknown internal action or wrong arity,
/// each with file, line and column.
pub fn check_program(source: &str, file: &str) -> Result<Program, LoadError> {
    check_program_with(source, file, &ActionRegistry::new())
}

/// [`check_program`] for an agent that also has the custom actions and
/// functions of `actions` (those of its env or world, say).
///
/// # Errors
/// As [`check_program`].
pub fn check_program_with(
    source: &str,
    file: &str,
    actions: &ActionRegistry,
) -> Result<Program, LoadError> {
    let program = parse_program(source, file).map_err(LoadError::Invalid)?;
    let errors = check_calls(&program, actions);
    if errors.is_empty() {
        Ok(program)
    } else {
        Err(LoadError::Invalid(errors))
    }
}

/// [`run_program`] collecting the printed lines.
///
/// # Errors
/// As [`run_program`].
pub fn run_to_lines(
    source: &str,
    file: &str,
    options: &RunOptions,
) -> Result<(Vec<String>, RunOutcome), LoadError> {
    let mut lines = Vec::new();
    let outcome = run_program(source, file, options, &mut |l| lines.push(l.to_string()))?;
    Ok((lines, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_python_agentspeak() {
        assert_eq!(
            agent_name_from_path("tests/asl/Hello-World.asl"),
            "hello_World"
        );
        assert_eq!(agent_name_from_path("_x.asl"), "x");
        assert_eq!(agent_name_from_path("___.asl"), "agent");
        assert_eq!(agent_name_from_path("dir\\bob.asl"), "bob");
    }

    #[test]
    fn virtual_clock_jumps_to_wait_deadlines() {
        let src = "!s. +!s <- .print(a); .wait(5000); .print(b).";
        let (lines, o) =
            run_to_lines(src, "w.asl", &RunOptions::default()).unwrap_or_default_for_test();
        assert_eq!(lines, ["w a", "w b"]);
        assert_eq!(o.end, EndReason::Quiescent);
        assert_eq!(o.virtual_ms, 5000);
        assert!(!o.failed());
    }

    #[test]
    fn max_cycles_and_stop() {
        let src = "!s. +!s <- !s.";
        let o = run_to_lines(
            src,
            "loop.asl",
            &RunOptions {
                max_cycles: Some(50),
                ..RunOptions::default()
            },
        )
        .unwrap_or_default_for_test()
        .1;
        assert_eq!((o.end, o.cycles), (EndReason::MaxCycles, 50));
        let src = "!s. +!s <- .print(x); .stopMAS; .print(y).";
        let (lines, o) =
            run_to_lines(src, "stop.asl", &RunOptions::default()).unwrap_or_default_for_test();
        assert_eq!(lines, ["stop x"]);
        assert_eq!(o.end, EndReason::Stopped);
    }

    #[test]
    fn check_reports_every_error_without_running() {
        assert!(check_program("!s. +!s <- .print(x).", "ok.asl").is_ok());
        let e = check_program("+!s <- .nope.\nb(.\n+!t <- .print(\"x\").", "bad.asl").err();
        let text = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("bad.asl:2:3: expected a term"), "{text}");
        // Syntax errors come first; call checking needs a parsed program.
        let e = check_program("+!s <- .nope(1).", "bad.asl")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("bad.asl:1:8: unknown internal action .nope/1")
        );
    }

    #[test]
    fn unhandled_failure_is_reported() {
        let (lines, o) = run_to_lines(
            "!s. +!s <- .print(a); .fail; .print(b).",
            "f.asl",
            &RunOptions::default(),
        )
        .unwrap_or_default_for_test();
        assert_eq!(lines, ["f a"]);
        assert!(o.failed());
    }

    trait OrDefault {
        fn unwrap_or_default_for_test(self) -> (Vec<String>, RunOutcome);
    }
    impl OrDefault for Result<(Vec<String>, RunOutcome), LoadError> {
        fn unwrap_or_default_for_test(self) -> (Vec<String>, RunOutcome) {
            match self {
                Ok(v) => v,
                Err(e) => panic!("load failed: {e}"),
            }
        }
    }
}
