//! Between the SDK's types and the interface's: inputs lowered without
//! copying their strings, answers lifted and held to the contract a robot
//! relies on.

use boomgate_rules_sdk::{
    AgentAction, Billing, Currency, Date, Decision, Direction, Display, Effect, Gate, Input, Light,
    LotInfo, Money, OrderKind, QrCode, Quote, Stay, Timestamp,
};

use crate::bindings::exports::boomgate::policy::policy as wit;

/// The longest lot or gate id the engine passes on, in bytes.
pub const MAX_ID_BYTES: usize = 128;
/// The longest reason code, in bytes.
pub const MAX_REASON_BYTES: usize = 64;
/// The longest voice line, in bytes.
pub const MAX_VOICE_BYTES: usize = 1024;
/// The longest display text, in bytes.
pub const MAX_TEXT_BYTES: usize = 512;
/// The most trace lines a decision may carry.
pub const MAX_TRACE_LINES: usize = 64;
/// The longest trace line, in bytes.
pub const MAX_TRACE_LINE_BYTES: usize = 1024;
/// The most effects a decision may carry.
pub const MAX_EFFECTS: usize = 8;

fn date(d: Date) -> wit::Date {
    wit::Date {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    }
}

pub(crate) fn datetime(t: &Timestamp) -> wit::Datetime {
    wit::Datetime {
        date: date(t.local_date()),
        hour: t.hour(),
        minute: t.minute(),
        second: t.second(),
        offset_minutes: t.offset_minutes(),
    }
}

pub(crate) fn billing(b: Billing) -> wit::Billing {
    match b {
        Billing::Monthly => wit::Billing::Monthly,
        Billing::Temporary => wit::Billing::Temporary,
        Billing::Free => wit::Billing::Free,
    }
}

fn billing_from(b: wit::Billing) -> Billing {
    match b {
        wit::Billing::Monthly => Billing::Monthly,
        wit::Billing::Temporary => Billing::Temporary,
        wit::Billing::Free => Billing::Free,
    }
}

/// Checks what the types do not: ids short enough to pass on.
pub(crate) fn check_input(input: &Input) -> Result<(), String> {
    for (field, value) in [
        ("event.lot_id", &input.event.lot_id),
        ("event.gate_id", &input.event.gate_id),
    ] {
        if value.len() > MAX_ID_BYTES {
            return Err(format!(
                "`{field}` is {} bytes, over {MAX_ID_BYTES}",
                value.len()
            ));
        }
    }
    Ok(())
}

/// The input as the interface carries it, borrowing its strings.
pub(crate) fn input(i: &Input) -> wit::Input<'_> {
    let v = &i.vehicle;
    wit::Input {
        event: wit::Event {
            lot_id: &i.event.lot_id,
            gate_id: &i.event.gate_id,
            direction: match i.event.direction {
                Direction::Entry => wit::Direction::Entry,
                Direction::Exit => wit::Direction::Exit,
            },
            plate: i.event.plate.as_ref().map(|p| p.as_str()),
            occurred_at: datetime(&i.event.occurred_at),
            confidence: i.event.confidence,
            agent: i.event.agent.map(|a| match a {
                AgentAction::Open => wit::AgentAction::Open,
                AgentAction::VisitorConfirmed => wit::AgentAction::VisitorConfirmed,
            }),
        },
        vehicle: wit::Vehicle {
            monthly_pass: v.monthly_pass.map(|p| wit::MonthlyPass {
                valid_until: date(p.valid_until),
                spaces: p.spaces,
                vehicles_inside: p.vehicles_inside,
            }),
            parking_pass: v.parking_pass.map(|p| wit::ParkingPass {
                registered: p.registered,
            }),
            session: v.session.map(|s| wit::Session {
                entered_at: datetime(&s.entered_at),
                billing: billing(s.billing),
                paid_amount: s.paid_amount,
                paid_at: s.paid_at.as_ref().map(datetime),
                pick: s.pick,
            }),
        },
    }
}

pub(crate) fn stay(s: &Stay) -> wit::Stay {
    wit::Stay {
        entered_at: datetime(&s.entered_at),
        left_at: datetime(&s.left_at),
        billing: billing(s.billing),
        paid_amount: s.paid_amount,
    }
}

fn money(m: wit::Money, what: &str) -> Result<Money, String> {
    let currency = Currency::parse(&m.currency).map_err(|e| format!("{what}: {e}"))?;
    Ok(Money::new(m.amount, currency))
}

pub(crate) fn quote(q: wit::Quote) -> Result<Quote, String> {
    if q.trace.len() > MAX_TRACE_LINES {
        return Err(format!(
            "{} trace lines, over {MAX_TRACE_LINES}",
            q.trace.len()
        ));
    }
    Ok(Quote {
        total: money(q.total, "quote total")?,
        due: money(q.due, "quote due")?,
        trace: q.trace,
    })
}

pub(crate) fn lot_info(info: wit::LotInfo) -> Result<LotInfo, String> {
    for (field, text) in [
        ("visitor_policy", &info.visitor_policy),
        ("fee_schedule", &info.fee_schedule),
    ] {
        if text.len() > MAX_VOICE_BYTES {
            return Err(format!(
                "{field} is {} bytes, over {MAX_VOICE_BYTES}",
                text.len()
            ));
        }
    }
    Ok(LotInfo {
        visitors_admitted: info.visitors_admitted,
        visitor_policy: info.visitor_policy,
        fee_schedule: info.fee_schedule,
    })
}

fn is_reason_code(reason: &str) -> bool {
    let mut bytes = reason.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && reason.len() <= MAX_REASON_BYTES
}

/// The policy's answer, if it keeps the contract: a reason code, bounded
/// texts and trace, and effects that make sense for the gate and direction.
pub(crate) fn decision(d: wit::Decision, input: &Input) -> Result<Decision, String> {
    if !is_reason_code(&d.reason) {
        let shown: String = d.reason.chars().take(MAX_REASON_BYTES).collect();
        return Err(format!(
            "reason `{shown}` is not a code (lowercase letters, digits and `_`, at most {MAX_REASON_BYTES} bytes)"
        ));
    }
    if d.voice.len() > MAX_VOICE_BYTES {
        return Err(format!(
            "voice is {} bytes, over {MAX_VOICE_BYTES}",
            d.voice.len()
        ));
    }
    if d.trace.len() > MAX_TRACE_LINES {
        return Err(format!(
            "{} trace lines, over {MAX_TRACE_LINES}",
            d.trace.len()
        ));
    }
    if let Some(line) = d.trace.iter().find(|l| l.len() > MAX_TRACE_LINE_BYTES) {
        return Err(format!(
            "a trace line of {} bytes, over {MAX_TRACE_LINE_BYTES}",
            line.len()
        ));
    }
    if d.effects.len() > MAX_EFFECTS {
        return Err(format!("{} effects, over {MAX_EFFECTS}", d.effects.len()));
    }
    let gate = match d.gate {
        wit::Gate::Open => Gate::Open,
        wit::Gate::Hold => Gate::Hold,
    };
    let display = match d.display {
        wit::Display::Smile => Display::Smile,
        wit::Display::Qr(code) => Display::qr(match code {
            wit::QrCode::UnplatedEntry => QrCode::UnplatedEntry,
            wit::QrCode::UnplatedExit => QrCode::UnplatedExit,
            wit::QrCode::MonthlyRenewal => QrCode::MonthlyRenewal,
            wit::QrCode::QuickExit => QrCode::QuickExit,
        }),
        wit::Display::Text(text) if text.len() > MAX_TEXT_BYTES => {
            return Err(format!(
                "display text is {} bytes, over {MAX_TEXT_BYTES}",
                text.len()
            ));
        }
        wit::Display::Text(text) => Display::Text { text },
        wit::Display::VehiclesInside => Display::VehiclesInside,
        wit::Display::IdPrompt => Display::IdPrompt,
    };
    let light = match d.light {
        wit::Light::Green => Light::Green,
        wit::Light::Yellow => Light::Yellow,
        wit::Light::Red => Light::Red,
    };
    let fee = d.fee.map(|m| money(m, "fee")).transpose()?;
    let effects: Vec<Effect> = d
        .effects
        .into_iter()
        .map(|e| match e {
            wit::Effect::OpenSession(b) => Effect::OpenSession {
                billing: billing_from(b),
            },
            wit::Effect::CloseSession => Effect::CloseSession,
            wit::Effect::CreateOrder(order) => Effect::CreateOrder {
                order: match order.kind {
                    wit::OrderKind::Temporary => OrderKind::Temporary,
                    wit::OrderKind::MonthlyRenewal => OrderKind::MonthlyRenewal,
                },
                amount: order.amount,
            },
            wit::Effect::CreatePick => Effect::CreatePick,
            wit::Effect::ChargePick(amount) => Effect::ChargePick { amount },
            wit::Effect::Escalate => Effect::Escalate,
        })
        .collect();
    check_effects(&effects, gate, input.event.direction)?;
    Ok(Decision {
        gate,
        reason: d.reason,
        voice: d.voice,
        display,
        light,
        fee,
        effects,
        trace: d.trace,
    })
}

/// Effects must fit the gate and the direction, once each: a session opens
/// only at an open entry and closes only at an open exit.
fn check_effects(effects: &[Effect], gate: Gate, direction: Direction) -> Result<(), String> {
    for (i, effect) in effects.iter().enumerate() {
        let kind = effect.kind();
        if effects[..i].iter().any(|e| e.kind() == kind) {
            return Err(format!("`{kind}` appears twice"));
        }
        let needs = match effect {
            Effect::OpenSession { .. } | Effect::CreatePick => Some((Direction::Entry, Gate::Open)),
            Effect::CloseSession | Effect::ChargePick { .. } => Some((Direction::Exit, Gate::Open)),
            Effect::CreateOrder { .. } | Effect::Escalate => None,
        };
        if let Some((dir, open)) = needs {
            if dir != direction {
                return Err(format!("`{kind}` at an {}", direction.as_str()));
            }
            if open != gate {
                return Err(format!("`{kind}` while the gate holds"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes() {
        assert!(is_reason_code("payment_required"));
        assert!(is_reason_code("lot7_rule"));
        assert!(!is_reason_code(""));
        assert!(!is_reason_code("Payment"));
        assert!(!is_reason_code("_x"));
        assert!(!is_reason_code("a-b"));
        assert!(!is_reason_code(&"a".repeat(65)));
    }

    #[test]
    fn effects_must_fit_gate_and_direction() {
        use Direction::{Entry, Exit};
        let open = Effect::OpenSession {
            billing: Billing::Temporary,
        };
        assert!(check_effects(&[open, Effect::CreatePick], Gate::Open, Entry).is_ok());
        assert_eq!(
            check_effects(&[open], Gate::Open, Exit).unwrap_err(),
            "`open_session` at an exit"
        );
        assert_eq!(
            check_effects(&[open], Gate::Hold, Entry).unwrap_err(),
            "`open_session` while the gate holds"
        );
        assert_eq!(
            check_effects(&[Effect::Escalate, Effect::Escalate], Gate::Hold, Exit).unwrap_err(),
            "`escalate` appears twice"
        );
        let order = Effect::CreateOrder {
            order: OrderKind::Temporary,
            amount: Some(5),
        };
        assert!(check_effects(&[order, Effect::Escalate], Gate::Hold, Exit).is_ok());
    }
}
