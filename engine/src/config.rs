//! How an [`Engine`](crate::Engine) runs policies: the limits every call runs
//! under and the answer it gives when a policy fails.

use std::time::Duration;

use boomgate_rules_sdk::Decision;

/// What stops a policy that runs too long. The two are exclusive: each
/// changes the code Cranelift generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Deadline {
    /// Count WebAssembly work and stop a call after `units` (roughly one per
    /// instruction). Deterministic: the same event stops at the same point on
    /// any machine, however loaded. The default.
    Fuel {
        /// Work allowed per call.
        units: u64,
    },
    /// Stop a call after `timeout` of wall-clock time, checked at function
    /// entries and loop back-edges, with a background thread ticking every
    /// `tick`. Cheaper per instruction than fuel, but a call preempted by the
    /// OS for longer than `timeout` stops too.
    Epoch {
        /// Wall-clock time allowed per call.
        timeout: Duration,
        /// How often the epoch advances.
        tick: Duration,
    },
}

impl Default for Deadline {
    fn default() -> Self {
        // The standard policy decides with well under 100k units; this is two
        // orders of magnitude of headroom, a few milliseconds of CPU at most.
        Deadline::Fuel { units: 10_000_000 }
    }
}

/// The decision given when a policy faults, before the trace says why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fallback {
    /// What the robot says.
    pub voice: String,
    /// What the robot shows.
    pub text: String,
}

impl Fallback {
    /// The fallback decision, with `why` as its trace: hold, yellow, escalate.
    /// The one place every fallback is made, the engine's for a faulting
    /// policy and the host's for a lot without one.
    pub fn decision(&self, why: impl Into<String>) -> Decision {
        Decision::fault(&self.voice, &self.text, why)
    }
}

impl Default for Fallback {
    fn default() -> Self {
        Fallback {
            voice: boomgate_rules_sdk::FALLBACK_VOICE.to_owned(),
            text: boomgate_rules_sdk::FALLBACK_TEXT.to_owned(),
        }
    }
}

/// Limits and behaviour of an [`Engine`](crate::Engine).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EngineConfig {
    /// What stops a call that runs too long.
    pub deadline: Deadline,
    /// The most linear memory one instance may have, in bytes.
    pub memory_limit: usize,
    /// The most instances alive at once (the pooling allocator reserves this
    /// many slots up front).
    pub max_instances: u32,
    /// The largest module accepted, in bytes.
    pub max_module_bytes: usize,
    /// Bytes of each pooled linear memory kept resident and reset in place
    /// rather than returned to the OS: a fresh instance then starts without
    /// page faults.
    pub keep_resident: usize,
    /// The WebAssembly call stack, in bytes (deep recursion traps beyond it).
    pub max_wasm_stack: usize,
    /// Fresh instances kept ready per policy, so an event does not wait for
    /// one to be made: the least kept, the depth a quiet lot settles to.
    /// 0 makes every event instantiate its own.
    pub spares_per_policy: usize,
    /// The most fresh instances kept ready per policy. An event that finds
    /// none ready doubles its policy's reserve up to this, so bursts (or a
    /// janitor starved of a core) meet a deeper one; each second without
    /// such an event lowers it by one, back to `spares_per_policy`.
    pub max_spares_per_policy: usize,
    /// The most spare instances across all policies (each holds a pooled
    /// slot).
    pub max_spares: usize,
    /// What a robot is told when its policy fails.
    pub fallback: Fallback,
    /// What an upload is held to before it is compiled.
    pub compile_limits: crate::CompileLimits,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            deadline: Deadline::default(),
            memory_limit: 16 << 20,
            max_instances: 256,
            max_module_bytes: 8 << 20,
            keep_resident: 256 << 10,
            max_wasm_stack: 512 << 10,
            spares_per_policy: 2,
            max_spares_per_policy: 16,
            max_spares: 64,
            fallback: Fallback::default(),
            compile_limits: crate::CompileLimits::default(),
        }
    }
}
