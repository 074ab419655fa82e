//! What a customer does, clicked through in a real browser.

use std::time::Duration;

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};

use crate::bank::{Bank, BankInOneProcess};
use crate::browser::Browser;

/// One journey at a time: each runs a whole bank (four processes) and a
/// browser, and on a small machine several at once starve each other of CPU
/// until pages take longer to settle than the tests wait.
pub(crate) static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn start() -> Option<(Bank, Browser, tokio::sync::MutexGuard<'static, ()>)> {
    let turn = ONE_AT_A_TIME.lock().await;
    let browser = Browser::start().await?;
    let Some(bank) = Bank::start().await else {
        browser.close().await;
        return None;
    };
    Some((bank, browser, turn))
}

/// Opens an account from the home page and returns its page's URL.
async fn open_account(bank: &Bank, browser: &Browser, name: &str) -> String {
    open_account_at(&bank.url, browser, name).await
}

/// The same, on the bank at `url`.
pub(crate) async fn open_account_at(url: &str, browser: &Browser, name: &str) -> String {
    browser.go(url).await;
    browser.fill("#holder_name", name).await;
    browser.click("form[action='/accounts'] button").await;
    browser.wait_for_text("h1", name).await;
    let url = browser.client.current_url().await.expect("a URL");
    url.as_str()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string()
}

pub(crate) async fn deposit(browser: &Browser, amount: &str) {
    browser.fill("#deposit-amount", amount).await;
    browser.click("form[action$='/deposits'] button").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_opens_two_accounts_deposits_and_sees_the_balance() {
    let Some((bank, browser, _turn)) = start().await else {
        return;
    };
    let ada = open_account(&bank, &browser, "Ada Lovelace").await;
    open_account(&bank, &browser, "Charles Babbage").await;

    browser.go(&ada).await;
    browser.fill("#deposit-reference", "Salary, May").await;
    deposit(&browser, "250.75").await;
    browser.wait_for_page_text("Deposited 250.75.").await;
    browser
        .wait_for_text("[data-testid=balance]", "250.75")
        .await;
    // The reference typed in the form is on the statement's line.
    browser
        .wait_for_text("[data-testid=line-reference]", "Salary, May")
        .await;

    browser.go(&bank.url).await;
    browser.wait_for_page_text("Charles Babbage").await;
    let home = browser.text("main").await;
    assert!(
        home.contains("Ada Lovelace") && home.contains("250.75"),
        "{home}"
    );
    browser.screenshot("01-two-accounts-and-a-deposit").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_clicked_deposit_deposits_once() {
    let Some((bank, browser, _turn)) = start().await else {
        return;
    };
    let account = open_account(&bank, &browser, "Double Clicker").await;
    browser.go(&account).await;
    browser.fill("#deposit-amount", "10.00").await;

    // A real double click on the button: two clicks in quick succession.
    let button = browser.find("form[action$='/deposits'] button").await;
    let double_click = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveToElement {
            element: button,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser
        .client
        .perform_actions(double_click)
        .await
        .expect("double click");
    browser
        .wait_for_text("[data-testid=balance]", "10.00")
        .await;

    // And the same form sent twice for certain, as a browser retrying would:
    // both requests reach the bank, with the same command id.
    browser.go(&account).await;
    browser.fill("#deposit-amount", "5.00").await;
    let second = browser
        .client
        .execute(
            "const form = document.querySelector(\"form[action$='/deposits']\");
             const body = new URLSearchParams(new FormData(form));
             await fetch(form.action, { method: 'POST', body });
             const again = await fetch(form.action, { method: 'POST', body });
             return again.url;",
            vec![],
        )
        .await
        .expect("two posts");
    let second = second.as_str().expect("a URL").to_string();
    assert!(
        second.contains("duplicate=1"),
        "the second post was recognized: {second}"
    );
    browser.go(&second).await;
    browser.wait_for_page_text("already been sent").await;
    browser
        .wait_for_text("[data-testid=balance]", "15.00")
        .await;
    // Let anything that could still arrive arrive, then count.
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser.go(&account).await;
    let statement = browser.text("table.statement").await;
    assert_eq!(statement.matches("deposit").count(), 2, "{statement}");
    assert_eq!(browser.text("[data-testid=balance]").await, "15.00");
    browser.screenshot("02-double-submit-deposits-once").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_walk_to_transferred_or_cancelled_and_the_inspector_shows_the_chain() {
    let Some((bank, browser, _turn)) = start().await else {
        return;
    };
    let payee = open_account(&bank, &browser, "Payee").await;
    let payer = open_account(&bank, &browser, "Payer").await;
    deposit(&browser, "100").await;
    browser
        .wait_for_text("[data-testid=balance]", "100.00")
        .await;

    // A transfer within the balance.
    let payee_id = payee.rsplit('/').next().unwrap_or_default().to_string();
    browser
        .find(&format!("#transfer-to option[value='{payee_id}']"))
        .await
        .click()
        .await
        .expect("chosen");
    browser.fill("#transfer-amount", "40").await;
    browser.click("form[action$='/transfers'] button").await;
    browser
        .wait_for_text("[data-testid=transfer-status]", "transferred")
        .await;
    browser.screenshot("03-transfer-transferred").await;
    let transfer_url = browser
        .client
        .current_url()
        .await
        .expect("a URL")
        .to_string();

    // One more than the balance.
    browser.go(&payer).await;
    browser
        .find(&format!("#transfer-to option[value='{payee_id}']"))
        .await
        .click()
        .await
        .expect("chosen");
    browser.fill("#transfer-amount", "60.01").await;
    browser.click("form[action$='/transfers'] button").await;
    browser
        .wait_for_text("[data-testid=transfer-status]", "cancelled")
        .await;
    assert_eq!(
        browser.text("[data-testid=transfer-reason]").await,
        "insufficient funds"
    );
    browser.screenshot("04-transfer-cancelled").await;

    // The messages behind the first transfer.
    browser.go(&transfer_url).await;
    browser.click("a[href^='/inspector?transfer=']").await;
    browser.wait_for_page_text("Transferred").await;
    let chain = browser.text("ol.chain").await;
    for step in [
        "Transfer",
        "Initiated",
        "Withdraw",
        "Withdrawn",
        "Deposit",
        "Deposited",
        "Transferred",
    ] {
        assert!(
            chain.contains(step),
            "{step} missing from the chain:\n{chain}"
        );
    }
    assert!(chain.contains("correlated with fundsTransfer-"), "{chain}");
    browser.screenshot("05-inspector-chain").await;

    browser.go(&payee).await;
    browser
        .wait_for_text("[data-testid=balance]", "40.00")
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_amount_shows_the_error_and_writes_nothing() {
    let Some((bank, browser, _turn)) = start().await else {
        return;
    };
    let account = open_account(&bank, &browser, "Careful Typist").await;
    browser.go(&account).await;
    let before = bank.commands_written().await;

    for (typed, message) in [
        ("12.345", "at most two decimal places"),
        ("twelve", "as a number"),
        ("0", "more than zero"),
    ] {
        deposit(&browser, typed).await;
        // The page with the previous error is replaced by the new one; wait
        // for the new message rather than read the old page.
        browser.wait_for_page_text(message).await;
        assert_eq!(
            browser
                .find("#deposit-amount")
                .await
                .prop("value")
                .await
                .expect("value"),
            Some(typed.to_string())
        );
    }
    browser.screenshot("06-invalid-amount").await;
    assert_eq!(
        bank.commands_written().await,
        before,
        "a refused form wrote a command"
    );
    browser.close().await;
}

/// The seed's main lesson, clicked: in the all-in-one bank (`cargo run`),
/// pause the account component from the operations page, deposit, and the
/// page says pending; resume it, and the same page, never reloaded, shows
/// the outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_the_account_component_leaves_a_deposit_pending_until_it_is_resumed() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let bank = BankInOneProcess::start().await;
    let account = open_account_at(&bank.url, &browser, "Autonomous").await;

    browser.go(&format!("{}/operations", bank.url)).await;
    browser
        .click("[data-testid='switch-account-component']")
        .await;
    browser
        .wait_for_text("[data-testid='state-account-component']", "paused")
        .await;
    browser.screenshot("07-the-account-component-paused").await;

    browser.go(&account).await;
    deposit(&browser, "42.00").await;
    browser.wait_for_page_text("Pending").await;
    // A mark on this very page: a reload would wipe it.
    browser
        .client
        .execute("window.notReloaded = true; return true;", vec![])
        .await
        .expect("marked");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let waiting = browser.text("main").await;
    assert!(waiting.contains("Pending"), "{waiting}");
    assert_eq!(browser.text("[data-testid=balance]").await, "0.00");
    browser
        .screenshot("08-a-deposit-pending-while-paused")
        .await;

    // The operator resumes it (as from the operations page in another tab).
    let resumed = browser
        .client
        .execute(
            "const response = await fetch('/operations/components/account-component/resume', \
               { method: 'POST' }); return response.ok;",
            vec![],
        )
        .await
        .expect("resumed");
    assert_eq!(resumed.as_bool(), Some(true));
    browser.wait_for_page_text("Deposited 42.00.").await;
    browser
        .wait_for_text("[data-testid=balance]", "42.00")
        .await;
    let still_the_same_page = browser
        .client
        .execute("return window.notReloaded === true;", vec![])
        .await
        .expect("asked");
    assert_eq!(
        still_the_same_page.as_bool(),
        Some(true),
        "the page was reloaded"
    );
    browser
        .screenshot("09-resumed-and-caught-up-without-a-reload")
        .await;
    browser.close().await;
}
