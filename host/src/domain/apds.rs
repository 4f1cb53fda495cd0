//! APDS rate tables (the Alliance for Parking Data Standards' `RateTable`
//! with its `RateLineCollection` and `RateLine`s, in the `parkingdata/spec`
//! draft's shape or the released v4's) turned into a standard-lot tariff.
//!
//! What maps:
//! - one collection's lines, in `sequence` order, each from
//!   `durationStart` to `durationEnd` (time since entry, `hh:mm` or
//!   `dd:hh:mm`), contiguous from `00:00`: an `incrementingRate` line is a
//!   tier charging `value` per started `incrementPeriod`; a `flatRateTier`
//!   line is a tier charged once (its values add up, as APDS's examples
//!   read); a lone `flatRate` line is one price per cycle;
//! - a first line of value 0 is the free minutes (never billed);
//! - the last `incrementingRate` line goes on for the rest of the cycle;
//! - `maxValueCollection` is a cap: per calendar day from `resetTime` when
//!   one is given (or `rateType: daily`), per stay otherwise; a `maxValue`
//!   on the only line is the same cap;
//! - amounts are in major units of `applicableCurrency`, converted exactly
//!   to the minor unit.
//!
//! Everything else that changes a price is refused with the JSON path of
//! what cannot be expressed: several collections, event or contract
//! rates, prices without tax, discounts and combinations, superseding
//! tables, minimum charges, usage limits, validity limited to days or times
//! (import each band's table into a `bands` entry by hand), unknown fields.
//! What does not change a price but is not kept (a maximum stay) is listed
//! in the notes.

use boomgate_engine::sdk::tariff::{Cycle, LocalTime, Tariff, Tier};
use boomgate_engine::sdk::{Currency, FreeMode};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A tariff made from an APDS rate table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Imported {
    /// The table's currency, ISO 4217.
    pub currency: String,
    /// The standard lot's `fees` settings.
    #[schema(value_type = Object)]
    pub fees: Tariff,
    /// What the table says that the tariff does not keep (a maximum stay),
    /// and how lines were read.
    pub notes: Vec<String>,
}

/// Why a table was refused: the JSON path of what cannot be expressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn refuse(path: impl Into<String>, message: impl Into<String>) -> Refused {
    Refused {
        path: path.into(),
        message: message.into(),
    }
}

const TABLE_FIELDS: &[&str] = &[
    "id",
    "version",
    "rateTableName",
    "rateTableID",
    "validityStart",
    "validityEnd",
    "validity",
    "validation",
    "rateType",
    "activeTimes",
    "availability",
    "rateResponsibleParty",
    "rateSupersedeLink",
    "rateLineCollections",
    "additionalInformation",
];

const COLLECTION_FIELDS: &[&str] = &[
    "id",
    "version",
    "applicableCurrency",
    "collectionSequence",
    "minTime",
    "maxTime",
    "minValue",
    "maxValue",
    "minValueCollection",
    "maxValueCollection",
    "relativeTimes",
    "resetTime",
    "taxIncluded",
    "taxRate",
    "taxValue",
    "validStart",
    "validEnd",
    "referenceTimeStart",
    "referenceTimeEnd",
    "rateLines",
];

const LINE_FIELDS: &[&str] = &[
    "id",
    "version",
    "description",
    "durationStart",
    "durationEnd",
    "incrementPeriod",
    "rateLineType",
    "sequence",
    "value",
    "usageCondition",
    "rateLineTax",
    "minValue",
    "maxValue",
];

fn known(obj: &Map<String, Value>, path: &str, fields: &[&str]) -> Result<(), Refused> {
    for key in obj.keys() {
        if !fields.contains(&key.as_str()) {
            let hint = match key.as_str() {
                "durationStartTime" => " (did you mean `durationStart`?)",
                "durationEndTime" => " (did you mean `durationEnd`?)",
                _ => "",
            };
            return Err(refuse(
                format!("{path}.{key}"),
                format!("is not a field of an APDS {}{hint}", kind(path)),
            ));
        }
    }
    Ok(())
}

fn kind(path: &str) -> &'static str {
    if path.ends_with(']') && path.contains("rateLines") {
        "RateLine"
    } else if path.contains("rateLineCollections") {
        "RateLineCollection"
    } else {
        "RateTable"
    }
}

/// Converts an APDS rate table.
pub fn import(doc: &Value) -> Result<Imported, Refused> {
    let table = doc
        .as_object()
        .ok_or_else(|| refuse("$", "an APDS RateTable is a JSON object"))?;
    known(table, "$", TABLE_FIELDS)?;
    let mut notes = Vec::new();
    if let Some(t @ ("event" | "contract")) = table.get("rateType").and_then(Value::as_str) {
        return Err(refuse(
            "$.rateType",
            format!(
                "`{t}` rates are not parking-stay tariffs; only `hourly` and `daily` are imported"
            ),
        ));
    }
    if table.get("rateSupersedeLink").is_some() {
        return Err(refuse(
            "$.rateSupersedeLink",
            "a table that temporarily supersedes another cannot be imported: import the table it supersedes, and change the settings when the override applies",
        ));
    }
    if table.get("validation") == Some(&Value::Bool(true)) {
        notes.push("validations (`validation: true`) are granted per stay with `POST /v1/lots/{lot}/discounts`".to_owned());
    }
    if let Some(validity) = table.get("validity") {
        check_validity(validity, "$.validity")?;
    }
    if let Some(active) = table.get("activeTimes").and_then(Value::as_array)
        && !active.is_empty()
    {
        return Err(refuse(
            "$.activeTimes",
            "active times limit the table to some periods: a tariff applies at all times (put each period's lines in a band by hand)",
        ));
    }
    let collections = table
        .get("rateLineCollections")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            refuse(
                "$.rateLineCollections",
                "is required: a list of one collection",
            )
        })?;
    let [collection] = collections.as_slice() else {
        return Err(refuse(
            "$.rateLineCollections",
            format!(
                "has {} collections; one is imported (a table per band or period is not combined)",
                collections.len()
            ),
        ));
    };
    let path = "$.rateLineCollections[0]";
    let c = collection
        .as_object()
        .ok_or_else(|| refuse(path, "is not an object"))?;
    known(c, path, COLLECTION_FIELDS)?;
    let currency_code = c
        .get("applicableCurrency")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            refuse(
                format!("{path}.applicableCurrency"),
                "is required (ISO 4217)",
            )
        })?;
    let currency = Currency::parse(currency_code)
        .map_err(|e| refuse(format!("{path}.applicableCurrency"), e))?;
    if c.get("referenceTimeStart").is_some() {
        return Err(refuse(
            format!("{path}.referenceTimeStart"),
            "event pricing (times relative to an event) is not a parking-stay tariff",
        ));
    }
    if c.get("taxIncluded") == Some(&Value::Bool(false)) {
        return Err(refuse(
            format!("{path}.taxIncluded"),
            "prices without tax cannot be imported: a lot's fees are what the driver pays",
        ));
    }
    for field in ["minValue", "minValueCollection"] {
        if c.get(field).is_some() {
            return Err(refuse(
                format!("{path}.{field}"),
                "a minimum charge cannot be expressed by the tariff",
            ));
        }
    }
    if c.get("maxValue").is_some() {
        return Err(refuse(
            format!("{path}.maxValue"),
            "the draft's collection `maxValue` is undefined (\"FIXME\"); give `maxValueCollection`",
        ));
    }
    if let Some(max) = c.get("maxTime").and_then(Value::as_str) {
        notes.push(format!(
            "the table's maximum stay `{max}` is not enforced by a tariff"
        ));
    }
    let reset = match c.get("resetTime") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(
            t.parse::<LocalTime>()
                .map_err(|e| refuse(format!("{path}.resetTime"), e))?,
        ),
        Some(_) => {
            return Err(refuse(
                format!("{path}.resetTime"),
                "is a time of day `HH:MM`",
            ));
        }
    };
    let daily = table.get("rateType").and_then(Value::as_str) == Some("daily");

    let lines = c
        .get("rateLines")
        .and_then(Value::as_array)
        .ok_or_else(|| refuse(format!("{path}.rateLines"), "is required: the rate lines"))?;
    if lines.is_empty() {
        return Err(refuse(format!("{path}.rateLines"), "has no lines"));
    }
    let mut ordered: Vec<(i64, usize, &Map<String, Value>)> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let at = format!("{path}.rateLines[{i}]");
        let l = line
            .as_object()
            .ok_or_else(|| refuse(&at, "is not an object"))?;
        known(l, &at, LINE_FIELDS)?;
        let sequence = l
            .get("sequence")
            .and_then(Value::as_i64)
            .ok_or_else(|| refuse(format!("{at}.sequence"), "is required: the line's place"))?;
        if ordered.iter().any(|(s, _, _)| *s == sequence) {
            return Err(refuse(
                format!("{at}.sequence"),
                format!("{sequence} is given to two lines"),
            ));
        }
        ordered.push((sequence, i, l));
    }
    ordered.sort_by_key(|(s, _, _)| *s);

    let mut tariff = Tariff::default();
    let mut cap_of_line = None;
    let mut expected_start = 0u32;
    let count = ordered.len();
    for (n, (_, i, l)) in ordered.iter().enumerate() {
        let at = format!("{path}.rateLines[{i}]");
        let last = n + 1 == count;
        if let Some(u) = l.get("usageCondition").and_then(Value::as_str)
            && matches!(u, "fixedDuration" | "fixedNumber")
        {
            return Err(refuse(
                format!("{at}.usageCondition"),
                format!("`{u}` refers to a limit APDS does not define"),
            ));
        }
        if l.get("minValue").is_some() {
            return Err(refuse(
                format!("{at}.minValue"),
                "a minimum charge cannot be expressed by the tariff",
            ));
        }
        if let Some(tax) = l.get("rateLineTax")
            && tax.get("taxIncluded") == Some(&Value::Bool(false))
        {
            return Err(refuse(
                format!("{at}.rateLineTax.taxIncluded"),
                "prices without tax cannot be imported",
            ));
        }
        let value = amount(l.get("value"), currency, &format!("{at}.value"))?;
        let kind = l
            .get("rateLineType")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                refuse(
                    format!("{at}.rateLineType"),
                    "is required: `incrementingRate`, `flatRateTier` or `flatRate`",
                )
            })?;
        let start = match l.get("durationStart") {
            Some(v) => elapsed(v, &format!("{at}.durationStart"))?,
            None => expected_start,
        };
        if start != expected_start {
            return Err(refuse(
                format!("{at}.durationStart"),
                format!(
                    "starts at {} but the line before ends at {}: lines must follow each other from 00:00",
                    hhmm(start),
                    hhmm(expected_start)
                ),
            ));
        }
        let end = l
            .get("durationEnd")
            .map(|v| elapsed(v, &format!("{at}.durationEnd")))
            .transpose()?;
        if let Some(end) = end
            && end <= start
        {
            return Err(refuse(
                format!("{at}.durationEnd"),
                "must be after `durationStart`",
            ));
        }
        let increment = l
            .get("incrementPeriod")
            .map(|v| duration(v, &format!("{at}.incrementPeriod")))
            .transpose()?;
        if let Some(max) = l.get("maxValue") {
            if count > 1 {
                return Err(refuse(
                    format!("{at}.maxValue"),
                    "a cap on one of several lines cannot be expressed; give the collection's `maxValueCollection`",
                ));
            }
            cap_of_line = Some(amount(Some(max), currency, &format!("{at}.maxValue"))?);
        }
        let length = end.map(|e| e - start);
        match kind {
            "flatRate" => {
                if count > 1 {
                    return Err(refuse(
                        format!("{at}.rateLineType"),
                        "a `flatRate` line is imported only as the table's one line (one price per cycle)",
                    ));
                }
                tariff.tiers.push(Tier {
                    minutes: None,
                    every_minutes: None,
                    amount: value,
                });
            }
            "flatRateTier" | "incrementingRate" if n == 0 && value == 0 && !last => {
                let Some(length) = length else {
                    return Err(refuse(
                        format!("{at}.durationEnd"),
                        "a free first line needs its end",
                    ));
                };
                tariff.free_minutes = length;
                tariff.free_mode = FreeMode::Deduct;
                notes.push(format!(
                    "the free first line ({}) is the free minutes, never billed",
                    hhmm(length)
                ));
            }
            "flatRateTier" => {
                let Some(length) = length else {
                    return Err(refuse(
                        format!("{at}.durationEnd"),
                        "a `flatRateTier` line needs its end",
                    ));
                };
                if increment.is_some_and(|inc| inc != length) {
                    return Err(refuse(
                        format!("{at}.incrementPeriod"),
                        "a `flatRateTier` line is charged once for its whole tier: its increment must equal its length",
                    ));
                }
                tariff.tiers.push(Tier {
                    minutes: Some(length),
                    every_minutes: None,
                    amount: value,
                });
            }
            "incrementingRate" => {
                let Some(every) = increment else {
                    return Err(refuse(
                        format!("{at}.incrementPeriod"),
                        "an `incrementingRate` line needs its increment",
                    ));
                };
                if last && length.is_some() {
                    notes.push(format!(
                        "the last line's end ({}) is read as open: it goes on for the rest of the cycle",
                        hhmm(end.unwrap_or(start))
                    ));
                }
                tariff.tiers.push(Tier {
                    minutes: if last { None } else { length },
                    every_minutes: Some(every),
                    amount: value,
                });
            }
            other => {
                return Err(refuse(
                    format!("{at}.rateLineType"),
                    format!(
                        "`{other}` is not an APDS rate line type (`incrementingRate`, `flatRateTier`, `flatRate`)"
                    ),
                ));
            }
        }
        expected_start = end.unwrap_or(expected_start);
    }
    if tariff.tiers.is_empty() {
        return Err(refuse(
            format!("{path}.rateLines"),
            "has only a free line: nothing is priced",
        ));
    }
    let collection_cap = match c.get("maxValueCollection") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => {
            if m.get("currencyType").and_then(Value::as_str) != Some(currency.code()) {
                return Err(refuse(
                    format!("{path}.maxValueCollection.currencyType"),
                    format!("must be the collection's currency `{}`", currency.code()),
                ));
            }
            Some(amount(
                m.get("currencyValue"),
                currency,
                &format!("{path}.maxValueCollection.currencyValue"),
            )?)
        }
        Some(v) => Some(amount(
            Some(v),
            currency,
            &format!("{path}.maxValueCollection"),
        )?),
    };
    if let Some(cap) = collection_cap.or(cap_of_line) {
        match (reset, daily) {
            (Some(reset_at), _) => {
                tariff.cycle = Cycle::CalendarDay { reset_at };
                tariff.daily_cap = Some(cap);
            }
            (None, true) => {
                tariff.cycle = Cycle::CalendarDay {
                    reset_at: LocalTime::MIDNIGHT,
                };
                tariff.daily_cap = Some(cap);
            }
            (None, false) => tariff.stay_cap = Some(cap),
        }
    }
    tariff
        .check("fees")
        .map_err(|e| refuse(format!("$ (as {})", e.path), e.message))?;
    Ok(Imported {
        currency: currency.code().to_owned(),
        fees: tariff,
        notes,
    })
}

/// Refuses a validity that limits the table to some days or times.
fn check_validity(validity: &Value, path: &str) -> Result<(), Refused> {
    if let Some(status) = validity.get("validityStatus").and_then(Value::as_str)
        && matches!(status, "planned" | "suspended")
    {
        return Err(refuse(
            format!("{path}.validityStatus"),
            format!("a `{status}` table is not in force"),
        ));
    }
    let spec = validity.get("validityTimeSpecification");
    if spec
        .and_then(|s| s.get("exceptionPeriods"))
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty())
    {
        return Err(refuse(
            format!("{path}.validityTimeSpecification.exceptionPeriods"),
            "exception periods cannot be expressed; list holidays in `holidays` and price them in a band",
        ));
    }
    let periods = spec
        .and_then(|s| s.get("validPeriods"))
        .and_then(Value::as_array);
    for (i, period) in periods.into_iter().flatten().enumerate() {
        let at = format!("{path}.validityTimeSpecification.validPeriods[{i}]");
        for (field, all) in [
            (
                "recurringTimePeriodOfDay",
                all_day(period.get("recurringTimePeriodOfDay")),
            ),
            (
                "recurringDayWeekMonthPeriod",
                all_week(period.get("recurringDayWeekMonthPeriod")),
            ),
            (
                "recurringSpecialDay",
                period
                    .get("recurringSpecialDay")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty),
            ),
        ] {
            if !all {
                return Err(refuse(
                    format!("{at}.{field}"),
                    "limits the table to some days or times: a tariff's own rate applies at all times; import the table of each band and put its lines in a `bands` entry",
                ));
            }
        }
    }
    Ok(())
}

fn all_day(periods: Option<&Value>) -> bool {
    periods.and_then(Value::as_array).is_none_or(|ps| {
        ps.is_empty()
            || ps.iter().any(|p| {
                let start = p.get("startTimeOfPeriod").and_then(Value::as_str);
                let end = p.get("endTimeOfPeriod").and_then(Value::as_str);
                start == Some("00:00") && matches!(end, Some("00:00" | "24:00" | "23:59"))
            })
    })
}

fn all_week(periods: Option<&Value>) -> bool {
    periods.and_then(Value::as_array).is_none_or(|ps| {
        ps.is_empty()
            || ps.iter().any(|p| {
                p.get("applicableMonth").is_none()
                    && p.get("applicableWeek").is_none()
                    && p.get("applicableDay")
                        .and_then(Value::as_array)
                        .is_none_or(|days| days.len() == 7)
            })
    })
}

/// An amount in major units, exactly in the minor unit.
fn amount(value: Option<&Value>, currency: Currency, path: &str) -> Result<u64, Refused> {
    let Some(Value::Number(n)) = value else {
        return Err(refuse(
            path,
            "is required: an amount in major units, e.g. 1.5",
        ));
    };
    let text = n.to_string();
    if text.starts_with('-') {
        return Err(refuse(path, format!("{text} is negative")));
    }
    let digits = currency.minor_digits() as usize;
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    if text.contains(['e', 'E']) {
        return Err(refuse(
            path,
            format!("{text} is not a plain decimal amount"),
        ));
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > digits {
        return Err(refuse(
            path,
            format!(
                "{text} has more decimals than {} has ({digits})",
                currency.code()
            ),
        ));
    }
    let minor = format!("{whole}{frac:0<digits$}");
    minor
        .parse::<u64>()
        .map_err(|_| refuse(path, format!("{text} is out of range")))
}

/// Time since entry, `hh:mm` or `dd:hh:mm`, in minutes.
fn elapsed(value: &Value, path: &str) -> Result<u32, Refused> {
    let bad = || refuse(path, "is time since entry, `hh:mm` or `dd:hh:mm`");
    let text = value.as_str().ok_or_else(bad)?;
    let parts: Vec<u32> = text
        .split(':')
        .map(|p| p.parse::<u32>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let minutes = match parts.as_slice() {
        [h, m] if *m < 60 => h * 60 + m,
        [d, h, m] if *h < 24 && *m < 60 => d * 1440 + h * 60 + m,
        _ => return Err(bad()),
    };
    Ok(minutes)
}

/// An ISO 8601 duration of whole minutes (`PT30M`, `PT1H`, `P1D`).
fn duration(value: &Value, path: &str) -> Result<u32, Refused> {
    let bad = |why: &str| {
        refuse(
            path,
            format!("is not an ISO 8601 duration of whole minutes ({why}), e.g. `PT30M`"),
        )
    };
    let text = value.as_str().ok_or_else(|| bad("not a string"))?;
    let rest = text.strip_prefix('P').ok_or_else(|| bad("no leading P"))?;
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut seconds: u64 = 0;
    let mut take = |part: &str, units: &[(char, u64)]| -> Result<(), Refused> {
        let mut number = String::new();
        for ch in part.chars() {
            if ch.is_ascii_digit() {
                number.push(ch);
                continue;
            }
            let scale = units
                .iter()
                .find(|(u, _)| *u == ch)
                .map(|(_, s)| *s)
                .ok_or_else(|| bad(&format!("`{ch}` is a calendar unit or unknown")))?;
            let n: u64 = number.parse().map_err(|_| bad("a number is missing"))?;
            seconds += n * scale;
            number.clear();
        }
        if number.is_empty() {
            Ok(())
        } else {
            Err(bad("a unit is missing"))
        }
    };
    take(days, &[('D', 86_400)])?;
    take(time, &[('H', 3600), ('M', 60), ('S', 1)])?;
    if seconds == 0 || !seconds.is_multiple_of(60) {
        return Err(bad("zero, or not whole minutes"));
    }
    u32::try_from(seconds / 60).map_err(|_| bad("too long"))
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use boomgate_engine::sdk::Timestamp;
    use boomgate_engine::sdk::tariff::Context;
    use serde_json::json;

    fn price(t: &Tariff, minutes: i64) -> u64 {
        let e = Timestamp::parse("2026-11-23T08:00:00+00:00").unwrap();
        t.price(
            &e,
            &e.plus_seconds(minutes * 60).unwrap(),
            &Context::default(),
        )
        .total
    }

    /// apds-sandbox `examples/rate_line_types.md`, "Combinations": first
    /// half hour 3, second half hour 2, then 1 an hour, at most 7 hours.
    #[test]
    fn imports_the_combinations_example() {
        let doc = json!({
            "id": "RATE_TABLE_ID", "version": 1,
            "rateTableName": [{ "language": "en", "string": "standard day on-street"}],
            "availability": "public", "rateType": "hourly",
            "rateLineCollections": [{
                "collectionSequence": 0, "applicableCurrency": "GBP", "maxTime": "PT7H",
                "rateLines": [
                    { "sequence": 0, "rateLineType": "flatRateTier", "durationStart": "00:00", "durationEnd": "00:30", "incrementPeriod": "PT30M", "value": 3, "usageCondition": "once" },
                    { "sequence": 1, "rateLineType": "flatRateTier", "durationStart": "00:30", "durationEnd": "01:00", "incrementPeriod": "PT30M", "value": 2, "usageCondition": "once" },
                    { "sequence": 2, "rateLineType": "incrementingRate", "durationStart": "01:00", "durationEnd": "07:00", "incrementPeriod": "PT1H", "value": 1, "usageCondition": "unlimited" }
                ]
            }]
        });
        let imported = import(&doc).unwrap();
        assert_eq!(imported.currency, "GBP");
        assert_eq!(
            [20, 31, 60, 61, 120, 121].map(|m| price(&imported.fees, m)),
            [300, 500, 500, 600, 600, 700]
        );
        assert!(
            imported
                .notes
                .iter()
                .any(|n| n.contains("maximum stay `PT7H`")),
            "{:?}",
            imported.notes
        );
    }

    /// The same file's "incrementingRate": 1.50 per half hour, at most 7.50.
    #[test]
    fn a_capped_increment_is_a_stay_cap_or_a_daily_one() {
        let mut doc = json!({
            "id": "T", "version": 1, "rateType": "hourly",
            "rateLineCollections": [{ "collectionSequence": 0, "applicableCurrency": "GBP", "rateLines": [
                { "sequence": 0, "rateLineType": "incrementingRate", "durationStart": "00:00", "durationEnd": "15:00", "incrementPeriod": "PT30M", "value": 1.5, "maxValue": 7.5 }
            ]}]
        });
        let imported = import(&doc).unwrap();
        assert_eq!(imported.fees.stay_cap, Some(750));
        assert_eq!(
            [30, 31, 600].map(|m| price(&imported.fees, m)),
            [150, 300, 750]
        );
        doc["rateLineCollections"][0]["resetTime"] = json!("00:00");
        let daily = import(&doc).unwrap();
        assert_eq!(daily.fees.daily_cap, Some(750));
        assert!(matches!(daily.fees.cycle, Cycle::CalendarDay { .. }));
    }

    #[test]
    fn a_free_first_line_is_the_free_minutes() {
        let doc = json!({ "rateLineCollections": [{ "applicableCurrency": "CNY",
        "maxValueCollection": { "currencyType": "CNY", "currencyValue": 30 }, "resetTime": "00:00",
        "rateLines": [
            { "sequence": 1, "rateLineType": "flatRateTier", "durationStart": "00:00", "durationEnd": "00:30", "value": 0 },
            { "sequence": 2, "rateLineType": "incrementingRate", "durationStart": "00:30", "incrementPeriod": "PT1H", "value": 3 }
        ]}]});
        let imported = import(&doc).unwrap();
        assert_eq!(
            (imported.fees.free_minutes, imported.fees.free_mode),
            (30, FreeMode::Deduct)
        );
        assert_eq!(
            [30, 31, 90, 91].map(|m| price(&imported.fees, m)),
            [0, 300, 300, 600]
        );
        assert_eq!(imported.fees.daily_cap, Some(3000));
    }

    #[test]
    fn refuses_what_it_cannot_express_naming_the_path() {
        let line = json!({ "sequence": 0, "rateLineType": "incrementingRate", "durationStart": "00:00", "incrementPeriod": "PT1H", "value": 1 });
        let table = |collection: Value| json!({ "rateLineCollections": [collection] });
        let cases = [
            (
                table(
                    json!({ "applicableCurrency": "CNY", "taxIncluded": false, "rateLines": [line] }),
                ),
                "$.rateLineCollections[0].taxIncluded",
            ),
            (
                table(
                    json!({ "applicableCurrency": "CNY", "minValueCollection": 1, "rateLines": [line] }),
                ),
                "$.rateLineCollections[0].minValueCollection",
            ),
            (
                table(
                    json!({ "applicableCurrency": "JPY", "rateLines": [{ "sequence": 0, "rateLineType": "incrementingRate", "durationStart": "00:00", "incrementPeriod": "PT1H", "value": 1.5 }] }),
                ),
                "$.rateLineCollections[0].rateLines[0].value",
            ),
            (
                table(
                    json!({ "applicableCurrency": "CNY", "rateLines": [{ "sequence": 0, "rateLineType": "incrementingRate", "durationStartTime": "00:00", "incrementPeriod": "PT1H", "value": 1 }] }),
                ),
                "$.rateLineCollections[0].rateLines[0].durationStartTime",
            ),
            (
                table(
                    json!({ "applicableCurrency": "CNY", "rateLines": [{ "sequence": 0, "rateLineType": "incrementingRate", "incrementPeriod": "P1M", "value": 1 }] }),
                ),
                "$.rateLineCollections[0].rateLines[0].incrementPeriod",
            ),
            (
                table(json!({ "applicableCurrency": "CNY", "rateLines": [
                { "sequence": 0, "rateLineType": "flatRateTier", "durationStart": "00:00", "durationEnd": "01:00", "value": 5 },
                { "sequence": 1, "rateLineType": "incrementingRate", "durationStart": "02:00", "incrementPeriod": "PT1H", "value": 3 }] })),
                "$.rateLineCollections[0].rateLines[1].durationStart",
            ),
            (
                json!({ "rateType": "event", "rateLineCollections": [] }),
                "$.rateType",
            ),
            (
                json!({ "validity": { "validityTimeSpecification": { "overallStartTime": "2025-01-01T00:00:00Z", "validPeriods": [
                { "recurringTimePeriodOfDay": [{ "startTimeOfPeriod": "07:00", "endTimeOfPeriod": "22:00" }] }] } },
                "rateLineCollections": [{ "applicableCurrency": "CNY", "rateLines": [line] }] }),
                "$.validity.validityTimeSpecification.validPeriods[0].recurringTimePeriodOfDay",
            ),
        ];
        for (doc, path) in cases {
            let e = import(&doc).unwrap_err();
            assert_eq!(e.path, path, "{e}");
        }
    }
}
