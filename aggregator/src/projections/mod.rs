//! Projections: how each event changes the views.
//!
//! One module per source category. Each `apply` is called inside the
//! transaction of its batch, and is idempotent by source position: every
//! write is conditional on the row not having seen this event (or a later
//! one) yet, so applying an event twice changes nothing.

pub mod accounts;
pub mod commands;
pub mod transfers;

use messaging::{Category, MessageError, StoredMessage};
use sqlx::AnyConnection;

use account_component::streams as account_streams;
use funds_transfer_component::streams as transfer_streams;

/// Why an event could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The view database failed.
    #[error(transparent)]
    Views(#[from] sqlx::Error),
    /// The event itself cannot be applied; it is parked and skipped.
    #[error(transparent)]
    Message(#[from] MessageError),
}

/// A category the aggregator reads, and what it builds from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

    /// Applies one message to the views.
    pub async fn apply(
        &self,
        connection: &mut AnyConnection,
        message: &StoredMessage,
    ) -> Result<(), ApplyError> {
        match self {
            Source::AccountEvents => accounts::apply(connection, message).await,
            Source::TransferEvents => transfers::apply(connection, message).await,
            Source::AccountCommands | Source::TransferCommands => {
                commands::apply(connection, message).await
            }
        }
    }
}

/// The transfer an account event belongs to, from its correlation.
fn transfer_of(message: &StoredMessage) -> Result<Option<String>, MessageError> {
    Ok(message
        .metadata()?
        .correlation_stream_name
        .as_deref()
        .and_then(transfer_streams::transfer_id_of)
        .map(|id| id.to_string()))
}
