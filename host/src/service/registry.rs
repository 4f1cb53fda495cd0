//! Which policy decides for each lot, swapped without a restart.
//!
//! Modules are compiled once per digest and kept; each lot's active version
//! is an `Arc` that an event clones when it starts, so activating a new
//! version never disturbs an event already deciding. A version that fails to
//! load is never installed: the previous one keeps serving.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use boomgate_engine::{ConfigureError, ConfiguredPolicy, Engine, LoadError, LoadedPolicy};

use crate::db::{self, Db};

/// A lot's active policy version, ready to decide.
pub struct Active {
    pub version: i64,
    pub digest: String,
    pub policy: ConfiguredPolicy,
}

/// Why a version could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("policy version {0} does not exist")]
    NoSuchVersion(i64),
    #[error("module `{0}` is not stored")]
    NoSuchModule(String),
    #[error("the module does not load: {0}")]
    Load(#[from] LoadError),
    #[error("{0}")]
    Configure(#[from] ConfigureError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("the policy worker failed: {0}")]
    Join(String),
    /// Every compile turn stayed taken for `compile_wait_seconds`.
    #[error(
        "every compile turn is taken (compile_concurrency = {concurrency}) and none came free within {waited_seconds} s (compile_wait_seconds): try again shortly"
    )]
    Busy {
        concurrency: usize,
        waited_seconds: u64,
    },
    /// Compiling took longer than `compile_budget_seconds`.
    #[error(
        "the module did not compile within {budget_seconds} s (compile_budget_seconds): it is refused"
    )]
    OverBudget { budget_seconds: u64 },
    /// Compiling needed more memory than `compile_memory_mib`.
    #[error(
        "the module did not compile within {budget_mib} MiB of memory (compile_memory_mib): it is refused"
    )]
    OverMemory { budget_mib: u64 },
}

/// How modules are compiled: a few at a time, each in a worker process (or,
/// without one, on a thread of its own) at a low priority, within a time
/// and a memory budget (the service's `compile_*` settings).
#[derive(Debug, Clone)]
pub struct Compiles {
    pub concurrency: usize,
    pub wait: Duration,
    pub budget: Duration,
    /// Bytes one compile may allocate (in a worker only).
    pub memory: u64,
    /// The program whose `compile-worker` compiles; none compiles on a
    /// thread of this process, bounded in time but not in memory.
    pub worker: Option<std::path::PathBuf>,
}

/// The engine, compiled modules and every lot's active policy.
pub struct Registry {
    engine: Engine,
    compiles: Compiles,
    /// Compile turns: a worker past its budget is killed; a compile on a
    /// thread that ran past it keeps its turn until it ends, so abandoned
    /// compiles never pile up.
    turns: Arc<tokio::sync::Semaphore>,
    modules: Mutex<HashMap<String, LoadedPolicy>>,
    active: RwLock<HashMap<String, Arc<Active>>>,
}

impl Registry {
    /// A registry compiling modules as `compiles` says (at least one at a
    /// time).
    pub fn new(engine: Engine, mut compiles: Compiles) -> Registry {
        compiles.concurrency = compiles.concurrency.max(1);
        Registry {
            engine,
            turns: Arc::new(tokio::sync::Semaphore::new(compiles.concurrency)),
            compiles,
            modules: Mutex::default(),
            active: RwLock::default(),
        }
    }

    /// Compiles running now (one past its budget counts until it ends).
    pub fn compiles_running(&self) -> usize {
        self.compiles
            .concurrency
            .saturating_sub(self.turns.available_permits())
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The lot's active policy, if it has one.
    pub fn active(&self, lot: &str) -> Option<Arc<Active>> {
        self.active
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(lot)
            .cloned()
    }

    /// Makes `active` the lot's policy from now on.
    pub fn install(&self, lot: &str, active: Active) {
        active.policy.prewarm();
        self.active
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(lot.to_owned(), Arc::new(active));
    }

    /// Compiles `bytes` and keeps the result under its digest: in a compile
    /// turn (waiting `compiles.wait` at most), at a low priority, off the
    /// async workers and below the robots' work, within `compiles.budget`
    /// and `compiles.memory`.
    pub async fn load(&self, bytes: Vec<u8>) -> Result<LoadedPolicy, PrepareError> {
        let digest = boomgate_engine::digest(&bytes);
        if let Some(loaded) = self.cached(&digest) {
            return Ok(loaded);
        }
        let busy = || PrepareError::Busy {
            concurrency: self.compiles.concurrency,
            waited_seconds: self.compiles.wait.as_secs(),
        };
        let turn = tokio::time::timeout(self.compiles.wait, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        // What is refused before compiling is refused here, with its reason.
        self.engine.admit(&bytes)?;
        let loaded = match &self.compiles.worker {
            Some(program) => match self.in_worker(program, bytes).await {
                Ok(loaded) => loaded?,
                Err(bytes) => self.in_thread(bytes, turn).await?,
            },
            None => self.in_thread(bytes, turn).await?,
        };
        self.modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(digest, loaded.clone());
        Ok(loaded)
    }

    /// Compiles in a worker process, then loads its artifact; gives the
    /// bytes back when no worker can be started, to be compiled here.
    async fn in_worker(
        &self,
        program: &std::path::Path,
        bytes: Vec<u8>,
    ) -> Result<Result<LoadedPolicy, PrepareError>, Vec<u8>> {
        use super::worker::{self, WorkerError};
        let compiled = worker::compile(
            program,
            self.engine.config(),
            self.compiles.memory,
            &bytes,
            self.compiles.budget,
        )
        .await;
        let artifact = match compiled {
            Ok(artifact) => artifact,
            Err(e @ WorkerError::Spawn { .. }) => {
                tracing::warn!(error = %e, "compiling in the service's own process, without a memory budget");
                return Err(bytes);
            }
            Err(WorkerError::Refused(why)) => return Ok(Err(LoadError::Invalid(why).into())),
            Err(WorkerError::OverMemory) => {
                return Ok(Err(PrepareError::OverMemory {
                    budget_mib: self.compiles.memory >> 20,
                }));
            }
            Err(WorkerError::OverBudget) => {
                return Ok(Err(PrepareError::OverBudget {
                    budget_seconds: self.compiles.budget.as_secs(),
                }));
            }
            Err(e @ WorkerError::Failed(_)) => return Ok(Err(PrepareError::Join(e.to_string()))),
        };
        let engine = self.engine.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            // SAFETY: the artifact is what the worker this host just
            // started compiled; it never touched storage.
            #[allow(unsafe_code)]
            unsafe {
                engine.load_precompiled(&bytes, &artifact)
            }
        })
        .await
        .map_err(|e| PrepareError::Join(e.to_string()));
        Ok(loaded.and_then(|l| l.map_err(PrepareError::from)))
    }

    /// Compiles on a thread of this process at a low priority, within the
    /// time budget (a compile past it keeps its turn until it ends).
    async fn in_thread(
        &self,
        bytes: Vec<u8>,
        turn: tokio::sync::OwnedSemaphorePermit,
    ) -> Result<LoadedPolicy, PrepareError> {
        let engine = self.engine.clone();
        let (done, compiled) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("boomgate-compile".into())
            .spawn(move || {
                lower_priority();
                let loaded = engine.load(&bytes);
                drop(turn);
                let _ = done.send(loaded);
            })
            .map_err(|e| PrepareError::Join(format!("cannot start a compile thread: {e}")))?;
        match tokio::time::timeout(self.compiles.budget, compiled).await {
            Ok(Ok(loaded)) => Ok(loaded?),
            Ok(Err(_)) => Err(PrepareError::Join("the compile thread panicked".into())),
            Err(_) => Err(PrepareError::OverBudget {
                budget_seconds: self.compiles.budget.as_secs(),
            }),
        }
    }

    fn cached(&self, digest: &str) -> Option<LoadedPolicy> {
        self.modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(digest)
            .cloned()
    }

    /// The module stored under `digest`, compiled.
    pub async fn module(&self, db: &Db, digest: &str) -> Result<LoadedPolicy, PrepareError> {
        if let Some(loaded) = self.cached(digest) {
            return Ok(loaded);
        }
        let bytes = db::policies::module_bytes(db.pool(), digest)
            .await?
            .ok_or_else(|| PrepareError::NoSuchModule(digest.to_owned()))?;
        self.load(bytes).await
    }

    /// Configures a module with settings (off the async workers).
    pub async fn configure(
        &self,
        module: LoadedPolicy,
        settings: String,
    ) -> Result<ConfiguredPolicy, PrepareError> {
        tokio::task::spawn_blocking(move || module.configure(&settings))
            .await
            .map_err(|e| PrepareError::Join(e.to_string()))?
            .map_err(PrepareError::from)
    }

    /// Loads and configures version `version` of `lot`.
    pub async fn prepare(&self, db: &Db, lot: &str, version: i64) -> Result<Active, PrepareError> {
        let row = db::policies::version(db.pool(), lot, version)
            .await?
            .ok_or(PrepareError::NoSuchVersion(version))?;
        let module = self.module(db, &row.module_digest).await?;
        let policy = self.configure(module, row.settings).await?;
        Ok(Active {
            version,
            digest: row.module_digest,
            policy,
        })
    }

    /// Brings every lot's policy in line with the database: at start, and
    /// periodically to pick up activations made by other hosts.
    pub async fn refresh(&self, db: &Db) -> anyhow::Result<()> {
        for (lot, version) in db::lots::active_versions(db.pool()).await? {
            let Some(version) = version else { continue };
            if self.active(&lot).is_some_and(|a| a.version == version) {
                continue;
            }
            match self.prepare(db, &lot, version).await {
                Ok(active) => {
                    tracing::info!(lot, version, "policy version installed");
                    self.install(&lot, active);
                }
                Err(e) => {
                    tracing::error!(lot, version, error = %e, "policy version does not load; the previous one keeps serving")
                }
            }
        }
        Ok(())
    }
}

/// Puts the calling thread at the lowest CPU priority (nice 19): when
/// robots' decisions and a compile want the same core, the decisions get
/// it. Best effort: where it cannot be lowered, the compile runs as is.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: `setpriority` takes plain integers and touches no memory of
    // ours; on Linux `PRIO_PROCESS` with a thread id sets that thread's nice
    // value alone, and `gettid` is the calling thread's.
    #[allow(unsafe_code)]
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
    }
}
