//! Pricing a long stay: 30 days under a tariff with day and night bands, a
//! weekend and holiday band with a holiday calendar, a calendar-day cap on
//! a clock with daylight saving, natively and through the component, beside
//! the seed's schedule for the same stay, in the same run.

use std::hint::black_box;

use boomgate_engine::{Engine, EngineConfig};
use boomgate_rules_sdk::tariff::Context;
use boomgate_rules_sdk::{Billing, Currency, Stay, Tariff, Timestamp};
use boomgate_test_artifacts as artifacts;
use criterion::{Criterion, criterion_group, criterion_main};

const SETTINGS: &str = include_str!("../../tests/scenarios/standard-lot/settings.json");

const BANDED: &str = r#"{
    "free_minutes": 15,
    "tiers": [ { "minutes": 60, "amount": 500 }, { "every_minutes": 30, "amount": 150 } ],
    "bands": [
        { "label": "night", "from": "21:00", "to": "07:00", "days": ["weekday"],
          "tiers": [ { "every_minutes": 60, "amount": 100 } ], "cap": 800 },
        { "label": "weekend", "from": "07:00", "to": "21:00", "days": ["weekend", "holiday"],
          "tiers": [ { "every_minutes": 60, "amount": 200 } ] }
    ],
    "holidays": ["2026-03-02", "2026-03-17", "2026-03-18"],
    "cycle": { "calendar_day": { "reset_at": "00:00" } },
    "daily_cap": 4000,
    "weekly_cap": 20000,
    "time_zone": "EST5EDT,M3.2.0,M11.1.0"
}"#;

fn tariff(c: &mut Criterion) {
    let banded: Tariff = serde_json::from_str(BANDED).unwrap();
    banded.check("fees").unwrap();
    let seed: serde_json::Value = serde_json::from_str(SETTINGS).unwrap();
    let simple: Tariff = serde_json::from_value(seed["fees"].clone()).unwrap();
    // 30 days across the spring-forward change (8 March 2026).
    let entered = Timestamp::parse("2026-02-20T08:13:00-05:00").unwrap();
    let left = Timestamp::parse("2026-03-22T09:47:31-04:00").unwrap();
    let stay = Stay::new(entered, left, Billing::Temporary, 0);
    let usd = Currency::parse("USD").unwrap();
    let priced = banded.price(&entered, &left, &Context::default());
    eprintln!(
        "30-day banded stay: {} in {} parts",
        priced.total,
        priced.segments.len()
    );

    let mut settings: serde_json::Value = seed.clone();
    settings["currency"] = serde_json::json!("USD");
    settings["fees"] = serde_json::from_str(BANDED).unwrap();
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let module = engine
        .load(&artifacts::read(artifacts::STANDARD_LOT))
        .unwrap();
    let lot = module.configure(&settings.to_string()).unwrap();
    assert_eq!(
        lot.fee_quote(&stay).unwrap(),
        banded.quote(&stay, usd),
        "wasm and native must agree before timing"
    );

    let mut group = c.benchmark_group("tariff/30_days");
    group.bench_function("banded_price_native", |b| {
        b.iter(|| banded.price(black_box(&entered), black_box(&left), &Context::default()))
    });
    let day_left = Timestamp::parse("2026-02-21T09:47:31-05:00").unwrap();
    group.bench_function("banded_price_native_1_day", |b| {
        b.iter(|| {
            banded.price(
                black_box(&entered),
                black_box(&day_left),
                &Context::default(),
            )
        })
    });
    group.bench_function("banded_total_native", |b| {
        b.iter(|| banded.total(black_box(&entered), black_box(&left), &Context::default()))
    });
    group.bench_function("banded_total_native_1_day", |b| {
        b.iter(|| {
            banded.total(
                black_box(&entered),
                black_box(&day_left),
                &Context::default(),
            )
        })
    });
    group.bench_function("banded_quote_native", |b| {
        b.iter(|| banded.quote(black_box(&stay), usd))
    });
    group.bench_function("seed_schedule_quote_native", |b| {
        b.iter(|| simple.quote(black_box(&stay), usd))
    });
    group.bench_function("banded_quote_wasm_fresh", |b| {
        b.iter(|| lot.fee_quote(black_box(&stay)))
    });
    group.finish();
}

criterion_group!(benches, tariff);
criterion_main!(benches);
