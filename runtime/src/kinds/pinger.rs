//! `pinger`: measures request/reply round trips to another agent.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{AgentKind, BuildContext, KindError};
use crate::agent::{
    Agent, AgentContext, AgentError, AgentFactory, Behaviour, Behaviours, Next, Template,
    agent_factory,
};
use crate::transport::{Envelope, Performative, validate_name};

/// What a pinger does: its `[[agents]]` keys.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PingerSettings {
    /// The agent to ping (it should answer requests, like `echo`).
    pub target: String,
    /// Measured requests.
    pub count: u64,
    /// Requests outstanding at once.
    pub window: u32,
    /// A request unanswered this long counts as lost.
    #[serde(deserialize_with = "crate::settings::duration::deserialize")]
    pub timeout: Duration,
    /// Bytes of content per request.
    pub payload_bytes: usize,
    /// Requests sent first and not measured.
    pub warmup: u64,
}

impl Default for PingerSettings {
    fn default() -> Self {
        Self::new("", 1000)
    }
}

/// The `pinger` kind.
pub(super) struct PingerKind;

impl AgentKind for PingerKind {
    type Settings = PingerSettings;

    fn validate(&self, settings: &PingerSettings) -> Result<(), KindError> {
        if settings.target.is_empty() {
            return Err(KindError::at(
                "target",
                "a pinger needs `target`, the agent to ping",
            ));
        }
        validate_name(&settings.target).map_err(|e| KindError::at("target", e.to_string()))?;
        if settings.window == 0 {
            return Err(KindError::at("window", "must be at least 1"));
        }
        Ok(())
    }

    fn factory(
        &self,
        settings: &PingerSettings,
        _: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError> {
        let settings = settings.clone();
        Ok(agent_factory(move || Ok(Pinger::new(settings.clone()))))
    }
}

impl PingerSettings {
    /// `count` requests to `target`, one at a time, 2 s timeout, 16-byte payload.
    pub fn new(target: impl Into<String>, count: u64) -> Self {
        Self {
            target: target.into(),
            count,
            window: 1,
            timeout: Duration::from_secs(2),
            payload_bytes: 16,
            warmup: 0,
        }
    }
}

/// What a pinger reports when it is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PingerReport {
    /// The agent pinged.
    pub target: String,
    /// Requests outstanding at once.
    pub window: u32,
    /// Measured requests asked for.
    pub count: u64,
    /// Measured requests answered in time.
    pub answered: u64,
    /// Requests unanswered within the timeout.
    pub lost: u64,
    /// Answers that came after their request was counted lost.
    pub late_replies: u64,
    /// From the first measured request to the last answer.
    pub seconds: f64,
    /// Answered requests per second.
    pub round_trips_per_s: f64,
    /// Round-trip times in microseconds.
    pub rtt_us: RoundTrips,
}

/// Round-trip percentiles, in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundTrips {
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Slowest.
    pub max: u64,
    /// Mean.
    pub mean: f64,
}

/// Sends requests to a target, keeps a window of them outstanding, and
/// reports count, throughput and round-trip p50/p99/max when done.
#[derive(Debug)]
pub struct Pinger {
    settings: PingerSettings,
}

impl Pinger {
    /// A pinger with these settings.
    pub fn new(settings: PingerSettings) -> Self {
        Self { settings }
    }
}

impl Agent for Pinger {
    fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
        let template = Template::new().sender(self.settings.target.clone());
        let payload = "x".repeat(self.settings.payload_bytes);
        behaviours.add(PingLoop {
            template,
            payload,
            sent: 0,
            outstanding: HashMap::new(),
            rtts_us: Vec::with_capacity(
                usize::try_from(self.settings.count)
                    .unwrap_or(0)
                    .min(10_000_000),
            ),
            answered: 0,
            lost: 0,
            late: 0,
            measuring_since: None,
            last_answer: None,
        });
    }
}

struct PingLoop {
    template: Template,
    payload: String,
    sent: u64,
    outstanding: HashMap<String, (Instant, bool)>,
    rtts_us: Vec<u64>,
    answered: u64,
    lost: u64,
    late: u64,
    measuring_since: Option<Instant>,
    last_answer: Option<Instant>,
}

impl PingLoop {
    fn total(settings: &PingerSettings) -> u64 {
        settings.warmup + settings.count
    }

    fn send_next(
        &mut self,
        settings: &PingerSettings,
        ctx: &mut AgentContext<'_>,
    ) -> Result<(), AgentError> {
        let sequence = self.sent;
        let measured = sequence >= settings.warmup;
        // The run id makes the token this pinger's own: a reply to a
        // same-named pinger of another run is not mistaken for an answer.
        let token = format!("{}/{}-{sequence}", ctx.run_id(), ctx.name());
        let request = ctx
            .message(&settings.target, Performative::Request)
            .with_reply_with(token.clone())
            .with_content(serde_json::Value::String(self.payload.clone()));
        let now = Instant::now();
        if measured && self.measuring_since.is_none() {
            self.measuring_since = Some(now);
        }
        self.outstanding.insert(token, (now, measured));
        self.sent += 1;
        ctx.send(request)?;
        Ok(())
    }

    fn fill_window(
        &mut self,
        settings: &PingerSettings,
        ctx: &mut AgentContext<'_>,
    ) -> Result<(), AgentError> {
        while self.sent < Self::total(settings) && self.outstanding.len() < settings.window as usize
        {
            self.send_next(settings, ctx)?;
        }
        Ok(())
    }

    fn finished(&self, settings: &PingerSettings) -> bool {
        self.sent == Self::total(settings) && self.outstanding.is_empty()
    }

    fn report(&mut self, settings: &PingerSettings, ctx: &mut AgentContext<'_>) {
        self.rtts_us.sort_unstable();
        let percentile = |p: f64| -> u64 {
            if self.rtts_us.is_empty() {
                return 0;
            }
            let rank = ((p / 100.0) * self.rtts_us.len() as f64).ceil() as usize;
            self.rtts_us[rank.clamp(1, self.rtts_us.len()) - 1]
        };
        let measured = self.rtts_us.len() as u64;
        let seconds = match (self.measuring_since, self.last_answer) {
            (Some(start), Some(end)) if end > start => (end - start).as_secs_f64(),
            _ => 0.0,
        };
        let mean = if measured == 0 {
            0.0
        } else {
            self.rtts_us.iter().sum::<u64>() as f64 / measured as f64
        };
        let report = PingerReport {
            target: settings.target.clone(),
            window: settings.window,
            count: settings.count,
            answered: measured,
            lost: self.lost,
            late_replies: self.late,
            seconds,
            round_trips_per_s: if seconds > 0.0 {
                measured as f64 / seconds
            } else {
                0.0
            },
            rtt_us: RoundTrips {
                p50: percentile(50.0),
                p99: percentile(99.0),
                max: percentile(100.0),
                mean,
            },
        };
        ctx.report(super::KindReport::Pinger(report).to_json());
    }
}

impl Behaviour<Pinger> for PingLoop {
    fn name(&self) -> &str {
        "ping"
    }

    fn template(&self) -> Option<&Template> {
        Some(&self.template)
    }

    fn start(
        &mut self,
        pinger: &mut Pinger,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        let settings = &pinger.settings;
        if Self::total(settings) == 0 {
            self.report(settings, ctx);
            return Ok(Next::Done);
        }
        self.fill_window(settings, ctx)?;
        Ok(Next::Sleep(settings.timeout))
    }

    fn message(
        &mut self,
        pinger: &mut Pinger,
        reply: Envelope,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        let settings = &pinger.settings;
        if reply.performative != Performative::Inform {
            return Ok(Next::Unchanged);
        }
        let Some((sent_at, measured)) = reply
            .in_reply_to
            .as_deref()
            .and_then(|token| self.outstanding.remove(token))
        else {
            let ours = reply
                .in_reply_to
                .as_deref()
                .is_some_and(|token| token.starts_with(&format!("{}/", ctx.run_id())));
            if ours {
                self.late += 1;
            } else {
                ctx.count_unmatched();
            }
            return Ok(Next::Unchanged);
        };
        let now = Instant::now();
        if measured {
            self.rtts_us
                .push(u64::try_from((now - sent_at).as_micros()).unwrap_or(u64::MAX));
            self.last_answer = Some(now);
        }
        self.answered += 1;
        self.fill_window(settings, ctx)?;
        if self.finished(settings) {
            self.report(settings, ctx);
            return Ok(Next::Done);
        }
        Ok(Next::Unchanged)
    }

    fn timer(
        &mut self,
        pinger: &mut Pinger,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        let settings = &pinger.settings;
        let now = Instant::now();
        let before = self.outstanding.len();
        self.outstanding
            .retain(|_, (sent_at, _)| now - *sent_at < settings.timeout);
        let expired = (before - self.outstanding.len()) as u64;
        if expired > 0 {
            tracing::warn!(agent = ctx.name(), expired, target = %settings.target, "requests unanswered within {:?}", settings.timeout);
            self.lost += expired;
        }
        self.fill_window(settings, ctx)?;
        if self.finished(settings) {
            self.report(settings, ctx);
            return Ok(Next::Done);
        }
        Ok(Next::Sleep(settings.timeout))
    }
}
