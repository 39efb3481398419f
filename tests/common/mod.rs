//! Shared harness for integration tests: the real broker, SMTP server and
//! webhook receiver started by `scripts/test`, and the `wirewatch` binary
//! run as a child process.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};

/// An address exported by `scripts/test`. Missing means the suite was not
/// started through the script: fail loudly rather than skip.
pub fn service(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the suite through scripts/test, which starts the broker, SMTP server and webhook receiver")
    })
}

pub fn brokers() -> String {
    service("WIREWATCH_TEST_BROKERS")
}

/// A name unique to this test run.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000_000
    )
}

pub async fn create_topic(name: &str, partitions: i32) {
    create_topic_on(&brokers(), name, partitions).await
}

pub async fn create_topic_on(brokers: &str, name: &str, partitions: i32) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .unwrap();
    let topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
    let results = admin
        .create_topics([&topic], &AdminOptions::new())
        .await
        .expect("create_topics");
    for r in results {
        match r {
            Ok(_) | Err((_, rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((t, e)) => panic!("cannot create topic {t}: {e}"),
        }
    }
}

pub async fn produce(topic: &str, key: &str, payload: &[u8]) {
    produce_on(&brokers(), topic, key, payload).await
}

/// Produces to one partition, whatever the key hashes to.
pub async fn produce_to(brokers: &str, topic: &str, partition: i32, key: &str, payload: &[u8]) {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("message.timeout.ms", "20000")
        .create()
        .unwrap();
    producer
        .send(
            FutureRecord::to(topic)
                .key(key)
                .payload(payload)
                .partition(partition),
            Duration::from_secs(20),
        )
        .await
        .map_err(|(e, _)| e)
        .expect("produce");
}

pub async fn produce_on(brokers: &str, topic: &str, key: &str, payload: &[u8]) {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("message.timeout.ms", "20000")
        .set("message.max.bytes", "10000000")
        .create()
        .unwrap();
    producer
        .send(
            FutureRecord::to(topic).key(key).payload(payload),
            Duration::from_secs(20),
        )
        .await
        .map_err(|(e, _)| e)
        .expect("produce");
}

/// The bundled seed article (first line of examples/articles.jsonl) with
/// its id replaced.
pub fn seed_article(id: &str) -> String {
    let line = include_str!("../../examples/articles.jsonl")
        .lines()
        .next()
        .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["id"] = serde_json::Value::String(id.to_string());
    v.to_string()
}

/// A random Standard Webhooks secret and its key bytes.
pub fn webhook_secret() -> (String, Vec<u8>) {
    let key: [u8; 32] = rand::random();
    (
        format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(key)
        ),
        key.to_vec(),
    )
}

/// Polls `f` every 200 ms until it returns `Some`, or panics after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Requests recorded by the webhook receiver for `path`.
pub async fn webhooks(path: &str) -> Vec<serde_json::Value> {
    let url = format!(
        "{}/_received?path={path}",
        service("WIREWATCH_TEST_WEBHOOK")
    );
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// The article ids of the alerts the webhook receiver got for `path`, in
/// arrival order.
pub async fn webhook_article_ids(path: &str) -> Vec<String> {
    webhooks(path)
        .await
        .iter()
        .map(|r| {
            let body: serde_json::Value =
                serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
            body["article"]["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Emails in maildev addressed to `to`.
pub async fn emails_to(to: &str) -> Vec<serde_json::Value> {
    let url = format!("{}/api/email", service("WIREWATCH_TEST_MAILDEV"));
    let all: Vec<serde_json::Value> = reqwest::get(url).await.unwrap().json().await.unwrap();
    all.into_iter()
        .filter(|m| {
            m["to"]
                .as_array()
                .is_some_and(|t| t.iter().any(|a| a["address"] == to))
        })
        .collect()
}

/// What a test daemon is configured with.
pub struct Setup {
    pub brokers: String,
    pub topic: String,
    pub dlq: String,
    pub group: String,
    pub email_to: String,
    pub webhook_path: String,
    pub secret: String,
    pub key: Vec<u8>,
}

impl Setup {
    pub async fn new(name: &str, partitions: i32) -> Setup {
        Setup::on(&brokers(), name, partitions).await
    }

    /// A setup on a broker of the test's own.
    pub async fn on(brokers: &str, name: &str, partitions: i32) -> Setup {
        let id = unique(name);
        let (secret, key) = webhook_secret();
        let s = Setup {
            brokers: brokers.to_string(),
            topic: format!("{id}-articles"),
            dlq: format!("{id}-dlq"),
            group: format!("{id}-group"),
            email_to: format!("{id}@example.com"),
            webhook_path: format!("/{id}"),
            secret,
            key,
        };
        create_topic_on(brokers, &s.topic, partitions).await;
        create_topic_on(brokers, &s.dlq, 1).await;
        s
    }

    /// Writes a config and watchlist into a fresh folder.
    pub fn write_config(&self) -> (tempfile::TempDir, PathBuf) {
        self.write_config_with(&Options::default())
    }

    /// Writes a config with `opts` into a fresh folder.
    pub fn write_config_with(&self, opts: &Options) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let smtp = opts
            .smtp
            .clone()
            .unwrap_or_else(|| service("WIREWATCH_TEST_SMTP"));
        let (smtp_host, smtp_port) = smtp.rsplit_once(':').unwrap();
        std::fs::create_dir(dir.path().join("watchlists")).unwrap();
        let kaspersky = || {
            format!(
                r#"
[[rule]]
id = "kaspersky-us"
description = "U.S. government action against Kaspersky"
companies = [{{ name = "Kaspersky", aliases = ["Kaspersky Lab"] }}]
agencies = ["us-commerce", "us-treasury"]
actions = ["sanction", "ban"]
severity = "high"
notify = [{notify}]
"#,
                notify = opts
                    .notify
                    .iter()
                    .map(|n| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        std::fs::write(
            dir.path().join("watchlists/sanctions.toml"),
            opts.watchlist.clone().unwrap_or_else(kaspersky),
        )
        .unwrap();
        let config = format!(
            r#"
watchlists = "watchlists"
[log]
format = "json"
level = "info"
[kafka]
brokers = "{brokers}"
group_id = "{group}"
topics = ["{topic}"]
dead_letter_topic = "{dlq}"
[kafka.properties]
"session.timeout.ms" = "{session_ms}"
"auto.commit.interval.ms" = "1000"
"statistics.interval.ms" = "500"
[store]
path = "{store}"
story_window_hours = {story}
[smtp]
host = "{smtp_host}"
port = {smtp_port}
security = "none"
from = "Wirewatch Test <alerts@wirewatch.test>"
[http]
listen = "127.0.0.1:{http_port}"
[delivery]
timeout_secs = {timeout}
max_attempts = {max_attempts}
initial_backoff_ms = 200
max_backoff_secs = 1
shutdown_grace_secs = 10
max_age_secs = 3600
webhook_schedule = "exponential"
{extra_channels}
[[channel]]
id = "compliance"
type = "email"
to = ["{to}"]
[[channel]]
id = "soc"
type = "webhook"
url = "{hook}{path}"
secret = "{secret}"
allow_private = true
"#,
            brokers = self.brokers,
            group = self.group,
            topic = self.topic,
            dlq = self.dlq,
            store = dir.path().join("state").display(),
            to = self.email_to,
            hook = service("WIREWATCH_TEST_WEBHOOK"),
            path = self.webhook_path,
            secret = self.secret,
            http_port = opts.http_port,
            timeout = opts.timeout_secs,
            max_attempts = opts.max_attempts,
            extra_channels = opts.extra_channels,
            story = opts.story_window_hours,
            session_ms = opts.session_timeout_ms,
        );
        let path = dir.path().join("wirewatch.toml");
        std::fs::write(&path, config).unwrap();
        (dir, path)
    }
}

/// What a test changes in the daemon config.
pub struct Options {
    pub notify: Vec<String>,
    /// SMTP host:port (default: the suite's maildev).
    pub smtp: Option<String>,
    pub http_port: u16,
    pub timeout_secs: u64,
    pub max_attempts: u32,
    /// Extra `[[channel]]` tables.
    pub extra_channels: String,
    /// Story dedup window; 0 (off) by default, since most tests send
    /// copies of the seed article on purpose.
    pub story_window_hours: u64,
    /// The watchlist file's text, in place of the Kaspersky rule (whose
    /// `notify` comes from `notify`).
    pub watchlist: Option<String>,
    /// The group session timeout (librdkafka `session.timeout.ms`).
    pub session_timeout_ms: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            notify: vec!["compliance".into(), "soc".into()],
            smtp: None,
            http_port: free_port(),
            timeout_secs: 5,
            max_attempts: 3,
            extra_channels: String::new(),
            story_window_hours: 0,
            watchlist: None,
            session_timeout_ms: 6000,
        }
    }
}

/// A loopback port nothing listens on (right now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A metric's value from the daemon's `/metrics`, by exact series name
/// (with labels), or `None` if absent or unreachable.
pub async fn metric(port: u16, series: &str) -> Option<f64> {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .and_then(|v| v.trim().parse().ok())
}

/// The `wirewatch` binary running as a daemon. Killed on drop.
pub struct Daemon {
    child: Child,
    pub log: PathBuf,
}

impl Daemon {
    pub fn start(config: &std::path::Path) -> Daemon {
        Daemon::start_with(config, &[])
    }

    pub fn start_with(config: &std::path::Path, env: &[(&str, &str)]) -> Daemon {
        // Logs outlive the test's temporary folder, for post-mortems.
        let log =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{}.log", unique("wirewatch")));
        println!("wirewatch log: {}", log.display());
        let child = Command::new(env!("CARGO_BIN_EXE_wirewatch"))
            .args(["run", "--config"])
            .arg(config)
            .env(
                "RUST_LOG",
                std::env::var("WIREWATCH_TEST_RUST_LOG")
                    .unwrap_or_else(|_| "info,librdkafka=warn".into()),
            )
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start wirewatch");
        Daemon { child, log }
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The partitions of its last "Partitions assigned." log line (JSON
    /// log format).
    pub fn assigned_partitions(&self) -> Vec<i32> {
        self.logs()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .rfind(|v| v["message"] == "Partitions assigned.")
            .and_then(|v| v["partitions"].as_str().map(str::to_string))
            .map(|list| {
                list.split(',')
                    .filter_map(|tp| tp.rsplit_once('[')?.1.trim_end_matches(']').parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for the process to exit by itself (a crash point).
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "wirewatch did not exit; log:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "wirewatch did not stop within 30 s of SIGTERM; log:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tansu broker of the test's own, storing its log, topics and committed
/// offsets in SQLite in a temporary folder, so that it can be killed and
/// restarted with its data (the suite's shared broker is in memory). The
/// binary is `$WIREWATCH_TEST_TANSU`, else `tansu` on the PATH; it needs
/// the `libsql` feature, which `scripts/test` installs. Killed on drop.
pub struct Broker {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub log: PathBuf,
}

impl Broker {
    pub fn start() -> Broker {
        let log =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{}.log", unique("tansu")));
        println!("tansu log: {}", log.display());
        let mut b = Broker {
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
            log,
        };
        b.spawn();
        b
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let url = format!("tcp://{}", self.address());
        let bin = std::env::var("WIREWATCH_TEST_TANSU").unwrap_or_else(|_| "tansu".into());
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut child = Command::new(&bin)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", "sqlite://tansu.db"])
            .current_dir(self.dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}; scripts/test installs it"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(self.address()).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "tansu exited ({status}) before listening; it needs the libsql feature \
                     (cargo install tansu --locked --features dynostore,libsql). Its log:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "tansu did not listen within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        self.child = Some(child);
    }

    /// Kills the broker as a crash would (SIGKILL).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port and data.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
    }
}
