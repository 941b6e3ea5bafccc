//! Config parsing: defaults, errors naming file, line and key, kinds.

use super::*;
use crate::supervisor::Strategy;

fn parse(text: &str) -> Result<ExperimentConfig, ConfigError> {
    ExperimentConfig::from_toml_str("configs/t.toml", text)
}

#[test]
fn defaults_give_an_embedded_broker_and_one_for_one_supervision() {
    let config = parse("").expect("empty config is valid");
    assert_eq!(
        config.broker.choice(),
        Ok(BrokerChoice::Embedded { port: 1883 })
    );
    assert_eq!(config.supervisor.strategy, Strategy::OneForOne);
    assert_eq!(config.run_name(), "t");
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let err = parse("[broker]\nurl = \"embedded\"\nprot = 3\n").expect_err("typo");
    let text = err.to_string();
    assert!(text.starts_with("configs/t.toml:"), "{text}");
    assert!(text.contains("prot") && text.contains("line 3"), "{text}");
}

#[test]
fn wrong_type_and_missing_field_are_named() {
    let err =
        parse("[[agents]]\nname = \"p\"\nkind = \"pinger\"\ntarget = \"e\"\ncount = \"many\"\n")
            .expect_err("type");
    assert!(err.to_string().contains("count"), "{err}");
    let err = parse("[[agents]]\nkind = \"echo\"\n").expect_err("missing name");
    assert!(err.to_string().contains("name"), "{err}");
}

#[test]
fn kind_specific_keys_are_checked_against_the_kind() {
    let err = parse("[[agents]]\nname = \"e\"\nkind = \"echo\"\ncount = 3\n")
        .expect_err("echo has no count");
    assert!(err.to_string().contains("agents[0].count"), "{err}");
    let err =
        parse("[[agents]]\nname = \"p\"\nkind = \"pinger\"\n").expect_err("pinger needs target");
    assert!(err.to_string().contains("agents[0].target"), "{err}");
}

#[test]
fn unknown_kind_lists_the_known_ones_unless_registered() {
    let text = "[[agents]]\nname = \"x\"\nkind = \"robot\"\n";
    let err = parse(text).expect_err("unknown kind");
    assert!(
        err.to_string().contains("robot") && err.to_string().contains("echo"),
        "{err}"
    );
    let mut registry = crate::kinds::AgentRegistry::with_builtins();
    registry.register("robot", false, |_| {
        Ok(crate::agent::agent_factory(|| Ok(crate::kinds::Echo)))
    });
    ExperimentConfig::from_toml_str_with_registry("t.toml", text, &registry)
        .expect("registered kind");
}

#[test]
fn duplicate_and_topic_unsafe_names_are_rejected() {
    let err = parse(
        "[[agents]]\nname = \"w\"\nkind = \"echo\"\n[[agents]]\nname = \"w\"\nkind = \"echo\"\n",
    )
    .expect_err("duplicate");
    assert!(err.to_string().contains("used twice"), "{err}");
    let err = parse("[[agents]]\nname = \"a/b\"\nkind = \"echo\"\n").expect_err("slash");
    assert!(err.to_string().contains("agents[0].name"), "{err}");
}

#[test]
fn replicas_expand_to_numbered_names() {
    let config =
        parse("[[agents]]\nname = \"worker\"\nkind = \"contract-net-worker\"\nreplicas = 3\n")
            .expect("valid");
    assert_eq!(
        config.agents[0].instance_names(),
        ["worker-1", "worker-2", "worker-3"]
    );
}

#[test]
fn broker_choice_reads_embedded_ports_and_urls() {
    assert_eq!(
        parse_broker_choice("embedded:0", 1883),
        Ok(BrokerChoice::Embedded { port: 0 })
    );
    assert!(matches!(
        parse_broker_choice("mqtt://h:1", 1883),
        Ok(BrokerChoice::External(_))
    ));
    assert!(parse_broker_choice("embedded:x", 1883).is_err());
}

#[test]
fn episode_recording_keys_default_and_bad_values_name_file_line_and_forms() {
    let config = parse("").expect("defaults");
    assert_eq!(
        config.telemetry.record_episodes,
        crate::learn::RecordEpisodes::default()
    );
    assert_eq!(
        config.telemetry.record_episodes.to_string(),
        "every:100+best"
    );
    assert_eq!(config.telemetry.record_max_mb, 256);
    let config =
        parse("[telemetry]\nrecord_episodes = \"every:10\"\nrecord_max_mb = 4\n").expect("valid");
    assert_eq!(config.telemetry.record_episodes.to_string(), "every:10");
    let err = parse("[telemetry]\njsonl = true\nrecord_episodes = \"sometimes\"\n")
        .expect_err("bad rule");
    let text = err.to_string();
    assert!(text.starts_with("configs/t.toml:"), "{text}");
    assert!(
        text.contains("line 3") && text.contains("record_episodes"),
        "{text}"
    );
    assert!(
        text.contains("`sometimes`") && text.contains("\"every:N+best\""),
        "{text}"
    );
    let err = parse("[telemetry]\nrecord_max_mb = 0\n").expect_err("zero cap");
    let text = err.to_string();
    assert!(
        text.contains("line 2") && text.contains("record_max_mb"),
        "{text}"
    );
    let err = parse("[telemetry]\nrecord_max_mb = \"big\"\n").expect_err("not a number");
    assert!(err.to_string().contains("record_max_mb"), "{err}");
}
