//! Hostile and broken guests: each yields the fallback decision or a clear
//! refusal, and the engine goes on serving.

use boomgate_engine::{ConfigureError, Deadline, Engine, EngineConfig, Fault};
use boomgate_rules_sdk::{Decision, Effect, Gate, Input, Light, reason};
use boomgate_test_artifacts as artifacts;
use serde_json::json;

use crate::{HOSTILE, hostile};

fn input() -> Input {
    serde_json::from_value(json!({
        "event": { "lot_id": "lot-1", "gate_id": "north-exit", "direction": "exit",
                   "plate": "粤B12345", "occurred_at": "2026-11-22T08:15:02+08:00" },
        "vehicle": {}
    }))
    .unwrap()
}

fn assert_fallback(decision: &Decision) {
    assert_eq!(decision.gate, Gate::Hold);
    assert_eq!(decision.reason, reason::POLICY_FAULT);
    assert_eq!(decision.light, Light::Yellow);
    assert_eq!(decision.effects, [Effect::Escalate]);
    assert!(
        decision.trace[0].starts_with("policy_fault: "),
        "{:?}",
        decision.trace
    );
}

fn fault_of(behaviour: &str) -> (Decision, Fault) {
    let evaluation = hostile(behaviour).evaluate_detailed(&input());
    assert_fallback(&evaluation.decision);
    (evaluation.decision, evaluation.fault.expect("a fault"))
}

#[test]
fn a_behaving_guest_decides() {
    let evaluation = hostile("behave").evaluate_detailed(&input());
    assert_eq!(evaluation.fault, None);
    assert_eq!(evaluation.decision.reason, "visitor_welcome");
    assert_eq!(
        evaluation.decision.trace,
        ["behaving at north-exit for 粤B12345"]
    );
    assert!(evaluation.fuel.is_some_and(|f| f > 0));
}

#[test]
fn an_infinite_loop_runs_out_of_fuel() {
    let (decision, fault) = fault_of("spin");
    assert_eq!(fault, Fault::Deadline);
    assert!(
        decision.trace[0].contains("ran past its deadline"),
        "{:?}",
        decision.trace
    );
}

#[test]
fn an_infinite_loop_runs_out_of_time_under_an_epoch_deadline() {
    let engine = Engine::new(EngineConfig {
        deadline: Deadline::Epoch {
            timeout: std::time::Duration::from_millis(20),
            tick: std::time::Duration::from_millis(1),
        },
        max_instances: 4,
        max_spares: 1,
        ..EngineConfig::default()
    })
    .unwrap();
    let policy = engine.load(&artifacts::read(artifacts::HOSTILE)).unwrap();
    let spin = policy.configure(r#"{"behaviour": "spin"}"#).unwrap();
    let evaluation = spin.evaluate_detailed(&input());
    assert_eq!(evaluation.fault, Some(Fault::Deadline));
    let fine = policy.configure(r#"{"behaviour": "behave"}"#).unwrap();
    assert_eq!(fine.evaluate(&input()).reason, "visitor_welcome");
}

#[test]
fn a_memory_bomb_hits_the_memory_limit() {
    let (_, fault) = fault_of("memory_bomb");
    match fault {
        Fault::MemoryLimit { requested, limit } => {
            assert_eq!(limit, EngineConfig::default().memory_limit);
            assert!(requested > limit);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn deep_recursion_overflows_the_stack() {
    let (_, fault) = fault_of("recursion");
    assert_eq!(fault, Fault::StackOverflow);
}

#[test]
fn a_panic_is_a_trap_with_a_backtrace() {
    let (decision, fault) = fault_of("panic");
    match &fault {
        Fault::Trap { message, backtrace } => {
            assert_eq!(message, "wasm `unreachable` instruction executed");
            assert!(
                backtrace
                    .iter()
                    .any(|f| f.contains("boomgate_guest_hostile")),
                "{backtrace:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        decision.trace[0].contains("trapped"),
        "{:?}",
        decision.trace
    );
}

#[test]
fn answers_that_break_the_contract_are_refused() {
    let cases = [
        ("bad_reason", "reason `Not A Reason Code!` is not a code"),
        ("huge_trace", "1000 trace lines, over 64"),
        ("contradictory_effects", "`open_session` at an exit"),
    ];
    for (behaviour, why) in cases {
        let (_, fault) = fault_of(behaviour);
        match fault {
            Fault::Contract(got) => assert!(got.starts_with(why), "{behaviour}: {got}"),
            other => panic!("{behaviour}: {other:?}"),
        }
    }
}

#[test]
fn a_spinning_configure_is_stopped() {
    match HOSTILE.configure(r#"{"behaviour": "spin_in_configure"}"#) {
        Err(ConfigureError::Fault(Fault::Deadline)) => {}
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn settings_the_module_refuses_name_the_field() {
    match HOSTILE.configure(r#"{"behaviour": "refuse_settings"}"#) {
        Err(ConfigureError::Invalid(fields)) => {
            assert_eq!(fields[0].path, "behaviour");
            assert_eq!(fields[0].message, "is never good enough");
        }
        other => panic!("{:?}", other.err()),
    }
    match HOSTILE.configure(r#"{"behaviour": "dance"}"#) {
        Err(ConfigureError::Invalid(fields)) => {
            assert_eq!(fields[0].path, "behaviour");
            assert!(
                fields[0].message.starts_with("unknown variant `dance`"),
                "{}",
                fields[0].message
            );
        }
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn no_state_survives_from_one_event_to_the_next() {
    let counting = hostile("count");
    for _ in 0..3 {
        assert_eq!(counting.evaluate(&input()).reason, "call_1");
    }
    // A warm instance keeps its state: the fresh instance above is what
    // isolates events.
    let mut warm = counting.warm();
    let reasons: Vec<String> = (0..3).map(|_| warm.evaluate(&input()).reason).collect();
    assert_eq!(reasons, ["call_1", "call_2", "call_3"]);
}

#[test]
fn a_warm_instance_is_replaced_after_a_fault() {
    let mut warm = hostile("spin").warm();
    assert_fallback(&warm.evaluate(&input()));
    assert_fallback(&warm.evaluate(&input()));
    let mut fine = hostile("behave").warm();
    assert_eq!(fine.evaluate(&input()).reason, "visitor_welcome");
}

#[test]
fn the_engine_serves_on_after_every_fault() {
    for behaviour in ["spin", "memory_bomb", "recursion", "panic", "huge_trace"] {
        let _ = hostile(behaviour).evaluate(&input());
    }
    let evaluation = hostile("behave").evaluate_detailed(&input());
    assert_eq!(evaluation.fault, None);
}

#[test]
fn oversized_input_is_refused_before_the_call() {
    let mut input = input();
    input.event.gate_id = "g".repeat(200);
    let evaluation = hostile("behave").evaluate_detailed(&input);
    assert_fallback(&evaluation.decision);
    assert!(
        matches!(evaluation.fault, Some(Fault::Input(ref why)) if why.contains("event.gate_id"))
    );
}
