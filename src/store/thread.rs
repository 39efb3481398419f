//! Email threads: the first message each email channel got for a (rule,
//! company), so that later alerts about them within the thread window
//! reply to it (`In-Reply-To`, `References`, "Re: " and its subject).
//!
//! The root is recorded when its message is delivered, with the
//! Message-ID and subject actually sent (an article's alerts of several
//! rules go out as one message with an id of its own), per channel: each
//! channel's recipients have their own mailbox and saw their own message.
//! A root older than the window is replaced by the next message sent.

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::records::{decode, encode};
use super::{Store, StoreError};
use crate::alert::Alert;

/// "channel \x1f rule \x1f company (lower-cased)" → [`ThreadRoot`].
pub(super) const THREADS: TableDefinition<&str, &[u8]> = TableDefinition::new("threads");

/// The first message of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadRoot {
    /// Its `Message-ID`, with the angle brackets.
    pub message_id: String,
    pub subject: String,
    /// When it was delivered, Unix ms.
    pub at_ms: i64,
}

/// What a follow-up message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The root it replies to (`In-Reply-To`), the first alert's root.
    pub in_reply_to: String,
    /// Every root of the message's alerts (`References`), that first.
    pub references: Vec<String>,
    /// The root's subject.
    pub subject: String,
}

/// A message delivered to an email channel, to record as the root of
/// the threads of its alerts that have none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub channel: String,
    pub message_id: String,
    pub subject: String,
    /// (rule id, company) of each alert in it.
    pub topics: Vec<(String, String)>,
}

pub(super) fn key(channel: &str, rule: &str, company: &str) -> String {
    format!("{channel}\x1f{rule}\x1f{}", company.to_lowercase())
}

/// Records `sent` as the root of its topics' threads that have none
/// live (no root, or one from before `now - window_ms`).
pub(super) fn record(
    t: &mut redb::Table<'_, &'static str, &'static [u8]>,
    sent: &Sent,
    now: i64,
    window_ms: i64,
) -> Result<(), StoreError> {
    for (rule, company) in &sent.topics {
        let k = key(&sent.channel, rule, company);
        let live = match t.get(k.as_str())?.map(|v| v.value().to_vec()) {
            Some(raw) => decode::<ThreadRoot>(&raw)?.at_ms >= now.saturating_sub(window_ms),
            None => false,
        };
        if !live {
            let root = ThreadRoot {
                message_id: sent.message_id.clone(),
                subject: sent.subject.clone(),
                at_ms: now,
            };
            t.insert(k.as_str(), encode(&root)?.as_slice())?;
        }
    }
    Ok(())
}

impl Store {
    /// The thread a message of `alerts` to `channel` continues at `now`,
    /// if any of them has a root within `window_ms`: it replies to the
    /// first such alert's root and references them all. A root that is
    /// the message itself (`own_id`: sent, then sent again after a crash
    /// before its outcome was recorded) is no thread of its own.
    pub fn thread_for(
        &self,
        channel: &str,
        alerts: &[Alert],
        own_id: &str,
        now: i64,
        window_ms: i64,
    ) -> Result<Option<Thread>, StoreError> {
        self.read(|db| {
            let tx = db.begin_read()?;
            let t = tx.open_table(THREADS)?;
            let mut roots: Vec<ThreadRoot> = Vec::new();
            for a in alerts {
                let k = key(channel, &a.rule_id, &a.matched.company.id);
                if let Some(v) = t.get(k.as_str())? {
                    let root: ThreadRoot = decode(v.value())?;
                    if root.at_ms >= now.saturating_sub(window_ms)
                        && root.message_id != own_id
                        && !roots.iter().any(|r| r.message_id == root.message_id)
                    {
                        roots.push(root);
                    }
                }
            }
            Ok(roots.first().map(|first| Thread {
                in_reply_to: first.message_id.clone(),
                subject: first.subject.clone(),
                references: roots.iter().map(|r| r.message_id.clone()).collect(),
            }))
        })
    }

    /// Forgets thread roots delivered before `before_ms` (`purge`).
    pub(super) fn prune_threads(
        t: &mut redb::Table<'_, &'static str, &'static [u8]>,
        before_ms: i64,
    ) -> Result<usize, StoreError> {
        let mut old = Vec::new();
        for r in t.iter()? {
            let (k, v) = r?;
            if decode::<ThreadRoot>(v.value())?.at_ms < before_ms {
                old.push(k.value().to_string());
            }
        }
        for k in &old {
            t.remove(k.as_str())?;
        }
        Ok(old.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::now_ms;
    use crate::store::tests::alert;

    #[test]
    fn the_first_message_sent_roots_the_thread_per_channel_within_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let day = 86_400_000;
        let a = alert("a1", &["mail"]).alert;
        let now = now_ms();
        assert_eq!(
            s.thread_for(
                "mail",
                std::slice::from_ref(&a),
                "<own@wirewatch>",
                now,
                30 * day
            )
            .unwrap(),
            None
        );
        let sent = |id: &str, subject: &str| Sent {
            channel: "mail".into(),
            message_id: format!("<{id}@wirewatch>"),
            subject: subject.into(),
            topics: vec![("r".into(), "c".into())],
        };
        s.record_sent(
            vec![],
            &[sent("a1", "[HIGH] C: sanction — First")],
            30 * day,
        )
        .unwrap();
        // A later message for the same topic does not replace the root.
        s.record_sent(
            vec![],
            &[sent("a2", "Re: [HIGH] C: sanction — First")],
            30 * day,
        )
        .unwrap();
        let t = s
            .thread_for(
                "mail",
                std::slice::from_ref(&a),
                "<a3@wirewatch>",
                now,
                30 * day,
            )
            .unwrap()
            .unwrap();
        assert_eq!(t.in_reply_to, "<a1@wirewatch>");
        assert_eq!(t.references, ["<a1@wirewatch>"]);
        assert_eq!(t.subject, "[HIGH] C: sanction — First");
        // The first message sent again (a crash before its outcome was
        // recorded) does not reply to itself.
        assert_eq!(
            s.thread_for(
                "mail",
                std::slice::from_ref(&a),
                "<a1@wirewatch>",
                now,
                30 * day
            )
            .unwrap(),
            None
        );
        assert_eq!(
            s.thread_for(
                "other",
                std::slice::from_ref(&a),
                "<own@wirewatch>",
                now,
                30 * day
            )
            .unwrap(),
            None
        );
        // Past the window there is no thread, and the next message roots anew.
        assert_eq!(
            s.thread_for(
                "mail",
                std::slice::from_ref(&a),
                "<own@wirewatch>",
                now + 31 * day,
                30 * day
            )
            .unwrap(),
            None
        );
        s.purge(now_ms() + 1).unwrap();
        assert_eq!(
            s.thread_for(
                "mail",
                std::slice::from_ref(&a),
                "<own@wirewatch>",
                now,
                30 * day
            )
            .unwrap(),
            None,
            "purged"
        );
    }
}
