//! Codes: the closed sets of words the interface and the host's records use
//! for a direction, a billing, an order kind, a gate state. Each enum states
//! its codes once; the same table gives `as_str`, every value (`ALL`), and
//! parsing that names the set and what it holds when a word is not in it.

use core::fmt;

/// A word that is not one of a set's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    /// What the set is, e.g. `billing`.
    pub what: &'static str,
    /// The word given.
    pub code: String,
    /// The set's codes.
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a {} (", self.code, self.what)?;
        for (i, code) in self.expected.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{code}`")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownCode {}

/// Gives an enum its codes: `as_str`, `ALL`, `FromStr` and `TryFrom<String>`.
#[macro_export]
#[doc(hidden)]
macro_rules! codes {
    ($ty:ident, $what:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The code, as it appears in JSON and in stored records.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $code),+
                }
            }
        }

        impl ::core::str::FromStr for $ty {
            type Err = $crate::code::UnknownCode;

            fn from_str(code: &str) -> Result<Self, Self::Err> {
                match code {
                    $($code => Ok($ty::$variant),)+
                    _ => Err($crate::code::UnknownCode {
                        what: $what,
                        code: code.to_owned(),
                        expected: &[$($code),+],
                    }),
                }
            }
        }

        impl ::core::convert::TryFrom<String> for $ty {
            type Error = $crate::code::UnknownCode;

            fn try_from(code: String) -> Result<Self, Self::Error> {
                code.parse()
            }
        }

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::{Billing, Direction, Gate, OrderKind};

    /// The codes are the words serde writes.
    fn agrees<T>(all: &[T])
    where
        T: serde::Serialize
            + Copy
            + core::fmt::Display
            + core::str::FromStr
            + PartialEq
            + core::fmt::Debug,
        <T as core::str::FromStr>::Err: core::fmt::Debug,
    {
        for &value in all {
            let json = serde_json::to_value(value).unwrap();
            assert_eq!(json.as_str().unwrap(), value.to_string());
            assert_eq!(value.to_string().parse::<T>().unwrap(), value);
        }
    }

    #[test]
    fn codes_are_the_json_words() {
        agrees(Direction::ALL);
        agrees(Billing::ALL);
        agrees(OrderKind::ALL);
        agrees(Gate::ALL);
    }

    #[test]
    fn an_unknown_code_names_the_set() {
        let e = "weekly".parse::<Billing>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "`weekly` is not a billing (`monthly`, `temporary`, `free`)"
        );
        assert!(Direction::try_from("sideways".to_owned()).is_err());
    }
}
