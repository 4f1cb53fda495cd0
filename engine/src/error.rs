//! What can go wrong before a policy decides: creating the engine, loading a
//! module, configuring it, and the calls that answer an agent or an owner.
//! Evaluation itself never fails; see [`Fault`].

use core::fmt;

use crate::fault::Fault;

/// The engine could not be created (the machine refused the memory pool, or
/// the configuration is inconsistent).
#[derive(Debug, thiserror::Error)]
#[error("cannot create the policy engine: {0}")]
pub struct EngineError(pub(crate) String);

/// Why a module was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The module is larger than [`EngineConfig::max_module_bytes`](crate::EngineConfig).
    #[error("the module is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not WebAssembly at all.
    #[error("not a WebAssembly module (it does not start with `\\0asm`)")]
    NotWasm,
    /// A core module: what `cargo build` alone produces.
    #[error(
        "a core WebAssembly module, not a component: build policies with `boomgate policy build`"
    )]
    CoreModule,
    /// Wasmtime refused the component.
    #[error("the component is invalid: {0}")]
    Invalid(String),
    /// The component is beyond one of the engine's compile limits
    /// ([`CompileLimits`](crate::CompileLimits)), read before compiling.
    #[error(
        "the module has {value} {what}, over the limit of {limit} (`{setting}`): it is not compiled"
    )]
    OverLimit {
        /// What is counted.
        what: &'static str,
        /// How many it has.
        value: usize,
        /// The limit.
        limit: usize,
        /// The limit's setting.
        setting: &'static str,
    },
    /// The component imports something; a policy may import nothing.
    #[error("the module imports {}: a policy may import nothing", quoted(.0))]
    Imports(Vec<String>),
    /// The component implements another version of the interface.
    #[error(
        "the module implements `{found}`; this host runs {}",
        versions(supported)
    )]
    InterfaceVersion {
        /// The interface it exports.
        found: String,
        /// The versions this host runs.
        supported: &'static [&'static str],
    },
    /// The component does not export the policy interface.
    #[error(
        "the module does not export {} (it exports {})",
        versions(supported),
        quoted(exports)
    )]
    MissingInterface {
        /// What it exports instead.
        exports: Vec<String>,
        /// The versions this host runs.
        supported: &'static [&'static str],
    },
    /// The interface is there but its functions have other types.
    #[error("the module's policy interface does not match this host's: {0}")]
    Interface(String),
    /// `describe` failed.
    #[error("the module failed while describing itself: {0}")]
    Describe(Fault),
    /// The module's settings schema is not a JSON Schema this host can use.
    #[error("the module's settings schema is invalid: {0}")]
    Schema(String),
}

fn versions(supported: &[&str]) -> String {
    supported
        .iter()
        .map(|v| format!("`boomgate:policy/policy@{v}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn quoted(items: &[String]) -> String {
    if items.is_empty() {
        return "nothing".to_owned();
    }
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One refused field of a settings document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    /// Where the field is, e.g. `fees.first_period.amount` (empty: the whole
    /// document).
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

/// Why settings were refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigureError {
    /// Not JSON.
    #[error("settings are not valid JSON: {0}")]
    Json(String),
    /// Fields the schema or the module refuse.
    #[error("invalid settings: {}", list(.0))]
    Invalid(Vec<FieldError>),
    /// The module failed while configuring.
    #[error("the policy failed while reading its settings: {0}")]
    Fault(Fault),
}

impl ConfigureError {
    /// The refused fields, if that is what went wrong.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            ConfigureError::Invalid(fields) => fields,
            _ => &[],
        }
    }
}

fn list(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a fee text or a fee quote could not be given.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The module failed.
    #[error("the policy failed: {0}")]
    Fault(Fault),
    /// The module refused the request (an unsupported locale, say).
    #[error("{0}")]
    Refused(String),
    /// The module's interface version has no such call.
    #[error("{0}")]
    Unsupported(String),
}
