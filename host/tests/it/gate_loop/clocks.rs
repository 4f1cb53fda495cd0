//! Robot clocks out of bounds are refused with 400 naming `occurred_at`
//! and what the service expected; nothing is created.

use reqwest::StatusCode;
use serde_json::json;

use super::Gate;
use crate::harness::Backend;

async fn events_out_of_bounds_are_refused(backend: Backend) {
    let gate = Gate::open_with(backend, |c| c.max_event_age_hours = 48, json!({})).await;
    gate.app.set_clock(&super::at("08:00:00"));
    let robot = gate.lot.entry.clone();
    let post = |at: &'static str| {
        let gate = &gate;
        let robot = robot.clone();
        async move {
            gate.app
                .event(&robot, &crate::harness::unique("e"), Some("粤B12345"), at)
                .await
        }
    };
    // A robot that rebooted into 1970, and one two days and a minute slow.
    for (at, expected) in [
        (
            "1970-01-01T08:00:00+08:00",
            "events older than 48 h are refused",
        ),
        (
            "2026-11-20T07:59:00+08:00",
            "events older than 48 h are refused",
        ),
        ("2026-11-22T08:10:00+08:00", "ahead of the service's clock"),
    ] {
        let (status, body) = post(at).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{at}: {body}");
        assert_eq!(body["error"]["fields"][0]["path"], "occurred_at", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{at}: {message}");
    }
    // Within bounds it is decided.
    let (status, body) = post("2026-11-20T08:01:00+08:00").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(gate.orders("").await.is_empty());
}

crate::on_both!(events_out_of_bounds_are_refused);

async fn an_exit_before_its_entry_is_refused(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "07:00:00").await;
    gate.app.set_clock(&super::at("08:00:00"));
    let (status, body) = gate
        .app
        .event(
            &gate.lot.exit,
            "early",
            Some("粤B12345"),
            &super::at("06:59:00"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["fields"][0]["path"], "occurred_at", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("before the entry"), "{message}");
    // The stay is untouched and nothing is owed.
    let stays = gate.stays().await;
    assert!(stays[0]["exited_at"].is_null(), "{stays:?}");
    assert!(gate.orders("").await.is_empty());
}

crate::on_both!(an_exit_before_its_entry_is_refused);
