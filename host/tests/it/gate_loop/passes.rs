//! Monthly passes in the gate loop: a renewal order is settled when the
//! renewal is paid or the owner extends the pass; a pass that lapsed
//! during a stay bills only the days after its last valid day.

use reqwest::StatusCode;
use serde_json::json;

use super::{Gate, at, said};
use crate::harness::Backend;

/// Registers `plate` on a pass valid until `valid_until`.
async fn pass(gate: &Gate, plate: &str, valid_until: &str) {
    let account = format!("acct-{}", plate.trim_start_matches("粤B"));
    let body =
        json!({ "plate": plate, "valid_until": valid_until, "account": account, "spaces": 1 });
    let path = gate.path("monthly-passes");
    gate.app
        .ok(
            StatusCode::CREATED,
            gate.app.post(&gate.app.owner, &path, body).await,
        )
        .await;
}

async fn renewal_orders_settle_when_the_pass_is_renewed(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    for plate in ["粤B11111", "粤B22222"] {
        pass(&gate, plate, "2099-12-31").await;
        let entry = gate.entry(Some(plate), "06:00:00").await;
        assert_eq!(entry["gate"], "open", "{entry}");
        // The pass ran out four days ago (the owner recorded it late).
        pass(&gate, plate, "2026-11-18").await;
    }
    let mut renewals = Vec::new();
    for plate in ["粤B11111", "粤B22222"] {
        let held = gate.exit(Some(plate), "08:00:00").await;
        assert_eq!(
            said(&held),
            ("hold", "monthly_pass_expired_renew"),
            "{held}"
        );
        let order = held["orders"][0].clone();
        assert_eq!(order["kind"], "monthly_renewal", "{held}");
        assert!(order["amount"].is_null());
        renewals.push(order["id"].clone());
    }

    // One renews at the lot office: the owner extends the pass.
    pass(&gate, "粤B11111", "2026-12-31").await;
    // The other pays the renewal the QR code named.
    let pay = json!({ "order_id": renewals[1], "amount": 30000, "paid_at": at("08:02:00"), "valid_until": "2026-12-31" });
    let (status, paid) = gate.pay(pay, "08:02:00").await;
    assert_eq!(status, StatusCode::CREATED, "{paid}");
    assert_eq!(paid["valid_until"], "2026-12-31");

    for (plate, id) in ["粤B11111", "粤B22222"].into_iter().zip(&renewals) {
        let order = gate
            .app
            .read(
                &gate.payments,
                &gate.path(&format!("orders/{}", id.as_str().unwrap())),
            )
            .await;
        assert_eq!(order["status"], "paid", "{plate}: {order}");
        let out = gate.exit(Some(plate), "08:05:00").await;
        assert_eq!(said(&out), ("open", "monthly_pass_valid"), "{plate}: {out}");
    }
    assert_eq!(
        gate.orders("?status=pending").await,
        Vec::<serde_json::Value>::new()
    );
}

crate::on_both!(renewal_orders_settle_when_the_pass_is_renewed);

/// A 12-day stay that began while the pass was valid, the pass lapsed
/// beyond the renewal window: billed from 11-15 00:00, 7 days at the cap
/// and 8h16m, 239.00 (not 360.00 for all twelve days).
async fn a_lapsed_pass_bills_from_the_end_of_its_last_day(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    pass(&gate, "粤B12345", "2026-11-14").await;
    let entry = gate
        .entry(Some("粤B12345"), "2026-11-10T08:00:00+08:00")
        .await;
    assert_eq!(said(&entry).0, "open", "{entry}");
    let exit = gate.exit(Some("粤B12345"), "08:15:02").await;
    assert_eq!(said(&exit), ("hold", "monthly_pass_lapsed"), "{exit}");
    assert_eq!(exit["fee"]["amount"], 23900, "{exit}");
    let trace = exit["trace"].to_string();
    assert!(
        trace.contains("billed from 2026-11-15T00:00:00+08:00"),
        "{trace}"
    );
    assert_eq!(exit["orders"][0]["amount"], 23900);
}

crate::on_both!(a_lapsed_pass_bills_from_the_end_of_its_last_day);
