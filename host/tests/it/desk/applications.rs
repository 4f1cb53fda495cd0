//! Monthly-pass applications in their queue (seed 001 §2.2.2 scene 3,
//! §2.4.1): a lapsed holder "重新排队申请月卡" through an agent or the app
//! platform; the queue keeps order; approval renews the pass with its
//! renewal order; rejection says why.

use super::*;

async fn applications_queue_and_are_decided(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": false })).await;
    let owner = &app.owner;
    desk.pass("粤B80008", &day(-10), "8", 1).await;
    let apply = |token: &str, body: Value| {
        let path = desk.path("/pass-applications");
        let token = token.to_owned();
        let app = &app;
        async move { app.post(&token, &path, body).await }
    };
    // The lapsed holder, through the agent on the phone.
    let (status, first) = apply(
        &desk.agent,
        json!({ "plate": "粤B80008", "phone": "138 0000 0008" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(
        (&first["kind"], &first["position"], &first["account"]),
        (&json!("renewal"), &json!(1), &json!("8"))
    );
    // A newcomer, through the app platform.
    let platform = app
        .ok(
            StatusCode::CREATED,
            app.post(
                owner,
                "/v1/tokens",
                json!({ "role": "app", "name": "小程序", "lots": [desk.lot.id] }),
            )
            .await,
        )
        .await;
    let platform = platform["token"].as_str().expect("token");
    let (status, second) = apply(
        platform,
        json!({ "plate": "粤B80009", "holder": "李四", "months": 3 }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(
        (&second["kind"], &second["position"]),
        (&json!("new"), &json!(2))
    );
    // Bad applications name the field; a second one for a plate is 409.
    for (body, field) in [
        (json!({ "plate": "粤B80010", "kind": "renewal" }), "kind"),
        (json!({ "plate": "粤B80010", "months": 0 }), "months"),
        (json!({ "plate": "粤B80010", "phone": "phone" }), "phone"),
    ] {
        let (status, bad) = apply(&desk.agent, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(bad["error"]["fields"][0]["path"], field);
    }
    let (status, again) = apply(&desk.agent, json!({ "plate": "粤B80008" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    // The renewal shows in the pass query, with its place in the queue.
    let found = app
        .read(&desk.agent, "/v1/monthly-passes?plate=粤B80008")
        .await;
    assert_eq!(found[0]["application"]["id"], first["id"]);
    assert_eq!(found[0]["application"]["position"], 1);
    let record = desk.get(StatusCode::OK, "/stays?plate=粤B80009").await;
    assert_eq!(
        record["application"]["id"], second["id"],
        "§2.4.2: the stay search shows it"
    );

    // Approved with the renewal's price: the pass is valid for a month
    // from yesterday, a renewal order waits, and the car drives in.
    let path = desk.path(&format!(
        "/pass-applications/{}/approve",
        first["id"].as_str().expect("id")
    ));
    let approved = app
        .ok(
            StatusCode::OK,
            app.post(&desk.agent, &path, json!({ "amount": 30000 }))
                .await,
        )
        .await;
    assert_eq!(approved["status"], "approved");
    let yesterday: jiff::civil::Date = day(-1).parse().expect("date");
    let until = yesterday
        .checked_add(jiff::Span::new().months(1))
        .expect("date");
    assert_eq!(approved["valid_until"], until.to_string());
    let order = app
        .read(
            &app.owner,
            &desk.path(&format!(
                "/orders/{}",
                approved["order_id"].as_str().expect("order")
            )),
        )
        .await;
    assert_eq!(
        (&order["kind"], &order["status"], &order["amount"]),
        (&json!("monthly_renewal"), &json!("pending"), &json!(30000))
    );
    assert_eq!(
        desk.read(ENTRY, Some("粤B80008"), 0).await["reason"],
        "monthly_pass_valid"
    );
    let (status, twice) = app.post(&desk.agent, &path, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        twice["error"]["message"]
            .as_str()
            .expect("why")
            .contains("approved")
    );

    // The newcomer moves up; rejected with a reason.
    let queue = app
        .read(&desk.agent, &desk.path("/pass-applications"))
        .await;
    assert_eq!(queue.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (&queue[0]["id"], &queue[0]["position"]),
        (&second["id"], &json!(1))
    );
    let path = desk.path(&format!(
        "/pass-applications/{}/reject",
        second["id"].as_str().expect("id")
    ));
    let (status, bad) = app.post(&desk.agent, &path, json!({ "reason": " " })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let rejected = app
        .ok(
            StatusCode::OK,
            app.post(
                &desk.agent,
                &path,
                json!({ "reason": "车位已满，请下月再申请" }),
            )
            .await,
        )
        .await;
    assert_eq!(
        (&rejected["status"], &rejected["position"]),
        (&json!("rejected"), &Value::Null)
    );
    assert_eq!(
        app.read(&desk.agent, &desk.path("/pass-applications"))
            .await,
        json!([])
    );
    let all = app
        .read(&desk.agent, &desk.path("/pass-applications?status=all"))
        .await;
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    let (status, bad) = app
        .get(&desk.agent, &desk.path("/pass-applications?status=waiting"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "status");
}

crate::on_both!(applications_queue_and_are_decided);
