//! The lot's clock rule: how an instant reads on the lot's wall clock, and
//! which instant a wall-clock time is, across daylight-saving changes.
//!
//! A policy imports nothing, so it has no time-zone database. A lot whose
//! zone changes its offset gives its rule as a POSIX TZ string (the last
//! line of the zone's tzfile, e.g. `EST5EDT,M3.2.0,M11.1.0` for
//! `America/New_York`); without one, the offset the stay's entry was read
//! at holds throughout.

use core::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::time::Date;

const DAY: i64 = 86_400;

/// A POSIX TZ rule: a standard offset and, optionally, a daylight-saving
/// offset with the local times it starts and ends each year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TzRule {
    text: String,
    /// Seconds east of UTC outside daylight saving.
    std: i32,
    dst: Option<Dst>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dst {
    /// Seconds east of UTC during daylight saving.
    offset: i32,
    start: Transition,
    end: Transition,
}

/// When in a year an offset changes: a day and a local time (seconds after
/// that day's midnight, on the clock in force before the change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transition {
    day: DayRule,
    at: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayRule {
    /// `Jn`: day 1 to 365, February 29 never counted.
    Julian(u16),
    /// `n`: day 0 to 365, February 29 counted in leap years.
    Zero(u16),
    /// `Mm.w.d`: weekday `d` (0 is Sunday) of week `w` (5: the last) of
    /// month `m`.
    Month { month: u8, week: u8, weekday: u8 },
}

impl TzRule {
    /// The rule's text, as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// A rule without daylight saving at `offset_minutes` east of UTC.
    pub fn fixed(offset_minutes: i16) -> TzRule {
        let minutes = i32::from(offset_minutes);
        let sign = if minutes > 0 { '-' } else { '+' };
        TzRule {
            text: format!(
                "<UTC{}{:02}{:02}>{sign}{}:{:02}",
                if minutes < 0 { '-' } else { '+' },
                minutes.abs() / 60,
                minutes.abs() % 60,
                minutes.abs() / 60,
                minutes.abs() % 60
            ),
            std: minutes * 60,
            dst: None,
        }
    }

    /// The year around `unix`: the instants `[lo, hi)` it spans and, when
    /// the rule has daylight saving, when it starts and ends that year.
    /// What [`TzRule::offset_at`] computes, for callers that ask often.
    pub fn year_of(&self, unix: i64) -> YearRule {
        let year = civil_year(unix + i64::from(self.std));
        let jan1 = |y: i32| {
            Date::new(y, 1, 1).map_or(0, Date::days_since_epoch) * DAY - i64::from(self.std)
        };
        YearRule {
            lo: jan1(year),
            hi: jan1(year + 1),
            std: self.std,
            dst: self.dst.map(|dst| {
                (
                    dst.offset,
                    dst.start.instant(year, self.std),
                    dst.end.instant(year, dst.offset),
                )
            }),
        }
    }

    /// Seconds east of UTC at the instant `unix` (seconds).
    pub fn offset_at(&self, unix: i64) -> i32 {
        self.year_of(unix).offset_at(unix)
    }

    /// The instant of the wall-clock time `local` (seconds since
    /// 1970-01-01T00:00 on the lot's clock). A time the clock skips (spring
    /// forward) is the instant of the change; a time it shows twice (fall
    /// back) is its first.
    pub fn instant(&self, local: i64) -> i64 {
        self.instant_by(local, |unix| self.offset_at(unix))
    }

    /// [`TzRule::instant`], reading offsets with `offset_at` (a caller's
    /// memo of [`TzRule::year_of`]).
    pub fn instant_by(&self, local: i64, offset_at: impl Fn(i64) -> i32) -> i64 {
        let Some(dst) = self.dst else {
            return local - i64::from(self.std);
        };
        let as_std = local - i64::from(self.std);
        let as_dst = local - i64::from(dst.offset);
        let std_ok = offset_at(as_std) == self.std;
        let dst_ok = offset_at(as_dst) == dst.offset;
        match (std_ok, dst_ok) {
            (true, true) => as_std.min(as_dst),
            (true, false) => as_std,
            (false, true) => as_dst,
            // In the gap: the change itself, the later of the two readings'
            // nearest transition.
            (false, false) => {
                let year = civil_year(local);
                let start = dst.start.instant(year, self.std);
                let end = dst.end.instant(year, dst.offset);
                let (lo, hi) = (as_std.min(as_dst), as_std.max(as_dst));
                [start, end]
                    .into_iter()
                    .find(|t| (lo..=hi).contains(t))
                    .unwrap_or(hi)
            }
        }
    }
}

/// One year of a rule (see [`TzRule::year_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearRule {
    /// The instants the year spans, `[lo, hi)`.
    pub lo: i64,
    /// The first instant after the year.
    pub hi: i64,
    std: i32,
    /// The daylight-saving offset, its start and its end.
    dst: Option<(i32, i64, i64)>,
}

impl YearRule {
    /// Seconds east of UTC at `unix`, which must lie in `[lo, hi)`.
    pub fn offset_at(&self, unix: i64) -> i32 {
        match self.dst {
            None => self.std,
            Some((offset, start, end)) => {
                let inside = if start < end {
                    unix >= start && unix < end
                } else {
                    // The southern hemisphere: daylight saving spans the new year.
                    unix < end || unix >= start
                };
                if inside { offset } else { self.std }
            }
        }
    }
}

impl Transition {
    /// The instant of this year's change, read on a clock `offset` east.
    fn instant(self, year: i32, offset: i32) -> i64 {
        let day = self.day.days_since_epoch(year);
        day * DAY + i64::from(self.at) - i64::from(offset)
    }
}

impl DayRule {
    fn days_since_epoch(self, year: i32) -> i64 {
        let jan1 = Date::new(year, 1, 1).map_or(0, Date::days_since_epoch);
        let leap = is_leap(year);
        match self {
            DayRule::Julian(n) => {
                let n = i64::from(n);
                jan1 + n - 1 + i64::from(leap && n >= 60)
            }
            DayRule::Zero(n) => jan1 + i64::from(n),
            DayRule::Month {
                month,
                week,
                weekday,
            } => {
                let first_date =
                    Date::new(year, month, 1).unwrap_or(Date::from_days_since_epoch(0));
                let first = first_date.days_since_epoch();
                let first_weekday = first_date.weekday();
                let mut day = first + i64::from((weekday + 7 - first_weekday) % 7);
                day += 7 * i64::from(week - 1);
                let next_month = first + i64::from(first_date.month_len());
                while day >= next_month {
                    day -= 7;
                }
                day
            }
        }
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The year of the local day `local` seconds after 1970-01-01.
fn civil_year(local: i64) -> i32 {
    Date::from_days_since_epoch(local.div_euclid(DAY)).year()
}

/// Why a POSIX TZ string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TzError(String);

impl fmt::Display for TzError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TzRule {
    type Err = TzError;

    /// Parses `std offset [dst [offset] [,start[/time],end[/time]]]`, e.g.
    /// `CST-8`, `EST5EDT,M3.2.0,M11.1.0`, `<+1030>-10:30<+11>-11,M10.1.0,M4.1.0`.
    fn from_str(text: &str) -> Result<TzRule, TzError> {
        let bad = |why: &str| {
            TzError(format!(
                "`{text}` is not a POSIX TZ rule ({why}); e.g. `EST5EDT,M3.2.0,M11.1.0`, the last line of the zone's tzfile"
            ))
        };
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        p.name().ok_or_else(|| bad("no standard-time name"))?;
        let std = -p.offset().ok_or_else(|| bad("no standard offset"))?;
        if p.done() {
            return Ok(TzRule {
                text: text.to_owned(),
                std,
                dst: None,
            });
        }
        p.name()
            .ok_or_else(|| bad("a daylight-saving name is expected"))?;
        let offset = if p.peek().is_some_and(|c| c != b',') {
            -p.offset()
                .ok_or_else(|| bad("bad daylight-saving offset"))?
        } else {
            std + 3600
        };
        if !p.eat(b',') {
            return Err(bad("daylight saving needs its start and end rules"));
        }
        let start = p.transition().ok_or_else(|| bad("bad start rule"))?;
        if !p.eat(b',') {
            return Err(bad("no end rule"));
        }
        let end = p.transition().ok_or_else(|| bad("bad end rule"))?;
        if !p.done() {
            return Err(bad("trailing characters"));
        }
        Ok(TzRule {
            text: text.to_owned(),
            std,
            dst: Some(Dst { offset, start, end }),
        })
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i == self.s.len()
    }
    fn eat(&mut self, c: u8) -> bool {
        let ok = self.peek() == Some(c);
        self.i += usize::from(ok);
        ok
    }
    fn name(&mut self) -> Option<()> {
        if self.eat(b'<') {
            let start = self.i;
            while self.peek().is_some_and(|c| c != b'>') {
                self.i += 1;
            }
            let len = self.i - start;
            return (self.eat(b'>') && len >= 3).then_some(());
        }
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.i += 1;
        }
        (self.i - start >= 3).then_some(())
    }
    fn number(&mut self) -> Option<i32> {
        let start = self.i;
        let mut n: i32 = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            n = n.checked_mul(10)?.checked_add(i32::from(c - b'0'))?;
            self.i += 1;
        }
        (self.i > start).then_some(n)
    }
    /// `[+-]hh[:mm[:ss]]` in seconds, as written (west positive).
    fn offset(&mut self) -> Option<i32> {
        let negative = self.eat(b'-');
        if !negative {
            self.eat(b'+');
        }
        let hours = self.number()?;
        let mut seconds = hours.checked_mul(3600)?;
        if self.eat(b':') {
            let minutes = self.number().filter(|m| *m < 60)?;
            seconds += minutes * 60;
            if self.eat(b':') {
                seconds += self.number().filter(|s| *s < 60)?;
            }
        }
        if hours > 167 {
            return None;
        }
        Some(if negative { -seconds } else { seconds })
    }
    fn transition(&mut self) -> Option<Transition> {
        let day = if self.eat(b'M') {
            let month = self.number().filter(|m| (1..=12).contains(m))? as u8;
            if !self.eat(b'.') {
                return None;
            }
            let week = self.number().filter(|w| (1..=5).contains(w))? as u8;
            if !self.eat(b'.') {
                return None;
            }
            let weekday = self.number().filter(|d| (0..=6).contains(d))? as u8;
            DayRule::Month {
                month,
                week,
                weekday,
            }
        } else if self.eat(b'J') {
            DayRule::Julian(self.number().filter(|n| (1..=365).contains(n))? as u16)
        } else {
            DayRule::Zero(self.number().filter(|n| (0..=365).contains(n))? as u16)
        };
        let at = if self.eat(b'/') {
            self.offset()?
        } else {
            2 * 3600
        };
        Some(Transition { day, at })
    }
}

impl Serialize for TzRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for TzRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for TzRule {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TzRule".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A POSIX TZ rule, e.g. `EST5EDT,M3.2.0,M11.1.0`: the last line of the zone's tzfile.",
            "minLength": 4
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn unix(text: &str) -> i64 {
        Timestamp::parse(text).unwrap().unix_seconds()
    }

    #[test]
    fn new_york_changes_on_the_second_sunday_of_march_and_first_of_november() {
        let ny: TzRule = "EST5EDT,M3.2.0,M11.1.0".parse().unwrap();
        assert_eq!(ny.offset_at(unix("2026-03-08T01:59:59-05:00")), -5 * 3600);
        assert_eq!(ny.offset_at(unix("2026-03-08T03:00:00-04:00")), -4 * 3600);
        assert_eq!(ny.offset_at(unix("2026-11-01T01:59:59-04:00")), -4 * 3600);
        assert_eq!(ny.offset_at(unix("2026-11-01T01:00:00-05:00")), -5 * 3600);
        // 02:30 on 8 March does not exist: the change itself.
        let local = |t: &str| unix(&format!("{t}+00:00"));
        assert_eq!(
            ny.instant(local("2026-03-08T02:30:00")),
            unix("2026-03-08T03:00:00-04:00")
        );
        // 01:30 on 1 November happens twice: the first.
        assert_eq!(
            ny.instant(local("2026-11-01T01:30:00")),
            unix("2026-11-01T01:30:00-04:00")
        );
        assert_eq!(
            ny.instant(local("2026-11-01T12:00:00")),
            unix("2026-11-01T12:00:00-05:00")
        );
    }

    #[test]
    fn southern_rules_span_the_new_year() {
        let sydney: TzRule = "AEST-10AEDT,M10.1.0,M4.1.0/3".parse().unwrap();
        assert_eq!(
            sydney.offset_at(unix("2026-01-15T12:00:00+11:00")),
            11 * 3600
        );
        assert_eq!(
            sydney.offset_at(unix("2026-06-15T12:00:00+10:00")),
            10 * 3600
        );
        assert_eq!(
            sydney.offset_at(unix("2026-04-05T02:59:59+11:00")),
            11 * 3600
        );
        assert_eq!(
            sydney.offset_at(unix("2026-04-05T02:00:00+10:00")),
            10 * 3600
        );
    }

    #[test]
    fn fixed_and_quoted_rules() {
        let shanghai: TzRule = "CST-8".parse().unwrap();
        assert_eq!(shanghai.offset_at(0), 8 * 3600);
        let odd: TzRule = "<+0545>-5:45".parse().unwrap();
        assert_eq!(odd.offset_at(0), 5 * 3600 + 45 * 60);
        assert_eq!(TzRule::fixed(-300).offset_at(0), -5 * 3600);
        assert_eq!(TzRule::fixed(-300).as_str(), "<UTC-0500>+5:00");
        for bad in [
            "",
            "EST",
            "EST5EDT",
            "EST5EDT,M13.1.0,M11.1.0",
            "EST5EDT,M3.2.0",
        ] {
            let e = bad.parse::<TzRule>().unwrap_err();
            assert!(e.to_string().contains("is not a POSIX TZ rule"), "{e}");
        }
    }
}
