//! Seed 000: the exit was not recognised; the agent closes the stay at the
//! time the customer states and charges the parking pass.

use super::*;

async fn stated_exit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The app parking-pass lot, picks not created automatically.
    let desk = Desk::open_in(
        &app,
        json!({ "auto_pick": false }),
        "Asia/Seoul",
        "KRW",
        "pass-lot",
    )
    .await;
    let passes = desk.path("/parking-passes");
    app.ok(
        StatusCode::CREATED,
        app.post(&app.owner, &passes, json!({ "plate": "12가3456" }))
            .await,
    )
    .await;
    // In at 3 hours ago; the exit camera never saw it leave.
    let entered = desk.read(ENTRY, Some("12가3456"), 180).await;
    assert_eq!(entered["gate"], "open");
    // The customer calls: "registered, but it never showed as parking". The
    // agent looks the plate up: inside, no pick, nothing paid.
    let record = desk.get(StatusCode::OK, "/stays?plate=12가3456").await;
    assert_eq!(record["parking_pass"], true);
    let stay = &record["stays"][0];
    assert!(stay["exited_at"].is_null());
    assert_eq!(
        (stay["pick"].as_bool(), stay["paid_amount"].as_i64()),
        (Some(false), Some(0))
    );
    let session = stay["id"].as_str().expect("id").to_owned();
    // "When did you actually leave?" An hour and a half after entering.
    let close = format!("/sessions/{session}/close");
    let refused = desk
        .post(
            StatusCode::BAD_REQUEST,
            &close,
            json!({ "left_at": minutes_ago(200) }),
        )
        .await;
    assert_eq!(refused["error"]["fields"][0]["path"], "left_at");
    assert!(
        refused["error"]["fields"][0]["message"]
            .as_str()
            .expect("why")
            .contains("before the entry")
    );
    let left_at = after(&stay["entered_at"], 90);
    let body = json!({ "left_at": left_at, "note": "출차 미인식, 고객 진술 출차시간", "pay_with_pass": true });
    let closed = desk.post(StatusCode::OK, &close, body).await;
    // Priced by the lot's own policy for 90 minutes, charged to the pass.
    let settings = pass_lot_settings();
    let price: boomgate_engine::sdk::FeeSchedule =
        serde_json::from_value(settings["fees"].clone()).expect("fees");
    let expected = price.fee_for_minutes(90);
    assert_eq!(closed["quote"]["total"]["amount"], expected);
    assert_eq!(closed["quote"]["total"]["currency"], "KRW");
    assert_eq!(closed["charged"], expected);
    assert!(closed["order_id"].is_null());
    assert_eq!(closed["stay"]["closed_by"], "agent");
    assert_eq!(closed["stay"]["pick"], true);
    assert_eq!(closed["stay"]["paid_amount"], expected);
    let record = desk.get(StatusCode::OK, "/stays?plate=12가3456").await;
    let stay = &record["stays"][0];
    assert_eq!(stay["minutes"], 90);
    assert_eq!(stay["payments"][0]["kind"], "pick");
    assert_eq!(record["payments"][0]["amount"], expected);
    assert!(desk.inside().await.is_empty());
    // Closing it again is a conflict, not a second charge.
    let again = app
        .post(
            &desk.agent,
            &desk.path(&close),
            json!({ "left_at": left_at }),
        )
        .await;
    assert_eq!(again.0, StatusCode::CONFLICT, "{}", again.1);

    // Without a parking pass, the fee becomes a pending order to pay.
    desk.read(ENTRY, Some("34나5678"), 120).await;
    let stay = desk.stay_of("34나5678").await;
    let close = format!("/sessions/{}/close", stay["id"].as_str().expect("id"));
    let left_at = after(&stay["entered_at"], 90);
    let refused = desk
        .post(
            StatusCode::BAD_REQUEST,
            &close,
            json!({ "left_at": left_at, "pay_with_pass": true }),
        )
        .await;
    assert_eq!(refused["error"]["fields"][0]["path"], "pay_with_pass");
    let closed = desk
        .post(StatusCode::OK, &close, json!({ "left_at": left_at }))
        .await;
    assert_eq!(closed["charged"], 0);
    assert!(closed["order_id"].is_string());
    assert_eq!(closed["quote"]["due"]["amount"], price.fee_for_minutes(90));
}

crate::on_both!(stated_exit);
