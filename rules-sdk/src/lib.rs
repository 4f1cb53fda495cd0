//! The boomgate rules SDK: write a lot's entry and exit policy in Rust, test it
//! natively with `cargo test`, build it into a WebAssembly component that the
//! boomgate host runs for every plate event.
//!
//! A policy is one implementation of [`Policy`] plus [`export_policy!`]:
//!
//! ```
//! use boomgate_rules_sdk::prelude::*;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! #[serde(deny_unknown_fields)]
//! pub struct Settings {
//!     currency: Currency,
//!     fees: FeeSchedule,
//! }
//!
//! pub struct OpenLot;
//!
//! impl Policy for OpenLot {
//!     type Settings = Settings;
//!     const NAME: &'static str = "open-lot";
//!     const SETTINGS_SCHEMA: &'static str = r#"{"type": "object"}"#;
//!     const LOCALES: &'static [Locale] = &[Locale::En];
//!
//!     fn check(settings: &Settings) -> Result<(), SettingsError> {
//!         settings.fees.check("fees")
//!     }
//!
//!     fn locale(_: &Settings) -> Locale {
//!         Locale::En
//!     }
//!
//!     fn evaluate(settings: &Settings, input: &Input) -> Decision {
//!         match (input.event.direction, &input.vehicle.session) {
//!             (Direction::Entry, _) => Decision::open(reason::VISITOR_WELCOME)
//!                 .voice("Welcome")
//!                 .effect(Effect::OpenSession { billing: Billing::Temporary }),
//!             (Direction::Exit, Some(session)) => {
//!                 let pricing = settings.fees.price(&session.entered_at, &input.event.occurred_at);
//!                 Decision::open(reason::PAID)
//!                     .effect(Effect::CloseSession)
//!                     .trace(settings.fees.explain(&pricing, settings.currency))
//!             }
//!             (Direction::Exit, None) => Decision::hold(reason::NO_ENTRY_RECORD)
//!                 .display(Display::text("No entry record"))
//!                 .light(Light::Yellow)
//!                 .effect(Effect::Escalate),
//!         }
//!     }
//!
//!     fn fee_schedule(settings: &Settings, locale: Locale) -> String {
//!         settings.fees.describe(settings.currency, locale)
//!     }
//!
//!     fn fee_quote(settings: &Settings, stay: &Stay) -> Quote {
//!         settings.fees.quote(stay, settings.currency)
//!     }
//! }
//!
//! boomgate_rules_sdk::export_policy!(OpenLot);
//!
//! // Natively, the same policy runs through the same configure step the host uses.
//! let lot = boomgate_rules_sdk::testing::Harness::<OpenLot>::new(r#"{
//!     "currency": "CNY",
//!     "fees": { "free_minutes": 30, "first_period": { "minutes": 60, "amount": 500 },
//!               "then": { "every_minutes": 60, "amount": 300 }, "daily_cap": 3000 }
//! }"#).unwrap();
//! assert_eq!(lot.fee_schedule(None).unwrap(), "Free within 30 minutes, CNY 5 for the first hour, \
//!     then CNY 3 per hour, capped at CNY 30 per 24 hours");
//! ```
//!
//! Core concepts:
//! - [`Input`] is one plate event and what the host knows of the vehicle;
//!   [`Decision`] is the answer. Both are PRODUCT.md's JSON shapes.
//! - Settings arrive as JSON once; the SDK parses them into
//!   [`Policy::Settings`], runs [`Policy::check`] and keeps them in a compact
//!   form the host passes back on every call. Errors name the field.
//! - A policy has no clock and no I/O; [`time`] gives it local dates and stay
//!   lengths from the event's RFC 3339 offset, [`fees`] the fee arithmetic and
//!   fee text, [`plate`] plate shapes.
//! - Built for `wasm32-unknown-unknown` (`boomgate policy build`), the crate
//!   becomes a component of the `boomgate:policy/lot-policy` world that imports
//!   nothing.

#![deny(missing_docs)]

extern crate self as boomgate_rules_sdk;

pub mod code;
pub mod decision;
pub mod fees;
pub mod input;
pub mod locale;
pub mod money;
#[cfg(feature = "openapi")]
mod openapi;
pub mod plate;
#[cfg(feature = "schema")]
pub mod schema;
pub mod settings;
pub mod tariff;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;
pub mod time;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod guest;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use decision::{
    Decision, Display, Effect, FALLBACK_TEXT, FALLBACK_VOICE, Gate, Light, OrderKind, Prompt,
    QrCode, reason,
};
pub use fees::{FeeSchedule, FreeMode, Owed, Quote, Segment, Stay};
pub use input::{
    AgentAction, Billing, DeviceState, Direction, Discount, DiscountValue, EarlierStay, Event,
    GateHealth, Input, MonthlyPass, ParkingPass, Session, Vehicle,
};
pub use locale::Locale;
pub use money::{Currency, Money};
pub use plate::Plate;
pub use settings::SettingsError;
pub use tariff::Tariff;
pub use time::{Date, Timestamp};

/// The version of this SDK, reported by every module built with it.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The version of the `boomgate:policy` WIT package this SDK implements.
pub const INTERFACE_VERSION: &str = "0.2.0";

/// Everything a policy module usually needs.
pub mod prelude {
    pub use crate::decision::{
        Decision, Display, Effect, Gate, Light, OrderKind, Prompt, QrCode, reason,
    };
    pub use crate::fees::{FeeSchedule, FreeMode, Owed, Quote, Segment, Stay};
    pub use crate::input::{
        AgentAction, Billing, DeviceState, Direction, Discount, DiscountValue, EarlierStay, Event,
        GateHealth, Input, MonthlyPass, ParkingPass, Session, Vehicle,
    };
    pub use crate::locale::Locale;
    pub use crate::money::{Currency, Money};
    pub use crate::plate::Plate;
    pub use crate::settings::SettingsError;
    pub use crate::tariff::Tariff;
    pub use crate::time::{Date, Timestamp, days_expired, format_minutes};
    pub use crate::{LotInfo, Needs, Policy, export_policy};
}

/// A lot policy: a pure function of settings and input to a decision, plus the
/// fee schedule it charges by.
pub trait Policy {
    /// The policy's settings, parsed from JSON once per settings document.
    /// It must serialise every field it deserialises (no
    /// `skip_serializing_if`): the SDK stores it in a compact binary form and
    /// checks at configuration that it survives the round trip.
    type Settings: Serialize + DeserializeOwned;

    /// The policy's name, e.g. `standard-lot`.
    const NAME: &'static str;

    /// The JSON Schema of the settings, published to the host, which checks
    /// settings against it before configuring.
    const SETTINGS_SCHEMA: &'static str;

    /// The locales the policy speaks; the first is its default.
    const LOCALES: &'static [Locale];

    /// Checks what the settings type cannot express; the error names the field.
    fn check(settings: &Self::Settings) -> Result<(), SettingsError> {
        let _ = settings;
        Ok(())
    }

    /// The locale the settings choose.
    fn locale(settings: &Self::Settings) -> Locale;

    /// Decides one event.
    fn evaluate(settings: &Self::Settings, input: &Input) -> Decision;

    /// The fee schedule as text in `locale` (one of [`Policy::LOCALES`]).
    fn fee_schedule(settings: &Self::Settings, locale: Locale) -> String;

    /// Prices a stay.
    fn fee_quote(settings: &Self::Settings, stay: &Stay) -> Quote;

    /// What the policy needs the host to tell it beyond the event. By
    /// default: nothing (no earlier stays).
    fn needs(settings: &Self::Settings) -> Needs {
        let _ = settings;
        Needs::default()
    }

    /// The prompts agents push to the robot with one click, in `locale`.
    /// By default: none (the host offers its own).
    fn prompts(settings: &Self::Settings, locale: Locale) -> Vec<Prompt> {
        let _ = (settings, locale);
        Vec::new()
    }

    /// What an agent tells callers about the lot. By default: visitors
    /// admitted, no visitor policy text, the fee schedule.
    fn lot_info(settings: &Self::Settings, locale: Locale) -> LotInfo {
        LotInfo {
            visitors_admitted: true,
            visitor_policy: String::new(),
            fee_schedule: Self::fee_schedule(settings, locale),
        }
    }
}

/// What an agent tells a caller about a lot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LotInfo {
    /// Whether vehicles without a valid pass may enter.
    pub visitors_admitted: bool,
    /// The visitor policy as text.
    pub visitor_policy: String,
    /// The fee schedule as text.
    pub fee_schedule: String,
}

/// What a policy needs the host to tell it beyond the event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Needs {
    /// How far back, in minutes, the plate's earlier stays go into
    /// [`Vehicle::earlier_stays`]; 0 for none.
    pub history_minutes: u32,
}

/// What a module says about itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyInfo {
    /// The policy's name.
    pub name: String,
    /// The policy crate's version.
    pub version: String,
    /// The SDK version it was built with.
    pub sdk_version: String,
    /// The JSON Schema of its settings.
    pub settings_schema: String,
    /// The locales it speaks, default first.
    pub locales: Vec<Locale>,
}

impl PolicyInfo {
    /// The info of policy `P`, whose crate has version `version`.
    pub fn of<P: Policy>(version: &str) -> Self {
        PolicyInfo {
            name: P::NAME.to_owned(),
            version: version.to_owned(),
            sdk_version: SDK_VERSION.to_owned(),
            settings_schema: P::SETTINGS_SCHEMA.to_owned(),
            locales: P::LOCALES.to_vec(),
        }
    }
}

/// Parses and checks settings JSON for `P` and returns their stored form:
/// exactly what a module's `configure` export does.
pub fn configure<P: Policy>(json: &str) -> Result<Vec<u8>, SettingsError> {
    let settings: P::Settings = settings::from_json(json)?;
    P::check(&settings)?;
    settings::encode(&settings)
}

/// Chooses the locale for fee text: `requested` if the policy speaks it, the
/// settings' own locale when none is requested.
pub fn pick_locale<P: Policy>(
    settings: &P::Settings,
    requested: Option<&str>,
) -> Result<Locale, String> {
    let Some(tag) = requested else {
        return Ok(P::locale(settings));
    };
    let locale = Locale::parse(tag)?;
    if P::LOCALES.contains(&locale) {
        Ok(locale)
    } else {
        let spoken: Vec<&str> = P::LOCALES.iter().map(|l| l.tag()).collect();
        Err(format!(
            "locale `{tag}` is not one this policy speaks ({})",
            spoken.join(", ")
        ))
    }
}

/// Turns a type implementing [`Policy`] into the module's exports when built
/// for WebAssembly; natively it expands to nothing, so the same crate is
/// tested with plain `cargo test`.
#[macro_export]
macro_rules! export_policy {
    ($policy:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            use $crate::guest::exports::boomgate::policy::policy as wit;

            struct BoomgateExports;

            impl wit::Guest for BoomgateExports {
                fn describe() -> wit::PolicyInfo {
                    $crate::guest::describe::<$policy>(env!("CARGO_PKG_VERSION"))
                }
                fn configure(settings: String) -> Result<wit::Configured, wit::SettingsError> {
                    $crate::guest::configure::<$policy>(&settings)
                }
                fn evaluate(config: Vec<u8>, input: wit::Input) -> wit::Decision {
                    $crate::guest::evaluate::<$policy>(&config, input)
                }
                fn fee_schedule(config: Vec<u8>, locale: Option<String>) -> Result<String, String> {
                    $crate::guest::fee_schedule::<$policy>(&config, locale.as_deref())
                }
                fn fee_quote(config: Vec<u8>, stay: wit::Stay) -> Result<wit::Quote, String> {
                    $crate::guest::fee_quote::<$policy>(&config, stay)
                }
                fn describe_lot(
                    config: Vec<u8>,
                    locale: Option<String>,
                ) -> Result<wit::LotInfo, String> {
                    $crate::guest::lot_info::<$policy>(&config, locale.as_deref())
                }
                fn prompts(
                    config: Vec<u8>,
                    locale: Option<String>,
                ) -> Result<Vec<wit::Prompt>, String> {
                    $crate::guest::prompts::<$policy>(&config, locale.as_deref())
                }
            }

    $crate::guest::__export_lot_policy!(BoomgateExports with_types_in $crate::guest);

            #[global_allocator]
            static BOOMGATE_ARENA: $crate::guest::Arena = $crate::guest::Arena::new();
        };
    };
}
