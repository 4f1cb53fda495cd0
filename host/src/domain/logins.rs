//! Logging people in (seed 002): a one-time code sent to the number on
//! record, never to another; six digits, single use, expiring in
//! `login_code_minutes`, one per `login_resend_seconds`; wrong codes count
//! per account, whatever the source, and `login_lockout_failures` of them
//! lock it for `login_lockout_hours` (a row, so it survives restarts);
//! staff lift a lock with a reason. A phone number changes only through
//! staff and takes effect once the new number confirms a code. Every step
//! is audited in `login_events`.

use constant_time::eq;

use crate::api::error::ApiError;
use crate::db::ids::{new_id, sha256, token_hash};
use crate::db::people::{self, CodeRow, LoginEventRow, PersonRow, SessionRow};
use crate::db::types::{CodePurpose, LoginEventKind};
use crate::service::AppState;

/// Comparing secrets in constant time, without another dependency.
mod constant_time {
    /// Whether `a` and `b` are equal, looking at every byte.
    pub fn eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// What asking for a code came to.
#[derive(Debug, Clone)]
pub struct CodeAsked {
    /// When the code stops working, if one was sent (an unknown number
    /// gets the same answer with nothing sent).
    pub expires_at: i64,
    /// When another may be asked for.
    pub resend_at: i64,
}

/// A login: the session's secret (the cookie) and its CSRF token.
#[derive(Debug, Clone)]
pub struct Login {
    pub person: PersonRow,
    pub secret: String,
    pub csrf: String,
    pub expires_at: i64,
    /// The browser's `bg_device` secret to keep (set after a code).
    pub device: Option<String>,
}

/// Whether a token sent matches the one expected, in constant time.
pub fn same_secret(sent: &str, expected: &str) -> bool {
    eq(sent, expected)
}

/// The CSRF token of a session: derived from its secret, so nothing more
/// is stored.
pub fn csrf_of(secret: &str) -> String {
    sha256(format!("boomgate-csrf\0{secret}").as_bytes())
}

fn code_hash(id: &str, code: &str) -> String {
    sha256(format!("{id}:{code}").as_bytes())
}

fn six_digits() -> Result<String, ApiError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no OS randomness for a code: {e}"))?;
    Ok(format!("{:06}", u64::from_le_bytes(bytes) % 1_000_000))
}

async fn audit(
    state: &AppState,
    person: Option<&PersonRow>,
    phone: &str,
    kind: LoginEventKind,
    source: &str,
    by: Option<&str>,
    detail: Option<String>,
) -> Result<(), ApiError> {
    let now = state.clock.now_ms();
    let row = LoginEventRow {
        id: new_id("lge", now),
        owner_id: person.map(|p| p.owner_id.clone()),
        person_id: person.map(|p| p.id.clone()),
        phone: Some(phone.to_owned()),
        kind,
        source: source.to_owned(),
        done_by: by.map(str::to_owned),
        detail,
        created_at: now,
    };
    people::insert_event(state.db.pool(), &row).await?;
    Ok(())
}

/// 429 for a locked account, saying when it unlocks.
fn locked(until: i64, now: i64) -> ApiError {
    ApiError::Locked {
        message: format!(
            "too many wrong codes: this account is locked until {} (staff can lift it)",
            jiff::Timestamp::from_millisecond(until)
                .map_or_else(|_| until.to_string(), |t| t.to_string())
        ),
        retry_after_seconds: ((until - now) / 1000).max(1),
    }
}

/// The person, with a lock that has run out cleared.
async fn current(state: &AppState, person: PersonRow, now: i64) -> Result<PersonRow, ApiError> {
    match person.locked_until {
        Some(until) if until <= now => {
            people::clear_failures(state.db.pool(), &person.id).await?;
            Ok(PersonRow {
                failures: 0,
                locked_until: None,
                ..person
            })
        }
        _ => Ok(person),
    }
}

/// Sends a login code to the number on record for `phone` (or, with
/// `purpose` new_phone, to the person's pending number).
pub async fn ask_code(
    state: &AppState,
    phone: &str,
    purpose: CodePurpose,
    source: &str,
) -> Result<CodeAsked, ApiError> {
    let now = state.clock.now_ms();
    let config = &state.config;
    let lifetime = config.login_code_minutes.saturating_mul(60_000);
    let resend = config.login_resend_seconds.saturating_mul(1000);
    let asked = people::codes_asked_from(state.db.pool(), source, now - 3_600_000).await?;
    if asked >= config.login_codes_per_source_hour {
        audit(
            state,
            None,
            phone,
            LoginEventKind::CodeRateLimited,
            source,
            None,
            Some("per source".into()),
        )
        .await?;
        return Err(ApiError::Locked {
            message: format!(
                "{asked} codes were asked for from {source} in the last hour: ask again later"
            ),
            retry_after_seconds: 3600,
        });
    }
    let found = match purpose {
        CodePurpose::Login => people::person_by_phone(state.db.pool(), phone).await?,
        CodePurpose::NewPhone => None,
    };
    let Some(person) = found.filter(|p| p.disabled_at.is_none()) else {
        // The same answer as for a number on record: whether a number has
        // an account is not told.
        audit(
            state,
            None,
            phone,
            LoginEventKind::CodeUnknownNumber,
            source,
            None,
            None,
        )
        .await?;
        return Ok(CodeAsked {
            expires_at: now + lifetime,
            resend_at: now + resend,
        });
    };
    send_code(state, person, purpose, source).await
}

/// Sends a code of `purpose` to the person: to their number on record for
/// a login, to their pending number for a new phone.
pub async fn send_code(
    state: &AppState,
    person: PersonRow,
    purpose: CodePurpose,
    source: &str,
) -> Result<CodeAsked, ApiError> {
    let now = state.clock.now_ms();
    let config = &state.config;
    let lifetime = config.login_code_minutes.saturating_mul(60_000);
    let resend = config.login_resend_seconds.saturating_mul(1000);
    let person = current(state, person, now).await?;
    if let Some(until) = person.locked_until {
        return Err(locked(until, now));
    }
    let to = match purpose {
        CodePurpose::Login => person.phone.clone(),
        CodePurpose::NewPhone => person.pending_phone.clone().ok_or_else(|| {
            ApiError::bad_request("no new phone number is waiting to be confirmed")
        })?,
    };
    let recent = people::codes_since(state.db.pool(), &person.id, now - 3_600_000).await?;
    // The latest code holds the next one back while it may still be
    // typed: not once it was used (a login, from which another browser may
    // follow) or withdrawn (a lock, which staff may have lifted since, or a
    // failed send). A flood needs codes nobody has.
    if let Some(last) = recent.iter().find(|c| c.purpose == purpose)
        && last.superseded_at.is_none()
        && last.used_at.is_none()
        && now - last.sent_at < resend
    {
        let wait = (last.sent_at + resend - now) / 1000 + 1;
        audit(
            state,
            Some(&person),
            &to,
            LoginEventKind::CodeRateLimited,
            source,
            None,
            None,
        )
        .await?;
        return Err(ApiError::Locked {
            message: format!("a code was sent moments ago: ask again in {wait} s"),
            retry_after_seconds: wait,
        });
    }
    let code = six_digits()?;
    let id = new_id("code", now);
    let row = CodeRow {
        id: id.clone(),
        person_id: person.id.clone(),
        phone: to.clone(),
        purpose,
        code_hash: code_hash(&id, &code),
        source: source.to_owned(),
        sent_at: now,
        expires_at: now + lifetime,
        used_at: None,
        superseded_at: None,
    };
    let mut tx = state.db.write().await?;
    people::supersede_codes(&mut *tx, &person.id, purpose, now).await?;
    people::insert_code(&mut *tx, &row).await?;
    tx.commit().await?;
    let minutes = config.login_code_minutes;
    let text = match person.locale.as_str() {
        "ko-KR" => format!("[boomgate] 인증번호 {code} ({minutes}분 안에 입력하세요)"),
        "en" => format!("[boomgate] Your code is {code} (valid for {minutes} min)"),
        _ => format!("【boomgate】验证码 {code}，{minutes}分钟内有效"),
    };
    let message = crate::service::sender::CodeMessage {
        to: to.clone(),
        code,
        text,
        locale: person.locale.clone(),
        expires_at: row.expires_at,
    };
    if let Err(why) = state.sender.send(&message).await {
        people::supersede_codes(state.db.pool(), &person.id, purpose, now).await?;
        audit(
            state,
            Some(&person),
            &to,
            LoginEventKind::CodeSendFailed,
            source,
            None,
            Some(why.clone()),
        )
        .await?;
        return Err(anyhow::anyhow!("the code could not be sent: {why}").into());
    }
    audit(
        state,
        Some(&person),
        &to,
        LoginEventKind::CodeSent,
        source,
        None,
        Some(purpose.to_string()),
    )
    .await?;
    Ok(CodeAsked {
        expires_at: row.expires_at,
        resend_at: now + resend,
    })
}

/// Checks a code of `purpose` for the person: true if it is the live one.
/// A wrong one counts against the account and may lock it.
async fn check_code(
    state: &AppState,
    person: &PersonRow,
    purpose: CodePurpose,
    code: &str,
    source: &str,
) -> Result<(), ApiError> {
    let now = state.clock.now_ms();
    if let Some(until) = person.locked_until {
        return Err(locked(until, now));
    }
    let recent = people::codes_since(state.db.pool(), &person.id, now - 86_400_000).await?;
    let live = recent
        .iter()
        .find(|c| c.purpose == purpose && c.used_at.is_none() && c.superseded_at.is_none());
    let typed = code.trim();
    let right = live.filter(|c| eq(&c.code_hash, &code_hash(&c.id, typed)));
    match right {
        Some(c) if c.expires_at > now => {
            if !people::use_code(state.db.pool(), &c.id, now).await? {
                return Err(ApiError::Unauthorized(
                    "that code was used already: ask for a new one".into(),
                ));
            }
            people::clear_failures(state.db.pool(), &person.id).await?;
            Ok(())
        }
        found => {
            let expired = found.is_some();
            let kind = if expired {
                LoginEventKind::CodeExpired
            } else {
                LoginEventKind::CodeWrong
            };
            let left = count_wrong(state, person, kind, source).await?;
            Err(ApiError::Unauthorized(if expired {
                format!("that code has expired: ask for a new one ({left} tries left)")
            } else {
                format!("wrong code ({left} tries left before the account locks)")
            }))
        }
    }
}

/// Counts a wrong code or password against the account: the tries left,
/// or the lock it set (its codes withdrawn).
async fn count_wrong(
    state: &AppState,
    person: &PersonRow,
    kind: LoginEventKind,
    source: &str,
) -> Result<i64, ApiError> {
    let now = state.clock.now_ms();
    let lock_until = now + state.config.login_lockout_hours.saturating_mul(3_600_000);
    let (failures, until) = people::count_failure(
        state.db.pool(),
        &person.id,
        state.config.login_lockout_failures,
        lock_until,
    )
    .await?;
    audit(
        state,
        Some(person),
        &person.phone,
        kind,
        source,
        None,
        Some(format!("failure {failures}")),
    )
    .await?;
    if let Some(until) = until.filter(|u| *u > now) {
        for purpose in [CodePurpose::Login, CodePurpose::NewPhone] {
            people::supersede_codes(state.db.pool(), &person.id, purpose, now).await?;
        }
        if failures == state.config.login_lockout_failures {
            audit(
                state,
                Some(person),
                &person.phone,
                LoginEventKind::Locked,
                source,
                None,
                None,
            )
            .await?;
        }
        return Err(locked(until, now));
    }
    Ok(state.config.login_lockout_failures - failures)
}

/// Logs in with the code sent to `phone`: a new session.
pub async fn log_in(
    state: &AppState,
    phone: &str,
    code: &str,
    browser: Browser<'_>,
    source: &str,
) -> Result<Login, ApiError> {
    let now = state.clock.now_ms();
    let wrong = || ApiError::Unauthorized("wrong code or number".into());
    let Some(person) = people::person_by_phone(state.db.pool(), phone)
        .await?
        .filter(|p| p.disabled_at.is_none())
    else {
        audit(
            state,
            None,
            phone,
            LoginEventKind::CodeWrong,
            source,
            None,
            Some("no such number".into()),
        )
        .await?;
        return Err(wrong());
    };
    let person = current(state, person, now).await?;
    check_code(state, &person, CodePurpose::Login, code, source).await?;
    // The browser is known from now on: a password will do on it. The
    // secret is always the service's own, never one the browser offered.
    let device = random_secret("bgd")?;
    people::remember_device(
        state.db.pool(),
        &person.id,
        &token_hash(&device),
        browser.user_agent,
        now,
    )
    .await?;
    let mut login = open_session(state, person, source, "code").await?;
    login.device = Some(device);
    Ok(login)
}

/// What the service knows of the browser a person logs in from: its
/// `bg_device` cookie, if it has one, and its user agent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Browser<'a> {
    pub device: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

fn random_secret(prefix: &str) -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    Ok(format!(
        "{prefix}_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// A new session for the person, who proved who they are `via` a code or
/// a password.
async fn open_session(
    state: &AppState,
    person: PersonRow,
    source: &str,
    via: &str,
) -> Result<Login, ApiError> {
    let now = state.clock.now_ms();
    people::clear_failures(state.db.pool(), &person.id).await?;
    let secret = random_secret("bgs")?;
    let expires_at = now + state.config.session_hours.saturating_mul(3_600_000);
    let session = SessionRow {
        hash: token_hash(&secret),
        person_id: person.id.clone(),
        source: source.to_owned(),
        created_at: now,
        expires_at,
        ended_at: None,
    };
    people::insert_session(state.db.pool(), &session).await?;
    audit(
        state,
        Some(&person),
        &person.phone,
        LoginEventKind::Login,
        source,
        None,
        Some(format!("via {via}")),
    )
    .await?;
    Ok(Login {
        csrf: csrf_of(&secret),
        person,
        secret,
        expires_at,
        device: None,
    })
}

/// What logging in with a password came to.
#[derive(Debug)]
pub enum PasswordLogin {
    /// A known browser and the right password: a session.
    LoggedIn(Box<Login>),
    /// The right password from a browser not seen before: a code went to
    /// the number on record, and the person logs in with it.
    CodeNeeded(CodeAsked),
}

/// The wrong-password answer, the same for an unknown number.
fn wrong_password() -> ApiError {
    ApiError::Unauthorized("wrong number or password".into())
}

/// Logs in with a password. Wrong passwords count against the account as
/// wrong codes do; a browser that never logged in with a code gets one
/// sent, even with the right password.
pub async fn log_in_with_password(
    state: &AppState,
    phone: &str,
    password: &str,
    browser: Browser<'_>,
    source: &str,
) -> Result<PasswordLogin, ApiError> {
    let now = state.clock.now_ms();
    let found = people::person_by_phone(state.db.pool(), phone)
        .await?
        .filter(|p| p.disabled_at.is_none());
    let Some(person) = found else {
        // As long as a real check takes: the time tells nothing either.
        verify_password(password, None).await?;
        audit(
            state,
            None,
            phone,
            LoginEventKind::PasswordWrong,
            source,
            None,
            Some("no such number".into()),
        )
        .await?;
        return Err(wrong_password());
    };
    let person = current(state, person, now).await?;
    if let Some(until) = person.locked_until {
        return Err(locked(until, now));
    }
    let right = verify_password(password, person.password_hash.as_deref()).await?
        && person.password_hash.is_some();
    if !right {
        let left = count_wrong(state, &person, LoginEventKind::PasswordWrong, source).await?;
        return Err(ApiError::Unauthorized(format!(
            "wrong number or password ({left} tries left before the account locks)"
        )));
    }
    let known = match browser.device {
        Some(device) => {
            people::device_known(state.db.pool(), &person.id, &token_hash(device)).await?
        }
        None => false,
    };
    if known {
        return Ok(PasswordLogin::LoggedIn(Box::new(
            open_session(state, person, source, "password").await?,
        )));
    }
    audit(
        state,
        Some(&person),
        &person.phone,
        LoginEventKind::NewDevice,
        source,
        None,
        browser.user_agent.map(str::to_owned),
    )
    .await?;
    Ok(PasswordLogin::CodeNeeded(
        send_code(state, person, CodePurpose::Login, source).await?,
    ))
}

/// The shortest and longest password a person may set, in characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 10..=200;

/// Sets the person's password; where one is set, `current` must be it (a
/// wrong one counts as a wrong password).
pub async fn set_password(
    state: &AppState,
    person: &PersonRow,
    new: &str,
    current: Option<&str>,
    session: &str,
    source: &str,
) -> Result<(), ApiError> {
    let chars = new.chars().count();
    if !PASSWORD_CHARS.contains(&chars) {
        return Err(ApiError::field(
            "password",
            format!(
                "a password has {} to {} characters ({chars} given)",
                PASSWORD_CHARS.start(),
                PASSWORD_CHARS.end()
            ),
        ));
    }
    if let Some(hash) = &person.password_hash {
        let given = current.unwrap_or_default();
        if !verify_password(given, Some(hash)).await? {
            count_wrong(state, person, LoginEventKind::PasswordWrong, source).await?;
            return Err(ApiError::field(
                "current_password",
                "that is not the current password",
            ));
        }
    }
    let hash = hash_password(new).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    people::set_password(&mut *tx, &person.id, &hash, now).await?;
    // Whoever else was logged in as the person is no more.
    people::end_other_sessions(&mut *tx, &person.id, &token_hash(session), now).await?;
    tx.commit().await?;
    audit(
        state,
        Some(person),
        &person.phone,
        LoginEventKind::PasswordSet,
        source,
        None,
        None,
    )
    .await
}

/// How many passwords are hashed at once: each hash takes 19 MiB, and
/// attempts beyond this wait their turn rather than fill the memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A hash to check against where there is none (no account, no password):
/// the answer takes as long as a real check.
static NO_PASSWORD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use argon2::password_hash::{PasswordHasher, SaltString};
    SaltString::encode_b64(b"boomgate-no-pass")
        .and_then(|salt| {
            argon2::Argon2::default()
                .hash_password(b"no password is set", &salt)
                .map(|h| h.to_string())
        })
        .unwrap_or_default()
});

/// An argon2id hash (the crate's defaults: 19 MiB, 2 passes) with a salt
/// from the OS, off the async threads.
async fn hash_password(password: &str) -> Result<String, ApiError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    let password = password.to_owned();
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("the hashing queue closed: {e}"))?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
    .map_err(|e| anyhow::anyhow!("the hashing task failed: {e}"))?
    .map_err(ApiError::from)
}

/// Whether `password` matches the stored PHC string (with none, it is
/// checked against a hash nothing matches, taking as long).
async fn verify_password(password: &str, hash: Option<&str>) -> Result<bool, ApiError> {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let (password, hash) = (password.to_owned(), hash.map(str::to_owned));
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("the hashing queue closed: {e}"))?;
    tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| NO_PASSWORD.clone());
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| anyhow::anyhow!("a stored password hash does not parse: {e}"))?;
        Ok::<_, anyhow::Error>(
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(|e| anyhow::anyhow!("the hashing task failed: {e}"))?
    .map_err(ApiError::from)
}

/// The person of a live session.
pub async fn session_person(state: &AppState, secret: &str) -> Result<Option<PersonRow>, ApiError> {
    let now = state.clock.now_ms();
    let Some(session) = people::live_session(state.db.pool(), &token_hash(secret), now).await?
    else {
        return Ok(None);
    };
    Ok(people::person(state.db.pool(), &session.person_id)
        .await?
        .filter(|p| p.disabled_at.is_none()))
}

/// Ends a session.
pub async fn log_out(state: &AppState, secret: &str, source: &str) -> Result<(), ApiError> {
    let now = state.clock.now_ms();
    if let Some(person) = session_person(state, secret).await? {
        people::end_session(state.db.pool(), &token_hash(secret), now).await?;
        audit(
            state,
            Some(&person),
            &person.phone,
            LoginEventKind::Logout,
            source,
            None,
            None,
        )
        .await?;
    }
    Ok(())
}

/// Staff lift a person's lock, saying why.
pub async fn lift(
    state: &AppState,
    person: &PersonRow,
    reason: &str,
    by: &str,
    source: &str,
) -> Result<(), ApiError> {
    people::clear_failures(state.db.pool(), &person.id).await?;
    audit(
        state,
        Some(person),
        &person.phone,
        LoginEventKind::LockLifted,
        source,
        Some(by),
        Some(reason.to_owned()),
    )
    .await
}

/// Staff set a new number after verifying the person; it takes effect once
/// it confirms a code.
pub async fn change_phone(
    state: &AppState,
    person: &PersonRow,
    phone: &str,
    reason: &str,
    by: &str,
    source: &str,
) -> Result<(), ApiError> {
    if let Some(other) = people::person_by_phone(state.db.pool(), phone).await?
        && other.id != person.id
    {
        return Err(ApiError::Conflict(format!(
            "{phone} is another person's number"
        )));
    }
    people::set_pending_phone(state.db.pool(), &person.id, phone, reason, by).await?;
    audit(
        state,
        Some(person),
        phone,
        LoginEventKind::PhoneChangeRequested,
        source,
        Some(by),
        Some(reason.to_owned()),
    )
    .await
}

/// The person confirms their new number with the code sent to it: it is
/// theirs, and every session ends.
pub async fn confirm_phone(
    state: &AppState,
    person: &PersonRow,
    code: &str,
    source: &str,
) -> Result<(), ApiError> {
    let now = state.clock.now_ms();
    check_code(state, person, CodePurpose::NewPhone, code, source).await?;
    let new = person.pending_phone.clone().unwrap_or_default();
    let mut tx = state.db.write().await?;
    people::confirm_phone(&mut *tx, &person.id).await?;
    people::end_sessions_of(&mut *tx, &person.id, now).await?;
    tx.commit().await?;
    audit(
        state,
        Some(person),
        &new,
        LoginEventKind::PhoneChanged,
        source,
        None,
        Some(format!("was {}", person.phone)),
    )
    .await
}
