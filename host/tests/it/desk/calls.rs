//! Seed 001 §2.3.2 played as calls: each scene starts with the robot's call
//! button or a decision that escalates, the robot's SIM rings the agent's
//! seat (the telephony system reports it), the agent acts on the case with
//! one-click presets, the robot is told, and the agent closes the case
//! (关单) — after which nothing is pending at the gate.

use super::centre::Centre;
use super::*;

async fn entry_calls(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let centre = Centre::open(&app, json!({ "visitor_confirmation": true })).await;
    let desk = &centre.desk;

    // B1: a valid monthly pass read as a stranger. The driver presses the
    // call button; the robot's SIM rings the agent's seat.
    desk.pass("粤B10001", &day(30), "1", 1).await;
    let held = desk.read(ENTRY, Some("粤B1O001"), 0).await;
    assert_eq!(held["reason"], "visitor_confirmation_required");
    let pressed = centre.press(ENTRY).await;
    assert_eq!(pressed["opened"], true);
    let again = centre.press(ENTRY).await;
    assert_eq!(
        (&again["opened"], &again["case_id"]),
        (&json!(false), &pressed["case_id"]),
        "pressing again is the same case"
    );
    let case = centre.ring(ENTRY).await;
    assert_eq!(case["id"], pressed["case_id"]);
    assert_eq!(case["opened_by"], "call_button");
    assert_eq!(case["decision_id"], held["decision_id"]);
    assert_eq!(case["plate"], "粤B1O001");
    assert_eq!(case["robot_name"], "北门入口");
    let pending = desk.get(StatusCode::OK, "/gates/north-entry/pending").await;
    assert_eq!(pending["case"]["id"], case["id"]);
    assert_eq!(pending["scene"]["showing"]["source"], "decision");
    assert_eq!(
        pending["scene"]["showing"]["display"], held["display"],
        "the scene shows what the robot shows"
    );
    let outcome = desk
        .act(ENTRY, "correct", json!({ "plate": "粤B10001" }))
        .await;
    assert_eq!(outcome["opened"], true);
    says(
        &desk.robot_told(ENTRY).await,
        "monthly_pass_valid",
        "欢迎回家",
        smile(),
        "green",
    );
    let closed = centre.close(&case, "opened").await;
    assert_eq!(
        Centre::acts(&closed),
        ["opened", "called", "called", "correct", "closed"]
    );
    centre.settled(ENTRY).await;

    // B2: a pass expired 5 days ago. The robot's SIM calls without the
    // button; the agent's open is refused, and the renewal preset goes out
    // in the lot's words.
    desk.pass("粤B20002", &day(-5), "2", 1).await;
    let held = desk.read(ENTRY, Some("粤B20002"), 0).await;
    assert_eq!(held["reason"], "monthly_pass_expired_renew");
    let case = centre.ring(ENTRY).await;
    assert_eq!(case["opened_by"], "call");
    assert_eq!(case["decision_id"], held["decision_id"]);
    let refused = desk.act(ENTRY, "open", json!({ "kind": "normal" })).await;
    assert_eq!(refused["opened"], false);
    let told = centre.preset(ENTRY, "renewal_qr").await;
    assert_eq!(
        (&told["voice"], &told["display"]),
        (&json!("您的月卡已过期，请扫码缴费"), &qr("monthly_renewal"))
    );
    let closed = centre.close(&case, "turned_away").await;
    assert_eq!(Centre::acts(&closed), ["opened", "display", "closed"]);
    centre.settled(ENTRY).await;

    // B3: no plate: the unplated-entry code; then a police car, let in
    // abnormally: the robot says the lot's welcome.
    let held = desk.read(ENTRY, None, 0).await;
    assert_eq!(held["reason"], "unplated_entry");
    centre.press(ENTRY).await;
    let case = centre.ring(ENTRY).await;
    let told = centre.preset(ENTRY, "unplated_entry_qr").await;
    assert_eq!(told["display"], qr("unplated_entry"));
    assert_eq!(
        told["voice"],
        "您的车牌无法识别，请扫码后开闸进场，出场前请在出口处扫码出场"
    );
    let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "警车粤BXXXXX，XX警官进出" });
    assert_eq!(desk.act(ENTRY, "open", body).await["opened"], true);
    let told = desk.robot_told(ENTRY).await;
    assert_eq!(
        (&told["gate"], &told["voice"]),
        (&json!("open"), &json!("欢迎光临"))
    );
    let closed = centre.close(&case, "opened").await;
    assert_eq!(
        Centre::acts(&closed),
        ["opened", "called", "display", "open", "closed"]
    );

    // B4: a visitor: the agent registers the driver's phone and reason.
    desk.read(ENTRY, Some("粤B40001"), 0).await;
    let case = centre.ring(ENTRY).await;
    let body = json!({ "phone": "13800000000", "reason": "1单元303业主客人，业主已确认放行" });
    assert_eq!(desk.act(ENTRY, "visitor", body).await["opened"], true);
    let closed = centre.close(&case, "opened").await;
    assert_eq!(Centre::acts(&closed), ["opened", "visitor", "closed"]);

    // B5: the account's one space is taken: the agent shows the vehicles
    // inside with the preset, and the driver turns back.
    desk.pass("粤B50001", &day(30), "5", 1).await;
    desk.pass("粤B50002", &day(30), "5", 1).await;
    assert_eq!(desk.read(ENTRY, Some("粤B50001"), 1).await["gate"], "open");
    let held = desk.read(ENTRY, Some("粤B50002"), 0).await;
    assert_eq!(held["reason"], "shared_spaces_full");
    centre.press(ENTRY).await;
    let case = centre.ring(ENTRY).await;
    let told = centre.preset(ENTRY, "shared_spaces_full").await;
    assert_eq!(told["display"], json!({ "kind": "vehicles_inside" }));
    assert_eq!(told["vehicles_inside"][0]["plate"], "粤B50001");
    assert_eq!(told["light"], "yellow");
    centre.close(&case, "turned_away").await;
    centre.settled(ENTRY).await;

    // The cases, newest first, all closed; their outcomes in the metrics.
    let cases = app.read(&desk.agent, &desk.path("/cases")).await;
    let outcomes: Vec<&str> = cases
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["outcome"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        outcomes,
        ["turned_away", "opened", "opened", "turned_away", "opened"]
    );
    let open = app
        .read(&desk.agent, &desk.path("/cases?status=open"))
        .await;
    assert_eq!(open, json!([]));
    let metrics = app.metrics().await;
    let lot = &desk.lot.id;
    assert!(
        metrics.contains(&format!(
            "boomgate_cases_closed_total{{lot=\"{lot}\",outcome=\"opened\"}} 3"
        )),
        "{metrics}"
    );
    assert!(metrics.contains(&format!(
        "boomgate_cases_opened_total{{lot=\"{lot}\",origin=\"call_button\"}} 3"
    )));
    assert!(metrics.contains(&format!(
        "boomgate_cases_opened_total{{lot=\"{lot}\",origin=\"call\"}} 2"
    )));
}

crate::on_both!(entry_calls);

async fn exit_calls(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let centre = Centre::open(
        &app,
        json!({ "visitor_confirmation": false, "monthly_pass": { "agent_open_days": 5 } }),
    )
    .await;
    let desk = &centre.desk;

    // C1: a valid pass misread at the exit: no entry record, so the
    // decision escalates and opens the case before anyone calls.
    desk.pass("粤B11111", &day(30), "1", 1).await;
    desk.read(ENTRY, Some("粤B11111"), 120).await;
    let held = desk.read(EXIT, Some("粤B1111I"), 0).await;
    assert_eq!(held["reason"], "no_entry_record");
    let waiting = app
        .read(&desk.agent, &desk.path("/cases?status=open"))
        .await;
    assert_eq!(waiting[0]["opened_by"], "escalation");
    assert_eq!(waiting[0]["status"], "waiting");
    assert_eq!(waiting[0]["robot_phone"], centre.phones[1].as_str());
    let pressed = centre.press(EXIT).await;
    assert_eq!(
        (&pressed["opened"], &pressed["case_id"]),
        (&json!(false), &waiting[0]["id"])
    );
    let case = centre.ring(EXIT).await;
    assert_eq!(case["id"], waiting[0]["id"]);
    let outcome = desk
        .act(EXIT, "correct", json!({ "plate": "粤B11111" }))
        .await;
    assert_eq!(outcome["decision"]["reason"], "monthly_pass_valid");
    let closed = centre.close(&case, "opened").await;
    assert_eq!(
        Centre::acts(&closed),
        ["opened", "called", "called", "correct", "closed"]
    );
    centre.settled(EXIT).await;

    // C2: a pass expired 6 days: the renewal code, then the driver pays
    // the stay as temporary and the agent opens.
    desk.pass("粤B22222", &day(30), "2", 1).await;
    desk.read(ENTRY, Some("粤B22222"), 290).await;
    desk.pass("粤B22222", &day(-6), "2", 1).await;
    desk.read(EXIT, Some("粤B22222"), 0).await;
    let case = centre.ring(EXIT).await;
    assert_eq!(
        centre.preset(EXIT, "renewal_qr").await["display"],
        qr("monthly_renewal")
    );
    desk.pay("粤B22222", 1700).await;
    let outcome = desk.act(EXIT, "open", json!({ "kind": "normal" })).await;
    says(&outcome["decision"], "paid", "一路平安", smile(), "green");
    centre.close(&case, "paid").await;

    // C3: no plate: the ID prompt; the robot's ID camera and environment
    // camera capture the scene, and the agent attaches both as evidence.
    let held = desk.read(EXIT, None, 0).await;
    assert_eq!(held["reason"], "unplated_exit");
    centre.press(EXIT).await;
    let case = centre.ring(EXIT).await;
    assert_eq!(
        centre.preset(EXIT, "unplated_exit_qr").await["display"],
        qr("unplated_exit")
    );
    let told = centre.preset(EXIT, "id_prompt").await;
    assert_eq!(
        (&told["display"], &told["voice"]),
        (
            &json!({ "kind": "id_prompt" }),
            &json!("请出示您的有效证件，对准证件识别区正前方20厘米处，谢谢您的配合！")
        )
    );
    let id_card = capture(&app, centre.robot(EXIT), "id_card", PNG.to_vec()).await;
    let scene = capture(&app, centre.robot(EXIT), "scene", jpeg("ambulance")).await;
    let pending = desk.get(StatusCode::OK, "/gates/north-exit/pending").await;
    let captures = pending["scene"]["captures"].as_array().expect("captures");
    assert_eq!(captures.len(), 2);
    assert_eq!(captures[0]["digest"], scene["digest"]);
    assert_eq!(captures[1]["kind"], "id_card");
    assert_eq!(pending["scene"]["showing"]["source"], "command");
    assert_eq!(
        pending["scene"]["showing"]["display"],
        json!({ "kind": "id_prompt" })
    );
    let body = json!({ "kind": "abnormal", "reason": "special_vehicle", "note": "救护车，无牌",
        "id_photos": [id_card["digest"]], "scene_photos": [scene["digest"]] });
    assert_eq!(desk.act(EXIT, "open", body).await["opened"], true);
    assert_eq!(desk.robot_told(EXIT).await["voice"], "一路平安");
    let closed = centre.close(&case, "opened").await;
    assert_eq!(
        Centre::acts(&closed),
        ["opened", "called", "display", "display", "open", "closed"]
    );
    let openings = app.read(&app.owner, &desk.path("/openings")).await;
    assert_eq!(openings[0]["id_photos"][0], id_card["url"]);

    // C4: a temporary stay unpaid: the payment code, the payment, the open.
    desk.read(ENTRY, Some("粤B44441"), 150).await;
    assert_eq!(
        desk.read(EXIT, Some("粤B44441"), 0).await["reason"],
        "payment_required"
    );
    let case = centre.ring(EXIT).await;
    let told = centre.preset(EXIT, "quick_exit_qr").await;
    assert_eq!(told["voice"], "请扫码缴费或者出示您的微信付款码");
    assert_eq!(told["display"], qr("quick_exit"));
    desk.pay("粤B44441", 1100).await;
    let outcome = desk.act(EXIT, "open", json!({ "kind": "normal" })).await;
    says(&outcome["decision"], "paid", "一路平安", smile(), "green");
    centre.close(&case, "paid").await;

    // C5: shared spaces were taken, so the stay was temporary and owes.
    desk.pass("粤B55551", &day(30), "5", 1).await;
    desk.pass("粤B55552", &day(30), "5", 1).await;
    desk.read(ENTRY, Some("粤B55551"), 200).await;
    desk.read(ENTRY, Some("粤B55552"), 150).await;
    assert_eq!(
        desk.read(EXIT, Some("粤B55552"), 0).await["reason"],
        "payment_required"
    );
    centre.press(EXIT).await;
    let case = centre.ring(EXIT).await;
    let pending = desk.get(StatusCode::OK, "/gates/north-exit/pending").await;
    assert_eq!(pending["facts"]["session"]["billing"], "temporary");
    centre.preset(EXIT, "quick_exit_qr").await;
    desk.pay("粤B55552", 1100).await;
    assert_eq!(
        desk.act(EXIT, "open", json!({ "kind": "normal" })).await["opened"],
        true
    );
    centre.close(&case, "paid").await;

    // C6: no entry record, the entry misread: the agent matches the exit to
    // the entry; the driver pays; the case closes.
    desk.read(ENTRY, Some("粤B856Z1"), 150).await;
    let held = desk.read(EXIT, Some("粤B85621"), 0).await;
    assert_eq!(held["reason"], "no_entry_record");
    let case = centre.ring(EXIT).await;
    assert_eq!(case["opened_by"], "escalation");
    let similar = desk
        .get(StatusCode::OK, "/sessions/similar?plate=粤B85621")
        .await;
    let chosen = json!({ "session_id": similar[0]["session_id"] });
    let outcome = desk.act(EXIT, "match", chosen).await;
    assert_eq!(outcome["decision"]["reason"], "payment_required");
    centre.preset(EXIT, "quick_exit_qr").await;
    let closed = centre.close(&case, "paid").await;
    assert_eq!(
        Centre::acts(&closed),
        ["opened", "called", "correct", "display", "closed"]
    );
    // A case closed twice is refused, naming when and by whom.
    let path = format!("/v1/cases/{}/close", closed["id"].as_str().expect("id"));
    let twice = app
        .post(&desk.agent, &path, json!({ "outcome": "paid" }))
        .await;
    assert_eq!(twice.0, StatusCode::CONFLICT);
    let why = twice.1["error"]["message"].as_str().expect("message");
    assert!(
        why.contains("was closed at") && why.contains("agent:"),
        "{why}"
    );
}

crate::on_both!(exit_calls);

/// A robot uploads a capture of `kind`: its record.
pub(super) async fn capture(app: &TestApp, robot: &str, kind: &str, bytes: Vec<u8>) -> Value {
    let content_type = if bytes.starts_with(&[0x89]) {
        "image/png"
    } else {
        "image/jpeg"
    };
    let response = app
        .client
        .post(format!("{}/v1/robot/captures?kind={kind}", app.url))
        .bearer_auth(robot)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["kind"], kind);
    body
}
