//! The account component's client: how the web UI and the funds-transfer
//! component send commands to accounts.
//!
//! Each command goes to `account:command-{accountId}`, the account it is
//! about; what sending is, and why it calls nothing, is
//! [`messaging::Command`]'s to say.

use messaging::{Command, Message, MessageError};
use uuid::Uuid;

use crate::messages::commands::{Close, Deposit, Open, Withdraw};
use crate::streams;

/// The commands an account takes, each addressed to the account's command
/// stream.
///
/// ```no_run
/// # use account_component::client::AccountCommand;
/// # use account_component::messages::commands::Deposit;
/// # async fn example(store: messaging::MessageStore, deposit: Deposit) -> Result<(), Box<dyn std::error::Error>> {
/// let message_id = AccountCommand::deposit(&deposit)?.send(&store).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AccountCommand;

impl AccountCommand {
    /// Open an account.
    pub fn open(open: &Open) -> Result<Command, MessageError> {
        AccountCommand::to(open.account_id, open)
    }

    /// Deposit money.
    pub fn deposit(deposit: &Deposit) -> Result<Command, MessageError> {
        AccountCommand::to(deposit.account_id, deposit)
    }

    /// Withdraw money.
    pub fn withdraw(withdraw: &Withdraw) -> Result<Command, MessageError> {
        AccountCommand::to(withdraw.account_id, withdraw)
    }

    /// Close an account.
    pub fn close(close: &Close) -> Result<Command, MessageError> {
        AccountCommand::to(close.account_id, close)
    }

    fn to<M: Message>(account_id: Uuid, command: &M) -> Result<Command, MessageError> {
        Command::to(streams::command_stream(account_id), command)
    }
}
