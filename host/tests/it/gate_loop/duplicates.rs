//! Cameras read a vehicle two or three times as it passes: a read at the
//! same gate within the debounce window of the gate's previous decision
//! about the same plate, or one the camera confuses with it, is a
//! duplicate. It gets that decision back (`duplicate_of`), creates
//! nothing, and is counted in `boomgate_duplicate_reads_total`.

use reqwest::StatusCode;
use serde_json::json;

use super::{Gate, metric, said};
use crate::harness::Backend;

async fn a_second_exit_read_gets_the_farewell_again(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    let left = gate.exit(Some("粤B12345"), "06:20:00").await;
    assert_eq!(said(&left), ("open", "free_period"));
    assert!(left.get("duplicate_of").is_none(), "{left}");

    // The camera reads it again as the barrier lifts, once misreading a
    // 2 as a Z: both get the farewell, never `no_entry_record`.
    for (plate, hms) in [("粤B12345", "06:20:01"), ("粤B1Z345", "06:20:03")] {
        let again = gate.exit(Some(plate), hms).await;
        assert_eq!(said(&again), ("open", "free_period"), "{again}");
        assert_eq!(again["voice"], "一路平安");
        assert_eq!(again["duplicate_of"], left["decision_id"]);
        assert_eq!(again["decision_id"], left["decision_id"]);
    }

    // Nothing was created: one stay, closed by the robot; two decisions;
    // no escalation for agents, then or a minute later.
    let stays = gate.stays().await;
    assert_eq!(stays.len(), 1);
    assert_eq!(stays[0]["closed_by"], "robot");
    let log = gate.read_path("decisions").await;
    assert_eq!(log.as_array().map(Vec::len), Some(2), "{log}");
    let agent = gate.agent().await;
    gate.app.set_clock(&super::at("06:21:00"));
    let waiting = gate.app.read(&agent, "/v1/congestion").await;
    assert_eq!(waiting, json!([]), "no phantom entry waits");

    let metrics = gate.app.metrics().await;
    let line = format!("boomgate_duplicate_reads_total{{lot=\"{}\"}}", gate.lot.id);
    assert_eq!(metric(&metrics, &line), 2.0, "{metrics}");
}

crate::on_both!(a_second_exit_read_gets_the_farewell_again);

async fn a_second_entry_read_keeps_the_stay(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    let first = gate.entry(Some("粤B12345"), "06:00:00").await;
    assert_eq!(said(&first), ("open", "visitor_welcome"));
    let again = gate.entry(Some("粤B12345"), "06:00:02").await;
    assert_eq!(said(&again), ("open", "visitor_welcome"));
    assert_eq!(again["duplicate_of"], first["decision_id"]);

    // The stay is the first read's: not closed as a missed exit, not
    // opened twice, billed from 06:00:00.
    let stays = gate.stays().await;
    assert_eq!(stays.len(), 1, "{stays:?}");
    assert_eq!(stays[0]["entered_at"], super::at("06:00:00"));
    assert!(stays[0]["exited_at"].is_null());
    let exit = gate.exit(Some("粤B12345"), "08:00:00").await;
    assert_eq!(exit["fee"]["amount"], 800, "{exit}");
}

crate::on_both!(a_second_entry_read_keeps_the_stay);

async fn another_plate_and_a_later_read_are_decided(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    gate.entry(Some("粤B12345"), "06:00:00").await;
    // 8 for 3 is a wrong character, not a confusion: another vehicle.
    let other = gate.entry(Some("粤B12845"), "06:00:02").await;
    assert!(other.get("duplicate_of").is_none(), "{other}");
    // Past the window (8 s by default) the same plate is read anew: its
    // stay is open, so the entry closes it as a missed exit.
    let later = gate.entry(Some("粤B12345"), "06:00:09").await;
    assert!(later.get("duplicate_of").is_none(), "{later}");
    let stays = gate.stays().await;
    assert_eq!(stays.len(), 3, "{stays:?}");
}

crate::on_both!(another_plate_and_a_later_read_are_decided);

async fn unplated_reads_debounce_by_gate_and_time(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    let first = gate.exit(None, "07:00:00").await;
    assert_eq!(first["gate"], "hold", "{first}");
    let again = gate.exit(None, "07:00:03").await;
    assert_eq!(again["duplicate_of"], first["decision_id"]);
    // Another gate, or a plate, is another read.
    let entry = gate.entry(None, "07:00:04").await;
    assert!(entry.get("duplicate_of").is_none(), "{entry}");
    let plated = gate.exit(Some("粤B12345"), "07:00:05").await;
    assert!(plated.get("duplicate_of").is_none(), "{plated}");
}

crate::on_both!(unplated_reads_debounce_by_gate_and_time);

async fn lots_and_gates_set_their_window(backend: Backend) {
    let gate = Gate::open(backend, json!({})).await;
    let app = &gate.app;
    let owner = &app.owner;
    let lot = format!("/v1/lots/{}", gate.lot.id);
    let set = |body| app.send(&app.client, reqwest::Method::PATCH, owner, &lot, Some(body));
    // A window that is not a number of seconds is named.
    let (status, body) = set(json!({ "debounce_seconds": -1 })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("debounce_seconds"),
        "{body}"
    );
    let (status, lot) = set(json!({ "debounce_seconds": 60 })).await;
    assert_eq!(status, StatusCode::OK, "{lot}");
    assert_eq!(lot["debounce_seconds"], 60);

    let first = gate.entry(Some("粤B12345"), "06:00:00").await;
    let again = gate.entry(Some("粤B12345"), "06:00:50").await;
    assert_eq!(again["duplicate_of"], first["decision_id"]);

    // A gate of its own with the window off decides every read.
    let path = gate.path("gates");
    let made = app
        .post(
            owner,
            &path,
            json!({ "id": "south-exit", "direction": "exit", "debounce_seconds": 0 }),
        )
        .await;
    assert_eq!(made.0, StatusCode::CREATED, "{}", made.1);
    let robot = app
        .post(
            owner,
            &gate.path("robots"),
            json!({ "id": "robot-south", "gate_id": "south-exit" }),
        )
        .await;
    let robot = robot.1["token"].as_str().expect("token").to_owned();
    let (_, first) = gate.read_as(&robot, "s-1", None, "06:10:00").await;
    let (_, again) = gate.read_as(&robot, "s-2", None, "06:10:01").await;
    assert!(again.get("duplicate_of").is_none(), "{again}");
    assert_ne!(again["decision_id"], first["decision_id"]);
}

crate::on_both!(lots_and_gates_set_their_window);
