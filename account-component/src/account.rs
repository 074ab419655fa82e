//! The account entity, and the questions a handler asks it.
//!
//! Every business rule of the account is a method here: a yes/no question
//! (`is_open`, `has_processed`) or a question whose answer is the reason to
//! refuse (`deposit_refusal`). The handlers only ask; so the rules can be
//! read, and tested, in one place, with no store and no messages.

use messaging::Time;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;
use crate::messages::Reason;

/// An account, as its events describe it.
///
/// This is not a row in a table: it is rebuilt from the account's stream
/// (see `projection.rs`) every time a handler needs to decide something, and
/// it holds only what decisions need. The holder's name, for example, is in
/// the `Opened` event for the views to show, but no decision depends on it,
/// so the entity does not keep it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The account's id, once it was opened.
    pub id: Option<Uuid>,
    /// Who holds it, once it was opened.
    pub customer_id: Option<Uuid>,
    /// Deposits minus withdrawals. The fold only adds up what happened; it
    /// never goes below zero because `withdrawal_refusal` refuses what would
    /// take it there, and the handler writes its decision at the version it
    /// decided on, so that a withdrawal that raced it is decided again.
    pub balance: Money,
    /// When it was opened; `None` if it never was.
    pub opened_time: Option<Time>,
    /// When it was closed; `None` while it is open (or was never opened).
    pub closed_time: Option<Time>,
    /// The highest sequence of a deposit or withdrawal processed (accepted or
    /// rejected): the global position of its reserved copy.
    pub sequence: Option<i64>,
    /// The highest sequence of an `Open` or `Close` processed: the global
    /// position of the command. Kept apart from `sequence` because commands
    /// and transactions are read by two consumers that progress
    /// independently, each in order.
    pub command_sequence: Option<i64>,
}

impl Account {
    /// Was it ever opened (even if closed since)?
    pub fn was_opened(&self) -> bool {
        self.opened_time.is_some()
    }

    /// Is it open now: opened and not closed?
    pub fn is_open(&self) -> bool {
        self.was_opened() && !self.is_closed()
    }

    /// Has it been closed?
    pub fn is_closed(&self) -> bool {
        self.closed_time.is_some()
    }

    /// Could `amount` be withdrawn without going below zero?
    pub fn has_sufficient_funds(&self, amount: Money) -> bool {
        self.balance >= amount
    }

    /// Has the deposit or withdrawal with this sequence already been
    /// processed? Transactions reach an account in sequence order, so any
    /// sequence up to the highest one seen has been.
    pub fn has_processed(&self, sequence: i64) -> bool {
        self.sequence.is_some_and(|processed| processed >= sequence)
    }

    /// Has the `Open` or `Close` command with this sequence been processed?
    pub fn has_processed_command(&self, sequence: i64) -> bool {
        self.command_sequence
            .is_some_and(|processed| processed >= sequence)
    }

    /// Why no money can move in or out of this account now, if that is so.
    pub fn transaction_refusal(&self) -> Option<Reason> {
        if self.is_closed() {
            Some(Reason::AccountClosed)
        } else if !self.was_opened() {
            Some(Reason::AccountNotOpen)
        } else {
            None
        }
    }

    /// Why a deposit of `amount` must be refused, if it must: the account
    /// is not open, the amount is not positive, or the balance would go
    /// beyond what can be represented.
    pub fn deposit_refusal(&self, amount: Money) -> Option<Reason> {
        self.transaction_refusal().or_else(|| {
            if !amount.is_positive() {
                Some(Reason::InvalidAmount)
            } else if self.balance.checked_add(amount).is_none() {
                Some(Reason::BalanceLimitExceeded)
            } else {
                None
            }
        })
    }

    /// Why a withdrawal of `amount` must be refused, if it must: the account
    /// is not open, the amount is not positive, or the balance is short.
    pub fn withdrawal_refusal(&self, amount: Money) -> Option<Reason> {
        self.transaction_refusal().or_else(|| {
            if !amount.is_positive() {
                Some(Reason::InvalidAmount)
            } else if !self.has_sufficient_funds(amount) {
                Some(Reason::InsufficientFunds)
            } else {
                None
            }
        })
    }

    /// Why the account cannot be closed now, if it cannot: it was never
    /// opened, or money is still in it.
    pub fn close_refusal(&self) -> Option<Reason> {
        if !self.was_opened() {
            Some(Reason::AccountNotOpen)
        } else if self.balance != Money::ZERO {
            Some(Reason::BalanceNotZero)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use messaging::Time;

    use super::Account;
    use crate::Money;
    use crate::messages::Reason;

    fn opened() -> Account {
        Account {
            opened_time: Some(Time::now()),
            balance: Money::from_cents(1000),
            ..Account::default()
        }
    }

    #[test]
    fn a_new_account_is_not_open_and_refuses_transactions_as_not_open() {
        let account = Account::default();
        assert!(!account.is_open());
        assert_eq!(account.transaction_refusal(), Some(Reason::AccountNotOpen));
    }

    #[test]
    fn a_closed_account_was_opened_but_is_not_open() {
        let account = Account {
            closed_time: Some(Time::now()),
            ..opened()
        };
        assert!(account.was_opened());
        assert!(!account.is_open());
        assert_eq!(account.transaction_refusal(), Some(Reason::AccountClosed));
    }

    #[test]
    fn sufficient_funds_include_the_whole_balance() {
        assert!(opened().has_sufficient_funds(Money::from_cents(1000)));
        assert!(!opened().has_sufficient_funds(Money::from_cents(1001)));
    }

    #[test]
    fn a_deposit_is_refused_for_a_bad_amount_or_an_overflowing_balance() {
        assert_eq!(opened().deposit_refusal(Money::from_cents(1)), None);
        assert_eq!(
            opened().deposit_refusal(Money::ZERO),
            Some(Reason::InvalidAmount)
        );
        assert_eq!(
            opened().deposit_refusal(Money::MAX),
            Some(Reason::BalanceLimitExceeded)
        );
        assert_eq!(
            Account::default().deposit_refusal(Money::from_cents(1)),
            Some(Reason::AccountNotOpen)
        );
    }

    #[test]
    fn a_withdrawal_is_refused_beyond_the_balance() {
        assert_eq!(opened().withdrawal_refusal(Money::from_cents(1000)), None);
        assert_eq!(
            opened().withdrawal_refusal(Money::from_cents(1001)),
            Some(Reason::InsufficientFunds)
        );
        assert_eq!(
            opened().withdrawal_refusal(Money::from_cents(-5)),
            Some(Reason::InvalidAmount)
        );
    }

    #[test]
    fn only_an_opened_account_with_nothing_in_it_can_be_closed() {
        let empty = Account {
            balance: Money::ZERO,
            ..opened()
        };
        assert_eq!(empty.close_refusal(), None);
        assert_eq!(opened().close_refusal(), Some(Reason::BalanceNotZero));
        assert_eq!(
            Account::default().close_refusal(),
            Some(Reason::AccountNotOpen)
        );
    }

    #[test]
    fn every_sequence_up_to_the_last_processed_one_has_been_processed() {
        let account = Account {
            sequence: Some(10),
            ..opened()
        };
        assert!(account.has_processed(10));
        assert!(account.has_processed(3));
        assert!(!account.has_processed(11));
        assert!(!Account::default().has_processed(1));
    }
}
