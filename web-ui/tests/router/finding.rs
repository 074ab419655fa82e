//! Finding accounts in a bank with more of them than a page shows: the home
//! page a page at a time, the search, the transfer form's destination
//! search, and the inspector's.

use account_component::client::AccountCommand;
use account_component::messages::commands::Open;
use axum::http::StatusCode;
use messaging::Time;
use uuid::Uuid;

use crate::support::{Response, TestApp, encode};

/// A bank with 25 accounts, "Holder 01" (the oldest) to "Holder 25" (the
/// newest), opened through the account component; their ids, oldest first.
async fn bank_of_25() -> (TestApp, Vec<Uuid>) {
    let app = TestApp::new().await;
    let mut ids = Vec::new();
    for n in 1..=25 {
        let open = Open {
            account_id: Uuid::new_v4(),
            customer_id: Uuid::new_v4(),
            holder_name: format!("Holder {n:02}"),
            time: Time::now(),
        };
        AccountCommand::open(&open)
            .expect("encodes")
            .send(&app.store)
            .await
            .expect("sent");
        ids.push(open.account_id);
        // Each a moment after the one before, so that the order in which
        // the component opened them is the order written.
        app.settle().await;
    }
    (app, ids)
}

/// The accounts a page links to, in its order.
fn accounts_linked(page: &Response) -> Vec<Uuid> {
    page.body
        .split(r#"<a href="/accounts/"#)
        .skip(1)
        .filter_map(|rest| rest.get(..36)?.parse().ok())
        .collect()
}

/// The accounts the transfer form offers, in its order.
fn destinations_offered(page: &Response) -> Vec<Uuid> {
    let select = page
        .body
        .split_once(r#"<select id="transfer-to""#)
        .expect("a transfer form")
        .1;
    let select = &select[..select.find("</select>").expect("the end of the list")];
    select
        .split(r#"<option value=""#)
        .skip(1)
        .filter_map(|rest| rest.get(..36)?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_lists_the_newest_accounts_a_page_at_a_time() {
    let (app, ids) = bank_of_25().await;
    let newest_first: Vec<Uuid> = ids.iter().rev().copied().collect();

    let first = app.get("/").await;
    assert_eq!(accounts_linked(&first), newest_first[..20]);
    assert_eq!(first.link("newer-accounts"), None);
    let older = first
        .link("older-accounts")
        .expect("a link to older accounts");

    let second = app.get(&older).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(accounts_linked(&second), newest_first[20..]);
    assert_eq!(second.link("older-accounts"), None);
    let newer = second.link("newer-accounts").expect("a link back");
    assert_eq!(accounts_linked(&app.get(&newer).await), newest_first[..20]);

    // A cursor that is no account shows an empty page, not an error.
    let nowhere = app.get(&format!("/?older={}", Uuid::new_v4())).await;
    assert_eq!(nowhere.status, StatusCode::OK);
    assert!(accounts_linked(&nowhere).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_finds_accounts_by_the_start_of_a_name_or_by_id() {
    let (app, ids) = bank_of_25().await;

    let found = app.get(&format!("/?search={}", encode("holder 2"))).await;
    assert_eq!(found.status, StatusCode::OK);
    // Holder 20 to Holder 25, in the order of their names.
    assert_eq!(accounts_linked(&found), ids[19..]);
    assert!(
        found.body.contains("starts with “holder 2”"),
        "{}",
        found.body
    );
    assert_eq!(found.link("older-accounts"), None);

    let by_id = app.get(&format!("/?search={}", ids[6])).await;
    assert_eq!(accounts_linked(&by_id), [ids[6]]);

    let none = app.get(&format!("/?search={}", encode("<b>nobody"))).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(accounts_linked(&none).is_empty());
    assert!(none.body.contains("nobody”"), "{}", none.body);
    assert!(
        !none.body.contains("<b>nobody"),
        "what was typed is escaped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transfer_form_offers_the_newest_accounts_and_finds_any_other() {
    let (app, ids) = bank_of_25().await;
    let newest = ids[24];

    // Without a search: the newest 20 others, not the account itself.
    let page = app.get(&format!("/accounts/{newest}")).await;
    let offered = destinations_offered(&page);
    assert_eq!(offered.len(), 20);
    assert!(!offered.contains(&newest));
    assert!(
        !offered.contains(&ids[0]),
        "the oldest is found by searching"
    );

    let found = app
        .get(&format!("/accounts/{newest}?to={}", encode("Holder 01")))
        .await;
    assert_eq!(destinations_offered(&found), [ids[0]]);
    assert!(found.body.contains(r#"data-testid="destinations-found""#));

    // A refused transfer to an account not among the newest keeps it chosen.
    let command_id = found.command_id_after("Transfer</h2>");
    let to = ids[0].to_string();
    let refused = app
        .post(
            &format!("/accounts/{newest}/transfers"),
            &[
                ("command_id", &command_id),
                ("to_account_id", &to),
                ("amount", "abc"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(destinations_offered(&refused)[0], ids[0]);
    assert!(
        refused
            .body
            .contains(&format!(r#"<option value="{to}" selected>"#)),
        "{}",
        refused.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inspector_offers_the_newest_accounts_and_finds_any_other() {
    let (app, ids) = bank_of_25().await;
    let inspected = |page: &Response| -> Vec<Uuid> {
        page.body
            .split(r#"<a href="/inspector?account="#)
            .skip(1)
            .filter_map(|rest| rest.get(..36)?.parse().ok())
            .collect()
    };
    let page = app.get("/inspector").await;
    assert_eq!(inspected(&page).len(), 10);
    assert!(!inspected(&page).contains(&ids[0]));
    let found = app
        .get(&format!("/inspector?find={}", encode("holder 01")))
        .await;
    assert_eq!(inspected(&found), [ids[0]]);
}
