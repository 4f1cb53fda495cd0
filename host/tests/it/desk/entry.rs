//! The entry scenes of seed 001 §2.3 B, as the agent plays them.

use super::*;

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
