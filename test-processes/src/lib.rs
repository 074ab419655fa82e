//! # test-processes: the bank's binaries as child processes
//!
//! The tests that matter most treat the bank as a user's machine would: as
//! processes. The fault-injection run kills a component with SIGKILL in the
//! middle of a transfer and starts it again; the browser tests start all four
//! binaries; the benchmark ladder reads how much CPU and memory each one
//! used. This crate holds what they share, so that none of it lives in the
//! messaging toolkit, which knows nothing of processes:
//!
//! - [`workspace_binary`]: the path of a binary of this workspace, built first;
//! - [`RunningProcess`]: a child process to kill, restart or stop politely;
//! - [`ProcessStat`]: the CPU time `/proc` reports for a process;
//! - [`Dice`]: seeded pseudo-random numbers, so a failing run can be replayed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tokio::process::{Child, Command};

/// The path of a binary of this workspace, built first if needed.
///
/// Cargo gives a package's tests the path of that package's own binaries
/// only. Every binary of the bank is the `bank` package's
/// (`bank/src/bin/`), and tests of other packages run them too, so this
/// builds one with the same Cargo and profile (a no-op when it is up to
/// date) and returns where it landed: beside the test executable's `deps`
/// folder.
pub fn workspace_binary(binary: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(path) = built.get(binary) {
        return path.clone();
    }
    // A test runs from `target/{profile}/deps/`, a binary (a benchmark, say)
    // from `target/{profile}/`: either way the binaries are in the profile
    // folder.
    let profile_folder = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            let folder = exe.parent()?;
            if folder.ends_with("deps") {
                folder.parent().map(Path::to_path_buf)
            } else {
                Some(folder.to_path_buf())
            }
        })
        .unwrap_or_else(|| PathBuf::from("target/debug"));
    if let Ok(cargo) = std::env::var("CARGO") {
        let mut command = std::process::Command::new(cargo);
        command.args(["build", "--quiet", "-p", "bank", "--bin", binary]);
        if profile_folder.ends_with("release") {
            command.arg("--release");
        }
        match command.status() {
            Ok(status) if status.success() => {}
            other => panic!("cannot build {binary}: {other:?}"),
        }
    }
    let path = profile_folder.join(binary);
    assert!(path.exists(), "{} does not exist", path.display());
    built.insert(binary.to_string(), path.clone());
    path
}

/// A binary running as a child process, which a test can kill and restart.
#[derive(Debug)]
pub struct RunningProcess {
    path: PathBuf,
    environment: Vec<(String, String)>,
    child: Option<Child>,
}

impl RunningProcess {
    /// Starts `path` with `environment` added to this process's own.
    pub fn start(path: &Path, environment: &[(&str, &str)]) -> RunningProcess {
        let mut process = RunningProcess {
            path: path.to_path_buf(),
            environment: environment
                .iter()
                .map(|(name, value)| ((*name).to_string(), (*value).to_string()))
                .collect(),
            child: None,
        };
        process.spawn();
        process
    }

    fn spawn(&mut self) {
        let child = Command::new(&self.path)
            .envs(self.environment.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(self.log_file())
            .kill_on_drop(true)
            .spawn();
        match child {
            Ok(child) => self.child = Some(child),
            Err(error) => panic!("cannot start {}: {error}", self.path.display()),
        }
    }

    /// Where the process's standard error goes: a file under
    /// `{temp}/bank-test-logs/`, named after the binary and this test
    /// process, appended to across restarts, so a failed test can be
    /// diagnosed from what the components logged.
    fn log_file(&self) -> Stdio {
        let folder = std::env::temp_dir().join("bank-test-logs");
        let name = self
            .path
            .file_name()
            .map_or_else(|| "process".into(), |name| name.to_string_lossy());
        let path = folder.join(format!("{name}-{}.log", std::process::id()));
        std::fs::create_dir_all(&folder)
            .and_then(|()| {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
            })
            .map_or_else(|_| Stdio::null(), Stdio::from)
    }

    /// The process id, while it runs.
    pub fn id(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// Whether it is still running (it has not exited or been killed).
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// The CPU time it has used so far, in clock ticks (user plus system,
    /// from `/proc/{pid}/stat`). Comparing two readings tells whether a
    /// process was busy or idle in between.
    pub fn cpu_ticks(&self) -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.id()?)).ok()?;
        Some(ProcessStat::parse(&stat)?.cpu_ticks)
    }

    /// The most memory it has held at once (its peak resident set, `VmHWM`
    /// in `/proc/{pid}/status`), in KiB.
    pub fn peak_memory_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.id()?)).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// Kills it with SIGKILL: no chance to finish the message in hand or to
    /// record a position, exactly like a crash.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Kills it and starts it again.
    pub async fn restart(&mut self) {
        self.kill().await;
        self.spawn();
    }

    /// Asks it to stop with SIGTERM and waits up to `limit` for it to exit;
    /// returns whether it exited successfully in time.
    pub async fn terminate(&mut self, limit: Duration) -> bool {
        let Some(mut child) = self.child.take() else {
            return false;
        };
        if let Some(pid) = child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        match tokio::time::timeout(limit, child.wait()).await {
            Ok(Ok(status)) => status.success(),
            _ => {
                let _ = child.kill().await;
                false
            }
        }
    }
}

/// A small, seedable source of pseudo-random numbers for tests that pick
/// amounts, accounts and moments to crash at. Printing the seed makes a
/// failing run repeatable.
#[derive(Debug, Clone)]
pub struct Dice {
    state: u64,
}

impl Dice {
    /// Dice seeded from `SEED` if set, else from the clock.
    pub fn from_environment() -> Dice {
        let seed = std::env::var("SEED")
            .ok()
            .and_then(|seed| seed.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |elapsed| elapsed.as_nanos() as u64)
            });
        eprintln!("dice seed: SEED={seed}");
        Dice::seeded(seed)
    }

    /// Dice with a fixed seed.
    pub fn seeded(seed: u64) -> Dice {
        Dice { state: seed.max(1) }
    }

    /// A number in `0..bound` (xorshift64*).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d) % bound.max(1)
    }
}

/// What the benchmarks and tests read from a `/proc/{pid}/stat` line.
#[derive(Debug, PartialEq, Eq)]
pub struct ProcessStat<'a> {
    /// The command name (at most 15 bytes: `funds-transfer-`).
    pub name: &'a str,
    /// User plus system CPU time so far, in clock ticks.
    pub cpu_ticks: u64,
}

impl ProcessStat<'_> {
    /// Parses `pid (name) state ...`. The name, in parentheses, may contain
    /// spaces, so the fields are counted after its closing parenthesis:
    /// utime and stime are the 14th and 15th fields of the line, the 12th
    /// and 13th after it.
    pub fn parse(stat: &str) -> Option<ProcessStat<'_>> {
        let (head, rest) = stat.rsplit_once(')')?;
        let name = head.split_once('(')?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |n: usize| fields.get(n)?.parse::<u64>().ok();
        Some(ProcessStat {
            name,
            cpu_ticks: ticks(11)? + ticks(12)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ProcessStat;

    #[test]
    fn a_stat_line_gives_the_name_and_the_cpu_time() {
        let line = "42 (funds (odd) x) S 1 42 42 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0";
        assert_eq!(
            ProcessStat::parse(line),
            Some(ProcessStat {
                name: "funds (odd) x",
                cpu_ticks: 10,
            })
        );
        assert_eq!(ProcessStat::parse("garbage"), None);
    }
}
