//! Roles and the lockout: robots only post events, owners only manage; a
//! source that fails ten times is locked out for a day while valid tokens
//! keep working, from it and from elsewhere.

use std::net::{IpAddr, Ipv4Addr};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{Backend, TestApp, minutes_ago, standard_settings, unique};

async fn roles_hold(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = app
        .lot(&app.owner, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;
    let module = app.standard_module(&app.owner).await;
    let v = app
        .version(&app.owner, &lot.id, &module, &standard_settings())
        .await;
    app.activate(&app.owner, &lot.id, v).await;
    // A robot cannot manage.
    for (method, path) in [
        (Method::GET, "/v1/lots".to_owned()),
        (Method::GET, format!("/v1/lots/{}/decisions", lot.id)),
    ] {
        let (status, answer) = app.send(&app.client, method, &lot.entry, &path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
    }
    let (status, _) = app
        .post(
            &lot.entry,
            "/v1/lots",
            json!({ "id": "x", "name": "x", "timezone": "UTC", "currency": "CNY" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An owner is not a robot.
    let (status, answer) = app
        .event(&app.owner, "e", Some("粤B12345"), &minutes_ago(1))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    // A robot decides only at its own gate: the direction comes from its binding.
    let entry = app
        .ok(
            StatusCode::OK,
            app.event(&lot.entry, "e1", Some("粤B12345"), &minutes_ago(1))
                .await,
        )
        .await;
    let exit = app
        .ok(
            StatusCode::OK,
            app.event(&lot.exit, "e1", Some("粤B12345"), &minutes_ago(1))
                .await,
        )
        .await;
    assert_eq!(entry["reason"], "visitor_confirmation_required");
    assert_eq!(exit["reason"], "no_entry_record");
    let log = app
        .read(&app.owner, &format!("/v1/lots/{}/decisions", lot.id))
        .await;
    let gates: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["gate_id"].as_str().unwrap())
        .collect();
    assert_eq!(gates, ["north-exit", "north-entry"]);
    // No token at all.
    let response = app
        .client
        .get(format!("{}/v1/lots", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

crate::on_both!(roles_hold);

async fn ten_failures_lock_a_source_out_for_a_day(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let attacker = TestApp::client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)));
    let neighbour = TestApp::client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    let guess = |i: usize| format!("bgo_{i:048x}");
    for i in 0..9 {
        let (status, answer) = app
            .send(&attacker, Method::GET, &guess(i), "/v1/lots", None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "failure {i}: {answer}");
    }
    let (status, answer) = app
        .send(&attacker, Method::GET, &guess(9), "/v1/lots", None)
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the tenth failure locks: {answer}"
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("locked until"),
        "{answer}"
    );
    let (status, _) = app
        .send(&attacker, Method::GET, &guess(10), "/v1/lots", None)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Valid tokens are not locked out: not from this source, not from another.
    assert_eq!(
        app.send(&attacker, Method::GET, &app.owner, "/v1/lots", None)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        app.send(&neighbour, Method::GET, &app.owner, "/v1/lots", None)
            .await
            .0,
        StatusCode::OK
    );
    // Another source's failures are its own.
    assert_eq!(
        app.send(&neighbour, Method::GET, &guess(11), "/v1/lots", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let metrics = app
        .client
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("boomgate_auth_failures_total 12"),
        "{metrics}"
    );
    // The lock is in the database: it survives a restart.
    let app = app.restart().await;
    assert_eq!(
        app.send(&attacker, Method::GET, &guess(12), "/v1/lots", None)
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A day later it has passed.
    app.clock.advance(24 * 60 * 60 * 1000 + 1000);
    let (status, answer) = app
        .send(&attacker, Method::GET, &guess(13), "/v1/lots", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
}

crate::on_both!(ten_failures_lock_a_source_out_for_a_day);

/// Fifty wrong tokens at once from one source: each failure counts, so
/// exactly nine are answered 401 and the rest 429, and the source stays
/// locked afterwards.
async fn concurrent_failures_each_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let attacker = TestApp::client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)));
    let calls: Vec<_> = (0..50)
        .map(|i| {
            let (app, attacker) = (&app, &attacker);
            Box::pin(async move {
                let token = format!("bgo_{:048x}", 1000 + i);
                app.send(attacker, Method::GET, &token, "/v1/lots", None)
                    .await
                    .0
            })
        })
        .collect();
    let statuses = crate::harness::join_all(calls).await;
    let refused = |s: StatusCode| statuses.iter().filter(|x| **x == s).count();
    assert_eq!(
        (
            refused(StatusCode::UNAUTHORIZED),
            refused(StatusCode::TOO_MANY_REQUESTS)
        ),
        (9, 41),
        "{statuses:?}"
    );
    let (status, _) = app
        .send(&attacker, Method::GET, "bgo_wrong", "/v1/lots", None)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "still locked");
}

crate::on_both!(concurrent_failures_each_count);

/// Behind a proxy, the client cannot pick its address by sending
/// `X-Forwarded-For`: the proxy's appended hop is the one that counts.
async fn a_forged_forwarded_for_does_not_escape_the_lockout(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.trust_forwarded_for = true).await;
    let proxy = TestApp::client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 4)));
    let mut last = StatusCode::OK;
    for i in 0..12 {
        // The client sends a new address each time; the proxy appends the
        // one it saw.
        let response = proxy
            .get(format!("{}/v1/lots", app.url))
            .bearer_auth(format!("bgo_{:048x}", 2000 + i))
            .header("x-forwarded-for", format!("198.51.100.{i}, 203.0.113.77"))
            .send()
            .await
            .unwrap();
        last = response.status();
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "203.0.113.77 is locked"
    );
    // Another client behind the same proxy is not.
    let response = proxy
        .get(format!("{}/v1/lots", app.url))
        .bearer_auth("bgo_wrong")
        .header("x-forwarded-for", "203.0.113.78")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

crate::on_both!(a_forged_forwarded_for_does_not_escape_the_lockout);
