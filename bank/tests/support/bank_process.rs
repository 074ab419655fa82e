//! The real `bank` binary (what `cargo run` runs) as a child process of a
//! test: started on a data folder, stopped as Ctrl-C would, and its
//! operator commands run.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The bank serving from `data_dir`, and the address it announced.
pub async fn start(data_dir: &std::path::Path) -> (Child, String) {
    start_with(data_dir, &[]).await
}

/// The same, with more settings.
pub async fn start_with(data_dir: &std::path::Path, settings: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bank"))
        .envs(settings.iter().copied())
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

pub async fn stop(mut child: Child) {
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

pub fn bank(arguments: &[&str], data_dir: &std::path::Path) -> String {
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
