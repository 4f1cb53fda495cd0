//! Tariffs as real lots price them: duration tiers and brackets, time-of-day
//! bands with their own rates, weekday, weekend and holiday calendars, caps
//! per day, band, week and stay (and across a plate's stays), rates per
//! vehicle class and discounts, with the fee text in each locale and a
//! quote that explains the price part by part. All amounts are integers in
//! the currency's minor unit.
//!
//! The seed lot's schedule (free minutes, a first period, repeating steps,
//! a cap per 24 hours) is the simple case of a [`Tariff`]: settings that use
//! nothing else are priced, explained and worded by [`FeeSchedule`],
//! exactly as before.
//!
//! # How a stay is priced
//!
//! Every range is start-inclusive and end-exclusive; a started minute of
//! the stay counts whole, and a started unit of a rate is paid whole.
//!
//! 1. **The tariff.** A known vehicle class with an entry in `classes` is
//!    priced by that entry; every other vehicle by the tariff itself.
//! 2. **Free minutes.** A stay of at most `free_minutes` (counting, with
//!    `accumulate_minutes`, the minutes of the plate's earlier stays in the
//!    same cycle) costs nothing. Past them, billing starts at entry
//!    (`threshold`) or `free_minutes` after it (`deduct`). Minutes granted by
//!    discounts move the start of billing further.
//! 3. **Cycles.** Time is cut into cycles: 24 hours from entry
//!    (`rolling_24h`, the default) or calendar days that begin at a local
//!    time (`calendar_day`). A cycle is what `daily_cap` bounds, and the
//!    duration tiers start again in each cycle unless `tiers_restart` is
//!    `never` (the first period once per stay).
//! 4. **Bands.** At each instant one rate is in force: the band whose local
//!    times and days contain it, or the tariff's own rate outside every
//!    band. Band times are read on the lot's clock (`time_zone`), so a band
//!    on a day of 23 or 25 hours is as long as the clock says. A band that
//!    crosses midnight belongs to the day it starts on. With
//!    `band_rule: "entry"` the band in force at entry prices the whole stay.
//! 5. **Units.** From the start of billing, units follow each other: each
//!    is priced by the rate in force when it starts, and by that rate's tier
//!    for the time already spent in that rate this cycle. A unit ends at its
//!    length, or earlier at the end of its tier, of its cycle or of the
//!    stay, and is paid whole. A tier without `every_minutes` is one unit:
//!    one price for the whole bracket. A band with `flat` costs its price
//!    once per occurrence the stay is in.
//! 6. **Caps and discounts**, in this order: each band occurrence is capped
//!    at its band's `cap`; discount amounts come off the earliest cycles;
//!    each cycle is capped at `daily_cap` (less, with `cap_across_stays`,
//!    what the plate paid for its earlier stays that entered in that cycle);
//!    every 7 cycles at `weekly_cap`; the stay at `stay_cap`.
//!
//! The result is the same for the same settings and stay, natively and in
//! the module: integers only, no clock read, no table consulted that the
//! settings do not hold.

pub mod price;
mod text;
pub mod zone;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fees::{FeeSchedule, FirstPeriod, FreeMode, Owed, Quote, Stay, Step};
use crate::input::{Discount, EarlierStay, Session};
use crate::locale::Locale;
use crate::money::Currency;
use crate::settings::SettingsError;
use crate::time::{Date, Timestamp};

pub use price::Priced;
pub use zone::TzRule;

/// How far back a tariff that counts a plate's earlier stays reads them:
/// two cycles, enough to find where a 24-hour window across stays began.
pub const HISTORY_MINUTES: u32 = 2 * 24 * 60;

/// A tariff, as it appears under `fees` in a policy's settings.
///
/// Its rate is one of `first_period` (with `then`), `tiers` or `brackets`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    /// A stay this short is free.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(max = 1440)))]
    pub free_minutes: u32,
    /// How the free minutes count once a stay is longer.
    #[serde(default)]
    pub free_mode: FreeMode,
    /// The first period of each cycle: one price for up to its minutes.
    #[serde(default)]
    pub first_period: Option<FirstPeriod>,
    /// The steps after the first period.
    #[serde(default)]
    pub then: Option<Step>,
    /// Duration tiers, in order: each lasts `minutes` (the last may be
    /// open-ended) and charges `amount` per started `every_minutes`, or
    /// once for the whole tier without `every_minutes`.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// Non-cumulative brackets: the price of a cycle is that of the first
    /// bracket its billed time fits in.
    #[serde(default)]
    pub brackets: Vec<Bracket>,
    /// Whether the tiers start again in each cycle (`each_cycle`, the
    /// default) or count once per stay (`never`).
    #[serde(default)]
    pub tiers_restart: TiersRestart,
    /// Time-of-day bands with rates of their own.
    #[serde(default)]
    pub bands: Vec<Band>,
    /// Which band prices a unit: the one in force when the unit starts
    /// (`unit_start`, the default) or the one in force at entry (`entry`).
    #[serde(default)]
    pub band_rule: BandRule,
    /// What a cycle is: 24 hours from entry, or a calendar day.
    #[serde(default)]
    pub cycle: Cycle,
    /// The most one cycle costs; absent or null: no cap.
    #[serde(default)]
    pub daily_cap: Option<u64>,
    /// Whether `daily_cap` bounds what the plate pays across its stays in
    /// the cycle ("同一车辆24小时内最高收费"): what it paid for earlier stays
    /// that entered in the cycle counts against the cap.
    #[serde(default)]
    pub cap_across_stays: bool,
    /// Whether the minutes of the plate's earlier stays in the cycle count
    /// towards the free minutes and the tiers (a day's visits add up).
    #[serde(default)]
    pub accumulate_minutes: bool,
    /// The most 7 consecutive cycles cost (a weekly cap).
    #[serde(default)]
    pub weekly_cap: Option<u64>,
    /// The most a whole stay costs.
    #[serde(default)]
    pub stay_cap: Option<u64>,
    /// The operator's holiday calendar: dates that are `holiday` to bands.
    #[serde(default)]
    pub holidays: Vec<Date>,
    /// The lot's clock rule, for zones with daylight saving: a POSIX TZ
    /// string such as `EST5EDT,M3.2.0,M11.1.0`. Absent: the offset at entry
    /// holds for the whole stay.
    #[serde(default)]
    pub time_zone: Option<TzRule>,
    /// Tariffs per vehicle class (`large`, `motorcycle`, `new-energy`, ...);
    /// a vehicle of another or no known class pays this tariff.
    #[serde(default)]
    pub classes: BTreeMap<String, Tariff>,
}

/// One duration tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// How long the tier lasts; absent for the last, open-ended tier.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub minutes: Option<u32>,
    /// Every started period this long costs `amount`; absent: `amount` is
    /// the price of the whole tier.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub every_minutes: Option<u32>,
    /// In the currency's minor unit.
    pub amount: u64,
}

/// One non-cumulative bracket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Bracket {
    /// The bracket holds billed time up to this many minutes; absent for the
    /// last, open-ended bracket.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub up_to_minutes: Option<u32>,
    /// The price of a cycle in this bracket, in the minor unit.
    pub amount: u64,
}

/// Whether duration tiers start again each cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TiersRestart {
    /// In each cycle (the seed's rule: the first period restarts every 24
    /// hours).
    #[default]
    EachCycle,
    /// Never: the first period and tiers apply once per stay.
    Never,
}

/// Which band prices a unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BandRule {
    /// The band in force when the unit starts.
    #[default]
    UnitStart,
    /// The band in force at entry, for the whole stay.
    Entry,
}

/// What a cycle is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Cycle {
    /// 24 hours from entry (the seed's rule).
    #[default]
    #[serde(rename = "rolling_24h")]
    Rolling24h,
    /// A calendar day on the lot's clock, starting at `reset_at`.
    CalendarDay {
        /// When the day starts, e.g. `00:00`.
        reset_at: LocalTime,
    },
}

/// A time-of-day band with a rate of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// What the band is called in traces and quotes, e.g. `night`.
    pub label: String,
    /// When it starts, lot-local, e.g. `21:00`.
    pub from: LocalTime,
    /// When it ends, e.g. `07:00` (the next day, when before `from`) or
    /// `24:00`.
    pub to: LocalTime,
    /// The days it starts on; absent or empty: every day, holidays too.
    #[serde(default)]
    pub days: Vec<DayKind>,
    /// As in the tariff.
    #[serde(default)]
    pub first_period: Option<FirstPeriod>,
    /// As in the tariff.
    #[serde(default)]
    pub then: Option<Step>,
    /// As in the tariff.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// One price per occurrence of the band the stay is in (an overnight
    /// flat fee), instead of a rate.
    #[serde(default)]
    pub flat: Option<u64>,
    /// The most one occurrence of the band costs (a night maximum).
    #[serde(default)]
    pub cap: Option<u64>,
}

/// A kind of day a band runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday, unless a holiday.
    Mon,
    /// Tuesday, unless a holiday.
    Tue,
    /// Wednesday, unless a holiday.
    Wed,
    /// Thursday, unless a holiday.
    Thu,
    /// Friday, unless a holiday.
    Fri,
    /// Saturday, unless a holiday.
    Sat,
    /// Sunday, unless a holiday.
    Sun,
    /// Monday to Friday, holidays not.
    Weekday,
    /// Saturday and Sunday, holidays not.
    Weekend,
    /// A date in the tariff's `holidays`.
    Holiday,
}

impl DayKind {
    /// Whether a day that is `weekday` (0 Sunday) and perhaps a holiday is
    /// of this kind. A holiday is only a holiday.
    fn contains(self, weekday: u8, holiday: bool) -> bool {
        match self {
            DayKind::Holiday => holiday,
            _ if holiday => false,
            DayKind::Weekday => (1..=5).contains(&weekday),
            DayKind::Weekend => weekday == 0 || weekday == 6,
            DayKind::Sun => weekday == 0,
            day => day as u8 + 1 == weekday,
        }
    }
}

/// A time of day on the lot's clock, `HH:MM`; `24:00` is the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalTime(u16);

impl LocalTime {
    /// Midnight.
    pub const MIDNIGHT: LocalTime = LocalTime(0);

    /// Minutes after midnight, 0 to 1440.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// `hour:minute`, or none when out of range.
    pub fn new(hour: u8, minute: u8) -> Option<LocalTime> {
        let m = u16::from(hour) * 60 + u16::from(minute);
        (minute < 60 && m <= 1440).then_some(LocalTime(m))
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl FromStr for LocalTime {
    type Err = String;
    fn from_str(text: &str) -> Result<LocalTime, String> {
        let bad = || format!("`{text}` is not a time of day `HH:MM` (00:00 to 24:00)");
        let b = text.as_bytes();
        if b.len() != 5
            || b[2] != b':'
            || !b
                .iter()
                .enumerate()
                .all(|(i, c)| i == 2 || c.is_ascii_digit())
        {
            return Err(bad());
        }
        let hour = (b[0] - b'0') * 10 + (b[1] - b'0');
        let minute = (b[3] - b'0') * 10 + (b[4] - b'0');
        LocalTime::new(hour, minute).ok_or_else(bad)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for LocalTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LocalTime".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A time of day on the lot's clock, `HH:MM`; `24:00` ends the day.",
            "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
        })
    }
}

/// What is known of a stay beyond its times: what the pricing takes from
/// the vehicle.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The vehicle's class, when known.
    pub class: Option<&'a str>,
    /// Discounts granted to the stay.
    pub discounts: &'a [Discount],
    /// The plate's earlier stays, newest first.
    pub earlier_stays: &'a [EarlierStay],
}

impl<'a> Context<'a> {
    /// What a stay to quote carries.
    pub fn of_stay(stay: &'a Stay) -> Context<'a> {
        Context {
            class: stay.class.as_deref(),
            discounts: &stay.discounts,
            earlier_stays: &stay.earlier_stays,
        }
    }

    /// What a vehicle at the gate carries.
    pub fn of_vehicle(vehicle: &'a crate::input::Vehicle) -> Context<'a> {
        Context {
            class: vehicle.class.as_deref(),
            discounts: &vehicle.discounts,
            earlier_stays: &vehicle.earlier_stays,
        }
    }
}

impl Tariff {
    /// The seed's schedule as a tariff.
    pub fn from_schedule(schedule: &FeeSchedule) -> Tariff {
        Tariff {
            free_minutes: schedule.free_minutes,
            free_mode: schedule.free_mode,
            first_period: Some(schedule.first_period),
            then: Some(schedule.then),
            daily_cap: schedule.daily_cap,
            ..Tariff::default()
        }
    }

    /// The tariff as the seed's schedule, when it uses nothing else.
    pub fn as_schedule(&self) -> Option<FeeSchedule> {
        // Field by field: this runs on every decision of a simple lot.
        let plain = self.tiers.is_empty()
            && self.brackets.is_empty()
            && self.bands.is_empty()
            && self.tiers_restart == TiersRestart::EachCycle
            && self.band_rule == BandRule::UnitStart
            && self.cycle == Cycle::Rolling24h
            && !self.cap_across_stays
            && !self.accumulate_minutes
            && self.weekly_cap.is_none()
            && self.stay_cap.is_none()
            && self.holidays.is_empty()
            && self.time_zone.is_none()
            && self.classes.is_empty();
        if !plain {
            return None;
        }
        Some(FeeSchedule {
            free_minutes: self.free_minutes,
            free_mode: self.free_mode,
            first_period: self.first_period?,
            then: self.then?,
            daily_cap: self.daily_cap,
        })
    }

    /// The tariff that prices a vehicle of `class`.
    pub fn for_class(&self, class: Option<&str>) -> &Tariff {
        class.and_then(|c| self.classes.get(c)).unwrap_or(self)
    }

    /// How far back, in minutes, the plate's earlier stays are needed.
    pub fn history_minutes(&self) -> u32 {
        let counts = |t: &Tariff| t.cap_across_stays || t.accumulate_minutes;
        if counts(self) || self.classes.values().any(counts) {
            HISTORY_MINUTES
        } else {
            0
        }
    }

    /// Checks what the types cannot, naming the field at fault. `path` is
    /// where the tariff sits in the settings (`fees`).
    pub fn check(&self, path: &str) -> Result<(), SettingsError> {
        check::tariff(self, path, true)
    }

    /// Prices the stay from `entered_at` to `left_at`.
    pub fn price(&self, entered_at: &Timestamp, left_at: &Timestamp, ctx: &Context) -> Priced {
        price::price(self, entered_at, left_at, ctx, true)
    }

    /// The fee for the stay from `entered_at` to `left_at`, without the
    /// parts and words [`Tariff::price`] gives: what pricing costs when only
    /// the amount matters (the price at a settlement, say).
    pub fn total(&self, entered_at: &Timestamp, left_at: &Timestamp, ctx: &Context) -> u64 {
        price::price(self, entered_at, left_at, ctx, false).total
    }

    /// What `session` owes at `now`: the fee from entry, less what was paid,
    /// with the payment grace of [`FeeSchedule::owed`].
    pub fn owed(
        &self,
        session: &Session,
        now: &Timestamp,
        grace_minutes: u32,
        currency: Currency,
        ctx: &Context,
    ) -> Owed {
        if let Some(simple) = self.simple_for(ctx) {
            return simple.owed(session, now, grace_minutes, currency);
        }
        let priced = self.price(&session.entered_at, now, ctx);
        let explanation = priced.explain(currency);
        crate::fees::settle(
            session,
            now,
            grace_minutes,
            currency,
            (priced.total, priced.free, explanation),
            |until| self.total(&session.entered_at, until, ctx),
        )
    }

    /// Prices `stay` and takes off what was paid.
    pub fn quote(&self, stay: &Stay, currency: Currency) -> Quote {
        let ctx = Context::of_stay(stay);
        if let Some(simple) = self.simple_for(&ctx) {
            return simple.quote(stay, currency);
        }
        let priced = self.price(&stay.entered_at, &stay.left_at, &ctx);
        let explanation = priced.explain(currency);
        let settled = stay
            .settled_until
            .map_or(0, |until| self.total(&stay.entered_at, &until, &ctx));
        crate::fees::quote_of(
            stay,
            currency,
            priced.total,
            explanation,
            settled,
            priced.segments,
        )
    }

    /// The tariff as text for the lot information panel and the robot,
    /// every rule worded from the same data that prices it.
    pub fn describe(&self, currency: Currency, locale: Locale) -> String {
        if let Some(simple) = self.as_schedule() {
            return simple.describe(currency, locale);
        }
        text::describe(self, currency, locale)
    }

    /// The seed's schedule, when it prices this stay exactly: the tariff
    /// uses nothing else and the stay has no discounts.
    fn simple_for(&self, ctx: &Context) -> Option<FeeSchedule> {
        if !ctx.discounts.is_empty() {
            return None;
        }
        self.as_schedule()
    }
}

mod check {
    use super::*;

    fn err(path: String, message: impl Into<String>) -> SettingsError {
        SettingsError::new(path, message)
    }

    pub(super) fn tariff(t: &Tariff, path: &str, top: bool) -> Result<(), SettingsError> {
        if t.free_minutes > 1440 {
            return Err(err(
                format!("{path}.free_minutes"),
                "must be at most 1440 (one day)",
            ));
        }
        let first = rate(
            path,
            t.first_period.as_ref(),
            t.then.as_ref(),
            &t.tiers,
            Some(&t.brackets),
            None,
        )?;
        for (i, band) in t.bands.iter().enumerate() {
            let at = format!("{path}.bands[{i}]");
            if band.label.trim().is_empty() {
                return Err(err(format!("{at}.label"), "must not be empty"));
            }
            if band.from == band.to {
                return Err(err(
                    format!("{at}.to"),
                    "must differ from `from` (00:00 to 24:00 for all day)",
                ));
            }
            if band.from.minutes() == 1440 {
                return Err(err(format!("{at}.from"), "must be before 24:00"));
            }
            rate(
                &at,
                band.first_period.as_ref(),
                band.then.as_ref(),
                &band.tiers,
                None,
                band.flat,
            )?;
        }
        overlaps(t, path)?;
        if let Some(cap) = t.daily_cap {
            if let Some((amount, what)) = first.filter(|(a, _)| *a > cap) {
                return Err(err(
                    format!("{path}.daily_cap"),
                    format!(
                        "{cap} is less than {what} ({amount}): the cap would cut the first period"
                    ),
                ));
            }
            if let Some(weekly) = t.weekly_cap.filter(|w| *w < cap) {
                return Err(err(
                    format!("{path}.weekly_cap"),
                    format!("{weekly} is less than daily_cap ({cap})"),
                ));
            }
        }
        if let Cycle::CalendarDay { reset_at } = t.cycle
            && reset_at.minutes() == 1440
        {
            return Err(err(
                format!("{path}.cycle.calendar_day.reset_at"),
                "must be before 24:00",
            ));
        }
        if (t.cap_across_stays || t.accumulate_minutes) && t.tiers_restart == TiersRestart::Never {
            return Err(err(
                format!("{path}.tiers_restart"),
                "`never` cannot be combined with counting earlier stays in a cycle",
            ));
        }
        if t.cap_across_stays && t.daily_cap.is_none() {
            return Err(err(
                format!("{path}.cap_across_stays"),
                "needs a daily_cap to bound",
            ));
        }
        for (i, pair) in t.holidays.windows(2).enumerate() {
            if pair[1] <= pair[0] {
                return Err(err(
                    format!("{path}.holidays[{}]", i + 1),
                    format!(
                        "{} must come after {} (list each date once, in order)",
                        pair[1], pair[0]
                    ),
                ));
            }
        }
        if !top {
            for (field, set) in [
                ("classes", !t.classes.is_empty()),
                ("holidays", !t.holidays.is_empty()),
                ("time_zone", t.time_zone.is_some()),
            ] {
                if set {
                    return Err(err(
                        format!("{path}.{field}"),
                        "is set on the lot's tariff, not per class",
                    ));
                }
            }
        }
        for (class, inner) in &t.classes {
            if class.trim().is_empty() {
                return Err(err(
                    format!("{path}.classes"),
                    "a class name must not be empty",
                ));
            }
            tariff(inner, &format!("{path}.classes.{class}"), false)?;
        }
        Ok(())
    }

    /// Checks one rate; returns what its first period costs and where it is.
    fn rate(
        path: &str,
        first_period: Option<&FirstPeriod>,
        then: Option<&Step>,
        tiers: &[Tier],
        brackets: Option<&[Bracket]>,
        flat: Option<u64>,
    ) -> Result<Option<(u64, String)>, SettingsError> {
        let brackets = brackets.unwrap_or(&[]);
        let forms = [
            first_period.is_some(),
            !tiers.is_empty(),
            !brackets.is_empty(),
            flat.is_some(),
        ];
        let names = if flat.is_some() || path.contains(".bands[") {
            "`first_period`, `tiers` or `flat`"
        } else {
            "`first_period`, `tiers` or `brackets`"
        };
        match forms.iter().filter(|f| **f).count() {
            0 => return Err(err(path.to_owned(), format!("needs a rate: {names}"))),
            1 => {}
            _ => {
                return Err(err(
                    path.to_owned(),
                    format!("has more than one rate: give one of {names}"),
                ));
            }
        }
        if let Some(first) = first_period {
            if first.minutes == 0 {
                return Err(err(
                    format!("{path}.first_period.minutes"),
                    "must be at least 1",
                ));
            }
            let Some(then) = then else {
                return Err(err(
                    format!("{path}.then"),
                    "a first period needs the steps after it",
                ));
            };
            if then.every_minutes == 0 {
                return Err(err(
                    format!("{path}.then.every_minutes"),
                    "must be at least 1",
                ));
            }
            return Ok(Some((first.amount, format!("{path}.first_period.amount"))));
        }
        if then.is_some() {
            return Err(err(format!("{path}.then"), "goes with `first_period` only"));
        }
        for (i, tier) in tiers.iter().enumerate() {
            let at = format!("{path}.tiers[{i}]");
            if tier.minutes == Some(0) {
                return Err(err(format!("{at}.minutes"), "must be at least 1"));
            }
            if tier.every_minutes == Some(0) {
                return Err(err(format!("{at}.every_minutes"), "must be at least 1"));
            }
            if i > 0 && tiers[i - 1].minutes.is_none() {
                return Err(err(
                    at,
                    format!(
                        "follows the open-ended tier {path}.tiers[{}]: only the last tier may omit `minutes`",
                        i - 1
                    ),
                ));
            }
        }
        if let Some(tier) = tiers.first() {
            return Ok(Some((tier.amount, format!("{path}.tiers[0].amount"))));
        }
        for (i, bracket) in brackets.iter().enumerate() {
            let at = format!("{path}.brackets[{i}]");
            if bracket.up_to_minutes == Some(0) {
                return Err(err(format!("{at}.up_to_minutes"), "must be at least 1"));
            }
            if i == 0 {
                continue;
            }
            let before = &brackets[i - 1];
            let Some(prev) = before.up_to_minutes else {
                return Err(err(
                    at,
                    format!(
                        "follows the open-ended bracket {path}.brackets[{}]: only the last bracket may omit `up_to_minutes`",
                        i - 1
                    ),
                ));
            };
            if bracket.up_to_minutes.is_some_and(|m| m <= prev) {
                return Err(err(
                    format!("{at}.up_to_minutes"),
                    format!("must be more than the bracket before ({prev})"),
                ));
            }
            if bracket.amount < before.amount {
                return Err(err(
                    format!("{at}.amount"),
                    format!(
                        "{} is less than the bracket before ({}): a longer stay would cost less",
                        bracket.amount, before.amount
                    ),
                ));
            }
        }
        if let Some(bracket) = brackets.first() {
            return Ok(Some((bracket.amount, format!("{path}.brackets[0].amount"))));
        }
        Ok(flat.map(|amount| (amount, format!("{path}.flat"))))
    }

    /// Refuses two bands in force at once on some day.
    fn overlaps(t: &Tariff, path: &str) -> Result<(), SettingsError> {
        // Each band's minutes of the week it may run in, per kind of start
        // day: the weekdays 0-6 (Sunday first) and a holiday, which may
        // fall on any of them.
        let spans = |band: &Band| -> Vec<(u8, u32, u32)> {
            let from = u32::from(band.from.minutes());
            let to = u32::from(band.to.minutes());
            let len = if to > from {
                to - from
            } else {
                to + 1440 - from
            };
            let mut out = Vec::new();
            for day in 0u8..8 {
                let holiday = day == 7;
                let weekday = if holiday { 0 } else { day };
                let runs = band.days.is_empty()
                    || band.days.iter().any(|k| {
                        if holiday {
                            k.contains(0, true)
                        } else {
                            k.contains(weekday, false)
                        }
                    });
                if runs {
                    out.push((day, from, from + len));
                }
            }
            out
        };
        for (i, a) in t.bands.iter().enumerate() {
            for (j, b) in t.bands.iter().enumerate().take(i) {
                for &(da, fa, ta) in &spans(a) {
                    for &(db, fb, tb) in &spans(b) {
                        // Same start day, or one starting the day after the
                        // other (a holiday may be any day).
                        let clash = |d1: u8, f1: u32, t1: u32, d2: u8, f2: u32, t2: u32| {
                            let same = d1 == d2;
                            let next = d2 == 7 || d1 == 7 || (d1 + 1) % 7 == d2;
                            (same && f1 < t2 && f2 < t1) || (next && t1 > 1440 && f2 < t1 - 1440)
                        };
                        if clash(da, fa, ta, db, fb, tb) || clash(db, fb, tb, da, fa, ta) {
                            return Err(err(
                                format!("{path}.bands[{i}]"),
                                format!(
                                    "`{}` {}-{} overlaps `{}` {}-{} ({path}.bands[{j}]): bands must not be in force at once",
                                    a.label, a.from, a.to, b.label, b.from, b.to
                                ),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;

/// A tariff in a policy's settings: [`Tariff`] in JSON, and in the stored
/// form the host hands back on every call, the seed's schedule alone when
/// that is all the tariff is, so a lot with the simple case decodes as
/// little as it did before tariffs. Dereferences to the [`Tariff`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fees(pub Tariff);

impl std::ops::Deref for Fees {
    type Target = Tariff;
    fn deref(&self) -> &Tariff {
        &self.0
    }
}

/// The stored form of [`Fees`].
#[derive(Serialize, Deserialize)]
enum Stored<T> {
    Simple(FeeSchedule),
    Tariff(T),
}

impl Serialize for Fees {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return self.0.serialize(s);
        }
        match self.0.as_schedule() {
            Some(simple) => Stored::<&Tariff>::Simple(simple).serialize(s),
            None => Stored::Tariff(&self.0).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Fees {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            return Tariff::deserialize(d).map(Fees);
        }
        Ok(Fees(match Stored::<Tariff>::deserialize(d)? {
            Stored::Simple(simple) => Tariff::from_schedule(&simple),
            Stored::Tariff(tariff) => tariff,
        }))
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Fees {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        Tariff::schema_name()
    }
    fn inline_schema() -> bool {
        Tariff::inline_schema()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<Tariff>()
    }
}
