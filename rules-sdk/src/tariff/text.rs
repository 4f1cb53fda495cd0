//! A tariff's text in each locale, worded from the data that prices it.

use super::{Band, BandRule, Bracket, Cycle, DayKind, LocalTime, Tariff, Tier, TiersRestart};
use crate::fees::{Chinese, English, FirstPeriod, Korean, Step, Words};
use crate::locale::Locale;
use crate::money::Currency;

/// How one locale words what the seed's schedule does not have.
trait Phrases: Words {
    fn list(&self, parts: Vec<String>) -> String;
    fn tier(&self, first: bool, minutes: u32, every: Option<u32>, money: &str) -> String;
    fn rest(&self, money: &str) -> String;
    fn every(&self, every: u32, money: &str) -> String;
    fn bracket(&self, up_to: u32, money: &str) -> String;
    fn over(&self, minutes: u32, money: &str) -> String;
    fn once_per_stay(&self) -> &'static str;
    fn day(&self, kind: DayKind) -> &'static str;
    fn days(&self, names: Vec<&'static str>) -> String;
    fn range(&self, from: LocalTime, to: LocalTime) -> String;
    fn band(&self, days: &str, range: &str, rate: &str) -> String;
    fn flat(&self, money: &str) -> String;
    fn at_most(&self, money: &str) -> String;
    fn at_entry(&self) -> &'static str;
    fn accumulate(&self, cycle: Cycle) -> &'static str;
    fn cycle_cap(&self, cycle: Cycle, across: bool, money: &str) -> String;
    fn weekly(&self, money: &str) -> String;
    fn per_stay(&self, money: &str) -> String;
    fn class(&self, class: &str) -> String;
    fn clause(&self) -> &'static str;
    fn sentence(&self) -> &'static str;
}

pub(super) fn describe(t: &Tariff, currency: Currency, locale: Locale) -> String {
    let w: &dyn Phrases = match locale {
        Locale::ZhCn => &Chinese,
        Locale::KoKr => &Korean,
        Locale::En => &English,
    };
    let mut text = one(w, t, currency);
    for (class, inner) in &t.classes {
        text.push_str(w.sentence());
        text.push_str(&w.class(class));
        text.push_str(&one(w, inner, currency));
    }
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    text
}

fn one(w: &dyn Phrases, t: &Tariff, currency: Currency) -> String {
    let money = |amount: u64| w.money(amount, currency);
    let mut main = Vec::new();
    if t.free_minutes > 0 {
        main.push(w.free(t.free_minutes, t.free_mode));
    }
    main.extend(rate(
        w,
        currency,
        t.first_period.as_ref(),
        t.then.as_ref(),
        &t.tiers,
        &t.brackets,
    ));
    if t.tiers_restart == TiersRestart::Never {
        main.push(w.once_per_stay().to_owned());
    }
    let mut clauses = vec![w.list(main)];
    for band in &t.bands {
        clauses.push(band_text(w, band, currency));
    }
    let mut caps = Vec::new();
    if t.band_rule == BandRule::Entry && !t.bands.is_empty() {
        caps.push(w.at_entry().to_owned());
    }
    if t.accumulate_minutes {
        caps.push(w.accumulate(t.cycle).to_owned());
    }
    if let Some(cap) = t.daily_cap {
        caps.push(w.cycle_cap(t.cycle, t.cap_across_stays, &money(cap)));
    }
    if let Some(cap) = t.weekly_cap {
        caps.push(w.weekly(&money(cap)));
    }
    if let Some(cap) = t.stay_cap {
        caps.push(w.per_stay(&money(cap)));
    }
    if !caps.is_empty() {
        clauses.push(w.list(caps));
    }
    clauses.join(w.clause())
}

fn band_text(w: &dyn Phrases, band: &Band, currency: Currency) -> String {
    let money = |amount: u64| w.money(amount, currency);
    let mut parts = match band.flat {
        Some(flat) => vec![w.flat(&money(flat))],
        None => rate(
            w,
            currency,
            band.first_period.as_ref(),
            band.then.as_ref(),
            &band.tiers,
            &[],
        ),
    };
    if let Some(cap) = band.cap {
        parts.push(w.at_most(&money(cap)));
    }
    let mut kinds = band.days.clone();
    kinds.sort();
    kinds.dedup();
    let days = w.days(kinds.into_iter().map(|k| w.day(k)).collect());
    w.band(&days, &w.range(band.from, band.to), &w.list(parts))
}

fn rate(
    w: &dyn Phrases,
    currency: Currency,
    first_period: Option<&FirstPeriod>,
    then: Option<&Step>,
    tiers: &[Tier],
    brackets: &[Bracket],
) -> Vec<String> {
    let money = |amount: u64| w.money(amount, currency);
    let mut parts = Vec::new();
    if let Some(first) = first_period {
        parts.push(if first.amount == 0 {
            w.first_free(first.minutes)
        } else {
            w.first(first.minutes, &money(first.amount))
        });
        if let Some(then) = then {
            parts.push(w.then(then.every_minutes, &money(then.amount)));
        }
    }
    for (i, tier) in tiers.iter().enumerate() {
        parts.push(match (tier.minutes, tier.every_minutes) {
            (Some(minutes), every) => w.tier(i == 0, minutes, every, &money(tier.amount)),
            (None, Some(every)) if parts.is_empty() => w.every(every, &money(tier.amount)),
            (None, Some(every)) => w.then(every, &money(tier.amount)),
            (None, None) => w.rest(&money(tier.amount)),
        });
    }
    let mut before = 0;
    for bracket in brackets {
        parts.push(match bracket.up_to_minutes {
            Some(up_to) => {
                before = up_to;
                w.bracket(up_to, &money(bracket.amount))
            }
            None => w.over(before, &money(bracket.amount)),
        });
    }
    parts
}

fn is_all_day(from: LocalTime, to: LocalTime) -> bool {
    from.minutes() == 0 && to.minutes() == 1440
}

impl Phrases for Chinese {
    fn every(&self, every: u32, money: &str) -> String {
        match every {
            60 => format!("每小时{money}"),
            e => format!("每{}{money}", Chinese::span(e)),
        }
    }
    fn list(&self, parts: Vec<String>) -> String {
        parts.join("，")
    }
    fn tier(&self, first: bool, minutes: u32, every: Option<u32>, money: &str) -> String {
        let lead = if first { "首" } else { "其后" };
        match every {
            None => format!("{lead}{}{money}", Chinese::span(minutes)),
            Some(60) => format!("{lead}{}每小时{money}", Chinese::span(minutes)),
            Some(e) => format!(
                "{lead}{}每{}{money}",
                Chinese::span(minutes),
                Chinese::span(e)
            ),
        }
    }
    fn rest(&self, money: &str) -> String {
        format!("之后加收{money}")
    }
    fn bracket(&self, up_to: u32, money: &str) -> String {
        format!("{}内{money}", Chinese::span(up_to))
    }
    fn over(&self, minutes: u32, money: &str) -> String {
        format!("超过{}{money}", Chinese::span(minutes))
    }
    fn once_per_stay(&self) -> &'static str {
        "首时段每次停车只计一次"
    }
    fn day(&self, kind: DayKind) -> &'static str {
        match kind {
            DayKind::Mon => "周一",
            DayKind::Tue => "周二",
            DayKind::Wed => "周三",
            DayKind::Thu => "周四",
            DayKind::Fri => "周五",
            DayKind::Sat => "周六",
            DayKind::Sun => "周日",
            DayKind::Weekday => "工作日",
            DayKind::Weekend => "周末",
            DayKind::Holiday => "节假日",
        }
    }
    fn days(&self, names: Vec<&'static str>) -> String {
        match names.len() {
            2 => names.join("及"),
            _ => names.join("、"),
        }
    }
    fn range(&self, from: LocalTime, to: LocalTime) -> String {
        if is_all_day(from, to) {
            "全天".to_owned()
        } else if to <= from {
            format!("{from}至次日{to}")
        } else {
            format!("{from}至{to}")
        }
    }
    fn band(&self, days: &str, range: &str, rate: &str) -> String {
        format!("{days}{range}{rate}")
    }
    fn flat(&self, money: &str) -> String {
        format!("每次{money}")
    }
    fn at_most(&self, money: &str) -> String {
        format!("最高{money}")
    }
    fn at_entry(&self) -> &'static str {
        "按入场时段计费"
    }
    fn accumulate(&self, cycle: Cycle) -> &'static str {
        match cycle {
            Cycle::Rolling24h => "24小时内多次停车累计计时",
            Cycle::CalendarDay { .. } => "当日多次停车累计计时",
        }
    }
    fn cycle_cap(&self, cycle: Cycle, across: bool, money: &str) -> String {
        match (cycle, across) {
            (Cycle::Rolling24h, false) => format!("{money}封顶"),
            (Cycle::Rolling24h, true) => format!("同一车辆24小时内最高收费{money}"),
            (Cycle::CalendarDay { reset_at }, across) => {
                let who = if across { "同一车辆" } else { "" };
                if reset_at == LocalTime::MIDNIGHT {
                    format!("{who}每日最高收费{money}")
                } else {
                    format!("{who}每日（{reset_at}起）最高收费{money}")
                }
            }
        }
    }
    fn weekly(&self, money: &str) -> String {
        format!("每7天最高{money}")
    }
    fn per_stay(&self, money: &str) -> String {
        format!("单次停车最高{money}")
    }
    fn class(&self, class: &str) -> String {
        let name = match class {
            "small" => "小型车",
            "large" => "大型车",
            "motorcycle" => "摩托车",
            "new-energy" => "新能源车",
            other => other,
        };
        format!("{name}：")
    }
    fn clause(&self) -> &'static str {
        "；"
    }
    fn sentence(&self) -> &'static str {
        "。"
    }
}

impl Phrases for Korean {
    fn every(&self, every: u32, money: &str) -> String {
        format!("{}마다 {money}", Korean::span(every))
    }
    fn list(&self, parts: Vec<String>) -> String {
        parts.join(", ")
    }
    fn tier(&self, first: bool, minutes: u32, every: Option<u32>, money: &str) -> String {
        let lead = if first { "처음" } else { "다음" };
        match every {
            None => format!("{lead} {} {money}", Korean::span(minutes)),
            Some(e) => format!(
                "{lead} {} 동안 {}마다 {money}",
                Korean::span(minutes),
                Korean::span(e)
            ),
        }
    }
    fn rest(&self, money: &str) -> String {
        format!("이후 {money} 추가")
    }
    fn bracket(&self, up_to: u32, money: &str) -> String {
        format!("{} 이내 {money}", Korean::span(up_to))
    }
    fn over(&self, minutes: u32, money: &str) -> String {
        format!("{} 초과 {money}", Korean::span(minutes))
    }
    fn once_per_stay(&self) -> &'static str {
        "첫 구간 요금은 주차 1회당 한 번"
    }
    fn day(&self, kind: DayKind) -> &'static str {
        match kind {
            DayKind::Mon => "월요일",
            DayKind::Tue => "화요일",
            DayKind::Wed => "수요일",
            DayKind::Thu => "목요일",
            DayKind::Fri => "금요일",
            DayKind::Sat => "토요일",
            DayKind::Sun => "일요일",
            DayKind::Weekday => "평일",
            DayKind::Weekend => "주말",
            DayKind::Holiday => "공휴일",
        }
    }
    fn days(&self, names: Vec<&'static str>) -> String {
        names.join("·")
    }
    fn range(&self, from: LocalTime, to: LocalTime) -> String {
        if is_all_day(from, to) {
            "종일".to_owned()
        } else if to <= from {
            format!("{from}~익일 {to}")
        } else {
            format!("{from}~{to}")
        }
    }
    fn band(&self, days: &str, range: &str, rate: &str) -> String {
        if days.is_empty() {
            format!("{range} {rate}")
        } else {
            format!("{days} {range} {rate}")
        }
    }
    fn flat(&self, money: &str) -> String {
        format!("1회 {money}")
    }
    fn at_most(&self, money: &str) -> String {
        format!("최대 {money}")
    }
    fn at_entry(&self) -> &'static str {
        "입차 시간대 요금 적용"
    }
    fn accumulate(&self, cycle: Cycle) -> &'static str {
        match cycle {
            Cycle::Rolling24h => "24시간 내 재입차 시 주차 시간 합산",
            Cycle::CalendarDay { .. } => "당일 재입차 시 주차 시간 합산",
        }
    }
    fn cycle_cap(&self, cycle: Cycle, across: bool, money: &str) -> String {
        let who = if across { "동일 차량 " } else { "" };
        match cycle {
            Cycle::Rolling24h if !across => format!("1일 최대 {money}"),
            Cycle::Rolling24h => format!("{who}24시간 내 최대 {money}"),
            Cycle::CalendarDay { reset_at } if reset_at == LocalTime::MIDNIGHT => {
                format!("{who}하루(자정 기준) 최대 {money}")
            }
            Cycle::CalendarDay { reset_at } => format!("{who}하루({reset_at} 기준) 최대 {money}"),
        }
    }
    fn weekly(&self, money: &str) -> String {
        format!("7일 최대 {money}")
    }
    fn per_stay(&self, money: &str) -> String {
        format!("1회 주차 최대 {money}")
    }
    fn class(&self, class: &str) -> String {
        let name = match class {
            "small" => "소형차",
            "large" => "대형차",
            "motorcycle" => "이륜차",
            "new-energy" => "친환경차",
            other => other,
        };
        format!("{name}: ")
    }
    fn clause(&self) -> &'static str {
        "; "
    }
    fn sentence(&self) -> &'static str {
        ". "
    }
}

impl Phrases for English {
    fn every(&self, every: u32, money: &str) -> String {
        match every {
            60 => format!("{money} per hour"),
            e => format!("{money} per {}", English::span(e)),
        }
    }
    fn list(&self, parts: Vec<String>) -> String {
        parts.join(", ")
    }
    fn tier(&self, first: bool, minutes: u32, every: Option<u32>, money: &str) -> String {
        let lead = if first { "first" } else { "next" };
        let span = match minutes {
            60 => "hour".to_owned(),
            m => English::span(m),
        };
        match every {
            None => format!("{money} for the {lead} {span}"),
            Some(60) => format!("{money} per hour for the {lead} {span}"),
            Some(e) => format!("{money} per {} for the {lead} {span}", English::span(e)),
        }
    }
    fn rest(&self, money: &str) -> String {
        format!("then {money} more")
    }
    fn bracket(&self, up_to: u32, money: &str) -> String {
        format!("{money} up to {}", English::span(up_to))
    }
    fn over(&self, minutes: u32, money: &str) -> String {
        format!("{money} over {}", English::span(minutes))
    }
    fn once_per_stay(&self) -> &'static str {
        "the first period is charged once per stay"
    }
    fn day(&self, kind: DayKind) -> &'static str {
        match kind {
            DayKind::Mon => "Mondays",
            DayKind::Tue => "Tuesdays",
            DayKind::Wed => "Wednesdays",
            DayKind::Thu => "Thursdays",
            DayKind::Fri => "Fridays",
            DayKind::Sat => "Saturdays",
            DayKind::Sun => "Sundays",
            DayKind::Weekday => "weekdays",
            DayKind::Weekend => "weekends",
            DayKind::Holiday => "holidays",
        }
    }
    fn days(&self, names: Vec<&'static str>) -> String {
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
    fn range(&self, from: LocalTime, to: LocalTime) -> String {
        if is_all_day(from, to) {
            "all day".to_owned()
        } else {
            format!("{from}-{to}")
        }
    }
    fn band(&self, days: &str, range: &str, rate: &str) -> String {
        if days.is_empty() {
            format!("{range}: {rate}")
        } else {
            format!("{days} {range}: {rate}")
        }
    }
    fn flat(&self, money: &str) -> String {
        format!("{money} flat")
    }
    fn at_most(&self, money: &str) -> String {
        format!("at most {money}")
    }
    fn at_entry(&self) -> &'static str {
        "the band at entry prices the whole stay"
    }
    fn accumulate(&self, cycle: Cycle) -> &'static str {
        match cycle {
            Cycle::Rolling24h => "visits within 24 hours count together",
            Cycle::CalendarDay { .. } => "a day's visits count together",
        }
    }
    fn cycle_cap(&self, cycle: Cycle, across: bool, money: &str) -> String {
        let across = if across {
            " per vehicle, across visits"
        } else {
            ""
        };
        match cycle {
            Cycle::Rolling24h => format!("capped at {money} per 24 hours{across}"),
            Cycle::CalendarDay { reset_at } if reset_at == LocalTime::MIDNIGHT => {
                format!("capped at {money} per calendar day{across}")
            }
            Cycle::CalendarDay { reset_at } => {
                format!("capped at {money} per day from {reset_at}{across}")
            }
        }
    }
    fn weekly(&self, money: &str) -> String {
        format!("at most {money} per 7 days")
    }
    fn per_stay(&self, money: &str) -> String {
        format!("at most {money} per stay")
    }
    fn class(&self, class: &str) -> String {
        let name = match class {
            "small" => "Small cars",
            "large" => "Large vehicles",
            "motorcycle" => "Motorcycles",
            "new-energy" => "New-energy vehicles",
            other => other,
        };
        format!("{name}: ")
    }
    fn clause(&self) -> &'static str {
        "; "
    }
    fn sentence(&self) -> &'static str {
        ". "
    }
}
