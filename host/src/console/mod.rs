//! The console: the agents' desk and the owners' back office, as pages the
//! service renders itself under `/console` (and `/`, which leads there).
//!
//! A face on the API, not a second implementation: a page turns the
//! person's session into the same [`Caller`] a token gives and calls the
//! API's handlers and the domain, so authorisation, validation and records
//! are exactly the API's. Pages are HTML from maud; forms post and redirect
//! back (so reload and Back do no harm), each carrying the session's CSRF
//! token; one small script adds what needs it (countdowns, local times) and
//! every page works without it.

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use serde::de::DeserializeOwned;

use crate::api::auth::{Caller, session_cookie};
use crate::api::error::ApiError;
use crate::db::people::PersonRow;
use crate::db::types::PersonRole;
use crate::domain::logins;
use crate::service::AppState;

mod assets;
mod congestion;
mod daily;
mod desk;
mod home;
pub mod i18n;
mod live;
mod login;
mod lots;
mod me;
mod office;
mod policies;
mod records;
mod schema_form;
mod staff;

use i18n::{Locale, Msg};

/// The console's routes; a module upload may be as large as
/// `module_limit`.
pub fn router(config: &crate::service::Config) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console") }))
        .route("/console", get(home::home))
        .route("/console/", get(|| async { Redirect::to("/console") }))
        .merge(login::router())
        .merge(live::router())
        .merge(home::router())
        .merge(lots::router())
        .merge(congestion::router())
        .merge(desk::router())
        .merge(daily::router())
        .merge(office::router())
        .merge(records::router())
        .merge(staff::router())
        .merge(policies::router(config.module_limit))
        .merge(me::router())
        .merge(assets::router())
        .layer(axum::middleware::map_response(security_headers))
}

/// What every console answer carries: no framing, no sniffing, scripts and
/// styles only from the console itself, and no caching of pages that show
/// a person's data.
pub(crate) async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "same-origin");
    set(headers, "cache-control", "no-store");
    response
}

/// The page for a `/console` address that is none of the above.
pub async fn not_found(parts: Parts) -> Response {
    let locale = guest_locale(&parts);
    let page = Frame::guest(locale).page(
        locale.t(Msg::NotFoundTitle),
        html! {
            h1 { (locale.t(Msg::NotFoundTitle)) }
            p { code { (parts.uri.path()) } }
            p { a href="/console" { (locale.t(Msg::Home)) } }
        },
    );
    (StatusCode::NOT_FOUND, page).into_response()
}

// ---------------------------------------------------------------- who is looking

/// A person logged in, looking at a page: their row, the caller their
/// role makes them, their language and the CSRF token their forms carry.
/// Without a live session, a page answers with the login page (and comes
/// back after it).
pub struct Viewer {
    pub person: PersonRow,
    pub caller: Caller,
    pub locale: Locale,
    pub csrf: String,
    /// The session's secret, to see on a live page that it still holds.
    secret: String,
}

impl Viewer {
    pub fn frame(&self) -> Frame<'_> {
        self.frame_at("")
    }

    /// The frame of the page at `path`, marked in the navigation.
    pub fn frame_at(&self, path: &'static str) -> Frame<'_> {
        Frame {
            locale: self.locale,
            person: Some(&self.person),
            csrf: &self.csrf,
            query: String::new(),
            at: path,
        }
    }

    /// The session's secret (to keep this session when others end).
    pub fn session_secret(&self) -> &str {
        &self.secret
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, Response> {
        let to_login = |parts: &Parts, ended: bool| {
            // Back to this page after logging in; for a form, to the page
            // it was sent from (this site's), not the form's address.
            let referer = parts
                .headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(|r| r.find("/console").map(|i| &r[i..]));
            let here = match parts.method {
                axum::http::Method::GET => parts
                    .uri
                    .path_and_query()
                    .map_or("/console", |p| p.as_str()),
                _ => referer.unwrap_or("/console"),
            };
            let next: String = form_urlencoded(here);
            let ended = if ended { "&ended=1" } else { "" };
            Redirect::to(&format!("/console/login?next={next}{ended}")).into_response()
        };
        let Some(secret) = session_cookie(parts) else {
            return Err(to_login(parts, false));
        };
        match logins::session_person(state, &secret).await {
            Ok(Some(person)) => match crate::api::auth::caller_of_person(&person) {
                Some(caller) => Ok(Viewer {
                    caller,
                    locale: Locale::of(&person.locale),
                    csrf: logins::csrf_of(&secret),
                    secret,
                    person,
                }),
                None => Err(failure(
                    Locale::of(&person.locale),
                    ApiError::Forbidden("this person's account acts as no one: ask staff".into()),
                )),
            },
            Ok(None) => Err(to_login(parts, true)),
            Err(e) => Err(failure(guest_locale(parts), e)),
        }
    }
}

/// A request's query without `lang`, ready for `lang=` to follow.
pub fn query_but_lang(parts: &Parts) -> String {
    let kept: Vec<&str> = parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
        .collect();
    kept.iter().map(|kv| format!("{kv}&")).collect()
}

/// A query value, percent-encoded.
fn form_urlencoded(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|s| s.trim_start_matches("v=").to_owned())
        .unwrap_or_default()
}

/// The language of someone not logged in: `?lang=`, then the `bg_lang`
/// cookie, then the browser's `Accept-Language`, then zh-CN.
pub fn guest_locale(parts: &Parts) -> Locale {
    let asked = parts.uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Locale::parse(v))
    });
    asked
        .or_else(|| cookie(parts, LANG_COOKIE).and_then(|v| Locale::parse(&v)))
        .or_else(|| {
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or(Locale::ZhCn)
}

/// The cookie remembering a guest's language choice.
pub const LANG_COOKIE: &str = "bg_lang";
/// The cookie whose secret protects the forms shown before logging in.
pub const PRE_COOKIE: &str = "bg_pre";

/// A cookie's value.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    crate::api::auth::cookie_of(parts, name)
}

/// `; Secure` when the browser reached us over TLS (a proxy that says so
/// with `X-Forwarded-Proto`, where it is trusted).
pub fn secure_attribute(parts: &Parts, state: &AppState) -> &'static str {
    if crate::api::auth::over_tls(&parts.headers, state.config.trust_forwarded_for) {
        "; Secure"
    } else {
        ""
    }
}

/// The secret a form's CSRF token is derived from: the session's, or
/// before logging in, the `bg_pre` cookie's.
fn form_secret(parts: &Parts) -> Option<String> {
    session_cookie(parts).or_else(|| cookie(parts, PRE_COOKIE))
}

// ---------------------------------------------------------------- forms

/// A form posted from a console page: its fields, once its `_csrf` token
/// matched the one its page was given and the browser said it came from
/// this site. A mismatch answers 403 with "reload the page", changing
/// nothing.
pub struct Posted<T>(pub T);

/// The largest form the console takes (uploads come with the policies).
const FORM_LIMIT: usize = 64 * 1024;

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request<Body>, _: &AppState) -> Result<Posted<T>, Response> {
        let (parts, body) = req.into_parts();
        let locale = guest_locale(&parts);
        let refuse = |status: StatusCode, why: &str| {
            let page = Frame::guest(locale).page(
                locale.t(Msg::ErrorTitle),
                html! {
                    h1 { (locale.t(Msg::ErrorTitle)) }
                    p role="alert" { (locale.t(Msg::FormExpired)) }
                    p { small { (why) } }
                },
            );
            (status, page).into_response()
        };
        if cross_site(&parts) {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "the form was sent from another site",
            ));
        }
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| refuse(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large"))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| refuse(StatusCode::BAD_REQUEST, "the form cannot be read"))?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map_or("", |(_, v)| v.as_str());
        let expected = form_secret(&parts).map(|s| logins::csrf_of(&s));
        if !expected.is_some_and(|e| logins::same_secret(sent, &e)) {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "the form's `_csrf` token does not match this browser's session",
            ));
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(Posted)
            .map_err(|e| refuse(StatusCode::BAD_REQUEST, &format!("the form is wrong: {e}")))
    }
}

/// Whether the browser says a request comes from another site: its
/// `Sec-Fetch-Site`, or an `Origin` that is not this host.
fn cross_site(parts: &Parts) -> bool {
    cross_site_headers(&parts.headers)
}

/// Whether a form posted with `headers` and its `_csrf` field `sent` may
/// change something for the session whose token is `expected`.
pub fn form_allowed(headers: &HeaderMap, expected: &str, sent: &str) -> bool {
    !cross_site_headers(headers) && logins::same_secret(sent, expected)
}

fn cross_site_headers(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site").is_some_and(|v| v == "cross-site") {
        return true;
    }
    match (header("origin"), header("host")) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let bare = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .unwrap_or(origin);
            bare != host
        }
        _ => false,
    }
}

// ---------------------------------------------------------------- pages

/// What every page is drawn in: the language, who is logged in, the
/// token for its forms.
pub struct Frame<'a> {
    pub locale: Locale,
    pub person: Option<&'a PersonRow>,
    pub csrf: &'a str,
    /// The page's query without `lang`, kept by the language links.
    pub query: String,
    /// The page's path, marked in the navigation.
    pub at: &'static str,
}

impl Frame<'static> {
    /// The frame of a page shown before logging in.
    pub fn guest(locale: Locale) -> Frame<'static> {
        Frame {
            locale,
            person: None,
            csrf: "",
            query: String::new(),
            at: "",
        }
    }
}

impl Frame<'_> {
    /// The CSRF field every form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="_csrf" value=(self.csrf); }
    }

    /// A whole page: head, the header with the navigation (for a person
    /// logged in), and `body`.
    pub fn page(&self, title: &str, body: Markup) -> Markup {
        self.draw(title, None, body)
    }

    /// A page with live parts: the script follows `/console/live/{live}`
    /// and swaps in what changed; without it, the page refreshes itself.
    pub fn live_page(&self, title: &str, live: &str, body: Markup) -> Markup {
        self.draw(title, Some(live), body)
    }

    /// A live page whose stream is about one thing (`?case=` for the desk).
    pub fn live_page_of(
        &self,
        title: &str,
        live: &str,
        about: Option<&str>,
        body: Markup,
    ) -> Markup {
        let live = match about {
            Some(case) => format!("{live}?case={}", form_urlencoded(case)),
            None => live.to_owned(),
        };
        self.draw(title, Some(&live), body)
    }

    fn nav_link(&self, path: &'static str, label: Msg) -> Markup {
        html! {
            a href=(path) aria-current=[(self.at == path).then_some("page")] { (self.locale.t(label)) }
        }
    }

    fn draw(&self, title: &str, live: Option<&str>, body: Markup) -> Markup {
        let l = self.locale;
        html! {
            (DOCTYPE)
            html lang=(l.name()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="csrf" content=(self.csrf);
                    title { (title) " · " (l.t(Msg::Product)) }
                    link rel="stylesheet" href=(assets::url("console.css"));
                    script src=(assets::url("console.js")) defer {}
                    @if live.is_some() {
                        noscript { meta http-equiv="refresh" content="15"; }
                    }
                }
                body {
                    a.skip href="#main" { (l.t(Msg::SkipToContent)) }
                    header.top {
                        a.brand href="/console" { (l.t(Msg::Product)) }
                        @if let Some(person) = self.person {
                            nav aria-label=(l.t(Msg::Home)) {
                                (self.nav_link("/console", Msg::Home))
                                @if person.role == PersonRole::Agent {
                                    (self.nav_link("/console/desk", Msg::Desk))
                                }
                                (self.nav_link("/console/congestion", Msg::Congestion))
                                (self.nav_link("/console/daily", Msg::Daily))
                                @if person.role == PersonRole::Owner {
                                    (self.nav_link("/console/lots", Msg::Lots))
                                    (self.nav_link("/console/people", Msg::People))
                                    (self.nav_link("/console/tokens", Msg::Tokens))
                                    (self.nav_link("/console/access", Msg::AccessLog))
                                }
                            }
                            div.who {
                                a href="/console/me" { (person.name) }
                                form method="post" action="/console/logout" {
                                    (self.csrf_field())
                                    button.link type="submit" { (l.t(Msg::LogOut)) }
                                }
                            }
                        } @else {
                            nav.langs aria-label=(l.t(Msg::Language)) {
                                @for other in Locale::ALL {
                                    @if other == l {
                                        span aria-current="true" { (other.endonym()) }
                                    } @else {
                                        a href={ "?" (self.query) "lang=" (other.name()) } hreflang=(other.name()) lang=(other.name()) { (other.endonym()) }
                                    }
                                }
                            }
                        }
                    }
                    main #main data-live=[live] { (body) }
                }
            }
        }
    }
}

/// A lot-local instant as the API gives it (RFC 3339 in the lot's offset),
/// as people read it: the time of day when it is today on the lot's
/// clock (`14:03:22`), else the date and time (`2026-11-02 14:03`).
/// "Today" is the machine's, which only decides how much is shown.
pub fn when(local: &str) -> String {
    let (Ok(at), Some(civil)) = (
        local.parse::<jiff::Timestamp>(),
        local
            .get(..19)
            .and_then(|c| c.parse::<jiff::civil::DateTime>().ok()),
    ) else {
        return local.to_owned();
    };
    let offset = civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second() - at.as_second())
        .unwrap_or(0);
    let today = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(offset))
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
    if today.is_ok_and(|d| d == civil.date()) {
        civil.strftime("%H:%M:%S").to_string()
    } else {
        civil.strftime("%Y-%m-%d %H:%M").to_string()
    }
}

/// An instant in `zone` (a lot's), for one held in Unix ms.
pub fn lot_when(ms: i64, zone: &crate::domain::zone::LotZone) -> String {
    when(&zone.local(ms).to_string())
}

/// A form with no fields of its own (its `_csrf` only).
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// A posted field's value (the first), or empty.
pub fn form_value(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Every non-empty value of a posted field given more than once (ticked
/// boxes).
pub fn form_values(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

/// The wire name of a code the API serialises (`monthly_renewal`).
pub fn code_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An amount in the currency's minor unit, as `5.00 CNY`.
pub fn money(currency: boomgate_engine::sdk::Currency, amount: i64) -> String {
    boomgate_engine::sdk::Money::new(u64::try_from(amount).unwrap_or(0), currency).to_string()
}

/// An instant not tied to a lot (a lock's end): in UTC, which the
/// console's script rewrites in the browser's own time zone.
pub fn local_time(ms: i64) -> Markup {
    let at = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    html! {
        time.local datetime=(at.to_string()) {
            (at.strftime("%Y-%m-%d %H:%M UTC"))
        }
    }
}

/// An RFC 3339 instant from the API, not tied to a lot: as `local_time`.
pub fn utc_time(rfc3339: &str) -> Markup {
    match crate::domain::zone::parse_instant(rfc3339) {
        Ok(ms) => local_time(ms),
        Err(_) => html! { (rfc3339) },
    }
}

/// A 500 page for a failure the service logs.
pub fn failure(locale: Locale, error: ApiError) -> Response {
    let status = error.status();
    let message = if status.is_server_error() {
        tracing::error!(error = %error, "console page failed");
        "internal error".to_owned()
    } else {
        error.to_string()
    };
    let page = Frame::guest(locale).page(
        locale.t(Msg::ErrorTitle),
        html! {
            h1 { (locale.t(Msg::ErrorTitle)) }
            p role="alert" { (message) }
            p { a href="/console" { (locale.t(Msg::Home)) } }
        },
    );
    (status, page).into_response()
}

/// A 303 to `to`.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A notice at the top of a page, from the `?done=` a form redirected with.
pub fn notice(text: Option<&str>) -> Markup {
    html! {
        @if let Some(text) = text {
            p.notice role="status" { (text) }
        }
    }
}

/// What a form's redirect says back to its page: a notice (`done`), or an
/// error (`error`) at the form it came from (`at`), with what was typed
/// in it (`keep.<field>`) to type again. It is signed with the session's
/// CSRF token (`sig`): a link made elsewhere cannot put words on a page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Flash {
    pub done: Option<String>,
    pub error: Option<String>,
    pub at: Option<String>,
    sig: Option<String>,
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

/// The signature of a flash's words, for the session whose CSRF token is
/// `csrf`.
fn flash_sig(csrf: &str, done: Option<&str>, error: Option<&str>) -> String {
    let text = format!(
        "boomgate-flash\0{csrf}\0{}\0{}",
        done.unwrap_or(""),
        error.unwrap_or("")
    );
    crate::db::ids::sha256(text.as_bytes())[..24].to_owned()
}

impl FromRequestParts<AppState> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Flash, Self::Rejection> {
        let flash: Flash =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
        let csrf = form_secret(parts)
            .map(|s| logins::csrf_of(&s))
            .unwrap_or_default();
        let expected = flash_sig(&csrf, flash.done.as_deref(), flash.error.as_deref());
        let signed = flash
            .sig
            .as_deref()
            .is_some_and(|sig| logins::same_secret(sig, &expected));
        Ok(if signed { flash } else { Flash::default() })
    }
}

impl Flash {
    /// What the refused form had in `field`.
    pub fn kept(&self, field: &str) -> Option<&str> {
        self.rest.get(&format!("keep.{field}")).map(String::as_str)
    }

    /// The notice line, if a form said one.
    pub fn notice(&self) -> Markup {
        notice(self.done.as_deref())
    }

    /// The error line of `form`, if it was refused.
    pub fn error(&self, form: &str) -> Markup {
        html! {
            @if let Some(message) = &self.error && self.at.as_deref().unwrap_or("") == form {
                p.field-error role="alert" data-form=(form) { (message) }
            }
        }
    }

    /// Whether `form` was refused.
    pub fn has_error(&self, form: &str) -> bool {
        self.error.is_some() && self.at.as_deref() == Some(form)
    }
}

/// An API refusal in the person's words: the field it names, and why.
pub fn refusal(locale: Locale, e: &ApiError) -> String {
    match e.fields().first() {
        Some((path, message)) => format!("{}: {path}: {message}", locale.t(Msg::CheckField)),
        None => e.to_string(),
    }
}

/// Back to `page` after a form: with `done` said, or with the error at
/// `form` and what was typed in it, signed for the viewer's session. A
/// failure of the service is a page.
pub fn after_form(
    viewer: &Viewer,
    page: &str,
    form: &str,
    result: Result<String, ApiError>,
    kept: &[(&str, &str)],
) -> Response {
    let (done, error) = match result {
        Ok(done) => (Some(done), None),
        Err(e) if e.status().is_server_error() => return failure(viewer.locale, e),
        Err(e) => (None, Some(refusal(viewer.locale, &e))),
    };
    let mut query: Vec<(String, String)> = Vec::new();
    if let Some(done) = &done {
        query.push(("done".into(), done.clone()));
    }
    if let Some(error) = &error {
        query.push(("at".into(), form.to_owned()));
        query.push(("error".into(), error.clone()));
        for (field, value) in kept {
            query.push((format!("keep.{field}"), (*value).to_owned()));
        }
    }
    query.push((
        "sig".into(),
        flash_sig(&viewer.csrf, done.as_deref(), error.as_deref()),
    ));
    let sep = if page.contains('?') { '&' } else { '?' };
    see_other(&format!(
        "{page}{sep}{}",
        serde_urlencoded::to_string(query).unwrap_or_default()
    ))
}
