//! The commands handler: `account:command-{accountId}`.

pub mod transactions;

use messaging::defects::{self, Defect};
use messaging::{
    Clock, EntityStore, ExpectedVersion, Handler, HandlerError, Message, MessageStore, NewMessage,
    StoredMessage,
};
use uuid::Uuid;

use super::ensure_addressed_to;
use crate::messages::commands::{Close, Deposit, Open, Withdraw};
use crate::messages::events::{CloseRejected, Closed, Opened};
use crate::{Account, streams};

/// Opens and closes accounts, and reserves deposits and withdrawals.
#[derive(Clone, Debug)]
pub struct Commands {
    /// Where the events and the reservations are written.
    store: MessageStore,
    /// Where accounts are fetched from: projected from their own events.
    accounts: EntityStore<Account>,
    /// Where `processed_time` comes from; tests fix it.
    clock: Clock,
}

impl Commands {
    /// A handler writing to `store`, fetching from `accounts`, with the time
    /// from `clock`.
    pub fn new(store: MessageStore, accounts: EntityStore<Account>, clock: Clock) -> Commands {
        Commands {
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
        let opened = Opened::follow(&open, sequence, self.clock.now());
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
                let rejected = CloseRejected::follow(&close, reason, sequence, time);
                NewMessage::follow(&rejected, message)?
            }
            None => {
                tracing::info!("Closed");
                NewMessage::follow(&Closed::follow(&close, sequence, time), message)?
            }
        };
        self.write(close.account_id, event, version).await
    }

    /// `Deposit` and `Withdraw`: the first layer of idempotence. The command
    /// is copied into its own reservation stream,
    /// `accountTransaction-{accountId}+{transactionId}`, on condition that
    /// the stream does not exist yet. The first copy of a transaction wins;
    /// a command sent again with the same transaction id (a double-clicked
    /// form, a retrying client) finds the stream taken, and is dropped here,
    /// before it can touch the balance. The transactions handler takes the
    /// reserved copies from there.
    async fn reserve<M: Message>(
        &self,
        message: &StoredMessage,
        command: &M,
        account_id: Uuid,
        transaction_id: Uuid,
    ) -> Result<(), HandlerError> {
        ensure_addressed_to(message, account_id)?;
        // `follow` records what caused the copy (the command's stream and
        // position) and carries the command's correlation along: a
        // transfer's deposit stays correlated with its transfer all the way
        // to the account's event.
        let copy = NewMessage::follow(command, message)?;
        let reservation = streams::transaction_stream(account_id, transaction_id);
        // (`defects`: a test lets any copy through, to show that the
        // simulation catches a transaction reserved, and applied, twice.)
        let expected = if defects::is_on(Defect::ForgetReservation) {
            ExpectedVersion::Any
        } else {
            ExpectedVersion::INITIAL
        };
        let reserved = self
            .store
            .write_message(&reservation, &copy, expected)
            .await;
        match reserved {
            Ok(_) => {
                tracing::info!(%transaction_id, "{} reserved", M::TYPE);
                Ok(())
            }
            // The stream exists: this transaction was reserved before, by
            // an earlier copy of the command. Not an error: the command
            // has been taken care of.
            Err(error) if error.is_wrong_expected_version() => {
                tracing::info!(%transaction_id, "{} ignored: reserved already", M::TYPE);
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Writes an event to the account's stream at the version it was
    /// decided on (see `Transactions::write`).
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

impl Handler for Commands {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match message.message_type.as_str() {
            Open::TYPE => self.open(message).await,
            Close::TYPE => self.close(message).await,
            Deposit::TYPE => {
                let deposit: Deposit = message.decode()?;
                self.reserve(message, &deposit, deposit.account_id, deposit.deposit_id)
                    .await
            }
            Withdraw::TYPE => {
                let withdraw: Withdraw = message.decode()?;
                let id = withdraw.withdrawal_id;
                self.reserve(message, &withdraw, withdraw.account_id, id)
                    .await
            }
            _ => Ok(()),
        }
    }
}
