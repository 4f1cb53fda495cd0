//! What tariffs need of the service: the vehicle's class from the camera
//! and the pass registry, merchants' discounts, the quote's parts, and APDS
//! rate tables turned into settings.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp, minutes_ago, standard_settings, unique};

/// A lot whose tariff prices large vehicles at 6.00 an hour, others at
/// 3.00, with the standard policy active.
async fn class_lot(app: &TestApp) -> crate::harness::Lot {
    let lot = app
        .lot(&app.owner, &unique("tar"), "Asia/Shanghai", "CNY")
        .await;
    let module = app.standard_module(&app.owner).await;
    let mut settings = standard_settings();
    settings["visitor_confirmation"] = json!(false);
    settings["fees"] = json!({
        "tiers": [{ "every_minutes": 60, "amount": 300 }],
        "daily_cap": 5000,
        "classes": { "large": { "tiers": [{ "every_minutes": 60, "amount": 600 }] } }
    });
    let version = app.version(&app.owner, &lot.id, &module, &settings).await;
    app.activate(&app.owner, &lot.id, version).await;
    lot
}

async fn token(app: &TestApp, role: &str, lot: &str) -> String {
    let body = json!({ "role": role, "name": format!("{role} desk"), "lots": [lot] });
    let made = app
        .ok(
            StatusCode::CREATED,
            app.post(&app.owner, "/v1/tokens", body).await,
        )
        .await;
    made["token"].as_str().expect("token").to_owned()
}

async fn enter(
    app: &TestApp,
    lot: &crate::harness::Lot,
    plate: &str,
    at: &str,
    class: Option<&str>,
) -> Value {
    let mut body = json!({ "event_id": unique("in"), "plate": plate, "occurred_at": at });
    if let Some(class) = class {
        body["vehicle_class"] = json!(class);
    }
    app.ok(
        StatusCode::OK,
        app.post(&lot.entry, "/v1/events", body).await,
    )
    .await
}

async fn exit(app: &TestApp, lot: &crate::harness::Lot, plate: &str, at: &str) -> Value {
    let body = json!({ "event_id": unique("out"), "plate": plate, "occurred_at": at });
    app.ok(
        StatusCode::OK,
        app.post(&lot.exit, "/v1/events", body).await,
    )
    .await
}

async fn the_class_comes_from_the_camera_or_the_pass_registry(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = class_lot(&app).await;
    // The entry camera reads a yellow plate: the stay is a large vehicle's.
    enter(&app, &lot, "粤B00001", &minutes_ago(150), Some("large")).await;
    let out = exit(&app, &lot, "粤B00001", &minutes_ago(0)).await;
    assert_eq!(
        out["fee"],
        json!({ "amount": 1800, "currency": "CNY" }),
        "{out}"
    );
    assert!(
        out["trace"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("(class large)")),
        "{out}"
    );
    enter(&app, &lot, "粤B00002", &minutes_ago(150), None).await;
    let out = exit(&app, &lot, "粤B00002", &minutes_ago(0)).await;
    assert_eq!(out["fee"]["amount"], 900, "{out}");
    // A registered class prices the plate when the camera tells none; an
    // expired pass makes the stay temporary.
    let passes = format!("/v1/lots/{}/monthly-passes", lot.id);
    let body = json!({ "plate": "粤B00003", "valid_until": "2020-01-31", "account": "acct-bus", "spaces": 1, "vehicle_class": "large" });
    let pass = app
        .ok(
            StatusCode::CREATED,
            app.post(&app.owner, &passes, body).await,
        )
        .await;
    assert_eq!(pass["vehicle_class"], "large");
    enter(&app, &lot, "粤B00003", &minutes_ago(90), None).await;
    let out = exit(&app, &lot, "粤B00003", &minutes_ago(0)).await;
    assert_eq!(out["fee"]["amount"], 1200, "{out}");
    // A bad class is refused, naming the field, and decides nothing.
    let body = json!({ "event_id": unique("bad"), "plate": "粤B00004", "occurred_at": minutes_ago(1), "vehicle_class": "Large Truck" });
    let (status, error) = app.post(&lot.entry, "/v1/events", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert!(error.to_string().contains("vehicle_class"), "{error}");
    let body = json!({ "plate": "粤B00005", "valid_until": "2099-01-31", "account": "a", "spaces": 1, "vehicle_class": "" });
    assert_eq!(
        app.post(&app.owner, &passes, body).await.0,
        StatusCode::BAD_REQUEST
    );
}

crate::on_both!(the_class_comes_from_the_camera_or_the_pass_registry);

async fn merchants_validate_stays_once_per_reference(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = class_lot(&app).await;
    let merchant = token(&app, "merchant", &lot.id).await;
    assert!(merchant.starts_with("bgm_"), "{merchant}");
    let path = format!("/v1/lots/{}/discounts", lot.id);
    let grant = json!({ "plate": "粤B10001", "source": "mall-cinema", "reference": "T-1042", "minutes": 120 });
    // Not inside: nothing to validate.
    let (status, body) = app.post(&merchant, &path, grant.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    enter(&app, &lot, "粤B10001", &minutes_ago(200), None).await;
    let made = app
        .ok(
            StatusCode::CREATED,
            app.post(&merchant, &path, grant.clone()).await,
        )
        .await;
    assert_eq!(
        (made["minutes"].clone(), made["amount"].clone()),
        (json!(120), Value::Null)
    );
    assert!(
        made["granted_by"]
            .as_str()
            .unwrap()
            .starts_with("merchant:"),
        "{made}"
    );
    // The same reference again is the same discount; with another value, a
    // conflict.
    let again = app
        .ok(
            StatusCode::OK,
            app.post(&merchant, &path, grant.clone()).await,
        )
        .await;
    assert_eq!(again["id"], made["id"]);
    let mut other = grant.clone();
    other["minutes"] = json!(60);
    assert_eq!(
        app.post(&merchant, &path, other).await.0,
        StatusCode::CONFLICT
    );
    let coupon =
        json!({ "plate": "粤B10001", "source": "coupon", "reference": "C-9", "amount": 100 });
    app.ok(
        StatusCode::CREATED,
        app.post(&app.owner, &path, coupon).await,
    )
    .await;
    for bad in [
        json!({ "plate": "粤B10001", "source": "x", "reference": "r", "minutes": 0 }),
        json!({ "plate": "粤B10001", "source": "x", "reference": "r", "minutes": 10, "amount": 5 }),
        json!({ "plate": "粤B10001", "source": "x", "reference": "r" }),
        json!({ "plate": "粤B10001", "source": "two words", "reference": "r", "minutes": 10 }),
    ] {
        assert_eq!(
            app.post(&merchant, &path, bad).await.0,
            StatusCode::BAD_REQUEST
        );
    }
    let listed = app
        .ok(
            StatusCode::OK,
            app.get(&merchant, &format!("{path}?plate=粤B10001")).await,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    // The payment page and the agents read the price part by part.
    let payments = token(&app, "payments", &lot.id).await;
    let quoted = app
        .ok(
            StatusCode::OK,
            app.get(
                &payments,
                &format!("/v1/lots/{}/quote?plate=粤B10001", lot.id),
            )
            .await,
        )
        .await;
    assert_eq!(quoted["quote"]["due"]["amount"], 2 * 300 - 100, "{quoted}");
    let labels: Vec<&str> = quoted["quote"]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "discount mall-cinema: 2h not billed",
            "2 x 1h",
            "discount coupon"
        ],
        "{quoted}"
    );
    assert_eq!(
        app.get(
            &merchant,
            &format!("/v1/lots/{}/quote?plate=粤B10001", lot.id)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // The exit pays 3h20m less 2 hours, at 3.00 an hour, less the coupon.
    let out = exit(&app, &lot, "粤B10001", &minutes_ago(0)).await;
    assert_eq!(out["fee"]["amount"], 2 * 300 - 100, "{out}");
    // A payment system's token cannot grant discounts; another lot's
    // merchant cannot see this one.
    assert_eq!(
        app.post(&payments, &path, grant).await.0,
        StatusCode::FORBIDDEN
    );
    let elsewhere = app
        .lot(&app.owner, &unique("tar"), "Asia/Shanghai", "CNY")
        .await;
    let theirs = token(&app, "merchant", &elsewhere.id).await;
    assert_eq!(
        app.get(&theirs, &format!("{path}?plate=粤B10001")).await.0,
        StatusCode::NOT_FOUND
    );
}

crate::on_both!(merchants_validate_stays_once_per_reference);

async fn apds_rate_tables_become_fee_settings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let table = json!({
        "id": "T", "version": 1, "rateType": "hourly",
        "rateLineCollections": [{ "collectionSequence": 0, "applicableCurrency": "CNY",
            "maxValueCollection": 30, "resetTime": "00:00",
            "rateLines": [
                { "sequence": 0, "rateLineType": "flatRateTier", "durationStart": "00:00", "durationEnd": "00:30", "value": 0 },
                { "sequence": 1, "rateLineType": "flatRateTier", "durationStart": "00:30", "durationEnd": "01:30", "value": 5 },
                { "sequence": 2, "rateLineType": "incrementingRate", "durationStart": "01:30", "incrementPeriod": "PT1H", "value": 3 }
            ] }]
    });
    let imported = app
        .ok(
            StatusCode::OK,
            app.post(&app.owner, "/v1/tariffs/import/apds", table.clone())
                .await,
        )
        .await;
    assert_eq!(imported["currency"], "CNY");
    assert_eq!(imported["fees"]["free_minutes"], 30);
    assert_eq!(imported["fees"]["daily_cap"], 3000);
    // The settings it gives are accepted by the standard policy as they are.
    let lot = app
        .lot(&app.owner, &unique("apds"), "Asia/Shanghai", "CNY")
        .await;
    let module = app.standard_module(&app.owner).await;
    let mut settings = standard_settings();
    settings["fees"] = imported["fees"].clone();
    app.version(&app.owner, &lot.id, &module, &settings).await;
    let mut bad = table;
    bad["rateLineCollections"][0]["taxIncluded"] = json!(false);
    let (status, error) = app.post(&app.owner, "/v1/tariffs/import/apds", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(
        error["error"]["fields"][0]["path"], "$.rateLineCollections[0].taxIncluded",
        "{error}"
    );
    let agent = app
        .ok(
            StatusCode::CREATED,
            app.post(
                &app.owner,
                "/v1/agents",
                json!({ "name": "desk", "lots": [lot.id] }),
            )
            .await,
        )
        .await;
    let agent = agent["token"].as_str().unwrap();
    assert_eq!(
        app.post(agent, "/v1/tariffs/import/apds", json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

crate::on_both!(apds_rate_tables_become_fee_settings);
