//! Every validation error: a 422 with a clear message, and nothing written.

use axum::http::StatusCode;

use crate::support::TestApp;

async fn refused(app: &TestApp, uri: &str, form: &[(&str, &str)], message: &str) {
    let before = app.messages_written();
    let response = app.post(uri, form).await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{uri} {form:?}"
    );
    assert!(
        response.body.contains(message),
        "{form:?}: expected {message:?} in the page"
    );
    assert!(response.body.contains("aria-invalid=\"true\"") || !message.contains("amount"));
    assert_eq!(app.messages_written(), before, "{form:?} wrote something");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_needs_a_name_that_is_short_and_printable() {
    let app = TestApp::new().await;
    let id = app.get("/").await.command_id_after("Open an account");
    refused(
        &app,
        "/accounts",
        &[("command_id", &id), ("holder_name", "   ")],
        "Enter the name on the account.",
    )
    .await;
    refused(
        &app,
        "/accounts",
        &[("command_id", &id), ("holder_name", &"x".repeat(101))],
        "at most 100 characters",
    )
    .await;
    refused(
        &app,
        "/accounts",
        &[("command_id", &id), ("holder_name", "Ada\u{0}")],
        "control characters",
    )
    .await;
    refused(
        &app,
        "/accounts",
        &[("command_id", "forged"), ("holder_name", "Ada")],
        "out of date",
    )
    .await;
    refused(&app, "/accounts", &[], "Enter the name on the account.").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_malformed_amount_is_refused_with_its_own_message() {
    let app = TestApp::new().await;
    let account = app.open_account("Amounts").await;
    let id = app
        .get(&format!("/accounts/{account}"))
        .await
        .command_id_after("Deposit</h2>");
    let uri = format!("/accounts/{account}/deposits");
    for (amount, message) in [
        ("", "Enter an amount"),
        ("-5.00", "more than zero"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("1.234", "at most two decimal places"),
        ("92233720368547758.08", "too large"),
        ("twelve", "as a number"),
        ("1e3", "as a number"),
        ("12,50", "as a number"),
        ("<script>", "as a number"),
        ("1; DROP TABLE accounts", "as a number"),
    ] {
        refused(
            &app,
            &uri,
            &[("command_id", &id), ("amount", amount)],
            message,
        )
        .await;
    }
    refused(&app, &uri, &[("amount", "5")], "out of date").await;
    refused(
        &app,
        &format!("/accounts/{account}/withdrawals"),
        &[("command_id", &id), ("amount", "abc")],
        "as a number",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_amount_keeps_what_was_typed_and_the_forms_id() {
    let app = TestApp::new().await;
    let account = app.open_account("Keeps").await;
    let id = app
        .get(&format!("/accounts/{account}"))
        .await
        .command_id_after("Withdraw</h2>");
    let response = app
        .post(
            &format!("/accounts/{account}/withdrawals"),
            &[("command_id", &id), ("amount", "1.999")],
        )
        .await;
    assert!(response.body.contains(r#"value="1.999""#));
    assert_eq!(response.command_id_after("Withdraw</h2>"), id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_for_an_unknown_account_is_refused() {
    let app = TestApp::new().await;
    let before = app.messages_written();
    let unknown = uuid::Uuid::new_v4();
    let response = app
        .post(
            &format!("/accounts/{unknown}/deposits"),
            &[
                ("command_id", &uuid::Uuid::new_v4().to_string()),
                ("amount", "5"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains("There is no account with this id."));
    let response = app
        .post("/accounts/not-an-id/withdrawals", &[("amount", "5")])
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.messages_written(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_needs_another_known_account_and_an_amount() {
    let app = TestApp::new().await;
    let from = app.open_account("From").await;
    let id = app
        .get(&format!("/accounts/{from}"))
        .await
        .command_id_after("Transfer</h2>");
    let uri = format!("/accounts/{from}/transfers");
    refused(
        &app,
        &uri,
        &[
            ("command_id", &id),
            ("to_account_id", &from),
            ("amount", "5"),
        ],
        "Choose another account",
    )
    .await;
    refused(
        &app,
        &uri,
        &[
            ("command_id", &id),
            ("to_account_id", &uuid::Uuid::new_v4().to_string()),
            ("amount", "5"),
        ],
        "no such account",
    )
    .await;
    refused(
        &app,
        &uri,
        &[("command_id", &id), ("to_account_id", ""), ("amount", "5")],
        "Choose an account.",
    )
    .await;
    let to = app.open_account("To").await;
    refused(
        &app,
        &uri,
        &[
            ("command_id", &id),
            ("to_account_id", &to),
            ("amount", "0.001"),
        ],
        "two decimal places",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_must_be_short_and_printable_and_is_kept_when_refused() {
    let app = TestApp::new().await;
    let account = app.open_account("References").await;
    let other = app.open_account("Other").await;
    let page = app.get(&format!("/accounts/{account}")).await;
    let forms = [
        ("deposits", page.command_id_after("Deposit</h2>"), None),
        ("withdrawals", page.command_id_after("Withdraw</h2>"), None),
        (
            "transfers",
            page.command_id_after("Transfer</h2>"),
            Some(&other),
        ),
    ];
    let long = "x".repeat(141);
    for (reference, message) in [
        (long.as_str(), "at most 140 characters in the reference"),
        ("Rent\nMay", "reference cannot contain control characters"),
        (
            "Rent\u{202E}yaM",
            "reference cannot contain invisible characters",
        ),
    ] {
        for (action, command_id, to) in &forms {
            let before = app.messages_written();
            let mut form = vec![
                ("command_id", command_id.as_str()),
                ("amount", "5"),
                ("reference", reference),
            ];
            if let Some(to) = to {
                form.push(("to_account_id", to.as_str()));
            }
            let response = app
                .post(&format!("/accounts/{account}/{action}"), &form)
                .await;
            assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                response.body.contains(message),
                "{action} {reference:?}: {}",
                response.body
            );
            assert_eq!(
                app.messages_written(),
                before,
                "{action} {reference:?} wrote something"
            );
        }
    }
    // Refused for its amount, each form keeps the reference typed.
    for (action, command_id, to) in &forms {
        let mut form = vec![
            ("command_id", command_id.as_str()),
            ("amount", "abc"),
            ("reference", "Rent"),
        ];
        if let Some(to) = to {
            form.push(("to_account_id", to.as_str()));
        }
        let response = app
            .post(&format!("/accounts/{account}/{action}"), &form)
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{action}"
        );
        assert!(
            response.body.contains(r#"value="Rent""#),
            "{action}: {}",
            response.body
        );
    }
}
