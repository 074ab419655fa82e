//! The home page and opening an account.

use axum::http::StatusCode;

use crate::support::{TestApp, derived};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_offers_to_open_an_account() {
    let app = TestApp::new().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Accounts</h1>"));
    assert!(page.body.contains(r#"<label for="holder_name">"#));
    assert!(!page.command_id_after("Open an account").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_an_account_sends_open_and_redirects_to_the_pending_account() {
    let app = TestApp::new().await;
    let command_id = app.get("/").await.command_id_after("Open an account");
    let response = app
        .post(
            "/accounts",
            &[("command_id", &command_id), ("holder_name", "Ada Lovelace")],
        )
        .await;

    assert_eq!(response.status, StatusCode::SEE_OTHER);
    // The new account's id is derived from the form's id, and the page
    // reports on the command by the form's id, as every form's page does.
    let account_id = derived(&command_id);
    assert_eq!(
        response.location(),
        format!("/accounts/{account_id}?command={command_id}")
    );
    let written = app.command_writes();
    assert_eq!(written[0].messages[0].message_type, "Open");
    assert_eq!(written[0].messages[0].id.to_string(), command_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_shows_as_opening_until_the_views_catch_up_then_as_open() {
    let app = TestApp::new().await;
    let command_id = app.get("/").await.command_id_after("Open an account");
    let location = app
        .post(
            "/accounts",
            &[("command_id", &command_id), ("holder_name", "Grace")],
        )
        .await
        .location();

    let pending = app.get(&location).await;
    assert_eq!(pending.status, StatusCode::OK);
    assert!(pending.body.contains("Opening the account"));
    assert!(pending.body.contains("data-watch-url"));
    assert!(
        pending
            .body
            .contains("<noscript><meta http-equiv=\"refresh\"")
    );

    app.settle().await;
    let open = app.get(&location).await;
    assert!(open.body.contains("<h1>Grace</h1>"));
    assert!(open.body.contains("The account is open."));
    let home = app.get("/").await;
    assert!(home.body.contains(">Grace</a>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_open_form_submitted_twice_opens_one_account_and_says_so() {
    let app = TestApp::new().await;
    let command_id = app.get("/").await.command_id_after("Open an account");
    let form = [
        ("command_id", command_id.as_str()),
        ("holder_name", "Twice"),
    ];
    app.post("/accounts", &form).await;
    let second = app.post("/accounts", &form).await;

    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert!(
        second.location().ends_with("&duplicate=1"),
        "{}",
        second.location()
    );
    assert_eq!(app.messages_written(), 1);
    let page = app.get(&second.location()).await;
    assert!(page.body.contains("already been sent"), "{}", page.body);
}
