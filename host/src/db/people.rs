//! People with accounts (seed 002): owners and agents, their one-time
//! login codes, their console sessions, and the audit of every login.

use sqlx::FromRow;

use super::types::{CodePurpose, LoginEventKind, PersonRole};
use super::{Exec, Result};

#[derive(Debug, Clone, FromRow)]
pub struct PersonRow {
    pub id: String,
    pub owner_id: String,
    pub role: PersonRole,
    /// For an agent: the agent it acts as.
    pub agent_id: Option<String>,
    pub name: String,
    /// Digits, as `api::fields::phone` gives them.
    pub phone: String,
    /// A number staff set, in force once it confirms a code.
    pub pending_phone: Option<String>,
    pub pending_phone_reason: Option<String>,
    pub pending_phone_by: Option<String>,
    pub locale: String,
    /// Wrong codes since the last login.
    pub failures: i64,
    pub locked_until: Option<i64>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    /// An argon2id PHC string, if the person set a password.
    pub password_hash: Option<String>,
}

impl PersonRow {
    /// A new person with no lock, no pending number and no failures.
    pub fn new(
        owner: &str,
        role: PersonRole,
        agent: Option<String>,
        name: &str,
        phone: &str,
        locale: &str,
        now: i64,
    ) -> PersonRow {
        PersonRow {
            id: super::ids::new_id("per", now),
            owner_id: owner.to_owned(),
            role,
            agent_id: agent,
            name: name.to_owned(),
            phone: phone.to_owned(),
            pending_phone: None,
            pending_phone_reason: None,
            pending_phone_by: None,
            locale: locale.to_owned(),
            failures: 0,
            locked_until: None,
            disabled_at: None,
            created_at: now,
            password_hash: None,
        }
    }
}

const PERSON: &str =
    "id, owner_id, role, agent_id, name, phone, pending_phone, pending_phone_reason,
    pending_phone_by, locale, failures, locked_until, disabled_at, created_at, password_hash";

pub async fn insert_person<'e>(db: impl Exec<'e>, p: &PersonRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO people (id, owner_id, role, agent_id, name, phone, locale, failures, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(&p.id)
    .bind(&p.owner_id)
    .bind(p.role)
    .bind(&p.agent_id)
    .bind(&p.name)
    .bind(&p.phone)
    .bind(&p.locale)
    .bind(p.created_at)
    .execute(db)
    .await
    .map(drop)
}

pub async fn person<'e>(db: impl Exec<'e>, id: &str) -> Result<Option<PersonRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON} FROM people WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The person whose number this is.
pub async fn person_by_phone<'e>(db: impl Exec<'e>, phone: &str) -> Result<Option<PersonRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON} FROM people WHERE phone = $1"
    )))
    .bind(phone)
    .fetch_optional(db)
    .await
}

pub async fn people_of_owner<'e>(db: impl Exec<'e>, owner: &str) -> Result<Vec<PersonRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON} FROM people WHERE owner_id = $1 ORDER BY name, id"
    )))
    .bind(owner)
    .fetch_all(db)
    .await
}

/// Counts a wrong code; locks the account at `threshold` failures, until
/// `lock_until`. The failures now, and whether this locked it.
pub async fn count_failure<'e>(
    db: impl Exec<'e>,
    id: &str,
    threshold: i64,
    lock_until: i64,
) -> Result<(i64, Option<i64>)> {
    sqlx::query_as(
        "UPDATE people SET failures = failures + 1,
             locked_until = CASE WHEN failures + 1 >= $2 THEN $3 ELSE locked_until END
         WHERE id = $1 RETURNING failures, locked_until",
    )
    .bind(id)
    .bind(threshold)
    .bind(lock_until)
    .fetch_one(db)
    .await
}

/// Clears the failures and any lock (a login, a lock run out, a lift).
pub async fn clear_failures<'e>(db: impl Exec<'e>, id: &str) -> Result<()> {
    sqlx::query("UPDATE people SET failures = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map(drop)
}

pub async fn set_locale<'e>(db: impl Exec<'e>, id: &str, locale: &str) -> Result<()> {
    sqlx::query("UPDATE people SET locale = $2 WHERE id = $1")
        .bind(id)
        .bind(locale)
        .execute(db)
        .await
        .map(drop)
}

pub async fn set_password<'e>(db: impl Exec<'e>, id: &str, hash: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE people SET password_hash = $2, password_set_at = $3 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(db)
        .await
        .map(drop)
}

/// Whether the person logged in with a code from the browser whose
/// `bg_device` secret hashes to `device`.
pub async fn device_known<'e>(db: impl Exec<'e>, person: &str, device: &str) -> Result<bool> {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM person_devices WHERE person_id = $1 AND device_hash = $2",
    )
    .bind(person)
    .bind(device)
    .fetch_one(db)
    .await
    .map(|n| n > 0)
}

/// Remembers (or sees again) a browser the person logged in from.
pub async fn remember_device<'e>(
    db: impl Exec<'e>,
    person: &str,
    device: &str,
    user_agent: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO person_devices (person_id, device_hash, user_agent, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (person_id, device_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    )
    .bind(person)
    .bind(device)
    .bind(user_agent)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

pub async fn set_pending_phone<'e>(
    db: impl Exec<'e>,
    id: &str,
    phone: &str,
    reason: &str,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE people SET pending_phone = $2, pending_phone_reason = $3, pending_phone_by = $4
         WHERE id = $1",
    )
    .bind(id)
    .bind(phone)
    .bind(reason)
    .bind(by)
    .execute(db)
    .await
    .map(drop)
}

/// The pending number becomes the person's.
pub async fn confirm_phone<'e>(db: impl Exec<'e>, id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE people SET phone = pending_phone, pending_phone = NULL, pending_phone_reason = NULL,
             pending_phone_by = NULL
         WHERE id = $1 AND pending_phone IS NOT NULL",
    )
    .bind(id)
    .execute(db)
    .await
    .map(drop)
}

// ---------------------------------------------------------------- codes

#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    pub id: String,
    pub person_id: String,
    pub phone: String,
    pub purpose: CodePurpose,
    pub code_hash: String,
    pub source: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub superseded_at: Option<i64>,
}

pub async fn insert_code<'e>(db: impl Exec<'e>, c: &CodeRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO login_codes (id, person_id, phone, purpose, code_hash, source, sent_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&c.id)
    .bind(&c.person_id)
    .bind(&c.phone)
    .bind(c.purpose)
    .bind(&c.code_hash)
    .bind(&c.source)
    .bind(c.sent_at)
    .bind(c.expires_at)
    .execute(db)
    .await
    .map(drop)
}

/// A person's codes sent since `since`, newest first.
pub async fn codes_since<'e>(db: impl Exec<'e>, person: &str, since: i64) -> Result<Vec<CodeRow>> {
    sqlx::query_as(
        "SELECT id, person_id, phone, purpose, code_hash, source, sent_at, expires_at, used_at,
             superseded_at
         FROM login_codes WHERE person_id = $1 AND sent_at >= $2 ORDER BY sent_at DESC, id DESC",
    )
    .bind(person)
    .bind(since)
    .fetch_all(db)
    .await
}

/// Supersedes a person's live codes of `purpose` (a new one was sent, or
/// the account locked).
pub async fn supersede_codes<'e>(
    db: impl Exec<'e>,
    person: &str,
    purpose: CodePurpose,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE login_codes SET superseded_at = $3
         WHERE person_id = $1 AND purpose = $2 AND used_at IS NULL AND superseded_at IS NULL",
    )
    .bind(person)
    .bind(purpose)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// Uses a code; false if it was used or superseded meanwhile.
pub async fn use_code<'e>(db: impl Exec<'e>, id: &str, now: i64) -> Result<bool> {
    sqlx::query(
        "UPDATE login_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND superseded_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await
    .map(|r| r.rows_affected() > 0)
}

// ---------------------------------------------------------------- sessions

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub hash: String,
    pub person_id: String,
    pub source: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
}

pub async fn insert_session<'e>(db: impl Exec<'e>, s: &SessionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO console_sessions (hash, person_id, source, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&s.hash)
    .bind(&s.person_id)
    .bind(&s.source)
    .bind(s.created_at)
    .bind(s.expires_at)
    .execute(db)
    .await
    .map(drop)
}

/// A live session by the hash of its secret.
pub async fn live_session<'e>(
    db: impl Exec<'e>,
    hash: &str,
    now: i64,
) -> Result<Option<SessionRow>> {
    sqlx::query_as(
        "SELECT hash, person_id, source, created_at, expires_at, ended_at FROM console_sessions
         WHERE hash = $1 AND ended_at IS NULL AND expires_at > $2",
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

pub async fn end_session<'e>(db: impl Exec<'e>, hash: &str, now: i64) -> Result<bool> {
    sqlx::query("UPDATE console_sessions SET ended_at = $2 WHERE hash = $1 AND ended_at IS NULL")
        .bind(hash)
        .bind(now)
        .execute(db)
        .await
        .map(|r| r.rows_affected() > 0)
}

/// Ends the person's sessions but the one whose secret hashes to `keep`.
pub async fn end_other_sessions<'e>(
    db: impl Exec<'e>,
    person: &str,
    keep: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE console_sessions SET ended_at = $3 WHERE person_id = $1 AND hash <> $2 AND ended_at IS NULL",
    )
    .bind(person)
    .bind(keep)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// Ends every session of a person (a new phone number, a lock lifted by
/// staff after a suspected takeover).
pub async fn end_sessions_of<'e>(db: impl Exec<'e>, person: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE console_sessions SET ended_at = $2 WHERE person_id = $1 AND ended_at IS NULL",
    )
    .bind(person)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

// ---------------------------------------------------------------- audit

#[derive(Debug, Clone, FromRow)]
pub struct LoginEventRow {
    pub id: String,
    pub owner_id: Option<String>,
    pub person_id: Option<String>,
    pub phone: Option<String>,
    pub kind: LoginEventKind,
    pub source: String,
    pub done_by: Option<String>,
    pub detail: Option<String>,
    pub created_at: i64,
}

pub async fn insert_event<'e>(db: impl Exec<'e>, e: &LoginEventRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO login_events (id, owner_id, person_id, phone, kind, source, done_by, detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&e.id)
    .bind(&e.owner_id)
    .bind(&e.person_id)
    .bind(&e.phone)
    .bind(e.kind)
    .bind(&e.source)
    .bind(&e.done_by)
    .bind(&e.detail)
    .bind(e.created_at)
    .execute(db)
    .await
    .map(drop)
}

/// The owner's people's login events, newest first.
pub async fn events_of_owner<'e>(
    db: impl Exec<'e>,
    owner: &str,
    limit: i64,
) -> Result<Vec<LoginEventRow>> {
    sqlx::query_as(
        "SELECT id, owner_id, person_id, phone, kind, source, done_by, detail, created_at
         FROM login_events WHERE owner_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(owner)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// How many codes `source` asked for since `since` (sent or to a number
/// with no account).
pub async fn codes_asked_from<'e>(db: impl Exec<'e>, source: &str, since: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_events
         WHERE source = $1 AND kind IN ('code_sent', 'code_unknown_number') AND created_at >= $2",
    )
    .bind(source)
    .bind(since)
    .fetch_one(db)
    .await
}
