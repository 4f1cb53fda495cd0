//! What the service stores is held to what it writes: the database refuses
//! a value outside a column's set, and a value that got there anyway (a
//! hand edit, an old bug) fails the read loudly, with the column named,
//! instead of being read as something else.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::Executor;

use crate::harness::{Backend, TestApp, minutes_ago, standard_settings, unique};

async fn stored_values_are_checked_and_never_guessed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = &app.owner;
    let lot = app.lot(owner, &unique("lot"), "Asia/Shanghai", "CNY").await;
    let module = app.standard_module(owner).await;
    let mut settings = standard_settings();
    settings["visitor_confirmation"] = json!(false);
    let version = app.version(owner, &lot.id, &module, &settings).await;
    app.activate(owner, &lot.id, version).await;
    let entered = app
        .ok(
            StatusCode::OK,
            app.event(&lot.entry, "in-1", Some("粤B12345"), &minutes_ago(30))
                .await,
        )
        .await;
    assert_eq!(entered["reason"], "visitor_welcome", "{entered}");

    let pool = app.state.db.pool();
    let corrupt = "UPDATE sessions SET billing = 'weekly'";
    let refused = pool
        .execute(corrupt)
        .await
        .expect_err("the database refuses `weekly`");
    assert!(
        refused.to_string().contains("sessions"),
        "the refusal names the table: {refused}"
    );

    // Around the check, as a hand edit would be.
    let lift = match backend {
        Backend::Sqlite => "DROP TRIGGER sessions_valid_update",
        Backend::Postgres => "ALTER TABLE sessions DROP CONSTRAINT sessions_billing_valid",
    };
    pool.execute(lift).await.expect("lift the check");
    pool.execute(corrupt).await.expect("corrupt the stay");
    let (status, body) = app
        .get(owner, &format!("/v1/lots/{}/sessions", lot.id))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(body["error"]["code"], "corrupt_record", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`billing`") && message.contains("`weekly` is not a billing"),
        "{message}"
    );
}

crate::on_both!(stored_values_are_checked_and_never_guessed);
