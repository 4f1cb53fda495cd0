//! A lot run for the app parking pass (seed `000`): every car may enter; a
//! car registered for the pass gets a pick on entry (automatically, if the
//! lot enables it, or when the driver confirms in the app) and its exit is
//! paid by the pick; a car without a pick pays first and then leaves.
//!
//! Not the standard lot with other knobs: no monthly passes, no visitor
//! confirmation, another set of reasons, Korean texts by default, won.
//!
//! Agents' one-click prompts carry the standard lot's names, those that
//! apply to a lot without passes or visitor confirmation. A read while the
//! gate's plate camera is reported down is decided as any other (a car
//! without a plate read scans the unplated code); the trace says so.

use boomgate_rules_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// Settings of the parking-pass lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The lot's currency; amounts are in its minor unit.
    pub currency: Currency,
    /// The language of voice lines and fee text.
    #[serde(default = "default_locale")]
    pub locale: Locale,
    /// Create a pick on entry for a car registered for the parking pass
    /// (the parking admin's "automatic pick creation"). Off: the driver
    /// confirms in the app ("지금 주차중이신가요?").
    #[serde(default)]
    pub auto_pick: bool,
    /// The fee schedule.
    pub fees: FeeSchedule,
    /// After paying in full, a car has this many minutes to leave.
    pub payment_grace_minutes: u32,
}

fn default_locale() -> Locale {
    Locale::KoKr
}

/// The reasons this lot gives.
pub mod reasons {
    /// A car without a parking pass enters; it pays before leaving.
    pub const WELCOME: &str = "welcome";
    /// A registered car enters and gets a pick.
    pub const PICK_CREATED: &str = "pick_created";
    /// A registered car enters; the driver confirms the pick in the app.
    pub const PICK_TO_CONFIRM: &str = "pick_to_confirm";
}

/// The parking-pass lot.
pub struct PassLot;

boomgate_rules_sdk::export_policy!(PassLot);

/// A line in the lot's locale.
fn say(locale: Locale, ko: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::En => en,
        _ => ko,
    }
}

impl Policy for PassLot {
    type Settings = Settings;
    const NAME: &'static str = "pass-lot";
    const SETTINGS_SCHEMA: &'static str = include_str!("../settings.schema.json");
    const LOCALES: &'static [Locale] = &[Locale::KoKr, Locale::En];

    fn check(settings: &Settings) -> Result<(), SettingsError> {
        settings.fees.check("fees")
    }

    fn locale(settings: &Settings) -> Locale {
        settings.locale
    }

    fn evaluate(settings: &Settings, input: &Input) -> Decision {
        let decision = match input.event.direction {
            Direction::Entry => entry(settings, input),
            Direction::Exit => exit(settings, input),
        };
        camera_note(input, decision)
    }

    fn fee_schedule(settings: &Settings, locale: Locale) -> String {
        settings.fees.describe(settings.currency, locale)
    }

    fn fee_quote(settings: &Settings, stay: &Stay) -> Quote {
        settings.fees.quote(stay, settings.currency)
    }

    fn prompts(_: &Settings, locale: Locale) -> Vec<Prompt> {
        prompts(locale)
    }

    fn lot_info(settings: &Settings, locale: Locale) -> LotInfo {
        let picks = match (settings.auto_pick, locale) {
            (true, Locale::En) => {
                "Every car may enter; cars registered for the parking pass get a pick on entry and pay automatically"
            }
            (false, Locale::En) => {
                "Every car may enter; registered drivers confirm the parking pass in the app to pay automatically"
            }
            (true, _) => {
                "모든 차량이 입차할 수 있으며, 주차패스 등록 차량은 입차 시 픽이 자동 생성되어 자동 결제됩니다"
            }
            (false, _) => {
                "모든 차량이 입차할 수 있으며, 주차패스 등록 차량은 앱에서 주차 중 확인 후 자동 결제됩니다"
            }
        };
        LotInfo {
            visitors_admitted: true,
            visitor_policy: picks.to_owned(),
            fee_schedule: settings.fees.describe(settings.currency, locale),
        }
    }
}

/// The prompts agents push with one click, named as the standard lot names
/// them. This lot has no monthly passes and admits every car, so it offers
/// no renewal code and nothing that turns visitors away.
fn prompts(l: Locale) -> Vec<Prompt> {
    let prompt = |name: &str, voice: &str, display: Display| Prompt {
        name: name.to_owned(),
        voice: voice.to_owned(),
        display,
        light: Light::Green,
    };
    vec![
        prompt(
            "quick_exit_qr",
            say(
                l,
                "QR 코드를 스캔하여 결제하시거나 모바일 결제 코드를 보여 주세요",
                "Please scan the code to pay, or show your mobile payment code",
            ),
            Display::qr(QrCode::QuickExit),
        ),
        prompt(
            "unplated_entry_qr",
            say(l, UNPLATED_ENTRY_KO, UNPLATED_ENTRY_EN),
            Display::qr(QrCode::UnplatedEntry),
        ),
        prompt(
            "unplated_exit_qr",
            say(l, UNPLATED_EXIT_KO, UNPLATED_EXIT_EN),
            Display::qr(QrCode::UnplatedExit),
        ),
        prompt(
            "id_prompt",
            say(
                l,
                "유효한 신분증을 신분증 인식 영역 정면 20cm 앞에 보여 주세요. 협조해 주셔서 감사합니다!",
                "Please show a valid ID, held 20 cm in front of the ID reader. Thank you for your cooperation!",
            ),
            Display::IdPrompt,
        ),
        prompt("welcome", say(l, WELCOME_KO, WELCOME_EN), Display::Smile),
        prompt("farewell", say(l, BYE_KO, BYE_EN), Display::Smile),
    ]
}

const UNPLATED_ENTRY_KO: &str = "차량 번호를 인식할 수 없습니다. QR 코드를 스캔한 후 입차해 주세요";
const UNPLATED_ENTRY_EN: &str = "Your plate cannot be read. Please scan the code to enter";
const UNPLATED_EXIT_KO: &str = "번호판이 없는 차량은 QR 코드를 스캔하여 결제한 후 출차해 주세요";
const UNPLATED_EXIT_EN: &str = "No plate read: please scan the code to pay before you leave";
const WELCOME_KO: &str = "어서 오세요";
const WELCOME_EN: &str = "Welcome";
const BYE_KO: &str = "안녕히 가세요";
const BYE_EN: &str = "Have a safe journey";

/// Says first in the trace that the gate's licence-plate camera is reported
/// down, and since when. This lot decides such a read as any other: a car
/// without a plate read scans the unplated code at either gate.
fn camera_note(input: &Input, mut decision: Decision) -> Decision {
    let event = &input.event;
    if !event.gate_health.camera_down() {
        return decision;
    }
    let line = match event.gate_health.seconds_since_heartbeat {
        Some(seconds) => {
            let at = event
                .occurred_at
                .plus_seconds(-i64::from(seconds))
                .map_or_else(|_| String::new(), |t| format!(" ({t})"));
            format!(
                "licence-plate camera down, as of the robot's last heartbeat, {seconds} s before this read{at}: decided as read"
            )
        }
        None => {
            "licence-plate camera down (no time of the heartbeat given): decided as read".to_owned()
        }
    };
    decision.trace.insert(0, line);
    decision
}

fn entry(s: &Settings, input: &Input) -> Decision {
    let l = s.locale;
    if input.event.plate.is_none() {
        return Decision::hold(reason::UNPLATED_ENTRY)
            .voice(say(l, UNPLATED_ENTRY_KO, UNPLATED_ENTRY_EN))
            .display(Display::qr(QrCode::UnplatedEntry))
            .trace("no plate read");
    }
    let decision = admit(s, input);
    // A plate whose earlier stay is still open missed its exit: that stay
    // closes, its fee left owed, and this one opens.
    let Some(earlier) = &input.vehicle.session else {
        return decision;
    };
    let owed = s.fees.owed(
        earlier,
        &input.event.occurred_at,
        s.payment_grace_minutes,
        s.currency,
    );
    let mut decision = decision
        .trace(format!(
            "the stay entered at {} was never seen leaving: closed, {} left owed",
            earlier.entered_at,
            s.currency.major(owed.amount, true)
        ))
        .trace(owed.explanation);
    decision.effects.insert(
        0,
        Effect::MissedExit {
            amount: owed.amount,
        },
    );
    decision
}

/// The entry of a plate read: a temporary stay, with a pick when the car
/// is registered and picks are made automatically (the parker's own choice
/// first, then the lot's).
fn admit(s: &Settings, input: &Input) -> Decision {
    let l = s.locale;
    let stay = Effect::OpenSession {
        billing: Billing::Temporary,
    };
    let pass = input.vehicle.parking_pass;
    let registered = pass.is_some_and(|p| p.registered);
    let auto_pick = pass.and_then(|p| p.auto_pick).unwrap_or(s.auto_pick);
    match (registered, auto_pick) {
        (true, true) => Decision::open(reasons::PICK_CREATED)
            .voice(say(l, "어서 오세요. 주차패스로 자동 결제됩니다", "Welcome. Your parking pass pays on the way out"))
            .effect(stay)
            .effect(Effect::CreatePick)
            .trace("parking pass registered, automatic pick creation on: pick created"),
        (true, false) => Decision::open(reasons::PICK_TO_CONFIRM)
            .voice(say(
                l,
                "어서 오세요. 앱의 '지금 주차중이신가요?' 알림에서 등록하기를 눌러 주세요",
                "Welcome. Confirm your parking in the app to pay with your parking pass",
            ))
            .effect(stay)
            .trace("parking pass registered, automatic pick creation off: the driver confirms in the app"),
        (false, _) => Decision::open(reasons::WELCOME)
            .voice(say(l, WELCOME_KO, WELCOME_EN))
            .effect(stay)
            .trace("no parking pass: pay before leaving"),
    }
}

fn exit(s: &Settings, input: &Input) -> Decision {
    let l = s.locale;
    let bye = say(l, BYE_KO, BYE_EN);
    if input.event.plate.is_none() {
        return Decision::hold(reason::UNPLATED_EXIT)
            .voice(say(l, UNPLATED_EXIT_KO, UNPLATED_EXIT_EN))
            .display(Display::qr(QrCode::UnplatedExit))
            .trace("no plate read");
    }
    let Some(session) = &input.vehicle.session else {
        return Decision::hold(reason::NO_ENTRY_RECORD)
            .voice(say(
                l,
                "입차 기록을 찾을 수 없습니다. 상담원을 연결해 드리겠습니다",
                "We cannot find your entry record. Connecting you to an agent",
            ))
            .display(Display::text(say(l, "입차 기록 없음", "No entry record")))
            .light(Light::Yellow)
            .effect(Effect::Escalate)
            .trace("no entry record");
    };
    if session.billing == Billing::Free {
        return Decision::open("free_stay")
            .voice(bye)
            .effect(Effect::CloseSession)
            .trace("stay billed free");
    }
    let owed = s.fees.owed(
        session,
        &input.event.occurred_at,
        s.payment_grace_minutes,
        s.currency,
    );
    if owed.free {
        return Decision::open(reason::FREE_PERIOD)
            .voice(bye)
            .effect(Effect::CloseSession)
            .trace(owed.explanation);
    }
    if owed.amount == 0 {
        return Decision::open(reason::PAID)
            .voice(bye)
            .effect(Effect::CloseSession)
            .trace(owed.explanation);
    }
    if session.pick {
        return Decision::open(reason::PICK_AUTOPAY)
            .voice(say(
                l,
                "주차패스로 결제되었습니다. 안녕히 가세요",
                "Paid with your parking pass. Have a safe journey",
            ))
            .fee(owed.money(s.currency))
            .effect(Effect::ChargePick {
                amount: owed.amount,
            })
            .effect(Effect::CloseSession)
            .trace(owed.explanation)
            .trace("charged to the pick");
    }
    Decision::hold(reason::PAYMENT_REQUIRED)
        .voice(say(
            l,
            "QR 코드를 스캔하여 결제한 후 출차해 주세요",
            "Please scan the code to pay before you leave",
        ))
        .display(Display::qr(QrCode::QuickExit))
        .fee(owed.money(s.currency))
        .effect(Effect::order(OrderKind::Temporary, Some(owed.amount)))
        .trace(owed.explanation)
        .trace("no pick: pay, then leave")
}

#[cfg(test)]
mod tests {
    use super::*;
    use boomgate_rules_sdk::testing::{Harness, run_dir};
    use std::path::Path;

    fn scenarios() -> &'static Path {
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/scenarios/pass-lot"
        ))
    }

    #[test]
    fn every_scenario_passes_natively() {
        match run_dir::<PassLot>(scenarios()) {
            Ok(count) => assert!(count >= 8, "only {count} scenarios"),
            Err(report) => panic!("{report}"),
        }
    }

    #[test]
    fn published_schema_matches_the_settings_type() {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/settings.schema.json"));
        boomgate_rules_sdk::schema::assert_published::<Settings>(PassLot::SETTINGS_SCHEMA, path);
    }

    #[test]
    fn fee_text_in_korean_and_english() {
        let settings = std::fs::read_to_string(scenarios().join("settings.json")).unwrap();
        let lot = Harness::<PassLot>::new(&settings).unwrap();
        assert_eq!(
            lot.fee_schedule(None).unwrap(),
            "10분 이내 무료, 30분 이내 2,000원, 이후 10분마다 500원, 1일 최대 20,000원"
        );
        assert_eq!(
            lot.fee_schedule(Some("en")).unwrap(),
            "Free within 10 minutes, KRW 2,000 for the first 30 minutes, then KRW 500 per 10 minutes, capped at KRW 20,000 per 24 hours"
        );
        assert!(
            lot.fee_schedule(Some("zh-CN"))
                .unwrap_err()
                .contains("not one this policy speaks")
        );
    }

    #[test]
    fn prompts_are_the_standard_names_that_apply_here() {
        let settings = std::fs::read_to_string(scenarios().join("settings.json")).unwrap();
        let lot = Harness::<PassLot>::new(&settings).unwrap();
        let names = |prompts: &[Prompt]| -> Vec<String> {
            prompts.iter().map(|p| p.name.clone()).collect()
        };
        let ko = lot.prompts(None).unwrap();
        let en = lot.prompts(Some("en")).unwrap();
        let expected = [
            "quick_exit_qr",
            "unplated_entry_qr",
            "unplated_exit_qr",
            "id_prompt",
            "welcome",
            "farewell",
        ];
        assert_eq!(names(&ko), expected);
        assert_eq!(names(&en), expected);
        assert_eq!(ko, lot.prompts(Some("ko-KR")).unwrap());
        for (k, e) in ko.iter().zip(&en) {
            assert_eq!((&k.display, k.light), (&e.display, e.light));
            assert_ne!(k.voice, e.voice, "{}", k.name);
        }
        assert_eq!(ko[0].display, Display::qr(QrCode::QuickExit));
        assert_eq!(ko[3].display, Display::IdPrompt);
        assert_eq!(ko[4].voice, "어서 오세요");
        assert_eq!(en[5].voice, "Have a safe journey");
        assert!(
            lot.prompts(Some("zh-CN"))
                .unwrap_err()
                .contains("not one this policy speaks")
        );
    }
}
