//! An attack with nothing but the bank's own web forms: a deposit or a
//! withdrawal sent under the id of a transfer's own step, read off the
//! message inspector, so that the account reserves the attacker's command
//! under that id and drops the transfer's. The ids a form's command carries
//! are derived from the form's id (`web-ui/src/form_id.rs`), and a
//! transfer's step ids from the transfer's under another namespace
//! (`funds-transfer-component/src/step_ids.rs`): the forged forms become
//! small deposits and withdrawals of their own, and every transfer ends
//! transferred. Run against the real `bank` binary, as `cargo run` runs it,
//! and audited afterwards with `bank audit`.

#[path = "support/bank_process.rs"]
mod bank_process;
#[path = "support/http.rs"]
mod http;

use bank_process::{DataFolder, bank, start, stop};
use http::{deposit, open_and_deposit, request, wait_for};

/// What the transfer page shows once a transfer has completed.
const TRANSFERRED: &str = r#"data-testid="transfer-status">transferred<"#;

/// The first UUID after `key` in `text` (the inspector shows each
/// message's data as JSON, its quotes escaped for HTML).
fn id_after(text: &str, key: &str) -> Option<String> {
    let after = &text[text.find(key)? + key.len()..];
    (0..after.len().min(64))
        .filter_map(|start| after.get(start..start + 36))
        .find(|candidate| uuid::Uuid::parse_str(candidate).is_ok())
        .map(str::to_string)
}

/// Sends a transfer of `amount` from `from` to `to` through its form;
/// returns the transfer's id, from the redirect.
async fn transfer(address: &str, from: &str, to: &str, amount: &str) -> String {
    let page = request(address, "GET", &format!("/accounts/{from}"), None).await;
    let form = page.command_id_after("Transfer</h2>");
    let sent = request(
        address,
        "POST",
        &format!("/accounts/{from}/transfers"),
        Some(&[
            ("command_id", &form),
            ("to_account_id", to),
            ("amount", amount),
        ]),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let location = sent.location();
    location
        .strip_prefix("/transfers/")
        .and_then(|rest| rest.split('?').next())
        .expect("a redirect to the transfer")
        .to_string()
}

/// What an attacker reads off the inspector once the transfer has started:
/// the ids of its withdrawal and its deposit.
async fn step_ids(address: &str, transfer: &str) -> (String, String) {
    let page = wait_for(
        address,
        &format!("/inspector?transfer={transfer}"),
        "<strong>Initiated</strong>",
    )
    .await;
    let withdrawal = id_after(&page.body, "withdrawalId").expect("a withdrawal id shown");
    let deposit = id_after(&page.body, "depositId").expect("a deposit id shown");
    (withdrawal, deposit)
}

/// Posts an amount form of `account` (`deposits` or `withdrawals`) with a
/// forged form id.
async fn forged(address: &str, account: &str, action: &str, form_id: &str, amount: &str) {
    let sent = request(
        address,
        "POST",
        &format!("/accounts/{account}/{action}"),
        Some(&[("command_id", form_id), ("amount", amount)]),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
}

/// The balance the account page shows.
async fn balance(address: &str, account: &str) -> String {
    let page = request(address, "GET", &format!("/accounts/{account}"), None).await;
    let marker = r#"data-testid="balance">"#;
    let after = &page.body[page.body.find(marker).expect("a balance") + marker.len()..];
    after[..after.find('<').expect("closed")].to_string()
}

async fn switch(address: &str, component: &str, to: &str) {
    let switched = request(
        address,
        "POST",
        &format!("/operations/components/{component}/{to}"),
        Some(&[]),
    )
    .await;
    assert_eq!(switched.status, 303, "{}", switched.body);
}

/// The audit of the bank's data, as `bank audit` prints it.
fn audited(data_dir: &std::path::Path) -> String {
    let report = bank(&["audit"], data_dir);
    assert!(report.ends_with("violations: 0\n"), "{report}");
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_sent_under_a_transfers_own_ids_while_the_accounts_wait_cannot_hold_its_money() {
    let data_dir = DataFolder::new("forged-ids-paused");
    let (running, address) = start(&data_dir).await;
    let payer = open_and_deposit(&address, "Payer", "100").await;
    let payee = open_and_deposit(&address, "Payee", "1").await;
    wait_for(&address, &format!("/accounts/{payee}"), r#"balance">1.00<"#).await;
    wait_for(
        &address,
        &format!("/accounts/{payer}"),
        r#"balance">100.00<"#,
    )
    .await;

    // The account component waits; the transfer starts, and shows its ids.
    switch(&address, "account-component", "pause").await;
    let transfer = transfer(&address, &payer, &payee, "20").await;
    let (withdrawal_id, deposit_id) = step_ids(&address, &transfer).await;
    forged(&address, &payee, "deposits", &deposit_id, "0.01").await;
    forged(&address, &payer, "withdrawals", &withdrawal_id, "0.01").await;
    switch(&address, "account-component", "resume").await;

    wait_for(&address, &format!("/transfers/{transfer}"), TRANSFERRED).await;
    // The forged forms were a deposit and a withdrawal of their own.
    wait_for(
        &address,
        &format!("/accounts/{payee}"),
        r#"balance">21.01<"#,
    )
    .await;
    wait_for(
        &address,
        &format!("/accounts/{payer}"),
        r#"balance">79.99<"#,
    )
    .await;
    stop(running).await;
    let report = audited(&data_dir);
    assert!(
        report.contains("every transfer ended exactly once"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_racing_a_transfers_own_steps_under_its_ids_cannot_hold_its_money() {
    const TRIES: usize = 20;
    let data_dir = DataFolder::new("forged-ids-racing");
    let (running, address) = start(&data_dir).await;
    let payer = open_and_deposit(&address, "Payer", "1000").await;
    let payee = open_and_deposit(&address, "Payee", "1").await;
    wait_for(&address, &format!("/accounts/{payee}"), r#"balance">1.00<"#).await;
    wait_for(
        &address,
        &format!("/accounts/{payer}"),
        r#"balance">1,000.00<"#,
    )
    .await;

    let mut transfers = Vec::new();
    for _ in 0..TRIES {
        let transfer = transfer(&address, &payer, &payee, "20").await;
        let (withdrawal_id, deposit_id) = step_ids(&address, &transfer).await;
        forged(&address, &payee, "deposits", &deposit_id, "0.01").await;
        forged(&address, &payer, "withdrawals", &withdrawal_id, "0.01").await;
        transfers.push(transfer);
    }

    for transfer in &transfers {
        wait_for(&address, &format!("/transfers/{transfer}"), TRANSFERRED).await;
    }
    // 20 transfers of 20.00, and 20 forged forms of 0.01 each way.
    wait_for(
        &address,
        &format!("/accounts/{payee}"),
        r#"balance">401.20<"#,
    )
    .await;
    wait_for(
        &address,
        &format!("/accounts/{payer}"),
        r#"balance">599.80<"#,
    )
    .await;
    assert_eq!(balance(&address, &payee).await, "401.20");
    stop(running).await;
    audited(&data_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_id_sent_twice_still_moves_the_money_once() {
    let data_dir = DataFolder::new("forged-ids-twice");
    let (running, address) = start(&data_dir).await;
    let account = open_and_deposit(&address, "Twice", "5").await;
    wait_for(
        &address,
        &format!("/accounts/{account}"),
        r#"balance">5.00<"#,
    )
    .await;
    let form = uuid::Uuid::new_v4().to_string();
    forged(&address, &account, "deposits", &form, "1").await;
    forged(&address, &account, "deposits", &form, "1").await;
    deposit(&address, &account, "0.50").await;
    wait_for(
        &address,
        &format!("/accounts/{account}"),
        r#"balance">6.50<"#,
    )
    .await;
    stop(running).await;
    audited(&data_dir);
}
