//! What pages and the API both ask: the alert list's filters from a query
//! string, one alert with its deliveries and marks, a rule's summary (30
//! days of hits, deliveries, precision from feedback, silences) and a
//! silence from its fields.

use serde::{Deserialize, Serialize};

use crate::store::{
    AlertDelivery, AlertFilter, AlertRecord, Cursor, DeliveryState, Feedback, RuleStats, Silence,
    SilenceScope, Store, StoreError,
};
use wirewatch_matcher::{ActionStatus, Rule, Severity};

/// The alert list's query string: each filter one value, or several
/// separated by commas (alternatives).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FilterQuery {
    pub rule: String,
    pub company: String,
    pub agency: String,
    pub action: String,
    pub status: String,
    pub severity: String,
    pub delivery: String,
    /// A date (YYYY-MM-DD, from its start, UTC) or an RFC 3339 time.
    pub from: String,
    /// A date (through its end, UTC) or an RFC 3339 time (before it).
    pub to: String,
    /// Words that must all be in the title.
    pub q: String,
    pub cursor: String,
    pub limit: Option<usize>,
}

/// Comma-separated values, trimmed, empty ones dropped.
fn values(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
        .collect()
}

/// A date or a time as Unix ms; `end` reads a date as the next day's start.
fn when(s: &str, key: &str, end: bool) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        let d = if end {
            d.tomorrow().map_err(|e| format!("{key} = {s:?}: {e}"))?
        } else {
            d
        };
        return d
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| Some(z.timestamp().as_millisecond()))
            .map_err(|e| format!("{key} = {s:?}: {e}"));
    }
    s.parse::<jiff::Timestamp>()
        .map(|t| Some(t.as_millisecond()))
        .map_err(|_| format!("{key} = {s:?} is not a date (2026-12-01) or an RFC 3339 time"))
}

impl FilterQuery {
    /// The store's filter and cursor, or what is wrong with the query.
    pub fn filter(&self) -> Result<(AlertFilter, Option<Cursor>), String> {
        let mut problems = Vec::new();
        let mut parsed = |what: &str, list: &str, parse: &dyn Fn(&str) -> bool| {
            for v in values(list) {
                if !parse(&v) {
                    problems.push(format!("{what} {v:?} is not one of the choices"));
                }
            }
        };
        parsed("status", &self.status, &|v| {
            ActionStatus::parse(v).is_some()
        });
        parsed("severity", &self.severity, &|v| {
            Severity::parse(v).is_some()
        });
        parsed("delivery", &self.delivery, &|v| {
            v.parse::<AlertDelivery>().is_ok()
        });
        let from = when(&self.from, "from", false).unwrap_or_else(|e| {
            problems.push(e);
            None
        });
        let to = when(&self.to, "to", true).unwrap_or_else(|e| {
            problems.push(e);
            None
        });
        let cursor = match self.cursor.trim() {
            "" => None,
            c => match c.parse::<Cursor>() {
                Ok(c) => Some(c),
                Err(e) => {
                    problems.push(e);
                    None
                }
            },
        };
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        let words = self.q.trim();
        Ok((
            AlertFilter {
                rules: values(&self.rule),
                companies: values(&self.company),
                agencies: values(&self.agency),
                actions: values(&self.action),
                statuses: values(&self.status)
                    .iter()
                    .filter_map(|v| ActionStatus::parse(v))
                    .collect(),
                severities: values(&self.severity)
                    .iter()
                    .filter_map(|v| Severity::parse(v))
                    .collect(),
                deliveries: values(&self.delivery)
                    .iter()
                    .filter_map(|v| v.parse().ok())
                    .collect(),
                from_ms: from,
                to_ms: to,
                words: (!words.is_empty()).then(|| words.to_string()),
            },
            cursor,
        ))
    }

    /// The query string of the same filters at `cursor`.
    pub fn at(&self, cursor: Cursor) -> String {
        let mut q = self.clone();
        q.cursor = cursor.to_string();
        serde_urlencoded_pairs(&q)
    }
}

/// `q` as a query string, empty fields left out.
fn serde_urlencoded_pairs(q: &FilterQuery) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("rule", &q.rule),
        ("company", &q.company),
        ("agency", &q.agency),
        ("action", &q.action),
        ("status", &q.status),
        ("severity", &q.severity),
        ("delivery", &q.delivery),
        ("from", &q.from),
        ("to", &q.to),
        ("q", &q.q),
        ("cursor", &q.cursor),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    if let Some(l) = q.limit {
        s.append_pair("limit", &l.to_string());
    }
    s.finish()
}

/// A rule as the rules page and `/api/rules` show it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    pub rule_id: String,
    pub description: Option<String>,
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    /// The last 30 days: alerts per day and by delivery state.
    #[serde(skip)]
    pub stats: RuleStats,
    pub per_day: Vec<u64>,
    pub alerts: u64,
    pub delivered: u64,
    pub dead: u64,
    pub pending: u64,
    pub silenced: u64,
    /// Distinct alerts marked not relevant (any time).
    pub not_relevant: u64,
    /// Distinct alerts marked not relevant within the 30 days (what
    /// `precision` counts).
    pub not_relevant_30d: u64,
    /// Alerts not marked not relevant over alerts, 30 days; `None`
    /// without alerts.
    pub precision: Option<f64>,
    pub silences: Vec<Silence>,
}

/// Days the rule summaries cover.
pub const DAYS: u32 = 30;

/// An alert, its deliveries and the marks on it.
pub type AlertWith = (AlertRecord, Vec<DeliveryState>, Vec<Feedback>);

/// Alert `id` with its deliveries (every channel's, with attempts and
/// last error) and the "not relevant" marks on it; `None` if the store has
/// no such alert.
pub fn alert(s: &Store, id: &str) -> Result<Option<AlertWith>, StoreError> {
    let Some(record) = s.alert(id)? else {
        return Ok(None);
    };
    let deliveries = s.alert_deliveries(id)?;
    let marks = s
        .feedback(&record.alert.rule_id)?
        .into_iter()
        .filter(|m| m.alert_id == id)
        .collect();
    Ok(Some((record, deliveries, marks)))
}

/// `rule`'s summary from its `stats` ([`Store::rule_stats`] over
/// [`DAYS`]), given the active silences; its marks are read now.
pub fn summary(
    store: &Store,
    rule: &Rule,
    silences: &[Silence],
    stats: RuleStats,
) -> Result<RuleSummary, StoreError> {
    let marks = store.feedback(&rule.id)?;
    let window_start = stats.per_day.first().map(|d| d.0).unwrap_or(0);
    let mut marked: Vec<&str> = marks.iter().map(|m| m.alert_id.as_str()).collect();
    marked.sort_unstable();
    marked.dedup();
    let mut recent: Vec<&str> = marks
        .iter()
        .filter(|m| m.at_ms >= window_start)
        .map(|m| m.alert_id.as_str())
        .collect();
    recent.sort_unstable();
    recent.dedup();
    let recent_marked = (recent.len() as u64).min(stats.total);
    let precision =
        (stats.total > 0).then(|| (stats.total - recent_marked) as f64 / stats.total as f64);
    Ok(RuleSummary {
        rule_id: rule.id.clone(),
        description: rule.description.clone(),
        severity: rule.severity,
        file: rule.file.display().to_string(),
        line: rule.line,
        per_day: stats.per_day.iter().map(|d| d.1).collect(),
        alerts: stats.total,
        delivered: stats.delivered,
        dead: stats.dead,
        pending: stats.pending,
        silenced: stats.silenced,
        not_relevant: marked.len() as u64,
        not_relevant_30d: recent_marked,
        precision,
        silences: silences
            .iter()
            .filter(|s| match &s.scope {
                SilenceScope::Rule { rule: r } | SilenceScope::Company { rule: r, .. } => {
                    *r == rule.id
                }
                SilenceScope::Channel { channel } => rule.notify.contains(channel),
            })
            .cloned()
            .collect(),
        stats,
    })
}

/// A silence's scope from its form or JSON fields: `kind` rule, company
/// or channel (or, without `kind`, whichever fields are given).
pub fn scope(
    kind: &str,
    rule: &str,
    company: &str,
    channel: &str,
    rules: &[String],
    channels: &[String],
) -> Result<SilenceScope, String> {
    let (rule, company, channel) = (rule.trim(), company.trim(), channel.trim());
    let kind = match kind.trim() {
        "" if !channel.is_empty() => "channel",
        "" if !company.is_empty() => "company",
        "" => "rule",
        k => k,
    };
    let known_rule = |r: &str| {
        if r.is_empty() {
            Err("a rule is needed".to_string())
        } else if rules.iter().any(|x| x == r) {
            Ok(r.to_string())
        } else {
            Err(format!("no rule {r:?} is loaded"))
        }
    };
    match kind {
        "rule" => Ok(SilenceScope::Rule {
            rule: known_rule(rule)?,
        }),
        "company" if company.is_empty() => Err("a company is needed".into()),
        "company" => Ok(SilenceScope::Company {
            rule: known_rule(rule)?,
            company: company.to_string(),
        }),
        "channel" if channels.iter().any(|c| c == channel) => Ok(SilenceScope::Channel {
            channel: channel.to_string(),
        }),
        "channel" => Err(format!("no channel {channel:?} is configured")),
        k => Err(format!(
            "kind {k:?} is not valid: expected rule, company or channel"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_dates_alternatives_and_report_bad_values() {
        let q = FilterQuery {
            rule: "a, b".into(),
            delivery: "silenced".into(),
            from: "2026-12-01".into(),
            to: "2026-12-01".into(),
            q: " embargo ".into(),
            ..Default::default()
        };
        let (f, c) = q.filter().unwrap();
        assert_eq!(f.rules, ["a", "b"]);
        assert_eq!(f.deliveries, [AlertDelivery::Silenced]);
        assert_eq!(f.to_ms.unwrap() - f.from_ms.unwrap(), 86_400_000);
        assert_eq!(f.words.as_deref(), Some("embargo"));
        assert!(c.is_none());
        let bad = FilterQuery {
            severity: "urgent".into(),
            from: "yesterday".into(),
            ..Default::default()
        };
        let e = bad.filter().unwrap_err();
        assert!(
            e.contains("severity \"urgent\"") && e.contains("from = \"yesterday\""),
            "{e}"
        );
        assert_eq!(
            q.at(Cursor(255)),
            "rule=a%2C+b&delivery=silenced&from=2026-12-01&to=2026-12-01&q=+embargo+&cursor=ff"
        );
    }

    #[test]
    fn scopes_name_a_loaded_rule_or_configured_channel() {
        let rules = ["r1".to_string()];
        let chans = ["mail".to_string()];
        assert_eq!(
            scope("company", "r1", "Acme", "", &rules, &chans),
            Ok(SilenceScope::Company {
                rule: "r1".into(),
                company: "Acme".into()
            })
        );
        assert!(scope("rule", "r2", "", "", &rules, &chans).is_err());
        assert!(scope("channel", "", "", "hook", &rules, &chans).is_err());
        assert_eq!(
            scope("", "", "", "mail", &rules, &chans),
            Ok(SilenceScope::Channel {
                channel: "mail".into()
            })
        );
    }
}
