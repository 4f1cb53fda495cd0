//! What robots are told to do or show, in order, per gate.

use sqlx::FromRow;

use super::{Exec, Result};

pub async fn insert_command<'e>(
    db: impl Exec<'e>,
    id: &str,
    lot: &str,
    gate: &str,
    command: &str,
    by: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO robot_commands (id, lot_id, gate_id, command, issued_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(lot)
    .bind(gate)
    .bind(command)
    .bind(by)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

#[derive(Debug, Clone, FromRow)]
pub struct CommandRow {
    pub id: String,
    /// The command, as JSON.
    pub command: String,
    pub issued_by: String,
    pub created_at: i64,
}

/// A gate's commands after `after` (a command id), oldest first.
pub async fn commands_after<'e>(
    db: impl Exec<'e>,
    lot: &str,
    gate: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<CommandRow>> {
    sqlx::query_as(
        "SELECT id, command, issued_by, created_at FROM robot_commands
         WHERE lot_id = $1 AND gate_id = $2 AND id > $3 ORDER BY id LIMIT $4",
    )
    .bind(lot)
    .bind(gate)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A gate's latest command.
pub async fn latest_command<'e>(
    db: impl Exec<'e>,
    lot: &str,
    gate: &str,
) -> Result<Option<CommandRow>> {
    sqlx::query_as(
        "SELECT id, command, issued_by, created_at FROM robot_commands
         WHERE lot_id = $1 AND gate_id = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(lot)
    .bind(gate)
    .fetch_optional(db)
    .await
}
