//! `TestApp`: the web UI over a bank running in this process.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use messaging::controls::sqlite::TemporaryFile;
use messaging::store::Writes;
use messaging::{Clock, ComponentSettings, MessageStore};
use messaging_layers::{ConsumerLayers, LayeredComponent, Pause};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use views::{ViewDatabase, Views};
use web_ui::components::{InProcess, PauseSwitch};
use web_ui::limits::Limits;
use web_ui::security::AllowedHosts;
use web_ui::{AppState, app_with};

/// A pause switch as the operations page turns it (what `bank::layers`
/// gives the UI in the all-in-one bank).
#[derive(Debug)]
struct Switch(Pause);

impl PauseSwitch for Switch {
    fn pause(&self) {
        self.0.pause();
    }

    fn resume(&self) {
        self.0.resume();
    }

    fn is_paused(&self) -> bool {
        self.0.is_paused()
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    /// The `Location` of a redirect.
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// The value of the first hidden `command_id` after `marker` in the page.
    pub fn command_id_after(&self, marker: &str) -> String {
        let after = self
            .body
            .split_once(marker)
            .map_or(self.body.as_str(), |(_, after)| after);
        let value = after
            .split_once(r#"name="command_id" value=""#)
            .expect("a command id field")
            .1;
        value.split('"').next().expect("a value").to_string()
    }

    /// The address of the link marked `data-testid="{test_id}"`, as the
    /// page writes it: `<a href="..." ... data-testid="...">`.
    pub fn link(&self, test_id: &str) -> Option<String> {
        let marker = format!(r#"data-testid="{test_id}""#);
        let at = self.body.find(&marker)?;
        let tag = &self.body[self.body[..at].rfind("<a ")?..at];
        let href = tag.split(r#"href=""#).nth(1)?;
        Some(href[..href.find('"')?].to_string())
    }
}

pub struct TestApp {
    pub router: Router,
    /// What the router was built from, for a test that builds another.
    pub state: AppState,
    pub store: MessageStore,
    pub views: ViewDatabase,
    shutdown: CancellationToken,
    _file: TemporaryFile,
}

impl TestApp {
    /// The bank with its components running, and no accounts.
    pub async fn new() -> TestApp {
        let store = MessageStore::in_memory();
        TestApp::on(store.clone(), store).await
    }

    /// The bank with the web UI bounded by `limits`.
    pub async fn with_limits(limits: Limits) -> TestApp {
        let store = MessageStore::in_memory();
        TestApp::built(store.clone(), store, limits).await
    }

    /// The bank on `store`, its web UI writing through `ui_store` (the same
    /// store, reached another way).
    pub async fn on(store: MessageStore, ui_store: MessageStore) -> TestApp {
        TestApp::built(store, ui_store, Limits::default()).await
    }

    async fn built(store: MessageStore, ui_store: MessageStore, limits: Limits) -> TestApp {
        let file = TemporaryFile::new("web-views");
        let views = ViewDatabase::connect(&file.url(), 2).await.expect("views");
        views.install().await.expect("installed");
        let shutdown = CancellationToken::new();
        let settings = ComponentSettings {
            poll_interval: Duration::from_millis(10),
            ..ComponentSettings::default()
        };
        // As in the all-in-one bank, the components run with the consumer
        // layers, and the operations page can pause them.
        let layers = ConsumerLayers::default();
        let mut accounts = LayeredComponent::new(store.clone(), settings, layers, &shutdown);
        account_component::start(&mut accounts, store.clone(), Clock::system());
        let mut transfers = LayeredComponent::new(store.clone(), settings, layers, &shutdown);
        funds_transfer_component::start(&mut transfers, store.clone(), Clock::system());
        let components = InProcess::bank(
            Arc::new(Switch(accounts.pause_switch())),
            Arc::new(Switch(transfers.pause_switch())),
        );
        tokio::spawn(accounts.run());
        tokio::spawn(transfers.run());
        let state = AppState {
            views: Views::new(&views),
            store: ui_store.restricted_to(Writes::OnlyCommands),
            clock: Clock::system(),
            hosts: AllowedHosts::listed(["localhost"]),
            components,
        };
        TestApp {
            router: app_with(state.clone(), limits),
            state,
            store,
            views,
            shutdown,
            _file: file,
        }
    }

    pub async fn get(&self, uri: &str) -> Response {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    /// Posts a form as a browser on this site would.
    pub async fn post(&self, uri: &str, form: &[(&str, &str)]) -> Response {
        let body = form
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// Sends `request`, from a browser on `localhost` unless it names
    /// another host.
    pub async fn send(&self, mut request: Request<Body>) -> Response {
        request
            .headers_mut()
            .entry(header::HOST)
            .or_insert(header::HeaderValue::from_static("localhost"));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("a response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 10_000_000)
            .await
            .expect("body");
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    /// The writes the web UI made: those to command streams. (The
    /// components running beside it write their events, reservations and
    /// positions whenever they get to them, so they are left out.)
    pub fn command_writes(&self) -> Vec<messaging::store::RecordedWrite> {
        self.store
            .as_memory()
            .expect("memory")
            .writes()
            .into_iter()
            .filter(|write| write.stream_name.category().ends_with(":command"))
            .collect()
    }

    /// How many commands the web UI has written: a form that is refused
    /// must not change it.
    pub fn messages_written(&self) -> usize {
        self.command_writes()
            .iter()
            .map(|write| write.messages.len())
            .sum()
    }

    /// Waits until the components have handled everything and the views have
    /// caught up.
    pub async fn settle(&self) {
        let read = Views::new(&self.views);
        for _ in 0..500 {
            aggregator::catch_up(&self.store, &self.views, 500)
                .await
                .expect("caught up");
            let pending = read.pending_commands(None).await.expect("read");
            let transfers = read.recent_transfers(1000).await.expect("read");
            if pending.is_empty() && transfers.iter().all(|t| t.status.has_ended()) {
                // One more round, for events written after the last check.
                tokio::time::sleep(Duration::from_millis(30)).await;
                aggregator::catch_up(&self.store, &self.views, 500)
                    .await
                    .expect("caught up");
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the bank did not settle");
    }

    /// Opens an account through the UI and returns its id.
    pub async fn open_account(&self, name: &str) -> String {
        let home = self.get("/").await;
        let command_id = home.command_id_after("Open an account");
        let response = self
            .post(
                "/accounts",
                &[("command_id", &command_id), ("holder_name", name)],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        self.settle().await;
        // The account's id is derived from the form's: the redirect names it.
        let location = response.location();
        let account = location
            .strip_prefix("/accounts/")
            .and_then(|rest| rest.split('?').next())
            .expect("a redirect to the new account");
        account.to_string()
    }

    /// Sends the deposit form of an account, as a browser would (the form's
    /// own command id), without waiting for the bank: the command id and
    /// the answer.
    pub async fn send_deposit(&self, account_id: &str, amount: &str) -> (String, Response) {
        let page = self.get(&format!("/accounts/{account_id}")).await;
        let command_id = page.command_id_after("Deposit</h2>");
        let response = self
            .post(
                &format!("/accounts/{account_id}/deposits"),
                &[("command_id", &command_id), ("amount", amount)],
            )
            .await;
        (command_id, response)
    }

    /// Deposits through the UI, and waits until the bank has settled.
    pub async fn deposit(&self, account_id: &str, amount: &str) {
        let (_, response) = self.send_deposit(account_id, amount).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        self.settle().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The id a form's command gives what it creates (a new account, a
/// transfer), derived from the form's id as the UI derives it.
pub fn derived(form_id: &str) -> String {
    web_ui::form_id::FormId::parse(Some(form_id))
        .expect("a form id")
        .derived_id()
        .to_string()
}

/// Percent-encodes a form value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
