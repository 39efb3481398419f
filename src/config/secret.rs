//! Keeping secrets out of output: a secret string (SMTP password, webhook
//! signing secret) that never shows up in Debug output or logs, the
//! Standard Webhooks secret format, and URLs as they may be shown (no
//! credentials, no query string).

use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Decodes a Standard Webhooks secret: `whsec_` followed by base64 key bytes.
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, String> {
    let b64 = secret
        .strip_prefix("whsec_")
        .ok_or_else(|| "must start with \"whsec_\" followed by the base64 key".to_string())?;
    let key = B64
        .decode(b64.trim())
        .map_err(|e| format!("the part after \"whsec_\" is not base64: {e}"))?;
    if key.len() < 16 {
        return Err(format!(
            "the key is {} bytes; use at least 16 (24-64 recommended)",
            key.len()
        ));
    }
    Ok(key)
}

/// A URL as it may appear in logs and errors: no credentials, and the
/// query string (where receivers put access tokens) replaced.
pub fn redact_url(url: &url::Url) -> String {
    let mut u = url.clone();
    let had_credentials = !u.username().is_empty() || u.password().is_some();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    let had_query = u.query().is_some();
    u.set_query(None);
    u.set_fragment(None);
    let mut s = u.to_string();
    if had_credentials {
        if let Some(i) = s.find("://") {
            s.insert_str(i + 3, "[redacted]@");
        }
    }
    if had_query {
        s.push_str("?[redacted]");
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn never_prints_the_value() {
        let s = super::Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "hunter2");
    }
}
