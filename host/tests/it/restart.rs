//! Everything survives a restart: stays, orders, payments, policies and
//! their history, decisions; the active policy serves again at once.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Backend, TestApp, minutes_ago, standard_settings, unique};

async fn everything_survives_a_restart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = app.owner.clone();
    let lot = app
        .lot(&owner, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;
    let module = app.standard_module(&owner).await;
    let mut settings = standard_settings();
    settings["visitor_confirmation"] = json!(false);
    let v1 = app.version(&owner, &lot.id, &module, &settings).await;
    settings["payment_grace_minutes"] = json!(20);
    let v2 = app.version(&owner, &lot.id, &module, &settings).await;
    app.activate(&owner, &lot.id, v1).await;
    app.activate(&owner, &lot.id, v2).await;
    app.ok(
        StatusCode::OK,
        app.event(&lot.entry, "in", Some("粤B12345"), &minutes_ago(200))
            .await,
    )
    .await;
    let out_at = minutes_ago(0);
    let held = app
        .ok(
            StatusCode::OK,
            app.event(&lot.exit, "out", Some("粤B12345"), &out_at).await,
        )
        .await;
    assert_eq!(held["reason"], "payment_required");
    let paid = json!({ "plate": "粤B12345", "amount": 500, "paid_at": minutes_ago(0) });
    app.ok(
        StatusCode::CREATED,
        app.post(&owner, &format!("/v1/lots/{}/payments", lot.id), paid)
            .await,
    )
    .await;

    let read = |app: &TestApp, path: String| {
        let owner = owner.clone();
        let app_url = app.url.clone();
        let client = app.client.clone();
        async move {
            let response = client
                .get(format!("{app_url}{path}"))
                .bearer_auth(&owner)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    let paths = [
        format!("/v1/lots/{}/sessions", lot.id),
        format!("/v1/lots/{}/policies", lot.id),
        format!("/v1/lots/{}/decisions", lot.id),
        format!("/v1/lots/{}", lot.id),
    ];
    let mut before = Vec::new();
    for path in &paths {
        before.push(read(&app, path.clone()).await);
    }
    let app = app.restart().await;
    for (path, was) in paths.iter().zip(&before) {
        assert_eq!(
            &read(&app, path.clone()).await,
            was,
            "{path} changed across a restart"
        );
    }
    // The robots' tokens, the stay and its payment, the active version: all there.
    let answer = app
        .ok(
            StatusCode::OK,
            app.event(&lot.exit, "out-2", Some("粤B12345"), &minutes_ago(0))
                .await,
        )
        .await;
    assert_eq!(answer["policy_version"], v2);
    assert_eq!(answer["reason"], "payment_required");
    assert_eq!(
        answer["fee"]["amount"],
        held["fee"]["amount"].as_i64().unwrap() - 500
    );
    // A retry of an event from before the restart gets its decision back.
    let retry = app
        .ok(
            StatusCode::OK,
            app.event(&lot.exit, "out", Some("粤B12345"), &out_at).await,
        )
        .await;
    assert_eq!(
        (retry["decision_id"].clone(), retry["replayed"].clone()),
        (held["decision_id"].clone(), json!(true))
    );
}

crate::on_both!(everything_survives_a_restart);
