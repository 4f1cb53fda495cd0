//! Which policy decides for each lot, swapped without a restart.
//!
//! Modules are compiled once per digest and kept; each lot's active version
//! is an `Arc` that an event clones when it starts, so activating a new
//! version never disturbs an event already deciding. A version that fails to
//! load is never installed: the previous one keeps serving.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

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
}

/// The engine, compiled modules and every lot's active policy.
pub struct Registry {
    engine: Engine,
    modules: Mutex<HashMap<String, LoadedPolicy>>,
    active: RwLock<HashMap<String, Arc<Active>>>,
}

impl Registry {
    pub fn new(engine: Engine) -> Registry {
        Registry {
            engine,
            modules: Mutex::default(),
            active: RwLock::default(),
        }
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

    /// Compiles `bytes` (off the async workers: it takes tens of
    /// milliseconds) and keeps the result under its digest.
    pub async fn load(&self, bytes: Vec<u8>) -> Result<LoadedPolicy, PrepareError> {
        let digest = boomgate_engine::digest(&bytes);
        if let Some(loaded) = self.cached(&digest) {
            return Ok(loaded);
        }
        let engine = self.engine.clone();
        let loaded = tokio::task::spawn_blocking(move || engine.load(&bytes))
            .await
            .map_err(|e| PrepareError::Join(e.to_string()))??;
        self.modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(digest, loaded.clone());
        Ok(loaded)
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
