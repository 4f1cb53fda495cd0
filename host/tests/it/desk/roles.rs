//! Who may work which desk: agents serve their lots, robots cannot act as
//! agents, evidence must be real photos.

use super::*;

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
