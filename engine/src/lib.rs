//! The boomgate policy engine: loads lot policy modules (WebAssembly
//! components of the `boomgate:policy/lot-policy` world), validates them and
//! their settings, and runs them under hard limits, a fresh isolated instance
//! for every event.
//!
//! ```no_run
//! use boomgate_engine::{Engine, EngineConfig};
//! use boomgate_engine::sdk::Input;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Engine::new(EngineConfig::default())?;
//! let module = std::fs::read("standard-lot.wasm")?;
//! let policy = engine.load(&module)?; // validate, compile, describe
//! println!("{} {}", policy.info().name, policy.info().version);
//!
//! let lot = policy.configure(&std::fs::read_to_string("settings.json")?)?;
//! let input: Input = serde_json::from_str(&std::fs::read_to_string("event.json")?)?;
//! let decision = lot.evaluate(&input); // never fails
//! println!("{}", serde_json::to_string_pretty(&decision)?);
//! # Ok(())
//! # }
//! ```
//!
//! Core concepts:
//! - [`Engine::load`] refuses anything but a component that imports nothing
//!   and exports this host's interface version with its exact types; the
//!   module's settings schema must compile.
//! - [`LoadedPolicy::configure`] checks settings against the module's JSON
//!   Schema, then has the module parse them once; the compiled settings are
//!   passed to every later call. Errors name the field.
//! - [`ConfiguredPolicy::evaluate`] answers with a decision, never an error:
//!   a trap, an exhausted deadline, a memory blow-up or an answer that breaks
//!   the contract yields the fallback decision (hold, `policy_fault`,
//!   escalate) with the fault in the trace.
//! - Every call runs in a fresh instance from a pooling allocator: nothing a
//!   module does in one call is visible in the next.

#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "lot-policy",
        ownership: Borrowing { duplicate_if_necessary: true },
    });
}

mod config;
mod convert;
mod engine;
mod error;
mod fault;
mod janitor;
mod policy;
mod schema;
mod store;

pub use boomgate_rules_sdk as sdk;
pub use config::{Deadline, EngineConfig, Fallback};
pub use convert::{
    MAX_EFFECTS, MAX_ID_BYTES, MAX_REASON_BYTES, MAX_TEXT_BYTES, MAX_TRACE_LINE_BYTES,
    MAX_TRACE_LINES, MAX_VOICE_BYTES,
};
pub use engine::{Engine, digest};
pub use error::{CallError, ConfigureError, EngineError, FieldError, LoadError};
pub use fault::Fault;
pub use policy::{
    ConfiguredPolicy, Evaluation, LoadedPolicy, MAX_CONFIG_BYTES, ModuleInfo, WarmPolicy,
};

/// The version of the `boomgate:policy` interface this host runs.
pub const INTERFACE_VERSION: &str = "0.1.0";

/// The name of the interface a module must export.
pub const POLICY_INTERFACE: &str = "boomgate:policy/policy@0.1.0";
