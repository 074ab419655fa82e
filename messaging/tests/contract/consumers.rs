//! Consumers: order, positions, resumption, failure policy, wake-ups.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use messaging::consumer::{DeadLettered, Recorded};
use messaging::{
    Category, CategoryRead, Consumer, ConsumerError, ConsumerGroup, ConsumerSettings,
    ExpectedVersion, Handler, HandlerError, MessageStore, Metadata, NewMessage, Pause, StoreError,
    StoredMessage, StreamName,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::support::{Fixture, SomethingHappened, eventually, happened, stream};

/// A handler that remembers what it handled and can be told to fail.
#[derive(Clone, Default)]
struct Recorder {
    handled: Arc<Mutex<Vec<StoredMessage>>>,
    /// Fail, as a bug would, on this amount.
    fail_on: Option<i64>,
    /// Report a concurrent write the first time it sees this amount.
    conflict_once_on: Option<i64>,
    conflicted: Arc<AtomicBool>,
    attempts: Arc<Mutex<Vec<i64>>>,
    /// Before handling the first amount, wait (up to a few seconds) until
    /// the second has been handled.
    wait_before: Option<(i64, i64)>,
    /// Set when such a wait ran out: the other message never came.
    waited_in_vain: Arc<AtomicBool>,
}

impl Recorder {
    fn amounts(&self) -> Vec<i64> {
        self.handled
            .lock()
            .expect("lock")
            .iter()
            .map(|m| m.decode::<SomethingHappened>().expect("decodes").amount)
            .collect()
    }
}

impl Handler for Recorder {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let event: SomethingHappened = message.decode()?;
        self.attempts.lock().expect("lock").push(event.amount);
        if let Some((amount, until_handled)) = self.wait_before
            && amount == event.amount
        {
            let came = eventually(|| async { self.amounts().contains(&until_handled) }).await;
            self.waited_in_vain.store(!came, Ordering::SeqCst);
        }
        if self.fail_on == Some(event.amount) {
            return Err(StoreError::InvalidRequest("a bug in the handler".into()).into());
        }
        if self.conflict_once_on == Some(event.amount)
            && !self.conflicted.swap(true, Ordering::SeqCst)
        {
            return Err(StoreError::WrongExpectedVersion {
                stream_name: message.stream_name.clone(),
                expected: 0,
                actual: 1,
            }
            .into());
        }
        self.handled.lock().expect("lock").push(message.clone());
        Ok(())
    }
}

fn settings() -> ConsumerSettings {
    let mut settings = ConsumerSettings::new(Category::new("thing").expect("valid"));
    settings.poll_interval = Duration::from_millis(20);
    // Only catching up and stopping record positions in these tests, so the
    // cases can tell exactly when a position is written.
    settings.position_update_interval = 1000;
    settings
}

struct Running {
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), ConsumerError>>,
}

impl Running {
    async fn stop(self) -> Result<(), ConsumerError> {
        self.shutdown.cancel();
        self.task.await.expect("consumer task")
    }
}

fn start(store: &MessageStore, settings: ConsumerSettings, handler: Recorder) -> Running {
    let shutdown = CancellationToken::new();
    let consumer = Consumer::new(store.clone(), settings, handler);
    let task = tokio::spawn(consumer.run(shutdown.clone()));
    Running { shutdown, task }
}

async fn write_amounts(store: &MessageStore, name: &str, amounts: &[i64]) {
    for amount in amounts {
        store
            .write_message(&stream(name), &happened(*amount), ExpectedVersion::Any)
            .await
            .expect("written");
    }
}

async fn recorded_position(store: &MessageStore) -> Option<i64> {
    let position_stream = settings().position_stream().expect("valid");
    let last = store
        .read_last(&position_stream, Some("Recorded"))
        .await
        .expect("read")?;
    Some(last.decode::<Recorded>().expect("decodes").position)
}

async fn global_positions(store: &MessageStore) -> Vec<i64> {
    store
        .read_category(&CategoryRead::new(Category::new("thing").expect("valid")))
        .await
        .expect("read")
        .iter()
        .map(|m| m.global_position)
        .collect()
}

pub async fn a_consumer_hands_every_message_to_its_handler_in_order(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1, 2]).await;
    write_amounts(&fixture.store, "thing-2", &[3]).await;
    write_amounts(&fixture.store, "thing-1", &[4]).await;
    let recorder = Recorder::default();
    let running = start(&fixture.store, settings(), recorder.clone());
    assert!(eventually(|| async { recorder.amounts().len() == 4 }).await);
    running.stop().await.expect("stops cleanly");
    assert_eq!(recorder.amounts(), vec![1, 2, 3, 4]);
}

/// A paused consumer reads nothing more, with its position recorded; once
/// resumed it handles what came meanwhile, in order, once.
pub async fn a_paused_consumer_handles_nothing_until_it_is_resumed(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1, 2]).await;
    let recorder = Recorder::default();
    let pause = Pause::new();
    let shutdown = CancellationToken::new();
    let consumer =
        Consumer::new(fixture.store.clone(), settings(), recorder.clone()).pausable(pause.clone());
    let task = tokio::spawn(consumer.run(shutdown.clone()));
    assert!(eventually(|| async { recorder.amounts().len() == 2 }).await);

    pause.pause();
    // A read already waiting ends at the next poll; from then on it stays still.
    tokio::time::sleep(Duration::from_millis(100)).await;
    write_amounts(&fixture.store, "thing-2", &[3, 4]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        recorder.amounts(),
        vec![1, 2],
        "nothing handled while paused"
    );
    let second = global_positions(&fixture.store).await[1];
    assert_eq!(recorded_position(&fixture.store).await, Some(second));

    pause.resume();
    assert!(eventually(|| async { recorder.amounts().len() == 4 }).await);
    shutdown.cancel();
    task.await.expect("consumer task").expect("stops cleanly");
    assert_eq!(recorder.amounts(), vec![1, 2, 3, 4]);
}

/// Shut down while paused, a consumer stops at once.
pub async fn a_paused_consumer_stops_when_shut_down(fixture: Fixture) {
    let pause = Pause::new();
    pause.pause();
    let shutdown = CancellationToken::new();
    let consumer =
        Consumer::new(fixture.store.clone(), settings(), Recorder::default()).pausable(pause);
    let task = tokio::spawn(consumer.run(shutdown.clone()));
    tokio::time::sleep(Duration::from_millis(50)).await;
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(5), task).await;
    assert!(matches!(stopped, Ok(Ok(Ok(())))), "{stopped:?}");
}

pub async fn a_restarted_consumer_resumes_after_its_recorded_position(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1, 2, 3]).await;
    let first = Recorder::default();
    let running = start(&fixture.store, settings(), first.clone());
    assert!(eventually(|| async { first.amounts().len() == 3 }).await);
    running.stop().await.expect("stops cleanly");

    write_amounts(&fixture.store, "thing-1", &[4, 5]).await;
    let second = Recorder::default();
    let running = start(&fixture.store, settings(), second.clone());
    assert!(eventually(|| async { second.amounts().len() == 2 }).await);
    // Give it a moment to (wrongly) re-deliver older messages, then check it
    // handled only what came after its recorded position.
    tokio::time::sleep(Duration::from_millis(200)).await;
    running.stop().await.expect("stops cleanly");
    assert_eq!(second.amounts(), vec![4, 5]);
}

pub async fn a_consumer_records_its_position_when_it_catches_up(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1, 2, 3]).await;
    let recorder = Recorder::default();
    let running = start(&fixture.store, settings(), recorder.clone());
    let last = *global_positions(&fixture.store)
        .await
        .last()
        .expect("written");
    let store = fixture.store.clone();
    assert!(eventually(|| async { recorded_position(&store).await == Some(last) }).await);
    running.stop().await.expect("stops cleanly");
}

/// A trickle of messages makes a consumer catch up after each one; it must
/// not write a position every time (that would double its writes), yet the
/// position must still end up recorded once the category goes quiet.
pub async fn a_consumer_catching_up_often_records_at_most_once_a_pause_and_again_when_quiet(
    fixture: Fixture,
) {
    let mut quiet_after = settings();
    quiet_after.poll_interval = Duration::from_millis(300);
    let recorder = Recorder::default();
    let running = start(&fixture.store, quiet_after, recorder.clone());
    let store = fixture.store.clone();
    for amount in 1..=6 {
        write_amounts(&fixture.store, "thing-1", &[amount]).await;
        let handled = amount as usize;
        assert!(eventually(|| async { recorder.amounts().len() == handled }).await);
    }
    let last = *global_positions(&fixture.store)
        .await
        .last()
        .expect("written");
    // Quiet now: within a poll interval or two the last position is recorded.
    assert!(eventually(|| async { recorded_position(&store).await == Some(last) }).await);
    let positions = Category::new("thing+position").expect("valid");
    let recordings = store
        .read_category(&CategoryRead::new(positions))
        .await
        .expect("read")
        .len();
    // Six catch-ups within well under a second: the first one records, the
    // quiet one records the rest. (One more is allowed for a slow machine
    // that took over a second between them; six would mean no pause at all.)
    assert!(
        (2..=3).contains(&recordings),
        "{recordings} recordings for six catch-ups"
    );
    running.stop().await.expect("stops cleanly");
}

fn unparseable(id: Uuid) -> NewMessage {
    NewMessage {
        id,
        message_type: "SomethingHappened".into(),
        data: r#"{"amount":"a lot"}"#.into(),
        metadata: Metadata::default(),
    }
}

/// Writes a message to `thing-1` whose data no handler can parse.
async fn write_unparseable(store: &MessageStore, id: Uuid) {
    store
        .write_message(&stream("thing-1"), &unparseable(id), ExpectedVersion::Any)
        .await
        .expect("written");
}

async fn dead_letters(store: &MessageStore) -> Vec<DeadLettered> {
    let category = Category::new("thing+deadLetter").expect("valid");
    store
        .read_category(&CategoryRead::new(category))
        .await
        .expect("read")
        .iter()
        .map(|m| m.decode::<DeadLettered>().expect("decodes"))
        .collect()
}

pub async fn an_unparseable_message_is_parked_with_its_stream_and_position(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1]).await;
    let bad_id = Uuid::new_v4();
    write_unparseable(&fixture.store, bad_id).await;
    let running = start(&fixture.store, settings(), Recorder::default());
    let store = fixture.store.clone();
    assert!(eventually(|| async { !dead_letters(&store).await.is_empty() }).await);
    running.stop().await.expect("stops cleanly");

    let parked = dead_letters(&fixture.store).await;
    assert_eq!(parked.len(), 1);
    let parked = &parked[0];
    assert_eq!(parked.stream_name, "thing-1");
    assert_eq!(parked.position, 1);
    assert_eq!(parked.message_id, bad_id);
    // Postgres stores JSON as jsonb and renders it with its own spacing, so
    // compare the JSON, not the text.
    let data: serde_json::Value = serde_json::from_str(&parked.data).expect("json");
    assert_eq!(data, serde_json::json!({ "amount": "a lot" }));
    assert!(parked.error.contains("thing-1"), "{}", parked.error);
    assert!(parked.error.contains("position 1"), "{}", parked.error);
}

pub async fn a_parked_message_does_not_stop_the_messages_after_it(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1]).await;
    write_unparseable(&fixture.store, Uuid::new_v4()).await;
    write_amounts(&fixture.store, "thing-1", &[3]).await;
    let recorder = Recorder::default();
    let running = start(&fixture.store, settings(), recorder.clone());
    assert!(eventually(|| async { recorder.amounts() == vec![1, 3] }).await);
    running.stop().await.expect("stops cleanly");

    // Rewound to the beginning and restarted, the consumer handles the
    // poison message again, and still parks it only once.
    let rewind = NewMessage::new(&Recorded { position: 0 }).expect("encodes");
    fixture
        .store
        .write_message(
            &settings().position_stream().expect("valid"),
            &rewind,
            ExpectedVersion::Any,
        )
        .await
        .expect("rewound");
    let recorder = Recorder::default();
    let running = start(&fixture.store, settings(), recorder.clone());
    assert!(eventually(|| async { recorder.amounts() == vec![1, 3] }).await);
    running.stop().await.expect("stops cleanly");
    assert_eq!(dead_letters(&fixture.store).await.len(), 1);
}

pub async fn a_handler_failure_stops_the_consumer_with_an_error_naming_the_message(
    fixture: Fixture,
) {
    write_amounts(&fixture.store, "thing-1", &[1, 2, 3]).await;
    let recorder = Recorder {
        fail_on: Some(2),
        ..Recorder::default()
    };
    let shutdown = CancellationToken::new();
    let result = Consumer::new(fixture.store.clone(), settings(), recorder.clone())
        .run(shutdown)
        .await;
    let error = result.expect_err("the handler fails on 2").to_string();
    assert!(error.contains("position 1 of thing-1"), "{error}");
    assert!(error.contains("a bug in the handler"), "{error}");
    assert_eq!(recorder.amounts(), vec![1]);
    // The position of the last message handled was recorded, so a restart
    // begins with the failed message, not after it.
    let first = global_positions(&fixture.store).await[0];
    assert_eq!(recorded_position(&fixture.store).await, Some(first));
}

pub async fn a_concurrent_write_makes_the_consumer_handle_the_message_again(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1, 2, 3]).await;
    let recorder = Recorder {
        conflict_once_on: Some(2),
        ..Recorder::default()
    };
    let running = start(&fixture.store, settings(), recorder.clone());
    assert!(eventually(|| async { recorder.amounts().len() == 3 }).await);
    running.stop().await.expect("stops cleanly");
    assert_eq!(recorder.amounts(), vec![1, 2, 3]);
    assert_eq!(*recorder.attempts.lock().expect("lock"), vec![1, 2, 2, 3]);
}

/// A stream of the `thing` category whose lane, among `lanes`, is not the
/// lane of `thing-1`.
fn stream_in_another_lane_than_thing_1(lanes: i64) -> String {
    let lane_of = |name: &str| {
        (0..lanes).find(|member| {
            ConsumerGroup::new(*member, lanes)
                .expect("valid")
                .includes(&stream(name))
        })
    };
    (2..)
        .map(|id| format!("thing-{id}"))
        .find(|name| lane_of(name) != lane_of("thing-1"))
        .expect("some id hashes elsewhere")
}

fn in_lanes(lanes: u32) -> ConsumerSettings {
    let mut settings = settings();
    settings.lanes = lanes;
    settings
}

/// With lanes, a message about one entity need not wait for the messages
/// about another before it: here `thing-1`'s first message cannot finish
/// until another entity's later message has been handled, which one lane
/// (the category's strict order) could never do. Each entity's own
/// messages still arrive in their order.
pub async fn lanes_handle_entities_side_by_side_each_in_its_order(fixture: Fixture) {
    let other = stream_in_another_lane_than_thing_1(4);
    write_amounts(&fixture.store, "thing-1", &[1, 2]).await;
    write_amounts(&fixture.store, &other, &[10]).await;
    write_amounts(&fixture.store, "thing-1", &[3]).await;
    write_amounts(&fixture.store, &other, &[11]).await;
    let recorder = Recorder {
        wait_before: Some((1, 10)),
        ..Recorder::default()
    };
    let running = start(&fixture.store, in_lanes(4), recorder.clone());
    assert!(eventually(|| async { recorder.amounts().len() == 5 }).await);
    running.stop().await.expect("stops cleanly");

    assert!(!recorder.waited_in_vain.load(Ordering::SeqCst));
    let amounts = recorder.amounts();
    let of = |range: std::ops::Range<i64>| {
        amounts
            .iter()
            .copied()
            .filter(|amount| range.contains(amount))
            .collect::<Vec<_>>()
    };
    assert_eq!(of(1..10), vec![1, 2, 3]);
    assert_eq!(of(10..20), vec![10, 11]);
    assert_eq!(amounts[0], 10, "the other entity went first: {amounts:?}");
}

/// When one lane fails, another may have handled messages after the failed
/// one; the recorded position must still stop before the failed message,
/// so that a restart handles it (and, idempotently, those after it) again.
pub async fn a_failed_lane_records_only_up_to_the_first_message_not_handled(fixture: Fixture) {
    let other = stream_in_another_lane_than_thing_1(4);
    write_amounts(&fixture.store, "thing-1", &[1, 2]).await;
    write_amounts(&fixture.store, &other, &[10]).await;
    let recorder = Recorder {
        fail_on: Some(2),
        ..Recorder::default()
    };
    let shutdown = CancellationToken::new();
    let result = Consumer::new(fixture.store.clone(), in_lanes(4), recorder.clone())
        .run(shutdown)
        .await;
    let error = result.expect_err("the handler fails on 2").to_string();
    assert!(error.contains("position 1 of thing-1"), "{error}");
    let mut handled = recorder.amounts();
    handled.sort_unstable();
    assert_eq!(handled, vec![1, 10]);
    let first = global_positions(&fixture.store).await[0];
    assert_eq!(recorded_position(&fixture.store).await, Some(first));
}

pub async fn a_consumer_is_woken_by_a_new_message_long_before_its_next_poll(fixture: Fixture) {
    let mut sleepy = settings();
    sleepy.poll_interval = Duration::from_secs(3600);
    let recorder = Recorder::default();
    let running = start(&fixture.store, sleepy, recorder.clone());
    // Let it find the category empty and go to sleep.
    tokio::time::sleep(Duration::from_millis(500)).await;
    write_amounts(&fixture.store, "thing-1", &[1]).await;
    // With an hour between polls, only a wake-up can deliver it in time.
    assert!(eventually(|| async { recorder.amounts() == vec![1] }).await);
    running.stop().await.expect("stops cleanly");
}

/// Many messages written while nobody waits leave one wake-up, not one per
/// message: a consumer that was busy reads them all at once, then sleeps
/// instead of reading an empty category once for each notification.
pub async fn a_burst_of_messages_leaves_a_single_wake_up_and_other_categories_none(
    fixture: Fixture,
) {
    let category = Category::new("thing").expect("valid");
    let mut signal = fixture
        .store
        .new_message_signal(category)
        .await
        .expect("listens");
    for amount in 0..20 {
        write_amounts(&fixture.store, &format!("thing-{amount}"), &[amount]).await;
    }
    write_amounts(&fixture.store, "otherThing-1", &[1]).await;
    // Give every notification time to arrive before anyone waits.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let first = tokio::time::timeout(Duration::from_secs(5), signal.wait()).await;
    assert!(matches!(first, Ok(Ok(()))), "{first:?}");
    let second = tokio::time::timeout(Duration::from_millis(300), signal.wait()).await;
    assert!(second.is_err(), "a second wake-up was left: {second:?}");

    // Another category's message wakes nobody here; this one's does.
    write_amounts(&fixture.store, "otherThing-2", &[2]).await;
    let other = tokio::time::timeout(Duration::from_millis(300), signal.wait()).await;
    assert!(other.is_err(), "woken by another category: {other:?}");
    write_amounts(&fixture.store, "thing-21", &[21]).await;
    let ours = tokio::time::timeout(Duration::from_secs(5), signal.wait()).await;
    assert!(matches!(ours, Ok(Ok(()))), "{ours:?}");
}

pub async fn a_consumer_reads_only_its_correlation_and_group(fixture: Fixture) {
    let group = ConsumerGroup::new(0, 2).expect("valid");
    let mut expected = Vec::new();
    for n in 0..20i64 {
        let name = format!("thing-{n}");
        let correlated = n % 3 != 0;
        let mut message = happened(n);
        if correlated {
            message = message.correlated_with(&StreamName::from_stored(format!("process-{n}")));
        }
        fixture
            .store
            .write_message(&stream(&name), &message, ExpectedVersion::Any)
            .await
            .expect("written");
        if correlated && group.includes(&stream(&name)) {
            expected.push(n);
        }
    }
    let mut filtered = settings();
    filtered.correlation = Some(Category::new("process").expect("valid"));
    filtered.consumer_group = Some(group);
    filtered.identifier = Some("process".into());
    let recorder = Recorder::default();
    let running = start(&fixture.store, filtered.clone(), recorder.clone());
    let store = fixture.store.clone();
    let position_stream = filtered.position_stream().expect("valid");
    assert_eq!(
        position_stream.as_str(),
        "thing+position-process-member-0-of-2"
    );
    assert!(
        eventually(|| async {
            store
                .read_last(&position_stream, None)
                .await
                .expect("read")
                .is_some()
        })
        .await
    );
    running.stop().await.expect("stops cleanly");
    assert!(!expected.is_empty());
    assert_eq!(recorder.amounts(), expected);
}

/// The metrics endpoint's answer, fetched over HTTP as Prometheus would.
async fn scrape(address: std::net::SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut connection = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    connection
        .write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .await
        .expect("asks");
    let mut answer = String::new();
    connection
        .read_to_string(&mut answer)
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    answer
}

/// The value of `metric` for `consumer` in a scrape, if it is there.
fn sample(scraped: &str, metric: &str, consumer: &str) -> Option<i64> {
    let prefix = format!("{metric}{{consumer=\"{consumer}\"}} ");
    scraped
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|value| value.parse().expect("a number"))
}

/// What an operator scrapes: messages handled (parked ones included), the
/// position, the lag while paused, the parked messages; and the consumer
/// gone from the list once it stops.
pub async fn a_consumer_reports_what_it_handled_its_lag_and_what_it_parked(fixture: Fixture) {
    // Tests run side by side in one process, and the list of consumers is
    // the process's: a name of its own keeps this consumer's lines apart.
    let mut settings = settings();
    settings.identifier = Some(format!("metered{}", Uuid::new_v4().simple()));
    let name = settings.name();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let address = listener.local_addr().expect("address");
    let shutdown = CancellationToken::new();
    tokio::spawn(messaging::host::serve_metrics(
        listener,
        None,
        shutdown.clone(),
    ));

    write_amounts(&fixture.store, "thing-1", &[1, 2]).await;
    write_unparseable(&fixture.store, Uuid::new_v4()).await;
    let recorder = Recorder::default();
    let pause = Pause::new();
    let consumer =
        Consumer::new(fixture.store.clone(), settings, recorder.clone()).pausable(pause.clone());
    let task = tokio::spawn(consumer.run(shutdown.clone()));
    let handled = |scraped: &str| sample(scraped, "bank_consumer_messages_handled_total", &name);
    assert!(eventually(|| async { handled(&scrape(address).await) == Some(3) }).await);
    let scraped = scrape(address).await;
    let last = *global_positions(&fixture.store)
        .await
        .last()
        .expect("three");
    assert_eq!(
        sample(&scraped, "bank_consumer_position", &name),
        Some(last)
    );
    assert_eq!(sample(&scraped, "bank_consumer_lag", &name), Some(0));
    assert_eq!(
        sample(&scraped, "bank_consumer_messages_parked", &name),
        Some(1)
    );

    pause.pause();
    tokio::time::sleep(Duration::from_millis(100)).await;
    write_amounts(&fixture.store, "thing-2", &[3, 4]).await;
    let scraped = scrape(address).await;
    assert_eq!(
        sample(&scraped, "bank_consumer_lag", &name),
        Some(2),
        "{scraped}"
    );
    assert_eq!(handled(&scraped), Some(3));

    pause.resume();
    assert!(eventually(|| async { handled(&scrape(address).await) == Some(5) }).await);
    assert_eq!(
        sample(&scrape(address).await, "bank_consumer_lag", &name),
        Some(0)
    );
    shutdown.cancel();
    task.await.expect("consumer task").expect("stops cleanly");
    assert_eq!(recorder.amounts(), vec![1, 2, 3, 4]);
    assert_eq!(handled(&messaging::metrics::render().await), None);
}
