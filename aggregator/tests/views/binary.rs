//! The aggregator's binary.

#[test]
fn the_binary_explains_its_settings() {
    let output = std::process::Command::new(test_processes::workspace_binary("aggregator"))
        .arg("--help")
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "MESSAGE_STORE_URL",
        "VIEW_DATABASE_URL",
        "POLL_INTERVAL_MS",
        "rebuild",
    ] {
        assert!(help.contains(expected), "{expected} missing from:\n{help}");
    }
}
