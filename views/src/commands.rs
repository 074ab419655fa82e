//! The commands view: what was asked, and whether its answer has been seen.
//!
//! Between a click and its effect there is a moment when the command is in
//! the store and the account component has not answered yet. This view is
//! what lets a page say so ("pending") instead of showing nothing: the
//! aggregator reads the command categories (`account:command`,
//! `fundsTransfer:command`) for the requests, and the event categories for
//! the answers. The table is `commands` in `migrations/views/`.
//!
//! A row is keyed by what identifies the command's *effect* ([`key`]), so it
//! can be created by the request or by the answer, whichever the aggregator
//! happens to read first, and a command sent twice is one row.

use std::collections::BTreeMap;
use std::fmt;

use account_component::Money;
use messaging::Time;
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::Views;
use crate::accounts::AccountStatus;
use crate::bulk::{self, Value};
use crate::columns::{self, Code, parsed, parsed_optional};

/// What a command asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum CommandKind {
    Open,
    Deposit,
    Withdraw,
    Close,
    Transfer,
    /// An operator's release of the money a transfer holds.
    Release,
}

impl Code for CommandKind {
    const ALL: &'static [Self] = &[
        Self::Open,
        Self::Deposit,
        Self::Withdraw,
        Self::Close,
        Self::Transfer,
        Self::Release,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Deposit => "deposit",
            Self::Withdraw => "withdraw",
            Self::Close => "close",
            Self::Transfer => "transfer",
            Self::Release => "release",
        }
    }
}

impl TryFrom<String> for CommandKind {
    type Error = columns::ColumnError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        columns::parse_code(&code)
    }
}

impl fmt::Display for CommandKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

/// How a command was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Outcome {
    /// `Opened`.
    Opened,
    /// `Deposited`.
    Deposited,
    /// `Withdrawn`.
    Withdrawn,
    /// `Closed`.
    Closed,
    /// The transfer started (`Initiated`); its own page follows the rest.
    Initiated,
    /// The money held was paid into the account chosen (`Released`).
    Released,
    /// Refused, for the reason in the row's `reason`.
    Rejected,
}

impl Code for Outcome {
    const ALL: &'static [Self] = &[
        Self::Opened,
        Self::Deposited,
        Self::Withdrawn,
        Self::Closed,
        Self::Initiated,
        Self::Released,
        Self::Rejected,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::Deposited => "deposited",
            Self::Withdrawn => "withdrawn",
            Self::Closed => "closed",
            Self::Initiated => "initiated",
            Self::Released => "released",
            Self::Rejected => "rejected",
        }
    }
}

impl TryFrom<String> for Outcome {
    type Error = columns::ColumnError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        columns::parse_code(&code)
    }
}

/// What identifies a command's effect, and so its row. The aggregator keys
/// requests and answers with these; nothing outside this crate needs them
/// (the web UI finds the command it sent by its message id, see
/// [`Views::sent_command`]).
pub mod key {
    use uuid::Uuid;

    /// An `Open`: an account opens once.
    pub fn open(account_id: Uuid) -> String {
        format!("open:{account_id}")
    }

    /// A `Close`: the account answers each with the command's global
    /// position as its sequence, so that is what tells two closes apart.
    pub fn close(account_id: Uuid, global_position: i64) -> String {
        format!("close:{account_id}:{global_position}")
    }

    /// A deposit, a withdrawal or a transfer: its own id, which every copy
    /// of the command and its answer carry.
    pub fn transaction(id: Uuid) -> String {
        id.to_string()
    }

    /// A release of money held. The deposit that pays it out carries the
    /// release's id too (that is what makes it idempotent), and is a
    /// command of its own in `account:command`: so the release is keyed
    /// apart from it, or the two would share one row, and which of them
    /// the row described would depend on which category the aggregator
    /// happened to read first.
    pub fn release(release_id: Uuid) -> String {
        format!("release:{release_id}")
    }
}

/// A command, and once seen, its answer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Command {
    /// See [`key`].
    pub command_key: String,
    /// The id of the message that carried the first copy of the command.
    /// `None` while only the answer has been seen.
    pub message_id: Option<Uuid>,
    pub kind: CommandKind,
    pub account_id: Option<Uuid>,
    pub funds_transfer_id: Option<Uuid>,
    pub amount: Option<Money>,
    /// The command's own time: when it was asked for.
    pub requested_time: Option<Time>,
    /// The global position of the first copy of the command.
    pub request_position: Option<i64>,
    /// The global position of the event that answered it.
    pub processed_position: Option<i64>,
    pub outcome: Option<Outcome>,
    /// Why it was refused, in words, when the outcome is `Rejected`.
    pub reason: Option<String>,
    pub processed_time: Option<Time>,
}

impl Command {
    /// Has its answer been seen?
    pub fn is_processed(&self) -> bool {
        self.processed_position.is_some()
    }
}

/// A command as requested: what the aggregator records from a command
/// category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub command_key: String,
    pub message_id: Uuid,
    pub kind: CommandKind,
    pub account_id: Option<Uuid>,
    pub funds_transfer_id: Option<Uuid>,
    pub amount: Option<Money>,
    pub time: Time,
    /// The global position of the command.
    pub position: i64,
}

/// A command as answered: what the aggregator records from an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub command_key: String,
    pub kind: CommandKind,
    pub account_id: Option<Uuid>,
    pub funds_transfer_id: Option<Uuid>,
    pub amount: Option<Money>,
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub time: Time,
    /// The global position of the event that answered.
    pub position: i64,
}

/// The columns of a row, in the order the reads below use.
pub(crate) const COLUMNS: &str = "command_key, message_id, kind, account_id, funds_transfer_id, \
    amount, requested_time, request_position, processed_position, outcome, reason, processed_time";

/// Which commands are pending, as `c`, with their account as `a`: requested,
/// their outcome not seen yet, and not a `Close` of an account that is
/// closed already (nothing answers that one, so it counts as done). The
/// pending list and the account page both read from here, so they cannot
/// come to disagree.
pub(crate) fn pending_commands() -> String {
    format!(
        "commands c LEFT JOIN accounts a ON a.account_id = c.account_id \
         WHERE c.request_position IS NOT NULL AND c.processed_position IS NULL \
           AND NOT (c.kind = '{close}' AND a.status = '{closed}')",
        close = CommandKind::Close.code(),
        closed = AccountStatus::Closed.code(),
    )
}

fn from_row(row: &AnyRow) -> Result<Command, sqlx::Error> {
    Ok(Command {
        command_key: row.try_get("command_key")?,
        message_id: parsed_optional(row, "message_id")?,
        kind: parsed(row, "kind")?,
        account_id: parsed_optional(row, "account_id")?,
        funds_transfer_id: parsed_optional(row, "funds_transfer_id")?,
        amount: columns::money_optional(row, "amount")?,
        requested_time: parsed_optional(row, "requested_time")?,
        request_position: row.try_get("request_position")?,
        processed_position: row.try_get("processed_position")?,
        outcome: parsed_optional(row, "outcome")?,
        reason: row.try_get("reason")?,
        processed_time: parsed_optional(row, "processed_time")?,
    })
}

/// The aggregator's write of requests. The first copy of a command is the
/// request; a later copy (a command sent again) changes nothing, within the
/// batch or across batches. The row may exist already, created by the
/// answer, when the aggregator read the answer first.
///
/// The aggregator reads each category at its own pace, so a row must come
/// out the same whichever of request and answer it meets first. Each sets
/// the columns it knows; the amount, which only one of them may know (a
/// `ReleaseHeldRefund` does not say how much it releases, its answer does),
/// is kept once known rather than overwritten with nothing.
pub async fn record_requests(
    connection: &mut AnyConnection,
    requests: Vec<Request>,
) -> Result<(), sqlx::Error> {
    let mut first: BTreeMap<String, Request> = BTreeMap::new();
    for request in requests {
        first.entry(request.command_key.clone()).or_insert(request);
    }
    let rows: Vec<Vec<Value>> = first
        .into_values()
        .map(|request| {
            vec![
                request.command_key.into(),
                request.message_id.into(),
                request.kind.code().into(),
                request.account_id.into(),
                request.funds_transfer_id.into(),
                request.amount.into(),
                request.time.into(),
                request.position.into(),
            ]
        })
        .collect();
    bulk::insert(
        connection,
        "INSERT INTO commands (command_key, message_id, kind, account_id, funds_transfer_id, \
         amount, requested_time, request_position)",
        "ON CONFLICT (command_key) DO UPDATE SET message_id = excluded.message_id, \
         requested_time = excluded.requested_time, request_position = excluded.request_position, \
         amount = COALESCE(commands.amount, excluded.amount) \
         WHERE commands.request_position IS NULL \
            OR commands.request_position > excluded.request_position",
        &rows,
    )
    .await
}

/// The aggregator's write of answers. The first answer is kept.
pub async fn record_answers(
    connection: &mut AnyConnection,
    answers: Vec<Answer>,
) -> Result<(), sqlx::Error> {
    let mut first: BTreeMap<String, Answer> = BTreeMap::new();
    for answer in answers {
        first.entry(answer.command_key.clone()).or_insert(answer);
    }
    let rows: Vec<Vec<Value>> = first
        .into_values()
        .map(|answer| {
            vec![
                answer.command_key.into(),
                answer.kind.code().into(),
                answer.account_id.into(),
                answer.funds_transfer_id.into(),
                answer.amount.into(),
                answer.position.into(),
                answer.outcome.code().into(),
                answer.reason.into(),
                answer.time.into(),
            ]
        })
        .collect();
    bulk::insert(
        connection,
        "INSERT INTO commands (command_key, kind, account_id, funds_transfer_id, amount, \
         processed_position, outcome, reason, processed_time)",
        "ON CONFLICT (command_key) DO UPDATE SET processed_position = excluded.processed_position, \
         outcome = excluded.outcome, reason = excluded.reason, \
         processed_time = excluded.processed_time, \
         amount = COALESCE(commands.amount, excluded.amount) \
         WHERE commands.processed_position IS NULL \
            OR commands.processed_position > excluded.processed_position",
        &rows,
    )
    .await
}

/// The web UI's reads.
impl Views {
    /// The command that went out in the message with this id (the web UI
    /// uses a form's id as its message's id), as the views show it now.
    /// `None` until the aggregator has seen the command itself.
    pub async fn sent_command(&self, message_id: Uuid) -> Result<Option<Command>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM commands WHERE message_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(message_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The `Transfer` command of this transfer, however it was sent: the
    /// transfer page uses it to tell a transfer not seen yet from one that
    /// does not exist.
    pub async fn transfer_command(
        &self,
        funds_transfer_id: Uuid,
    ) -> Result<Option<Command>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM commands WHERE command_key = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key::transaction(funds_transfer_id))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Commands requested whose outcome has not been seen yet, oldest first,
    /// for one account or for all.
    pub async fn pending_commands(
        &self,
        account_id: Option<Uuid>,
    ) -> Result<Vec<Command>, sqlx::Error> {
        let columns = qualified(COLUMNS, "c");
        // Two texts rather than one with "$1 IS NULL OR c.account_id = $1":
        // a plan made for that one text cannot use the account in an index,
        // and every account page would walk the pending index of the whole
        // bank (see `commands_pending_by_account` in the schema).
        let of_the_account = if account_id.is_some() {
            "AND c.account_id = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {columns} FROM {} {of_the_account} ORDER BY c.request_position",
            pending_commands()
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(account_id) = account_id {
            query = query.bind(account_id.to_string());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }
}

/// `a, b` as `c.a, c.b`.
pub(crate) fn qualified(columns: &str, table: &str) -> String {
    columns
        .split(',')
        .map(|column| format!("{table}.{}", column.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
