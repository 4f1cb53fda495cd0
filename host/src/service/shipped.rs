//! The policy modules built into the binary, so a fresh install has the
//! standard policy ready.

include!(concat!(env!("OUT_DIR"), "/shipped.rs"));

/// A shipped module by name (`standard-lot`).
pub fn module(name: &str) -> Option<&'static [u8]> {
    SHIPPED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

/// The names of the shipped modules.
pub fn names() -> Vec<&'static str> {
    SHIPPED.iter().map(|(n, _)| *n).collect()
}
