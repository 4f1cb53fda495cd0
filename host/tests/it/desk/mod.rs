//! The remote agents' desk, end to end (seed 001 §2.3-2.4, seed 000), one
//! module per section of the seed: each scene is written as the calls an
//! agent makes at the desk and what the robot at the gate then says, shows
//! and does.

mod applications;
mod calls;
mod cases;
mod centre;
mod demo;
mod devices;
mod entry;
mod exit;
mod fuzzy;
mod lists;
mod roles;
mod stated_exit;
mod tickets;

use boomgate_engine::sdk::testing::merge_patch;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Backend, Lot, TestApp, eventually, minutes_ago, standard_settings, unique};

const ENTRY: &str = "north-entry";
const EXIT: &str = "north-exit";

/// A 1x1 PNG: what an ID or scene camera sends, as far as the service cares.
const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0,
    0, 0, 31, 21, 196, 137, 0, 0, 0, 13, 73, 68, 65, 84, 120, 218, 99, 100, 248, 207, 80, 15, 0, 3,
    134, 1, 128, 90, 52, 125, 107, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// A JPEG-looking body, distinct per `tag`.
fn jpeg(tag: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend_from_slice(tag.as_bytes());
    bytes
}

/// The local date in Shanghai `days` from today.
fn day(days: i64) -> String {
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").expect("zone");
    let today = jiff::Timestamp::now().to_zoned(zone).date();
    today
        .checked_add(jiff::Span::new().days(days))
        .expect("date")
        .to_string()
}

/// A lot on the standard policy (its scenario settings, patched), and an
/// agent who serves it.
struct Desk<'a> {
    app: &'a TestApp,
    lot: Lot,
    agent: String,
}

impl<'a> Desk<'a> {
    async fn open(app: &'a TestApp, patch: Value) -> Desk<'a> {
        Self::open_in(app, patch, "Asia/Shanghai", "CNY", "standard-lot").await
    }

    async fn open_in(
        app: &'a TestApp,
        patch: Value,
        zone: &str,
        currency: &str,
        policy: &str,
    ) -> Desk<'a> {
        let owner = &app.owner;
        let lot = app.lot(owner, &unique("lot"), zone, currency).await;
        let bytes = boomgate_host::service::shipped::module(policy).expect("shipped policy");
        let module = app
            .ok(StatusCode::CREATED, app.upload(owner, bytes).await)
            .await;
        let mut settings = if policy == "standard-lot" {
            standard_settings()
        } else {
            pass_lot_settings()
        };
        merge_patch(&mut settings, &patch);
        let digest = module["digest"].as_str().expect("digest");
        let version = app.version(owner, &lot.id, digest, &settings).await;
        app.activate(owner, &lot.id, version).await;
        let agent = agent(app, owner, &[&lot.id]).await;
        Desk { app, lot, agent }
    }

    fn path(&self, rest: &str) -> String {
        format!("/v1/lots/{}{rest}", self.lot.id)
    }

    /// The agent's call, expecting `status`.
    async fn post(&self, status: StatusCode, rest: &str, body: Value) -> Value {
        let call = self.app.post(&self.agent, &self.path(rest), body).await;
        self.app.ok(status, call).await
    }

    /// The agent acts at a gate (`correct`, `open`, `visitor`, `match`):
    /// the outcome.
    async fn act(&self, gate: &str, action: &str, body: Value) -> Value {
        let path = format!("/gates/{gate}/{action}");
        self.post(StatusCode::OK, &path, body).await
    }

    /// The agent sends something to the robot's display.
    async fn push(&self, gate: &str, push: Value) -> Value {
        self.post(StatusCode::CREATED, &format!("/gates/{gate}/display"), push)
            .await
    }

    async fn get(&self, status: StatusCode, rest: &str) -> Value {
        let call = self.app.get(&self.agent, &self.path(rest)).await;
        self.app.ok(status, call).await
    }

    /// The owner registers a monthly pass.
    async fn pass(&self, plate: &str, valid_until: &str, account: &str, spaces: i64) {
        let body = json!({ "plate": plate, "valid_until": valid_until, "account": account, "spaces": spaces, "phone": format!("138{account:0>8}") });
        let call = self
            .app
            .post(&self.app.owner, &self.path("/monthly-passes"), body)
            .await;
        self.app.ok(StatusCode::CREATED, call).await;
    }

    /// A plate read at a gate `ago` minutes ago; the robot's answer.
    async fn read(&self, gate: &str, plate: Option<&str>, ago: i64) -> Value {
        let robot = if gate == ENTRY {
            &self.lot.entry
        } else {
            &self.lot.exit
        };
        let call = self
            .app
            .event(robot, &unique("ev"), plate, &minutes_ago(ago))
            .await;
        self.app.ok(StatusCode::OK, call).await
    }

    /// The payment system reports a payment for the plate's stay.
    async fn pay(&self, plate: &str, amount: i64) {
        let body = json!({ "plate": plate, "amount": amount, "paid_at": minutes_ago(0) });
        let call = self
            .app
            .post(&self.app.owner, &self.path("/payments"), body)
            .await;
        self.app.ok(StatusCode::CREATED, call).await;
    }

    /// What the robot at `gate` was last told by an agent.
    async fn robot_told(&self, gate: &str) -> Value {
        let robot = if gate == ENTRY {
            &self.lot.entry
        } else {
            &self.lot.exit
        };
        let call = self.app.get(robot, "/v1/robot/commands").await;
        let body = self.app.ok(StatusCode::OK, call).await;
        let commands = body["commands"].as_array().expect("commands");
        assert_eq!(body["next"], commands.last().expect("a command")["id"]);
        commands.last().expect("a command").clone()
    }

    /// Uploads a photo as the agent; its digest.
    async fn photo(&self, content_type: &str, bytes: Vec<u8>) -> String {
        let response = self
            .app
            .client
            .post(format!("{}{}", self.app.url, self.path("/photos")))
            .bearer_auth(&self.agent)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        body["digest"].as_str().expect("digest").to_owned()
    }

    /// The vehicles inside, as the owner lists them.
    async fn inside(&self) -> Vec<Value> {
        let call = self
            .app
            .get(&self.app.owner, &self.path("/sessions?inside=true"))
            .await;
        let body = self.app.ok(StatusCode::OK, call).await;
        body.as_array().expect("stays").clone()
    }

    async fn stay_of(&self, plate: &str) -> Value {
        let record = self
            .get(StatusCode::OK, &format!("/stays?plate={plate}"))
            .await;
        record["stays"][0].clone()
    }
}

fn pass_lot_settings() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/scenarios/pass-lot/settings.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("settings")).expect("settings JSON")
}

/// An agent token for `lots`.
async fn agent(app: &TestApp, owner: &str, lots: &[&str]) -> String {
    let body = json!({ "name": unique("agent "), "lots": lots });
    let created = app
        .ok(
            StatusCode::CREATED,
            app.post(owner, "/v1/agents", body).await,
        )
        .await;
    created["token"].as_str().expect("token").to_owned()
}

/// What the robot says, shows and lights, as the seed writes it.
#[track_caller]
fn says(decision: &Value, reason: &str, voice: &str, display: Value, light: &str) {
    assert_eq!(decision["reason"], reason, "{decision}");
    assert_eq!(decision["voice"], voice, "{decision}");
    assert_eq!(decision["display"], display, "{decision}");
    assert_eq!(decision["light"], light, "{decision}");
}

/// `minutes` after an RFC 3339 instant the service gave.
fn after(instant: &Value, minutes: i64) -> String {
    let at: jiff::Timestamp = instant
        .as_str()
        .expect("an instant")
        .parse()
        .expect("RFC 3339");
    (at + jiff::SignedDuration::from_mins(minutes)).to_string()
}

fn smile() -> Value {
    json!({ "kind": "smile" })
}

fn qr(code: &str) -> Value {
    json!({ "kind": "qr", "qr": code })
}
