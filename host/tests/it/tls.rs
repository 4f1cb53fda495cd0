//! The service on PostgreSQL over TLS, as multi-host deployments run it:
//! `scripts/pg` serves TLS only, with a self-signed certificate, and every
//! PostgreSQL test connects with `sslmode=verify-full` against it. Here:
//! the connection is encrypted, a server the client cannot verify is
//! refused, plaintext is refused where the server requires TLS, and the
//! password can come from a file instead of the URL.

use sqlx::Row as _;

use crate::harness::{database_url, unique};
use boomgate_host::db::Db;

/// The error of a connection that must fail.
fn refused(connected: anyhow::Result<Db>, why: &str) -> anyhow::Error {
    match connected {
        Ok(_) => panic!("connected, but {why}"),
        Err(e) => e,
    }
}

fn admin() -> String {
    std::env::var("BOOMGATE_TEST_PG_URL").expect(
        "PostgreSQL tests need a server: run `scripts/test` (it starts one) or set BOOMGATE_TEST_PG_URL",
    )
}

/// `admin` with `sslmode` (and `sslrootcert`) replaced by `params`.
fn with_params(admin: &str, params: &str) -> String {
    let base = admin.split_once('?').map_or(admin, |(base, _)| base);
    if params.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{params}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_talks_to_postgresql_over_verified_tls() {
    let admin = admin();
    assert!(admin.contains("sslmode=verify-full"), "{admin}");
    let db = Db::connect(&admin).await.expect("connects over TLS");
    let row = sqlx::query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(row.get::<bool, _>(0), "the connection is encrypted");
    assert!(
        row.get::<String, _>(1).starts_with("TLSv1."),
        "TLS 1.2 or 1.3"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_it_cannot_verify_or_plaintext_is_refused() {
    let admin = admin();
    // verify-full without the self-signed root: the public roots do not
    // vouch for it.
    let unverified = with_params(&admin, "sslmode=verify-full");
    let e = refused(Db::connect(&unverified).await, "the server is not verified");
    let chain = format!("{e:#}");
    assert!(chain.contains("cannot connect to the database"), "{chain}");
    assert!(
        chain.to_lowercase().contains("certificate"),
        "the cause names the certificate: {chain}"
    );
    // Plaintext, where the server requires TLS.
    let plain = with_params(&admin, "sslmode=disable");
    let e = refused(Db::connect(&plain).await, "the server requires TLS");
    let chain = format!("{e:#}");
    assert!(chain.contains("no encryption"), "{chain}");
    // `require` encrypts without verifying: it connects.
    let required = with_params(&admin, "sslmode=require");
    Db::connect(&required)
        .await
        .expect("sslmode=require connects");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_can_come_from_a_file() {
    let admin = admin();
    let db = Db::connect(&admin).await.unwrap();
    let password = unique("pw-");
    // One role, reused by each run (its password changes each time).
    let _ = sqlx::query("CREATE ROLE bg_pw_test LOGIN")
        .execute(db.pool())
        .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER ROLE bg_pw_test WITH LOGIN CREATEDB PASSWORD '{password}'"
    )))
    .execute(db.pool())
    .await
    .unwrap();
    let name = unique("bg_pw_db_");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} OWNER bg_pw_test"
    )))
    .execute(db.pool())
    .await
    .unwrap();
    let url = database_url(&admin, &name).replace("postgres@", "bg_pw_test@");
    // No password: refused.
    let e = refused(Db::connect(&url).await, "no password was given");
    assert!(format!("{e:#}").contains("password"), "{e:#}");
    // From the file, through the configuration the service reads.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("db-password");
    std::fs::write(&file, format!("{password}\n")).unwrap();
    let config = boomgate_host::service::Config {
        db: url.clone(),
        db_password_file: Some(file.clone()),
        demo: false,
        ..Default::default()
    };
    let state =
        boomgate_host::service::AppState::new(config, boomgate_host::service::Clock::system())
            .await
            .expect("the service starts with the password from the file");
    let who: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    assert_eq!(who, "bg_pw_test");
    // A wrong one is refused, and the error does not show it.
    std::fs::write(&file, "wrong-password\n").unwrap();
    let wrong = boomgate_host::service::config::with_password_file(&url, &file).unwrap();
    let e = format!(
        "{:#}",
        refused(Db::connect(&wrong).await, "the password is wrong")
    );
    assert!(!e.contains("wrong-password"), "{e}");
}
