//! Remote agents and the lots each serves.

use sqlx::FromRow;

use super::{Exec, Result};

pub async fn insert_agent<'e>(
    db: impl Exec<'e>,
    id: &str,
    owner: &str,
    name: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO agents (id, owner_id, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(owner)
        .bind(name)
        .bind(now)
        .execute(db)
        .await
        .map(drop)
}

pub async fn add_agent_lot<'e>(db: impl Exec<'e>, agent: &str, lot: &str) -> Result<()> {
    sqlx::query("INSERT INTO agent_lots (agent_id, lot_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(agent)
        .bind(lot)
        .execute(db)
        .await
        .map(drop)
}

/// Whether `agent` serves `lot`.
pub async fn serves<'e>(db: impl Exec<'e>, agent: &str, lot: &str) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM agent_lots WHERE agent_id = $1 AND lot_id = $2")
            .bind(agent)
            .bind(lot)
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}

#[derive(Debug, Clone, FromRow)]
pub struct AgentRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

pub async fn agents_of_owner<'e>(db: impl Exec<'e>, owner: &str) -> Result<Vec<AgentRow>> {
    sqlx::query_as("SELECT id, name, created_at FROM agents WHERE owner_id = $1 ORDER BY id")
        .bind(owner)
        .fetch_all(db)
        .await
}

/// Which lots each of the owner's agents serves: (agent, lot) pairs.
pub async fn agent_lots_of_owner<'e>(
    db: impl Exec<'e>,
    owner: &str,
) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT l.agent_id, l.lot_id FROM agent_lots l JOIN agents a ON a.id = l.agent_id
         WHERE a.owner_id = $1 ORDER BY l.agent_id, l.lot_id",
    )
    .bind(owner)
    .fetch_all(db)
    .await
}

/// The agents serving `lot`, by name.
pub async fn agents_of_lot<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<AgentRow>> {
    sqlx::query_as(
        "SELECT a.id, a.name, a.created_at FROM agents a JOIN agent_lots l ON l.agent_id = a.id
         WHERE l.lot_id = $1 ORDER BY a.name, a.id",
    )
    .bind(lot)
    .fetch_all(db)
    .await
}

/// Renames an agent.
pub async fn rename_agent<'e>(db: impl Exec<'e>, agent: &str, name: &str) -> Result<()> {
    sqlx::query("UPDATE agents SET name = $2 WHERE id = $1")
        .bind(agent)
        .bind(name)
        .execute(db)
        .await
        .map(drop)
}

/// Stops an agent serving any lot (before it is given its new ones).
pub async fn clear_agent_lots<'e>(db: impl Exec<'e>, agent: &str) -> Result<()> {
    sqlx::query("DELETE FROM agent_lots WHERE agent_id = $1")
        .bind(agent)
        .execute(db)
        .await
        .map(drop)
}
