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
use crate::config::{decode_secret, Secret};

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
/// carrier-grade NAT, unspecified, broadcast, multicast, documentation,
/// benchmarking (198.18.0.0/15), IETF protocol assignments (192.0.0.0/24)
/// or reserved (240.0.0.0/4). IPv6 forms that carry an IPv4 address are
/// judged by it (mapped, compatible, 6to4 2002::/16); NAT64 (64:ff9b::/96,
/// 64:ff9b:1::/48), whose gateway reaches whatever IPv4 address is inside,
/// and Teredo (2001::/32) are never public.
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
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // IPv4-compatible (::a.b.c.d, deprecated): the IPv4 inside.
            if s[..6] == [0; 6] {
                let v4 = std::net::Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                );
                return !v6.is_loopback() && !v6.is_unspecified() && is_public(IpAddr::V4(v4));
            }
            // 6to4: 2002:AABB:CCDD::/48 carries A.B.C.D.
            if s[0] == 0x2002 {
                let v4 = std::net::Ipv4Addr::new(
                    (s[1] >> 8) as u8,
                    s[1] as u8,
                    (s[2] >> 8) as u8,
                    s[2] as u8,
                );
                return is_public(IpAddr::V4(v4));
            }
            let nat64 = s[0] == 0x64 && s[1] == 0xff9b && (s[2..6] == [0; 4] || s[2] == 1);
            let teredo = s[0] == 0x2001 && s[1] == 0;
            let documentation = s[0] == 0x2001 && s[1] == 0xdb8;
            let discard = s[..4] == [0x100, 0, 0, 0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                // Site-local (deprecated, still routed inside some sites).
                || (s[0] & 0xffc0) == 0xfec0
                || nat64
                || teredo
                || documentation
                || discard)
        }
    }
}

/// The refusal for a host that resolves only to non-public addresses.
fn refused_host(host: &str) -> String {
    format!("{host} resolves only to loopback, private, link-local or metadata addresses; set allow_private = true on the channel to allow it")
}

/// Resolves `host` and keeps its public addresses; an error if there are
/// none (or it does not resolve: a name we cannot check is refused).
async fn public_addrs(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("cannot resolve {host} to check that it is public: {e}"))?
        .collect();
    let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
    if public.is_empty() {
        return Err(refused_host(host));
    }
    Ok(public)
}

/// Resolves host names and keeps only public addresses, so the address
/// checked is the address connected to (no DNS rebinding around the check).
#[derive(Debug)]
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let public = public_addrs(name.as_str(), 0).await?;
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
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
    ) -> Result<Webhook, String> {
        let key = decode_secret(secret.expose())?;
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect could send a signed alert somewhere unexpected.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("wirewatch/", env!("CARGO_PKG_VERSION")))
            .no_proxy();
        match proxy {
            Some(p) => {
                // The client then resolves only the proxy's name, which the
                // operator chose (often a private address): the target is
                // checked in `send` instead.
                let proxy = reqwest::Proxy::all(p.as_str()).map_err(|e| {
                    format!(
                        "proxy {} is not valid: {}",
                        crate::notify::redact_url(p),
                        e.without_url()
                    )
                })?;
                builder = builder.proxy(proxy);
            }
            None if !allow_private => builder = builder.dns_resolver(Arc::new(PublicOnly)),
            None => {}
        }
        let client = builder.build().map_err(|e| e.without_url().to_string())?;
        Ok(Webhook {
            url,
            key,
            client,
            allow_private,
            proxied: proxy.is_some(),
        })
    }

    /// Refuses a target on a non-public address (unless the channel allows
    /// private targets). Through a proxy the target's name is resolved here,
    /// since the proxy would resolve it where we cannot check.
    async fn check_target(&self) -> Result<(), DeliveryError> {
        if self.allow_private {
            return Ok(());
        }
        let refuse = |message: String| DeliveryError::Permanent {
            message: format!("refused: {message}"),
        };
        match self.url.host() {
            Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(refuse(format!("{ip} is a loopback, private, link-local or metadata address; set allow_private = true on the channel to allow it"))),
            Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(refuse(format!("{ip} is a loopback, private, link-local or metadata address; set allow_private = true on the channel to allow it"))),
            Some(url::Host::Domain(host)) if self.proxied => {
                let port = self.url.port_or_known_default().unwrap_or(443);
                public_addrs(host, port)
                    .await
                    .map(|_| ())
                    .map_err(|message| DeliveryError::Transient {
                        message: format!("refused: {message}"),
                        retry_after: None,
                    })
            }
            _ => Ok(()),
        }
    }

    pub async fn send(&self, alert: &Alert) -> Result<(), DeliveryError> {
        self.check_target().await?;
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
                // The URL may carry a token in its query: never in logs or
                // in the outbox's last error.
                message: format!(
                    "request to {} failed: {}",
                    crate::notify::redact_url(&self.url),
                    error_chain(&e.without_url())
                ),
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
            // Issue 16: ranges that reach private space or are not routed.
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::808:808",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "198.18.0.1",
            "198.19.255.255",
            "240.0.0.1",
            "255.255.255.255",
            "192.0.0.8",
            "::7f00:1",
            "::a9fe:a9fe",
            "2001:db8::1",
            "2001:0:4136:e378::1",
            "fec0::1",
            "100::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700::1111",
            "2002:808:808::1",
            "198.20.0.1",
            "192.0.1.1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

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
