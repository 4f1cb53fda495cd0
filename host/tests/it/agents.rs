//! The remote agents' side, end to end (seed 001 §2.3-2.4, seed 000): each
//! scene is written as the calls an agent makes at the desk and what the
//! robot at the gate then says, shows and does.

use boomgate_engine::sdk::testing::merge_patch;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Backend, Lot, TestApp, minutes_ago, standard_settings, unique};

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

// ---------------------------------------------------------------- entry (seed 001 §2.3 B)

async fn entry_scenes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The lot confirms visitors: strangers do not simply drive in.
    let desk = Desk::open(&app, json!({ "visitor_confirmation": true })).await;

    // Scene 1: a valid monthly pass read as a stranger. The agent reads the
    // plate on the scene camera, enters it, and the gate opens.
    desk.pass("粤B10001", &day(30), "1", 1).await;
    let held = desk.read(ENTRY, Some("粤B1O001"), 0).await;
    assert_eq!(held["gate"], "hold");
    let pending = desk.get(StatusCode::OK, "/gates/north-entry/pending").await;
    assert_eq!(pending["decision_id"], held["decision_id"]);
    assert_eq!(pending["plate"], "粤B1O001");
    assert_eq!(
        pending["decision"]["reason"],
        "visitor_confirmation_required"
    );
    assert!(
        !pending["decision"]["trace"]
            .as_array()
            .expect("trace")
            .is_empty()
    );
    assert!(pending["facts"]["monthly_pass"].is_null());
    let outcome = desk
        .act(ENTRY, "correct", json!({ "plate": "粤B10001" }))
        .await;
    assert_eq!(outcome["opened"], true);
    assert_eq!(outcome["supersedes"], held["decision_id"]);
    says(
        &outcome["decision"],
        "monthly_pass_valid",
        "欢迎回家",
        smile(),
        "green",
    );
    let told = desk.robot_told(ENTRY).await;
    assert_eq!(told["kind"], "decision");
    assert_eq!(told["gate"], "open");
    assert_eq!(told["decision_id"], outcome["decision_id"]);
    says(&told, "monthly_pass_valid", "欢迎回家", smile(), "green");
    // Both decisions stay in the record; the agent's names the one it replaced.
    let log = app
        .read(&app.owner, &desk.path("/decisions?gate=north-entry"))
        .await;
    let log = log.as_array().expect("log");
    assert_eq!(log[0]["id"], outcome["decision_id"]);
    assert_eq!(log[0]["source"], "agent");
    assert_eq!(log[0]["supersedes"], held["decision_id"]);
    assert!(
        log[0]["decided_by"]
            .as_str()
            .expect("who")
            .starts_with("agent:")
    );
    assert_eq!(log[1]["id"], held["decision_id"]);
    assert_eq!(
        log[1]["decision"]["reason"],
        "visitor_confirmation_required"
    );
    let inside = desk.inside().await;
    assert_eq!(inside.len(), 1);
    assert_eq!(
        (inside[0]["plate"].as_str(), inside[0]["billing"].as_str()),
        (Some("粤B10001"), Some("monthly"))
    );
    // Nothing is held any more.
    desk.get(StatusCode::NOT_FOUND, "/gates/north-entry/pending")
        .await;

    // Scene 2a: a pass expired 2 days ago. The agent sees it in the held
    // event's facts and opens: it enters as a temporary stay.
    desk.pass("粤B20001", &day(-2), "2", 1).await;
    let held = desk.read(ENTRY, Some("粤B20001"), 0).await;
    assert_eq!(held["gate"], "hold");
    let pending = desk.get(StatusCode::OK, "/gates/north-entry/pending").await;
    assert_eq!(pending["facts"]["monthly_pass"]["days_expired"], 2);
    assert_eq!(pending["facts"]["monthly_pass"]["valid"], false);
    let outcome = desk.act(ENTRY, "open", json!({ "kind": "normal" })).await;
    assert_eq!(outcome["opened"], true);
    says(
        &outcome["decision"],
        "monthly_pass_expired_agent_open",
        "欢迎回家",
        smile(),
        "green",
    );
    says(
        &desk.robot_told(ENTRY).await,
        "monthly_pass_expired_agent_open",
        "欢迎回家",
        smile(),
        "green",
    );
    assert_eq!(desk.stay_of("粤B20001").await["billing"], "temporary");

    // Scene 2b: expired 5 days: the pass must be renewed first. The agent's
    // open is refused and changes nothing; the agent sends the renewal code.
    desk.pass("粤B20002", &day(-5), "3", 1).await;
    let held = desk.read(ENTRY, Some("粤B20002"), 0).await;
    let outcome = desk.act(ENTRY, "open", json!({ "kind": "normal" })).await;
    assert_eq!(outcome["opened"], false);
    assert!(outcome["decision_id"].is_null());
    assert_eq!(outcome["decision"]["reason"], "monthly_pass_expired_renew");
    let pending = desk.get(StatusCode::OK, "/gates/north-entry/pending").await;
    assert_eq!(
        pending["decision_id"], held["decision_id"],
        "a refused open leaves the hold"
    );
    let push =
        json!({ "display": qr("monthly_renewal"), "voice": "您的月卡已过期，请扫码缴费后进场" });
    desk.push(ENTRY, push).await;
    let told = desk.robot_told(ENTRY).await;
    assert_eq!(told["kind"], "display");
    assert_eq!(
        (&told["display"], &told["voice"], &told["light"]),
        (
            &qr("monthly_renewal"),
            &json!("您的月卡已过期，请扫码缴费后进场"),
            &json!("green")
        )
    );

    // Scene 3a: no plate. The agent sends the unplated entry code.
    let held = desk.read(ENTRY, None, 0).await;
    says(
        &held,
        "unplated_entry",
        "您的车牌无法识别，请扫码后开闸进场，出场前请在出口处扫码出场",
        qr("unplated_entry"),
        "green",
    );
    let push = json!({ "display": qr("unplated_entry"), "voice": "您的车牌无法识别，请扫码后开闸进场，出场前请在出口处扫码出场" });
    desk.push(ENTRY, push).await;
    assert_eq!(
        desk.robot_told(ENTRY).await["display"],
        qr("unplated_entry")
    );
    // Scene 3b: a police car: an abnormal opening with its reason and note.
    let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "  " });
    let refused = desk
        .post(StatusCode::BAD_REQUEST, "/gates/north-entry/open", body)
        .await;
    assert_eq!(refused["error"]["fields"][0]["path"], "note", "{refused}");
    let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "警车粤BXXXXX，XX警官进出" });
    let outcome = desk.act(ENTRY, "open", body).await;
    assert_eq!(outcome["opened"], true);
    assert_eq!(outcome["decision"]["reason"], "abnormal_opening");
    assert_eq!(desk.robot_told(ENTRY).await["gate"], "open");

    // Scene 4a: a visitor. The agent takes the driver's phone and reason and
    // registers them; the robot welcomes them; the stay is temporary.
    let held = desk.read(ENTRY, Some("粤B40001"), 0).await;
    assert_eq!(held["reason"], "visitor_confirmation_required");
    let body = json!({ "phone": "not a phone", "reason": "1单元303业主客人，业主已确认放行" });
    let refused = desk
        .post(StatusCode::BAD_REQUEST, "/gates/north-entry/visitor", body)
        .await;
    assert_eq!(refused["error"]["fields"][0]["path"], "phone");
    let body = json!({ "phone": "13800000000", "reason": "1单元303业主客人，业主已确认放行" });
    let outcome = desk.act(ENTRY, "visitor", body).await;
    assert_eq!(outcome["opened"], true);
    says(
        &outcome["decision"],
        "visitor_welcome",
        "欢迎光临",
        smile(),
        "green",
    );
    says(
        &desk.robot_told(ENTRY).await,
        "visitor_welcome",
        "欢迎光临",
        smile(),
        "green",
    );
    assert_eq!(desk.stay_of("粤B40001").await["billing"], "temporary");
    // Scene 4b: a special person, let in abnormally: the stay is not billed.
    desk.read(ENTRY, Some("粤B40002"), 0).await;
    let body =
        json!({ "kind": "abnormal", "reason": "special_person", "note": "消防检查，XX队长" });
    assert_eq!(desk.act(ENTRY, "open", body).await["opened"], true);
    assert_eq!(desk.stay_of("粤B40002").await["billing"], "free");

    // Scene 5: an account of one space whose vehicle is inside.
    desk.pass("粤B50001", &day(30), "5", 1).await;
    desk.pass("粤B50002", &day(30), "5", 1).await;
    assert_eq!(desk.read(ENTRY, Some("粤B50001"), 1).await["gate"], "open");
    let held = desk.read(ENTRY, Some("粤B50002"), 0).await;
    says(
        &held,
        "shared_spaces_full",
        "您的共享车位已满，该车场不允许临停车辆进场，有需请联系管理处",
        json!({ "kind": "vehicles_inside" }),
        "yellow",
    );
    // 5b: the lot is full: the agent shows the account's vehicles inside again.
    let push = json!({ "display": { "kind": "vehicles_inside" }, "voice": "您的共享车位已满，该车场不允许临停车辆进场，有需请联系管理处", "light": "yellow" });
    desk.push(ENTRY, push).await;
    let told = desk.robot_told(ENTRY).await;
    assert_eq!(told["light"], "yellow");
    assert_eq!(told["vehicles_inside"][0]["plate"], "粤B50001");
    // 5a: there is room after all: the agent opens; it enters as temporary.
    let outcome = desk.act(ENTRY, "open", json!({ "kind": "normal" })).await;
    assert_eq!(outcome["opened"], true);
    assert_eq!(outcome["decision"]["reason"], "shared_spaces_full_visitor");
    assert_eq!(desk.stay_of("粤B50002").await["billing"], "temporary");

    // Every opening is accounted for, newest first.
    let openings = app.read(&app.owner, &desk.path("/openings")).await;
    let kinds: Vec<&str> = openings
        .as_array()
        .expect("openings")
        .iter()
        .map(|o| o["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        [
            "normal",
            "abnormal",
            "visitor",
            "abnormal",
            "normal",
            "correction"
        ]
    );
    let visitor = &openings[2];
    assert_eq!(
        (visitor["plate"].as_str(), visitor["reason"].as_str()),
        (Some("粤B40001"), Some("1单元303业主客人，业主已确认放行"))
    );
    let police = &openings[3];
    assert_eq!(police["reason"], "special_vehicle");
    assert_eq!(police["note"], "警车粤BXXXXX，XX警官进出");
    assert!(
        police["opened_by"]
            .as_str()
            .expect("who")
            .starts_with("agent:")
    );
}

crate::on_both!(entry_scenes);

// ---------------------------------------------------------------- exit (seed 001 §2.3 C)

async fn exit_scenes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Visitors drive in; an agent may let out a pass expired up to 5 days.
    let desk = Desk::open(
        &app,
        json!({ "visitor_confirmation": false, "monthly_pass": { "agent_open_days": 5 } }),
    )
    .await;

    // Scene 1: a valid monthly pass misread at the exit.
    desk.pass("粤B11111", &day(30), "1", 1).await;
    desk.read(ENTRY, Some("粤B11111"), 120).await;
    let held = desk.read(EXIT, Some("粤B1111I"), 0).await;
    assert_eq!(held["reason"], "no_entry_record");
    let outcome = desk
        .act(EXIT, "correct", json!({ "plate": "粤B11111" }))
        .await;
    assert_eq!(outcome["opened"], true);
    says(
        &outcome["decision"],
        "monthly_pass_valid",
        "一路平安",
        smile(),
        "green",
    );
    says(
        &desk.robot_told(EXIT).await,
        "monthly_pass_valid",
        "一路平安",
        smile(),
        "green",
    );
    let stay = desk.stay_of("粤B11111").await;
    assert!(stay["exited_at"].is_string());
    assert_eq!(stay["closed_by"], "agent");

    // Scene 2a: a monthly stay whose pass expired 4 days ago: past the
    // robot's 3 days, within the agent's 5.
    desk.pass("粤B22221", &day(30), "2", 1).await;
    desk.read(ENTRY, Some("粤B22221"), 300).await;
    desk.pass("粤B22221", &day(-4), "2", 1).await;
    assert_eq!(desk.read(EXIT, Some("粤B22221"), 0).await["gate"], "hold");
    let outcome = desk.act(EXIT, "open", json!({ "kind": "normal" })).await;
    assert_eq!(outcome["opened"], true);
    says(
        &outcome["decision"],
        "monthly_pass_expired_agent_open",
        "一路平安",
        smile(),
        "green",
    );

    // Scene 2b-d: expired 6 days: the open is refused; the agent sends the
    // renewal code (b) or the temporary payment code (c); once the driver
    // pays, the agent looks again and opens (d).
    desk.pass("粤B22222", &day(30), "3", 1).await;
    desk.read(ENTRY, Some("粤B22222"), 290).await;
    desk.pass("粤B22222", &day(-6), "3", 1).await;
    desk.read(EXIT, Some("粤B22222"), 0).await;
    let outcome = desk.act(EXIT, "open", json!({ "kind": "normal" })).await;
    assert_eq!(outcome["opened"], false);
    assert_eq!(outcome["decision"]["reason"], "monthly_pass_expired_renew");
    let push =
        json!({ "display": qr("monthly_renewal"), "voice": "您的月卡已过期，请扫码缴费后出场" });
    desk.push(EXIT, push).await;
    assert_eq!(
        desk.robot_told(EXIT).await["display"],
        qr("monthly_renewal")
    );
    let push = json!({ "display": qr("quick_exit"), "voice": "请扫码缴费后出场" });
    desk.push(EXIT, push).await;
    let told = desk.robot_told(EXIT).await;
    assert_eq!(
        (&told["display"], &told["voice"]),
        (&qr("quick_exit"), &json!("请扫码缴费后出场"))
    );
    // The stay is monthly; with the pass lapsed, the exit asks for renewal.
    let stay = desk.stay_of("粤B22222").await;
    assert_eq!(stay["billing"], "monthly");
    assert_eq!(stay["exit_now"]["reason"], "monthly_pass_expired_renew");
    // The driver pays the stay as temporary instead: 4h50m is 5 + 4 x 3 yuan.
    desk.pay("粤B22222", 1700).await;
    let outcome = desk.act(EXIT, "open", json!({ "kind": "normal" })).await;
    assert_eq!(outcome["opened"], true);
    says(&outcome["decision"], "paid", "一路平安", smile(), "green");

    // Scene 3a: no plate at the exit: the agent sends the quick-exit code.
    let held = desk.read(EXIT, None, 0).await;
    assert_eq!(held["reason"], "unplated_exit");
    let push =
        json!({ "display": qr("quick_exit"), "voice": "您的车牌无法识别，请扫码付费后出场" });
    desk.push(EXIT, push).await;
    assert_eq!(
        desk.robot_told(EXIT).await["voice"],
        "您的车牌无法识别，请扫码付费后出场"
    );
    // Scene 3b: a special vehicle: the robot asks for an ID; the agent keeps
    // ID and scene photos as evidence, then opens abnormally.
    let push = json!({ "display": { "kind": "id_prompt" }, "voice": "请出示您的有效证件，对准证件识别区正前方20厘米处，谢谢您的配合！" });
    desk.push(EXIT, push).await;
    assert_eq!(
        desk.robot_told(EXIT).await["display"],
        json!({ "kind": "id_prompt" })
    );
    let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "救护车，无牌" });
    let refused = desk
        .post(StatusCode::BAD_REQUEST, "/gates/north-exit/open", body)
        .await;
    assert_eq!(
        refused["error"]["fields"][0]["path"], "id_photos",
        "{refused}"
    );
    assert!(
        refused["error"]["fields"][0]["message"]
            .as_str()
            .expect("why")
            .contains("1 to 4")
    );
    let id_photo = desk.photo("image/png", PNG.to_vec()).await;
    let scene = desk.photo("image/jpeg", jpeg("scene")).await;
    let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "救护车，无牌", "id_photos": [id_photo], "scene_photos": ["0".repeat(64)] });
    let refused = desk
        .post(StatusCode::BAD_REQUEST, "/gates/north-exit/open", body)
        .await;
    assert_eq!(refused["error"]["fields"][0]["path"], "scene_photos[0]");
    let five = vec![scene.clone(); 5];
    let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "救护车，无牌", "id_photos": [id_photo], "scene_photos": five });
    desk.post(StatusCode::BAD_REQUEST, "/gates/north-exit/open", body)
        .await;
    let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "救护车，无牌", "id_photos": [id_photo], "scene_photos": [scene] });
    let outcome = desk.act(EXIT, "open", body).await;
    assert_eq!(outcome["opened"], true);
    assert_eq!(desk.robot_told(EXIT).await["gate"], "open");

    // Scene 4a: paid, but the barrier did not lift: the agent sees the
    // payment and opens.
    desk.read(ENTRY, Some("粤B44441"), 150).await;
    assert_eq!(
        desk.read(EXIT, Some("粤B44441"), 0).await["reason"],
        "payment_required"
    );
    desk.pay("粤B44441", 1100).await;
    let pending = desk.get(StatusCode::OK, "/gates/north-exit/pending").await;
    assert_eq!(pending["facts"]["payments"][0]["amount"], 1100);
    let outcome = desk.act(EXIT, "open", json!({ "kind": "normal" })).await;
    says(&outcome["decision"], "paid", "一路平安", smile(), "green");
    // Scene 4b: unpaid: the open is refused with what is due; the agent
    // asks the driver to pay.
    desk.read(ENTRY, Some("粤B44442"), 150).await;
    desk.read(EXIT, Some("粤B44442"), 0).await;
    let outcome = desk.act(EXIT, "open", json!({ "kind": "normal" })).await;
    assert_eq!(outcome["opened"], false);
    assert_eq!(
        outcome["decision"]["fee"],
        json!({ "amount": 1100, "currency": "CNY" })
    );
    let push = json!({ "display": smile(), "voice": "请扫码缴费或者出示您的微信付款码" });
    desk.push(EXIT, push).await;
    assert_eq!(
        desk.robot_told(EXIT).await["voice"],
        "请扫码缴费或者出示您的微信付款码"
    );
    // Scene 4c: it is a special vehicle after all: abnormal, with evidence.
    let id_photo = desk.photo("image/jpeg", jpeg("police id")).await;
    let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "警车粤B44442，XX警官", "id_photos": [id_photo], "scene_photos": [id_photo] });
    assert_eq!(desk.act(EXIT, "open", body).await["opened"], true);
    let stay = desk.stay_of("粤B44442").await;
    assert_eq!(
        (stay["exited_at"].is_string(), stay["closed_by"].as_str()),
        (true, Some("agent"))
    );

    // Scene 5: shared spaces taken: the second vehicle stayed as temporary
    // and owes; the agent sees why and asks for payment.
    desk.pass("粤B55551", &day(30), "5", 1).await;
    desk.pass("粤B55552", &day(30), "5", 1).await;
    desk.read(ENTRY, Some("粤B55551"), 200).await;
    assert_eq!(
        desk.read(ENTRY, Some("粤B55552"), 150).await["reason"],
        "shared_spaces_full_visitor"
    );
    assert_eq!(
        desk.read(EXIT, Some("粤B55552"), 0).await["reason"],
        "payment_required"
    );
    let pending = desk.get(StatusCode::OK, "/gates/north-exit/pending").await;
    assert_eq!(pending["facts"]["session"]["billing"], "temporary");
    assert_eq!(pending["facts"]["monthly_pass"]["vehicles_inside"], 1);
    let push = json!({ "display": smile(), "voice": "请扫码缴费或者出示您的微信付款码" });
    desk.push(EXIT, push).await;

    // Scene 6: no entry record: the entry camera read 粤B856Z1 for 粤B85621.
    // The agent searches the vehicles inside, sees the entry photo, confirms
    // the vehicle, and the exit is priced from that entry.
    let entry_photo = {
        let response = app
            .client
            .post(format!("{}/v1/photos", app.url))
            .bearer_auth(&desk.lot.entry)
            .header("content-type", "image/jpeg")
            .body(jpeg("entry 粤B856Z1"))
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json::<Value>().await.expect("json")["digest"]
            .as_str()
            .expect("digest")
            .to_owned()
    };
    let body = json!({ "event_id": unique("ev"), "plate": "粤B856Z1", "occurred_at": minutes_ago(150), "photo": entry_photo });
    app.ok(
        StatusCode::OK,
        app.post(&desk.lot.entry, "/v1/events", body).await,
    )
    .await;
    for other in ["湘B85621", "粤B35621", "粤B85612", "粤A77777"] {
        desk.read(ENTRY, Some(other), 140).await;
    }
    let held = desk.read(EXIT, Some("粤B85621"), 0).await;
    says(
        &held,
        "no_entry_record",
        "未找到您的入场记录，正在为您联系客服",
        json!({ "kind": "text", "text": "未找到入场记录" }),
        "yellow",
    );
    let similar = desk
        .get(StatusCode::OK, "/sessions/similar?plate=粤B85621")
        .await;
    let similar = similar.as_array().expect("candidates");
    assert!(similar.len() <= 6);
    assert_eq!(similar[0]["plate"], "粤B856Z1");
    let url = similar[0]["entry_photo"].as_str().expect("the entry photo");
    let photo = app
        .client
        .get(format!("{}{url}", app.url))
        .bearer_auth(&desk.agent)
        .send()
        .await
        .expect("photo");
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert_eq!(
        photo.bytes().await.expect("bytes").as_ref(),
        jpeg("entry 粤B856Z1").as_slice()
    );
    let chosen = json!({ "session_id": similar[0]["session_id"] });
    let outcome = desk.act(EXIT, "match", chosen).await;
    assert_eq!(outcome["supersedes"], held["decision_id"]);
    assert_eq!(outcome["decision"]["reason"], "payment_required");
    assert_eq!(
        outcome["decision"]["fee"],
        json!({ "amount": 1100, "currency": "CNY" })
    );
    let told = desk.robot_told(EXIT).await;
    assert_eq!(
        (&told["reason"], &told["display"]),
        (&json!("payment_required"), &qr("quick_exit"))
    );
    let push = json!({ "display": smile(), "voice": "请扫码缴费或者出示您的微信付款码" });
    desk.push(EXIT, push).await;

    // The evidence is in the openings list, readable by the owner.
    let openings = app.read(&app.owner, &desk.path("/openings")).await;
    let abnormal: Vec<&Value> = openings
        .as_array()
        .expect("openings")
        .iter()
        .filter(|o| o["kind"] == "abnormal")
        .collect();
    assert_eq!(abnormal.len(), 2);
    assert_eq!(abnormal[1]["note"], "救护车，无牌");
    let id_url = abnormal[1]["id_photos"][0].as_str().expect("ID photo");
    let photo = app
        .client
        .get(format!("{}{id_url}", app.url))
        .bearer_auth(&app.owner)
        .send()
        .await
        .expect("photo");
    assert_eq!(photo.headers()["content-type"], "image/png");
    assert_eq!(photo.bytes().await.expect("bytes").as_ref(), PNG);
}

crate::on_both!(exit_scenes);

// ---------------------------------------------------------------- seed 000: exit not recognised

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

// ---------------------------------------------------------------- fuzzy search

/// Realistic misreads: what the exit camera read, the vehicle that is
/// really there, and the other vehicles inside that look alike.
const MISREADS: &[(&str, &str, &[&str])] = &[
    // 0/D, 8/B, 5/S, 2/Z, 1/I, 6/G confusions in China plates.
    (
        "粤B0D123",
        "粤BDD123",
        &["粤B0D128", "粤B9D123", "湘B0D123"],
    ),
    (
        "粤B8S6Z1",
        "粤B85621",
        &["粤B35621", "粤B85629", "粤B8S6Z7"],
    ),
    (
        "京A1I6G2",
        "京A11662",
        &["京A1I6G7", "京A71662", "京B11662"],
    ),
    // A wrong province costs less than a wrong serial character.
    ("湘A12345", "粤A12345", &["湘A12349", "湘A72345"]),
    // The province was not read at all.
    ("B2Q5O8", "粤B2Q508", &["粤B2Q5O9", "粤B7Q508"]),
    // 8-character new-energy plates.
    ("粤BD12345", "粤BD1234S", &["粤BD12349", "粤BF12345"]),
    ("沪AD8B0O1", "沪AD88001", &["沪AD8B0O7", "沪AF88001"]),
    // Korean plates: a misread Hangul syllable or region costs little.
    ("12거3456", "12가3456", &["12거3459", "72거3456"]),
    ("123가4S67", "123가4567", &["123가4568", "128가4567"]),
    ("서울34나5678", "34나5678", &["서울34나5679"]),
];

async fn fuzzy_search(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": false })).await;
    let mut inside = 0;
    for (_, truth, lookalikes) in MISREADS {
        for plate in std::iter::once(truth).chain(lookalikes.iter()) {
            assert_eq!(
                desk.read(ENTRY, Some(plate), 60).await["gate"],
                "open",
                "{plate}"
            );
            inside += 1;
        }
    }
    assert_eq!(desk.inside().await.len(), inside);
    for (read, truth, _) in MISREADS {
        let found = desk
            .get(StatusCode::OK, &format!("/sessions/similar?plate={read}"))
            .await;
        let found = found.as_array().expect("candidates");
        assert_eq!(found.len(), 6, "six candidates for {read}");
        assert_eq!(found[0]["plate"], *truth, "{read}: {found:?}");
        let distances: Vec<i64> = found
            .iter()
            .map(|f| f["distance"].as_i64().expect("distance"))
            .collect();
        assert!(
            distances.windows(2).all(|w| w[0] <= w[1]),
            "{read}: {distances:?}"
        );
    }
    let bad = desk
        .get(StatusCode::BAD_REQUEST, "/sessions/similar?plate=粤B!")
        .await;
    assert_eq!(bad["error"]["fields"][0]["path"], "plate");
}

crate::on_both!(fuzzy_search);

// ---------------------------------------------------------------- roles

async fn roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": true })).await;
    let owner = &app.owner;
    // The owner's second lot, which this agent does not serve.
    let other = app.lot(owner, &unique("lot"), "Asia/Shanghai", "CNY").await;
    // Another owner's lot.
    let stranger = app.new_owner("Stranger").await;
    let theirs = app
        .lot(&stranger, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;

    // Owners make agents for their own lots only.
    let call = app
        .post(
            owner,
            "/v1/agents",
            json!({ "name": "Kim", "lots": [theirs.id] }),
        )
        .await;
    assert_eq!(call.0, StatusCode::NOT_FOUND, "{}", call.1);
    let call = app
        .post(owner, "/v1/agents", json!({ "name": "Kim", "lots": [] }))
        .await;
    assert_eq!(call.0, StatusCode::BAD_REQUEST);
    let call = app
        .post(
            &desk.agent,
            "/v1/agents",
            json!({ "name": "Kim", "lots": [desk.lot.id] }),
        )
        .await;
    assert_eq!(
        call.0,
        StatusCode::FORBIDDEN,
        "an agent does not make agents"
    );
    let agents = app.read(owner, "/v1/agents").await;
    assert_eq!(agents[0]["lots"], json!([desk.lot.id]));
    assert!(agents[0].get("token").is_none());

    desk.read(ENTRY, Some("粤B12345"), 0).await;
    let routes = [
        ("GET", "/gates/north-entry/pending", Value::Null),
        (
            "POST",
            "/gates/north-entry/correct",
            json!({ "plate": "粤B12345" }),
        ),
        (
            "POST",
            "/gates/north-entry/open",
            json!({ "kind": "normal" }),
        ),
        (
            "POST",
            "/gates/north-entry/visitor",
            json!({ "phone": "13800000000", "reason": "访客" }),
        ),
        (
            "POST",
            "/gates/north-entry/display",
            json!({ "display": { "kind": "smile" } }),
        ),
        ("GET", "/sessions/similar?plate=粤B12345", Value::Null),
        ("GET", "/openings", Value::Null),
        ("GET", "/info", Value::Null),
        ("GET", "/stays?plate=粤B12345", Value::Null),
    ];
    let app = &app;
    let call = |token: &str, lot: &str, method: &str, rest: &str, body: &Value| {
        let method = if method == "GET" {
            reqwest::Method::GET
        } else {
            reqwest::Method::POST
        };
        let body = (!body.is_null()).then(|| body.clone());
        let path = format!("/v1/lots/{lot}{rest}");
        let token = token.to_owned();
        async move { app.send(&app.client, method, &token, &path, body).await }
    };
    for (method, rest, body) in &routes {
        // A robot cannot act as an agent, even at its own gate.
        let (status, answer) = call(&desk.lot.entry, &desk.lot.id, method, rest, body).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "robot {method} {rest}: {answer}"
        );
        // An agent cannot act on lots they do not serve: they do not exist.
        for lot in [&other.id, &theirs.id] {
            let (status, answer) = call(&desk.agent, lot, method, rest, body).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "agent {method} {rest} on {lot}: {answer}"
            );
        }
    }
    for path in ["/v1/congestion", "/v1/monthly-passes?plate=粤B12345"] {
        assert_eq!(
            app.get(&desk.lot.entry, path).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let call = app
        .get(
            &desk.agent,
            &format!("/v1/monthly-passes?lot={}", theirs.id),
        )
        .await;
    assert_eq!(call.0, StatusCode::NOT_FOUND);
    // Agents do not manage lots.
    let call = app
        .post(
            &desk.agent,
            "/v1/lots",
            json!({ "id": "x", "name": "x", "timezone": "Asia/Shanghai", "currency": "CNY" }),
        )
        .await;
    assert_eq!(call.0, StatusCode::FORBIDDEN);
    let call = app
        .post(
            &desk.agent,
            &desk.path("/monthly-passes"),
            json!({ "plate": "粤B1", "valid_until": "2099-01-01", "account": "a", "spaces": 1 }),
        )
        .await;
    assert_eq!(call.0, StatusCode::FORBIDDEN);
    // Robots get their own gate's commands, agents none.
    assert_eq!(
        app.get(&desk.agent, "/v1/robot/commands").await.0,
        StatusCode::FORBIDDEN
    );

    // The agent's opening is in the owner's openings list, and nobody
    // else's; the stranger cannot see it.
    let body = json!({ "phone": "13800000000", "reason": "2单元101业主客人" });
    assert_eq!(desk.act(ENTRY, "visitor", body).await["opened"], true);
    let openings = app.read(owner, &desk.path("/openings")).await;
    assert_eq!(openings.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.get(&stranger, &desk.path("/openings")).await.0,
        StatusCode::NOT_FOUND
    );
    // An owner works the desk of their own lots too.
    let call = app
        .post(
            owner,
            &format!("/v1/lots/{}/gates/north-entry/display", other.id),
            json!({ "display": { "kind": "smile" } }),
        )
        .await;
    assert_eq!(call.0, StatusCode::CREATED, "{}", call.1);
    // Photos are the lot's: another lot's agent or owner cannot read them.
    let digest = desk.photo("image/png", PNG.to_vec()).await;
    let url = format!("/v1/lots/{}/photos/{digest}", desk.lot.id);
    assert_eq!(app.get(&stranger, &url).await.0, StatusCode::NOT_FOUND);
    let other_agent = agent(app, owner, &[&other.id]).await;
    assert_eq!(app.get(&other_agent, &url).await.0, StatusCode::NOT_FOUND);
    // Not an image: refused with the reason.
    let response = app
        .client
        .post(format!("{}{}", app.url, desk.path("/photos")))
        .bearer_auth(&desk.agent)
        .header("content-type", "image/png")
        .body(b"GIF89a".to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let oversized = app
        .client
        .post(format!("{}{}", app.url, desk.path("/photos")))
        .bearer_auth(&desk.agent)
        .header("content-type", "image/jpeg")
        .body(vec![0xFF; 3 << 20])
        .send()
        .await
        .expect("upload");
    assert_eq!(oversized.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

crate::on_both!(roles);

// ---------------------------------------------------------------- congestion, commands, information

async fn congestion(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": true })).await;
    desk.read(ENTRY, Some("粤B12345"), 0).await;
    let list = app.read(&desk.agent, "/v1/congestion").await;
    assert_eq!(
        list,
        json!([]),
        "a hold younger than a minute is not congestion yet"
    );
    app.clock.advance(90_000);
    desk.read(EXIT, Some("粤B00004"), 0).await;
    app.clock.advance(1_000);
    desk.read(ENTRY, Some("粤B00002"), 0).await;
    desk.read(ENTRY, Some("粤B00003"), 0).await;
    app.clock.advance(70_000);
    let list = app.read(&desk.agent, "/v1/congestion").await;
    let list = list.as_array().expect("list");
    // The entry's latest read replaced the first hold: one vehicle per gate.
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(
        (list[0]["gate_id"].as_str(), list[0]["plate"].as_str()),
        (Some(EXIT), Some("粤B00004"))
    );
    assert_eq!(list[0]["reason"], "no_entry_record");
    assert!(list[0]["waiting_seconds"].as_i64().expect("wait") >= 70);
    app.clock.advance(5_000);
    desk.read(EXIT, Some("粤B00005"), 0).await;
    app.clock.advance(65_000);
    let list = app.read(&desk.agent, "/v1/congestion").await;
    let waits: Vec<i64> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["waiting_seconds"].as_i64().expect("wait"))
        .collect();
    assert!(
        waits.windows(2).all(|w| w[0] >= w[1]),
        "longest first: {waits:?}"
    );
    assert_eq!(
        list[0]["gate_id"], ENTRY,
        "the entry has waited longest now"
    );
    // The agent lets the visitor in: the entry is no longer congested.
    let body = json!({ "phone": "13800000000", "reason": "快递" });
    desk.act(ENTRY, "visitor", body).await;
    let list = app.read(&desk.agent, "/v1/congestion").await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["gate_id"], EXIT);
    // A vehicle that pays leaves the list too.
    let unpaid = Desk::open(&app, json!({ "visitor_confirmation": false })).await;
    unpaid.read(ENTRY, Some("粤B77777"), 200).await;
    assert_eq!(
        unpaid.read(EXIT, Some("粤B77777"), 0).await["reason"],
        "payment_required"
    );
    app.clock.advance(61_000);
    let list = app.read(&unpaid.agent, "/v1/congestion").await;
    assert_eq!(list[0]["plate"], "粤B77777");
    unpaid.pay("粤B77777", 1400).await;
    let list = app.read(&unpaid.agent, "/v1/congestion").await;
    assert_eq!(list, json!([]));
    // The owner sees every lot of theirs.
    let list = app.read(&app.owner, "/v1/congestion").await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

crate::on_both!(congestion);

async fn robot_commands(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({})).await;
    let none = app.read(&desk.lot.exit, "/v1/robot/commands?wait=0").await;
    assert_eq!(none, json!({ "commands": [], "next": null }));
    // A robot waits for a command; the agent pushes one; the robot gets it.
    let waiting = {
        let client = app.client.clone();
        let url = format!("{}/v1/robot/commands?wait=20", app.url);
        let token = desk.lot.exit.clone();
        tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("poll")
                .json::<Value>()
                .await
                .expect("json")
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let push =
        json!({ "display": { "kind": "text", "text": "请稍候，客服正在处理" }, "voice": "请稍候" });
    let pushed = desk.push(EXIT, push).await;
    let got = waiting.await.expect("poll task");
    assert_eq!(got["commands"][0]["id"], pushed["command_id"]);
    assert_eq!(
        got["commands"][0]["display"]["text"],
        "请稍候，客服正在处理"
    );
    assert!(
        got["commands"][0]["issued_by"]
            .as_str()
            .expect("who")
            .starts_with("agent:")
    );
    // After the last seen id, only newer ones; the entry robot sees none of
    // the exit's.
    let next = got["next"].as_str().expect("next");
    let push = json!({ "display": qr("quick_exit") });
    desk.push(EXIT, push).await;
    let later = app
        .read(&desk.lot.exit, &format!("/v1/robot/commands?after={next}"))
        .await;
    assert_eq!(later["commands"].as_array().map(Vec::len), Some(1));
    assert_eq!(later["commands"][0]["display"], qr("quick_exit"));
    let entry = app.read(&desk.lot.entry, "/v1/robot/commands").await;
    assert_eq!(entry["commands"], json!([]));
    // Bad pushes are refused with the field named.
    let bad = desk
        .post(
            StatusCode::BAD_REQUEST,
            "/gates/north-exit/display",
            json!({ "display": { "kind": "text", "text": " " } }),
        )
        .await;
    assert_eq!(bad["error"]["fields"][0]["path"], "display.text");
    let bad = desk
        .post(
            StatusCode::BAD_REQUEST,
            "/gates/north-exit/display",
            json!({ "display": { "kind": "qr", "qr": "nope" } }),
        )
        .await;
    assert!(bad.to_string().contains("nope"), "{bad}");
    desk.post(
        StatusCode::NOT_FOUND,
        "/gates/south-exit/display",
        json!({ "display": smile() }),
    )
    .await;
}

crate::on_both!(robot_commands);

async fn lot_information(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": true })).await;
    let owner = &app.owner;
    // The lot's information, in the agent's locale and the policy's own.
    desk.read(ENTRY, Some("粤B12345"), 0).await;
    let info = desk.get(StatusCode::OK, "/info").await;
    assert_eq!(
        info["fee_schedule"],
        "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
    );
    assert_eq!(info["visitors_admitted"], false);
    assert!(
        info["visitor_policy"]
            .as_str()
            .expect("text")
            .contains("客服"),
        "{info}"
    );
    assert_eq!(info["gates"][0]["id"], ENTRY);
    assert_eq!(info["gates"][0]["robots"][0]["id"], "robot-entry");
    assert!(info["gates"][0]["robots"][0]["last_seen_at"].is_string());
    assert!(info["gates"][1]["robots"][0]["last_seen_at"].is_null());
    let en = desk.get(StatusCode::OK, "/info?locale=en").await;
    assert_eq!(en["locale"], "en");
    assert_eq!(
        en["fee_schedule"],
        "Free within 30 minutes, CNY 5 for the first hour, then CNY 3 per hour, capped at CNY 30 per 24 hours"
    );
    let unknown = desk.get(StatusCode::OK, "/info?locale=fr-FR").await;
    assert!(unknown["locale"].is_null());
    assert_eq!(unknown["fee_schedule"], info["fee_schedule"]);

    // A caller's monthly pass by phone, with six months of payments.
    desk.pass("粤B66661", &day(-10), "42", 2).await;
    desk.pass("粤B66662", &day(-10), "42", 2).await;
    let renew = json!({ "plate": "粤B66661", "amount": 30000, "paid_at": minutes_ago(0), "kind": "monthly_renewal", "valid_until": day(20) });
    let paid = app
        .ok(
            StatusCode::CREATED,
            app.post(owner, &desk.path("/payments"), renew).await,
        )
        .await;
    assert_eq!(paid["valid_until"], day(20));
    let missing = json!({ "plate": "粤B66661", "amount": 30000, "paid_at": minutes_ago(0), "kind": "monthly_renewal" });
    let call = app.post(owner, &desk.path("/payments"), missing).await;
    assert_eq!(call.0, StatusCode::BAD_REQUEST);
    let found = app
        .read(&desk.agent, "/v1/monthly-passes?phone=13800000042")
        .await;
    let found = found.as_array().expect("passes");
    assert_eq!(found.len(), 2);
    let first = &found[0];
    assert_eq!(
        (first["plate"].as_str(), first["valid"].as_bool()),
        (Some("粤B66661"), Some(true))
    );
    assert_eq!(first["days_expired"], -20);
    assert_eq!(found[1]["days_expired"], 10);
    assert_eq!(first["payments"][0]["kind"], "monthly_renewal");
    assert_eq!(
        found[1]["payments"], first["payments"],
        "payments are the account's"
    );
    let by_plate = app
        .read(&desk.agent, "/v1/monthly-passes?plate=粤B66662")
        .await;
    assert_eq!(by_plate.as_array().map(Vec::len), Some(1));
    let call = app.get(&desk.agent, "/v1/monthly-passes").await;
    assert_eq!(call.0, StatusCode::BAD_REQUEST, "{}", call.1);

    // A temporary stay by plate: duration, what is due, the entry record.
    let visitors = Desk::open(&app, json!({ "visitor_confirmation": false })).await;
    visitors.read(ENTRY, Some("粤B70001"), 125).await;
    let record = visitors.get(StatusCode::OK, "/stays?plate=粤B70001").await;
    let stay = &record["stays"][0];
    assert!(
        (125..=126).contains(&stay["minutes"].as_i64().expect("minutes")),
        "{stay}"
    );
    assert_eq!(stay["due_now"], 1100);
    assert_eq!(stay["entry_gate"], ENTRY);
    assert!(record["monthly_pass"].is_null());
    visitors.pay("粤B70001", 1100).await;
    let record = visitors.get(StatusCode::OK, "/stays?plate=粤B70001").await;
    assert_eq!(record["stays"][0]["due_now"], 0);
    assert_eq!(record["payments"][0]["amount"], 1100);
}

crate::on_both!(lot_information);

// ---------------------------------------------------------------- the demo lot

/// The first start's demo lot works for its robots and its agent at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_lot_has_a_desk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = boomgate_host::service::Config {
        db: format!("sqlite://{}", dir.path().join("demo.db").display()),
        ..boomgate_host::service::Config::default()
    };
    let state = boomgate_host::AppState::new(config, boomgate_host::service::Clock::system())
        .await
        .expect("service starts");
    let demo = boomgate_host::service::demo::create_if_empty(&state)
        .await
        .expect("demo")
        .expect("an empty database gets the demo lot");
    assert!(
        boomgate_host::service::demo::create_if_empty(&state)
            .await
            .expect("demo")
            .is_none(),
        "only once"
    );
    let (url, _server) = crate::harness::serve(state).await;
    let client = reqwest::Client::new();
    let event = json!({ "event_id": "e1", "plate": "粤B12345", "occurred_at": minutes_ago(0) });
    let answer: Value = client
        .post(format!("{url}/v1/events"))
        .bearer_auth(&demo.exit_robot_token)
        .json(&event)
        .send()
        .await
        .expect("event")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["reason"], "no_entry_record");
    let pending: Value = client
        .get(format!("{url}/v1/lots/demo/gates/north-exit/pending"))
        .bearer_auth(&demo.agent_token)
        .send()
        .await
        .expect("pending")
        .json()
        .await
        .expect("json");
    assert_eq!(pending["decision_id"], answer["decision_id"]);
    let info: Value = client
        .get(format!("{url}/v1/lots/demo/info"))
        .bearer_auth(&demo.agent_token)
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("json");
    assert_eq!(info["emergency_contact"], "张三 13000000000");
    assert_eq!(
        info["fee_schedule"],
        "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
    );
}
