//! An entry read of a plate whose stay is still open: its exit was missed
//! (a camera failed, the barrier was up). The policy sees the open stay and
//! decides; the standard policy by default closes it as `exit_missed` with
//! its fee left owed by the plate, shown to agents and collected at the
//! next exit. Nothing is dropped silently.

use reqwest::StatusCode;
use serde_json::json;

use super::{Gate, said};
use crate::harness::{Backend, TestApp, unique};

async fn a_missed_exit_is_owed_and_collected_at_the_next_exit(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    // Five hours later the car comes in again: it left unseen.
    let back = gate.entry(Some("粤B12345"), "11:00:00").await;
    assert_eq!(said(&back), ("open", "visitor_welcome"), "{back}");
    // 5h: 5 + 4 x 3 = 17.00, left owed as an order of the old stay.
    assert!(
        back["effects"]
            .as_array()
            .unwrap()
            .contains(&json!({ "kind": "missed_exit", "amount": 1700 })),
        "{back}"
    );
    let owed = &back["orders"][0];
    assert_eq!(owed["amount"], 1700, "{back}");
    assert_eq!(owed["status"], "pending");

    let stays = gate.stays().await;
    assert_eq!(stays.len(), 2, "{stays:?}");
    let old = stays
        .iter()
        .find(|s| s["entered_at"] == super::at("06:00:00"))
        .unwrap();
    assert_eq!(old["closed_by"], "exit_missed");
    assert_eq!(owed["session_id"], old["id"]);

    // Agents see what the plate owes.
    let agent = gate.agent().await;
    let pending = gate
        .app
        .read(&agent, &gate.path("orders?plate=粤B12345&status=pending"))
        .await;
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{pending}");
    assert_eq!(pending[0]["id"], owed["id"]);

    // At the next exit, within the free minutes of the new stay, the debt
    // holds the gate: one order of 17.00, all of it owed.
    let exit = gate.exit(Some("粤B12345"), "11:20:00").await;
    assert_eq!(said(&exit), ("hold", "payment_required"), "{exit}");
    assert_eq!(exit["fee"]["amount"], 1700);
    let order = &exit["orders"][0];
    assert_eq!(order["owed_included"], 1700, "{exit}");
    let url = exit["qr_url"].as_str().unwrap();
    assert!(url.ends_with(order["id"].as_str().unwrap()), "{url}");

    // Paying it settles the old stay's order too.
    let (status, paid) = gate
        .pay(json!({ "order_id": order["id"], "amount": 1700, "paid_at": super::at("11:21:00"), "payment_id": "wx-1" }), "11:21:05")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{paid}");
    assert_eq!(paid["orders_settled"], 2, "{paid}");
    assert!(
        paid["settled"].as_array().unwrap().contains(&owed["id"]),
        "{paid}"
    );
    // The new stay is still within its free minutes: nothing more to pay.
    let out = gate.exit(Some("粤B12345"), "11:22:00").await;
    assert_eq!(said(&out), ("open", "free_period"), "{out}");
    assert_eq!(
        gate.orders("?status=pending").await,
        Vec::<serde_json::Value>::new()
    );
}

crate::on_both!(a_missed_exit_is_owed_and_collected_at_the_next_exit);

async fn a_lot_may_hold_and_escalate_instead(backend: Backend) {
    let gate = Gate::open(backend, json!({ "missed_exit": "hold" })).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    let back = gate.entry(Some("粤B12345"), "11:00:00").await;
    assert_eq!(back["gate"], "hold", "{back}");
    assert!(
        back["effects"]
            .as_array()
            .unwrap()
            .contains(&json!({ "kind": "escalate" })),
        "{back}"
    );
    // The old stay is left for the agent: still open, nothing owed yet.
    let stays = gate.stays().await;
    assert_eq!(stays.len(), 1, "{stays:?}");
    assert!(stays[0]["exited_at"].is_null());
    assert_eq!(gate.orders("").await, Vec::<serde_json::Value>::new());
    let agent = gate.agent().await;
    let pending = gate
        .app
        .read(&agent, &gate.path("gates/north-entry/pending"))
        .await;
    assert_eq!(pending["plate"], "粤B12345", "{pending}");
}

crate::on_both!(a_lot_may_hold_and_escalate_instead);

/// A 0.1.0 module knows nothing of missed exits: the host prices the open
/// stay it replaces with the module's own quote, so that nothing owed is
/// dropped.
async fn a_0_1_0_module_leaves_nothing_unpriced(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.set_clock(&super::at("06:00:00"));
    let owner = app.owner.clone();
    let lot = app
        .lot(&owner, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;
    let bytes = boomgate_test_artifacts::read(boomgate_test_artifacts::POLICY_V0_1);
    let module = app
        .ok(StatusCode::CREATED, app.upload(&owner, &bytes).await)
        .await;
    assert_eq!(module["interface_version"], "0.1.0", "{module}");
    let digest = module["digest"].as_str().unwrap();
    let version = app
        .version(&owner, &lot.id, digest, &json!({ "greeting": "hello" }))
        .await;
    app.activate(&owner, &lot.id, version).await;

    let read = |event: &'static str, hms: &'static str| {
        let app = &app;
        let robot = lot.entry.clone();
        async move {
            app.set_clock(&super::at(hms));
            app.ok(
                StatusCode::OK,
                app.event(&robot, event, Some("粤B12345"), &super::at(hms))
                    .await,
            )
            .await
        }
    };
    read("in-1", "06:00:00").await;
    let back = read("in-2", "07:30:00").await;
    assert_eq!(back["gate"], "open", "{back}");
    // One fen a minute: 90 minutes owed.
    let orders = app
        .read(&owner, &format!("/v1/lots/{}/orders", lot.id))
        .await;
    assert_eq!(orders[0]["amount"], 90, "{orders}");
    let stays = app
        .read(&owner, &format!("/v1/lots/{}/sessions", lot.id))
        .await;
    assert!(
        stays
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["closed_by"] == "exit_missed"),
        "{stays}"
    );
}

crate::on_both!(a_0_1_0_module_leaves_nothing_unpriced);
