//! Display presets (seed 001 §2.3.2): the one-click prompts an agent
//! pushes to a robot — what it says, shows and lights. They come from the
//! lot's policy, in the locale asked for or the policy's own, so a Korean
//! lot speaks Korean; a lot whose policy offers none (no policy, or a
//! `boomgate:policy@0.1.0` module) gets the seed's own words.

use boomgate_engine::CallError;
use boomgate_engine::sdk::{Display, Light, Prompt, QrCode};

use crate::service::AppState;

/// The preset names every lot has, in the order agents see them.
pub const NAMES: &[&str] = &[
    "renewal_qr",
    "quick_exit_qr",
    "unplated_entry_qr",
    "unplated_exit_qr",
    "id_prompt",
    "shared_spaces_full",
    "visitors_not_admitted",
    "welcome",
    "farewell",
];

/// The seed's words, for lots whose policy offers no prompts.
pub fn seed() -> Vec<Prompt> {
    let p = |name: &str, voice: &str, display: Display, light: Light| Prompt {
        name: name.to_owned(),
        voice: voice.to_owned(),
        display,
        light,
    };
    vec![
        p(
            "renewal_qr",
            "您的月卡已过期，请扫码续费",
            Display::qr(QrCode::MonthlyRenewal),
            Light::Yellow,
        ),
        p(
            "quick_exit_qr",
            "请扫码缴费或者出示您的微信付款码",
            Display::qr(QrCode::QuickExit),
            Light::Yellow,
        ),
        p(
            "unplated_entry_qr",
            "请扫码入场",
            Display::qr(QrCode::UnplatedEntry),
            Light::Yellow,
        ),
        p(
            "unplated_exit_qr",
            "请扫码缴费出场",
            Display::qr(QrCode::UnplatedExit),
            Light::Yellow,
        ),
        p(
            "id_prompt",
            "请出示您的有效证件，对准证件识别区正前方20厘米处，谢谢您的配合！",
            Display::IdPrompt,
            Light::Yellow,
        ),
        p(
            "shared_spaces_full",
            "您的共享车位已满，以下车辆在场内",
            Display::VehiclesInside,
            Light::Red,
        ),
        p(
            "visitors_not_admitted",
            "本车场暂不对外开放，请联系业主",
            Display::text("本车场暂不对外开放"),
            Light::Red,
        ),
        p("welcome", "欢迎光临", Display::Smile, Light::Green),
        p("farewell", "一路顺风", Display::Smile, Light::Green),
    ]
}

/// A lot's presets and where their words come from.
pub struct LotPresets {
    pub prompts: Vec<Prompt>,
    /// The locale they are in; `None` for the policy's own, or the seed's
    /// zh-CN.
    pub locale: Option<String>,
    /// Whether the lot's policy gave them (else they are the seed's).
    pub from_policy: bool,
}

impl LotPresets {
    fn seed() -> LotPresets {
        LotPresets {
            prompts: seed(),
            locale: None,
            from_policy: false,
        }
    }
}

/// The lot's presets in `locale`, or in the policy's own locale when it
/// does not speak that one.
pub fn of_lot(state: &AppState, lot: &str, locale: Option<&str>) -> LotPresets {
    let Some(active) = state.registry.active(lot) else {
        return LotPresets::seed();
    };
    let asked = locale.filter(|l| !l.is_empty());
    let mut answer = active.policy.prompts(asked);
    let mut used = asked.map(str::to_owned);
    if matches!(answer, Err(CallError::Refused(_))) && asked.is_some() {
        answer = active.policy.prompts(None);
        used = None;
    }
    match answer {
        Ok(prompts) if !prompts.is_empty() => LotPresets {
            prompts,
            locale: used,
            from_policy: true,
        },
        // No prompts of its own, or a policy that cannot give them: the
        // agent still has the seed's.
        _ => LotPresets::seed(),
    }
}

/// One preset of the lot by name.
pub fn find(state: &AppState, lot: &str, name: &str, locale: Option<&str>) -> Option<Prompt> {
    of_lot(state, lot, locale)
        .prompts
        .into_iter()
        .find(|p| p.name == name)
        .or_else(|| seed().into_iter().find(|p| p.name == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_has_every_preset_once() {
        let names: Vec<String> = seed().into_iter().map(|p| p.name).collect();
        assert_eq!(names, NAMES);
    }
}
