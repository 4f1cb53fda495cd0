//! The payment system: it pays the order a QR code names, with its own
//! token (role `payments`), and retries safely. Paying the quoted amount
//! settles the stay up to the quote's moment, so a driver who pays what
//! the robot asked leaves within the payment grace however long paying
//! took.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Gate, PAYMENT_LINK, at, said};
use crate::harness::{Backend, join_all};

/// The README's walk-through at human speed: quoted at 08:00:00, paid 40
/// seconds later when the stay has crossed into a minute that costs 3.00
/// more, out at 08:01:30.
async fn paying_the_quoted_amount_opens_the_gate(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    let quoted = gate.exit(Some("粤B12345"), "08:00:00").await;
    assert_eq!(said(&quoted), ("hold", "payment_required"), "{quoted}");
    assert_eq!(quoted["fee"], json!({ "amount": 800, "currency": "CNY" }));
    let order = quoted["orders"][0].clone();
    let id = order["id"].as_str().expect("an order id");
    assert_eq!(order["amount"], 800);
    assert_eq!(order["priced_at"], at("08:00:00"));
    assert_eq!(quoted["qr_url"], PAYMENT_LINK.replace("{order_id}", id));

    let payment =
        json!({ "order_id": id, "amount": 800, "paid_at": at("08:00:40"), "payment_id": "wx-42" });
    let (status, paid) = gate.pay(payment, "08:00:41").await;
    assert_eq!(status, StatusCode::CREATED, "{paid}");
    assert_eq!(paid["order_id"], id);
    assert_eq!(paid["settled_until"], at("08:00:00"));
    assert_eq!(paid["paid_amount"], 800);
    assert_eq!(paid["orders_settled"], 1);

    let out = gate.exit(Some("粤B12345"), "08:01:30").await;
    assert_eq!(said(&out), ("open", "paid"), "{out}");
    assert_eq!(out["voice"], "一路平安");
    let paid_order = gate
        .app
        .read(&gate.payments, &gate.path(&format!("orders/{id}")))
        .await;
    assert_eq!(paid_order["status"], "paid", "{paid_order}");
}

crate::on_both!(paying_the_quoted_amount_opens_the_gate);

/// Past the grace, only the time after the quote is billed: 11.00 for
/// 2h20m less the 8.00 settled.
async fn past_the_grace_only_the_time_after_the_quote_is_billed(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    let quoted = gate.exit(Some("粤B12345"), "08:00:00").await;
    let id = quoted["orders"][0]["id"].clone();
    let payment = json!({ "order_id": id, "amount": 800, "paid_at": at("08:00:40") });
    assert_eq!(gate.pay(payment, "08:00:41").await.0, StatusCode::CREATED);
    let late = gate.exit(Some("粤B12345"), "08:20:00").await;
    assert_eq!(said(&late), ("hold", "payment_required"), "{late}");
    assert_eq!(late["fee"]["amount"], 300, "{late}");
}

crate::on_both!(past_the_grace_only_the_time_after_the_quote_is_billed);

/// A hold is decided again once the plate paid, even within the debounce
/// window: a fast payer is not a duplicate read.
async fn a_fast_payer_is_not_a_duplicate(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    let quoted = gate.exit(Some("粤B12345"), "08:00:00").await;
    let payment =
        json!({ "order_id": quoted["orders"][0]["id"], "amount": 800, "paid_at": at("08:00:03") });
    assert_eq!(gate.pay(payment, "08:00:03").await.0, StatusCode::CREATED);
    let out = gate.exit(Some("粤B12345"), "08:00:05").await;
    assert_eq!(said(&out), ("open", "paid"), "{out}");
    assert!(out.get("duplicate_of").is_none(), "{out}");
}

crate::on_both!(a_fast_payer_is_not_a_duplicate);

async fn a_retried_payment_gets_its_stored_answer(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    let quoted = gate.exit(Some("粤B12345"), "08:00:00").await;
    let payment = json!({ "order_id": quoted["orders"][0]["id"], "amount": 800, "paid_at": at("08:00:40"), "payment_id": "wx-42" });

    // The payment system's link is flaky: ten sends of one payment at
    // once record it once, and all get its answer.
    let sends = (0..10)
        .map(|_| Box::pin(gate.pay(payment.clone(), "08:00:41")))
        .collect();
    let answers = join_all(sends).await;
    let created = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{answers:?}");
    let first = &answers
        .iter()
        .find(|(s, _)| *s == StatusCode::CREATED)
        .unwrap()
        .1;
    for (status, answer) in &answers {
        assert!(
            matches!(*status, StatusCode::CREATED | StatusCode::OK),
            "{answer}"
        );
        assert_eq!(answer["payment_id"], first["payment_id"]);
        assert_eq!(answer["paid_amount"], 800);
        assert_eq!(answer["replayed"], *status == StatusCode::OK);
    }
    let (status, again) = gate.pay(payment.clone(), "08:05:00").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["settled_until"], first["settled_until"]);

    // The same id for another payment is a mistake: 409 naming the field.
    let mut other = payment.clone();
    other["amount"] = json!(900);
    let (status, body) = gate.pay(other, "08:05:00").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`amount`") && message.contains("wx-42"),
        "{message}"
    );
    let stays = gate.stays().await;
    assert_eq!(stays[0]["paid_amount"], 800, "recorded once");
}

crate::on_both!(a_retried_payment_gets_its_stored_answer);

/// Payment ids are the payment system's, per lot: another owner's `wx-42`
/// neither fails nor learns of this one.
async fn payment_ids_are_per_lot(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    let pay = json!({ "plate": "粤B12345", "amount": 500, "paid_at": at("07:00:00"), "payment_id": "wx-42" });
    assert_eq!(
        gate.pay(pay.clone(), "07:00:01").await.0,
        StatusCode::CREATED
    );

    let app = &gate.app;
    let other_owner = app.new_owner("Other owner").await;
    let other = app.visitor_lot(&other_owner, &json!({})).await;
    app.ok(
        StatusCode::OK,
        app.event(&other.entry, "in", Some("粤B12345"), &at("06:00:00"))
            .await,
    )
    .await;
    let body = json!({ "role": "payments", "name": "their payments", "lots": [other.id] });
    let theirs = app
        .ok(
            StatusCode::CREATED,
            app.post(&other_owner, "/v1/tokens", body).await,
        )
        .await;
    let theirs = theirs["token"].as_str().unwrap();
    let (status, answer) = app
        .post(theirs, &format!("/v1/lots/{}/payments", other.id), pay)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["replayed"], false);
}

crate::on_both!(payment_ids_are_per_lot);

/// A `payments` token pays and reads orders of its lots, and nothing else.
async fn the_payments_role_pays_and_reads_orders_only(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    let app = &gate.app;
    let token = &gate.payments;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    assert_eq!(app.get(token, &gate.path("orders")).await.0, StatusCode::OK);
    for path in [
        gate.path("sessions"),
        gate.path("decisions"),
        "/v1/lots".to_owned(),
        "/v1/tokens".to_owned(),
    ] {
        let (status, body) = app.get(token, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (status, _) = app
        .event(token, "e", Some("粤B12345"), &at("06:00:00"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cancel = app
        .post(token, &gate.path("orders/ord-x/cancel"), json!({}))
        .await;
    assert_eq!(cancel.0, StatusCode::FORBIDDEN, "{}", cancel.1);

    // Another lot of the same owner is not its own: it is not there.
    let other = app
        .lot(
            &app.owner,
            &crate::harness::unique("lot"),
            "Asia/Shanghai",
            "CNY",
        )
        .await;
    let path = format!("/v1/lots/{}/payments", other.id);
    let pay = json!({ "plate": "粤B12345", "amount": 500, "paid_at": at("07:00:00") });
    let (status, body) = app.post(token, &path, pay.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // An agent is not the payment system.
    let agent = gate.agent().await;
    let (status, body) = app.post(&agent, &gate.path("payments"), pay.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("payment system"),
        "{body}"
    );

    // A revoked token is refused.
    let listed = app.read(&app.owner, "/v1/tokens").await;
    let id = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["role"] == "payments")
        .map(|t| t["id"].clone())
        .unwrap();
    assert!(
        listed.to_string().find(token.as_str()).is_none(),
        "secrets are not listed"
    );
    let revoke = app
        .post(
            &app.owner,
            &format!("/v1/tokens/{}/revoke", id.as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(revoke.0, StatusCode::NO_CONTENT, "{}", revoke.1);
    let (status, _) = gate.pay(pay, "07:00:05").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

crate::on_both!(the_payments_role_pays_and_reads_orders_only);

/// Tokens for roles that do not exist, or lots that are not the owner's,
/// are refused naming the field.
async fn machine_tokens_are_checked(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    let app = &gate.app;
    let cases: [(Value, &str); 3] = [
        (
            json!({ "role": "root", "name": "x", "lots": [gate.lot.id] }),
            "role",
        ),
        (
            json!({ "role": "payments", "name": "x", "lots": [] }),
            "lots",
        ),
        (
            json!({ "role": "payments", "name": "x", "lots": ["not-mine"] }),
            "`not-mine`",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app.post(&app.owner, "/v1/tokens", body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status} {answer}");
        assert!(answer.to_string().contains(field), "{body}: {answer}");
    }
}

crate::on_both!(machine_tokens_are_checked);
