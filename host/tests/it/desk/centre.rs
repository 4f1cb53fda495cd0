//! The call centre around the desk: robots with SIM numbers, an agent at a
//! seat, the telephony system's token; calls rung and cases closed.

use std::sync::atomic::{AtomicU64, Ordering};

use super::*;

static PHONES: AtomicU64 = AtomicU64::new(1);

/// A phone number of its own for each robot in this test process.
pub(super) fn sim() -> String {
    format!("139{:08}", PHONES.fetch_add(1, Ordering::Relaxed))
}

/// A desk whose robots have SIM numbers, whose agent sits at a seat, and
/// whose telephony system reports calls.
pub(super) struct Centre<'a> {
    pub desk: Desk<'a>,
    pub agent_id: String,
    pub seat: String,
    pub telephony: String,
    /// The SIM numbers of the entry and the exit robot.
    pub phones: [String; 2],
}

impl<'a> Centre<'a> {
    pub async fn open(app: &'a TestApp, patch: Value) -> Centre<'a> {
        let mut desk = Desk::open(app, patch).await;
        let owner = &app.owner;
        let created = app
            .ok(
                StatusCode::CREATED,
                app.post(
                    owner,
                    "/v1/agents",
                    json!({ "name": unique("坐席 "), "lots": [desk.lot.id] }),
                )
                .await,
            )
            .await;
        desk.agent = created["token"].as_str().expect("token").to_owned();
        let agent_id = created["id"].as_str().expect("id").to_owned();
        let phones = [sim(), sim()];
        for (robot, name, phone) in [
            ("robot-entry", "北门入口", &phones[0]),
            ("robot-exit", "北门出口", &phones[1]),
        ] {
            let path = desk.path(&format!("/robots/{robot}"));
            let body =
                json!({ "name": name, "phone": phone, "factory_code": format!("EP-{phone}") });
            let (status, robot) = app
                .send(
                    &app.client,
                    reqwest::Method::PATCH,
                    owner,
                    &path,
                    Some(body),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{robot}");
            assert_eq!(robot["phone"], phone.as_str());
        }
        let seat = unique("8");
        let (status, bound) = app
            .send(
                &app.client,
                reqwest::Method::PUT,
                &desk.agent,
                "/v1/seat",
                Some(json!({ "seat": seat })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{bound}");
        assert_eq!(bound["agent_id"], agent_id.as_str());
        let token = app
            .ok(
                StatusCode::CREATED,
                app.post(
                    owner,
                    "/v1/tokens",
                    json!({ "role": "telephony", "name": "呼叫中心 PBX", "lots": [desk.lot.id] }),
                )
                .await,
            )
            .await;
        Centre {
            desk,
            agent_id,
            seat,
            telephony: token["token"].as_str().expect("token").to_owned(),
            phones,
        }
    }

    pub fn robot(&self, gate: &str) -> &str {
        if gate == ENTRY {
            &self.desk.lot.entry
        } else {
            &self.desk.lot.exit
        }
    }

    fn phone(&self, gate: &str) -> &str {
        if gate == ENTRY {
            &self.phones[0]
        } else {
            &self.phones[1]
        }
    }

    /// The driver presses the robot's call button: its answer.
    pub async fn press(&self, gate: &str) -> Value {
        let app = self.desk.app;
        app.ok(
            StatusCode::OK,
            app.post(self.robot(gate), "/v1/robot/call", json!({}))
                .await,
        )
        .await
    }

    /// The robot's SIM calls the centre and rings the agent's seat; the
    /// telephony system reports it. The gate's case, now the agent's.
    pub async fn ring(&self, gate: &str) -> Value {
        let app = self.desk.app;
        let body = json!({
            "call_id": unique("pbx-"),
            "caller": format!("+86 {}", self.phone(gate)),
            "seat": self.seat,
        });
        let answer = app
            .ok(
                StatusCode::OK,
                app.post(&self.telephony, "/v1/calls", body).await,
            )
            .await;
        assert_eq!(answer["resolved"], "robot", "{answer}");
        assert_eq!(answer["agent_id"], self.agent_id.as_str());
        assert_eq!(answer["robot"]["gate_id"], gate);
        let case = answer["case"].clone();
        assert_eq!(case["agent_id"], self.agent_id.as_str(), "{case}");
        assert_eq!(case["seat"], self.seat.as_str());
        assert_eq!(case["status"], "answered");
        assert_eq!(case["caller"], format!("86{}", self.phone(gate)));
        assert_eq!(case["robot_phone"], self.phone(gate));
        case
    }

    /// The agent pushes a preset to the robot: what the robot was told.
    pub async fn preset(&self, gate: &str, name: &str) -> Value {
        let pushed = self.desk.push(gate, json!({ "preset": name })).await;
        let told = self.desk.robot_told(gate).await;
        assert_eq!(told["id"], pushed["command_id"]);
        assert_eq!(told["kind"], "display");
        told
    }

    /// The agent closes the case (关单).
    pub async fn close(&self, case: &Value, outcome: &str) -> Value {
        let app = self.desk.app;
        let path = format!("/v1/cases/{}/close", case["id"].as_str().expect("case id"));
        let closed = app
            .ok(
                StatusCode::OK,
                app.post(&self.desk.agent, &path, json!({ "outcome": outcome }))
                    .await,
            )
            .await;
        assert_eq!(closed["status"], "closed");
        assert_eq!(closed["outcome"], outcome);
        closed
    }

    /// What was done on a case, by kind, in order.
    pub fn acts(case: &Value) -> Vec<String> {
        case["acts"]
            .as_array()
            .expect("acts")
            .iter()
            .map(|a| a["kind"].as_str().expect("kind").to_owned())
            .collect()
    }

    /// Nothing is held at the gate any more.
    pub async fn settled(&self, gate: &str) {
        self.desk
            .get(StatusCode::NOT_FOUND, &format!("/gates/{gate}/pending"))
            .await;
    }
}
