//! What each page shows, as plain structs the templates render.
//!
//! The presenters fill them in from the views; every value arrives here
//! formatted (money as `12.34`, times as `2026-11-26 10:00:00 UTC`), so
//! templates only lay things out. askama escapes every value it writes into
//! HTML, so a holder named `<script>` is shown, not run.

use askama::Template;
use axum::response::Html;

/// Renders a page.
pub fn render<T: Template>(page: &T) -> Result<Html<String>, askama::Error> {
    page.render().map(Html)
}

/// Tells a waiting page's script what to watch (`/watch?...`, streamed at
/// `/events?...`) and what the token is now: when it changes, the page
/// changes in place (`static/pending.js`).
#[derive(Debug, Clone)]
pub struct Watch {
    pub url: String,
    pub token: String,
    /// Whether, without JavaScript, the page refreshes itself every two
    /// seconds: yes for a page waiting for an answer, no for the home page,
    /// whose forms a refresh would empty while someone types.
    pub refresh_without_script: bool,
}

/// A message at the top of a page.
#[derive(Debug, Clone)]
pub struct Notice {
    /// `info`, `success`, `warning` or `error`: the style.
    pub kind: &'static str,
    pub text: String,
    /// The messages underneath, for a notice about a command.
    pub trail: Vec<TrailStep>,
}

/// One message a command caused, as a notice lists it.
#[derive(Debug, Clone)]
pub struct TrailStep {
    /// `the Deposit command`, `its reservation`, `the Deposited event`.
    pub what: String,
    pub stream: String,
    /// Where it is in the whole store, when the views know it.
    pub global_position: Option<i64>,
    /// Its inspection.
    pub link: String,
}

impl Notice {
    fn new(kind: &'static str, text: impl Into<String>) -> Notice {
        Notice {
            kind,
            text: text.into(),
            trail: Vec::new(),
        }
    }
    pub fn info(text: impl Into<String>) -> Notice {
        Notice::new("info", text)
    }
    pub fn success(text: impl Into<String>) -> Notice {
        Notice::new("success", text)
    }
    pub fn warning(text: impl Into<String>) -> Notice {
        Notice::new("warning", text)
    }

    /// The same notice, with the messages underneath it.
    pub fn with_trail(mut self, trail: Vec<TrailStep>) -> Notice {
        self.trail = trail;
        self
    }
}

/// A status as a page shows it: a badge with a style of its own.
#[derive(Debug, Clone)]
pub struct Status {
    /// The CSS class suffix: `status-{class}`, the status's stored code.
    pub class: &'static str,
    /// The status in words.
    pub label: String,
}

/// A page with a heading and a sentence: not found, refused, pending.
#[derive(Debug, Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub title: String,
    pub heading: String,
    pub text: String,
    pub watch: Option<Watch>,
}

impl MessagePage {
    pub fn new(title: &str, heading: &str, text: &str) -> MessagePage {
        MessagePage {
            title: title.to_string(),
            heading: heading.to_string(),
            text: text.to_string(),
            watch: None,
        }
    }
}

/// An account in a list.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: String,
    pub holder: String,
    pub balance: String,
    pub status: Status,
}

/// A transfer in a list.
#[derive(Debug, Clone)]
pub struct TransferRow {
    pub id: String,
    pub from: String,
    pub to: String,
    pub amount: String,
    pub status: Status,
    pub requested: String,
}

/// The open-an-account form.
#[derive(Debug, Clone)]
pub struct OpenForm {
    pub command_id: String,
    pub holder_name: String,
    pub error: Option<String>,
}

/// The home page: a page of accounts (or what a search found), recent
/// transfers, and opening an account.
#[derive(Debug, Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub watch: Option<Watch>,
    pub notice: Option<Notice>,
    pub accounts: Vec<AccountRow>,
    /// What was searched for, if this is a search's answer.
    pub search: Option<String>,
    /// The search found more than it shows.
    pub more_found: bool,
    /// Links to the pages of newer and of older accounts, when there are.
    pub newer_url: Option<String>,
    pub older_url: Option<String>,
    pub transfers: Vec<TransferRow>,
    pub open_form: OpenForm,
}

/// The top of the account page.
#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub id: String,
    pub holder: String,
    pub balance: String,
    pub status: Status,
    pub opened: String,
    pub closed: Option<String>,
}

/// A statement line.
#[derive(Debug, Clone)]
pub struct LineRow {
    pub time: String,
    pub entry: String,
    pub amount: String,
    pub balance_after: String,
    /// For a transfer's line, the other side: `to Bob`, `from Ada`.
    pub party: Option<String>,
    pub reason: Option<String>,
    /// What the customer wrote to recognise it, if anything.
    pub reference: Option<String>,
    pub transfer_id: Option<String>,
    pub rejected: bool,
}

/// A command sent but not answered yet.
#[derive(Debug, Clone)]
pub struct PendingRow {
    pub description: String,
    pub requested: String,
}

/// A form with an amount.
#[derive(Debug, Clone)]
pub struct AmountForm {
    pub command_id: String,
    pub amount: String,
    pub reference: String,
    pub error: Option<String>,
}

/// An account to transfer to.
#[derive(Debug, Clone)]
pub struct Destination {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

/// The transfer form.
#[derive(Debug, Clone)]
pub struct TransferForm {
    pub command_id: String,
    pub amount: String,
    pub reference: String,
    pub error: Option<String>,
    /// The accounts offered: the newest ones, or what a search found.
    pub destinations: Vec<Destination>,
    /// What the destination search was, if there was one.
    pub search: String,
    /// A sentence about the search's answer, if there was one.
    pub found: Option<String>,
}

/// The close form.
#[derive(Debug, Clone)]
pub struct CloseForm {
    pub command_id: String,
    pub error: Option<String>,
}

/// The account page: balance, statement, and what can be done.
#[derive(Debug, Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub watch: Option<Watch>,
    pub notices: Vec<Notice>,
    pub account: AccountSummary,
    pub is_open: bool,
    /// The statement shown: a page of its lines, the latest or earlier ones.
    pub lines: Vec<LineRow>,
    /// Where the page of earlier lines is, when there are.
    pub earlier_lines_url: Option<String>,
    /// Where the latest lines are, when these are earlier ones.
    pub latest_lines_url: Option<String>,
    pub pending: Vec<PendingRow>,
    pub transfers: Vec<TransferRow>,
    pub deposit: AmountForm,
    pub withdraw: AmountForm,
    pub transfer: TransferForm,
    pub close: CloseForm,
}

/// One step of a transfer.
#[derive(Debug, Clone)]
pub struct Step {
    pub label: &'static str,
    pub time: Option<String>,
    /// `done`, `failed` or `waiting`.
    pub state: &'static str,
}

/// A transfer as its page shows it.
#[derive(Debug, Clone)]
pub struct TransferDetails {
    pub from_id: String,
    pub from: String,
    pub to_id: String,
    pub to: String,
    pub amount: String,
    pub status: Status,
    pub reason: Option<String>,
    pub steps: Vec<Step>,
}

/// The transfer page: its steps as they happen.
#[derive(Debug, Template)]
#[template(path = "transfer.html")]
pub struct TransferPage {
    pub watch: Option<Watch>,
    pub notices: Vec<Notice>,
    pub id: String,
    pub transfer: Option<TransferDetails>,
    /// While the views have not seen the transfer: its amount and source,
    /// from the command (`12.00 from Ada`).
    pub requested: Option<String>,
}

/// A message as the inspector shows it.
#[derive(Debug, Clone)]
pub struct InspectedRow {
    /// How deep in the causal chain (0 for a message nothing here caused).
    pub depth: usize,
    pub kind: &'static str,
    pub stream_name: String,
    /// The inspection of the account or transfer the stream belongs to.
    pub stream_link: Option<String>,
    pub position: i64,
    pub global_position: i64,
    pub message_type: String,
    pub time: String,
    /// The amount the message carries, as money (its data holds cents).
    pub amount: Option<String>,
    pub causation: Option<String>,
    pub causation_link: Option<String>,
    pub correlation: Option<String>,
    pub correlation_link: Option<String>,
    pub data: String,
}

/// The message inspector.
#[derive(Debug, Template)]
#[template(path = "inspector.html")]
pub struct InspectorPage {
    pub watch: Option<Watch>,
    pub subject: Option<String>,
    pub messages: Vec<InspectedRow>,
    /// The accounts offered: the newest, or those the search found.
    pub accounts: Vec<AccountRow>,
    /// The search for an account, if there was one.
    pub find: String,
    pub transfers: Vec<TransferRow>,
}

/// A consumer on the operations page.
#[derive(Debug, Clone)]
pub struct ConsumerRow {
    pub name: String,
    pub category: String,
    pub position: String,
    pub lag: String,
    pub caught_up: bool,
    pub updated: String,
}

/// A parked message on the operations page.
#[derive(Debug, Clone)]
pub struct DeadLetterRow {
    pub consumer: String,
    pub stream_name: String,
    pub position: i64,
    pub message_type: String,
    pub error: String,
    pub time: String,
}

/// A component running in this process, on the operations page, with the
/// button that pauses or resumes it.
#[derive(Debug, Clone)]
pub struct ComponentRow {
    pub name: &'static str,
    pub paused: bool,
}

/// Money a transfer holds, on the operations page, with the form that
/// releases it (when no release is under way).
#[derive(Debug, Clone)]
pub struct HeldRow {
    pub transfer_id: String,
    pub amount: String,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
    pub status: Status,
    /// The release form, while the money waits for one.
    pub release: Option<ReleaseForm>,
}

/// The release form: the money held, to an account an operator types.
#[derive(Debug, Clone)]
pub struct ReleaseForm {
    pub command_id: String,
    pub account_id: String,
    pub error: Option<String>,
}

/// The operations page: consumers, lag, dead letters, money held.
#[derive(Debug, Template)]
#[template(path = "operations.html")]
pub struct OperationsPage {
    pub watch: Option<Watch>,
    /// The components running in this process (none when they run as
    /// processes of their own).
    pub components: Vec<ComponentRow>,
    pub consumers: Vec<ConsumerRow>,
    pub dead_letters: Vec<DeadLetterRow>,
    pub held: Vec<HeldRow>,
}

/// A form whose command may or may not have reached the bank, offered again
/// as it was sent.
#[derive(Debug, Template)]
#[template(path = "resend.html")]
pub struct ResendPage {
    pub watch: Option<Watch>,
    /// Where the form posts.
    pub action: String,
    /// Its fields, the command id among them, as they were sent.
    pub fields: Vec<(&'static str, String)>,
}
