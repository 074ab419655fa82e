//! The README tells the truth: its commands, paths and settings exist and
//! work as written (the psql example runs in the account component's tests,
//! the compose file and `cargo run` in this crate's other tests).

use std::path::{Path, PathBuf};
use std::process::Command;

use test_processes::workspace_binary;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repository().join(path))
        .unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// The contents of the fenced code blocks of a markdown text.
fn code_blocks(markdown: &str) -> Vec<String> {
    markdown
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|block| {
            block
                .split_once('\n')
                .map_or("", |(_, body)| body)
                .to_string()
        })
        .collect()
}

#[test]
fn the_readme_starts_with_the_two_commands() {
    let readme = read("README.md");
    let section = readme.split_once("## Two commands").expect("the section").1;
    let first = &code_blocks(section)[0];
    let commands: Vec<&str> = first
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .collect();
    assert_eq!(commands, vec!["cargo run", "cargo test --workspace"]);
    let before = readme.split_once("## Two commands").expect("the section").0;
    assert!(
        !before.contains("\n## "),
        "the two commands are the first section"
    );
}

#[test]
fn ci_runs_exactly_the_readmes_test_command() {
    // CI runs the README's test command as it is written, on a line of its
    // own, after formatting and lints. After it comes only mutation testing
    // (which runs a package's tests again against planted bugs, and needs
    // the build the tests leave), each line one plain command.
    let ci = read(".ci/run");
    let commands: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    let tests = commands
        .iter()
        .position(|line| *line == "cargo test --workspace")
        .expect("CI runs `cargo test --workspace`, a line of its own");
    let position = |prefix: &str| {
        commands
            .iter()
            .position(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("CI runs {prefix}"))
    };
    assert!(
        position("cargo fmt") < tests,
        "formatting is checked before the tests"
    );
    assert!(
        position("cargo clippy") < tests,
        "the lints come before the tests"
    );
    for line in &commands[tests + 1..] {
        let plain = !["&&", ";", "|", "$("]
            .iter()
            .any(|chained| line.contains(chained));
        let mutation_testing = *line == "if ! command -v cargo-mutants >/dev/null 2>&1; then"
            || *line == "fi"
            || (plain
                && [
                    "echo ",
                    "cargo install --locked cargo-mutants",
                    "cargo mutants ",
                ]
                .iter()
                .any(|command| line.starts_with(command)));
        assert!(
            mutation_testing,
            "after the README's test command, CI runs only mutation testing, not {line:?}"
        );
    }
}

#[test]
fn every_relative_link_points_at_something_that_exists() {
    for document in [
        "README.md",
        "ARCHITECTURE.md",
        "CHANGING_MESSAGES.md",
        "migrations/message-store/postgres/README.md",
        "migrations/views/README.md",
    ] {
        let text = read(document);
        let folder = Path::new(document).parent().unwrap_or(Path::new(""));
        for link in text
            .split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
        {
            if link.starts_with("http") || link.starts_with('#') {
                continue;
            }
            let target = repository()
                .join(folder)
                .join(link.split('#').next().unwrap_or(link));
            assert!(
                target.exists(),
                "{document} links to {link}, which does not exist"
            );
        }
    }
}

#[test]
fn every_path_the_documents_name_exists() {
    // A path in backticks that starts with a top-level folder of the
    // repository (`views/src/bulk.rs`, `migrations/roles/`) must exist.
    let folders: Vec<String> = std::fs::read_dir(repository())
        .expect("the repository")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.') && name != "target" && name != "data")
        .collect();
    let mut checked = 0;
    for document in [
        "README.md",
        "ARCHITECTURE.md",
        "CHANGING_MESSAGES.md",
        "benchmarks/README.md",
    ] {
        let text = read(document);
        for path in text.split('`').skip(1).step_by(2) {
            let Some((first, _)) = path.split_once('/') else {
                continue;
            };
            if !folders.iter().any(|folder| folder == first) || path.contains(' ') {
                continue;
            }
            assert!(
                repository().join(path).exists(),
                "{document} names {path}, which does not exist"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} paths were found to check");
}

#[test]
fn the_documents_stay_short_enough_to_read() {
    for (document, most) in [("README.md", 250), ("ARCHITECTURE.md", 300)] {
        let lines = read(document).lines().count();
        assert!(
            lines <= most,
            "{document} has {lines} lines (at most {most})"
        );
    }
}

#[test]
fn architecture_follows_one_deposit_hop_by_hop_after_a_glossary() {
    let architecture = read("ARCHITECTURE.md");
    let (before, after) = architecture
        .split_once("## Follow one deposit")
        .expect("the section");
    assert!(
        before.contains("## Words, before they are used"),
        "the glossary comes first"
    );
    let section = after.split("\n## ").next().unwrap_or_default();
    // Each hop is a numbered item ("3. **Sending.** ..."), running to the
    // next item or the first blank line, and links at least one file.
    let mut hops: Vec<String> = Vec::new();
    for line in section.lines() {
        let numbered = line
            .split_once(". ")
            .is_some_and(|(number, _)| number.parse::<u32>().is_ok());
        if numbered {
            hops.push(line.to_string());
        } else if line.trim().is_empty() {
            hops.push(String::new());
        } else if let Some(hop) = hops.last_mut() {
            hop.push_str(line);
        }
    }
    hops.retain(|hop| !hop.is_empty() && hop.starts_with(|c: char| c.is_ascii_digit()));
    assert!(hops.len() >= 7, "{} hops: {hops:#?}", hops.len());
    for hop in &hops {
        assert!(hop.contains("]("), "a hop without a file: {hop}");
    }
}

#[test]
fn every_docker_compose_command_names_a_real_service() {
    let readme = read("README.md").replace('\n', " ");
    let compose = read("docker-compose.yml");
    let services: Vec<&str> = compose
        .lines()
        .filter(|line| {
            line.starts_with("  ") && !line.starts_with("   ") && line.trim_end().ends_with(':')
        })
        .map(|line| line.trim().trim_end_matches(':'))
        .collect();
    let mut checked = 0;
    for verb in ["stop", "start", "restart"] {
        for rest in readme.split(&format!("docker compose {verb} ")).skip(1) {
            let service = rest
                .trim_start()
                .split(|c: char| c.is_whitespace() || c == '`')
                .next()
                .unwrap_or_default();
            assert!(
                services.contains(&service),
                "docker compose {verb} {service}: no such service"
            );
            checked += 1;
        }
    }
    for rest in readme.split("docker compose run --rm ").skip(1) {
        let service = rest.split_whitespace().next().unwrap_or_default();
        assert!(
            services.contains(&service),
            "docker compose run {service}: no such service"
        );
        checked += 1;
    }
    assert!(checked >= 5, "the workshop's compose commands were found");
    assert!(
        readme.contains("--scale account-component=0") && services.contains(&"account-component")
    );
}

/// The workshop test runs the README's psql command, which it finds as a
/// line of its own; a reflowed paragraph once hid it, and only the Docker run
/// noticed. This catches it in a second.
#[test]
fn the_psql_command_is_a_line_of_its_own() {
    let readme = read("README.md");
    let command = readme
        .lines()
        .find(|line| line.starts_with("psql postgres://"))
        .expect("a line that starts with `psql postgres://`");
    assert!(
        command.ends_with("@localhost:55432/message_store"),
        "{command}"
    );
}

#[test]
fn every_cargo_run_package_exists() {
    let readme = read("README.md");
    for rest in readme.split("cargo run").skip(1) {
        let words: Vec<&str> = rest.split_whitespace().take(6).collect();
        if let Some(index) = words.iter().position(|word| *word == "-p") {
            let package = words[index + 1].trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
            assert!(
                repository().join(package).join("Cargo.toml").exists(),
                "cargo run -p {package}: no such package"
            );
        }
        if let Some(index) = words.iter().position(|word| *word == "--bin") {
            let binary = words[index + 1].trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
            // A binary is `{folder}/{binary}.rs`, or `{folder}/{binary}/main.rs`
            // when it has modules of its own.
            let found = ["benchmarks/src/bin", "bank/src/bin"].iter().any(|folder| {
                let folder = repository().join(folder);
                folder.join(format!("{binary}.rs")).exists()
                    || folder.join(binary).join("main.rs").exists()
            }) || binary == "bank";
            assert!(found, "--bin {binary}: no such binary");
        }
    }
}

fn help(binary: &str) -> String {
    let output = Command::new(workspace_binary(binary))
        .arg("--help")
        .output()
        .expect("runs");
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[test]
fn every_binary_accepts_the_settings_the_readme_lists() {
    let readme = read("README.md");
    let table = readme
        .split_once("| binary | settings |")
        .expect("the table")
        .1;
    let rows = table
        .lines()
        .skip_while(|line| !line.starts_with("| `"))
        .take_while(|line| line.starts_with('|'));
    let mut checked = 0;
    for row in rows {
        checked += 1;
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let binary = cells[1].split('`').nth(1).expect("a binary");
        let help = help(binary);
        for setting in cells[2].split('`').skip(1).step_by(2) {
            let setting = setting.trim_start_matches("--");
            if setting == "RUST_LOG" || setting.contains(' ') || setting == "the same" {
                continue;
            }
            assert!(
                help.contains(setting),
                "{binary} --help does not mention {setting}:\n{help}"
            );
        }
    }
    assert_eq!(checked, 5, "one row per binary");
    let bank = help("bank");
    for command in ["print", "rebuild-views", "serve", "--postgres"] {
        assert!(
            readme.contains(command) && bank.contains(command),
            "{command}"
        );
    }
}
