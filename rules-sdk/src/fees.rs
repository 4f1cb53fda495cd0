//! The temporary-parking fee schedule: its arithmetic (free period, first
//! period, repeating steps, a cap per 24-hour cycle, all in integer minor
//! units) and its text in each locale, both from the same data.
//!
//! For a stay of `m` minutes (a started minute counts whole):
//! - `m <= free_minutes`: nothing is due;
//! - otherwise the stay is cut into 24-hour cycles counted from entry; in each
//!   cycle the first period costs `first_period.amount` for up to
//!   `first_period.minutes`, then every started `then.every_minutes` costs
//!   `then.amount`, and a cycle never costs more than `daily_cap`.
//!
//! With [`FreeMode::Deduct`] the free minutes are never billed: the first
//! cycle's billing starts `free_minutes` after entry.

use serde::{Deserialize, Serialize};

use crate::input::{Billing, Discount, EarlierStay, Session};
use crate::locale::Locale;
use crate::money::{Currency, Money};
use crate::settings::SettingsError;
use crate::time::{Timestamp, format_minutes};

const CYCLE_MINUTES: u64 = 24 * 60;

/// A fee schedule, as it appears under `fees` in settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FeeSchedule {
    /// A stay this short is free.
    #[cfg_attr(feature = "schema", schemars(range(max = 1440)))]
    pub free_minutes: u32,
    /// How the free minutes count once a stay is longer.
    #[serde(default)]
    pub free_mode: FreeMode,
    /// The first period of each cycle.
    pub first_period: FirstPeriod,
    /// The steps after it.
    pub then: Step,
    /// The most one 24-hour cycle costs; absent or null: no cap.
    #[serde(default)]
    pub daily_cap: Option<u64>,
}

/// How the free minutes count once a stay is longer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FreeMode {
    /// A stay within the free minutes is free; a longer one pays from entry
    /// (the seed manual's rule).
    #[default]
    Threshold,
    /// The free minutes are never billed.
    Deduct,
}

/// The first period of each 24-hour cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FirstPeriod {
    /// How long the first period lasts.
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub minutes: u32,
    /// What it costs, in the currency's minor unit.
    pub amount: u64,
}

/// The steps after the first period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Every started period this long costs `amount`.
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub every_minutes: u32,
    /// In the currency's minor unit.
    pub amount: u64,
}

/// A stay to price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Stay {
    /// When the vehicle entered.
    pub entered_at: Timestamp,
    /// When it left (or is said to have left).
    pub left_at: Timestamp,
    /// How the stay is billed.
    pub billing: Billing,
    /// Already paid, in minor units.
    #[serde(default)]
    pub paid_amount: u64,
    /// The stay is paid up to this instant (see [`Session::settled_until`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_until: Option<Timestamp>,
    /// The vehicle's class, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Discounts granted to the stay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<Discount>,
    /// The plate's earlier stays within the window the policy asks for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_stays: Vec<EarlierStay>,
}

impl Stay {
    /// A stay from `entered_at` to `left_at`, billed `billing`, with
    /// `paid_amount` paid and nothing else known.
    pub fn new(
        entered_at: Timestamp,
        left_at: Timestamp,
        billing: Billing,
        paid_amount: u64,
    ) -> Stay {
        Stay {
            entered_at,
            left_at,
            billing,
            paid_amount,
            settled_until: None,
            class: None,
            discounts: Vec::new(),
            earlier_stays: Vec::new(),
        }
    }
}

/// One part of a price: a period at a band's or tier's rate, a cap, a
/// discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// What applied, e.g. `night band 21:00-07:00` or `daily cap`.
    pub label: String,
    /// From when.
    pub start: Timestamp,
    /// Until when.
    pub end: Timestamp,
    /// In minor units; negative for what a cap or a discount takes off.
    pub amount: i64,
}

/// The price of a stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    /// The fee for the whole stay.
    pub total: Money,
    /// What is still due once the paid amount is taken off.
    pub due: Money,
    /// The price, part by part, in order.
    #[serde(default)]
    pub segments: Vec<Segment>,
    /// How it was priced.
    #[serde(default)]
    pub trace: Vec<String>,
}

/// What an open stay owes at a moment, payments and the grace period taken
/// into account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    /// Still to pay, in minor units.
    pub amount: u64,
    /// Whether the stay is within the free minutes.
    pub free: bool,
    /// One trace line: the price and the payments.
    pub explanation: String,
}

impl Owed {
    /// The amount as money.
    pub fn money(&self, currency: Currency) -> Money {
        Money::new(self.amount, currency)
    }
}

/// How a stay was priced: enough to explain the fee in a trace line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pricing {
    /// The stay, in started minutes.
    pub minutes: u64,
    /// The fee for the whole stay.
    pub total: u64,
    /// Whether the stay was within the free minutes.
    pub free: bool,
    /// The cycles, grouped: at most a first cycle, a run of full cycles and a
    /// last partial one.
    pub cycles: Vec<CycleGroup>,
}

/// `count` cycles that each cost the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleGroup {
    /// How many cycles.
    pub count: u64,
    /// Minutes billed in each cycle.
    pub billed_minutes: u64,
    /// Started steps after the first period, in each cycle.
    pub steps: u64,
    /// What each cycle costs, after the cap.
    pub cost: u64,
    /// Whether the cap applied.
    pub capped: bool,
}

impl FeeSchedule {
    /// Checks what the types cannot: periods are at least a minute long, the
    /// free minutes at most a day.
    /// `path` is where the schedule sits in the settings (`fees`).
    pub fn check(&self, path: &str) -> Result<(), SettingsError> {
        if u64::from(self.free_minutes) > CYCLE_MINUTES {
            return Err(SettingsError::new(
                format!("{path}.free_minutes"),
                "must be at most 1440 (one day)",
            ));
        }
        if self.first_period.minutes == 0 {
            return Err(SettingsError::new(
                format!("{path}.first_period.minutes"),
                "must be at least 1",
            ));
        }
        if self.then.every_minutes == 0 {
            return Err(SettingsError::new(
                format!("{path}.then.every_minutes"),
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// The fee for a stay of `minutes` started minutes.
    pub fn fee_for_minutes(&self, minutes: u64) -> u64 {
        self.pricing(minutes).total
    }

    /// Prices the stay from `entered_at` to `left_at`.
    pub fn price(&self, entered_at: &Timestamp, left_at: &Timestamp) -> Pricing {
        self.pricing(entered_at.minutes_until(left_at))
    }

    /// Prices a stay of `minutes` started minutes.
    pub fn pricing(&self, minutes: u64) -> Pricing {
        if minutes <= u64::from(self.free_minutes) {
            return Pricing {
                minutes,
                total: 0,
                free: true,
                cycles: Vec::new(),
            };
        }
        let deducted = match self.free_mode {
            FreeMode::Threshold => 0,
            FreeMode::Deduct => u64::from(self.free_minutes),
        };
        let full = minutes / CYCLE_MINUTES;
        let rest = minutes % CYCLE_MINUTES;
        let mut cycles: Vec<CycleGroup> = Vec::with_capacity(3);
        let mut push = |count: u64, billed: u64| {
            if count == 0 {
                return;
            }
            match cycles.last_mut() {
                Some(last) if last.billed_minutes == billed => last.count += count,
                _ => cycles.push(self.cycle(count, billed)),
            }
        };
        if full == 0 {
            push(1, rest - deducted.min(rest));
        } else {
            push(1, CYCLE_MINUTES.saturating_sub(deducted));
            push(full - 1, CYCLE_MINUTES);
            push(u64::from(rest > 0), rest);
        }
        cycles.retain(|c| c.billed_minutes > 0);
        let total = cycles.iter().fold(0u64, |sum, c| {
            sum.saturating_add(c.cost.saturating_mul(c.count))
        });
        Pricing {
            minutes,
            total,
            free: false,
            cycles,
        }
    }

    fn cycle(&self, count: u64, billed: u64) -> CycleGroup {
        let first = u64::from(self.first_period.minutes);
        let every = u64::from(self.then.every_minutes.max(1));
        let steps = billed.saturating_sub(first).div_ceil(every);
        let raw = self
            .first_period
            .amount
            .saturating_add(steps.saturating_mul(self.then.amount));
        let (cost, capped) = match self.daily_cap {
            Some(cap) if raw > cap => (cap, true),
            _ => (raw, false),
        };
        CycleGroup {
            count,
            billed_minutes: billed,
            steps,
            cost,
            capped,
        }
    }

    /// One trace line that explains `pricing`, e.g.
    /// `stay of 2h14m: 5.00 first 1h + 2 x 3.00 = 11.00 CNY`.
    pub fn explain(&self, pricing: &Pricing, currency: Currency) -> String {
        let m = |amount: u64| currency.major(amount, true);
        let stay = format_minutes(pricing.minutes);
        if pricing.free {
            return format!(
                "stay of {stay}: within the {} free period",
                format_minutes(u64::from(self.free_minutes))
            );
        }
        let parts: Vec<String> = pricing
            .cycles
            .iter()
            .map(|c| {
                let body = if c.capped {
                    format!("cap {}", m(c.cost))
                } else if c.steps > 0 {
                    format!(
                        "{} first {} + {} x {}",
                        m(self.first_period.amount),
                        format_minutes(u64::from(self.first_period.minutes)),
                        c.steps,
                        m(self.then.amount)
                    )
                } else {
                    format!(
                        "{} first {}",
                        m(self.first_period.amount),
                        format_minutes(u64::from(self.first_period.minutes))
                    )
                };
                if c.count > 1 {
                    format!("{} x ({body})", c.count)
                } else {
                    body
                }
            })
            .collect();
        let deducted = match self.free_mode {
            FreeMode::Deduct => format!(
                ", first {} free",
                format_minutes(u64::from(self.free_minutes))
            ),
            FreeMode::Threshold => String::new(),
        };
        format!(
            "stay of {stay}{deducted}: {} = {} {currency}",
            parts.join(" + "),
            m(pricing.total)
        )
    }

    /// What `session` owes at `now`: the fee from entry, less what was paid.
    ///
    /// Within `grace_minutes` of a payment the fee stays what it was when
    /// the stay was settled (the time its paid order was priced, or else
    /// the payment's), so a driver who paid what they were quoted leaves
    /// without paying more. After the grace, time after the settlement is
    /// billed: the fee less what the stay was settled at, or less what was
    /// paid, whichever is more.
    pub fn owed(
        &self,
        session: &Session,
        now: &Timestamp,
        grace_minutes: u32,
        currency: Currency,
    ) -> Owed {
        let pricing = self.price(&session.entered_at, now);
        let explanation = self.explain(&pricing, currency);
        settle(
            session,
            now,
            grace_minutes,
            currency,
            (pricing.total, pricing.free, explanation),
            |until| self.price(&session.entered_at, until).total,
        )
    }

    /// The price of a stay from `entered_at` to `left_at`, part by part: each
    /// run of 24-hour cycles at its rate, and what the cap took off.
    pub fn segments(
        &self,
        pricing: &Pricing,
        entered_at: &Timestamp,
        left_at: &Timestamp,
    ) -> Vec<Segment> {
        if pricing.free {
            return vec![Segment {
                label: format!(
                    "free within {}",
                    format_minutes(u64::from(self.free_minutes))
                ),
                start: *entered_at,
                end: *left_at,
                amount: 0,
            }];
        }
        let at = |cycle: u64| {
            let seconds =
                i64::try_from(cycle.saturating_mul(CYCLE_MINUTES * 60)).unwrap_or(i64::MAX);
            entered_at.plus_seconds(seconds).map_or(*left_at, |t| {
                if t.seconds_until(left_at) == 0 {
                    *left_at
                } else {
                    t
                }
            })
        };
        let mut segments = Vec::with_capacity(pricing.cycles.len() * 2);
        let mut cycle = 0;
        for group in &pricing.cycles {
            let raw = self
                .first_period
                .amount
                .saturating_add(group.steps.saturating_mul(self.then.amount));
            let (start, end) = (at(cycle), at(cycle + group.count));
            let cycles = match group.count {
                1 => format!("cycle {}", cycle + 1),
                n => format!("cycles {}-{}", cycle + 1, cycle + n),
            };
            let amount = |n: u64| i64::try_from(n.saturating_mul(group.count)).unwrap_or(i64::MAX);
            segments.push(Segment {
                label: format!(
                    "{cycles}: first {} + {} x {} min",
                    format_minutes(u64::from(self.first_period.minutes)),
                    group.steps,
                    self.then.every_minutes
                ),
                start,
                end,
                amount: amount(raw),
            });
            if group.capped {
                segments.push(Segment {
                    label: format!("{cycles}: daily cap"),
                    start,
                    end,
                    amount: -amount(raw - group.cost),
                });
            }
            cycle += group.count;
        }
        segments
    }

    /// Prices `stay` and takes off what was paid.
    pub fn quote(&self, stay: &Stay, currency: Currency) -> Quote {
        let pricing = self.price(&stay.entered_at, &stay.left_at);
        let settled = stay
            .settled_until
            .map_or(0, |until| self.price(&stay.entered_at, &until).total);
        quote_of(
            stay,
            currency,
            pricing.total,
            self.explain(&pricing, currency),
            settled,
            self.segments(&pricing, &stay.entered_at, &stay.left_at),
        )
    }

    /// The schedule as text for the lot information panel, e.g. (zh-CN)
    /// `30分钟内免费，1小时内5元，之后每小时3元，30元封顶`.
    pub fn describe(&self, currency: Currency, locale: Locale) -> String {
        let words: &dyn Words = match locale {
            Locale::ZhCn => &Chinese,
            Locale::KoKr => &Korean,
            Locale::En => &English,
        };
        let money = |amount| words.money(amount, currency);
        let mut parts = Vec::with_capacity(4);
        if self.free_minutes > 0 {
            parts.push(words.free(self.free_minutes, self.free_mode));
        }
        parts.push(if self.first_period.amount == 0 {
            words.first_free(self.first_period.minutes)
        } else {
            words.first(self.first_period.minutes, &money(self.first_period.amount))
        });
        if self.then.amount > 0 {
            parts.push(words.then(self.then.every_minutes, &money(self.then.amount)));
            if let Some(cap) = self.daily_cap {
                parts.push(words.cap(&money(cap)));
            }
        }
        words.join(parts)
    }
}

/// What `session` owes at `now`, for a stay whose fee from entry to `now`
/// is `total` (`free` within the free minutes, explained by `explanation`)
/// and to any earlier instant is `price_at` it. See [`FeeSchedule::owed`].
pub(crate) fn settle(
    session: &Session,
    now: &Timestamp,
    grace_minutes: u32,
    currency: Currency,
    (total, free, mut explanation): (u64, bool, String),
    price_at: impl Fn(&Timestamp) -> u64,
) -> Owed {
    if free {
        return Owed {
            amount: 0,
            free: true,
            explanation,
        };
    }
    let grace = u64::from(grace_minutes) * 60;
    let paid = currency.major(session.paid_amount, true);
    let settled = session.settled_until.map(|until| (until, price_at(&until)));
    let (total, credit) = match (session.paid_at, settled) {
        (Some(paid_at), Some((until, at_settlement))) if paid_at.seconds_until(now) <= grace => {
            explanation.push_str(&format!(
                    "; paid {paid} at {paid_at}, settled up to {until}, within the {grace_minutes}-minute grace period: owed {} as at {until}",
                    currency.major(at_settlement, true),
                ));
            (at_settlement, session.paid_amount)
        }
        (Some(paid_at), None) if paid_at.seconds_until(now) <= grace => {
            let at_payment = price_at(&paid_at);
            explanation.push_str(&format!(
                    "; paid {paid} at {paid_at}, within the {grace_minutes}-minute grace period: owed {} as at payment",
                    currency.major(at_payment, true),
                ));
            (at_payment, session.paid_amount)
        }
        (_, Some((until, at_settlement))) if session.paid_amount > 0 => {
            explanation.push_str(&format!(
                "; paid {paid}, settled up to {until} ({}): the time since is billed",
                currency.major(at_settlement, true)
            ));
            (total, session.paid_amount.max(at_settlement))
        }
        _ if session.paid_amount > 0 => {
            explanation.push_str(&format!("; paid {paid}"));
            (total, session.paid_amount)
        }
        _ => (total, 0),
    };
    Owed {
        amount: total.saturating_sub(credit),
        free: false,
        explanation,
    }
}

/// The quote of `stay` priced at `price` (explained by `explanation`),
/// settled at `settled`, part by part `segments`.
pub(crate) fn quote_of(
    stay: &Stay,
    currency: Currency,
    price: u64,
    explanation: String,
    settled: u64,
    segments: Vec<Segment>,
) -> Quote {
    let (total, mut trace) = match stay.billing {
        Billing::Temporary => (price, vec![explanation]),
        Billing::Monthly | Billing::Free => (
            0,
            vec![format!(
                "{} stay of {}: no fee",
                stay.billing.as_str(),
                format_minutes(stay.entered_at.minutes_until(&stay.left_at))
            )],
        ),
    };
    let due = match stay.billing {
        Billing::Temporary => total.saturating_sub(stay.paid_amount.max(settled)),
        Billing::Monthly | Billing::Free => 0,
    };
    if stay.paid_amount > 0 {
        trace.push(format!(
            "paid {}, due {}",
            currency.major(stay.paid_amount, true),
            currency.major(due, true)
        ));
    }
    Quote {
        total: Money::new(total, currency),
        due: Money::new(due, currency),
        segments,
        trace,
    }
}

/// How one locale words the parts of a schedule.
pub(crate) trait Words {
    fn money(&self, amount: u64, currency: Currency) -> String;
    fn free(&self, minutes: u32, mode: FreeMode) -> String;
    fn first(&self, minutes: u32, money: &str) -> String;
    fn first_free(&self, minutes: u32) -> String;
    fn then(&self, every: u32, money: &str) -> String;
    fn cap(&self, money: &str) -> String;
    fn join(&self, parts: Vec<String>) -> String;
}

pub(crate) struct Chinese;

impl Chinese {
    pub(crate) fn span(minutes: u32) -> String {
        if minutes.is_multiple_of(60) {
            format!("{}小时", minutes / 60)
        } else {
            format!("{minutes}分钟")
        }
    }
}

impl Words for Chinese {
    fn money(&self, amount: u64, currency: Currency) -> String {
        let major = currency.major(amount, false);
        let unit = match currency.code() {
            "CNY" => "元",
            "KRW" => "韩元",
            "JPY" => "日元",
            "USD" => "美元",
            "HKD" => "港元",
            "EUR" => "欧元",
            code => return format!("{major} {code}"),
        };
        format!("{major}{unit}")
    }
    fn free(&self, minutes: u32, mode: FreeMode) -> String {
        match mode {
            FreeMode::Threshold => format!("{}内免费", Self::span(minutes)),
            FreeMode::Deduct => format!("前{}免费", Self::span(minutes)),
        }
    }
    fn first(&self, minutes: u32, money: &str) -> String {
        format!("{}内{money}", Self::span(minutes))
    }
    fn first_free(&self, minutes: u32) -> String {
        format!("{}内免费", Self::span(minutes))
    }
    fn then(&self, every: u32, money: &str) -> String {
        if every == 60 {
            format!("之后每小时{money}")
        } else {
            format!("之后每{}{money}", Self::span(every))
        }
    }
    fn cap(&self, money: &str) -> String {
        format!("{money}封顶")
    }
    fn join(&self, parts: Vec<String>) -> String {
        parts.join("，")
    }
}

pub(crate) struct Korean;

impl Korean {
    pub(crate) fn span(minutes: u32) -> String {
        if minutes.is_multiple_of(60) {
            format!("{}시간", minutes / 60)
        } else {
            format!("{minutes}분")
        }
    }
}

impl Words for Korean {
    fn money(&self, amount: u64, currency: Currency) -> String {
        let major = currency.major(amount, false);
        let unit = match currency.code() {
            "KRW" => "원",
            "CNY" => "위안",
            "JPY" => "엔",
            "USD" => "달러",
            code => return format!("{major} {code}"),
        };
        format!("{major}{unit}")
    }
    fn free(&self, minutes: u32, mode: FreeMode) -> String {
        match mode {
            FreeMode::Threshold => format!("{} 이내 무료", Self::span(minutes)),
            FreeMode::Deduct => format!("처음 {} 무료", Self::span(minutes)),
        }
    }
    fn first(&self, minutes: u32, money: &str) -> String {
        format!("{} 이내 {money}", Self::span(minutes))
    }
    fn first_free(&self, minutes: u32) -> String {
        format!("{} 이내 무료", Self::span(minutes))
    }
    fn then(&self, every: u32, money: &str) -> String {
        format!("이후 {}마다 {money}", Self::span(every))
    }
    fn cap(&self, money: &str) -> String {
        format!("1일 최대 {money}")
    }
    fn join(&self, parts: Vec<String>) -> String {
        parts.join(", ")
    }
}

pub(crate) struct English;

impl English {
    pub(crate) fn span(minutes: u32) -> String {
        match (minutes % 60, minutes / 60) {
            (0, 1) => "1 hour".to_owned(),
            (0, h) => format!("{h} hours"),
            _ if minutes == 1 => "1 minute".to_owned(),
            _ => format!("{minutes} minutes"),
        }
    }
}

impl Words for English {
    fn money(&self, amount: u64, currency: Currency) -> String {
        let scale = 10u64.pow(currency.minor_digits());
        format!(
            "{currency} {}",
            currency.major(amount, !amount.is_multiple_of(scale))
        )
    }
    fn free(&self, minutes: u32, mode: FreeMode) -> String {
        match mode {
            FreeMode::Threshold => format!("free within {}", Self::span(minutes)),
            FreeMode::Deduct => format!("first {} free", Self::span(minutes)),
        }
    }
    fn first(&self, minutes: u32, money: &str) -> String {
        match minutes {
            60 => format!("{money} for the first hour"),
            _ => format!("{money} for the first {}", Self::span(minutes)),
        }
    }
    fn first_free(&self, minutes: u32) -> String {
        format!("free for the first {}", Self::span(minutes))
    }
    fn then(&self, every: u32, money: &str) -> String {
        match every {
            60 => format!("then {money} per hour"),
            _ => format!("then {money} per {}", Self::span(every)),
        }
    }
    fn cap(&self, money: &str) -> String {
        format!("capped at {money} per 24 hours")
    }
    fn join(&self, parts: Vec<String>) -> String {
        let mut text = parts.join(", ");
        if let Some(first) = text.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> FeeSchedule {
        serde_json::from_str(
            r#"{ "free_minutes": 30, "first_period": { "minutes": 60, "amount": 500 },
                 "then": { "every_minutes": 60, "amount": 300 }, "daily_cap": 3000 }"#,
        )
        .unwrap()
    }

    #[test]
    fn threshold_mode_bills_from_entry_once_past_the_free_minutes() {
        let f = standard();
        assert_eq!(f.fee_for_minutes(0), 0);
        assert_eq!(f.fee_for_minutes(30), 0);
        assert_eq!(f.fee_for_minutes(31), 500);
        assert_eq!(f.fee_for_minutes(60), 500);
        assert_eq!(f.fee_for_minutes(61), 800);
        assert_eq!(f.fee_for_minutes(134), 1100);
        assert_eq!(f.fee_for_minutes(120), 800);
        assert_eq!(f.fee_for_minutes(121), 1100);
    }

    #[test]
    fn each_24_hour_cycle_is_capped_and_started_again() {
        let f = standard();
        // 9 started hours: 5 + 8 x 3 = 29; 10: 32 -> cap 30.
        assert_eq!(f.fee_for_minutes(9 * 60), 2900);
        assert_eq!(f.fee_for_minutes(9 * 60 + 1), 3000);
        assert_eq!(f.fee_for_minutes(1440), 3000);
        // The second cycle starts over with its first period, free minutes or not.
        assert_eq!(f.fee_for_minutes(1441), 3500);
        assert_eq!(f.fee_for_minutes(1440 + 61), 3800);
        assert_eq!(f.fee_for_minutes(3 * 1440), 9000);
        assert_eq!(f.fee_for_minutes(3 * 1440 + 10), 9500);
        let long = f.pricing(3 * 1440 + 10);
        assert_eq!(long.cycles.len(), 2);
        assert_eq!(long.cycles[0].count, 3);
    }

    #[test]
    fn deduct_mode_never_bills_the_free_minutes() {
        let f = FeeSchedule {
            free_mode: FreeMode::Deduct,
            ..standard()
        };
        assert_eq!(f.fee_for_minutes(30), 0);
        assert_eq!(f.fee_for_minutes(31), 500);
        assert_eq!(f.fee_for_minutes(90), 500);
        assert_eq!(f.fee_for_minutes(91), 800);
        // The first cycle bills 1410 minutes, the second starts at 24h.
        assert_eq!(f.fee_for_minutes(1440), 3000);
        assert_eq!(f.fee_for_minutes(1441), 3500);
    }

    #[test]
    fn a_schedule_without_cap_grows_without_bound_but_never_overflows() {
        let f = FeeSchedule {
            daily_cap: None,
            ..standard()
        };
        assert_eq!(f.fee_for_minutes(1440), 500 + 23 * 300);
        let huge = FeeSchedule {
            first_period: FirstPeriod {
                minutes: 1,
                amount: u64::MAX,
            },
            ..f
        };
        assert_eq!(huge.fee_for_minutes(10 * 1440), u64::MAX);
    }

    #[test]
    fn explains_the_price() {
        let f = standard();
        let cny = Currency::CNY;
        assert_eq!(
            f.explain(&f.pricing(134), cny),
            "stay of 2h14m: 5.00 first 1h + 2 x 3.00 = 11.00 CNY"
        );
        assert_eq!(
            f.explain(&f.pricing(25), cny),
            "stay of 25m: within the 30m free period"
        );
        assert_eq!(
            f.explain(&f.pricing(2 * 1440 + 45), cny),
            "stay of 2d45m: 2 x (cap 30.00) + 5.00 first 1h = 65.00 CNY"
        );
        let d = FeeSchedule {
            free_mode: FreeMode::Deduct,
            ..standard()
        };
        assert_eq!(
            d.explain(&d.pricing(91), cny),
            "stay of 1h31m, first 30m free: 5.00 first 1h + 1 x 3.00 = 8.00 CNY"
        );
    }

    #[test]
    fn renders_the_seed_text_exactly() {
        let f = standard();
        assert_eq!(
            f.describe(Currency::CNY, Locale::ZhCn),
            "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
        );
        assert_eq!(
            f.describe(Currency::CNY, Locale::En),
            "Free within 30 minutes, CNY 5 for the first hour, then CNY 3 per hour, capped at CNY 30 per 24 hours"
        );
        assert_eq!(
            f.describe(Currency::KRW, Locale::KoKr),
            "30분 이내 무료, 1시간 이내 500원, 이후 1시간마다 300원, 1일 최대 3,000원"
        );
    }

    #[test]
    fn renders_other_shapes() {
        let f = FeeSchedule {
            free_minutes: 60,
            free_mode: FreeMode::Deduct,
            first_period: FirstPeriod {
                minutes: 120,
                amount: 250,
            },
            then: Step {
                every_minutes: 30,
                amount: 150,
            },
            daily_cap: None,
        };
        assert_eq!(
            f.describe(Currency::CNY, Locale::ZhCn),
            "前1小时免费，2小时内2.5元，之后每30分钟1.5元"
        );
        assert_eq!(
            f.describe(Currency::CNY, Locale::En),
            "First 1 hour free, CNY 2.50 for the first 2 hours, then CNY 1.50 per 30 minutes"
        );
        assert_eq!(
            f.describe(Currency::CNY, Locale::KoKr),
            "처음 1시간 무료, 2시간 이내 2.5위안, 이후 30분마다 1.5위안"
        );
    }

    #[test]
    fn quotes_take_off_what_was_paid() {
        let f = standard();
        let stay = Stay::new(
            Timestamp::parse("2026-11-22T06:01:00+08:00").unwrap(),
            Timestamp::parse("2026-11-22T08:15:02+08:00").unwrap(),
            Billing::Temporary,
            300,
        );
        let q = f.quote(&stay, Currency::CNY);
        // 2h14m02s is 135 started minutes: 5 + 2 x 3.
        assert_eq!(q.total, Money::new(1100, Currency::CNY));
        assert_eq!(q.due, Money::new(800, Currency::CNY));
        assert_eq!(q.trace[1], "paid 3.00, due 8.00");
        let monthly = f.quote(
            &Stay {
                billing: Billing::Monthly,
                ..stay.clone()
            },
            Currency::CNY,
        );
        assert_eq!(monthly.total.amount, 0);
    }

    #[test]
    fn refuses_zero_length_periods_naming_the_field() {
        let f = FeeSchedule {
            then: Step {
                every_minutes: 0,
                amount: 300,
            },
            ..standard()
        };
        let e = f.check("fees").unwrap_err();
        assert_eq!(e.path, "fees.then.every_minutes");
    }
}
