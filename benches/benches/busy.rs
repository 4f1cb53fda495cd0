//! What a robot waits for its decision while both cores serve requests:
//! the scenario mix through fresh instances, events arriving in bursts as a
//! loaded service delivers them, with every core kept busy by other work
//! (the same policy, natively, in a loop). The janitor that makes spares
//! ahead competes for the cores; a reserve that follows the load
//! (`max_spares_per_policy`) is compared with one fixed at its floor, in
//! the same run. Prints the wait's percentiles; run with
//! `cargo bench -p boomgate-benches --bench busy`.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use boomgate_engine::{Engine, EngineConfig};
use boomgate_rules_sdk::Input;
use boomgate_rules_sdk::testing::{Harness, Scenario};
use boomgate_standard_lot::StandardLot;
use boomgate_test_artifacts as artifacts;

const SETTINGS: &str = include_str!("../../tests/scenarios/standard-lot/settings.json");

/// Events per burst, and bursts per second: 2 000 events/s, above what the
/// whole service sustains on this machine class.
const BURST: usize = 8;
const BURSTS_PER_SECOND: u32 = 250;
const EVENTS: usize = 16_000;

fn main() {
    // `cargo bench` passes `--bench`; a `cargo test` of the benches runs
    // nothing here.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/scenarios/standard-lot"
    );
    let inputs: Vec<Input> = Scenario::load_dir(std::path::Path::new(dir))
        .expect("scenarios")
        .into_iter()
        .filter(|(_, s)| s.settings.is_null())
        .map(|(_, s)| s.input)
        .collect();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!(
        "{} scenario inputs; bursts of {BURST} at {BURSTS_PER_SECOND}/s; {cores} busy threads when busy",
        inputs.len()
    );
    println!(
        "{:<28} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "reserve, cores", "events", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "depth"
    );
    for busy in [false, true] {
        for (name, ceiling) in [("floor 2", 2), ("follows load 2..16", 16)] {
            let (waits, depth) = run(&inputs, ceiling, busy.then_some(cores));
            let label = format!("{name}, {}", if busy { "busy" } else { "idle" });
            let p = |q: f64| waits[((waits.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
            println!(
                "{label:<28} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {depth:>7}",
                waits.len(),
                p(0.50),
                p(0.90),
                p(0.99),
                p(0.999),
                p(1.0),
            );
        }
    }
}

/// Plays the events; the robot's waits, sorted, and the reserve's depth at
/// the end.
fn run(inputs: &[Input], ceiling: usize, busy: Option<usize>) -> (Vec<Duration>, usize) {
    let engine = Engine::new(EngineConfig {
        spares_per_policy: 2,
        max_spares_per_policy: ceiling,
        ..EngineConfig::default()
    })
    .expect("engine");
    let lot = engine
        .load(&artifacts::read(artifacts::STANDARD_LOT))
        .expect("standard-lot loads")
        .configure(SETTINGS)
        .expect("configures");
    lot.prewarm();
    let stop = AtomicBool::new(false);
    let mut waits = Vec::with_capacity(EVENTS);
    std::thread::scope(|scope| {
        for _ in 0..busy.unwrap_or(0) {
            scope.spawn(|| {
                let native = Harness::<StandardLot>::new(SETTINGS).expect("native");
                while !stop.load(Ordering::Relaxed) {
                    for input in inputs {
                        black_box(native.evaluate(black_box(input)));
                    }
                }
            });
        }
        let start = Instant::now();
        let gap = Duration::from_secs(1) / BURSTS_PER_SECOND;
        for (i, input) in inputs.iter().cycle().take(EVENTS).enumerate() {
            if i % BURST == 0 {
                let due = start + gap * (i / BURST) as u32;
                if let Some(ahead) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(ahead);
                }
            }
            let asked = Instant::now();
            black_box(lot.evaluate(black_box(input)));
            waits.push(asked.elapsed());
        }
        stop.store(true, Ordering::Relaxed);
    });
    waits.sort_unstable();
    (waits, lot.spares().target)
}
