//! `boomgate:policy@0.1.0`: what a module built before 0.2.0 is told and
//! answers. Inputs are lowered as 0.1.0 knew them (no open stay at an
//! entry, no history, no discounts, no gate health); answers are lifted
//! into 0.2.0's types, where the same contract checks hold them.

use boomgate_rules_sdk::{AgentAction, Direction, Input, Stay};

use super::{date, datetime};
use crate::bindings::v1::exports::boomgate::policy::policy as old;
use crate::bindings::v2::exports::boomgate::policy::policy as new;

fn billing(b: boomgate_rules_sdk::Billing) -> old::Billing {
    match b {
        boomgate_rules_sdk::Billing::Monthly => old::Billing::Monthly,
        boomgate_rules_sdk::Billing::Temporary => old::Billing::Temporary,
        boomgate_rules_sdk::Billing::Free => old::Billing::Free,
    }
}

fn old_datetime(t: &boomgate_rules_sdk::Timestamp) -> old::Datetime {
    let new::Datetime {
        date,
        hour,
        minute,
        second,
        offset_minutes,
    } = datetime(t);
    old::Datetime {
        date: old::Date {
            year: date.year,
            month: date.month,
            day: date.day,
        },
        hour,
        minute,
        second,
        offset_minutes,
    }
}

/// The input as 0.1.0 carries it.
pub(crate) fn input(i: &Input) -> old::Input<'_> {
    let v = &i.vehicle;
    old::Input {
        event: old::Event {
            lot_id: &i.event.lot_id,
            gate_id: &i.event.gate_id,
            direction: match i.event.direction {
                Direction::Entry => old::Direction::Entry,
                Direction::Exit => old::Direction::Exit,
            },
            plate: i.event.plate.as_ref().map(|p| p.as_str()),
            occurred_at: old_datetime(&i.event.occurred_at),
            confidence: i.event.confidence,
            agent: i.event.agent.map(|a| match a {
                AgentAction::Open => old::AgentAction::Open,
                AgentAction::VisitorConfirmed => old::AgentAction::VisitorConfirmed,
            }),
        },
        vehicle: old::Vehicle {
            monthly_pass: v.monthly_pass.map(|p| {
                let d = date(p.valid_until);
                old::MonthlyPass {
                    valid_until: old::Date {
                        year: d.year,
                        month: d.month,
                        day: d.day,
                    },
                    spaces: p.spaces,
                    vehicles_inside: p.vehicles_inside,
                }
            }),
            parking_pass: v.parking_pass.map(|p| old::ParkingPass {
                registered: p.registered,
            }),
            // 0.1.0 promised that entries never have a stay.
            session: v
                .session
                .filter(|_| i.event.direction == Direction::Exit)
                .map(|s| old::Session {
                    entered_at: old_datetime(&s.entered_at),
                    billing: billing(s.billing),
                    paid_amount: s.paid_amount,
                    paid_at: s.paid_at.as_ref().map(old_datetime),
                    pick: s.pick,
                }),
        },
    }
}

/// The stay as 0.1.0 carries it.
pub(crate) fn stay(s: &Stay) -> old::Stay {
    old::Stay {
        entered_at: old_datetime(&s.entered_at),
        left_at: old_datetime(&s.left_at),
        billing: billing(s.billing),
        paid_amount: s.paid_amount,
    }
}

fn money(m: old::Money) -> new::Money {
    new::Money {
        amount: m.amount,
        currency: m.currency,
    }
}

/// A 0.1.0 decision in 0.2.0's types (0.1.0's are a subset).
pub(crate) fn decision(d: old::Decision) -> new::Decision {
    new::Decision {
        gate: match d.gate {
            old::Gate::Open => new::Gate::Open,
            old::Gate::Hold => new::Gate::Hold,
        },
        reason: d.reason,
        voice: d.voice,
        display: match d.display {
            old::Display::Smile => new::Display::Smile,
            old::Display::Qr(code) => new::Display::Qr(match code {
                old::QrCode::UnplatedEntry => new::QrCode::UnplatedEntry,
                old::QrCode::UnplatedExit => new::QrCode::UnplatedExit,
                old::QrCode::MonthlyRenewal => new::QrCode::MonthlyRenewal,
                old::QrCode::QuickExit => new::QrCode::QuickExit,
            }),
            old::Display::Text(text) => new::Display::Text(text),
            old::Display::VehiclesInside => new::Display::VehiclesInside,
            old::Display::IdPrompt => new::Display::IdPrompt,
        },
        light: match d.light {
            old::Light::Green => new::Light::Green,
            old::Light::Yellow => new::Light::Yellow,
            old::Light::Red => new::Light::Red,
        },
        fee: d.fee.map(money),
        effects: d
            .effects
            .into_iter()
            .map(|e| match e {
                old::Effect::OpenSession(b) => new::Effect::OpenSession(match b {
                    old::Billing::Monthly => new::Billing::Monthly,
                    old::Billing::Temporary => new::Billing::Temporary,
                    old::Billing::Free => new::Billing::Free,
                }),
                old::Effect::CloseSession => new::Effect::CloseSession,
                old::Effect::CreateOrder(order) => new::Effect::CreateOrder(new::Order {
                    kind: match order.kind {
                        old::OrderKind::Temporary => new::OrderKind::Temporary,
                        old::OrderKind::MonthlyRenewal => new::OrderKind::MonthlyRenewal,
                    },
                    amount: order.amount,
                    owed: 0,
                }),
                old::Effect::CreatePick => new::Effect::CreatePick,
                old::Effect::ChargePick(amount) => new::Effect::ChargePick(amount),
                old::Effect::Escalate => new::Effect::Escalate,
            })
            .collect(),
        trace: d.trace,
    }
}

/// A 0.1.0 quote in 0.2.0's types: no segments.
pub(crate) fn quote(q: old::Quote) -> new::Quote {
    new::Quote {
        total: money(q.total),
        due: money(q.due),
        segments: Vec::new(),
        trace: q.trace,
    }
}

pub(crate) fn lot_info(i: old::LotInfo) -> new::LotInfo {
    new::LotInfo {
        visitors_admitted: i.visitors_admitted,
        visitor_policy: i.visitor_policy,
        fee_schedule: i.fee_schedule,
    }
}

pub(crate) fn policy_info(i: old::PolicyInfo) -> new::PolicyInfo {
    new::PolicyInfo {
        name: i.name,
        version: i.version,
        sdk_version: i.sdk_version,
        settings_schema: i.settings_schema,
        locales: i.locales,
    }
}

pub(crate) fn settings_error(e: old::SettingsError) -> new::SettingsError {
    new::SettingsError {
        path: e.path,
        message: e.message,
    }
}
