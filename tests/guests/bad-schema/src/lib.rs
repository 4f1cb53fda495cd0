//! A policy whose published settings schema is broken: the host must refuse
//! to load it, with a message that says so.

use boomgate_rules_sdk::prelude::*;

pub struct BadSchema;

boomgate_rules_sdk::export_policy!(BadSchema);

impl Policy for BadSchema {
    type Settings = ();
    const NAME: &'static str = "bad-schema";
    const SETTINGS_SCHEMA: &'static str = "{ this is not a schema";
    const LOCALES: &'static [Locale] = &[Locale::En];

    fn locale(_: &()) -> Locale {
        Locale::En
    }

    fn evaluate(_: &(), _: &Input) -> Decision {
        Decision::open("visitor_welcome")
    }

    fn fee_schedule(_: &(), _: Locale) -> String {
        String::new()
    }

    fn fee_quote(_: &(), stay: &Stay) -> Quote {
        let _ = stay;
        Quote {
            total: Money::new(0, Currency::CNY),
            due: Money::new(0, Currency::CNY),
            segments: Vec::new(),
            trace: Vec::new(),
        }
    }
}
