//! An alert: one (rule, article) pair with its evidence, and its stable id.
//! [`Alert`] is what a webhook carries (its JSON body) and an email shows;
//! where it goes is the outbox's business (`store::AlertRecord`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use wirewatch_matcher::article::Article;
use wirewatch_matcher::{ActionStatus, Evidence, Hit, Matcher, Severity, Term};

/// The article fields an alert carries (the webhook body's `article`, as
/// ../shared/design/contracts.md specifies it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleRef {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub published_at: Option<String>,
}

/// What matched: the company, and the agency and action when the rule
/// names them (or the first found, for "any").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matched {
    pub company: Term,
    pub agency: Option<Term>,
    pub action: Option<Term>,
}

/// The alert as sent in webhooks and rendered in emails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub alert_id: String,
    pub rule_id: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub article: ArticleRef,
    pub matched: Matched,
    /// The named list the company is an entry of, when the rule watches it
    /// through `lists` (an extension of the contract's alert: absent
    /// otherwise, and for records from before lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// That entry's id in the list's source ("ofac-sdn:12345"), when it has
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The status of the action as the article reports it (records from
    /// before statuses read as imposed).
    #[serde(default)]
    pub status: ActionStatus,
    /// The article's language as matched (ISO 639-1), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub evidence: Vec<Evidence>,
    /// When the alert was raised; RFC 3339 in UTC on the wire.
    #[serde(with = "rfc3339")]
    pub detected_at: jiff::Timestamp,
    /// The watchlist file that defines the rule, for "edit this rule" hints.
    pub watchlist: String,
    /// The same story from other sources, found after this alert was raised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_reported_by: Vec<ArticleRef>,
}

/// A timestamp as RFC 3339 in UTC: "2024-07-15T10:05:00Z", with as many
/// fractional digits as it needs ("…:00.5Z"), none when it is whole.
mod rfc3339 {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(t)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<jiff::Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(D::Error::custom)
    }
}

/// The stable id of the alert for `rule_id` on `article_id`: the same pair
/// gives the same id on every replica and after every restart, which is
/// what makes redelivery idempotent downstream (`webhook-id`, `Message-ID`).
pub fn alert_id(rule_id: &str, article_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0x1f]);
    h.update(article_id.as_bytes());
    format!("alrt_{}", &hex::encode(h.finalize())[..32])
}

impl Alert {
    pub fn new(
        matcher: &Matcher,
        article: &Article,
        hit: Hit,
        detected_at: jiff::Timestamp,
    ) -> Alert {
        let rule = matcher
            .rules()
            .nth(hit.rule_index)
            .expect("hit names a rule of this matcher");
        Alert {
            alert_id: alert_id(&hit.rule_id, &article.id),
            rule_id: hit.rule_id,
            severity: hit.severity,
            description: rule.description.clone(),
            article: ArticleRef {
                id: article.id.clone(),
                title: wirewatch_matcher::text::clean(&article.title)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                url: article.url.clone(),
                source: article.source.clone(),
                published_at: article.published_at.clone(),
            },
            matched: Matched {
                company: hit.company,
                agency: hit.agency,
                action: hit.action,
            },
            list: hit.list,
            source_id: hit.source_id,
            status: hit.status,
            language: hit.language,
            evidence: hit.evidence,
            detected_at,
            watchlist: rule.file.display().to_string(),
            also_reported_by: Vec::new(),
        }
    }

    /// A one-line summary: "HIGH kaspersky-us: Kaspersky / us-commerce / sanction: <title>"
    /// ("sanction (proposed)" when the action is not yet imposed).
    pub fn summary(&self) -> String {
        let mut parts = vec![self.matched.company.id.clone()];
        parts.extend(self.matched.agency.as_ref().map(|a| a.id.clone()));
        parts.extend(self.matched.action.as_ref().map(|a| match self.status {
            ActionStatus::Imposed => a.id.clone(),
            st => format!("{} ({})", a.id, st.as_str()),
        }));
        format!(
            "{} {}: {}: {}",
            self.severity.as_str().to_uppercase(),
            self.rule_id,
            parts.join(" / "),
            self.article.title
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{alert_id, Alert};
    use wirewatch_matcher::article::Article;
    use wirewatch_matcher::{watchlist, Matcher, Taxonomy};

    /// The webhook body of an alert from a list names the list and the
    /// entry's source id; one from a rule's own company has neither key,
    /// so existing receivers see the body they know.
    #[test]
    fn a_list_alert_names_its_list_and_source_id_in_the_webhook_body() {
        let src = r#"
[[list]]
id = "test-entities"
companies = [{ name = "Korvantis Lab, AO", source_id = "test:7" }]

[[rule]]
id = "listed"
lists = ["test-entities"]
actions = ["sanction"]

[[rule]]
id = "own"
companies = ["Norbeck Freight"]
actions = ["sanction"]
"#;
        let (wl, _) =
            watchlist::parse(&[("w.toml".into(), src.to_string())], Taxonomy::builtin()).unwrap();
        let m = Matcher::compile(&wl, Taxonomy::builtin());
        let article = Article {
            id: "a1".into(),
            title: "Sanctions".into(),
            body: "The Treasury Department sanctioned AO Korvantis Lab and Norbeck Freight.".into(),
            url: None,
            source: None,
            published_at: None,
            language: None,
        };
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        let bodies: Vec<serde_json::Value> = m
            .evaluate(&article)
            .into_iter()
            .map(|h| serde_json::to_value(Alert::new(&m, &article, h, now)).unwrap())
            .collect();
        assert_eq!(bodies.len(), 2, "{bodies:#?}");
        let listed = bodies.iter().find(|b| b["rule_id"] == "listed").unwrap();
        assert_eq!(listed["list"], "test-entities");
        assert_eq!(listed["source_id"], "test:7");
        assert_eq!(listed["matched"]["company"]["id"], "Korvantis Lab, AO");
        let own = bodies.iter().find(|b| b["rule_id"] == "own").unwrap();
        assert!(
            own.get("list").is_none() && own.get("source_id").is_none(),
            "{own}"
        );
    }

    #[test]
    fn alert_id_is_stable_and_distinct() {
        let a = alert_id("kaspersky-us", "seed-kaspersky-2024-07");
        assert_eq!(a, alert_id("kaspersky-us", "seed-kaspersky-2024-07"));
        assert_eq!(a.len(), 5 + 32);
        assert_ne!(a, alert_id("kaspersky-us", "seed-kaspersky-2024-08"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(alert_id("ab", "c"), alert_id("a", "bc"));
    }
}
