//! Webhook notifier: `POST` of the JSON alert, signed per Standard Webhooks
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`).

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::DeliveryError;
use crate::alert::Alert;
use crate::config::Secret;

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

/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

/// Verifies a `webhook-signature` header value (space-separated list of
/// `v1,<sig>`) the way a receiver does.
pub fn verify(key: &[u8], id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    header.split(' ').any(|sig| {
        // Compare in constant time through the HMAC crate's verifier.
        let Some(b64) = sig.strip_prefix("v1,") else {
            return false;
        };
        let Ok(raw) = B64.decode(b64) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&raw).is_ok()
    })
}

/// One webhook endpoint.
#[derive(Debug, Clone)]
pub struct Webhook {
    url: url::Url,
    key: Vec<u8>,
    client: reqwest::Client,
}

impl Webhook {
    pub fn new(url: url::Url, secret: &Secret, timeout: Duration) -> Result<Webhook, String> {
        let key = decode_secret(secret.expose())?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect could send a signed alert somewhere unexpected.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("wirewatch/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Webhook { url, key, client })
    }

    pub async fn send(&self, alert: &Alert) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(alert).expect("an alert serializes");
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let signature = sign(&self.key, &alert.alert_id, timestamp, &body);
        let response = self
            .client
            .post(self.url.clone())
            .header("content-type", "application/json")
            .header("webhook-id", &alert.alert_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| DeliveryError::Transient {
                message: format!("request failed: {}", error_chain(&e)),
                retry_after: None,
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let message = format!("HTTP {status}");
        match status.as_u16() {
            408 | 425 | 429 | 500..=599 => Err(DeliveryError::Transient {
                message,
                retry_after,
            }),
            _ => Err(DeliveryError::Permanent { message }),
        }
    }
}

/// The error and its causes, for a log line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(c) = source {
        s.push_str(": ");
        s.push_str(&c.to_string());
        source = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from the Standard Webhooks specification.
    #[test]
    fn signs_like_the_specification_example() {
        let key = decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let sig = sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            body,
            &format!("v1,bogus {sig}")
        ));
        assert!(!verify(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265331,
            body,
            &sig
        ));
    }

    #[test]
    fn rejects_bad_secrets() {
        assert!(decode_secret("secret").unwrap_err().contains("whsec_"));
        assert!(decode_secret("whsec_!!!").unwrap_err().contains("base64"));
        assert!(decode_secret("whsec_YWJj").unwrap_err().contains("3 bytes"));
    }
}
