//! A channel's routing settings as the config holds them: instant or digest
//! delivery, a minimum severity, quiet hours in a time zone and a rate
//! limit. This module is data only; what the settings mean for when a
//! delivery is due lives in `notify::routing`, which depends on config and
//! never the reverse.

use std::time::Duration;

use crate::matcher::Severity;

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
