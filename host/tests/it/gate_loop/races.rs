//! Simultaneous reads of one plate, on one host or two on one PostgreSQL
//! database: decided one after the other, so one stay and one order come
//! of them, and no robot gets a 5xx.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Gate, at};
use crate::harness::{Backend, TestApp, join_all, unique};

/// Forty reads of one plate at the entry at once, with different event
/// ids (three cameras, retries with new ids): with the debounce window,
/// and with it off, where each read sees the stay the one before opened.
async fn forty_entry_reads_at_once_make_one_open_stay(backend: Backend) {
    for window in [8, 0] {
        let gate = Gate::open_with(backend, |c| c.debounce_seconds = window, json!({})).await;
        gate.app.set_clock(&at("06:00:01"));
        let reads = (0..40)
            .map(|i| {
                let gate = &gate;
                Box::pin(async move {
                    let event = format!("cam-{i}");
                    gate.app
                        .event(&gate.lot.entry, &event, Some("粤B12345"), &at("06:00:00"))
                        .await
                })
            })
            .collect();
        let answers = join_all(reads).await;
        for (status, answer) in &answers {
            assert_eq!(*status, StatusCode::OK, "window {window}: {answer}");
            assert_eq!(answer["gate"], "open", "{answer}");
        }
        let stays = gate.stays().await;
        let open: Vec<&Value> = stays.iter().filter(|s| s["exited_at"].is_null()).collect();
        assert_eq!(open.len(), 1, "window {window}: {stays:?}");
        if window > 0 {
            assert_eq!(stays.len(), 1, "39 duplicates: {stays:?}");
            let duplicates = answers
                .iter()
                .filter(|(_, a)| a.get("duplicate_of").is_some())
                .count();
            assert_eq!(duplicates, 39);
        }
    }
}

crate::on_both!(forty_entry_reads_at_once_make_one_open_stay);

/// Twenty stays, each read twice at the exit at once: one pending order
/// each.
async fn two_exit_reads_at_once_make_one_order(backend: Backend) {
    for window in [8, 0] {
        let gate = Gate::open_with(backend, |c| c.debounce_seconds = window, json!({})).await;
        let plates: Vec<String> = (0..20).map(|i| format!("粤B{:05}", 10_000 + i)).collect();
        for plate in &plates {
            gate.entry(Some(plate), "06:00:00").await;
        }
        gate.app.set_clock(&at("08:00:01"));
        let reads = plates
            .iter()
            .flat_map(|p| [p.clone(), p.clone()])
            .map(|p| {
                let gate = &gate;
                Box::pin(async move {
                    gate.app
                        .event(&gate.lot.exit, &unique("out"), Some(&p), &at("08:00:00"))
                        .await
                })
            })
            .collect();
        for (status, answer) in join_all(reads).await {
            assert_eq!(status, StatusCode::OK, "{answer}");
            assert_eq!(answer["fee"]["amount"], 800, "{answer}");
        }
        let pending = gate.orders("?status=pending").await;
        assert_eq!(pending.len(), 20, "window {window}: {pending:?}");
    }
}

crate::on_both!(two_exit_reads_at_once_make_one_order);

/// Two hosts on one PostgreSQL database, each read by a camera at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_read_one_plate_at_once() {
    let gate = Gate::open_with(Backend::Postgres, |c| c.debounce_seconds = 0, json!({})).await;
    let other: TestApp = gate.app.twin().await;
    both_at_once(&gate, &other, &gate.lot.entry, 40, "06:00:00").await;
    let stays = gate.stays().await;
    let open = stays.iter().filter(|s| s["exited_at"].is_null()).count();
    assert_eq!(open, 1, "{stays:?}");
    both_at_once(&gate, &other, &gate.lot.exit, 10, "08:00:00").await;
    assert_eq!(gate.orders("?status=pending").await.len(), 1);
}

/// `reads` reads of one plate by `robot` at `hms`, at once, alternately on
/// the gate's host and on `other`: each gets a decision.
async fn both_at_once(gate: &Gate, other: &TestApp, robot: &str, reads: usize, hms: &str) {
    gate.app.set_clock(&at(hms));
    let reads = (0..reads)
        .map(|i| {
            let host = if i % 2 == 0 { &gate.app } else { other };
            Box::pin(async move {
                let event = unique("cam");
                host.event(robot, &event, Some("粤B12345"), &at(hms)).await
            })
        })
        .collect();
    for (status, answer) in join_all(reads).await {
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
}
