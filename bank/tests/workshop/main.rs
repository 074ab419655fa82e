//! The workshop, for real: `docker compose up` under a Docker engine, every
//! exercise of the README's "Workshop exercises" run as written, the audit,
//! the metrics scraped, and `docker compose down -v`.
//!
//! What it exercises: the compose file as written (its services, health
//! checks, `depends_on` conditions, the migrations job, the `group` profile,
//! the published ports on 127.0.0.1, the roles and passwords from `.env`);
//! the Dockerfile's `runtime` stage (base image, `USER nobody`, the
//! migrations, the metrics address); every README command that starts with
//! `docker compose`, and its psql commands. What it does not: the users'
//! `compile` stage (cargo inside the official Rust image), which needs a
//! registry. Its binaries come from this Cargo instead, through the
//! Dockerfile's `host-binaries` target, on the base images this machine
//! names (`RUNTIME_IMAGE`, `POSTGRES_IMAGE`; `.ci/run` builds them from
//! Debian's archive with docker/local-images/build).
//!
//! Without a Docker engine it skips with a loud message (and fails under
//! `CI=true`). The containers get no route off the machine: the test talks
//! to the published ports on 127.0.0.1 only.

mod driver;
#[path = "../support/http.rs"]
mod http;

use std::time::Duration;

use driver::{Workshop, inline_code, readme_compose_commands, readme_psql, readme_sql};
use http::{open_and_deposit, request, wait_for};

const UI: &str = "127.0.0.1:3000";

/// How long a fresh project may take to build, start and become healthy.
const START: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workshop_runs_under_docker_compose_exactly_as_the_readme_says() {
    let Some(mut workshop) = Workshop::prepare() else {
        return;
    };
    for port in [3000, 55432, 9101, 9102, 9103, 9104, 9105, 9106] {
        assert!(
            std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
            "port {port} is taken: the workshop publishes it (is a bank running already?)"
        );
    }
    // Any project left by an interrupted run goes first.
    drop(workshop.compose_for_the_test(["--profile", "group", "down", "-v", "--remove-orphans"]));

    done("prepared");
    // "cp .env.example .env", then "docker compose up". The image is built
    // first, explicitly: compose would reuse an image of that name left by
    // an earlier run, with older binaries.
    workshop.shell("cp .env.example .env", "");
    let built = workshop.compose_for_the_test(["build"]);
    assert!(
        built.status.success(),
        "building the image failed. Where no registry is reachable, run \
         docker/local-images/build and export the RUNTIME_IMAGE and \
         POSTGRES_IMAGE it prints (.ci/run does).\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    workshop.compose_with("docker compose up", &["-d"]);
    workshop.wait_until_healthy("postgres", START);
    workshop.wait_until_healthy("web-ui", START);

    // Through the published port, as a browser would: two accounts, a
    // deposit each, a transfer, and its outcome on the pages.
    let payer = open_and_deposit(UI, "Workshop Payer", "100").await;
    let payee = open_and_deposit(UI, "Workshop Payee", "5").await;
    wait_for_balance(&payer, "100.00").await;
    wait_for_balance(&payee, "5.00").await;
    let transfer = send_transfer(&payer, &payee, "30").await;
    wait_for(
        UI,
        &transfer,
        r#"data-testid="transfer-status">transferred<"#,
    )
    .await;
    wait_for_balance(&payer, "70.00").await;
    wait_for_balance(&payee, "35.00").await;

    done("up, healthy, two accounts, a transfer");

    autonomy(&mut workshop, &payer, &payee).await;
    done("1. autonomy");
    idempotence(&mut workshop, &payer).await;
    done("2. idempotence");
    redelivery(&mut workshop, &payer).await;
    done("3. re-delivery");
    consumer_groups(&mut workshop).await;
    done("4. consumer groups");
    disposable_views(&mut workshop, &payer, &payee).await;
    done("5. disposable views");
    compensation(&payer, &payee).await;
    done("6. compensation");

    // "Audit the bank": the invariants hold after all of it.
    let audit = workshop.compose("docker compose run --rm aggregator bank audit");
    assert!(audit.contains("violations: 0"), "{audit}");
    let held = audit
        .lines()
        .filter(|line| line.trim_start().starts_with("ok "))
        .count();
    assert!(held >= 10, "ten invariants, each ok:\n{audit}");
    done("the audit");

    scrape_every_metrics_port().await;
    done("metrics scraped");

    // "docker compose down -v": nothing of the project is left, not even
    // the group's members, which only the `group` profile starts.
    workshop.compose("docker compose down -v");
    let left = workshop.compose_for_the_test(["--profile", "group", "ps", "-q"]);
    assert_eq!(
        String::from_utf8_lossy(&left.stdout).trim(),
        "",
        "containers left"
    );
    done("down -v");

    // Every compose command the README gives was run above, as written.
    let commands = readme_compose_commands();
    assert!(
        commands.len() >= 9,
        "the README's commands not found: {commands:?}"
    );
    for command in commands {
        assert!(
            workshop.ran.contains(&command),
            "the README says `{command}`, which this test does not run"
        );
    }
}

/// Says how far the workshop has got, and when (shown with `--nocapture`).
fn done(step: &str) {
    static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let started = STARTED.get_or_init(std::time::Instant::now);
    eprintln!(
        "workshop: {step} ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

/// 1. Autonomy: with the account component stopped, a deposit stays
///    pending and the lag of `account:command+position` grows, while the UI
///    and transfers carry on; started again, it catches up.
async fn autonomy(workshop: &mut Workshop, payer: &str, payee: &str) {
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
async fn idempotence(workshop: &mut Workshop, payer: &str) {
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
async fn redelivery(workshop: &mut Workshop, payer: &str) {
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
async fn consumer_groups(workshop: &mut Workshop) {
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
async fn disposable_views(workshop: &mut Workshop, payer: &str, payee: &str) {
    let before = [statement(payer).await, statement(payee).await];
    workshop.compose("docker compose stop aggregator");
    workshop.compose("docker compose run --rm aggregator aggregator rebuild");
    workshop.compose("docker compose start aggregator");
    wait_for_balance(payer, "72.00").await;
    assert_eq!([statement(payer).await, statement(payee).await], before);
}

/// 6. Compensation: a transfer to a closed account is refunded, and the
///    refund is on the source's statement.
async fn compensation(payer: &str, payee: &str) {
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

/// Every binary's metrics, scraped once from its published port.
async fn scrape_every_metrics_port() {
    let consumers = [
        ("127.0.0.1:9105", "account:command (member-0-of-2)"),
        ("127.0.0.1:9106", "account:command (member-1-of-2)"),
        ("127.0.0.1:9102", "fundsTransfer:command"),
        ("127.0.0.1:9103", "account (aggregator)"),
    ];
    for (address, consumer) in consumers {
        let scraped = scrape(address).await;
        for family in [
            "bank_consumer_messages_handled_total",
            "bank_consumer_position",
            "bank_consumer_lag",
            "bank_consumer_messages_parked",
        ] {
            let series = format!("{family}{{consumer=\"{consumer}\"}} ");
            assert!(
                scraped.contains(&series),
                "{address} lacks {series}:\n{scraped}"
            );
        }
    }
    let web = scrape("127.0.0.1:9104").await;
    let pages =
        r#"bank_web_requests_total{method="GET",route="/accounts/{account_id}",status="200"} "#;
    assert!(metric(&web, pages) > 0, "{web}");
    assert!(
        metric(&web, "bank_web_request_duration_seconds_count ") > 0,
        "{web}"
    );
}

async fn scrape(address: &str) -> String {
    let response = request(address, "GET", "/metrics", None).await;
    assert_eq!(response.status, 200, "{address}");
    response.body
}

/// The value on the line that starts with `series`, or 0.
fn metric(scraped: &str, series: &str) -> i64 {
    scraped
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

/// Posts one of an account's forms (`deposits`, `withdrawals`, `close`)
/// with the command id the page gives it.
async fn send_form(account: &str, form: &str, fields: &[(&str, &str)]) -> http::Response {
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
async fn send_transfer(from: &str, to: &str, amount: &str) -> String {
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

async fn wait_for_balance(account: &str, balance: &str) {
    let expected = format!(r#"data-testid="balance">{balance}<"#);
    wait_for(UI, &format!("/accounts/{account}"), &expected).await;
}

/// An account's balance and statement, as its page shows them.
async fn statement(account: &str) -> String {
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
