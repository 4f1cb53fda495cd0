//! Administration shared by the command line and the tests.

use crate::db::{self, Db, NewToken};
use crate::ids::{new_id, token};

/// Creates a lot owner; returns their id and token (shown once).
pub async fn create_owner(db: &Db, name: &str, now: i64) -> anyhow::Result<(String, String)> {
    let id = new_id("own", now);
    let (secret, hash) = token("owner")?;
    let mut tx = db.write().await?;
    db::insert_owner(&mut *tx, &id, name, now).await?;
    db::insert_token(
        &mut *tx,
        &NewToken {
            hash: &hash,
            role: "owner",
            owner_id: &id,
            ..NewToken::default()
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}
