//! The real `bank` binary (what `cargo run` runs) as a child process of a
//! test: started on a data folder, stopped as Ctrl-C would, and its
//! operator commands run.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A data folder no one has used, removed with everything in it when the
/// test is done (whether it passed or not), so runs leave nothing behind.
pub struct DataFolder {
    path: PathBuf,
}

impl DataFolder {
    pub fn new(prefix: &str) -> DataFolder {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{count}.d", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        DataFolder { path }
    }
}

impl std::ops::Deref for DataFolder {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for DataFolder {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<std::ffi::OsStr> for DataFolder {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.path.as_os_str()
    }
}

impl Drop for DataFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The bank serving from `data_dir`, and the address it announced.
pub async fn start(data_dir: &Path) -> (Child, String) {
    start_with(data_dir, &[]).await
}

/// The same, with more settings.
pub async fn start_with(data_dir: &Path, settings: &[(&str, &str)]) -> (Child, String) {
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

pub fn bank(arguments: &[&str], data_dir: &Path) -> String {
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
