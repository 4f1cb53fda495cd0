//! Owners, the API tokens every caller presents, and the failed
//! authentications that lock a source out.

use sqlx::FromRow;

use super::types::Role;
use super::{Exec, Result, Tx};

pub async fn insert_owner<'e>(db: impl Exec<'e>, id: &str, name: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO owners (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(db)
        .await
        .map(drop)
}

pub async fn count_owners<'e>(db: impl Exec<'e>) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM owners")
        .fetch_one(db)
        .await
}

// ---------------------------------------------------------------- tokens

/// A token's scope.
#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub role: Role,
    pub owner_id: String,
    pub lot_id: Option<String>,
    pub robot_id: Option<String>,
    pub agent_id: Option<String>,
}

/// A new token's scope.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub hash: &'a str,
    pub role: Role,
    pub owner_id: &'a str,
    pub lot_id: Option<&'a str>,
    pub robot_id: Option<&'a str>,
    pub agent_id: Option<&'a str>,
}

impl<'a> NewToken<'a> {
    /// An owner's token.
    pub fn owner(hash: &'a str, owner_id: &'a str) -> Self {
        NewToken {
            hash,
            role: Role::Owner,
            owner_id,
            lot_id: None,
            robot_id: None,
            agent_id: None,
        }
    }

    /// A robot's token, bound to the robot (and through it to its gate).
    pub fn robot(hash: &'a str, owner_id: &'a str, lot_id: &'a str, robot_id: &'a str) -> Self {
        NewToken {
            lot_id: Some(lot_id),
            robot_id: Some(robot_id),
            role: Role::Robot,
            ..NewToken::owner(hash, owner_id)
        }
    }

    /// An agent's token.
    pub fn agent(hash: &'a str, owner_id: &'a str, agent_id: &'a str) -> Self {
        NewToken {
            agent_id: Some(agent_id),
            role: Role::Agent,
            ..NewToken::owner(hash, owner_id)
        }
    }
}

pub async fn insert_token<'e>(db: impl Exec<'e>, t: &NewToken<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO tokens (hash, role, owner_id, lot_id, robot_id, agent_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.hash)
    .bind(t.role)
    .bind(t.owner_id)
    .bind(t.lot_id)
    .bind(t.robot_id)
    .bind(t.agent_id)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

pub async fn find_token<'e>(db: impl Exec<'e>, hash: &str) -> Result<Option<TokenRow>> {
    sqlx::query_as(
        "SELECT role, owner_id, lot_id, robot_id, agent_id FROM tokens
         WHERE hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(db)
    .await
}

// ---------------------------------------------------------------- lockout

/// Counts a failed authentication from `source`; returns when the source is
/// locked until, if this failure (or an earlier one) locked it.
pub async fn record_auth_failure(
    tx: &mut Tx,
    source: &str,
    now: i64,
    threshold: i64,
    lock_ms: i64,
) -> Result<Option<i64>> {
    let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT failures, first_at, locked_until FROM auth_failures WHERE source = $1",
    )
    .bind(source)
    .fetch_optional(&mut **tx)
    .await?;
    let (failures, first_at) = match row {
        // A lock that has run out, or failures older than the lock period,
        // start the count again.
        Some((n, first, locked)) if locked.is_none_or(|l| l > now) && now - first < lock_ms => {
            (n + 1, first)
        }
        _ => (1, now),
    };
    let locked_until = (failures >= threshold).then_some(now + lock_ms);
    sqlx::query(
        "INSERT INTO auth_failures (source, failures, first_at, locked_until) VALUES ($1, $2, $3, $4)
         ON CONFLICT (source) DO UPDATE SET failures = excluded.failures,
             first_at = excluded.first_at, locked_until = excluded.locked_until",
    )
    .bind(source)
    .bind(failures)
    .bind(first_at)
    .bind(locked_until)
    .execute(&mut **tx)
    .await?;
    Ok(locked_until)
}
