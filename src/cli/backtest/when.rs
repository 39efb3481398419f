//! `--since` and `--until`: a duration back from now ("7d", "36h",
//! "90m", "1d 12h") or an RFC 3339 timestamp ("2026-11-24T00:00:00Z",
//! "2026-11-24T01:00:00+01:00").

use std::time::Duration;

use jiff::Timestamp;

/// A point in time as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// This long before the backtest starts.
    Ago(Duration),
    At(Timestamp),
}

impl When {
    /// The point in time, counting `Ago` back from `now`.
    pub fn resolve(self, now: Timestamp) -> Result<Timestamp, String> {
        match self {
            When::At(t) => Ok(t),
            When::Ago(d) => jiff::SignedDuration::try_from(d)
                .ok()
                .and_then(|d| now.checked_sub(d).ok())
                .ok_or_else(|| {
                    format!(
                        "{} before now is out of range",
                        humantime::format_duration(d)
                    )
                }),
        }
    }
}

/// Parses a `--since`/`--until` value (clap's value parser).
pub fn parse(s: &str) -> Result<When, String> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(When::At(t));
    }
    match humantime::parse_duration(s) {
        Ok(d) if !d.is_zero() => Ok(When::Ago(d)),
        Ok(_) => Err("a duration of zero: give how long ago, e.g. 7d or 36h".into()),
        Err(_) => Err(format!(
            "{s:?} is neither a duration (7d, 36h, 90m) nor an RFC 3339 timestamp (2026-11-24T00:00:00Z)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_count_back_from_now() {
        let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let at = |s: &str| parse(s).unwrap().resolve(now).unwrap().to_string();
        assert_eq!(at("7d"), "2026-11-24T12:00:00Z");
        assert_eq!(at("36h"), "2026-11-30T00:00:00Z");
        assert_eq!(at("1d 12h"), "2026-11-30T00:00:00Z");
        assert_eq!(at("90m"), "2026-12-01T10:30:00Z");
    }

    #[test]
    fn timestamps_are_rfc_3339_with_an_offset() {
        let now = Timestamp::now();
        let at = |s: &str| parse(s).unwrap().resolve(now).unwrap().to_string();
        assert_eq!(at("2026-11-24T00:00:00Z"), "2026-11-24T00:00:00Z");
        assert_eq!(at("2026-11-24T01:30:00+01:00"), "2026-11-24T00:30:00Z");
    }

    #[test]
    fn anything_else_is_refused_with_both_forms_named() {
        for bad in ["", "yesterday", "7", "2026-11-24", "-7d", "0s"] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains("duration") || e.contains("zero"), "{bad:?}: {e}");
        }
        assert!(parse("7").unwrap_err().contains("RFC 3339"));
    }
}
