//! Lot-local dates and instants: RFC 3339 in typed form, with the calendar
//! arithmetic a policy needs (local dates, days expired, minutes of a stay).
//!
//! A policy has no clock and no time-zone database. The host converts every
//! instant into the lot's local offset before the policy sees it, so the local
//! date of an event is simply the date part of its [`Timestamp`].

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// An error in a date or time: what was wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError(String);

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimeError {}

fn err(message: impl Into<String>) -> TimeError {
    TimeError(message.into())
}

/// A calendar date (proleptic Gregorian), valid by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date `year-month-day`, or an error naming the part out of range.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, TimeError> {
        if !(1..=9999).contains(&year) {
            return Err(err(format!("year {year} is outside 1 to 9999")));
        }
        if !(1..=12).contains(&month) {
            return Err(err(format!("month {month} is outside 1 to 12")));
        }
        let days = days_in_month(year, month);
        if day == 0 || day > days {
            return Err(err(format!(
                "day {day} is outside 1 to {days} for {year:04}-{month:02}"
            )));
        }
        Ok(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err(format!(
                "`{text}` is not a date of the form YYYY-MM-DD"
            )));
        }
        let year = digits(&b[0..4]).ok_or_else(|| err(format!("`{text}` has a bad year")))?;
        let month = digits(&b[5..7]).ok_or_else(|| err(format!("`{text}` has a bad month")))?;
        let day = digits(&b[8..10]).ok_or_else(|| err(format!("`{text}` has a bad day")))?;
        Date::new(year as i32, month as u8, day as u8)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// The date `days` days later (earlier when negative), saturating at the
    /// ends of the supported range.
    pub fn add_days(self, days: i64) -> Date {
        let n = self
            .days_since_epoch()
            .saturating_add(days)
            .clamp(MIN_DAYS, MAX_DAYS);
        civil_from_days(n)
    }

    /// How many days `self` is after `earlier` (negative if before).
    pub fn days_after(self, earlier: Date) -> i64 {
        self.days_since_epoch() - earlier.days_since_epoch()
    }

    /// The date `days` days after 1970-01-01, saturating at the ends of the
    /// supported range.
    pub fn from_days_since_epoch(days: i64) -> Date {
        civil_from_days(days.clamp(MIN_DAYS, MAX_DAYS))
    }

    /// The day of the week, 0 for Sunday to 6 for Saturday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday.
        (self.days_since_epoch() + 4).rem_euclid(7) as u8
    }

    /// The number of days in the date's month.
    pub fn month_len(self) -> u8 {
        days_in_month(self.year, self.month)
    }
}

/// How many days a pass that is valid through `valid_until` has expired on the
/// local date `today`: the day after `valid_until` is 1; 0 or less is valid.
pub fn days_expired(valid_until: Date, today: Date) -> i64 {
    today.days_after(valid_until)
}

const MIN_DAYS: i64 = -719_162; // 0001-01-01
const MAX_DAYS: i64 = 2_932_896; // 9999-12-31

impl Date {
    /// `YYYY-MM-DD` into a buffer, without the formatting machinery (this
    /// runs in every decision's trace).
    fn write(self, buf: &mut [u8; 10]) {
        let y = self.year.unsigned_abs();
        buf[0] = b'0' + (y / 1000 % 10) as u8;
        buf[1] = b'0' + (y / 100 % 10) as u8;
        buf[2] = b'0' + (y / 10 % 10) as u8;
        buf[3] = b'0' + (y % 10) as u8;
        buf[4] = b'-';
        two_digits(&mut buf[5..7], self.month);
        buf[7] = b'-';
        two_digits(&mut buf[8..10], self.day);
    }
}

fn two_digits(out: &mut [u8], n: u8) {
    out[0] = b'0' + n / 10 % 10;
    out[1] = b'0' + n % 10;
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 10];
        self.write(&mut buf);
        // Only ASCII digits and dashes were written.
        f.write_str(core::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for Date {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl TryFrom<String> for Date {
    type Error = TimeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Date::parse(&s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            (self.year, self.month, self.day).serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Date::parse(&text).map_err(serde::de::Error::custom)
        } else {
            let (y, m, day) = <(i32, u8, u8)>::deserialize(d)?;
            Date::new(y, m, day).map_err(serde::de::Error::custom)
        }
    }
}

/// An instant on the lot's wall clock: a local date and time of day (whole
/// seconds) with the UTC offset in force. RFC 3339 in typed form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    offset_minutes: i16,
}

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const EPOCH: Timestamp = Timestamp {
        date: Date {
            year: 1970,
            month: 1,
            day: 1,
        },
        hour: 0,
        minute: 0,
        second: 0,
        offset_minutes: 0,
    };

    /// A local time, or an error naming the part out of range.
    pub fn new(
        date: Date,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i16,
    ) -> Result<Self, TimeError> {
        if hour > 23 {
            return Err(err(format!("hour {hour} is outside 0 to 23")));
        }
        if minute > 59 {
            return Err(err(format!("minute {minute} is outside 0 to 59")));
        }
        // RFC 3339 allows a leap second; a stay is priced in whole minutes, so
        // it is read as the last second of its minute.
        if second > 60 {
            return Err(err(format!("second {second} is outside 0 to 60")));
        }
        if offset_minutes.unsigned_abs() >= 24 * 60 {
            return Err(err(format!(
                "offset of {offset_minutes} minutes is outside ±23:59"
            )));
        }
        Ok(Timestamp {
            date,
            hour,
            minute,
            second: second.min(59),
            offset_minutes,
        })
    }

    /// Parses RFC 3339, e.g. `2026-11-22T08:15:02+08:00`. Fractions of a
    /// second are dropped.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let bad = || err(format!("`{text}` is not an RFC 3339 date-time"));
        let b = text.as_bytes();
        if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(bad());
        }
        let date = Date::parse(&text[..10])?;
        if b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let hour = digits(&b[11..13]).ok_or_else(bad)? as u8;
        let minute = digits(&b[14..16]).ok_or_else(bad)? as u8;
        let second = digits(&b[17..19]).ok_or_else(bad)? as u8;
        let mut rest = &b[19..];
        if let Some((b'.', tail)) = rest.split_first() {
            let frac = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if frac == 0 {
                return Err(bad());
            }
            rest = &tail[frac..];
        }
        let offset_minutes = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let h = digits(&[*h1, *h2]).ok_or_else(bad)? as i16;
                let m = digits(&[*m1, *m2]).ok_or_else(bad)? as i16;
                if m > 59 {
                    return Err(bad());
                }
                let total = h * 60 + m;
                if *sign == b'-' { -total } else { total }
            }
            _ => return Err(bad()),
        };
        Timestamp::new(date, hour, minute, second, offset_minutes)
    }

    /// The instant `unix_seconds` seconds after 1970-01-01T00:00:00Z, read on
    /// a clock `offset_minutes` east of UTC.
    pub fn from_unix(unix_seconds: i64, offset_minutes: i16) -> Result<Self, TimeError> {
        if offset_minutes.unsigned_abs() >= 24 * 60 {
            return Err(err(format!(
                "offset of {offset_minutes} minutes is outside ±23:59"
            )));
        }
        let local = unix_seconds
            .checked_add(i64::from(offset_minutes) * 60)
            .ok_or_else(|| err("instant out of range"))?;
        let days = local.div_euclid(DAY);
        if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
            return Err(err("instant is outside the years 1 to 9999"));
        }
        let secs = local.rem_euclid(DAY);
        Ok(Timestamp {
            date: civil_from_days(days),
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
            offset_minutes,
        })
    }

    /// The local date: what a pass's `valid_until` is compared with.
    pub fn local_date(&self) -> Date {
        self.date
    }

    /// The hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        self.hour
    }

    /// The minute.
    pub fn minute(&self) -> u8 {
        self.minute
    }

    /// The second.
    pub fn second(&self) -> u8 {
        self.second
    }

    /// Minutes east of UTC.
    pub fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(&self) -> i64 {
        self.date.days_since_epoch() * DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// Whole seconds from `self` to `later`; 0 if `later` is not after.
    pub fn seconds_until(&self, later: &Timestamp) -> u64 {
        u64::try_from(later.unix_seconds() - self.unix_seconds()).unwrap_or(0)
    }

    /// Minutes from `self` to `later`, a started minute counting whole (as
    /// stays are billed); 0 if `later` is not after.
    pub fn minutes_until(&self, later: &Timestamp) -> u64 {
        self.seconds_until(later).div_ceil(60)
    }

    /// The same instant `seconds` later.
    pub fn plus_seconds(&self, seconds: i64) -> Result<Timestamp, TimeError> {
        let t = self
            .unix_seconds()
            .checked_add(seconds)
            .ok_or_else(|| err("instant out of range"))?;
        Timestamp::from_unix(t, self.offset_minutes)
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Instants order by the moment they name, whatever their offsets.
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.unix_seconds()
            .cmp(&other.unix_seconds())
            .then(self.offset_minutes.cmp(&other.offset_minutes))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 25];
        let mut date = [0u8; 10];
        self.date.write(&mut date);
        buf[..10].copy_from_slice(&date);
        buf[10] = b'T';
        two_digits(&mut buf[11..13], self.hour);
        buf[13] = b':';
        two_digits(&mut buf[14..16], self.minute);
        buf[16] = b':';
        two_digits(&mut buf[17..19], self.second);
        let len = if self.offset_minutes == 0 {
            buf[19] = b'Z';
            20
        } else {
            buf[19] = if self.offset_minutes < 0 { b'-' } else { b'+' };
            let abs = self.offset_minutes.unsigned_abs();
            two_digits(&mut buf[20..22], (abs / 60) as u8);
            buf[22] = b':';
            two_digits(&mut buf[23..25], (abs % 60) as u8);
            25
        };
        // Only ASCII was written.
        f.write_str(core::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for Timestamp {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            (self.unix_seconds(), self.offset_minutes).serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Timestamp::parse(&text).map_err(serde::de::Error::custom)
        } else {
            let (unix, offset) = <(i64, i16)>::deserialize(d)?;
            Timestamp::from_unix(unix, offset).map_err(serde::de::Error::custom)
        }
    }
}

/// A span of minutes written the way people say it: `2h14m`, `45m`, `3d2h`.
pub fn format_minutes(minutes: u64) -> String {
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut out = String::with_capacity(12);
    let mut push = |n: u64, unit: char| {
        push_u64(&mut out, n);
        out.push(unit);
    };
    if d > 0 {
        push(d, 'd');
    }
    if h > 0 {
        push(h, 'h');
    }
    if m > 0 || (d == 0 && h == 0) {
        push(m, 'm');
    }
    out
}

/// The decimal digits of `n` (ASCII), written into the end of `buf`.
pub(crate) fn decimal_digits(buf: &mut [u8; 20], n: u64) -> &[u8] {
    let mut i = buf.len();
    let mut rest = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Appends `n` in decimal.
pub fn push_u64(out: &mut String, n: u64) {
    for &b in decimal_digits(&mut [0; 20], n) {
        out.push(char::from(b));
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 31,
    }
}

// Howard Hinnant's `days_from_civil` and `civil_from_days`.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn parses_and_prints_rfc3339() {
        let t = ts("2026-11-22T08:15:02+08:00");
        assert_eq!(t.local_date(), Date::new(2026, 11, 22).unwrap());
        assert_eq!(t.to_string(), "2026-11-22T08:15:02+08:00");
        assert_eq!(
            ts("2026-11-22t00:00:00.123456Z").to_string(),
            "2026-11-22T00:00:00Z"
        );
        assert_eq!(ts("2026-01-01T23:59:59-09:30").offset_minutes(), -570);
    }

    #[test]
    fn refuses_malformed_instants_with_a_reason() {
        for bad in [
            "2026-11-22",
            "2026-11-22T08:15:02",
            "2026-11-22T24:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-22T08:15:02+8:00",
            "2026-11-22T08:15:02.Z",
            "2026-13-01T00:00:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} parsed");
        }
        let e = Date::parse("2026-02-30").unwrap_err().to_string();
        assert_eq!(e, "day 30 is outside 1 to 28 for 2026-02");
    }

    #[test]
    fn instants_compare_across_offsets() {
        let shanghai = ts("2026-11-22T08:00:00+08:00");
        let utc = ts("2026-11-22T00:00:00Z");
        assert_eq!(shanghai.unix_seconds(), utc.unix_seconds());
        assert_eq!(shanghai.seconds_until(&utc), 0);
        assert_eq!(utc.unix_seconds(), 1_795_305_600);
    }

    #[test]
    fn minutes_round_started_minutes_up() {
        let a = ts("2026-11-22T08:00:00+08:00");
        assert_eq!(a.minutes_until(&ts("2026-11-22T08:00:00+08:00")), 0);
        assert_eq!(a.minutes_until(&ts("2026-11-22T08:00:01+08:00")), 1);
        assert_eq!(a.minutes_until(&ts("2026-11-22T08:30:00+08:00")), 30);
        assert_eq!(a.minutes_until(&ts("2026-11-22T08:30:01+08:00")), 31);
        assert_eq!(a.minutes_until(&ts("2026-11-22T07:00:00+08:00")), 0);
    }

    #[test]
    fn days_expired_counts_from_the_day_after_valid_until() {
        let until = Date::parse("2026-11-20").unwrap();
        let d = |s| days_expired(until, Date::parse(s).unwrap());
        assert_eq!(d("2026-11-19"), -1);
        assert_eq!(d("2026-11-20"), 0);
        assert_eq!(d("2026-11-21"), 1);
        assert_eq!(d("2026-11-27"), 7);
        assert_eq!(d("2026-12-01"), 11);
        assert_eq!(
            days_expired(
                Date::parse("2024-02-28").unwrap(),
                Date::parse("2024-03-01").unwrap()
            ),
            2
        );
    }

    #[test]
    fn unix_round_trip_over_centuries() {
        for days in (MIN_DAYS..=MAX_DAYS).step_by(997) {
            let d = civil_from_days(days);
            assert_eq!(d.days_since_epoch(), days, "{d}");
            assert_eq!(Date::new(d.year, d.month, d.day), Ok(d));
        }
        let t = ts("2000-02-29T23:59:59-05:00");
        assert_eq!(Timestamp::from_unix(t.unix_seconds(), -300).unwrap(), t);
        assert_eq!(
            Timestamp::from_unix(t.unix_seconds(), 540)
                .unwrap()
                .to_string(),
            "2000-03-01T13:59:59+09:00"
        );
    }

    #[test]
    fn date_arithmetic() {
        let d = Date::parse("2026-12-31").unwrap();
        assert_eq!(d.add_days(1).to_string(), "2027-01-01");
        assert_eq!(d.add_days(-365).to_string(), "2025-12-31");
        assert_eq!(d.days_after(Date::parse("2026-01-01").unwrap()), 364);
    }

    #[test]
    fn prints_every_shape_of_date_and_time() {
        assert_eq!(Date::new(7, 1, 9).unwrap().to_string(), "0007-01-09");
        assert_eq!(
            ts("2026-01-02T03:04:05-00:30").to_string(),
            "2026-01-02T03:04:05-00:30"
        );
        assert_eq!(
            ts("9999-12-31T23:59:59+23:59").to_string(),
            "9999-12-31T23:59:59+23:59"
        );
        let mut s = String::new();
        push_u64(&mut s, u64::MAX);
        assert_eq!(s, "18446744073709551615");
    }

    #[test]
    fn formats_spans() {
        assert_eq!(format_minutes(0), "0m");
        assert_eq!(format_minutes(134), "2h14m");
        assert_eq!(format_minutes(1440 + 60), "1d1h");
    }

    #[test]
    fn serde_is_rfc3339_in_json_and_compact_in_binary() {
        let t = ts("2026-11-22T08:15:02+08:00");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-22T08:15:02+08:00\""
        );
        let bin = postcard::to_allocvec(&t).unwrap();
        assert_eq!(postcard::from_bytes::<Timestamp>(&bin).unwrap(), t);
        let e = serde_json::from_str::<Timestamp>("\"yesterday\"").unwrap_err();
        assert!(
            e.to_string()
                .contains("`yesterday` is not an RFC 3339 date-time"),
            "{e}"
        );
    }
}
