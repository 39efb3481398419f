//! `wirewatch demo`: the embedded default. Starts librdkafka's in-process
//! mock cluster, produces the bundled sample articles (and one malformed
//! event), and runs the real consume → match → notify pipeline: alert
//! emails are written as `.eml` files, webhooks go to an in-process
//! receiver that verifies their signatures. No servers needed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use tokio_util::sync::CancellationToken;

use super::Failure;
use crate::alert::Alert;
use crate::app::{App, Parts};
use crate::config::{DeliveryConfig, KafkaConfig, Secret};
use crate::notify::{email, webhook, Notifier, Sender};
use crate::sentlog::SentLog;
use crate::source::kafka::{KafkaSource, DLQ_REASON_HEADER};
use crate::store::{DeliveryState, Status, Store};
use wirewatch_matcher::{Matcher, SpanKind};

/// The bundled sample articles (the Kaspersky seed article first).
pub const ARTICLES: &str = include_str!("../../examples/articles.jsonl");

/// The shipped watchlists, compiled in so the demo runs from anywhere.
pub const WATCHLISTS: &[(&str, &str)] = &[
    (
        "config/watchlists/enforcement.toml",
        include_str!("../../config/watchlists/enforcement.toml"),
    ),
    (
        "config/watchlists/sanctions.toml",
        include_str!("../../config/watchlists/sanctions.toml"),
    ),
    (
        "config/watchlists/security.toml",
        include_str!("../../config/watchlists/security.toml"),
    ),
];

/// A malformed event, to show the dead-letter path.
const MALFORMED: &str = "{\"id\": \"demo-broken\", \"title\": \"truncated";

const TOPIC: &str = "articles";
const DLQ: &str = "articles.dlq";

/// The shipped watchlists as a compiled matcher.
pub fn matcher() -> Result<Matcher, Vec<String>> {
    let sources: Vec<(PathBuf, String)> = WATCHLISTS
        .iter()
        .map(|(p, s)| (PathBuf::from(p), s.to_string()))
        .collect();
    let (wl, _) = crate::watchlists::validate(&sources, None)
        .map_err(|d| d.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    Ok(crate::watchlists::compile(&wl))
}

pub async fn run(out: &Path) -> Result<(), Failure> {
    crate::telemetry::init(
        crate::config::LogFormat::Text,
        "warn,rdkafka=off,librdkafka=off",
    );
    let matcher = matcher().map_err(Failure::Usage)?;
    {
        use std::os::unix::fs::DirBuilderExt as _;
        // The emails quote articles: the owner's only, whatever the umask.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(out)
            .with_context(|| format!("cannot create {}", out.display()))?;
    }

    // The in-process cluster stands in for Kafka; everything else is real.
    let mock = MockCluster::new(1).context("cannot start the mock Kafka cluster")?;
    mock.create_topic(TOPIC, 3, 1)
        .context("cannot create topic")?;
    mock.create_topic(DLQ, 1, 1)
        .context("cannot create topic")?;
    let brokers = mock.bootstrap_servers();

    let shutdown = CancellationToken::new();
    let (hook_url, hooks) = start_receiver(shutdown.clone()).await?;
    let key: [u8; 32] = rand::random();
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    );
    let delivery = DeliveryConfig {
        timeout: Duration::from_secs(5),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(200),
        max_backoff: Duration::from_secs(2),
        shutdown_grace: Duration::from_secs(10),
        max_age: Duration::from_secs(60),
        webhook_schedule: crate::config::WebhookSchedule::Exponential,
    };
    let mut channels = HashMap::new();
    channels.insert(
        "compliance".to_string(),
        Sender::Email(email::Email::new(
            "Wirewatch Demo <alerts@wirewatch.example>"
                .parse()
                .expect("valid mailbox"),
            vec!["compliance@example.com".parse().expect("valid mailbox")],
            email::Mailer::files(out.to_path_buf()),
        )),
    );
    channels.insert(
        "soc".to_string(),
        Sender::Webhook(
            webhook::Webhook::new(
                hook_url.clone(),
                &Secret::new(secret.clone()),
                delivery.timeout,
                true,
                None,
                None,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
    );
    *hooks.key.lock().unwrap_or_else(|p| p.into_inner()) = key.to_vec();

    // A fresh outbox per run, so every run shows every alert.
    let state = out.join(".state");
    let _ = std::fs::remove_dir_all(&state);
    let store = Arc::new(Store::open(&state).context("cannot open the demo outbox")?);
    let App {
        processor,
        dispatcher,
        store,
        metrics,
    } = App::new(
        matcher,
        Parts {
            store,
            notifier: Notifier::new(channels, delivery.timeout),
            delivery: delivery.clone(),
            routing: HashMap::new(),
            max_message_bytes: wirewatch_matcher::article::DEFAULT_MAX_MESSAGE_BYTES,
            story_window: Some(Duration::from_secs(72 * 3600)),
            thread_window: Some(Duration::from_secs(30 * 86_400)),
        },
    );
    let delivering = tokio::spawn(dispatcher.run(shutdown.clone()));

    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .create()
        .context("cannot create producer")?;
    let mut events: Vec<(String, String)> = ARTICLES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let id = serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| v["id"].as_str().map(String::from))
                .unwrap_or_default();
            (id, l.to_string())
        })
        .collect();
    events.push(("demo-broken".into(), MALFORMED.into()));
    for (id, payload) in &events {
        producer
            .send(
                FutureRecord::to(TOPIC).key(id).payload(payload),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(e, _)| anyhow::anyhow!("cannot produce to the mock cluster: {e}"))?;
    }
    println!("wirewatch demo: produced {} events to topic {TOPIC:?} on an in-process Kafka cluster ({brokers})", events.len());

    let kafka = KafkaConfig {
        brokers: brokers.clone(),
        group_id: "wirewatch-demo".into(),
        topics: vec![TOPIC.into()],
        dead_letter_topic: DLQ.into(),
        sent_topic: "wirewatch.sent".into(),
        max_message_bytes: wirewatch_matcher::article::DEFAULT_MAX_MESSAGE_BYTES,
        workers: 1,
        properties: Default::default(),
    };
    let source = KafkaSource::new(&kafka, metrics.clone(), SentLog::off())?;
    let stop = shutdown.clone();
    let grace = delivery.shutdown_grace;
    let consumer_task =
        tokio::spawn(async move { source.run(processor, stop, grace, u64::MAX).await });

    let total = events.len() as u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while (metrics.articles_seen() < total || store.pending().unwrap_or(1) > 0)
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    shutdown.cancel();
    consumer_task.await.context("consumer task")??;
    let _ = delivering.await;

    // What happened, read back from the outbox.
    let deliveries = store.deliveries(None).map_err(anyhow::Error::from)?;
    let mut alerts: Vec<Alert> = Vec::new();
    for d in &deliveries {
        if !alerts.iter().any(|a| a.alert_id == d.alert_id) {
            let record = store.alert(&d.alert_id).map_err(anyhow::Error::from)?;
            alerts.extend(record.map(|r| r.alert));
        }
    }
    alerts.sort_by_key(|a| {
        (
            events.iter().position(|(id, _)| *id == a.article.id),
            a.rule_id.clone(),
        )
    });
    let articles: std::collections::BTreeSet<&str> =
        alerts.iter().map(|a| a.article.id.as_str()).collect();
    println!(
        "matched {} of {} articles; {} alerts:\n",
        articles.len(),
        events.len() - 1,
        alerts.len()
    );
    let received = hooks
        .received
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    for a in &alerts {
        let mine: Vec<&DeliveryState> = deliveries
            .iter()
            .filter(|d| d.alert_id == a.alert_id)
            .collect();
        print_alert(a, &mine, &received, out);
    }
    let dead = read_dead_letters(&brokers).await;
    for (key, reason) in &dead {
        println!("dead-lettered: {key} -> topic {DLQ:?} (reason: {reason})");
    }
    let unseen = metrics.articles_seen() < events.len() as u64;
    if unseen {
        return Err(Failure::Other(anyhow::anyhow!(
            "the demo timed out before every article was handled"
        )));
    }
    println!(
        "\nalert emails written to {}/ (open the .eml files in a mail client)",
        out.display()
    );
    drop(mock);
    Ok(())
}

fn print_alert(
    a: &Alert,
    deliveries: &[&DeliveryState],
    received: &HashMap<String, bool>,
    out: &Path,
) {
    println!("━━ {} ━━", a.summary());
    println!(
        "   article   {} — {}",
        a.article.id,
        a.article.source.as_deref().unwrap_or("unknown source")
    );
    let m = &a.matched;
    let mut matched = format!("company {} (\"{}\")", m.company.id, m.company.text);
    if let Some(x) = &m.agency {
        matched.push_str(&format!(" · agency {} (\"{}\")", x.id, x.text));
    }
    if let Some(x) = &m.action {
        matched.push_str(&format!(" · action {} (\"{}\")", x.id, x.text));
    }
    println!("   matched   {matched}");
    for e in &a.evidence {
        let bracket = |k: SpanKind| match k {
            SpanKind::Company => ("[", "]"),
            SpanKind::Agency => ("{", "}"),
            SpanKind::Action => ("<", ">"),
        };
        let marked = e.marked(
            |k| bracket(k).0.into(),
            |k| bracket(k).1.into(),
            str::to_string,
        );
        println!("   evidence  {marked}");
    }
    for del in deliveries {
        let delivered = del.status == Status::Delivered;
        let status = match (delivered, received.get(&a.alert_id)) {
            (true, Some(true)) if del.channel == "soc" => {
                "webhook delivered, signature verified".to_string()
            }
            (true, _) if del.channel == "compliance" => {
                format!("email written to {}/", out.display())
            }
            (true, _) => "delivered".to_string(),
            (false, _) => format!(
                "{}: {}",
                del.status.as_str(),
                del.last_error.as_deref().unwrap_or("")
            ),
        };
        println!("   sent      {} → {status}", del.channel);
    }
    println!();
}

#[derive(Clone, Default)]
struct Received {
    key: Arc<Mutex<Vec<u8>>>,
    /// webhook-id → whether the signature verified.
    received: Arc<Mutex<HashMap<String, bool>>>,
}

/// A webhook receiver on loopback that verifies Standard Webhooks signatures.
async fn start_receiver(shutdown: CancellationToken) -> anyhow::Result<(url::Url, Received)> {
    let state = Received::default();
    let s = state.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let s = s.clone();
            async move {
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                let (id, ts, sig) = (
                    h("webhook-id"),
                    h("webhook-timestamp"),
                    h("webhook-signature"),
                );
                let key = s.key.lock().unwrap_or_else(|p| p.into_inner()).clone();
                let ok = ts
                    .parse::<i64>()
                    .is_ok_and(|ts| webhook::verify(&key, &id, ts, &body, &sig));
                s.received
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(id, ok);
                if ok {
                    StatusCode::NO_CONTENT
                } else {
                    StatusCode::UNAUTHORIZED
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
    });
    Ok((url::Url::parse(&format!("http://{addr}/hooks"))?, state))
}

/// Reads back the dead-letter topic: (key, reason header) per message.
async fn read_dead_letters(brokers: &str) -> Vec<(String, String)> {
    let brokers = brokers.to_string();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = match ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .set("group.id", "wirewatch-demo-dlq-reader")
            .set("auto.offset.reset", "earliest")
            .create()
        {
            Ok(c) => c,
            Err(_) => return Vec::new(),
        };
        if consumer.subscribe(&[DLQ]).is_err() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while out.is_empty() && std::time::Instant::now() < deadline {
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
                let key = m
                    .key()
                    .map(|k| String::from_utf8_lossy(k).into_owned())
                    .unwrap_or_default();
                let reason = m
                    .headers()
                    .and_then(|h| {
                        h.iter()
                            .find(|x| x.key == DLQ_REASON_HEADER)
                            .and_then(|x| x.value.map(|v| String::from_utf8_lossy(v).into_owned()))
                    })
                    .unwrap_or_default();
                out.push((key, reason));
            }
        }
        out
    })
    .await
    .unwrap_or_default()
}
