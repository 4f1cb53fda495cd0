//! The engine: one wasmtime engine with a pooling allocator sized for many
//! short-lived instances, and `load`, which refuses anything that is not a
//! policy module of this host's interface.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::{Enabled, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::INTERFACE_VERSIONS;
use crate::config::{Deadline, EngineConfig};
use crate::error::{EngineError, LoadError};
use crate::inspect::Outline;
use crate::janitor::Janitor;
use crate::policy::{Exports, LoadedPolicy, ModuleInfo};
use crate::schema::SettingsSchema;
use crate::store::{StoreState, new_store};
/// How every version of the policy interface is named.
const INTERFACE_PREFIX: &str = "boomgate:policy/policy@";

/// Compiles and runs policy modules. Cheap to clone; clones share the
/// compiled code cache and the instance pool.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

pub(crate) struct EngineInner {
    pub(crate) wasmtime: wasmtime::Engine,
    pub(crate) linker: Linker<StoreState>,
    pub(crate) config: EngineConfig,
    pub(crate) janitor: Janitor,
    /// Spare instances alive, across all policies.
    spares: AtomicUsize,
    _ticker: Option<Ticker>,
}

impl EngineInner {
    /// Reserves room for one more spare instance, if under the limit.
    pub(crate) fn take_spare_slot(&self) -> bool {
        self.spares
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.config.max_spares).then_some(n + 1)
            })
            .is_ok()
    }

    /// Gives back the room of `n` spare instances used or dropped.
    pub(crate) fn release_spare_slots(&self, n: usize) {
        self.spares.fetch_sub(n, Ordering::AcqRel);
    }
}

/// Advances the epoch for [`Deadline::Epoch`] until the engine is dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Engine {
    /// An engine with `config`'s limits.
    pub fn new(config: EngineConfig) -> Result<Engine, EngineError> {
        let mut wasm = wasmtime::Config::new();
        wasm.wasm_component_model(true)
            .cranelift_opt_level(wasmtime::OptLevel::Speed)
            .max_wasm_stack(config.max_wasm_stack)
            // One thread per compile: the host bounds how many run at once
            // (and at what priority), so a compile never takes every core.
            .parallel_compilation(false)
            // Fill a function table's entries on their first indirect call
            // rather than all of them when an instance is made: a decision
            // calls through few of them, and filling every entry made a
            // fresh instance's instantiate + call + teardown 38 % dearer.
            .table_lazy_init(true);
        match config.deadline {
            Deadline::Fuel { .. } => wasm.consume_fuel(true),
            Deadline::Epoch { .. } => wasm.epoch_interruption(true),
        };
        let slots = config.max_instances.max(1);
        if config.max_spares >= slots as usize {
            return Err(EngineError(format!(
                "max_spares ({}) must leave room in the pool of max_instances ({slots}) for events",
                config.max_spares
            )));
        }
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(slots)
            .total_core_instances(slots.saturating_mul(2))
            .total_memories(slots)
            .total_tables(slots)
            .max_memory_size(config.memory_limit)
            .linear_memory_keep_resident(config.keep_resident)
            .table_keep_resident(64 << 10)
            // Reset only the pages an instance dirtied (Linux 6.7+).
            // Decommits are not batched (`decommit_batch_size`): a batch
            // holds its slots until it is flushed, and a burst on a small
            // pool then finds none free (the pool test's burst faulted).
            .pagemap_scan(Enabled::Auto);
        wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let wasmtime = wasmtime::Engine::new(&wasm).map_err(|e| EngineError(format!("{e:#}")))?;
        let ticker = match config.deadline {
            Deadline::Epoch { tick, .. } => Some(start_ticker(&wasmtime, tick)?),
            Deadline::Fuel { .. } => None,
        };
        let linker = Linker::new(&wasmtime);
        let janitor = Janitor::start(Janitor::queue_for(slots as usize, config.max_spares))?;
        Ok(Engine {
            inner: Arc::new(EngineInner {
                wasmtime,
                linker,
                config,
                janitor,
                spares: AtomicUsize::new(0),
                _ticker: ticker,
            }),
        })
    }

    /// The engine's configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Validates, compiles and describes a policy module.
    ///
    /// The module must be a component that imports nothing and exports
    /// `boomgate:policy/policy@0.1.0` with this host's types, and its settings
    /// schema must compile. Compilation takes tens of milliseconds; keep the
    /// result (it is cheap to clone) rather than loading again.
    pub fn load(&self, bytes: &[u8]) -> Result<LoadedPolicy, LoadError> {
        self.admit(bytes)?;
        let component = Component::new(&self.inner.wasmtime, bytes)
            .map_err(|e| LoadError::Invalid(format!("{e:#}")))?;
        self.finish(component, bytes)
    }

    /// Compiles `bytes` (checked as [`load`](Self::load) checks them) to an
    /// artifact that [`load_precompiled`](Self::load_precompiled) turns
    /// into a policy: what a compile worker process sends back, so that
    /// the memory and time a compile takes are bounded by its process.
    pub fn precompile(&self, bytes: &[u8]) -> Result<Vec<u8>, LoadError> {
        self.admit(bytes)?;
        self.inner
            .wasmtime
            .precompile_component(bytes)
            .map_err(|e| LoadError::Invalid(format!("{e:#}")))
    }

    /// [`load`](Self::load), from `artifact`: what
    /// [`precompile`](Self::precompile) made of `bytes` in an engine of
    /// the same configuration. An artifact of another configuration or
    /// version is refused.
    ///
    /// # Safety
    ///
    /// `artifact` is machine code that runs as it is: it must come from
    /// `precompile` of `bytes` in a process this host started and trusts
    /// (never from storage others can write). Nothing here proves the
    /// artifact was compiled from `bytes`: they only name and size it, and
    /// [`admit`](Self::admit) is the caller's to run first.
    #[allow(unsafe_code)]
    pub unsafe fn load_precompiled(
        &self,
        bytes: &[u8],
        artifact: &[u8],
    ) -> Result<LoadedPolicy, LoadError> {
        // SAFETY: the caller vouches for the artifact's origin (see above);
        // wasmtime checks that it was compiled for this engine's
        // configuration and version.
        let component = unsafe { Component::deserialize(&self.inner.wasmtime, artifact) }
            .map_err(|e| LoadError::Invalid(format!("the compiled module does not load: {e:#}")))?;
        self.finish(component, bytes)
    }

    /// What [`load`](Self::load) checks before compiling: the size, that
    /// it is a component, and its outline against the compile limits.
    pub fn admit(&self, bytes: &[u8]) -> Result<(), LoadError> {
        let limit = self.inner.config.max_module_bytes;
        if bytes.len() > limit {
            return Err(LoadError::TooLarge {
                size: bytes.len(),
                limit,
            });
        }
        if !bytes.starts_with(b"\0asm") {
            return Err(LoadError::NotWasm);
        }
        if wasmparser::Parser::is_core_wasm(bytes) {
            return Err(LoadError::CoreModule);
        }
        // What it is made of, before paying for compiling it.
        Outline::read(bytes)?.check(&self.inner.config.compile_limits)
    }

    /// The compiled `component` of `bytes`, checked and described.
    fn finish(&self, component: Component, bytes: &[u8]) -> Result<LoadedPolicy, LoadError> {
        let ty = component.component_type();
        let imports: Vec<String> = ty
            .imports(&self.inner.wasmtime)
            .map(|(name, _)| name.to_owned())
            .collect();
        if !imports.is_empty() {
            return Err(LoadError::Imports(imports));
        }
        let exports: Vec<String> = ty
            .exports(&self.inner.wasmtime)
            .map(|(name, _)| name.to_owned())
            .collect();
        let runs = |name: &str| {
            INTERFACE_VERSIONS
                .iter()
                .any(|v| name.strip_prefix(INTERFACE_PREFIX) == Some(v))
        };
        if !exports.iter().any(|e| runs(e)) {
            return Err(
                match exports.iter().find(|e| e.starts_with(INTERFACE_PREFIX)) {
                    Some(found) => LoadError::InterfaceVersion {
                        found: found.clone(),
                        supported: INTERFACE_VERSIONS,
                    },
                    None => LoadError::MissingInterface {
                        exports,
                        supported: INTERFACE_VERSIONS,
                    },
                },
            );
        }
        let exports = Exports::find(&component).map_err(LoadError::Interface)?;
        let pre = self
            .inner
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Interface(format!("{e:#}")))?;

        // One instance to check the functions' types (later instances skip
        // the check) and ask the module who it is.
        let config = &self.inner.config;
        let mut store = new_store(&self.inner.wasmtime, &config.deadline, config.memory_limit);
        let instance = pre
            .instantiate(&mut store)
            .map_err(|e| LoadError::Describe(crate::fault::classify(e, store.data(), true)))?;
        exports
            .typecheck(&mut store, &instance)
            .map_err(LoadError::Interface)?;
        let info = exports
            .describe(&mut store, &instance)
            .map_err(|e| LoadError::Describe(crate::fault::classify(e, store.data(), false)))?;
        let schema = SettingsSchema::compile(&info.settings_schema).map_err(LoadError::Schema)?;
        let info = ModuleInfo {
            name: info.name,
            version: info.version,
            sdk_version: info.sdk_version,
            interface_version: exports.version().to_owned(),
            locales: info.locales,
            digest: digest(bytes),
            size: bytes.len(),
            settings_schema: schema.document().clone(),
        };
        Ok(LoadedPolicy::new(self.clone(), pre, exports, info, schema))
    }
}

/// The sha256 of a module, in hex: how modules are named.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn start_ticker(engine: &wasmtime::Engine, tick: Duration) -> Result<Ticker, EngineError> {
    let stop = Arc::new(AtomicBool::new(false));
    let weak = engine.weak();
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("boomgate-epoch".into())
        .spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(tick);
                match weak.upgrade() {
                    Some(engine) => engine.increment_epoch(),
                    None => break,
                }
            }
        })
        .map_err(|e| EngineError(format!("cannot start the epoch thread: {e}")))?;
    Ok(Ticker {
        stop,
        thread: Some(thread),
    })
}
