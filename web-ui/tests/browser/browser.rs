//! A headless Chromium, driven through chromedriver.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::process::{Child, Command};

/// What the browser is: a desktop window, a phone's screen (390x844, an
/// iPhone 12 to 14), or a desktop with JavaScript turned off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Desktop,
    Phone,
    NoScript,
}

impl Device {
    fn window_size(self) -> &'static str {
        match self {
            Device::Desktop | Device::NoScript => "--window-size=1280,1000",
            Device::Phone => "--window-size=500,844",
        }
    }

    /// A word for screenshots' names.
    pub fn name(self) -> &'static str {
        match self {
            Device::Desktop => "desktop",
            Device::Phone => "phone",
            Device::NoScript => "no-script",
        }
    }
}

/// chromedriver and a browser session. When it is dropped (at the end of a
/// test, passed or failed), chromedriver and every browser process it
/// started are killed: they run in a process group of their own, and the
/// whole group goes. Killing only chromedriver would leave Chromium running,
/// and a few failed runs would fill the machine with orphaned browsers.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(group) = self.driver.id() {
            // `--` makes the negative number a process group, not an option;
            // without it some `kill`s read `-1234` as a signal and the
            // process list as "everything".
            let group = format!("-{group}");
            let _ = std::process::Command::new("kill")
                .args(["-s", "KILL", "--", &group])
                .status();
            // A signal is sent, not waited for: until the browser's
            // processes have exited they may still write into the profile,
            // and whatever they write after it is removed stays behind in
            // the temporary directory. So wait (a moment at most) until no
            // process of the group is left, reaping chromedriver, our child,
            // which would otherwise linger as a zombie and count as alive.
            for _ in 0..100 {
                let _ = self.driver.try_wait();
                let alive = std::process::Command::new("kill")
                    .args(["-0", "--", &group])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success());
                if !alive {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

impl Browser {
    /// Starts chromedriver and headless Chromium, or `None` (after a loud
    /// message) where they are not installed. Under `CI=true` a missing
    /// browser fails the test instead.
    pub async fn start() -> Option<Browser> {
        Browser::start_as(Device::Desktop).await
    }

    /// The same, as `device`.
    pub async fn start_as(device: Device) -> Option<Browser> {
        let chromium = find(&[
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ]);
        let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            if messaging::controls::postgres::postgres_is_required() {
                panic!(
                    "CI=true and Chromium or chromedriver is missing (apt-get install chromium chromium-driver)"
                );
            }
            eprintln!(
                "\n************************************************************\n\
                 SKIPPING the browser tests: Chromium and chromedriver are not installed\n\
                 (apt-get install chromium chromium-driver)\n\
                 ************************************************************\n"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .expect("a free port");
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let profile =
            std::env::temp_dir().join(format!("bank-chromium-{}-{port}", std::process::id()));
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                // As root Chromium needs --no-sandbox; the rest keep it from
                // reaching for the internet at every start, and a fresh
                // profile keeps runs independent.
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", device.window_size(),
                    format!("--user-data-dir={}", profile.display()),
                ],
                // 2 is "blocked" for the content setting: no script runs.
                "prefs": {
                    "profile.managed_default_content_settings.javascript":
                        if device == Device::NoScript { 2 } else { 1 }
                }
            }
        });
        let mut capabilities = capabilities;
        if device == Device::Phone {
            // A window cannot be narrower than 500 pixels; an emulated
            // phone's screen can, and has a phone's touch and user agent.
            capabilities["goog:chromeOptions"]["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1, "touch": true },
                "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile"
            });
        }
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a JSON object literal"),
        };
        let mut client = None;
        for _ in 0..100 {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(connected) => {
                    client = Some(connected);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        Some(Browser {
            client: client.expect("a browser session"),
            driver,
            profile,
        })
    }

    pub async fn go(&self, url: &str) {
        self.client.goto(url).await.expect("navigates");
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("{css} not found: {error}"))
    }

    /// The text of the first element matching `css`. A pending page may
    /// reload between finding an element and reading it; then it is found
    /// again on the new page.
    pub async fn text(&self, css: &str) -> String {
        for _ in 0..50 {
            if let Ok(text) = self.find(css).await.text().await {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot read {css}");
    }

    /// Waits until the text of `css` is `expected` (pages refresh themselves
    /// while something is pending), and fails after 30 seconds.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let mut seen = String::new();
        for _ in 0..300 {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                seen = element.text().await.unwrap_or_default();
                if seen == expected {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never read {expected:?} (last: {seen:?})");
    }

    /// Waits until the page's text contains `expected`.
    pub async fn wait_for_page_text(&self, expected: &str) {
        for _ in 0..300 {
            if let Ok(body) = self.client.find(Locator::Css("body")).await
                && body.text().await.unwrap_or_default().contains(expected)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = self.text("body").await;
        panic!("the page never showed {expected:?}:\n{body}");
    }

    /// Types `text` into the field `css`. A waiting page changes in place
    /// when the views do, and a field found a moment before may be gone:
    /// then it is found again, on the new page.
    pub async fn fill(&self, css: &str, text: &str) {
        for _ in 0..50 {
            let field = self.find(css).await;
            if field.clear().await.is_ok() && field.send_keys(text).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot type into {css}");
    }

    /// Clicks `css`, found again if the page changed in place meanwhile.
    pub async fn click(&self, css: &str) {
        for _ in 0..50 {
            if self.find(css).await.click().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot click {css}");
    }

    /// Runs `script` in the page and returns what it returns.
    pub async fn run(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|error| panic!("{script}: {error}"))
    }

    /// Fails unless the page is no wider than the window: nothing to scroll
    /// sideways for, on a phone in particular.
    pub async fn assert_fits_the_width(&self, what: &str) {
        let widths = self
            .run("return [document.documentElement.scrollWidth, window.innerWidth];")
            .await;
        let (page, window) = (widths[0].as_f64(), widths[1].as_f64());
        assert!(
            matches!((page, window), (Some(page), Some(window)) if page <= window),
            "{what}: the page is wider than the window: {widths}"
        );
    }

    /// The path of the address the browser shows.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("a URL");
        url.path().to_string()
    }

    /// Saves a screenshot as `target/browser-screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser-screenshots");
        std::fs::create_dir_all(&folder).expect("screenshot folder");
        std::fs::write(folder.join(format!("{name}.png")), png).expect("screenshot written");
    }

    /// Ends the session politely; dropping kills whatever is left.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}
