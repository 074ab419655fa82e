//! Every journey a customer and an operator make, clicked through at desktop
//! size and again on a phone's screen (390x844), and the main journey with
//! JavaScript turned off. At every step the page must fit the window.

use account_component::client::AccountCommand;
use account_component::messages::commands::Open;
use messaging::Time;
use uuid::Uuid;

use crate::bank::Bank;
use crate::browser::{Browser, Device};
use crate::journeys::{ONE_AT_A_TIME, deposit, open_account_at};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_journey_at_desktop_size() {
    every_journey(Device::Desktop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_journey_on_a_phone() {
    every_journey(Device::Phone).await;
}

/// The id at the end of an account page's address.
fn id_of(page: &str) -> String {
    page.rsplit('/').next().unwrap_or_default().to_string()
}

async fn every_journey(device: Device) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(browser) = Browser::start_as(device).await else {
        return;
    };
    let Some(bank) = Bank::start().await else {
        browser.close().await;
        return;
    };
    let shot = |step: &str| format!("{}-{step}", device.name());

    // Open two accounts and deposit.
    let ada = open_account_at(&bank.url, &browser, "Ada Journey").await;
    let bob = open_account_at(&bank.url, &browser, "Bob Journey").await;
    browser.go(&ada).await;
    deposit(&browser, "1250.00").await;
    browser.wait_for_page_text("Deposited 1,250.00.").await;
    browser
        .wait_for_text("[data-testid=balance]", "1,250.00")
        .await;
    browser.assert_fits_the_width("the account page").await;
    browser.screenshot(&shot("10-deposited")).await;

    // A form error: the page lands on the field, at the page's own address.
    browser.go(&ada).await;
    browser.fill("#withdraw-amount", "lots").await;
    browser.click("form[action$='/withdrawals'] button").await;
    browser
        .wait_for_page_text("Enter the amount as a number")
        .await;
    let focused = browser
        .run(
            "const field = document.activeElement; const box = field.getBoundingClientRect(); \
             return [field.id, box.top >= 0 && box.bottom <= window.innerHeight];",
        )
        .await;
    assert_eq!(focused[0], "withdraw-amount", "{focused}");
    assert_eq!(focused[1], true, "the field is in view: {focused}");
    assert_eq!(browser.path().await, format!("/accounts/{}", id_of(&ada)));
    browser.screenshot(&shot("11-form-error-in-view")).await;

    // A withdrawal refused, then one accepted.
    browser.go(&ada).await;
    browser.fill("#withdraw-amount", "5000").await;
    browser.click("form[action$='/withdrawals'] button").await;
    browser
        .wait_for_page_text("The withdrawal of 5,000.00 was refused: insufficient funds.")
        .await;
    browser.go(&ada).await;
    browser.fill("#withdraw-amount", "50").await;
    browser.click("form[action$='/withdrawals'] button").await;
    browser.wait_for_page_text("Withdrew 50.00.").await;
    browser
        .wait_for_text("[data-testid=balance]", "1,200.00")
        .await;
    browser.screenshot(&shot("12-withdrawals")).await;

    // A transfer to Bob.
    transfer(&browser, &ada, &id_of(&bob), "200").await;
    browser
        .wait_for_text("[data-testid=transfer-status]", "transferred")
        .await;
    browser.assert_fits_the_width("the transfer page").await;
    browser.screenshot(&shot("13-transferred")).await;

    // Closing Bob: refused while money is in it, then emptied and closed.
    browser.go(&bob).await;
    browser.click("form[action$='/close'] button").await;
    browser
        .wait_for_page_text("Closing the account was refused: the balance is not zero.")
        .await;
    browser.go(&bob).await;
    browser.fill("#withdraw-amount", "200").await;
    browser.click("form[action$='/withdrawals'] button").await;
    browser.wait_for_page_text("Withdrew 200.00.").await;
    browser.go(&bob).await;
    browser.click("form[action$='/close'] button").await;
    browser.wait_for_page_text("The account is closed.").await;

    // A transfer to the closed account: out, refused there, refunded.
    transfer(&browser, &ada, &id_of(&bob), "30").await;
    browser
        .wait_for_text("[data-testid=transfer-status]", "reversed")
        .await;
    browser.go(&ada).await;
    let statement = browser.text("table.statement").await;
    assert!(
        statement.contains("transfer out") && statement.contains("refund"),
        "{statement}"
    );
    browser.assert_fits_the_width("the statement").await;
    browser.screenshot(&shot("14-reversed-and-refunded")).await;

    // The search, and the pages of accounts (25 more opened directly).
    for n in 1..=25 {
        let open = Open {
            account_id: Uuid::new_v4(),
            customer_id: Uuid::new_v4(),
            holder_name: format!("Filler {n:02}"),
            time: Time::now(),
        };
        AccountCommand::open(&open)
            .expect("encodes")
            .send(&bank.store)
            .await
            .expect("sent");
    }
    browser.go(&bank.url).await;
    browser.fill("#search", "bob j").await;
    browser.click("form[role=search] button").await;
    browser.wait_for_page_text("starts with “bob j”").await;
    assert!(browser.text("table").await.contains("Bob Journey"));
    for _ in 0..100 {
        browser.go(&bank.url).await;
        if browser.text("main").await.contains("Filler 01") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let first = browser.text("table").await;
    assert!(!first.contains("Ada Journey"), "Ada is on the next page");
    browser.click("[data-testid=older-accounts]").await;
    browser.wait_for_page_text("Ada Journey").await;
    browser.assert_fits_the_width("the home page").await;
    browser.screenshot(&shot("15-older-accounts")).await;

    // Bob is no longer among the accounts Ada's transfer form offers first;
    // typing the start of his name brings him (no Find button pressed).
    browser.go(&ada).await;
    let bob_id = id_of(&bob);
    let offered = format!("#transfer-to option[value='{bob_id}']");
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css(&offered))
            .await
            .is_err(),
        "Bob is offered before any search"
    );
    browser.fill("#transfer-find", "bob j").await;
    browser.find(&offered).await;
    browser
        .wait_for_page_text("Accounts whose holder name starts with “bob j”.")
        .await;

    // The inspector and the operations page.
    browser
        .go(&format!("{}/inspector?account={}", bank.url, id_of(&ada)))
        .await;
    browser.wait_for_page_text("Deposited").await;
    browser.assert_fits_the_width("the inspector").await;
    browser.screenshot(&shot("16-inspector")).await;
    browser.go(&format!("{}/operations", bank.url)).await;
    browser.wait_for_page_text("account:command+position").await;
    browser.wait_for_page_text("docker compose stop").await;
    browser.assert_fits_the_width("the operations page").await;
    browser.screenshot(&shot("17-operations")).await;
    browser.close().await;
}

/// From the account page at `from`, transfers `amount` to the account
/// `to`, found by the form's search, and waits for the transfer's page.
async fn transfer(browser: &Browser, from: &str, to: &str, amount: &str) {
    browser.go(&format!("{from}?to={to}")).await;
    browser
        .click(&format!("#transfer-to option[value='{to}']"))
        .await;
    browser.fill("#transfer-amount", amount).await;
    browser.click("form[action$='/transfers'] button").await;
    browser.wait_for_page_text("Steps").await;
}

/// The main journey with JavaScript turned off: every page still works,
/// pending pages refresh by themselves every two seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_journey_without_javascript() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(browser) = Browser::start_as(Device::NoScript).await else {
        return;
    };
    let Some(bank) = Bank::start().await else {
        browser.close().await;
        return;
    };
    let ada = open_account_at(&bank.url, &browser, "Ada Plain").await;
    let bob = open_account_at(&bank.url, &browser, "Bob Plain").await;
    browser.go(&ada).await;
    deposit(&browser, "80.00").await;
    browser.wait_for_page_text("Deposited 80.00.").await;
    browser
        .wait_for_text("[data-testid=balance]", "80.00")
        .await;
    transfer(&browser, &ada, &id_of(&bob), "30").await;
    browser
        .wait_for_text("[data-testid=transfer-status]", "transferred")
        .await;
    browser.go(&bob).await;
    browser
        .wait_for_text("[data-testid=balance]", "30.00")
        .await;
    browser.go(&format!("{}/?search=ada", bank.url)).await;
    browser.wait_for_page_text("Ada Plain").await;
    browser.screenshot("no-script-18-main-journey").await;
    browser.close().await;
}
