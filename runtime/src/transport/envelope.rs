//! The message envelope agents exchange, and its two wire encodings.
//!
//! # Wire format
//!
//! The first byte of an MQTT payload says how the rest is encoded, so the
//! choice works on MQTT 3.1.1 brokers too (no MQTT 5 content type needed):
//!
//! * `0x00` — postcard. The next byte is the envelope format version, then
//!   the postcard encoding of the fields in declaration order, with `content`
//!   carried as JSON text.
//! * `0x01` — a postcard batch: version byte, then a postcard sequence of
//!   envelopes (see [`Envelope::encode_batch`]).
//! * anything else — UTF-8 JSON: an object is one envelope, an array is a
//!   batch. This is what any MQTT client in any language can publish by
//!   hand; only `performative` is required.
//!
//! ```
//! use agora_runtime::transport::{Encoding, Envelope, Performative};
//!
//! let request = Envelope::new(Performative::Request, "pinger", "echo")
//!     .with_content(serde_json::json!({"n": 1}));
//! let bytes = request.encode(Encoding::Json).unwrap();
//! assert_eq!(bytes[0], b'{');
//! let back = Envelope::decode(&bytes).unwrap();
//! assert_eq!(back.content, request.content);
//!
//! let compact = request.encode(Encoding::Postcard).unwrap();
//! assert_eq!(compact[0], 0x00);
//! assert_eq!(Envelope::decode(&compact).unwrap(), request);
//! ```

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::Performative;

/// The envelope format version this build writes and reads.
pub const ENVELOPE_VERSION: u8 = 1;

/// Leading payload byte that marks a postcard-encoded envelope.
const POSTCARD_MARKER: u8 = 0x00;
/// Leading payload byte that marks a postcard-encoded batch of envelopes.
const POSTCARD_BATCH_MARKER: u8 = 0x01;

/// How an envelope is put on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Human-readable JSON, readable by any MQTT client. The default.
    #[default]
    Json,
    /// Compact binary for Agora-to-Agora traffic.
    Postcard,
}

/// A message from one agent to another, FIPA-ACL style.
///
/// Fields other than `performative` may be missing in JSON from other
/// clients: they default to empty. Unknown JSON fields are ignored, so newer
/// senders do not break older receivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Envelope format version ([`ENVELOPE_VERSION`]).
    #[serde(default = "default_version")]
    pub version: u8,
    /// Unique id; receivers drop a second envelope with the same sender and id.
    /// Empty means "no id": such an envelope is never treated as a duplicate.
    #[serde(default)]
    pub id: String,
    /// What the sender means by it.
    pub performative: Performative,
    /// Name of the sending agent; replies go to its inbox.
    #[serde(default)]
    pub sender: String,
    /// Name of the receiving agent.
    #[serde(default)]
    pub receiver: String,
    /// Groups the messages of one conversation (a protocol run).
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// A token the receiver should copy into `in_reply_to` of its reply.
    #[serde(default)]
    pub reply_with: Option<String>,
    /// The `reply_with` (or `id`) of the message this one answers.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// Vocabulary of the content.
    #[serde(default)]
    pub ontology: Option<String>,
    /// Language of the content, e.g. `"AgentSpeak"` or `"json"`.
    #[serde(default)]
    pub language: Option<String>,
    /// The payload proper: any JSON value (a string for AgentSpeak terms).
    #[serde(default)]
    pub content: serde_json::Value,
    /// Free-form string pairs, matched by templates (SPADE's metadata).
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Seconds since the Unix epoch when it was sent (like Python's `time.time()`).
    #[serde(default)]
    pub sent_at: Option<f64>,
}

fn default_version() -> u8 {
    ENVELOPE_VERSION
}

/// The postcard form: `content` as JSON text, because postcard cannot encode
/// a self-describing `serde_json::Value`.
#[derive(Serialize, Deserialize)]
struct CompactEnvelope {
    id: String,
    performative: Performative,
    sender: String,
    receiver: String,
    conversation_id: Option<String>,
    reply_with: Option<String>,
    in_reply_to: Option<String>,
    ontology: Option<String>,
    language: Option<String>,
    content_json: String,
    metadata: BTreeMap<String, String>,
    sent_at: Option<f64>,
}

/// Why a payload is not an envelope.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The payload has no bytes.
    #[error("empty payload")]
    Empty,
    /// JSON that does not describe an envelope.
    #[error("invalid JSON envelope: {0}")]
    Json(#[from] serde_json::Error),
    /// A postcard payload that does not decode.
    #[error("invalid postcard envelope: {0}")]
    Postcard(#[from] postcard::Error),
    /// A version this build does not read.
    #[error(
        "envelope version {found} is not supported (this build reads version {ENVELOPE_VERSION})"
    )]
    UnsupportedVersion {
        /// The version found in the payload.
        found: u8,
    },
}

/// Why an envelope could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// JSON encoding failed (for example a non-finite `sent_at`).
    #[error("cannot encode envelope as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Postcard encoding failed.
    #[error("cannot encode envelope as postcard: {0}")]
    Postcard(#[from] postcard::Error),
}

impl Envelope {
    /// A new envelope with a fresh id and the current time as `sent_at`.
    pub fn new(
        performative: Performative,
        sender: impl Into<String>,
        receiver: impl Into<String>,
    ) -> Self {
        Self {
            version: ENVELOPE_VERSION,
            id: next_message_id(),
            performative,
            sender: sender.into(),
            receiver: receiver.into(),
            conversation_id: None,
            reply_with: None,
            in_reply_to: None,
            ontology: None,
            language: None,
            content: serde_json::Value::Null,
            metadata: BTreeMap::new(),
            sent_at: Some(unix_now()),
        }
    }

    /// Sets the content.
    pub fn with_content(mut self, content: serde_json::Value) -> Self {
        self.content = content;
        self
    }

    /// Sets the conversation id.
    pub fn with_conversation(mut self, conversation_id: impl Into<String>) -> Self {
        self.conversation_id = Some(conversation_id.into());
        self
    }

    /// Sets the token a reply should carry in `in_reply_to`.
    pub fn with_reply_with(mut self, token: impl Into<String>) -> Self {
        self.reply_with = Some(token.into());
        self
    }

    /// Adds a metadata pair.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Sets the content language.
    pub fn with_language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Builds the reply to this envelope: addressed to its sender, same
    /// conversation, `in_reply_to` set to its `reply_with` (or its `id`).
    pub fn reply(&self, performative: Performative, content: serde_json::Value) -> Envelope {
        let mut reply = Envelope::new(performative, self.receiver.clone(), self.sender.clone());
        reply.conversation_id = self.conversation_id.clone();
        reply.in_reply_to = Some(self.reply_token().to_string());
        reply.ontology = self.ontology.clone();
        reply.language = self.language.clone();
        reply.content = content;
        reply
    }

    /// The token a reply to this envelope carries: `reply_with` if set, else `id`.
    pub fn reply_token(&self) -> &str {
        self.reply_with.as_deref().unwrap_or(&self.id)
    }

    /// Encodes for the wire.
    pub fn encode(&self, encoding: Encoding) -> Result<Vec<u8>, EncodeError> {
        match encoding {
            Encoding::Json => Ok(serde_json::to_vec(self)?),
            Encoding::Postcard => Ok(postcard::to_extend(
                &CompactEnvelope::try_from(self)?,
                vec![POSTCARD_MARKER, ENVELOPE_VERSION],
            )?),
        }
    }

    /// Encodes several envelopes as one payload: a JSON array, or a postcard
    /// batch. One envelope is encoded as by [`encode`](Self::encode), so a
    /// receiver that only reads single envelopes sees no difference.
    pub fn encode_batch(
        envelopes: &[Envelope],
        encoding: Encoding,
    ) -> Result<Vec<u8>, EncodeError> {
        if let [single] = envelopes {
            return single.encode(encoding);
        }
        match encoding {
            Encoding::Json => Ok(serde_json::to_vec(envelopes)?),
            Encoding::Postcard => {
                let compact = envelopes
                    .iter()
                    .map(CompactEnvelope::try_from)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(postcard::to_extend(
                    &compact,
                    vec![POSTCARD_BATCH_MARKER, ENVELOPE_VERSION],
                )?)
            }
        }
    }

    /// Decodes a payload holding one envelope, in either encoding (see the
    /// module docs).
    pub fn decode(payload: &[u8]) -> Result<Envelope, DecodeError> {
        match payload.first() {
            None => Err(DecodeError::Empty),
            Some(&POSTCARD_MARKER) => {
                let body = postcard_body(payload)?;
                Envelope::try_from(postcard::from_bytes::<CompactEnvelope>(body)?)
            }
            Some(_) => checked_version(serde_json::from_slice(payload)?),
        }
    }

    /// Decodes a payload holding one envelope or a batch (a JSON array or a
    /// postcard batch), in wire order.
    pub fn decode_all(payload: &[u8]) -> Result<Vec<Envelope>, DecodeError> {
        let first_visible = payload.iter().find(|b| !b.is_ascii_whitespace());
        match (payload.first(), first_visible) {
            (Some(&POSTCARD_BATCH_MARKER), _) => {
                let body = postcard_body(payload)?;
                postcard::from_bytes::<Vec<CompactEnvelope>>(body)?
                    .into_iter()
                    .map(Envelope::try_from)
                    .collect()
            }
            (Some(&POSTCARD_MARKER), _) => Ok(vec![Envelope::decode(payload)?]),
            (_, Some(b'[')) => serde_json::from_slice::<Vec<Envelope>>(payload)?
                .into_iter()
                .map(checked_version)
                .collect(),
            _ => Ok(vec![Envelope::decode(payload)?]),
        }
    }
}

/// The bytes after a postcard marker and its version byte.
fn postcard_body(payload: &[u8]) -> Result<&[u8], DecodeError> {
    let version = *payload.get(1).ok_or(DecodeError::Empty)?;
    if version != ENVELOPE_VERSION {
        return Err(DecodeError::UnsupportedVersion { found: version });
    }
    Ok(&payload[2..])
}

fn checked_version(envelope: Envelope) -> Result<Envelope, DecodeError> {
    if envelope.version != ENVELOPE_VERSION {
        return Err(DecodeError::UnsupportedVersion {
            found: envelope.version,
        });
    }
    Ok(envelope)
}

impl TryFrom<&Envelope> for CompactEnvelope {
    type Error = serde_json::Error;

    fn try_from(e: &Envelope) -> Result<Self, Self::Error> {
        Ok(CompactEnvelope {
            id: e.id.clone(),
            performative: e.performative,
            sender: e.sender.clone(),
            receiver: e.receiver.clone(),
            conversation_id: e.conversation_id.clone(),
            reply_with: e.reply_with.clone(),
            in_reply_to: e.in_reply_to.clone(),
            ontology: e.ontology.clone(),
            language: e.language.clone(),
            content_json: serde_json::to_string(&e.content)?,
            metadata: e.metadata.clone(),
            sent_at: e.sent_at,
        })
    }
}

impl TryFrom<CompactEnvelope> for Envelope {
    type Error = DecodeError;

    fn try_from(c: CompactEnvelope) -> Result<Self, Self::Error> {
        Ok(Envelope {
            version: ENVELOPE_VERSION,
            id: c.id,
            performative: c.performative,
            sender: c.sender,
            receiver: c.receiver,
            conversation_id: c.conversation_id,
            reply_with: c.reply_with,
            in_reply_to: c.in_reply_to,
            ontology: c.ontology,
            language: c.language,
            content: serde_json::from_str(&c.content_json)?,
            metadata: c.metadata,
            sent_at: c.sent_at,
        })
    }
}

/// A process-unique, globally improbable-to-collide message id: a random
/// 64-bit process nonce and a counter, in hex.
pub fn next_message_id() -> String {
    static NONCE: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nonce = *NONCE.get_or_init(rand::random::<u64>);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{nonce:016x}-{n:x}")
}

/// Seconds since the Unix epoch, as a float.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Envelope {
        Envelope::new(Performative::AskOne, "alice", "bob")
            .with_content(serde_json::json!({"term": "price(X)", "list": [1, 2.5, null]}))
            .with_conversation("c-1")
            .with_reply_with("r-7")
            .with_metadata("ontology-version", "2")
            .with_language("AgentSpeak")
    }

    #[test]
    fn json_and_postcard_round_trip_every_field() {
        let envelope = sample();
        for encoding in [Encoding::Json, Encoding::Postcard] {
            let bytes = envelope.encode(encoding).expect("encode");
            assert_eq!(
                Envelope::decode(&bytes).expect("decode"),
                envelope,
                "{encoding:?}"
            );
        }
    }

    #[test]
    fn minimal_hand_written_json_is_accepted_with_defaults() {
        let envelope = Envelope::decode(br#"{"performative":"request","content":"hi"}"#)
            .expect("minimal envelope");
        assert_eq!(envelope.performative, Performative::Request);
        assert_eq!(envelope.content, serde_json::json!("hi"));
        assert!(envelope.id.is_empty());
        assert_eq!(envelope.version, ENVELOPE_VERSION);
    }

    #[test]
    fn malformed_payloads_are_errors_not_panics() {
        let cases: [&[u8]; 7] = [
            b"",
            b"not json",
            b"{\"content\": 1}",
            b"{\"performative\": \"shout\"}",
            b"{\"performative\": \"inform\", \"version\": 9}",
            &[0x00],
            &[0x00, ENVELOPE_VERSION, 0xff, 0xff, 0xff],
        ];
        for payload in cases {
            assert!(
                Envelope::decode(payload).is_err(),
                "{payload:?} should not decode"
            );
        }
    }

    #[test]
    fn batches_round_trip_in_order_and_single_envelopes_stay_plain() {
        let envelopes: Vec<Envelope> = (0..3)
            .map(|i| sample().with_content(serde_json::json!(i)))
            .collect();
        for encoding in [Encoding::Json, Encoding::Postcard] {
            let bytes = Envelope::encode_batch(&envelopes, encoding).expect("encode");
            assert_eq!(
                Envelope::decode_all(&bytes).expect("decode"),
                envelopes,
                "{encoding:?}"
            );
            assert!(
                Envelope::decode(&bytes).is_err(),
                "a batch is not one envelope"
            );
            let single = Envelope::encode_batch(&envelopes[..1], encoding).expect("encode");
            assert_eq!(single, envelopes[0].encode(encoding).expect("encode"));
            assert_eq!(
                Envelope::decode_all(&single).expect("decode"),
                envelopes[..1]
            );
        }
        let by_hand = br#" [{"performative":"inform"}, {"performative":"tell","content":"b(1)"}]"#;
        assert_eq!(
            Envelope::decode_all(by_hand)
                .expect("hand-written batch")
                .len(),
            2
        );
        assert!(Envelope::decode_all(br#"[{"performative":"shout"}]"#).is_err());
        assert!(Envelope::decode_all(&[0x01, ENVELOPE_VERSION, 0xff]).is_err());
    }

    #[test]
    fn reply_goes_back_to_the_sender_and_names_the_request() {
        let request = sample();
        let reply = request.reply(Performative::Inform, serde_json::json!(42));
        assert_eq!(reply.receiver, "alice");
        assert_eq!(reply.sender, "bob");
        assert_eq!(reply.in_reply_to.as_deref(), Some("r-7"));
        assert_eq!(reply.conversation_id.as_deref(), Some("c-1"));

        let mut no_token = sample();
        no_token.reply_with = None;
        let reply = no_token.reply(Performative::Inform, serde_json::Value::Null);
        assert_eq!(reply.in_reply_to.as_deref(), Some(no_token.id.as_str()));
    }

    #[test]
    fn message_ids_are_unique() {
        let ids: std::collections::HashSet<String> =
            (0..10_000).map(|_| next_message_id()).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
