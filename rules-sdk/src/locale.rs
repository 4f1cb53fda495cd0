//! The locales policies speak in: voice lines, display texts and fee text.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A language policies speak in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Locale {
    /// Simplified Chinese, the seed manual's language.
    ZhCn,
    /// Korean.
    KoKr,
    /// English.
    En,
}

impl Locale {
    /// Every locale, in discriminant order.
    pub const ALL: [Locale; 3] = [Locale::ZhCn, Locale::KoKr, Locale::En];

    /// Reads a BCP 47 tag: `zh-CN`, `ko-KR`, `en`; a bare language (`zh`,
    /// `ko`) or another region of English (`en-GB`) maps to the same locale.
    pub fn parse(tag: &str) -> Result<Locale, String> {
        let lower = tag.to_ascii_lowercase().replace('_', "-");
        let lang = lower.split('-').next().unwrap_or("");
        match (lang, lower.as_str()) {
            (_, "zh-cn" | "zh-hans" | "zh-hans-cn" | "zh") => Ok(Locale::ZhCn),
            ("ko", _) => Ok(Locale::KoKr),
            ("en", _) => Ok(Locale::En),
            _ => Err(format!(
                "locale `{tag}` is not supported (supported: zh-CN, ko-KR, en)"
            )),
        }
    }

    /// The BCP 47 tag: `zh-CN`, `ko-KR`, `en`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::KoKr => "ko-KR",
            Locale::En => "en",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A BCP 47 tag in JSON; one byte in the compact form a module keeps its
/// settings in.
impl Serialize for Locale {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(self.tag())
        } else {
            s.serialize_u8(*self as u8)
        }
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let tag = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Locale::parse(&tag).map_err(serde::de::Error::custom)
        } else {
            let index = u8::deserialize(d)?;
            Locale::ALL
                .get(usize::from(index))
                .copied()
                .ok_or_else(|| serde::de::Error::custom(format!("no locale {index}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags() {
        assert_eq!(Locale::parse("zh-CN"), Ok(Locale::ZhCn));
        assert_eq!(Locale::parse("zh_cn"), Ok(Locale::ZhCn));
        assert_eq!(Locale::parse("ko"), Ok(Locale::KoKr));
        assert_eq!(Locale::parse("en-GB"), Ok(Locale::En));
        for locale in Locale::ALL {
            let bytes = postcard::to_allocvec(&locale).unwrap();
            assert_eq!(bytes.len(), 1);
            assert_eq!(postcard::from_bytes::<Locale>(&bytes).unwrap(), locale);
        }
        assert_eq!(
            Locale::parse("zh-TW").unwrap_err(),
            "locale `zh-TW` is not supported (supported: zh-CN, ko-KR, en)"
        );
    }
}
