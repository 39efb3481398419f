//! The article event and its decoding from raw message bytes. No I/O.
//!
//! The event's shape is a contract users rely on (section 1 of
//! `../shared/design/contracts.md`): `id` is required, at least one of
//! `title` and `body` must be non-empty, every other field is optional and
//! unknown fields are ignored.
//!
//! Invariants: [`decode`] never panics on any input; every rejection is a
//! [`Malformed`] whose [`Malformed::reason`] is a stable snake_case string
//! (the dead-letter header and the metrics label), so adding a variant is
//! fine but renaming a reason breaks consumers.

use serde::{Deserialize, Serialize};

/// Default cap on an event's size, `kafka.max_message_bytes` (1 MiB).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// One news article as it arrives on a topic or a line of a JSONL file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// Why an event was rejected. The short `reason()` goes into the dead-letter
/// header `wirewatch-error`; `Display` is the human message for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("event is {size} bytes, larger than max_message_bytes = {max}")]
    TooLarge { size: usize, max: usize },
    #[error("event is not valid UTF-8 (invalid byte at offset {0})")]
    NotUtf8(usize),
    #[error("event is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("event is not a JSON object")]
    NotObject,
    #[error("event has no \"id\" (a non-empty string is required)")]
    MissingId,
    #[error("event field \"{field}\" must be a string")]
    WrongType { field: &'static str },
    #[error("event has neither a title nor a body")]
    NoText,
    #[error("message has no value")]
    Empty,
    /// More matching work than one article may take (see
    /// `evaluate::MAX_OCCURRENCES`): hostile or degenerate text.
    #[error("article needs more matching work than the per-article budget (more than {max} phrase occurrences)")]
    TooExpensive { occurrences: usize, max: usize },
}

impl Malformed {
    /// A stable machine-readable reason, used in the dead-letter header and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Malformed::TooLarge { .. } => "too_large",
            Malformed::NotUtf8(_) => "not_utf8",
            Malformed::InvalidJson(_) => "invalid_json",
            Malformed::NotObject => "not_object",
            Malformed::MissingId => "missing_id",
            Malformed::WrongType { .. } => "wrong_type",
            Malformed::NoText => "no_text",
            Malformed::Empty => "empty",
            Malformed::TooExpensive { .. } => "too_expensive",
        }
    }
}

/// Decodes one event. Unknown fields are ignored; `null` optional fields are
/// treated as absent.
pub fn decode(bytes: &[u8], max_bytes: usize) -> Result<Article, Malformed> {
    if bytes.is_empty() {
        return Err(Malformed::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(Malformed::TooLarge {
            size: bytes.len(),
            max: max_bytes,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| Malformed::NotUtf8(e.valid_up_to()))?;
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Malformed::InvalidJson(e.to_string()))?;
    let serde_json::Value::Object(mut map) = value else {
        return Err(Malformed::NotObject);
    };
    let mut take = |field: &'static str| -> Result<Option<String>, Malformed> {
        match map.remove(field) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Malformed::WrongType { field }),
        }
    };
    let id = match take("id") {
        Ok(Some(id)) if !id.trim().is_empty() => id,
        Ok(_) => return Err(Malformed::MissingId),
        Err(e) => return Err(e),
    };
    let title = take("title")?.unwrap_or_default();
    let body = take("body")?.unwrap_or_default();
    if title.trim().is_empty() && body.trim().is_empty() {
        return Err(Malformed::NoText);
    }
    Ok(Article {
        id,
        title,
        body,
        url: take("url")?,
        source: take("source")?,
        published_at: take("published_at")?,
        language: take("language")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(bytes: &[u8]) -> &'static str {
        decode(bytes, 1000).unwrap_err().reason()
    }

    #[test]
    fn decodes_a_full_event_and_ignores_unknown_fields() {
        let a = decode(
            br#"{"id":"a1","title":"T","body":"B","url":"u","source":"s","published_at":null,"extra":{"x":1}}"#,
            1000,
        )
        .unwrap();
        assert_eq!(a.id, "a1");
        assert_eq!(a.title, "T");
        assert_eq!(a.url.as_deref(), Some("u"));
        assert_eq!(a.published_at, None);
    }

    #[test]
    fn rejects_each_kind_of_malformed_event() {
        assert_eq!(reason(b""), "empty");
        assert_eq!(reason(&[b'{'; 1001]), "too_large");
        assert_eq!(reason(b"{\"id\":\"\xff\"}"), "not_utf8");
        assert_eq!(reason(b"{\"id\": "), "invalid_json");
        assert_eq!(reason(b"[1,2]"), "not_object");
        assert_eq!(reason(br#"{"title":"x"}"#), "missing_id");
        assert_eq!(reason(br#"{"id":"  ","title":"x"}"#), "missing_id");
        assert_eq!(reason(br#"{"id":7,"title":"x"}"#), "wrong_type");
        assert_eq!(reason(br#"{"id":"a","title":" ","body":""}"#), "no_text");
        assert_eq!(reason(br#"{"id":"a","title":["x"]}"#), "wrong_type");
    }

    #[test]
    fn deeply_nested_json_is_malformed_not_a_crash() {
        let deep = format!(
            "{{\"id\":\"a\",\"x\":{}{}}}",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert_eq!(
            decode(deep.as_bytes(), 1 << 20).unwrap_err().reason(),
            "invalid_json"
        );
    }
}
