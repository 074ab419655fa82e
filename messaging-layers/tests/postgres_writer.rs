//! The Postgres store with the store layers on, seen from the database: how
//! it notifies and how it commits. (The contract suite checks what every
//! store promises; these are the layers' own ways of keeping those promises
//! fast.)

use std::time::Duration;

use messaging::controls::postgres::{drop_connections, fresh_database, store_at};
use messaging::{Category, ExpectedVersion, MessageStore, Metadata, NewMessage};
use sqlx::Connection;
use sqlx::postgres::PgListener;
use uuid::Uuid;

fn deposited() -> NewMessage {
    NewMessage {
        id: Uuid::new_v4(),
        message_type: "Deposited".to_string(),
        data: "{}".to_string(),
        metadata: Metadata::default(),
    }
}

/// A fresh store, installed, with the store layers on (as the bank's
/// binaries connect).
async fn fresh() -> Option<(String, MessageStore)> {
    let url = fresh_database("writer").await?;
    store_at(&url).await;
    let store = messaging_layers::connect(&url, 10)
        .await
        .expect("connected with the layers");
    Some((url, store))
}

/// Writes a deposit to a new account's stream.
async fn write_a_deposit(store: &MessageStore) {
    let accounts = Category::new("account").expect("valid");
    store
        .write_message(
            &accounts.stream(Uuid::new_v4()),
            &deposited(),
            ExpectedVersion::Any,
        )
        .await
        .expect("written");
}

/// A listener on the store's notification channel.
async fn listening(url: &str) -> PgListener {
    let mut listener = PgListener::connect(url).await.expect("listens");
    listener.listen("message_store").await.expect("listens");
    listener
}

/// The categories notified, until half a second passes without one.
async fn heard_until_quiet(listener: &mut PgListener) -> Vec<String> {
    let mut heard = Vec::new();
    let quiet = Duration::from_millis(500);
    while let Ok(notification) = tokio::time::timeout(quiet, listener.recv()).await {
        heard.push(notification.expect("notification").payload().to_string());
    }
    heard
}

/// The Rust writer notifies after its commit, not from the trigger inside
/// its transaction (see `011_new_message_notifications.sql`), and it may
/// fold the notifications of writes close together into one. So three
/// writes are heard at least once and at most three times: never would mean
/// nobody notified; four or more would mean the trigger fired as well (and
/// notifying writes would commit in single file again).
#[tokio::test]
async fn writes_are_notified_after_their_commit_and_not_by_the_trigger() {
    let Some((url, store)) = fresh().await else {
        return;
    };
    let mut listener = listening(&url).await;
    for _ in 0..3 {
        write_a_deposit(&store).await;
    }
    let heard = heard_until_quiet(&mut listener).await;
    assert!((1..=3).contains(&heard.len()), "{heard:?}");
    assert!(
        heard.iter().all(|category| category == "account"),
        "{heard:?}"
    );
}

/// A SQL writer is notified for only when its session asks for it: by
/// default its writes commit as concurrently as Message DB's (see
/// `011_new_message_notifications.sql`), and consumers find them by polling.
#[tokio::test]
async fn a_sql_write_is_notified_only_when_its_session_asks() {
    let Some((url, _store)) = fresh().await else {
        return;
    };
    let mut listener = listening(&url).await;
    let mut client = sqlx::PgConnection::connect(&url).await.expect("connects");
    let write = |stream: &'static str| {
        format!(
            "SELECT message_store.write_message('{}', '{stream}-{}', 'Deposited', '{{}}')",
            Uuid::new_v4(),
            Uuid::new_v4()
        )
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(write("account")))
        .execute(&mut client)
        .await
        .expect("written");
    assert_eq!(heard_until_quiet(&mut listener).await, Vec::<String>::new());
    sqlx::raw_sql("SET message_store.notify_in_trigger = on")
        .execute(&mut client)
        .await
        .expect("set");
    sqlx::raw_sql(sqlx::AssertSqlSafe(write("transfer")))
        .execute(&mut client)
        .await
        .expect("written");
    assert_eq!(
        heard_until_quiet(&mut listener).await,
        vec!["transfer".to_string()]
    );
}

/// The notifier sends at most one statement per pause
/// (`store/notifier.rs`): a writer writing one message after another is
/// heard far fewer times than it writes. The bound allows one notification
/// per pause over the whole run, plus the first and the last. Once quiet,
/// a single write is heard again.
#[tokio::test]
async fn a_run_of_writes_is_heard_at_most_once_a_pause() {
    let Some((url, store)) = fresh().await else {
        return;
    };
    let mut listener = listening(&url).await;
    let accounts = Category::new("account").expect("valid");
    let stream = accounts.stream(Uuid::new_v4());
    let writes = 40;
    let started = std::time::Instant::now();
    for _ in 0..writes {
        store
            .write_message(&stream, &deposited(), ExpectedVersion::Any)
            .await
            .expect("written");
    }
    let writing = started.elapsed();

    let heard = heard_until_quiet(&mut listener).await.len() as u128;
    let pauses =
        writing.as_micros() / messaging_layers::notifier::PAUSE_BETWEEN_NOTIFICATIONS.as_micros();
    assert!(heard >= 1, "the writes were never heard of");
    assert!(
        heard <= pauses + 2,
        "{heard} notifications for {writes} writes in {writing:?}"
    );

    store
        .write_message(&stream, &deposited(), ExpectedVersion::Any)
        .await
        .expect("written");
    assert_eq!(
        heard_until_quiet(&mut listener).await,
        vec!["account".to_string()],
        "a write after a quiet spell is heard once"
    );
}

/// Writes to one category that arrive together are committed together: the
/// rows of one transaction share its id (`xmin`), so fifty concurrent writes
/// in fifty transactions would show fifty ids. Each write is still answered
/// with the position of its own last message, whether it wrote one message
/// or three, and its messages are in its stream in the order given.
#[tokio::test]
async fn concurrent_writes_to_a_category_share_commits() {
    let Some((_, store)) = fresh().await else {
        return;
    };
    let accounts = Category::new("account").expect("valid");
    let writers: Vec<_> = (0..50)
        .map(|n| {
            let (store, stream) = (store.clone(), accounts.stream(Uuid::new_v4()));
            // Every third write has three messages.
            let messages: Vec<NewMessage> = (0..if n % 3 == 0 { 3 } else { 1 })
                .map(|_| deposited())
                .collect();
            tokio::spawn(async move {
                let written = store
                    .write(&stream, &messages, ExpectedVersion::INITIAL)
                    .await;
                (written, stream, messages)
            })
        })
        .collect();
    for writer in writers {
        let (written, stream, messages) = writer.await.expect("task");
        assert_eq!(written.expect("written"), messages.len() as i64 - 1);
        let ids: Vec<Uuid> = store
            .read_stream(&stream, 0, 10)
            .await
            .expect("read")
            .iter()
            .map(|message| message.id)
            .collect();
        let given: Vec<Uuid> = messages.iter().map(|message| message.id).collect();
        assert_eq!(ids, given);
    }
    let postgres = store.as_postgres().expect("a Postgres store");
    let (rows, transactions): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT xmin::text) FROM message_store.messages \
         WHERE stream_name LIKE 'account-%'",
    )
    .fetch_one(postgres.pool())
    .await
    .expect("counted");
    assert_eq!(rows, 17 * 3 + 33);
    assert!(
        transactions < 50,
        "{transactions} transactions for 50 concurrent writes"
    );
}

/// A writer that gives up while others queue behind it (a web request whose
/// browser went away) must not strand them: the writes that queued are
/// written all the same. Another session holds the category's lock so that
/// the first writer is certainly still waiting when the second queues and
/// when the first is cancelled.
#[tokio::test]
async fn writes_queued_behind_a_cancelled_writer_are_still_written() {
    let Some((url, store)) = fresh().await else {
        return;
    };
    let accounts = Category::new("account").expect("valid");
    let mut blocker = sqlx::PgConnection::connect(&url).await.expect("connects");
    sqlx::query("BEGIN")
        .execute(&mut blocker)
        .await
        .expect("begins");
    sqlx::query("SELECT message_store.acquire_lock('account-blocked')")
        .execute(&mut blocker)
        .await
        .expect("holds the category lock");

    let first = {
        let (store, stream) = (store.clone(), accounts.stream(Uuid::new_v4()));
        tokio::spawn(async move {
            store
                .write_message(&stream, &deposited(), ExpectedVersion::Any)
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let queued_stream = accounts.stream(Uuid::new_v4());
    let queued = {
        let (store, stream) = (store.clone(), queued_stream.clone());
        tokio::spawn(async move {
            store
                .write_message(&stream, &deposited(), ExpectedVersion::Any)
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.abort();
    assert!(first.await.is_err_and(|error| error.is_cancelled()));

    sqlx::query("COMMIT")
        .execute(&mut blocker)
        .await
        .expect("releases the lock");
    let written = tokio::time::timeout(Duration::from_secs(10), queued)
        .await
        .expect("the queued write is not stranded")
        .expect("task");
    assert_eq!(written.expect("written"), 0);
    assert_eq!(
        store.stream_version(&queued_stream).await.expect("read"),
        Some(0)
    );
}

/// The store's pool does not check a connection before every query (that
/// would be a second round trip per query), only one that has sat idle for
/// a while (`store/idle_ping.rs`). So after the database has dropped every
/// connection (a restart, say) and a quiet second, the next write finds the
/// pool's connections dead at the check, replaces them, and succeeds.
#[tokio::test]
async fn a_write_after_the_database_dropped_the_idle_connections_succeeds() {
    let Some((url, store)) = fresh().await else {
        return;
    };
    write_a_deposit(&store).await;

    let dropped = drop_connections(&url).await;
    assert!(dropped >= 1, "the store had no connection to drop");

    tokio::time::sleep(messaging_layers::idle_ping::IDLE_BEFORE_PING + Duration::from_millis(200))
        .await;
    let stream = Category::new("account")
        .expect("valid")
        .stream(Uuid::new_v4());
    store
        .write_message(&stream, &deposited(), ExpectedVersion::Any)
        .await
        .expect("written on a fresh connection");
    assert_eq!(store.stream_version(&stream).await.expect("read"), Some(0));
}
