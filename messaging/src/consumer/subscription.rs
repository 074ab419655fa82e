//! Reading a category batch after batch, forever.

use std::fmt;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use super::backoff::Backoff;
use crate::{CategoryRead, MessageStore, StoreError, StoredMessage};

/// What [`Subscription::next`] has for its caller.
#[derive(Debug)]
pub enum Next {
    /// New messages, in global position order. Never empty.
    Batch(Vec<StoredMessage>),
    /// The category has no more messages for now; a good moment to record a
    /// position. Reported once each time the subscription catches up.
    CaughtUp,
    /// A whole poll interval passed, and a read after it found nothing new:
    /// the category is quiet. Reported after every such interval, so a
    /// consumer can finish what it put off while it was busy (recording its
    /// position).
    Idle,
    /// Shutdown was requested.
    Stopped,
}

/// How a wait for new messages ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waited {
    /// Something may have been written: read again now.
    Signalled,
    /// The poll interval passed.
    PollInterval,
    /// Shutdown was requested.
    Stopped,
}

/// How a subscription waits once it has read everything there was.
///
/// This is one of the two points of the consumer's loop that a layer may
/// change from outside (the other is how it hands a batch to the handler,
/// `batches.rs`). The plain way, [`Sleep`], sleeps for the poll interval:
/// polling is the correctness path, and every message is found by the next
/// read whatever else happens. The wake-ups layer (`messaging-layers`) also
/// listens for the store's notifications, and cuts the wait short the
/// moment something is written.
pub trait Waiting: Send + Sync + fmt::Debug {
    /// Called before each read. A waiter that listens starts listening here,
    /// *before* the read: a message written between an empty read and the
    /// start of listening would otherwise wait a whole poll interval.
    fn before_reading(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    /// Waits until something may be new, the poll interval has passed, or
    /// `shutdown` is cancelled.
    fn wait<'a>(&'a mut self, shutdown: &'a CancellationToken) -> BoxFuture<'a, Waited>;

    /// Whether writes from now on will cut [`wait`](Waiting::wait) short.
    /// Then a short batch, which is everything there was when its read
    /// began, is enough to wait on: what is written while it is handled
    /// will signal (and a write that does not signal waits at most a poll
    /// interval; it is never lost). A waiter that hears nothing (the plain one)
    /// says no, and after a short batch the subscription reads again at
    /// once, waiting only when a read finds nothing; otherwise a message
    /// written while a batch was handled would wait a whole poll interval.
    fn hears_every_write(&self) -> bool {
        false
    }
}

/// The plain way to wait: sleep for the poll interval.
#[derive(Clone, Copy, Debug)]
pub struct Sleep {
    pub poll_interval: Duration,
}

impl Waiting for Sleep {
    fn wait<'a>(&'a mut self, shutdown: &'a CancellationToken) -> BoxFuture<'a, Waited> {
        Box::pin(async move {
            tokio::select! {
                () = shutdown.cancelled() => Waited::Stopped,
                () = tokio::time::sleep(self.poll_interval) => Waited::PollInterval,
            }
        })
    }
}

/// A cursor over a category that hands out batches of new messages and waits
/// when there are none.
///
/// A read that finds nothing new means the subscription has caught up: it
/// reports [`Next::CaughtUp`] and waits (see [`Waiting`]) before it reads
/// again. Transient database errors are retried with
/// backoff: the subscription neither gives up nor spins.
#[derive(Debug)]
pub struct Subscription {
    store: MessageStore,
    /// The next read; its `from_global_position` is the cursor.
    read: CategoryRead,
    waiting: Box<dyn Waiting>,
    /// Whether messages were handed out since the last `CaughtUp`.
    delivered_since_caught_up: bool,
    /// Whether the last read found everything there was, so that the next
    /// step is to wait rather than to read.
    caught_up: bool,
    /// Whether the last wait lasted a whole poll interval (no signal cut it
    /// short): a read after it that finds nothing means the category is
    /// quiet.
    waited_a_whole_interval: bool,
    backoff: Backoff,
}

impl Subscription {
    /// A subscription that starts with `read` (its position and filters) and
    /// waits with `waiting`.
    pub fn new(store: MessageStore, read: CategoryRead, waiting: Box<dyn Waiting>) -> Subscription {
        Subscription {
            store,
            read,
            waiting,
            delivered_since_caught_up: false,
            caught_up: false,
            waited_a_whole_interval: false,
            backoff: Backoff::default(),
        }
    }

    /// The same subscription, retrying failed reads as `backoff` says.
    pub fn retrying(mut self, backoff: Backoff) -> Subscription {
        self.backoff = backoff;
        self
    }

    /// The global position the next read starts from.
    pub fn position(&self) -> i64 {
        self.read.from_global_position
    }

    /// The next batch, or `CaughtUp`, `Idle`, or `Stopped` once `shutdown`
    /// is cancelled. An error is returned only for failures that retrying
    /// cannot fix (an invalid read), never for a database that is merely
    /// away.
    pub async fn next(&mut self, shutdown: &CancellationToken) -> Result<Next, StoreError> {
        loop {
            if shutdown.is_cancelled() {
                return Ok(Next::Stopped);
            }
            if !self.caught_up {
                self.waiting.before_reading().await;
                match self.store.read_category(&self.read).await {
                    Ok(batch) if !batch.is_empty() => {
                        self.backoff.reset();
                        // Checked before anything in the batch is handed
                        // out: a batch the cursor cannot move past is not
                        // handled at all.
                        if let Some(last) = batch.last() {
                            self.read.from_global_position = last.next_global_position()?;
                        }
                        self.delivered_since_caught_up = true;
                        // Something came after the wait: not quiet.
                        self.waited_a_whole_interval = false;
                        self.caught_up = self.waiting.hears_every_write()
                            && batch.len() < self.read.batch_size as usize;
                        return Ok(Next::Batch(batch));
                    }
                    Ok(_) => {
                        self.backoff.reset();
                        self.caught_up = true;
                        if std::mem::take(&mut self.waited_a_whole_interval) {
                            return Ok(Next::Idle);
                        }
                    }
                    Err(error) if error.is_transient() => {
                        let delay = self.backoff.next_delay();
                        tracing::warn!(
                            category = %self.read.category,
                            %error,
                            retry_in_ms = delay.as_millis(),
                            "reading the category failed; retrying",
                        );
                        tokio::select! {
                            () = shutdown.cancelled() => return Ok(Next::Stopped),
                            () = tokio::time::sleep(delay) => {}
                        }
                        continue;
                    }
                    Err(error) => return Err(error),
                }
            }
            if self.delivered_since_caught_up {
                self.delivered_since_caught_up = false;
                return Ok(Next::CaughtUp);
            }
            let waited = self.waiting.wait(shutdown).await;
            if waited == Waited::Stopped {
                return Ok(Next::Stopped);
            }
            self.caught_up = false;
            self.waited_a_whole_interval = waited == Waited::PollInterval;
        }
    }
}

#[cfg(test)]
mod tests {
    //! When a subscription reads again and when it reports that it caught
    //! up, with a waiter that hears every write (as the wake-ups layer
    //! does) and one that hears nothing (the plain [`Sleep`]).

    use std::time::Duration;

    use futures_util::future::BoxFuture;
    use serde::{Deserialize, Serialize};
    use tokio_util::sync::CancellationToken;

    use super::{Next, Sleep, Subscription, Waited, Waiting};
    use crate::{Category, CategoryRead, ExpectedVersion, Message, MessageStore, NewMessage};
    use crate::{StoredMessage, StreamName};

    #[derive(Serialize, Deserialize)]
    struct Happened {
        amount: u32,
    }

    impl Message for Happened {
        const TYPE: &'static str = "Happened";
    }

    /// A waiter that says it hears every write; its waits end at once.
    #[derive(Debug)]
    struct HearsEverything;

    impl Waiting for HearsEverything {
        fn wait<'a>(&'a mut self, _shutdown: &'a CancellationToken) -> BoxFuture<'a, Waited> {
            Box::pin(async { Waited::Signalled })
        }

        fn hears_every_write(&self) -> bool {
            true
        }
    }

    async fn write(store: &MessageStore, amounts: &[u32]) {
        let stream = StreamName::from_stored("thing-1");
        for &amount in amounts {
            let message = NewMessage::new(&Happened { amount }).expect("serializes");
            store
                .write_message(&stream, &message, ExpectedVersion::Any)
                .await
                .expect("written");
        }
    }

    fn subscription(
        store: &MessageStore,
        batch_size: u32,
        waiting: Box<dyn Waiting>,
    ) -> Subscription {
        let category = Category::new("thing").expect("a category");
        let read = CategoryRead::new(category).batch_size(batch_size);
        Subscription::new(store.clone(), read, waiting)
    }

    async fn next(subscription: &mut Subscription) -> Next {
        subscription
            .next(&CancellationToken::new())
            .await
            .expect("no error")
    }

    async fn batch(subscription: &mut Subscription) -> Vec<StoredMessage> {
        match next(subscription).await {
            Next::Batch(batch) => batch,
            other => panic!("expected a batch, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_waiter_that_hears_every_write_makes_a_short_batch_the_end_of_a_read() {
        let store = MessageStore::in_memory();
        write(&store, &[1, 2]).await;
        let mut subscription = subscription(&store, 3, Box::new(HearsEverything));
        assert_eq!(batch(&mut subscription).await.len(), 2);
        // Written while the batch was handled: the waiter heard it, so the
        // subscription reports that it caught up first, and reads it after.
        write(&store, &[3]).await;
        assert!(matches!(next(&mut subscription).await, Next::CaughtUp));
        assert_eq!(batch(&mut subscription).await.len(), 1);
    }

    #[tokio::test]
    async fn after_a_full_batch_a_subscription_reads_again_at_once() {
        let store = MessageStore::in_memory();
        write(&store, &[1, 2, 3]).await;
        let mut subscription = subscription(&store, 2, Box::new(HearsEverything));
        assert_eq!(batch(&mut subscription).await.len(), 2);
        // A full batch may not be everything there was: no waiting yet.
        assert_eq!(batch(&mut subscription).await.len(), 1);
    }

    #[tokio::test]
    async fn with_a_plain_waiter_a_short_batch_is_followed_by_another_read() {
        let store = MessageStore::in_memory();
        write(&store, &[1, 2]).await;
        let plain = Sleep {
            poll_interval: Duration::from_secs(3600),
        };
        let mut subscription = subscription(&store, 3, Box::new(plain));
        assert_eq!(batch(&mut subscription).await.len(), 2);
        // Nothing would wake a plain waiter for this one before the poll, an
        // hour away: the subscription reads again before it waits.
        write(&store, &[3]).await;
        assert_eq!(batch(&mut subscription).await.len(), 1);
    }
}
