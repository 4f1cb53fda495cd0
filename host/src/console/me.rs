//! The person's own page: who they are, their lots, their language, and
//! the new number staff set for them, confirmed with a code sent to it.

use axum::Router;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;

use super::i18n::{Locale, Msg};
use super::{Flash, NoFields, Posted, Viewer, after_form, failure, see_other};
use crate::api::auth::{Source, visible_lots};
use crate::api::error::ApiError;
use crate::db::people;
use crate::db::types::{CodePurpose, PersonRole};
use crate::domain::logins;
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/me", get(me_page).post(set_locale))
        .route("/console/me/phone/code", post(ask_phone_code))
        .route("/console/me/phone", post(confirm_phone))
        .route("/console/me/password", post(set_password))
}

async fn me_page(State(state): State<AppState>, viewer: Viewer, flash: Flash) -> Response {
    render(&state, &viewer, &flash, None).await
}

/// The page, with a notice, an error at its top, or an error at a field
/// of the password form (`password` or `current_password`).
async fn render(
    state: &AppState,
    viewer: &Viewer,
    flash: &Flash,
    field_error: Option<(&str, String)>,
) -> Response {
    let l = viewer.locale;
    let at = |field: &str| {
        field_error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    };
    let lots = match visible_lots(state, &viewer.caller).await {
        Ok(lots) => lots,
        Err(e) => return failure(l, e),
    };
    let p = &viewer.person;
    let frame = viewer.frame();
    let status = if field_error.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    let page = frame
        .page(
            l.t(Msg::MeTitle),
            html! {
                h1 { (l.t(Msg::MeTitle)) }
                (flash.notice())
                (flash.error(""))
                dl.facts {
                    dt { (l.t(Msg::Name)) } dd #me-name { (p.name) }
                    dt { (l.t(Msg::Phone)) } dd #me-phone { (p.phone) }
                    dt { (l.t(Msg::Role)) } dd {
                        (match p.role { PersonRole::Owner => l.t(Msg::RoleOwner), PersonRole::Agent => l.t(Msg::RoleAgent) })
                    }
                    dt { (l.t(Msg::Lots)) } dd {
                        @for (i, lot) in lots.iter().enumerate() {
                            @if i > 0 { ", " }
                            (lot.name) " " code { (lot.id) }
                        }
                    }
                }
                form method="post" action="/console/me" {
                    (frame.csrf_field())
                    label for="locale" { (l.t(Msg::Language)) }
                    select #locale name="locale" {
                        @for other in Locale::ALL {
                            option value=(other.name()) selected[other == l] lang=(other.name()) { (other.endonym()) }
                        }
                    }
                    button type="submit" { (l.t(Msg::Save)) }
                }
                @if let Some(pending) = &p.pending_phone {
                    section.card #pending-phone {
                        p { (l.f(Msg::PendingPhone, &[("phone", pending)])) }
                        form.inline method="post" action="/console/me/phone/code" {
                            (frame.csrf_field())
                            button type="submit" { (l.t(Msg::SendCode)) }
                        }
                        form method="post" action="/console/me/phone" {
                            (frame.csrf_field())
                            label for="new-code" { (l.t(Msg::Code)) }
                            input #new-code name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required;
                            button.primary type="submit" { (l.t(Msg::ConfirmPhone)) }
                        }
                    }
                }
                section.card #password-section {
                    h2 { (l.t(Msg::PasswordTitle)) }
                    p #password-state { (if p.password_hash.is_some() { l.t(Msg::PasswordIsSet) } else { l.t(Msg::PasswordNotSet) }) }
                    p.muted { (l.t(Msg::PasswordLead)) }
                    form method="post" action="/console/me/password" novalidate {
                        (frame.csrf_field())
                        @if p.password_hash.is_some() {
                            label for="current_password" { (l.t(Msg::CurrentPassword)) }
                            input #current_password name="current_password" type="password" autocomplete="current-password"
                                aria-invalid=[at("current_password").map(|_| "true")];
                            @if let Some(e) = at("current_password") { p.field-error role="alert" { (l.t(Msg::CheckField)) ": " (e) } }
                        }
                        label for="new_password" { (l.t(Msg::NewPassword)) }
                        input #new_password name="password" type="password" autocomplete="new-password" minlength="10" maxlength="200"
                            aria-invalid=[at("password").map(|_| "true")];
                        @if let Some(e) = at("password") { p.field-error role="alert" { (l.t(Msg::CheckField)) ": " (e) } }
                        button type="submit" { (l.t(Msg::SetPassword)) }
                    }
                }
            },
        );
    (status, page).into_response()
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    password: String,
    current_password: Option<String>,
}

async fn set_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Source(source): Source,
    Posted(form): Posted<PasswordForm>,
) -> Response {
    match logins::set_password(
        &state,
        &viewer.person,
        &form.password,
        form.current_password.as_deref(),
        viewer.session_secret(),
        &source,
    )
    .await
    {
        Ok(()) => after_form(
            &viewer,
            "/console/me",
            "",
            Ok(viewer.locale.t(Msg::PasswordSet).to_owned()),
            &[],
        ),
        Err(ApiError::Locked { .. }) => see_other(&super::login::locked_url(&viewer.person.phone)),
        Err(e) => {
            let named = e
                .fields()
                .first()
                .map(|(f, m)| ((*f).to_owned(), (*m).to_owned()));
            match named {
                Some((field, message)) => {
                    render(&state, &viewer, &Flash::default(), Some((&field, message))).await
                }
                None => failure(viewer.locale, e),
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct LocaleForm {
    locale: String,
}

async fn set_locale(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<LocaleForm>,
) -> Response {
    let Some(locale) = Locale::parse(&form.locale) else {
        return failure(
            viewer.locale,
            ApiError::field(
                "locale",
                format!("`{}` is none of zh-CN, ko-KR, en", form.locale),
            ),
        );
    };
    if let Err(e) = people::set_locale(state.db.pool(), &viewer.person.id, locale.name()).await {
        return failure(viewer.locale, e.into());
    }
    after_form(
        &viewer,
        "/console/me",
        "",
        Ok(locale.t(Msg::Saved).to_owned()),
        &[],
    )
}

async fn ask_phone_code(
    State(state): State<AppState>,
    viewer: Viewer,
    Source(source): Source,
    Posted(_): Posted<NoFields>,
) -> Response {
    match logins::send_code(
        &state,
        viewer.person.clone(),
        CodePurpose::NewPhone,
        &source,
    )
    .await
    {
        Ok(_) => see_other("/console/me"),
        Err(e) if !e.status().is_server_error() => {
            after_form(&viewer, "/console/me", "", Err(e), &[])
        }
        Err(e) => failure(viewer.locale, e),
    }
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    code: String,
}

async fn confirm_phone(
    State(state): State<AppState>,
    viewer: Viewer,
    Source(source): Source,
    Posted(form): Posted<CodeForm>,
) -> Response {
    match logins::confirm_phone(&state, &viewer.person, &form.code, &source).await {
        Ok(()) => {
            let cleared = crate::api::auth::session_cookie_cleared();
            (
                AppendHeaders([(SET_COOKIE, cleared)]),
                see_other("/console/login?ended=1"),
            )
                .into_response()
        }
        Err(e) if !e.status().is_server_error() => {
            after_form(&viewer, "/console/me", "", Err(e), &[])
        }
        Err(e) => failure(viewer.locale, e),
    }
}
