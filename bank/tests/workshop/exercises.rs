//! The README's workshop exercises, one function each, in its order. Each
//! runs the commands the README gives and checks what the README says the
//! attendee will see.

use std::time::Duration;

use crate::START;
use crate::driver::{self, Workshop, inline_code, readme_psql, readme_sql};
use crate::http::{open_and_deposit, request, wait_for};
use crate::metrics::{metric, scrape};
use crate::ui::{UI, send_form, send_transfer, statement, wait_for_balance};

/// 1. Autonomy: with the account component stopped, a deposit stays
///    pending and the lag of `account:command+position` grows, while the UI
///    and transfers carry on; started again, it catches up.
pub async fn autonomy(workshop: &mut Workshop, payer: &str, payee: &str) {
    workshop.compose("docker compose stop account-component");
    let deposit = send_form(payer, "deposits", &[("amount", "1")]).await;
    assert_eq!(deposit.status, 303);
    // The views learn of the command from the store, a moment later.
    let pending = wait_for(UI, &deposit.location(), "Pending</h2>").await;
    assert!(pending.body.contains(r#"data-testid="balance">70.00<"#));
    // The aggregator measures lags every second.
    let mut lagging = false;
    for _ in 0..300 {
        let operations = request(UI, "GET", "/operations", None).await;
        lagging = operations.body.split("<tr").any(|row| {
            row.starts_with(r#" class="lagging">"#)
                && row.contains("<code>account:command+position</code>")
        });
        if lagging {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        lagging,
        "the operations page never showed account:command+position lagging"
    );
    // Transfers are still accepted: the funds-transfer component runs.
    let transfer = send_transfer(payer, payee, "1").await;
    let page = request(UI, "GET", &transfer, None).await;
    assert_eq!(page.status, 200);

    workshop.compose("docker compose start account-component");
    wait_for(
        UI,
        &transfer,
        r#"data-testid="transfer-status">transferred<"#,
    )
    .await;
    wait_for_balance(payer, "70.00").await;
    wait_for_balance(payee, "36.00").await;
}

/// 2. Idempotence: a form sent twice deposits once; so does the same
///    `Deposit` written twice with psql.
pub async fn idempotence(workshop: &mut Workshop, payer: &str) {
    let page = request(UI, "GET", &format!("/accounts/{payer}"), None).await;
    let command_id = page.command_id_after("Deposit</h2>");
    let form = [("command_id", command_id.as_str()), ("amount", "2")];
    let path = format!("/accounts/{payer}/deposits");
    assert_eq!(request(UI, "POST", &path, Some(&form)).await.status, 303);
    let again = request(UI, "POST", &path, Some(&form)).await;
    let said = request(UI, "GET", &again.location(), None).await;
    assert!(said.body.contains("already been sent"), "{}", said.body);
    wait_for_balance(payer, "72.00").await;

    // The README's psql example, twice: two messages, one depositId.
    let psql = readme_psql();
    workshop.shell(&psql, &readme_sql("send"));
    workshop.shell(&psql, &readme_sql("send"));
    let ada = "11111111-1111-4111-8111-111111111111";
    wait_for_balance(ada, "12.34").await;
    let events = workshop.shell(&psql, &readme_sql("read"));
    let events = String::from_utf8_lossy(&events.stdout);
    assert_eq!(events.matches("Deposited").count(), 1, "{events}");
    // Why: the reservation stream, in the inspector.
    wait_for(
        UI,
        &format!("/inspector?account={ada}"),
        "accountTransaction-11111111-1111-4111-8111-111111111111+33333333-3333-4333-8333-333333333333",
    )
    .await;
    wait_for_balance(ada, "12.34").await;
}

/// 3. Re-delivery: rewound to the start and restarted, the account
///    component handles every transaction again, and nothing changes.
pub async fn redelivery(workshop: &mut Workshop, payer: &str) {
    let rewind = inline_code(driver::README)
        .into_iter()
        .find(|span| span.starts_with("SELECT write_message") && span.contains("+position"))
        .expect("the README's rewind");
    let psql = readme_psql();
    let count = "SELECT count(*) FROM get_category_messages('accountTransaction');";
    let transactions = workshop.shell(&psql, count);
    let transactions: i64 = String::from_utf8_lossy(&transactions.stdout)
        .lines()
        .find_map(|line| line.trim().parse().ok())
        .expect("a count");
    let events = "SELECT count(*) FROM get_category_messages('account');";
    let before = workshop.shell(&psql, events).stdout;

    workshop.shell(&psql, &rewind);
    workshop.compose("docker compose restart account-component");
    // Its metrics say it handled them all again (its counters start at
    // zero with the process)...
    let handled = r#"bank_consumer_messages_handled_total{consumer="accountTransaction"} "#;
    let mut again = 0;
    for _ in 0..300 {
        again = metric(&scrape("127.0.0.1:9101").await, handled);
        if again >= transactions {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        again >= transactions,
        "handled {again} of {transactions} again"
    );
    // ...and no account event was written, no balance moved.
    assert_eq!(workshop.shell(&psql, events).stdout, before);
    wait_for_balance(payer, "72.00").await;
}

/// 4. Consumer groups: two members share the accounts, each with a
///    position of its own.
pub async fn consumer_groups(workshop: &mut Workshop) {
    workshop.compose("docker compose down");
    workshop.compose_with(
        "docker compose --profile group up --scale account-component=0",
        &["-d"],
    );
    workshop.wait_until_healthy("web-ui", START);
    // Each account belongs to one member, by its id's hash: a few accounts
    // reach both (the chance that ten all land on one member is 1 in 512).
    let mut accounts = Vec::new();
    for attempt in 0..10 {
        let account = open_and_deposit(UI, &format!("Member test {attempt}"), "3").await;
        wait_for_balance(&account, "3.00").await;
        accounts.push(account);
        let operations = request(UI, "GET", "/operations", None).await;
        if ["member-0-of-2", "member-1-of-2"].iter().all(|member| {
            operations
                .body
                .contains(&format!("account:command+position-{member}"))
        }) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1200)).await;
    }
    panic!("the operations page never showed both members' positions");
}

/// 5. Disposable views: rebuilt from scratch, every balance and statement
///    comes back the same.
pub async fn disposable_views(workshop: &mut Workshop, payer: &str, payee: &str) {
    let before = [statement(payer).await, statement(payee).await];
    workshop.compose("docker compose stop aggregator");
    workshop.compose("docker compose run --rm aggregator aggregator rebuild");
    workshop.compose("docker compose start aggregator");
    wait_for_balance(payer, "72.00").await;
    assert_eq!([statement(payer).await, statement(payee).await], before);
}

/// 6. Compensation: a transfer to a closed account is refunded, and the
///    refund is on the source's statement.
pub async fn compensation(payer: &str, payee: &str) {
    assert_eq!(
        send_form(payee, "withdrawals", &[("amount", "36")])
            .await
            .status,
        303
    );
    wait_for_balance(payee, "0.00").await;
    assert_eq!(send_form(payee, "close", &[]).await.status, 303);
    wait_for(UI, &format!("/accounts/{payee}"), ">closed</span>").await;
    let transfer = send_transfer(payer, payee, "10").await;
    wait_for(UI, &transfer, r#"data-testid="transfer-status">reversed<"#).await;
    wait_for_balance(payer, "72.00").await;
    let page = request(UI, "GET", &format!("/accounts/{payer}"), None).await;
    assert!(page.body.contains("<td>refund</td>"), "{}", page.body);
}
