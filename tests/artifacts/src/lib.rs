//! Paths of the policy modules the tests and benchmarks run: the policies in
//! `rules/` and the hostile guests in `tests/guests/`, built from source into
//! components by this crate's build script exactly as `boomgate policy build`
//! builds them, and the hand-written malformed modules in `tests/wat/`.
//!
//! No `.wasm` file is committed.

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));

/// Reads a module built by the build script.
pub fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("built module `{path}` is missing: {e}"))
}
