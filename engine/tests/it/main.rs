//! The engine against real modules built from `rules/` and `tests/guests/`:
//! every scenario through the standard policy's component, hostile guests,
//! malformed modules.

mod hostile;
mod load;
mod pool;
mod scenarios;
mod versions;

use std::sync::LazyLock;

use boomgate_engine::{ConfiguredPolicy, Engine, EngineConfig, LoadedPolicy};
use boomgate_test_artifacts as artifacts;

/// One engine for the whole binary, as a host has.
pub static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(EngineConfig::default()).expect("engine"));

pub static STANDARD_LOT: LazyLock<LoadedPolicy> = LazyLock::new(|| {
    ENGINE
        .load(&artifacts::read(artifacts::STANDARD_LOT))
        .expect("standard-lot loads")
});

pub static HOSTILE: LazyLock<LoadedPolicy> = LazyLock::new(|| {
    ENGINE
        .load(&artifacts::read(artifacts::HOSTILE))
        .expect("hostile loads")
});

/// The hostile guest configured to misbehave as `behaviour`.
pub fn hostile(behaviour: &str) -> ConfiguredPolicy {
    HOSTILE
        .configure(&format!(r#"{{"behaviour": "{behaviour}"}}"#))
        .unwrap_or_else(|e| panic!("{behaviour}: {e}"))
}

/// The repository's root.
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
