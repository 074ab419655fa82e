//! Metrics for operators: what each consumer in this process has done, in
//! Prometheus's text format.
//!
//! The operations page shows positions and lag too, but it reads them from
//! the views, which the aggregator keeps: when the aggregator is the thing
//! that is stuck, that page is stuck with it. Metrics come from each process
//! itself, so a monitoring system that scrapes every process sees each one
//! on its own, whatever the others are doing.
//!
//! Every consumer registers a [`ConsumerMeter`] when it starts and drops it
//! when it stops. The list is the process's own (a `static`), because that
//! is what Prometheus scrapes: one process, one answer, whichever component
//! or library started the consumer. The meter counts what the handler does
//! ([`Metered`] wraps it: two atomic operations per message); what can be
//! read from the store instead (the lag, the parked messages) is read when
//! someone asks, by [`render`], so that a consumer that is paused or stuck
//! still reports how far behind it is.
//!
//! The names start with the namespace a binary gives (`bank`):
//!
//! | metric | kind | what |
//! |---|---|---|
//! | `{namespace}_consumer_messages_handled_total` | counter | messages handled since the process started, parked ones included |
//! | `{namespace}_consumer_position` | gauge | global position of the last message handled (or recorded, before any) |
//! | `{namespace}_consumer_lag` | gauge | messages of its category beyond that position, as it reads them (counted up to `messaging::consumer::LAG_LIMIT`) |
//! | `{namespace}_consumer_messages_parked` | gauge | messages in its dead-letter stream |
//!
//! Each carries the label `consumer`, the consumer's name as in the logs
//! (`account:command`, `account (fundsTransfer)`, ...).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use messaging::consumer::{Handler, HandlerError, lag};
use messaging::{
    CategoryRead, ConsumerSettings, MessageStore, StoreError, StoredMessage, StreamName,
};

/// What one consumer has done. Dropping it takes the consumer off the
/// process's list.
#[derive(Debug)]
pub struct ConsumerMeter {
    id: u64,
    counts: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    handled: AtomicU64,
    position: AtomicI64,
}

/// A consumer as the process's list knows it: enough to measure its lag and
/// count its parked messages when asked.
#[derive(Clone, Debug)]
struct Registered {
    id: u64,
    name: String,
    store: MessageStore,
    read: CategoryRead,
    dead_letters: StreamName,
    counts: Arc<Counts>,
}

/// Every running consumer of this process.
static CONSUMERS: Mutex<Vec<Registered>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn consumers() -> MutexGuard<'static, Vec<Registered>> {
    // The list is only pushed to and removed from: a panic elsewhere while
    // it was locked cannot have left it half-changed.
    CONSUMERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ConsumerMeter {
    /// Puts the consumer these settings describe on the process's list,
    /// starting from `position` (the position it resumes after).
    pub fn register(
        store: &MessageStore,
        settings: &ConsumerSettings,
        position: i64,
    ) -> Result<ConsumerMeter, StoreError> {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let counts = Arc::new(Counts::default());
        counts.position.store(position, Ordering::Relaxed);
        consumers().push(Registered {
            id,
            name: settings.name(),
            store: store.clone(),
            read: settings.category_read(),
            dead_letters: settings.dead_letter_stream()?,
            counts: Arc::clone(&counts),
        });
        Ok(ConsumerMeter { id, counts })
    }

    /// `count` more messages were handled, the last at `global_position`.
    /// (With lanes they end out of order: the position is the highest.)
    pub fn handled(&self, global_position: i64, count: u64) {
        self.counts.handled.fetch_add(count, Ordering::Relaxed);
        self.counts
            .position
            .fetch_max(global_position, Ordering::Relaxed);
    }
}

/// A handler that counts what the handler inside it handles, on its
/// consumer's meter: every message it handled, or that is to be parked (a
/// message that cannot be handled is done with, as far as the consumer's
/// progress goes).
#[derive(Clone, Debug)]
pub struct Metered<H> {
    handler: H,
    meter: Arc<ConsumerMeter>,
}

impl<H> Metered<H> {
    /// `handler`, counted on `meter`.
    pub fn new(handler: H, meter: Arc<ConsumerMeter>) -> Metered<H> {
        Metered { handler, meter }
    }
}

impl<H: Handler> Handler for Metered<H> {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let handled = self.handler.handle(message).await;
        if matches!(handled, Ok(()) | Err(HandlerError::Message(_))) {
            self.meter.handled(message.global_position, 1);
        }
        handled
    }
}

impl Drop for ConsumerMeter {
    fn drop(&mut self) {
        consumers().retain(|consumer| consumer.id != self.id);
    }
}

/// One consumer's figures, as [`render`] reports them.
struct Figures {
    name: String,
    handled: u64,
    position: i64,
    lag: Option<i64>,
    parked: Option<i64>,
}

/// Every running consumer's metrics in Prometheus's text format, named in
/// `namespace`. A figure the store cannot give just now (the lag, the parked
/// messages) is left out rather than reported wrong.
pub async fn render(namespace: &str) -> String {
    // A copy of the list, so that the store is read without holding its lock.
    let registered = consumers().clone();
    let mut figures = Vec::new();
    for consumer in registered {
        let handled = consumer.counts.handled.load(Ordering::Relaxed);
        let position = consumer.counts.position.load(Ordering::Relaxed);
        let lag = lag(&consumer.store, consumer.read, position).await.ok();
        let parked = consumer
            .store
            .stream_version(&consumer.dead_letters)
            .await
            .ok()
            .map(|version| version.map_or(0, |last| last + 1));
        figures.push(Figures {
            name: consumer.name,
            handled,
            position,
            lag,
            parked,
        });
    }
    let mut text = String::new();
    family(
        &mut text,
        &format!("{namespace}_consumer_messages_handled_total"),
        "counter",
        "Messages handled since the process started, parked ones included.",
        figures.iter().map(|f| (&f.name, Some(f.handled as i64))),
    );
    family(
        &mut text,
        &format!("{namespace}_consumer_position"),
        "gauge",
        "Global position of the last message handled.",
        figures.iter().map(|f| (&f.name, Some(f.position))),
    );
    family(
        &mut text,
        &format!("{namespace}_consumer_lag"),
        "gauge",
        "Messages of its category beyond its position, as it reads them (counted up to 1000).",
        figures.iter().map(|f| (&f.name, f.lag)),
    );
    family(
        &mut text,
        &format!("{namespace}_consumer_messages_parked"),
        "gauge",
        "Messages in its dead-letter stream.",
        figures.iter().map(|f| (&f.name, f.parked)),
    );
    text
}

/// One metric family: its help and type lines, then a sample per consumer.
fn family<'a>(
    text: &mut String,
    metric: &str,
    kind: &str,
    help: &str,
    samples: impl Iterator<Item = (&'a String, Option<i64>)>,
) {
    let _ = writeln!(text, "# HELP {metric} {help}");
    let _ = writeln!(text, "# TYPE {metric} {kind}");
    for (consumer, value) in samples {
        if let Some(value) = value {
            let _ = writeln!(text, "{metric}{{consumer=\"{}\"}} {value}", label(consumer));
        }
    }
}

/// A label value as the text format wants it: backslash, quote and newline
/// escaped.
pub fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
