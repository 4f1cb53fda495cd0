//! The instance pool under bursts: used instances are torn down in the
//! background, and a background that falls behind must never leave an event
//! without a slot.

use boomgate_engine::{Engine, EngineConfig, LoadedPolicy};
use boomgate_rules_sdk::Input;
use boomgate_test_artifacts as artifacts;
use serde_json::json;

use crate::root;

/// The standard lot policy in an engine of `config`, and its settings.
fn standard_lot(config: EngineConfig) -> (LoadedPolicy, String) {
    let engine = Engine::new(config).expect("engine");
    let policy = engine
        .load(&artifacts::read(artifacts::STANDARD_LOT))
        .expect("standard-lot loads");
    let settings =
        std::fs::read_to_string(root().join("tests/scenarios/standard-lot/settings.json"))
            .expect("settings");
    (policy, settings)
}

#[test]
fn a_burst_on_a_small_pool_never_faults() {
    let (policy, settings) = standard_lot(EngineConfig {
        max_instances: 16,
        max_spares: 4,
        ..EngineConfig::default()
    });
    let input: Input = serde_json::from_value(json!({
        "event": { "lot_id": "lot-1", "gate_id": "north-exit", "direction": "exit",
                   "plate": "粤B12345", "occurred_at": "2026-11-22T08:15:02+08:00" },
        "vehicle": { "session": { "entered_at": "2026-11-22T06:01:00+08:00", "billing": "temporary",
                                  "paid_amount": 0, "pick": false } }
    }))
    .expect("input");
    // More threads than cores, each retiring an instance every few
    // microseconds: the janitor cannot keep up, and must not need to.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..400 {
                    let configured = policy.configure(&settings).expect("configures");
                    let evaluation = configured.evaluate_detailed(&input);
                    assert_eq!(evaluation.fault, None);
                    assert_eq!(evaluation.decision.reason, "payment_required");
                }
            });
        }
    });
}

/// Waits for `done` to hold, for at most ten seconds.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not within 10 s"
        );
        std::thread::yield_now();
    }
}

#[test]
fn the_reserve_deepens_when_events_find_it_empty_and_settles_back() {
    let (policy, settings) = standard_lot(EngineConfig {
        spares_per_policy: 1,
        max_spares_per_policy: 8,
        ..EngineConfig::default()
    });
    let lot = policy.configure(&settings).expect("configures");
    let input: Input = serde_json::from_value(json!({
        "event": { "lot_id": "lot-1", "gate_id": "north-entry", "direction": "entry",
                   "plate": "粤B12345", "occurred_at": "2026-11-22T08:15:02+08:00" },
        "vehicle": {}
    }))
    .expect("input");
    assert_eq!(lot.spares().target, 1, "a new policy keeps the floor");
    // Nothing was made ahead: the first event finds the reserve empty.
    assert_eq!(lot.evaluate_detailed(&input).fault, None);
    assert_eq!(lot.spares().target, 2, "an empty reserve doubles");
    eventually("the janitor fills the deeper reserve", || {
        lot.spares().ready == 2
    });
    // Events that find the reserve ready for a second bring its depth back
    // to the floor, and the janitor drops the extra.
    eventually("the depth settles back", || {
        eventually("the reserve is ready", || {
            let spares = lot.spares();
            spares.ready >= spares.target
        });
        assert_eq!(lot.evaluate_detailed(&input).fault, None);
        lot.spares().target == 1
    });
    eventually("the extra spare is dropped", || {
        lot.spares()
            == boomgate_engine::Spares {
                ready: 1,
                target: 1,
            }
    });
    // A burst from more threads than cores outruns the janitor: the depth
    // follows it, never beyond the ceiling.
    let deepest = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..100 {
                    assert_eq!(lot.evaluate_detailed(&input).fault, None);
                    let depth = lot.spares().target;
                    deepest.fetch_max(depth, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    let deepest = deepest.into_inner();
    assert!(
        (1..=8).contains(&deepest),
        "depth during the burst: {deepest}"
    );
    eprintln!("deepest reserve during the burst: {deepest}");
}
