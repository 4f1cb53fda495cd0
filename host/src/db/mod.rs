//! Storage: one code path for SQLite (the embedded default) and PostgreSQL
//! (several hosts on one database), through sqlx's `Any` driver.
//!
//! One module per group of tables, each with its typed rows and the queries
//! on them. Stored codes, dates, plates and amounts decode into their domain
//! types: a value that does not decode fails the query with the column
//! named ([`crate::api::error::ApiError`] shows it), it is never guessed.
//! The schema refuses such values too (`CHECK` constraints on PostgreSQL,
//! triggers on SQLite, in `migrations/<backend>/`).
//!
//! SQLite runs in WAL mode with `synchronous=FULL`, and writes take the write
//! lock up front (`BEGIN IMMEDIATE`) so concurrent writers queue instead of
//! failing when they upgrade; they commit in batches, one fsync for many
//! ([`writer`]).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, Migrator};
use sqlx::{Any, AnyPool, Executor};

pub mod agents;
pub mod applications;
pub mod cases;
pub mod commands;
pub mod decisions;
pub mod desk;
pub mod devices;
pub mod ids;
pub mod input;
pub mod lots;
pub mod owners;
pub mod passes;
pub mod payments;
pub mod people;
pub mod photos;
pub mod policies;
pub mod stays;
pub mod types;
pub mod writer;

pub use writer::Tx;

/// Shorthand for any executor (pool, connection, transaction).
pub trait Exec<'e>: Executor<'e, Database = Any> {}
impl<'e, T: Executor<'e, Database = Any>> Exec<'e> for T {}

/// What every query returns.
pub type Result<T> = sqlx::Result<T>;

/// `$first, $first+1, ...` for `n` values bound in an `IN (...)` list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The schema both backends share.
static SHARED: Migrator = sqlx::migrate!("./migrations");
/// What SQLite says its own way (checks as triggers).
static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
/// What PostgreSQL says its own way (checks as constraints).
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The shared migrations and this backend's own, in version order.
    fn migrator(self) -> Migrator {
        let own = match self {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        };
        let migrations: Vec<Migration> = SHARED.iter().chain(own.iter()).cloned().collect();
        Migrator::with_migrations(migrations)
    }
}

/// The database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time. Writers queue here, in order, rather
    /// than in SQLite's busy handler, which sleeps and retries and so turns a
    /// short queue into long tail latencies; and commit in batches.
    writer: Arc<writer::Writer>,
    /// When writes last succeeded and last failed.
    writes: Arc<writer::WriteHealth>,
}

const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    // Pages are read through a memory map instead of copied out of the page
    // cache with a read(2) each (connections' caches go stale whenever
    // another connection commits): less CPU per decision.
    "PRAGMA mmap_size = 268435456",
];

impl Db {
    /// Connects (creating a SQLite file if needed) and brings the schema up
    /// to date.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
            let sep = if rest.contains('?') { '&' } else { '?' };
            let url = if rest.contains("mode=") {
                url.to_owned()
            } else {
                format!("{url}{sep}mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_owned())
        } else {
            anyhow::bail!("unsupported database `{url}`: use `sqlite://FILE` or `postgres://...`");
        };
        let options: AnyConnectOptions = url.parse().with_context(|| "invalid database URL")?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in SQLITE_PRAGMAS {
                            conn.execute(*pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("cannot connect to the database at `{}`", redact(&url)))?;
        backend
            .migrator()
            .run(&pool)
            .await
            .context("cannot migrate the database")?;
        Ok(Db {
            pool,
            backend,
            writer: Arc::default(),
            writes: Arc::default(),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction (on SQLite, a savepoint in the open
    /// batch, holding the write lock from the start; see [`writer`]).
    pub async fn write(&self) -> sqlx::Result<Tx> {
        writer::begin(
            &self.pool,
            self.backend == Backend::Sqlite,
            &self.writer,
            &self.writes,
        )
        .await
    }

    /// Whether writes fail now: the last write failed and none succeeded
    /// since; with what error.
    pub fn writes_failing(&self) -> Option<String> {
        self.writes.failing()
    }

    /// SQLite's group commit so far: batches committed and the
    /// transactions they held.
    pub fn batch_stats(&self) -> writer::BatchStats {
        self.writer.stats()
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Whether an error is a unique-constraint violation (a retry racing its
/// original, an id already taken).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => {
            e.is_unique_violation() || e.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// Millions of rows never fit a count, but a length must still be bound as
/// a BIGINT.
pub fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://bg:secret@127.0.0.1/x"),
            "postgres://bg:***@127.0.0.1/x"
        );
        assert_eq!(redact("sqlite://boomgate.db"), "sqlite://boomgate.db");
    }

    #[test]
    fn each_backend_migrates_with_the_shared_schema_first() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let versions: Vec<i64> = backend.migrator().iter().map(|m| m.version).collect();
            let mut sorted = versions.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(versions, sorted, "{backend:?}: one migration per version");
            assert_eq!(&versions[..2], [1, 2]);
            assert!(versions.len() > 2, "{backend:?} has its own checks");
        }
    }
}
