//! The call centre's edges: seats bound and moved, calls that match
//! nothing or a driver, retried calls, lookups by phone and their access
//! log, the lot's place and free spaces, tokens rotated and revoked.

use super::centre::Centre;
use super::*;

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.send(&app.client, reqwest::Method::PUT, token, path, Some(body))
        .await
}

async fn seats_are_bound_moved_and_left(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let centre = Centre::open(&app, json!({})).await;
    let desk = &centre.desk;
    let other = agent(&app, &app.owner, &[&desk.lot.id]).await;
    // A seat another agent sits at is refused, naming them.
    let (status, taken) = put(&app, &other, "/v1/seat", json!({ "seat": centre.seat })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{taken}");
    assert!(
        taken["error"]["message"]
            .as_str()
            .expect("why")
            .contains(&centre.agent_id)
    );
    let (status, bad) = put(&app, &other, "/v1/seat", json!({ "seat": "8 001" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "seat");
    let (status, _) = put(&app, &app.owner, "/v1/seat", json!({ "seat": "9001" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "owners sit at no seat");
    // The agent moves (坐席修改): the old seat is free.
    let moved = unique("9");
    let (status, seat) = put(&app, &desk.agent, "/v1/seat", json!({ "seat": moved })).await;
    assert_eq!((status, &seat["seat"]), (StatusCode::OK, &json!(moved)));
    let (status, _) = put(&app, &other, "/v1/seat", json!({ "seat": centre.seat })).await;
    assert_eq!(status, StatusCode::OK);
    let seats = app.read(&app.owner, "/v1/seats").await;
    assert_eq!(seats.as_array().map(Vec::len), Some(2));
    // A call to the agent's old seat now goes to the other agent.
    desk.read(EXIT, Some("粤B12121"), 0).await;
    let body = json!({ "caller": centre.phones[1], "seat": centre.seat });
    let answer = app
        .ok(
            StatusCode::OK,
            app.post(&centre.telephony, "/v1/calls", body).await,
        )
        .await;
    assert_ne!(answer["agent_id"], centre.agent_id.as_str());
    // Leaving: the seat is free; leaving again is 404.
    let (status, _) = app
        .send(
            &app.client,
            reqwest::Method::DELETE,
            &desk.agent,
            "/v1/seat",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .send(
            &app.client,
            reqwest::Method::DELETE,
            &desk.agent,
            "/v1/seat",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A call to a seat nobody sits at is refused, naming the seat.
    let body = json!({ "caller": centre.phones[1], "seat": moved });
    let (status, refused) = app.post(&centre.telephony, "/v1/calls", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["fields"][0]["path"], "seat");
}

crate::on_both!(seats_are_bound_moved_and_left);

async fn calls_resolve_to_robots_drivers_or_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let centre = Centre::open(&app, json!({ "visitor_confirmation": true })).await;
    let desk = &centre.desk;
    let call = |caller: &str, id: Option<&str>| json!({ "caller": caller, "seat": centre.seat, "call_id": id });
    // A number nothing knows: a clear empty answer.
    let answer = app
        .ok(
            StatusCode::OK,
            app.post(&centre.telephony, "/v1/calls", call("021-5555-0101", None))
                .await,
        )
        .await;
    assert_eq!(answer["resolved"], "nothing");
    assert_eq!(
        (
            &answer["driver"]["passes"],
            &answer["driver"]["visits"],
            &answer["driver"]["stays"]
        ),
        (&json!([]), &json!([]), &json!([]))
    );
    assert!(answer["case"].is_null());
    let (status, bad) = app
        .post(&centre.telephony, "/v1/calls", call("hello", None))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "caller");
    // A pass holder calls from their phone (+86 in front): their pass and
    // stays come up, and the agent's look at them is in the access log.
    desk.pass("粤B30003", &day(10), "7", 1).await;
    desk.read(ENTRY, Some("粤B30003"), 30).await;
    let answer = app
        .ok(
            StatusCode::OK,
            app.post(
                &centre.telephony,
                "/v1/calls",
                call("+86 138 0000 0007", Some("pbx-7")),
            )
            .await,
        )
        .await;
    assert_eq!(answer["resolved"], "pass", "{answer}");
    assert_eq!(answer["driver"]["passes"][0]["plate"], "粤B30003");
    assert_eq!(answer["driver"]["passes"][0]["inside"], true);
    assert_eq!(answer["driver"]["stays"][0]["plate"], "粤B30003");
    // The telephony system retries: the same call, recorded once.
    let again = app
        .ok(
            StatusCode::OK,
            app.post(
                &centre.telephony,
                "/v1/calls",
                call("+86 138 0000 0007", Some("pbx-7")),
            )
            .await,
        )
        .await;
    assert_eq!(
        (&again["call_id"], &again["replayed"]),
        (&answer["call_id"], &json!(true))
    );
    let log = app.read(&app.owner, "/v1/access-log").await;
    let phone_looks: Vec<&Value> = log
        .as_array()
        .expect("log")
        .iter()
        .filter(|l| l["query"] == "8613800000007")
        .collect();
    assert_eq!(phone_looks.len(), 1, "{log}");
    assert_eq!(
        phone_looks[0]["looked_by"],
        format!("agent:{}", centre.agent_id)
    );
    assert_eq!(phone_looks[0]["results"], 2);
    // Only the telephony system and owners report calls.
    for token in [&desk.agent, &desk.lot.entry] {
        let (status, _) = app
            .post(token, "/v1/calls", call("13000000000", None))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

crate::on_both!(calls_resolve_to_robots_drivers_or_nothing);

async fn lookups_by_phone_are_logged_for_the_owner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": true })).await;
    // A visitor registered with their phone, and their stay.
    desk.read(ENTRY, Some("粤B40404"), 5).await;
    let body = json!({ "phone": "139-0000-4040", "reason": "5栋业主访客" });
    assert_eq!(desk.act(ENTRY, "visitor", body).await["opened"], true);
    let found = app
        .read(&desk.agent, "/v1/lookup?phone=%2B86%2013900004040")
        .await;
    assert_eq!(found["phone"], "8613900004040");
    assert_eq!(found["visits"][0]["plate"], "粤B40404");
    assert_eq!(found["visits"][0]["reason"], "5栋业主访客");
    assert_eq!(found["stays"][0]["plate"], "粤B40404");
    let nothing = app.read(&desk.agent, "/v1/lookup?phone=13011112222").await;
    assert_eq!(nothing["visits"], json!([]));
    let (status, bad) = app.get(&desk.agent, "/v1/lookup?phone=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "phone");
    // Plate and pass searches are logged too.
    desk.get(StatusCode::OK, "/stays?plate=粤B40404").await;
    app.read(&desk.agent, "/v1/monthly-passes?phone=13800000001")
        .await;
    let log = app.read(&app.owner, "/v1/access-log").await;
    let entries: Vec<(String, String, i64)> = log
        .as_array()
        .expect("log")
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().expect("kind").to_owned(),
                l["query"].as_str().expect("query").to_owned(),
                l["results"].as_i64().expect("results"),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("phone".to_owned(), "13800000001".to_owned(), 0),
            ("plate".to_owned(), "粤B40404".to_owned(), 1),
            ("phone".to_owned(), "13011112222".to_owned(), 0),
            ("phone".to_owned(), "8613900004040".to_owned(), 2),
        ]
    );
    assert!(
        log[0]["looked_by"]
            .as_str()
            .expect("who")
            .starts_with("agent:")
    );
    let (status, _) = app.get(&desk.agent, "/v1/access-log").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "agents do not read the access log"
    );
}

crate::on_both!(lookups_by_phone_are_logged_for_the_owner);

async fn the_lot_tells_its_place_and_free_spaces(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": false })).await;
    let owner = &app.owner;
    let patch = |body: Value| {
        let path = desk.path("");
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
    let (status, lot) = patch(json!({ "capacity": 3, "address": "深圳市南山区科技园 1 号", "latitude": 22.54, "longitude": 113.95 })).await;
    assert_eq!(status, StatusCode::OK, "{lot}");
    assert_eq!(
        (&lot["capacity"], &lot["latitude"]),
        (&json!(3), &json!(22.54))
    );
    for (body, field) in [
        (json!({ "latitude": 95.0, "longitude": 1.0 }), "latitude"),
        (json!({ "latitude": 22.0 }), "longitude"),
        (json!({ "capacity": -1 }), "capacity"),
    ] {
        let (status, bad) = patch(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(bad["error"]["fields"][0]["path"], field);
    }
    for plate in ["粤B00001", "粤B00002"] {
        desk.read(ENTRY, Some(plate), 10).await;
    }
    let info = app.read(&desk.agent, &desk.path("/info")).await;
    assert_eq!(
        (&info["capacity"], &info["occupied"], &info["free_spaces"]),
        (&json!(3), &json!(2), &json!(1))
    );
    assert_eq!(info["address"], "深圳市南山区科技园 1 号");
    assert_eq!(info["agents"].as_array().map(Vec::len), Some(1));
    // Full beyond capacity counts no free space below zero.
    for plate in ["粤B00003", "粤B00004"] {
        desk.read(ENTRY, Some(plate), 5).await;
    }
    let info = app.read(&desk.agent, &desk.path("/info")).await;
    assert_eq!(
        (&info["occupied"], &info["free_spaces"]),
        (&json!(4), &json!(0))
    );
    // Cleared: no capacity, no free-space count.
    let (status, lot) =
        patch(json!({ "capacity": null, "latitude": null, "longitude": null })).await;
    assert_eq!(status, StatusCode::OK);
    assert!(lot["capacity"].is_null() && lot["latitude"].is_null());
    let info = app.read(&desk.agent, &desk.path("/info")).await;
    assert!(info["free_spaces"].is_null());
}

crate::on_both!(the_lot_tells_its_place_and_free_spaces);

async fn agents_tokens_are_rotated_and_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let centre = Centre::open(&app, json!({})).await;
    let desk = &centre.desk;
    let path = format!("/v1/agents/{}/token", centre.agent_id);
    let rotated = app
        .ok(
            StatusCode::CREATED,
            app.post(&app.owner, &path, json!({})).await,
        )
        .await;
    let fresh = rotated["token"].as_str().expect("token");
    assert_eq!(rotated["lots"], json!([desk.lot.id]));
    let (status, _) = app.get(&desk.agent, "/v1/congestion").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old token is revoked");
    app.read(fresh, "/v1/congestion").await;
    let revoke = format!("/v1/agents/{}/revoke", centre.agent_id);
    let (status, _) = app.post(fresh, &revoke, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.post(&app.owner, &revoke, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(fresh, "/v1/congestion").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.read(&app.owner, "/v1/seats").await,
        json!([]),
        "its seat is free"
    );
    let (status, _) = app
        .post(&app.owner, "/v1/agents/nobody/token", json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A case list with a bad filter names it.
    let (status, bad) = app
        .get(&app.owner, &desk.path("/cases?status=pending"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "status");
}

crate::on_both!(agents_tokens_are_rotated_and_revoked);

async fn agents_change_lots_and_owners_keep_extra_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let centre = Centre::open(&app, json!({})).await;
    let desk = &centre.desk;
    let owner = &app.owner;
    let other = app.lot(owner, &unique("lot"), "Asia/Shanghai", "CNY").await;
    let path = format!("/v1/agents/{}", centre.agent_id);
    let patch = |body: Value| {
        let path = path.clone();
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
    // Moved to the other lot: the first one is no longer theirs (404).
    let (status, agent) = patch(json!({ "name": "夜班 2", "lots": [other.id] })).await;
    assert_eq!(status, StatusCode::OK, "{agent}");
    assert_eq!(
        (&agent["name"], &agent["lots"]),
        (&json!("夜班 2"), &json!([other.id]))
    );
    let (status, _) = app.get(&desk.agent, &desk.path("/info")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.read(&desk.agent, &format!("/v1/lots/{}/info", other.id))
        .await;
    let (status, bad) = patch(json!({ "lots": [] })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "lots");
    let stranger = app.new_owner("Other Co").await;
    let (status, _) = app
        .send(
            &app.client,
            reqwest::Method::PATCH,
            &stranger,
            &path,
            Some(json!({ "name": "x" })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another owner's agent");

    // An extra owner token works like the first, lists without its secret,
    // and cannot revoke itself.
    let (status, bad) = app
        .post(
            owner,
            "/v1/tokens",
            json!({ "role": "owner", "name": "月报脚本", "lots": [desk.lot.id] }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "lots");
    let extra = app
        .ok(
            StatusCode::CREATED,
            app.post(
                owner,
                "/v1/tokens",
                json!({ "role": "owner", "name": "月报脚本", "lots": [] }),
            )
            .await,
        )
        .await;
    let secret = extra["token"].as_str().expect("token").to_owned();
    app.read(&secret, &desk.path("")).await;
    let listed = app.read(&secret, "/v1/tokens").await;
    assert!(
        listed
            .as_array()
            .expect("tokens")
            .iter()
            .any(|t| t["id"] == extra["id"])
    );
    assert!(
        !listed.to_string().contains(&secret),
        "secrets are not listed"
    );
    let revoke = format!("/v1/tokens/{}/revoke", extra["id"].as_str().expect("id"));
    let (status, own) = app.post(&secret, &revoke, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{own}");
    let (status, _) = app.post(owner, &revoke, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&secret, "/v1/lots").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

crate::on_both!(agents_change_lots_and_owners_keep_extra_tokens);

async fn an_unanswered_call_waits_in_the_congestion_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let centre = Centre::open(&app, json!({})).await;
    let desk = &centre.desk;
    // The driver presses the button with nothing held: a case, no hold.
    let pressed = centre.press(ENTRY).await;
    let waiting = |list: &Value| -> Vec<Value> {
        list.as_array()
            .expect("list")
            .iter()
            .filter(|c| c["kind"] == "case_waiting")
            .cloned()
            .collect()
    };
    let list = app.read(&desk.agent, "/v1/congestion").await;
    assert!(waiting(&list).is_empty(), "not yet a minute: {list}");
    app.clock.advance(61_000);
    let list = app.read(&desk.agent, "/v1/congestion").await;
    let listed = waiting(&list);
    assert_eq!(listed.len(), 1, "{list}");
    assert_eq!(
        (
            &listed[0]["case_id"],
            &listed[0]["gate_id"],
            &listed[0]["robot_phone"]
        ),
        (&pressed["case_id"], &json!(ENTRY), &json!(centre.phones[0]))
    );
    assert!(listed[0]["waiting_seconds"].as_i64().expect("seconds") >= 61);
    // The agent calls the robot back (§2.3.3) and has the case: it leaves.
    let path = format!(
        "/v1/cases/{}/answer",
        pressed["case_id"].as_str().expect("id")
    );
    let answered = app
        .ok(
            StatusCode::OK,
            app.post(&desk.agent, &path, json!({})).await,
        )
        .await;
    assert_eq!(answered["status"], "answered");
    assert!(answered["waiting_seconds"].as_i64().expect("seconds") >= 61);
    let list = app.read(&desk.agent, "/v1/congestion").await;
    assert!(waiting(&list).is_empty(), "{list}");
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("boomgate_case_wait_seconds_count 1"),
        "{metrics}"
    );
}

crate::on_both!(an_unanswered_call_waits_in_the_congestion_list);
