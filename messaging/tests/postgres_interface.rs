//! The Postgres store's SQL interface, exercised the way any Message DB
//! client would: `psql`, connected as the `message_store` role, with no
//! settings of its own. Every function and every error text of
//! `shared/message-db-interface.md` is checked here.

use std::path::PathBuf;
use std::process::Command;

use messaging::controls::postgres::{Server, fresh_database, store_at};

/// A database with the store installed by `psql` from the migration files.
struct Database {
    admin_url: String,
    role_url: String,
}

impl Database {
    async fn fresh() -> Option<Database> {
        let admin_url = fresh_database("interface").await?;
        install_with_psql(&admin_url);
        let role_url = with_user(&admin_url, "message_store");
        Some(Database {
            admin_url,
            role_url,
        })
    }

    /// Runs `sql` as the `message_store` role; returns stdout, or the error
    /// text of the first failing statement.
    fn as_role(&self, sql: &str) -> Result<String, String> {
        psql(&self.role_url, sql)
    }
}

fn psql_binary() -> PathBuf {
    Server::shared()
        .and_then(|server| server.cluster())
        .map(|cluster| cluster.bin().join("psql"))
        .filter(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from("psql"))
}

fn psql(url: &str, sql: &str) -> Result<String, String> {
    let output = Command::new(psql_binary())
        .args(["--no-psqlrc", "--no-align", "--tuples-only", "--quiet"])
        .args([
            "--set",
            "ON_ERROR_STOP=1",
            "--dbname",
            url,
            "--command",
            sql,
        ])
        .output()
        .expect("psql runs");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

fn install_with_psql(url: &str) {
    let folder = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/message-store/postgres"
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("migrations")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "sql"))
        .collect();
    files.sort();
    for file in files {
        let output = Command::new(psql_binary())
            .args([
                "--no-psqlrc",
                "--quiet",
                "--set",
                "ON_ERROR_STOP=1",
                "--dbname",
                url,
            ])
            .arg("--file")
            .arg(&file)
            .output()
            .expect("psql runs");
        assert!(
            output.status.success(),
            "{} failed: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The same URL with another user (and no password).
fn with_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

#[tokio::test]
async fn the_role_can_write_and_read_with_unqualified_names() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    let written = db.as_role(
        "SELECT write_message('11111111-1111-4111-8111-111111111111', 'account-1', 'Deposited', \
         '{\"amount\": 10}', '{\"correlationStreamName\": \"fundsTransfer-7\"}', -1); \
         SELECT write_message(gen_random_uuid()::varchar, 'account-1', 'Deposited', '{\"amount\": 20}', NULL, 0); \
         SELECT write_message(gen_random_uuid()::varchar, 'account-2+x', 'Withdrawn', '{}');",
    );
    assert_eq!(written, Ok("0\n1\n0".to_string()));

    let stream = db.as_role("SELECT id, stream_name, type, position, data, metadata FROM get_stream_messages('account-1')");
    assert_eq!(
        stream,
        Ok("11111111-1111-4111-8111-111111111111|account-1|Deposited|0|{\"amount\": 10}|{\"correlationStreamName\": \"fundsTransfer-7\"}\n"
            .to_string()
            + &db.as_role("SELECT id FROM get_last_stream_message('account-1')").expect("read")
            + "|account-1|Deposited|1|{\"amount\": 20}|")
    );
    assert_eq!(
        db.as_role("SELECT stream_name FROM get_category_messages('account')"),
        Ok("account-1\naccount-1\naccount-2+x".to_string())
    );
    assert_eq!(
        db.as_role("SELECT count(*) FROM message_store.get_category_messages('account', 1, 10, 'fundsTransfer')"),
        Ok("1".to_string())
    );
    assert_eq!(
        db.as_role("SELECT type FROM get_last_stream_message('account-1', 'Deposited')"),
        Ok("Deposited".to_string())
    );
    assert_eq!(
        db.as_role("SELECT count(*) FROM get_last_stream_message('account-1', 'Withdrawn')"),
        Ok("0".to_string())
    );
    assert_eq!(
        db.as_role("SELECT stream_version('account-1'), stream_version('account-9') IS NULL"),
        Ok("1|t".to_string())
    );
}

#[tokio::test]
async fn the_result_columns_are_message_dbs() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    db.as_role(
        "SELECT write_message(gen_random_uuid()::varchar, 'thing-1', 'Happened', '{\"a\":1}')",
    )
    .expect("written");
    let columns = db.as_role(
        "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' ORDER BY attnum) \
         FROM pg_attribute WHERE attrelid = 'message_store.message'::regclass AND attnum > 0",
    );
    assert_eq!(
        columns,
        Ok(
            "id:character varying,stream_name:character varying,type:character varying,\
            position:bigint,global_position:bigint,data:character varying,\
            metadata:character varying,time:timestamp without time zone"
                .to_string()
        )
    );
}

#[tokio::test]
async fn the_helper_functions_answer_as_message_db_does() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    assert_eq!(
        db.as_role("SELECT message_store_version()"),
        Ok("1.3.0".to_string())
    );
    assert_eq!(
        db.as_role("SELECT hash_64('account')"),
        Ok("-2132379389342958165".to_string())
    );
    assert_eq!(
        db.as_role(
            "SELECT category('account:command-123'), id('account-123+abc'), \
             cardinal_id('account-123+abc'), is_category('account'), is_category('account-1'), \
             id('account') IS NULL, cardinal_id('account') IS NULL"
        ),
        Ok("account:command|123+abc|123|t|f|t|t".to_string())
    );
    let acquired =
        db.as_role("BEGIN; SELECT acquire_lock('account-1') = hash_64('account'); COMMIT;");
    assert_eq!(acquired, Ok("t".to_string()));
}

#[tokio::test]
async fn rust_and_postgres_compute_the_same_hash() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    let values: Vec<String> = (0..50).map(|n| format!("value-{n}-é")).collect();
    let sql = values
        .iter()
        .map(|value| format!("SELECT hash_64('{value}');"))
        .collect::<String>();
    let from_postgres: Vec<i64> = db
        .as_role(&sql)
        .expect("hashes")
        .lines()
        .map(|line| line.parse().expect("a number"))
        .collect();
    let from_rust: Vec<i64> = values
        .iter()
        .map(|value| messaging::hash_64(value))
        .collect();
    assert_eq!(from_postgres, from_rust);
}

#[tokio::test]
async fn batch_sizes_follow_message_db() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    for n in 0..3 {
        db.as_role(&format!(
            "SELECT write_message(gen_random_uuid()::varchar, 'thing-{n}', 'Happened', '{{}}')"
        ))
        .expect("written");
    }
    assert_eq!(
        db.as_role("SELECT count(*) FROM get_category_messages('thing', 1, -1)"),
        Ok("3".into())
    );
    assert_eq!(
        db.as_role("SELECT count(*) FROM get_category_messages('thing', 1, 0)"),
        Ok("0".into())
    );
    assert_eq!(
        db.as_role("SELECT count(*) FROM get_category_messages('thing', NULL, NULL)"),
        Ok("3".into())
    );
    assert_eq!(
        db.as_role("SELECT count(*) FROM get_stream_messages('thing-1', 0, -1)"),
        Ok("1".into())
    );
    let negative = db.as_role("SELECT * FROM get_category_messages('thing', 1, -2)");
    assert!(
        negative
            .as_ref()
            .is_err_and(|text| text.contains("ERROR:  LIMIT must not be negative")),
        "{negative:?}"
    );
}

#[tokio::test]
async fn every_error_text_is_message_dbs() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    db.as_role("SELECT write_message(gen_random_uuid()::varchar, 'account-1', 'Opened', '{}')")
        .expect("written");
    let cases = [
        (
            "SELECT write_message(gen_random_uuid()::varchar, 'account-1', 'Deposited', '{}', NULL, 5)",
            "Wrong expected version: 5 (Stream: account-1, Stream Version: 0)",
        ),
        (
            "SELECT write_message(gen_random_uuid()::varchar, 'account-2', 'Deposited', '{}', NULL, 0)",
            "Wrong expected version: 0 (Stream: account-2, Stream Version: -1)",
        ),
        (
            "SELECT * FROM get_stream_messages('account')",
            "Must be a stream name: account",
        ),
        (
            "SELECT * FROM get_category_messages('account-1')",
            "Must be a category: account-1",
        ),
        (
            "SELECT * FROM get_category_messages('account', 1, 10, 'fundsTransfer-1')",
            "Correlation must be a category (Correlation: fundsTransfer-1)",
        ),
        (
            "SELECT * FROM get_category_messages('account', 1, 10, NULL, 0)",
            "Consumer group member and size must be specified (Consumer Group Member: 0, Consumer Group Size: <NULL>)",
        ),
        (
            "SELECT * FROM get_category_messages('account', 1, 10, NULL, NULL, 2)",
            "Consumer group member and size must be specified (Consumer Group Member: <NULL>, Consumer Group Size: 2)",
        ),
        (
            "SELECT * FROM get_category_messages('account', 1, 10, NULL, 0, 0)",
            "Consumer group size must not be less than 1 (Consumer Group Member: 0, Consumer Group Size: 0)",
        ),
        (
            "SELECT * FROM get_category_messages('account', 1, 10, NULL, -1, 2)",
            "Consumer group member must not be less than 0 (Consumer Group Member: -1, Consumer Group Size: 2)",
        ),
        (
            "SELECT * FROM get_category_messages('account', 1, 10, NULL, 2, 2)",
            "Consumer group member must be less than the group size (Consumer Group Member: 2, Consumer Group Size: 2)",
        ),
        (
            "SELECT * FROM get_category_messages('account', 1, 10, NULL, NULL, NULL, 'position = 0')",
            "Retrieval with SQL condition is not activated",
        ),
        (
            "SELECT * FROM get_stream_messages('account-1', 0, 10, 'position = 0')",
            "Retrieval with SQL condition is not activated",
        ),
    ];
    for (sql, text) in cases {
        let result = db.as_role(sql);
        assert!(
            result
                .as_ref()
                .is_err_and(|error| error.contains(&format!("ERROR:  {text}"))),
            "{sql}\n  expected: {text}\n  got: {result:?}"
        );
    }
}

/// `write_messages` (this store's one extension of the interface) writes
/// its messages in array order, each at its expected version, in one
/// statement: all of them, or none when any one is refused. It refuses
/// arrays of different lengths and messages of different categories.
#[tokio::test]
async fn write_messages_writes_in_order_all_or_none() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    let call = |streams: &str, expected_versions: &str| {
        format!(
            "SELECT write_messages(\
               ARRAY(SELECT gen_random_uuid()::varchar FROM unnest('{streams}'::varchar[])), \
               '{streams}', \
               ARRAY(SELECT 'Deposited' FROM unnest('{streams}'::varchar[])), \
               ARRAY(SELECT jsonb_build_object('n', n) FROM generate_series(1, cardinality('{streams}'::varchar[])) n), \
               ARRAY(SELECT NULL::jsonb FROM unnest('{streams}'::varchar[])), \
               '{expected_versions}')"
        )
    };
    assert_eq!(
        db.as_role(&call("{account-1,account-2,account-1}", "{-1,NULL,0}")),
        Ok("{0,0,1}".to_string())
    );
    assert_eq!(
        db.as_role(
            "SELECT stream_name, position, data::jsonb->>'n' FROM get_category_messages('account')"
        ),
        Ok("account-1|0|1\naccount-2|0|2\naccount-1|1|3".to_string())
    );

    let refusals = [
        (
            call("{account-2,account-1}", "{0,5}"),
            "Wrong expected version: 5 (Stream: account-1, Stream Version: 1)",
        ),
        (
            call("{account-2,fundsTransfer-1}", "{NULL,NULL}"),
            "Must be one category: account (Stream: fundsTransfer-1)",
        ),
        (
            call("{account-2,account-3}", "{NULL}"),
            "Arrays must have one element per message: 2 ids, 2 stream names, 2 types, 2 data, 2 metadata, 1 expected versions",
        ),
    ];
    for (sql, text) in refusals {
        let result = db.as_role(&sql);
        assert!(
            result
                .as_ref()
                .is_err_and(|error| error.contains(&format!("ERROR:  {text}"))),
            "{sql}\n  expected: {text}\n  got: {result:?}"
        );
    }
    // The first message of each refused call was valid on its own (account-2
    // was at version 0): it was rolled back with the rest.
    assert_eq!(
        db.as_role("SELECT count(*) FROM messages"),
        Ok("3".to_string())
    );
    assert_eq!(
        db.as_role(&call("{}", "{}")),
        Ok("{}".to_string()),
        "nothing to write is written"
    );
}

#[tokio::test]
async fn a_condition_is_applied_once_the_administrator_activates_it() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    for n in 0..3 {
        db.as_role(&format!(
            "SELECT write_message(gen_random_uuid()::varchar, 'thing-1', 'Happened', '{{\"n\": {n}}}')"
        ))
        .expect("written");
    }
    let filtered = db.as_role(
        "SET message_store.sql_condition = on; \
         SELECT data FROM get_category_messages('thing', 1, 10, NULL, NULL, NULL, 'position > 0'); \
         SELECT count(*) FROM get_stream_messages('thing-1', 0, 10, 'position = 2');",
    );
    assert_eq!(filtered, Ok("{\"n\": 1}\n{\"n\": 2}\n1".to_string()));
}

/// The everyday reads are written out in the functions, and only a read
/// with a condition builds its query as text; that text must still apply
/// the correlation and the consumer group as the written-out reads do.
#[tokio::test]
async fn a_condition_combines_with_correlation_and_consumer_group() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    // Four streams of `thing`, each with a message caused by `other` and one
    // that was not.
    for id in 1..=4 {
        for (n, metadata) in [(0, r#"{"correlationStreamName": "other-9"}"#), (1, "{}")] {
            db.as_role(&format!(
                "SELECT write_message(gen_random_uuid()::varchar, 'thing-{id}', 'Happened', \
                 '{{\"n\": {n}}}', '{metadata}')"
            ))
            .expect("written");
        }
    }
    let read = |member: u64, condition: &str| {
        db.as_role(&format!(
            "SET message_store.sql_condition = on; \
             SELECT stream_name || ':' || position FROM get_category_messages('thing', 1, 10, \
             'other', {member}, 2, {condition})"
        ))
        .expect("read")
    };
    let mut seen = Vec::new();
    for member in 0..2 {
        let written_out = read(member, "NULL");
        assert_eq!(
            read(member, "'position >= 0'"),
            written_out,
            "member {member}"
        );
        assert_eq!(read(member, "'position > 0'"), "", "member {member}");
        seen.extend(written_out.lines().map(str::to_string));
    }
    // Between them the two members read each correlated message once, and
    // nothing else.
    seen.sort();
    assert_eq!(seen, ["thing-1:0", "thing-2:0", "thing-3:0", "thing-4:0"]);
}

#[tokio::test]
async fn the_role_can_read_the_summary_views() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    db.as_role(
        "SELECT write_message(gen_random_uuid()::varchar, 'account-1', 'Opened', '{}'); \
         SELECT write_message(gen_random_uuid()::varchar, 'account-1', 'Deposited', '{}'); \
         SELECT write_message(gen_random_uuid()::varchar, 'account:command-1', 'Deposit', '{}');",
    )
    .expect("written");
    let expectations = [
        (
            "stream_summary",
            "account-1|2|66.67\naccount:command-1|1|33.33",
        ),
        (
            "type_summary",
            "Deposit|1|33.33\nDeposited|1|33.33\nOpened|1|33.33",
        ),
        (
            "stream_type_summary",
            "account-1|Deposited|1|33.33\naccount-1|Opened|1|33.33\naccount:command-1|Deposit|1|33.33",
        ),
        (
            "type_stream_summary",
            "Deposit|account:command-1|1|33.33\nDeposited|account-1|1|33.33\nOpened|account-1|1|33.33",
        ),
        (
            "category_type_summary",
            "account|Deposited|1|33.33\naccount|Opened|1|33.33\naccount:command|Deposit|1|33.33",
        ),
        (
            "type_category_summary",
            "Deposit|account:command|1|33.33\nDeposited|account|1|33.33\nOpened|account|1|33.33",
        ),
    ];
    for (view, expected) in expectations {
        assert_eq!(
            db.as_role(&format!("SELECT * FROM {view}")),
            Ok(expected.to_string()),
            "{view}"
        );
    }
}

#[tokio::test]
async fn the_role_cannot_rewrite_history() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    db.as_role("SELECT write_message(gen_random_uuid()::varchar, 'account-1', 'Opened', '{}')")
        .expect("written");
    for sql in [
        "UPDATE messages SET type = 'Closed'",
        "DELETE FROM messages",
        "TRUNCATE messages",
    ] {
        let result = db.as_role(sql);
        assert!(
            result
                .as_ref()
                .is_err_and(|error| error.contains("permission denied")),
            "{sql}: {result:?}"
        );
    }
    assert_eq!(
        db.as_role("SELECT count(*) FROM messages"),
        Ok("1".to_string())
    );
}

#[tokio::test]
async fn installing_again_from_psql_and_rust_in_any_order_is_harmless() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    db.as_role("SELECT write_message(gen_random_uuid()::varchar, 'account-1', 'Opened', '{}')")
        .expect("written");
    // Rust installs, several at once (as several binaries starting together
    // would), then psql again.
    let installs: Vec<_> = (0..3)
        .map(|_| {
            let url = db.admin_url.clone();
            tokio::spawn(async move { store_at(&url).await })
        })
        .collect();
    for install in installs {
        install.await.expect("installed");
    }
    install_with_psql(&db.admin_url);
    assert_eq!(
        db.as_role("SELECT count(*) FROM messages"),
        Ok("1".to_string())
    );
    assert_eq!(
        db.as_role(
            "SELECT write_message(gen_random_uuid()::varchar, 'account-1', 'Closed', '{}', NULL, 0)"
        ),
        Ok("1".to_string())
    );
}

/// A SQL writer that asks for notifications (`notify_in_trigger = on`, see
/// `011_new_message_notifications.sql`) wakes a listener with the message's
/// category. Without asking it is not heard (`postgres_writer.rs` shows both).
#[tokio::test]
async fn a_written_message_wakes_a_listener_with_its_category() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    let mut listener = sqlx::postgres::PgListener::connect(&db.role_url)
        .await
        .expect("listens");
    listener.listen("message_store").await.expect("listens");
    db.as_role(
        "SET message_store.notify_in_trigger = on; \
         SELECT write_message(gen_random_uuid()::varchar, 'account:command-1', 'Deposit', '{}')",
    )
    .expect("written");
    let notification = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv())
        .await
        .expect("notified")
        .expect("notification");
    assert_eq!(notification.payload(), "account:command");
}

/// The read functions run their statements with plans made once per
/// session, without the values, so Postgres cannot tell a rare category
/// from a common one. A consumer catching up on a rare category must still
/// walk the category index rather than the whole table in global order.
/// (`category` stays PL/pgSQL for this; see `004_stream_name_functions.sql`.)
#[tokio::test]
async fn a_category_read_walks_the_category_index_even_with_a_plan_made_without_values() {
    let Some(db) = Database::fresh().await else {
        return;
    };
    let admin = |sql: &str| psql(&db.admin_url, sql).expect("admin SQL");
    admin(
        "INSERT INTO message_store.messages (id, stream_name, position, type, data, metadata) \
         SELECT gen_random_uuid(), 'common-' || n, 0, 'Happened', '{}', \
                '{\"correlationStreamName\": \"other-1\"}' \
         FROM generate_series(1, 5000) AS n; \
         SELECT message_store.write_message(gen_random_uuid()::varchar, 'rare-1', 'Happened', '{}'); \
         ANALYZE message_store.messages;",
    );
    let scans = |index: &str| -> i64 {
        admin(&format!(
            "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = '{index}'"
        ))
        .trim()
        .parse()
        .expect("a count")
    };
    let (category_before, table_order_before) =
        (scans("messages_category"), scans("messages_pkey"));
    // Ten reads of each kind in one session: the plan cache makes its plan
    // without values once it has run a statement five times; forcing it
    // makes sure.
    let reads = format!(
        "SET plan_cache_mode = force_generic_plan; {}{} SELECT pg_stat_force_next_flush();",
        "SELECT count(*) FROM message_store.get_category_messages('rare', 1, 1000); ".repeat(10),
        "SELECT count(*) FROM message_store.get_category_messages('common', 4500, 1000, 'other'); "
            .repeat(10),
    );
    let counts: Vec<String> = admin(&reads).lines().map(str::to_string).collect();
    assert_eq!(counts[..10], ["1"; 10]);
    assert_eq!(counts[10..20], ["501"; 10]);
    let (category_after, table_order_after) = (scans("messages_category"), scans("messages_pkey"));
    assert!(
        category_after >= category_before + 20,
        "the reads did not use the category index: {category_before} -> {category_after} \
         (in global order: {table_order_before} -> {table_order_after})"
    );
    assert_eq!(
        table_order_after, table_order_before,
        "a read walked the table in global order"
    );
}
