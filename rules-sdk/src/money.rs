//! Currencies and amounts in integer minor units (fen for CNY, won for KRW):
//! no floating point ever touches money.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 4217 currency code: three ASCII capital letters, valid by
/// construction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Chinese yuan (minor unit: fen).
    pub const CNY: Currency = Currency(*b"CNY");
    /// Korean won (no minor unit).
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

    /// The three-letter code.
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
        let mut out = String::with_capacity(24);
        self.write_major(&mut out, amount, pad);
        out
    }

    /// [`major`](Self::major), appended to `out`.
    pub fn write_major(&self, out: &mut String, amount: u64, pad: bool) {
        let digits = self.minor_digits();
        let scale = 10u64.pow(digits);
        let (whole, frac) = (amount / scale, amount % scale);
        push_grouped(out, whole);
        if digits == 0 || (frac == 0 && !pad) {
            return;
        }
        out.push('.');
        let mut buf = [b'0'; 3];
        let mut f = frac;
        for i in (0..digits as usize).rev() {
            buf[i] = b'0' + (f % 10) as u8;
            f /= 10;
        }
        let mut len = digits as usize;
        if !pad {
            while len > 0 && buf[len - 1] == b'0' {
                len -= 1;
            }
        }
        for &b in &buf[..len] {
            out.push(char::from(b));
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(code: String) -> Result<Self, String> {
        Currency::parse(&code)
    }
}

/// Appends `n` with a comma between groups of three digits.
fn push_grouped(out: &mut String, n: u64) {
    let mut buf = [0; 20];
    let digits = crate::time::decimal_digits(&mut buf, n);
    for (k, &b) in digits.iter().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(char::from(b));
    }
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

/// The code in JSON; three bytes in the compact form.
impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(self.code())
        } else {
            self.0.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Currency::parse(&code).map_err(serde::de::Error::custom)
        } else {
            let bytes = <[u8; 3]>::deserialize(d)?;
            match bytes.iter().all(u8::is_ascii_uppercase) {
                true => Ok(Currency(bytes)),
                false => Err(serde::de::Error::custom("not a currency code")),
            }
        }
    }
}

/// An amount of money in a currency's minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// In the currency's minor unit.
    pub amount: u64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// `amount` minor units of `currency`.
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
    fn compact_form_is_three_bytes() {
        let bytes = postcard::to_allocvec(&Currency::KRW).unwrap();
        assert_eq!(bytes, b"KRW");
        assert_eq!(
            postcard::from_bytes::<Currency>(&bytes).unwrap(),
            Currency::KRW
        );
        assert!(postcard::from_bytes::<Currency>(b"krw").is_err());
    }

    #[test]
    fn writes_major_units() {
        assert_eq!(Currency::CNY.major(0, false), "0");
        assert_eq!(Currency::CNY.major(0, true), "0.00");
        assert_eq!(Currency::CNY.major(1000, false), "10");
        assert_eq!(Currency::KRW.major(1_000_000, false), "1,000,000");
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
