//! Message DB to the letter: a differential test against Message DB 1.3.0.
//!
//! `message_db/calls.sql` lists the calls a Message DB client can make, with
//! good arguments and bad. `message_db/answers.txt` is what Message DB 1.3.0
//! itself answered to exactly those calls, in one session on a fresh
//! database: its recorded behaviour (rows, global positions, error codes and
//! texts), not its code. This test makes the same calls to this store and
//! compares the answers exactly. Where this store differs on purpose, the
//! difference is listed in `KEPT_DIFFERENCES` and explained in
//! `migrations/message-store/postgres/README.md`.
//!
//! To record Message DB's answers again (say, for a new version), fetch its
//! repository at the tag and run:
//!
//! ```sh
//! MESSAGE_DB_SOURCE=/path/to/message-db cargo test -p messaging --test message_db -- --ignored
//! ```

use std::fmt::Write as _;

use messaging::controls::message_db;
use messaging::controls::postgres::{fresh_database, store_at};
use sqlx::postgres::PgConnection;
use sqlx::{Connection, Row};

const CALLS: &str = include_str!("message_db/calls.sql");
const ANSWERS_FILE: &str = "tests/message_db/answers.txt";

/// Calls whose answer differs from Message DB's on purpose, each with the
/// reason (the README of the migrations says more).
const KEPT_DIFFERENCES: &[(&str, &str)] = &[];

/// The calls, in order: every line that is neither blank nor a comment.
fn calls() -> impl Iterator<Item = &'static str> {
    CALLS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("--"))
}

/// Makes every call, in one session, and writes down each answer.
async fn answers(url: &str) -> String {
    let mut connection = PgConnection::connect(url).await.expect("connected");
    let mut answers = String::new();
    for call in calls() {
        let _ = writeln!(answers, "> {call}");
        for line in answer(&mut connection, call).await {
            let _ = writeln!(answers, "{line}");
        }
    }
    answers
}

/// One call's answer: `ok` for a setting, each row as JSON (the time
/// column left out: it is the clock's), or the error.
async fn answer(connection: &mut PgConnection, call: &str) -> Vec<String> {
    if call.starts_with("SET ") || call.starts_with("RESET ") {
        return match sqlx::raw_sql(sqlx::AssertSqlSafe(call.to_string()))
            .execute(&mut *connection)
            .await
        {
            Ok(_) => vec!["ok".to_string()],
            Err(error) => vec![describe(&error)],
        };
    }
    let query = format!("SELECT (to_jsonb(t) - 'time')::text AS row FROM ({call}) t");
    match sqlx::query(sqlx::AssertSqlSafe(query))
        .fetch_all(&mut *connection)
        .await
    {
        Ok(rows) if rows.is_empty() => vec!["(no rows)".to_string()],
        Ok(rows) => rows
            .iter()
            .map(|row| {
                row.try_get::<String, _>("row")
                    .unwrap_or_else(|e| e.to_string())
            })
            .collect(),
        Err(error) => vec![describe(&error)],
    }
}

fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(database) => format!(
            "error {}: {}",
            database.code().unwrap_or_default(),
            database.message()
        ),
        other => format!("error: {other}"),
    }
}

/// The answers, call by call.
fn by_call(answers: &str) -> Vec<(String, Vec<String>)> {
    let mut calls: Vec<(String, Vec<String>)> = Vec::new();
    for line in answers.lines() {
        if let Some(call) = line.strip_prefix("> ") {
            calls.push((call.to_string(), Vec::new()));
        } else if let Some((_, lines)) = calls.last_mut() {
            lines.push(line.to_string());
        }
    }
    calls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_answers_every_call_as_message_db_1_3_0_does() {
    let Some(url) = fresh_database("message_db_calls").await else {
        return;
    };
    store_at(&url).await;
    let ours = by_call(&answers(&url).await);
    let recorded = std::fs::read_to_string(ANSWERS_FILE).expect("the recorded answers");
    let theirs = by_call(&recorded);
    assert_eq!(
        ours.iter().map(|(call, _)| call).collect::<Vec<_>>(),
        theirs.iter().map(|(call, _)| call).collect::<Vec<_>>(),
        "the calls changed since Message DB's answers were recorded: record them again"
    );
    let mut differences = Vec::new();
    for ((call, our_answer), (_, their_answer)) in ours.iter().zip(&theirs) {
        let kept = KEPT_DIFFERENCES.iter().any(|(kept, _)| kept == call);
        if our_answer != their_answer && !kept {
            differences.push(format!(
                "> {call}\n  Message DB: {}\n  this store: {}",
                their_answer.join("\n              "),
                our_answer.join("\n              ")
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} call(s) answered differently:\n{}",
        differences.len(),
        differences.join("\n")
    );
    eprintln!(
        "{} calls answered as Message DB 1.3.0 answers them ({} kept differences)",
        ours.len(),
        KEPT_DIFFERENCES.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "records Message DB's answers; needs MESSAGE_DB_SOURCE (see the module's documentation)"]
async fn record_message_db_answers() {
    let source = message_db::source_from_environment()
        .expect("MESSAGE_DB_SOURCE names a copy of the message-db repository");
    let url = fresh_database("message_db_itself")
        .await
        .expect("a Postgres to install Message DB into");
    let version = message_db::install(&url, &source)
        .await
        .expect("Message DB installed");
    let answers = answers(&url).await;
    std::fs::write(ANSWERS_FILE, &answers).expect("written");
    eprintln!(
        "recorded Message DB {version}'s answers to {} calls in {ANSWERS_FILE}",
        by_call(&answers).len()
    );
}
