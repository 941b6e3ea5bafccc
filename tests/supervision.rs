//! Supervision with real parts: agents that panic are restarted from their
//! last checkpoint by policy; one that keeps failing is given up on.

use agora_runtime::agent::{Agent, AgentError, Behaviours, Cyclic, Flow, Template, agent_factory};
use agora_runtime::config::ExperimentConfig;
use agora_runtime::kinds::AgentRegistry;
use agora_runtime::run::RunReport;
use agora_runtime::store::{CheckpointSelector, RunStatus, Store};
use agora_runtime::supervisor::ChildState;
use agora_runtime::transport::Performative;

/// Answers requests like `echo` and counts them; panics on its third
/// message unless it was restored from a checkpoint.
#[derive(Default)]
struct Fragile {
    answered: u64,
    restored: bool,
}

impl Agent for Fragile {
    fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
        behaviours.add(Cyclic::new(
            "answer",
            Template::new().performative(Performative::Request),
            |me: &mut Self, request, ctx| {
                if me.answered == 2 && !me.restored {
                    panic!("third message");
                }
                me.answered += 1;
                ctx.reply(&request, Performative::Inform, request.content.clone())?;
                ctx.checkpoint();
                Ok(Flow::Continue)
            },
        ));
    }

    fn snapshot(&self) -> Result<Option<Vec<u8>>, AgentError> {
        Ok(Some(self.answered.to_le_bytes().to_vec()))
    }

    fn restore(&mut self, checkpoint: &[u8]) -> Result<(), AgentError> {
        let bytes: [u8; 8] = checkpoint
            .try_into()
            .map_err(|_| AgentError::new("checkpoint is not 8 bytes"))?;
        self.answered = u64::from_le_bytes(bytes);
        self.restored = true;
        Ok(())
    }
}

/// Fails on every message, by panic or by error.
struct Hopeless;

impl Agent for Hopeless {
    fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
        behaviours.add(Cyclic::new("fail", Template::new(), |_, message, _| {
            if message.content == "error" {
                return Err(AgentError::new("refusing to work"));
            }
            panic!("always")
        }));
    }
}

fn registry() -> AgentRegistry {
    let mut registry = AgentRegistry::with_builtins();
    registry.register("fragile", true, |_| {
        Ok(agent_factory(|| Ok(Fragile::default())))
    });
    registry.register("hopeless", true, |_| Ok(agent_factory(|| Ok(Hopeless))));
    registry
}

fn run(config_text: &str, data: &std::path::Path) -> RunReport {
    let config =
        ExperimentConfig::from_toml_str_with_registry("test.toml", config_text, &registry())
            .expect("valid config");
    crate::support::run_in_process(&config, registry(), data)
}

fn child<'a>(report: &'a RunReport, name: &str) -> &'a agora_runtime::supervisor::ChildReport {
    report
        .agents
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} in report"))
}

#[test]
fn agent_panicking_on_its_third_message_is_restarted_from_its_checkpoint() {
    let data = tempfile::tempdir().expect("temp dir");
    let report = run(
        r#"
        [[agents]]
        name = "fragile"
        kind = "fragile"
        restart = "on-failure"

        [[agents]]
        name = "pinger"
        kind = "pinger"
        target = "fragile"
        count = 10
        timeout = "300ms"
        "#,
        data.path(),
    );
    assert_eq!(report.status, RunStatus::Completed, "{report:#?}");
    let fragile = child(&report, "fragile");
    assert_eq!(fragile.restarts, 1, "{report:#?}");
    assert!(
        matches!(fragile.state, ChildState::Stopped(_)),
        "{report:#?}"
    );
    assert_eq!(report.events.get("agent_restarted"), Some(&1));
    let pinger = &report.reports["pinger"];
    assert_eq!(
        pinger["answered"], 9,
        "the message that crashed it is lost: {pinger}"
    );
    assert_eq!(pinger["lost"], 1, "{pinger}");

    // Restored, not reset: the count went on from 2 and the final
    // checkpoint holds all nine answers.
    let store = Store::open(data.path().join("agora.redb")).expect("store");
    let latest = store
        .load_checkpoint(&report.run_id, "fragile", &CheckpointSelector::Latest)
        .expect("read")
        .expect("saved");
    assert_eq!(latest.bytes, 9u64.to_le_bytes());
}

#[test]
fn agent_exceeding_its_restart_intensity_is_marked_failed_and_the_run_goes_on() {
    let data = tempfile::tempdir().expect("temp dir");
    let report = run(
        r#"
        [supervisor]
        max_restarts = 2
        within = "30s"

        [[agents]]
        name = "hopeless"
        kind = "hopeless"

        [[agents]]
        name = "pinger"
        kind = "pinger"
        target = "hopeless"
        count = 5
        timeout = "200ms"
        "#,
        data.path(),
    );
    assert_eq!(
        report.status,
        RunStatus::Completed,
        "on_agent_failure defaults to continue: {report:#?}"
    );
    let hopeless = child(&report, "hopeless");
    assert_eq!(hopeless.restarts, 2, "{report:#?}");
    match &hopeless.state {
        ChildState::Failed(reason) => {
            assert!(reason.contains("restart intensity exceeded"), "{reason}")
        }
        other => panic!("expected failed, got {other:?}"),
    }
    assert_eq!(report.events.get("agent_failed"), Some(&1));
    assert_eq!(report.failed, 1);
}

#[test]
fn a_failed_agent_fails_the_run_when_configured_to() {
    let data = tempfile::tempdir().expect("temp dir");
    let report = run(
        r#"
        [run]
        on_agent_failure = "fail-run"

        [[agents]]
        name = "hopeless"
        kind = "hopeless"
        restart = "never"

        [[agents]]
        name = "pinger"
        kind = "pinger"
        target = "hopeless"
        count = 100
        timeout = "5s"
        "#,
        data.path(),
    );
    assert_eq!(report.status, RunStatus::Failed, "{report:#?}");
    assert!(report.reason.contains("hopeless"), "{}", report.reason);
    assert_eq!(report.events.get("run_failed"), Some(&1));
    assert_eq!(child(&report, "hopeless").restarts, 0);
}

#[test]
fn one_for_all_restarts_the_siblings_of_a_failed_agent() {
    let data = tempfile::tempdir().expect("temp dir");
    let report = run(
        r#"
        [supervisor]
        strategy = "one-for-all"

        [[agents]]
        name = "echo"
        kind = "echo"

        [[agents]]
        name = "fragile"
        kind = "fragile"

        [[agents]]
        name = "pinger"
        kind = "pinger"
        target = "fragile"
        count = 5
        timeout = "300ms"
        "#,
        data.path(),
    );
    assert_eq!(child(&report, "fragile").restarts, 1, "{report:#?}");
    assert_eq!(
        child(&report, "echo").restarts,
        1,
        "restarted with its sibling: {report:#?}"
    );
    assert!(child(&report, "pinger").restarts >= 1, "{report:#?}");
}
