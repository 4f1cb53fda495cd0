//! The devices (seed 001 §2.1, PRODUCT.md P19): robots named, numbered,
//! moved, retired and their tokens rotated; their cameras; heartbeats that
//! make a robot online, degraded or offline; the policy's degraded mode
//! when the plate camera is down; commissioning tests kept apart.

use super::calls::capture;
use super::centre::{Centre, sim};
use super::*;

async fn robots_are_named_moved_retired_and_rotated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": false })).await;
    let owner = &app.owner;
    let phone = sim();
    let body = json!({ "id": "robot-west", "gate_id": EXIT, "name": "西门出口", "factory_code": "EP2024-0117", "phone": format!("+86 {phone}") });
    let created = app
        .ok(
            StatusCode::CREATED,
            app.post(owner, &desk.path("/robots"), body).await,
        )
        .await;
    let west = created["token"].as_str().expect("token").to_owned();
    // Another robot may not have the same SIM.
    let body = json!({ "id": "robot-east", "gate_id": EXIT, "phone": phone });
    let (status, taken) = app.post(owner, &desk.path("/robots"), body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{taken}");
    assert!(
        taken["error"]["message"]
            .as_str()
            .expect("why")
            .contains("robot-west")
    );
    let body = json!({ "id": "robot-east", "gate_id": EXIT, "phone": "call me" });
    let (status, bad) = app.post(owner, &desk.path("/robots"), body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "phone");

    let robots = app.read(&desk.agent, &desk.path("/robots")).await;
    let west_view = robots
        .as_array()
        .expect("robots")
        .iter()
        .find(|r| r["id"] == "robot-west")
        .expect("listed")
        .clone();
    assert_eq!(
        (
            &west_view["name"],
            &west_view["factory_code"],
            &west_view["phone"]
        ),
        (
            &json!("西门出口"),
            &json!("EP2024-0117"),
            &json!(format!("86{phone}"))
        )
    );
    assert_eq!(west_view["state"], "active");
    assert_eq!(west_view["status"], "offline");
    assert_eq!(west_view["problems"], json!(["no heartbeat yet"]));

    // Moved to the entry: its token now reads plates there.
    let patch = |body: Value| {
        let path = desk.path("/robots/robot-west");
        let app = &app;
        async move {
            app.send(
                &app.client,
                reqwest::Method::PATCH,
                owner,
                &path,
                Some(body),
            )
            .await
        }
    };
    let (status, moved) = patch(json!({ "gate_id": ENTRY, "name": null })).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        (&moved["gate_id"], &moved["name"]),
        (&json!(ENTRY), &Value::Null)
    );
    let (status, _) = patch(json!({ "gate_id": "nowhere" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let read = app
        .ok(
            StatusCode::OK,
            app.event(&west, &unique("ev"), Some("粤B70001"), &minutes_ago(0))
                .await,
        )
        .await;
    assert_eq!(read["reason"], "visitor_welcome", "an entry now: {read}");

    // A rotated token replaces the old one.
    let rotated = app
        .ok(
            StatusCode::CREATED,
            app.post(owner, &desk.path("/robots/robot-west/token"), json!({}))
                .await,
        )
        .await;
    let fresh = rotated["token"].as_str().expect("token").to_owned();
    let (status, _) = app.post(&west, "/v1/robot/heartbeat", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old token is revoked");
    let (status, _) = app.post(&fresh, "/v1/robot/heartbeat", json!({})).await;
    assert_eq!(status, StatusCode::OK);

    // Retired: its token stops working; it stays listed as retired.
    let path = desk.path("/robots/robot-west/retire");
    let (status, _) = app.post(&desk.agent, &path, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents do not retire robots");
    let (status, _) = app.post(owner, &path, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, again) = app.post(owner, &path, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let (status, _) = app
        .event(&fresh, &unique("ev"), Some("粤B70002"), &minutes_ago(0))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a retired robot's token");
    let (status, _) = patch(json!({ "name": "x" })).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a retired robot is not edited"
    );
    let robots = app.read(owner, &desk.path("/robots")).await;
    let west_view = robots
        .as_array()
        .expect("robots")
        .iter()
        .find(|r| r["id"] == "robot-west")
        .expect("listed");
    assert_eq!(west_view["state"], "retired");
    assert!(west_view["retired_at"].is_string());
    // Its SIM is free again.
    let body = json!({ "id": "robot-east", "gate_id": EXIT, "phone": phone });
    let (status, _) = app.post(owner, &desk.path("/robots"), body).await;
    assert_eq!(status, StatusCode::CREATED);
}

crate::on_both!(robots_are_named_moved_retired_and_rotated);

async fn cameras_follow_the_seed_naming_rule(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({})).await;
    let owner = &app.owner;
    let body = json!({ "id": "cam-exit", "robot_id": "robot-exit", "kind": "environment", "vendor_id": "E12345678", "snapshot_url": "https://cams.example.com/E12345678.jpg", "stream_url": "rtsp://10.0.0.5/live" });
    let camera = app
        .ok(
            StatusCode::CREATED,
            app.post(owner, &desk.path("/cameras"), body).await,
        )
        .await;
    let lot_name = format!("Lot {}", desk.lot.id);
    assert_eq!(camera["name"], format!("{lot_name}-机器人环境摄像头出口"));
    let body = json!({ "id": "cam-id", "robot_id": "robot-entry", "kind": "id" });
    let id_camera = app
        .ok(
            StatusCode::CREATED,
            app.post(owner, &desk.path("/cameras"), body).await,
        )
        .await;
    assert_eq!(
        id_camera["name"],
        format!("{lot_name}-机器人证件摄像头入口")
    );
    for (body, field) in [
        (
            json!({ "id": "c2", "robot_id": "nobody", "kind": "id" }),
            "robot_id",
        ),
        (
            json!({ "id": "c2", "robot_id": "robot-exit", "kind": "environment", "snapshot_url": "ftp://x" }),
            "snapshot_url",
        ),
    ] {
        let (status, bad) = app.post(owner, &desk.path("/cameras"), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(bad["error"]["fields"][0]["path"], field);
    }
    let (status, _) = app
        .post(
            owner,
            &desk.path("/cameras"),
            json!({ "id": "cam-exit", "robot_id": "robot-exit", "kind": "environment" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The scene at a held exit links the environment camera.
    desk.read(EXIT, Some("粤B60001"), 0).await;
    let pending = desk.get(StatusCode::OK, "/gates/north-exit/pending").await;
    assert_eq!(pending["scene"]["cameras"][0]["id"], "cam-exit");
    assert_eq!(
        pending["scene"]["cameras"][0]["stream_url"],
        "rtsp://10.0.0.5/live"
    );
    let listed = app.read(&desk.agent, &desk.path("/cameras")).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    let (status, _) = app
        .send(
            &app.client,
            reqwest::Method::DELETE,
            owner,
            &desk.path("/cameras/cam-id"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .send(
            &app.client,
            reqwest::Method::DELETE,
            owner,
            &desk.path("/cameras/cam-id"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

crate::on_both!(cameras_follow_the_seed_naming_rule);

async fn heartbeats_make_robots_online_degraded_and_offline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let centre = Centre::open(&app, json!({})).await;
    let desk = &centre.desk;
    let exit = centre.robot(EXIT);
    let beat = app
        .ok(
            StatusCode::OK,
            app.post(
                exit,
                "/v1/robot/heartbeat",
                json!({ "app_version": "3.2.1" }),
            )
            .await,
        )
        .await;
    assert_eq!(beat["status"], "online");
    assert_eq!(beat["next_heartbeat_seconds"], 30);
    let info = app.read(&desk.agent, &desk.path("/info")).await;
    let exit_gate = info["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .find(|g| g["id"] == EXIT)
        .expect("exit gate")
        .clone();
    assert_eq!(exit_gate["robots"][0]["status"], "online");
    assert_eq!(exit_gate["robots"][0]["name"], "北门出口");

    // Bad heartbeats: another robot's identity, a battery over 100 %.
    let (status, other) = app
        .post(
            exit,
            "/v1/robot/heartbeat",
            json!({ "lot_id": "another-lot" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{other}");
    assert!(
        other["error"]["message"]
            .as_str()
            .expect("why")
            .contains("robot-exit")
    );
    let (status, bad) = app
        .post(
            exit,
            "/v1/robot/heartbeat",
            json!({ "power": "battery", "battery_percent": 140 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "battery_percent");
    let (status, _) = app
        .post(&desk.agent, "/v1/robot/heartbeat", json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an agent is no robot");

    // A power cut and the plate camera down: degraded, and the exit shows
    // in the congestion list with the robot's number to call.
    let body = json!({ "power": "battery", "battery_percent": 35, "lpr_camera": "down" });
    let beat = app
        .ok(
            StatusCode::OK,
            app.post(exit, "/v1/robot/heartbeat", body).await,
        )
        .await;
    assert_eq!(beat["status"], "degraded");
    assert_eq!(
        beat["problems"],
        json!(["lpr_camera down", "on battery (35%)"])
    );
    let congestion = app.read(&desk.agent, "/v1/congestion").await;
    let down = congestion
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["lot_id"] == desk.lot.id.as_str())
        .expect("the exit is listed")
        .clone();
    assert_eq!(down["kind"], "camera_down");
    assert_eq!(down["robot_phone"], centre.phones[1].as_str());

    // The policy's degraded mode: a car at the exit with the camera down
    // holds with the quick-exit code and escalates.
    let held = desk.read(EXIT, None, 0).await;
    assert_eq!(held["reason"], "lpr_camera_down", "{held}");
    assert_eq!(held["display"], qr("quick_exit"));
    let waiting = app
        .read(&desk.agent, &desk.path("/cases?status=open"))
        .await;
    assert_eq!(waiting[0]["opened_by"], "escalation");
    assert_eq!(waiting[0]["gate_id"], EXIT);
    assert!(
        held["trace"][0]
            .as_str()
            .expect("trace")
            .starts_with("licence-plate camera down"),
        "{held}"
    );
    // The entry robot is fine: its unplated read is decided as ever.
    app.ok(
        StatusCode::OK,
        app.post(centre.robot(ENTRY), "/v1/robot/heartbeat", json!({}))
            .await,
    )
    .await;
    assert_eq!(desk.read(ENTRY, None, 0).await["reason"], "unplated_entry");

    // Silence past `robot_offline_seconds` (90): offline, everywhere.
    app.clock.advance(91_000);
    let robots = app.read(&desk.agent, &desk.path("/robots")).await;
    for robot in robots.as_array().expect("robots") {
        assert_eq!(robot["status"], "offline", "{robot}");
        assert!(
            robot["problems"][0]
                .as_str()
                .expect("why")
                .starts_with("no heartbeat for 9"),
            "{robot}"
        );
    }
    let congestion = app.read(&desk.agent, "/v1/congestion").await;
    let offline: Vec<&Value> = congestion
        .as_array()
        .expect("list")
        .iter()
        .filter(|c| c["kind"] == "robot_offline")
        .collect();
    assert_eq!(offline.len(), 2, "{congestion}");
    let metrics = app.metrics().await;
    let lot = &desk.lot.id;
    assert!(
        metrics.contains(&format!(
            "boomgate_robots{{lot=\"{lot}\",status=\"offline\"}} 2"
        )),
        "{metrics}"
    );
    // A stale heartbeat says nothing of the camera: the policy decides as
    // with no heartbeat (a read at the service's clock, past the first
    // read's debounce window).
    let now = jiff::Timestamp::from_millisecond(app.clock.now_ms())
        .expect("now")
        .to_string();
    let held = app
        .ok(
            StatusCode::OK,
            app.event(exit, &unique("ev"), None, &now).await,
        )
        .await;
    assert_eq!(held["reason"], "unplated_exit", "{held}");
    // It comes back.
    app.ok(
        StatusCode::OK,
        app.post(exit, "/v1/robot/heartbeat", json!({})).await,
    )
    .await;
    let metrics = app.metrics().await;
    assert!(metrics.contains(&format!(
        "boomgate_robots{{lot=\"{lot}\",status=\"online\"}} 1"
    )));
}

crate::on_both!(heartbeats_make_robots_online_degraded_and_offline);

async fn commissioning_tests_are_answered_and_create_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let centre = Centre::open(&app, json!({ "visitor_confirmation": false })).await;
    let desk = &centre.desk;
    let body = json!({ "event_id": "install-1", "plate": "粤B90001", "occurred_at": minutes_ago(0), "test": true });
    let answer = app
        .ok(
            StatusCode::OK,
            app.post(centre.robot(ENTRY), "/v1/events", body).await,
        )
        .await;
    assert_eq!(answer["test"], true);
    assert_eq!(answer["recorded"], false);
    assert_eq!(answer["reason"], "visitor_welcome");
    // The exit test sees no stay: nothing was created.
    let body = json!({ "event_id": "install-2", "plate": "粤B90001", "occurred_at": minutes_ago(0), "test": true });
    let answer = app
        .ok(
            StatusCode::OK,
            app.post(centre.robot(EXIT), "/v1/events", body).await,
        )
        .await;
    assert_eq!(answer["reason"], "no_entry_record");
    assert!(desk.inside().await.is_empty());
    let log = app.read(&app.owner, &desk.path("/decisions")).await;
    assert_eq!(log, json!([]), "tests are not decisions");
    assert_eq!(
        app.read(&desk.agent, &desk.path("/cases?status=open"))
            .await,
        json!([]),
        "a test does not escalate"
    );
    let tests = app
        .read(&app.owner, &desk.path("/robots/robot-exit/tests"))
        .await;
    assert_eq!(tests[0]["event_id"], "install-2");
    assert_eq!(tests[0]["reason"], "no_entry_record");
    // A real read of the same plate right after is decided as new.
    assert_eq!(
        desk.read(ENTRY, Some("粤B90001"), 0).await["reason"],
        "visitor_welcome"
    );
    // A test call reaches the desk as a test case, apart from real ones.
    let call = app
        .ok(
            StatusCode::OK,
            app.post(
                centre.robot(EXIT),
                "/v1/robot/call",
                json!({ "test": true }),
            )
            .await,
        )
        .await;
    let real = app.read(&desk.agent, &desk.path("/cases")).await;
    assert_eq!(real, json!([]));
    let tests = app.read(&desk.agent, &desk.path("/cases?test=true")).await;
    assert_eq!(tests[0]["id"], call["case_id"]);
    assert_eq!(tests[0]["test"], true);
    centre.close(&tests[0], "test").await;
    // A capture of the wrong kind is refused.
    let response = app
        .client
        .post(format!("{}/v1/robot/captures?kind=selfie", app.url))
        .bearer_auth(centre.robot(EXIT))
        .header("content-type", "image/png")
        .body(PNG.to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    capture(&app, centre.robot(EXIT), "scene", PNG.to_vec()).await;
}

crate::on_both!(commissioning_tests_are_answered_and_create_nothing);
