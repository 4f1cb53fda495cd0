//! The service end to end: the real HTTP stack on loopback, real SQLite
//! files and a real PostgreSQL server, the real standard policy component.
//!
//! PostgreSQL tests need a server: `scripts/test` starts one and sets
//! `BOOMGATE_TEST_PG_URL`; each test gets a fresh database on it.

mod auth;
mod cli;
mod compiles;
mod desk;
mod durability;
mod events;
mod gate_loop;
mod harness;
mod hotswap;
mod operability;
mod owners;
mod people;
mod restart;
mod storage;
mod tariffs;
mod tls;

/// Runs an async test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::harness::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::harness::Backend::Postgres).await;
            }
        }
    };
}
