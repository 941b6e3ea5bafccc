//! Agent names across runs on one broker: before a run starts its agents
//! it reads who owns each name (retained `agents/{name}/owner`) and whether
//! that owner's host process is alive (retained `hosts/{host}/status`,
//! whose last will says `offline`), and refuses a name another live run
//! holds unless told to take it over. While the run lives, a claim by
//! another run on one of its names is noted, so its agent does not mark
//! the name offline at the end.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::RunError;
use crate::agent::{Claims, NameOwner};
use crate::transport::{InboundMessage, QoS, Topics, Transport};

/// Retained messages come right after the subscription's acknowledgement;
/// once none has come for this long, the broker has sent them all.
const RETAINED_QUIET: Duration = Duration::from_millis(150);
/// However many retained messages keep coming, reading stops after this.
const RETAINED_LIMIT: Duration = Duration::from_secs(3);
/// Owner and status messages waiting to be read.
const CLAIM_QUEUE: usize = 65_536;

/// A name another live run holds.
#[derive(Debug, thiserror::Error)]
#[error(
    "agent `{agent}` is already online in run {run} on host {host} (this broker, namespace `{namespace}`); stop that run, rename the agent, or start with --take-over"
)]
pub struct NameTaken {
    /// The agent name.
    pub agent: String,
    /// The run holding it.
    pub run: String,
    /// Its host process.
    pub host: String,
    /// The namespace.
    pub namespace: String,
}

/// Refuses `names` that a live other run holds (unless `take_over`), then
/// keeps watching the owners for claims on this run's names.
pub(super) async fn claim(
    transport: &Transport,
    claims: &Arc<Claims>,
    names: &[String],
    take_over: bool,
) -> Result<(), RunError> {
    let topics = transport.topics().clone();
    let (tx, mut rx) = mpsc::channel(CLAIM_QUEUE);
    let owners = transport.subscribe(topics.owners(), QoS::AtLeastOnce, tx.clone());
    let hosts = transport.subscribe(topics.host_statuses(), QoS::AtLeastOnce, tx);
    for ticket in [owners, hosts] {
        ticket.acknowledged(Duration::from_secs(10)).await?;
    }
    let seen = read_retained(&mut rx, &topics).await;
    if !take_over && let Some(taken) = seen.first_taken(names, claims.owner(), &topics) {
        return Err(RunError::NameTaken(taken));
    }
    tokio::spawn(watch(rx, topics, claims.clone()));
    Ok(())
}

/// What the retained messages said: each name's owner, each host's status.
#[derive(Default)]
struct Seen {
    owners: HashMap<String, NameOwner>,
    live_hosts: HashMap<String, bool>,
}

impl Seen {
    fn note(&mut self, message: &InboundMessage, topics: &Topics) {
        if let Some(agent) = name_in(&message.topic, topics, "agents", "owner") {
            match serde_json::from_slice::<NameOwner>(&message.payload) {
                Ok(owner) => {
                    self.owners.insert(agent.to_string(), owner);
                }
                // An empty payload: the owner released the name.
                Err(_) => {
                    self.owners.remove(agent);
                }
            }
        } else if let Some(host) = name_in(&message.topic, topics, "hosts", "status") {
            let online = serde_json::from_slice::<serde_json::Value>(&message.payload)
                .ok()
                .and_then(|status| {
                    status
                        .get("status")
                        .and_then(|s| s.as_str())
                        .map(|s| s == "online")
                })
                .unwrap_or(false);
            self.live_hosts.insert(host.to_string(), online);
        }
    }

    /// The first of `names` held by another run whose host is online.
    fn first_taken(&self, names: &[String], me: &NameOwner, topics: &Topics) -> Option<NameTaken> {
        names.iter().find_map(|agent| {
            let owner = self.owners.get(agent)?;
            let live = self.live_hosts.get(&owner.host).copied().unwrap_or(false);
            (live && owner.run != me.run).then(|| NameTaken {
                agent: agent.clone(),
                run: owner.run.clone(),
                host: owner.host.clone(),
                namespace: topics.namespace().to_string(),
            })
        })
    }
}

async fn read_retained(rx: &mut mpsc::Receiver<InboundMessage>, topics: &Topics) -> Seen {
    let mut seen = Seen::default();
    let deadline = tokio::time::Instant::now() + RETAINED_LIMIT;
    while let Ok(Some(message)) = tokio::time::timeout(RETAINED_QUIET, rx.recv()).await {
        seen.note(&message, topics);
        if tokio::time::Instant::now() >= deadline {
            tracing::warn!(
                "still reading retained agent owners after {RETAINED_LIMIT:?}; going on with what was read"
            );
            break;
        }
    }
    seen
}

/// Notes claims by other runs on this run's names, for as long as the
/// connection lives.
async fn watch(mut rx: mpsc::Receiver<InboundMessage>, topics: Topics, claims: Arc<Claims>) {
    while let Some(message) = rx.recv().await {
        let Some(agent) = name_in(&message.topic, &topics, "agents", "owner") else {
            continue;
        };
        let Ok(owner) = serde_json::from_slice::<NameOwner>(&message.payload) else {
            continue;
        };
        if claims.claimed_by(agent, &owner) {
            tracing::warn!(%agent, run = %owner.run, host = %owner.host, "agent name taken over by another run; this run will not mark it offline");
        }
    }
}

/// `agent` of `{prefix}/{first}/{agent}/{last}`.
fn name_in<'t>(topic: &'t str, topics: &Topics, first: &str, last: &str) -> Option<&'t str> {
    let rest = topic.strip_prefix(topics.prefix())?.strip_prefix('/')?;
    let rest = rest.strip_prefix(first)?.strip_prefix('/')?;
    let (name, tail) = rest.split_once('/')?;
    (tail == last).then_some(name)
}
