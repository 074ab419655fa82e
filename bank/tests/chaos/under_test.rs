//! The bank under test, as processes: on Postgres, each binary apart (the
//! account component as a consumer group of two); or embedded, the `bank`
//! binary on its two SQLite files, as `cargo run` runs it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use messaging::consumer::Recorded;
use messaging::controls::postgres::store_at;
use messaging::{Category, CategoryRead, ExpectedVersion, MessageStore, NewMessage, StreamName};
use test_processes::{Dice, RunningProcess, workspace_binary};
use throwaway_postgres::{Cluster, ClusterSettings};
use views::ViewDatabase;

use crate::bank_cluster::cluster_with_bank_databases;

/// How the bank runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Postgres, and each binary a process of its own.
    Processes,
    /// The `bank` binary, on SQLite files.
    Embedded,
}

/// The running bank, and handles on its databases for the clients, the
/// chaos and the checks.
pub struct ChaosBank {
    pub layout: Layout,
    pub store: MessageStore,
    pub views: ViewDatabase,
    /// Where the web UI listens: `127.0.0.1:{port}`.
    pub web: String,
    cluster: Option<Cluster>,
    folder: Option<PathBuf>,
    environment: Vec<(String, String)>,
    /// The processes the run keeps running, by name.
    pub processes: BTreeMap<&'static str, RunningProcess>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

impl ChaosBank {
    /// The processes of a layout.
    pub fn names(layout: Layout) -> &'static [&'static str] {
        match layout {
            Layout::Processes => &[
                "account-component-0",
                "account-component-1",
                "funds-transfer-component",
                "aggregator",
                "web-ui",
            ],
            Layout::Embedded => &["bank"],
        }
    }

    pub async fn start(layout: Layout) -> ChaosBank {
        let port = free_port();
        let web = format!("127.0.0.1:{port}");
        let mut environment = vec![
            ("POLL_INTERVAL_MS".to_string(), "50".to_string()),
            ("RUST_LOG".to_string(), "warn".to_string()),
            ("PORT".to_string(), port.to_string()),
        ];
        let (store, views, cluster, folder) = match layout {
            Layout::Processes => {
                // Durable: an immediate restart is a crash, and with fsync
                // or synchronous_commit off Postgres would rightly forget
                // the last commits it acknowledged.
                let durable = ClusterSettings {
                    durable: true,
                    extra: vec![],
                };
                let cluster = cluster_with_bank_databases(&durable).await;
                let store = store_at(&cluster.url("bank")).await;
                let views_url = cluster.url("bank_views");
                let views = ViewDatabase::connect(&views_url, 2).await.expect("views");
                views.install().await.expect("installed");
                environment.push(("MESSAGE_STORE_URL".into(), cluster.url("bank")));
                environment.push(("VIEW_DATABASE_URL".into(), views_url));
                (store, views, Some(cluster), None)
            }
            Layout::Embedded => {
                let folder = std::env::temp_dir().join(format!(
                    "bank-chaos-{}-{}",
                    std::process::id(),
                    uuid::Uuid::new_v4()
                ));
                std::fs::create_dir_all(&folder).expect("a data folder");
                environment.push(("DATA_DIR".into(), folder.display().to_string()));
                let store_url = format!("sqlite://{}", folder.join("messages.sqlite").display());
                let views_url = format!("sqlite://{}", folder.join("views.sqlite").display());
                let store = MessageStore::connect(&store_url, 4)
                    .await
                    .expect("the store");
                let views = ViewDatabase::connect(&views_url, 2).await.expect("views");
                views.install().await.expect("installed");
                (store, views, None, Some(folder))
            }
        };
        let mut bank = ChaosBank {
            layout,
            store,
            views,
            web,
            cluster,
            folder,
            environment,
            processes: BTreeMap::new(),
        };
        for name in ChaosBank::names(layout) {
            let process = bank.spawn(name);
            bank.processes.insert(name, process);
        }
        bank
    }

    /// A new process of `name`; a second of a running one is a duplicate.
    pub fn spawn(&self, name: &str) -> RunningProcess {
        let mut environment = self.environment.clone();
        let binary = match name {
            "account-component-0" | "account-component-1" => {
                environment.push(("CONSUMER_GROUP_SIZE".into(), "2".into()));
                environment.push((
                    "CONSUMER_GROUP_MEMBER".into(),
                    name[name.len() - 1..].into(),
                ));
                "account-component"
            }
            other => other,
        };
        if self.processes.contains_key(name) {
            // A duplicate of the UI would find its port taken; any other
            // port will do for it.
            environment.retain(|(variable, _)| variable != "PORT");
            environment.push(("PORT".into(), free_port().to_string()));
        }
        let environment: Vec<(&str, &str)> = environment
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        RunningProcess::start(&workspace_binary(binary), &environment)
    }

    /// Kills `name` and starts it again, as a crash and a supervisor would.
    pub async fn restart(&mut self, name: &str) {
        if let Some(process) = self.processes.get_mut(name) {
            process.restart().await;
        }
    }

    /// Fails the run if a process exited without being killed by it.
    pub fn check_alive(&mut self) {
        for (name, process) in &mut self.processes {
            assert!(
                process.is_running(),
                "{name} exited by itself; its log is under {}",
                std::env::temp_dir().join("bank-test-logs").display()
            );
        }
    }

    /// Stops Postgres (`fast`, or `immediate`: a crash) and starts it again.
    pub async fn restart_postgres(&self, mode: &str) {
        let cluster = self.cluster.as_ref().expect("the bank runs on Postgres");
        cluster.stop(mode).expect("postgres stops");
        tokio::time::sleep(Duration::from_millis(300)).await;
        cluster.start_again().expect("postgres starts");
    }

    /// Rewinds one consumer to half its recorded position, so that it
    /// handles those messages again after a restart; returns the process to
    /// restart.
    pub async fn rewind(&self, dice: &mut Dice) -> Option<&'static str> {
        if dice.below(6) == 0 {
            let rewound = sqlx::query("UPDATE aggregator_positions SET position = position / 2")
                .execute(self.views.pool())
                .await;
            return rewound.ok().map(|_| self.process_of("aggregator"));
        }
        let categories = [
            "account:command",
            "accountTransaction",
            "fundsTransfer:command",
            "fundsTransfer",
            "account",
        ];
        // Every position stream there is: a consumer of a category, or one
        // member of a consumer group.
        let mut streams = Vec::new();
        for category in categories {
            let positions = Category::new(category).ok()?.companion("position");
            let read = CategoryRead::new(positions).batch_size(10_000);
            for recorded in self.store.read_category(&read).await.ok()? {
                if !streams.contains(&recorded.stream_name) {
                    streams.push(recorded.stream_name);
                }
            }
        }
        let stream = streams
            .get(dice.below(streams.len().max(1) as u64) as usize)?
            .clone();
        let latest = self
            .store
            .read_last(&stream, Some("Recorded"))
            .await
            .ok()??;
        let position = latest.decode::<Recorded>().ok()?.position / 2;
        let message = NewMessage::new(&Recorded { position }).ok()?;
        self.store
            .write_message(&stream, &message, ExpectedVersion::Any)
            .await
            .ok()?;
        Some(self.owner_of(&stream))
    }

    /// The process that records positions in `stream`.
    fn owner_of(&self, stream: &StreamName) -> &'static str {
        let name = stream.as_str();
        let component =
            if name.starts_with("account:command") || name.starts_with("accountTransaction") {
                if name.ends_with("member-1-of-2") {
                    "account-component-1"
                } else {
                    "account-component-0"
                }
            } else {
                "funds-transfer-component"
            };
        self.process_of(component)
    }

    /// The process that runs `part` in this layout.
    pub fn process_of(&self, part: &'static str) -> &'static str {
        match self.layout {
            Layout::Processes => part,
            Layout::Embedded => "bank",
        }
    }

    pub async fn kill_everything(&mut self) {
        for process in self.processes.values_mut() {
            process.kill().await;
        }
        if let Some(folder) = &self.folder {
            let _ = std::fs::remove_dir_all(folder);
        }
    }
}
