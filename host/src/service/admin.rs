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

/// Adds the person who logs in as the owner, with their phone number.
pub async fn add_owner_person(
    db: &Db,
    owner: &str,
    name: &str,
    phone: &str,
    now: i64,
) -> anyhow::Result<String> {
    let person = crate::db::people::PersonRow::new(
        owner,
        crate::db::types::PersonRole::Owner,
        None,
        name,
        phone,
        "zh-CN",
        now,
    );
    let mut tx = db.write().await?;
    if let Err(e) = crate::db::people::insert_person(&mut *tx, &person).await {
        if crate::db::is_unique_violation(&e) {
            anyhow::bail!("{phone} is someone's number already");
        }
        return Err(e.into());
    }
    tx.commit().await?;
    Ok(person.id)
}
