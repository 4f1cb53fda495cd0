//! The instance pool under bursts: used instances are torn down in the
//! background, and a background that falls behind must never leave an event
//! without a slot.

use boomgate_engine::{Engine, EngineConfig};
use boomgate_rules_sdk::Input;
use boomgate_test_artifacts as artifacts;
use serde_json::json;

use crate::root;

#[test]
fn a_burst_on_a_small_pool_never_faults() {
    let engine = Engine::new(EngineConfig {
        max_instances: 16,
        max_spares: 4,
        ..EngineConfig::default()
    })
    .expect("engine");
    let policy = engine
        .load(&artifacts::read(artifacts::STANDARD_LOT))
        .expect("standard-lot loads");
    let settings =
        std::fs::read_to_string(root().join("tests/scenarios/standard-lot/settings.json"))
            .expect("settings");
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
