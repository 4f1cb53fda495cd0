//! The owner's people and machines (seed 002): people with their locks
//! (lifted with a reason), phone changes made after verifying the person,
//! new people; agents and the lots they serve; machine tokens (made and
//! shown once, revoked).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;

use super::i18n::Msg;
use super::{Flash, NoFields, Posted, Viewer, after_form, failure, form_value, form_values};
use crate::api::agents::{self, AgentUpdate};
use crate::api::auth::{Source, visible_lots};
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::api::people::{self, NewPerson, PhoneChange, Reason};
use crate::api::tokens::{self, MachineRole, NewMachineToken};
use crate::db::types::PersonRole;
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/people", get(people_page).post(create_person))
        .route("/console/people/{id}/unlock", post(unlock))
        .route("/console/people/{id}/phone", post(change_phone))
        .route("/console/agents/{id}/lots", post(agent_lots))
        .route("/console/tokens", get(tokens_page).post(create_token))
        .route("/console/tokens/{id}/revoke", post(revoke_token))
        .route("/console/tokens/{id}/rotate", post(rotate_token))
}

async fn people_page(State(state): State<AppState>, viewer: Viewer, flash: Flash) -> Response {
    let l = viewer.locale;
    let loaded = async {
        let axum::Json(people) =
            people::list_people(State(state.clone()), viewer.caller.clone()).await?;
        let axum::Json(agents) =
            agents::list_agents(State(state.clone()), viewer.caller.clone()).await?;
        let lots = visible_lots(&state, &viewer.caller).await?;
        Ok::<_, ApiError>((people, agents, lots))
    };
    let (people, agent_list, lots) = match loaded.await {
        Ok(all) => all,
        Err(e) => return failure(l, e),
    };
    let frame = viewer.frame_at("/console/people");
    let k = |f: &str| flash.kept(f).unwrap_or("").to_owned();
    frame
        .page(
            l.t(Msg::People),
            html! {
                h1 { (l.t(Msg::People)) }
                p.muted { (l.t(Msg::PeopleLead)) }
                (flash.notice())
                (flash.error("person"))
                table.list #people-list {
                    thead { tr { th { (l.t(Msg::Name)) } th { (l.t(Msg::Phone)) } th { (l.t(Msg::Role)) } th { (l.t(Msg::Lots)) } th { (l.t(Msg::Failures)) } th { (l.t(Msg::PasswordCol)) } th {} } }
                    tbody {
                        @for p in &people {
                            tr data-person=(p.id) data-phone=(p.phone) {
                                td { (p.name) }
                                td { (p.phone) @if let Some(pending) = &p.pending_phone { br; span.muted { "→ " (pending) } } }
                                td { (match p.role { PersonRole::Owner => l.t(Msg::RoleOwner), PersonRole::Agent => l.t(Msg::RoleAgent) }) }
                                td { (p.lots.join(", ")) }
                                td {
                                    (p.failures)
                                    @if let Some(until) = &p.locked_until {
                                        br; span.tag.offline.lock { (l.fm(Msg::LockedUntil, &[("until", super::utc_time(until))])) }
                                    }
                                }
                                td { (if p.has_password { l.t(Msg::Yes) } else { l.t(Msg::No) }) }
                                td {
                                    @if p.locked_until.is_some() {
                                        form.row.unlock method="post" action={ "/console/people/" (p.id) "/unlock" } {
                                            (frame.csrf_field())
                                            input name="reason" required placeholder=(l.t(Msg::Reason)) aria-label={ (l.t(Msg::Reason)) " · " (p.name) };
                                            button.primary type="submit" { (l.t(Msg::LiftLock)) }
                                        }
                                    }
                                    details.phone-change {
                                        summary { (l.t(Msg::ChangePhone)) }
                                        form method="post" action={ "/console/people/" (p.id) "/phone" } {
                                            (frame.csrf_field())
                                            label { (l.t(Msg::NewPhone)) input name="phone" type="tel" required; }
                                            label { (l.t(Msg::HowVerified)) input name="reason" required; }
                                            button type="submit" { (l.t(Msg::ChangePhone)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                section.card #new-person {
                    h2 { (l.t(Msg::AddPerson)) }
                    form.grid method="post" action="/console/people" {
                        (frame.csrf_field())
                        label { (l.t(Msg::Name)) input name="name" required value=(k("name")); }
                        label { (l.t(Msg::Phone)) input name="phone" type="tel" required value=(k("phone")); }
                        label { (l.t(Msg::Role)) select name="role" {
                            option value="agent" { (l.t(Msg::RoleAgent)) }
                            option value="owner" selected[flash.kept("role") == Some("owner")] { (l.t(Msg::RoleOwner)) }
                        } }
                        label { (l.t(Msg::Language)) select name="locale" {
                            @for loc in super::i18n::Locale::ALL { option value=(loc.name()) selected[loc == l] { (loc.endonym()) } }
                        } }
                        fieldset.wide { legend { (l.t(Msg::Lots)) " (" (l.t(Msg::RoleAgent)) ")" }
                            @for lot in &lots { label.choice { input type="checkbox" name="lots" value=(lot.id); " " (lot.name) } }
                        }
                        button.primary type="submit" { (l.t(Msg::AddPerson)) }
                    }
                }
                section.card #agents-section {
                    h2 { (l.t(Msg::AgentsLots)) }
                    (flash.error("agent"))
                    @for a in &agent_list {
                        form.row.agent-lots method="post" action={ "/console/agents/" (a.id) "/lots" } data-agent=(a.id) {
                            (frame.csrf_field())
                            strong { (a.name) } " "
                            @for lot in &lots { label.choice { input type="checkbox" name="lots" value=(lot.id) checked[a.lots.contains(&lot.id)]; " " (lot.name) } }
                            button type="submit" { (l.t(Msg::SaveLots)) }
                        }
                    }
                }
            },
        )
        .into_response()
}

async fn create_person(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Response {
    let l = viewer.locale;
    let (name, phone, role) = (
        form_value(&pairs, "name"),
        form_value(&pairs, "phone"),
        form_value(&pairs, "role"),
    );
    let kept = [
        ("name", name.as_str()),
        ("phone", phone.as_str()),
        ("role", role.as_str()),
    ];
    let result = async {
        let role = match role.as_str() {
            "owner" => PersonRole::Owner,
            "agent" => PersonRole::Agent,
            other => {
                return Err(ApiError::field(
                    "role",
                    format!("`{other}` is neither `owner` nor `agent`"),
                ));
            }
        };
        let asked = NewPerson {
            name: name.clone(),
            phone: phone.clone(),
            role,
            lots: if role == PersonRole::Agent {
                form_values(&pairs, "lots")
            } else {
                Vec::new()
            },
            locale: Some(form_value(&pairs, "locale")).filter(|l| !l.is_empty()),
        };
        people::create_person(State(state.clone()), viewer.caller.clone(), Json(asked)).await
    }
    .await
    .map(|_| l.t(Msg::Created).to_owned());
    after_form(&viewer, "/console/people", "person", result, &kept)
}

#[derive(Debug, Deserialize)]
struct ReasonForm {
    reason: String,
}

async fn unlock(
    State(state): State<AppState>,
    viewer: Viewer,
    source: Source,
    Path(id): Path<String>,
    Posted(form): Posted<ReasonForm>,
) -> Response {
    let l = viewer.locale;
    let result = people::unlock_person(
        State(state.clone()),
        viewer.caller.clone(),
        source,
        Path(id),
        Json(Reason {
            reason: form.reason,
        }),
    )
    .await
    .map(|_| l.t(Msg::LockLifted).to_owned());
    after_form(&viewer, "/console/people", "person", result, &[])
}

#[derive(Debug, Deserialize)]
struct PhoneForm {
    phone: String,
    reason: String,
}

async fn change_phone(
    State(state): State<AppState>,
    viewer: Viewer,
    source: Source,
    Path(id): Path<String>,
    Posted(form): Posted<PhoneForm>,
) -> Response {
    let l = viewer.locale;
    let asked = PhoneChange {
        phone: form.phone,
        reason: form.reason,
    };
    let result = people::change_phone(
        State(state.clone()),
        viewer.caller.clone(),
        source,
        Path(id),
        Json(asked),
    )
    .await
    .map(|_| l.t(Msg::PhoneChangeSet).to_owned());
    after_form(&viewer, "/console/people", "person", result, &[])
}

async fn agent_lots(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Response {
    let l = viewer.locale;
    let asked = AgentUpdate {
        name: None,
        lots: Some(form_values(&pairs, "lots")),
    };
    let result = agents::update_agent(
        State(state.clone()),
        viewer.caller.clone(),
        Path(id),
        Json(asked),
    )
    .await
    .map(|_| l.t(Msg::Saved).to_owned());
    after_form(&viewer, "/console/people", "agent", result, &[])
}

// ---------------------------------------------------------------- tokens

async fn tokens(
    state: &AppState,
    viewer: &Viewer,
    flash: &Flash,
    shown: Option<(&str, &str)>,
) -> Response {
    let l = viewer.locale;
    let loaded = async {
        let axum::Json(list) =
            tokens::list_tokens(State(state.clone()), viewer.caller.clone()).await?;
        let lots = visible_lots(state, &viewer.caller).await?;
        Ok::<_, ApiError>((list, lots))
    };
    let (list, lots) = match loaded.await {
        Ok(all) => all,
        Err(e) => return failure(l, e),
    };
    let frame = viewer.frame_at("/console/tokens");
    let status = if shown.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let page = frame.page(
        l.t(Msg::MachineTokens),
        html! {
            h1 { (l.t(Msg::MachineTokens)) }
            p.muted { (l.t(Msg::TokensLead)) }
            (flash.notice())
            (flash.error("token"))
            @if let Some((name, token)) = shown {
                div.notice #token-once role="status" {
                    p { strong { (name) } ": " (l.t(Msg::TokenOnce)) }
                    p { code.token { (token) } }
                }
            }
            table.list #token-list {
                thead { tr { th { (l.t(Msg::TokenName)) } th { (l.t(Msg::TokenRole)) } th { (l.t(Msg::Lots)) } th { (l.t(Msg::Since)) } th {} } }
                tbody {
                    @for t in &list {
                        tr data-token=(t.id) {
                            td { (t.name.as_deref().unwrap_or("")) br; code { (t.id) } }
                            td { (t.role.as_str()) }
                            td { (t.lots.join(", ")) }
                            td { (super::utc_time(&t.created_at)) }
                            td {
                                @match &t.revoked_at {
                                    Some(_) => span.tag { (l.t(Msg::Revoked)) },
                                    None => {
                                        form.inline method="post" action={ "/console/tokens/" (t.id) "/rotate" } { (frame.csrf_field()) button type="submit" { (l.t(Msg::RotateToken)) } }
                                        " "
                                        form.inline method="post" action={ "/console/tokens/" (t.id) "/revoke" } { (frame.csrf_field()) button type="submit" { (l.t(Msg::Revoke)) } }
                                    },
                                }
                            }
                        }
                    }
                }
            }
            section.card #new-token {
                h2 { (l.t(Msg::NewToken)) }
                form.grid method="post" action="/console/tokens" {
                    (frame.csrf_field())
                    label { (l.t(Msg::TokenName)) input name="name" required; }
                    label { (l.t(Msg::TokenRole)) select name="role" {
                        @for r in ["payments", "app", "telephony", "merchant", "owner"] { option value=(r) { (r) } }
                    } }
                    fieldset.wide { legend { (l.t(Msg::Lots)) }
                        @for lot in &lots { label.choice { input type="checkbox" name="lots" value=(lot.id); " " (lot.name) } }
                    }
                    button.primary type="submit" { (l.t(Msg::NewToken)) }
                }
            }
        },
    );
    (status, page).into_response()
}

async fn tokens_page(State(state): State<AppState>, viewer: Viewer, flash: Flash) -> Response {
    tokens(&state, &viewer, &flash, None).await
}

async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Response {
    let role = match form_value(&pairs, "role").as_str() {
        "payments" => MachineRole::Payments,
        "app" => MachineRole::App,
        "telephony" => MachineRole::Telephony,
        "merchant" => MachineRole::Merchant,
        "owner" => MachineRole::Owner,
        other => {
            let e = ApiError::field("role", format!("`{other}` is not a token role"));
            return after_form(&viewer, "/console/tokens", "token", Err(e), &[]);
        }
    };
    let asked = NewMachineToken {
        role,
        name: form_value(&pairs, "name"),
        lots: if matches!(role, MachineRole::Owner) {
            Vec::new()
        } else {
            form_values(&pairs, "lots")
        },
    };
    match tokens::create_token(State(state.clone()), viewer.caller.clone(), Json(asked)).await {
        Ok((_, axum::Json(made))) => {
            let name = made.name.clone().unwrap_or_else(|| made.id.clone());
            let token = made.token.clone().unwrap_or_default();
            tokens(&state, &viewer, &Flash::default(), Some((&name, &token))).await
        }
        Err(e) => after_form(&viewer, "/console/tokens", "token", Err(e), &[]),
    }
}

async fn rotate_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Posted(_): Posted<NoFields>,
) -> Response {
    match tokens::rotate_token(State(state.clone()), viewer.caller.clone(), Path(id)).await {
        Ok((_, axum::Json(made))) => {
            let name = made.name.clone().unwrap_or_else(|| made.id.clone());
            let token = made.token.clone().unwrap_or_default();
            tokens(&state, &viewer, &Flash::default(), Some((&name, &token))).await
        }
        Err(e) => after_form(&viewer, "/console/tokens", "token", Err(e), &[]),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Posted(_): Posted<NoFields>,
) -> Response {
    let l = viewer.locale;
    let result = tokens::revoke_token(State(state.clone()), viewer.caller.clone(), Path(id))
        .await
        .map(|_| l.t(Msg::Saved).to_owned());
    after_form(&viewer, "/console/tokens", "token", result, &[])
}
