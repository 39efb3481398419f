//! A fast local webhook receiver for `scripts/bench`: axum on loopback, one
//! thread, answering every `POST` with 204 and recording, per request, its
//! `webhook-id`, the alert's `article.id` and the arrival time (Unix ms),
//! so the bench can join arrivals with produce times for latency.
//!
//! ```sh
//! cargo run --release --example bench_receiver -- --port 8099 [--secret whsec_...]
//! ```
//!
//! - `POST /<anything>`: record, verify the Standard Webhooks signature when
//!   `--secret` is given (a bad one is counted and answered 401), answer 204.
//! - `GET /_stats[?prefix=P]`: JSON `{"count", "unique", "first_ms",
//!   "last_ms", "bad_signatures"}` over the requests whose article id starts
//!   with `P` (all when absent).
//! - `GET /_dump[?prefix=P]`: one `webhook-id<TAB>article-id<TAB>arrival-ms`
//!   line per request.
//! - `GET /_health`: 200.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;

struct Record {
    webhook_id: String,
    article_id: String,
    arrival_ms: i64,
}

#[derive(Default)]
struct Received {
    records: Vec<Record>,
    bad_signatures: u64,
}

#[derive(Clone)]
struct App {
    received: Arc<Mutex<Received>>,
    key: Option<Arc<Vec<u8>>>,
}

#[derive(serde::Deserialize)]
struct AlertBody {
    article: ArticleId,
}

#[derive(serde::Deserialize)]
struct ArticleId {
    id: String,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn prefix(uri: &Uri) -> String {
    uri.query()
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("prefix="))
        .unwrap_or("")
        .to_string()
}

async fn handle(
    State(app): State<App>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let arrival_ms = now_ms();
    match (method, uri.path()) {
        (Method::GET, "/_health") => (StatusCode::OK, "ok\n".to_string()),
        (Method::GET, "/_stats") => {
            let p = prefix(&uri);
            let r = app.received.lock().unwrap_or_else(|e| e.into_inner());
            let mut unique = HashSet::new();
            let (mut count, mut first, mut last) = (0u64, i64::MAX, 0i64);
            for rec in r.records.iter().filter(|x| x.article_id.starts_with(&p)) {
                count += 1;
                unique.insert(rec.webhook_id.as_str());
                first = first.min(rec.arrival_ms);
                last = last.max(rec.arrival_ms);
            }
            let json = serde_json::json!({
                "count": count,
                "unique": unique.len(),
                "first_ms": if count > 0 { first } else { 0 },
                "last_ms": last,
                "bad_signatures": r.bad_signatures,
            });
            (StatusCode::OK, json.to_string())
        }
        (Method::GET, "/_dump") => {
            let p = prefix(&uri);
            let r = app.received.lock().unwrap_or_else(|e| e.into_inner());
            let mut out = String::with_capacity(r.records.len() * 64);
            for rec in r.records.iter().filter(|x| x.article_id.starts_with(&p)) {
                out.push_str(&format!(
                    "{}\t{}\t{}\n",
                    rec.webhook_id, rec.article_id, rec.arrival_ms
                ));
            }
            (StatusCode::OK, out)
        }
        (Method::POST, _) => {
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            };
            let webhook_id = header("webhook-id");
            if let Some(key) = &app.key {
                let ok = header("webhook-timestamp").parse::<i64>().is_ok_and(|ts| {
                    wirewatch::notify::webhook::verify(
                        key,
                        &webhook_id,
                        ts,
                        &body,
                        &header("webhook-signature"),
                    )
                });
                if !ok {
                    app.received
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .bad_signatures += 1;
                    return (StatusCode::UNAUTHORIZED, "bad signature\n".to_string());
                }
            }
            let article_id = serde_json::from_slice::<AlertBody>(&body)
                .map(|b| b.article.id)
                .unwrap_or_default();
            app.received
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .records
                .push(Record {
                    webhook_id,
                    article_id,
                    arrival_ms,
                });
            (StatusCode::NO_CONTENT, String::new())
        }
        _ => (StatusCode::NOT_FOUND, "not found\n".to_string()),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut port: u16 = 8099;
    let mut secret: Option<String> = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match (flag.as_str(), it.next()) {
            ("--port", Some(v)) => port = v.parse().expect("--port takes a port number"),
            ("--secret", Some(v)) => secret = Some(v),
            _ => {
                eprintln!("usage: bench_receiver [--port PORT] [--secret whsec_...]");
                std::process::exit(64);
            }
        }
    }
    let key = secret.map(|s| {
        Arc::new(wirewatch::config::decode_secret(&s).unwrap_or_else(|e| {
            eprintln!("error: --secret: {e}");
            std::process::exit(64)
        }))
    });
    let app = App {
        received: Arc::default(),
        key,
    };
    let router = Router::new().fallback(handle).with_state(app);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| {
            eprintln!("error: cannot bind 127.0.0.1:{port}: {e}");
            std::process::exit(1)
        });
    eprintln!("bench_receiver: listening on 127.0.0.1:{port}");
    axum::serve(listener, router).await.expect("serve");
}
