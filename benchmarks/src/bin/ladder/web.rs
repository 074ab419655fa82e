//! L8: the web UI under load, beside a bare axum handler that runs the
//! page's one SELECT on the same pool, and posting a form beside
//! `write_message`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use messaging::{Clock, MessageStore};
use sqlx::Row;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::report::Rung;

const CONNECTIONS: usize = 4;
const SECONDS: u64 = 5;

/// Sends requests over `CONNECTIONS` keep-alive connections for a few
/// seconds; returns requests per second. `request(n)` makes the n-th.
pub async fn load(
    address: SocketAddr,
    request: Arc<dyn Fn(usize) -> String + Send + Sync>,
) -> anyhow::Result<f64> {
    let done = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|connection| {
            let (done, request) = (Arc::clone(&done), Arc::clone(&request));
            tokio::spawn(async move {
                let stream = TcpStream::connect(address).await?;
                let mut stream = BufReader::new(stream);
                let mut n = connection;
                while Instant::now() < deadline {
                    stream.get_mut().write_all(request(n).as_bytes()).await?;
                    let mut length = 0usize;
                    let mut status = String::new();
                    stream.read_line(&mut status).await?;
                    anyhow::ensure!(
                        status.contains(" 200 ") || status.contains(" 303 "),
                        "{status}"
                    );
                    loop {
                        let mut line = String::new();
                        stream.read_line(&mut line).await?;
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(value) =
                            line.to_ascii_lowercase().strip_prefix("content-length:")
                        {
                            length = value.trim().parse()?;
                        }
                    }
                    let mut body = vec![0; length];
                    stream.read_exact(&mut body).await?;
                    done.fetch_add(1, Ordering::Relaxed);
                    n += CONNECTIONS;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    let start = Instant::now();
    for task in tasks {
        task.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

/// A baseline's failure, as a 500: the load counts only 200s, so a
/// baseline that failed cannot pass for a fast one.
type Answer = Result<String, (StatusCode, String)>;

fn failed(error: sqlx::Error) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}

/// The account page's one statement, and the pool to run it on.
#[derive(Clone)]
struct PageStatement {
    pool: sqlx::AnyPool,
    sql: Arc<str>,
}

/// The columns of the page's statement, one JSON text per part of the page
/// (`views::account_page::statement`; a column missing here fails the load
/// with a 500, so the baseline cannot drift from the page unnoticed).
const PAGE_PARTS: [&str; 7] = [
    "account",
    "statement",
    "line_transfers",
    "pending",
    "transfers",
    "names",
    "destinations",
];

/// The baseline: the account page's statement (see `views::account_page`),
/// with the answer sent back as the database gave it, one JSON text per part:
/// what a JSON API would serve, the page without the page. What the page
/// adds to this is its own cost: decoding the answer, rendering it as HTML.
async fn page_select(State(page): State<PageStatement>, Path(account_id): Path<Uuid>) -> Answer {
    let row = sqlx::query(sqlx::AssertSqlSafe(&*page.sql))
        .bind(account_id.to_string())
        .bind(web_ui::presenters::account::LINES_READ)
        // The latest lines, as the page shows them first: those before the
        // end of time.
        .bind(i64::MAX)
        .fetch_one(&page.pool)
        .await
        .map_err(failed)?;
    let mut parts = Vec::with_capacity(PAGE_PARTS.len());
    for name in PAGE_PARTS {
        parts.extend(row.try_get::<Option<String>, _>(name).map_err(failed)?);
    }
    Ok(parts.join("\n"))
}

/// For scale: the smallest SELECT there is, one integer of one row.
async fn one_integer(State(pool): State<sqlx::AnyPool>, Path(account_id): Path<String>) -> Answer {
    let row = sqlx::query("SELECT balance FROM accounts WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&pool)
        .await
        .map_err(failed)?;
    let balance: i64 = row.try_get("balance").map_err(failed)?;
    Ok(balance.to_string())
}

async fn serve(router: axum::Router, shutdown: CancellationToken) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    serve_on(listener, router, shutdown)
}

pub fn serve_on(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: CancellationToken,
) -> anyhow::Result<SocketAddr> {
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
    });
    Ok(address)
}

/// L8, on views that hold `account_id` (with its statement).
pub async fn rungs(
    store: &MessageStore,
    views_url: &str,
    account_id: Uuid,
    l2_at_connections: f64,
) -> anyhow::Result<Vec<Rung>> {
    let views = views::ViewDatabase::connect(views_url, 10).await?;
    let shutdown = CancellationToken::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let state = web_ui::AppState {
        views: views::Views::new(&views),
        store: store
            .clone()
            .restricted_to(messaging::store::Writes::OnlyCommands),
        clock: Clock::system(),
        // The load below names its host `bench`.
        hosts: web_ui::security::AllowedHosts::listed(["bench"]),
        components: web_ui::components::InProcess::default(),
    };
    let ui = serve_on(listener, web_ui::app(state), shutdown.clone())?;
    let baseline = serve(
        axum::Router::new()
            .route("/account/{account_id}", axum::routing::get(page_select))
            .with_state(PageStatement {
                pool: views.pool().clone(),
                sql: views::account_page::statement(views.kind()).into(),
            }),
        shutdown.clone(),
    )
    .await?;
    let smallest = serve(
        axum::Router::new()
            .route("/account/{account_id}", axum::routing::get(one_integer))
            .with_state(views.pool().clone()),
        shutdown.clone(),
    )
    .await?;

    let get = |path: String| -> Arc<dyn Fn(usize) -> String + Send + Sync> {
        Arc::new(move |_| format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n"))
    };
    let page = load(ui, get(format!("/accounts/{account_id}"))).await?;
    let select = load(baseline, get(format!("/account/{account_id}"))).await?;
    let integer = load(smallest, get(format!("/account/{account_id}"))).await?;
    let post = load(
        ui,
        Arc::new(move |_| {
            let body = format!("command_id={}&amount=1.00", Uuid::new_v4());
            format!(
                "POST /accounts/{account_id}/deposits HTTP/1.1\r\nHost: bench\r\nSec-Fetch-Site: same-origin\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        }),
    )
    .await?;
    shutdown.cancel();
    Ok(vec![
        Rung::new(
            "L8",
            format!("account page, {CONNECTIONS} connections"),
            page,
            "requests/s",
        )
        .against("its one SELECT in axum", select)
        .target_ratio(0.5),
        Rung::new("L8", "  the same page", page, "requests/s")
            .against("one integer SELECT in axum", integer),
        Rung::new(
            "L8",
            format!("posting the deposit form, {CONNECTIONS} connections"),
            post,
            "requests/s",
        )
        .against(
            format!("L2 {CONNECTIONS} writers, one category"),
            l2_at_connections,
        )
        .target_ratio(0.8),
    ])
}
