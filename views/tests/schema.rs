//! Views of another shape are dropped and created afresh at start-up, on
//! both databases; views of the current shape are left as they are.

use messaging::controls::postgres;
use messaging::controls::sqlite::TemporaryFile;
use sqlx::Row;
use views::{SCHEMA_VERSION, ViewDatabase, Views};

/// The accounts table as the views had it before they carried a version:
/// its status said `open` as now, but it had no version table beside it.
const OLD_SHAPE: &str = "CREATE TABLE accounts (account_id text PRIMARY KEY, \
    customer_id text, holder_name text, balance bigint NOT NULL DEFAULT 0, \
    status text NOT NULL, opened_time text, closed_time text, last_position bigint NOT NULL); \
    INSERT INTO accounts VALUES ('00000000-0000-4000-8000-000000000001', NULL, 'Old', 5, \
    'open', '2026-11-26T10:00:00.000Z', NULL, 3); \
    CREATE TABLE aggregator_positions (category text PRIMARY KEY, position bigint NOT NULL); \
    INSERT INTO aggregator_positions VALUES ('account', 3);";

async fn rows(views: &ViewDatabase, table: &str) -> i64 {
    let count = format!("SELECT count(*) AS n FROM {table}");
    let row = sqlx::query(sqlx::AssertSqlSafe(count))
        .fetch_one(views.pool())
        .await
        .expect("counted");
    row.try_get("n").expect("a count")
}

async fn version(views: &ViewDatabase) -> i64 {
    let row = sqlx::query("SELECT version FROM views_schema")
        .fetch_one(views.pool())
        .await
        .expect("one version");
    row.try_get("version").expect("a version")
}

async fn views_of_an_older_shape_are_dropped_and_created_again(url: &str) {
    let views = ViewDatabase::connect(url, 2).await.expect("connected");
    sqlx::raw_sql(OLD_SHAPE)
        .execute(views.pool())
        .await
        .expect("the old shape");

    views.install().await.expect("installed");

    assert_eq!(version(&views).await, SCHEMA_VERSION);
    assert_eq!(rows(&views, "accounts").await, 0, "the old rows are gone");
    assert_eq!(
        rows(&views, "aggregator_positions").await,
        0,
        "so the aggregator starts again from the first message"
    );
    // And the new shape reads: the page's statement names every column.
    Views::new(&views)
        .account_page(
            uuid::Uuid::new_v4(),
            views::account_page::StatementLines {
                before: None,
                lines: 5,
            },
        )
        .await
        .expect("the page reads the new tables");

    // Installed again at the same version, the views keep their rows.
    sqlx::query("INSERT INTO aggregator_positions (category, position) VALUES ('account', 9)")
        .execute(views.pool())
        .await
        .expect("a position");
    views.install().await.expect("installed again");
    assert_eq!(rows(&views, "aggregator_positions").await, 1);
    assert_eq!(rows(&views, "views_schema").await, 1);
}

#[tokio::test]
async fn on_sqlite() {
    let file = TemporaryFile::new("views-schema");
    views_of_an_older_shape_are_dropped_and_created_again(&file.url()).await;
}

#[tokio::test]
async fn on_postgres() {
    let Some(url) = postgres::fresh_database("views_schema").await else {
        return;
    };
    views_of_an_older_shape_are_dropped_and_created_again(&url).await;
}

#[test]
fn both_schema_files_create_the_version_the_code_expects() {
    for file in ["postgres", "sqlite"] {
        let path = format!(
            "{}/../migrations/views/{file}/001_views.sql",
            env!("CARGO_MANIFEST_DIR")
        );
        let schema = std::fs::read_to_string(&path).expect("the schema");
        let expected = match file {
            "postgres" => format!("WHERE version = {SCHEMA_VERSION}"),
            _ => format!("SELECT {SCHEMA_VERSION} WHERE NOT EXISTS"),
        };
        assert!(schema.contains(&expected), "{path} lacks {expected:?}");
    }
}
