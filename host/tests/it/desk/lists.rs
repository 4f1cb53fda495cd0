//! Seed 001 §2.3.3 and §2.3.1 C: the congestion list, what robots are told,
//! the lot information panel.

use super::*;

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
    // The long poll looks in the database again only every ten minutes: a
    // command can reach the waiting robot within the test only by waking it.
    let app = TestApp::spawn_with(backend, |c| c.command_repoll_ms = 600_000).await;
    let desk = Desk::open(&app, json!({})).await;
    let none = app.read(&desk.lot.exit, "/v1/robot/commands?wait=0").await;
    assert_eq!(none, json!({ "commands": [], "next": null }));
    // A robot waits for a command; the agent pushes one; the robot gets it.
    let waiting = {
        let client = app.client.clone();
        let url = format!("{}/v1/robot/commands?wait=30", app.url);
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
    let hub = &app.state.commands;
    eventually("the robot waits for commands", || {
        hub.waiting(&desk.lot.id, "north-exit") == 1
    })
    .await;
    let push =
        json!({ "display": { "kind": "text", "text": "请稍候，客服正在处理" }, "voice": "请稍候" });
    let pushed = desk.push(EXIT, push).await;
    // The robot would wait 30 s and look again in 10 minutes: only the
    // wake-up brings the command within 10 s.
    let got = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
        .await
        .expect("the command wakes the waiting robot")
        .expect("poll task");
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
