//! Consumers: positions, resumption, failure policy, filters. (The order
//! they promise is the plain path's own case, in `main.rs`; the layers'
//! cases are in `messaging-layers/tests/contract/`.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use messaging::consumer::{DeadLettered, Recorded, Turn};
use messaging::{
    Category, CategoryRead, ConsumerError, ConsumerGroup, ConsumerSettings, ExpectedVersion,
    Handler, HandlerError, MessageStore, Metadata, NewMessage, StoreError, StoredMessage,
    StreamName,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::configuration::consumer;
use crate::support::{Fixture, SomethingHappened, eventually, happened, stream};

/// A handler that remembers what it handled and can be told to fail.
#[derive(Clone, Default)]
pub struct Recorder {
    pub handled: Arc<Mutex<Vec<StoredMessage>>>,
    /// Fail, as a bug would, on this amount.
    pub fail_on: Option<i64>,
    /// Report a concurrent write the first time it sees this amount.
    pub conflict_once_on: Option<i64>,
    pub conflicted: Arc<AtomicBool>,
    pub attempts: Arc<Mutex<Vec<i64>>>,
    /// Before handling the first amount, wait (up to a few seconds) until
    /// the second has been handled.
    pub wait_before: Option<(i64, i64)>,
    /// Set when such a wait ran out: the other message never came.
    pub waited_in_vain: Arc<AtomicBool>,
    /// On handling the first amount, write the second to the same stream.
    pub write_on: Option<(i64, MessageStore, i64)>,
}

impl Recorder {
    pub fn amounts(&self) -> Vec<i64> {
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
        if let Some((amount, store, next)) = &self.write_on
            && *amount == event.amount
        {
            write_amounts(store, message.stream_name.as_str(), &[*next]).await;
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

pub fn settings() -> ConsumerSettings {
    let mut settings = ConsumerSettings::new(Category::new("thing").expect("valid"));
    settings.poll_interval = Duration::from_millis(20);
    // Only catching up and stopping record positions in these tests, so the
    // cases can tell exactly when a position is written.
    settings.position_update_interval = 1000;
    settings
}

pub struct Running {
    pub shutdown: CancellationToken,
    pub task: JoinHandle<Result<(), ConsumerError>>,
}

impl Running {
    pub async fn stop(self) -> Result<(), ConsumerError> {
        self.shutdown.cancel();
        self.task.await.expect("consumer task")
    }
}

/// The consumer of the configuration under test, running in a task.
pub fn start(store: &MessageStore, settings: ConsumerSettings, handler: Recorder) -> Running {
    let shutdown = CancellationToken::new();
    let consumer = consumer(store.clone(), settings, handler);
    let task = tokio::spawn(consumer.run(shutdown.clone()));
    Running { shutdown, task }
}

pub async fn write_amounts(store: &MessageStore, name: &str, amounts: &[i64]) {
    for amount in amounts {
        store
            .write_message(&stream(name), &happened(*amount), ExpectedVersion::Any)
            .await
            .expect("written");
    }
}

pub async fn recorded_position(store: &MessageStore) -> Option<i64> {
    let position_stream = settings().position_stream().expect("valid");
    let last = store
        .read_last(&position_stream, Some("Recorded"))
        .await
        .expect("read")?;
    Some(last.decode::<Recorded>().expect("decodes").position)
}

pub async fn global_positions(store: &MessageStore) -> Vec<i64> {
    store
        .read_category(&CategoryRead::new(Category::new("thing").expect("valid")))
        .await
        .expect("read")
        .iter()
        .map(|m| m.global_position)
        .collect()
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

/// Where a running consumer reads next (a simulation shows it as it turns
/// the consumer): from the first position when nothing is recorded, and
/// after the last message of each batch it was handed.
pub async fn a_running_consumer_reads_on_after_the_last_message_it_was_handed(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1, 2, 3]).await;
    let last = *global_positions(&fixture.store)
        .await
        .last()
        .expect("written");
    let shutdown = CancellationToken::new();
    let mut running = consumer(fixture.store.clone(), settings(), Recorder::default())
        .start(&shutdown)
        .await
        .expect("starts")
        .expect("not stopped");
    assert_eq!(
        running.reading_from(),
        1,
        "nothing recorded: from the first"
    );
    let turn = running.step(&shutdown).await.expect("a turn");
    assert!(matches!(turn, Turn::Batch { handled: 3, .. }), "{turn:?}");
    assert_eq!(running.reading_from(), last + 1);
    running.stop().await;
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

/// A short batch is everything there was when its read began. A message
/// written while that batch is handled is read at once, not after the poll
/// interval (here an hour): a consumer waits only when it has read
/// everything, or when something will wake it for what comes next.
pub async fn a_message_written_while_a_batch_is_handled_is_read_without_waiting_for_a_poll(
    fixture: Fixture,
) {
    write_amounts(&fixture.store, "thing-1", &[1]).await;
    let recorder = Recorder {
        write_on: Some((1, fixture.store.clone(), 2)),
        ..Recorder::default()
    };
    let mut settings = settings();
    settings.poll_interval = Duration::from_secs(3600);
    let running = start(&fixture.store, settings, recorder.clone());
    let both = eventually(|| async { recorder.amounts() == [1, 2] }).await;
    running.stop().await.expect("stops cleanly");
    assert!(both, "handled only {:?}", recorder.amounts());
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

pub fn unparseable(id: Uuid) -> NewMessage {
    NewMessage {
        id,
        message_type: "SomethingHappened".into(),
        data: r#"{"amount":"a lot"}"#.into(),
        metadata: Metadata::default(),
    }
}

/// Writes a message to `thing-1` whose data no handler can parse.
pub async fn write_unparseable(store: &MessageStore, id: Uuid) {
    store
        .write_message(&stream("thing-1"), &unparseable(id), ExpectedVersion::Any)
        .await
        .expect("written");
}

pub async fn dead_letters(store: &MessageStore) -> Vec<DeadLettered> {
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
    let result = consumer(fixture.store.clone(), settings(), recorder.clone())
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
    // Each message once; the order between streams is the plain path's
    // promise, and its own case.
    let mut handled = recorder.amounts();
    handled.sort_unstable();
    assert_eq!(handled, expected);
}
