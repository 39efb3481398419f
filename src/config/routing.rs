//! A channel's routing settings as the config holds them (instant or
//! digest delivery, a minimum severity, quiet hours in a time zone and a
//! rate limit) and how they are read from a `[[channel]]` table. What the
//! settings mean for when a delivery is due lives in `notify::routing`,
//! which depends on config and never the reverse.
//!
//! Invariant: periods (digest interval, rate-limit period) are positive and
//! at most a year, since they are added to clock times in milliseconds.

use std::time::Duration;

use super::validate::{Table, Validator};
use wirewatch_matcher::Severity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Each alert (grouped per article) as soon as possible.
    Instant,
    /// One message per period listing every alert of the period; periods
    /// are aligned to the Unix epoch (hourly on the hour, daily at 00:00 UTC).
    Digest { interval: Duration },
}

/// A daily window in a time zone when only critical alerts go out.
#[derive(Debug, Clone, PartialEq)]
pub struct QuietHours {
    /// Minutes after midnight, local time.
    pub start: u16,
    pub end: u16,
    pub tz: jiff::tz::TimeZone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub per: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    pub mode: Mode,
    pub min_severity: Option<Severity>,
    pub quiet_hours: Option<QuietHours>,
    pub rate_limit: Option<RateLimit>,
}

impl Default for Routing {
    fn default() -> Self {
        Routing {
            mode: Mode::Instant,
            min_severity: None,
            quiet_hours: None,
            rate_limit: None,
        }
    }
}

impl QuietHours {
    /// Parses "HH:MM".
    pub fn parse_time(s: &str) -> Option<u16> {
        let (h, m) = s.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    }
}

impl Validator<'_> {
    /// A channel's routing keys: mode, digest_interval, min_severity,
    /// quiet_hours and rate_limit.
    pub(super) fn routing(&mut self, t: &mut Table) -> Option<Routing> {
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
            Some(m) => match wirewatch_matcher::Severity::parse(&m) {
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
}
