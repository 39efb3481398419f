//! Enqueueing: an article's alerts and their deliveries written in one
//! transaction, with story dedup (copies of a story a rule already alerted
//! on are recorded against the first alert instead of alerting again),
//! silences applied (a delivery a silence covers is written `silenced`,
//! never due) and the alert filed in the console's list (`index`).

use redb::ReadableTable;

use super::index::{self, AlertDelivery};
use super::records::{
    decode, delivery_key, due_key, encode, Copy, DeliveryState, Status, StoryEntry, ALERTS, COPIES,
    DELIVERIES, DUE, STORIES,
};
use super::silence::{self, SILENCES};
use super::AlertRecord;
use super::{now_ms, Store, StoreError};
use crate::alert::Alert;

/// One article's alerts and, for story dedup, its (fingerprint, window ms).
pub type StoryItem<'a> = (&'a [AlertRecord], Option<(u64, i64)>);

/// What [`Store::enqueue_batch`] did with each item's alerts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Enqueued {
    /// Alerts written, with their deliveries.
    pub new: Vec<String>,
    /// (alert id, id of the first alert of the same story) for alerts not
    /// written because their rule already alerted on the story.
    pub same_story: Vec<(String, String)>,
    /// (alert id, channel) of the deliveries written as `silenced`: a
    /// silence covered them when they arrived.
    pub silenced: Vec<(String, String)>,
}

impl Store {
    /// Writes the articles' alerts and a pending delivery per alert and
    /// channel, durably, in one transaction (one fsync for a batch of
    /// messages): one result per item. An alert id already known is
    /// skipped. With an item's `story = Some((fingerprint, window_ms))`, an
    /// alert whose rule already alerted on the same story (a
    /// near-identical fingerprint within the window) is not written: its
    /// article is recorded as a copy of the first alert ("also reported
    /// by").
    ///
    /// `first_due(alert, channel)` says when each delivery is first due
    /// (routing: digests, quiet hours), or `None` to create none (below the
    /// channel's minimum severity).
    pub fn enqueue_batch(
        &self,
        items: &[StoryItem<'_>],
        first_due: &dyn Fn(&Alert, &str) -> Option<i64>,
    ) -> Result<Vec<Enqueued>, StoreError> {
        let mut outs = Vec::with_capacity(items.len());
        if items.iter().all(|(alerts, _)| alerts.is_empty()) {
            outs.resize(items.len(), Enqueued::default());
            return Ok(outs);
        }
        let now = now_ms();
        self.write(|db| {
            let tx = db.begin_write()?;
            {
                let mut a = tx.open_table(ALERTS)?;
                let mut d = tx.open_table(DELIVERIES)?;
                let mut due = tx.open_table(DUE)?;
                let mut stories = tx.open_table(STORIES)?;
                let mut copies = tx.open_table(COPIES)?;
                let silences = silence::active(&tx.open_table(SILENCES)?, now)?;
                let mut list = index::Tables::open(&tx)?;
                for &(alerts, story) in items {
                    let mut out = Enqueued::default();
                    for record in alerts {
                        let alert = &record.alert;
                        if a.get(alert.alert_id.as_str())?.is_some() {
                            continue;
                        }
                        if let Some((fp, window_ms)) = story {
                            let prefix = format!("{}/", alert.rule_id);
                            let end = format!("{}/\u{10FFFF}", alert.rule_id);
                            let mut original = None;
                            let mut expired = Vec::new();
                            for r in stories.range::<&str>(prefix.as_str()..end.as_str())? {
                                let (k, v) = r?;
                                let st: StoryEntry = decode(v.value())?;
                                if st.at_ms < now.saturating_sub(window_ms) {
                                    expired.push(k.value().to_string());
                                } else if original.is_none() && st.same_story(alert, fp) {
                                    original = Some(st.alert_id);
                                }
                            }
                            for k in expired {
                                stories.remove(k.as_str())?;
                            }
                            if let Some(orig) = original {
                                // A redelivered copy keeps its first record.
                                let key = format!("{orig}/{}", alert.article.id);
                                if a.get(orig.as_str())?.is_some()
                                    && copies.get(key.as_str())?.is_none()
                                {
                                    let copy = Copy {
                                        at_ms: now,
                                        article: alert.article.clone(),
                                    };
                                    copies.insert(key.as_str(), encode(&copy)?.as_slice())?;
                                }
                                out.same_story.push((alert.alert_id.clone(), orig));
                                continue;
                            }
                            let entry = StoryEntry {
                                fingerprint: fp,
                                at_ms: now,
                                alert_id: alert.alert_id.clone(),
                                company: Some(alert.matched.company.id.clone()),
                                action: alert.matched.action.as_ref().map(|a| a.id.clone()),
                            };
                            stories.insert(
                                format!("{prefix}{}", alert.alert_id).as_str(),
                                encode(&entry)?.as_slice(),
                            )?;
                        }
                        a.insert(alert.alert_id.as_str(), encode(record)?.as_slice())?;
                        let mut statuses = Vec::new();
                        for channel in &record.notify {
                            let Some(due_at) = first_due(alert, channel) else {
                                continue;
                            };
                            let silence = silence::covering(&silences, alert, channel);
                            let state = DeliveryState {
                                alert_id: alert.alert_id.clone(),
                                channel: channel.clone(),
                                status: if silence.is_some() {
                                    Status::Silenced
                                } else {
                                    Status::Pending
                                },
                                attempts: 0,
                                next_attempt_ms: due_at,
                                created_ms: now,
                                updated_ms: now,
                                last_error: None,
                                leased: false,
                                silence: silence.map(|s| s.id.clone()),
                            };
                            d.insert(
                                delivery_key(&alert.alert_id, channel).as_str(),
                                encode(&state)?.as_slice(),
                            )?;
                            statuses.push(state.status);
                            if silence.is_some() {
                                out.silenced.push((alert.alert_id.clone(), channel.clone()));
                                continue;
                            }
                            due.insert(
                                due_key(due_at, &alert.alert_id, channel).as_str(),
                                [].as_slice(),
                            )?;
                        }
                        list.insert(record, AlertDelivery::of(statuses))?;
                        out.new.push(alert.alert_id.clone());
                    }
                    outs.push(out);
                }
            }
            tx.commit()?;
            Ok(outs)
        })
    }
}
