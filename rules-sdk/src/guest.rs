//! The WebAssembly side of the SDK: bindings generated from `wit/`, the
//! conversions between them and the SDK's types, the export glue behind
//! [`export_policy!`](crate::export_policy), and an arena allocator fit for an
//! instance that lives for one call.

#![allow(
    unsafe_code,
    reason = "the bindings wit-bindgen generates, the export glue and the arena allocator"
)]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

use crate::decision::{Decision, Display, Effect, Gate, Light, OrderKind, Prompt, QrCode};
use crate::fees::{Quote, Segment, Stay};
use crate::input::{
    AgentAction, Billing, DeviceState, Direction, Discount, DiscountValue, EarlierStay, Event,
    GateHealth, Input, MonthlyPass, ParkingPass, Session, Vehicle,
};
use crate::money::Money;
use crate::plate::Plate;
use crate::settings::{self, SettingsError};
use crate::time::{Date, Timestamp};
use crate::{Policy, PolicyInfo};

pub use wit_bindgen;

wit_bindgen::generate!({
    path: "../wit/policy.wit",
    world: "lot-policy",
    pub_export_macro: true,
    export_macro_name: "__export_lot_policy",
    default_bindings_module: "boomgate_rules_sdk::guest",
    runtime_path: "boomgate_rules_sdk::guest::wit_bindgen::rt",
});

use exports::boomgate::policy::policy as wit;

/// What the module answers when the host's arguments do not make sense; the
/// host shows the trace to an agent.
fn refuse(why: String) -> Decision {
    Decision::fallback(why)
}

#[doc(hidden)]
pub fn describe<P: Policy>(version: &str) -> wit::PolicyInfo {
    let info = PolicyInfo::of::<P>(version);
    wit::PolicyInfo {
        name: info.name,
        version: info.version,
        sdk_version: info.sdk_version,
        settings_schema: info.settings_schema,
        locales: info.locales.iter().map(|l| l.tag().to_owned()).collect(),
    }
}

#[doc(hidden)]
pub fn configure<P: Policy>(json: &str) -> Result<wit::Configured, wit::SettingsError> {
    let refused = |SettingsError { path, message }| wit::SettingsError { path, message };
    let config = crate::configure::<P>(json).map_err(refused)?;
    let settings = settings::decode::<P::Settings>(&config)
        .map_err(|message| refused(SettingsError::new("", message)))?;
    let needs = P::needs(&settings);
    Ok(wit::Configured {
        config,
        needs: wit::Needs {
            history_minutes: needs.history_minutes,
        },
    })
}

#[doc(hidden)]
pub fn evaluate<P: Policy>(config: &[u8], input: wit::Input) -> wit::Decision {
    let decision = match (settings::decode::<P::Settings>(config), input_from(input)) {
        (Ok(settings), Ok(input)) => P::evaluate(&settings, &input),
        (Err(why), _) | (_, Err(why)) => refuse(why),
    };
    decision_to(decision)
}

#[doc(hidden)]
pub fn fee_schedule<P: Policy>(config: &[u8], locale: Option<&str>) -> Result<String, String> {
    let settings = settings::decode::<P::Settings>(config)?;
    let locale = crate::pick_locale::<P>(&settings, locale)?;
    Ok(P::fee_schedule(&settings, locale))
}

#[doc(hidden)]
pub fn fee_quote<P: Policy>(config: &[u8], stay: wit::Stay) -> Result<wit::Quote, String> {
    let settings = settings::decode::<P::Settings>(config)?;
    let stay = Stay {
        entered_at: timestamp(stay.entered_at)?,
        left_at: timestamp(stay.left_at)?,
        billing: billing(stay.billing),
        paid_amount: stay.paid_amount,
        settled_until: stay.settled_until.map(timestamp).transpose()?,
        class: stay.class,
        discounts: stay.discounts.into_iter().map(discount).collect(),
        earlier_stays: stay
            .earlier_stays
            .into_iter()
            .map(earlier_stay)
            .collect::<Result<_, _>>()?,
    };
    let Quote {
        total,
        due,
        segments,
        trace,
    } = P::fee_quote(&settings, &stay);
    Ok(wit::Quote {
        total: money_to(total),
        due: money_to(due),
        segments: segments.into_iter().map(segment_to).collect(),
        trace,
    })
}

#[doc(hidden)]
pub fn prompts<P: Policy>(config: &[u8], locale: Option<&str>) -> Result<Vec<wit::Prompt>, String> {
    let settings = settings::decode::<P::Settings>(config)?;
    let locale = crate::pick_locale::<P>(&settings, locale)?;
    Ok(P::prompts(&settings, locale)
        .into_iter()
        .map(
            |Prompt {
                 name,
                 voice,
                 display,
                 light,
             }| wit::Prompt {
                name,
                voice,
                display: display_to(display),
                light: light_to(light),
            },
        )
        .collect())
}

fn segment_to(s: Segment) -> wit::Segment {
    wit::Segment {
        label: s.label,
        start: timestamp_to(&s.start),
        end: timestamp_to(&s.end),
        amount: s.amount,
    }
}

fn timestamp_to(t: &Timestamp) -> wit::Datetime {
    let d = t.local_date();
    wit::Datetime {
        date: wit::Date {
            year: d.year(),
            month: d.month(),
            day: d.day(),
        },
        hour: t.hour(),
        minute: t.minute(),
        second: t.second(),
        offset_minutes: t.offset_minutes(),
    }
}

fn discount(d: wit::Discount) -> Discount {
    Discount {
        source: d.source,
        value: match d.value {
            wit::DiscountValue::Minutes(minutes) => DiscountValue::Minutes { minutes },
            wit::DiscountValue::Amount(amount) => DiscountValue::Amount { amount },
        },
    }
}

fn earlier_stay(s: wit::EarlierStay) -> Result<EarlierStay, String> {
    Ok(EarlierStay {
        entered_at: timestamp(s.entered_at)?,
        left_at: timestamp(s.left_at)?,
        billing: billing(s.billing),
        paid_amount: s.paid_amount,
    })
}

#[doc(hidden)]
pub fn lot_info<P: Policy>(config: &[u8], locale: Option<&str>) -> Result<wit::LotInfo, String> {
    let settings = settings::decode::<P::Settings>(config)?;
    let locale = crate::pick_locale::<P>(&settings, locale)?;
    let info = P::lot_info(&settings, locale);
    Ok(wit::LotInfo {
        visitors_admitted: info.visitors_admitted,
        visitor_policy: info.visitor_policy,
        fee_schedule: info.fee_schedule,
    })
}

fn date(d: wit::Date) -> Result<Date, String> {
    Date::new(d.year, d.month, d.day).map_err(|e| e.to_string())
}

fn timestamp(t: wit::Datetime) -> Result<Timestamp, String> {
    Timestamp::new(date(t.date)?, t.hour, t.minute, t.second, t.offset_minutes)
        .map_err(|e| e.to_string())
}

fn billing(b: wit::Billing) -> Billing {
    match b {
        wit::Billing::Monthly => Billing::Monthly,
        wit::Billing::Temporary => Billing::Temporary,
        wit::Billing::Free => Billing::Free,
    }
}

fn billing_to(b: Billing) -> wit::Billing {
    match b {
        Billing::Monthly => wit::Billing::Monthly,
        Billing::Temporary => wit::Billing::Temporary,
        Billing::Free => wit::Billing::Free,
    }
}

fn input_from(i: wit::Input) -> Result<Input, String> {
    let wit::Input { event, vehicle } = i;
    let event = Event {
        lot_id: event.lot_id,
        gate_id: event.gate_id,
        direction: match event.direction {
            wit::Direction::Entry => Direction::Entry,
            wit::Direction::Exit => Direction::Exit,
        },
        plate: event.plate.map(|p| Plate::parse(&p)).transpose()?,
        occurred_at: timestamp(event.occurred_at)?,
        confidence: event.confidence,
        agent: event.agent.map(|a| match a {
            wit::AgentAction::Open => AgentAction::Open,
            wit::AgentAction::VisitorConfirmed => AgentAction::VisitorConfirmed,
        }),
        gate_health: GateHealth {
            lpr_camera: match event.gate_health.lpr_camera {
                wit::DeviceState::Up => DeviceState::Up,
                wit::DeviceState::Down => DeviceState::Down,
                wit::DeviceState::Unknown => DeviceState::Unknown,
            },
            seconds_since_heartbeat: event.gate_health.seconds_since_heartbeat,
        },
    };
    let monthly_pass = match vehicle.monthly_pass {
        Some(p) => Some(MonthlyPass {
            valid_until: date(p.valid_until)?,
            spaces: p.spaces,
            vehicles_inside: p.vehicles_inside,
        }),
        None => None,
    };
    let session = match vehicle.session {
        Some(s) => Some(Session {
            entered_at: timestamp(s.entered_at)?,
            billing: billing(s.billing),
            paid_amount: s.paid_amount,
            paid_at: s.paid_at.map(timestamp).transpose()?,
            settled_until: s.settled_until.map(timestamp).transpose()?,
            pick: s.pick,
        }),
        None => None,
    };
    let vehicle = Vehicle {
        class: vehicle.class,
        monthly_pass,
        parking_pass: vehicle.parking_pass.map(|p| ParkingPass {
            registered: p.registered,
            auto_pick: p.auto_pick,
        }),
        session,
        discounts: vehicle.discounts.into_iter().map(discount).collect(),
        owed: vehicle.owed,
        earlier_stays: vehicle
            .earlier_stays
            .into_iter()
            .map(earlier_stay)
            .collect::<Result<_, _>>()?,
    };
    Ok(Input { event, vehicle })
}

fn money_to(m: Money) -> wit::Money {
    wit::Money {
        amount: m.amount,
        currency: m.currency.code().to_owned(),
    }
}

fn display_to(d: Display) -> wit::Display {
    match d {
        Display::Smile => wit::Display::Smile,
        Display::Qr { qr } => wit::Display::Qr(match qr {
            QrCode::UnplatedEntry => wit::QrCode::UnplatedEntry,
            QrCode::UnplatedExit => wit::QrCode::UnplatedExit,
            QrCode::MonthlyRenewal => wit::QrCode::MonthlyRenewal,
            QrCode::QuickExit => wit::QrCode::QuickExit,
        }),
        Display::Text { text } => wit::Display::Text(text),
        Display::VehiclesInside => wit::Display::VehiclesInside,
        Display::IdPrompt => wit::Display::IdPrompt,
    }
}

fn light_to(l: Light) -> wit::Light {
    match l {
        Light::Green => wit::Light::Green,
        Light::Yellow => wit::Light::Yellow,
        Light::Red => wit::Light::Red,
    }
}

fn decision_to(d: Decision) -> wit::Decision {
    wit::Decision {
        gate: match d.gate {
            Gate::Open => wit::Gate::Open,
            Gate::Hold => wit::Gate::Hold,
        },
        reason: d.reason,
        voice: d.voice,
        display: display_to(d.display),
        light: light_to(d.light),
        fee: d.fee.map(money_to),
        effects: d
            .effects
            .into_iter()
            .map(|e| match e {
                Effect::OpenSession { billing } => wit::Effect::OpenSession(billing_to(billing)),
                Effect::CloseSession => wit::Effect::CloseSession,
                Effect::CreateOrder {
                    order,
                    amount,
                    owed,
                } => wit::Effect::CreateOrder(wit::Order {
                    kind: match order {
                        OrderKind::Temporary => wit::OrderKind::Temporary,
                        OrderKind::MonthlyRenewal => wit::OrderKind::MonthlyRenewal,
                    },
                    amount,
                    owed,
                }),
                Effect::CreatePick => wit::Effect::CreatePick,
                Effect::ChargePick { amount } => wit::Effect::ChargePick(amount),
                Effect::Escalate => wit::Effect::Escalate,
                Effect::MissedExit { amount } => wit::Effect::MissedExit(amount),
            })
            .collect(),
        trace: d.trace,
    }
}

const PAGE: usize = 65_536;

unsafe extern "C" {
    /// Where the linker puts the start of the heap, after the stack and data.
    static __heap_base: u8;
}

/// A bump allocator for instances that live for one call.
///
/// Allocation moves a pointer forward; freeing the most recent allocation
/// moves it back, and when nothing is live any more the whole arena is reset,
/// so an instance reused across calls does not grow. It starts in the memory
/// the module already has and grows linear memory only when that runs out:
/// Rust's default allocator grows memory on its first allocation, which costs
/// a fresh instance several microseconds.
pub struct Arena {
    state: UnsafeCell<ArenaState>,
}

struct ArenaState {
    base: usize,
    next: usize,
    end: usize,
    live: usize,
}

// A component instance runs one thread.
unsafe impl Sync for Arena {}

impl Arena {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Arena {
            state: UnsafeCell::new(ArenaState {
                base: 0,
                next: 0,
                end: 0,
                live: 0,
            }),
        }
    }
}

impl ArenaState {
    fn init(&mut self) {
        if self.base == 0 {
            let base = &raw const __heap_base as usize;
            self.base = base;
            self.next = base;
            self.end = core::arch::wasm32::memory_size::<0>() * PAGE;
        }
    }

    /// Makes sure memory reaches `end`; false when it cannot grow.
    fn reserve(&mut self, end: usize) -> bool {
        if end <= self.end {
            return true;
        }
        let pages = (end - self.end).div_ceil(PAGE);
        if core::arch::wasm32::memory_grow::<0>(pages) == usize::MAX {
            return false;
        }
        self.end += pages * PAGE;
        true
    }
}

unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded; no other reference to the state is live.
        let s = unsafe { &mut *self.state.get() };
        s.init();
        let start = (s.next + layout.align() - 1) & !(layout.align() - 1);
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if !s.reserve(end) {
            return core::ptr::null_mut();
        }
        s.next = end;
        s.live += 1;
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as in `alloc`.
        let s = unsafe { &mut *self.state.get() };
        s.live -= 1;
        if s.live == 0 {
            s.next = s.base;
        } else if ptr as usize + layout.size() == s.next {
            s.next = ptr as usize;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as in `alloc`.
        let s = unsafe { &mut *self.state.get() };
        let at = ptr as usize;
        if at + layout.size() == s.next {
            // The most recent allocation grows or shrinks in place.
            let Some(end) = at.checked_add(new_size) else {
                return core::ptr::null_mut();
            };
            if !s.reserve(end) {
                return core::ptr::null_mut();
            }
            s.next = end;
            return ptr;
        }
        // SAFETY: the caller guarantees `layout` with `new_size` is valid.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a fresh allocation that does not overlap `ptr`.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}
