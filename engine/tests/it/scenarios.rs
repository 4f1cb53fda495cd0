//! The standard policy's component beside its decisions: fee texts, quotes,
//! lot information, settings errors. (Every scenario file runs through the
//! component, natively and over HTTP in `host/tests/scenarios`.)

use boomgate_engine::{CallError, ConfigureError, ConfiguredPolicy};
use boomgate_rules_sdk::{Billing, Currency, Money, Stay, Timestamp};
use serde_json::{Value, json};

use crate::{STANDARD_LOT, root};

fn base_settings() -> Value {
    let path = root().join("tests/scenarios/standard-lot/settings.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn default_lot() -> ConfiguredPolicy {
    STANDARD_LOT
        .configure(&base_settings().to_string())
        .unwrap()
}

#[test]
fn lot_info_tells_the_visitor_policy_and_fees() {
    let lot = default_lot();
    let info = lot.lot_info(None).unwrap();
    assert!(!info.visitors_admitted);
    assert_eq!(
        info.visitor_policy,
        "该车场禁止临停车辆进场，访客须经管理处确认后由客服登记放行"
    );
    assert_eq!(
        info.fee_schedule,
        "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
    );
    let en = lot.lot_info(Some("en")).unwrap();
    assert!(
        en.fee_schedule.starts_with("Free within 30 minutes"),
        "{en:?}"
    );
}

#[test]
fn describes_itself() {
    let info = STANDARD_LOT.info();
    assert_eq!(info.name, "standard-lot");
    assert_eq!(info.interface_version, "0.2.0");
    assert_eq!(info.locales, ["zh-CN", "ko-KR", "en"]);
    assert_eq!(info.digest.len(), 64);
    assert_eq!(info.settings_schema["additionalProperties"], json!(false));
}

#[test]
fn fee_text_in_every_locale() {
    let lot = default_lot();
    assert_eq!(
        lot.fee_schedule(None).unwrap(),
        "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
    );
    assert_eq!(
        lot.fee_schedule(Some("zh-CN")).unwrap(),
        "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
    );
    assert_eq!(
        lot.fee_schedule(Some("en")).unwrap(),
        "Free within 30 minutes, CNY 5 for the first hour, then CNY 3 per hour, capped at CNY 30 per 24 hours"
    );
    assert_eq!(
        lot.fee_schedule(Some("ko-KR")).unwrap(),
        "30분 이내 무료, 1시간 이내 5위안, 이후 1시간마다 3위안, 1일 최대 30위안"
    );
    match lot.fee_schedule(Some("fr-FR")) {
        Err(CallError::Refused(why)) => assert!(why.contains("`fr-FR` is not supported"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn quotes_a_stay_at_a_stated_time() {
    let lot = default_lot();
    let stay = Stay::new(
        Timestamp::parse("2026-11-22T06:01:00+08:00").unwrap(),
        Timestamp::parse("2026-11-22T09:30:00+08:00").unwrap(),
        Billing::Temporary,
        500,
    );
    let quote = lot.fee_quote(&stay).unwrap();
    // 3h29m: 5 + 3 x 3 = 14.00, 5.00 paid.
    assert_eq!(quote.total, Money::new(1400, Currency::CNY));
    assert_eq!(quote.due, Money::new(900, Currency::CNY));
    assert_eq!(
        quote.trace[0],
        "stay of 3h29m: 5.00 first 1h + 3 x 3.00 = 14.00 CNY"
    );
}

fn refused(settings: &Value) -> Vec<(String, String)> {
    match STANDARD_LOT.configure(&settings.to_string()) {
        Err(ConfigureError::Invalid(fields)) => {
            fields.into_iter().map(|f| (f.path, f.message)).collect()
        }
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("accepted {settings}"),
    }
}

#[test]
fn settings_errors_name_the_field() {
    let mut s = base_settings();
    s["fees"]["free_minutes"] = json!(-1);
    assert_eq!(
        refused(&s),
        [(
            "fees.free_minutes".into(),
            "-1 is less than the minimum of 0".into()
        )]
    );

    let mut s = base_settings();
    s["fees"]["then"]["every_minutes"] = json!(0);
    assert_eq!(
        refused(&s),
        [(
            "fees.then.every_minutes".into(),
            "0 is less than the minimum of 1".into()
        )]
    );

    let mut s = base_settings();
    s.as_object_mut().unwrap().remove("currency");
    assert_eq!(refused(&s), [("currency".into(), "is required".into())]);

    let mut s = base_settings();
    s["colour"] = json!("blue");
    s["monthly_pass"]["exit_days"] = json!(3);
    let errors = refused(&s);
    assert!(
        errors.contains(&("colour".into(), "unknown field".into())),
        "{errors:?}"
    );
    assert!(
        errors.contains(&("monthly_pass.exit_days".into(), "unknown field".into())),
        "{errors:?}"
    );

    let mut s = base_settings();
    s["voice"] = json!({ "payment_requird": "请付款" });
    assert_eq!(refused(&s)[0].0, "voice");

    // What the schema cannot say, the module says, with the path.
    let mut s = base_settings();
    s["monthly_pass"]["exit_open_days"] = json!(9);
    assert_eq!(
        refused(&s),
        [(
            "monthly_pass.exit_open_days".into(),
            "must not exceed `monthly_pass.exit_renewal_days` (7)".into()
        )]
    );

    // What only the tariff can tell: bands in force at once, a tier after
    // an open-ended one, a cap below the first period.
    let tariff = |fees: Value| {
        let mut s = base_settings();
        s["fees"] = fees;
        refused(&s)
    };
    let errors = tariff(
        json!({ "tiers": [{ "every_minutes": 60, "amount": 300 }], "bands": [
        { "label": "night", "from": "21:00", "to": "07:00", "tiers": [{ "every_minutes": 60, "amount": 100 }] },
        { "label": "early", "from": "06:00", "to": "09:00", "tiers": [{ "every_minutes": 60, "amount": 200 }] }] }),
    );
    assert_eq!(errors[0].0, "fees.bands[1]", "{errors:?}");
    assert!(errors[0].1.contains("overlaps `night`"), "{errors:?}");
    let errors = tariff(
        json!({ "tiers": [{ "every_minutes": 60, "amount": 300 }, { "minutes": 60, "amount": 500 }] }),
    );
    assert_eq!(errors[0].0, "fees.tiers[1]", "{errors:?}");
    let errors = tariff(json!({ "first_period": { "minutes": 60, "amount": 500 },
        "then": { "every_minutes": 60, "amount": 300 }, "daily_cap": 400 }));
    assert_eq!(errors[0].0, "fees.daily_cap", "{errors:?}");
    let errors = tariff(json!({ "tiers": [{ "every_minutes": 60, "amount": 300 }],
        "bands": [{ "label": "night", "from": "21:60", "to": "07:00", "flat": 100 }] }));
    assert_eq!(errors[0].0, "fees.bands[0].from", "{errors:?}");

    match STANDARD_LOT.configure("{ not json") {
        Err(ConfigureError::Json(why)) => assert!(why.contains("line 1"), "{why}"),
        other => panic!("{:?}", other.err()),
    }
}

mod tariff_properties {
    use boomgate_rules_sdk::Tariff;
    use proptest::prelude::*;

    use super::*;

    fn fees() -> impl Strategy<Value = Value> {
        (
            0u32..=45,
            1u32..=120,
            0u64..=1000,
            1u32..=90,
            0u64..=500,
            prop::option::of((0u16..24, 1u16..23, 0u64..=300)),
            prop::option::of(1000u64..=8000),
            any::<bool>(),
        )
            .prop_map(|(free, first, a, every, b, band, cap, calendar)| {
                let mut fees = json!({
                    "free_minutes": free,
                    "tiers": [{ "minutes": first, "amount": a }, { "every_minutes": every, "amount": b }],
                    "holidays": ["2026-12-25"],
                    "time_zone": "EST5EDT,M3.2.0,M11.1.0",
                });
                if let Some((from, len, price)) = band {
                    fees["bands"] = json!([{ "label": "night", "from": format!("{from:02}:00"),
                        "to": format!("{:02}:00", (from + len) % 24), "days": ["weekday", "holiday"],
                        "tiers": [{ "every_minutes": 60, "amount": price }] }]);
                }
                if let Some(cap) = cap.filter(|c| *c >= a) {
                    fees["daily_cap"] = json!(cap);
                }
                if calendar {
                    fees["cycle"] = json!({ "calendar_day": { "reset_at": "00:00" } });
                }
                fees
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The component prices every stay exactly as the SDK does natively:
        /// total, due, every part and the trace.
        #[test]
        fn the_component_and_native_prices_agree(fees in fees(), start in 0i64..(300 * 1440), minutes in 0i64..(9 * 1440)) {
            let mut settings = base_settings();
            settings["currency"] = json!("USD");
            settings["fees"] = fees.clone();
            let lot = STANDARD_LOT.configure(&settings.to_string()).unwrap();
            let tariff: Tariff = serde_json::from_value(fees).unwrap();
            let entered = Timestamp::parse("2026-01-01T00:00:00-05:00").unwrap().plus_seconds(start * 60).unwrap();
            let stay = Stay::new(entered, entered.plus_seconds(minutes * 60 + 17).unwrap(), Billing::Temporary, 0);
            let wasm = lot.fee_quote(&stay).unwrap();
            let native = tariff.quote(&stay, Currency::parse("USD").unwrap());
            prop_assert_eq!(wasm, native);
        }
    }
}
