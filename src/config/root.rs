//! The top level of the config and its small sections: `watchlists`,
//! `[log]`, `[store]` and `[http]` (the admin server's address), and the
//! order the other sections are read in (`[smtp]` is required exactly when
//! an email channel exists, so channels are read first).

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::spans::PathPart;
use super::validate::Validator;
use super::{ChannelKind, Config, LogConfig, LogFormat};

impl Validator<'_> {
    pub(super) fn config(&mut self, path: &Path, value: Value) -> Option<Config> {
        let mut root = self.table(Vec::new(), Some(value));
        let base = path.parent().unwrap_or(Path::new("."));
        let watchlists: Option<String> = self.req(&mut root, "watchlists", "a file or folder path");
        let watchlists = self
            .non_empty(&root, "watchlists", watchlists)
            .map(|w| base.join(w));
        let log = self.log(root.map.remove("log"));
        let kafka = self.kafka(root.map.remove("kafka"));
        let (store_path, store_max_pending, story_window, retention, thread_window) = {
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
            let max = (max > 0).then_some(max);
            let story_hours: u64 = self.or(
                &mut t,
                "story_window_hours",
                "a number of hours (0 turns story dedup off)",
                72,
            );
            let story_hours =
                self.at_most(&t, "story_window_hours", story_hours, 24 * 366, "hours");
            let retention_days: u64 =
                self.or(&mut t, "retention_days", "a positive number of days", 90);
            if retention_days == 0 {
                self.error(
                    &Self::child(&t, "retention_days"),
                    "0 is not valid: must be positive (alerts are kept this many days)",
                );
            }
            let retention_days = self
                .at_most(&t, "retention_days", retention_days, 36_600, "days")
                .filter(|d| *d > 0);
            let thread_given = t.map.contains_key("thread_window_days");
            let thread_days: u64 = self.or(
                &mut t,
                "thread_window_days",
                "a number of days (0 turns email threading off)",
                30,
            );
            let mut thread_days =
                self.at_most(&t, "thread_window_days", thread_days, 36_600, "days");
            if let (Some(th), Some(r)) = (thread_days, retention_days) {
                // The default window shrinks to a shorter retention; a
                // window set longer than the retention is a mistake.
                if th > r && !thread_given {
                    thread_days = Some(r);
                } else if th > r {
                    self.error(
                        &Self::child(&t, "thread_window_days"),
                        format!("{th} is longer than store.retention_days = {r}: the first message of a thread would be forgotten before the window ends"),
                    );
                    thread_days = None;
                }
            }
            self.finish(
                t,
                &[
                    "path",
                    "max_pending",
                    "story_window_hours",
                    "retention_days",
                    "thread_window_days",
                ],
            );
            let story = story_hours.map(|h| (h > 0).then(|| Duration::from_secs(h * 3600)));
            let retention = retention_days.map(|d| Duration::from_secs(d * 86_400));
            let thread = thread_days.map(|d| (d > 0).then(|| Duration::from_secs(d * 86_400)));
            (base.join(p), max, story, retention, thread)
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
        let console = self.console(root.map.remove("console"));
        let delivery = self.delivery(root.map.remove("delivery"));
        let channels = self.channels(root.map.remove("channel"), base);
        let retro = self.retro(root.map.remove("retro"));
        let needs_smtp = channels
            .iter()
            .any(|c| matches!(c.kind, ChannelKind::Email { .. }));
        let smtp = if smtp_value.is_some() || needs_smtp {
            self.smtp(smtp_value, needs_smtp, base)
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
                "retro",
                "console",
            ],
        );
        Some(Config {
            path: path.to_path_buf(),
            watchlists: watchlists?,
            log: log?,
            kafka: kafka?,
            store_path,
            store_max_pending: store_max_pending?,
            story_window: story_window?,
            retention: retention?,
            thread_window: thread_window?,
            smtp,
            http_listen: http_listen?,
            console: console?,
            delivery: delivery?,
            channels,
            retro: retro?,
        })
    }

    pub(super) fn log(&mut self, v: Option<Value>) -> Option<LogConfig> {
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
}
