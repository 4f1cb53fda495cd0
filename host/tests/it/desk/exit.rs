//! The exit scenes of seed 001 §2.3 C, as the agent plays them.

use super::*;

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
