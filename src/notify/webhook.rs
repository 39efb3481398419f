//! Webhook notifier: `POST` of the JSON alert, signed per Standard Webhooks
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`, made by
//! `signature`). Targets on non-public addresses are refused unless the
//! channel allows them (`guard`); redirects are never followed and
//! environment proxies never used, so an alert goes only where the config
//! says. HTTPS receivers must present a certificate valid for the URL's
//! host, chaining to a built-in root or to the channel's `ca_file`.
//!
//! A receiver controls what it answers, so what we read of it is bounded:
//! the whole attempt by the delivery timeout (headers and body), and the
//! body, read only for a failure status (to quote it in the delivery's
//! last error), to [`MAX_RESPONSE_BODY`] bytes; the rest is never read
//! (the connection is closed).

mod guard;
mod signature;

use std::sync::Arc;
use std::time::Duration;

pub use guard::is_public;
pub use signature::{sign, verify};

use super::{error_chain, DeliveryError};
use crate::alert::Alert;
use crate::config::{decode_secret, CaFile, Secret, SecretError};

/// At most this much of a response body is read (64 KiB).
pub const MAX_RESPONSE_BODY: usize = 64 * 1024;

/// At most this many characters of a failure response's body are quoted
/// in the delivery's last error.
const QUOTED_BODY_CHARS: usize = 200;

/// Why a webhook channel cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The secret is not a Standard Webhooks secret (what is wrong with it).
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("proxy {proxy} is not valid: {source}")]
    Proxy {
        /// The proxy URL without credentials or query.
        proxy: String,
        #[source]
        source: reqwest::Error,
    },
    /// The HTTP client cannot be built (its TLS backend failed to start).
    #[error("{0}")]
    Client(#[source] reqwest::Error),
    /// A certificate of `ca_file` was refused by the TLS backend.
    #[error("ca_file {path}: {source}")]
    CaFile {
        path: String,
        #[source]
        source: reqwest::Error,
    },
}

/// One webhook endpoint.
#[derive(Clone)]
pub struct Webhook {
    url: url::Url,
    key: Vec<u8>,
    client: reqwest::Client,
    allow_private: bool,
    /// The channel's own proxy (`proxy = "http://..."`); environment
    /// proxies are never used.
    proxied: bool,
}

impl Webhook {
    /// A webhook client. It never uses `HTTP_PROXY`/`HTTPS_PROXY`: a proxy
    /// resolves the target itself, past the public-address check. Only a
    /// proxy configured on the channel is used, and then the target is
    /// checked here before the request is handed to it.
    pub fn new(
        url: url::Url,
        secret: &Secret,
        timeout: Duration,
        allow_private: bool,
        proxy: Option<&url::Url>,
        ca_file: Option<&CaFile>,
    ) -> Result<Webhook, WebhookError> {
        let key = decode_secret(secret.expose()).map_err(WebhookError::Secret)?;
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect could send a signed alert somewhere unexpected.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("wirewatch/", env!("CARGO_PKG_VERSION")))
            .no_proxy();
        for der in ca_file.iter().flat_map(|ca| &ca.certs) {
            let cert =
                reqwest::Certificate::from_der(der).map_err(|source| WebhookError::CaFile {
                    path: ca_file
                        .map(|ca| ca.path.display().to_string())
                        .unwrap_or_default(),
                    source,
                })?;
            builder = builder.add_root_certificate(cert);
        }
        match proxy {
            Some(p) => {
                // The client then resolves only the proxy's name, which the
                // operator chose (often a private address): the target is
                // checked in `send` instead.
                let proxy = reqwest::Proxy::all(p.as_str()).map_err(|e| WebhookError::Proxy {
                    proxy: crate::notify::redact_url(p),
                    source: e.without_url(),
                })?;
                builder = builder.proxy(proxy);
            }
            None if !allow_private => builder = builder.dns_resolver(Arc::new(guard::PublicOnly)),
            None => {}
        }
        let client = builder
            .build()
            .map_err(|e| WebhookError::Client(e.without_url()))?;
        Ok(Webhook {
            url,
            key,
            client,
            allow_private,
            proxied: proxy.is_some(),
        })
    }

    pub async fn send(&self, alert: &Alert) -> Result<(), DeliveryError> {
        if !self.allow_private {
            guard::check_target(&self.url, self.proxied).await?;
        }
        let body = serde_json::to_vec(alert).expect("an alert serializes");
        let timestamp = jiff::Timestamp::now().as_second();
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
            .map_err(|e| {
                let chain = error_chain(&e.without_url());
                DeliveryError::Transient {
                    // The URL may carry a token in its query: never in logs
                    // or in the outbox's last error.
                    message: format!(
                        "request to {} failed: {chain}{}",
                        crate::notify::redact_url(&self.url),
                        super::tls_hint(&chain, "ca_file"),
                    ),
                    retry_after: None,
                }
            })?;
        let status = response.status();
        if status.is_success() {
            // The body is not read: dropping the response closes the
            // connection, however much the receiver meant to send.
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = read_capped(response, MAX_RESPONSE_BODY).await;
        let message = match quote(&body) {
            q if q.is_empty() => format!("HTTP {status}"),
            q => format!("HTTP {status}: {q}"),
        };
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

/// Reads at most `cap` bytes of a response's body (less if it ends or
/// fails first: the status is what counts). The rest is never read.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < cap {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let take = chunk.len().min(cap - body.len());
                body.extend_from_slice(&chunk[..take]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    body
}

/// The start of a response body as one printable line, for a last error.
fn quote(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut q: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(QUOTED_BODY_CHARS)
        .collect();
    if text.chars().count() > QUOTED_BODY_CHARS {
        q.push_str("...");
    }
    q
}

/// The key is key material: Debug shows the endpoint without its query
/// string or credentials, and never the key.
impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &crate::notify::redact_url(&self.url))
            .field("key", &"[redacted]")
            .field("allow_private", &self.allow_private)
            .field("proxied", &self.proxied)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loopback "proxy": answers 200 to whatever it is sent and keeps
    /// the request lines it saw.
    async fn recording_proxy() -> (url::Url, Arc<std::sync::Mutex<Vec<String>>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap())
            .parse()
            .unwrap();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let mut buf = vec![0u8; 65536];
                let n = conn.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                record
                    .lock()
                    .unwrap()
                    .push(head.lines().next().unwrap_or("").to_string());
                let _ = conn
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            }
        });
        (url, seen)
    }

    fn alert() -> Alert {
        serde_json::from_value(serde_json::json!({
            "alert_id": "alrt_x", "rule_id": "r", "severity": "high",
            "article": {"id": "a", "title": "t", "url": null, "source": null, "published_at": null},
            "matched": {"company": {"id": "C", "text": "C"}, "agency": null, "action": null},
            "evidence": [], "detected_at": "2024-01-01T00:00:00Z", "watchlist": "w.toml"
        }))
        .unwrap()
    }

    fn hook(url: &str, allow_private: bool, proxy: &url::Url) -> Webhook {
        Webhook::new(
            url.parse().unwrap(),
            &Secret::new("whsec_blGrM4Th4PrLhgBiTXGM87zvNu20n9dWwqQai4tYhoo="),
            Duration::from_secs(5),
            allow_private,
            Some(proxy),
            None,
        )
        .unwrap()
    }

    /// Issue 16: through a proxy, alerts to metadata and loopback targets
    /// went out, since the proxy resolved the names itself. The guard now
    /// checks the target before the proxy sees the request.
    #[tokio::test]
    async fn a_proxy_never_sees_a_request_for_a_private_target() {
        let (proxy, seen) = recording_proxy().await;
        for target in [
            "http://localhost:9464/metrics",
            "http://127.0.0.1:9464/metrics",
            "http://169.254.169.254/computeMetadata/v1/",
            "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
            "http://metadata.google.internal/computeMetadata/v1/",
        ] {
            let err = hook(target, false, &proxy)
                .send(&alert())
                .await
                .unwrap_err();
            assert!(err.to_string().contains("refused"), "{target}: {err}");
        }
        assert!(
            seen.lock().unwrap().is_empty(),
            "the proxy was contacted: {:?}",
            seen.lock().unwrap()
        );
        // The channel's proxy is used when the target may be reached.
        hook("http://localhost:9464/hook?token=abc", true, &proxy)
            .send(&alert())
            .await
            .unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            ["POST http://localhost:9464/hook?token=abc HTTP/1.1"]
        );
    }

    /// Issue 16: query tokens of webhook URLs showed in logs and in the
    /// outbox's last error; the key showed in Debug output.
    #[tokio::test]
    async fn errors_and_debug_output_hide_url_tokens_and_the_key() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let w = Webhook::new(
            format!("http://user:pw@127.0.0.1:{port}/hook?token=s3cr3t")
                .parse()
                .unwrap(),
            &Secret::new("whsec_blGrM4Th4PrLhgBiTXGM87zvNu20n9dWwqQai4tYhoo="),
            Duration::from_secs(5),
            true,
            None,
            None,
        )
        .unwrap();
        let err = w.send(&alert()).await.unwrap_err().to_string();
        assert!(
            err.contains("request to http://[redacted]@127.0.0.1"),
            "{err}"
        );
        assert!(!err.contains("s3cr3t") && !err.contains("pw@"), "{err}");
        let debug = format!("{w:?}");
        assert!(
            !debug.contains("s3cr3t") && !debug.contains("pw@"),
            "{debug}"
        );
        assert!(debug.contains("key: \"[redacted]\""), "{debug}");
    }
}
