//! Using the bank as a browser would, through the UI's published port.

use crate::http::{self, request, wait_for};

/// The web UI, as compose publishes it.
pub const UI: &str = "127.0.0.1:3000";

/// Posts one of an account's forms (`deposits`, `withdrawals`, `close`)
/// with the command id the page gives it.
pub async fn send_form(account: &str, form: &str, fields: &[(&str, &str)]) -> http::Response {
    let heading = match form {
        "deposits" => "Deposit</h2>",
        "withdrawals" => "Withdraw</h2>",
        _ => "Close the account</h2>",
    };
    let page = wait_for(UI, &format!("/accounts/{account}"), heading).await;
    let command_id = page.command_id_after(heading);
    let mut form_fields = vec![("command_id", command_id.as_str())];
    form_fields.extend_from_slice(fields);
    let path = format!("/accounts/{account}/{form}");
    request(UI, "POST", &path, Some(&form_fields)).await
}

/// Sends a transfer through the payer's form; returns the transfer's page.
pub async fn send_transfer(from: &str, to: &str, amount: &str) -> String {
    let page = request(UI, "GET", &format!("/accounts/{from}"), None).await;
    let command_id = page.command_id_after("Transfer</h2>");
    let form = [
        ("command_id", command_id.as_str()),
        ("to_account_id", to),
        ("amount", amount),
    ];
    let path = format!("/accounts/{from}/transfers");
    let sent = request(UI, "POST", &path, Some(&form)).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    sent.location()
}

pub async fn wait_for_balance(account: &str, balance: &str) {
    let expected = format!(r#"data-testid="balance">{balance}<"#);
    wait_for(UI, &format!("/accounts/{account}"), &expected).await;
}

/// An account's balance and statement, as its page shows them.
pub async fn statement(account: &str) -> String {
    let page = request(UI, "GET", &format!("/accounts/{account}"), None).await;
    let balance = page
        .body
        .split_once(r#"data-testid="balance">"#)
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(balance, _)| balance.to_string())
        .expect("a balance");
    let lines = page
        .body
        .split_once(r#"id="statement-heading""#)
        .and_then(|(_, rest)| rest.split_once("</table>"))
        .map(|(table, _)| table.to_string())
        .expect("a statement");
    format!("{balance}\n{lines}")
}
