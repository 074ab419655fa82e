//! The commands handler: `account:command-{accountId}`.

pub mod transactions;

use messaging::{
    Clock, EntityStore, ExpectedVersion, Handler, HandlerError, Message, MessageError,
    MessageStore, NewMessage, StoreError, StoredMessage, StreamName,
};
use uuid::Uuid;

use super::ensure_addressed_to;
use crate::messages::Reason;
use crate::messages::commands::{Close, Deposit, Open, Transaction, Withdraw};
use crate::messages::events::{CloseRejected, Closed, Opened};
use crate::{Account, streams};

/// Opens and closes accounts, and reserves deposits and withdrawals.
#[derive(Clone, Debug)]
pub struct CommandHandler {
    /// Where the events and the reservations are written.
    store: MessageStore,
    /// Where accounts are fetched from: projected from their own events.
    accounts: EntityStore<Account>,
    /// Where `processed_time` comes from; tests fix it.
    clock: Clock,
}

impl CommandHandler {
    /// A handler writing to `store`, fetching from `accounts`, with the time
    /// from `clock`.
    pub fn new(
        store: MessageStore,
        accounts: EntityStore<Account>,
        clock: Clock,
    ) -> CommandHandler {
        CommandHandler {
            store,
            accounts,
            clock,
        }
    }

    /// `Open`: an account opens once. Its id was chosen by whoever asked, so
    /// asking twice finds it opened, and changes nothing.
    async fn open(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let open: Open = message.decode()?;
        ensure_addressed_to(message, open.account_id)?;
        let (account, version) = self.accounts.fetch(open.account_id).await?;

        if account.was_opened() {
            tracing::info!("Open ignored: the account was opened already");
            return Ok(());
        }

        // The `Open`'s global position is recorded as its sequence, as for
        // every command this handler answers: the account remembers the
        // last command it processed (`command_sequence`).
        let sequence = message.global_position;
        let opened = Opened::answering(&open, sequence, self.clock.now());
        tracing::info!("Opened");
        let event = NewMessage::follow(&opened, message)?;
        self.write(open.account_id, event, version).await
    }

    /// `Close`: an account with nothing in it closes; any other refuses.
    /// Each `Close` is answered once: its global position is its sequence,
    /// which the answer records (`Account::has_processed_command`).
    async fn close(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let close: Close = message.decode()?;
        ensure_addressed_to(message, close.account_id)?;
        let (account, version) = self.accounts.fetch(close.account_id).await?;
        let sequence = message.global_position;

        if account.has_processed_command(sequence) {
            tracing::info!(sequence, "Close ignored: processed already");
            return Ok(());
        }
        if account.is_closed() {
            tracing::info!("Close ignored: the account is closed already");
            return Ok(());
        }

        let time = self.clock.now();
        let event = match account.close_refusal() {
            Some(reason) => {
                tracing::info!(%reason, "Close rejected");
                let rejected = CloseRejected::answering(&close, reason, sequence, time);
                NewMessage::follow(&rejected, message)?
            }
            None => {
                tracing::info!("Closed");
                NewMessage::follow(&Closed::answering(&close, sequence, time), message)?
            }
        };
        self.write(close.account_id, event, version).await
    }

    /// `Deposit` and `Withdraw`: the first layer of idempotence. The command
    /// is copied into its own reservation stream,
    /// `accountTransaction-{accountId}+{transactionId}`, on condition that
    /// the stream does not exist yet. The first copy of a transaction wins;
    /// the transactions handler takes the reserved copies from there. A
    /// command that finds the stream taken is answered by
    /// [`CommandHandler::reserved_already`].
    async fn reserve<T: Transaction>(
        &self,
        message: &StoredMessage,
        command: &T,
    ) -> Result<(), HandlerError> {
        let (account_id, transaction_id) = (command.account_id(), command.transaction_id());
        ensure_addressed_to(message, account_id)?;
        // `follow` records what caused the copy (the command's stream and
        // position) and carries the command's correlation along: a
        // transfer's deposit stays correlated with its transfer all the way
        // to the account's event.
        let copy = NewMessage::follow(command, message)?;
        let reservation = streams::transaction_stream(account_id, transaction_id);
        match self
            .store
            .write_message(&reservation, &copy, ExpectedVersion::INITIAL)
            .await
        {
            Ok(_) => {
                tracing::info!(%transaction_id, "{} reserved", T::TYPE);
                Ok(())
            }
            Err(error) if error.is_wrong_expected_version() => {
                self.reserved_already(message, command, &reservation).await
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The transaction's id was reserved before. By this very command, sent
    /// again (a double-clicked form, a retrying client, a transfer resending
    /// its step): then it has been taken care of, and is dropped here,
    /// before it can touch the balance. Or by a *different* command under the
    /// same id: then dropping it in silence would lose it (a transfer whose
    /// deposit was dropped would wait for an answer for ever), so it is
    /// refused, with a rejection event its sender can read like any other.
    /// The id stays with the command that reserved it first.
    async fn reserved_already<T: Transaction>(
        &self,
        message: &StoredMessage,
        command: &T,
        reservation: &StreamName,
    ) -> Result<(), HandlerError> {
        let reserved = self.store.read_stream(reservation, 0, 1).await?;
        let Some(reserved) = reserved.first() else {
            // The write said the stream exists; a read that finds it empty
            // is the store breaking its promise, not this message's fault.
            return Err(StoreError::InvalidRequest(format!(
                "{reservation} refused a first write, yet holds no message"
            ))
            .into());
        };
        let transaction_id = command.transaction_id();
        if is_the_same_command(reserved, message, command)? {
            tracing::info!(%transaction_id, "{} ignored: reserved already", T::TYPE);
            return Ok(());
        }

        // The refusal answers the command itself, so its sequence is the
        // command's global position, as for `Open` and `Close`: a re-delivered
        // copy of this command finds it processed.
        let account_id = command.account_id();
        let (account, version) = self.accounts.fetch(account_id).await?;
        let sequence = message.global_position;
        if account.has_processed_command(sequence) {
            tracing::info!(sequence, "{} ignored: refused already", T::TYPE);
            return Ok(());
        }
        tracing::warn!(%transaction_id, "{} rejected: its id is another command's", T::TYPE);
        let rejected = command.rejected(Reason::TransactionIdInUse, sequence, self.clock.now());
        let event = NewMessage::follow(&rejected, message)?;
        self.write(account_id, event, version).await
    }

    /// Writes an event to the account's stream at the version it was
    /// decided on (see `TransactionHandler::write`).
    async fn write(
        &self,
        account_id: Uuid,
        event: NewMessage,
        version: i64,
    ) -> Result<(), HandlerError> {
        let stream = streams::account_stream(account_id);
        self.store
            .write_message(&stream, &event, ExpectedVersion::Exactly(version))
            .await?;
        Ok(())
    }
}

impl Handler for CommandHandler {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match message.message_type.as_str() {
            Open::TYPE => self.open(message).await,
            Close::TYPE => self.close(message).await,
            Deposit::TYPE => self.reserve(message, &message.decode::<Deposit>()?).await,
            Withdraw::TYPE => self.reserve(message, &message.decode::<Withdraw>()?).await,
            _ => Ok(()),
        }
    }
}

/// Is the command that reserved a transaction id (`reserved`, its reserved
/// copy) the command `sent` again? The same type, the same amount and the
/// same correlation make the same command: a client that sends again sends
/// exactly that (the time may differ, a transfer stamps each resend anew).
/// The account need not be compared: it is in the reservation's stream
/// name, which both share. Nor the reference: it is a memo that decides
/// nothing about the money, and a resend with another memo is still the
/// same deposit, recorded once with the first one's.
fn is_the_same_command<T: Transaction>(
    reserved: &StoredMessage,
    sent: &StoredMessage,
    command: &T,
) -> Result<bool, MessageError> {
    if reserved.message_type != sent.message_type {
        return Ok(false);
    }
    let copy: T = reserved.decode()?;
    let correlation = |message: &StoredMessage| {
        message
            .metadata()
            .map(|metadata| metadata.correlation_stream_name)
    };
    Ok(copy.amount() == command.amount() && correlation(reserved)? == correlation(sent)?)
}
