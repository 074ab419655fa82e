//! What the layers promise beyond the plain path: a pause holds a
//! component still and lets it go on where it was; lanes keep each entity's
//! order, and record no further than the first message not handled;
//! wake-ups deliver long before the next poll, once per burst; the metrics
//! report what a consumer did, its lag and what it parked.

use std::sync::atomic::Ordering;
use std::time::Duration;

use messaging::consumer::Consumers;
use messaging::{Category, ComponentSettings, ConsumerGroup, ConsumerSettings};
use messaging_layers::{ConsumerLayers, LayeredComponent, NewMessageSignal, Pause};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::configuration::lanes;
use crate::consumers::{
    Recorder, global_positions, recorded_position, settings, start, write_amounts,
    write_unparseable,
};
use crate::support::{Fixture, eventually, stream};

/// A component of one consumer, `settings` and `recorder`, with the consumer
/// layers on, running in a task until `shutdown`; its pause switch.
fn component(
    fixture: &Fixture,
    settings: ConsumerSettings,
    recorder: Recorder,
    shutdown: &CancellationToken,
) -> (JoinHandle<Result<(), messaging::ConsumerError>>, Pause) {
    let operator = ComponentSettings {
        consumer_group: None,
        poll_interval: settings.poll_interval,
    };
    let mut component = LayeredComponent::new(
        fixture.store.clone(),
        operator,
        ConsumerLayers::default(),
        shutdown,
    );
    component.start(settings, recorder);
    let pause = component.pause_switch();
    (tokio::spawn(component.run()), pause)
}

/// A paused consumer reads nothing more, with its position recorded; once
/// resumed it handles what came meanwhile, in order, once.
pub async fn a_paused_consumer_handles_nothing_until_it_is_resumed(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1, 2]).await;
    let recorder = Recorder::default();
    let shutdown = CancellationToken::new();
    let (task, pause) = component(&fixture, settings(), recorder.clone(), &shutdown);
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
    let shutdown = CancellationToken::new();
    let (task, pause) = component(&fixture, settings(), Recorder::default(), &shutdown);
    pause.pause();
    tokio::time::sleep(Duration::from_millis(50)).await;
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(5), task).await;
    assert!(matches!(stopped, Ok(Ok(Ok(())))), "{stopped:?}");
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
    let shutdown = CancellationToken::new();
    let consumer = lanes(fixture.store.clone(), settings(), recorder.clone(), 4);
    let task = tokio::spawn(consumer.run(shutdown.clone()));
    assert!(eventually(|| async { recorder.amounts().len() == 5 }).await);
    shutdown.cancel();
    task.await.expect("consumer task").expect("stops cleanly");

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
    let result = lanes(fixture.store.clone(), settings(), recorder.clone(), 4)
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

/// A full batch need not be everything there was: a consumer that hears
/// every write waits only after a *short* batch, and after a full one reads
/// again at once. (With an hour between polls, what follows a full batch
/// would otherwise wait for the hour.)
pub async fn after_a_full_batch_a_consumer_with_wake_ups_reads_again_at_once(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1, 2, 3, 4, 5]).await;
    let mut sleepy = settings();
    sleepy.poll_interval = Duration::from_secs(3600);
    sleepy.batch_size = 2;
    let recorder = Recorder::default();
    let running = start(&fixture.store, sleepy, recorder.clone());
    assert!(eventually(|| async { recorder.amounts().len() == 5 }).await);
    running.stop().await.expect("stops cleanly");
    assert_eq!(recorder.amounts(), vec![1, 2, 3, 4, 5]);
}

/// Many messages written while nobody waits leave one wake-up, not one per
/// message: a consumer that was busy reads them all at once, then sleeps
/// instead of reading an empty category once for each notification.
pub async fn a_burst_of_messages_leaves_a_single_wake_up_and_other_categories_none(
    fixture: Fixture,
) {
    let category = Category::new("thing").expect("valid");
    let mut signal = NewMessageSignal::listen(&fixture.store, category)
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
    tokio::spawn(messaging_layers::host::serve_metrics(
        listener,
        "bank",
        None,
        shutdown.clone(),
    ));

    write_amounts(&fixture.store, "thing-1", &[1, 2]).await;
    write_unparseable(&fixture.store, Uuid::new_v4()).await;
    let recorder = Recorder::default();
    let (task, pause) = component(&fixture, settings, recorder.clone(), &shutdown);
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
    assert_eq!(
        handled(&messaging_layers::metrics::render("bank").await),
        None
    );
}
