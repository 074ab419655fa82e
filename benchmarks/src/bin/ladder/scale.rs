//! L10: the pages at scale. The same pages, in the same run, over views of
//! a bank of 100 accounts and of one of 100,000 (with a million statement
//! lines): the home page, an account page, a search, and an earlier page of
//! a long statement. A page whose cost grew with the bank (as the home page
//! did when it listed every account: 1.9 s and 20 MB at 100,000) shows
//! here as a ratio far below one, and as a size far above its target.
//!
//! The views are filled by SQL, not through the components: the pages read
//! only views, and a million statement lines written through the bank would
//! take the ladder an hour. Afterwards the rung asks Postgres how often the
//! pages read a whole table instead of an index (`pg_stat_user_tables`).

use std::net::SocketAddr;
use std::sync::Arc;

use benchmarks::{BenchPostgres, say};
use messaging::store::Writes;
use messaging::{Clock, MessageStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use views::ViewDatabase;
use web_ui::security::AllowedHosts;

use crate::report::Rung;
use crate::web::{load, serve_on};

/// The two banks.
const SMALL: i64 = 100;
const LARGE: i64 = 100_000;
/// Statement lines of every account.
const LINES_PER_ACCOUNT: i64 = 10;
/// Statement lines of one busy account, whose earlier pages are measured.
const BUSY_LINES: i64 = 10_000;
/// Each page at the large bank must take at most this many times its time at
/// the small one...
const SLOWER_AT_MOST: f64 = 1.5;
/// ... and weigh less than this.
const KILOBYTES_AT_MOST: f64 = 100.0;

/// The views of one bank, the addresses its pages are measured at, and how
/// often each table had been read whole before they were.
struct Bank {
    accounts: i64,
    url: String,
    paths: Vec<(&'static str, String)>,
    scans_before: Vec<(String, i64)>,
}

/// L10.
pub async fn rungs(postgres: &BenchPostgres) -> anyhow::Result<Vec<Rung>> {
    let mut banks = Vec::new();
    for accounts in [SMALL, LARGE] {
        let url = postgres
            .create_database(&format!("ladder_scale_{accounts}"))
            .await?;
        let views = ViewDatabase::connect(&url, 2).await?;
        views.install().await?;
        fill(&views, accounts).await?;
        let paths = paths(&views, accounts).await?;
        views.pool().close().await;
        banks.push(Bank {
            accounts,
            paths,
            scans_before: table_scans(&url).await?,
            url,
        });
    }

    // Two rounds, the banks taking turns, and the better figure of each:
    // the machine's own noise should not decide a ratio.
    let pages = banks[0].paths.len();
    let mut rates = vec![[0.0_f64; 2]; pages];
    let mut sizes = vec![[0_usize; 2]; pages];
    for _round in 0..2 {
        for (b, bank) in banks.iter().enumerate() {
            let shutdown = CancellationToken::new();
            let views = ViewDatabase::connect(&bank.url, 10).await?;
            let address = serve(&views, &shutdown).await?;
            for (p, (_, path)) in bank.paths.iter().enumerate() {
                sizes[p][b] = body_size(address, path).await?;
                let request = {
                    let path = path.clone();
                    Arc::new(move |_| format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n"))
                };
                rates[p][b] = rates[p][b].max(load(address, request).await?);
            }
            shutdown.cancel();
            views.pool().close().await;
        }
    }

    let mut rungs = Vec::new();
    for (p, (name, _)) in banks[0].paths.iter().enumerate() {
        rungs.push(
            Rung::new(
                "L10",
                format!("{name}, {LARGE} accounts"),
                rates[p][1],
                "requests/s",
            )
            .against(format!("the same, {SMALL} accounts"), rates[p][0])
            .target_ratio((1.0 / SLOWER_AT_MOST * 100.0).floor() / 100.0),
        );
        let kilobytes = sizes[p][1] as f64 / 1024.0;
        rungs.push(
            Rung::new(
                "L10",
                format!("  its size, {LARGE} accounts"),
                kilobytes,
                "KB",
            )
            .against(format!("{SMALL} accounts"), sizes[p][0] as f64 / 1024.0)
            .target(
                format!("under {KILOBYTES_AT_MOST} KB"),
                kilobytes < KILOBYTES_AT_MOST,
            ),
        );
    }
    let large = &banks[1];
    let scans_after = table_scans(&large.url).await?;
    let scans: Vec<(String, i64)> = scans_after
        .iter()
        .map(|(table, after)| {
            let before = large
                .scans_before
                .iter()
                .find(|(name, _)| name == table)
                .map_or(0, |(_, count)| *count);
            (table.clone(), after - before)
        })
        .collect();
    say(&format!(
        "L10: whole-table reads by the pages at {} accounts: {scans:?} \
         (before them, by building the views: {:?})",
        large.accounts, large.scans_before
    ));
    let total: i64 = scans.iter().map(|(_, count)| count).sum();
    rungs.push(
        Rung::new(
            "L10",
            format!("  whole-table reads by those pages, {LARGE} accounts"),
            total as f64,
            "scans",
        )
        .target("none", total == 0),
    );
    Ok(rungs)
}

/// `accounts` accounts, "Holder 1" (the oldest) to "Holder {accounts}", a
/// second apart, each with [`LINES_PER_ACCOUNT`] deposits; every tenth
/// sends a transfer to the one before it; "Holder 1" has
/// [`BUSY_LINES`] more lines. Ids are made from the numbers, so both banks
/// name the same accounts alike.
async fn fill(views: &ViewDatabase, accounts: i64) -> anyhow::Result<()> {
    let time = |at: &str| {
        format!(
            "to_char(timestamp '2026-01-01' + {at} * interval '1 second', \
             'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        )
    };
    let id = |prefix: &str, n: &str| format!("md5('{prefix}' || {n})::uuid::text");
    let statements = [
        format!(
            "INSERT INTO accounts (account_id, customer_id, holder_name, balance, status, \
               opened_time, last_position) \
             SELECT {}, {}, 'Holder ' || n, {LINES_PER_ACCOUNT} * 1000, 'open', {}, n \
             FROM generate_series(1, {accounts}) AS n",
            id("a", "n"),
            id("c", "n"),
            time("n"),
        ),
        format!(
            "INSERT INTO statement_lines (account_id, global_position, position, entry, \
               transaction_id, amount, balance_after, time) \
             SELECT {}, g, g % {LINES_PER_ACCOUNT}, 'deposit', {}, 1000, \
               1000 * (g % {LINES_PER_ACCOUNT} + 1), {} \
             FROM generate_series(0, {accounts} * {LINES_PER_ACCOUNT} - 1) AS g",
            id("a", &format!("(g / {LINES_PER_ACCOUNT} + 1)")),
            id("t", "g"),
            time("g"),
        ),
        format!(
            "INSERT INTO statement_lines (account_id, global_position, position, entry, \
               transaction_id, amount, balance_after, time) \
             SELECT {}, {accounts} * {LINES_PER_ACCOUNT} + k, {LINES_PER_ACCOUNT} + k, \
               'deposit', {}, 1000, 1000 * ({LINES_PER_ACCOUNT} + k + 1), {} \
             FROM generate_series(0, {BUSY_LINES} - 1) AS k",
            id("a", "1"),
            id("busy", "k"),
            time("k"),
        ),
        format!(
            "INSERT INTO transfers (funds_transfer_id, withdrawal_account_id, \
               deposit_account_id, amount, status, requested_time, initiated_time, \
               transferred_time, last_position) \
             SELECT {}, {}, {}, 500, 'transferred', {}, {}, {}, n \
             FROM generate_series(10, {accounts}, 10) AS n",
            id("f", "n"),
            id("a", "n"),
            id("a", "(n - 1)"),
            time("n"),
            time("n"),
            time("n"),
        ),
        "ANALYZE".to_string(),
    ];
    for statement in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(views.pool())
            .await?;
    }
    Ok(())
}

/// The pages measured, by name: each is the same page of the same account
/// in both banks. The ids are made as `fill` makes them, by a query that
/// reads no table.
async fn paths(views: &ViewDatabase, accounts: i64) -> anyhow::Result<Vec<(&'static str, String)>> {
    let id = |n: i64| {
        sqlx::query_scalar::<_, String>("SELECT md5('a' || $1)::uuid::text")
            .bind(n.to_string())
            .fetch_one(views.pool())
    };
    let (fiftieth, busy) = (id(50).await?, id(1).await?);
    // Half way down the busy account's statement.
    let middle = accounts * LINES_PER_ACCOUNT + BUSY_LINES / 2;
    Ok(vec![
        ("the home page", "/".to_string()),
        ("an account page", format!("/accounts/{fiftieth}")),
        ("a search by name", "/?search=holder%2050".to_string()),
        (
            "a statement page half way down 10,010 lines",
            format!("/accounts/{busy}?lines_before={middle}"),
        ),
    ])
}

/// The web UI over this bank's views, on a port of its own.
async fn serve(views: &ViewDatabase, shutdown: &CancellationToken) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let state = web_ui::AppState {
        views: views::Views::new(views),
        // The pages measured read only views.
        store: MessageStore::in_memory().restricted_to(Writes::OnlyCommands),
        clock: Clock::system(),
        hosts: AllowedHosts::listed(["bench"]),
        components: web_ui::components::InProcess::default(),
    };
    serve_on(listener, web_ui::app(state), shutdown.clone())
}

/// The length of a page's body, in bytes.
async fn body_size(address: SocketAddr, path: &str) -> anyhow::Result<usize> {
    let mut stream = TcpStream::connect(address).await?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response);
    anyhow::ensure!(
        text.starts_with("HTTP/1.1 200"),
        "{path}: {}",
        text.lines().next().unwrap_or("")
    );
    let (_, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("{path}: no body"))?;
    Ok(body.len())
}

/// How many times each view table has been read whole. A connection hands
/// its counts to the statistics when it ends, a moment after it is closed:
/// the pause lets the last ones arrive.
async fn table_scans(url: &str) -> anyhow::Result<Vec<(String, i64)>> {
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let pool = sqlx::PgPool::connect(url).await?;
    let scans = sqlx::query_as(
        "SELECT relname::text, seq_scan FROM pg_stat_user_tables \
         WHERE relname IN ('accounts', 'statement_lines', 'transfers') ORDER BY relname",
    )
    .fetch_all(&pool)
    .await?;
    pool.close().await;
    Ok(scans)
}
