//! Running the README's commands in a workshop folder of the test's own, and
//! remembering which ran.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use test_processes::workspace_binary;
use throwaway_postgres::postgres_is_required;

/// The README, as the attendee reads it.
pub const README: &str = include_str!("../../../README.md");

/// The five binaries the image holds.
const BINARIES: [&str; 5] = [
    "account-component",
    "funds-transfer-component",
    "aggregator",
    "web-ui",
    "bank",
];

/// The compose project's name: its containers, network and volume carry it,
/// so the test never touches a project of anyone else's.
const PROJECT: &str = "bank-workshop-test";

/// The name of the image the test builds, so that it never replaces the
/// `reference-bank` image of someone's own `docker compose up`.
const IMAGE: &str = "bank-workshop-test";

/// A copy of the workshop's files, and the commands run in it.
pub struct Workshop {
    folder: PathBuf,
    /// `docker compose` (the plugin) where there is one, else the standalone
    /// `docker-compose` (Debian's 1.29 on CI): they take the same arguments.
    compose: Vec<String>,
    /// Every README command run so far, as the README writes it.
    pub ran: Vec<String>,
}

impl Workshop {
    /// A fresh workshop folder, or `None` (after a loud message) where no
    /// Docker engine answers. Under `CI=true` a missing engine fails.
    pub fn prepare() -> Option<Workshop> {
        let engine = Command::new("docker").arg("info").output();
        if !engine.as_ref().is_ok_and(|output| output.status.success()) {
            let why = match engine {
                Ok(output) => String::from_utf8_lossy(&output.stderr).to_string(),
                Err(error) => error.to_string(),
            };
            assert!(
                !postgres_is_required(),
                "CI=true and no Docker engine answers: {why}"
            );
            eprintln!("\n*** SKIPPING the workshop test: no Docker engine answers ({why}) ***\n");
            return None;
        }
        let plugin = Command::new("docker")
            .args(["compose", "version"])
            .output()
            .is_ok_and(|output| output.status.success());
        let compose = if plugin {
            vec!["docker".to_string(), "compose".to_string()]
        } else {
            vec!["docker-compose".to_string()]
        };

        let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("workshop");
        let _ = std::fs::remove_dir_all(&folder);
        for file in [
            "docker-compose.yml",
            "Dockerfile",
            ".dockerignore",
            ".env.example",
        ] {
            copy(&repository.join(file), &folder.join(file));
        }
        copy(&repository.join("migrations"), &folder.join("migrations"));
        // The binaries this Cargo built, where the Dockerfile's
        // `host-binaries` target takes them from.
        let binaries = folder.join("docker/host-binaries");
        for binary in BINARIES {
            copy(&workspace_binary(binary), &binaries.join(binary));
        }
        Some(Workshop {
            folder,
            compose,
            ran: Vec::new(),
        })
    }

    /// Runs a shell command of the README in the folder (`cp .env.example
    /// .env`, a `psql ...` with `input` on its standard input).
    pub fn shell(&mut self, readme_command: &str, input: &str) -> Output {
        self.ran.push(readme_command.to_string());
        let mut child = Command::new("sh")
            .args(["-c", readme_command])
            .current_dir(&self.folder)
            .env("PGPASSWORD", self.env_value("MESSAGE_STORE_PASSWORD"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sh runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("written");
        let output = child.wait_with_output().expect("finishes");
        assert!(
            output.status.success() && !String::from_utf8_lossy(&output.stderr).contains("ERROR"),
            "`{readme_command}` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Runs a `docker compose ...` command of the README and returns what it
    /// printed; fails the test if it fails.
    pub fn compose(&mut self, readme_command: &str) -> String {
        self.compose_with(readme_command, &[])
    }

    /// The same, with `extra` arguments after the README's (`-d`, so that
    /// `up` returns once the services have started instead of staying in
    /// the foreground as it does for an attendee).
    pub fn compose_with(&mut self, readme_command: &str, extra: &[&str]) -> String {
        let arguments = readme_command
            .strip_prefix("docker compose ")
            .unwrap_or_else(|| panic!("not a compose command: {readme_command}"));
        self.ran.push(readme_command.to_string());
        let output = self.run_compose(arguments.split_whitespace().chain(extra.iter().copied()));
        assert!(
            output.status.success(),
            "`{readme_command}` failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).to_string()
    }

    /// A compose command the README does not give (building the image from
    /// the binaries, asking for a container's id, cleaning up).
    pub fn compose_for_the_test<'a>(&self, arguments: impl IntoIterator<Item = &'a str>) -> Output {
        self.run_compose(arguments)
    }

    fn run_compose<'a>(&self, arguments: impl IntoIterator<Item = &'a str>) -> Output {
        let (program, first) = self.compose.split_first().expect("a program");
        Command::new(program)
            .args(first)
            .args(arguments)
            .current_dir(&self.folder)
            .env("COMPOSE_PROJECT_NAME", PROJECT)
            // The binaries from the host, on whatever base images this
            // machine names (RUNTIME_IMAGE, POSTGRES_IMAGE; the public
            // defaults when unset).
            .env("BANK_IMAGE_TARGET", "host-binaries")
            .env("BANK_IMAGE", IMAGE)
            .output()
            .expect("compose runs")
    }

    /// Waits until `service` reports itself healthy (its health check in
    /// the compose file), or fails after `limit`.
    pub fn wait_until_healthy(&self, service: &str, limit: Duration) {
        let started = Instant::now();
        let mut status = String::new();
        while started.elapsed() < limit {
            let id = self.compose_for_the_test(["ps", "-q", service]);
            let id = String::from_utf8_lossy(&id.stdout).trim().to_string();
            if !id.is_empty() {
                let inspected = Command::new("docker")
                    .args(["inspect", "--format", "{{.State.Health.Status}}", &id])
                    .output()
                    .expect("docker inspect runs");
                status = String::from_utf8_lossy(&inspected.stdout)
                    .trim()
                    .to_string();
                if status == "healthy" {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let logs = self.compose_for_the_test(["logs", "--tail", "40"]);
        panic!(
            "{service} not healthy after {limit:?} (last: {status:?}):\n{}",
            String::from_utf8_lossy(&logs.stdout)
        );
    }

    /// A value of the workshop's `.env`.
    pub fn env_value(&self, name: &str) -> String {
        let env = std::fs::read_to_string(self.folder.join(".env")).unwrap_or_default();
        env.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Workshop {
    /// Whatever happened, the containers, the network, the volume and the
    /// bank's image go (the base images stay: they are this machine's cache).
    fn drop(&mut self) {
        let _ = self.compose_for_the_test(["--profile", "group", "down", "-v", "--remove-orphans"]);
        let _ = Command::new("docker").args(["rmi", IMAGE]).output();
    }
}

/// Copies a file or a folder, making the folders it needs.
fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        for entry in std::fs::read_dir(from).expect("a folder") {
            let entry = entry.expect("an entry");
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("folder made");
        std::fs::copy(from, to).unwrap_or_else(|error| panic!("{}: {error}", from.display()));
    }
}

/// Every `docker compose ...` command the README gives, in inline code or
/// in a shell block, with its line breaks and comments taken out.
pub fn readme_compose_commands() -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_block = false;
    for line in README.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            let command = line.split('#').next().unwrap_or_default().trim();
            if command.starts_with("docker compose") {
                commands.push(command.to_string());
            }
        }
    }
    for span in inline_code(README) {
        if span.starts_with("docker compose") {
            commands.push(span);
        }
    }
    commands.sort();
    commands.dedup();
    commands
}

/// The inline code spans of a Markdown text outside its fenced blocks, each
/// with its whitespace (line breaks included) made single spaces.
pub fn inline_code(markdown: &str) -> Vec<String> {
    let mut prose = String::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
        } else if !in_block {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    prose
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|span| span.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The SQL block that follows `<!-- readme-sql: {name} -->` in the README.
pub fn readme_sql(name: &str) -> String {
    let marker = format!("<!-- readme-sql: {name} -->");
    let after = README.split_once(&marker).expect("the marker").1;
    let block = after.split_once("```sql").expect("a SQL block").1;
    block
        .split_once("```")
        .expect("the block ends")
        .0
        .to_string()
}

/// The README's command that connects psql to the store.
pub fn readme_psql() -> String {
    README
        .lines()
        .find(|line| line.starts_with("psql postgres://"))
        .expect("the README connects psql")
        .trim()
        .to_string()
}
