//! Per-channel routing and noise control: instant or digest delivery, a
//! minimum severity, quiet hours in a time zone (critical alerts still go
//! out), and a rate limit. Routing only decides *when* a delivery is due;
//! nothing is ever dropped except what is below the channel's severity.
//! The routing settings themselves are config data
//! ([`crate::config::routing`]); this module is what they mean in time.

use crate::config::routing::{Mode, QuietHours, Routing};
use wirewatch_matcher::Severity;

impl Routing {
    /// When an alert of `severity` raised at `now_ms` is first due on this
    /// channel, or `None` if the channel does not take it.
    pub fn first_due(&self, severity: Severity, now_ms: i64) -> Option<i64> {
        if self.min_severity.is_some_and(|min| severity < min) {
            return None;
        }
        let mut due = now_ms;
        if let Mode::Digest { interval } = &self.mode {
            let i = crate::store::ms(*interval).max(1);
            due = (now_ms / i).saturating_add(1).saturating_mul(i);
        }
        if let Some(q) = &self.quiet_hours {
            if severity != Severity::Critical {
                due = q.end_if_quiet(due);
            }
        }
        Some(due)
    }

    pub fn is_digest(&self) -> bool {
        matches!(self.mode, Mode::Digest { .. })
    }
}

impl QuietHours {
    fn contains(&self, minute: u16) -> bool {
        if self.start <= self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        }
    }

    /// `at_ms` itself if it is outside the window, else the window's end.
    pub fn end_if_quiet(&self, at_ms: i64) -> i64 {
        let Ok(ts) = jiff::Timestamp::from_millisecond(at_ms) else {
            return at_ms;
        };
        let local = ts.to_zoned_datetime(self.tz.clone());
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        if !self.contains(minute) {
            return at_ms;
        }
        let end = local
            .with()
            .hour((self.end / 60) as i8)
            .minute((self.end % 60) as i8)
            .second(0)
            .subsec_nanosecond(0)
            .build();
        let Ok(mut end) = end else { return at_ms };
        if end.timestamp() <= ts {
            end = match end.checked_add(jiff::Span::new().days(1)) {
                Ok(e) => e,
                Err(_) => return at_ms,
            };
        }
        end.timestamp().as_millisecond()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn min_severity_filters() {
        let r = Routing {
            min_severity: Some(Severity::High),
            ..Routing::default()
        };
        assert_eq!(r.first_due(Severity::Medium, 1000), None);
        assert_eq!(r.first_due(Severity::High, 1000), Some(1000));
    }

    #[test]
    fn digests_wait_for_the_end_of_their_period() {
        let r = Routing {
            mode: Mode::Digest {
                interval: Duration::from_secs(3600),
            },
            ..Routing::default()
        };
        assert_eq!(
            r.first_due(Severity::Low, ms("2024-07-15T10:20:00Z")),
            Some(ms("2024-07-15T11:00:00Z"))
        );
    }

    #[test]
    fn quiet_hours_hold_all_but_critical_alerts_in_the_channel_time_zone() {
        let q = QuietHours {
            start: 22 * 60,
            end: 7 * 60,
            tz: jiff::tz::TimeZone::get("Europe/Berlin").unwrap(),
        };
        let r = Routing {
            quiet_hours: Some(q),
            ..Routing::default()
        };
        // 23:30 in Berlin (CEST, UTC+2) = 21:30 UTC: held until 07:00 Berlin = 05:00 UTC.
        assert_eq!(
            r.first_due(Severity::High, ms("2024-07-15T21:30:00Z")),
            Some(ms("2024-07-16T05:00:00Z"))
        );
        // 03:00 Berlin: held until 07:00 the same day.
        assert_eq!(
            r.first_due(Severity::High, ms("2024-07-16T01:00:00Z")),
            Some(ms("2024-07-16T05:00:00Z"))
        );
        // Critical goes out at once; outside the window nothing waits.
        assert_eq!(
            r.first_due(Severity::Critical, ms("2024-07-15T21:30:00Z")),
            Some(ms("2024-07-15T21:30:00Z"))
        );
        assert_eq!(
            r.first_due(Severity::Low, ms("2024-07-15T10:00:00Z")),
            Some(ms("2024-07-15T10:00:00Z"))
        );
    }
}
