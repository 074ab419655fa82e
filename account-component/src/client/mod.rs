//! The account component's client: how the web UI and the funds-transfer
//! component send commands to accounts.
//!
//! Sending a command is writing a message to `account:command-{accountId}`;
//! nothing calls the account component, which may well be down at the time.
//! The command waits in the store until the component reads it.

use messaging::{
    ExpectedVersion, Message, MessageError, MessageStore, NewMessage, StoreError, StoredMessage,
    StreamName,
};
use uuid::Uuid;

use crate::messages::commands::{Close, Deposit, Open, Withdraw};
use crate::streams;

/// A command addressed to one account, ready to send.
///
/// ```no_run
/// # use account_component::client::AccountCommand;
/// # use account_component::messages::commands::Deposit;
/// # async fn example(store: messaging::MessageStore, deposit: Deposit) -> anyhow::Result<()> {
/// let message_id = AccountCommand::deposit(&deposit)?.send(&store).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountCommand {
    stream_name: StreamName,
    message: NewMessage,
}

impl AccountCommand {
    /// Open an account.
    pub fn open(open: &Open) -> Result<AccountCommand, MessageError> {
        AccountCommand::to(open.account_id, open)
    }

    /// Deposit money.
    pub fn deposit(deposit: &Deposit) -> Result<AccountCommand, MessageError> {
        AccountCommand::to(deposit.account_id, deposit)
    }

    /// Withdraw money.
    pub fn withdraw(withdraw: &Withdraw) -> Result<AccountCommand, MessageError> {
        AccountCommand::to(withdraw.account_id, withdraw)
    }

    /// Close an account.
    pub fn close(close: &Close) -> Result<AccountCommand, MessageError> {
        AccountCommand::to(close.account_id, close)
    }

    fn to<M: Message>(account_id: Uuid, command: &M) -> Result<AccountCommand, MessageError> {
        Ok(AccountCommand {
            stream_name: streams::command_stream(account_id),
            message: NewMessage::new(command)?,
        })
    }

    /// The same command, recorded as caused by `previous` (and carrying its
    /// correlation on).
    pub fn following(mut self, previous: &StoredMessage) -> Result<AccountCommand, MessageError> {
        let metadata = messaging::Metadata::caused_by(previous, &previous.metadata()?);
        self.message = self.message.with_metadata(metadata);
        Ok(self)
    }

    /// The same command, correlated with a process: the account's events in
    /// answer will carry `correlationStreamName = stream`, which is how the
    /// funds-transfer component finds them.
    pub fn correlated_with(mut self, stream: &StreamName) -> AccountCommand {
        self.message = self.message.correlated_with(stream);
        self
    }

    /// The same command with a chosen message id. The store takes each id
    /// once, so sending the same command twice with the same id writes it
    /// once; the second `send` fails with `DuplicateMessageId`. The web UI
    /// uses the form's id this way to tell a double submit from a new one.
    pub fn with_message_id(mut self, id: Uuid) -> AccountCommand {
        self.message = self.message.with_id(id);
        self
    }

    /// The stream the command goes to.
    pub fn stream_name(&self) -> &StreamName {
        &self.stream_name
    }

    /// The message that will be written.
    pub fn message(&self) -> &NewMessage {
        &self.message
    }

    /// Writes the command; returns the id of the message written.
    pub async fn send(&self, store: &MessageStore) -> Result<Uuid, StoreError> {
        store
            .write_message(&self.stream_name, &self.message, ExpectedVersion::Any)
            .await?;
        Ok(self.message.id)
    }
}
