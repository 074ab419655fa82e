//! The account page and its forms, through to their effect.

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::Deposit;
use axum::http::StatusCode;
use messaging::Time;
use uuid::Uuid;

use crate::support::{TestApp, derived};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deposit_is_pending_then_shows_in_the_balance_and_statement() {
    let app = TestApp::new().await;
    let account = app.open_account("Depositor").await;
    let id = app
        .get(&format!("/accounts/{account}"))
        .await
        .command_id_after("Deposit</h2>");
    let response = app
        .post(
            &format!("/accounts/{account}/deposits"),
            &[("command_id", &id), ("amount", "12.34")],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(
        response.location(),
        format!("/accounts/{account}?command={id}")
    );

    app.settle().await;
    let page = app.get(&response.location()).await;
    assert!(page.body.contains("Deposited 12.34."), "{}", page.body);
    assert!(page.body.contains(r#"data-testid="balance">12.34<"#));
    assert!(page.body.contains("<td>deposit</td>"));
    assert!(
        !page.body.contains("data-watch-url"),
        "nothing is pending any more"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_deposit_form_submitted_twice_deposits_once_and_says_so() {
    let app = TestApp::new().await;
    let account = app.open_account("Double").await;
    let id = app
        .get(&format!("/accounts/{account}"))
        .await
        .command_id_after("Deposit</h2>");
    let form = [("command_id", id.as_str()), ("amount", "5.00")];
    let first = app
        .post(&format!("/accounts/{account}/deposits"), &form)
        .await;
    let second = app
        .post(&format!("/accounts/{account}/deposits"), &form)
        .await;
    assert!(!first.location().contains("duplicate"));
    assert!(second.location().ends_with("&duplicate=1"));
    app.settle().await;

    let page = app.get(&second.location()).await;
    assert!(page.body.contains("already been sent"));
    assert!(page.body.contains(r#"data-testid="balance">5.00<"#));
    assert_eq!(page.body.matches("<td>deposit</td>").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_over_the_balance_is_shown_as_refused_with_the_reason() {
    let app = TestApp::new().await;
    let account = app.open_account("Short").await;
    app.deposit(&account, "10").await;
    let id = app
        .get(&format!("/accounts/{account}"))
        .await
        .command_id_after("Withdraw</h2>");
    let response = app
        .post(
            &format!("/accounts/{account}/withdrawals"),
            &[("command_id", &id), ("amount", "10.01")],
        )
        .await;
    app.settle().await;
    let page = app.get(&response.location()).await;
    assert!(
        page.body
            .contains("The withdrawal of 10.01 was refused: insufficient funds."),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"data-testid="balance">10.00<"#));
    assert!(page.body.contains("withdrawal rejected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_walks_to_transferred_and_both_balances_move() {
    let app = TestApp::new().await;
    let from = app.open_account("Payer").await;
    let to = app.open_account("Payee").await;
    app.deposit(&from, "100").await;
    let page = app.get(&format!("/accounts/{from}")).await;
    assert!(
        page.body
            .contains(&format!(r#"<option value="{to}">Payee</option>"#))
    );
    let id = page.command_id_after("Transfer</h2>");
    let response = app
        .post(
            &format!("/accounts/{from}/transfers"),
            &[
                ("command_id", &id),
                ("to_account_id", &to),
                ("amount", "30"),
            ],
        )
        .await;
    let transfer = derived(&id);
    assert_eq!(
        response.location(),
        format!("/transfers/{transfer}?command={id}")
    );
    let pending = app.get(&response.location()).await;
    assert_eq!(pending.status, StatusCode::OK);

    app.settle().await;
    let transfer = app.get(&response.location()).await;
    assert!(
        transfer
            .body
            .contains(r#"data-testid="transfer-status">transferred<"#),
        "{}",
        transfer.body
    );
    assert!(
        transfer
            .body
            .contains("Deposited into the destination account")
    );
    assert!(
        app.get(&format!("/accounts/{from}"))
            .await
            .body
            .contains(r#"data-testid="balance">70.00<"#)
    );
    assert!(
        app.get(&format!("/accounts/{to}"))
            .await
            .body
            .contains(r#"data-testid="balance">30.00<"#)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_over_the_balance_is_cancelled_with_the_reason() {
    let app = TestApp::new().await;
    let from = app.open_account("Poor").await;
    let to = app.open_account("Hopeful").await;
    let id = app
        .get(&format!("/accounts/{from}"))
        .await
        .command_id_after("Transfer</h2>");
    let location = app
        .post(
            &format!("/accounts/{from}/transfers"),
            &[("command_id", &id), ("to_account_id", &to), ("amount", "1")],
        )
        .await
        .location();
    app.settle().await;
    let page = app.get(&location).await;
    assert!(
        page.body
            .contains(r#"data-testid="transfer-status">cancelled<"#)
    );
    assert!(
        page.body
            .contains(r#"data-testid="transfer-reason">insufficient funds<"#)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_closes_only_at_zero_and_then_offers_no_forms() {
    let app = TestApp::new().await;
    let account = app.open_account("Closer").await;
    app.deposit(&account, "1").await;
    let close = |id: String| {
        let app = &app;
        let account = account.clone();
        async move {
            app.post(
                &format!("/accounts/{account}/close"),
                &[("command_id", &id)],
            )
            .await
            .location()
        }
    };
    let id = app
        .get(&format!("/accounts/{account}"))
        .await
        .command_id_after("Close the account");
    let location = close(id).await;
    app.settle().await;
    assert!(
        app.get(&location)
            .await
            .body
            .contains("Closing the account was refused: the balance is not zero.")
    );

    let id = app
        .get(&format!("/accounts/{account}"))
        .await
        .command_id_after("Withdraw</h2>");
    app.post(
        &format!("/accounts/{account}/withdrawals"),
        &[("command_id", &id), ("amount", "1")],
    )
    .await;
    app.settle().await;
    let id = app
        .get(&format!("/accounts/{account}"))
        .await
        .command_id_after("Close the account");
    let location = close(id).await;
    app.settle().await;
    let page = app.get(&location).await;
    assert!(
        page.body.contains("The account is closed."),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("/deposits"),
        "a closed account offers no forms"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_accounts_and_transfers_are_not_found() {
    let app = TestApp::new().await;
    for uri in [
        format!("/accounts/{}", Uuid::new_v4()),
        "/accounts/not-an-id".to_string(),
        format!("/transfers/{}", Uuid::new_v4()),
        "/transfers/nope".to_string(),
        "/no/such/page".to_string(),
    ] {
        assert_eq!(app.get(&uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

/// A long statement shows its latest lines and links to the page before.
/// 55 deposits of 0.01 to 0.55: the page leaves out the first five (the
/// second one's balance after, 0.03, is nowhere on it); the earlier page
/// shows those five, and links back to the latest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_statement_is_shown_a_page_at_a_time() {
    let app = TestApp::new().await;
    let account = app.open_account("Saver").await;
    let account_id: Uuid = account.parse().expect("an id");
    for cents in 1..=55 {
        let deposit = Deposit {
            deposit_id: Uuid::new_v4(),
            account_id,
            amount: Money::from_cents(cents),
            time: Time::now(),
            reference: None,
        };
        AccountCommand::deposit(&deposit)
            .expect("encodes")
            .send(&app.store)
            .await
            .expect("sent");
    }
    app.settle().await;
    let deposits_shown = |body: &str| body.matches("<td>deposit</td>").count();

    let page = app.get(&format!("/accounts/{account}")).await;
    assert_eq!(
        deposits_shown(&page.body),
        web_ui::presenters::account::LATEST_LINES
    );
    assert!(
        page.body.contains(r#"data-testid="balance">15.40<"#),
        "{}",
        page.body
    );
    assert!(!page.body.contains(r#"<td class="number">0.03</td>"#));
    assert!(!page.body.contains(r#"data-testid="latest-lines""#));
    let link = page.link("earlier-lines").expect("a link to earlier lines");
    assert!(
        link.starts_with(&format!("/accounts/{account}?lines_before=")),
        "{link}"
    );

    let earlier = app.get(&link).await;
    assert_eq!(deposits_shown(&earlier.body), 5);
    assert!(earlier.body.contains(r#"<td class="number">0.03</td>"#));
    assert!(!earlier.body.contains(r#"data-testid="earlier-lines""#));
    assert_eq!(
        earlier.link("latest-lines"),
        Some(format!("/accounts/{account}#statement-heading"))
    );
}

/// The statement signs each amount as it moved the balance and names each
/// line's part in a transfer: a transfer to a closed account goes out, is
/// refused there, and comes back as a refund.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statement_signs_amounts_and_names_a_refund() {
    let app = TestApp::new().await;
    let source = app.open_account("Sender").await;
    let closed = app.open_account("Gone").await;
    app.deposit(&source, "10").await;
    let id = app
        .get(&format!("/accounts/{closed}"))
        .await
        .command_id_after("Close the account");
    app.post(&format!("/accounts/{closed}/close"), &[("command_id", &id)])
        .await;
    app.settle().await;
    let id = app
        .get(&format!("/accounts/{source}"))
        .await
        .command_id_after("Transfer</h2>");
    let transferred = app
        .post(
            &format!("/accounts/{source}/transfers"),
            &[
                ("command_id", &id),
                ("to_account_id", &closed),
                ("amount", "4"),
            ],
        )
        .await;
    assert_eq!(transferred.status, StatusCode::SEE_OTHER);
    app.settle().await;
    let transfer = app.get(&transferred.location()).await;
    assert!(transfer.body.contains("reversed"), "{}", transfer.body);

    let page = app.get(&format!("/accounts/{source}")).await;
    let rows: Vec<&str> = page
        .body
        .split("<tr")
        .filter(|row| row.contains("<td>"))
        .collect();
    let row_of = |entry: &str| {
        rows.iter()
            .find(|row| row.contains(&format!("<td>{entry}</td>")))
            .unwrap_or_else(|| panic!("no {entry} line in {}", page.body))
            .to_string()
    };
    assert!(row_of("deposit").contains(r#"<td class="number">+10.00</td>"#));
    assert!(row_of("transfer out").contains(r#"<td class="number">−4.00</td>"#));
    assert!(row_of("refund").contains(r#"<td class="number">+4.00</td>"#));
    assert!(
        row_of("refund").contains(r#"<td class="number">10.00</td>"#),
        "balance after"
    );
    // Each names the other side of its transfer.
    assert!(
        row_of("transfer out").contains("to Gone"),
        "{}",
        row_of("transfer out")
    );
    assert!(row_of("refund").contains("to Gone"));
}

/// The references of a deposit, a withdrawal and a transfer, as typed,
/// on every statement they touch (escaped, as everything typed is).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_typed_in_the_forms_are_on_the_statements() {
    let app = TestApp::new().await;
    let from = app.open_account("Payer").await;
    let to = app.open_account("Payee").await;
    let post_to = |account: &str,
                   action: &'static str,
                   heading: &'static str,
                   fields: Vec<(&'static str, String)>| {
        let (app, account) = (&app, account.to_string());
        async move {
            let id = app
                .get(&format!("/accounts/{account}"))
                .await
                .command_id_after(heading);
            let mut form = vec![("command_id", id)];
            form.extend(fields);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = app
                .post(&format!("/accounts/{account}/{action}"), &form)
                .await;
            assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        }
    };
    let post = |action, heading, fields| post_to(&from, action, heading, fields);
    // The payee's own deposit, without a reference.
    post_to(
        &to,
        "deposits",
        "Deposit</h2>",
        vec![("amount", "1".into())],
    )
    .await;
    post(
        "deposits",
        "Deposit</h2>",
        vec![
            ("amount", "100".into()),
            ("reference", "  Salary, May ".into()),
        ],
    )
    .await;
    post(
        "withdrawals",
        "Withdraw</h2>",
        vec![
            ("amount", "5".into()),
            ("reference", "Milk & <b>bread</b>".into()),
        ],
    )
    .await;
    post(
        "transfers",
        "Transfer</h2>",
        vec![
            ("to_account_id", to.clone()),
            ("amount", "30".into()),
            ("reference", "Dinner".into()),
        ],
    )
    .await;
    app.settle().await;

    let payer = app.get(&format!("/accounts/{from}")).await.body;
    let reference = |text: &str| format!(r#"data-testid="line-reference">{text}<"#);
    assert!(payer.contains(&reference("Salary, May")), "{payer}");
    assert!(
        payer.contains(&reference("Milk &#38; &#60;b&#62;bread&#60;/b&#62;")),
        "{payer}"
    );
    assert!(payer.contains(&reference("Dinner")), "{payer}");
    let payee = app.get(&format!("/accounts/{to}")).await.body;
    assert!(payee.contains(&reference("Dinner")), "{payee}");
    assert!(payee.contains(r#"data-testid="balance">31.00<"#), "{payee}");
    // The payee's two lines, one with a reference and one without: the one
    // without shows none.
    let statement = payee
        .split_once(r#"class="stack statement""#)
        .and_then(|(_, rest)| rest.split_once("</table>"))
        .expect("the payee's statement")
        .0;
    assert_eq!(statement.matches("<tr").count(), 1 + 2, "{statement}");
    assert_eq!(
        statement.matches("line-reference").count(),
        1,
        "{statement}"
    );
}
