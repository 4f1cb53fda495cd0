//! Faults: everything a policy can do wrong while deciding, and the safe
//! decision the robot gets instead (hold, escalate, the fault in the trace).

use core::fmt;

use boomgate_rules_sdk::{Decision, reason};

use crate::config::Fallback;
use crate::store::StoreState;

/// How a policy call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// It ran out of fuel or time.
    Deadline,
    /// It asked for more memory than an instance may have.
    MemoryLimit {
        /// Bytes it asked for.
        requested: usize,
        /// The limit.
        limit: usize,
    },
    /// It recursed past the WebAssembly stack.
    StackOverflow,
    /// It trapped (a panic in Rust is an `unreachable` trap).
    Trap {
        /// What the trap was.
        message: String,
        /// Where, innermost function first.
        backtrace: Vec<String>,
    },
    /// Its answer broke the interface's contract.
    Contract(String),
    /// No instance could be made (every pooled slot busy, say).
    Capacity(String),
    /// The engine refused the input before calling the policy.
    Input(String),
}

impl Fault {
    /// A short code for metrics and records: `deadline`, `memory`,
    /// `stack_overflow`, `trap`, `contract`, `capacity`, `input`.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Deadline => "deadline",
            Fault::MemoryLimit { .. } => "memory",
            Fault::StackOverflow => "stack_overflow",
            Fault::Trap { .. } => "trap",
            Fault::Contract(_) => "contract",
            Fault::Capacity(_) => "capacity",
            Fault::Input(_) => "input",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Deadline => f.write_str("the policy ran past its deadline"),
            Fault::MemoryLimit { requested, limit } => write!(
                f,
                "the policy asked for {requested} bytes of memory, over the limit of {limit}"
            ),
            Fault::StackOverflow => f.write_str("the policy overflowed its call stack"),
            Fault::Trap { message, backtrace } => {
                write!(f, "the policy trapped: {message}")?;
                if !backtrace.is_empty() {
                    write!(f, " (in {})", backtrace.join(" < "))?;
                }
                Ok(())
            }
            Fault::Contract(why) => write!(f, "the policy's answer broke the contract: {why}"),
            Fault::Capacity(why) => write!(f, "no policy instance available: {why}"),
            Fault::Input(why) => write!(f, "the input was refused: {why}"),
        }
    }
}

/// The decision a robot gets when its policy faults.
pub(crate) fn fallback(config: &Fallback, fault: &Fault) -> Decision {
    config.decision(format!("{}: {fault}", reason::POLICY_FAULT))
}

/// Frames of a backtrace worth showing: the policy's own, not the SDK's
/// glue or the standard library's panic machinery.
const BACKTRACE_FRAMES: usize = 4;

/// Turns an error from instantiating or calling a module into a fault.
pub(crate) fn classify(error: wasmtime::Error, state: &StoreState, instantiating: bool) -> Fault {
    if let Some((requested, limit)) = state.memory_denied() {
        return Fault::MemoryLimit { requested, limit };
    }
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::OutOfFuel | wasmtime::Trap::Interrupt) => Fault::Deadline,
        Some(wasmtime::Trap::StackOverflow) => Fault::StackOverflow,
        Some(trap) => {
            let message = trap.to_string();
            let message = message
                .strip_prefix("wasm trap: ")
                .unwrap_or(&message)
                .to_owned();
            Fault::Trap {
                message,
                backtrace: backtrace(&error),
            }
        }
        None if instantiating => Fault::Capacity(format!("{error:#}")),
        // Not a trap: the canonical ABI could not read the answer (a string
        // that is not UTF-8, a discriminant out of range, a pointer out of
        // bounds).
        None => Fault::Contract(format!("{error:#}")),
    }
}

fn backtrace(error: &wasmtime::Error) -> Vec<String> {
    let Some(trace) = error.downcast_ref::<wasmtime::WasmBacktrace>() else {
        return Vec::new();
    };
    trace
        .frames()
        .iter()
        .filter_map(|frame| frame.func_name())
        .filter(|name| !is_machinery(name))
        .take(BACKTRACE_FRAMES)
        .map(short_name)
        .collect()
}

fn is_machinery(name: &str) -> bool {
    [
        "core::panicking",
        "std::panicking",
        "__rust",
        "rust_panic",
        "std::sys",
        "core::option::",
        "core::result::",
        "abort",
    ]
    .iter()
    .any(|m| name.contains(m))
}

/// `boomgate_guest_hostile::recurse::h1234abcd` → `boomgate_guest_hostile::recurse`.
fn short_name(name: &str) -> String {
    match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            head.to_owned()
        }
        _ => name.to_owned(),
    }
}
