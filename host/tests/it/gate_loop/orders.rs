//! Every `create_order` is an order: an id, its amount locked, when it was
//! priced and until when it is offered, returned with the event and listed
//! for owners, agents and the payment system.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Gate, at, said};
use crate::harness::Backend;

async fn orders_are_listed_read_and_cancelled(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    gate.entry(Some("粤B67890"), "06:00:10").await;
    let quoted = gate.exit(Some("粤B12345"), "08:00:00").await;
    let order = quoted["orders"][0].clone();
    assert_eq!(order["kind"], "temporary");
    assert_eq!(order["status"], "pending");
    assert_eq!(order["currency"], "CNY");
    assert_eq!(order["plate"], "粤B12345");
    assert_eq!(order["decision_id"], quoted["decision_id"]);
    // Offered for 30 minutes (`order_expiry_minutes`).
    assert_eq!(order["expires_at"], at("08:30:00"));
    assert_eq!(order["expired"], false);
    gate.exit(Some("粤B67890"), "08:00:10").await;

    // By id, for each who may read it; the same order for all.
    let path = gate.path(&format!("orders/{}", order["id"].as_str().unwrap()));
    let agent = gate.agent().await;
    for who in [&gate.app.owner, &gate.payments, &agent] {
        let read = gate.app.read(who, &path).await;
        assert_eq!(read["id"], order["id"]);
        assert_eq!(read["amount"], 800);
    }
    let (status, body) = gate.app.get(&agent, &gate.path("orders/ord-none")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // Listed newest first, by plate and status.
    let all = gate.orders("").await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[1]["id"], order["id"]);
    let mine = gate.orders("?plate=粤B12345").await;
    assert_eq!(ids(&mine), [order["id"].clone()]);
    assert_eq!(gate.orders("?status=paid").await, Vec::<Value>::new());
    let (status, body) = gate
        .app
        .get(&agent, &gate.path("orders?status=owing"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("status"), "{body}");

    // An agent cancels one (the driver was let out another way); it is no
    // longer pending, and a second cancel says so.
    let cancel = format!("{path}/cancel");
    let cancelled = gate
        .app
        .ok(
            StatusCode::OK,
            gate.app.post(&agent, &cancel, json!({})).await,
        )
        .await;
    assert_eq!(cancelled["status"], "cancelled");
    let (status, body) = gate.app.post(&agent, &cancel, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cancelled"),
        "{body}"
    );
    assert_eq!(gate.orders("?status=pending").await.len(), 1);

    // A cancelled order cannot be paid.
    let pay = json!({ "order_id": order["id"], "amount": 800, "paid_at": at("08:01:00") });
    let (status, body) = gate.pay(pay, "08:01:00").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

crate::on_both!(orders_are_listed_read_and_cancelled);

fn ids(orders: &[Value]) -> Vec<Value> {
    orders.iter().map(|o| o["id"].clone()).collect()
}

/// A new read at the exit prices the stay again: the new order replaces
/// the last (which a driver who scanned it may still pay), and past its
/// expiry an order says so.
async fn a_new_read_replaces_the_order(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    let first = gate.exit(Some("粤B12345"), "08:00:00").await;
    let old = first["orders"][0]["id"].clone();
    // The same price a minute later (still 8.00 until 08:00 + 1 min... it
    // crossed: 11.00) is a new order.
    let second = gate.exit(Some("粤B12345"), "08:01:00").await;
    assert_eq!(second["fee"]["amount"], 1100, "{second}");
    let new = second["orders"][0]["id"].clone();
    assert_ne!(new, old);
    let orders = gate.orders("?plate=粤B12345").await;
    let status = |id: &Value| orders.iter().find(|o| o["id"] == *id).unwrap()["status"].clone();
    assert_eq!(status(&old), "replaced");
    assert_eq!(status(&new), "pending");

    // The driver paid the first QR code scanned: the stay is settled up to
    // its price time, and within the grace the gate opens.
    let pay = json!({ "order_id": old, "amount": 800, "paid_at": at("08:02:00") });
    let (code, paid) = gate.pay(pay, "08:02:00").await;
    assert_eq!(code, StatusCode::CREATED, "{paid}");
    assert_eq!(paid["settled_until"], at("08:00:00"));
    let out = gate.exit(Some("粤B12345"), "08:03:00").await;
    assert_eq!(said(&out), ("open", "paid"), "{out}");

    // An order not paid within its 30 minutes is shown as expired.
    gate.entry(Some("粤B67890"), "08:00:00").await;
    let quoted = gate.exit(Some("粤B67890"), "09:00:00").await;
    let id = quoted["orders"][0]["id"].as_str().unwrap().to_owned();
    gate.app.set_clock(&at("09:31:00"));
    let read = gate
        .app
        .read(&gate.payments, &gate.path(&format!("orders/{id}")))
        .await;
    assert_eq!(read["expired"], true, "{read}");
}

crate::on_both!(a_new_read_replaces_the_order);
