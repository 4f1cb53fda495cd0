//! People with accounts and their logins (seed 002). Owners add their
//! people (owners and agents, each with a phone number), lift locks and
//! change numbers with a recorded reason, and read the login audit. A
//! person logs in with a code sent to the number on record; the session is
//! an HttpOnly cookie that every route accepts in place of a token, with
//! the session's CSRF token on changes.

use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{BrowserSeen, Caller, SessionSecret, Source, owned_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::{self, rfc3339};
use super::json::Json;
use crate::db::agents;
use crate::db::ids::new_id;
use crate::db::people::{self, PersonRow};
use crate::db::types::{CodePurpose, LoginEventKind, PersonRole};
use crate::domain::logins;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(ask_code))
            .routes(routes!(log_in))
            .routes(routes!(log_in_with_password))
            .routes(routes!(set_password))
            .routes(routes!(log_out))
            .routes(routes!(me))
            .routes(routes!(ask_phone_code))
            .routes(routes!(confirm_phone))
            .routes(routes!(create_person, list_people))
            .routes(routes!(unlock_person))
            .routes(routes!(change_phone))
            .routes(routes!(login_events)),
    )
}

/// A person, as staff and the person see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub phone: String,
    /// `owner` or `agent`.
    pub role: PersonRole,
    /// For an agent: the agent it acts as (its lots, its seat).
    pub agent_id: Option<String>,
    pub lots: Vec<String>,
    pub locale: String,
    /// A number staff set, in force once it confirms a code.
    pub pending_phone: Option<String>,
    /// Wrong codes since the last login.
    pub failures: i64,
    /// RFC 3339 (UTC), while the account is locked.
    pub locked_until: Option<String>,
    /// Whether the person set a password (new browsers still need a code).
    pub has_password: bool,
}

async fn person_view(state: &AppState, p: PersonRow) -> Result<Person, ApiError> {
    let lots = match (&p.role, &p.agent_id) {
        (PersonRole::Agent, Some(agent)) => {
            agents::agent_lots_of_owner(state.db.pool(), &p.owner_id)
                .await?
                .into_iter()
                .filter(|(a, _)| a == agent)
                .map(|(_, lot)| lot)
                .collect()
        }
        _ => crate::db::lots::lots_of_owner(state.db.pool(), &p.owner_id)
            .await?
            .into_iter()
            .map(|l| l.id)
            .collect(),
    };
    let now = state.clock.now_ms();
    Ok(Person {
        lots,
        locked_until: p.locked_until.filter(|u| *u > now).map(rfc3339),
        has_password: p.password_hash.is_some(),
        id: p.id,
        name: p.name,
        phone: p.phone,
        role: p.role,
        agent_id: p.agent_id,
        locale: p.locale,
        pending_phone: p.pending_phone,
        failures: p.failures,
    })
}

fn locale(raw: Option<&str>) -> Result<String, ApiError> {
    match raw.unwrap_or("zh-CN") {
        l @ ("zh-CN" | "ko-KR" | "en") => Ok(l.to_owned()),
        other => Err(ApiError::field(
            "locale",
            format!("`{other}` is none of `zh-CN`, `ko-KR`, `en`"),
        )),
    }
}

// ---------------------------------------------------------------- logging in

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The phone number on record.
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSent {
    /// Said for every number, whether it has an account or not.
    pub message: String,
    /// RFC 3339 (UTC): when the code stops working.
    pub expires_at: String,
    /// RFC 3339 (UTC): when another may be asked for.
    pub resend_at: String,
}

#[utoipa::path(post, path = "/v1/login/code", tag = "people", summary = "Send a login code to a phone number on record", request_body = CodeRequest,
    responses((status = 202, description = "A code was sent to the number on record, if the number has an account (the answer is the same either way)", body = CodeSent),
        (status = 400, body = ErrorBody),
        (status = 429, description = "The account is locked (until when is said), or a code was sent moments ago", body = ErrorBody)))]
pub async fn ask_code(
    State(state): State<AppState>,
    Source(source): Source,
    Json(req): Json<CodeRequest>,
) -> Result<(StatusCode, axum::Json<CodeSent>), ApiError> {
    let phone = fields::phone("phone", &req.phone)?;
    let asked = logins::ask_code(&state, &phone, CodePurpose::Login, &source).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(CodeSent {
            message: "if this number has an account, a code is on its way to it".into(),
            expires_at: rfc3339(asked.expires_at),
            resend_at: rfc3339(asked.resend_at),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub phone: String,
    /// The six digits sent to the phone.
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoggedIn {
    pub person: Person,
    /// Send it as `X-CSRF-Token` with every change made with the session
    /// cookie.
    pub csrf_token: String,
    /// RFC 3339 (UTC): when the session ends.
    pub expires_at: String,
}

#[utoipa::path(post, path = "/v1/login", tag = "people", summary = "Log in with a phone number and the code sent to it", request_body = LoginRequest,
    responses((status = 200, description = "Logged in: the session cookie `bg_session` is set (HttpOnly, SameSite=Lax)", body = LoggedIn),
        (status = 400, body = ErrorBody),
        (status = 401, description = "A wrong or expired code (how many tries are left is said)", body = ErrorBody),
        (status = 429, description = "The account is locked, until when is said", body = ErrorBody)))]
pub async fn log_in(
    State(state): State<AppState>,
    Source(source): Source,
    browser: BrowserSeen,
    headers: HeaderMap,
    Json(req): Json<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let phone = fields::phone("phone", &req.phone)?;
    let login = logins::log_in(&state, &phone, &req.code, browser.as_browser(), &source).await?;
    logged_in(&state, &headers, login).await
}

/// The cookies of a login (the session; the browser's device, after a
/// code) and the person.
async fn logged_in(
    state: &AppState,
    headers: &HeaderMap,
    login: logins::Login,
) -> Result<
    (
        AppendHeaders<Vec<(axum::http::HeaderName, String)>>,
        axum::Json<LoggedIn>,
    ),
    ApiError,
> {
    let max_age = state.config.session_hours.saturating_mul(3600);
    let tls = super::auth::over_tls(headers, state.config.trust_forwarded_for);
    let mut cookies = vec![(
        SET_COOKIE,
        super::auth::session_cookie_set(&login.secret, max_age, tls),
    )];
    if let Some(device) = &login.device {
        cookies.push((SET_COOKIE, BrowserSeen::cookie(device, tls)));
    }
    let answer = LoggedIn {
        csrf_token: login.csrf,
        expires_at: rfc3339(login.expires_at),
        person: person_view(state, login.person).await?,
    };
    Ok((AppendHeaders(cookies), axum::Json(answer)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordLoginRequest {
    pub phone: String,
    pub password: String,
}

#[utoipa::path(post, path = "/v1/login/password", tag = "people", summary = "Log in with a phone number and password", request_body = PasswordLoginRequest,
    responses((status = 200, description = "Logged in from a browser that logged in with a code before (its `bg_device` cookie): the session cookie is set", body = LoggedIn),
        (status = 202, description = "The right password from a browser not seen before: a code was sent to the number on record; log in with it (`POST /v1/login`)", body = CodeSent),
        (status = 400, body = ErrorBody),
        (status = 401, description = "A wrong number or password (how many tries are left is said)", body = ErrorBody),
        (status = 429, description = "The account is locked, until when is said", body = ErrorBody)))]
pub async fn log_in_with_password(
    State(state): State<AppState>,
    Source(source): Source,
    browser: BrowserSeen,
    headers: HeaderMap,
    Json(req): Json<PasswordLoginRequest>,
) -> Result<axum::response::Response, ApiError> {
    let phone = fields::phone("phone", &req.phone)?;
    match logins::log_in_with_password(&state, &phone, &req.password, browser.as_browser(), &source)
        .await?
    {
        logins::PasswordLogin::LoggedIn(login) => {
            Ok(logged_in(&state, &headers, *login).await?.into_response())
        }
        logins::PasswordLogin::CodeNeeded(asked) => Ok((
            StatusCode::ACCEPTED,
            axum::Json(CodeSent {
                message: "this browser is new: a code is on its way to the number on record".into(),
                expires_at: rfc3339(asked.expires_at),
                resend_at: rfc3339(asked.resend_at),
            }),
        )
            .into_response()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// 10 to 200 characters.
    pub password: String,
    /// The password now, where one is set.
    #[serde(default)]
    pub current_password: Option<String>,
}

#[utoipa::path(put, path = "/v1/me/password", tag = "people", summary = "Set or change the logged-in person's password", request_body = NewPassword,
    responses((status = 204, description = "The password is set (stored as an argon2id hash)"),
        (status = 400, description = "Too short or long, or not the current password", body = ErrorBody),
        (status = 403, description = "Not a session", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn set_password(
    State(state): State<AppState>,
    _caller: Caller,
    Source(source): Source,
    SessionSecret(secret): SessionSecret,
    Json(req): Json<NewPassword>,
) -> Result<StatusCode, ApiError> {
    let person = me_of(&state, secret.clone()).await?;
    logins::set_password(
        &state,
        &person,
        &req.password,
        req.current_password.as_deref(),
        secret.as_deref().unwrap_or_default(),
        &source,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/logout", tag = "people", summary = "Log out and end the session",
    responses((status = 204, description = "The session has ended and its cookie is cleared")))]
pub async fn log_out(
    State(state): State<AppState>,
    Source(source): Source,
    SessionSecret(secret): SessionSecret,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(secret) = secret {
        logins::log_out(&state, &secret, &source).await?;
    }
    let cleared = super::auth::session_cookie_cleared();
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, cleared)]),
    ))
}

/// The person logged in (a session cookie), or 403 for tokens.
async fn me_of(state: &AppState, parts_cookie: Option<String>) -> Result<PersonRow, ApiError> {
    let Some(secret) = parts_cookie else {
        return Err(ApiError::Forbidden(
            "this route is for a person logged in".into(),
        ));
    };
    logins::session_person(state, &secret)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the session has ended: log in again".into()))
}

#[utoipa::path(get, path = "/v1/me", tag = "people", summary = "Read the person logged in",
    responses((status = 200, body = Person), (status = 401, body = ErrorBody), (status = 403, description = "Not a session", body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    _caller: Caller,
    SessionSecret(secret): SessionSecret,
) -> Result<axum::Json<Person>, ApiError> {
    let person = me_of(&state, secret).await?;
    Ok(axum::Json(person_view(&state, person).await?))
}

#[utoipa::path(post, path = "/v1/me/phone/code", tag = "people", summary = "Send a code to the new phone number staff set",
    responses((status = 202, description = "A code was sent to the new number staff set", body = CodeSent),
        (status = 400, description = "No new number is waiting", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn ask_phone_code(
    State(state): State<AppState>,
    _caller: Caller,
    Source(source): Source,
    SessionSecret(secret): SessionSecret,
) -> Result<(StatusCode, axum::Json<CodeSent>), ApiError> {
    let person = me_of(&state, secret).await?;
    let asked = logins::send_code(&state, person, CodePurpose::NewPhone, &source).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(CodeSent {
            message: "a code is on its way to the new number".into(),
            expires_at: rfc3339(asked.expires_at),
            resend_at: rfc3339(asked.resend_at),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneConfirmation {
    /// The code sent to the new number.
    pub code: String,
}

#[utoipa::path(post, path = "/v1/me/phone", tag = "people", summary = "Confirm the new phone number with its code", request_body = PhoneConfirmation,
    responses((status = 204, description = "The new number is the person's; every session ended"),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn confirm_phone(
    State(state): State<AppState>,
    _caller: Caller,
    Source(source): Source,
    SessionSecret(secret): SessionSecret,
    Json(req): Json<PhoneConfirmation>,
) -> Result<impl IntoResponse, ApiError> {
    let person = me_of(&state, secret).await?;
    logins::confirm_phone(&state, &person, &req.code, &source).await?;
    let cleared = super::auth::session_cookie_cleared();
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, cleared)]),
    ))
}

// ---------------------------------------------------------------- staff

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub name: String,
    /// Their phone number: the one codes go to.
    pub phone: String,
    /// `owner` or `agent`.
    pub role: PersonRole,
    /// An agent's lots (the owner's; at least one).
    #[serde(default)]
    pub lots: Vec<String>,
    /// `zh-CN` (the default), `ko-KR` or `en`.
    #[serde(default)]
    pub locale: Option<String>,
}

#[utoipa::path(post, path = "/v1/people", tag = "owners", summary = "Add an owner or agent who logs in by phone", request_body = NewPerson,
    responses((status = 201, body = Person), (status = 400, body = ErrorBody), (status = 404, description = "A lot that is not the owner's", body = ErrorBody),
        (status = 409, description = "The number is someone's already", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_person(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewPerson>,
) -> Result<(StatusCode, axum::Json<Person>), ApiError> {
    let owner = caller.owner()?;
    let name = fields::text("name", &req.name, 100, "name the person")?;
    let phone = fields::phone("phone", &req.phone)?;
    let locale = locale(req.locale.as_deref())?;
    match (req.role, req.lots.is_empty()) {
        (PersonRole::Agent, true) => {
            return Err(ApiError::field("lots", "an agent serves at least one lot"));
        }
        (PersonRole::Owner, false) => {
            return Err(ApiError::field(
                "lots",
                "an owner has all the owner's lots: give none",
            ));
        }
        _ => {}
    }
    for lot in &req.lots {
        owned_lot(&state, owner, lot).await?;
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let agent_id = match req.role {
        PersonRole::Agent => {
            let id = new_id("agt", now);
            agents::insert_agent(&mut *tx, &id, owner, name, now).await?;
            for lot in &req.lots {
                agents::add_agent_lot(&mut *tx, &id, lot).await?;
            }
            Some(id)
        }
        PersonRole::Owner => None,
    };
    let row = PersonRow::new(owner, req.role, agent_id, name, &phone, &locale, now);
    if let Err(e) = people::insert_person(&mut *tx, &row).await {
        return Err(if crate::db::is_unique_violation(&e) {
            ApiError::Conflict(format!("{phone} is someone's number already"))
        } else {
            e.into()
        });
    }
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(person_view(&state, row).await?),
    ))
}

#[utoipa::path(get, path = "/v1/people", tag = "owners", summary = "List the owner's people with their locks",
    responses((status = 200, description = "The owner's people, with their locks", body = Vec<Person>)),
    security(("bearer" = [])))]
pub async fn list_people(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Person>>, ApiError> {
    let owner = caller.owner()?;
    let mut out = Vec::new();
    for p in people::people_of_owner(state.db.pool(), owner).await? {
        out.push(person_view(&state, p).await?);
    }
    Ok(axum::Json(out))
}

/// One of the owner's people, or 404.
async fn owned_person(state: &AppState, owner: &str, id: &str) -> Result<PersonRow, ApiError> {
    people::person(state.db.pool(), id)
        .await?
        .filter(|p| p.owner_id == owner)
        .ok_or_else(|| ApiError::not_found(format!("no person `{id}` of yours")))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Why, as the audit records it.
    pub reason: String,
}

#[utoipa::path(post, path = "/v1/people/{person}/unlock", tag = "owners", summary = "Lift a person's login lock, with a reason", params(("person" = String, Path)), request_body = Reason,
    responses((status = 200, description = "The lock is lifted and the wrong codes forgotten; recorded with the reason", body = Person),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unlock_person(
    State(state): State<AppState>,
    caller: Caller,
    Source(source): Source,
    Path(person): Path<String>,
    Json(req): Json<Reason>,
) -> Result<axum::Json<Person>, ApiError> {
    let owner = caller.owner()?;
    let person = owned_person(&state, owner, &person).await?;
    let reason = fields::text("reason", &req.reason, 500, "say why the lock is lifted")?;
    logins::lift(&state, &person, reason, &caller.label(), &source).await?;
    let person = owned_person(&state, owner, &person.id).await?;
    Ok(axum::Json(person_view(&state, person).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneChange {
    /// The new number; in force once it confirms a code.
    pub phone: String,
    /// How staff verified the person, as the audit records it.
    pub reason: String,
}

#[utoipa::path(post, path = "/v1/people/{person}/phone", tag = "owners", summary = "Change a person's phone number, with a reason", params(("person" = String, Path)), request_body = PhoneChange,
    responses((status = 200, description = "The new number waits for its code (`pending_phone`); the old one works until then", body = Person),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn change_phone(
    State(state): State<AppState>,
    caller: Caller,
    Source(source): Source,
    Path(person): Path<String>,
    Json(req): Json<PhoneChange>,
) -> Result<axum::Json<Person>, ApiError> {
    let owner = caller.owner()?;
    let person = owned_person(&state, owner, &person).await?;
    let phone = fields::phone("phone", &req.phone)?;
    let reason = fields::text(
        "reason",
        &req.reason,
        500,
        "say how the person was verified",
    )?;
    logins::change_phone(&state, &person, &phone, reason, &caller.label(), &source).await?;
    let person = owned_person(&state, owner, &person.id).await?;
    Ok(axum::Json(person_view(&state, person).await?))
}

/// A login event.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginEvent {
    pub person_id: Option<String>,
    pub phone: Option<String>,
    pub kind: LoginEventKind,
    /// The address it came from.
    pub source: String,
    /// Staff who did it (a lift, a phone change).
    pub by: Option<String>,
    pub detail: Option<String>,
    /// RFC 3339 (UTC).
    pub at: String,
}

#[utoipa::path(get, path = "/v1/people/logins", tag = "owners", summary = "Read the login audit of the owner's people",
    responses((status = 200, description = "Every login, failure, lock, lift and phone change of the owner's people, newest first (at most 500)", body = Vec<LoginEvent>)),
    security(("bearer" = [])))]
pub async fn login_events(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<LoginEvent>>, ApiError> {
    let owner = caller.owner()?;
    let rows = people::events_of_owner(state.db.pool(), owner, 500).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|e| LoginEvent {
                person_id: e.person_id,
                phone: e.phone,
                kind: e.kind,
                source: e.source,
                by: e.done_by,
                detail: e.detail,
                at: rfc3339(e.created_at),
            })
            .collect(),
    ))
}
