//! What each event does to each view it reads, specified like a handler:
//! given the events before it, when the aggregator applies this one, then
//! this one change, named as a sentence. On the plain path: a memory store,
//! SQLite views, and `aggregator::catch_up`.

mod accounts;
mod commands;
mod statement;
mod transfers;

use messaging::controls::sqlite::TemporaryFile;
use messaging::{Message, MessageStore, NewMessage, StoredMessage, StreamName};
use views::{ViewDatabase, Views};

/// A message store and views, for one event's update.
pub struct Given {
    pub store: MessageStore,
    views: ViewDatabase,
    _file: TemporaryFile,
}

impl Given {
    pub async fn new() -> Given {
        let file = TemporaryFile::new("updates");
        let views = ViewDatabase::connect(&file.url(), 2).await.expect("views");
        views.install().await.expect("installed");
        Given {
            store: MessageStore::in_memory(),
            views,
            _file: file,
        }
    }

    /// Writes `message` to `stream`, and has the aggregator apply
    /// everything written so far.
    pub async fn applied<M: Message>(&self, stream: &StreamName, message: &M) -> StoredMessage {
        self.applied_as(
            stream,
            account_component::controls::history::message(message),
        )
        .await
    }

    /// The same, for a message as written (with its metadata).
    pub async fn applied_as(&self, stream: &StreamName, message: NewMessage) -> StoredMessage {
        self.store
            .write_message(stream, &message, messaging::ExpectedVersion::Any)
            .await
            .expect("written");
        aggregator::catch_up(&self.store, &self.views, 100)
            .await
            .expect("applied");
        self.store
            .read_last(stream, None)
            .await
            .expect("read")
            .expect("written")
    }

    /// Forgets how far the aggregator applied every source, as a lost
    /// position would: everything is applied again.
    pub async fn rewound(&self) {
        // The views keep positions from moving back (`positions::record`),
        // so the rewind is a plain UPDATE, as an operator's would be.
        sqlx::query("UPDATE aggregator_positions SET position = 0")
            .execute(self.views.pool())
            .await
            .expect("rewound");
        aggregator::catch_up(&self.store, &self.views, 100)
            .await
            .expect("applied again");
    }

    pub fn read(&self) -> Views {
        Views::new(&self.views)
    }
}
