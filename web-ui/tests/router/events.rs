//! `/events`: a waiting page's token, streamed as server-sent events.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, BodyDataStream};
use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use web_ui::app::app_until;
use web_ui::limits::Limits;

use crate::support::TestApp;

/// Opens a stream on `router`; its status and its body, read as it comes.
async fn open(router: &Router, uri: &str) -> (StatusCode, Option<String>, BodyDataStream) {
    let request = Request::get(uri)
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .expect("request");
    let response = router.clone().oneshot(request).await.expect("a response");
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    (
        response.status(),
        content_type,
        response.into_body().into_data_stream(),
    )
}

/// The data of the next `token` event, skipping keep-alive comments; `None`
/// when the stream ends, or nothing comes within `wait`.
async fn next_token(body: &mut BodyDataStream, wait: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .ok()??;
        let text = String::from_utf8(chunk.expect("a chunk").to_vec()).expect("text");
        if let Some(data) = text
            .lines()
            .skip_while(|line| *line != "event: token")
            .find_map(|line| line.strip_prefix("data: "))
        {
            return Some(data.to_string());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_sends_the_token_at_once_and_again_when_the_views_change() {
    let app = TestApp::new().await;
    let account = app.open_account("Streamed").await;
    let (id, _) = app.send_deposit(&account, "3").await;
    let query = format!("account={account}&command={id}");
    let watched = app.get(&format!("/watch?{query}")).await.body;

    let (status, content_type, mut body) = open(&app.router, &format!("/events?{query}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("text/event-stream"));
    let first = next_token(&mut body, Duration::from_secs(5)).await;
    assert_eq!(
        first.as_deref(),
        Some(watched.as_str()),
        "the token /watch gives"
    );

    app.settle().await;
    let answered = app.get(&format!("/watch?{query}")).await.body;
    assert_ne!(answered, watched);
    let second = next_token(&mut body, Duration::from_secs(5)).await;
    assert_eq!(second.as_deref(), Some(answered.as_str()));
    // Nothing more changes: nothing more is sent.
    assert_eq!(
        next_token(&mut body, Duration::from_millis(500)).await,
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_holds_a_bounded_number_of_streams() {
    let app = TestApp::with_limits(Limits {
        live_streams: 1,
        ..Limits::default()
    })
    .await;
    let (status, _, mut first) = open(&app.router, "/events?operations=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        next_token(&mut first, Duration::from_secs(5))
            .await
            .is_some()
    );
    let (status, _, _) = open(&app.router, "/events?operations=1").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // The place is given back when the page goes.
    drop(first);
    let (status, _, _) = open(&app.router, "/events?operations=1").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stream_ends_when_the_server_shuts_down() {
    let app = TestApp::new().await;
    let shutdown = CancellationToken::new();
    let router = app_until(app.state.clone(), Limits::default(), shutdown.clone());
    let (_, _, mut body) = open(&router, "/events?operations=1").await;
    assert!(
        next_token(&mut body, Duration::from_secs(5))
            .await
            .is_some()
    );
    shutdown.cancel();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while body.next().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived the server");
}

/// The home page follows the bank too: its token changes when the views do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_is_watched_and_its_token_moves_with_the_views() {
    let app = TestApp::new().await;
    let home = app.get("/").await;
    assert!(
        home.body.contains(r#"data-watch-url="/watch?home=1""#),
        "{}",
        home.body
    );
    assert!(
        !home.body.contains("http-equiv=\"refresh\""),
        "no refresh without script: it would empty the forms"
    );
    let before = app.get("/watch?home=1").await.body;
    app.open_account("Newcomer").await;
    let after = app.get("/watch?home=1").await.body;
    assert_ne!(before, after);
}

/// On an idle bank the home page stays still. The aggregator rewrites the
/// consumers' progress every second; a home token that followed it made
/// the page replace itself every second, under the visitor's pointer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_pages_token_does_not_move_with_the_consumers_progress() {
    let app = TestApp::new().await;
    app.open_account("Idle").await;
    let before = app.get("/watch?home=1").await.body;
    for lag in [3, 0] {
        let progress = views::operations::ConsumerProgress {
            position_stream: "account:command+position".to_string(),
            category: "account:command".to_string(),
            position: Some(7),
            lag,
            updated_time: messaging::Time::now(),
        };
        views::operations::save_consumer(app.views.pool(), &progress)
            .await
            .expect("saved");
    }
    assert_eq!(app.get("/watch?home=1").await.body, before);
}
