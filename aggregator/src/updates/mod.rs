//! View updates: what each event changes in the views.
//!
//! One module per source category. In each, `update` is the lesson: one
//! event, applied to the rows it touches, in memory; a plain function with
//! no database, whose every case is specified in
//! `aggregator/tests/views/updates/`. Each update is idempotent by source
//! position: a row skips any event at or below the last one it applied,
//! statement lines are keyed by the event's position, and a command keeps
//! its first request and its first answer. Applying an event twice changes
//! nothing.
//!
//! `apply_batch` runs the updates of a batch, in order, inside the
//! transaction that also records the aggregator's position (`batch.rs`):
//! it reads the rows the batch touches once, updates them in memory, and
//! writes the changed rows back through the `views` crate, many rows per
//! statement. A batch of one is the plain path; bigger batches only save
//! round trips, and come out the same (a rebuild equals the live views row
//! for row, `tests/views/rebuilds.rs`).

pub mod accounts;
pub mod commands;
pub mod transfers;

use messaging::{Category, MessageError, StoredMessage};
use sqlx::AnyConnection;

use account_component::streams as account_streams;
use funds_transfer_component::streams as transfer_streams;
use uuid::Uuid;

/// A message that cannot be applied, and why: it is parked and skipped.
#[derive(Debug)]
pub struct Unhandleable<'a> {
    pub message: &'a StoredMessage,
    pub error: MessageError,
}

/// Decodes each message of a batch with `decode`: keeps those it
/// understands, with the message they came from; skips those it has nothing
/// to say about (`Ok(None)`); and sets aside those it cannot read, to be
/// parked.
fn decode_all<'a, T>(
    messages: &[&'a StoredMessage],
    decode: impl Fn(&StoredMessage) -> Result<Option<T>, MessageError>,
) -> (Vec<(&'a StoredMessage, T)>, Vec<Unhandleable<'a>>) {
    let mut decoded = Vec::new();
    let mut unhandleable = Vec::new();
    for message in messages {
        match decode(message) {
            Ok(Some(found)) => decoded.push((*message, found)),
            Ok(None) => {}
            Err(error) => unhandleable.push(Unhandleable { message, error }),
        }
    }
    (decoded, unhandleable)
}

/// A category the aggregator reads, and what it builds from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// `account`: accounts, statements, and the outcomes of account commands.
    AccountEvents,
    /// `fundsTransfer`: transfers, and the outcomes of transfer commands.
    TransferEvents,
    /// `account:command`: account commands requested.
    AccountCommands,
    /// `fundsTransfer:command`: transfer commands requested.
    TransferCommands,
}

impl Source {
    /// Every source, each read by a subscription of its own.
    pub const ALL: [Source; 4] = [
        Source::AccountEvents,
        Source::TransferEvents,
        Source::AccountCommands,
        Source::TransferCommands,
    ];

    /// The category it reads.
    pub fn category(&self) -> Category {
        match self {
            Source::AccountEvents => account_streams::CATEGORY,
            Source::TransferEvents => transfer_streams::CATEGORY,
            Source::AccountCommands => account_streams::COMMAND_CATEGORY,
            Source::TransferCommands => transfer_streams::COMMAND_CATEGORY,
        }
    }

    /// Applies a batch of this source's messages, in order, to the views;
    /// returns the ones that cannot be applied.
    pub async fn apply_batch<'a>(
        &self,
        connection: &mut AnyConnection,
        messages: &[&'a StoredMessage],
    ) -> Result<Vec<Unhandleable<'a>>, sqlx::Error> {
        match self {
            Source::AccountEvents => accounts::apply_batch(connection, messages).await,
            Source::TransferEvents => transfers::apply_batch(connection, messages).await,
            Source::AccountCommands | Source::TransferCommands => {
                commands::apply_batch(connection, messages).await
            }
        }
    }
}

/// The transfer an account event belongs to, from its correlation.
fn transfer_of(message: &StoredMessage) -> Result<Option<Uuid>, MessageError> {
    Ok(message
        .metadata()?
        .correlation_stream_name
        .as_deref()
        .and_then(transfer_streams::transfer_id_of))
}
