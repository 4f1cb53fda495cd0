//! The gate loop a real lot runs, end to end over HTTP on both backends,
//! each scene in the words of a robot integrator or a payment system: the
//! calls they make and what comes back. Duplicate reads, an entry whose
//! earlier exit was missed, orders and payments, the app's parking pass,
//! clocks out of bounds, simultaneous reads, and storage that fails.
//!
//! Every scene runs on 2026-11-22 in Shanghai on the service's own clock,
//! set to each read's moment, so that fees are exact.

mod app;
mod clocks;
mod duplicates;
mod faults;
mod missed_exit;
mod orders;
mod passes;
mod payments;
mod races;

use boomgate_host::service::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Backend, Lot, TestApp, unique};

/// 2026-11-22 at `hms` in Shanghai; a full RFC 3339 instant as it is.
pub fn at(hms: &str) -> String {
    if hms.contains('T') {
        hms.to_owned()
    } else {
        format!("2026-11-22T{hms}+08:00")
    }
}

/// The payment page the lot's QR codes point at.
pub const PAYMENT_LINK: &str = "https://pay.example.com/o/{order_id}";

/// A lot on the standard policy (its scenario settings with visitors
/// admitted, patched), with a payment link and a payment system's token.
pub struct Gate {
    pub app: TestApp,
    pub lot: Lot,
    /// The payment system's token for the lot.
    pub payments: String,
}

impl Gate {
    pub async fn open(backend: Backend, patch: Value) -> Gate {
        Self::open_with(backend, |_| {}, patch).await
    }

    pub async fn open_with(
        backend: Backend,
        tweak: impl FnOnce(&mut Config),
        patch: Value,
    ) -> Gate {
        let app = TestApp::spawn_with(backend, tweak).await;
        Self::on(app, patch).await
    }

    /// A lot on a running service.
    pub async fn on(app: TestApp, patch: Value) -> Gate {
        app.set_clock(&at("06:00:00"));
        let owner = app.owner.clone();
        let lot = app.visitor_lot(&owner, &patch).await;
        let link = json!({ "payment_link": PAYMENT_LINK });
        app.ok(
            StatusCode::OK,
            app.send(
                &app.client,
                reqwest::Method::PATCH,
                &owner,
                &format!("/v1/lots/{}", lot.id),
                Some(link),
            )
            .await,
        )
        .await;
        let payments = token(&app, "payments", &lot.id).await;
        Gate { app, lot, payments }
    }

    /// The entry robot reads `plate` at `hms`: the service's clock says it
    /// is then.
    pub async fn entry(&self, plate: Option<&str>, hms: &str) -> Value {
        self.read(&self.lot.entry, plate, hms).await
    }

    /// The exit robot reads `plate` at `hms`.
    pub async fn exit(&self, plate: Option<&str>, hms: &str) -> Value {
        self.read(&self.lot.exit, plate, hms).await
    }

    async fn read(&self, robot: &str, plate: Option<&str>, hms: &str) -> Value {
        let (status, answer) = self.read_as(robot, &unique("ev"), plate, hms).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    /// A read with its event id, and whatever comes back.
    pub async fn read_as(
        &self,
        robot: &str,
        event_id: &str,
        plate: Option<&str>,
        hms: &str,
    ) -> (StatusCode, Value) {
        self.app.set_clock(&at(hms));
        self.app.event(robot, event_id, plate, &at(hms)).await
    }

    /// The payment system posts `payment` at `hms`.
    pub async fn pay(&self, payment: Value, hms: &str) -> (StatusCode, Value) {
        self.app.set_clock(&at(hms));
        self.app
            .post(&self.payments, &self.path("payments"), payment)
            .await
    }

    /// `/v1/lots/{lot}/<rest>`.
    pub fn path(&self, rest: &str) -> String {
        format!("/v1/lots/{}/{rest}", self.lot.id)
    }

    /// A GET by the owner that must succeed.
    pub async fn read_path(&self, rest: &str) -> Value {
        self.app.read(&self.app.owner, &self.path(rest)).await
    }

    /// The lot's orders, as the payment system lists them.
    pub async fn orders(&self, query: &str) -> Vec<Value> {
        let path = self.path(&format!("orders{query}"));
        let list = self.app.read(&self.payments, &path).await;
        list.as_array().expect("a list").clone()
    }

    /// The lot's stays, newest first.
    pub async fn stays(&self) -> Vec<Value> {
        let stays = self.read_path("sessions").await;
        stays.as_array().expect("a list").clone()
    }

    /// An agent serving the lot.
    pub async fn agent(&self) -> String {
        let body = json!({ "name": "desk", "lots": [self.lot.id] });
        let created = self
            .app
            .ok(
                StatusCode::CREATED,
                self.app.post(&self.app.owner, "/v1/agents", body).await,
            )
            .await;
        created["token"].as_str().expect("token").to_owned()
    }
}

/// A machine token of `role` (`payments` or `app`) for `lot`.
pub async fn token(app: &TestApp, role: &str, lot: &str) -> String {
    let body = json!({ "role": role, "name": format!("{role} system"), "lots": [lot] });
    let created = app
        .ok(
            StatusCode::CREATED,
            app.post(&app.owner, "/v1/tokens", body).await,
        )
        .await;
    created["token"].as_str().expect("token").to_owned()
}

/// Asserts a call was refused with `status` and a message that says
/// `says`.
pub fn refused(call: (StatusCode, Value), status: StatusCode, says: &str) {
    let (got, body) = call;
    assert_eq!(got, status, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "`{says}` not in: {body}");
}

/// The `(gate, reason)` of an answer.
pub fn said(answer: &Value) -> (&str, &str) {
    (
        answer["gate"].as_str().unwrap_or("?"),
        answer["reason"].as_str().unwrap_or("?"),
    )
}

/// The value of a metric line (`name{labels}`), 0 when absent.
pub fn metric(text: &str, line: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(line)?.trim().parse().ok())
        .unwrap_or(0.0)
}
