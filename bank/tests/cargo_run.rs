//! `cargo run`: the real `bank` binary serves the UI on its embedded
//! databases, keeps the data across a restart, and answers its operator
//! commands.

#[path = "support/http.rs"]
mod http;

use std::process::Stdio;
use std::time::Duration;

use messaging::controls::sqlite::TemporaryFile;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use http::{open_and_deposit, wait_for};

/// The bank serving from `data_dir`, and the address it announced.
async fn start(data_dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bank"))
        .env("DATA_DIR", data_dir)
        .env("PORT", "0")
        .env("POLL_INTERVAL_MS", "20")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the bank starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let announced = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("the bank announces its address")
        .expect("a line")
        .expect("a line");
    let address = announced
        .split("http://")
        .nth(1)
        .expect("an http address in the first line")
        .trim()
        .to_string();
    (child, address)
}

async fn stop(mut child: Child) {
    let pid = child.id().expect("running").to_string();
    std::process::Command::new("kill")
        .args(["-s", "TERM", &pid])
        .status()
        .expect("kill runs");
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("stops in time")
        .expect("a status");
    assert!(status.success(), "{status:?}");
}

fn bank(arguments: &[&str], data_dir: &std::path::Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bank"))
        .args(arguments)
        .env("DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bank_serves_the_ui_and_keeps_its_data_across_a_restart() {
    let folder = TemporaryFile::new("bank-data");
    let data_dir = folder.path().with_extension("d");
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
    let _ = std::fs::remove_dir_all(&data_dir);
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
    ] {
        assert!(help.contains(expected), "{expected} missing from:\n{help}");
    }
}
