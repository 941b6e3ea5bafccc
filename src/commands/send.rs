//! `agora send`: one envelope to an agent, and its reply.

use std::process::ExitCode;
use std::time::Duration;

use agora_runtime::config::{BrokerChoice, parse_broker_choice};
use agora_runtime::transport::{
    Envelope, Performative, QoS, Transport, TransportOptions, validate_name,
};
use anyhow::{Context, bail};

use crate::cli::{GlobalOptions, SendArgs};

pub fn run(global: &GlobalOptions, args: &SendArgs) -> anyhow::Result<ExitCode> {
    let url = match parse_broker_choice(
        global.broker.as_deref().unwrap_or("mqtt://127.0.0.1:1883"),
        1883,
    ) {
        Ok(BrokerChoice::External(url)) => url,
        Ok(BrokerChoice::Embedded { .. }) => {
            bail!(
                "--broker: `agora send` talks to a running broker; give its URL, e.g. mqtt://127.0.0.1:1883"
            )
        }
        Err(message) => bail!("--broker: {message}"),
    };
    let performative: Performative = args.performative.parse().context("--performative")?;
    let content: serde_json::Value = serde_json::from_str(&args.content).with_context(|| {
        format!(
            "--content: `{}` is not JSON (quote strings: '\"hello\"', objects: '{{\"n\": 1}}')",
            args.content
        )
    })?;
    validate_name(&args.to).context("--to")?;
    let sender = args
        .sender
        .clone()
        .unwrap_or_else(|| format!("cli-{}", std::process::id()));
    validate_name(&sender).context("--sender")?;
    validate_name(&args.namespace).context("--namespace")?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut options = TransportOptions::new(
            url,
            format!(
                "agora-cli-{}-{}",
                agora_runtime::host_name(),
                std::process::id()
            ),
            args.namespace.clone(),
        );
        options.persistent_session = false;
        let transport = Transport::connect(options).await?;
        let (tx, mut replies) = tokio::sync::mpsc::channel(64);
        let inbox = transport.topics().inbox(&sender);
        transport
            .subscribe(inbox, QoS::AtLeastOnce, tx)
            .acknowledged(Duration::from_secs(5))
            .await?;

        let mut request =
            Envelope::new(performative, sender.clone(), args.to.clone()).with_content(content);
        if let Some(conversation) = &args.conversation {
            request = request.with_conversation(conversation.clone());
        }
        // Said outright so that any receiver, in any language, can copy it
        // into `in_reply_to` without knowing the fallback to `id`.
        let token = request.id.clone();
        let request = request.with_reply_with(token.clone());
        let topic = transport.topics().inbox(&args.to);
        transport.publish(
            topic,
            request.encode(Default::default())?,
            QoS::AtLeastOnce,
            false,
        )?;
        if args.no_wait {
            transport.shutdown(Duration::from_secs(2)).await;
            if global.json {
                println!("{}", serde_json::to_string(&request)?);
            }
            return Ok(ExitCode::SUCCESS);
        }
        let deadline = tokio::time::Instant::now() + args.timeout;
        let outcome = loop {
            let message = match tokio::time::timeout_at(deadline, replies.recv()).await {
                Ok(Some(message)) => message,
                Ok(None) | Err(_) => break None,
            };
            match Envelope::decode(&message.payload) {
                Ok(reply) if reply.in_reply_to.as_deref() == Some(token.as_str()) => {
                    break Some(reply);
                }
                Ok(_) => continue,
                Err(error) => eprintln!(
                    "agora: ignoring a malformed message on {}: {error}",
                    message.topic
                ),
            }
        };
        transport.shutdown(Duration::from_secs(2)).await;
        match outcome {
            Some(reply) => {
                if global.json {
                    println!("{}", serde_json::to_string(&reply)?);
                } else {
                    println!(
                        "{} from {}: {}",
                        reply.performative, reply.sender, reply.content
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            None => {
                eprintln!("agora: no reply from {} within {:?}", args.to, args.timeout);
                Ok(ExitCode::FAILURE)
            }
        }
    })
}
