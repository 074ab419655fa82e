//! A write whose answer is lost: the connection to the message store breaks
//! after the command was sent. The bank may or may not have it, and the page
//! must say exactly that, keep the form (with its command id), and sending
//! it again must move the money once.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::StatusCode;
use messaging::MessageStore;
use messaging::controls::postgres::{fresh_database, store_at};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::TestApp;

/// A TCP forwarder to Postgres that, once armed, lets the next statement
/// (the form's write) reach the server, which runs and commits it, and then
/// drops the connection instead of passing the answer back.
struct LostAnswer {
    address: SocketAddr,
    armed: Arc<AtomicBool>,
}

impl LostAnswer {
    async fn start(server: SocketAddr) -> LostAnswer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("bound");
        let armed = Arc::new(AtomicBool::new(false));
        let arming = Arc::clone(&armed);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(server).await else {
                    continue;
                };
                tokio::spawn(forward(client, server, Arc::clone(&arming)));
            }
        });
        LostAnswer { address, armed }
    }

    fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }
}

/// Forwards both ways; a connection that carries the armed write is cut
/// when its answer comes.
async fn forward(client: TcpStream, server: TcpStream, armed: Arc<AtomicBool>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let doomed = Arc::new(AtomicBool::new(false));
    let marking = Arc::clone(&doomed);
    let requests = tokio::spawn(async move {
        let mut buffer = vec![0; 64 * 1024];
        while let Ok(read) = client_read.read(&mut buffer).await {
            if read == 0 {
                break;
            }
            let chunk = &buffer[..read];
            if runs_a_statement(chunk) && armed.swap(false, Ordering::SeqCst) {
                marking.store(true, Ordering::SeqCst);
            }
            if server_write.write_all(chunk).await.is_err() {
                break;
            }
        }
    });
    let mut buffer = vec![0; 64 * 1024];
    while let Ok(read) = server_read.read(&mut buffer).await {
        if read == 0 || doomed.load(Ordering::SeqCst) {
            break;
        }
        if client_write.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    requests.abort();
}

/// Whether a chunk from the client runs a statement: it holds an Execute,
/// or is a simple Query. A statement a connection has not prepared yet goes
/// first as Parse, Describe and Sync alone, and its Execute follows only
/// after the server has answered those: cutting the connection at that
/// first answer would lose the write itself, not its answer. (A pool's ping
/// is a bare Sync; a new connection starts with a length, whose first byte
/// is zero.)
fn runs_a_statement(chunk: &[u8]) -> bool {
    let mut rest = chunk;
    while let [kind, a, b, c, d, ..] = rest {
        if matches!(kind, b'E' | b'Q') {
            return true;
        }
        let length = u32::from_be_bytes([*a, *b, *c, *d]) as usize;
        if length < 4 || rest.len() < 1 + length {
            return false;
        }
        rest = &rest[1 + length..];
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_says_the_form_may_have_been_sent_and_sending_again_moves_the_money_once() {
    let Some(url) = fresh_database("lost_answer").await else {
        return;
    };
    let store = store_at(&url).await;
    let server: SocketAddr = url
        .split_once('@')
        .and_then(|(_, rest)| rest.split_once('/'))
        .and_then(|(host, _)| host.parse().ok())
        .expect("the test server's address");
    let forwarder = LostAnswer::start(server).await;
    let through_forwarder = url.replacen(&server.to_string(), &forwarder.address.to_string(), 1);
    let ui_store = MessageStore::connect(&through_forwarder, 2)
        .await
        .expect("connects through the forwarder");
    let app = TestApp::on(store.clone(), ui_store).await;
    let account = app.open_account("Lost Answer").await;
    app.deposit(&account, "10").await;

    let page = app.get(&format!("/accounts/{account}")).await;
    let command_id = page.command_id_after("Deposit</h2>");
    forwarder.arm();
    let lost = app
        .post(
            &format!("/accounts/{account}/deposits"),
            &[("command_id", &command_id), ("amount", "5")],
        )
        .await;
    assert_eq!(
        lost.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        lost.body
    );
    assert!(lost.body.contains("may have arrived"), "{}", lost.body);
    assert!(
        lost.body.contains("Sending it again is safe"),
        "{}",
        lost.body
    );
    assert!(!lost.body.contains("Nothing was sent"), "{}", lost.body);
    assert_eq!(
        lost.command_id_after("This may have been sent"),
        command_id,
        "the form keeps its command id"
    );
    assert!(
        lost.body.contains(r#"name="amount" value="5.00""#),
        "{}",
        lost.body
    );

    // Sent again, as the page offers: the bank had it already.
    let again = app
        .post(
            &format!("/accounts/{account}/deposits"),
            &[("command_id", &command_id), ("amount", "5.00")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert!(
        again.location().ends_with("&duplicate=1"),
        "{}",
        again.location()
    );
    app.settle().await;
    let page = app.get(&format!("/accounts/{account}")).await;
    assert!(
        page.body.contains(r#"data-testid="balance">15.00<"#),
        "the money moved once: {}",
        page.body
    );
}
