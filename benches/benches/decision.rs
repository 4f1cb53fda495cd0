//! Decision latency of the standard lot policy: through the engine with a
//! fresh instance per event (the robot path) and with a warm instance, beside
//! the same policy compiled natively, in the same run; plus compile time.

use std::hint::black_box;
use std::time::Duration;

use boomgate_engine::{Deadline, Engine, EngineConfig};
use boomgate_rules_sdk::Input;
use boomgate_rules_sdk::testing::Harness;
use boomgate_rules_sdk::testing::Scenario;
use boomgate_standard_lot::StandardLot;
use boomgate_test_artifacts as artifacts;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SETTINGS: &str = include_str!("../../tests/scenarios/standard-lot/settings.json");

/// An exit that owes a fee: the most work the policy does (pricing, grace,
/// trace lines, an order).
fn exit_with_fee() -> Input {
    serde_json::from_str(
        r#"{ "event": { "lot_id": "lot-1", "gate_id": "north-exit", "direction": "exit",
                        "plate": "粤B12345", "occurred_at": "2026-11-22T08:15:02+08:00" },
             "vehicle": { "monthly_pass": null, "parking_pass": null,
                          "session": { "entered_at": "2026-11-22T06:01:00+08:00", "billing": "temporary",
                                       "paid_amount": 300, "paid_at": "2026-11-22T07:00:00+08:00", "pick": false } } }"#,
    )
    .unwrap()
}

/// A monthly-pass entry: the common case at a residential gate.
fn monthly_entry() -> Input {
    serde_json::from_str(
        r#"{ "event": { "lot_id": "lot-1", "gate_id": "north-entry", "direction": "entry",
                        "plate": "粤B12345", "occurred_at": "2026-11-22T08:15:02+08:00" },
             "vehicle": { "monthly_pass": { "valid_until": "2026-12-31", "spaces": 2, "vehicles_inside": 1 } } }"#,
    )
    .unwrap()
}

fn decisions(c: &mut Criterion) {
    let bytes = artifacts::read(artifacts::STANDARD_LOT);
    eprintln!("standard-lot component: {} bytes", bytes.len());
    let native = Harness::<StandardLot>::new(SETTINGS).unwrap();
    let fuel = Engine::new(EngineConfig::default()).unwrap();
    let epoch = Engine::new(EngineConfig {
        deadline: Deadline::Epoch {
            timeout: Duration::from_millis(10),
            tick: Duration::from_millis(1),
        },
        ..EngineConfig::default()
    })
    .unwrap();
    let lot = fuel.load(&bytes).unwrap().configure(SETTINGS).unwrap();
    let lot_epoch = epoch.load(&bytes).unwrap().configure(SETTINGS).unwrap();
    let mut warm = lot.warm();
    let mut warm_epoch = lot_epoch.warm();

    for (name, input) in [
        ("exit_with_fee", exit_with_fee()),
        ("monthly_entry", monthly_entry()),
    ] {
        let expected = native.evaluate(&input);
        let evaluation = lot.evaluate_detailed(&input);
        assert_eq!(
            evaluation.decision, expected,
            "wasm and native must agree before timing"
        );
        eprintln!(
            "{name}: {} units of fuel per decision",
            evaluation.fuel.unwrap_or(0)
        );
        let mut group = c.benchmark_group(format!("decision/{name}"));
        group.bench_function("native", |b| b.iter(|| native.evaluate(black_box(&input))));
        group.bench_function("wasm_warm_fuel", |b| {
            b.iter(|| warm.evaluate(black_box(&input)))
        });
        group.bench_function("wasm_warm_epoch", |b| {
            b.iter(|| warm_epoch.evaluate(black_box(&input)))
        });
        group.bench_function("wasm_fresh_fuel", |b| {
            b.iter(|| lot.evaluate(black_box(&input)))
        });
        // What a robot waits for: a fresh instance made ahead by the janitor
        // (the refill is outside the timed region), one call, the store handed
        // back for dropping.
        group.bench_function("wasm_fresh_ready", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    lot.prewarm();
                    let start = std::time::Instant::now();
                    black_box(lot.evaluate(black_box(&input)));
                    total += start.elapsed();
                }
                total
            })
        });
        group.bench_function("wasm_fresh_epoch", |b| {
            b.iter(|| lot_epoch.evaluate(black_box(&input)))
        });
        group.finish();
    }
}

/// Every scenario input with the default settings: the whole mix of
/// entries and exits PRODUCT.md describes, one decision each per iteration.
fn suite(c: &mut Criterion) {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/scenarios/standard-lot"
    );
    let inputs: Vec<Input> = Scenario::load_dir(std::path::Path::new(dir))
        .unwrap()
        .into_iter()
        .filter(|(_, s)| s.settings.is_null())
        .map(|(_, s)| s.input)
        .collect();
    let native = Harness::<StandardLot>::new(SETTINGS).unwrap();
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let lot = engine
        .load(&artifacts::read(artifacts::STANDARD_LOT))
        .unwrap()
        .configure(SETTINGS)
        .unwrap();
    let mut warm = lot.warm();
    let mut group = c.benchmark_group("decision/scenario_mix");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("native", |b| {
        b.iter(|| {
            inputs
                .iter()
                .for_each(|i| drop(black_box(native.evaluate(black_box(i)))))
        })
    });
    group.bench_function("wasm_warm_fuel", |b| {
        b.iter(|| {
            inputs
                .iter()
                .for_each(|i| drop(black_box(warm.evaluate(black_box(i)))))
        })
    });
    group.bench_function("wasm_fresh_fuel", |b| {
        b.iter(|| {
            inputs
                .iter()
                .for_each(|i| drop(black_box(lot.evaluate(black_box(i)))))
        })
    });
    group.bench_function("wasm_fresh_ready", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                for input in &inputs {
                    lot.prewarm();
                    let start = std::time::Instant::now();
                    black_box(lot.evaluate(black_box(input)));
                    total += start.elapsed();
                }
            }
            total
        })
    });
    group.finish();
}

fn compile(c: &mut Criterion) {
    let bytes = artifacts::read(artifacts::STANDARD_LOT);
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let mut group = c.benchmark_group("module");
    group.sample_size(20);
    group.bench_function("load_standard_lot", |b| {
        b.iter(|| engine.load(black_box(&bytes)).unwrap())
    });
    let loaded = engine.load(&bytes).unwrap();
    group.bench_function("configure_standard_lot", |b| {
        b.iter(|| loaded.configure(black_box(SETTINGS)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, decisions, suite, compile);
criterion_main!(benches);
