//! Pausing and resuming a component from the operations page, with the
//! components running in this process (as in the all-in-one bank).

use std::time::Duration;

use axum::http::StatusCode;
use uuid::Uuid;
use views::Views;

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_component_leaves_its_commands_pending_until_resumed() {
    let app = TestApp::new().await;
    let account = app.open_account("Patient").await;
    let operations = app.get("/operations").await;
    assert!(
        operations
            .body
            .contains(r#"action="/operations/components/account-component/pause""#)
    );

    let paused = app
        .post("/operations/components/account-component/pause", &[])
        .await;
    assert_eq!(paused.status, StatusCode::SEE_OTHER);
    assert_eq!(paused.location(), "/operations#components");
    let operations = app.get("/operations").await;
    assert!(
        operations
            .body
            .contains(r#"action="/operations/components/account-component/resume""#),
        "{}",
        operations.body
    );
    assert!(operations.body.contains("paused"));

    // A deposit now is taken (the UI still writes commands) and stays
    // pending: the views see the command, and no answer.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (command_id, sent) = app.send_deposit(&account, "7.00").await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let read = Views::new(&app.views);
    let command: Uuid = command_id.parse().expect("an id");
    for _ in 0..10 {
        aggregator::catch_up(&app.store, &app.views, 500)
            .await
            .expect("caught up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pending = read
        .sent_command(command)
        .await
        .expect("read")
        .expect("seen");
    assert!(!pending.is_processed(), "answered while paused");
    let page = app.get(&sent.location()).await;
    assert!(page.body.contains("Pending"), "{}", page.body);

    let resumed = app
        .post("/operations/components/account-component/resume", &[])
        .await;
    assert_eq!(resumed.status, StatusCode::SEE_OTHER);
    app.settle().await;
    let answered = read
        .sent_command(command)
        .await
        .expect("read")
        .expect("seen");
    assert!(answered.is_processed());
    let page = app.get(&format!("/accounts/{account}")).await;
    assert!(
        page.body.contains(r#"data-testid="balance">7.00<"#),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_components_running_here_can_be_switched() {
    let app = TestApp::new().await;
    for uri in [
        "/operations/components/aggregator/pause",
        "/operations/components/account-component/explode",
    ] {
        assert_eq!(
            app.post(uri, &[]).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
    // A cross-site page cannot pause a component.
    let request = axum::http::Request::post("/operations/components/account-component/pause")
        .header("host", "localhost")
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::empty())
        .expect("request");
    assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
    let operations = app.get("/operations").await;
    assert!(operations.body.contains("/account-component/pause"));
}

/// With the funds-transfer component paused, a transfer sent is only a
/// command: its page shows what was asked (amount and source) and waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_in_flight_shows_its_amount_and_source() {
    let app = TestApp::new().await;
    let from = app.open_account("Payer").await;
    let to = app.open_account("Payee").await;
    app.deposit(&from, "9").await;
    app.post("/operations/components/funds-transfer-component/pause", &[])
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = app
        .get(&format!("/accounts/{from}"))
        .await
        .command_id_after("Transfer</h2>");
    let sent = app
        .post(
            &format!("/accounts/{from}/transfers"),
            &[("command_id", &id), ("to_account_id", &to), ("amount", "4")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    aggregator::catch_up(&app.store, &app.views, 500)
        .await
        .expect("caught up");
    let page = app.get(&sent.location()).await;
    assert!(
        page.body
            .contains(r#"data-testid="transfer-requested">4.00 from Payer<"#),
        "{}",
        page.body
    );
    app.post(
        "/operations/components/funds-transfer-component/resume",
        &[],
    )
    .await;
    app.settle().await;
    let page = app.get(&sent.location()).await;
    assert!(page.body.contains("transferred"), "{}", page.body);
}
