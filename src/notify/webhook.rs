//! Webhook notifier: `POST` of the JSON alert, signed per Standard Webhooks
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{error_chain, DeliveryError};
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

/// Whether an address is reachable on the public internet: not loopback,
/// private, link-local (which holds cloud metadata at 169.254.169.254),
/// carrier-grade NAT, unspecified, broadcast, multicast or documentation.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves host names and keeps only public addresses, so the address
/// checked is the address connected to (no DNS rebinding around the check).
#[derive(Debug)]
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                let e: Box<dyn std::error::Error + Send + Sync> = format!(
                    "{host} resolves only to loopback, private, link-local or metadata addresses; set allow_private = true on the channel to allow it"
                )
                .into();
                return Err(e);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// One webhook endpoint.
#[derive(Debug, Clone)]
pub struct Webhook {
    url: url::Url,
    key: Vec<u8>,
    client: reqwest::Client,
    allow_private: bool,
}

impl Webhook {
    pub fn new(
        url: url::Url,
        secret: &Secret,
        timeout: Duration,
        allow_private: bool,
    ) -> Result<Webhook, String> {
        let key = decode_secret(secret.expose())?;
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect could send a signed alert somewhere unexpected.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("wirewatch/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let client = builder.build().map_err(|e| e.to_string())?;
        Ok(Webhook {
            url,
            key,
            client,
            allow_private,
        })
    }

    pub async fn send(&self, alert: &Alert) -> Result<(), DeliveryError> {
        if !self.allow_private {
            let literal = match self.url.host() {
                Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
                Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
                _ => None,
            };
            if let Some(ip) = literal.filter(|ip| !is_public(*ip)) {
                return Err(DeliveryError::Permanent {
                    message: format!("refused: {ip} is a loopback, private, link-local or metadata address; set allow_private = true on the channel to allow it"),
                });
            }
        }
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
            410 => Err(DeliveryError::Gone { message }),
            300..=399 => Err(DeliveryError::Permanent {
                message: format!("{message}: redirects are not followed"),
            }),
            _ => Err(DeliveryError::Permanent { message }),
        }
    }
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
    fn only_public_addresses_are_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn rejects_bad_secrets() {
        assert!(decode_secret("secret").unwrap_err().contains("whsec_"));
        assert!(decode_secret("whsec_!!!").unwrap_err().contains("base64"));
        assert!(decode_secret("whsec_YWJj").unwrap_err().contains("3 bytes"));
    }
}
