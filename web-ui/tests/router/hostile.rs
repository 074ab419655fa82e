//! Every form field against hostile input: the bank answers 4xx with a clear
//! message and writes nothing, or (for a name, where any printable text is
//! legitimate) stores the text exactly as typed, never interpreting it.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::support::TestApp;

const HUGE: usize = 12_000;

/// Inputs that are wrong in any money or id field.
fn hostile() -> Vec<String> {
    vec![
        String::new(),
        "   ".to_string(),
        "9".repeat(HUGE),
        "-1".to_string(),
        "-0.01".to_string(),
        "abc".to_string(),
        "1e6".to_string(),
        "NaN".to_string(),
        "١٢٣".to_string(),
        "€5".to_string(),
        "12\u{0}".to_string(),
        "\u{0}".to_string(),
        "1; DROP TABLE messages; --".to_string(),
        "' OR '1'='1".to_string(),
        "<script>alert(1)</script>".to_string(),
        "\"><img src=x onerror=alert(1)>".to_string(),
    ]
}

async fn refused(app: &TestApp, uri: &str, form: &[(&str, &str)], message: &str) {
    let before = app.messages_written();
    let response = app.post(uri, form).await;
    assert!(
        response.status.is_client_error(),
        "{uri} {form:?} gave {}",
        response.status
    );
    assert!(
        response.body.contains(message),
        "{uri} {form:?}: no {message:?}"
    );
    assert!(
        !response.body.contains("<script>alert"),
        "{uri}: input echoed unescaped"
    );
    assert!(
        !response.body.contains("<img src=x"),
        "{uri}: input echoed unescaped"
    );
    assert_eq!(
        app.messages_written(),
        before,
        "{uri} {form:?} wrote something"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_money_and_id_field_refuses_hostile_input_and_writes_nothing() {
    let app = TestApp::new().await;
    let account = app.open_account("Target").await;
    let other = app.open_account("Other").await;
    let page = app.get(&format!("/accounts/{account}")).await;
    let id = page.command_id_after("Deposit</h2>");
    for input in hostile() {
        let input = input.as_str();
        for action in ["deposits", "withdrawals"] {
            let uri = format!("/accounts/{account}/{action}");
            refused(
                &app,
                &uri,
                &[("command_id", &id), ("amount", input)],
                "amount",
            )
            .await;
            refused(
                &app,
                &uri,
                &[("command_id", input), ("amount", "5")],
                "out of date",
            )
            .await;
        }
        let uri = format!("/accounts/{account}/transfers");
        refused(
            &app,
            &uri,
            &[
                ("command_id", &id),
                ("to_account_id", &other),
                ("amount", input),
            ],
            "amount",
        )
        .await;
        refused(
            &app,
            &uri,
            &[
                ("command_id", &id),
                ("to_account_id", input),
                ("amount", "5"),
            ],
            "Choose an account",
        )
        .await;
        refused(
            &app,
            &uri,
            &[
                ("command_id", input),
                ("to_account_id", &other),
                ("amount", "5"),
            ],
            "out of date",
        )
        .await;
        refused(
            &app,
            &format!("/accounts/{account}/close"),
            &[("command_id", input)],
            "out of date",
        )
        .await;
        refused(
            &app,
            "/accounts",
            &[("command_id", input), ("holder_name", "Valid Name")],
            "out of date",
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_refuses_what_no_name_contains_and_keeps_any_text_exactly() {
    let app = TestApp::new().await;
    let id = || uuid::Uuid::new_v4().to_string();
    for (name, message) in [
        ("", "Enter the name"),
        ("    ", "Enter the name"),
        (&"x".repeat(HUGE) as &str, "at most 100 characters"),
        ("Ada\u{0}", "control characters"),
        ("Ada\nLovelace", "control characters"),
    ] {
        refused(
            &app,
            "/accounts",
            &[("command_id", &id()), ("holder_name", name)],
            message,
        )
        .await;
    }
    for name in [
        "1; DROP TABLE messages; --",
        "' OR '1'='1",
        "<b>bold</b> & <i>co</i>",
        "Zoë Ødegaard 日本 😀",
        "-1",
    ] {
        let command_id = id();
        let response = app
            .post(
                "/accounts",
                &[("command_id", &command_id), ("holder_name", name)],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{name:?}");
        let written = app.command_writes();
        let open = written.last().expect("written").messages[0].clone();
        let data: serde_json::Value = serde_json::from_str(&open.data).expect("json");
        assert_eq!(data["holderName"], name, "stored exactly as typed");
    }
    app.settle().await;
    let home = app.get("/").await.body;
    assert!(
        home.contains("&#60;b&#62;bold") || home.contains("&lt;b&gt;bold"),
        "shown as text"
    );
    assert!(home.contains("Zoë Ødegaard 日本 😀"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_a_valid_form_is_refused_and_writes_nothing() {
    let app = TestApp::new().await;
    for body in [
        "holder_name=%FF%FE%FD",
        "holder_name",
        "%%%",
        "command_id=a&command_id=b&holder_name=x",
    ] {
        let request = Request::post("/accounts")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("request");
        let response = app.send(request).await;
        assert!(
            response.status.is_client_error(),
            "{body}: {}",
            response.status
        );
    }
    let json = Request::post("/accounts")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(r#"{"holder_name":"x"}"#))
        .expect("request");
    assert!(app.send(json).await.status.is_client_error());
    assert_eq!(app.messages_written(), 0);
}
