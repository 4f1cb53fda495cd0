//! Robot events: retries, conflicting retries, malformed events, the
//! robot's binding, a full stay from entry to a paid exit.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Backend, TestApp, join_all, minutes_ago, standard_settings, unique};

async fn visitor_lot(app: &TestApp) -> crate::harness::Lot {
    app.visitor_lot(&app.owner, &json!({})).await
}

async fn entry_payment_exit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = visitor_lot(&app).await;
    let entry = app
        .ok(
            StatusCode::OK,
            app.event(&lot.entry, "in-1", Some("粤B12345"), &minutes_ago(134))
                .await,
        )
        .await;
    assert_eq!(
        (entry["gate"].as_str(), entry["reason"].as_str()),
        (Some("open"), Some("visitor_welcome"))
    );
    assert_eq!(entry["policy_version"], 1);
    let inside = app
        .read(
            &app.owner,
            &format!("/v1/lots/{}/sessions?inside=true", lot.id),
        )
        .await;
    assert_eq!(inside.as_array().map(Vec::len), Some(1));

    // 2h14m: 5 + 2 x 3 = 11.00 owed.
    let exit = app
        .ok(
            StatusCode::OK,
            app.event(&lot.exit, "out-1", Some("粤B12345"), &minutes_ago(0))
                .await,
        )
        .await;
    assert_eq!(exit["reason"], "payment_required");
    assert_eq!(exit["fee"], json!({ "amount": 1100, "currency": "CNY" }));
    assert_eq!(exit["display"], json!({ "kind": "qr", "qr": "quick_exit" }));

    let paid = json!({ "plate": "粤B12345", "amount": 1100, "paid_at": minutes_ago(0) });
    let receipt = app
        .ok(
            StatusCode::CREATED,
            app.post(&app.owner, &format!("/v1/lots/{}/payments", lot.id), paid)
                .await,
        )
        .await;
    assert_eq!(receipt["orders_settled"], 1);

    let exit = app
        .ok(
            StatusCode::OK,
            app.event(&lot.exit, "out-2", Some("粤B12345"), &minutes_ago(0))
                .await,
        )
        .await;
    assert_eq!(
        (exit["gate"].as_str(), exit["reason"].as_str()),
        (Some("open"), Some("paid"))
    );
    let inside = app
        .read(
            &app.owner,
            &format!("/v1/lots/{}/sessions?inside=true", lot.id),
        )
        .await;
    assert_eq!(inside, json!([]));
    let stays = app
        .read(&app.owner, &format!("/v1/lots/{}/sessions", lot.id))
        .await;
    assert_eq!(stays[0]["paid_amount"], 1100);
    assert_eq!(stays[0]["closed_by"], "robot");
    let log = app
        .read(&app.owner, &format!("/v1/lots/{}/decisions", lot.id))
        .await;
    let reasons: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["decision"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["paid", "payment_required", "visitor_welcome"]);
}

crate::on_both!(entry_payment_exit);

async fn retries_get_the_stored_decision(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = visitor_lot(&app).await;
    let at = minutes_ago(5);
    let first = app
        .ok(
            StatusCode::OK,
            app.event(&lot.entry, "e-1", Some("粤B00001"), &at).await,
        )
        .await;
    assert_eq!(first["replayed"], false);
    // Ten retries at once, as a robot on a flaky link might send them.
    let retries = (0..10)
        .map(|_| Box::pin(app.event(&lot.entry, "e-1", Some("粤B00001"), &at)))
        .collect();
    for (status, answer) in join_all(retries).await {
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["decision_id"], first["decision_id"]);
        assert_eq!(answer["replayed"], true);
    }
    let inside = app
        .read(
            &app.owner,
            &format!("/v1/lots/{}/sessions?inside=true", lot.id),
        )
        .await;
    assert_eq!(
        inside.as_array().map(Vec::len),
        Some(1),
        "one stay, not eleven"
    );

    // The same event id with other content is a mistake, not a retry.
    let (status, body) = app.event(&lot.entry, "e-1", Some("粤B00002"), &at).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("`e-1`"),
        "{body}"
    );
}

crate::on_both!(retries_get_the_stored_decision);

async fn malformed_events_name_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = visitor_lot(&app).await;
    let cases = [
        (
            json!({ "event_id": "m1", "plate": "粤B1", "occurred_at": "yesterday" }),
            "occurred_at",
        ),
        (
            json!({ "event_id": "m2", "plate": "粤B1!", "occurred_at": minutes_ago(1) }),
            "plate",
        ),
        (
            json!({ "event_id": "", "plate": "粤B12345", "occurred_at": minutes_ago(1) }),
            "event_id",
        ),
        (
            json!({ "event_id": "m3", "plate": "粤B12345", "occurred_at": minutes_ago(-60) }),
            "occurred_at",
        ),
        (
            json!({ "event_id": "m4", "plate": "粤B12345", "occurred_at": minutes_ago(1), "confidence": 3.0 }),
            "confidence",
        ),
        (
            json!({ "event_id": "m5", "plate": 7, "occurred_at": minutes_ago(1) }),
            "plate",
        ),
        (
            json!({ "event_id": "m6", "plate": "粤B12345" }),
            "occurred_at",
        ),
        (
            json!({ "event_id": "m7", "plate": "粤B12345", "occurred_at": minutes_ago(1), "gate": "x" }),
            "",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app.post(&lot.entry, "/v1/events", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} -> {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("`{field}`")) || field.is_empty(),
            "{body} -> {answer}"
        );
        if !field.is_empty() {
            assert_eq!(answer["error"]["fields"][0]["path"], field, "{answer}");
        }
    }
    // Not JSON at all, and not declared as JSON.
    let response = app
        .client
        .post(format!("{}/v1/events", app.url))
        .bearer_auth(&lot.entry)
        .header("content-type", "application/json")
        .body("{\"event_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = app
        .client
        .post(format!("{}/v1/events", app.url))
        .bearer_auth(&lot.entry)
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Too large: the body limit answers 413 before anything is parsed.
    let big =
        json!({ "event_id": "x".repeat(100_000), "plate": null, "occurred_at": minutes_ago(1) });
    // (On a connection of its own: the service closes it after a 413.)
    let fresh = reqwest::Client::new();
    let (status, _) = app
        .send(
            &fresh,
            reqwest::Method::POST,
            &lot.entry,
            "/v1/events",
            Some(big),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Nothing was decided for any of them.
    let log = app
        .read(&app.owner, &format!("/v1/lots/{}/decisions", lot.id))
        .await;
    assert_eq!(log, json!([]));
}

crate::on_both!(malformed_events_name_the_field);

async fn a_lot_without_a_policy_still_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = app
        .lot(&app.owner, &unique("bare"), "Asia/Shanghai", "CNY")
        .await;
    let answer = app
        .ok(
            StatusCode::OK,
            app.event(&lot.entry, "n1", Some("粤B12345"), &minutes_ago(1))
                .await,
        )
        .await;
    assert_eq!(
        (answer["gate"].as_str(), answer["reason"].as_str()),
        (Some("hold"), Some("policy_fault"))
    );
    assert_eq!(answer["effects"], json!([{ "kind": "escalate" }]));
    assert_eq!(answer["policy_version"], serde_json::Value::Null);
}

crate::on_both!(a_lot_without_a_policy_still_answers);

async fn shared_spaces_show_the_vehicles_inside(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = app
        .lot(&app.owner, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;
    let module = app.standard_module(&app.owner).await;
    let v = app
        .version(&app.owner, &lot.id, &module, &standard_settings())
        .await;
    app.activate(&app.owner, &lot.id, v).await;
    let passes = format!("/v1/lots/{}/monthly-passes", lot.id);
    for plate in ["粤B11111", "粤B22222"] {
        let body = json!({ "plate": plate, "valid_until": "2099-12-31", "account": "family-1", "spaces": 1 });
        app.ok(
            StatusCode::CREATED,
            app.post(&app.owner, &passes, body).await,
        )
        .await;
    }
    let first = app
        .ok(
            StatusCode::OK,
            app.event(&lot.entry, "f1", Some("粤B11111"), &minutes_ago(30))
                .await,
        )
        .await;
    assert_eq!(first["reason"], "monthly_pass_valid");
    let at = minutes_ago(1);
    let second = app
        .ok(
            StatusCode::OK,
            app.event(&lot.entry, "f2", Some("粤B22222"), &at).await,
        )
        .await;
    assert_eq!(second["reason"], "shared_spaces_full");
    assert_eq!(second["display"], json!({ "kind": "vehicles_inside" }));
    assert_eq!(second["vehicles_inside"][0]["plate"], "粤B11111");
    // A retry shows them too.
    let again = app
        .ok(
            StatusCode::OK,
            app.event(&lot.entry, "f2", Some("粤B22222"), &at).await,
        )
        .await;
    assert_eq!(again["vehicles_inside"], second["vehicles_inside"]);
}

crate::on_both!(shared_spaces_show_the_vehicles_inside);
