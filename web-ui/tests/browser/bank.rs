//! The whole bank, as processes on a fresh Postgres.

use std::net::TcpListener;
use std::time::Duration;

use messaging::controls::postgres;
use messaging::{CategoryRead, MessageStore};
use test_processes::{RunningProcess, workspace_binary};

/// The four binaries, running against fresh databases.
pub struct Bank {
    pub store: MessageStore,
    pub url: String,
    _processes: Vec<RunningProcess>,
}

impl Bank {
    /// Starts the bank, or `None` when there is no Postgres (tests skip).
    pub async fn start() -> Option<Bank> {
        let store_url = postgres::fresh_database("browser_store").await?;
        let store = postgres::store_at(&store_url).await;
        let views_url = postgres::fresh_database("browser_views").await?;
        let port = free_port();
        let common = [
            ("MESSAGE_STORE_URL", store_url.as_str()),
            ("POLL_INTERVAL_MS", "50"),
            ("RUST_LOG", "info"),
        ];
        let mut processes = vec![
            RunningProcess::start(&workspace_binary("account-component"), &common),
            RunningProcess::start(&workspace_binary("funds-transfer-component"), &common),
        ];
        let mut with_views = common.to_vec();
        with_views.push(("VIEW_DATABASE_URL", views_url.as_str()));
        processes.push(RunningProcess::start(
            &workspace_binary("aggregator"),
            &with_views,
        ));
        let port_text = port.to_string();
        with_views.push(("PORT", port_text.as_str()));
        processes.push(RunningProcess::start(
            &workspace_binary("web-ui"),
            &with_views,
        ));
        let url = format!("http://127.0.0.1:{port}");
        wait_for(&url).await;
        Some(Bank {
            store,
            url,
            _processes: processes,
        })
    }

    /// How many messages the command categories hold.
    pub async fn commands_written(&self) -> usize {
        let mut total = 0;
        for category in [
            account_component::streams::COMMAND_CATEGORY,
            funds_transfer_component::streams::COMMAND_CATEGORY,
        ] {
            total += self
                .store
                .read_category(&CategoryRead::new(category).batch_size(10_000))
                .await
                .expect("read")
                .len();
        }
        total
    }
}

/// The bank as `cargo run` runs it: one process, its data in SQLite files
/// in a folder of its own (removed afterwards).
pub struct BankInOneProcess {
    pub url: String,
    _process: RunningProcess,
    data: std::path::PathBuf,
}

impl BankInOneProcess {
    pub async fn start() -> BankInOneProcess {
        let data = std::env::temp_dir().join(format!("bank-browser-{}", uuid::Uuid::new_v4()));
        let port = free_port().to_string();
        let data_text = data.to_string_lossy().to_string();
        let process = RunningProcess::start(
            &workspace_binary("bank"),
            &[
                ("DATA_DIR", data_text.as_str()),
                ("PORT", port.as_str()),
                ("POLL_INTERVAL_MS", "50"),
                ("RUST_LOG", "info"),
            ],
        );
        let url = format!("http://127.0.0.1:{port}");
        wait_for(&url).await;
        BankInOneProcess {
            url,
            _process: process,
            data,
        }
    }
}

impl Drop for BankInOneProcess {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// Waits until the UI answers its home page (the aggregator installs the
/// views on start, so this also waits for it).
async fn wait_for(url: &str) {
    for _ in 0..300 {
        if let Ok(mut stream) =
            tokio::net::TcpStream::connect(url.trim_start_matches("http://")).await
        {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let host = url.trim_start_matches("http://");
            let request = format!("GET / HTTP/1.0\r\nHost: {host}\r\n\r\n");
            let _ = stream.write_all(request.as_bytes()).await;
            let mut response = String::new();
            let _ = stream.read_to_string(&mut response).await;
            if response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the web UI never came up at {url}");
}
