//! Every scenario of `tests/scenarios/standard-lot` as a robot (or, for
//! the `agent` ones, a remote agent) sees it. For each, the lot gets there
//! the way a real one would: passes registered by the owner, other vehicles
//! of the account entering, the vehicle itself entering through the entry
//! robot (under a setup version of the policy that admits it, activated
//! hot) or let in by an agent, payments from the payment system; then the
//! scenario's version is activated and the robot posts the event, or the
//! agent asks to open or registers the visitor at the scenario's moment.

use boomgate_engine::sdk::testing::{Scenario, merge_patch};
use boomgate_engine::sdk::{AgentAction, Billing, Decision, Direction, Effect, Input, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Backend, Lot, TestApp, standard_settings, unique};

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

/// An agent for `lot`.
async fn agent(app: &TestApp, owner: &str, lot: &Lot) -> Result<String, String> {
    let body = json!({ "name": "desk", "lots": [lot.id] });
    let created = expect(
        app.post(owner, "/v1/agents", body).await,
        StatusCode::CREATED,
    )?;
    Ok(created["token"].as_str().unwrap_or_default().to_owned())
}

async fn scenario_flows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The scenarios happen on 2026-11-22; make sure the service's clock is
    // past them, whenever the tests run.
    let after = jiff::Timestamp::from_second(1_795_392_000)
        .expect("2026-11-23")
        .as_millisecond()
        .max(app.clock.now_ms());

    let owner = &app.owner;
    let module = app.standard_module(owner).await;
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios/standard-lot");
    let scenarios = Scenario::load_dir(&dir).expect("scenarios");
    let base = standard_settings();
    let mut failures = Vec::new();
    let mut ran = 0;
    for (path, scenario) in &scenarios {
        let name = path
            .file_name()
            .expect("file")
            .to_string_lossy()
            .into_owned();
        match scenario.input.event.agent {
            Some(_) => set_clock(&app, unix_ms(&scenario.input.event.occurred_at)),
            None => set_clock(&app, after),
        }
        let settings: Value =
            serde_json::from_str(&scenario.settings_json(&base)).expect("settings");
        match run(&app, owner, &module, &settings, scenario).await {
            Ok(answer) => {
                if let Err(why) = scenario.expect.check(&decision(&answer)) {
                    failures.push(format!("{name} ({}):\n{why}", scenario.description));
                }
                ran += 1;
            }
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n")
    );
    assert_eq!(ran, scenarios.len());
}

crate::on_both!(scenario_flows);

async fn run(
    app: &TestApp,
    owner: &str,
    module: &str,
    settings: &Value,
    scenario: &Scenario,
) -> Result<Value, String> {
    let input = &scenario.input;
    let currency = settings["currency"].as_str().unwrap_or("CNY");
    let lot = app.lot(owner, &unique("s"), zone(input), currency).await;
    let session = input.vehicle.session;
    let mut setup = settings.clone();
    merge_patch(
        &mut setup,
        &json!({ "visitor_confirmation": false, "auto_pick": session.is_some_and(|s| s.pick) }),
    );
    let setup = app.version(owner, &lot.id, module, &setup).await;
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
    if input.vehicle.parking_pass.is_some_and(|p| p.registered) {
        let path = format!("/v1/lots/{}/parking-passes", lot.id);
        expect(
            app.post(owner, &path, json!({ "plate": plate })).await,
            StatusCode::CREATED,
        )?;
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
    app.activate(owner, &lot.id, version).await;
    if let Some(action) = input.event.agent {
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
    expect(
        app.event(robot, &unique("event"), plate.as_deref(), &at)
            .await,
        StatusCode::OK,
    )
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
    let answer = expect(
        app.event(
            &lot.entry,
            &unique("entry"),
            Some(plate),
            &session.entered_at.to_string(),
        )
        .await,
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
                app.delete(owner, &format!("{passes}/{plate}")).await,
                StatusCode::NO_CONTENT,
            )?;
        }
        None => {}
    }
    if session.paid_amount > 0 {
        let paid_at = session.paid_at.unwrap_or(session.entered_at).to_string();
        let body = json!({ "plate": plate, "amount": session.paid_amount, "paid_at": paid_at });
        expect(
            app.post(owner, &format!("/v1/lots/{}/payments", lot.id), body)
                .await,
            StatusCode::CREATED,
        )?;
    }
    Ok(())
}

fn expect(call: (StatusCode, Value), status: StatusCode) -> Result<Value, String> {
    match call {
        (got, body) if got == status => Ok(body),
        (got, body) => Err(format!("expected {status}, got {got}: {body}")),
    }
}
