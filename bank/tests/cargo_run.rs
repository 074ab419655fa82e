//! `cargo run`: the real `bank` binary serves the UI on its embedded
//! databases, keeps the data across a restart, and answers its operator
//! commands.

#[path = "support/bank_process.rs"]
mod bank_process;
#[path = "support/http.rs"]
mod http;

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use bank_process::{DataFolder, bank, start, start_with, stop};
use http::{open_and_deposit, request, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bank_serves_the_ui_and_keeps_its_data_across_a_restart() {
    let data_dir = DataFolder::new("bank-data");
    let (running, address) = start(&data_dir).await;
    assert!(address.starts_with("127.0.0.1:"), "{address}");

    let account = open_and_deposit(&address, "Persistent", "12.34").await;
    wait_for(
        &address,
        &format!("/accounts/{account}"),
        r#"data-testid="balance">12.34<"#,
    )
    .await;
    stop(running).await;

    let (running, address) = start(&data_dir).await;
    let page = wait_for(&address, &format!("/accounts/{account}"), "Persistent").await;
    assert!(
        page.body.contains(r#"data-testid="balance">12.34<"#),
        "the balance survived the restart"
    );
    stop(running).await;

    // The operator commands, on the same data.
    let printed = bank(&["print", &format!("account-{account}")], &data_dir);
    assert!(
        printed.contains("Opened") && printed.contains("Deposited"),
        "{printed}"
    );
    assert!(
        printed.contains("causationMessageStreamName"),
        "metadata is printed: {printed}"
    );
    assert!(
        bank(&["print", "account:command"], &data_dir).contains("2 message(s) in account:command")
    );
    let rebuilt = bank(&["rebuild-views"], &data_dir);
    assert!(rebuilt.contains("Rebuilt the views"), "{rebuilt}");
    let audited = bank(&["audit"], &data_dir);
    assert!(audited.contains("violations: 0"), "{audited}");
    let (running, address) = start(&data_dir).await;
    wait_for(
        &address,
        &format!("/accounts/{account}"),
        r#"data-testid="balance">12.34<"#,
    )
    .await;
    stop(running).await;
}

/// With `METRICS_ADDRESS`, the bank serves Prometheus metrics there: every
/// consumer of the process (the components' and the aggregator's) and the
/// UI's requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bank_serves_its_metrics_at_the_metrics_address() {
    let data_dir = DataFolder::new("bank-metrics");
    let metrics = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .to_string();
    let (running, address) = start_with(&data_dir, &[("METRICS_ADDRESS", &metrics)]).await;
    let account = open_and_deposit(&address, "Metered", "5").await;
    wait_for(
        &address,
        &format!("/accounts/{account}"),
        r#"data-testid="balance">5.00<"#,
    )
    .await;

    let scraped = request(&metrics, "GET", "/metrics", None).await;
    assert_eq!(scraped.status, 200);
    assert!(
        scraped.headers.contains("text/plain"),
        "{}",
        scraped.headers
    );
    let handled = |consumer: &str| {
        let series = format!("bank_consumer_messages_handled_total{{consumer=\"{consumer}\"}} ");
        scraped
            .body
            .lines()
            .find_map(|line| line.strip_prefix(&series)?.parse::<u64>().ok())
    };
    // The Open and the Deposit, by the account component and the aggregator.
    assert_eq!(handled("account:command"), Some(2), "{}", scraped.body);
    assert!(
        handled("account:command (aggregator)") >= Some(2),
        "{}",
        scraped.body
    );
    for consumer in [
        "accountTransaction",
        "fundsTransfer:command",
        "account (fundsTransfer)",
    ] {
        assert!(
            handled(consumer).is_some(),
            "{consumer} missing:\n{}",
            scraped.body
        );
    }
    let page =
        r#"bank_web_requests_total{method="GET",route="/accounts/{account_id}",status="200"}"#;
    assert!(scraped.body.contains(page), "{}", scraped.body);
    stop(running).await;
}

/// `bank print` read through `head`: the reader closes the pipe after a
/// few lines and the bank ends quietly (no "Error: Broken pipe", exit 0).
/// A name with no messages says so, and what a name looks like.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_ends_quietly_on_a_closed_pipe_and_explains_an_empty_name() {
    let data_dir = DataFolder::new("bank-print");
    std::fs::create_dir_all(&data_dir).expect("a data folder");
    let (store_url, _) = bank::databases::embedded_urls(&data_dir);
    let store = messaging::MessageStore::connect(&store_url, 1)
        .await
        .expect("the store");
    // More than a pipe holds (64 KiB), so the bank is still writing when
    // the reader has gone.
    let stream = messaging::StreamName::from_stored("account-1");
    let messages: Vec<messaging::NewMessage> = (0..2_000)
        .map(|n| messaging::NewMessage {
            id: uuid::Uuid::new_v4(),
            message_type: "Noted".to_string(),
            data: format!(r#"{{"n": {n}}}"#),
            metadata: messaging::Metadata::default(),
        })
        .collect();
    store
        .write(&stream, &messages, messaging::ExpectedVersion::Any)
        .await
        .expect("written");
    drop(store);

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bank"))
        .args(["print", "account"])
        .env("DATA_DIR", &data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut first_lines = String::new();
    {
        use std::io::Read;
        let mut stdout = child.stdout.take().expect("stdout");
        let mut buffer = [0_u8; 1024];
        let read = stdout.read(&mut buffer).expect("the first lines");
        first_lines.push_str(&String::from_utf8_lossy(&buffer[..read]));
        // Dropped here: the pipe is closed, as `head` closes it.
    }
    let output = child.wait_with_output().expect("ends");
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(first_lines.contains("account-1 #0"), "{first_lines}");
    assert!(output.status.success(), "{:?}: {errors}", output.status);
    assert!(!errors.contains("Error"), "{errors}");

    let nothing = bank(&["print", "Account"], &data_dir);
    assert!(nothing.contains("No messages in Account"), "{nothing}");
    assert!(nothing.contains("case-sensitive"), "{nothing}");
}

/// Logs written to a file or a pipe carry no colour codes (they would be
/// noise there); on a terminal they are coloured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_off_a_terminal_carry_no_colour_codes() {
    let data_dir = DataFolder::new("bank-logs");
    std::fs::create_dir_all(&data_dir).expect("a data folder");
    let log = data_dir.join("stderr.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bank"))
        .env("DATA_DIR", &data_dir)
        .env("PORT", "0")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).expect("a log file"))
        .kill_on_drop(true)
        .spawn()
        .expect("the bank starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("the bank announces its address")
        .expect("a line");
    stop(child).await;
    let logged = std::fs::read_to_string(&log).expect("the log");
    assert!(logged.contains("consumer started"), "{logged}");
    assert!(!logged.contains('\u{1b}'), "colour codes in: {logged}");
}

#[test]
fn the_bank_explains_its_commands_and_settings() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bank"))
        .arg("--help")
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "serve",
        "print",
        "rebuild-views",
        "--postgres",
        "DATA_DIR",
        "PORT",
        "METRICS_ADDRESS",
    ] {
        assert!(help.contains(expected), "{expected} missing from:\n{help}");
    }
}
