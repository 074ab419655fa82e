//! A fresh SQLite message store in a temporary file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::MessageStore;
use crate::store::SqliteStore;

/// A temporary SQLite file (with its `-wal` and `-shm` companions), deleted
/// when dropped.
#[derive(Debug)]
pub struct TemporaryFile {
    path: PathBuf,
}

impl TemporaryFile {
    /// A path under the system's temporary folder that no one has used.
    pub fn new(prefix: &str) -> TemporaryFile {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}.sqlite",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = TemporaryFile { path };
        file.remove();
        file
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A `sqlite://` URL for the file.
    pub fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.path.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A new, empty SQLite message store, and the file it lives in (keep it
/// alive for as long as the store is used).
pub async fn fresh_store() -> (MessageStore, TemporaryFile) {
    let file = TemporaryFile::new("message-store");
    match SqliteStore::open(file.path()).await {
        Ok(store) => (MessageStore::from(store), file),
        Err(error) => panic!(
            "cannot open a SQLite store at {}: {error}",
            file.path().display()
        ),
    }
}
