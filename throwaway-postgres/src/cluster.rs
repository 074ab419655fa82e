//! Starting and stopping one private PostgreSQL cluster.

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::Error;

/// How the throwaway cluster should trade durability for speed.
#[derive(Debug, Clone, Default)]
pub struct ClusterSettings {
    /// When false (the default for tests), the cluster skips `fsync` and
    /// waits for no WAL flush at commit. Tests want correctness, not crash
    /// safety of the test database, and run several times faster this way.
    /// Benchmarks set it to true so that every commit really reaches the disk.
    pub durable: bool,
    /// Further `-c name=value` settings passed to the server.
    pub extra: Vec<(String, String)>,
}

/// A running throwaway cluster. Dropping it stops the server and deletes its
/// folder. A cluster kept in a `static` is never dropped, so [`Cluster::start`]
/// also leaves a small watcher process behind that does the same cleanup as
/// soon as the process that started the cluster has exited, however it exited.
#[derive(Debug)]
pub struct Cluster {
    /// The folder holding the data directory, the log and the Unix socket.
    folder: PathBuf,
    /// The folder with `initdb`, `pg_ctl` and `postgres`.
    bin: PathBuf,
    /// The TCP port on 127.0.0.1 the server listens on.
    port: u16,
    /// The server options it was started with, to start it again alike.
    options: String,
}

impl Cluster {
    /// Runs `initdb` into a fresh temporary folder and starts the server on a
    /// free port of 127.0.0.1, with trust authentication for the `postgres`
    /// superuser.
    pub fn start(settings: &ClusterSettings) -> Result<Cluster, Error> {
        let bin = find_server_binaries().ok_or(Error::NotInstalled)?;
        let folder = new_folder()?;
        let cluster = Cluster {
            folder,
            bin,
            port: 0,
            options: String::new(),
        };
        cluster.init_data_directory()?;
        cluster.start_server(settings)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection URL for `database` as the superuser `postgres`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The folder with the server binaries (`psql` and `pg_ctl` live there too).
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// The data directory, for `pg_ctl` commands run by tests (a restart, say).
    pub fn data_directory(&self) -> PathBuf {
        self.folder.join("data")
    }

    /// Runs `pg_ctl` with the given arguments on this cluster, as the user the
    /// server runs as. Tests use it to restart the server under the bank's feet.
    pub fn pg_ctl(&self, arguments: &[&str]) -> Result<(), Error> {
        let data = self.data_directory();
        let mut all = vec!["-D", path_str(&data)?];
        all.extend_from_slice(arguments);
        run_as_server_user(&self.bin.join("pg_ctl"), &all)
    }

    /// Stops the server: `fast` disconnects everyone and shuts down cleanly,
    /// `immediate` kills it, as a crash would (it recovers from its log on
    /// the next start). Tests use it to take the database away from the
    /// bank's components.
    pub fn stop(&self, mode: &str) -> Result<(), Error> {
        self.pg_ctl(&["-m", mode, "-w", "stop"])
    }

    /// Starts the stopped server again, on the same port with the same
    /// settings.
    pub fn start_again(&self) -> Result<(), Error> {
        let log = self.folder.join("server.log");
        self.pg_ctl(&[
            "-o",
            &self.options,
            "-l",
            path_str(&log)?,
            "-w",
            "-t",
            "60",
            "start",
        ])
    }

    fn init_data_directory(&self) -> Result<(), Error> {
        let data = self.data_directory();
        run_as_server_user(
            &self.bin.join("initdb"),
            &[
                "-D",
                path_str(&data)?,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )
    }

    fn start_server(mut self, settings: &ClusterSettings) -> Result<Cluster, Error> {
        // A free port is found by binding port 0 and letting it go again.
        // Another process could take it in between, so we try a few times.
        let mut last_error = None;
        for _ in 0..5 {
            self.port = free_port()?;
            self.options = self.server_options(settings)?;
            let log = self.folder.join("server.log");
            match self.pg_ctl(&[
                "-o",
                &self.options,
                "-l",
                path_str(&log)?,
                "-w",
                "-t",
                "60",
                "start",
            ]) {
                Ok(()) => {
                    self.leave_watcher_behind()?;
                    return Ok(self);
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or(Error::NotInstalled))
    }

    fn server_options(&self, settings: &ClusterSettings) -> Result<String, Error> {
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400",
            self.port,
            path_str(&self.folder)?
        );
        if !settings.durable {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        for (name, value) in &settings.extra {
            options.push_str(&format!(" -c {name}={value}"));
        }
        Ok(options)
    }

    /// Starts `sh` in the background, in its own session so that a Ctrl-C
    /// aimed at the tests does not reach it, to wait for this process to exit
    /// and then stop the server and delete the folder.
    fn leave_watcher_behind(&self) -> Result<(), Error> {
        let pg_ctl = self.bin.join("pg_ctl");
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
             {as_user} '{pg_ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; \
             rm -rf '{folder}'",
            pid = std::process::id(),
            as_user = if running_as_root() {
                "runuser -u postgres --"
            } else {
                ""
            },
            pg_ctl = pg_ctl.display(),
            data = self.data_directory().display(),
            folder = self.folder.display(),
        );
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(Error::io("starting the cleanup watcher"))?;
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Best effort: the watcher process cleans up anything left behind.
        let _ = self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Looks for the folder holding `initdb`: `$POSTGRES_BIN`, then the newest
/// Debian-style `/usr/lib/postgresql/<version>/bin`, then `$PATH`.
pub(crate) fn find_server_binaries() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("POSTGRES_BIN") {
        let bin = PathBuf::from(bin);
        return bin.join("initdb").exists().then_some(bin);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find(|folder| folder.join("initdb").exists()))
}

/// Postgres refuses to run as root, so as root every server command runs as
/// the `postgres` user, which also owns the cluster's folder.
fn run_as_server_user(program: &Path, arguments: &[&str]) -> Result<(), Error> {
    let mut command = if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    };
    command.args(arguments);
    let described = format!("{} {}", program.display(), arguments.join(" "));
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(Error::io(format!("running {described}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(Error::Command {
            command: described,
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        })
    }
}

/// Whether this process runs as root. `/proc/self` belongs to the effective
/// user of the process that looks at it, which spares us an `unsafe` call to
/// `geteuid`.
fn running_as_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|metadata| metadata.uid() == 0)
        .unwrap_or(false)
}

/// Creates an empty folder under the system's temporary folder, owned by the
/// `postgres` user when we are root.
fn new_folder() -> Result<PathBuf, Error> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let folder = std::env::temp_dir().join(format!(
        "throwaway-postgres-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder)
        .map_err(Error::io(format!("creating {}", folder.display())))?;
    if running_as_root() {
        let (uid, gid) = postgres_user_ids()?;
        std::os::unix::fs::chown(&folder, Some(uid), Some(gid)).map_err(Error::io(format!(
            "handing {} to postgres",
            folder.display()
        )))?;
    }
    Ok(folder)
}

/// The numeric user and group ids of the `postgres` user, read from `id`.
fn postgres_user_ids() -> Result<(u32, u32), Error> {
    let id = |flag: &str| -> Result<u32, Error> {
        let output = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .map_err(Error::io("running id"))?;
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .map_err(|_| Error::Command {
                command: format!("id {flag} postgres"),
                output: "no postgres user on this machine: as root, Postgres must run as \
                         the postgres user"
                    .to_string(),
            })
    };
    Ok((id("-u")?, id("-g")?))
}

fn free_port() -> Result<u16, Error> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(Error::io("finding a free port"))?;
    let port = listener
        .local_addr()
        .map_err(Error::io("finding a free port"))?
        .port();
    Ok(port)
}

fn path_str(path: &Path) -> Result<&str, Error> {
    path.to_str().ok_or_else(|| Error::Command {
        command: "locating the cluster folder".to_string(),
        output: format!("{} is not valid UTF-8", path.display()),
    })
}
