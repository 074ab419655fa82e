//! The transfer entity's questions, one outcome per test: each handler
//! decides by asking them, so a wrong answer here is a step taken twice or
//! never.

use funds_transfer_component::{FundsTransfer, ReleaseRefusal, TransferDeposit};
use messaging::controls::time;
use uuid::Uuid;

fn release() -> Uuid {
    Uuid::from_u128(0x7e1)
}

fn another_release() -> Uuid {
    Uuid::from_u128(0x7e2)
}

/// A transfer whose refund the source refused: the bank holds its money.
fn holding() -> FundsTransfer {
    FundsTransfer {
        refund_rejected_time: Some(time::processed()),
        ..FundsTransfer::default()
    }
}

#[test]
fn money_is_held_once_the_refund_is_refused_until_it_is_released() {
    assert_eq!(holding().release_refusal(release()), None);
    assert_eq!(
        FundsTransfer::default().release_refusal(release()),
        Some(ReleaseRefusal::NothingHeld)
    );
    let released = FundsTransfer {
        released_time: Some(time::processed()),
        ..holding()
    };
    assert_eq!(
        released.release_refusal(release()),
        Some(ReleaseRefusal::AlreadyReleased)
    );
}

#[test]
fn a_release_of_money_held_with_none_under_way_is_not_refused() {
    assert_eq!(holding().release_refusal(release()), None);
}

#[test]
fn a_release_of_a_transfer_that_holds_nothing_is_refused() {
    assert_eq!(
        FundsTransfer::default().release_refusal(release()),
        Some(ReleaseRefusal::NothingHeld)
    );
}

#[test]
fn a_release_after_the_money_was_released_is_refused() {
    let released = FundsTransfer {
        released_time: Some(time::processed()),
        ..holding()
    };
    assert_eq!(
        released.release_refusal(release()),
        Some(ReleaseRefusal::AlreadyReleased)
    );
}

#[test]
fn a_release_while_another_is_unanswered_is_refused() {
    let mut transfer = holding();
    transfer.releases.insert(another_release(), None);
    assert_eq!(
        transfer.release_refusal(release()),
        Some(ReleaseRefusal::AnotherUnderWay)
    );
}

#[test]
fn the_same_release_again_while_it_is_unanswered_is_not_refused() {
    let mut transfer = holding();
    transfer.releases.insert(release(), None);
    assert_eq!(transfer.release_refusal(release()), None);
}

#[test]
fn a_release_after_another_was_refused_is_not_refused() {
    let mut transfer = holding();
    transfer.releases.insert(another_release(), Some(false));
    assert_eq!(transfer.release_refusal(release()), None);
}

#[test]
fn a_release_is_answered_once_its_account_took_or_refused_the_money() {
    let mut transfer = holding();
    assert!(!transfer.has_release(release()));
    assert!(!transfer.release_answered(release()));
    transfer.releases.insert(release(), None);
    assert!(transfer.has_release(release()));
    assert!(!transfer.release_answered(release()));
    for answer in [true, false] {
        transfer.releases.insert(release(), Some(answer));
        assert!(transfer.release_answered(release()), "{answer}");
    }
    assert!(!transfer.release_answered(another_release()));
}

#[test]
fn a_rejected_transfer_is_decided_but_not_initiated() {
    let rejected = FundsTransfer {
        rejected_time: Some(time::processed()),
        ..FundsTransfer::default()
    };
    assert!(rejected.is_decided());
    assert!(!rejected.is_initiated());
    let initiated = FundsTransfer {
        initiated_time: Some(time::processed()),
        ..FundsTransfer::default()
    };
    assert!(initiated.is_decided() && initiated.is_initiated());
    assert!(!FundsTransfer::default().is_decided());
    assert!(!FundsTransfer::default().is_initiated());
}

#[test]
fn each_step_is_answered_by_either_of_its_two_outcomes() {
    let at = Some(time::processed());
    let none = FundsTransfer::default();
    assert!(!none.withdrawal_answered() && !none.deposit_answered() && !none.refund_answered());

    let withdrawn = FundsTransfer {
        withdrawn_time: at,
        ..none.clone()
    };
    let cancelled = FundsTransfer {
        cancelled_time: at,
        ..none.clone()
    };
    assert!(withdrawn.withdrawal_answered() && cancelled.withdrawal_answered());
    assert!(!withdrawn.deposit_answered() && !withdrawn.refund_answered());

    let deposited = FundsTransfer {
        deposited_time: at,
        ..none.clone()
    };
    let refused = FundsTransfer {
        deposit_rejected_time: at,
        ..none.clone()
    };
    assert!(deposited.deposit_answered() && refused.deposit_answered());
    assert!(!refused.refund_answered() && !refused.withdrawal_answered());

    let reversed = FundsTransfer {
        reversed_time: at,
        ..none.clone()
    };
    let refund_refused = FundsTransfer {
        refund_rejected_time: at,
        ..none.clone()
    };
    assert!(reversed.refund_answered() && refund_refused.refund_answered());
    assert!(!reversed.deposit_answered());
}

#[test]
fn a_deposit_is_known_by_its_id_as_the_deposit_the_refund_or_a_release() {
    let mut transfer = FundsTransfer {
        deposit_id: Some(Uuid::from_u128(1)),
        refund_id: Some(Uuid::from_u128(2)),
        ..FundsTransfer::default()
    };
    transfer.releases.insert(release(), None);
    assert_eq!(
        transfer.deposit_named(Uuid::from_u128(1)),
        Some(TransferDeposit::ToDestination)
    );
    assert_eq!(
        transfer.deposit_named(Uuid::from_u128(2)),
        Some(TransferDeposit::Refund)
    );
    assert_eq!(
        transfer.deposit_named(release()),
        Some(TransferDeposit::Release)
    );
    assert_eq!(transfer.deposit_named(Uuid::from_u128(3)), None);
}

#[test]
fn a_transfer_has_ended_when_transferred_cancelled_reversed_or_rejected() {
    let at = Some(time::processed());
    let none = FundsTransfer::default();
    assert!(!none.has_ended());
    assert!(!holding().has_ended(), "held money waits for a person");
    for ended in [
        FundsTransfer {
            transferred_time: at,
            ..none.clone()
        },
        FundsTransfer {
            cancelled_time: at,
            ..none.clone()
        },
        FundsTransfer {
            reversed_time: at,
            ..none.clone()
        },
        FundsTransfer {
            rejected_time: at,
            ..none.clone()
        },
    ] {
        assert!(ended.has_ended(), "{ended:?}");
    }
}
