//! A module of `boomgate:policy@0.1.0`, uploaded before 0.2.0 existed,
//! keeps running: it is told what 0.1.0 promised and its answers are held
//! to the same contract.

use boomgate_engine::{CallError, Needs};
use boomgate_rules_sdk::{
    Billing, Currency, DeviceState, Effect, Gate, GateHealth, Input, Money, Session, Stay,
    Timestamp,
};
use boomgate_test_artifacts as artifacts;
use serde_json::json;

use crate::ENGINE;

fn module() -> boomgate_engine::ConfiguredPolicy {
    let loaded = ENGINE
        .load(&artifacts::read(artifacts::POLICY_V0_1))
        .expect("a 0.1.0 module loads");
    assert_eq!(loaded.info().interface_version, "0.1.0");
    assert_eq!(loaded.info().name, "policy-v0-1");
    loaded
        .configure(r#"{"greeting": "Welcome"}"#)
        .expect("configures")
}

fn input(direction: &str, session: Option<Session>) -> Input {
    serde_json::from_value(json!({
        "event": { "lot_id": "lot", "gate_id": "g", "direction": direction, "plate": "粤B12345",
                   "occurred_at": "2026-11-22T10:30:00+08:00" },
        "vehicle": { "session": session, "owed": 500 }
    }))
    .unwrap()
}

fn stay() -> Session {
    Session {
        entered_at: Timestamp::parse("2026-11-22T10:00:00+08:00").unwrap(),
        billing: Billing::Temporary,
        paid_amount: 0,
        paid_at: None,
        settled_until: None,
        pick: false,
    }
}

#[test]
fn a_0_1_0_module_decides_with_what_0_1_0_promised() {
    let lot = module();
    assert_eq!(lot.needs(), Needs::default());
    // An entry with an open stay: 0.1.0 promised entries never have one.
    let mut entry = input("entry", Some(stay()));
    entry.event.gate_health = GateHealth {
        lpr_camera: DeviceState::Down,
        seconds_since_heartbeat: Some(3),
    };
    let evaluation = lot.evaluate_detailed(&entry);
    assert_eq!(evaluation.fault, None);
    let d = evaluation.decision;
    assert_eq!((d.gate, d.voice.as_str()), (Gate::Open, "Welcome"));
    assert_eq!(
        d.effects,
        [Effect::OpenSession {
            billing: Billing::Temporary
        }]
    );
    assert!(
        !d.trace.iter().any(|l| l.contains("promised")),
        "{:?}",
        d.trace
    );
    // An exit: 30 minutes at a fen each.
    let d = lot.evaluate(&input("exit", Some(stay())));
    assert_eq!(d.reason, "payment_required");
    assert_eq!(d.fee, Some(Money::new(30, Currency::CNY)));
}

#[test]
fn a_0_1_0_module_quotes_and_describes_but_offers_no_prompts() {
    let lot = module();
    let quote = lot
        .fee_quote(&Stay::new(
            Timestamp::parse("2026-11-22T10:00:00+08:00").unwrap(),
            Timestamp::parse("2026-11-22T11:00:00+08:00").unwrap(),
            Billing::Temporary,
            10,
        ))
        .unwrap();
    assert_eq!(
        (quote.total.amount, quote.due.amount, quote.segments.len()),
        (60, 50, 0)
    );
    assert_eq!(lot.lot_info(None).unwrap().visitor_policy, "Welcome");
    assert_eq!(
        lot.fee_schedule(None).unwrap(),
        "CNY 0.01 per started minute"
    );
    match lot.prompts(None) {
        Err(CallError::Unsupported(why)) => assert!(why.contains("0.1.0"), "{why}"),
        other => panic!("{other:?}"),
    }
}
