//! Talking to a running bank over HTTP.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An HTTP response: status code, headers, body.
pub struct Response {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Response {
    pub fn location(&self) -> String {
        self.headers
            .lines()
            .find_map(|line| {
                line.strip_prefix("location: ")
                    .or_else(|| line.strip_prefix("Location: "))
            })
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    /// The hidden command id of the form after `marker`.
    pub fn command_id_after(&self, marker: &str) -> String {
        let after = self
            .body
            .split_once(marker)
            .map_or(self.body.as_str(), |(_, after)| after);
        let value = after
            .split_once(r#"name="command_id" value=""#)
            .expect("a command id")
            .1;
        value.split('"').next().expect("a value").to_string()
    }
}

/// One HTTP/1.1 request with `Connection: close`: plain enough to read, and
/// no HTTP client crate needed for a few requests.
pub async fn request(
    address: &str,
    method: &str,
    path: &str,
    form: Option<&[(&str, &str)]>,
) -> Response {
    try_request(address, method, path, form)
        .await
        .expect("the bank answers")
}

/// [`request`], or the connection error (the bank may not be listening yet).
pub async fn try_request(
    address: &str,
    method: &str,
    path: &str,
    form: Option<&[(&str, &str)]>,
) -> std::io::Result<Response> {
    let body = form
        .map(|fields| {
            fields
                .iter()
                .map(|(name, value)| format!("{name}={}", encode(value)))
                .collect::<Vec<_>>()
                .join("&")
        })
        .unwrap_or_default();
    let mut stream = TcpStream::connect(address).await?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let raw = String::from_utf8_lossy(&raw).to_string();
    let (headers, body) = raw.split_once("\r\n\r\n").unwrap_or((raw.as_str(), ""));
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    Ok(Response {
        status,
        headers: headers.to_string(),
        body: body.to_string(),
    })
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// GETs `path` until its body contains `expected` (the bank processes in the
/// background); panics after 30 seconds.
pub async fn wait_for(address: &str, path: &str, expected: &str) -> Response {
    for _ in 0..300 {
        if let Ok(Ok(response)) = tokio::time::timeout(
            Duration::from_secs(5),
            try_request(address, "GET", path, None),
        )
        .await
            && response.body.contains(expected)
        {
            return response;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never showed {expected:?}");
}

/// Opens an account and deposits into it through the UI; returns its id.
pub async fn open_and_deposit(address: &str, name: &str, amount: &str) -> String {
    let account = open(address, name).await;
    deposit(address, &account, amount).await;
    account
}

/// Opens an account through the UI; returns its id.
pub async fn open(address: &str, name: &str) -> String {
    let home = request(address, "GET", "/", None).await;
    let form = home.command_id_after("Open an account");
    let opened = request(
        address,
        "POST",
        "/accounts",
        Some(&[("command_id", &form), ("holder_name", name)]),
    )
    .await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    // The new account's id is derived from the form's (`form_id.rs`): the
    // redirect names it, and reports on the command by the form's id.
    let location = opened.location();
    let account = location
        .strip_prefix("/accounts/")
        .and_then(|rest| rest.strip_suffix(&format!("?command={form}")))
        .expect("a redirect to the new account, reporting on the form")
        .to_string();
    assert_ne!(account, form);
    account
}

/// Sends the deposit form of an account, once its page offers it.
pub async fn deposit(address: &str, account: &str, amount: &str) {
    send_form(
        address,
        account,
        "Deposit</h2>",
        "deposits",
        &[("amount", amount)],
    )
    .await;
}

/// Sends a form of an account's page: the one after `heading`, posted to
/// `/accounts/{account}/{action}` with `fields` besides its id, once the
/// page offers it. Returns where the answer redirects.
pub async fn send_form(
    address: &str,
    account: &str,
    heading: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> String {
    let page = wait_for(address, &format!("/accounts/{account}"), heading).await;
    let form = page.command_id_after(heading);
    let mut posted = vec![("command_id", form.as_str())];
    posted.extend_from_slice(fields);
    let sent = request(
        address,
        "POST",
        &format!("/accounts/{account}/{action}"),
        Some(&posted),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    sent.location()
}
