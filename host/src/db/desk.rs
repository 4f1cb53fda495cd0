//! Records of the agents' desk: agents and their lots, photos, openings,
//! visitors, robot commands, and the queries agents make.

use sqlx::FromRow;

use super::records::Exec;

type Result<T> = sqlx::Result<T>;

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

/// The lots an agent serves.
pub async fn agent_lots<'e>(db: impl Exec<'e>, agent: &str) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT lot_id FROM agent_lots WHERE agent_id = $1 ORDER BY lot_id")
        .bind(agent)
        .fetch_all(db)
        .await
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
    .bind(i64::try_from(p.bytes.len()).unwrap_or(i64::MAX))
    .bind(p.uploaded_by)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

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

pub async fn has_photo<'e>(db: impl Exec<'e>, lot: &str, digest: &str) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE lot_id = $1 AND digest = $2")
            .bind(lot)
            .bind(digest)
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}

/// Gives the stay a decision opened its entry photo.
pub async fn set_entry_photo<'e>(
    db: impl Exec<'e>,
    entry_decision: &str,
    photo: &str,
) -> Result<()> {
    sqlx::query("UPDATE sessions SET entry_photo = $2 WHERE entry_decision = $1")
        .bind(entry_decision)
        .bind(photo)
        .execute(db)
        .await
        .map(drop)
}

pub async fn set_event_photo<'e>(
    db: impl Exec<'e>,
    lot: &str,
    robot: &str,
    event: &str,
    photo: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE events SET photo = $4 WHERE lot_id = $1 AND robot_id = $2 AND event_id = $3",
    )
    .bind(lot)
    .bind(robot)
    .bind(event)
    .bind(photo)
    .execute(db)
    .await
    .map(drop)
}

/// An opening by a person.
pub struct NewOpening<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub gate: &'a str,
    pub direction: &'a str,
    pub plate: Option<&'a str>,
    pub kind: &'a str,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub id_photos: &'a [String],
    pub scene_photos: &'a [String],
    pub decision: &'a str,
    pub by: &'a str,
}

pub async fn insert_opening<'e>(db: impl Exec<'e>, o: &NewOpening<'_>, now: i64) -> Result<()> {
    let json = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".to_owned());
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
    pub kind: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub id_photos: String,
    pub scene_photos: String,
    pub decision_id: String,
    pub opened_by: String,
    pub created_at: i64,
}

pub async fn openings<'e>(db: impl Exec<'e>, lot: &str, limit: i64) -> Result<Vec<OpeningRow>> {
    sqlx::query_as(
        "SELECT id, gate_id, direction, plate, kind, reason, note, id_photos, scene_photos, decision_id,
             opened_by, created_at
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
        "INSERT INTO robot_commands (id, lot_id, gate_id, command, issued_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
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

/// Marks a gate's open escalations resolved by `decision`.
pub async fn resolve_escalations<'e>(
    db: impl Exec<'e>,
    lot: &str,
    gate: &str,
    decision: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE escalations SET resolved_at = $3, resolution = $4
         WHERE lot_id = $1 AND gate_id = $2 AND resolved_at IS NULL",
    )
    .bind(lot)
    .bind(gate)
    .bind(now)
    .bind(decision)
    .execute(db)
    .await
    .map(drop)
}

/// The latest decision at each gate of `lot`.
pub async fn latest_decisions<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<super::DecisionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        decision_columns!(),
        " FROM decisions d WHERE lot_id = $1 AND id = (SELECT MAX(id) FROM decisions e WHERE e.lot_id = d.lot_id AND e.gate_id = d.gate_id)"
    ))
    .bind(lot)
    .fetch_all(db)
    .await
}

/// Payments for `plate` in `lot` made after `since`.
pub async fn paid_since<'e>(db: impl Exec<'e>, lot: &str, plate: &str, since: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM payments WHERE lot_id = $1 AND plate = $2 AND created_at > $3",
    )
    .bind(lot)
    .bind(plate)
    .bind(since)
    .fetch_one(db)
    .await
}

/// The latest stays of `plate`, newest first.
pub async fn stays_of_plate<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &str,
    limit: i64,
) -> Result<Vec<super::SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 AND plate = $2 ORDER BY entered_at DESC LIMIT $3"
    ))
    .bind(lot)
    .bind(plate)
    .bind(limit)
    .fetch_all(db)
    .await
}

pub async fn session<'e>(
    db: impl Exec<'e>,
    lot: &str,
    id: &str,
) -> Result<Option<super::SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 AND id = $2"
    ))
    .bind(lot)
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn entry_photo<'e>(db: impl Exec<'e>, session: &str) -> Result<Option<String>> {
    let photo: Option<Option<String>> =
        sqlx::query_scalar("SELECT entry_photo FROM sessions WHERE id = $1")
            .bind(session)
            .fetch_optional(db)
            .await?;
    Ok(photo.flatten())
}

/// Passes matching a phone or plate in the given lots, with their account.
pub async fn find_passes<'e>(
    db: impl Exec<'e>,
    lot: &str,
    phone: Option<&str>,
    plate: Option<&str>,
) -> Result<Vec<super::PassRow>> {
    sqlx::query_as(
        "SELECT p.plate, p.account_id, p.valid_until, a.spaces, a.holder, a.phone
         FROM monthly_passes p JOIN accounts a ON a.lot_id = p.lot_id AND a.id = p.account_id
         WHERE p.lot_id = $1 AND ($2 IS NULL OR a.phone = $2) AND ($3 IS NULL OR p.plate = $3)
         ORDER BY p.plate",
    )
    .bind(lot)
    .bind(phone)
    .bind(plate)
    .fetch_all(db)
    .await
}

/// Payments for any plate of `account` since `since`, newest first.
pub async fn account_payments<'e>(
    db: impl Exec<'e>,
    lot: &str,
    account: &str,
    since: i64,
) -> Result<Vec<super::PaymentRow>> {
    sqlx::query_as(
        "SELECT y.id, y.session_id, y.plate, y.kind, y.amount, y.paid_at FROM payments y
         JOIN monthly_passes p ON p.lot_id = y.lot_id AND p.plate = y.plate
         WHERE y.lot_id = $1 AND p.account_id = $2 AND y.paid_at >= $3 ORDER BY y.paid_at DESC",
    )
    .bind(lot)
    .bind(account)
    .bind(since)
    .fetch_all(db)
    .await
}

pub async fn payments_of_session<'e>(
    db: impl Exec<'e>,
    session: &str,
) -> Result<Vec<super::PaymentRow>> {
    sqlx::query_as(
        "SELECT id, session_id, plate, kind, amount, paid_at FROM payments WHERE session_id = $1 ORDER BY paid_at",
    )
    .bind(session)
    .fetch_all(db)
    .await
}

/// A stay closed by a person at a stated time.
pub struct NewClosure<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub session: &'a str,
    pub left_at: i64,
    pub note: Option<&'a str>,
    pub total: i64,
    pub due: i64,
    pub charged: i64,
    pub order: Option<&'a str>,
    pub by: &'a str,
}

pub async fn insert_closure<'e>(db: impl Exec<'e>, c: &NewClosure<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO closures (id, lot_id, session_id, left_at, note, total, due, charged, order_id, closed_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(c.id)
    .bind(c.lot)
    .bind(c.session)
    .bind(c.left_at)
    .bind(c.note)
    .bind(c.total)
    .bind(c.due)
    .bind(c.charged)
    .bind(c.order)
    .bind(c.by)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// When each robot of `lot` last sent an event.
pub async fn robots_last_seen<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT robot_id, MAX(received_at) FROM events WHERE lot_id = $1 GROUP BY robot_id",
    )
    .bind(lot)
    .fetch_all(db)
    .await
}

/// Settles the plate's pending orders of `kind` that belong to no stay
/// (monthly renewals).
pub async fn settle_plate_orders<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &str,
    kind: &str,
    at: i64,
) -> Result<u64> {
    sqlx::query(
        "UPDATE orders SET status = 'paid', settled_at = $4
         WHERE lot_id = $1 AND plate = $2 AND kind = $3 AND session_id IS NULL AND status = 'pending'",
    )
    .bind(lot)
    .bind(plate)
    .bind(kind)
    .bind(at)
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
