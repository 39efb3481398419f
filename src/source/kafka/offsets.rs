//! Which offsets of each assigned partition are in flight or done, and so
//! which offset may be stored.
//!
//! Invariants: the offset to store is the lowest offset still in flight,
//! or one past the highest done when none is; it only moves forward; it is
//! never the assignment's first fetched offset (storing that is a no-op);
//! and a completion from an earlier assignment of the partition (a revoke
//! and re-assignment bump its epoch) stores nothing.

use std::collections::{BTreeSet, HashMap};

use super::Tp;

#[derive(Debug, Default)]
struct Partition {
    /// Bumped on every (re)assignment, so a completion from an earlier
    /// assignment never stores an offset.
    epoch: u64,
    in_flight: BTreeSet<i64>,
    /// The first offset seen in this assignment: storing it would be a no-op.
    first: Option<i64>,
    max_done: Option<i64>,
    stored: Option<i64>,
}

/// Which offsets of each assigned partition are in flight or done.
#[derive(Debug, Default)]
pub struct Tracker {
    parts: HashMap<Tp, Partition>,
    next_epoch: u64,
}

impl Tracker {
    pub(super) fn assign(&mut self, tp: Tp) {
        self.next_epoch += 1;
        self.parts.insert(
            tp,
            Partition {
                epoch: self.next_epoch,
                ..Default::default()
            },
        );
    }

    pub(super) fn revoke(&mut self, tp: &Tp) {
        self.parts.remove(tp);
    }

    /// Records a message as in flight; returns the assignment epoch.
    pub(super) fn begin(&mut self, tp: &Tp, offset: i64) -> u64 {
        if !self.parts.contains_key(tp) {
            self.assign(tp.clone());
        }
        let p = self.parts.get_mut(tp).expect("just assigned");
        p.in_flight.insert(offset);
        p.first = Some(p.first.map_or(offset, |f| f.min(offset)));
        p.epoch
    }

    /// Records a message as handled; returns the offset to store (the next
    /// offset to read) when it advanced.
    pub(super) fn finish(&mut self, tp: &Tp, offset: i64, epoch: u64) -> Option<i64> {
        let p = self.parts.get_mut(tp).filter(|p| p.epoch == epoch)?;
        p.in_flight.remove(&offset);
        p.max_done = Some(p.max_done.map_or(offset, |m| m.max(offset)));
        let next = match p.in_flight.first() {
            Some(&lowest) => lowest,
            None => p.max_done? + 1,
        };
        if p.stored.is_some_and(|s| s >= next) || p.first.is_some_and(|f| next <= f) {
            return None;
        }
        p.stored = Some(next);
        Some(next)
    }

    pub fn assigned(&self) -> usize {
        self.parts.len()
    }
}

/// A message handled: its partition, offset and assignment epoch.
pub(super) struct Done {
    pub(super) tp: Tp,
    pub(super) offset: i64,
    pub(super) epoch: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp() -> Tp {
        ("t".into(), 0)
    }

    #[test]
    fn stores_only_past_fully_handled_prefix() {
        let mut t = Tracker::default();
        let e = t.begin(&tp(), 10);
        t.begin(&tp(), 11);
        t.begin(&tp(), 12);
        // 11 finishes first: 10 is still in flight, nothing may be stored past it.
        assert_eq!(t.finish(&tp(), 11, e), None);
        assert_eq!(t.finish(&tp(), 10, e), Some(12));
        assert_eq!(t.finish(&tp(), 12, e), Some(13));
    }

    #[test]
    fn ignores_completions_from_an_earlier_assignment() {
        let mut t = Tracker::default();
        let old = t.begin(&tp(), 5);
        t.revoke(&tp());
        assert_eq!(t.finish(&tp(), 5, old), None);
        t.assign(tp());
        let new = t.begin(&tp(), 5);
        assert_ne!(old, new);
        assert_eq!(t.finish(&tp(), 5, old), None);
        assert_eq!(t.finish(&tp(), 5, new), Some(6));
    }
}
