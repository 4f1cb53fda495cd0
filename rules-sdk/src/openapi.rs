//! OpenAPI schemas (feature `openapi`) of the types that are strings on the
//! wire, so the host's API document shows their formats.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::locale::Locale;
use crate::money::Currency;
use crate::plate::Plate;
use crate::time::{Date, Timestamp};

fn string(
    description: &str,
    pattern: Option<&str>,
    format: Option<KnownFormat>,
    example: &str,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(pattern)
        .format(format.map(SchemaFormat::KnownFormat))
        .examples([example])
        .build()
        .into()
}

macro_rules! string_schema {
    ($ty:ty, $name:literal, $description:literal, $pattern:expr, $format:expr, $example:literal) => {
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string($description, $pattern, $format, $example)
            }
        }
        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

string_schema!(
    Currency,
    "Currency",
    "ISO 4217 currency code",
    Some("^[A-Z]{3}$"),
    None,
    "CNY"
);
string_schema!(
    Plate,
    "Plate",
    "Licence plate, normalised (capitals, no separators)",
    None,
    None,
    "粤B12345"
);
string_schema!(
    Timestamp,
    "Timestamp",
    "RFC 3339 instant",
    None,
    Some(KnownFormat::DateTime),
    "2026-11-22T08:15:02+08:00"
);
string_schema!(
    Date,
    "Date",
    "Calendar date",
    None,
    Some(KnownFormat::Date),
    "2026-11-20"
);
string_schema!(
    Locale,
    "Locale",
    "BCP 47 locale: zh-CN, ko-KR or en",
    None,
    None,
    "zh-CN"
);
