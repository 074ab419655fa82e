//! The ids of a transfer's steps, derived from the transfer's own id.
//!
//! A transfer asks the accounts for a withdrawal, a deposit and perhaps a
//! refund, each under a transaction id that the account reserves once
//! (`accountTransaction-{account}+{transaction}`). Whoever holds that id
//! first holds the step: so nobody outside may be able to send a command
//! under it before the transfer does. A transaction id chosen at random
//! would be unguessable, but it is shown to anyone (the inspector, the
//! store), and an id that is shown can be copied into a form.
//!
//! So the ids are *derived*: a name-based UUID (version 5) of the
//! transfer's id, under a namespace that belongs to this component alone,
//! one name per step. The web UI derives the ids of its forms' commands the
//! same way under a namespace of its own (`web-ui/src/form_id.rs`), and
//! two namespaces never give the same id (that would take a collision of
//! SHA-1 inside UUIDs), so no form can ever produce the id of a transfer's
//! step, however it was learnt. Derived ids are also the same every time
//! they are computed, so the transfer fixes them in `Initiated` without
//! drawing anything at random.

use uuid::Uuid;

/// The funds-transfer component's namespace for the ids it derives. Any
/// fixed UUID would do; what matters is that nobody else uses it.
const NAMESPACE: Uuid = Uuid::from_u128(0x5a4e_7c1f_2b9d_4e8a_9c3f_6d0b_1e2a_7f45);

/// The transaction id of the `Withdraw` sent to the source account.
pub fn withdrawal_id(funds_transfer_id: Uuid) -> Uuid {
    step_id(funds_transfer_id, "withdrawal")
}

/// The transaction id of the `Deposit` sent to the destination account.
pub fn deposit_id(funds_transfer_id: Uuid) -> Uuid {
    step_id(funds_transfer_id, "deposit")
}

/// The transaction id of the `Deposit` back to the source, should the
/// destination refuse.
pub fn refund_id(funds_transfer_id: Uuid) -> Uuid {
    step_id(funds_transfer_id, "refund")
}

/// The version 5 UUID of `{transfer id}/{step}` in [`NAMESPACE`].
fn step_id(funds_transfer_id: Uuid, step: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{funds_transfer_id}/{step}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_of_a_transfer_has_an_id_of_its_own_and_always_the_same() {
        let transfer = Uuid::from_u128(7);
        let ids = [
            withdrawal_id(transfer),
            deposit_id(transfer),
            refund_id(transfer),
        ];
        assert_eq!(ids[0], withdrawal_id(transfer));
        assert_ne!(ids[0], ids[1]);
        assert_ne!(ids[1], ids[2]);
        assert_ne!(ids[0], ids[2]);
        assert!(!ids.contains(&transfer));
    }

    #[test]
    fn two_transfers_never_share_a_step_id() {
        let (one, other) = (Uuid::from_u128(7), Uuid::from_u128(8));
        assert_ne!(deposit_id(one), deposit_id(other));
        assert_ne!(withdrawal_id(one), withdrawal_id(other));
        assert_ne!(refund_id(one), refund_id(other));
    }

    #[test]
    fn a_step_id_is_a_name_based_uuid_of_the_transfer_and_the_step() {
        let transfer = Uuid::from_u128(7);
        for (id, step) in [
            (withdrawal_id(transfer), "withdrawal"),
            (deposit_id(transfer), "deposit"),
            (refund_id(transfer), "refund"),
        ] {
            assert_eq!(id.get_version_num(), 5, "{step}");
            assert_eq!(
                id,
                Uuid::new_v5(&NAMESPACE, format!("{transfer}/{step}").as_bytes())
            );
        }
    }
}
