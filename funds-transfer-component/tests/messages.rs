//! Every message of the funds-transfer component is a tolerant reader: it
//! reads a message from a later release (a field it does not know) and
//! from an earlier one (without the fields added since). See
//! CHANGING_MESSAGES.md.

use account_component::messages::Reason;
use funds_transfer_component::controls::{commands, events, id, money, time};
use funds_transfer_component::messages::RejectionReason;
use funds_transfer_component::messages::commands::Transfer;
use funds_transfer_component::messages::events::{
    Cancelled, Deposited, Initiated, Rejected, ReleaseRejected, Released, Reversed, Transferred,
};
use messaging::controls::tolerant_reader::assert_reads_tolerantly;

fn referenced() -> Option<String> {
    Some("Dinner".to_string())
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
    transfer: Transfer { reference: referenced(), ..commands::transfer() }, optional: ["reference"];
    release_held_refund: commands::release_held_refund(), optional: [];
    initiated: Initiated { reference: referenced(), ..events::initiated() }, optional: ["reference"];
    rejected: Rejected {
        funds_transfer_id: id::transfer(),
        withdrawal_account_id: id::source_account(),
        deposit_account_id: id::source_account(),
        amount: money::amount(),
        reason: RejectionReason::SameAccount,
        time: time::example(),
        processed_time: time::processed(),
    }, optional: [];
    withdrawn: events::withdrawn(), optional: [];
    cancelled: Cancelled {
        funds_transfer_id: id::transfer(),
        reason: Reason::InsufficientFunds,
        time: time::example(),
        processed_time: time::processed(),
    }, optional: [];
    deposited: Deposited {
        funds_transfer_id: id::transfer(),
        deposit_id: id::deposit(),
        account_id: id::destination_account(),
        amount: money::amount(),
        time: time::example(),
        processed_time: time::processed(),
    }, optional: [];
    transferred: Transferred {
        funds_transfer_id: id::transfer(),
        time: time::example(),
        processed_time: time::processed(),
    }, optional: [];
    deposit_rejected: events::deposit_rejected(), optional: [];
    reversed: Reversed {
        funds_transfer_id: id::transfer(),
        refund_id: id::refund(),
        reason: Reason::AccountClosed,
        time: time::example(),
        processed_time: time::processed(),
    }, optional: [];
    refund_rejected: events::refund_rejected(), optional: [];
    release_requested: events::release_requested(), optional: [];
    released: Released {
        funds_transfer_id: id::transfer(),
        release_id: id::release(),
        account_id: id::release_account(),
        amount: money::amount(),
        time: time::example(),
        processed_time: time::processed(),
    }, optional: [];
    release_rejected: ReleaseRejected {
        funds_transfer_id: id::transfer(),
        release_id: id::release(),
        account_id: id::release_account(),
        reason: Reason::AccountClosed,
        time: time::example(),
        processed_time: time::processed(),
    }, optional: [];
}
