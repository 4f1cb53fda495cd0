//! The service's records and the queries on them, one group per table. All
//! SQL is portable between SQLite and PostgreSQL (`$n` parameters, `ON
//! CONFLICT`, `RETURNING`, casts where PostgreSQL widens types).

use sqlx::{Any, Executor, FromRow};

/// Shorthand for any executor (pool, connection, transaction).
pub trait Exec<'e>: Executor<'e, Database = Any> {}
impl<'e, T: Executor<'e, Database = Any>> Exec<'e> for T {}

type Result<T> = sqlx::Result<T>;

// ---------------------------------------------------------------- owners

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

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub role: String,
    pub owner_id: String,
    pub lot_id: Option<String>,
    pub robot_id: Option<String>,
    pub agent_id: Option<String>,
}

/// A new token's scope.
#[derive(Debug, Clone, Default)]
pub struct NewToken<'a> {
    pub hash: &'a str,
    pub role: &'a str,
    pub owner_id: &'a str,
    pub lot_id: Option<&'a str>,
    pub robot_id: Option<&'a str>,
    pub agent_id: Option<&'a str>,
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

pub async fn locked_until<'e>(db: impl Exec<'e>, source: &str, now: i64) -> Result<Option<i64>> {
    let until: Option<Option<i64>> =
        sqlx::query_scalar("SELECT locked_until FROM auth_failures WHERE source = $1")
            .bind(source)
            .fetch_optional(db)
            .await?;
    Ok(until.flatten().filter(|until| *until > now))
}

/// Counts a failed authentication from `source`; returns when the source is
/// locked until, if this failure (or an earlier one) locked it.
pub async fn record_auth_failure(
    tx: &mut super::Tx,
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

// ---------------------------------------------------------------- lots, gates, robots

#[derive(Debug, Clone, FromRow)]
pub struct LotRow {
    pub id: String,
    pub owner_id: String,
    pub name: String,
    pub timezone: String,
    pub currency: String,
    pub emergency_contact: Option<String>,
    pub active_version: Option<i64>,
    pub created_at: i64,
}

macro_rules! lot_columns {
    () => {
        "id, owner_id, name, timezone, currency, emergency_contact, active_version, created_at"
    };
}

pub async fn insert_lot<'e>(db: impl Exec<'e>, lot: &LotRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO lots (id, owner_id, name, timezone, currency, emergency_contact, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&lot.id)
    .bind(&lot.owner_id)
    .bind(&lot.name)
    .bind(&lot.timezone)
    .bind(&lot.currency)
    .bind(&lot.emergency_contact)
    .bind(lot.created_at)
    .execute(db)
    .await
    .map(drop)
}

pub async fn lot<'e>(db: impl Exec<'e>, id: &str) -> Result<Option<LotRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        lot_columns!(),
        " FROM lots WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn lots_of_owner<'e>(db: impl Exec<'e>, owner_id: &str) -> Result<Vec<LotRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        lot_columns!(),
        " FROM lots WHERE owner_id = $1 ORDER BY id"
    ))
    .bind(owner_id)
    .fetch_all(db)
    .await
}

/// Every lot's active version, for other hosts' activations.
pub async fn active_versions<'e>(db: impl Exec<'e>) -> Result<Vec<(String, Option<i64>)>> {
    sqlx::query_as("SELECT id, active_version FROM lots")
        .fetch_all(db)
        .await
}

pub async fn set_emergency_contact<'e>(
    db: impl Exec<'e>,
    lot: &str,
    contact: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE lots SET emergency_contact = $2 WHERE id = $1")
        .bind(lot)
        .bind(contact)
        .execute(db)
        .await
        .map(drop)
}

#[derive(Debug, Clone, FromRow)]
pub struct GateRow {
    pub lot_id: String,
    pub id: String,
    pub direction: String,
}

impl GateRow {
    /// Which way vehicles pass the gate.
    pub fn way(&self) -> boomgate_engine::sdk::Direction {
        if self.direction == "entry" {
            boomgate_engine::sdk::Direction::Entry
        } else {
            boomgate_engine::sdk::Direction::Exit
        }
    }
}

pub async fn insert_gate<'e>(
    db: impl Exec<'e>,
    lot: &str,
    id: &str,
    direction: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO gates (lot_id, id, direction, created_at) VALUES ($1, $2, $3, $4)")
        .bind(lot)
        .bind(id)
        .bind(direction)
        .bind(now)
        .execute(db)
        .await
        .map(drop)
}

pub async fn gate<'e>(db: impl Exec<'e>, lot: &str, id: &str) -> Result<Option<GateRow>> {
    sqlx::query_as("SELECT lot_id, id, direction FROM gates WHERE lot_id = $1 AND id = $2")
        .bind(lot)
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn gates<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<GateRow>> {
    sqlx::query_as("SELECT lot_id, id, direction FROM gates WHERE lot_id = $1 ORDER BY id")
        .bind(lot)
        .fetch_all(db)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct RobotRow {
    pub lot_id: String,
    pub id: String,
    pub gate_id: String,
}

pub async fn insert_robot<'e>(
    db: impl Exec<'e>,
    lot: &str,
    id: &str,
    gate: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO robots (lot_id, id, gate_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(lot)
        .bind(id)
        .bind(gate)
        .bind(now)
        .execute(db)
        .await
        .map(drop)
}

pub async fn robots<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<RobotRow>> {
    sqlx::query_as("SELECT lot_id, id, gate_id FROM robots WHERE lot_id = $1 ORDER BY id")
        .bind(lot)
        .fetch_all(db)
        .await
}

// ---------------------------------------------------------------- modules and policy versions

#[derive(Debug, Clone, FromRow)]
pub struct ModuleRow {
    pub digest: String,
    pub size: i64,
    pub name: String,
    pub version: String,
    pub sdk_version: String,
    pub interface_version: String,
    pub settings_schema: String,
    pub created_at: i64,
}

impl ModuleRow {
    /// The record of a module the engine loaded.
    pub fn new(info: &boomgate_engine::ModuleInfo, now: i64) -> ModuleRow {
        ModuleRow {
            digest: info.digest.clone(),
            size: i64::try_from(info.size).unwrap_or(i64::MAX),
            name: info.name.clone(),
            version: info.version.clone(),
            sdk_version: info.sdk_version.clone(),
            interface_version: info.interface_version.clone(),
            settings_schema: info.settings_schema.to_string(),
            created_at: now,
        }
    }
}

macro_rules! module_columns {
    () => {
        "digest, size, name, version, sdk_version, interface_version, settings_schema, created_at"
    };
}

/// Stores a module (once per digest) and records that `owner` uploaded it.
pub async fn insert_module(
    tx: &mut super::Tx,
    m: &ModuleRow,
    bytes: &[u8],
    owner: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO modules (digest, bytes, size, name, version, sdk_version, interface_version,
             settings_schema, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (digest) DO NOTHING",
    )
    .bind(&m.digest)
    .bind(bytes)
    .bind(m.size)
    .bind(&m.name)
    .bind(&m.version)
    .bind(&m.sdk_version)
    .bind(&m.interface_version)
    .bind(&m.settings_schema)
    .bind(m.created_at)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO module_owners (digest, owner_id, uploaded_at) VALUES ($1, $2, $3)
         ON CONFLICT (digest, owner_id) DO NOTHING",
    )
    .bind(&m.digest)
    .bind(owner)
    .bind(m.created_at)
    .execute(&mut **tx)
    .await
    .map(drop)
}

/// A module, if `owner` uploaded it.
pub async fn module_of_owner<'e>(
    db: impl Exec<'e>,
    digest: &str,
    owner: &str,
) -> Result<Option<ModuleRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        module_columns!(),
        " FROM modules WHERE digest = $1
         AND EXISTS (SELECT 1 FROM module_owners WHERE digest = $1 AND owner_id = $2)"
    ))
    .bind(digest)
    .bind(owner)
    .fetch_optional(db)
    .await
}

pub async fn module_bytes<'e>(db: impl Exec<'e>, digest: &str) -> Result<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT bytes FROM modules WHERE digest = $1")
        .bind(digest)
        .fetch_optional(db)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub lot_id: String,
    pub version: i64,
    pub module_digest: String,
    pub settings: String,
    pub note: Option<String>,
    pub created_at: i64,
}

macro_rules! version_columns {
    () => {
        "lot_id, version, module_digest, settings, note, created_at"
    };
}

/// Adds the lot's next policy version and returns its number.
pub async fn insert_version(
    tx: &mut super::Tx,
    lot: &str,
    digest: &str,
    settings: &str,
    note: Option<&str>,
    now: i64,
) -> Result<i64> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM policy_versions WHERE lot_id = $1")
            .bind(lot)
            .fetch_one(&mut **tx)
            .await?;
    let version = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO policy_versions (lot_id, version, module_digest, settings, note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(lot)
    .bind(version)
    .bind(digest)
    .bind(settings)
    .bind(note)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(version)
}

pub async fn version<'e>(db: impl Exec<'e>, lot: &str, version: i64) -> Result<Option<VersionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        version_columns!(),
        " FROM policy_versions WHERE lot_id = $1 AND version = $2"
    ))
    .bind(lot)
    .bind(version)
    .fetch_optional(db)
    .await
}

pub async fn versions<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<VersionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        version_columns!(),
        " FROM policy_versions WHERE lot_id = $1 ORDER BY version"
    ))
    .bind(lot)
    .fetch_all(db)
    .await
}

/// When each version was last activated.
pub async fn last_activations<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT version, MAX(activated_at) FROM policy_activations WHERE lot_id = $1 GROUP BY version",
    )
    .bind(lot)
    .fetch_all(db)
    .await
}

pub async fn activate(
    tx: &mut super::Tx,
    id: &str,
    lot: &str,
    version: i64,
    by: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE lots SET active_version = $2 WHERE id = $1")
        .bind(lot)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO policy_activations (id, lot_id, version, activated_at, activated_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(lot)
    .bind(version)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await
    .map(drop)
}

// ---------------------------------------------------------------- passes

pub async fn upsert_account<'e>(
    db: impl Exec<'e>,
    lot: &str,
    id: &str,
    spaces: i64,
    holder: Option<&str>,
    phone: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO accounts (lot_id, id, spaces, holder, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (lot_id, id) DO UPDATE SET spaces = excluded.spaces,
             holder = COALESCE(excluded.holder, accounts.holder),
             phone = COALESCE(excluded.phone, accounts.phone)",
    )
    .bind(lot)
    .bind(id)
    .bind(spaces)
    .bind(holder)
    .bind(phone)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

pub async fn upsert_monthly_pass<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &str,
    account: &str,
    valid_until: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO monthly_passes (lot_id, plate, account_id, valid_until, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (lot_id, plate) DO UPDATE SET account_id = excluded.account_id,
             valid_until = excluded.valid_until, updated_at = excluded.updated_at",
    )
    .bind(lot)
    .bind(plate)
    .bind(account)
    .bind(valid_until)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

#[derive(Debug, Clone, FromRow)]
pub struct PassRow {
    pub plate: String,
    pub account_id: String,
    pub valid_until: String,
    pub spaces: i64,
    pub holder: Option<String>,
    pub phone: Option<String>,
}

macro_rules! pass_select {
    () => {
        "SELECT p.plate, p.account_id, p.valid_until, a.spaces, a.holder, a.phone
     FROM monthly_passes p JOIN accounts a ON a.lot_id = p.lot_id AND a.id = p.account_id"
    };
}

pub async fn monthly_pass<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &str,
) -> Result<Option<PassRow>> {
    sqlx::query_as(concat!(
        pass_select!(),
        " WHERE p.lot_id = $1 AND p.plate = $2"
    ))
    .bind(lot)
    .bind(plate)
    .fetch_optional(db)
    .await
}

pub async fn monthly_passes<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<PassRow>> {
    sqlx::query_as(concat!(
        pass_select!(),
        " WHERE p.lot_id = $1 ORDER BY p.plate"
    ))
    .bind(lot)
    .fetch_all(db)
    .await
}

/// The account's other vehicles inside now.
pub async fn account_vehicles_inside<'e>(
    db: impl Exec<'e>,
    lot: &str,
    account: &str,
    except_plate: &str,
) -> Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT s.plate, s.entered_at FROM sessions s
         JOIN monthly_passes p ON p.lot_id = s.lot_id AND p.plate = s.plate
         WHERE s.lot_id = $1 AND p.account_id = $2 AND s.plate <> $3 AND s.exited_at IS NULL
         ORDER BY s.entered_at",
    )
    .bind(lot)
    .bind(account)
    .bind(except_plate)
    .fetch_all(db)
    .await
}

pub async fn delete_monthly_pass<'e>(db: impl Exec<'e>, lot: &str, plate: &str) -> Result<bool> {
    sqlx::query("DELETE FROM monthly_passes WHERE lot_id = $1 AND plate = $2")
        .bind(lot)
        .bind(plate)
        .execute(db)
        .await
        .map(|r| r.rows_affected() > 0)
}

pub async fn insert_parking_pass<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO parking_passes (lot_id, plate, registered_at) VALUES ($1, $2, $3)
         ON CONFLICT (lot_id, plate) DO NOTHING",
    )
    .bind(lot)
    .bind(plate)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

pub async fn has_parking_pass<'e>(db: impl Exec<'e>, lot: &str, plate: &str) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM parking_passes WHERE lot_id = $1 AND plate = $2")
            .bind(lot)
            .bind(plate)
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}

// ---------------------------------------------------------------- sessions, orders, payments, picks

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: String,
    pub lot_id: String,
    pub plate: String,
    pub billing: String,
    pub entered_at: i64,
    pub entry_gate: Option<String>,
    pub exited_at: Option<i64>,
    pub exit_gate: Option<String>,
    pub closed_by: Option<String>,
    pub paid_amount: i64,
    pub paid_at: Option<i64>,
    pub pick_id: Option<String>,
}

macro_rules! session_columns {
    () => {
        "id, lot_id, plate, billing, entered_at, entry_gate, exited_at, exit_gate,
     closed_by, paid_amount, paid_at, pick_id"
    };
}

pub async fn open_session<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &str,
) -> Result<Option<SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 AND plate = $2 AND exited_at IS NULL"
    ))
    .bind(lot)
    .bind(plate)
    .fetch_optional(db)
    .await
}

pub async fn sessions_inside<'e>(db: impl Exec<'e>, lot: &str) -> Result<Vec<SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 AND exited_at IS NULL ORDER BY entered_at"
    ))
    .bind(lot)
    .fetch_all(db)
    .await
}

pub async fn recent_sessions<'e>(
    db: impl Exec<'e>,
    lot: &str,
    limit: i64,
) -> Result<Vec<SessionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE lot_id = $1 ORDER BY entered_at DESC LIMIT $2"
    ))
    .bind(lot)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A new stay.
pub struct NewSession<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub plate: &'a str,
    pub billing: &'a str,
    pub entered_at: i64,
    pub gate: &'a str,
    pub decision: &'a str,
}

pub async fn insert_session<'e>(db: impl Exec<'e>, s: &NewSession<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, lot_id, plate, billing, entered_at, entry_gate, entry_decision,
             paid_amount, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(s.id)
    .bind(s.lot)
    .bind(s.plate)
    .bind(s.billing)
    .bind(s.entered_at)
    .bind(s.gate)
    .bind(s.decision)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// Closes a stay; `by` says who (`robot`, `agent`, `reentry`).
pub async fn close_session<'e>(
    db: impl Exec<'e>,
    id: &str,
    at: i64,
    gate: Option<&str>,
    decision: Option<&str>,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET exited_at = $2, exit_gate = $3, exit_decision = $4, closed_by = $5
         WHERE id = $1 AND exited_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .bind(gate)
    .bind(decision)
    .bind(by)
    .execute(db)
    .await
    .map(drop)
}

pub async fn add_session_payment<'e>(
    db: impl Exec<'e>,
    id: &str,
    amount: i64,
    at: i64,
) -> Result<()> {
    sqlx::query("UPDATE sessions SET paid_amount = paid_amount + $2, paid_at = $3 WHERE id = $1")
        .bind(id)
        .bind(amount)
        .bind(at)
        .execute(db)
        .await
        .map(drop)
}

pub async fn set_session_pick<'e>(db: impl Exec<'e>, id: &str, pick: &str) -> Result<()> {
    sqlx::query("UPDATE sessions SET pick_id = $2 WHERE id = $1")
        .bind(id)
        .bind(pick)
        .execute(db)
        .await
        .map(drop)
}

#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub id: String,
    pub session_id: Option<String>,
    pub plate: Option<String>,
    pub kind: String,
    pub amount: Option<i64>,
    pub status: String,
    pub created_at: i64,
    pub settled_at: Option<i64>,
}

/// A new order.
pub struct NewOrder<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub session: Option<&'a str>,
    pub plate: Option<&'a str>,
    pub kind: &'a str,
    pub amount: Option<i64>,
    pub decision: Option<&'a str>,
}

/// Creates a pending order, or updates the amount of the stay's pending
/// order of the same kind (a driver who comes back to the gate later owes
/// one order, at the new amount).
pub async fn upsert_pending_order(
    tx: &mut super::Tx,
    o: &NewOrder<'_>,
    now: i64,
) -> Result<String> {
    if let Some(session) = o.session {
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT id FROM orders WHERE session_id = $1 AND kind = $2 AND status = 'pending'",
        )
        .bind(session)
        .bind(o.kind)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = existing {
            sqlx::query("UPDATE orders SET amount = $2, decision_id = $3 WHERE id = $1")
                .bind(&id)
                .bind(o.amount)
                .bind(o.decision)
                .execute(&mut **tx)
                .await?;
            return Ok(id);
        }
    }
    sqlx::query(
        "INSERT INTO orders (id, lot_id, session_id, plate, kind, amount, status, decision_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)",
    )
    .bind(o.id)
    .bind(o.lot)
    .bind(o.session)
    .bind(o.plate)
    .bind(o.kind)
    .bind(o.amount)
    .bind(o.decision)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(o.id.to_owned())
}

pub async fn orders_of_session<'e>(db: impl Exec<'e>, session: &str) -> Result<Vec<OrderRow>> {
    sqlx::query_as(
        "SELECT id, session_id, plate, kind, amount, status, created_at, settled_at FROM orders
         WHERE session_id = $1 ORDER BY created_at",
    )
    .bind(session)
    .fetch_all(db)
    .await
}

/// Marks the stay's pending orders paid.
pub async fn settle_orders<'e>(db: impl Exec<'e>, session: &str, at: i64) -> Result<u64> {
    sqlx::query("UPDATE orders SET status = 'paid', settled_at = $2 WHERE session_id = $1 AND status = 'pending'")
        .bind(session)
        .bind(at)
        .execute(db)
        .await
        .map(|r| r.rows_affected())
}

/// A payment.
pub struct NewPayment<'a> {
    pub id: &'a str,
    pub lot: &'a str,
    pub session: Option<&'a str>,
    pub order: Option<&'a str>,
    pub plate: Option<&'a str>,
    pub kind: &'a str,
    pub amount: i64,
    pub paid_at: i64,
}

pub async fn insert_payment<'e>(db: impl Exec<'e>, p: &NewPayment<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO payments (id, lot_id, session_id, order_id, plate, kind, amount, paid_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(p.id)
    .bind(p.lot)
    .bind(p.session)
    .bind(p.order)
    .bind(p.plate)
    .bind(p.kind)
    .bind(p.amount)
    .bind(p.paid_at)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

#[derive(Debug, Clone, FromRow)]
pub struct PaymentRow {
    pub id: String,
    pub session_id: Option<String>,
    pub plate: Option<String>,
    pub kind: String,
    pub amount: i64,
    pub paid_at: i64,
}

pub async fn payments_of_plate<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &str,
    since: i64,
) -> Result<Vec<PaymentRow>> {
    sqlx::query_as(
        "SELECT id, session_id, plate, kind, amount, paid_at FROM payments
         WHERE lot_id = $1 AND plate = $2 AND paid_at >= $3 ORDER BY paid_at DESC",
    )
    .bind(lot)
    .bind(plate)
    .bind(since)
    .fetch_all(db)
    .await
}

pub async fn insert_pick<'e>(
    db: impl Exec<'e>,
    id: &str,
    lot: &str,
    session: &str,
    plate: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO picks (id, lot_id, session_id, plate, status, created_at) VALUES ($1, $2, $3, $4, 'open', $5)",
    )
    .bind(id)
    .bind(lot)
    .bind(session)
    .bind(plate)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

pub async fn charge_pick<'e>(db: impl Exec<'e>, id: &str, amount: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE picks SET status = 'charged', amount = $2, charged_at = $3 WHERE id = $1")
        .bind(id)
        .bind(amount)
        .bind(at)
        .execute(db)
        .await
        .map(drop)
}

// ---------------------------------------------------------------- events and decisions

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub payload_hash: String,
    pub decision_id: String,
}

pub async fn event<'e>(
    db: impl Exec<'e>,
    lot: &str,
    robot: &str,
    event_id: &str,
) -> Result<Option<EventRow>> {
    sqlx::query_as(
        "SELECT payload_hash, decision_id FROM events WHERE lot_id = $1 AND robot_id = $2 AND event_id = $3",
    )
    .bind(lot)
    .bind(robot)
    .bind(event_id)
    .fetch_optional(db)
    .await
}

/// A robot's event as received.
pub struct NewEvent<'a> {
    pub lot: &'a str,
    pub robot: &'a str,
    pub event_id: &'a str,
    pub gate: &'a str,
    pub plate: Option<&'a str>,
    pub occurred_at: i64,
    pub confidence: Option<f64>,
    pub payload_hash: &'a str,
    pub decision: &'a str,
}

pub async fn insert_event<'e>(db: impl Exec<'e>, e: &NewEvent<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (lot_id, robot_id, event_id, gate_id, plate, occurred_at, confidence,
             payload_hash, decision_id, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(e.lot)
    .bind(e.robot)
    .bind(e.event_id)
    .bind(e.gate)
    .bind(e.plate)
    .bind(e.occurred_at)
    .bind(e.confidence)
    .bind(e.payload_hash)
    .bind(e.decision)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

#[derive(Debug, Clone, FromRow)]
pub struct DecisionRow {
    pub id: String,
    pub lot_id: String,
    pub gate_id: String,
    pub direction: String,
    pub plate: Option<String>,
    pub source: String,
    pub robot_id: Option<String>,
    pub event_id: Option<String>,
    pub policy_version: Option<i64>,
    pub module_digest: Option<String>,
    pub gate: String,
    pub reason: String,
    pub decision: String,
    pub input: String,
    pub fault_kind: Option<String>,
    pub fault: Option<String>,
    pub evaluation_us: i64,
    pub supersedes: Option<String>,
    pub agent_id: Option<String>,
    pub created_at: i64,
}

macro_rules! decision_columns {
    () => {
        "id, lot_id, gate_id, direction, plate, source, robot_id, event_id,
     policy_version, module_digest, gate, reason, decision, input, fault_kind, fault, evaluation_us,
     supersedes, agent_id, created_at"
    };
}

pub async fn insert_decision<'e>(db: impl Exec<'e>, d: &DecisionRow) -> Result<()> {
    sqlx::query(concat!("INSERT INTO decisions (", decision_columns!(), ")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"))
    .bind(&d.id)
    .bind(&d.lot_id)
    .bind(&d.gate_id)
    .bind(&d.direction)
    .bind(&d.plate)
    .bind(&d.source)
    .bind(&d.robot_id)
    .bind(&d.event_id)
    .bind(d.policy_version)
    .bind(&d.module_digest)
    .bind(&d.gate)
    .bind(&d.reason)
    .bind(&d.decision)
    .bind(&d.input)
    .bind(&d.fault_kind)
    .bind(&d.fault)
    .bind(d.evaluation_us)
    .bind(&d.supersedes)
    .bind(&d.agent_id)
    .bind(d.created_at)
    .execute(db)
    .await
    .map(drop)
}

pub async fn decision<'e>(db: impl Exec<'e>, id: &str) -> Result<Option<DecisionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        decision_columns!(),
        " FROM decisions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The lot's decisions, newest first, before `before` (exclusive), at one
/// gate if given.
pub async fn decisions<'e>(
    db: impl Exec<'e>,
    lot: &str,
    gate: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<DecisionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        decision_columns!(),
        " FROM decisions
         WHERE lot_id = $1 AND ($2 IS NULL OR gate_id = $2) AND ($3 IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4"
    ))
    .bind(lot)
    .bind(gate)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

pub async fn insert_escalation<'e>(
    db: impl Exec<'e>,
    id: &str,
    lot: &str,
    gate: &str,
    decision: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO escalations (id, lot_id, gate_id, decision_id, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(lot)
    .bind(gate)
    .bind(decision)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}
