//! Logging in (seed 002): the phone number on record, then the code sent
//! to it; the lock after `login_lockout_failures` wrong codes and the page
//! that says when it ends; logging out; and, with the development sender,
//! the page that shows the codes it "sent".

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::{Locale, Msg};
use super::{
    Frame, LANG_COOKIE, NoFields, PRE_COOKIE, Posted, cookie, failure, guest_locale, local_time,
    secure_attribute, see_other,
};
use crate::api::auth::{BrowserSeen, Source, session_cookie};
use crate::api::error::ApiError;
use crate::api::fields;
use crate::db::people;
use crate::db::types::CodePurpose;
use crate::domain::logins;
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/login", get(login_page).post(ask_code))
        .route("/console/login/code", get(code_page).post(enter_code))
        .route("/console/login/resend", post(resend))
        .route("/console/login/locked", get(locked_page))
        .route("/console/logout", post(log_out))
        .route("/console/dev/codes", get(dev_codes))
}

/// Where to go after logging in: a console page, never another site.
fn next_page(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with("/console") && !n.starts_with("//") => n,
        _ => "/console",
    }
}

/// The secret behind the forms of a guest's pages, and the cookie to set
/// when the browser had none.
fn pre_secret(parts: &Parts, state: &AppState) -> (String, Option<String>) {
    if let Some(secret) = session_cookie(parts).or_else(|| cookie(parts, PRE_COOKIE)) {
        return (secret, None);
    }
    let mut bytes = [0u8; 24];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: the form will be refused, which is safe.
        return (String::new(), None);
    }
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let cookie = format!(
        "{PRE_COOKIE}={secret}; Path=/console; HttpOnly; SameSite=Lax{}",
        secure_attribute(parts, state)
    );
    (secret, Some(cookie))
}

/// A guest page, with the cookies it needs: the form secret, and the
/// language a `?lang=` chose.
fn guest_page(
    parts: &Parts,
    state: &AppState,
    title: Msg,
    body: impl FnOnce(&Frame) -> Markup,
) -> Response {
    let locale = guest_locale(parts);
    let (secret, set_pre) = pre_secret(parts, state);
    let csrf = logins::csrf_of(&secret);
    let frame = Frame {
        locale,
        person: None,
        csrf: &csrf,
        query: super::query_but_lang(parts),
        at: "",
    };
    let page = frame.page(locale.t(title), body(&frame));
    let mut cookies: Vec<(axum::http::HeaderName, String)> = Vec::new();
    if let Some(c) = set_pre {
        cookies.push((SET_COOKIE, c));
    }
    let asked_lang = parts
        .uri
        .query()
        .is_some_and(|q| q.split('&').any(|kv| kv.starts_with("lang=")));
    if asked_lang {
        cookies.push((
            SET_COOKIE,
            format!(
                "{LANG_COOKIE}={}; Path=/console; Max-Age=31536000; SameSite=Lax",
                locale.name()
            ),
        ));
    }
    (AppendHeaders(cookies), page).into_response()
}

// ---------------------------------------------------------------- the number

#[derive(Debug, Default, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    ended: Option<String>,
    bye: Option<String>,
}

fn login_form(
    frame: &Frame,
    phone: &str,
    next: &str,
    error: Option<&str>,
    password_error: Option<&str>,
    notice: Option<&str>,
) -> Markup {
    let l = frame.locale;
    html! {
        section.card.narrow {
            h1 { (l.t(Msg::LoginTitle)) }
            (super::notice(notice))
            p { (l.t(Msg::LoginLead)) }
            form method="post" action="/console/login" novalidate {
                (frame.csrf_field())
                input type="hidden" name="next" value=(next);
                label for="phone" { (l.t(Msg::Phone)) }
                input #phone name="phone" type="tel" inputmode="tel" autocomplete="tel" required autofocus
                    value=(phone) aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "phone-error")];
                @if let Some(error) = error {
                    p.field-error #phone-error role="alert" { (l.t(Msg::CheckField)) ": " (error) }
                }
                button.primary type="submit" name="via" value="code" { (l.t(Msg::SendCode)) }
                details.password open[password_error.is_some()] {
                    summary { (l.t(Msg::LogInWithPassword)) }
                    label for="password" { (l.t(Msg::PasswordOptional)) }
                    input #password name="password" type="password" autocomplete="current-password"
                        aria-invalid=[password_error.map(|_| "true")] aria-describedby=[password_error.map(|_| "password-error")];
                    @if let Some(error) = password_error {
                        p.field-error #password-error role="alert" { (error) }
                    }
                    p.muted { (l.t(Msg::PasswordLead)) }
                    button type="submit" name="via" value="password" { (l.t(Msg::LogInWithPassword)) }
                }
            }
        }
    }
}

async fn login_page(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
    parts: Parts,
) -> Response {
    if let Some(secret) = session_cookie(&parts)
        && let Ok(Some(_)) = logins::session_person(&state, &secret).await
    {
        return see_other(next_page(q.next.as_deref()));
    }
    let locale = guest_locale(&parts);
    let notice = if q.bye.is_some() {
        Some(locale.t(Msg::LoggedOut))
    } else if q.ended.is_some() {
        Some(locale.t(Msg::SessionEnded))
    } else {
        None
    };
    let next = next_page(q.next.as_deref()).to_owned();
    guest_page(&parts, &state, Msg::LoginTitle, |frame| {
        login_form(frame, "", &next, None, None, notice)
    })
}

#[derive(Debug, Deserialize)]
struct AskCode {
    phone: String,
    next: Option<String>,
    /// `password`: the person logs in with their password instead.
    via: Option<String>,
    #[serde(default)]
    password: String,
}

/// The code page's address for `phone`.
fn code_url(phone: &str, next: &str, wait: Option<i64>, new_browser: bool) -> String {
    let mut query = vec![("phone", phone.to_owned()), ("next", next.to_owned())];
    if let Some(wait) = wait {
        query.push(("wait", wait.to_string()));
    }
    if new_browser {
        query.push(("new_browser", "1".to_owned()));
    }
    format!(
        "/console/login/code?{}",
        serde_urlencoded::to_string(query).unwrap_or_default()
    )
}

pub(super) fn locked_url(phone: &str) -> String {
    format!(
        "/console/login/locked?{}",
        serde_urlencoded::to_string([("phone", phone)]).unwrap_or_default()
    )
}

/// Why asking for a code was refused: the account is locked, or a code
/// was sent moments ago (then the code page, with the wait).
async fn refused_code(
    state: &AppState,
    phone: &str,
    next: &str,
    error: ApiError,
    locale: Locale,
    new_browser: bool,
) -> Response {
    match error {
        ApiError::Locked {
            retry_after_seconds,
            message,
        } => {
            let now = state.clock.now_ms();
            match people::person_by_phone(state.db.pool(), phone).await {
                Ok(Some(p)) if p.locked_until.is_some_and(|u| u > now) => {
                    see_other(&locked_url(phone))
                }
                Ok(_) if retry_after_seconds < 3600 => see_other(&code_url(
                    phone,
                    next,
                    Some(retry_after_seconds),
                    new_browser,
                )),
                Ok(_) => failure(
                    locale,
                    ApiError::Locked {
                        message: locale.f(Msg::TryLater, &[("message", &message)]),
                        retry_after_seconds,
                    },
                ),
                Err(e) => failure(locale, e.into()),
            }
        }
        other => failure(locale, other),
    }
}

async fn ask_code(
    State(state): State<AppState>,
    Source(source): Source,
    browser: BrowserSeen,
    parts: Parts,
    Posted(form): Posted<AskCode>,
) -> Response {
    let locale = guest_locale(&parts);
    let next = next_page(form.next.as_deref()).to_owned();
    let phone = match fields::phone("phone", &form.phone) {
        Ok(p) => p,
        Err(e) => {
            let why = e
                .fields()
                .first()
                .map_or_else(|| e.to_string(), |f| f.1.to_owned());
            let page = guest_page(&parts, &state, Msg::LoginTitle, |frame| {
                login_form(frame, &form.phone, &next, Some(&why), None, None)
            });
            return (axum::http::StatusCode::BAD_REQUEST, page).into_response();
        }
    };
    // The password button (Enter in the password field presses it, see
    // console.js): a password login. "Send code" sends a code, whatever a
    // browser filled in the password field by itself.
    if form.via.as_deref() == Some("password") {
        return match logins::log_in_with_password(
            &state,
            &phone,
            &form.password,
            browser.as_browser(),
            &source,
        )
        .await
        {
            Ok(logins::PasswordLogin::LoggedIn(login)) => logged_in(&state, &parts, &login, &next),
            Ok(logins::PasswordLogin::CodeNeeded(_)) => {
                see_other(&code_url(&phone, &next, None, true))
            }
            Err(ApiError::Unauthorized(_)) => {
                let left = match people::person_by_phone(state.db.pool(), &phone).await {
                    Ok(Some(p)) => Some((state.config.login_lockout_failures - p.failures).max(0)),
                    Ok(None) => None,
                    Err(e) => return failure(locale, e.into()),
                };
                let why = match left {
                    Some(left) => format!(
                        "{} {}",
                        locale.t(Msg::WrongPassword),
                        locale.f(Msg::TriesLeft, &[("left", &left.to_string())])
                    ),
                    None => locale.t(Msg::WrongPassword).to_owned(),
                };
                let page = guest_page(&parts, &state, Msg::LoginTitle, |frame| {
                    login_form(frame, &form.phone, &next, None, Some(&why), None)
                });
                (axum::http::StatusCode::UNAUTHORIZED, page).into_response()
            }
            Err(e) => refused_code(&state, &phone, &next, e, locale, true).await,
        };
    }
    match logins::ask_code(&state, &phone, CodePurpose::Login, &source).await {
        Ok(_) => see_other(&code_url(&phone, &next, None, false)),
        Err(e) => refused_code(&state, &phone, &next, e, locale, false).await,
    }
}

// ---------------------------------------------------------------- the code

#[derive(Debug, Deserialize)]
struct CodeQuery {
    /// The number the code went to (without it, the login page).
    #[serde(default)]
    phone: String,
    next: Option<String>,
    /// Seconds until another code may be asked for.
    wait: Option<i64>,
    /// The right password came from a browser not seen before.
    new_browser: Option<String>,
}

fn code_form(
    frame: &Frame,
    state: &AppState,
    phone: &str,
    next: &str,
    wait: i64,
    error: Option<&str>,
) -> Markup {
    let l = frame.locale;
    let minutes = state.config.login_code_minutes.to_string();
    html! {
        section.card.narrow {
            h1 { (l.t(Msg::CodeTitle)) }
            p #code-sent { (l.f(Msg::CodeSentTo, &[("phone", &masked(phone)), ("minutes", &minutes)])) }
            form method="post" action="/console/login/code" novalidate {
                (frame.csrf_field())
                input type="hidden" name="phone" value=(phone);
                input type="hidden" name="next" value=(next);
                label for="code" { (l.t(Msg::Code)) }
                input #code name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    pattern="[0-9]{6}" maxlength="6" required autofocus
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "code-error")];
                @if let Some(error) = error {
                    p.field-error #code-error role="alert" { (error) }
                }
                button.primary type="submit" { (l.t(Msg::LogIn)) }
            }
            form.inline method="post" action="/console/login/resend" {
                (frame.csrf_field())
                input type="hidden" name="phone" value=(phone);
                input type="hidden" name="next" value=(next);
                button.link type="submit" data-wait=(wait) data-wait-text=(l.t(Msg::ResendIn)) { (l.t(Msg::Resend)) }
                @if wait > 0 {
                    " "
                    span.muted.countdown { (l.f(Msg::ResendIn, &[("seconds", &wait.to_string())])) }
                }
            }
            p { a href={ "/console/login?next=" (super::form_urlencoded(next)) } { (l.t(Msg::OtherNumber)) } }
        }
    }
}

/// A number as pages show it: the middle digits hidden, as a text
/// message's recipient is shown (`138****0001`).
fn masked(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return phone.to_owned();
    }
    let (head, tail) = (3, 4);
    let hidden = chars.len() - head - tail;
    format!(
        "{}{}{}",
        chars[..head].iter().collect::<String>(),
        "*".repeat(hidden),
        chars[chars.len() - tail..].iter().collect::<String>()
    )
}

async fn code_page(
    State(state): State<AppState>,
    Query(q): Query<CodeQuery>,
    parts: Parts,
) -> Response {
    if q.phone.trim().is_empty() {
        return see_other("/console/login");
    }
    let next = next_page(q.next.as_deref()).to_owned();
    let wait = q
        .wait
        .unwrap_or(state.config.login_resend_seconds)
        .clamp(0, 3600);
    guest_page(&parts, &state, Msg::CodeTitle, |frame| {
        html! {
            @if q.new_browser.is_some() {
                p.notice #new-browser role="status" { (frame.locale.t(Msg::NewBrowserNeedsCode)) }
            }
            (code_form(frame, &state, &q.phone, &next, wait, None))
        }
    })
}

#[derive(Debug, Deserialize)]
struct EnterCode {
    phone: String,
    code: String,
    next: Option<String>,
}

/// The answer to a login: its cookies (the session; the browser's device
/// after a code; the guest form secret cleared) and the page asked for.
fn logged_in(state: &AppState, parts: &Parts, login: &logins::Login, next: &str) -> Response {
    let max_age = state.config.session_hours.saturating_mul(3600);
    let tls = !secure_attribute(parts, state).is_empty();
    let mut cookies = vec![
        (
            SET_COOKIE,
            crate::api::auth::session_cookie_set(&login.secret, max_age, tls),
        ),
        (
            SET_COOKIE,
            format!("{PRE_COOKIE}=; Path=/console; HttpOnly; SameSite=Lax; Max-Age=0"),
        ),
    ];
    if let Some(device) = &login.device {
        cookies.push((SET_COOKIE, BrowserSeen::cookie(device, tls)));
    }
    (AppendHeaders(cookies), see_other(next_page(Some(next)))).into_response()
}

async fn enter_code(
    State(state): State<AppState>,
    Source(source): Source,
    browser: BrowserSeen,
    parts: Parts,
    Posted(form): Posted<EnterCode>,
) -> Response {
    let locale = guest_locale(&parts);
    let next = next_page(form.next.as_deref()).to_owned();
    let Ok(phone) = fields::phone("phone", &form.phone) else {
        return see_other(&format!(
            "/console/login?next={}",
            super::form_urlencoded(&next)
        ));
    };
    match logins::log_in(&state, &phone, &form.code, browser.as_browser(), &source).await {
        Ok(login) => logged_in(&state, &parts, &login, &next),
        Err(ApiError::Locked { .. }) => see_other(&locked_url(&phone)),
        Err(ApiError::Unauthorized(message)) => {
            let person = people::person_by_phone(state.db.pool(), &phone).await;
            let error = match person {
                Ok(Some(p)) => {
                    let left = (state.config.login_lockout_failures - p.failures)
                        .max(0)
                        .to_string();
                    if message.contains("expired") {
                        locale.f(Msg::ExpiredCode, &[("left", &left)])
                    } else {
                        locale.f(Msg::WrongCode, &[("left", &left)])
                    }
                }
                Ok(None) => locale.t(Msg::WrongNumberOrCode).to_owned(),
                Err(e) => return failure(locale, e.into()),
            };
            let page = guest_page(&parts, &state, Msg::CodeTitle, |frame| {
                code_form(frame, &state, &phone, &next, 0, Some(&error))
            });
            (axum::http::StatusCode::UNAUTHORIZED, page).into_response()
        }
        Err(e) => failure(locale, e),
    }
}

async fn resend(
    State(state): State<AppState>,
    Source(source): Source,
    parts: Parts,
    Posted(form): Posted<AskCode>,
) -> Response {
    let locale = guest_locale(&parts);
    let next = next_page(form.next.as_deref()).to_owned();
    let Ok(phone) = fields::phone("phone", &form.phone) else {
        return see_other("/console/login");
    };
    match logins::ask_code(&state, &phone, CodePurpose::Login, &source).await {
        Ok(_) => see_other(&code_url(&phone, &next, None, false)),
        Err(e) => refused_code(&state, &phone, &next, e, locale, false).await,
    }
}

// ---------------------------------------------------------------- the lock

#[derive(Debug, Deserialize)]
struct LockedQuery {
    phone: String,
}

async fn locked_page(
    State(state): State<AppState>,
    Query(q): Query<LockedQuery>,
    parts: Parts,
) -> Response {
    let locale = guest_locale(&parts);
    let now = state.clock.now_ms();
    let until = match fields::phone("phone", &q.phone) {
        Ok(phone) => match people::person_by_phone(state.db.pool(), &phone).await {
            Ok(p) => p.and_then(|p| p.locked_until).filter(|u| *u > now),
            Err(e) => return failure(locale, e.into()),
        },
        Err(_) => None,
    };
    let Some(until) = until else {
        return see_other("/console/login");
    };
    guest_page(&parts, &state, Msg::LockedTitle, |frame| {
        let l = frame.locale;
        html! {
            section.card.narrow {
                h1 { (l.t(Msg::LockedTitle)) }
                p #locked role="alert" {
                    (l.fm(Msg::LockedLead, &[("until", local_time(until))]))
                }
                p { (l.t(Msg::LockedHelp)) }
                p { a href="/console/login" { (l.t(Msg::OtherNumber)) } }
            }
        }
    })
}

// ---------------------------------------------------------------- leaving

async fn log_out(
    State(state): State<AppState>,
    Source(source): Source,
    parts: Parts,
    Posted(_): Posted<NoFields>,
) -> Response {
    if let Some(secret) = session_cookie(&parts)
        && let Err(e) = logins::log_out(&state, &secret, &source).await
    {
        return failure(guest_locale(&parts), e);
    }
    let cleared = crate::api::auth::session_cookie_cleared();
    (
        AppendHeaders([(SET_COOKIE, cleared)]),
        see_other("/console/login?bye=1"),
    )
        .into_response()
}

// ---------------------------------------------------------------- the dev sender

/// The codes the development sender "sent", newest first: only with
/// `login_sender = "dev"`, and only to a browser on this machine — the
/// connection's own peer, never an address a header claims, and no
/// request a proxy forwarded.
async fn dev_codes(State(state): State<AppState>, parts: Parts) -> Response {
    let peer_is_local = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|axum::extract::ConnectInfo(addr)| addr.ip().is_loopback());
    let forwarded = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|h| parts.headers.contains_key(*h));
    let Some(outbox) = state
        .sender
        .outbox()
        .filter(|_| peer_is_local && !forwarded)
    else {
        return super::not_found(parts).await;
    };
    let sent = outbox.recent();
    guest_page(&parts, &state, Msg::DevCodesTitle, |frame| {
        let l = frame.locale;
        html! {
            h1 { (l.t(Msg::DevCodesTitle)) }
            p { (l.t(Msg::DevCodesLead)) }
            @if sent.is_empty() {
                p.muted { (l.t(Msg::NoCodes)) }
            } @else {
                table #codes {
                    thead { tr { th { (l.t(Msg::To)) } th { (l.t(Msg::Code)) } th { (l.t(Msg::Expires)) } } }
                    tbody {
                        @for m in &sent {
                            tr data-phone=(m.to) {
                                td { (m.to) }
                                td { code.code { (m.code) } }
                                td { (local_time(m.expires_at)) }
                            }
                        }
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_like_a_text_message_recipient() {
        assert_eq!(masked("13800000001"), "138****0001");
        assert_eq!(masked("821012345678"), "821*****5678");
        assert_eq!(masked("12345"), "12345");
    }

    #[test]
    fn only_console_pages_come_next() {
        assert_eq!(next_page(Some("/console/desk")), "/console/desk");
        assert_eq!(next_page(Some("https://evil.example/")), "/console");
        assert_eq!(next_page(Some("//evil.example/console")), "/console");
        assert_eq!(next_page(None), "/console");
    }
}
