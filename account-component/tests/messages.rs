//! Every message of the account component is a tolerant reader: it reads a
//! message from a later release (a field it does not know) and from an
//! earlier one (without the fields added since). See
//! CHANGING_MESSAGES.md.

use account_component::Money;
use account_component::controls::{commands, events, id};
use account_component::messages::Reason;
use account_component::messages::commands::{Deposit, Withdraw};
use account_component::messages::events::{
    CloseRejected, DepositRejected, Deposited, WithdrawalRejected, Withdrawn,
};
use messaging::controls::tolerant_reader::assert_reads_tolerantly;

fn referenced() -> Option<String> {
    Some("Rent, May".to_string())
}

/// One test per message type: `name: example, optional: [fields added
/// after the first release]`.
macro_rules! tolerant_readers {
    ($($name:ident: $example:expr, optional: [$($field:literal),*];)*) => {
        $(
            #[test]
            fn $name() {
                assert_reads_tolerantly(&$example, &[$($field),*]);
            }
        )*
    };
}

tolerant_readers! {
    open: commands::open(), optional: [];
    deposit: Deposit { reference: referenced(), ..commands::deposit() }, optional: ["reference"];
    withdraw: Withdraw { reference: referenced(), ..commands::withdraw() }, optional: ["reference"];
    close: commands::close(), optional: [];
    opened: events::opened(), optional: [];
    deposited: Deposited {
        reference: referenced(),
        ..events::deposited(id::account(), Money::from_cents(1_234), 7)
    }, optional: ["reference"];
    withdrawn: Withdrawn {
        reference: referenced(),
        ..events::withdrawn(id::account(), Money::from_cents(1_234), 7)
    }, optional: ["reference"];
    deposit_rejected: DepositRejected {
        reference: referenced(),
        ..events::deposit_rejected(Reason::AccountClosed, 7)
    }, optional: ["reference"];
    withdrawal_rejected: WithdrawalRejected {
        reference: referenced(),
        ..events::withdrawal_rejected(Reason::InsufficientFunds, 7)
    }, optional: ["reference"];
    closed: events::closed(7), optional: [];
    close_rejected: CloseRejected {
        account_id: id::account(),
        reason: Reason::BalanceNotZero,
        time: account_component::controls::time::example(),
        processed_time: account_component::controls::time::processed(),
        sequence: 7,
    }, optional: [];
}
