//! Photos (robots' entry photos, agents' ID and scene photos), stored by
//! content hash per lot.

use super::{Exec, Result};

/// A photo.
pub struct NewPhoto<'a> {
    pub lot: &'a str,
    pub digest: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub uploaded_by: &'a str,
}

pub async fn insert_photo<'e>(db: impl Exec<'e>, p: &NewPhoto<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO photos (lot_id, digest, content_type, bytes, size, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (lot_id, digest) DO NOTHING",
    )
    .bind(p.lot)
    .bind(p.digest)
    .bind(p.content_type)
    .bind(p.bytes)
    .bind(super::count(p.bytes.len()))
    .bind(p.uploaded_by)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// A photo's content type and bytes.
pub async fn photo<'e>(
    db: impl Exec<'e>,
    lot: &str,
    digest: &str,
) -> Result<Option<(String, Vec<u8>)>> {
    sqlx::query_as("SELECT content_type, bytes FROM photos WHERE lot_id = $1 AND digest = $2")
        .bind(lot)
        .bind(digest)
        .fetch_optional(db)
        .await
}

/// Whether `digest` was uploaded to `lot`.
pub async fn has_photo<'e>(db: impl Exec<'e>, lot: &str, digest: &str) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE lot_id = $1 AND digest = $2")
            .bind(lot)
            .bind(digest)
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}
