//! Policy modules (content-addressed, with the owners who uploaded them),
//! each lot's policy versions, and every activation.

use sqlx::FromRow;

use super::{Exec, Result, Tx};

#[derive(Debug, Clone, FromRow)]
pub struct ModuleRow {
    pub digest: String,
    pub size: i64,
    pub name: String,
    pub version: String,
    pub sdk_version: String,
    pub interface_version: String,
    pub settings_schema: String,
    pub created_at: i64,
    /// The locales it speaks, a JSON array (NULL for modules stored before
    /// the column existed).
    pub locales: Option<String>,
}

impl ModuleRow {
    /// The record of a module the engine loaded.
    pub fn new(info: &boomgate_engine::ModuleInfo, now: i64) -> ModuleRow {
        ModuleRow {
            digest: info.digest.clone(),
            size: i64::try_from(info.size).unwrap_or(i64::MAX),
            name: info.name.clone(),
            version: info.version.clone(),
            sdk_version: info.sdk_version.clone(),
            interface_version: info.interface_version.clone(),
            settings_schema: info.settings_schema.to_string(),
            created_at: now,
            locales: serde_json::to_string(&info.locales).ok(),
        }
    }
}

macro_rules! module_columns {
    () => {
        "digest, size, name, version, sdk_version, interface_version, settings_schema, created_at, locales"
    };
}

/// Stores a module (once per digest) and records that `owner` uploaded it.
pub async fn insert_module(tx: &mut Tx, m: &ModuleRow, bytes: &[u8], owner: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO modules (digest, bytes, size, name, version, sdk_version, interface_version,
             settings_schema, created_at, locales)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (digest) DO NOTHING",
    )
    .bind(&m.digest)
    .bind(bytes)
    .bind(m.size)
    .bind(&m.name)
    .bind(&m.version)
    .bind(&m.sdk_version)
    .bind(&m.interface_version)
    .bind(&m.settings_schema)
    .bind(m.created_at)
    .bind(&m.locales)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO module_owners (digest, owner_id, uploaded_at) VALUES ($1, $2, $3)
         ON CONFLICT (digest, owner_id) DO NOTHING",
    )
    .bind(&m.digest)
    .bind(owner)
    .bind(m.created_at)
    .execute(&mut **tx)
    .await
    .map(drop)
}

/// A module, if `owner` uploaded it.
pub async fn module_of_owner<'e>(
    db: impl Exec<'e>,
    digest: &str,
    owner: &str,
) -> Result<Option<ModuleRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        module_columns!(),
        " FROM modules WHERE digest = $1
         AND EXISTS (SELECT 1 FROM module_owners WHERE digest = $1 AND owner_id = $2)"
    ))
    .bind(digest)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// The modules `owner` uploaded, newest first.
pub async fn modules_of_owner<'e>(db: impl Exec<'e>, owner: &str) -> Result<Vec<ModuleRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        module_columns!(),
        " FROM modules WHERE digest IN (SELECT digest FROM module_owners WHERE owner_id = $1)
         ORDER BY created_at DESC, digest"
    ))
    .bind(owner)
    .fetch_all(db)
    .await
}

pub async fn module_bytes<'e>(db: impl Exec<'e>, digest: &str) -> Result<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT bytes FROM modules WHERE digest = $1")
        .bind(digest)
        .fetch_optional(db)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub lot_id: String,
    pub version: i64,
    pub module_digest: String,
    pub settings: String,
    pub note: Option<String>,
    pub created_at: i64,
    /// The module's name, as it describes itself.
    pub module_name: String,
    /// When the version was last activated, if ever.
    pub activated_at: Option<i64>,
}

macro_rules! version_select {
    () => {
        "SELECT v.lot_id, v.version, v.module_digest, v.settings, v.note, v.created_at,
             m.name AS module_name,
             (SELECT MAX(a.activated_at) FROM policy_activations a
              WHERE a.lot_id = v.lot_id AND a.version = v.version) AS activated_at
         FROM policy_versions v JOIN modules m ON m.digest = v.module_digest"
    };
}

/// Adds the lot's next policy version and returns its number.
pub async fn insert_version(
    tx: &mut Tx,
    lot: &str,
    digest: &str,
    settings: &str,
    note: Option<&str>,
    now: i64,
) -> Result<i64> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM policy_versions WHERE lot_id = $1")
            .bind(lot)
            .fetch_one(&mut **tx)
            .await?;
    let version = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO policy_versions (lot_id, version, module_digest, settings, note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(lot)
    .bind(version)
    .bind(digest)
    .bind(settings)
    .bind(note)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(version)
}

pub async fn version<'e>(db: impl Exec<'e>, lot: &str, version: i64) -> Result<Option<VersionRow>> {
    sqlx::query_as(concat!(
        version_select!(),
        " WHERE v.lot_id = $1 AND v.version = $2"
    ))
    .bind(lot)
    .bind(version)
    .fetch_optional(db)
    .await
}

pub async fn versions<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<VersionRow>> {
    sqlx::query_as(concat!(
        version_select!(),
        " WHERE v.lot_id = $1 ORDER BY v.version"
    ))
    .bind(lot)
    .fetch_all(db)
    .await
}

pub async fn activate(
    tx: &mut Tx,
    id: &str,
    lot: &str,
    version: i64,
    by: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE lots SET active_version = $2 WHERE id = $1")
        .bind(lot)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO policy_activations (id, lot_id, version, activated_at, activated_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(lot)
    .bind(version)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await
    .map(drop)
}
