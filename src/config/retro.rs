//! The `[retro]` section: how far back a retro-hunt reads when a reload
//! adds or changes rules (`window`, a duration such as "7d"; "0" turns
//! retro-hunts off) and how fast (`max_articles_per_sec`).

use std::time::Duration;

use serde_json::Value;

use super::spans::PathPart;
use super::validate::Validator;
use super::RetroConfig;

/// The longest window: beyond it the topics have long been compacted or
/// deleted by any retention a deployment uses.
const MAX_WINDOW: Duration = Duration::from_secs(366 * 86_400);

impl Validator<'_> {
    pub(super) fn retro(&mut self, v: Option<Value>) -> Option<RetroConfig> {
        let mut t = self.table(vec![PathPart::Key("retro".into())], v);
        let d = RetroConfig::default();
        let window: String = self.or(
            &mut t,
            "window",
            "a duration such as \"7d\" or \"36h\" (\"0\" turns retro-hunts off)",
            "7d".into(),
        );
        let window = match window.trim() {
            "0" => Some(None),
            w => match humantime::parse_duration(w) {
                Ok(d) if d.is_zero() => Some(None),
                Ok(d) if d > MAX_WINDOW => {
                    self.error(
                        &Self::child(&t, "window"),
                        format!("{w:?} is too long: at most 366d"),
                    );
                    None
                }
                Ok(d) => Some(Some(d)),
                Err(e) => {
                    self.error(
                        &Self::child(&t, "window"),
                        format!("{w:?} is not valid: {e} (expected a duration such as \"7d\", \"36h\", or \"0\" to turn retro-hunts off)"),
                    );
                    None
                }
            },
        };
        let rate: u64 = self.or(
            &mut t,
            "max_articles_per_sec",
            "a positive number of articles per second",
            u64::from(d.max_articles_per_sec),
        );
        if rate == 0 {
            self.error(
                &Self::child(&t, "max_articles_per_sec"),
                "0 is not valid: must be positive (set window = \"0\" to turn retro-hunts off)",
            );
        }
        let rate = self
            .at_most(
                &t,
                "max_articles_per_sec",
                rate,
                1_000_000,
                "articles per second",
            )
            .filter(|r| *r > 0);
        self.finish(t, &["window", "max_articles_per_sec"]);
        Some(RetroConfig {
            window: window?,
            max_articles_per_sec: rate? as u32,
        })
    }
}
