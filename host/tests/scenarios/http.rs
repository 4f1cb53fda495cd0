//! The HTTP target: a scenario played against the real service on
//! loopback. The lot gets to the scenario's state the way a real one
//! would: passes registered by the owner, other vehicles of the account
//! entering, the vehicle itself entering through the entry robot (under a
//! setup version of the policy that admits it, activated hot) or let in by
//! an agent, payments from the payment system; then the scenario's version
//! is activated and the robot posts the event, or the agent asks to open or
//! registers the visitor at the scenario's moment.
//!
//! One service per backend serves every scenario, each in a lot of its own,
//! one scenario at a time: agents act at the service's clock, which the
//! scenario sets.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use boomgate_engine::sdk::testing::{Scenario, Target, merge_patch};
use boomgate_engine::sdk::{
    AgentAction, Billing, Decision, DeviceState, Direction, DiscountValue, Effect, Input, Stay,
    Timestamp,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::Component;
use crate::harness::{Backend, Lot, TestApp, unique};

/// A service on one backend, with each policy's module uploaded.
pub struct Service {
    runtime: tokio::runtime::Runtime,
    app: TestApp,
    /// Module digests by policy name.
    modules: Mutex<HashMap<&'static str, String>>,
    /// One scenario at a time: they set the service's clock.
    turn: Mutex<()>,
}

fn start(backend: Backend) -> Service {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let app = runtime.block_on(TestApp::spawn(backend));
    Service {
        runtime,
        app,
        modules: Mutex::default(),
        turn: Mutex::new(()),
    }
}

static SQLITE: LazyLock<Service> = LazyLock::new(|| start(Backend::Sqlite));
static POSTGRES: LazyLock<Service> = LazyLock::new(|| start(Backend::Postgres));

impl Service {
    pub fn on(backend: Backend) -> &'static Service {
        match backend {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        }
    }

    /// The target that plays scenarios of `policy` here; its component
    /// tells how long an earlier stay must have been to leave what a
    /// scenario says the plate owes.
    pub fn for_policy(&'static self, policy: &'static str, component: Arc<Component>) -> Http {
        Http {
            service: self,
            policy,
            component,
        }
    }

    /// The policy's module, uploaded once.
    async fn module(&self, policy: &'static str) -> String {
        if let Some(digest) = self
            .modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(policy)
        {
            return digest.clone();
        }
        let bytes = boomgate_host::service::shipped::module(policy)
            .expect("a policy shipped with the host");
        let module = self
            .app
            .ok(
                StatusCode::CREATED,
                self.app.upload(&self.app.owner, bytes).await,
            )
            .await;
        let digest = module["digest"].as_str().expect("digest").to_owned();
        self.modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(policy, digest.clone());
        digest
    }
}

/// Scenarios of one policy on one service.
pub struct Http {
    service: &'static Service,
    policy: &'static str,
    component: Arc<Component>,
}

impl Target for Http {
    fn decide(&self, settings: &str, scenario: &Scenario) -> Result<Decision, String> {
        let service = self.service;
        let _turn = service.turn.lock().unwrap_or_else(|e| e.into_inner());
        let settings: Value = serde_json::from_str(settings).map_err(|e| e.to_string())?;
        service.runtime.block_on(async {
            let app = &service.app;
            // Each step happens at its own moment on the service's clock:
            // robots' events within seconds of their reads, agents' acts at
            // the scenario's time.
            set_clock(app, unix_ms(&scenario.input.event.occurred_at));
            let module = service.module(self.policy).await;
            let answer = run(app, &app.owner, &module, &settings, self, scenario).await?;
            Ok(decision(&answer))
        })
    }
}

/// The IANA zone of a scenario's offset.
fn zone(input: &Input) -> &'static str {
    match input.event.occurred_at.offset_minutes() {
        480 => "Asia/Shanghai",
        540 => "Asia/Seoul",
        -300 | -240 => "America/New_York",
        other => panic!("no zone for offset {other}"),
    }
}

/// The decision fields of a robot's answer.
fn decision(answer: &Value) -> Decision {
    let mut d = serde_json::Map::new();
    for key in [
        "gate", "reason", "voice", "display", "light", "fee", "effects", "trace",
    ] {
        d.insert(key.to_owned(), answer[key].clone());
    }
    serde_json::from_value(Value::Object(d)).expect("a decision")
}

fn shift(t: &Timestamp, minutes: i64) -> String {
    t.plus_seconds(minutes * 60).expect("in range").to_string()
}

/// Sets the service's clock to `unix_ms`: agents act now, so an agent's
/// scenario happens when the service's clock says it is.
fn set_clock(app: &TestApp, unix_ms: i64) {
    app.clock.advance(unix_ms - app.clock.now_ms());
}

fn unix_ms(t: &Timestamp) -> i64 {
    t.unix_seconds() * 1000
}

/// A token of the payment system or the app platform (`role`) for `lot`.
async fn service_token(
    app: &TestApp,
    owner: &str,
    role: &str,
    lot: &Lot,
) -> Result<String, String> {
    let body = json!({ "role": role, "name": role, "lots": [lot.id] });
    let created = expect(
        app.post(owner, "/v1/tokens", body).await,
        StatusCode::CREATED,
    )?;
    Ok(created["token"].as_str().unwrap_or_default().to_owned())
}

/// An agent for `lot`.
async fn agent(app: &TestApp, owner: &str, lot: &Lot) -> Result<String, String> {
    let body = json!({ "name": "desk", "lots": [lot.id] });
    let created = expect(
        app.post(owner, "/v1/agents", body).await,
        StatusCode::CREATED,
    )?;
    Ok(created["token"].as_str().unwrap_or_default().to_owned())
}

async fn run(
    app: &TestApp,
    owner: &str,
    module: &str,
    settings: &Value,
    target: &Http,
    scenario: &Scenario,
) -> Result<Value, String> {
    let input = &scenario.input;
    let currency = settings["currency"].as_str().unwrap_or("CNY");
    let lot = app.lot(owner, &unique("s"), zone(input), currency).await;
    let session = input.vehicle.session;
    // The setup version admits the vehicle (and makes its pick), with
    // what the policy's settings have of that.
    let mut admitting = settings.clone();
    let mut admit = json!({ "auto_pick": session.is_some_and(|s| s.pick) });
    if settings.get("visitor_confirmation").is_some() {
        admit["visitor_confirmation"] = json!(false);
    }
    merge_patch(&mut admitting, &admit);
    let setup = app.version(owner, &lot.id, module, &admitting).await;
    let version = app.version(owner, &lot.id, module, settings).await;
    app.activate(owner, &lot.id, setup).await;

    let plate = input.event.plate.as_ref().map(|p| p.as_str().to_owned());
    let passes = format!("/v1/lots/{}/monthly-passes", lot.id);
    let account = unique("acct-");
    let monthly_stay = session.is_some_and(|s| s.billing == Billing::Monthly);
    let start = session.map_or(input.event.occurred_at, |s| s.entered_at);
    if let (Some(pass), Some(plate)) = (input.vehicle.monthly_pass, &plate) {
        // A monthly stay began while the pass was valid; its real date is
        // set once the vehicle is inside.
        let valid_until = if monthly_stay {
            "2099-12-31".to_owned()
        } else {
            pass.valid_until.to_string()
        };
        let body = json!({ "plate": plate, "valid_until": valid_until, "account": account, "spaces": pass.spaces });
        expect(app.post(owner, &passes, body).await, StatusCode::CREATED)?;
        for i in 0..pass.vehicles_inside {
            let other = format!("粤A0000{i}");
            let body = json!({ "plate": other, "valid_until": "2099-12-31", "account": account, "spaces": pass.spaces });
            expect(app.post(owner, &passes, body).await, StatusCode::CREATED)?;
            set_clock(app, unix_ms(&start) - 59_000);
            let answer = expect(
                app.event(
                    &lot.entry,
                    &unique("other"),
                    Some(&other),
                    &shift(&start, -60),
                )
                .await,
                StatusCode::OK,
            )?;
            if answer["gate"] != "open" {
                return Err(format!(
                    "the account's other vehicle did not get in: {answer}"
                ));
            }
        }
    }
    if let Some(pass) = input.vehicle.parking_pass.filter(|p| p.registered) {
        let path = format!("/v1/lots/{}/parking-passes", lot.id);
        expect(
            app.post(owner, &path, json!({ "plate": plate })).await,
            StatusCode::CREATED,
        )?;
        if let (Some(auto_pick), Some(plate)) = (pass.auto_pick, &plate) {
            // The parker's own choice, made in the app.
            let app_token = service_token(app, owner, "app", &lot).await?;
            let path = format!("/v1/lots/{}/parking/{plate}/auto-pick", lot.id);
            let body = json!({ "auto_pick": auto_pick });
            expect(
                app.send(
                    &app.client,
                    reqwest::Method::PUT,
                    &app_token,
                    &path,
                    Some(body),
                )
                .await,
                StatusCode::OK,
            )?;
        }
    }
    if input.vehicle.owed > 0 {
        // What the plate owes is an earlier stay's fee, left when its exit
        // was missed: it entered long enough before this stay's entry.
        let session = session.ok_or("a plate owes only once another stay has begun")?;
        let policy = target
            .component
            .lot(&serde_json::to_string(&admitting).map_err(|e| e.to_string())?)?;
        let owed = input.vehicle.owed;
        let earlier = (1..=7 * 24 * 60)
            .map(|minutes| shift(&session.entered_at, -minutes))
            .find(|at| {
                let at: Timestamp = at.parse().expect("a timestamp");
                let stay = Stay::new(at, session.entered_at, Billing::Temporary, 0);
                policy.fee_quote(&stay).is_ok_and(|q| q.due.amount == owed)
            })
            .ok_or_else(|| format!("no earlier stay's fee is {owed}"))?;
        let plate = plate.as_deref().ok_or("a plate that owes has a plate")?;
        set_clock(app, unix_ms(&earlier.parse().expect("a timestamp")) + 1000);
        let answer = expect(
            app.event(&lot.entry, &unique("earlier"), Some(plate), &earlier)
                .await,
            StatusCode::OK,
        )?;
        if answer["gate"] != "open" {
            return Err(format!("the earlier stay did not begin: {answer}"));
        }
    }
    if !input.vehicle.earlier_stays.is_empty() {
        let plate = plate.as_deref().ok_or("earlier stays need a plate")?;
        earlier_stays(app, owner, &lot, plate, input).await?;
    }
    if let Some(session) = session {
        enter(
            app,
            owner,
            &lot,
            &passes,
            &account,
            plate.as_deref(),
            &session,
            input,
        )
        .await?;
    }
    if !input.vehicle.discounts.is_empty() {
        let plate = plate.as_deref().ok_or("discounts need a plate")?;
        discounts(app, owner, &lot, plate, input).await?;
    }
    app.activate(owner, &lot.id, version).await;
    if let Some(action) = input.event.agent {
        set_clock(app, unix_ms(&input.event.occurred_at));
        let agent = agent(app, owner, &lot).await?;
        let gate = match input.event.direction {
            Direction::Entry => "north-entry",
            Direction::Exit => "north-exit",
        };
        let (call, body) = match action {
            AgentAction::Open => ("open", json!({ "kind": "normal", "plate": plate })),
            AgentAction::VisitorConfirmed => (
                "visitor",
                json!({ "phone": "13800000000", "reason": "1单元303业主客人", "plate": plate }),
            ),
        };
        let path = format!("/v1/lots/{}/gates/{gate}/{call}", lot.id);
        let outcome = expect(app.post(&agent, &path, body).await, StatusCode::OK)?;
        if outcome["opened"] != (outcome["decision"]["gate"] == "open") {
            return Err(format!("`opened` disagrees with the decision: {outcome}"));
        }
        return Ok(outcome["decision"].clone());
    }
    let robot = match input.event.direction {
        Direction::Entry => &lot.entry,
        Direction::Exit => &lot.exit,
    };
    let at = input.event.occurred_at.to_string();
    heartbeat(app, robot, input).await?;
    set_clock(app, unix_ms(&input.event.occurred_at) + 1000);
    expect(
        app.event(robot, &unique("event"), plate.as_deref(), &at)
            .await,
        StatusCode::OK,
    )
}

/// The gate's health as the scenario gives it, the way a real gate gets it:
/// the robot's heartbeat, that many seconds before the read. A camera the
/// policy sees as `unknown` with an age is a heartbeat gone stale (it said
/// `down`); without an age, there is no heartbeat.
async fn heartbeat(app: &TestApp, robot: &str, input: &Input) -> Result<(), String> {
    let health = input.event.gate_health;
    let Some(age) = health.seconds_since_heartbeat else {
        return Ok(());
    };
    let camera = match health.lpr_camera {
        DeviceState::Up => "up",
        DeviceState::Down | DeviceState::Unknown => "down",
    };
    set_clock(
        app,
        unix_ms(&input.event.occurred_at) - i64::from(age) * 1000,
    );
    expect(
        app.post(
            robot,
            "/v1/robot/heartbeat",
            json!({ "lpr_camera": camera }),
        )
        .await,
        StatusCode::OK,
    )?;
    Ok(())
}

/// Makes the vehicle's stay: in through the entry robot, its pass brought to
/// the scenario's state, its payments made.
#[allow(clippy::too_many_arguments)]
async fn enter(
    app: &TestApp,
    owner: &str,
    lot: &Lot,
    passes: &str,
    account: &str,
    plate: Option<&str>,
    session: &boomgate_engine::sdk::Session,
    input: &Input,
) -> Result<(), String> {
    let plate = plate.ok_or("a stay needs a plate")?;
    if session.billing == Billing::Free {
        // Only an agent's abnormal opening makes a stay that is not billed.
        let now = app.clock.now_ms();
        set_clock(app, unix_ms(&session.entered_at));
        let agent = agent(app, owner, lot).await?;
        let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "警车", "plate": plate });
        let path = format!("/v1/lots/{}/gates/north-entry/open", lot.id);
        let outcome = expect(app.post(&agent, &path, body).await, StatusCode::OK);
        set_clock(app, now);
        let opened = decision(&outcome?["decision"]);
        if !opened.effects.contains(&Effect::OpenSession {
            billing: Billing::Free,
        }) {
            return Err(format!(
                "the abnormal entry did not open a free stay: {opened:?}"
            ));
        }
        return Ok(());
    }
    if session.billing == Billing::Monthly && input.vehicle.monthly_pass.is_none() {
        // A monthly stay whose pass was removed since: enter with one.
        let body =
            json!({ "plate": plate, "valid_until": "2099-12-31", "account": account, "spaces": 1 });
        expect(app.post(owner, passes, body).await, StatusCode::CREATED)?;
    }
    set_clock(app, unix_ms(&session.entered_at) + 1000);
    // The entry camera tells the vehicle's class, when the scenario has one.
    let mut body = json!({ "event_id": unique("entry"), "plate": plate, "occurred_at": session.entered_at.to_string() });
    if let Some(class) = &input.vehicle.class {
        body["vehicle_class"] = json!(class);
    }
    let answer = expect(
        app.post(&lot.entry, "/v1/events", body).await,
        StatusCode::OK,
    )?;
    let opened = decision(&answer);
    if !opened.effects.contains(&Effect::OpenSession {
        billing: session.billing,
    }) {
        return Err(format!(
            "the entry did not open a {} stay: {answer}",
            session.billing.as_str()
        ));
    }
    if session.pick && !opened.effects.contains(&Effect::CreatePick) {
        return Err(format!("the entry created no pick: {answer}"));
    }
    match input.vehicle.monthly_pass {
        Some(pass) => {
            let body = json!({ "plate": plate, "valid_until": pass.valid_until.to_string(), "account": account, "spaces": pass.spaces });
            expect(app.post(owner, passes, body).await, StatusCode::CREATED)?;
        }
        None if session.billing == Billing::Monthly => {
            expect(
                app.send(
                    &app.client,
                    reqwest::Method::DELETE,
                    owner,
                    &format!("{passes}/{plate}"),
                    None,
                )
                .await,
                StatusCode::NO_CONTENT,
            )?;
        }
        None => {}
    }
    if session.paid_amount > 0 {
        let paid_at = session.paid_at.unwrap_or(session.entered_at).to_string();
        let mut body = json!({ "plate": plate, "amount": session.paid_amount, "paid_at": paid_at });
        if let Some(until) = session.settled_until {
            // The driver paid the order the exit robot placed when it read
            // the plate at `until`.
            set_clock(app, unix_ms(&until) + 1000);
            let quoted = expect(
                app.event(&lot.exit, &unique("quote"), Some(plate), &until.to_string())
                    .await,
                StatusCode::OK,
            )?;
            let order = quoted["orders"][0]["id"]
                .as_str()
                .ok_or_else(|| format!("the exit placed no order: {quoted}"))?;
            body["order_id"] = json!(order);
        }
        let payments = service_token(app, owner, "payments", lot).await?;
        let at = session.paid_at.unwrap_or(session.entered_at);
        set_clock(app, unix_ms(&at) + 1000);
        expect(
            app.post(&payments, &format!("/v1/lots/{}/payments", lot.id), body)
                .await,
            StatusCode::CREATED,
        )?;
    }
    Ok(())
}

/// The plate's earlier stays, oldest first, the way a real lot has them:
/// in through the entry robot, paid what the scenario says, out through the
/// exit robot, which must open.
async fn earlier_stays(
    app: &TestApp,
    owner: &str,
    lot: &Lot,
    plate: &str,
    input: &Input,
) -> Result<(), String> {
    let mut stays = input.vehicle.earlier_stays.clone();
    stays.sort_by_key(|s| s.entered_at);
    for stay in stays {
        if stay.billing != Billing::Temporary {
            return Err("only temporary earlier stays are made here".to_owned());
        }
        set_clock(app, unix_ms(&stay.entered_at) + 1000);
        let entered = expect(
            app.event(
                &lot.entry,
                &unique("before"),
                Some(plate),
                &stay.entered_at.to_string(),
            )
            .await,
            StatusCode::OK,
        )?;
        if entered["gate"] != "open" {
            return Err(format!("the earlier stay did not begin: {entered}"));
        }
        if stay.paid_amount > 0 {
            let payments = service_token(app, owner, "payments", lot).await?;
            let paid_at = stay.left_at.plus_seconds(-60).expect("in range");
            set_clock(app, unix_ms(&paid_at) + 1000);
            let body = json!({ "plate": plate, "amount": stay.paid_amount, "paid_at": paid_at.to_string() });
            expect(
                app.post(&payments, &format!("/v1/lots/{}/payments", lot.id), body)
                    .await,
                StatusCode::CREATED,
            )?;
        }
        set_clock(app, unix_ms(&stay.left_at) + 1000);
        let left = expect(
            app.event(
                &lot.exit,
                &unique("left"),
                Some(plate),
                &stay.left_at.to_string(),
            )
            .await,
            StatusCode::OK,
        )?;
        if left["gate"] != "open" {
            return Err(format!("the earlier stay did not end: {left}"));
        }
    }
    Ok(())
}

/// The stay's discounts, granted by a merchant of the lot.
async fn discounts(
    app: &TestApp,
    owner: &str,
    lot: &Lot,
    plate: &str,
    input: &Input,
) -> Result<(), String> {
    let merchant = service_token(app, owner, "merchant", lot).await?;
    let path = format!("/v1/lots/{}/discounts", lot.id);
    for (i, d) in input.vehicle.discounts.iter().enumerate() {
        let mut body = json!({ "plate": plate, "source": d.source, "reference": format!("r{i}") });
        match d.value {
            DiscountValue::Minutes { minutes } => body["minutes"] = json!(minutes),
            DiscountValue::Amount { amount } => body["amount"] = json!(amount),
        }
        expect(app.post(&merchant, &path, body).await, StatusCode::CREATED)?;
    }
    Ok(())
}

fn expect(call: (StatusCode, Value), status: StatusCode) -> Result<Value, String> {
    match call {
        (got, body) if got == status => Ok(body),
        (got, body) => Err(format!("expected {status}, got {got}: {body}")),
    }
}
