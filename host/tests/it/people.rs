//! People and their logins (seed 002): a code sent to the number on
//! record, single use and expiring; a session cookie every route takes,
//! with its CSRF token on changes; ten wrong codes lock the account
//! whatever the source, across restarts, until it runs out or staff lift
//! it with a reason; a new number takes effect once it confirms a code.

use std::net::IpAddr;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp, unique};

/// A person of the test owner: their id and phone.
async fn person(app: &TestApp, role: &str, lots: &[&str]) -> (String, String) {
    let phone = format!("137{:08}", rand_tail());
    let body = json!({ "name": unique("person "), "phone": phone, "role": role, "lots": lots, "locale": "en" });
    let created = app
        .ok(
            StatusCode::CREATED,
            app.post(&app.owner, "/v1/people", body).await,
        )
        .await;
    (created["id"].as_str().expect("id").to_owned(), phone)
}

fn rand_tail() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed) + u64::from(std::process::id() % 1000) * 10_000
}

async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: Value,
) -> (StatusCode, Value, Option<String>) {
    let response = client
        .post(format!("{}{path}", app.url))
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        cookie,
    )
}

/// The latest code the development sender sent to `phone`.
fn code_for(app: &TestApp, phone: &str) -> Option<String> {
    app.state
        .sender
        .outbox()
        .expect("the development sender")
        .latest(phone)
        .map(|m| m.code)
}

/// Logs in: the session cookie's `name=value` and the CSRF token.
async fn log_in(app: &TestApp, phone: &str) -> (String, String) {
    let (status, sent, _) = call(
        app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": phone }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let code = code_for(app, phone).expect("a code was sent");
    let (status, body, cookie) = call(
        app,
        &app.client,
        "/v1/login",
        json!({ "phone": phone, "code": code }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = cookie.expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().expect("name=value").to_owned();
    (pair, body["csrf_token"].as_str().expect("csrf").to_owned())
}

async fn with_cookie(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.url))
        .header("cookie", cookie);
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn a_code_logs_a_person_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = app
        .lot(&app.owner, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;
    let (_, phone) = person(&app, "agent", &[&lot.id]).await;
    let (cookie, csrf) = log_in(&app, &phone).await;
    // The session is the agent: its routes work, the owner's do not.
    let (status, me) = with_cookie(&app, reqwest::Method::GET, "/v1/me", &cookie, None, None).await;
    assert_eq!(
        (status, &me["phone"], &me["role"]),
        (StatusCode::OK, &json!(phone), &json!("agent"))
    );
    assert_eq!(me["lots"], json!([lot.id]));
    let (status, _) = with_cookie(
        &app,
        reqwest::Method::GET,
        "/v1/congestion",
        &cookie,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        with_cookie(&app, reqwest::Method::GET, "/v1/lots", &cookie, None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an agent is no owner");
    // A change needs the session's CSRF token.
    let seat = json!({ "seat": unique("7") });
    let (status, refused) = with_cookie(
        &app,
        reqwest::Method::PUT,
        "/v1/seat",
        &cookie,
        None,
        Some(seat.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, _) = with_cookie(
        &app,
        reqwest::Method::PUT,
        "/v1/seat",
        &cookie,
        Some("0123"),
        Some(seat.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, bound) = with_cookie(
        &app,
        reqwest::Method::PUT,
        "/v1/seat",
        &cookie,
        Some(&csrf),
        Some(seat),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{bound}");
    // A code works once.
    let code = code_for(&app, &phone).expect("code");
    let (status, _, _) = call(
        &app,
        &app.client,
        "/v1/login",
        json!({ "phone": phone, "code": code }),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Logging out ends the session.
    let (status, _) = with_cookie(
        &app,
        reqwest::Method::POST,
        "/v1/logout",
        &cookie,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = with_cookie(
        &app,
        reqwest::Method::GET,
        "/v1/congestion",
        &cookie,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An owner person is the owner.
    let (_, owner_phone) = person(&app, "owner", &[]).await;
    let (cookie, _) = log_in(&app, &owner_phone).await;
    let (status, lots) =
        with_cookie(&app, reqwest::Method::GET, "/v1/lots", &cookie, None, None).await;
    assert_eq!((status, &lots[0]["id"]), (StatusCode::OK, &json!(lot.id)));
    // The audit has it all.
    let events = app.read(&app.owner, "/v1/people/logins").await;
    let kinds: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    for kind in ["code_sent", "login", "code_wrong", "logout"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
}

crate::on_both!(a_code_logs_a_person_in);

async fn codes_go_only_to_the_number_on_record(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, phone) = person(&app, "owner", &[]).await;
    // A number with no account: the same answer, nothing sent.
    let (status, unknown, _) = call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": "13999999999" }),
    )
    .await;
    let (_, known, _) = call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": phone }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(unknown["message"], known["message"]);
    assert!(code_for(&app, "13999999999").is_none());
    // Asked again at once: wait; a minute later: a new code, the old one dead.
    let first = code_for(&app, &phone).expect("code");
    let (status, wait, _) = call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": phone }),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{wait}");
    app.clock.advance(61_000);
    let (status, _, _) = call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": phone }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let second = code_for(&app, &phone).expect("code");
    if first != second {
        let (status, _, _) = call(
            &app,
            &app.client,
            "/v1/login",
            json!({ "phone": phone, "code": first }),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a superseded code");
    }
    // Past its minutes the code has expired.
    app.clock.advance(5 * 60_000 + 1_000);
    let (status, expired, _) = call(
        &app,
        &app.client,
        "/v1/login",
        json!({ "phone": phone, "code": second }),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        expired["error"]["message"]
            .as_str()
            .expect("why")
            .contains("expired"),
        "{expired}"
    );
    let (status, bad, _) = call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": "not a phone" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["fields"][0]["path"], "phone");
}

crate::on_both!(codes_go_only_to_the_number_on_record);

async fn ten_wrong_codes_lock_the_account_until_lifted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, phone) = person(&app, "owner", &[]).await;
    let (status, _, _) = call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": phone }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let right = code_for(&app, &phone).expect("code");
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    // Ten wrong codes from ten addresses: the account locks all the same.
    for i in 1..=10u8 {
        let client = TestApp::client_from(IpAddr::from([127, 0, 0, 10 + i]));
        let (status, body, _) = call(
            &app,
            &client,
            "/v1/login",
            json!({ "phone": phone, "code": wrong }),
        )
        .await;
        if i < 10 {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "try {i}: {body}");
        } else {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .expect("why")
                    .contains("locked until"),
                "{body}"
            );
        }
    }
    // Even the right code is refused now, and after a restart.
    let (status, _, _) = call(
        &app,
        &app.client,
        "/v1/login",
        json!({ "phone": phone, "code": right }),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let app = app.restart().await;
    let (status, _, _) = call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": phone }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked across a restart"
    );
    let people = app.read(&app.owner, "/v1/people").await;
    let me = people
        .as_array()
        .expect("people")
        .iter()
        .find(|p| p["id"] == id.as_str())
        .expect("listed")
        .clone();
    assert!(me["locked_until"].is_string(), "staff see the lock: {me}");
    // Staff lift it, saying why; the person logs in.
    let path = format!("/v1/people/{id}/unlock");
    let (status, bad) = app.post(&app.owner, &path, json!({ "reason": "" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let lifted = app
        .ok(
            StatusCode::OK,
            app.post(
                &app.owner,
                &path,
                json!({ "reason": "本人来电核实身份证后解锁" }),
            )
            .await,
        )
        .await;
    assert!(lifted["locked_until"].is_null() && lifted["failures"] == 0);
    // A new code goes out at once: the one the lock withdrew holds nothing
    // back (the person is on the phone with staff).
    log_in(&app, &phone).await;
    let events = app.read(&app.owner, "/v1/people/logins").await;
    let lift = events
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == "lock_lifted")
        .expect("the lift is recorded")
        .clone();
    assert_eq!(lift["detail"], "本人来电核实身份证后解锁");
    assert!(lift["by"].as_str().expect("by").starts_with("owner:"));
    assert!(
        events
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "locked")
    );
    // A lock runs out by itself after 24 hours.
    for _ in 0..10 {
        call(
            &app,
            &app.client,
            "/v1/login",
            json!({ "phone": phone, "code": wrong }),
        )
        .await;
    }
    let (status, _, _) = call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": phone }),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(24 * 3_600_000 + 1_000);
    log_in(&app, &phone).await;
}

crate::on_both!(ten_wrong_codes_lock_the_account_until_lifted);

async fn a_new_number_takes_effect_once_it_confirms_a_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, old) = person(&app, "owner", &[]).await;
    let (_, other) = person(&app, "owner", &[]).await;
    let new = format!("136{}", &old[3..]);
    let path = format!("/v1/people/{id}/phone");
    let (status, _) = app
        .post(&app.owner, &path, json!({ "phone": other, "reason": "x" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "another person's number");
    let pending = app
        .ok(
            StatusCode::OK,
            app.post(
                &app.owner,
                &path,
                json!({ "phone": new, "reason": "本人持身份证到管理处核实" }),
            )
            .await,
        )
        .await;
    assert_eq!(
        (&pending["phone"], &pending["pending_phone"]),
        (&json!(old), &json!(new))
    );
    // The old number still logs in; the new one gets its code there.
    let (cookie, csrf) = log_in(&app, &old).await;
    let (status, _) = with_cookie(
        &app,
        reqwest::Method::POST,
        "/v1/me/phone/code",
        &cookie,
        Some(&csrf),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let code = code_for(&app, &new).expect("a code to the new number");
    let (status, _) = with_cookie(
        &app,
        reqwest::Method::POST,
        "/v1/me/phone",
        &cookie,
        Some(&csrf),
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Sessions ended; the new number is theirs, the old one nobody's.
    let (status, _) = with_cookie(&app, reqwest::Method::GET, "/v1/me", &cookie, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.clock.advance(61_000);
    log_in(&app, &new).await;
    let before = code_for(&app, &old);
    call(&app, &app.client, "/v1/login/code", json!({ "phone": old })).await;
    assert_eq!(
        code_for(&app, &old),
        before,
        "nothing goes to the old number"
    );
}

crate::on_both!(a_new_number_takes_effect_once_it_confirms_a_code);

async fn wrong_codes_at_once_are_each_counted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, phone) = person(&app, "owner", &[]).await;
    call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": phone }),
    )
    .await;
    let right = code_for(&app, &phone).expect("code");
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let tries: Vec<_> = (0..12)
        .map(|_| {
            let app = &app;
            let phone = phone.clone();
            Box::pin(async move {
                call(
                    app,
                    &app.client,
                    "/v1/login",
                    json!({ "phone": phone, "code": wrong }),
                )
                .await
                .0
            })
        })
        .collect();
    let statuses = crate::harness::join_all(tries).await;
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let locked = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((refused, locked), (9, 3), "{statuses:?}");
    let people = app.read(&app.owner, "/v1/people").await;
    let me = people
        .as_array()
        .expect("people")
        .iter()
        .find(|p| p["phone"] == phone.as_str())
        .expect("listed")
        .clone();
    // Tries that arrive once the account is locked are refused without
    // counting; none before the lock is lost.
    let failures = me["failures"].as_i64().expect("failures");
    assert!((10..=12).contains(&failures), "no failure lost: {me}");
    assert!(me["locked_until"].is_string(), "{me}");
}

crate::on_both!(wrong_codes_at_once_are_each_counted);

async fn one_address_cannot_flood_phones_with_codes(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.login_codes_per_source_hour = 3).await;
    let flooder = TestApp::client_from(IpAddr::from([127, 0, 0, 77]));
    for n in 0..3 {
        let (status, _, _) = call(
            &app,
            &flooder,
            "/v1/login/code",
            json!({ "phone": format!("1390000{n:04}") }),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let (status, body, _) = call(
        &app,
        &flooder,
        "/v1/login/code",
        json!({ "phone": "13900009999" }),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("why")
            .contains("127.0.0.77"),
        "{body}"
    );
    // Another address is not held up by it.
    let (_, phone) = person(&app, "owner", &[]).await;
    log_in(&app, &phone).await;
}

crate::on_both!(one_address_cannot_flood_phones_with_codes);

/// Every cookie a response sets, as `name=value`.
fn cookies_set(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect()
}

async fn password_login(
    app: &TestApp,
    phone: &str,
    password: &str,
    device: Option<&str>,
) -> (StatusCode, Value, Vec<String>) {
    let mut request = app
        .client
        .post(format!("{}/v1/login/password", app.url))
        .json(&json!({ "phone": phone, "password": password }));
    if let Some(device) = device {
        request = request.header("cookie", device);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let cookies = cookies_set(&response);
    let body = response.json().await.expect("json");
    (status, body, cookies)
}

async fn a_password_works_only_from_a_browser_that_had_a_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, phone) = person(&app, "owner", &[]).await;
    // A code login gives the browser its device cookie.
    let (status, _, _) = call(
        &app,
        &app.client,
        "/v1/login/code",
        json!({ "phone": phone }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let code = code_for(&app, &phone).expect("code");
    let response = app
        .client
        .post(format!("{}/v1/login", app.url))
        .json(&json!({ "phone": phone, "code": code }))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::OK);
    let cookies = cookies_set(&response);
    let csrf = response.json::<Value>().await.expect("json")["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("bg_session="))
        .expect("session")
        .clone();
    let device = cookies
        .iter()
        .find(|c| c.starts_with("bg_device="))
        .expect("a device cookie after a code")
        .clone();

    // Setting a password: its length is checked, then it is stored hashed.
    let (status, short) = with_cookie(
        &app,
        reqwest::Method::PUT,
        "/v1/me/password",
        &session,
        Some(&csrf),
        Some(json!({ "password": "short" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{short}");
    assert_eq!(short["error"]["fields"][0]["path"], "password");
    let (status, _) = with_cookie(
        &app,
        reqwest::Method::PUT,
        "/v1/me/password",
        &session,
        Some(&csrf),
        Some(json!({ "password": "correct horse battery" })),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, again) = with_cookie(
        &app,
        reqwest::Method::PUT,
        "/v1/me/password",
        &session,
        Some(&csrf),
        Some(json!({ "password": "another long password" })),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "changing it needs the current one"
    );
    assert_eq!(again["error"]["fields"][0]["path"], "current_password");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM people WHERE phone = $1")
        .bind(&phone)
        .fetch_one(app.state.db.pool())
        .await
        .expect("hash");
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");

    // The known browser logs in with the password alone.
    let (status, body, set) =
        password_login(&app, &phone, "correct horse battery", Some(&device)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(set.iter().any(|c| c.starts_with("bg_session=")));
    assert_eq!(body["person"]["has_password"], true);

    // A new browser with the right password gets a code sent, not a session.
    app.clock.advance(61_000);
    let before = code_for(&app, &phone);
    let (status, body, set) = password_login(&app, &phone, "correct horse battery", None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(set.is_empty(), "no session: {set:?}");
    assert_ne!(code_for(&app, &phone), before, "a new code went out");
    let events = app.read(&app.owner, "/v1/people/logins").await;
    assert!(
        events
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "new_device" && e["phone"] == phone.as_str())
    );

    // Wrong passwords count with the wrong code already made: the lock.
    let mut last = StatusCode::OK;
    for tries in 0..10 {
        let (status, body, _) =
            password_login(&app, &phone, "not the password", Some(&device)).await;
        last = status;
        if status == StatusCode::UNAUTHORIZED {
            assert!(
                body["error"]["message"]
                    .as_str()
                    .expect("message")
                    .contains("tries left"),
                "{body}"
            );
        } else {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "try {tries}: {body}");
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, _) = password_login(&app, &phone, "correct horse battery", Some(&device)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the password"
    );
}

crate::on_both!(a_password_works_only_from_a_browser_that_had_a_code);
