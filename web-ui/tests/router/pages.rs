//! The inspector, the operations page, the watch endpoint, the assets.

use axum::http::{StatusCode, header};

use crate::support::{TestApp, derived};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inspector_shows_the_chain_behind_a_transfer() {
    let app = TestApp::new().await;
    let from = app.open_account("Source").await;
    let to = app.open_account("Target").await;
    app.deposit(&from, "50").await;
    let id = app
        .get(&format!("/accounts/{from}"))
        .await
        .command_id_after("Transfer</h2>");
    app.post(
        &format!("/accounts/{from}/transfers"),
        &[
            ("command_id", &id),
            ("to_account_id", &to),
            ("amount", "20"),
        ],
    )
    .await;
    app.settle().await;
    let id = derived(&id);

    let page = app.get(&format!("/inspector?transfer={id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Transfer",
        "Initiated",
        "Withdraw",
        "Withdrawn",
        "Deposit",
        "Deposited",
        "Transferred",
    ] {
        assert!(
            page.body.contains(&format!("<strong>{expected}</strong>")),
            "{expected} missing"
        );
    }
    assert!(
        page.body.contains("kind-reservation"),
        "the reservations are shown"
    );
    assert!(
        page.body
            .contains(&format!(
                r#"correlated with <a href="/inspector?transfer={id}"><code>fundsTransfer-{id}</code></a>"#
            )),
        "the correlation links to the transfer's inspection"
    );
    assert!(
        page.body.contains("depth-1") && page.body.contains("depth-2"),
        "drawn as a causal tree"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inspector_shows_an_accounts_commands_reservations_and_events() {
    let app = TestApp::new().await;
    let account = app.open_account("Inspected").await;
    app.deposit(&account, "3").await;
    let page = app.get(&format!("/inspector?account={account}")).await;
    for expected in [
        "<strong>Open</strong>",
        "<strong>Opened</strong>",
        "<strong>Deposit</strong>",
        "<strong>Deposited</strong>",
    ] {
        assert!(page.body.contains(expected), "{expected} missing");
    }
    assert!(
        page.body
            .contains(&format!("accountTransaction-{account}+"))
    );
    // Every stream of the account links to the account's inspection, the
    // amount reads as money, and the bodies are folded away.
    let link = format!(r#"<a href="/inspector?account={account}"><code>"#);
    assert!(
        page.body.matches(&link).count() >= 4,
        "the account's streams link to its inspection: {}",
        page.body
    );
    assert!(page.body.contains(r#"<span class="amount">3.00</span>"#));
    assert_eq!(
        page.body
            .matches("<details><summary>data</summary>")
            .count(),
        page.body.matches(r#"<li class="message"#).count()
    );
    assert_eq!(app.get("/inspector").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operations_page_lists_consumers_with_their_lag() {
    let app = TestApp::new().await;
    app.open_account("Operated").await;
    let mut operations =
        aggregator::operations::Operations::new(app.store.clone(), app.views.clone());
    operations.refresh().await.expect("refreshed");
    let page = app.get("/operations").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<code>account:command+position</code>"));
    assert!(page.body.contains("<code>aggregator: account</code>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_token_changes_when_a_command_is_answered() {
    let app = TestApp::new().await;
    let account = app.open_account("Watched").await;
    let id = app
        .get(&format!("/accounts/{account}"))
        .await
        .command_id_after("Deposit</h2>");
    app.post(
        &format!("/accounts/{account}/deposits"),
        &[("command_id", &id), ("amount", "1")],
    )
    .await;
    let uri = format!("/watch?account={account}&command={id}");
    let before = app.get(&uri).await;
    assert_eq!(
        before.headers[header::CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );
    app.settle().await;
    let after = app.get(&uri).await;
    assert_ne!(before.body, after.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stylesheet_and_script_are_served_with_their_types() {
    let app = TestApp::new().await;
    let css = app.get("/static/style.css").await;
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(css.body.contains("@media"));
    let script = app.get("/static/pending.js").await;
    assert_eq!(
        script.headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert!(script.body.contains("data") && script.body.contains("reload"));
}

/// The `data-watch-url` and `data-watch-token` of a page.
fn watch_of(body: &str) -> Option<(String, String)> {
    let attribute = |name: &str| {
        let after = body.split_once(&format!("{name}=\""))?.1;
        Some(
            after
                .split('"')
                .next()?
                .replace("&#38;", "&")
                .replace("&amp;", "&"),
        )
    };
    Some((attribute("data-watch-url")?, attribute("data-watch-token")?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_pages_token_is_what_its_watch_url_answers_until_something_changes() {
    let app = TestApp::new().await;
    let from = app.open_account("Watcher").await;
    let to = app.open_account("Watched").await;
    // Stop nothing: just look before the components had a chance, then after.
    let id = app
        .get(&format!("/accounts/{from}"))
        .await
        .command_id_after("Transfer</h2>");
    let transfer = app
        .post(
            &format!("/accounts/{from}/transfers"),
            &[("command_id", &id), ("to_account_id", &to), ("amount", "1")],
        )
        .await
        .location();
    let deposit_id = app
        .get(&format!("/accounts/{to}"))
        .await
        .command_id_after("Deposit</h2>");
    let deposit = app
        .post(
            &format!("/accounts/{to}/deposits"),
            &[("command_id", &deposit_id), ("amount", "1")],
        )
        .await
        .location();
    app.settle().await;
    for page in [
        format!("/accounts/{from}?command={from}"),
        deposit,
        transfer,
    ] {
        let body = app.get(&page).await.body;
        if let Some((url, token)) = watch_of(&body) {
            assert_eq!(app.get(&url).await.body, token, "{page} watches {url}");
        }
    }
    let operations = app.get("/operations").await.body;
    let (url, token) = watch_of(&operations).expect("the operations page is live");
    assert_eq!(app.get(&url).await.body, token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inspector_reads_a_bounded_part_of_a_long_history_its_latest() {
    let app = TestApp::new().await;
    let account_id = uuid::Uuid::new_v4();
    let stream = account_component::streams::account_stream(account_id);
    for sequence in 0..300 {
        let deposited = account_component::messages::events::Deposited {
            deposit_id: uuid::Uuid::new_v4(),
            account_id,
            amount: account_component::Money::from_cents(1000 + sequence),
            time: messaging::Time::now(),
            processed_time: messaging::Time::now(),
            sequence,
            reference: None,
        };
        app.store
            .write_message(
                &stream,
                &messaging::NewMessage::new(&deposited).expect("encodes"),
                messaging::ExpectedVersion::Any,
            )
            .await
            .expect("written");
    }
    let page = app.get(&format!("/inspector?account={account_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let shown = page.body.matches(r#"<li class="message depth-"#).count();
    assert!(
        shown > 0 && shown <= web_ui::inspector::MESSAGES_PER_INSPECTION,
        "{shown} messages shown"
    );
    assert!(page.body.contains("position 299"), "the latest is shown");
    assert!(!page.body.contains("position 0 "), "the first is not");
}

/// After a form, the notice lists the messages its command caused: the
/// command, its reservation and the event, each in its stream, at the
/// global positions the store gave them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_shows_the_messages_its_command_caused() {
    let app = TestApp::new().await;
    let account = app.open_account("Traced").await;
    let (id, sent) = app.send_deposit(&account, "6").await;
    app.settle().await;
    let page = app.get(&sent.location()).await;
    assert!(page.body.contains("Deposited 6.00."), "{}", page.body);

    let account_id: uuid::Uuid = account.parse().expect("an id");
    let command = app
        .store
        .read_last(
            &account_component::streams::command_stream(account_id),
            None,
        )
        .await
        .expect("read")
        .expect("the deposit");
    let event = app
        .store
        .read_last(
            &account_component::streams::account_stream(account_id),
            None,
        )
        .await
        .expect("read")
        .expect("the event");
    assert_eq!(event.message_type, "Deposited");
    let link = format!(r#"<a href="/inspector?account={account}">"#);
    for expected in [
        format!(
            "the Deposit command in {link}<code>account:command-{account}</code></a> \
             <span class=\"muted\">(global position {})</span>",
            command.global_position
        ),
        format!("its reservation in {link}<code>accountTransaction-{account}+{id}</code></a>"),
        format!(
            "the Deposited event in {link}<code>account-{account}</code></a> \
             <span class=\"muted\">(global position {})</span>",
            event.global_position
        ),
    ] {
        assert!(
            page.body.contains(&expected),
            "{expected}\nnot in\n{}",
            page.body
        );
    }
}
