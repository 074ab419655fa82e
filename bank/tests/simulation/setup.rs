//! The bank's shared parts for one simulated execution: the message store,
//! the views and the clock.
//!
//! Nothing here runs by itself. The consumers and the aggregator are driven
//! one step at a time by the simulator, so that one seed is one execution.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use messaging::store::MemoryStore;
use messaging::{Clock, MessageStore, Time};
use views::ViewDatabase;

/// Where the message store lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// In memory: fast, and the only one that can fail a write on demand.
    Memory,
    /// In a SQLite file, as `cargo run` keeps it: slower, and its own
    /// transactions and positions are the real ones.
    Sqlite,
}

/// The shared parts.
pub struct Parts {
    pub store: MessageStore,
    pub views: ViewDatabase,
    /// The time every handler sees; only the simulator moves it.
    pub clock: Clock,
    folder: PathBuf,
}

impl Parts {
    pub async fn new(kind: StoreKind) -> Parts {
        let folder = scratch_folder();
        std::fs::create_dir_all(&folder).expect("a scratch folder");
        let store = match kind {
            StoreKind::Memory => MessageStore::in_memory(),
            StoreKind::Sqlite => {
                let url = format!("sqlite://{}", folder.join("messages.sqlite").display());
                MessageStore::connect(&url, 2).await.expect("the store")
            }
        };
        // The views are always SQLite, as they are in the embedded bank:
        // the aggregator's batches are real transactions.
        let url = format!("sqlite://{}", folder.join("views.sqlite").display());
        let views = ViewDatabase::connect(&url, 2).await.expect("the views");
        views.install().await.expect("installed");
        let start = Time::parse("2026-01-01T00:00:00.000Z").expect("a time");
        Parts {
            store,
            views,
            clock: Clock::fixed(start),
            folder,
        }
    }

    /// The in-memory store, when that is the kind: the one that can fail.
    pub fn memory(&self) -> Option<&MemoryStore> {
        self.store.as_memory()
    }

    /// Moves the clock on by `milliseconds`.
    pub fn tick(&self, milliseconds: i64) {
        self.clock
            .set(self.clock.now().plus_milliseconds(milliseconds));
    }

    /// Closes the databases and removes their files.
    pub async fn close(self) {
        self.views.pool().close().await;
        if let Some(sqlite) = self.store.as_sqlite() {
            sqlite.pool().close().await;
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// A folder of its own for each execution: in memory (`/dev/shm`) where
/// there is one, since nothing here needs to survive the test.
fn scratch_folder() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let shm = PathBuf::from("/dev/shm");
    let base = if shm.is_dir() {
        shm
    } else {
        std::env::temp_dir()
    };
    base.join(format!(
        "bank-simulation-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}
