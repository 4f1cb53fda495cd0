//! Administration shared by the command line and the tests.

use crate::db::Db;
use crate::db::ids::{new_id, token};
use crate::db::owners::{self, NewToken};
use crate::db::types::Role;

/// Creates a lot owner; returns their id and token (shown once).
pub async fn create_owner(db: &Db, name: &str, now: i64) -> anyhow::Result<(String, String)> {
    let id = new_id("own", now);
    let (secret, hash) = token(Role::Owner)?;
    let mut tx = db.write().await?;
    owners::insert_owner(&mut *tx, &id, name, now).await?;
    owners::insert_token(&mut *tx, &NewToken::owner(&hash, &id), now).await?;
    tx.commit().await?;
    Ok((id, secret))
}
