//! Fixtures and helpers shared by the contract cases.

use std::future::Future;
use std::time::Duration;

use messaging::controls::sqlite;
use messaging::{Message, MessageStore, NewMessage, StreamName};
use serde::{Deserialize, Serialize};

/// Which store a case runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Postgres,
    Sqlite,
    Memory,
}

/// A fresh, empty store, and whatever keeps it alive.
pub struct Fixture {
    pub store: MessageStore,
    pub kind: Kind,
    _file: Option<sqlite::TemporaryFile>,
}

/// Runs `case` on a fresh store of `kind`; skips when the backend is not
/// available (only Postgres can be missing, and never under `CI=true`).
pub async fn run<F, Fut>(kind: Kind, case: F)
where
    F: FnOnce(Fixture) -> Fut,
    Fut: Future<Output = ()>,
{
    let fixture = match kind {
        Kind::Postgres => match crate::configuration::postgres_store().await {
            Some(store) => Fixture {
                store,
                kind,
                _file: None,
            },
            None => return,
        },
        Kind::Sqlite => {
            let (store, file) = sqlite::fresh_store().await;
            Fixture {
                store,
                kind,
                _file: Some(file),
            }
        }
        Kind::Memory => Fixture {
            store: MessageStore::in_memory(),
            kind,
            _file: None,
        },
    };
    case(fixture).await;
}

/// The message the contract cases write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SomethingHappened {
    pub amount: i64,
}

impl Message for SomethingHappened {
    const TYPE: &'static str = "SomethingHappened";
}

/// Another message type, to tell types apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SomethingElseHappened {
    pub note: String,
}

impl Message for SomethingElseHappened {
    const TYPE: &'static str = "SomethingElseHappened";
}

pub fn happened(amount: i64) -> NewMessage {
    NewMessage::new(&SomethingHappened { amount }).expect("encodes")
}

pub fn stream(name: &str) -> StreamName {
    StreamName::from_stored(name)
}

/// Waits until `condition` holds, checking every 20 ms, for at most 15 s.
/// Returns whether it held. (A functional wait, not a performance
/// assertion: the limit is generous and only stops a broken test hanging.)
pub async fn eventually<F, Fut>(mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while tokio::time::Instant::now() < deadline {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}
