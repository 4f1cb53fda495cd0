//! The prompts an agent pushes to the robot with one click (seed 001 §2.3.2,
//! the "发送到显示屏" and "临停快速码推送或出示付款码" buttons), in each
//! locale, in the lot's own words where its settings override a matching
//! voice line.

use boomgate_rules_sdk::prelude::*;

use crate::settings::Settings;
use crate::voice::{self, Say};

/// The monthly-pass renewal code.
pub const RENEWAL_QR: &str = "renewal_qr";
/// The quick-exit code: pay by plate, or show a payment code.
pub const QUICK_EXIT_QR: &str = "quick_exit_qr";
/// The gate's unplated-entry code.
pub const UNPLATED_ENTRY_QR: &str = "unplated_entry_qr";
/// The gate's unplated-exit code.
pub const UNPLATED_EXIT_QR: &str = "unplated_exit_qr";
/// Ask for an ID document at the ID camera (before an abnormal exit).
pub const ID_PROMPT: &str = "id_prompt";
/// The account's vehicles inside: its shared spaces are full.
pub const SHARED_SPACES_FULL: &str = "shared_spaces_full";
/// This lot admits no visitors.
pub const VISITORS_NOT_ADMITTED: &str = "visitors_not_admitted";
/// What an opened entry says.
pub const WELCOME: &str = "welcome";
/// What an opened exit says.
pub const FAREWELL: &str = "farewell";

/// Every prompt's name, in the order they are offered. Names are the
/// interface agents' consoles and the host know a prompt by: never rename
/// one.
pub const NAMES: [&str; 9] = [
    RENEWAL_QR,
    QUICK_EXIT_QR,
    UNPLATED_ENTRY_QR,
    UNPLATED_EXIT_QR,
    ID_PROMPT,
    SHARED_SPACES_FULL,
    VISITORS_NOT_ADMITTED,
    WELCOME,
    FAREWELL,
];

/// The prompts in `locale`. The two that tell a driver the lot admits no
/// visitors (`shared_spaces_full`, `visitors_not_admitted`) are offered
/// only while `visitor_confirmation` is on: otherwise they would not be
/// true.
pub fn prompts(s: &Settings, locale: Locale) -> Vec<Prompt> {
    let lines = Lines { s, locale };
    let prompt = |name: &str, voice: String, display: Display, light: Light| Prompt {
        name: name.to_owned(),
        voice,
        display,
        light,
    };
    let mut all = vec![
        // A prompt names no direction: the renewal line that fits both
        // (seed §2.2.2 scene 2), and only a bare `voice` key.
        prompt(
            RENEWAL_QR,
            lines.voice(
                None,
                Say::MonthlyPassExpiredRenew,
                Say::MonthlyPassExpiredRenew.line(locale, Direction::Exit),
            ),
            Display::qr(QrCode::MonthlyRenewal),
            Light::Green,
        ),
        prompt(
            QUICK_EXIT_QR,
            lines.voice(
                Some(Direction::Exit),
                Say::PaymentRequired,
                quick_exit(locale),
            ),
            Display::qr(QrCode::QuickExit),
            Light::Green,
        ),
        prompt(
            UNPLATED_ENTRY_QR,
            lines.said(Direction::Entry, Say::UnplatedEntry),
            Display::qr(QrCode::UnplatedEntry),
            Light::Green,
        ),
        prompt(
            UNPLATED_EXIT_QR,
            lines.voice(
                Some(Direction::Exit),
                Say::UnplatedExit,
                unplated_exit(locale),
            ),
            Display::qr(QrCode::UnplatedExit),
            Light::Green,
        ),
        prompt(
            ID_PROMPT,
            id_prompt(locale).to_owned(),
            Display::IdPrompt,
            Light::Green,
        ),
    ];
    if s.visitor_confirmation {
        all.push(prompt(
            SHARED_SPACES_FULL,
            lines.said(Direction::Entry, Say::SharedSpacesFull),
            Display::VehiclesInside,
            Light::Yellow,
        ));
        all.push(prompt(
            VISITORS_NOT_ADMITTED,
            lines.said(Direction::Entry, Say::VisitorConfirmationRequired),
            Display::text(voice::display_text(
                locale,
                Say::VisitorConfirmationRequired,
            )),
            Light::Yellow,
        ));
    }
    all.push(prompt(
        WELCOME,
        lines.said(Direction::Entry, Say::VisitorWelcome),
        Display::Smile,
        Light::Green,
    ));
    all.push(prompt(
        FAREWELL,
        lines.said(Direction::Exit, Say::Paid),
        Display::Smile,
        Light::Green,
    ));
    all
}

/// Voice lines of prompts in one locale.
struct Lines<'a> {
    s: &'a Settings,
    locale: Locale,
}

impl Lines<'_> {
    /// The operator's line for `say` (see [`Settings::voice_override`]),
    /// else `default`. Overrides are the lot's own words, in its own
    /// locale: prompts asked for in another locale say that locale's
    /// default.
    fn voice(&self, direction: Option<Direction>, say: Say, default: &str) -> String {
        let own = self.locale == self.s.locale;
        match self.s.voice_override(direction, say).filter(|_| own) {
            Some(line) => line.to_owned(),
            None => default.to_owned(),
        }
    }

    /// What the robot says for `say` at `direction` when it decides so
    /// itself.
    fn said(&self, direction: Direction, say: Say) -> String {
        self.voice(Some(direction), say, say.line(self.locale, direction))
    }
}

/// The quick-exit push (seed §2.3.2 C scenes 4-6): scan, or show a payment
/// code to the robot's scanner.
fn quick_exit(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "请扫码缴费或者出示您的微信付款码",
        Locale::KoKr => "QR 코드를 스캔하여 결제하시거나 모바일 결제 코드를 보여 주세요",
        Locale::En => "Please scan the code to pay, or show your mobile payment code",
    }
}

/// The unplated-exit push (seed §2.3.2 C scene 3 a).
fn unplated_exit(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "您的车牌无法识别，请扫码付费后出场",
        Locale::KoKr => {
            "차량 번호를 인식할 수 없습니다. QR 코드를 스캔하여 결제한 후 출차해 주세요"
        }
        Locale::En => "Your plate cannot be read. Please scan the code to pay before you leave",
    }
}

/// The ID prompt (seed §2.3.2 C scenes 3 b, 4 c, 6 b).
fn id_prompt(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "请出示您的有效证件，对准证件识别区正前方20厘米处，谢谢您的配合！",
        Locale::KoKr => {
            "유효한 신분증을 신분증 인식 영역 정면 20cm 앞에 보여 주세요. 협조해 주셔서 감사합니다!"
        }
        Locale::En => {
            "Please show a valid ID, held 20 cm in front of the ID reader. Thank you for your cooperation!"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StandardLot;
    use boomgate_rules_sdk::testing::Harness;
    use serde_json::{Value, json};

    fn settings(patch: Value) -> Harness<StandardLot> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/scenarios/standard-lot/settings.json"
        );
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        boomgate_rules_sdk::testing::merge_patch(&mut v, &patch);
        Harness::new(&v.to_string()).unwrap()
    }

    fn by_name(prompts: &[Prompt], name: &str) -> Prompt {
        prompts
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no prompt `{name}`"))
            .clone()
    }

    fn names(prompts: &[Prompt]) -> Vec<&str> {
        prompts.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn every_locale_offers_every_prompt_by_its_name() {
        let lot = settings(json!({}));
        assert_eq!(
            NAMES,
            [
                "renewal_qr",
                "quick_exit_qr",
                "unplated_entry_qr",
                "unplated_exit_qr",
                "id_prompt",
                "shared_spaces_full",
                "visitors_not_admitted",
                "welcome",
                "farewell",
            ]
        );
        for locale in [None, Some("zh-CN"), Some("ko-KR"), Some("en")] {
            let prompts = lot.prompts(locale).unwrap();
            assert_eq!(names(&prompts), NAMES, "{locale:?}");
            for p in &prompts {
                assert!(!p.voice.is_empty(), "{locale:?} {}", p.name);
            }
        }
        assert_eq!(
            lot.prompts(None).unwrap(),
            lot.prompts(Some("zh-CN")).unwrap()
        );
        assert!(
            lot.prompts(Some("fr"))
                .unwrap_err()
                .contains("`fr` is not supported")
        );
    }

    #[test]
    fn zh_cn_prompts_are_the_seed_manuals() {
        let prompts = settings(json!({})).prompts(Some("zh-CN")).unwrap();
        let table: Vec<(&str, &str, Display, Light)> = vec![
            (
                "renewal_qr",
                "您的月卡已过期，请扫码缴费",
                Display::qr(QrCode::MonthlyRenewal),
                Light::Green,
            ),
            (
                "quick_exit_qr",
                "请扫码缴费或者出示您的微信付款码",
                Display::qr(QrCode::QuickExit),
                Light::Green,
            ),
            (
                "unplated_entry_qr",
                "您的车牌无法识别，请扫码后开闸进场，出场前请在出口处扫码出场",
                Display::qr(QrCode::UnplatedEntry),
                Light::Green,
            ),
            (
                "unplated_exit_qr",
                "您的车牌无法识别，请扫码付费后出场",
                Display::qr(QrCode::UnplatedExit),
                Light::Green,
            ),
            (
                "id_prompt",
                "请出示您的有效证件，对准证件识别区正前方20厘米处，谢谢您的配合！",
                Display::IdPrompt,
                Light::Green,
            ),
            (
                "shared_spaces_full",
                "您的共享车位已满，该车场不允许临停车辆进场，有需请联系管理处",
                Display::VehiclesInside,
                Light::Yellow,
            ),
            (
                "visitors_not_admitted",
                "该停车场不允许临停车辆进场，有需请联系管理处",
                Display::text("该车场禁止临停"),
                Light::Yellow,
            ),
            ("welcome", "欢迎光临", Display::Smile, Light::Green),
            ("farewell", "一路平安", Display::Smile, Light::Green),
        ];
        let expected: Vec<Prompt> = table
            .into_iter()
            .map(|(name, voice, display, light)| Prompt {
                name: name.to_owned(),
                voice: voice.to_owned(),
                display,
                light,
            })
            .collect();
        assert_eq!(prompts, expected);
    }

    #[test]
    fn other_locales_show_the_same_and_say_it_in_their_language() {
        let lot = settings(json!({}));
        let zh = lot.prompts(Some("zh-CN")).unwrap();
        for (tag, hangul) in [("ko-KR", true), ("en", false)] {
            let prompts = lot.prompts(Some(tag)).unwrap();
            for (p, z) in prompts.iter().zip(&zh) {
                assert_eq!((&p.name, p.light), (&z.name, z.light), "{tag}");
                match (&p.display, &z.display) {
                    (Display::Text { text }, Display::Text { .. }) => {
                        assert!(!text.is_empty(), "{tag} {}", p.name);
                    }
                    (display, zh_display) => assert_eq!(display, zh_display, "{tag} {}", p.name),
                }
                let chinese = p
                    .voice
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                let korean = p
                    .voice
                    .chars()
                    .any(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c));
                assert!(!chinese, "{tag} {}: {}", p.name, p.voice);
                assert_eq!(korean, hangul, "{tag} {}: {}", p.name, p.voice);
            }
        }
        let en = lot.prompts(Some("en")).unwrap();
        assert_eq!(by_name(&en, "welcome").voice, "Welcome");
        assert_eq!(by_name(&en, "farewell").voice, "Have a safe journey");
        let ko = lot.prompts(Some("ko-KR")).unwrap();
        assert_eq!(by_name(&ko, "farewell").voice, "안녕히 가세요");
        assert_eq!(
            by_name(&ko, "visitors_not_admitted").display,
            Display::text("방문 차량 입차 불가")
        );
    }

    #[test]
    fn prompts_say_the_lots_own_voice_lines() {
        let lot = settings(json!({ "voice": {
            "unplated_entry": "请扫码进场",
            "exit.unplated_exit": "无牌车请扫码出场",
            "payment_required": "请扫码或出示付款码",
            "monthly_pass_expired_renew": "月卡已过期，请扫码续费",
            "entry.shared_spaces_full": "车位已满",
            "visitor_confirmation_required": "本场不接待访客",
            "entry.visitor_welcome": "欢迎",
            "exit.paid": "慢走",
        }}));
        let prompts = lot.prompts(None).unwrap();
        let said = |name| by_name(&prompts, name).voice;
        assert_eq!(said("unplated_entry_qr"), "请扫码进场");
        assert_eq!(said("unplated_exit_qr"), "无牌车请扫码出场");
        assert_eq!(said("quick_exit_qr"), "请扫码或出示付款码");
        assert_eq!(said("renewal_qr"), "月卡已过期，请扫码续费");
        assert_eq!(said("shared_spaces_full"), "车位已满");
        assert_eq!(said("visitors_not_admitted"), "本场不接待访客");
        assert_eq!(said("welcome"), "欢迎");
        assert_eq!(said("farewell"), "慢走");
        assert_eq!(
            said("id_prompt"),
            "请出示您的有效证件，对准证件识别区正前方20厘米处，谢谢您的配合！"
        );
        // The lot's words are in its own language: asked in another, the
        // prompts say that language's lines.
        let en = lot.prompts(Some("en")).unwrap();
        assert_eq!(by_name(&en, "welcome").voice, "Welcome");
        assert_eq!(
            by_name(&en, "unplated_entry_qr").voice,
            Say::UnplatedEntry.line(Locale::En, Direction::Entry)
        );
    }

    #[test]
    fn a_line_for_one_direction_is_not_said_by_a_prompt_for_either() {
        let lot = settings(json!({ "voice": {
            "entry.monthly_pass_expired_renew": "请扫码续费后进场",
            "exit.monthly_pass_expired_renew": "请扫码续费后出场",
        }}));
        let prompts = lot.prompts(None).unwrap();
        let said = |name| by_name(&prompts, name).voice;
        assert_eq!(said("renewal_qr"), "您的月卡已过期，请扫码缴费");
    }

    #[test]
    fn a_lot_that_admits_visitors_turns_none_away() {
        let lot = settings(json!({ "visitor_confirmation": false }));
        for locale in [None, Some("ko-KR"), Some("en")] {
            let prompts = lot.prompts(locale).unwrap();
            let expected: Vec<&str> = NAMES
                .into_iter()
                .filter(|n| *n != "shared_spaces_full" && *n != "visitors_not_admitted")
                .collect();
            assert_eq!(names(&prompts), expected, "{locale:?}");
        }
    }
}
