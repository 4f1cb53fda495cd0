use super::*;
use crate::input::{Billing, DiscountValue};

fn tariff(json: &str) -> Tariff {
    let t: Tariff = serde_json::from_str(json).unwrap();
    t.check("fees").unwrap();
    t
}

fn refused(json: &str) -> SettingsError {
    let t: Tariff = serde_json::from_str(json).unwrap();
    t.check("fees").unwrap_err()
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn total(t: &Tariff, from: &str, to: &str) -> u64 {
    t.price(&ts(from), &ts(to), &Context::default()).total
}

fn with(t: &Tariff, from: &str, to: &str, ctx: &Context) -> u64 {
    t.price(&ts(from), &ts(to), ctx).total
}

const STANDARD: &str = r#"{ "free_minutes": 30, "first_period": { "minutes": 60, "amount": 500 },
    "then": { "every_minutes": 60, "amount": 300 }, "daily_cap": 3000 }"#;

#[test]
fn the_seed_schedule_is_the_simple_case() {
    let t = tariff(STANDARD);
    let schedule = t.as_schedule().expect("simple");
    assert_eq!(Tariff::from_schedule(&schedule), t);
    // Written as tiers, the walk prices every stay as the schedule does.
    for mode in ["threshold", "deduct"] {
        let tiers = tariff(&format!(
            r#"{{ "free_minutes": 30, "free_mode": "{mode}", "tiers": [ {{ "minutes": 60, "amount": 500 }},
                {{ "every_minutes": 60, "amount": 300 }} ], "daily_cap": 3000 }}"#
        ));
        assert!(tiers.as_schedule().is_none());
        let schedule = FeeSchedule {
            free_mode: if mode == "deduct" {
                FreeMode::Deduct
            } else {
                FreeMode::Threshold
            },
            ..schedule
        };
        let entry = ts("2026-11-22T06:01:07+08:00");
        for m in (0..5 * 1440)
            .step_by(7)
            .chain([30, 31, 60, 61, 1440, 1441, 2880])
        {
            let left = entry.plus_seconds(m * 60 - 20).unwrap();
            assert_eq!(
                tiers.price(&entry, &left, &Context::default()).total,
                schedule.price(&entry, &left).total,
                "{mode}: {m} minutes"
            );
        }
    }
}

#[test]
fn bands_price_each_unit_by_the_band_it_starts_in() {
    let json = r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ],
        "bands": [ { "label": "night", "from": "21:00", "to": "07:00",
                     "tiers": [ { "every_minutes": 60, "amount": 100 } ] } ] }"#;
    let t = tariff(json);
    // 19:30-20:30 and 20:30-21:30 at the day rate, two units at night.
    let p = t.price(
        &ts("2026-11-22T19:30:00+08:00"),
        &ts("2026-11-22T23:30:00+08:00"),
        &Context::default(),
    );
    assert_eq!(p.total, 800);
    assert_eq!(p.segments.len(), 2);
    assert_eq!(p.segments[1].label, "night 21:00-07:00: 2 x 1h");
    assert_eq!(p.segments[1].start.to_string(), "2026-11-22T21:30:00+08:00");
    assert_eq!(
        p.explain(Currency::CNY),
        "stay of 4h: 2 x 1h 6.00 + night 21:00-07:00: 2 x 1h 2.00 = 8.00 CNY"
    );
    // Across midnight into the morning: night until 07:00, then day again.
    assert_eq!(
        total(&t, "2026-11-22T22:00:00+08:00", "2026-11-23T08:00:00+08:00"),
        9 * 100 + 300
    );
    let at_entry = tariff(&json.replace(
        r#""tiers": [ { "every_minutes": 60, "amount": 300 } ],"#,
        r#""tiers": [ { "every_minutes": 60, "amount": 300 } ], "band_rule": "entry","#,
    ));
    assert_eq!(
        total(
            &at_entry,
            "2026-11-22T19:30:00+08:00",
            "2026-11-22T23:30:00+08:00"
        ),
        1200
    );
    assert_eq!(
        total(
            &at_entry,
            "2026-11-22T21:30:00+08:00",
            "2026-11-23T09:30:00+08:00"
        ),
        1200
    );
}

#[test]
fn weekends_and_holidays_take_their_own_rate() {
    let t = tariff(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ], "holidays": ["2026-10-01", "2026-10-02"],
            "bands": [ { "label": "weekend", "from": "00:00", "to": "24:00", "days": ["weekend", "holiday"],
                         "tiers": [ { "every_minutes": 60, "amount": 200 } ] } ] }"#,
    );
    // 1 October 2026 is a Thursday and a holiday; 8 October an ordinary one.
    assert_eq!(
        total(&t, "2026-10-01T10:00:00+08:00", "2026-10-01T12:00:00+08:00"),
        400
    );
    assert_eq!(
        total(&t, "2026-10-08T10:00:00+08:00", "2026-10-08T12:00:00+08:00"),
        600
    );
    assert_eq!(
        total(&t, "2026-10-03T10:00:00+08:00", "2026-10-03T12:00:00+08:00"),
        400
    );
    // Friday 23:00 to Saturday 01:00: one hour of each.
    assert_eq!(
        total(&t, "2026-10-09T23:00:00+08:00", "2026-10-10T01:00:00+08:00"),
        500
    );
}

#[test]
fn calendar_days_follow_the_clock_on_days_of_23_and_25_hours() {
    let json = r#"{ "tiers": [ { "minutes": 60, "amount": 500 }, { "every_minutes": 60, "amount": 300 } ],
        "cycle": { "calendar_day": { "reset_at": "00:00" } }, "time_zone": "EST5EDT,M3.2.0,M11.1.0" }"#;
    let t = tariff(json);
    // 8 March 2026 has 23 hours in New York, 1 November 25.
    assert_eq!(
        total(&t, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"),
        500 + 22 * 300
    );
    assert_eq!(
        total(&t, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"),
        500 + 24 * 300
    );
    // A calendar cap resets at local midnight, not 24 hours after entry.
    let capped = tariff(&json.replace(r#""cycle""#, r#""daily_cap": 2000, "cycle""#));
    let p = capped.price(
        &ts("2026-03-07T20:00:00-05:00"),
        &ts("2026-03-09T01:00:00-04:00"),
        &Context::default(),
    );
    // 7 March 20:00-24:00: 5 + 3 x 3; 8 March: capped at 20; 9 March: 5.
    assert_eq!(p.total, 1400 + 2000 + 500);
    let cap = p
        .segments
        .iter()
        .find(|s| s.label == "cycle 2: daily cap")
        .unwrap();
    assert_eq!(cap.start.to_string(), "2026-03-08T00:00:00-05:00");
    assert_eq!(cap.end.to_string(), "2026-03-09T00:00:00-04:00");
    // A night band on the 25-hour day lasts 11 hours.
    let night = tariff(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ], "time_zone": "EST5EDT,M3.2.0,M11.1.0",
            "bands": [ { "label": "night", "from": "21:00", "to": "07:00",
                         "tiers": [ { "every_minutes": 60, "amount": 100 } ] } ] }"#,
    );
    assert_eq!(
        total(
            &night,
            "2026-10-31T21:00:00-04:00",
            "2026-11-01T07:00:00-05:00"
        ),
        1100
    );
    // Without the rule, the entry's offset holds, and the trace says so.
    let fixed = tariff(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ],
            "bands": [ { "label": "night", "from": "21:00", "to": "07:00",
                         "tiers": [ { "every_minutes": 60, "amount": 100 } ] } ] }"#,
    );
    let p = fixed.price(
        &ts("2026-10-31T21:00:00-04:00"),
        &ts("2026-11-01T07:00:00-05:00"),
        &Context::default(),
    );
    assert_eq!(p.total, 10 * 100 + 300);
    assert!(p.explain(Currency::CNY).contains("set fees.time_zone"));
}

#[test]
fn tiers_brackets_and_started_days() {
    let t = tariff(
        r#"{ "tiers": [ { "minutes": 60, "amount": 500 }, { "minutes": 60, "amount": 400 },
                        { "every_minutes": 60, "amount": 300 } ] }"#,
    );
    let at = |t: &Tariff, m: i64| {
        let e = ts("2026-11-22T08:00:00+08:00");
        t.price(&e, &e.plus_seconds(m * 60).unwrap(), &Context::default())
            .total
    };
    assert_eq!(
        (at(&t, 30), at(&t, 60), at(&t, 90), at(&t, 121)),
        (500, 500, 900, 1200)
    );
    let brackets = tariff(
        r#"{ "brackets": [ { "up_to_minutes": 240, "amount": 1000 }, { "up_to_minutes": 480, "amount": 1500 },
                           { "amount": 2000 } ] }"#,
    );
    assert_eq!(
        [10, 240, 241, 480, 481, 1440, 1441].map(|m| at(&brackets, m)),
        [1000, 1000, 1500, 1500, 2000, 2000, 3000]
    );
    let closed = tariff(
        r#"{ "brackets": [ { "up_to_minutes": 240, "amount": 1000 }, { "up_to_minutes": 1440, "amount": 1500 } ] }"#,
    );
    assert_eq!([240, 300, 1440].map(|m| at(&closed, m)), [1000, 1500, 1500]);
    let daily = tariff(r#"{ "tiers": [ { "every_minutes": 1440, "amount": 5000 } ] }"#);
    assert_eq!([1, 1440, 1441].map(|m| at(&daily, m)), [5000, 5000, 10000]);
    let once = tariff(
        r#"{ "tiers": [ { "minutes": 60, "amount": 500 }, { "every_minutes": 60, "amount": 300 } ],
            "tiers_restart": "never" }"#,
    );
    let each = tariff(
        r#"{ "tiers": [ { "minutes": 60, "amount": 500 }, { "every_minutes": 60, "amount": 300 } ] }"#,
    );
    assert_eq!(at(&once, 25 * 60), 500 + 24 * 300);
    assert_eq!(at(&each, 25 * 60), 500 + 23 * 300 + 500);
}

#[test]
fn caps_per_band_week_and_stay() {
    let t = tariff(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ],
            "bands": [ { "label": "night", "from": "21:00", "to": "07:00", "cap": 500,
                         "tiers": [ { "every_minutes": 60, "amount": 200 } ] } ] }"#,
    );
    let p = t.price(
        &ts("2026-11-22T20:00:00+08:00"),
        &ts("2026-11-23T08:00:00+08:00"),
        &Context::default(),
    );
    assert_eq!(p.total, 300 + 500 + 300);
    assert!(
        p.segments
            .iter()
            .any(|s| s.label == "night 21:00-07:00 of 2026-11-22: band cap" && s.amount == -1500)
    );
    let weekly = tariff(
        r#"{ "tiers": [ { "every_minutes": 1440, "amount": 5000 } ], "daily_cap": 5000, "weekly_cap": 30000 }"#,
    );
    let e = "2026-11-02T08:00:00+08:00";
    assert_eq!(total(&weekly, e, "2026-11-09T08:00:00+08:00"), 30000);
    assert_eq!(total(&weekly, e, "2026-11-09T08:01:00+08:00"), 35000);
    assert_eq!(total(&weekly, e, "2026-11-16T08:00:00+08:00"), 60000);
    let stay =
        tariff(r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ], "stay_cap": 5000 }"#);
    assert_eq!(total(&stay, e, "2026-11-06T12:00:00+08:00"), 5000);
}

fn earlier(entered: &str, left: &str, paid: u64) -> EarlierStay {
    EarlierStay {
        entered_at: ts(entered),
        left_at: ts(left),
        billing: Billing::Temporary,
        paid_amount: paid,
    }
}

#[test]
fn a_cap_across_stays_counts_what_the_plate_paid() {
    let t = tariff(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 500 } ], "daily_cap": 3000, "cap_across_stays": true }"#,
    );
    assert_eq!(t.history_minutes(), HISTORY_MINUTES);
    let before = [earlier(
        "2026-11-22T08:00:00+08:00",
        "2026-11-22T12:00:00+08:00",
        2000,
    )];
    let ctx = Context {
        earlier_stays: &before,
        ..Context::default()
    };
    assert_eq!(
        with(
            &t,
            "2026-11-22T16:00:00+08:00",
            "2026-11-22T18:00:00+08:00",
            &ctx
        ),
        1000
    );
    assert_eq!(
        with(
            &t,
            "2026-11-22T16:00:00+08:00",
            "2026-11-22T19:00:00+08:00",
            &ctx
        ),
        1000
    );
    // The window began with the first stay: it ends at 08:00 next day.
    assert_eq!(
        with(
            &t,
            "2026-11-22T16:00:00+08:00",
            "2026-11-23T10:00:00+08:00",
            &ctx
        ),
        1000 + 1000
    );
    // A day later the cap is whole again.
    assert_eq!(
        with(
            &t,
            "2026-11-23T09:00:00+08:00",
            "2026-11-23T18:00:00+08:00",
            &ctx
        ),
        3000
    );
    let paid_up = [earlier(
        "2026-11-22T08:00:00+08:00",
        "2026-11-22T20:00:00+08:00",
        3000,
    )];
    let ctx = Context {
        earlier_stays: &paid_up,
        ..Context::default()
    };
    assert_eq!(
        with(
            &t,
            "2026-11-22T21:00:00+08:00",
            "2026-11-22T23:00:00+08:00",
            &ctx
        ),
        0
    );
}

#[test]
fn minutes_of_a_days_visits_add_up() {
    let t = tariff(
        r#"{ "free_minutes": 30, "tiers": [ { "minutes": 60, "amount": 500 }, { "every_minutes": 60, "amount": 300 } ],
            "accumulate_minutes": true, "cycle": { "calendar_day": { "reset_at": "00:00" } } }"#,
    );
    let before = [earlier(
        "2026-11-22T08:00:00+08:00",
        "2026-11-22T08:20:00+08:00",
        0,
    )];
    let ctx = Context {
        earlier_stays: &before,
        ..Context::default()
    };
    assert_eq!(
        total(&t, "2026-11-22T10:00:00+08:00", "2026-11-22T10:20:00+08:00"),
        0
    );
    assert_eq!(
        with(
            &t,
            "2026-11-22T10:00:00+08:00",
            "2026-11-22T10:20:00+08:00",
            &ctx
        ),
        500
    );
    // The first hour is spent by 10:40: then 3 per started hour.
    assert_eq!(
        with(
            &t,
            "2026-11-22T10:00:00+08:00",
            "2026-11-22T11:00:00+08:00",
            &ctx
        ),
        800
    );
    // Yesterday's visits do not count.
    assert_eq!(
        with(
            &t,
            "2026-11-23T10:00:00+08:00",
            "2026-11-23T10:20:00+08:00",
            &ctx
        ),
        0
    );
}

#[test]
fn discounts_come_off_before_the_cap() {
    let t = tariff(r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ], "daily_cap": 2000 }"#);
    let minutes = [Discount {
        source: "mall-cinema".into(),
        value: DiscountValue::Minutes { minutes: 120 },
    }];
    let ctx = Context {
        discounts: &minutes,
        ..Context::default()
    };
    let p = t.price(
        &ts("2026-11-22T10:00:00+08:00"),
        &ts("2026-11-22T13:00:00+08:00"),
        &ctx,
    );
    assert_eq!(p.total, 300);
    assert_eq!(p.segments[0].label, "discount mall-cinema: 2h not billed");
    assert!(
        with(
            &t,
            "2026-11-22T10:00:00+08:00",
            "2026-11-22T11:50:00+08:00",
            &ctx
        ) == 0
    );
    let amount = [Discount {
        source: "coupon".into(),
        value: DiscountValue::Amount { amount: 1000 },
    }];
    let ctx = Context {
        discounts: &amount,
        ..Context::default()
    };
    // 10 hours: 30.00 less 10.00 is 20.00, within the cap.
    assert_eq!(
        with(
            &t,
            "2026-11-22T08:00:00+08:00",
            "2026-11-22T18:00:00+08:00",
            &ctx
        ),
        2000
    );
    assert_eq!(
        with(
            &t,
            "2026-11-22T08:00:00+08:00",
            "2026-11-22T12:00:00+08:00",
            &ctx
        ),
        200
    );
}

#[test]
fn an_overnight_flat_fee_is_paid_once_a_night() {
    let t = tariff(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ],
            "bands": [ { "label": "overnight", "from": "22:00", "to": "06:00", "flat": 1000 } ] }"#,
    );
    assert_eq!(
        total(&t, "2026-11-22T21:00:00+08:00", "2026-11-23T07:00:00+08:00"),
        1600
    );
    assert_eq!(
        total(&t, "2026-11-22T23:00:00+08:00", "2026-11-23T05:00:00+08:00"),
        1000
    );
    assert_eq!(
        total(&t, "2026-11-22T23:00:00+08:00", "2026-11-24T05:00:00+08:00"),
        1000 + 16 * 300 + 1000
    );
}

#[test]
fn each_vehicle_class_pays_its_own_tariff() {
    let t = tariff(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ],
            "classes": { "large": { "tiers": [ { "every_minutes": 60, "amount": 600 } ] } } }"#,
    );
    let (from, to) = ("2026-11-22T10:00:00+08:00", "2026-11-22T12:00:00+08:00");
    let of = |class| Context {
        class,
        ..Context::default()
    };
    assert_eq!(with(&t, from, to, &of(Some("large"))), 1200);
    assert_eq!(with(&t, from, to, &of(None)), 600);
    assert_eq!(with(&t, from, to, &of(Some("bus"))), 600);
    assert!(
        t.price(&ts(from), &ts(to), &of(Some("large")))
            .explain(Currency::CNY)
            .starts_with("stay of 2h (class large): ")
    );
}

#[test]
fn refuses_what_cannot_be_priced_naming_the_field() {
    let e = refused(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ],
            "bands": [ { "label": "night", "from": "21:00", "to": "07:00", "tiers": [ { "every_minutes": 60, "amount": 100 } ] },
                       { "label": "morning", "from": "06:00", "to": "09:00", "tiers": [ { "every_minutes": 60, "amount": 400 } ] } ] }"#,
    );
    assert_eq!(e.path, "fees.bands[1]");
    assert!(
        e.message
            .contains("overlaps `night` 21:00-07:00 (fees.bands[0])"),
        "{e}"
    );
    let e = refused(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 }, { "minutes": 60, "amount": 500 } ] }"#,
    );
    assert_eq!(e.path, "fees.tiers[1]");
    assert!(e.message.contains("follows the open-ended tier"), "{e}");
    let e = refused(
        r#"{ "first_period": { "minutes": 60, "amount": 500 }, "then": { "every_minutes": 60, "amount": 300 }, "daily_cap": 400 }"#,
    );
    assert_eq!(e.path, "fees.daily_cap");
    assert!(e.message.contains("fees.first_period.amount"), "{e}");
    let e = refused(
        r#"{ "brackets": [ { "up_to_minutes": 240, "amount": 1000 }, { "amount": 900 } ] }"#,
    );
    assert_eq!(e.path, "fees.brackets[1].amount");
    let e = refused(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ], "brackets": [ { "amount": 900 } ] }"#,
    );
    assert_eq!(e.path, "fees");
    let e = refused(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ],
            "classes": { "large": { "tiers": [ { "every_minutes": 60, "amount": 600 } ], "holidays": ["2026-10-01"] } } }"#,
    );
    assert_eq!(e.path, "fees.classes.large.holidays");
    let e = refused(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ], "holidays": ["2026-10-02", "2026-10-01"] }"#,
    );
    assert_eq!(e.path, "fees.holidays[1]");
    // Weekday nights and weekend days do not meet; a Friday night and a
    // Saturday from midnight do.
    tariff(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ],
            "bands": [ { "label": "night", "from": "21:00", "to": "07:00", "days": ["mon", "tue", "wed", "thu"], "flat": 500 },
                       { "label": "weekend", "from": "00:00", "to": "24:00", "days": ["weekend"], "flat": 2000 } ] }"#,
    );
    let e = refused(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ],
            "bands": [ { "label": "night", "from": "21:00", "to": "07:00", "days": ["weekday"], "flat": 500 },
                       { "label": "weekend", "from": "00:00", "to": "24:00", "days": ["weekend"], "flat": 2000 } ] }"#,
    );
    assert_eq!(e.path, "fees.bands[1]");
    let bad: Result<Tariff, _> = serde_json::from_str(
        r#"{ "bands": [ { "label": "x", "from": "25:00", "to": "07:00" } ] }"#,
    );
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("`25:00` is not a time of day")
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Tariffs of every rule kind but those that count other stays or
    /// discounts: tiers or brackets, up to two bands (one may be flat or
    /// capped), calendar or rolling cycles, daily, weekly and stay caps.
    fn tariffs() -> impl Strategy<Value = Tariff> {
        let tiers = prop_oneof![
            (1u32..=120, 0u64..=1000, 1u32..=120, 0u64..=600).prop_map(|(m, a, e, b)| {
                vec![
                    super::Tier {
                        minutes: Some(m),
                        every_minutes: None,
                        amount: a,
                    },
                    super::Tier {
                        minutes: None,
                        every_minutes: Some(e),
                        amount: b,
                    },
                ]
            }),
            (1u32..=240, 1u32..=60, 0u64..=800).prop_map(|(m, e, a)| {
                vec![
                    super::Tier {
                        minutes: Some(m),
                        every_minutes: Some(e),
                        amount: a,
                    },
                    super::Tier {
                        minutes: None,
                        every_minutes: Some(60),
                        amount: a / 2,
                    },
                ]
            }),
        ];
        let band = (
            0u16..1440,
            1u16..1440,
            1u32..=90,
            0u64..=500,
            any::<bool>(),
            prop::option::of(0u64..=2000),
        )
            .prop_map(|(from, len, every, amount, flat, cap)| Band {
                label: "band".into(),
                from: LocalTime(from),
                to: LocalTime((from + len) % 1440),
                days: Vec::new(),
                first_period: None,
                then: None,
                tiers: if flat {
                    Vec::new()
                } else {
                    vec![super::Tier {
                        minutes: None,
                        every_minutes: Some(every),
                        amount,
                    }]
                },
                flat: flat.then_some(amount),
                cap,
            });
        (
            tiers,
            prop::option::of(band),
            0u32..=60,
            any::<bool>(),
            prop::option::of(2000u64..=10_000),
            prop::option::of(20_000u64..=60_000),
            prop::option::of(30_000u64..=200_000),
            any::<bool>(),
        )
            .prop_map(
                |(tiers, band, free, calendar, daily, weekly, stay, deduct)| Tariff {
                    free_minutes: free,
                    free_mode: if deduct {
                        FreeMode::Deduct
                    } else {
                        FreeMode::Threshold
                    },
                    tiers,
                    bands: band.into_iter().filter(|b| b.from != b.to).collect(),
                    cycle: if calendar {
                        Cycle::CalendarDay {
                            reset_at: LocalTime::MIDNIGHT,
                        }
                    } else {
                        Cycle::Rolling24h
                    },
                    daily_cap: daily,
                    weekly_cap: weekly.filter(|w| daily.is_none_or(|d| *w >= d)),
                    stay_cap: stay,
                    holidays: vec![Date::new(2026, 12, 25).unwrap()],
                    time_zone: Some("EST5EDT,M3.2.0,M11.1.0".parse().unwrap()),
                    ..Tariff::default()
                },
            )
            .prop_filter("valid", |t| t.check("fees").is_ok())
    }

    fn at(entry: &Timestamp, minutes: u32) -> Timestamp {
        entry.plus_seconds(i64::from(minutes) * 60).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// With 24-hour cycles from entry (no calendar reset), a longer
        /// stay never costs less.
        #[test]
        fn a_longer_stay_never_costs_less(t in tariffs(), start in 0u32..(365 * 1440), m in 0u32..(10 * 1440), more in 1u32..600) {
            let t = Tariff { cycle: Cycle::Rolling24h, ..t };
            let entry = at(&ts("2026-01-01T00:00:00-05:00"), start);
            let short = t.price(&entry, &at(&entry, m), &Context::default()).total;
            let long = t.price(&entry, &at(&entry, m + more), &Context::default()).total;
            prop_assert!(long >= short, "{m} min: {short}, {} min: {long}", m + more);
        }

        /// No cap is ever exceeded: the stay's, each week's, each cycle's.
        #[test]
        fn no_cap_is_exceeded(t in tariffs(), start in 0u32..(365 * 1440), m in 0u32..(20 * 1440)) {
            let entry = at(&ts("2026-01-01T00:00:00-05:00"), start);
            let p = t.price(&entry, &at(&entry, m), &Context::default());
            if let Some(cap) = t.stay_cap {
                prop_assert!(p.total <= cap);
            }
            // Calendar cycles: at most one more than the started days.
            let cycles = u64::from(m / 1440) + 2;
            if let Some(cap) = t.daily_cap {
                prop_assert!(p.total <= cap * cycles, "{} > {cap} x {cycles}", p.total);
            }
            if let Some(cap) = t.weekly_cap {
                prop_assert!(p.total <= cap * cycles.div_ceil(7).max(1) + cap, "{} over weekly {cap}", p.total);
            }
            let sum: i64 = p.segments.iter().map(|s| s.amount).sum();
            prop_assert_eq!(sum, p.total as i64, "the parts add up to the total");
        }

        /// The clock rule agrees with the time-zone database.
        #[test]
        fn the_posix_rule_agrees_with_the_tz_database(unix in 0i64..4_102_444_800) {
            let rule: TzRule = "EST5EDT,M3.2.0,M11.1.0".parse().unwrap();
            let zone = jiff::tz::TimeZone::get("America/New_York").unwrap();
            let t = jiff::Timestamp::from_second(unix).unwrap();
            // The rule has held since 2007.
            prop_assume!(unix >= 1_199_145_600);
            prop_assert_eq!(rule.offset_at(unix), zone.to_offset(t).seconds());
        }
    }
}

#[test]
fn a_long_stays_parts_are_grouped() {
    let t = tariff(
        r#"{ "tiers": [ { "minutes": 60, "amount": 500 }, { "every_minutes": 60, "amount": 300 } ], "daily_cap": 4000,
            "bands": [ { "label": "night", "from": "21:00", "to": "07:00", "cap": 800,
                         "tiers": [ { "every_minutes": 60, "amount": 100 } ] } ] }"#,
    );
    let p = t.price(
        &ts("2026-11-01T08:00:00+08:00"),
        &ts("2026-12-01T08:00:00+08:00"),
        &Context::default(),
    );
    assert!(
        p.segments.len() <= price::MAX_SEGMENTS,
        "{}",
        p.segments.len()
    );
    let sum: i64 = p.segments.iter().map(|s| s.amount).sum();
    assert_eq!(sum, p.total as i64);
    assert!(
        p.segments
            .iter()
            .any(|s| s.label == "cycles 1-30 night 21:00-07:00: 300 x 1h"),
        "{:#?}",
        p.segments.iter().map(|s| &s.label).collect::<Vec<_>>()
    );
}

#[test]
fn the_stored_form_of_the_simple_case_is_the_seed_schedule() {
    let simple: Fees = serde_json::from_str(STANDARD).unwrap();
    let schedule: FeeSchedule = serde_json::from_str(STANDARD).unwrap();
    let stored = crate::settings::encode(&simple).unwrap();
    // One byte of variant, then the schedule as it was stored before.
    assert_eq!(stored[1..], crate::settings::encode(&schedule).unwrap()[..]);
    assert_eq!(crate::settings::decode::<Fees>(&stored).unwrap(), simple);
    let banded: Fees = serde_json::from_str(
        r#"{ "tiers": [ { "every_minutes": 60, "amount": 300 } ], "time_zone": "CST-8",
            "bands": [ { "label": "night", "from": "21:00", "to": "07:00", "flat": 1000 } ] }"#,
    )
    .unwrap();
    let stored = crate::settings::encode(&banded).unwrap();
    assert_eq!(crate::settings::decode::<Fees>(&stored).unwrap(), banded);
    assert_eq!(
        serde_json::to_value(&banded).unwrap(),
        serde_json::to_value(&banded.0).unwrap()
    );
}
