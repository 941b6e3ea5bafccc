//! The control actor of a run: reads `runs/{run}/control`, carries each
//! command to the agents through the supervisor, keeps the retained status
//! topic true (`running` / `paused`), and answers every command on it.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::{AgentControl, Command, Request};
use crate::agent::RunContext;
use crate::store::{RunStatus, UpdateRun};
use crate::supervisor::{Broadcast, Supervisor};
use crate::telemetry::{LifecycleEvent, LifecycleKind};
use crate::transport::{InboundMessage, QoS, unix_now};

/// How long agents get to acknowledge a command.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// A control payload from the broker.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct ControlInbound(pub InboundMessage);

impl From<InboundMessage> for ControlInbound {
    fn from(message: InboundMessage) -> Self {
        ControlInbound(message)
    }
}

/// Carries control commands to a run's agents.
pub struct RunControl {
    env: Arc<RunContext>,
    supervisor: Addr<Supervisor>,
    host: String,
    paused: bool,
    visual: bool,
    speed: f64,
    busy: bool,
}

impl RunControl {
    /// Control for the run of `env`, whose agents `supervisor` supervises.
    pub fn new(env: Arc<RunContext>, supervisor: Addr<Supervisor>, host: String) -> Self {
        Self {
            env,
            supervisor,
            host,
            paused: false,
            visual: false,
            speed: 1.0,
            busy: false,
        }
    }

    fn publish_status(&self, status: RunStatus) {
        let topics = self.env.transport.topics();
        let payload = serde_json::json!({
            "status": status.as_str(), "run": self.env.run_id, "host": self.host, "at": unix_now(),
            "visual": self.visual, "speed": self.speed,
        });
        if let Err(error) = self.env.transport.publish(
            topics.run_status(&self.env.run_id),
            payload.to_string().into_bytes(),
            QoS::AtLeastOnce,
            true,
        ) {
            tracing::warn!(%error, "run status not published");
        }
        let run = self.env.run_id.clone();
        self.env.store.do_send(UpdateRun {
            run,
            change: Box::new(move |record| record.status = status),
        });
    }

    fn answer(&self, id: Option<&str>, command: &str, outcome: Result<(), String>) {
        let status = if self.paused { "paused" } else { "running" };
        let payload = match &outcome {
            Ok(()) => serde_json::json!({
                "reply_to": id, "command": command, "ok": true, "status": status,
                "visual": self.visual, "speed": self.speed, "at": unix_now(),
            }),
            Err(error) => {
                tracing::warn!(command, %error, "control command refused");
                serde_json::json!({
                    "reply_to": id, "command": command, "ok": false, "error": error, "status": status,
                    "visual": self.visual, "speed": self.speed, "at": unix_now(),
                })
            }
        };
        let topic = self.env.transport.topics().run_status(&self.env.run_id);
        // Not retained: the retained message stays the run's state.
        if let Err(error) = self.env.transport.publish(
            topic,
            payload.to_string().into_bytes(),
            QoS::AtLeastOnce,
            false,
        ) {
            tracing::warn!(%error, "control answer not published");
        }
    }

    fn lifecycle(&self, kind: LifecycleKind, detail: serde_json::Value) {
        self.env
            .telemetry
            .lifecycle(LifecycleEvent::new(kind, &self.env.run_id).detail(detail));
    }
}

impl Actor for RunControl {
    type Context = Context<Self>;
}

/// Subscribes `control` to its run's control topic. The caller waits for the
/// ticket before saying the run is running, so a client that sends a
/// command as soon as it sees `running` is heard.
pub fn subscribe_control(
    env: &RunContext,
    control: &Addr<RunControl>,
) -> crate::transport::SubscribeTicket {
    let transport = &env.transport;
    let topic = transport.topics().run_control(&env.run_id);
    transport.subscribe(
        topic,
        QoS::AtLeastOnce,
        control.clone().recipient::<ControlInbound>(),
    )
}

impl Handler<ControlInbound> for RunControl {
    type Result = ();

    fn handle(&mut self, ControlInbound(message): ControlInbound, ctx: &mut Self::Context) {
        if message.retained {
            return; // a stale command left on the topic is not a command
        }
        let request = match Request::parse(&message.payload) {
            Ok(request) => request,
            Err((id, error)) => {
                let label = unparsed_label(&message.payload);
                return self.answer(id.as_deref(), &label, Err(error.0));
            }
        };
        let id = request.id.clone();
        let name = command_name(&request.command);
        if self.busy {
            return self.answer(
                id.as_deref(),
                name,
                Err("another command is being carried out; try again".into()),
            );
        }
        let order = match request.command {
            Command::Pause if self.paused => {
                return self.answer(id.as_deref(), name, Err("the run is already paused".into()));
            }
            Command::Resume if !self.paused => {
                return self.answer(id.as_deref(), name, Err("the run is not paused".into()));
            }
            Command::Pause => AgentControl::Pause,
            Command::Resume => AgentControl::Resume,
            Command::Checkpoint => AgentControl::Checkpoint,
            Command::Visual(on) => AgentControl::Visual {
                on,
                speed: self.speed,
            },
            Command::Speed(speed) => AgentControl::Visual {
                on: self.visual,
                speed,
            },
            Command::Stop => {
                self.lifecycle(
                    LifecycleKind::Stopped,
                    serde_json::json!({"reason": "stop command"}),
                );
                self.env.run_switch.stop("stopped by a control command");
                return self.answer(id.as_deref(), name, Ok(()));
            }
        };
        self.busy = true;
        let broadcast = self.supervisor.send(Broadcast(order.clone()));
        let waited = async move { tokio::time::timeout(ANSWER_WITHIN, broadcast).await };
        ctx.spawn(waited.into_actor(self).map(move |answer, control, _| {
            control.busy = false;
            let outcome = match answer {
                Ok(Ok(outcome)) => outcome.map_err(|refused| refused.to_string()),
                Ok(Err(error)) => Err(format!("the supervisor did not answer: {error}")),
                Err(_) => Err(format!("agents did not answer within {ANSWER_WITHIN:?}")),
            };
            if outcome.is_ok() {
                match order {
                    AgentControl::Pause => {
                        control.paused = true;
                        control.publish_status(RunStatus::Paused);
                        control.lifecycle(LifecycleKind::Paused, serde_json::Value::Null);
                    }
                    AgentControl::Resume => {
                        control.paused = false;
                        control.publish_status(RunStatus::Running);
                        control.lifecycle(LifecycleKind::Resumed, serde_json::Value::Null);
                    }
                    AgentControl::Visual { on, speed } => {
                        control.visual = on;
                        control.speed = speed;
                        // Retained, so a dashboard opened later knows.
                        let state = if control.paused {
                            RunStatus::Paused
                        } else {
                            RunStatus::Running
                        };
                        control.publish_status(state);
                    }
                    AgentControl::Checkpoint => {}
                }
            }
            control.answer(id.as_deref(), name, outcome);
        }));
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Pause => "pause",
        Command::Resume => "resume",
        Command::Stop => "stop",
        Command::Checkpoint => "checkpoint",
        Command::Visual(_) => "visual",
        Command::Speed(_) => "speed",
    }
}

/// What a command that does not parse is called in its answer and the log:
/// its first word as sent (at most 32 characters), so a typo is recognisable.
fn unparsed_label(payload: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(payload) else {
        return "(not UTF-8)".to_string();
    };
    let json_command = text.trim_start().starts_with('{').then(|| {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| {
                v.get("command")
                    .and_then(|c| c.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "(JSON without a command)".to_string())
    });
    let word = json_command.unwrap_or_else(|| {
        text.split_whitespace()
            .next()
            .unwrap_or("(empty)")
            .to_string()
    });
    word.chars().take(32).collect()
}
