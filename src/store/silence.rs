//! Silences: a rule, a company within a rule, or a channel, held back
//! until a time. A delivery a silence covers when its alert arrives, or
//! when it falls due (a digest, quiet hours, a retry), is kept with status
//! `silenced` and never sent; lifting the silence or its end does not
//! send it (it was judged noise when it came; `wirewatch outbox retry
//! --alert ID` sends one on purpose). Silences are kept after they end or
//! are lifted, with who set and lifted them and why: the record of what
//! was not sent.

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::records::{decode, encode};
use super::{now_ms, Store, StoreError};
use crate::alert::Alert;

/// Silence id → [`Silence`].
pub(super) const SILENCES: TableDefinition<&str, &[u8]> = TableDefinition::new("silences");

/// What a silence holds back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SilenceScope {
    /// Every alert of a rule.
    Rule { rule: String },
    /// A rule's alerts about one watched company (its canonical name,
    /// compared without case).
    Company { rule: String, company: String },
    /// Every delivery to a channel.
    Channel { channel: String },
}

impl std::fmt::Display for SilenceScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SilenceScope::Rule { rule } => write!(f, "rule {rule}"),
            SilenceScope::Company { rule, company } => {
                write!(f, "rule {rule}, company {company}")
            }
            SilenceScope::Channel { channel } => write!(f, "channel {channel}"),
        }
    }
}

/// Who ended a silence early, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifted {
    pub by: String,
    pub at_ms: i64,
}

/// A silence as stored and listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Silence {
    pub id: String,
    pub scope: SilenceScope,
    /// It holds until then, Unix ms.
    pub until_ms: i64,
    /// Who set it.
    pub by: String,
    /// Why.
    pub reason: String,
    pub created_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted: Option<Lifted>,
}

impl Silence {
    /// Whether it holds at `now`.
    pub fn active(&self, now: i64) -> bool {
        self.lifted.is_none() && self.created_ms <= now && now < self.until_ms
    }

    /// Whether it covers `alert`'s delivery to `channel` (whether it is
    /// active is [`Silence::active`]'s question).
    pub fn covers(&self, alert: &Alert, channel: &str) -> bool {
        match &self.scope {
            SilenceScope::Rule { rule } => *rule == alert.rule_id,
            SilenceScope::Company { rule, company } => {
                *rule == alert.rule_id
                    && company.to_lowercase() == alert.matched.company.id.to_lowercase()
            }
            SilenceScope::Channel { channel: c } => c == channel,
        }
    }
}

/// The silences active at `now`, from the open `silences` table.
pub(super) fn active(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    now: i64,
) -> Result<Vec<Silence>, StoreError> {
    let mut out = Vec::new();
    for r in table.iter()? {
        let (_, v) = r?;
        let s: Silence = decode(v.value())?;
        if s.active(now) {
            out.push(s);
        }
    }
    Ok(out)
}

/// The first of `silences` that covers `alert`'s delivery to `channel`.
pub(super) fn covering<'s>(
    silences: &'s [Silence],
    alert: &Alert,
    channel: &str,
) -> Option<&'s Silence> {
    silences.iter().find(|s| s.covers(alert, channel))
}

impl Store {
    /// Adds a silence from now until `until_ms`.
    pub fn add_silence(
        &self,
        scope: SilenceScope,
        until_ms: i64,
        by: &str,
        reason: &str,
    ) -> Result<Silence, StoreError> {
        let now = now_ms();
        if until_ms <= now {
            return Err(StoreError::Invalid(
                "a silence must end in the future".into(),
            ));
        }
        let silence = Silence {
            id: format!("sil_{:016x}", rand::random::<u64>()),
            scope,
            until_ms,
            by: by.to_string(),
            reason: reason.to_string(),
            created_ms: now,
            lifted: None,
        };
        self.write(|db| {
            let tx = db.begin_write()?;
            tx.open_table(SILENCES)?
                .insert(silence.id.as_str(), encode(&silence)?.as_slice())?;
            tx.commit()?;
            Ok(())
        })?;
        Ok(silence)
    }

    /// The silences, newest first: those active now, or with `all` also
    /// those that ended or were lifted.
    pub fn silences(&self, all: bool) -> Result<Vec<Silence>, StoreError> {
        let now = now_ms();
        let mut out: Vec<Silence> = self.read(|db| {
            let tx = db.begin_read()?;
            let t = tx.open_table(SILENCES)?;
            let mut out = Vec::new();
            for r in t.iter()? {
                let (_, v) = r?;
                let s: Silence = decode(v.value())?;
                if all || s.active(now) {
                    out.push(s);
                }
            }
            Ok(out)
        })?;
        out.sort_by_key(|s| std::cmp::Reverse(s.created_ms));
        Ok(out)
    }

    /// Lifts silence `id` now, by `by`: alerts from now on are delivered;
    /// those it held back stay silenced. `None` if there is no such
    /// silence; one already lifted keeps its first lifting.
    pub fn lift_silence(&self, id: &str, by: &str) -> Result<Option<Silence>, StoreError> {
        let now = now_ms();
        self.write(|db| {
            let tx = db.begin_write()?;
            let lifted = {
                let mut t = tx.open_table(SILENCES)?;
                let Some(raw) = t.get(id)?.map(|v| v.value().to_vec()) else {
                    return Ok(None);
                };
                let mut s: Silence = decode(&raw)?;
                if s.lifted.is_none() {
                    s.lifted = Some(Lifted {
                        by: by.to_string(),
                        at_ms: now,
                    });
                    t.insert(id, encode(&s)?.as_slice())?;
                }
                s
            };
            tx.commit()?;
            Ok(Some(lifted))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::alert;
    use crate::store::{AlertDelivery, AlertFilter, Status};

    #[test]
    fn a_silenced_alert_is_kept_never_leased_and_stays_silenced_when_lifted() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let hour = now_ms() + 3_600_000;
        let rule = s
            .add_silence(
                SilenceScope::Rule { rule: "r".into() },
                hour,
                "ana",
                "noisy",
            )
            .unwrap();
        assert!(s
            .add_silence(
                SilenceScope::Rule { rule: "r".into() },
                now_ms() - 1,
                "ana",
                "x"
            )
            .is_err());
        let mut other = alert("other", &["mail"]);
        other.alert.rule_id = "r2".into();
        let e = s
            .enqueue_batch(
                &[(&[alert("x", &["mail", "hook"]), other][..], None)],
                &|_, _| Some(now_ms()),
            )
            .unwrap()
            .remove(0);
        assert_eq!(e.new, ["x", "other"]);
        assert_eq!(e.silenced.len(), 2, "both deliveries of x");
        let leased = s.lease_due(now_ms(), 10, 60_000).unwrap();
        assert_eq!(leased.len(), 1);
        assert_eq!(leased[0].1.alert_id, "other");
        let x = s.deliveries(Some(Status::Silenced)).unwrap();
        assert_eq!(x.len(), 2);
        assert_eq!(x[0].silence.as_deref(), Some(rule.id.as_str()));
        let silenced = AlertFilter {
            deliveries: vec![AlertDelivery::Silenced],
            ..Default::default()
        };
        assert_eq!(
            s.alerts_page(&silenced, None, 10).unwrap().alerts[0].alert_id,
            "x"
        );

        let lifted = s.lift_silence(&rule.id, "bo").unwrap().unwrap();
        assert_eq!(lifted.lifted.as_ref().unwrap().by, "bo");
        assert!(s.silences(false).unwrap().is_empty());
        assert_eq!(s.silences(true).unwrap().len(), 1);
        assert!(s.lift_silence("sil_nope", "bo").unwrap().is_none());
        // Lifting sends nothing it held back ...
        assert!(s
            .lease_due(now_ms() + 120_000, 10, 60_000)
            .unwrap()
            .iter()
            .all(|(d, _)| d.alert_id != "x"));
        assert_eq!(s.pending().unwrap(), 1);
        // ... and later alerts go out.
        let y = alert("y", &["mail"]);
        assert!(s
            .enqueue_batch(&[(&[y][..], None)], &|_, _| Some(now_ms()))
            .unwrap()[0]
            .silenced
            .is_empty());
        // An operator may send one on purpose.
        assert_eq!(s.retry(Some("x")).unwrap(), 2);
        assert_eq!(s.pending().unwrap(), 4);
    }

    #[test]
    fn company_and_channel_silences_and_a_silence_that_begins_while_a_delivery_waits() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let later = now_ms() + 3_600_000;
        // Held by a digest: due in a second.
        enqueue_due(&s, alert("waiting", &["mail", "hook"]), now_ms() + 1_000);
        s.add_silence(
            SilenceScope::Company {
                rule: "r".into(),
                company: "c".into(),
            },
            later,
            "ana",
            "known",
        )
        .unwrap();
        let mut other_company = alert("other", &["mail"]);
        other_company.alert.matched.company.id = "D".into();
        let e = s
            .enqueue_batch(&[(&[other_company][..], None)], &|_, _| Some(now_ms()))
            .unwrap();
        assert!(e[0].silenced.is_empty(), "another company of the rule");
        let leased = s
            .lease_due_or_silence(now_ms() + 2_000, 10, 60_000)
            .unwrap();
        assert_eq!(leased.due.len(), 1);
        assert_eq!(
            leased.silenced.len(),
            2,
            "the waiting alert fell due under the silence"
        );

        s.add_silence(
            SilenceScope::Channel {
                channel: "hook".into(),
            },
            later,
            "ana",
            "maintenance",
        )
        .unwrap();
        let mut z = alert("z", &["mail", "hook"]);
        z.alert.matched.company.id = "E".into();
        let e = s
            .enqueue_batch(&[(&[z][..], None)], &|_, _| Some(now_ms()))
            .unwrap();
        assert_eq!(e[0].silenced, [("z".to_string(), "hook".to_string())]);
        let row = s
            .alerts_page(&AlertFilter::default(), None, 1)
            .unwrap()
            .alerts
            .remove(0);
        assert_eq!(
            (row.alert_id.as_str(), row.delivery),
            ("z", AlertDelivery::Pending)
        );
    }

    fn enqueue_due(s: &Store, a: crate::store::AlertRecord, at: i64) {
        s.enqueue_batch(&[(&[a][..], None)], &|_, _| Some(at))
            .unwrap();
    }
}
