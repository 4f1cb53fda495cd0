//! What an operator relies on around every route: request ids, the time
//! limit, compression, the 401 challenge, the per-token limit on expensive
//! routes, and metrics that say what the service does, behind a token or on
//! their own address.

use std::time::Duration;

use reqwest::StatusCode;

use crate::harness::{Backend, TestApp};

/// `GET path` with an optional bearer token and headers, the whole answer.
async fn get(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_a_request_id() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = get(&app, "/v1/lots", Some(&app.owner), &[]).await;
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32, "16 random bytes in hex: {id}");
    let again = get(&app, "/v1/lots", Some(&app.owner), &[]).await;
    assert_ne!(
        again.headers()["x-request-id"],
        id.as_str(),
        "a new id each time"
    );
    // A client's own id is kept.
    let theirs = get(&app, "/healthz", None, &[("x-request-id", "trace-abc")]).await;
    assert_eq!(theirs.headers()["x-request-id"], "trace-abc");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_says_how_to_authenticate() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let none = get(&app, "/v1/lots", None, &[]).await;
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.headers()["www-authenticate"],
        "Bearer realm=\"boomgate\""
    );
    let wrong = get(&app, "/v1/lots", Some("bgo_wrong"), &[]).await;
    assert_eq!(
        wrong.headers()["www-authenticate"],
        "Bearer realm=\"boomgate\", error=\"invalid_token\""
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_its_time_is_answered_503_in_json() {
    // Below the loadable minimum, to see the limit without waiting 35 s.
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.request_timeout_seconds = 1).await;
    let owner = app.owner.clone();
    let lot = app.lot(&owner, "slow-lot", "Asia/Shanghai", "CNY").await;
    let started = std::time::Instant::now();
    let (status, body) = app.get(&lot.entry, "/v1/robot/commands?wait=10").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "timeout", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("request_timeout_seconds"),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "cut at the limit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_answers_are_compressed_for_clients_that_ask() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let plain = get(&app, "/openapi.json", None, &[]).await;
    assert!(plain.headers().get("content-encoding").is_none());
    let size = plain.bytes().await.unwrap().len();
    let gzip = get(&app, "/openapi.json", None, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let compressed = gzip.bytes().await.unwrap().len();
    assert!(compressed * 4 < size, "{compressed} of {size} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expensive_routes_are_limited_per_token() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.expensive_per_minute = 2).await;
    let module = boomgate_host::service::shipped::module("standard-lot").unwrap();
    for _ in 0..2 {
        let (status, body) = app.upload(&app.owner, module).await;
        assert!(status.is_success(), "{status} {body}");
    }
    let response = app
        .client
        .post(format!("{}/v1/modules", app.url))
        .bearer_auth(&app.owner)
        .header("content-type", "application/wasm")
        .body(module.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("POST /v1/modules 2 times a minute"),
        "{body}"
    );
    // Another tenant is not held back, and cheap routes are not limited.
    let other = app.new_owner("Other").await;
    let (status, _) = app.upload(&other, module).await;
    assert!(status.is_success());
    let (status, _) = app.get(&app.owner, "/v1/modules").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_and_need_their_token() {
    let token = "metrics-secret-0123456789";
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.metrics_token = Some(token.to_owned());
    })
    .await;
    let (status, _) = app.get(&app.owner, "/v1/lots").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(&app.owner, "/v1/lots/none-such").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.plain("/metrics").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(!body.contains("boomgate_"), "{body}");
    let wrong = get(&app, "/metrics", Some(&app.owner), &[]).await;
    assert_eq!(
        wrong.status(),
        StatusCode::UNAUTHORIZED,
        "an owner's token is not it"
    );
    let text = get(&app, "/metrics", Some(token), &[])
        .await
        .text()
        .await
        .unwrap();
    for line in [
        "boomgate_http_requests_total{method=\"GET\",route=\"/v1/lots\",status=\"200\"} 1",
        "boomgate_http_requests_total{method=\"GET\",route=\"/v1/lots/{lot}\",status=\"404\"} 1",
        "boomgate_http_request_seconds_count{method=\"GET\",route=\"/v1/lots\"} 1",
        "boomgate_db_pool_connections ",
        "boomgate_process_resident_memory_bytes ",
        "boomgate_process_start_time_seconds ",
        "boomgate_build_info{version=\"",
        "# EOF",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    assert!(!text.contains("none-such"), "paths are not labels");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_have_their_own_address() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let (status, _) = app.plain("/metrics").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not on the API's address");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let metrics = boomgate_host::api::metrics_app(app.state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, metrics).await;
    });
    let text = app
        .client
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("boomgate_build_info"), "{text}");
}

/// The robot's own answers, an entry and an exit with a fee and an order,
/// are valid against `EventAnswer` as `/openapi.json` documents it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_answers_satisfy_their_documented_schema() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let lot = app.visitor_lot(&app.owner, &serde_json::json!({})).await;
    let mut doc: serde_json::Value = get(&app, "/openapi.json", None, &[])
        .await
        .json()
        .await
        .unwrap();
    doc["$ref"] = serde_json::json!("#/components/schemas/EventAnswer");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&doc)
        .expect("the document is a schema");
    let entered = crate::harness::minutes_ago(200);
    let now = crate::harness::minutes_ago(0);
    let (status, entry) = app
        .event(
            &lot.entry,
            &crate::harness::unique("ev"),
            Some("粤B8C0A7"),
            &entered,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{entry}");
    let (status, exit) = app
        .event(
            &lot.exit,
            &crate::harness::unique("ev"),
            Some("粤B8C0A7"),
            &now,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{exit}");
    assert_eq!(exit["reason"], "payment_required", "{exit}");
    assert!(
        exit["orders"].as_array().is_some_and(|o| !o.is_empty()),
        "{exit}"
    );
    for answer in [&entry, &exit] {
        let errors: Vec<String> = validator
            .iter_errors(answer)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{answer:#}");
    }
    // And one that breaks it does not pass: the check can fail.
    let mut broken = exit.clone();
    broken["gate"] = serde_json::json!("ajar");
    assert!(!validator.is_valid(&broken));
}
