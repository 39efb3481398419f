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

/// Why a Standard Webhooks secret is not valid. The messages never quote
/// the secret; `config` prints them after "[redacted] is not valid: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("must start with \"whsec_\" followed by the base64 key")]
    NoPrefix,
    /// The decoder's message is part of this one's (it is shown alone, not
    /// as a chain), and kept as the source.
    #[error("the part after \"whsec_\" is not base64: {source}")]
    NotBase64 {
        #[source]
        source: base64::DecodeError,
    },
    #[error("the key is {0} bytes; use at least 16 (24-64 recommended)")]
    TooShort(usize),
}

/// Decodes a Standard Webhooks secret: `whsec_` followed by base64 key bytes.
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, SecretError> {
    let b64 = secret.strip_prefix("whsec_").ok_or(SecretError::NoPrefix)?;
    let key = B64
        .decode(b64.trim())
        .map_err(|source| SecretError::NotBase64 { source })?;
    if key.len() < 16 {
        return Err(SecretError::TooShort(key.len()));
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

    #[test]
    fn rejects_bad_secrets() {
        use super::decode_secret;
        let err = |s: &str| decode_secret(s).unwrap_err().to_string();
        assert_eq!(
            err("secret"),
            "must start with \"whsec_\" followed by the base64 key"
        );
        assert!(err("whsec_!!!").starts_with("the part after \"whsec_\" is not base64: "));
        assert_eq!(
            err("whsec_YWJj"),
            "the key is 3 bytes; use at least 16 (24-64 recommended)"
        );
        assert!(std::error::Error::source(&decode_secret("whsec_!!!").unwrap_err()).is_some());
    }
}
