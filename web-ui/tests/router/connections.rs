//! The connections themselves, over real TCP: a client that sends its
//! headers slowly, or keeps a connection open and sends nothing, is cut off
//! after the header read timeout while forms go on being answered; a head
//! that is too large is refused; and beyond the bound on connections, the
//! next waits for a place.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use web_ui::Application;
use web_ui::limits::Limits;
use web_ui::security::AllowedHosts;

use crate::support::TestApp;

/// The bounds of these tests: short, so that the tests are.
fn limits() -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

/// The UI of `app` served on a free port with `limits`; its address.
async fn serve(app: &TestApp, limits: Limits, shutdown: &CancellationToken) -> String {
    let mut state = app.state.clone();
    state.hosts = AllowedHosts::loopback(0);
    let application = Application::bind("127.0.0.1:0".parse().expect("an address"), state)
        .await
        .expect("bound")
        .with_limits(limits);
    let address = application.address().expect("an address").to_string();
    tokio::spawn(application.serve(shutdown.clone()));
    address
}

/// Sends a whole request and reads the whole answer (the connection is
/// closed after it); returns the status line.
async fn answered(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).await.expect("connected");
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer).to_string();
    answer.lines().next().unwrap_or_default().to_string()
}

fn get(address: &str, path: &str, connection: &str) -> String {
    let port = address.rsplit(':').next().expect("a port");
    format!("GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: {connection}\r\n\r\n")
}

/// A deposit form of `account`, posted as a browser on the site would.
fn deposit(address: &str, account: &str, amount: &str) -> String {
    let port = address.rsplit(':').next().expect("a port");
    let body = format!("command_id={}&amount={amount}", uuid::Uuid::new_v4());
    format!(
        "POST /accounts/{account}/deposits HTTP/1.1\r\nHost: localhost:{port}\r\n\
         Connection: close\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Waits until the server closes `stream` (a read of 0 bytes, or a reset),
/// reading and dropping anything it sends first.
async fn closed_by_the_server(mut stream: TcpStream) {
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_send_their_headers_slowly_are_cut_off_while_forms_are_answered() {
    const SLOW_CLIENTS: usize = 200;
    let app = TestApp::new().await;
    let account = app.open_account("Busy").await;
    let shutdown = CancellationToken::new();
    let address = serve(&app, limits(), &shutdown).await;

    let started = Instant::now();
    let mut slow = Vec::new();
    for _ in 0..SLOW_CLIENTS {
        let address = address.clone();
        slow.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(&address).await.expect("connected");
            // A byte at a time, never finishing the request.
            for byte in b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
                .iter()
                .cycle()
            {
                if stream.write_all(&[*byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
                if started.elapsed() > Duration::from_secs(30) {
                    panic!("a slow client was never cut off");
                }
            }
            started.elapsed()
        }));
    }

    // Meanwhile, the pages and forms answer as ever.
    let mut pages = Vec::new();
    let mut forms = 0;
    while slow.iter().any(|task| !task.is_finished()) {
        let asked = Instant::now();
        let page = get(&address, &format!("/accounts/{account}"), "close");
        assert_eq!(answered(&address, &page).await, "HTTP/1.1 200 OK");
        let form = deposit(&address, &account, "1");
        assert_eq!(answered(&address, &form).await, "HTTP/1.1 303 See Other");
        forms += 1;
        pages.push(asked.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut cut_after = Vec::new();
    for task in slow {
        cut_after.push(task.await.expect("a slow client"));
    }
    cut_after.sort();
    pages.sort();
    let timeout = limits().header_read_timeout;
    let last = cut_after[cut_after.len() - 1];
    eprintln!(
        "{SLOW_CLIENTS} slow clients cut off after {:.2}-{:.2} s (timeout {} s); \
         {} pages and {forms} forms answered meanwhile (a page and a form: slowest {:.1} ms, \
         median {:.1} ms)",
        cut_after[0].as_secs_f64(),
        last.as_secs_f64(),
        timeout.as_secs(),
        pages.len(),
        pages[pages.len() - 1].as_secs_f64() * 1000.0,
        pages[pages.len() / 2].as_secs_f64() * 1000.0,
    );
    assert!(
        cut_after[0] >= timeout - Duration::from_millis(300),
        "cut off before the timeout: {:?}",
        cut_after[0]
    );
    assert!(
        last < timeout * 3,
        "a slow client held its connection for {last:?}"
    );
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_kept_alive_and_idle_is_closed_after_the_timeout() {
    let app = TestApp::new().await;
    let shutdown = CancellationToken::new();
    let address = serve(&app, limits(), &shutdown).await;
    let mut stream = TcpStream::connect(&address).await.expect("connected");
    stream
        .write_all(get(&address, "/", "keep-alive").as_bytes())
        .await
        .expect("sent");
    let mut first = [0u8; 16];
    stream.read_exact(&mut first).await.expect("answered");
    assert_eq!(&first, b"HTTP/1.1 200 OK\r");
    let idle = Instant::now();

    tokio::time::timeout(Duration::from_secs(10), closed_by_the_server(stream))
        .await
        .expect("closed in time");

    let waited = idle.elapsed();
    assert!(
        waited >= Duration::from_millis(1500),
        "closed early: {waited:?}"
    );
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_beyond_the_limit_is_refused_with_431() {
    let app = TestApp::new().await;
    let shutdown = CancellationToken::new();
    let address = serve(&app, limits(), &shutdown).await;
    let port = address.rsplit(':').next().expect("a port");
    let big = "x".repeat(limits().header_limit);
    let request = format!(
        "GET / HTTP/1.1\r\nHost: localhost:{port}\r\nX-Big: {big}\r\nConnection: close\r\n\r\n"
    );

    let status = answered(&address, &request).await;

    assert_eq!(status, "HTTP/1.1 431 Request Header Fields Too Large");
    let status = answered(&address, &get(&address, "/", "close")).await;
    assert_eq!(
        status, "HTTP/1.1 200 OK",
        "a head within the limit is served"
    );
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_bound_on_connections_the_next_waits_for_a_place() {
    let app = TestApp::new().await;
    let shutdown = CancellationToken::new();
    let bounded = Limits {
        connections: 3,
        ..limits()
    };
    let address = serve(&app, bounded, &shutdown).await;
    let mut silent = Vec::new();
    for _ in 0..3 {
        silent.push(TcpStream::connect(&address).await.expect("connected"));
    }
    // Give the server a moment to take all three places.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let asked = Instant::now();
    let next = tokio::spawn({
        let address = address.clone();
        async move { answered(&address, &get(&address, "/", "close")).await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!next.is_finished(), "answered while every place was taken");

    // The silent ones are cut off at the header read timeout, and the
    // waiting one is served.
    let status = tokio::time::timeout(Duration::from_secs(10), next)
        .await
        .expect("served in time")
        .expect("a status");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(asked.elapsed() >= Duration::from_millis(1500));
    drop(silent);
    shutdown.cancel();
}
