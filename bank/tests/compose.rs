//! `docker-compose.yml`: valid, and every service's command and environment
//! really start the bank. There is no Docker engine here, so each service
//! runs as a native process instead of a container, against a private
//! Postgres cluster, with the service name `postgres` mapped to 127.0.0.1.
//! The migrations service's psql script runs as written.

#[path = "support/http.rs"]
mod http;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use sqlx::Connection;
use test_processes::{RunningProcess, workspace_binary};
use throwaway_postgres::{Cluster, ClusterSettings, Server, postgres_is_required};

use http::{open_and_deposit, request, wait_for};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The compose file as Compose resolves it (`docker-compose config`), with
/// the passwords of `.env.example`, as JSON. `None`, after a loud message,
/// where docker-compose is not installed (except under `CI=true`, where
/// that fails).
fn resolved_compose_file() -> Option<Value> {
    let file = repository().join("docker-compose.yml");
    let output = match Command::new("docker-compose")
        .arg("--env-file")
        .arg(repository().join(".env.example"))
        .arg("-f")
        .arg(&file)
        .arg("config")
        .output()
    {
        Ok(output) => output,
        Err(error) => {
            assert!(
                !postgres_is_required(),
                "CI=true and docker-compose cannot run: {error}"
            );
            eprintln!(
                "\n*** SKIPPING the compose tests: docker-compose is not installed ({error}) ***\n"
            );
            return None;
        }
    };
    assert!(
        output.status.success(),
        "docker-compose config: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // docker-compose prints YAML; Python's yaml module (a dependency of
    // docker-compose) turns it into JSON, which we can read.
    let mut python = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    python
        .stdin
        .take()
        .expect("stdin")
        .write_all(&output.stdout)
        .expect("written");
    let json = python.wait_with_output().expect("python3 finishes");
    Some(serde_json::from_slice(&json.stdout).expect("the compose file as JSON"))
}

#[test]
fn the_compose_file_is_valid_and_runs_every_part_of_the_bank() {
    let Some(compose) = resolved_compose_file() else {
        return;
    };
    let services = compose["services"].as_object().expect("services");
    for name in [
        "postgres",
        "migrations",
        "account-component",
        "funds-transfer-component",
        "aggregator",
        "web-ui",
    ] {
        assert!(services.contains_key(name), "{name} missing");
    }
    // The UI is published on the host's port 3000 (the long and the short
    // port syntax both name it).
    let port = compose["services"]["web-ui"]["ports"][0].to_string();
    assert!(port.contains("3000"), "{port}");
    for member in ["0", "1"] {
        let service = &compose["services"][format!("account-component-member-{member}")];
        assert_eq!(service["environment"]["CONSUMER_GROUP_MEMBER"], member);
        assert_eq!(service["environment"]["CONSUMER_GROUP_SIZE"], "2");
        assert_eq!(service["profiles"][0], "group");
    }
}

#[test]
fn nothing_is_published_beyond_this_machine_and_no_password_is_in_the_file() {
    let Some(compose) = resolved_compose_file() else {
        return;
    };
    let mut published = 0;
    for (name, service) in compose["services"].as_object().expect("services") {
        for port in service["ports"].as_array().into_iter().flatten() {
            // docker-compose 1.29 writes `127.0.0.1:3000:3000/tcp`; the
            // long syntax names the address in `host_ip`.
            let on_loopback = port.as_str().map_or_else(
                || port["host_ip"] == "127.0.0.1",
                |short| short.starts_with("127.0.0.1:"),
            );
            assert!(on_loopback, "{name} publishes {port} beyond this machine");
            published += 1;
        }
    }
    // Postgres, the UI, and each binary's metrics.
    assert!(published >= 2, "Postgres and the UI are published");

    // Every secret is a `${...}` from `.env`: no line of the file that names
    // a password, or a URL with credentials, holds one itself.
    let raw = std::fs::read_to_string(repository().join("docker-compose.yml")).expect("read");
    for line in raw
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
    {
        let names_a_secret = line.contains("PASSWORD:") || line.contains("://");
        if names_a_secret && line.contains(':') {
            let value = line.split_once(':').map_or("", |(_, value)| value.trim());
            let credentials = value.split_once("://").map(|(_, rest)| rest);
            let holds_a_secret = match credentials {
                Some(rest) => rest.split_once('@').is_some_and(|(user, _)| {
                    user.split_once(':')
                        .is_some_and(|(_, password)| !password.starts_with("${"))
                }),
                None => !value.starts_with("${"),
            };
            assert!(!holds_a_secret, "a password in docker-compose.yml: {line}");
        }
    }
    let example = std::fs::read_to_string(repository().join(".env.example")).expect("read");
    for variable in raw
        .split("${")
        .skip(1)
        .filter_map(|rest| rest.split([':', '}']).next())
    {
        assert!(
            example.contains(&format!("{variable}=")),
            ".env.example does not document {variable}"
        );
    }
}

/// A service's environment with `postgres:5432` pointing at the local cluster.
fn environment(service: &Value, port: u16, overrides: &[(&str, String)]) -> Vec<(String, String)> {
    let mut environment: Vec<(String, String)> = service["environment"]
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(name, value)| {
                    let value = value
                        .as_str()
                        .unwrap_or_default()
                        .replace("@postgres:5432", &format!("@127.0.0.1:{port}"));
                    (name.clone(), value)
                })
                .collect()
        })
        .unwrap_or_default();
    for (name, value) in overrides {
        environment.retain(|(existing, _)| existing != name);
        environment.push(((*name).to_string(), value.clone()));
    }
    environment
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_compose_service_starts_natively_and_carries_a_transfer_to_the_ui() {
    let Some(compose) = resolved_compose_file() else {
        return;
    };
    if Server::shared().is_none() {
        return;
    }
    // A cluster of our own: the compose file names fixed databases
    // (message_store, views) that other tests' clusters must not share.
    let cluster = Cluster::start(&ClusterSettings::default()).expect("a cluster");
    let port = cluster.port();
    let mut admin = sqlx::PgConnection::connect(&cluster.url("postgres"))
        .await
        .expect("admin");
    sqlx::raw_sql("CREATE DATABASE message_store")
        .execute(&mut admin)
        .await
        .expect("created");

    // The migrations service: its psql script, as written, with the
    // migrations folder where the volume would mount it.
    let migrations = &compose["services"]["migrations"];
    // As Compose does when it starts the container: `$$` becomes `$`, and
    // the migrations folder is where the volume would mount it.
    let script = migrations["command"][2]
        .as_str()
        .expect("a script")
        .replace("$$", "$")
        .replace(
            "/migrations/",
            &format!("{}/migrations/", repository().display()),
        );
    let path = format!(
        "{}:{}",
        cluster.bin().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("sh")
        .args(["-c", &script])
        .envs(environment(
            migrations,
            port,
            &[
                ("PGHOST", "127.0.0.1".into()),
                ("PGPORT", port.to_string()),
                ("PATH", path),
            ],
        ))
        .status()
        .expect("the migrations script runs");
    assert!(status.success(), "the migrations service failed");

    let web_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a port")
        .port();
    let mut processes = Vec::new();
    // The web UI first, before the aggregator has made the views: it must
    // wait for them rather than answer with errors (compose starts it once
    // the aggregator has *started*, which says nothing about the views).
    for name in [
        "web-ui",
        "account-component",
        "funds-transfer-component",
        "aggregator",
    ] {
        if name == "aggregator" {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            let address = format!("127.0.0.1:{web_port}");
            assert!(
                tokio::net::TcpStream::connect(&address).await.is_err(),
                "the web UI listened before the views existed"
            );
        }
        let service = &compose["services"][name];
        let binary = service["command"][0].as_str().expect("a command");
        let overrides = if name == "web-ui" {
            vec![
                ("PORT", web_port.to_string()),
                ("HOST", "127.0.0.1".to_string()),
                ("ALLOWED_HOSTS", format!("127.0.0.1:{web_port}")),
            ]
        } else {
            vec![]
        };
        let environment = environment(service, port, &overrides);
        let borrowed: Vec<(&str, &str)> = environment
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        processes.push(RunningProcess::start(&workspace_binary(binary), &borrowed));
    }

    let address = format!("127.0.0.1:{web_port}");
    wait_for(&address, "/", "Open an account").await;
    let from = open_and_deposit(&address, "Compose Payer", "80").await;
    let to = open_and_deposit(&address, "Compose Payee", "1").await;
    let page = wait_for(
        &address,
        &format!("/accounts/{from}"),
        r#"data-testid="balance">80.00<"#,
    )
    .await;
    wait_for(
        &address,
        &format!("/accounts/{to}"),
        r#"data-testid="balance">1.00<"#,
    )
    .await;
    let transfer_id = page.command_id_after("Transfer</h2>");
    let sent = request(
        &address,
        "POST",
        &format!("/accounts/{from}/transfers"),
        Some(&[
            ("command_id", &transfer_id),
            ("to_account_id", &to),
            ("amount", "30"),
        ]),
    )
    .await;
    assert_eq!(sent.status, 303);
    wait_for(
        &address,
        &sent.location(),
        r#"data-testid="transfer-status">transferred<"#,
    )
    .await;
    wait_for(
        &address,
        &format!("/accounts/{to}"),
        r#"data-testid="balance">31.00<"#,
    )
    .await;
    for mut process in processes {
        assert!(
            process.terminate(std::time::Duration::from_secs(20)).await,
            "a service did not stop cleanly"
        );
    }
}
