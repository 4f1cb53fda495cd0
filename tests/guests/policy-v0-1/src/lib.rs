//! A policy module of `boomgate:policy@0.1.0`, written against the frozen
//! interface (`wit/0.1.0/policy.wit`) with `wit-bindgen` alone, as a module
//! uploaded before 0.2.0 was. The host must keep running it: entries open a
//! temporary stay, exits with a stay charge one fen a minute and close it,
//! exits without one hold and escalate. Its settings are `{"greeting": ".."}`.

#![allow(unsafe_code, reason = "the export glue wit-bindgen generates")]

#[cfg(target_arch = "wasm32")]
mod module {
    wit_bindgen::generate!({
        path: "../../../wit/0.1.0/policy.wit",
        world: "lot-policy",
    });

    use exports::boomgate::policy::policy::{
        Billing, Decision, Direction, Display, Effect, Gate, Guest, Input, Light, LotInfo, Money,
        Order, OrderKind, PolicyInfo, Quote, SettingsError, Stay,
    };

    struct V01;

    const SCHEMA: &str = r#"{"type": "object", "properties": {"greeting": {"type": "string"}},
        "required": ["greeting"], "additionalProperties": false}"#;

    /// Minutes from one lot-local instant to another, started minutes
    /// counted (the stays tested are within one day).
    fn minutes(
        from: &exports::boomgate::policy::policy::Datetime,
        to: &exports::boomgate::policy::policy::Datetime,
    ) -> u64 {
        let at = |t: &exports::boomgate::policy::policy::Datetime| {
            i64::from(t.date.day) * 86_400
                + i64::from(t.hour) * 3_600
                + i64::from(t.minute) * 60
                + i64::from(t.second)
        };
        u64::try_from((at(to) - at(from) + 59) / 60).unwrap_or(0)
    }

    fn greeting(config: &[u8]) -> String {
        String::from_utf8_lossy(config).into_owned()
    }

    impl Guest for V01 {
        fn describe() -> PolicyInfo {
            PolicyInfo {
                name: "policy-v0-1".to_owned(),
                version: "0.1.0".to_owned(),
                sdk_version: "none".to_owned(),
                settings_schema: SCHEMA.to_owned(),
                locales: vec!["en".to_owned()],
            }
        }

        fn configure(settings: String) -> Result<Vec<u8>, SettingsError> {
            // The host checked the schema: a string under `greeting`.
            let greeting = settings
                .split("\"greeting\"")
                .nth(1)
                .and_then(|rest| rest.split('"').nth(1))
                .ok_or_else(|| SettingsError {
                    path: "greeting".to_owned(),
                    message: "is required".to_owned(),
                })?;
            Ok(greeting.as_bytes().to_vec())
        }

        fn evaluate(config: Vec<u8>, input: Input) -> Decision {
            let quiet = |gate, reason: &str, voice: String| Decision {
                gate,
                reason: reason.to_owned(),
                voice,
                display: Display::Smile,
                light: Light::Green,
                fee: None,
                effects: Vec::new(),
                trace: vec!["decided by a boomgate:policy@0.1.0 module".to_owned()],
            };
            match (input.event.direction, input.vehicle.session) {
                (Direction::Entry, stay) => {
                    let mut d = quiet(Gate::Open, "visitor_welcome", greeting(&config));
                    d.effects.push(Effect::OpenSession(Billing::Temporary));
                    if stay.is_some() {
                        d.trace
                            .push("0.1.0 promised entries never have a stay".to_owned());
                    }
                    d
                }
                (Direction::Exit, Some(stay)) => {
                    let fee = minutes(&stay.entered_at, &input.event.occurred_at)
                        .saturating_sub(stay.paid_amount);
                    if fee == 0 {
                        let mut d = quiet(Gate::Open, "paid", "Goodbye".to_owned());
                        d.effects.push(Effect::CloseSession);
                        return d;
                    }
                    let mut d = quiet(Gate::Hold, "payment_required", "Please pay".to_owned());
                    d.display = Display::Qr(exports::boomgate::policy::policy::QrCode::QuickExit);
                    d.fee = Some(Money {
                        amount: fee,
                        currency: "CNY".to_owned(),
                    });
                    d.effects.push(Effect::CreateOrder(Order {
                        kind: OrderKind::Temporary,
                        amount: Some(fee),
                    }));
                    d
                }
                (Direction::Exit, None) => {
                    let mut d = quiet(Gate::Hold, "no_entry_record", "Please call".to_owned());
                    d.display = Display::Text("No entry record".to_owned());
                    d.light = Light::Yellow;
                    d.effects.push(Effect::Escalate);
                    d
                }
            }
        }

        fn fee_schedule(_: Vec<u8>, locale: Option<String>) -> Result<String, String> {
            match locale.as_deref() {
                None | Some("en") => Ok("CNY 0.01 per started minute".to_owned()),
                Some(other) => Err(format!("locale `{other}` is not supported")),
            }
        }

        fn fee_quote(_: Vec<u8>, stay: Stay) -> Result<Quote, String> {
            let total = match stay.billing {
                Billing::Temporary => minutes(&stay.entered_at, &stay.left_at),
                Billing::Monthly | Billing::Free => 0,
            };
            let money = |amount| Money {
                amount,
                currency: "CNY".to_owned(),
            };
            Ok(Quote {
                total: money(total),
                due: money(total.saturating_sub(stay.paid_amount)),
                trace: vec![format!("{total} started minutes at 0.01")],
            })
        }

        fn describe_lot(config: Vec<u8>, _: Option<String>) -> Result<LotInfo, String> {
            Ok(LotInfo {
                visitors_admitted: true,
                visitor_policy: greeting(&config),
                fee_schedule: "CNY 0.01 per started minute".to_owned(),
            })
        }
    }

    export!(V01);
}
