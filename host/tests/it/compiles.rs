//! Uploads are compiled within a budget: refused before compiling when
//! beyond the module limits, one compile at a time, each in a worker
//! process refused (and killed) when it runs past its time or memory.

use reqwest::StatusCode;

use crate::harness::{Backend, TestApp};

/// A component of `n` functions, each with a little work in it.
fn functions(n: usize) -> Vec<u8> {
    let body = "(func (param i32) (result i32) local.get 0 i32.const 7 i32.mul i32.const 3 i32.add local.get 0 i32.xor)";
    wat::parse_str(format!("(component (core module {}))", body.repeat(n))).unwrap()
}

#[tokio::test]
async fn a_module_beyond_the_limits_is_refused_before_it_is_compiled() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.max_functions = 1_000).await;
    let (status, body) = app.upload(&app.owner, &functions(1_001)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["message"],
        "the module does not load: the module has 1001 functions, over the limit of 1000 (`max_functions`): it is not compiled"
    );
    // The standard policy is well inside them.
    app.standard_module(&app.owner).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_past_its_budget_is_killed_and_its_turn_comes_back_at_once() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.compile_budget_seconds = 1;
        c.compile_wait_seconds = 0;
    })
    .await;
    // 20 000 functions: within the limits, about four seconds to compile
    // here.
    let heavy = functions(20_000);
    let (refused, busy) = tokio::join!(app.upload(&app.owner, &heavy), async {
        until(&app, "the compile starts", |running| running > 0).await;
        // While it holds the one turn, the next upload is told to come back.
        app.upload(&app.owner, &empty()).await
    });
    let (status, body) = busy;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "busy", "{body}");
    let (status, body) = refused;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["message"],
        "the module did not compile within 1 s (compile_budget_seconds): it is refused"
    );
    // The worker was killed with its upload: the turn is free already.
    assert_eq!(app.state.registry.compiles_running(), 0);
    compiles_again(&app).await;
}

/// The smallest component: it compiles at once, and exports nothing.
fn empty() -> Vec<u8> {
    wat::parse_str("(component)").unwrap()
}

/// Waits until the compiles running satisfy `done`, for ten minutes at most.
async fn until(app: &TestApp, what: &str, done: impl Fn(usize) -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(600);
    while !done(app.state.registry.compiles_running()) {
        assert!(tokio::time::Instant::now() < deadline, "{what}: never");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// An upload compiles again: the empty component is compiled, then refused
/// for what it exports.
async fn compiles_again(app: &TestApp) {
    let (status, body) = app.upload(&app.owner, &empty()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not export `boomgate:policy/policy@0.2.0`"),
        "{body}"
    );
}

#[tokio::test]
async fn a_compile_beyond_its_memory_is_refused_naming_the_limit() {
    // The standard policy needs more than 16 MiB to compile (the smallest
    // setting a configuration file accepts is 64).
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.compile_memory_mib = 16).await;
    let standard =
        boomgate_host::service::shipped::module("standard-lot").expect("shipped standard lot");
    let (status, body) = app.upload(&app.owner, standard).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["message"],
        "the module did not compile within 16 MiB of memory (compile_memory_mib): it is refused"
    );
    // The service itself is untouched, and nothing was stored.
    let (status, body) = app.get(&app.owner, "/v1/modules").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_worker_compiles_take_turns_and_keep_to_their_budget() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.compile_budget_seconds = 1;
        c.compile_wait_seconds = 0;
        c.compile_worker = None;
    })
    .await;
    // 20 000 functions: within the limits, about four seconds to compile
    // here.
    let heavy = functions(20_000);
    let (status, body) = app.upload(&app.owner, &heavy).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["message"],
        "the module did not compile within 1 s (compile_budget_seconds): it is refused"
    );
    // Its compile keeps the one turn until it ends: the next upload is told
    // to come back.
    let standard =
        boomgate_host::service::shipped::module("standard-lot").expect("shipped standard lot");
    let response = app
        .client
        .post(format!("{}/v1/modules", app.url))
        .bearer_auth(&app.owner)
        .header("content-type", "application/wasm")
        .body(standard.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "5");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "busy", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("compile_concurrency = 1"),
        "{body}"
    );
    // Once the abandoned compile ends, uploads compile again.
    until(&app, "the abandoned compile ends", |running| running == 0).await;
    compiles_again(&app).await;
}
