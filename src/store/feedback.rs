//! "Not relevant" marks: an analyst says an alert should not have fired,
//! and why. They are kept per rule (the rule's false positives, for the
//! suggestions a later issue builds on them), one per analyst and alert
//! (marking again replaces the mark), with a copy of the alert's headline
//! and matched company so they still read after the alert is purged.

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::records::{decode, encode, ALERTS};
use super::{now_ms, AlertRecord, Store, StoreError};

/// "rule \x1f alert id \x1f by" → [`Feedback`].
pub(super) const FEEDBACK: TableDefinition<&str, &[u8]> = TableDefinition::new("feedback");

/// Why an alert was not relevant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackReason {
    /// The company is there in another role (customer, source, analyst).
    CompanyInAnotherRole,
    /// A word in another sense ("fine" the adjective).
    WrongSense,
    WrongAgency,
    WrongAction,
    OldNews,
    Duplicate,
    /// Anything else; the note says what.
    Other,
}

impl FeedbackReason {
    pub const ALL: [FeedbackReason; 7] = [
        FeedbackReason::CompanyInAnotherRole,
        FeedbackReason::WrongSense,
        FeedbackReason::WrongAgency,
        FeedbackReason::WrongAction,
        FeedbackReason::OldNews,
        FeedbackReason::Duplicate,
        FeedbackReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackReason::CompanyInAnotherRole => "company_in_another_role",
            FeedbackReason::WrongSense => "wrong_sense",
            FeedbackReason::WrongAgency => "wrong_agency",
            FeedbackReason::WrongAction => "wrong_action",
            FeedbackReason::OldNews => "old_news",
            FeedbackReason::Duplicate => "duplicate",
            FeedbackReason::Other => "other",
        }
    }
}

impl std::str::FromStr for FeedbackReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        FeedbackReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = FeedbackReason::ALL.iter().map(|r| r.as_str()).collect();
                format!("{s:?} is not a reason: expected one of {}", all.join(", "))
            })
    }
}

/// One mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub alert_id: String,
    pub rule_id: String,
    pub reason: FeedbackReason,
    /// Free text (required with `other`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who marked it.
    pub by: String,
    pub at_ms: i64,
    /// The alert's headline and company when it was marked.
    pub title: String,
    pub company: String,
}

fn key(rule: &str, alert_id: &str, by: &str) -> String {
    format!("{rule}\x1f{alert_id}\x1f{by}")
}

impl Store {
    /// Marks alert `alert_id` as not relevant. An unknown alert, or
    /// `other` without a note, is refused.
    pub fn add_feedback(
        &self,
        alert_id: &str,
        reason: FeedbackReason,
        note: Option<&str>,
        by: &str,
    ) -> Result<Feedback, StoreError> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if reason == FeedbackReason::Other && note.is_none() {
            return Err(StoreError::Invalid(
                "the reason \"other\" needs a note saying what is wrong".into(),
            ));
        }
        let now = now_ms();
        self.write(|db| {
            let tx = db.begin_write()?;
            let mark = {
                let alerts = tx.open_table(ALERTS)?;
                let Some(raw) = alerts.get(alert_id)? else {
                    return Err(StoreError::Invalid(format!(
                        "no alert {alert_id:?} in the store"
                    )));
                };
                let record: AlertRecord = decode(raw.value())?;
                let mark = Feedback {
                    alert_id: alert_id.to_string(),
                    rule_id: record.alert.rule_id.clone(),
                    reason,
                    note: note.map(String::from),
                    by: by.to_string(),
                    at_ms: now,
                    title: record.alert.article.title.clone(),
                    company: record.alert.matched.company.id.clone(),
                };
                tx.open_table(FEEDBACK)?.insert(
                    key(&mark.rule_id, alert_id, by).as_str(),
                    encode(&mark)?.as_slice(),
                )?;
                mark
            };
            tx.commit()?;
            Ok(mark)
        })
    }

    /// The marks on rule `rule_id`'s alerts, newest first.
    pub fn feedback(&self, rule_id: &str) -> Result<Vec<Feedback>, StoreError> {
        let mut out: Vec<Feedback> = self.read(|db| {
            let tx = db.begin_read()?;
            let t = tx.open_table(FEEDBACK)?;
            let (from, to) = (format!("{rule_id}\x1f"), format!("{rule_id}\x1f\u{10FFFF}"));
            let mut out = Vec::new();
            for r in t.range::<&str>(from.as_str()..to.as_str())? {
                let (_, v) = r?;
                out.push(decode(v.value())?);
            }
            Ok(out)
        })?;
        out.sort_by_key(|f: &Feedback| std::cmp::Reverse(f.at_ms));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::{alert, enqueue};

    #[test]
    fn marks_are_kept_per_rule_one_per_analyst_and_alert() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let mut other = alert("y", &["mail"]);
        other.alert.rule_id = "r2".into();
        enqueue(&s, &[alert("x", &["mail"]), other]);
        s.add_feedback("x", FeedbackReason::WrongSense, None, "ana")
            .unwrap();
        s.add_feedback(
            "x",
            FeedbackReason::CompanyInAnotherRole,
            Some(" a customer "),
            "ana",
        )
        .unwrap();
        s.add_feedback("x", FeedbackReason::OldNews, None, "bo")
            .unwrap();
        s.add_feedback("y", FeedbackReason::Duplicate, None, "bo")
            .unwrap();
        let marks = s.feedback("r").unwrap();
        assert_eq!(marks.len(), 2, "ana's second mark replaced her first");
        let ana = marks.iter().find(|m| m.by == "ana").unwrap();
        assert_eq!(ana.reason, FeedbackReason::CompanyInAnotherRole);
        assert_eq!(ana.note.as_deref(), Some("a customer"));
        assert_eq!((ana.title.as_str(), ana.company.as_str()), ("t", "C"));
        assert_eq!(s.feedback("r2").unwrap().len(), 1);
        assert!(s.feedback("r3").unwrap().is_empty());
        let err = s
            .add_feedback("x", FeedbackReason::Other, Some("  "), "ana")
            .unwrap_err();
        assert!(err.to_string().contains("needs a note"), "{err}");
        let err = s
            .add_feedback("nope", FeedbackReason::Duplicate, None, "ana")
            .unwrap_err();
        assert!(err.to_string().contains("no alert"), "{err}");
        assert_eq!("wrong_agency".parse(), Ok(FeedbackReason::WrongAgency));
        // Kept after the alert is purged.
        s.record_many(vec![(
            "x".into(),
            "mail".into(),
            crate::store::Outcome::Delivered,
        )])
        .unwrap();
        s.purge(now_ms() + 1).unwrap();
        assert_eq!(s.feedback("r").unwrap().len(), 2);
    }
}
