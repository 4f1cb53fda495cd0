//! A hostile policy for the engine's tests: its settings choose how it
//! misbehaves when asked to decide (or to configure itself).

use core::sync::atomic::{AtomicU32, Ordering};

use boomgate_rules_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// How the policy misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Decide properly (so a test can show the module works at all).
    Behave,
    /// Loop forever.
    Spin,
    /// Allocate until memory runs out.
    MemoryBomb,
    /// Recurse without end.
    Recursion,
    /// Panic (a trap in WebAssembly).
    Panic,
    /// Answer with a reason code that is not a code.
    BadReason,
    /// Answer with a thousand trace lines.
    HugeTrace,
    /// Open a session at an exit.
    ContradictoryEffects,
    /// Loop forever while configuring.
    SpinInConfigure,
    /// Refuse every settings document.
    RefuseSettings,
    /// Count calls in a static and answer with the count (`call_1`, ...):
    /// shows whether state survives from one call to the next.
    Count,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub behaviour: Behaviour,
}

pub struct Hostile;

boomgate_rules_sdk::export_policy!(Hostile);

static CALLS: AtomicU32 = AtomicU32::new(0);

#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse(depth: u64, trail: &mut Vec<u64>) -> u64 {
    trail.push(depth);
    recurse(depth + 1, trail) + trail[depth as usize % trail.len()]
}

impl Policy for Hostile {
    type Settings = Settings;
    const NAME: &'static str = "hostile";
    const SETTINGS_SCHEMA: &'static str = r#"{
        "type": "object",
        "properties": { "behaviour": { "type": "string" } },
        "required": ["behaviour"],
        "additionalProperties": false
    }"#;
    const LOCALES: &'static [Locale] = &[Locale::En];

    fn check(settings: &Settings) -> Result<(), SettingsError> {
        match settings.behaviour {
            Behaviour::SpinInConfigure => loop {
                core::hint::black_box(settings);
            },
            Behaviour::RefuseSettings => {
                Err(SettingsError::new("behaviour", "is never good enough"))
            }
            _ => Ok(()),
        }
    }

    fn locale(_: &Settings) -> Locale {
        Locale::En
    }

    fn evaluate(settings: &Settings, input: &Input) -> Decision {
        match settings.behaviour {
            Behaviour::Spin => {
                let mut n: u64 = 0;
                loop {
                    n = core::hint::black_box(n.wrapping_add(1));
                }
            }
            Behaviour::MemoryBomb => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    // Reserve without writing: grow memory as fast as possible.
                    let mut block = Vec::with_capacity(1 << 20);
                    block.push(0xA5u8);
                    hoard.push(block);
                    core::hint::black_box(&hoard);
                }
            }
            Behaviour::Recursion => {
                let mut trail = Vec::new();
                let n = recurse(0, &mut trail);
                Decision::open(format!("never_{n}"))
            }
            Behaviour::Panic => panic!("hostile policy panics on {}", input.event.gate_id),
            Behaviour::Count => {
                let n = CALLS.fetch_add(1, Ordering::Relaxed) + 1;
                Decision::hold(format!("call_{n}"))
            }
            Behaviour::BadReason => Decision::open("Not A Reason Code!"),
            Behaviour::HugeTrace => {
                let mut d = Decision::hold("payment_required");
                for i in 0..1000 {
                    d = d.trace(format!("line {i}"));
                }
                d
            }
            Behaviour::ContradictoryEffects => Decision::open("paid")
                .effect(Effect::OpenSession {
                    billing: Billing::Temporary,
                })
                .effect(Effect::CloseSession),
            Behaviour::Behave | Behaviour::SpinInConfigure | Behaviour::RefuseSettings => {
                Decision::open("visitor_welcome")
                    .voice("welcome")
                    .trace(format!(
                        "behaving at {} for {}",
                        input.event.gate_id,
                        input
                            .event
                            .plate
                            .as_ref()
                            .map_or("no plate", |p| p.as_str())
                    ))
            }
        }
    }

    fn fee_schedule(_: &Settings, _: Locale) -> String {
        "everything is free".to_owned()
    }

    fn fee_quote(_: &Settings, stay: &Stay) -> Quote {
        let currency = Currency::CNY;
        let minutes = stay.entered_at.minutes_until(&stay.left_at);
        Quote {
            total: Money::new(minutes, currency),
            due: Money::new(minutes.saturating_sub(stay.paid_amount), currency),
            segments: Vec::new(),
            trace: vec![format!("{minutes} minutes at 0.01 each")],
        }
    }
}
