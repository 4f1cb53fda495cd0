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
    /// The token's id (tokens made before ids have none).
    pub id: Option<String>,
    pub role: Role,
    pub owner_id: String,
    pub lot_id: Option<String>,
    pub robot_id: Option<String>,
    pub agent_id: Option<String>,
}

/// A robot's token: its hash and scope.
#[derive(Debug, Clone, FromRow)]
pub struct RobotToken {
    pub hash: String,
    #[sqlx(flatten)]
    pub token: TokenRow,
}

/// Every robot's live token: what the service knows robots by when the
/// database fails.
pub async fn robot_tokens<'e>(db: impl Exec<'e>) -> Result<Vec<RobotToken>> {
    sqlx::query_as(
        "SELECT hash, id, role, owner_id, lot_id, robot_id, agent_id FROM tokens
         WHERE role = 'robot' AND revoked_at IS NULL",
    )
    .fetch_all(db)
    .await
}

/// A new token's scope.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// The token's id, as records name it; none: a new one.
    pub id: Option<&'a str>,
    /// What it is for, e.g. `WeChat Pay`.
    pub name: Option<&'a str>,
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
            id: None,
            name: None,
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
    let id = match t.id {
        Some(id) => id.to_owned(),
        None => super::ids::new_id("tok", now),
    };
    sqlx::query(
        "INSERT INTO tokens (id, name, hash, role, owner_id, lot_id, robot_id, agent_id, created_at)
         VALUES ($8, $9, $1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.hash)
    .bind(t.role)
    .bind(t.owner_id)
    .bind(t.lot_id)
    .bind(t.robot_id)
    .bind(t.agent_id)
    .bind(now)
    .bind(id)
    .bind(t.name)
    .execute(db)
    .await
    .map(drop)
}

/// Scopes a token to a lot.
pub async fn add_token_lot<'e>(db: impl Exec<'e>, hash: &str, lot: &str) -> Result<()> {
    sqlx::query("INSERT INTO token_lots (hash, lot_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(hash)
        .bind(lot)
        .execute(db)
        .await
        .map(drop)
}

/// The lots a token is scoped to.
pub async fn token_lots<'e>(db: impl Exec<'e>, token_id: &str) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT l.lot_id FROM token_lots l JOIN tokens t ON t.hash = l.hash
         WHERE t.id = $1 ORDER BY l.lot_id",
    )
    .bind(token_id)
    .fetch_all(db)
    .await
}

/// A machine's token, as its owner lists it.
#[derive(Debug, Clone, FromRow)]
pub struct ServiceTokenRow {
    pub id: String,
    pub name: Option<String>,
    pub role: Role,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// The owner's machine tokens (payment system, app platform), newest first.
pub async fn service_tokens<'e>(db: impl Exec<'e>, owner: &str) -> Result<Vec<ServiceTokenRow>> {
    sqlx::query_as(
        "SELECT id, name, role, created_at, revoked_at FROM tokens
         WHERE owner_id = $1 AND role IN ('owner', 'payments', 'app', 'telephony', 'merchant') AND id IS NOT NULL
         ORDER BY created_at DESC",
    )
    .bind(owner)
    .fetch_all(db)
    .await
}

pub async fn find_token<'e>(db: impl Exec<'e>, hash: &str) -> Result<Option<TokenRow>> {
    sqlx::query_as(
        "SELECT id, role, owner_id, lot_id, robot_id, agent_id FROM tokens
         WHERE hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(db)
    .await
}

// ---------------------------------------------------------------- lockout

/// Counts a failed authentication from `source`; returns when the source is
/// locked until, if this failure (or an earlier one) locked it.
///
/// One statement reads and writes the count, so concurrent failures from
/// one source each count (PostgreSQL's `ON CONFLICT DO UPDATE` locks the
/// row; SQLite's writer is one). The count starts again when a lock has run
/// out, or when the first failure is older than the lock period and the
/// source is not locked; while locked, each failure extends the lock.
pub async fn record_auth_failure(
    tx: &mut Tx,
    source: &str,
    now: i64,
    threshold: i64,
    lock_ms: i64,
) -> Result<Option<i64>> {
    // Each `CASE WHEN (…)` below is the same test, "the stored count no
    // longer counts": a lock that has run out, or no lock and a first
    // failure older than the lock period.
    const SQL: &str = "INSERT INTO auth_failures (source, failures, first_at, locked_until)
         VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $2 + $4 END)
         ON CONFLICT (source) DO UPDATE SET
             failures = CASE WHEN ((auth_failures.locked_until IS NOT NULL AND auth_failures.locked_until <= $2) OR (auth_failures.locked_until IS NULL AND $2 - auth_failures.first_at >= $4)) THEN 1 ELSE auth_failures.failures + 1 END,
             first_at = CASE WHEN ((auth_failures.locked_until IS NOT NULL AND auth_failures.locked_until <= $2) OR (auth_failures.locked_until IS NULL AND $2 - auth_failures.first_at >= $4)) THEN $2 ELSE auth_failures.first_at END,
             locked_until = CASE
                 WHEN (CASE WHEN ((auth_failures.locked_until IS NOT NULL AND auth_failures.locked_until <= $2) OR (auth_failures.locked_until IS NULL AND $2 - auth_failures.first_at >= $4)) THEN 1 ELSE auth_failures.failures + 1 END) >= $3
                 THEN $2 + $4 END
         RETURNING locked_until";
    let (locked_until,): (Option<i64>,) = sqlx::query_as(SQL)
        .bind(source)
        .bind(now)
        .bind(threshold)
        .bind(lock_ms)
        .fetch_one(&mut **tx)
        .await?;
    Ok(locked_until)
}

/// Revokes one of the owner's machine tokens; false if there is none.
pub async fn revoke_service_token<'e>(
    db: impl Exec<'e>,
    owner: &str,
    id: &str,
    now: i64,
) -> Result<bool> {
    sqlx::query(
        "UPDATE tokens SET revoked_at = $3
         WHERE owner_id = $1 AND id = $2 AND role IN ('owner', 'payments', 'app', 'telephony', 'merchant') AND revoked_at IS NULL",
    )
    .bind(owner)
    .bind(id)
    .bind(now)
    .execute(db)
    .await
    .map(|r| r.rows_affected() > 0)
}

/// Revokes every live token of a robot.
pub async fn revoke_robot_tokens<'e>(
    db: impl Exec<'e>,
    lot: &str,
    robot: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE tokens SET revoked_at = $3
         WHERE role = 'robot' AND lot_id = $1 AND robot_id = $2 AND revoked_at IS NULL",
    )
    .bind(lot)
    .bind(robot)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// Revokes every live token of an agent.
pub async fn revoke_agent_tokens<'e>(db: impl Exec<'e>, agent: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE tokens SET revoked_at = $2 WHERE role = 'agent' AND agent_id = $1 AND revoked_at IS NULL",
    )
    .bind(agent)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}
