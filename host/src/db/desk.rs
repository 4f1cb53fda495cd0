//! What people did at the gates: openings (normal, abnormal with reason
//! and evidence, for a visitor, after a correction) and the visitors they
//! registered.

use sqlx::FromRow;

use super::types::OpeningKind;
use super::{Exec, Result};

/// An opening by a person.
pub struct NewOpening<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub gate: &'a str,
    pub direction: &'a str,
    pub plate: Option<&'a str>,
    pub kind: OpeningKind,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub id_photos: &'a [String],
    pub scene_photos: &'a [String],
    pub decision: &'a str,
    pub by: &'a str,
}

pub async fn insert_opening<'e>(db: impl Exec<'e>, o: &NewOpening<'_>, now: i64) -> Result<()> {
    let json = |v: &[String]| serde_json::Value::from(v.to_vec()).to_string();
    sqlx::query(
        "INSERT INTO openings (id, lot_id, gate_id, direction, plate, kind, reason, note, id_photos,
             scene_photos, decision_id, opened_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(o.id)
    .bind(o.lot)
    .bind(o.gate)
    .bind(o.direction)
    .bind(o.plate)
    .bind(o.kind)
    .bind(o.reason)
    .bind(o.note)
    .bind(json(o.id_photos))
    .bind(json(o.scene_photos))
    .bind(o.decision)
    .bind(o.by)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

#[derive(Debug, Clone, FromRow)]
pub struct OpeningRow {
    pub id: String,
    pub gate_id: String,
    pub direction: String,
    pub plate: Option<String>,
    pub kind: OpeningKind,
    pub reason: Option<String>,
    pub note: Option<String>,
    /// Digests, as a JSON array.
    pub id_photos: String,
    /// Digests, as a JSON array.
    pub scene_photos: String,
    pub decision_id: String,
    pub opened_by: String,
    pub created_at: i64,
}

impl OpeningRow {
    /// The digests of the ID photos and the scene photos.
    pub fn photos(&self) -> anyhow::Result<(Vec<String>, Vec<String>)> {
        let read = |json: &str| -> anyhow::Result<Vec<String>> {
            serde_json::from_str(json).map_err(|e| {
                anyhow::anyhow!("stored opening `{}` has invalid photos: {e}", self.id)
            })
        };
        Ok((read(&self.id_photos)?, read(&self.scene_photos)?))
    }
}

/// The lot's openings, newest first.
pub async fn openings<'e>(db: impl Exec<'e>, lot: &str, limit: i64) -> Result<Vec<OpeningRow>> {
    sqlx::query_as(
        "SELECT id, gate_id, direction, plate, kind, reason, note, id_photos, scene_photos,
             decision_id, opened_by, created_at
         FROM openings WHERE lot_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(lot)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A registered visitor.
pub struct NewVisitor<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub gate: &'a str,
    pub plate: Option<&'a str>,
    pub phone: &'a str,
    pub reason: &'a str,
    pub decision: &'a str,
    pub by: &'a str,
}

pub async fn insert_visitor<'e>(db: impl Exec<'e>, v: &NewVisitor<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO visitors (id, lot_id, gate_id, plate, phone, reason, decision_id, registered_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(v.id)
    .bind(v.lot)
    .bind(v.gate)
    .bind(v.plate)
    .bind(v.phone)
    .bind(v.reason)
    .bind(v.decision)
    .bind(v.by)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// A visitor registration, as a phone lookup finds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitorRow {
    pub id: String,
    pub lot_id: String,
    pub gate_id: String,
    pub plate: Option<String>,
    pub phone: String,
    pub reason: String,
    pub registered_by: String,
    pub created_at: i64,
}

/// The visitors of `lot` registered since `since` with a phone among
/// `phones`, newest first.
pub async fn visitors_by_phones<'e>(
    db: impl Exec<'e>,
    lot: &str,
    phones: &[String],
    since: i64,
) -> Result<Vec<VisitorRow>> {
    if phones.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::placeholders(3, phones.len());
    let sql = format!(
        "SELECT id, lot_id, gate_id, plate, phone, reason, registered_by, created_at FROM visitors
         WHERE lot_id = $1 AND created_at >= $2 AND phone IN ({list})
         ORDER BY created_at DESC LIMIT 50"
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(lot)
        .bind(since);
    for phone in phones {
        query = query.bind(phone);
    }
    query.fetch_all(db).await
}

// ---------------------------------------------------------------- tickets

/// An unplated vehicle's ticket: the plate its stay is kept under.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub lot_id: String,
    pub id: String,
    pub phone: Option<String>,
    pub entry_gate: String,
    pub entry_decision: String,
    pub issued_by: String,
    pub created_at: i64,
}

pub async fn insert_ticket<'e>(db: impl Exec<'e>, t: &TicketRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO tickets (lot_id, id, phone, entry_gate, entry_decision, issued_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&t.lot_id)
    .bind(&t.id)
    .bind(&t.phone)
    .bind(&t.entry_gate)
    .bind(&t.entry_decision)
    .bind(&t.issued_by)
    .bind(t.created_at)
    .execute(db)
    .await
    .map(drop)
}

pub async fn ticket<'e>(db: impl Exec<'e>, lot: &str, id: &str) -> Result<Option<TicketRow>> {
    sqlx::query_as(
        "SELECT lot_id, id, phone, entry_gate, entry_decision, issued_by, created_at
         FROM tickets WHERE lot_id = $1 AND id = $2",
    )
    .bind(lot)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The tickets of `lot` issued since `since` with a phone among `phones`,
/// newest first.
pub async fn tickets_by_phones<'e>(
    db: impl Exec<'e>,
    lot: &str,
    phones: &[String],
    since: i64,
) -> Result<Vec<TicketRow>> {
    if phones.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::placeholders(3, phones.len());
    let sql = format!(
        "SELECT lot_id, id, phone, entry_gate, entry_decision, issued_by, created_at FROM tickets
         WHERE lot_id = $1 AND created_at >= $2 AND phone IN ({list})
         ORDER BY created_at DESC LIMIT 20"
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(lot)
        .bind(since);
    for phone in phones {
        query = query.bind(phone);
    }
    query.fetch_all(db).await
}
