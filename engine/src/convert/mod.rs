//! Between the SDK's types and the interface's: inputs lowered without
//! copying their strings, answers lifted and held to the contract a robot
//! relies on. This module speaks the current interface (0.2.0); `v1`
//! lowers to 0.1.0 and lifts 0.1.0's answers into 0.2.0's, so that every
//! answer is held to the same contract here.

use boomgate_rules_sdk::{
    AgentAction, Billing, Currency, Date, Decision, DeviceState, Direction, Discount,
    DiscountValue, Display, EarlierStay, Effect, Gate, Input, Light, LotInfo, Money, OrderKind,
    Prompt, QrCode, Quote, Segment, Stay, Timestamp,
};

use crate::bindings::v2::exports::boomgate::policy::policy as wit;

pub(crate) mod v1;

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

fn discount(d: &Discount) -> wit::Discount<'_> {
    wit::Discount {
        source: &d.source,
        value: match d.value {
            DiscountValue::Minutes { minutes } => wit::DiscountValue::Minutes(minutes),
            DiscountValue::Amount { amount } => wit::DiscountValue::Amount(amount),
        },
    }
}

fn earlier_stay(s: &EarlierStay) -> wit::EarlierStay {
    wit::EarlierStay {
        entered_at: datetime(&s.entered_at),
        left_at: datetime(&s.left_at),
        billing: billing(s.billing),
        paid_amount: s.paid_amount,
    }
}

/// An input's lists, lowered, for [`Lowered::input`] to borrow.
pub(crate) struct Lowered<'a> {
    input: &'a Input,
    discounts: Vec<wit::Discount<'a>>,
    earlier_stays: Vec<wit::EarlierStay>,
}

impl<'a> Lowered<'a> {
    pub(crate) fn new(input: &'a Input) -> Self {
        Lowered {
            input,
            discounts: input.vehicle.discounts.iter().map(discount).collect(),
            earlier_stays: input
                .vehicle
                .earlier_stays
                .iter()
                .map(earlier_stay)
                .collect(),
        }
    }

    /// The input as the interface carries it, borrowing its strings.
    pub(crate) fn input(&self) -> wit::Input<'_> {
        input(self.input, &self.discounts, &self.earlier_stays)
    }
}

fn input<'a>(
    i: &'a Input,
    discounts: &'a [wit::Discount<'a>],
    earlier_stays: &'a [wit::EarlierStay],
) -> wit::Input<'a> {
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
            gate_health: wit::GateHealth {
                lpr_camera: match i.event.gate_health.lpr_camera {
                    DeviceState::Up => wit::DeviceState::Up,
                    DeviceState::Down => wit::DeviceState::Down,
                    DeviceState::Unknown => wit::DeviceState::Unknown,
                },
                seconds_since_heartbeat: i.event.gate_health.seconds_since_heartbeat,
            },
        },
        vehicle: wit::Vehicle {
            class: v.class.as_deref(),
            monthly_pass: v.monthly_pass.map(|p| wit::MonthlyPass {
                valid_until: date(p.valid_until),
                spaces: p.spaces,
                vehicles_inside: p.vehicles_inside,
            }),
            parking_pass: v.parking_pass.map(|p| wit::ParkingPass {
                registered: p.registered,
                auto_pick: p.auto_pick,
            }),
            session: v.session.map(|s| wit::Session {
                entered_at: datetime(&s.entered_at),
                billing: billing(s.billing),
                paid_amount: s.paid_amount,
                paid_at: s.paid_at.as_ref().map(datetime),
                settled_until: s.settled_until.as_ref().map(datetime),
                pick: s.pick,
            }),
            discounts,
            owed: v.owed,
            earlier_stays,
        },
    }
}

/// A stay's lists, lowered, for [`LoweredStay::stay`] to borrow.
pub(crate) struct LoweredStay<'a> {
    stay: &'a Stay,
    discounts: Vec<wit::Discount<'a>>,
    earlier_stays: Vec<wit::EarlierStay>,
}

impl<'a> LoweredStay<'a> {
    pub(crate) fn new(stay: &'a Stay) -> Self {
        LoweredStay {
            stay,
            discounts: stay.discounts.iter().map(discount).collect(),
            earlier_stays: stay.earlier_stays.iter().map(earlier_stay).collect(),
        }
    }

    /// The stay as the interface carries it.
    pub(crate) fn stay(&self) -> wit::Stay<'_> {
        let s = self.stay;
        wit::Stay {
            entered_at: datetime(&s.entered_at),
            left_at: datetime(&s.left_at),
            billing: billing(s.billing),
            paid_amount: s.paid_amount,
            settled_until: s.settled_until.as_ref().map(datetime),
            class: s.class.as_deref(),
            discounts: &self.discounts,
            earlier_stays: &self.earlier_stays,
        }
    }
}

fn timestamp_from(t: wit::Datetime, what: &str) -> Result<Timestamp, String> {
    let date =
        Date::new(t.date.year, t.date.month, t.date.day).map_err(|e| format!("{what}: {e}"))?;
    Timestamp::new(date, t.hour, t.minute, t.second, t.offset_minutes)
        .map_err(|e| format!("{what}: {e}"))
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
    if q.segments.len() > MAX_TRACE_LINES {
        return Err(format!(
            "{} segments, over {MAX_TRACE_LINES}",
            q.segments.len()
        ));
    }
    let segments = q
        .segments
        .into_iter()
        .map(|s| {
            if s.label.len() > MAX_TRACE_LINE_BYTES {
                return Err(format!(
                    "a segment label of {} bytes, over {MAX_TRACE_LINE_BYTES}",
                    s.label.len()
                ));
            }
            Ok(Segment {
                start: timestamp_from(s.start, "segment start")?,
                end: timestamp_from(s.end, "segment end")?,
                label: s.label,
                amount: s.amount,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Quote {
        total: money(q.total, "quote total")?,
        due: money(q.due, "quote due")?,
        segments,
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

/// The most prompts a policy may offer.
pub const MAX_PROMPTS: usize = 32;

pub(crate) fn prompts(list: Vec<wit::Prompt>) -> Result<Vec<Prompt>, String> {
    if list.len() > MAX_PROMPTS {
        return Err(format!("{} prompts, over {MAX_PROMPTS}", list.len()));
    }
    list.into_iter()
        .map(|p| {
            if !is_reason_code(&p.name) {
                return Err(format!("prompt name `{}` is not a code", p.name));
            }
            if p.voice.len() > MAX_VOICE_BYTES {
                return Err(format!(
                    "prompt `{}`: voice is {} bytes, over {MAX_VOICE_BYTES}",
                    p.name,
                    p.voice.len()
                ));
            }
            Ok(Prompt {
                display: display(p.display)?,
                light: light(p.light),
                name: p.name,
                voice: p.voice,
            })
        })
        .collect()
}

fn display(d: wit::Display) -> Result<Display, String> {
    Ok(match d {
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
    })
}

fn light(l: wit::Light) -> Light {
    match l {
        wit::Light::Green => Light::Green,
        wit::Light::Yellow => Light::Yellow,
        wit::Light::Red => Light::Red,
    }
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
    let display = display(d.display)?;
    let light = light(d.light);
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
                owed: order.owed,
            },
            wit::Effect::CreatePick => Effect::CreatePick,
            wit::Effect::ChargePick(amount) => Effect::ChargePick { amount },
            wit::Effect::Escalate => Effect::Escalate,
            wit::Effect::MissedExit(amount) => Effect::MissedExit { amount },
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
/// only at an open entry and closes only at an open exit; a missed exit is
/// closed only at an entry.
fn check_effects(effects: &[Effect], gate: Gate, direction: Direction) -> Result<(), String> {
    for (i, effect) in effects.iter().enumerate() {
        let kind = effect.kind();
        if effects[..i].iter().any(|e| e.kind() == kind) {
            return Err(format!("`{kind}` appears twice"));
        }
        if let Effect::CreateOrder { amount, owed, .. } = effect
            && *owed > amount.unwrap_or(0)
        {
            return Err(format!(
                "`{kind}` owes {owed} from earlier stays, more than its amount {}",
                amount.unwrap_or(0)
            ));
        }
        let needs = match effect {
            Effect::OpenSession { .. } | Effect::CreatePick => Some((Direction::Entry, Gate::Open)),
            Effect::CloseSession | Effect::ChargePick { .. } => Some((Direction::Exit, Gate::Open)),
            Effect::CreateOrder { .. } | Effect::Escalate => None,
            Effect::MissedExit { .. } => {
                if direction != Direction::Entry {
                    return Err(format!("`{kind}` at an {}", direction.as_str()));
                }
                None
            }
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
        let order = Effect::order(OrderKind::Temporary, Some(5));
        assert!(check_effects(&[order, Effect::Escalate], Gate::Hold, Exit).is_ok());
        let owing_more = Effect::CreateOrder {
            order: OrderKind::Temporary,
            amount: Some(5),
            owed: 6,
        };
        assert_eq!(
            check_effects(&[owing_more], Gate::Hold, Exit).unwrap_err(),
            "`create_order` owes 6 from earlier stays, more than its amount 5"
        );
        let missed = Effect::MissedExit { amount: 300 };
        assert!(check_effects(&[missed, open], Gate::Open, Entry).is_ok());
        assert_eq!(
            check_effects(&[missed], Gate::Open, Exit).unwrap_err(),
            "`missed_exit` at an exit"
        );
    }
}
