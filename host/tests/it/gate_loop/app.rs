//! The app's parking pass (seed 000): where a lot does not make picks at
//! every entry, the app asks the driver "지금 주차중이신가요?" and the
//! driver confirms. The app platform has its own token (role `app`): it
//! asks whether a registered car is parked now and creates the pick for
//! that stay, so the exit pays by itself. The owner sees per lot and per
//! parker whether picks are made automatically.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Gate, refused, said, token};
use crate::harness::Backend;

async fn the_driver_confirms_the_pick_in_the_app(backend: Backend) {
    let gate = Gate::open(backend, json!({ "auto_pick": false })).await;
    let app = &gate.app;
    let platform = token(app, "app", &gate.lot.id).await;
    let register = app
        .post(
            &app.owner,
            &gate.path("parking-passes"),
            json!({ "plate": "粤B12345" }),
        )
        .await;
    assert_eq!(register.0, StatusCode::CREATED, "{}", register.1);
    let parked = gate.path("parking/粤B12345");

    // Registered, not inside yet: no pick to make.
    let before = app.read(&platform, &parked).await;
    assert_eq!(
        (before["registered"].as_bool(), before["parked"].as_bool()),
        (Some(true), Some(false))
    );
    let pick = format!("{parked}/pick");
    refused(
        app.post(&platform, &pick, json!({})).await,
        StatusCode::NOT_FOUND,
        "not parked",
    );

    let entry = gate.entry(Some("粤B12345"), "06:01:00").await;
    assert_eq!(said(&entry).0, "open", "{entry}");
    let inside = app.read(&platform, &parked).await;
    assert_eq!(inside["parked"], true, "{inside}");
    assert_eq!(inside["pick"], false);
    assert_eq!(inside["entered_at"], super::at("06:01:00"));

    // The driver taps 등록하기, and again: one pick.
    let (status, first) = app
        .post(&platform, &format!("{parked}/pick"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["session_id"], inside["session_id"]);
    let (status, again) = app
        .post(&platform, &format!("{parked}/pick"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (again["created"].as_bool(), &again["pick_id"]),
        (Some(false), &first["pick_id"])
    );

    // At the exit the pick pays: 2h14m, 11.00.
    let out = gate.exit(Some("粤B12345"), "08:15:02").await;
    assert_eq!(said(&out), ("open", "pick_autopay"), "{out}");
    assert_eq!(out["fee"]["amount"], 1100);

    // A car that is not registered has nothing to confirm.
    let pick = gate.path("parking/粤B99999/pick");
    refused(
        app.post(&platform, &pick, json!({})).await,
        StatusCode::NOT_FOUND,
        "register",
    );
}

crate::on_both!(the_driver_confirms_the_pick_in_the_app);

/// The parker's own choice of automatic picks, set in the app.
async fn auto_pick(gate: &Gate, platform: &str, plate: &str, choice: Value) -> Value {
    let path = gate.path(&format!("parking/{plate}/auto-pick"));
    let body = json!({ "auto_pick": choice });
    let app = &gate.app;
    let (status, parker) = app
        .send(&app.client, Method::PUT, platform, &path, Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{parker}");
    parker
}

async fn a_parker_chooses_automatic_picks(backend: Backend) {
    let gate = Gate::open(backend, json!({ "auto_pick": false })).await;
    let app = &gate.app;
    let platform = token(app, "app", &gate.lot.id).await;
    for plate in ["粤B12345", "粤B67890"] {
        let r = app
            .post(
                &app.owner,
                &gate.path("parking-passes"),
                json!({ "plate": plate }),
            )
            .await;
        assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    }
    // "주차패스 픽 자동생성" on, for one parker.
    let parker = auto_pick(&gate, &platform, "粤B12345", json!(true)).await;
    assert_eq!(parker["picks_automatically"], true);

    let parkers = app.read(&app.owner, &gate.path("parkers")).await;
    assert_eq!(
        parkers["picks_automatically"], false,
        "the lot's own: {parkers}"
    );
    let auto: Vec<_> = parkers["parkers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["plate"].as_str().unwrap(),
                p["auto_pick"].clone(),
                p["picks_automatically"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(auto.contains(&("粤B12345", json!(true), true)), "{auto:?}");
    assert!(auto.contains(&("粤B67890", json!(null), false)), "{auto:?}");

    let chose = gate.entry(Some("粤B12345"), "06:00:00").await;
    assert!(
        chose["effects"]
            .as_array()
            .unwrap()
            .contains(&json!({ "kind": "create_pick" })),
        "{chose}"
    );
    let other = gate.entry(Some("粤B67890"), "06:00:00").await;
    assert!(
        !other["effects"]
            .as_array()
            .unwrap()
            .contains(&json!({ "kind": "create_pick" })),
        "{other}"
    );

    // Back to the lot's choice.
    let parker = auto_pick(&gate, &platform, "粤B12345", json!(null)).await;
    assert_eq!(parker["auto_pick"], json!(null));
    assert_eq!(parker["picks_automatically"], false);
}

crate::on_both!(a_parker_chooses_automatic_picks);

/// The app platform's token reads parking and makes picks, nothing else.
async fn the_app_role_is_for_the_app(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    let app = &gate.app;
    let platform = token(app, "app", &gate.lot.id).await;
    for path in [
        gate.path("sessions"),
        gate.path("orders"),
        gate.path("parkers"),
    ] {
        let (status, body) = app.get(&platform, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let pay = json!({ "plate": "粤B12345", "amount": 100, "paid_at": super::at("06:00:00") });
    let (status, body) = app.post(&platform, &gate.path("payments"), pay).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // And the payment system's cannot make picks.
    let (status, body) = app
        .get(&gate.payments, &gate.path("parking/粤B12345"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

crate::on_both!(the_app_role_is_for_the_app);
