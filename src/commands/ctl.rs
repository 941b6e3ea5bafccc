//! `agora ctl RUN COMMAND [VALUE]`: a control command to a running run,
//! and its answer.

use std::process::ExitCode;
use std::time::Duration;

use agora_runtime::config::{BrokerChoice, parse_broker_choice};
use agora_runtime::store::RunStatus;
use agora_runtime::transport::{QoS, Transport, TransportOptions, next_message_id};
use anyhow::bail;

use crate::cli::GlobalOptions;

/// Exit code of a command the run refused: bad input, as for a bad config.
const REFUSED: u8 = 2;

pub fn run(
    global: &GlobalOptions,
    wanted: &str,
    words: &[String],
    timeout: Duration,
) -> anyhow::Result<ExitCode> {
    let record = crate::commands::runs::locator(global)
        .find(wanted)?
        .record()
        .clone();
    if !matches!(record.status, RunStatus::Running | RunStatus::Paused) {
        bail!(
            "run {} is {}; only a running run takes commands",
            record.id,
            record.status.as_str()
        );
    }
    let broker = match global.broker.as_deref().or(record.broker.as_deref()) {
        Some(text) => text.to_string(),
        None => bail!("run {} has no broker on record; give --broker", record.id),
    };
    let url = match parse_broker_choice(&broker, 1883) {
        Ok(BrokerChoice::External(url)) => url,
        Ok(BrokerChoice::Embedded { .. }) => {
            bail!("--broker: give the run's broker URL, e.g. mqtt://127.0.0.1:1883")
        }
        Err(message) => bail!("--broker: {message}"),
    };
    let namespace = record.namespace.clone().unwrap_or_else(|| "default".into());
    let (verb, value) = (words[0].clone(), words.get(1).cloned());
    let id = next_message_id();
    let mut request = serde_json::json!({"id": id, "command": verb});
    if let Some(value) = &value {
        // JSON has no infinity or NaN (serde_json writes null): such a
        // number goes as text, so the run answers `got inf`, not `needs a
        // value`.
        request["value"] = match value.parse::<f64>() {
            Ok(number) if number.is_finite() => serde_json::json!(number),
            _ => serde_json::json!(value),
        };
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut options = TransportOptions::new(url, format!("agora-ctl-{}-{}", agora_runtime::host_name(), std::process::id()), namespace);
        options.persistent_session = false;
        let transport = Transport::connect(options).await?;
        let status_topic = transport.topics().run_status(&record.id);
        let (tx, mut answers) = tokio::sync::mpsc::channel(64);
        transport.subscribe(status_topic, QoS::AtLeastOnce, tx).acknowledged(Duration::from_secs(5)).await?;
        transport.publish(transport.topics().run_control(&record.id), request.to_string().into_bytes(), QoS::AtLeastOnce, false)?;
        let deadline = tokio::time::Instant::now() + timeout;
        let answer = loop {
            match tokio::time::timeout_at(deadline, answers.recv()).await {
                Ok(Some(message)) => {
                    let Ok(answer) = serde_json::from_slice::<serde_json::Value>(&message.payload) else { continue };
                    if answer["reply_to"] == serde_json::json!(id) {
                        break Some(answer);
                    }
                }
                Ok(None) | Err(_) => break None,
            }
        };
        transport.shutdown(Duration::from_secs(2)).await;
        match answer {
            None => {
                eprintln!("agora: no answer from run {} within {timeout:?} (is it still running? see `agora runs list`)", record.id);
                Ok(ExitCode::FAILURE)
            }
            Some(answer) if global.json => {
                println!("{answer}");
                Ok(if answer["ok"] == true { ExitCode::SUCCESS } else { ExitCode::from(REFUSED) })
            }
            Some(answer) if answer["ok"] == true => {
                println!("{}: {} (run is {})", record.id, words.join(" "), answer["status"].as_str().unwrap_or("?"));
                Ok(ExitCode::SUCCESS)
            }
            Some(answer) => {
                eprintln!("agora: run {} refused `{}`: {}", record.id, words.join(" "), answer["error"].as_str().unwrap_or("no reason given"));
                Ok(ExitCode::from(REFUSED))
            }
        }
    })
}
