//! Control commands as they arrive on `runs/{run}/control`: a JSON object
//! (`{"command": "speed", "value": 0.5, "id": "c1"}`) or plain text
//! (`speed 0.5`), so `mosquitto_pub -m pause` works.

use serde::Deserialize;

/// What a run is told to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Stop between steps, keeping every bit of state.
    Pause,
    /// Continue exactly where it paused.
    Resume,
    /// End gracefully: final checkpoints, `run_completed` with the reason.
    Stop,
    /// Write a checkpoint now.
    Checkpoint,
    /// Publish env frames on the episodes topic (on) or build none (off).
    Visual(bool),
    /// Slow what visual mode shows (0 < X ≤ 1); never slows training.
    Speed(f64),
}

/// A command with the id its answer carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Echoed in the answer's `reply_to`.
    pub id: Option<String>,
    /// The command.
    pub command: Command,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRequest {
    #[serde(default)]
    id: Option<String>,
    command: String,
    #[serde(default)]
    value: Option<serde_json::Value>,
}

/// A command that cannot be carried out as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CommandError(pub String);

const KNOWN: &str = "pause, resume, stop, checkpoint, visual on|off, speed X (0 < X <= 1)";

impl Request {
    /// Parses a control payload. The error names what was wrong; `id` is
    /// returned with it when the payload had one, so the answer can carry it.
    pub fn parse(payload: &[u8]) -> Result<Request, (Option<String>, CommandError)> {
        let text = std::str::from_utf8(payload)
            .map_err(|_| {
                (
                    None,
                    CommandError("a control command must be UTF-8 text".into()),
                )
            })?
            .trim();
        if text.starts_with('{') {
            let json: JsonRequest = serde_json::from_str(text).map_err(|e| {
                (
                    None,
                    CommandError(format!(
                        "malformed command: {e} (expected {{\"command\": ..}})"
                    )),
                )
            })?;
            let value = json.value.map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            });
            let command =
                parse_words(&json.command, value.as_deref()).map_err(|e| (json.id.clone(), e))?;
            return Ok(Request {
                id: json.id,
                command,
            });
        }
        let mut words = text.split_whitespace();
        let verb = words.next().unwrap_or("");
        let rest: Vec<&str> = words.collect();
        let value = (!rest.is_empty()).then(|| rest.join(" "));
        parse_words(verb, value.as_deref())
            .map(|command| Request { id: None, command })
            .map_err(|e| (None, e))
    }
}

fn parse_words(verb: &str, value: Option<&str>) -> Result<Command, CommandError> {
    let no_value = |command: Command| match value {
        None => Ok(command),
        Some(v) => Err(CommandError(format!("`{verb}` takes no value (got `{v}`)"))),
    };
    match verb {
        "pause" => no_value(Command::Pause),
        "resume" => no_value(Command::Resume),
        "stop" => no_value(Command::Stop),
        "checkpoint" => no_value(Command::Checkpoint),
        "visual" => match value {
            Some("on" | "true") => Ok(Command::Visual(true)),
            Some("off" | "false") => Ok(Command::Visual(false)),
            other => Err(CommandError(format!(
                "`visual` takes `on` or `off`, got {other:?}"
            ))),
        },
        "speed" => {
            let speed: f64 = value
                .ok_or_else(|| CommandError("`speed` needs a value, e.g. `speed 0.5`".into()))?
                .parse()
                .map_err(|_| {
                    CommandError(format!("`speed {}`: not a number", value.unwrap_or("")))
                })?;
            if !(speed > 0.0 && speed <= 1.0) {
                return Err(CommandError(format!(
                    "speed must be in (0, 1], got {speed}"
                )));
            }
            Ok(Command::Speed(speed))
        }
        "" => Err(CommandError(format!(
            "empty command; known commands: {KNOWN}"
        ))),
        other => Err(CommandError(format!(
            "unknown command `{other}`; known commands: {KNOWN}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_json_commands_parse() {
        assert_eq!(
            Request::parse(b"pause").map(|r| r.command),
            Ok(Command::Pause)
        );
        assert_eq!(
            Request::parse(b" visual on ").map(|r| r.command),
            Ok(Command::Visual(true))
        );
        assert_eq!(
            Request::parse(b"speed 0.25").map(|r| r.command),
            Ok(Command::Speed(0.25))
        );
        let request =
            Request::parse(br#"{"id": "c7", "command": "speed", "value": 0.5}"#).expect("json");
        assert_eq!(
            (request.id.as_deref(), request.command),
            (Some("c7"), Command::Speed(0.5))
        );
    }

    #[test]
    fn bad_commands_say_what_is_wrong_and_keep_the_id() {
        for (payload, needle) in [
            (&b"jump"[..], "unknown command `jump`"),
            (b"speed 2", "(0, 1]"),
            (b"speed 0", "(0, 1]"),
            (b"speed fast", "not a number"),
            (b"visual maybe", "on` or `off"),
            (b"pause now", "takes no value"),
            (b"{\"command\": 3}", "malformed"),
            (b"", "empty command"),
        ] {
            let (_, error) = Request::parse(payload).expect_err("refused");
            assert!(
                error.0.contains(needle),
                "{:?}: {error}",
                String::from_utf8_lossy(payload)
            );
        }
        let (id, _) = Request::parse(br#"{"id": "c9", "command": "fly"}"#).expect_err("unknown");
        assert_eq!(id.as_deref(), Some("c9"));
    }
}
