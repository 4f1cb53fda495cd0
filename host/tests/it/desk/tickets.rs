//! Unplated vehicles by ticket (seed 001 §2.2.1 scene 1, §2.2.2 scene 4):
//! the driver scans the entry code and gets a ticket the stay is kept
//! under; at the exit the ticket finds the stay, which is priced and paid
//! like any other; the driver's phone finds it too.

use super::*;

async fn an_unplated_vehicle_enters_and_leaves_by_ticket(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": false })).await;
    let owner = &app.owner;
    let platform = app
        .ok(
            StatusCode::CREATED,
            app.post(
                owner,
                "/v1/tokens",
                json!({ "role": "app", "name": "扫码页", "lots": [desk.lot.id] }),
            )
            .await,
        )
        .await;
    let platform = platform["token"].as_str().expect("token").to_owned();
    let scan = |gate: &str, action: &str, body: Value| {
        let path = desk.path(&format!("/gates/{gate}/{action}"));
        let token = platform.clone();
        let app = &app;
        async move { app.post(&token, &path, body).await }
    };

    // No plate at the entry: the robot shows the code; the driver scans it.
    assert_eq!(desk.read(ENTRY, None, 0).await["reason"], "unplated_entry");
    let (status, entered) =
        scan(ENTRY, "unplated-entry", json!({ "phone": "137 0000 1234" })).await;
    assert_eq!(status, StatusCode::OK, "{entered}");
    let ticket = entered["ticket"].as_str().expect("a ticket").to_owned();
    assert!(
        ticket.starts_with("无牌") && ticket.chars().count() == 8,
        "{ticket}"
    );
    assert_eq!(
        (&entered["opened"], &entered["decision"]["reason"]),
        (&json!(true), &json!("visitor_welcome"))
    );
    assert_eq!(desk.robot_told(ENTRY).await["gate"], "open");
    let inside = desk.inside().await;
    assert_eq!(inside[0]["plate"], ticket.as_str());
    let found = app.read(&desk.agent, "/v1/lookup?phone=13700001234").await;
    assert_eq!(found["stays"][0]["plate"], ticket.as_str());
    let openings = app.read(owner, &desk.path("/openings")).await;
    assert_eq!(openings[0]["kind"], "ticket");

    // Wrong gates and unknown tickets are refused, naming them.
    let (status, _) = scan(EXIT, "unplated-entry", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, unknown) = scan(EXIT, "unplated-exit", json!({ "ticket": "无牌XXXXXX" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}");
    assert!(
        unknown["error"]["message"]
            .as_str()
            .expect("why")
            .contains("无牌XXXXXX")
    );

    // Two hours later at the exit: the ticket (typed without its prefix,
    // in lower case) finds the stay; the fee is due with its order.
    app.clock.advance(2 * 3_600_000 + 60_000);
    let code = ticket.trim_start_matches("无牌").to_lowercase();
    let (status, due) = scan(EXIT, "unplated-exit", json!({ "ticket": code })).await;
    assert_eq!(status, StatusCode::OK, "{due}");
    assert_eq!(due["decision"]["reason"], "payment_required", "{due}");
    let order = due["orders"][0].clone();
    assert_eq!(order["status"], "pending");
    assert_eq!(desk.robot_told(EXIT).await["reason"], "payment_required");
    let paid_at = jiff::Timestamp::from_millisecond(app.clock.now_ms())
        .expect("now")
        .to_string();
    let body = json!({ "order_id": order["id"], "amount": order["amount"], "paid_at": paid_at, "payment_id": unique("wx-") });
    app.ok(
        StatusCode::CREATED,
        app.post(owner, &desk.path("/payments"), body).await,
    )
    .await;
    let (status, out) = scan(EXIT, "unplated-exit", json!({ "ticket": ticket })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&out["opened"], &out["decision"]["reason"]),
        (&json!(true), &json!("paid"))
    );
    assert_eq!(desk.robot_told(EXIT).await["gate"], "open");
    assert!(desk.inside().await.is_empty());

    // A lot that confirms visitors lets no ticket in by itself.
    let strict = Desk::open(&app, json!({ "visitor_confirmation": true })).await;
    let path = strict.path("/gates/north-entry/unplated-entry");
    let held = app
        .ok(
            StatusCode::OK,
            app.post(&strict.agent, &path, json!({})).await,
        )
        .await;
    assert_eq!(
        (&held["ticket"], &held["opened"]),
        (&Value::Null, &json!(false))
    );
}

crate::on_both!(an_unplated_vehicle_enters_and_leaves_by_ticket);
