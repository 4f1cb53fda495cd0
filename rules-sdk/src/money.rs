//! Currencies and amounts in integer minor units (fen for CNY, won for KRW):
//! no floating point ever touches money.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 4217 currency code: three ASCII capital letters, valid by
/// construction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const CNY: Currency = Currency(*b"CNY");
    pub const KRW: Currency = Currency(*b"KRW");

    /// Parses a code such as `CNY`.
    pub fn parse(code: &str) -> Result<Self, String> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Currency([a, b, c])),
            _ => Err(format!(
                "`{code}` is not an ISO 4217 currency code (three capital letters)"
            )),
        }
    }

    pub fn code(&self) -> &str {
        // Three ASCII capitals are always UTF-8.
        core::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point in the major unit (2 for CNY, 0 for KRW).
    pub fn minor_digits(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            _ => 2,
        }
    }

    /// An amount in minor units written in the major unit: `500` fen is `5`,
    /// `250` is `2.5` (`2.50` with `pad`), `1` is `0.01`.
    pub fn major(&self, amount: u64, pad: bool) -> String {
        let digits = self.minor_digits();
        let scale = 10u64.pow(digits);
        let (whole, frac) = (amount / scale, amount % scale);
        let whole = group_thousands(whole);
        if digits == 0 || (frac == 0 && !pad) {
            return whole;
        }
        let mut frac = format!("{frac:0width$}", width = digits as usize);
        if !pad {
            while frac.ends_with('0') {
                frac.pop();
            }
        }
        format!("{whole}.{frac}")
    }
}

fn group_thousands(n: u64) -> String {
    let raw = n.to_string();
    let mut out = String::with_capacity(raw.len() + raw.len() / 3);
    for (i, c) in raw.chars().enumerate() {
        if i > 0 && (raw.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount of money in a currency's minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: u64,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: u64, currency: Currency) -> Self {
        Money { amount, currency }
    }
}

/// `12.50 CNY`: the form used in traces.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.currency.major(self.amount, true),
            self.currency
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_major_units() {
        let cny = Currency::CNY;
        assert_eq!(cny.major(500, false), "5");
        assert_eq!(cny.major(250, false), "2.5");
        assert_eq!(cny.major(250, true), "2.50");
        assert_eq!(cny.major(1, false), "0.01");
        assert_eq!(cny.major(123_456_789, false), "1,234,567.89");
        assert_eq!(Currency::KRW.major(3000, true), "3,000");
        assert_eq!(Currency::parse("KWD").unwrap().major(1500, false), "1.5");
        assert_eq!(Money::new(1100, cny).to_string(), "11.00 CNY");
    }

    #[test]
    fn refuses_codes_that_are_not_three_capitals() {
        for bad in ["", "cny", "CN", "CNYY", "C1Y", "人民币"] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::from_str::<Currency>("\"usd\"")
                .unwrap_err()
                .to_string(),
            "`usd` is not an ISO 4217 currency code (three capital letters)"
        );
    }
}
