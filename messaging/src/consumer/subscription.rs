//! Reading a category batch after batch, forever.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::backoff::Backoff;
use crate::{CategoryRead, MessageStore, NewMessageSignal, StoreError, StoredMessage};

/// What [`Subscription::next`] has for its caller.
#[derive(Debug)]
pub enum Next {
    /// New messages, in global position order. Never empty.
    Batch(Vec<StoredMessage>),
    /// The category has no more messages for now; a good moment to record a
    /// position. Reported once each time the subscription catches up.
    CaughtUp,
    /// A whole poll interval passed with nothing new: the category is quiet.
    /// Reported after every such interval, so a consumer can finish what it
    /// put off while it was busy (recording its position).
    Idle,
    /// Shutdown was requested.
    Stopped,
}

/// How a wait for new messages ended.
enum Waited {
    Signalled,
    PollInterval,
    Stopped,
}

/// A cursor over a category that hands out batches of new messages and waits
/// when there are none.
///
/// Polling is the correctness path: when a read comes back empty the
/// subscription sleeps for the poll interval and reads again, so every
/// message is eventually seen whatever else happens. On top of that it
/// listens for new-message signals (LISTEN/NOTIFY on Postgres), which cut the
/// wait short the moment something is written to the category. Transient
/// database errors are retried with backoff; the subscription neither gives up
/// nor spins.
#[derive(Debug)]
pub struct Subscription {
    store: MessageStore,
    /// The next read; its `from_global_position` is the cursor.
    read: CategoryRead,
    poll_interval: Duration,
    /// Whether to listen for new-message signals at all.
    wake_on_new_messages: bool,
    signal: Option<NewMessageSignal>,
    /// Whether messages were handed out since the last `CaughtUp`.
    delivered_since_caught_up: bool,
    /// Whether the last read found everything there was, so that the next
    /// step is to wait rather than to read.
    caught_up: bool,
    backoff: Backoff,
}

impl Subscription {
    /// A subscription that starts with `read` (its position and filters).
    pub fn new(
        store: MessageStore,
        read: CategoryRead,
        poll_interval: Duration,
        wake_on_new_messages: bool,
    ) -> Subscription {
        Subscription {
            store,
            read,
            poll_interval,
            wake_on_new_messages,
            signal: None,
            delivered_since_caught_up: false,
            caught_up: false,
            backoff: Backoff::default(),
        }
    }

    /// The global position the next read starts from.
    pub fn position(&self) -> i64 {
        self.read.from_global_position
    }

    /// The next batch, or `CaughtUp`, or `Stopped` once `shutdown` is
    /// cancelled. An error is returned only for failures that retrying cannot
    /// fix (an invalid read), never for a database that is merely away.
    pub async fn next(&mut self, shutdown: &CancellationToken) -> Result<Next, StoreError> {
        loop {
            if shutdown.is_cancelled() {
                return Ok(Next::Stopped);
            }
            // Listen *before* reading: a message written between an empty
            // read and the start of listening would otherwise wait a whole
            // poll interval.
            self.ensure_signal().await;
            if !self.caught_up {
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
                        // A short batch is everything there was when the
                        // read began. Anything written since will signal, so
                        // with a signal there is no need to read again just
                        // to find nothing: the next call waits instead.
                        self.caught_up =
                            self.signal.is_some() && batch.len() < self.read.batch_size as usize;
                        return Ok(Next::Batch(batch));
                    }
                    Ok(_) => {
                        self.backoff.reset();
                        self.caught_up = true;
                    }
                    Err(error) if error.is_transient() => {
                        let delay = self.backoff.next_delay();
                        tracing::warn!(
                            category = %self.read.category,
                            %error,
                            retry_in_ms = delay.as_millis(),
                            "reading the category failed; retrying",
                        );
                        // A broken database usually means a broken listener too.
                        self.signal = None;
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
            let waited = self.wait_for_new_messages(shutdown).await;
            self.caught_up = false;
            match waited {
                Waited::Stopped => return Ok(Next::Stopped),
                Waited::PollInterval => return Ok(Next::Idle),
                Waited::Signalled => {}
            }
        }
    }

    /// Sleeps until the poll interval has passed or a signal says the
    /// category has something new, or shutdown is requested.
    async fn wait_for_new_messages(&mut self, shutdown: &CancellationToken) -> Waited {
        let signal = self.signal.as_mut();
        let signalled = async {
            match signal {
                Some(signal) => signal.wait().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => Waited::Stopped,
            () = tokio::time::sleep(self.poll_interval) => Waited::PollInterval,
            result = signalled => {
                if let Err(error) = result {
                    tracing::debug!(%error, "new-message signal lost; polling until it is back");
                    self.signal = None;
                }
                Waited::Signalled
            }
        }
    }

    async fn ensure_signal(&mut self) {
        if !self.wake_on_new_messages || self.signal.is_some() {
            return;
        }
        match self
            .store
            .new_message_signal(self.read.category.clone())
            .await
        {
            Ok(signal) => self.signal = Some(signal),
            // Polling carries on; the next loop tries again.
            Err(error) => tracing::debug!(%error, "cannot listen for new messages yet"),
        }
    }
}
