//! Owners: every owner route refuses another owner's lot, inputs are
//! checked with the field named, modules and settings are validated.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp, minutes_ago, standard_settings, unique};

async fn owners_see_only_their_lots(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = app
        .lot(&app.owner, &unique("mine"), "Asia/Shanghai", "CNY")
        .await;
    let module = app.standard_module(&app.owner).await;
    let mut settings = standard_settings();
    settings["visitor_confirmation"] = json!(false);
    let v = app.version(&app.owner, &lot.id, &module, &settings).await;
    app.activate(&app.owner, &lot.id, v).await;
    app.ok(
        StatusCode::OK,
        app.event(&lot.entry, "in", Some("粤B12345"), &minutes_ago(5))
            .await,
    )
    .await;

    let other = app.new_owner("Other owner").await;
    let id = &lot.id;
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/v1/lots/{id}"), None),
        (
            Method::POST,
            format!("/v1/lots/{id}/gates"),
            Some(json!({ "id": "g", "direction": "entry" })),
        ),
        (
            Method::POST,
            format!("/v1/lots/{id}/robots"),
            Some(json!({ "id": "r", "gate_id": "north-entry" })),
        ),
        (
            Method::POST,
            format!("/v1/lots/{id}/policies"),
            Some(json!({ "module": module, "settings": standard_settings() })),
        ),
        (Method::GET, format!("/v1/lots/{id}/policies"), None),
        (
            Method::POST,
            format!("/v1/lots/{id}/policies/{v}/activate"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/v1/lots/{id}/policies/{v}/preview"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/v1/lots/{id}/monthly-passes"),
            Some(
                json!({ "plate": "粤B1", "valid_until": "2099-01-01", "account": "a", "spaces": 1 }),
            ),
        ),
        (Method::GET, format!("/v1/lots/{id}/monthly-passes"), None),
        (
            Method::DELETE,
            format!("/v1/lots/{id}/monthly-passes/粤B1"),
            None,
        ),
        (
            Method::POST,
            format!("/v1/lots/{id}/parking-passes"),
            Some(json!({ "plate": "粤B1" })),
        ),
        (
            Method::GET,
            format!("/v1/lots/{id}/sessions?inside=true"),
            None,
        ),
        (Method::GET, format!("/v1/lots/{id}/decisions"), None),
        (Method::GET, format!("/v1/lots/{id}/fees"), None),
        (
            Method::POST,
            format!("/v1/lots/{id}/payments"),
            Some(json!({ "plate": "粤B12345", "amount": 100, "paid_at": minutes_ago(0) })),
        ),
    ];
    for (method, path, body) in &routes {
        let (status, answer) = app
            .send(&app.client, method.clone(), &other, path, body.clone())
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{method} {path} with another owner's token: {answer}"
        );
        assert_eq!(
            answer["error"]["message"],
            format!("lot `{id}` not found"),
            "{method} {path}"
        );
    }
    let (_, listed) = app.get(&other, "/v1/lots").await;
    assert_eq!(listed, json!([]));
    // The owner's own token works on every one of them.
    for (method, path, body) in &routes {
        let (status, answer) = app
            .send(&app.client, method.clone(), &app.owner, path, body.clone())
            .await;
        assert!(
            status.is_success(),
            "{method} {path} with the owner's token: {status} {answer}"
        );
    }
    // A module is the uploader's: another owner cannot build a version on it.
    let theirs = app
        .lot(&other, &unique("theirs"), "Asia/Shanghai", "CNY")
        .await;
    let body = json!({ "module": module, "settings": standard_settings() });
    let (status, answer) = app
        .post(&other, &format!("/v1/lots/{}/policies", theirs.id), body)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"]["fields"][0]["path"], "module");
    // Lot ids are global: taking one that exists is a conflict.
    let taken = json!({ "id": id, "name": "x", "timezone": "Asia/Shanghai", "currency": "CNY" });
    assert_eq!(
        app.post(&other, "/v1/lots", taken).await.0,
        StatusCode::CONFLICT
    );
}

crate::on_both!(owners_see_only_their_lots);

async fn settings_and_modules_are_checked(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.module_limit = 2 << 20).await;
    let lot = app
        .lot(&app.owner, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;
    let module = app.standard_module(&app.owner).await;
    // The same module again is the same digest.
    assert_eq!(app.standard_module(&app.owner).await, module);

    let policies = format!("/v1/lots/{}/policies", lot.id);
    let mut settings = standard_settings();
    settings["fees"]["free_minutes"] = json!(-1);
    settings["colour"] = json!("blue");
    let (status, answer) = app
        .post(
            &app.owner,
            &policies,
            json!({ "module": module, "settings": settings }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let paths: Vec<&str> = answer["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"settings.fees.free_minutes") && paths.contains(&"settings.colour"),
        "{answer}"
    );
    let mut settings = standard_settings();
    settings["monthly_pass"]["exit_open_days"] = json!(30);
    let (status, answer) = app
        .post(
            &app.owner,
            &policies,
            json!({ "module": module, "settings": settings }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        answer["error"]["fields"][0]["path"],
        "settings.monthly_pass.exit_open_days"
    );
    // Nothing was stored for refused settings.
    assert_eq!(app.get(&app.owner, &policies).await.1, json!([]));

    // Modules: not wasm, a core module, garbage, too large.
    let (status, answer) = app.upload(&app.owner, b"\0asm\x01\0\0\0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("core WebAssembly module"),
        "{answer}"
    );
    let (status, answer) = app.upload(&app.owner, b"not wasm").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    // The service answers 413 without reading the rest of the body and
    // closes that connection: send it on a connection of its own.
    let response = reqwest::Client::new()
        .post(format!("{}/v1/modules", app.url))
        .bearer_auth(&app.owner)
        .header("content-type", "application/wasm")
        .body(vec![0u8; 3 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let response = app
        .client
        .post(format!("{}/v1/modules", app.url))
        .bearer_auth(&app.owner)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Lots, gates, passes: each bad field named.
    let cases = [
        (
            "/v1/lots",
            json!({ "id": "a b", "name": "x", "timezone": "Asia/Shanghai", "currency": "CNY" }),
            "id",
        ),
        (
            "/v1/lots",
            json!({ "id": "ok", "name": "x", "timezone": "Mars/Base", "currency": "CNY" }),
            "timezone",
        ),
        (
            "/v1/lots",
            json!({ "id": "ok", "name": "x", "timezone": "Asia/Shanghai", "currency": "yuan" }),
            "currency",
        ),
        (
            "/v1/lots",
            json!({ "id": "ok", "name": "x", "timezone": "Asia/Shanghai" }),
            "currency",
        ),
    ];
    for (path, body, field) in cases {
        let (status, answer) = app.post(&app.owner, path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["error"]["fields"][0]["path"], field, "{answer}");
    }
    let gates = format!("/v1/lots/{}/gates", lot.id);
    let (status, answer) = app
        .post(
            &app.owner,
            &gates,
            json!({ "id": "g", "direction": "sideways" }),
        )
        .await;
    assert_eq!(
        (status, answer["error"]["fields"][0]["path"].as_str()),
        (StatusCode::BAD_REQUEST, Some("direction"))
    );
    let robots = format!("/v1/lots/{}/robots", lot.id);
    let (status, answer) = app
        .post(
            &app.owner,
            &robots,
            json!({ "id": "r", "gate_id": "nowhere" }),
        )
        .await;
    assert_eq!(
        (status, answer["error"]["fields"][0]["path"].as_str()),
        (StatusCode::BAD_REQUEST, Some("gate_id"))
    );
    let passes = format!("/v1/lots/{}/monthly-passes", lot.id);
    let bad = [
        (
            json!({ "plate": "粤B1!", "valid_until": "2099-01-01", "account": "a", "spaces": 1 }),
            "plate",
        ),
        (
            json!({ "plate": "粤B12345", "valid_until": "2099-02-30", "account": "a", "spaces": 1 }),
            "valid_until",
        ),
        (
            json!({ "plate": "粤B12345", "valid_until": "2099-01-01", "account": "a", "spaces": 0 }),
            "spaces",
        ),
    ];
    for (body, field) in bad {
        let (status, answer) = app.post(&app.owner, &passes, body).await;
        assert_eq!(
            (status, answer["error"]["fields"][0]["path"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{answer}"
        );
    }
}

crate::on_both!(settings_and_modules_are_checked);

async fn fees_and_openapi(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = app
        .lot(&app.owner, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;
    let fees = format!("/v1/lots/{}/fees", lot.id);
    assert_eq!(
        app.get(&app.owner, &fees).await.0,
        StatusCode::NOT_FOUND,
        "no active policy yet"
    );
    let module = app.standard_module(&app.owner).await;
    let v = app
        .version(&app.owner, &lot.id, &module, &standard_settings())
        .await;
    app.activate(&app.owner, &lot.id, v).await;
    let text = app.read(&app.owner, &fees).await;
    assert_eq!(
        text["text"],
        "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
    );
    let en = app.read(&app.owner, &format!("{fees}?locale=en")).await;
    assert!(
        en["text"]
            .as_str()
            .unwrap()
            .starts_with("Free within 30 minutes")
    );
    let (status, answer) = app.get(&app.owner, &format!("{fees}?locale=fr")).await;
    assert_eq!(
        (status, answer["error"]["fields"][0]["path"].as_str()),
        (StatusCode::BAD_REQUEST, Some("locale"))
    );

    let doc: Value = app
        .client
        .get(format!("{}/openapi.json", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/v1/events",
        "/v1/lots",
        "/v1/lots/{lot}/gates",
        "/v1/lots/{lot}/robots",
        "/v1/modules",
        "/v1/lots/{lot}/policies",
        "/v1/lots/{lot}/policies/{version}/activate",
        "/v1/lots/{lot}/monthly-passes",
        "/v1/lots/{lot}/parking-passes",
        "/v1/lots/{lot}/sessions",
        "/v1/lots/{lot}/decisions",
        "/v1/lots/{lot}/fees",
        "/v1/lots/{lot}/payments",
        "/v1/agents",
        "/v1/photos",
        "/v1/robot/commands",
        "/v1/congestion",
        "/v1/monthly-passes",
        "/v1/lots/{lot}/gates/{gate}/pending",
        "/v1/lots/{lot}/gates/{gate}/correct",
        "/v1/lots/{lot}/gates/{gate}/open",
        "/v1/lots/{lot}/gates/{gate}/visitor",
        "/v1/lots/{lot}/gates/{gate}/match",
        "/v1/lots/{lot}/gates/{gate}/display",
        "/v1/lots/{lot}/sessions/similar",
        "/v1/lots/{lot}/sessions/{session}/close",
        "/v1/lots/{lot}/stays",
        "/v1/lots/{lot}/openings",
        "/v1/lots/{lot}/info",
        "/v1/lots/{lot}/photos",
        "/v1/lots/{lot}/photos/{digest}",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from /openapi.json"
        );
    }
    assert!(doc["components"]["schemas"]["EventAnswer"].is_object());
    assert!(doc["components"]["schemas"]["Command"].is_object());
    assert!(doc["components"]["schemas"]["OpenRequest"].is_object());
    let health = app
        .client
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

crate::on_both!(fees_and_openapi);

/// Posts a CSV of passes to a lot.
async fn import(app: &TestApp, lot: &str, csv: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}/v1/lots/{lot}/monthly-passes/import", app.url))
        .bearer_auth(&app.owner)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("import");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

async fn passes_are_imported_from_csv_all_or_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = unique("csv");
    app.lot(&app.owner, &lot, "Asia/Shanghai", "CNY").await;
    let path = format!("/v1/lots/{lot}/monthly-passes");
    // A wrong third line: nothing of the first two is kept; the line and
    // the field are named.
    let bad = "plate,valid_until,account,spaces,holder,phone\n粤B00001,2027-01-31,\"1-101\",2,\"张, 三\",13800000000\n粤B00002,2027-01-31,1-101,2,,\n,2027-01-31,1-102,1,,\n";
    let (status, body) = import(&app, &lot, bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["fields"][0]["path"], "line 4: plate");
    assert_eq!(app.read(&app.owner, &path).await, json!([]));
    let (status, body) = import(&app, &lot, "粤B00001,2027-01-31,1-101,x,,\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["fields"][0]["path"], "line 1: spaces");
    let (status, _) = import(&app, &lot, "plate,valid_until\n\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no passes at all");
    // Fixed, every line goes in, quoted commas and all; a pass again renews it.
    let good = bad.replace("\n,2027", "\n粤B00003,2027");
    let (status, body) = import(&app, &lot, &good).await;
    assert_eq!(
        (status, &body["imported"]),
        (StatusCode::CREATED, &json!(3))
    );
    let passes = app.read(&app.owner, &path).await;
    let first = passes
        .as_array()
        .expect("passes")
        .iter()
        .find(|p| p["plate"] == "粤B00001")
        .expect("imported");
    assert_eq!(
        (&first["holder"], &first["spaces"]),
        (&json!("张, 三"), &json!(2))
    );
    // A seventh column registers the vehicle's class; left empty on a
    // renewal, the class registered stays.
    let (status, _) = import(&app, &lot, "粤B00001,2027-06-30,1-101,2,,,large\n").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = import(&app, &lot, "粤B00001,2027-06-30,1-101,2,,\n").await;
    assert_eq!(status, StatusCode::CREATED);
    let passes = app.read(&app.owner, &path).await;
    assert!(
        passes
            .as_array()
            .expect("passes")
            .iter()
            .any(|p| p["plate"] == "粤B00001"
                && p["valid_until"] == "2027-06-30"
                && p["vehicle_class"] == "large"),
        "{passes}"
    );
    let (status, body) = import(&app, &lot, "粤B00001,2027-06-30,1-101,2,,,Big Bus\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["fields"][0]["path"], "line 1: vehicle_class");
    // Another owner's lot is not found.
    let other = app.new_owner("Another owner").await;
    let response = app
        .client
        .post(format!("{}/v1/lots/{lot}/monthly-passes/import", app.url))
        .bearer_auth(&other)
        .body("粤B00009,2027-01-31,9,1,,")
        .send()
        .await
        .expect("import");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

crate::on_both!(passes_are_imported_from_csv_all_or_nothing);

async fn owners_read_the_modules_they_uploaded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let digest = app.standard_module(&app.owner).await;
    let listed = app.read(&app.owner, "/v1/modules").await;
    let first = &listed[0];
    assert_eq!(first["digest"], digest.as_str());
    assert_eq!(first["name"], "standard-lot");
    assert!(
        first["locales"]
            .as_array()
            .expect("locales")
            .iter()
            .any(|l| l == "zh-CN"),
        "{first}"
    );
    let one = app.read(&app.owner, &format!("/v1/modules/{digest}")).await;
    assert_eq!(
        one["settings_schema"]["properties"]["fees"]["type"],
        "object"
    );
    // Another owner sees neither the list entry nor the module.
    let other = app.new_owner("Another owner").await;
    assert_eq!(app.read(&other, "/v1/modules").await, json!([]));
    let (status, _) = app
        .send(
            &app.client,
            Method::GET,
            &other,
            &format!("/v1/modules/{digest}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

crate::on_both!(owners_read_the_modules_they_uploaded);

async fn a_machine_token_is_rotated_in_one_step(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = unique("rot");
    app.lot(&app.owner, &lot, "Asia/Shanghai", "CNY").await;
    let body = json!({ "role": "payments", "name": "gateway", "lots": [lot] });
    let made = app
        .ok(
            StatusCode::CREATED,
            app.post(&app.owner, "/v1/tokens", body).await,
        )
        .await;
    let old = made["token"].as_str().expect("token").to_owned();
    let orders = format!("/v1/lots/{lot}/orders");
    assert_eq!(app.get(&old, &orders).await.0, StatusCode::OK);
    let path = format!("/v1/tokens/{}/rotate", made["id"].as_str().expect("id"));
    let rotated = app
        .ok(
            StatusCode::CREATED,
            app.post(&app.owner, &path, json!({})).await,
        )
        .await;
    let new = rotated["token"].as_str().expect("a new token, shown once");
    assert_ne!(new, old);
    assert_eq!(
        (&rotated["role"], &rotated["name"], &rotated["lots"]),
        (&json!("payments"), &json!("gateway"), &json!([lot]))
    );
    assert_eq!(app.get(&old, &orders).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(new, &orders).await.0, StatusCode::OK);
    // The old one cannot be rotated again, nor another owner's.
    assert_eq!(
        app.post(&app.owner, &path, json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    let other = app.new_owner("Another owner").await;
    let theirs = format!("/v1/tokens/{}/rotate", rotated["id"].as_str().expect("id"));
    assert_eq!(
        app.post(&other, &theirs, json!({})).await.0,
        StatusCode::NOT_FOUND
    );
}

crate::on_both!(a_machine_token_is_rotated_in_one_step);
