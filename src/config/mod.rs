//! The daemon config: a TOML file layered with `WIREWATCH__SECTION__KEY`
//! environment overrides, then validated into the typed values below.
//! Every problem is collected and reported together, each naming the file
//! and line (or the environment variable) and the key; a config with any
//! problem is refused whole. Invariant: a value reported as a problem
//! yields no value for its section; it is never also clamped or replaced.
//!
//! The parts: `env` (the environment overlay), `spans` (the syntax
//! check, key paths and where each key was set), `validate` (the generic
//! key reader), one module per section (`root`: watchlists, log, store,
//! http; `kafka`, `smtp`, `delivery`, `channel`, [`routing`], `console`) and
//! `secret` (keeping secrets out of output). Config depends on no other
//! part of the daemon but the matcher (its diagnostics helpers and
//! `Severity`) and `article` (the default message size); `notify` and
//! `source` depend on it, never the reverse.

mod channel;
mod console;
mod delivery;
mod env;
mod kafka;
mod retro;
mod root;
pub mod routing;
mod secret;
mod smtp;
mod spans;
mod tls;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use console::{ConsoleConfig, ConsoleUser, MIN_TOKEN_CHARS};
pub use kafka::kafka_property_problem;
pub use routing::Routing;
pub use secret::{decode_secret, redact_url, Secret, SecretError};
pub use tls::{read_ca_file, CaFile};
pub use validate::is_secret_key;

use spans::Locator;
use validate::Validator;

/// Environment variable prefix; `__` separates the key path.
pub const ENV_PREFIX: &str = "WIREWATCH";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone)]
pub struct KafkaConfig {
    pub brokers: String,
    pub group_id: String,
    pub topics: Vec<String>,
    pub dead_letter_topic: String,
    /// The compacted topic where replicas publish the deliveries they have
    /// done (`<group_id>.sent` by default), read back by every replica.
    pub sent_topic: String,
    pub max_message_bytes: usize,
    /// Threads that decode and match fetched batches in parallel.
    pub workers: usize,
    /// librdkafka properties, passed through as-is.
    pub properties: BTreeMap<String, Secret>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: lettre::message::Mailbox,
    pub timeout: Duration,
    /// CA certificates trusted besides the built-in roots (`ca_file`).
    pub ca_file: Option<CaFile>,
}

/// How webhook retries are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookSchedule {
    /// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (the Standard Webhooks schedule).
    StandardWebhooks,
    /// Like email: exponential from `initial_backoff_ms` to `max_backoff_secs`.
    Exponential,
}

#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    pub timeout: Duration,
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub shutdown_grace: Duration,
    /// After this long an undelivered alert is dead (kept, with its error).
    pub max_age: Duration,
    pub webhook_schedule: WebhookSchedule,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            timeout: Duration::from_secs(10),
            max_attempts: 8,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(3600),
            shutdown_grace: Duration::from_secs(30),
            max_age: Duration::from_secs(48 * 3600),
            webhook_schedule: WebhookSchedule::StandardWebhooks,
        }
    }
}

#[derive(Clone)]
pub enum ChannelKind {
    Email {
        to: Vec<lettre::message::Mailbox>,
    },
    Webhook {
        url: url::Url,
        secret: Secret,
        /// Allow targets on loopback, private, link-local or metadata addresses.
        allow_private: bool,
        /// An HTTP(S) proxy for this channel only (environment proxies are
        /// never used for webhooks).
        proxy: Option<url::Url>,
        /// CA certificates trusted besides the built-in roots (`ca_file`).
        ca_file: Option<Box<CaFile>>,
    },
}

/// Webhook URLs may carry access tokens (query strings, credentials) and
/// proxies credentials: Debug shows neither, nor the secret.
impl fmt::Debug for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelKind::Email { to } => f.debug_struct("Email").field("to", to).finish(),
            ChannelKind::Webhook {
                url,
                secret,
                allow_private,
                proxy,
                ca_file,
            } => f
                .debug_struct("Webhook")
                .field("url", &redact_url(url))
                .field("secret", secret)
                .field("allow_private", allow_private)
                .field("proxy", &proxy.as_ref().map(redact_url))
                .field("ca_file", ca_file)
                .finish(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: String,
    pub kind: ChannelKind,
    pub routing: Routing,
}

/// The validated daemon config.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file it came from.
    pub path: PathBuf,
    /// Watchlist file or folder, resolved against the config file's folder.
    pub watchlists: PathBuf,
    pub log: LogConfig,
    pub kafka: KafkaConfig,
    pub store_path: PathBuf,
    /// Past this many pending deliveries the consumer pauses its partitions.
    pub store_max_pending: u64,
    /// Copies of one story within this window alert once per rule.
    pub story_window: Option<Duration>,
    /// Finished alerts are kept this long (`store.retention_days`), then
    /// purged by the daemon's hourly sweep and `wirewatch outbox purge`.
    pub retention: Duration,
    /// Email follow-ups for a (rule, company) within this long of its first
    /// message thread under it (`store.thread_window_days`); `None`: off.
    pub thread_window: Option<Duration>,
    pub smtp: Option<SmtpConfig>,
    pub http_listen: SocketAddr,
    /// The web console (`[console]`); `None`: off.
    pub console: Option<ConsoleConfig>,
    pub delivery: DeliveryConfig,
    pub channels: Vec<Channel>,
    /// Retro-hunts after a reload adds or changes rules.
    pub retro: RetroConfig,
}

/// The `[retro]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetroConfig {
    /// How far back a hunt reads (by message timestamp); `None`: off.
    pub window: Option<std::time::Duration>,
    /// The most articles a hunt reads per second, so it never competes
    /// with live consumption for the broker or the matcher.
    pub max_articles_per_sec: u32,
}

impl Default for RetroConfig {
    fn default() -> RetroConfig {
        RetroConfig {
            window: Some(std::time::Duration::from_secs(7 * 86_400)),
            max_articles_per_sec: 200,
        }
    }
}

impl Config {
    /// Settings that work but put secrets at risk, for `check` and the
    /// daemon's start.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if let Some(smtp) = &self.smtp {
            if smtp.security == SmtpSecurity::None && smtp.password.is_some() {
                w.push(format!(
                    "{}: warning: smtp.security = \"none\" with a password (WIREWATCH__SMTP__PASSWORD): the password and every alert cross the network unencrypted; use \"starttls\" or \"tls\"",
                    self.path.display()
                ));
            }
        }
        w
    }
}

/// One config problem: where, which key, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// `file:line` or `environment WIREWATCH__...`.
    pub location: String,
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.location, self.message)
        } else {
            write!(f, "{}: {}: {}", self.location, self.key, self.message)
        }
    }
}

/// Loads the config at `path` with environment overrides from `env`
/// (normally `std::env::vars()`), reporting every problem.
pub fn load(path: &Path, env: &[(String, String)]) -> Result<Config, Vec<ConfigError>> {
    let file = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|e| {
        vec![ConfigError {
            location: file.clone(),
            key: String::new(),
            message: format!("cannot read config: {e}"),
        }]
    })?;
    let doc = spans::parse(&file, &src).map_err(|e| vec![e])?;
    let mut value = env::overlay(&file, &src, env).map_err(|e| vec![e])?;
    let mut locator = Locator::new(&file, &src, doc, env);
    let unmatched = env::apply_channel_overrides(&mut value, env, &mut locator);
    let mut v = Validator {
        errors: Vec::new(),
        locator: &locator,
    };
    for k in unmatched {
        v.errors.push(ConfigError {
            location: format!("environment {k}"),
            key: String::new(),
            message: "names no configured channel (expected WIREWATCH__CHANNEL__<ID>__<KEY>, the id upper-cased with '-' as '_')".into(),
        });
    }
    let config = v.config(path, value);
    if v.errors.is_empty() {
        Ok(config.expect("no errors means a config"))
    } else {
        Err(v.errors)
    }
}

#[cfg(test)]
mod tests;
