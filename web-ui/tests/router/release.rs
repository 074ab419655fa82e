//! Money held: the operations page lists it, and an operator releases it to
//! an open account of their choosing, once.

use account_component::Money;
use axum::http::StatusCode;
use funds_transfer_component::messages::events as transfer;
use messaging::{ExpectedVersion, NewMessage, Time};
use uuid::Uuid;

use crate::support::TestApp;

/// Writes the history of a transfer whose destination refused the money and
/// whose source refused the refund: the bank holds 12.34. (The accounts'
/// own side of it is left out: the funds-transfer component and the views
/// need only the transfer's events.)
async fn held_transfer(app: &TestApp, from: &str, to: &str) -> Uuid {
    let id = Uuid::new_v4();
    let (from, to): (Uuid, Uuid) = (from.parse().expect("id"), to.parse().expect("id"));
    let amount = Money::from_cents(1234);
    let now = Time::now();
    let initiated = transfer::Initiated {
        funds_transfer_id: id,
        withdrawal_account_id: from,
        deposit_account_id: to,
        withdrawal_id: Uuid::new_v4(),
        deposit_id: Uuid::new_v4(),
        refund_id: Uuid::new_v4(),
        amount,
        time: now,
        processed_time: now,
        reference: None,
    };
    let reason = account_component::messages::Reason::AccountClosed;
    let history = [
        NewMessage::new(&initiated).expect("encodes"),
        NewMessage::new(&transfer::Withdrawn {
            funds_transfer_id: id,
            withdrawal_id: initiated.withdrawal_id,
            account_id: from,
            amount,
            time: now,
            processed_time: now,
        })
        .expect("encodes"),
        NewMessage::new(&transfer::DepositRejected {
            funds_transfer_id: id,
            deposit_id: initiated.deposit_id,
            account_id: to,
            amount,
            reason,
            time: now,
            processed_time: now,
        })
        .expect("encodes"),
        NewMessage::new(&transfer::RefundRejected {
            funds_transfer_id: id,
            refund_id: initiated.refund_id,
            account_id: from,
            amount,
            reason,
            time: now,
            processed_time: now,
        })
        .expect("encodes"),
    ];
    app.store
        .write(
            &funds_transfer_component::streams::transfer_stream(id),
            &history,
            ExpectedVersion::INITIAL,
        )
        .await
        .expect("written");
    app.settle().await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_releases_held_money_into_an_open_account_once() {
    let app = TestApp::new().await;
    let (from, to, chosen) = (
        app.open_account("Gone Source").await,
        app.open_account("Gone Destination").await,
        app.open_account("Chosen").await,
    );
    let id = held_transfer(&app, &from, &to).await;

    let page = app.get("/operations").await;
    assert!(page.body.contains("Money held"), "{}", page.body);
    assert!(page.body.contains("12.34"), "{}", page.body);
    let release = format!("/transfers/{id}/release");
    let command_id = page.command_id_after(&format!(r#"action="{release}""#));

    // A mistake is shown beside the form, and sends nothing.
    let before = app.messages_written();
    let refused = app
        .post(
            &release,
            &[("command_id", &command_id), ("account_id", "nobody")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Enter the id of the account"),
        "{}",
        refused.body
    );
    assert_eq!(app.messages_written(), before);

    let sent = app
        .post(
            &release,
            &[("command_id", &command_id), ("account_id", &chosen)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    // Sent again (a double click): the same release, paid once.
    let again = app
        .post(
            &release,
            &[("command_id", &command_id), ("account_id", &chosen)],
        )
        .await;
    assert!(
        again.location().ends_with("&duplicate=1"),
        "{}",
        again.location()
    );
    app.settle().await;

    let account = app.get(&format!("/accounts/{chosen}")).await;
    assert!(
        account.body.contains(r#"data-testid="balance">12.34<"#),
        "{}",
        account.body
    );
    let transfer = app.get(&format!("/transfers/{id}")).await;
    assert!(
        transfer
            .body
            .contains(r#"data-testid="transfer-status">released<"#),
        "{}",
        transfer.body
    );
    let page = app.get("/operations").await;
    assert!(!page.body.contains("12.34"), "nothing is held any more");

    // Nothing is held now: a second release is refused, and sends nothing.
    let before = app.messages_written();
    let late = app
        .post(
            &release,
            &[
                ("command_id", &Uuid::new_v4().to_string()),
                ("account_id", &chosen),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.body.contains("holds no money"), "{}", late.body);
    assert_eq!(app.messages_written(), before);
}
