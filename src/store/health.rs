//! The database handle and the disk-full state. After a failed write redb
//! refuses everything (`PreviousIo`) until the database is closed and
//! opened again, so an I/O error closes it here and the next use reopens
//! it (redb repairs it back to the last commit), at most once per backoff.
//! Running out of space (ENOSPC, or EDQUOT for a quota) sets the disk-full
//! state, logged once. It ends, logged once, when a write has succeeded
//! since and the file system has [`HEADROOM`] free: on a nearly full disk
//! a small write that fits in pages the file already holds must not end
//! the episode only for the next article to start another.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use redb::Database;
use tracing::{error, info, warn};

use super::{Store, StoreError};

/// The first wait before reopening after an I/O error; it doubles up to
/// [`MAX_REOPEN_WAIT`] while reopening fails.
const FIRST_REOPEN_WAIT: Duration = Duration::from_millis(100);
const MAX_REOPEN_WAIT: Duration = Duration::from_secs(5);

/// The free space that, after a successful write, ends a disk-full state.
pub const HEADROOM: u64 = 1 << 20;

/// The open database, or none between an I/O error and a reopen.
#[derive(Debug)]
pub(super) struct Handle {
    /// The store file.
    pub(super) path: PathBuf,
    pub(super) cache_bytes: usize,
    db: RwLock<Option<Database>>,
    disk_full: AtomicBool,
    /// A write succeeded since the disk was found full.
    wrote_since_full: AtomicBool,
    /// When the next reopen may be tried, and the wait after it.
    reopen: Mutex<(Instant, Duration)>,
}

impl Handle {
    pub(super) fn new(path: PathBuf, cache_bytes: usize, db: Database) -> Handle {
        Handle {
            path,
            cache_bytes,
            db: RwLock::new(Some(db)),
            disk_full: AtomicBool::new(false),
            wrote_since_full: AtomicBool::new(false),
            reopen: Mutex::new((Instant::now(), FIRST_REOPEN_WAIT)),
        }
    }
}

/// The database, held open while a transaction uses it.
pub(super) struct Db<'a>(RwLockReadGuard<'a, Option<Database>>);

impl std::ops::Deref for Db<'_> {
    type Target = Database;
    fn deref(&self) -> &Database {
        self.0.as_ref().expect("checked open when made")
    }
}

/// Whether an I/O error means the disk (or the user's quota) is full.
pub fn is_disk_full_io(e: &std::io::Error) -> bool {
    // EDQUOT (122 on Linux) has no stable `ErrorKind` of its own.
    e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28 | 122))
}

impl Store {
    /// Whether the disk under the outbox is full: a write failed for lack
    /// of space, and since then no write succeeded with [`HEADROOM`] free.
    pub fn disk_full(&self) -> bool {
        let h = &self.handle;
        if !h.disk_full.load(Ordering::Relaxed) {
            return false;
        }
        if h.wrote_since_full.load(Ordering::Relaxed)
            && free_bytes(&h.path).is_none_or(|free| free >= HEADROOM)
            && h.disk_full.swap(false, Ordering::Relaxed)
        {
            info!(message = "Disk space is back: the outbox is writable again; resuming.", path = %h.path.display());
            return false;
        }
        true
    }

    /// The store file.
    pub fn path(&self) -> &std::path::Path {
        &self.handle.path
    }

    /// Runs a read on the database.
    pub(super) fn read<T>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let db = self.db()?;
        let result = f(&db);
        // `observe` may close the database: the read lock goes first.
        drop(db);
        self.observe(result, false)
    }

    /// Runs a write on the database: its success ends a disk-full state.
    pub(super) fn write<T>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let db = self.db()?;
        let result = f(&db);
        // `observe` may close the database: the read lock goes first.
        drop(db);
        self.observe(result, true)
    }

    /// The open database, reopening it if an I/O error closed it and the
    /// backoff allows.
    pub(super) fn db(&self) -> Result<Db<'_>, StoreError> {
        loop {
            let guard = self.handle.db.read().unwrap_or_else(|p| p.into_inner());
            if guard.is_some() {
                return Ok(Db(guard));
            }
            drop(guard);
            self.reopen()?;
        }
    }

    fn reopen(&self) -> Result<(), StoreError> {
        let h = &self.handle;
        let mut db = h.db.write().unwrap_or_else(|p| p.into_inner());
        if db.is_some() {
            return Ok(());
        }
        let mut reopen = h.reopen.lock().unwrap_or_else(|p| p.into_inner());
        if Instant::now() < reopen.0 {
            return Err(self.closed());
        }
        match redb::Builder::new()
            .set_cache_size(h.cache_bytes)
            .open(&h.path)
        {
            Ok(opened) => {
                *db = Some(opened);
                *reopen = (Instant::now(), FIRST_REOPEN_WAIT);
                Ok(())
            }
            Err(e) => {
                let wait = reopen.1;
                *reopen = (Instant::now() + wait, (wait * 2).min(MAX_REOPEN_WAIT));
                match e {
                    redb::DatabaseError::Storage(redb::StorageError::Io(e))
                        if is_disk_full_io(&e) =>
                    {
                        self.set_disk_full()
                    }
                    e => {
                        warn!(message = "Cannot reopen the outbox; retrying.", path = %h.path.display(), error = %e)
                    }
                }
                Err(self.closed())
            }
        }
    }

    /// The error while the database is closed.
    fn closed(&self) -> StoreError {
        if self.disk_full() {
            StoreError::DiskFull {
                path: self.handle.path.display().to_string(),
            }
        } else {
            StoreError::Open {
                path: self.handle.path.display().to_string(),
                message: "closed after an I/O error; reopening".into(),
            }
        }
    }

    /// Closes the database after an I/O error (redb answers nothing but
    /// `PreviousIo` until it is reopened) and notes a full disk; a write's
    /// success ends a disk-full state.
    fn observe<T>(&self, result: Result<T, StoreError>, wrote: bool) -> Result<T, StoreError> {
        match result {
            Ok(v) => {
                if wrote && self.handle.disk_full.load(Ordering::Relaxed) {
                    self.handle.wrote_since_full.store(true, Ordering::Relaxed);
                    // Ends the state if there is room again.
                    self.disk_full();
                }
                Ok(v)
            }
            Err(e) if e.needs_reopen() => {
                let full = e.is_disk_full();
                if full {
                    self.set_disk_full();
                } else if !self.disk_full() {
                    error!(message = "I/O error on the outbox; closing and reopening it.", path = %self.handle.path.display(), error = %e);
                }
                let mut db = self.handle.db.write().unwrap_or_else(|p| p.into_inner());
                if db.take().is_some() {
                    let mut reopen = self.handle.reopen.lock().unwrap_or_else(|p| p.into_inner());
                    *reopen = (Instant::now() + FIRST_REOPEN_WAIT, FIRST_REOPEN_WAIT * 2);
                }
                Err(if full || self.disk_full() {
                    self.closed()
                } else {
                    e
                })
            }
            Err(e) => Err(e),
        }
    }

    fn set_disk_full(&self) {
        self.handle.wrote_since_full.store(false, Ordering::Relaxed);
        if !self.handle.disk_full.swap(true, Ordering::Relaxed) {
            error!(message = "Disk full: cannot write the outbox; new articles wait (their offsets are not stored) and delivery outcomes are held until space returns, retried with backoff.", path = %self.handle.path.display());
        }
    }
}

/// The space free to unprivileged users on the file system of `path`, or
/// `None` if it cannot be read.
fn free_bytes(path: &std::path::Path) -> Option<u64> {
    let st = rustix::fs::statvfs(path).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

#[cfg(test)]
mod tests {
    #[test]
    fn free_space_is_read() {
        let dir = tempfile::tempdir().unwrap();
        assert!(super::free_bytes(dir.path()).is_some_and(|b| b > 0));
        assert!(super::free_bytes(&dir.path().join("missing")).is_none());
    }
}
