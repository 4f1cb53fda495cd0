//! Lot time zones: instants from robots (any offset) turned into the lot's
//! wall clock, which is what a policy reasons in.

use boomgate_engine::sdk::{Date, Timestamp};

/// A lot's IANA time zone.
#[derive(Debug, Clone)]
pub struct LotZone {
    name: String,
    zone: jiff::tz::TimeZone,
}

impl LotZone {
    /// `Asia/Shanghai`, `Asia/Seoul`, ...
    pub fn parse(name: &str) -> Result<LotZone, String> {
        jiff::tz::TimeZone::get(name)
            .map(|zone| LotZone {
                name: name.to_owned(),
                zone,
            })
            .map_err(|_| format!("`{name}` is not an IANA time zone (e.g. `Asia/Shanghai`)"))
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone itself.
    pub fn tz(&self) -> &jiff::tz::TimeZone {
        &self.zone
    }

    /// The instant `unix_ms` on the lot's wall clock.
    pub fn local(&self, unix_ms: i64) -> Timestamp {
        let secs = unix_ms.div_euclid(1000);
        let offset = jiff::Timestamp::from_second(secs)
            .map(|t| self.zone.to_offset(t).seconds())
            .unwrap_or(0);
        // Offsets with seconds (local mean time before 1900) are cut to the
        // minute; `from_unix` only fails outside the years 1 to 9999, which
        // the service's clock and inputs never reach.
        Timestamp::from_unix(secs, (offset / 60) as i16).unwrap_or(Timestamp::EPOCH)
    }

    /// The lot's local date at `unix_ms`.
    pub fn today(&self, unix_ms: i64) -> Date {
        self.local(unix_ms).local_date()
    }
}

impl TryFrom<String> for LotZone {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        LotZone::parse(&name)
    }
}

/// Reads an RFC 3339 instant in any offset, as Unix milliseconds.
pub fn parse_instant(text: &str) -> Result<i64, String> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| format!("`{text}` is not an RFC 3339 date-time with an offset"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_into_the_lot_wall_clock() {
        let shanghai = LotZone::parse("Asia/Shanghai").unwrap();
        let ms = parse_instant("2026-11-21T16:10:00Z").unwrap();
        assert_eq!(shanghai.local(ms).to_string(), "2026-11-22T00:10:00+08:00");
        assert_eq!(shanghai.today(ms).to_string(), "2026-11-22");
        let new_york = LotZone::parse("America/New_York").unwrap();
        let before = parse_instant("2026-11-01T05:30:00Z").unwrap();
        let after = parse_instant("2026-11-01T06:10:00Z").unwrap();
        assert_eq!(
            new_york.local(before).to_string(),
            "2026-11-01T01:30:00-04:00"
        );
        assert_eq!(
            new_york.local(after).to_string(),
            "2026-11-01T01:10:00-05:00"
        );
        assert!(
            LotZone::parse("Mars/Olympus")
                .unwrap_err()
                .contains("`Mars/Olympus`")
        );
        assert!(parse_instant("2026-11-01 05:30").is_err());
    }
}
