//! Retro-hunts in progress: after a reload adds or changes rules, the
//! articles still retained in the topics are matched again for those rules
//! (`crate::retro`). A hunt's plan and how far it got are stored here,
//! written after each batch's alerts are in the outbox, so a restart
//! resumes where it stopped (re-reading at most one batch, whose alerts
//! the outbox already holds under the same ids).

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::records::{decode, encode};
use super::{Store, StoreError};

/// Hunt id → [`RetroHunt`].
pub(super) const RETRO: TableDefinition<&str, &[u8]> = TableDefinition::new("retro");

/// One partition of a hunt: offsets `start..end`, read up to `next`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetroPartition {
    pub topic: String,
    pub partition: i32,
    pub start: i64,
    pub end: i64,
    pub next: i64,
}

/// A retro-hunt: which rules, over which articles, and how far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetroHunt {
    pub id: String,
    /// The new or changed rules it matches for.
    pub rules: Vec<String>,
    pub created_ms: i64,
    /// Articles published (by message timestamp) from then on.
    pub since_ms: i64,
    pub partitions: Vec<RetroPartition>,
    /// Articles read and alerts raised so far.
    #[serde(default)]
    pub articles: u64,
    #[serde(default)]
    pub alerts: u64,
}

impl RetroHunt {
    /// Offsets still to read.
    pub fn pending(&self) -> u64 {
        self.partitions
            .iter()
            .map(|p| (p.end - p.next.max(p.start)).max(0) as u64)
            .sum()
    }
}

impl Store {
    /// Every hunt not finished, oldest first.
    pub fn retro_hunts(&self) -> Result<Vec<RetroHunt>, StoreError> {
        let mut out: Vec<RetroHunt> = self.read(|db| {
            let tx = db.begin_read()?;
            let t = tx.open_table(RETRO)?;
            let mut out = Vec::new();
            for r in t.iter()? {
                let (_, v) = r?;
                out.push(decode(v.value())?);
            }
            Ok(out)
        })?;
        out.sort_by_key(|h| h.created_ms);
        Ok(out)
    }

    /// Stores `hunt` (new, or its progress).
    pub fn save_retro_hunt(&self, hunt: &RetroHunt) -> Result<(), StoreError> {
        self.write(|db| {
            let tx = db.begin_write()?;
            tx.open_table(RETRO)?
                .insert(hunt.id.as_str(), encode(hunt)?.as_slice())?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Forgets a finished hunt.
    pub fn finish_retro_hunt(&self, id: &str) -> Result<(), StoreError> {
        self.write(|db| {
            let tx = db.begin_write()?;
            tx.open_table(RETRO)?.remove(id)?;
            tx.commit()?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hunt_is_stored_updated_and_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s")).unwrap();
        assert!(store.retro_hunts().unwrap().is_empty());
        let mut hunt = RetroHunt {
            id: "retro_1".into(),
            rules: vec!["r".into()],
            created_ms: 1,
            since_ms: 0,
            partitions: vec![RetroPartition {
                topic: "t".into(),
                partition: 0,
                start: 10,
                end: 110,
                next: 10,
            }],
            articles: 0,
            alerts: 0,
        };
        store.save_retro_hunt(&hunt).unwrap();
        assert_eq!(store.retro_hunts().unwrap()[0].pending(), 100);
        hunt.partitions[0].next = 60;
        store.save_retro_hunt(&hunt).unwrap();
        let read = store.retro_hunts().unwrap();
        assert_eq!(read, vec![hunt.clone()]);
        assert_eq!(read[0].pending(), 50);
        store.finish_retro_hunt("retro_1").unwrap();
        assert!(store.retro_hunts().unwrap().is_empty());
    }
}
