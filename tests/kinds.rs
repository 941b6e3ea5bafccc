//! Agent kinds registered from Rust: a kind with its own settings struct
//! runs from a TOML config, and a wrong setting is named with its file,
//! line and key, as a built-in kind's is.

use std::sync::Arc;

use agora_runtime::agent::{Agent, AgentFactory, Behaviours, OneShot, agent_factory};
use agora_runtime::config::{ConfigError, ExperimentConfig};
use agora_runtime::kinds::{AgentKind, AgentRegistry, BuildContext, KindError};
use agora_runtime::store::RunStatus;

/// Reports its greeting `times` times over, then finishes.
struct Greeter {
    line: String,
}

impl Agent for Greeter {
    fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
        behaviours.add(OneShot::new("greet", |me: &mut Self, ctx| {
            ctx.report(serde_json::json!({"kind": "greeter", "said": me.line}));
            Ok(())
        }));
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GreeterSettings {
    greeting: String,
    #[serde(default = "one")]
    times: u32,
}

fn one() -> u32 {
    1
}

struct GreeterKind;

impl AgentKind for GreeterKind {
    type Settings = GreeterSettings;

    fn validate(&self, settings: &GreeterSettings) -> Result<(), KindError> {
        if settings.times == 0 {
            return Err(KindError::at("times", "a greeter greets at least once"));
        }
        Ok(())
    }

    fn factory(
        &self,
        settings: &GreeterSettings,
        build: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError> {
        let line =
            vec![format!("{} from {}", settings.greeting, build.name); settings.times as usize]
                .join(" / ");
        Ok(agent_factory(move || Ok(Greeter { line: line.clone() })))
    }
}

fn registry() -> AgentRegistry {
    let mut registry = AgentRegistry::with_builtins();
    registry.register_kind("greeter", GreeterKind);
    registry
}

fn parse(text: &str) -> Result<ExperimentConfig, ConfigError> {
    ExperimentConfig::from_toml_str_with_registry("greet.toml", text, &registry())
}

#[test]
fn a_kind_registered_from_rust_runs_from_toml_with_its_own_settings() {
    let config = parse(
        "[[agents]]\nname = \"hello\"\nkind = \"greeter\"\nreplicas = 2\ngreeting = \"hi\"\ntimes = 2\n",
    )
    .expect("valid config");
    let data = tempfile::tempdir().expect("temp dir");
    let report = crate::support::run_in_process(&config, registry(), data.path());
    assert_eq!(report.status, RunStatus::Completed, "{}", report.reason);
    assert_eq!(
        report.reports["hello-2"]["said"],
        "hi from hello-2 / hi from hello-2"
    );
    assert_eq!(
        report.reports["hello-1"]["said"],
        "hi from hello-1 / hi from hello-1"
    );
}

#[test]
fn a_registered_kind_names_an_unknown_or_refused_setting_with_its_line() {
    let typo = parse("[[agents]]\nname = \"g\"\nkind = \"greeter\"\ngreeting = \"hi\"\ntims = 2\n")
        .expect_err("typo");
    let text = typo.to_string();
    assert!(
        text.contains("greet.toml") && text.contains("line 5") && text.contains("agents[0].tims"),
        "{text}"
    );
    let refused =
        parse("[[agents]]\nname = \"g\"\nkind = \"greeter\"\n\ntimes = 0\ngreeting = \"hi\"\n")
            .expect_err("refused");
    let text = refused.to_string();
    assert!(
        text.contains("line 5")
            && text.contains("agents[0].times")
            && text.contains("at least once"),
        "{text}"
    );
    let missing = parse("[[agents]]\nname = \"g\"\nkind = \"greeter\"\n").expect_err("missing");
    assert!(
        missing.to_string().contains("agents[0].greeting"),
        "{missing}"
    );
}

#[test]
fn a_built_in_kind_names_a_wrong_setting_with_its_line() {
    let wrong_type = parse(
        "[[agents]]\nname = \"e\"\nkind = \"echo\"\n\n[[agents]]\nname = \"p\"\nkind = \"pinger\"\ntarget = \"e\"\nwindow = \"wide\"\n",
    )
    .expect_err("wrong type");
    let text = wrong_type.to_string();
    assert!(
        text.contains("line 9") && text.contains("agents[1].window"),
        "{text}"
    );
    let zero = parse("[[agents]]\nname = \"p\"\nkind = \"pinger\"\ntarget = \"e\"\nwindow = 0\n")
        .expect_err("zero window");
    let text = zero.to_string();
    assert!(
        text.contains("line 5") && text.contains("agents[0].window"),
        "{text}"
    );
}
