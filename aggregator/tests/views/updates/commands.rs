//! The commands view: a command's request, from its command category, and
//! its answer, from the events: what lets a page say *pending*.

use account_component::controls::{commands, events, id};
use account_component::messages::Reason;
use account_component::streams;
use messaging::StoredMessage;
use views::commands::{Command, CommandKind, Outcome};

use super::Given;

/// The row of the command that went out in `sent`.
async fn row(given: &Given, sent: &StoredMessage) -> Command {
    given
        .read()
        .sent_command(sent.id)
        .await
        .expect("read")
        .expect("a row")
}

/// The example deposit, sent.
async fn deposit_sent(given: &Given) -> StoredMessage {
    given
        .applied(
            &streams::command_stream(id::account()),
            &commands::deposit(),
        )
        .await
}

/// The answer to the example deposit: a `Deposited` with its id.
fn deposited() -> account_component::messages::events::Deposited {
    account_component::messages::events::Deposited {
        deposit_id: id::deposit(),
        ..events::deposited(id::account(), commands::deposit().amount, 5)
    }
}

#[tokio::test]
async fn a_deposit_sent_is_pending() {
    let given = Given::new().await;
    let sent = deposit_sent(&given).await;
    let row = row(&given, &sent).await;
    assert_eq!(row.kind, CommandKind::Deposit);
    assert!(!row.is_processed());
    assert_eq!(
        given
            .read()
            .pending_commands(None)
            .await
            .expect("read")
            .len(),
        1
    );
}

/// Each kind of command the UI sends is recorded as a request when it is
/// seen in its category, pending until its answer.
#[tokio::test]
async fn every_kind_of_command_sent_is_pending() {
    use funds_transfer_component::controls as transfer;
    let given = Given::new().await;
    let account = streams::command_stream(id::account());
    let sent = [
        (
            given.applied(&account, &commands::open()).await,
            CommandKind::Open,
        ),
        (
            given.applied(&account, &commands::deposit()).await,
            CommandKind::Deposit,
        ),
        (
            given.applied(&account, &commands::withdraw()).await,
            CommandKind::Withdraw,
        ),
        (
            given.applied(&account, &commands::close()).await,
            CommandKind::Close,
        ),
        (
            given
                .applied(
                    &funds_transfer_component::streams::command_stream(transfer::id::transfer()),
                    &transfer::commands::transfer(),
                )
                .await,
            CommandKind::Transfer,
        ),
        (
            given
                .applied(
                    &funds_transfer_component::streams::command_stream(transfer::id::transfer()),
                    &transfer::commands::release_held_refund(),
                )
                .await,
            CommandKind::Release,
        ),
    ];
    for (message, kind) in &sent {
        let row = row(&given, message).await;
        assert_eq!(row.kind, *kind);
        assert!(!row.is_processed(), "{kind:?}");
    }
}

#[tokio::test]
async fn deposited_answers_the_deposit() {
    let given = Given::new().await;
    let sent = deposit_sent(&given).await;
    given
        .applied(&streams::account_stream(id::account()), &deposited())
        .await;
    assert_eq!(row(&given, &sent).await.outcome, Some(Outcome::Deposited));
}

#[tokio::test]
async fn a_refusal_answers_the_deposit_with_its_reason() {
    let given = Given::new().await;
    let sent = deposit_sent(&given).await;
    let refused = account_component::messages::events::DepositRejected {
        deposit_id: id::deposit(),
        ..events::deposit_rejected(Reason::AccountClosed, 5)
    };
    given
        .applied(&streams::account_stream(id::account()), &refused)
        .await;
    let row = row(&given, &sent).await;
    assert_eq!(row.outcome, Some(Outcome::Rejected));
    assert_eq!(row.reason.as_deref(), Some("account closed"));
}

#[tokio::test]
async fn a_refusal_of_an_id_in_use_does_not_answer_the_command_that_holds_the_id() {
    let given = Given::new().await;
    let sent = deposit_sent(&given).await;
    let refused = account_component::messages::events::DepositRejected {
        deposit_id: id::deposit(),
        ..events::deposit_rejected(Reason::TransactionIdInUse, 9)
    };
    given
        .applied(&streams::account_stream(id::account()), &refused)
        .await;
    assert!(!row(&given, &sent).await.is_processed());
}

#[tokio::test]
async fn the_first_copy_of_a_command_is_its_request() {
    let given = Given::new().await;
    let first = deposit_sent(&given).await;
    deposit_sent(&given).await;
    let row = given
        .read()
        .sent_command(first.id)
        .await
        .expect("read")
        .expect("the first copy's row");
    assert_eq!(row.request_position, Some(first.global_position));
}

#[tokio::test]
async fn opened_answers_the_open() {
    let given = Given::new().await;
    let sent = given
        .applied(&streams::command_stream(id::account()), &commands::open())
        .await;
    given
        .applied(&streams::account_stream(id::account()), &events::opened())
        .await;
    assert_eq!(row(&given, &sent).await.outcome, Some(Outcome::Opened));
}

#[tokio::test]
async fn closed_answers_the_close_it_records() {
    let given = Given::new().await;
    given
        .applied(&streams::account_stream(id::account()), &events::opened())
        .await;
    let sent = given
        .applied(&streams::command_stream(id::account()), &commands::close())
        .await;
    let closed = events::closed(sent.global_position);
    given
        .applied(&streams::account_stream(id::account()), &closed)
        .await;
    assert_eq!(row(&given, &sent).await.outcome, Some(Outcome::Closed));
}

#[tokio::test]
async fn close_rejected_answers_the_close_it_refuses_with_the_reason() {
    let given = Given::new().await;
    given
        .applied(&streams::account_stream(id::account()), &events::opened())
        .await;
    let sent = given
        .applied(&streams::command_stream(id::account()), &commands::close())
        .await;
    let refused = account_component::messages::events::CloseRejected {
        account_id: id::account(),
        reason: Reason::BalanceNotZero,
        time: account_component::controls::time::example(),
        processed_time: account_component::controls::time::processed(),
        sequence: sent.global_position,
    };
    given
        .applied(&streams::account_stream(id::account()), &refused)
        .await;
    let row = row(&given, &sent).await;
    assert_eq!(row.outcome, Some(Outcome::Rejected));
    assert_eq!(row.reason.as_deref(), Some("the balance is not zero"));
}

#[tokio::test]
async fn initiated_answers_the_transfer() {
    use funds_transfer_component::controls as transfer;
    let given = Given::new().await;
    let command = transfer::commands::transfer();
    let sent = given
        .applied(
            &funds_transfer_component::streams::command_stream(transfer::id::transfer()),
            &command,
        )
        .await;
    given
        .applied(
            &funds_transfer_component::streams::transfer_stream(transfer::id::transfer()),
            &transfer::events::initiated(),
        )
        .await;
    let row = row(&given, &sent).await;
    assert_eq!(row.kind, CommandKind::Transfer);
    assert_eq!(row.outcome, Some(Outcome::Initiated));
}

#[tokio::test]
async fn rejected_answers_the_transfer_as_refused_with_the_reason() {
    use funds_transfer_component::controls as transfer;
    use funds_transfer_component::messages::RejectionReason;
    use funds_transfer_component::messages::events::Rejected;
    let given = Given::new().await;
    let command = transfer::commands::transfer();
    let sent = given
        .applied(
            &funds_transfer_component::streams::command_stream(transfer::id::transfer()),
            &command,
        )
        .await;
    let rejected = Rejected::answering(
        &command,
        RejectionReason::SameAccount,
        transfer::time::processed(),
    );
    given
        .applied(
            &funds_transfer_component::streams::transfer_stream(transfer::id::transfer()),
            &rejected,
        )
        .await;
    let row = row(&given, &sent).await;
    assert_eq!(row.outcome, Some(Outcome::Rejected));
    assert_eq!(row.reason, Some(RejectionReason::SameAccount.to_string()));
}
