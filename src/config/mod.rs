//! The daemon config (contracts §3): a TOML file layered with
//! `WIREWATCH__SECTION__KEY` environment overrides through the `config`
//! crate, then validated into typed values. Every problem is collected and
//! reported together, each naming the file and line (or the environment
//! variable) and the key.

pub mod routing;
mod secret;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use routing::Routing;
pub use secret::{decode_secret, redact_url, Secret};

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
            } => f
                .debug_struct("Webhook")
                .field("url", &redact_url(url))
                .field("secret", secret)
                .field("allow_private", allow_private)
                .field("proxy", &proxy.as_ref().map(redact_url))
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
    pub smtp: Option<SmtpConfig>,
    pub http_listen: SocketAddr,
    pub delivery: DeliveryConfig,
    pub channels: Vec<Channel>,
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
    // A syntax error is reported by line and column with the parser's
    // message only: the error's own rendering quotes the offending line,
    // which may hold a secret.
    if let Err(e) = toml::from_str::<toml::Table>(&src) {
        let (line, col) = e.span().map_or((1, 1), |s| {
            let line = crate::matcher::watchlist::line_of(&src, s.start);
            let line_start = src[..s.start.min(src.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            (line, s.start.saturating_sub(line_start) + 1)
        });
        return Err(vec![ConfigError {
            location: format!("{file}:{line}:{col}"),
            key: String::new(),
            message: format!("TOML syntax error: {}", e.message().trim_end()),
        }]);
    }
    // Channels are a list, which a key path cannot index: they are
    // overridden by id instead, as WIREWATCH__CHANNEL__<ID>__<KEY>.
    let channel_prefix = format!("{ENV_PREFIX}__CHANNEL__");
    let env_map: std::collections::HashMap<String, String> = env
        .iter()
        .filter(|(k, _)| {
            k.starts_with(&format!("{ENV_PREFIX}__")) && !k.starts_with(&channel_prefix)
        })
        .cloned()
        .collect();
    let merged = config::Config::builder()
        .add_source(config::File::from_str(&src, config::FileFormat::Toml))
        .add_source(
            config::Environment::with_prefix(ENV_PREFIX)
                .prefix_separator("__")
                .separator("__")
                // Every value stays the text it was: "007123" as a password
                // must not reach librdkafka as 7123. Numbers, booleans and
                // lists are read from that text only where the key wants
                // one (`Validator::opt`).
                .try_parsing(false)
                .source(Some(env_map)),
        )
        .build()
        .and_then(|c| c.try_deserialize::<Value>());
    let value = match merged {
        Ok(v) => v,
        Err(e) => {
            return Err(vec![ConfigError {
                location: file.clone(),
                key: String::new(),
                message: e.to_string(),
            }]);
        }
    };
    let mut value = value;
    let mut unmatched = Vec::new();
    let mut locator = Locator::new(&file, &src, env);
    for (k, v) in env.iter().filter(|(k, _)| k.starts_with(&channel_prefix)) {
        match apply_channel_override(&mut value, &k[channel_prefix.len()..], v) {
            Some(path) => {
                locator.env_paths.insert(path_string(&path), k.clone());
            }
            None => unmatched.push(k.clone()),
        }
    }
    let locator = locator;
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

/// Applies `ID__KEY=value` to the channel whose id matches `ID`; returns
/// the path of the key it set. The value stays text (see `Validator::opt`).
fn apply_channel_override(root: &mut Value, rest: &str, value: &str) -> Option<Vec<PathPart>> {
    let (id, key) = rest.split_once("__")?;
    let channels = root.get_mut("channel").and_then(Value::as_array_mut)?;
    for (i, c) in channels.iter_mut().enumerate() {
        let matches = c
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|cid| cid.to_uppercase().replace('-', "_") == id);
        if let (true, Some(obj)) = (matches, c.as_object_mut()) {
            let key = key.to_lowercase();
            obj.insert(key.clone(), Value::String(value.to_string()));
            return Some(vec![
                PathPart::Key("channel".into()),
                PathPart::Index(i),
                PathPart::Key(key),
            ]);
        }
    }
    None
}

/// Finds where a key was set: the environment variable that overrides it,
/// or its line in the file.
struct Locator<'a> {
    file: &'a str,
    doc: Option<toml_edit::ImDocument<&'a str>>,
    src: &'a str,
    env: Vec<(String, String)>,
    /// Keys set from the environment (`path_string`) and their variable.
    env_paths: std::collections::HashMap<String, String>,
}

impl<'a> Locator<'a> {
    fn new(file: &'a str, src: &'a str, env: &[(String, String)]) -> Locator<'a> {
        Locator {
            file,
            doc: toml_edit::ImDocument::parse(src).ok(),
            src,
            env: env.to_vec(),
            env_paths: Default::default(),
        }
    }

    /// The environment variable that set the key at `path`, if one did.
    fn env_var(&self, path: &[PathPart]) -> Option<String> {
        if let Some(var) = self.env_paths.get(&path_string(path)) {
            return Some(var.clone());
        }
        let env_name = format!(
            "{ENV_PREFIX}__{}",
            path.iter()
                .filter_map(|p| match p {
                    PathPart::Key(k) => Some(k.to_uppercase()),
                    PathPart::Index(_) => None,
                })
                .collect::<Vec<_>>()
                .join("__")
        );
        (!path.iter().any(|p| matches!(p, PathPart::Index(_)))
            && self.env.iter().any(|(k, _)| k == &env_name))
        .then_some(env_name)
    }

    fn locate(&self, path: &[PathPart]) -> String {
        if let Some(var) = self.env_var(path) {
            return format!("environment {var}");
        }
        let line = self.line(path).unwrap_or(1);
        format!("{}:{}", self.file, line)
    }

    fn line(&self, path: &[PathPart]) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        let pos = find_in(doc.as_table(), path, None)?;
        Some(crate::matcher::watchlist::line_of(self.src, pos))
    }

    fn env_value(&self, name: &str) -> Option<String> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// The byte offset of the deepest part of `path` that exists in `table`.
fn find_in(
    table: &dyn toml_edit::TableLike,
    path: &[PathPart],
    best: Option<usize>,
) -> Option<usize> {
    let Some((PathPart::Key(k), rest)) = path.split_first() else {
        return best;
    };
    let Some((key, item)) = table.get_key_value(k) else {
        return best;
    };
    let best = key.span().map(|s| s.start).or(best);
    match rest.split_first() {
        Some((PathPart::Index(i), rest)) => {
            if let Some(t) = item.as_array_of_tables().and_then(|a| a.get(*i)) {
                find_in(t, rest, t.span().map(|s| s.start).or(best))
            } else {
                item.as_array()
                    .and_then(|a| a.get(*i))
                    .and_then(|v| v.span())
                    .map(|s| s.start)
                    .or(best)
            }
        }
        Some(_) => match item.as_table_like() {
            Some(t) => find_in(t, rest, best),
            None => best,
        },
        None => best,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathPart {
    Key(String),
    Index(usize),
}

fn path_string(path: &[PathPart]) -> String {
    let mut s = String::new();
    for p in path {
        match p {
            PathPart::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            PathPart::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

struct Validator<'a> {
    errors: Vec<ConfigError>,
    locator: &'a Locator<'a>,
}

/// A table being read: keys are taken one by one, and whatever is left at
/// the end is an unknown key.
struct Table {
    path: Vec<PathPart>,
    map: Map<String, Value>,
}

impl Validator<'_> {
    fn error(&mut self, path: &[PathPart], message: impl Into<String>) {
        self.errors.push(ConfigError {
            location: self.locator.locate(path),
            key: path_string(path),
            message: message.into(),
        });
    }

    fn table(&mut self, path: Vec<PathPart>, value: Option<Value>) -> Table {
        match value {
            None => Table {
                path,
                map: Map::new(),
            },
            Some(Value::Object(map)) => Table { path, map },
            Some(_) => {
                self.error(&path, "must be a table");
                Table {
                    path,
                    map: Map::new(),
                }
            }
        }
    }

    fn child(t: &Table, key: &str) -> Vec<PathPart> {
        let mut p = t.path.clone();
        p.push(PathPart::Key(key.to_string()));
        p
    }

    /// Takes an optional key of type `T`. A value from the environment is
    /// text; it is read as a number, boolean or comma-separated list only
    /// when the key wants one.
    fn opt<T: DeserializeOwned>(&mut self, t: &mut Table, key: &str, what: &str) -> Option<T> {
        let v = t.map.remove(key)?;
        match serde_json::from_value::<T>(v.clone()) {
            Ok(x) => Some(x),
            Err(_) => {
                if self.locator.env_var(&Self::child(t, key)).is_some() {
                    if let Some(x) = from_text::<T>(&v) {
                        return Some(x);
                    }
                }
                self.error(
                    &Self::child(t, key),
                    format!("{} is not valid: expected {what}", shown(key, &v)),
                );
                None
            }
        }
    }

    /// Takes a key with a default.
    fn or<T: DeserializeOwned>(&mut self, t: &mut Table, key: &str, what: &str, default: T) -> T {
        if t.map.contains_key(key) {
            self.opt(t, key, what).unwrap_or(default)
        } else {
            default
        }
    }

    /// Takes a required key.
    fn req<T: DeserializeOwned>(&mut self, t: &mut Table, key: &str, what: &str) -> Option<T> {
        if !t.map.contains_key(key) {
            self.error(&Self::child(t, key), format!("is required ({what})"));
            return None;
        }
        self.opt(t, key, what)
    }

    /// Bounds a number: past `max` is an error, and the value is clamped so
    /// that later arithmetic on it (durations, sizes) cannot overflow.
    fn at_most(&mut self, t: &Table, key: &str, value: u64, max: u64, unit: &str) -> u64 {
        if value > max {
            self.error(
                &Self::child(t, key),
                format!("{value} is not valid: at most {max} {unit}"),
            );
            return max;
        }
        value
    }

    fn non_empty(&mut self, t: &Table, key: &str, s: Option<String>) -> Option<String> {
        match s {
            Some(s) if s.trim().is_empty() => {
                self.error(&Self::child(t, key), "\"\" is not valid: empty");
                None
            }
            s => s,
        }
    }

    fn finish(&mut self, t: Table, known: &[&str]) {
        for key in t.map.keys() {
            let mut p = t.path.clone();
            p.push(PathPart::Key(key.clone()));
            let hint = crate::matcher::watchlist::did_you_mean(key, known.iter().copied());
            self.error(&p, format!("unknown key{hint}"));
        }
    }

    fn config(&mut self, path: &Path, value: Value) -> Option<Config> {
        let mut root = self.table(Vec::new(), Some(value));
        let base = path.parent().unwrap_or(Path::new("."));
        let watchlists: Option<String> = self.req(&mut root, "watchlists", "a file or folder path");
        let watchlists = self
            .non_empty(&root, "watchlists", watchlists)
            .map(|w| base.join(w));
        let log = self.log(root.map.remove("log"));
        let kafka = self.kafka(root.map.remove("kafka"));
        let (store_path, store_max_pending, story_window) = {
            let mut t = self.table(
                vec![PathPart::Key("store".into())],
                root.map.remove("store"),
            );
            let p: String = self.or(&mut t, "path", "a folder path", "/var/lib/wirewatch".into());
            let max: u64 = self.or(
                &mut t,
                "max_pending",
                "a positive number of deliveries",
                100_000,
            );
            if max == 0 {
                self.error(
                    &Self::child(&t, "max_pending"),
                    "0 is not valid: must be positive",
                );
            }
            let story_hours: u64 = self.or(
                &mut t,
                "story_window_hours",
                "a number of hours (0 turns story dedup off)",
                72,
            );
            let story_hours =
                self.at_most(&t, "story_window_hours", story_hours, 24 * 366, "hours");
            self.finish(t, &["path", "max_pending", "story_window_hours"]);
            let story = (story_hours > 0).then(|| Duration::from_secs(story_hours * 3600));
            (base.join(p), max, story)
        };
        let smtp_value = root.map.remove("smtp");
        let http_listen = {
            let mut t = self.table(vec![PathPart::Key("http".into())], root.map.remove("http"));
            let s: String = self.or(&mut t, "listen", "host:port", "127.0.0.1:9464".into());
            let addr = s.parse::<SocketAddr>().map_err(|e| {
                self.error(
                    &Self::child(&t, "listen"),
                    format!("{s:?} is not valid: {e} (expected ip:port)"),
                );
            });
            self.finish(t, &["listen"]);
            addr.ok()
        };
        let delivery = self.delivery(root.map.remove("delivery"));
        let channels = self.channels(root.map.remove("channel"));
        let needs_smtp = channels
            .iter()
            .any(|c| matches!(c.kind, ChannelKind::Email { .. }));
        let smtp = if smtp_value.is_some() || needs_smtp {
            self.smtp(smtp_value, needs_smtp)
        } else {
            None
        };
        self.finish(
            root,
            &[
                "watchlists",
                "log",
                "kafka",
                "store",
                "smtp",
                "http",
                "delivery",
                "channel",
            ],
        );
        Some(Config {
            path: path.to_path_buf(),
            watchlists: watchlists?,
            log: log?,
            kafka: kafka?,
            store_path,
            store_max_pending,
            story_window,
            smtp,
            http_listen: http_listen?,
            delivery: delivery?,
            channels,
        })
    }

    fn log(&mut self, v: Option<Value>) -> Option<LogConfig> {
        let mut t = self.table(vec![PathPart::Key("log".into())], v);
        let format: String = self.or(&mut t, "format", "\"text\" or \"json\"", "text".into());
        let format = match format.as_str() {
            "text" => Some(LogFormat::Text),
            "json" => Some(LogFormat::Json),
            other => {
                self.error(
                    &Self::child(&t, "format"),
                    format!("{other:?} is not valid: expected \"text\" or \"json\""),
                );
                None
            }
        };
        let level: String = self.or(
            &mut t,
            "level",
            "a log filter such as \"info\"",
            "info".into(),
        );
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&level) {
            self.error(
                &Self::child(&t, "level"),
                format!("{level:?} is not valid: {e}"),
            );
        }
        self.finish(t, &["format", "level"]);
        Some(LogConfig {
            format: format?,
            level,
        })
    }

    fn kafka(&mut self, v: Option<Value>) -> Option<KafkaConfig> {
        let mut t = self.table(vec![PathPart::Key("kafka".into())], v);
        let brokers: Option<String> = self.req(&mut t, "brokers", "\"host:port[,host:port...]\"");
        let brokers = self.non_empty(&t, "brokers", brokers);
        let group_id: String = self.or(&mut t, "group_id", "a string", "wirewatch".into());
        let group_id = self.non_empty(&t, "group_id", Some(group_id));
        let topics: Option<Vec<String>> = self.req(&mut t, "topics", "a list of topic names");
        let topics = match topics {
            Some(ts) if ts.is_empty() || ts.iter().any(|t| t.trim().is_empty()) => {
                self.error(
                    &Self::child(&t, "topics"),
                    "must list at least one non-empty topic name",
                );
                None
            }
            ts => ts,
        };
        let dlq: String = self.or(
            &mut t,
            "dead_letter_topic",
            "a topic name",
            "articles.dlq".into(),
        );
        let dlq = self.non_empty(&t, "dead_letter_topic", Some(dlq));
        let max: u64 = self.or(
            &mut t,
            "max_message_bytes",
            "a positive number of bytes",
            crate::article::DEFAULT_MAX_MESSAGE_BYTES as u64,
        );
        if max == 0 {
            self.error(
                &Self::child(&t, "max_message_bytes"),
                "0 is not valid: must be positive",
            );
        }
        // librdkafka takes at most 1,000,000,000 for its own size limits,
        // which are derived from this one.
        let max = self.at_most(&t, "max_message_bytes", max, 512 << 20, "bytes");
        let workers: u64 = self.or(
            &mut t,
            "workers",
            "a number of threads (0 = one per CPU)",
            0,
        );
        let workers = match workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n.min(256) as usize,
        };
        let mut properties = BTreeMap::new();
        if let Some(props) = t.map.remove("properties") {
            let pt = self.table(Self::child(&t, "properties"), Some(props));
            for (k, v) in pt.map {
                // Environment overrides cannot spell dots, so `sasl_password`
                // stands for `sasl.password`; librdkafka names have no '_'.
                let name = if k.contains('.') {
                    k.clone()
                } else {
                    k.replace('_', ".")
                };
                let value = match v {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => {
                        let mut p = pt.path.clone();
                        p.push(PathPart::Key(k.clone()));
                        self.error(
                            &p,
                            format!(
                                "{} is not valid: expected a string, number or boolean",
                                shown(&name, &other)
                            ),
                        );
                        continue;
                    }
                };
                // librdkafka checks names and values without connecting, so
                // a misspelt property fails `check` rather than the daemon.
                if let Err(e) = rdkafka::config::ClientConfig::new()
                    .set(&name, &value)
                    .create_native_config()
                {
                    let mut p = pt.path.clone();
                    p.push(PathPart::Key(k.clone()));
                    self.error(
                        &p,
                        format!(
                            "is not valid: {}",
                            kafka_property_problem(&name, &value, &e)
                        ),
                    );
                    continue;
                }
                properties.insert(name, Secret::new(value));
            }
        }
        self.finish(
            t,
            &[
                "brokers",
                "group_id",
                "topics",
                "dead_letter_topic",
                "max_message_bytes",
                "workers",
                "properties",
            ],
        );
        Some(KafkaConfig {
            brokers: brokers?,
            group_id: group_id?,
            topics: topics?,
            dead_letter_topic: dlq?,
            max_message_bytes: max as usize,
            workers,
            properties,
        })
    }

    fn smtp(&mut self, v: Option<Value>, required: bool) -> Option<SmtpConfig> {
        let path = vec![PathPart::Key("smtp".into())];
        if v.is_none() && required {
            self.error(&path, "is required because a channel has type = \"email\"");
            return None;
        }
        let mut t = self.table(path, v);
        let host: Option<String> = self.req(&mut t, "host", "a host name");
        let host = self.non_empty(&t, "host", host);
        let port: u16 = self.or(&mut t, "port", "a port number", 587);
        let security: String = self.or(
            &mut t,
            "security",
            "none, starttls or tls",
            "starttls".into(),
        );
        let security = match security.as_str() {
            "none" => Some(SmtpSecurity::None),
            "starttls" => Some(SmtpSecurity::Starttls),
            "tls" => Some(SmtpSecurity::Tls),
            other => {
                self.error(
                    &Self::child(&t, "security"),
                    format!("{other:?} is not valid: expected none, starttls or tls"),
                );
                None
            }
        };
        let username: Option<String> = self.opt(&mut t, "username", "a string");
        let password = match t.map.remove("password") {
            None => None,
            Some(_)
                if self
                    .locator
                    .env_value("WIREWATCH__SMTP__PASSWORD")
                    .is_some() =>
            {
                // Read it raw: try_parsing may have turned "12345" into a number.
                self.locator
                    .env_value("WIREWATCH__SMTP__PASSWORD")
                    .map(Secret::new)
            }
            Some(_) => {
                self.error(
                    &Self::child(&t, "password"),
                    "must not be in the file: set WIREWATCH__SMTP__PASSWORD in the environment",
                );
                None
            }
        };
        let from: Option<String> = self.req(
            &mut t,
            "from",
            "a mailbox such as \"Wirewatch <alerts@example.com>\"",
        );
        let from = from.and_then(|f| match f.parse::<lettre::message::Mailbox>() {
            Ok(m) => Some(m),
            Err(e) => {
                self.error(&Self::child(&t, "from"), format!("{f:?} is not valid: {e}"));
                None
            }
        });
        let timeout: u64 = self.or(&mut t, "timeout_secs", "a number of seconds", 10);
        let timeout = self.at_most(&t, "timeout_secs", timeout, 3600, "seconds");
        self.finish(
            t,
            &[
                "host",
                "port",
                "security",
                "username",
                "password",
                "from",
                "timeout_secs",
            ],
        );
        Some(SmtpConfig {
            host: host?,
            port,
            security: security?,
            username,
            password,
            from: from?,
            timeout: Duration::from_secs(timeout.max(1)),
        })
    }

    fn delivery(&mut self, v: Option<Value>) -> Option<DeliveryConfig> {
        let d = DeliveryConfig::default();
        let mut t = self.table(vec![PathPart::Key("delivery".into())], v);
        let timeout: u64 = self.or(
            &mut t,
            "timeout_secs",
            "a number of seconds",
            d.timeout.as_secs(),
        );
        let max_attempts: u32 =
            self.or(&mut t, "max_attempts", "a positive number", d.max_attempts);
        let initial: u64 = self.or(
            &mut t,
            "initial_backoff_ms",
            "milliseconds",
            d.initial_backoff.as_millis() as u64,
        );
        let max_backoff: u64 = self.or(
            &mut t,
            "max_backoff_secs",
            "a number of seconds",
            d.max_backoff.as_secs(),
        );
        let grace: u64 = self.or(
            &mut t,
            "shutdown_grace_secs",
            "a number of seconds",
            d.shutdown_grace.as_secs(),
        );
        let max_age: u64 = self.or(
            &mut t,
            "max_age_secs",
            "a number of seconds",
            d.max_age.as_secs(),
        );
        let schedule: String = self.or(
            &mut t,
            "webhook_schedule",
            "\"standard-webhooks\" or \"exponential\"",
            "standard-webhooks".into(),
        );
        let webhook_schedule = match schedule.as_str() {
            "standard-webhooks" => Some(WebhookSchedule::StandardWebhooks),
            "exponential" => Some(WebhookSchedule::Exponential),
            other => {
                self.error(
                    &Self::child(&t, "webhook_schedule"),
                    format!(
                        "{other:?} is not valid: expected \"standard-webhooks\" or \"exponential\""
                    ),
                );
                None
            }
        };
        // Bounds that keep every sum of times in the dispatcher in range.
        let timeout = self.at_most(&t, "timeout_secs", timeout, 3600, "seconds");
        let initial = self.at_most(&t, "initial_backoff_ms", initial, 86_400_000, "ms");
        let max_backoff = self.at_most(&t, "max_backoff_secs", max_backoff, 30 * 86_400, "seconds");
        let grace = self.at_most(&t, "shutdown_grace_secs", grace, 3600, "seconds");
        let max_age = self.at_most(&t, "max_age_secs", max_age, 366 * 86_400, "seconds");
        if max_attempts == 0 {
            self.error(
                &Self::child(&t, "max_attempts"),
                "0 is not valid: at least 1 attempt",
            );
        }
        if timeout == 0 {
            self.error(
                &Self::child(&t, "timeout_secs"),
                "0 is not valid: must be positive",
            );
        }
        self.finish(
            t,
            &[
                "timeout_secs",
                "max_attempts",
                "initial_backoff_ms",
                "max_backoff_secs",
                "shutdown_grace_secs",
                "max_age_secs",
                "webhook_schedule",
            ],
        );
        Some(DeliveryConfig {
            timeout: Duration::from_secs(timeout.max(1)),
            max_attempts: max_attempts.max(1),
            initial_backoff: Duration::from_millis(initial),
            max_backoff: Duration::from_secs(max_backoff),
            shutdown_grace: Duration::from_secs(grace),
            max_age: Duration::from_secs(max_age),
            webhook_schedule: webhook_schedule?,
        })
    }

    /// A channel's routing keys: mode, digest_interval, min_severity,
    /// quiet_hours and rate_limit.
    fn routing(&mut self, t: &mut Table) -> Option<Routing> {
        use routing::{Mode, QuietHours, RateLimit};
        // At most a year: periods are added to clock times in milliseconds.
        let duration = |s: &str| {
            humantime::parse_duration(s)
                .ok()
                .filter(|d| !d.is_zero() && *d <= Duration::from_secs(366 * 86_400))
        };
        let mut ok = true;
        let mode: String = self.or(t, "mode", "\"instant\" or \"digest\"", "instant".into());
        let interval: Option<String> = self.opt(t, "digest_interval", "a duration such as \"1h\"");
        let mode = match (mode.as_str(), interval) {
            ("instant", None) => Mode::Instant,
            ("instant", Some(_)) => {
                self.error(
                    &Self::child(t, "digest_interval"),
                    "only applies with mode = \"digest\"",
                );
                ok = false;
                Mode::Instant
            }
            ("digest", i) => {
                let i = i.unwrap_or_else(|| "1h".into());
                match duration(&i) {
                    Some(interval) => Mode::Digest { interval },
                    None => {
                        self.error(&Self::child(t, "digest_interval"), format!("{i:?} is not valid: expected a duration such as \"30m\", \"1h\" or \"1d\", at most a year"));
                        ok = false;
                        Mode::Instant
                    }
                }
            }
            (other, _) => {
                self.error(
                    &Self::child(t, "mode"),
                    format!("{other:?} is not valid: expected \"instant\" or \"digest\""),
                );
                ok = false;
                Mode::Instant
            }
        };
        let min: Option<String> = self.opt(t, "min_severity", "low, medium, high or critical");
        let min_severity = match min {
            None => None,
            Some(m) => match crate::matcher::Severity::parse(&m) {
                Some(s) => Some(s),
                None => {
                    self.error(
                        &Self::child(t, "min_severity"),
                        format!("{m:?} is not valid: expected low, medium, high or critical"),
                    );
                    ok = false;
                    None
                }
            },
        };
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawQuiet {
            start: String,
            end: String,
            timezone: String,
        }
        let quiet: Option<RawQuiet> = self.opt(
            t,
            "quiet_hours",
            "{ start = \"22:00\", end = \"07:00\", timezone = \"Europe/Berlin\" }",
        );
        let quiet_hours = match quiet {
            None => None,
            Some(q) => {
                let (start, end) = (
                    QuietHours::parse_time(&q.start),
                    QuietHours::parse_time(&q.end),
                );
                let tz = jiff::tz::TimeZone::get(&q.timezone);
                match (start, end, tz) {
                    (Some(start), Some(end), Ok(tz)) => Some(QuietHours { start, end, tz }),
                    (s, e, tz) => {
                        let what = if s.is_none() || e.is_none() {
                            "start and end must be \"HH:MM\"".to_string()
                        } else {
                            format!(
                                "unknown time zone {:?}: {}",
                                q.timezone,
                                tz.err().map(|e| e.to_string()).unwrap_or_default()
                            )
                        };
                        self.error(
                            &Self::child(t, "quiet_hours"),
                            format!("is not valid: {what}"),
                        );
                        ok = false;
                        None
                    }
                }
            }
        };
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawRate {
            max: u32,
            per: String,
        }
        let rate: Option<RawRate> = self.opt(t, "rate_limit", "{ max = 20, per = \"1h\" }");
        let rate_limit = match rate {
            None => None,
            Some(r) => match duration(&r.per) {
                Some(per) if r.max > 0 => Some(RateLimit { max: r.max, per }),
                _ => {
                    self.error(&Self::child(t, "rate_limit"), format!("is not valid: max must be positive and per a duration such as \"1h\", at most a year (got {:?})", r.per));
                    ok = false;
                    None
                }
            },
        };
        ok.then_some(Routing {
            mode,
            min_severity,
            quiet_hours,
            rate_limit,
        })
    }

    fn channels(&mut self, v: Option<Value>) -> Vec<Channel> {
        let list = match v {
            None => return Vec::new(),
            Some(Value::Array(a)) => a,
            Some(_) => {
                self.error(
                    &[PathPart::Key("channel".into())],
                    "must be an array of tables ([[channel]])",
                );
                return Vec::new();
            }
        };
        let mut out: Vec<Channel> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for (i, item) in list.into_iter().enumerate() {
            let mut t = self.table(
                vec![PathPart::Key("channel".into()), PathPart::Index(i)],
                Some(item),
            );
            let id: Option<String> = self.req(&mut t, "id", "a channel id");
            if let Some(id) = &id {
                if !crate::matcher::watchlist::valid_id(id) {
                    self.error(
                        &Self::child(&t, "id"),
                        format!("{id:?} is not valid: use lowercase letters, digits and '-'"),
                    );
                } else if seen.contains(id) {
                    self.error(
                        &Self::child(&t, "id"),
                        format!("{id:?} is already used by another channel"),
                    );
                }
                seen.push(id.clone());
            }
            let routing = self.routing(&mut t);
            let kind: Option<String> = self.req(&mut t, "type", "\"email\" or \"webhook\"");
            let kind = match kind.as_deref() {
                Some("email") => {
                    let to: Option<Vec<String>> =
                        self.req(&mut t, "to", "a list of email addresses");
                    let mut boxes = Vec::new();
                    for addr in to.unwrap_or_default() {
                        match addr.parse::<lettre::message::Mailbox>() {
                            Ok(m) => boxes.push(m),
                            Err(e) => self.error(
                                &Self::child(&t, "to"),
                                format!("{addr:?} is not valid: {e}"),
                            ),
                        }
                    }
                    if boxes.is_empty() {
                        self.error(&Self::child(&t, "to"), "must list at least one address");
                        None
                    } else {
                        self.finish(
                            t,
                            &[
                                "id",
                                "type",
                                "to",
                                "mode",
                                "digest_interval",
                                "min_severity",
                                "quiet_hours",
                                "rate_limit",
                            ],
                        );
                        Some(ChannelKind::Email { to: boxes })
                    }
                }
                Some("webhook") => {
                    let url: Option<String> = self.req(&mut t, "url", "an http(s) URL");
                    let url = url.and_then(|u| match url::Url::parse(&u) {
                        Ok(p) if p.scheme() == "http" || p.scheme() == "https" => Some(p),
                        Ok(p) => {
                            self.error(
                                &Self::child(&t, "url"),
                                format!(
                                    "{:?} is not valid: scheme must be http or https",
                                    redact_url(&p)
                                ),
                            );
                            None
                        }
                        Err(e) => {
                            // The text may hold a token: not echoed.
                            self.error(&Self::child(&t, "url"), format!("is not valid: {e}"));
                            None
                        }
                    });
                    let has_secret = t.map.contains_key("secret");
                    let secret: Option<String> =
                        self.opt(&mut t, "secret", "a \"whsec_...\" string");
                    let secret_env: Option<String> =
                        self.opt(&mut t, "secret_env", "an environment variable name");
                    let secret = match (secret, secret_env) {
                        (Some(s), None) => Some(s),
                        (None, Some(var)) => match self.locator.env_value(&var) {
                            Some(s) => Some(s),
                            None => {
                                self.error(
                                    &Self::child(&t, "secret_env"),
                                    format!("environment variable {var} is not set"),
                                );
                                None
                            }
                        },
                        (Some(_), Some(_)) => {
                            self.error(
                                &Self::child(&t, "secret"),
                                "set either secret or secret_env, not both",
                            );
                            None
                        }
                        // Present but not a string: reported already.
                        (None, None) if has_secret => None,
                        (None, None) => {
                            self.error(&Self::child(&t, "secret"), "is required (a Standard Webhooks \"whsec_...\" secret, or secret_env)");
                            None
                        }
                    };
                    let secret = secret.and_then(|s| match decode_secret(&s) {
                        Ok(_) => Some(Secret::new(s)),
                        Err(e) => {
                            self.error(
                                &Self::child(&t, "secret"),
                                format!("[redacted] is not valid: {e}"),
                            );
                            None
                        }
                    });
                    let allow_private: bool =
                        self.or(&mut t, "allow_private", "true or false", false);
                    let proxy: Option<String> =
                        self.opt(&mut t, "proxy", "an http:// or https:// proxy URL");
                    let proxy = proxy.and_then(|p| match url::Url::parse(&p) {
                        Ok(u)
                            if (u.scheme() == "http" || u.scheme() == "https")
                                && u.host().is_some() =>
                        {
                            Some(u)
                        }
                        // The URL may hold credentials: never echoed.
                        Ok(_) => {
                            self.error(
                                &Self::child(&t, "proxy"),
                                "is not valid: expected an http:// or https:// URL with a host",
                            );
                            None
                        }
                        Err(e) => {
                            self.error(&Self::child(&t, "proxy"), format!("is not valid: {e}"));
                            None
                        }
                    });
                    self.finish(
                        t,
                        &[
                            "id",
                            "type",
                            "url",
                            "secret",
                            "secret_env",
                            "allow_private",
                            "proxy",
                            "mode",
                            "digest_interval",
                            "min_severity",
                            "quiet_hours",
                            "rate_limit",
                        ],
                    );
                    match (url, secret) {
                        (Some(url), Some(secret)) => Some(ChannelKind::Webhook {
                            url,
                            secret,
                            allow_private,
                            proxy,
                        }),
                        _ => None,
                    }
                }
                Some(other) => {
                    self.error(
                        &Self::child(&t, "type"),
                        format!("{other:?} is not valid: expected \"email\" or \"webhook\""),
                    );
                    None
                }
                None => None,
            };
            if let (Some(id), Some(kind), Some(routing)) = (id, kind, routing) {
                out.push(Channel { id, kind, routing });
            }
        }
        out
    }
}

/// An environment value (text) as the typed value a key wants: an
/// integer, a finite number, a boolean (any case), or a comma-separated
/// list of strings.
fn from_text<T: DeserializeOwned>(v: &Value) -> Option<T> {
    let s = v.as_str()?.trim();
    let candidates = [
        s.parse::<u64>().ok().map(Value::from),
        s.parse::<i64>().ok().map(Value::from),
        s.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from),
        s.to_lowercase().parse::<bool>().ok().map(Value::Bool),
        Some(Value::Array(
            s.split(',')
                .map(|x| Value::String(x.trim().to_string()))
                .collect(),
        )),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|c| serde_json::from_value::<T>(c).ok())
}

/// Whether a key's value is (or may be) a secret: passwords, secrets,
/// tokens, keys, credentials, and every SASL setting. Such values are
/// never shown in errors.
pub fn is_secret_key(name: &str) -> bool {
    let n = name.to_lowercase().replace('_', ".");
    n.starts_with("sasl.")
        || ["passw", "secret", "token", "credential", "key"]
            .iter()
            .any(|w| n.contains(w))
}

/// A value as shown in an error about `key`: `[redacted]` for a secret.
fn shown(key: &str, v: &Value) -> String {
    if is_secret_key(key) {
        "[redacted]".into()
    } else {
        short(v)
    }
}

/// librdkafka's complaint about one property, without its value when the
/// property is secret (librdkafka quotes values in some messages).
pub fn kafka_property_problem(name: &str, value: &str, e: &rdkafka::error::KafkaError) -> String {
    let said = match e {
        rdkafka::error::KafkaError::ClientConfig(_, desc, _, _) => desc.clone(),
        other => other.to_string(),
    };
    if is_secret_key(name) && !value.is_empty() {
        said.replace(value, "[redacted]")
    } else {
        said
    }
}

/// A value as shown in an error: strings quoted, long values cut.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_blGrM4Th4PrLhgBiTXGM87zvNu20n9dWwqQai4tYhoo=";

    fn load_str(src: &str, env: &[(&str, &str)]) -> Result<Config, Vec<ConfigError>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.toml");
        std::fs::write(&path, src).unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        load(&path, &env)
    }

    fn minimal() -> String {
        format!(
            r#"watchlists = "rules"
[kafka]
brokers = "k:9092"
topics = ["articles"]
[[channel]]
id = "soc"
type = "webhook"
url = "https://hooks.example.com/x"
secret = "{SECRET}"
"#
        )
    }

    #[test]
    fn defaults_and_relative_watchlists() {
        let c = load_str(&minimal(), &[]).unwrap();
        assert_eq!(c.kafka.group_id, "wirewatch");
        assert_eq!(c.kafka.dead_letter_topic, "articles.dlq");
        assert_eq!(c.kafka.max_message_bytes, 1024 * 1024);
        assert!(c.watchlists.ends_with("rules") && c.watchlists.is_absolute());
        assert!(c.smtp.is_none(), "no email channel, no [smtp] needed");
        assert_eq!(c.http_listen.to_string(), "127.0.0.1:9464");
    }

    #[test]
    fn environment_overrides_file_values() {
        let c = load_str(
            &minimal(),
            &[
                ("WIREWATCH__KAFKA__BROKERS", "a:1,b:2"),
                ("WIREWATCH__KAFKA__TOPICS", "x,y"),
                ("WIREWATCH__KAFKA__MAX_MESSAGE_BYTES", "2048"),
                ("WIREWATCH__KAFKA__PROPERTIES__SASL_PASSWORD", "pw"),
                (
                    "WIREWATCH__CHANNEL__SOC__URL",
                    "https://other.example.com/y",
                ),
                ("WIREWATCH__CHANNEL__SOC__ALLOW_PRIVATE", "true"),
                ("UNRELATED", "1"),
            ],
        )
        .unwrap();
        assert_eq!(c.kafka.brokers, "a:1,b:2");
        assert_eq!(c.kafka.topics, vec!["x", "y"]);
        assert_eq!(c.kafka.max_message_bytes, 2048);
        assert_eq!(c.kafka.properties["sasl.password"].expose(), "pw");
        let ChannelKind::Webhook {
            url, allow_private, ..
        } = &c.channels[0].kind
        else {
            panic!()
        };
        assert_eq!(url.as_str(), "https://other.example.com/y");
        assert!(*allow_private, "booleans can be set from the environment");
    }

    /// Issue 16: `WIREWATCH__KAFKA__PROPERTIES__SASL_PASSWORD=007123`
    /// reached librdkafka as `7123` (`1e3` as `1000.0`, `TRUE` as `true`):
    /// environment values were parsed whatever the key's type.
    #[test]
    fn environment_values_keep_their_text_unless_the_key_is_typed() {
        let c = load_str(
            &minimal(),
            &[
                ("WIREWATCH__KAFKA__PROPERTIES__SASL_PASSWORD", "007123"),
                ("WIREWATCH__KAFKA__PROPERTIES__SASL_USERNAME", "1e3"),
                ("WIREWATCH__KAFKA__PROPERTIES__CLIENT_ID", "TRUE"),
                ("WIREWATCH__KAFKA__GROUP_ID", "0042"),
                ("WIREWATCH__KAFKA__TOPICS", "123"),
                ("WIREWATCH__KAFKA__WORKERS", "3"),
                ("WIREWATCH__DELIVERY__MAX_ATTEMPTS", " 5 "),
                ("WIREWATCH__CHANNEL__SOC__ALLOW_PRIVATE", "TRUE"),
            ],
        )
        .unwrap();
        let p = &c.kafka.properties;
        assert_eq!(p["sasl.password"].expose(), "007123");
        assert_eq!(p["sasl.username"].expose(), "1e3");
        assert_eq!(p["client.id"].expose(), "TRUE");
        assert_eq!(c.kafka.group_id, "0042");
        assert_eq!(c.kafka.topics, ["123"]);
        assert_eq!(c.kafka.workers, 3);
        assert_eq!(c.delivery.max_attempts, 5);
        let ChannelKind::Webhook { allow_private, .. } = &c.channels[0].kind else {
            panic!()
        };
        assert!(*allow_private);
        let errs = load_str(
            &minimal(),
            &[
                ("WIREWATCH__KAFKA__WORKERS", "many"),
                ("WIREWATCH__CHANNEL__SOC__ALLOW_PRIVATE", "yes"),
            ],
        )
        .unwrap_err();
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "environment WIREWATCH__KAFKA__WORKERS: kafka.workers: \"many\" is not valid: expected a number of threads (0 = one per CPU)",
                "environment WIREWATCH__CHANNEL__SOC__ALLOW_PRIVATE: channel[0].allow_private: \"yes\" is not valid: expected true or false",
            ]
        );
    }

    #[test]
    fn every_error_is_reported_with_its_location() {
        let src = format!(
            "{}[log]\nformat = \"xml\"\ncolour = true\n[http]\nlisten = \"nowhere\"\n",
            minimal()
        );
        let errs = load_str(&src, &[("WIREWATCH__KAFKA__BROKERS", "")]).unwrap_err();
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 4, "{text:#?}");
        assert!(
            text.iter().any(|t| t.ends_with(
                "w.toml:11: log.format: \"xml\" is not valid: expected \"text\" or \"json\""
            )),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.ends_with("w.toml:12: log.colour: unknown key")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("w.toml:14: http.listen: \"nowhere\" is not valid")),
            "{text:#?}"
        );
        assert!(text.iter().any(|t| t == "environment WIREWATCH__KAFKA__BROKERS: kafka.brokers: \"\" is not valid: empty"), "{text:#?}");
    }

    #[test]
    fn email_channels_need_smtp_and_passwords_come_only_from_the_environment() {
        let src = format!(
            "{}[[channel]]\nid = \"mail\"\ntype = \"email\"\nto = [\"a@example.com\"]\n",
            minimal()
        );
        let errs = load_str(&src, &[]).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.key == "smtp" && e.message.contains("required")),
            "{errs:?}"
        );
        let src = format!(
            "{src}[smtp]\nhost = \"mx\"\nfrom = \"w@example.com\"\npassword = \"in-file\"\n"
        );
        let errs = load_str(&src, &[]).unwrap_err();
        assert!(
            errs.iter().any(
                |e| e.key == "smtp.password" && e.message.contains("WIREWATCH__SMTP__PASSWORD")
            ),
            "{errs:?}"
        );
        let ok = load_str(
            &src.replace("password = \"in-file\"\n", ""),
            &[("WIREWATCH__SMTP__PASSWORD", "12345")],
        )
        .unwrap();
        let smtp = ok.smtp.unwrap();
        assert_eq!(smtp.password.as_ref().unwrap().expose(), "12345");
        // Secrets never show in Debug output.
        let debug = format!("{:?}", ok.channels);
        assert!(
            !debug.contains("blGrM4") && debug.contains("[redacted]"),
            "{debug}"
        );
        assert!(!format!("{smtp:?}").contains("12345"));
    }

    #[test]
    fn a_webhook_proxy_is_per_channel_and_its_credentials_never_echo() {
        let c = load_str(
            &minimal(),
            &[(
                "WIREWATCH__CHANNEL__SOC__PROXY",
                "http://u:pw@proxy.internal:3128",
            )],
        )
        .unwrap();
        let ChannelKind::Webhook { proxy, .. } = &c.channels[0].kind else {
            panic!()
        };
        assert_eq!(
            proxy.as_ref().map(url::Url::as_str),
            Some("http://u:pw@proxy.internal:3128/")
        );
        let errs = load_str(
            &minimal().replace("secret =", "proxy = \"ftp://u:hunter2@x\"\nsecret ="),
            &[],
        )
        .unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:#?}");
        assert_eq!(errs[0].key, "channel[0].proxy");
        assert!(!errs[0].to_string().contains("hunter2"), "{errs:#?}");
    }

    /// Issue 16: a TOML syntax error printed the whole line, secret and
    /// all; a non-string secret printed its value; a misspelt librdkafka
    /// property passed validation and failed at run time, printing its
    /// value.
    #[test]
    fn errors_never_echo_secrets() {
        for broken in [
            minimal().replace(SECRET, &format!("{SECRET}\" trailing")),
            format!(
                "{}[kafka.properties]\n\"sasl.password\" = hunter2\n",
                minimal()
            ),
        ] {
            let errs = load_str(&broken, &[]).unwrap_err();
            let text = format!("{errs:?} {}", errs[0]);
            assert!(text.contains("TOML syntax error"), "{text}");
            assert!(
                !text.contains("blGrM4") && !text.contains("hunter2"),
                "{text}"
            );
        }
        let src = minimal().replace(&format!("\"{SECRET}\""), "12345678")
            + "[kafka.properties]\n\"sasl.password\" = [1234]\n\"sasl.passwd\" = \"hunter2\"\n\"socket.timeout.ms\" = \"soon\"\n";
        let errs = load_str(
            &src,
            &[("WIREWATCH__KAFKA__PROPERTIES__SSL_KEY_PASSWORT", "s3cr3t")],
        )
        .unwrap_err();
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 5, "{text:#?}");
        for secret in ["12345678", "1234", "hunter2", "s3cr3t"] {
            assert!(
                !text.iter().any(|t| t.contains(secret)),
                "{secret} echoed: {text:#?}"
            );
        }
        assert!(
            text.iter().any(|t| t.contains(
                "kafka.properties.sasl.passwd: is not valid: No such configuration property: \"sasl.passwd\""
            )),
            "{text:#?}"
        );
        assert!(
            text.iter().any(|t| t.starts_with(
                "environment WIREWATCH__KAFKA__PROPERTIES__SSL_KEY_PASSWORT: kafka.properties.ssl_key_passwort: is not valid: No such configuration property"
            )),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t
                    .contains("kafka.properties.socket.timeout.ms: is not valid: Invalid value")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("channel[0].secret: [redacted] is not valid")),
            "{text:#?}"
        );
    }

    #[test]
    fn debug_output_hides_url_tokens_and_proxy_credentials() {
        let c = load_str(
            &minimal().replace(
                "/x\"",
                "/x?token=t0k3n\"\nproxy = \"http://u:pr0xy@p:3128\"",
            ),
            &[],
        )
        .unwrap();
        let debug = format!("{c:?}");
        for secret in ["t0k3n", "pr0xy", "blGrM4"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
    }

    /// Issue 16: `smtp.security = "none"` with a password sent it in the
    /// clear without a word.
    #[test]
    fn plain_smtp_with_a_password_is_warned_about() {
        let src = format!(
            "{}[smtp]\nhost = \"mx\"\nsecurity = \"none\"\nusername = \"u\"\nfrom = \"w@example.com\"\n",
            minimal()
        );
        assert!(load_str(&src, &[]).unwrap().warnings().is_empty());
        let c = load_str(&src, &[("WIREWATCH__SMTP__PASSWORD", "pw")]).unwrap();
        let w = c.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("smtp.security = \"none\" with a password"),
            "{w:?}"
        );
        assert!(!w[0].contains("pw\""), "{w:?}");
        let c = load_str(
            &src.replace("\"none\"", "\"starttls\""),
            &[("WIREWATCH__SMTP__PASSWORD", "pw")],
        )
        .unwrap();
        assert!(c.warnings().is_empty());
    }

    /// Issue 16: times from the config are added to clock times; a huge
    /// value is an error, not an overflow later.
    #[test]
    fn huge_durations_and_sizes_are_refused() {
        let src = format!(
            "{}[delivery]\ntimeout_secs = 9223372036854775807\nmax_backoff_secs = 99999999999\n[store]\nstory_window_hours = 9223372036854775807\n",
            minimal()
        );
        let errs = load_str(&src, &[]).unwrap_err();
        let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "store.story_window_hours",
                "delivery.timeout_secs",
                "delivery.max_backoff_secs"
            ],
            "{errs:#?}"
        );
        assert!(
            errs.iter().all(|e| e.message.contains("at most")),
            "{errs:#?}"
        );
    }

    #[test]
    fn bad_webhook_secret_and_duplicate_channel() {
        let src = minimal().replace(SECRET, "not-a-secret")
            + "[[channel]]\nid = \"soc\"\ntype = \"pager\"\n";
        let errs = load_str(&src, &[]).unwrap_err();
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|t| t.contains(
                "channel[0].secret: [redacted] is not valid: must start with \"whsec_\""
            )),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("w.toml:11: channel[1].id: \"soc\" is already used")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("channel[1].type: \"pager\" is not valid")),
            "{text:#?}"
        );
        assert!(
            !text.iter().any(|t| t.contains("not-a-secret")),
            "secrets are never echoed: {text:#?}"
        );
    }
}
