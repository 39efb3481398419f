//! The store's errors. Opening names the file and the command that helps
//! (a damaged file, one from a newer version); anything redb or the record
//! encoding reports later keeps redb's (or serde's) error as its source.

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {message}")]
    Open { path: String, message: String },
    /// The file cannot be read as a store. Nothing starts afresh: the
    /// pending alerts it holds would be forgotten.
    #[error("store {path} is damaged: {detail}. Nothing was started: starting afresh would forget the alerts it holds. With the daemon stopped, run `wirewatch outbox check --config CONFIG` to see what is wrong and `wirewatch outbox repair --config CONFIG` to repair it (it keeps a copy of the file)")]
    Damaged { path: String, detail: String },
    /// `wirewatch outbox repair` could not repair the file.
    #[error("store {path} cannot be repaired: {detail}. It was left as it was. To keep it aside and start an empty outbox (the alerts still pending in it are then not sent), run `wirewatch outbox repair --start-fresh --config CONFIG`")]
    Unrepairable { path: String, detail: String },
    /// The file was written by a newer version of wirewatch.
    #[error("store {path} was written by a newer version of wirewatch ({detail}); this version cannot read it. Run the newer version, or keep the file and run `wirewatch outbox repair --start-fresh --config CONFIG` to move it aside and start an empty outbox (its pending alerts would not be sent)")]
    Newer { path: String, detail: String },
    // redb's errors are large (a transaction error is 160 bytes): boxed,
    // so every `Result` of the store stays small.
    #[error("store: {0}")]
    Transaction(#[source] Box<redb::TransactionError>),
    #[error("store: {0}")]
    Table(#[source] Box<redb::TableError>),
    #[error("store: {0}")]
    Storage(#[source] Box<redb::StorageError>),
    #[error("store: {0}")]
    Commit(#[source] Box<redb::CommitError>),
    /// The disk (or the user's quota) is full: the write failed and the
    /// store waits for space, reopening the file (see `health`).
    #[error("disk full writing the outbox at {path}")]
    DiskFull { path: String },
    /// A request the store refuses (an unknown alert, a silence that
    /// would end in the past): the message says why.
    #[error("{0}")]
    Invalid(String),
    /// A record that does not encode or decode (written by hand, or damaged
    /// past what redb's checksums see).
    #[error("store: {0}")]
    Record(#[from] serde_json::Error),
}

impl StoreError {
    /// The storage error under redb's wrappers, if any.
    fn storage(&self) -> Option<&redb::StorageError> {
        match self {
            StoreError::Transaction(e) => match &**e {
                redb::TransactionError::Storage(s) => Some(s),
                _ => None,
            },
            StoreError::Table(e) => match &**e {
                redb::TableError::Storage(s) => Some(s),
                _ => None,
            },
            StoreError::Storage(s) => Some(s),
            StoreError::Commit(e) => match &**e {
                redb::CommitError::Storage(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the write failed for lack of disk space (ENOSPC, EDQUOT):
    /// it succeeds once space returns.
    pub fn is_disk_full(&self) -> bool {
        match self {
            StoreError::DiskFull { .. } => true,
            e => {
                matches!(e.storage(), Some(redb::StorageError::Io(io)) if super::health::is_disk_full_io(io))
            }
        }
    }

    /// Whether redb needs the database closed and reopened (after an I/O
    /// error it answers `PreviousIo` to everything).
    pub(super) fn needs_reopen(&self) -> bool {
        matches!(
            self.storage(),
            Some(redb::StorageError::Io(_) | redb::StorageError::PreviousIo)
        )
    }
}

/// `?` on redb's results: each error boxed in its variant.
macro_rules! from_redb {
    ($($error:ident => $variant:ident),* $(,)?) => {$(
        impl From<redb::$error> for StoreError {
            fn from(e: redb::$error) -> StoreError {
                StoreError::$variant(Box::new(e))
            }
        }
    )*};
}

from_redb! {
    TransactionError => Transaction,
    TableError => Table,
    StorageError => Storage,
    CommitError => Commit,
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    fn commit_io(e: std::io::Error) -> StoreError {
        redb::CommitError::Storage(redb::StorageError::Io(e)).into()
    }

    #[test]
    fn a_full_disk_is_told_apart_from_other_io_errors() {
        let enospc = commit_io(std::io::Error::from_raw_os_error(28));
        assert!(enospc.is_disk_full() && enospc.needs_reopen());
        let quota = commit_io(std::io::Error::from_raw_os_error(122));
        assert!(quota.is_disk_full());
        let eio = commit_io(std::io::Error::from_raw_os_error(5));
        assert!(!eio.is_disk_full() && eio.needs_reopen());
        let previous: StoreError =
            redb::TransactionError::Storage(redb::StorageError::PreviousIo).into();
        assert!(!previous.is_disk_full() && previous.needs_reopen());
        let full = StoreError::DiskFull {
            path: "/s/wirewatch.redb".into(),
        };
        assert!(full.is_disk_full());
        assert_eq!(
            full.to_string(),
            "disk full writing the outbox at /s/wirewatch.redb"
        );
    }
}
