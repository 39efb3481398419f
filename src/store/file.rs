//! The store file itself: creating it, opening it, and checking and
//! repairing it for `wirewatch outbox check|repair`.
//!
//! A damaged file (truncated, overwritten) makes redb fail an assertion
//! rather than return an error; a file from a newer version is an error
//! worded for redb's developers. Either way the daemon must not die with a
//! panic (exit 101, restarted in a loop by systemd), and must never start
//! afresh and forget the pending alerts the file holds. So opening runs
//! redb inside `catch_unwind`, and every way it can fail becomes a
//! [`StoreError`] that names the file and the command that helps. A new
//! store is created under a temporary name and renamed into place, so an
//! empty `wirewatch.redb` is always damage, never a store being created.

use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::feedback::FEEDBACK;
use super::index::{self, INDEX, ROWS, ROW_KEYS};
use super::records::{Copy, DeliveryState, Status, ALERTS, COPIES, DELIVERIES, DUE, STORIES};
use super::silence::SILENCES;
use super::thread::THREADS;
use super::{StoreError, FILE_NAME};

/// The store's own format version (`meta` table, key `schema`). Bump it
/// for a change that older versions would misread; a store with a higher
/// version is refused rather than misread.
///
/// - 1: alerts, deliveries, due, stories, copies.
/// - 2: the console's alert list (`alert_rows`, `alert_row_keys`,
///   `alert_index`), silences (and the `silenced` delivery status, which
///   version 1 cannot read), email thread roots and feedback marks. A
///   version 1 store is upgraded when opened: its alerts are filed in the
///   list in the same transaction that writes the new version.
pub const SCHEMA_VERSION: u64 = 2;

pub(super) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// What a readable store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub alerts: u64,
    pub pending: u64,
    pub delivered: u64,
    pub dead: u64,
    pub silenced: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} alerts; deliveries: {} pending, {} delivered, {} dead, {} silenced",
            self.alerts, self.pending, self.delivered, self.dead, self.silenced
        )
    }
}

/// What `repair` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repaired {
    /// The file passed redb's integrity check as it was.
    Intact(Summary),
    /// redb repaired it; the file as it was is kept at `backup`.
    Repaired { summary: Summary, backup: PathBuf },
    /// `--start-fresh`: the damaged file was moved to `kept`, and an empty
    /// store created.
    Fresh { kept: PathBuf },
}

/// Runs `f`, turning a panic into an error holding its message. The panic
/// is not printed: the caller reports it in its own words.
fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let message: Arc<Mutex<Option<String>>> = Default::default();
    let me = std::thread::current().id();
    let previous: Arc<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync> =
        Arc::from(std::panic::take_hook());
    {
        let previous = previous.clone();
        let message = message.clone();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == me {
                let what = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                let at = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                *message.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{what}{at}"));
            } else {
                previous(info);
            }
        }));
    }
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    let _ = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| previous(info)));
    result.map_err(|_| {
        let m = message.lock().unwrap_or_else(|p| p.into_inner()).take();
        format!(
            "redb failed reading it ({})",
            m.unwrap_or_else(|| "a panic".into())
        )
    })
}

fn damaged(path: &Path, detail: impl Into<String>) -> StoreError {
    StoreError::Damaged {
        path: path.display().to_string(),
        detail: detail.into(),
    }
}

/// Maps redb's error on opening an existing file.
fn open_error(path: &Path, e: redb::DatabaseError) -> StoreError {
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Open {
            path: path.display().to_string(),
            message: "already open by another process (is the daemon running?)".into(),
        },
        // "Expected file format version <= 3, found 4": from a newer redb.
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(m))
            if m.contains("file format version")
                && m.rsplit(' ')
                    .next()
                    .and_then(|v| v.parse::<u8>().ok())
                    .is_some_and(|v| v > 3) =>
        {
            StoreError::Newer {
                path: path.display().to_string(),
                detail: m,
            }
        }
        redb::DatabaseError::UpgradeRequired(v) => StoreError::Open {
            path: path.display().to_string(),
            message: format!("redb file format {v} is too old for this version"),
        },
        redb::DatabaseError::Storage(redb::StorageError::Io(e))
            if e.kind() == std::io::ErrorKind::UnexpectedEof =>
        {
            damaged(path, "the file ends inside its header (it was truncated)")
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(e))
            if e.kind() == std::io::ErrorKind::InvalidData =>
        {
            damaged(path, format!("it is not a redb file ({e})"))
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(e)) => StoreError::Open {
            path: path.display().to_string(),
            message: e.to_string(),
        },
        other => damaged(path, other.to_string()),
    }
}

/// Creates the tables (a new store) and checks the schema version.
fn prepare(path: &Path, db: &Database) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e.to_string());
    let tx = db.begin_write().map_err(|e| err(&e))?;
    for t in [
        ALERTS, DELIVERIES, DUE, STORIES, COPIES, SILENCES, THREADS, FEEDBACK,
    ] {
        tx.open_table(t).map_err(|e| err(&e))?;
    }
    tx.open_table(ROWS).map_err(|e| err(&e))?;
    tx.open_table(ROW_KEYS).map_err(|e| err(&e))?;
    tx.open_table(INDEX).map_err(|e| err(&e))?;
    let mut upgraded = None;
    {
        let mut meta = tx.open_table(META).map_err(|e| err(&e))?;
        let found = meta.get("schema").map_err(|e| err(&e))?.map(|v| v.value());
        match found {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(StoreError::Newer {
                    path: path.display().to_string(),
                    detail: format!(
                        "its schema version is {v}; this version reads up to {SCHEMA_VERSION}"
                    ),
                })
            }
            Some(v) if v == SCHEMA_VERSION => {}
            found => {
                // A new store, or one from an earlier version: file its
                // alerts in the console's list (none in a new store).
                let alerts = index::rebuild(&tx).map_err(|e| err(&e))?;
                meta.insert("schema", SCHEMA_VERSION).map_err(|e| err(&e))?;
                upgraded = found.map(|from| (from, alerts));
            }
        }
    }
    tx.commit().map_err(|e| err(&e))?;
    if let Some((from, alerts)) = upgraded {
        tracing::info!(message = "Store upgraded.", path = %path.display(), from_schema = from, to_schema = SCHEMA_VERSION, alerts);
    }
    Ok(())
}

/// Opens the store file in `dir`, creating the folder and the file when
/// the folder holds none. The alerts in it are the articles' text and
/// where they were sent: a folder it creates is the owner's only (0700),
/// and the file is always the owner's only (0600), whatever the umask.
pub(super) fn open(dir: &Path, cache_bytes: usize) -> Result<Database, StoreError> {
    let path = dir.join(FILE_NAME);
    let open_err = |message: String| StoreError::Open {
        path: dir.display().to_string(),
        message,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| open_err(format!("cannot create folder: {e}")))?;
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path, cache_bytes)?,
        Err(e) => return Err(open_err(format!("cannot read {}: {e}", path.display()))),
        Ok(m) if m.len() == 0 => {
            return Err(damaged(
                &path,
                "the file is empty (a store is never created empty: it was truncated)",
            ))
        }
        Ok(m) => {
            // A file from before stores were created 0600.
            if m.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(
                    |e| open_err(format!("cannot make {} private: {e}", path.display())),
                )?;
            }
        }
    }
    let db = contain(|| redb::Builder::new().set_cache_size(cache_bytes).open(&path))
        .map_err(|m| damaged(&path, m))?
        .map_err(|e| open_error(&path, e))?;
    contain(|| prepare(&path, &db)).map_err(|m| damaged(&path, m))??;
    Ok(db)
}

/// Creates an empty store at `path`: written under a temporary name, then
/// renamed into place, so `path` never exists half-made.
fn create(path: &Path, cache_bytes: usize) -> Result<(), StoreError> {
    let tmp = path.with_extension("redb.creating");
    let open_err = |message: String| StoreError::Open {
        path: path.display().to_string(),
        message,
    };
    let _ = std::fs::remove_file(&tmp);
    // Created here, owner-only, for redb to fill (it would follow the umask).
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| open_err(format!("cannot create: {e}")))?;
    {
        let db = redb::Builder::new()
            .set_cache_size(cache_bytes)
            .create(&tmp)
            .map_err(|e| open_err(e.to_string()))?;
        prepare(path, &db)?;
    }
    std::fs::rename(&tmp, path).map_err(|e| open_err(format!("cannot create: {e}")))?;
    Ok(())
}

/// Reads every record, as the daemon would, and counts them.
fn summarize(db: &Database) -> Result<Summary, String> {
    let s = |e: &dyn std::fmt::Display| e.to_string();
    let tx = db.begin_read().map_err(|e| s(&e))?;
    let mut summary = Summary::default();
    let alerts = tx.open_table(ALERTS).map_err(|e| s(&e))?;
    for r in alerts.iter().map_err(|e| s(&e))? {
        let (k, v) = r.map_err(|e| s(&e))?;
        serde_json::from_slice::<super::AlertRecord>(v.value())
            .map_err(|e| format!("alert {}: {e}", k.value()))?;
        summary.alerts += 1;
    }
    let deliveries = tx.open_table(DELIVERIES).map_err(|e| s(&e))?;
    for r in deliveries.iter().map_err(|e| s(&e))? {
        let (k, v) = r.map_err(|e| s(&e))?;
        let d: DeliveryState = serde_json::from_slice(v.value())
            .map_err(|e| format!("delivery {}: {e}", k.value()))?;
        match d.status {
            Status::Pending => summary.pending += 1,
            Status::Delivered => summary.delivered += 1,
            Status::Dead => summary.dead += 1,
            Status::Silenced => summary.silenced += 1,
        }
    }
    let due = tx.open_table(DUE).map_err(|e| s(&e))?;
    for r in due.iter().map_err(|e| s(&e))? {
        r.map_err(|e| s(&e))?;
    }
    // Stores from older versions may lack the newer tables.
    match tx.open_table(STORIES) {
        Err(redb::TableError::TableDoesNotExist(_)) => {}
        t => {
            t.map_err(|e| s(&e))?.len().map_err(|e| s(&e))?;
        }
    }
    match tx.open_table(COPIES) {
        Err(redb::TableError::TableDoesNotExist(_)) => {}
        t => {
            for r in t.map_err(|e| s(&e))?.iter().map_err(|e| s(&e))? {
                let (k, v) = r.map_err(|e| s(&e))?;
                serde_json::from_slice::<Copy>(v.value())
                    .map_err(|e| format!("copy {}: {e}", k.value()))?;
            }
        }
    }
    Ok(summary)
}

/// Opens `path`, runs redb's integrity check (which repairs what it can)
/// and reads every record. `Ok(true)` if the file was intact.
fn check_file(path: &Path) -> Result<(bool, Summary), StoreError> {
    let (intact, summary) = contain(|| {
        let mut db = redb::Builder::new()
            .open(path)
            .map_err(|e| open_error(path, e))?;
        let intact = db
            .check_integrity()
            .map_err(|e| damaged(path, format!("integrity check failed: {e}")))?;
        let summary = summarize(&db).map_err(|m| damaged(path, m))?;
        Ok::<_, StoreError>((intact, summary))
    })
    .map_err(|m| damaged(path, m))??;
    Ok((intact, summary))
}

fn existing(dir: &Path) -> Result<PathBuf, StoreError> {
    let path = dir.join(FILE_NAME);
    match std::fs::metadata(&path) {
        Ok(m) if m.len() == 0 => Err(damaged(&path, "the file is empty")),
        Ok(_) => Ok(path),
        Err(e) => Err(StoreError::Open {
            path: path.display().to_string(),
            message: format!("no store here: {e}"),
        }),
    }
}

/// Copies the store file, the copy owner-only like the file.
fn private_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::copy(from, to)?;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o600))
}

/// A name beside `path` for a copy of it, unique to this second.
fn beside(path: &Path, what: &str) -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    path.with_extension(format!("redb.{what}-{secs}"))
}

/// `wirewatch outbox check`: redb's integrity check and a read of every
/// record, on a copy, so the store itself is never changed.
pub fn check(dir: &Path) -> Result<Summary, StoreError> {
    let path = existing(dir)?;
    let copy = beside(&path, "check");
    private_copy(&path, &copy).map_err(|e| StoreError::Open {
        path: path.display().to_string(),
        message: format!("cannot copy it to {} for the check: {e}", copy.display()),
    })?;
    let result = check_file(&copy);
    let _ = std::fs::remove_file(&copy);
    match result {
        Ok((true, summary)) => Ok(summary),
        Ok((false, _)) => Err(damaged(
            &path,
            "redb's integrity check failed; `wirewatch outbox repair` can repair it",
        )),
        // Name the store, not the copy.
        Err(StoreError::Damaged { detail, .. }) => Err(damaged(&path, detail)),
        Err(StoreError::Newer { detail, .. }) => Err(StoreError::Newer {
            path: path.display().to_string(),
            detail,
        }),
        Err(e) => Err(e),
    }
}

/// The length redb's header says the file has: a file cut short loses
/// its tail, which often holds only free pages, and redb refuses (with a
/// panic) a file shorter than its header says. Offsets of redb 2's file
/// header (file formats 2 and 3).
fn header_length(path: &Path) -> Option<u64> {
    use std::io::Read as _;
    let mut header = [0u8; 32];
    std::fs::File::open(path)
        .ok()?
        .read_exact(&mut header)
        .ok()?;
    if header[..4] != *b"redb" {
        return None;
    }
    let u = |o: usize| {
        u64::from(u32::from_le_bytes([
            header[o],
            header[o + 1],
            header[o + 2],
            header[o + 3],
        ]))
    };
    let (page, region_header, region_data, full, trailing) = (u(12), u(16), u(20), u(24), u(28));
    let trailing_region = if trailing > 0 {
        (region_header + trailing) * page
    } else {
        0
    };
    page.checked_add(
        full.checked_mul(region_header + region_data)?
            .checked_mul(page)?,
    )?
    .checked_add(trailing_region)
}

/// `wirewatch outbox repair`: keeps a copy of the file, lets redb repair
/// it (after restoring the length a truncated file had, its lost tail
/// read as free pages), and checks every record. If it cannot be
/// repaired, the file is left as it was. With `start_fresh`, the file is
/// instead moved aside and an empty store created.
pub fn repair(dir: &Path, start_fresh: bool) -> Result<Repaired, StoreError> {
    let path = existing(dir).or_else(|e| match e {
        StoreError::Damaged { .. } if start_fresh => Ok(dir.join(FILE_NAME)),
        e => Err(e),
    })?;
    let io = |what: &str, e: std::io::Error| StoreError::Open {
        path: path.display().to_string(),
        message: format!("{what}: {e}"),
    };
    if start_fresh {
        let kept = beside(&path, "damaged");
        std::fs::rename(&path, &kept).map_err(|e| io("cannot move it aside", e))?;
        create(&path, super::CACHE_BYTES)?;
        return Ok(Repaired::Fresh { kept });
    }
    let backup = beside(&path, "before-repair");
    private_copy(&path, &backup).map_err(|e| io("cannot keep a copy", e))?;
    let restore = || {
        let _ = std::fs::copy(&backup, &path);
        let _ = std::fs::remove_file(&backup);
    };
    let len = std::fs::metadata(&path)
        .map_err(|e| io("cannot read it", e))?
        .len();
    let short = header_length(&path).filter(|w| *w > len && *w < (1 << 40));
    if let Some(want) = short {
        let padded = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_len(want));
        if let Err(e) = padded {
            restore();
            return Err(io("cannot restore its length", e));
        }
    }
    match check_file(&path) {
        Ok((true, summary)) if short.is_none() => {
            let _ = std::fs::remove_file(&backup);
            Ok(Repaired::Intact(summary))
        }
        Ok((_, summary)) => Ok(Repaired::Repaired { summary, backup }),
        Err(StoreError::Damaged { detail, .. }) => {
            restore();
            Err(StoreError::Unrepairable {
                path: path.display().to_string(),
                detail,
            })
        }
        Err(e) => {
            restore();
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{alert, enqueue};
    use super::super::Store;
    use super::*;

    /// A store with `n` alerts of about 2 KB each, closed.
    fn store_with(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        for i in 0..n {
            let mut a = alert(&format!("x{i}"), &["mail"]);
            a.alert.article.title = "t".repeat(2000);
            enqueue(&s, &[a]);
        }
        dir
    }

    fn truncate(dir: &Path, keep: u64) {
        std::fs::OpenOptions::new()
            .write(true)
            .open(dir.join(FILE_NAME))
            .unwrap()
            .set_len(keep)
            .unwrap();
    }

    /// Issue 16: a truncated store file made `run` and `outbox` panic in a
    /// redb assertion (exit 101). Now opening it is an error naming the
    /// file and the commands that help, and nothing starts afresh.
    #[test]
    fn a_truncated_store_is_a_clear_error_never_a_panic_or_a_fresh_start() {
        let dir = store_with(50);
        let len = std::fs::metadata(dir.path().join(FILE_NAME)).unwrap().len();
        for keep in [len / 2, 4096, 100, 0] {
            truncate(dir.path(), keep);
            let err = Store::open(dir.path()).unwrap_err().to_string();
            assert!(err.contains(FILE_NAME) && err.contains("damaged"), "{err}");
            assert!(err.contains("wirewatch outbox check"), "{err}");
            assert!(err.contains("wirewatch outbox repair"), "{err}");
            assert_eq!(
                std::fs::metadata(dir.path().join(FILE_NAME)).unwrap().len(),
                keep,
                "the damaged file is left as it was"
            );
            assert!(check(dir.path()).is_err());
        }
    }

    #[test]
    fn check_counts_an_intact_store_and_changes_nothing() {
        let dir = store_with(3);
        let before = std::fs::read(dir.path().join(FILE_NAME)).unwrap();
        let summary = check(dir.path()).unwrap();
        assert_eq!(
            summary,
            Summary {
                alerts: 3,
                pending: 3,
                ..Summary::default()
            }
        );
        assert_eq!(std::fs::read(dir.path().join(FILE_NAME)).unwrap(), before);
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1, "the check's copy is removed");
    }

    /// A file cut short in its free tail is repaired with every alert; a
    /// file cut into its data is left as it was unless the operator asks
    /// for an empty store, and even then the damaged file is kept.
    #[test]
    fn repair_restores_a_cut_tail_and_starts_fresh_only_when_asked() {
        let dir = store_with(50);
        let len = std::fs::metadata(dir.path().join(FILE_NAME)).unwrap().len();
        truncate(dir.path(), len - 4096);
        let Repaired::Repaired { summary, backup } = repair(dir.path(), false).unwrap() else {
            panic!("expected a repair")
        };
        assert_eq!((summary.alerts, summary.pending), (50, 50));
        assert!(backup.exists());
        assert_eq!(Store::open(dir.path()).unwrap().pending().unwrap(), 50);

        truncate(dir.path(), 4096);
        let err = repair(dir.path(), false).unwrap_err().to_string();
        assert!(err.contains("cannot be repaired"), "{err}");
        assert!(err.contains("--start-fresh"), "{err}");
        assert_eq!(
            std::fs::metadata(dir.path().join(FILE_NAME)).unwrap().len(),
            4096,
            "an unrepairable file is left as it was"
        );
        let Repaired::Fresh { kept } = repair(dir.path(), true).unwrap() else {
            panic!("expected a fresh start")
        };
        assert_eq!(std::fs::metadata(&kept).unwrap().len(), 4096);
        assert_eq!(Store::open(dir.path()).unwrap().pending().unwrap(), 0);
    }

    /// Issue 16: the store folder and file followed the umask (world
    /// readable with the usual 022). Now 0700 and 0600 whatever the umask;
    /// a file made before is made private when opened.
    #[test]
    fn the_store_folder_and_file_are_the_owners_only() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("state/outbox");
        drop(Store::open(&dir).unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&base.path().join("state")), 0o700);
        assert_eq!(mode(&dir.join(FILE_NAME)), 0o600);
        std::fs::set_permissions(dir.join(FILE_NAME), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        drop(Store::open(&dir).unwrap());
        assert_eq!(mode(&dir.join(FILE_NAME)), 0o600);
    }

    /// Issue 16: a store written by a newer version (a newer redb file
    /// format, or a newer schema of ours) is refused in words.
    #[test]
    fn a_store_from_a_newer_version_is_refused_in_words() {
        let dir = store_with(1);
        {
            let s = Store::open(dir.path()).unwrap();
            let tx = s.db().unwrap().begin_write().unwrap();
            tx.open_table(META)
                .unwrap()
                .insert("schema", SCHEMA_VERSION + 1)
                .unwrap();
            tx.commit().unwrap();
        }
        let err = Store::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("newer version of wirewatch"), "{err}");
        assert!(
            err.contains(&format!("schema version is {}", SCHEMA_VERSION + 1)),
            "{err}"
        );

        let dir = store_with(1);
        let path = dir.path().join(FILE_NAME);
        let mut bytes = std::fs::read(&path).unwrap();
        // The format version byte of both commit slots.
        bytes[64] = 9;
        bytes[192] = 9;
        std::fs::write(&path, bytes).unwrap();
        let err = Store::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("newer version of wirewatch"), "{err}");
    }

    /// Issue 14: a store written by the version before the alert list
    /// (schema 1) opens, is upgraded in place, and its alerts are in the
    /// list with their delivery states. `tests/fixtures/store-v1.redb.gz`
    /// was written by that version (commit ca87b89): three alerts, one
    /// delivered to both its channels, one dead, one pending.
    #[test]
    fn a_version_1_store_opens_and_is_upgraded() {
        use crate::store::{AlertDelivery, AlertFilter};
        let dir = tempfile::tempdir().unwrap();
        let gz = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/store-v1.redb.gz"
        );
        let out = std::process::Command::new("gzip")
            .args(["-dc", gz])
            .output()
            .expect("gzip runs");
        assert!(out.status.success());
        std::fs::write(dir.path().join(FILE_NAME), &out.stdout).unwrap();
        let version = |dir: &Path| {
            let db = redb::Database::open(dir.join(FILE_NAME)).unwrap();
            let tx = db.begin_read().unwrap();
            let v = tx
                .open_table(META)
                .unwrap()
                .get("schema")
                .unwrap()
                .unwrap()
                .value();
            let has_rows = tx.open_table(ROWS).is_ok();
            (v, has_rows)
        };
        assert_eq!(
            version(dir.path()),
            (1, false),
            "the fixture is a version 1 store"
        );

        let s = Store::open(dir.path()).unwrap();
        let page = s.alerts_page(&AlertFilter::default(), None, 10).unwrap();
        let got: Vec<(&str, AlertDelivery)> = page
            .alerts
            .iter()
            .map(|r| (r.alert_id.as_str(), r.delivery))
            .collect();
        assert_eq!(
            got,
            [
                ("alrt_v1_pending", AlertDelivery::Pending),
                ("alrt_v1_dead", AlertDelivery::Dead),
                ("alrt_v1_delivered", AlertDelivery::Delivered),
            ]
        );
        let kaspersky = AlertFilter {
            rules: vec!["kaspersky-us".into()],
            agencies: vec!["us-commerce".into()],
            words: Some("sanctions".into()),
            ..AlertFilter::default()
        };
        assert_eq!(s.alerts_page(&kaspersky, None, 10).unwrap().alerts.len(), 1);
        assert_eq!(s.pending().unwrap(), 1, "the pending delivery is still due");
        assert_eq!(
            s.lease_due(crate::store::now_ms(), 10, 60_000)
                .unwrap()
                .len(),
            1
        );
        drop(s);
        assert_eq!(version(dir.path()), (SCHEMA_VERSION, true));
        // Opening again does not file the alerts twice.
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.count_alerts(&AlertFilter::default()).unwrap(), 3);
        assert!(check(dir.path()).is_ok());
    }
}
