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
mod exercises;
#[path = "../support/http.rs"]
mod http;
mod metrics;
mod ui;

use std::time::{Duration, Instant};

use driver::{Workshop, readme_compose_commands};
use http::{open_and_deposit, wait_for};
use ui::{UI, send_transfer, wait_for_balance};

/// How long a fresh project may take to build, start and become healthy.
const START: Duration = Duration::from_secs(180);

/// Whether `port` on 127.0.0.1 can be bound, now or within a few seconds.
/// The test binaries run before this one leave processes that take a moment
/// to go: a throwaway Postgres is stopped by a watcher half a second after
/// its test process exits, and it listened on a port the kernel picked at
/// random, which can be one the workshop publishes (one was taken once, in
/// CI, as the workshop began right after the simulation's binary).
fn is_free_within_seconds(port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workshop_runs_under_docker_compose_exactly_as_the_readme_says() {
    let Some(mut workshop) = Workshop::prepare() else {
        return;
    };
    for port in [3000, 55432, 9101, 9102, 9103, 9104, 9105, 9106] {
        assert!(
            is_free_within_seconds(port),
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

    exercises::autonomy(&mut workshop, &payer, &payee).await;
    done("1. autonomy");
    exercises::idempotence(&mut workshop, &payer).await;
    done("2. idempotence");
    exercises::redelivery(&mut workshop, &payer).await;
    done("3. re-delivery");
    exercises::consumer_groups(&mut workshop).await;
    done("4. consumer groups");
    exercises::disposable_views(&mut workshop, &payer, &payee).await;
    done("5. disposable views");
    exercises::compensation(&payer, &payee).await;
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

    metrics::scrape_every_metrics_port().await;
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
    static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let started = STARTED.get_or_init(Instant::now);
    eprintln!(
        "workshop: {step} ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}
