//! Rebuilding an account from its events.

use messaging::{Message, MessageError, Projection, StoredMessage};

use crate::Account;
use crate::messages::Reason;
use crate::messages::events::{
    CloseRejected, Closed, DepositRejected, Deposited, Opened, WithdrawalRejected, Withdrawn,
};

impl Projection for Account {
    /// Applies one event. This is the only place an account changes, and it
    /// only ever changes because of an event that was written.
    fn apply(&mut self, event: &StoredMessage) -> Result<(), MessageError> {
        match event.message_type.as_str() {
            Opened::TYPE => {
                let opened: Opened = event.decode()?;
                self.id = Some(opened.account_id);
                self.customer_id = Some(opened.customer_id);
                self.opened_time = Some(opened.processed_time);
                self.command_sequence = Some(opened.sequence);
            }
            Deposited::TYPE => {
                let deposited: Deposited = event.decode()?;
                // The handler refused any deposit that would overflow, so an
                // overflow here means the stream was written by someone else.
                self.balance = self
                    .balance
                    .checked_add(deposited.amount)
                    .ok_or_else(|| event.unhandleable("the balance would overflow"))?;
                self.sequence = Some(deposited.sequence);
            }
            Withdrawn::TYPE => {
                let withdrawn: Withdrawn = event.decode()?;
                self.balance = self
                    .balance
                    .checked_sub(withdrawn.amount)
                    .ok_or_else(|| event.unhandleable("the balance would overflow"))?;
                self.sequence = Some(withdrawn.sequence);
            }
            WithdrawalRejected::TYPE => {
                let rejected: WithdrawalRejected = event.decode()?;
                self.refused(rejected.reason, rejected.sequence);
            }
            DepositRejected::TYPE => {
                let rejected: DepositRejected = event.decode()?;
                self.refused(rejected.reason, rejected.sequence);
            }
            Closed::TYPE => {
                let closed: Closed = event.decode()?;
                self.closed_time = Some(closed.processed_time);
                self.command_sequence = Some(closed.sequence);
            }
            CloseRejected::TYPE => {
                self.command_sequence = Some(event.decode::<CloseRejected>()?.sequence);
            }
            _ => {}
        }
        Ok(())
    }
}

impl Account {
    /// A deposit or a withdrawal was refused: the refusal's sequence is
    /// processed. Most refusals answer a reserved transaction; one whose id
    /// was in use answers the command itself (`Reason::answers_a_command`),
    /// and moving the transactions' sequence past a command's global
    /// position would make the account ignore reservations still to come.
    fn refused(&mut self, reason: Reason, sequence: i64) {
        if reason.answers_a_command() {
            self.command_sequence = Some(sequence);
        } else {
            self.sequence = Some(sequence);
        }
    }
}
