//! A lot's policy life cycle for its owner: upload a module (dropped on the
//! page or chosen), see its information and settings schema, make a
//! version with a settings form drawn from that schema (the module's
//! refusals shown at the fields it names), preview what the version would
//! have decided for the lot's recent events, activate it, and roll back by
//! activating an older one. The decisions log says which version decided
//! what.

use crate::api::query::Query as ApiQuery;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::i18n::Msg;
use super::office::lot_nav;
use super::{
    Flash, NoFields, Posted, Viewer, after_form, failure, form_allowed, form_value, see_other,
};
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::api::policies::{self, Module, NewPolicyVersion, PolicyVersion, PreviewQuery, Wasm};
use crate::service::AppState;

pub(super) fn router(module_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/console/lots/{lot}/policies", get(policies_page))
        .route(
            "/console/lots/{lot}/policies/upload",
            post(upload).layer(DefaultBodyLimit::max(module_limit + (64 << 10))),
        )
        .route(
            "/console/lots/{lot}/policies/new",
            get(new_page).post(create),
        )
        .route("/console/lots/{lot}/policies/{version}", get(version_page))
        .route(
            "/console/lots/{lot}/policies/{version}/activate",
            post(activate),
        )
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

async fn versions(
    state: &AppState,
    viewer: &Viewer,
    lot: &str,
) -> Result<Vec<PolicyVersion>, ApiError> {
    let axum::Json(list) = policies::list_versions(
        State(state.clone()),
        viewer.caller.clone(),
        Path(lot.to_owned()),
    )
    .await?;
    Ok(list)
}

async fn policies_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    flash: Flash,
) -> Response {
    let l = viewer.locale;
    let loaded = async {
        let list = versions(&state, &viewer, &lot).await?;
        let axum::Json(modules) =
            policies::list_modules(State(state.clone()), viewer.caller.clone()).await?;
        Ok::<_, ApiError>((list, modules))
    };
    let (list, modules) = match loaded.await {
        Ok(all) => all,
        Err(e) => return failure(l, e),
    };
    let frame = viewer.frame_at("/console/lots");
    frame
        .page(
            l.t(Msg::Policies),
            html! {
                h1 { (l.t(Msg::Policies)) " · " code { (lot) } }
                (lot_nav(l, &lot, "policies"))
                p.muted { (l.t(Msg::PoliciesLead)) }
                (flash.notice())
                (flash.error("activate"))
                h2 { (l.t(Msg::Versions)) }
                table.list #version-list {
                    thead { tr { th { (l.t(Msg::Version)) } th { (l.t(Msg::Module)) } th { (l.t(Msg::Note)) } th { (l.t(Msg::Since)) } th {} } }
                    tbody {
                        @for v in list.iter().rev() {
                            tr data-version=(v.version) class=[v.active.then_some("active")] {
                                td { a href={ "/console/lots/" (lot) "/policies/" (v.version) } { (v.version) } @if v.active { " " span.tag.online { (l.t(Msg::Active)) } } }
                                td { (v.module_name.as_deref().unwrap_or("")) " " code { (short(&v.module)) } }
                                td { (v.note.as_deref().unwrap_or("")) }
                                td { (super::utc_time(&v.created_at)) }
                                td {
                                    a href={ "/console/lots/" (lot) "/policies/" (v.version) "?preview=1" } { (l.t(Msg::Preview)) }
                                    @if !v.active {
                                        " "
                                        form.inline method="post" action={ "/console/lots/" (lot) "/policies/" (v.version) "/activate" } {
                                            (frame.csrf_field())
                                            button type="submit" { (if list.iter().any(|o| o.active && o.version > v.version) { l.t(Msg::RollBack) } else { l.t(Msg::Activate) }) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                section.card #upload {
                    h2 { (l.t(Msg::UploadModule)) }
                    form #upload-form method="post" action={ "/console/lots/" (lot) "/policies/upload" } enctype="multipart/form-data" {
                        (frame.csrf_field())
                        label.drop #drop-zone for="module-file" {
                            (l.t(Msg::DropHere))
                            input #module-file type="file" name="module" accept=".wasm,application/wasm" required;
                        }
                        (flash.error("upload"))
                        button.primary type="submit" { (l.t(Msg::UploadModule)) }
                    }
                }
                h2 { (l.t(Msg::Modules)) }
                table.list #module-list {
                    thead { tr { th { (l.t(Msg::Module)) } th { (l.t(Msg::SdkVersion)) " · " (l.t(Msg::Interface)) } th { (l.t(Msg::Size)) } th {} } }
                    tbody { @for m in &modules { tr data-module=(m.digest) {
                        td { (m.name) " " (m.version) br; code { (short(&m.digest)) } }
                        td { (m.sdk_version) " · " (m.interface_version) }
                        td { (m.size / 1024) " KiB" }
                        td { a href={ "/console/lots/" (lot) "/policies/new?module=" (m.digest) } { (l.t(Msg::NewVersion)) } }
                    } } }
                }
            },
        )
        .into_response()
}

/// A module dropped or chosen: the multipart form's `_csrf` first, then
/// the file. Uploaded, it leads to the new version's form.
async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(lot): Path<String>,
    mut form: Multipart,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/policies");
    let mut csrf = String::new();
    let mut module: Option<Bytes> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("module") => match field.bytes().await {
                    Ok(bytes) => module = Some(bytes),
                    Err(e) => {
                        return after_form(
                            &viewer,
                            &page,
                            "upload",
                            Err(ApiError::TooLarge(e.body_text())),
                            &[],
                        );
                    }
                },
                _ => {}
            },
            Ok(None) => break,
            Err(e) => {
                return after_form(
                    &viewer,
                    &page,
                    "upload",
                    Err(ApiError::bad_request(e.body_text())),
                    &[],
                );
            }
        }
    }
    if !form_allowed(&headers, &viewer.csrf, &csrf) {
        return failure(l, ApiError::Forbidden(l.t(Msg::FormExpired).to_owned()));
    }
    let Some(bytes) = module.filter(|b| !b.is_empty()) else {
        return after_form(
            &viewer,
            &page,
            "upload",
            Err(ApiError::field("module", "choose a .wasm file")),
            &[],
        );
    };
    match policies::upload_module(State(state.clone()), viewer.caller.clone(), Wasm(bytes)).await {
        Ok((_, axum::Json(m))) => see_other(&format!(
            "/console/lots/{lot}/policies/new?module={}",
            m.digest
        )),
        Err(e) => after_form(&viewer, &page, "upload", Err(e), &[]),
    }
}

#[derive(Debug, Deserialize)]
struct NewQuery {
    module: String,
}

/// The settings a new version starts from: the active version's, where it
/// runs the same policy, else the schema's defaults.
async fn starting_settings(state: &AppState, viewer: &Viewer, lot: &str, module: &Module) -> Value {
    match versions(state, viewer, lot).await {
        Ok(list) => list
            .into_iter()
            .find(|v| v.active && v.module_name.as_deref() == Some(module.name.as_str()))
            .map_or(Value::Object(Default::default()), |v| v.settings),
        Err(_) => Value::Object(Default::default()),
    }
}

fn module_info(viewer: &Viewer, m: &Module) -> Markup {
    let l = viewer.locale;
    html! {
        dl.facts.inline #module-info {
            dt { (l.t(Msg::Module)) } dd { (m.name) " " (m.version) }
            dt { (l.t(Msg::SdkVersion)) } dd { (m.sdk_version) }
            dt { (l.t(Msg::Interface)) } dd { (m.interface_version) }
            dt { (l.t(Msg::Size)) } dd { (m.size / 1024) " KiB" }
            dt { (l.t(Msg::Locales)) } dd { (m.locales.join(", ")) }
            dt { "sha256" } dd { code { (m.digest) } }
        }
    }
}

fn version_form(
    viewer: &Viewer,
    lot: &str,
    m: &Module,
    settings: &Value,
    note: &str,
    errors: &[(String, String)],
    message: Option<&str>,
) -> Markup {
    let l = viewer.locale;
    let frame = viewer.frame_at("/console/lots");
    html! {
        h1 { (l.f(Msg::NewVersionOf, &[("module", &format!("{} {}", m.name, m.version))])) }
        (lot_nav(l, lot, "policies"))
        (module_info(viewer, m))
        @if let Some(message) = message {
            div.field-error #settings-refused role="alert" {
                p { (l.t(Msg::SettingsRefused)) }
                ul { @for (path, why) in errors { li { code { (path) } ": " (why) } } }
                @if errors.is_empty() { p { (message) } }
            }
        }
        form #version-form method="post" action={ "/console/lots/" (lot) "/policies/new" } novalidate {
            (frame.csrf_field())
            input type="hidden" name="module" value=(m.digest);
            (super::schema_form::fields(&m.settings_schema, settings, errors, l.t(Msg::CheckField)))
            label for="version-note" { (l.t(Msg::Note)) }
            input #version-note name="note" maxlength="500" value=(note);
            button.primary type="submit" { (l.t(Msg::CreateVersion)) }
        }
        details {
            summary { (l.t(Msg::Schema)) }
            pre.schema { (serde_json::to_string_pretty(&m.settings_schema).unwrap_or_default()) }
        }
    }
}

async fn module_of(state: &AppState, viewer: &Viewer, digest: &str) -> Result<Module, ApiError> {
    let axum::Json(m) = policies::get_module(
        State(state.clone()),
        viewer.caller.clone(),
        Path(digest.to_owned()),
    )
    .await?;
    Ok(m)
}

async fn new_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Query(q): Query<NewQuery>,
) -> Response {
    let l = viewer.locale;
    // The lot must be the owner's: its versions say so.
    if let Err(e) = versions(&state, &viewer, &lot).await {
        return failure(l, e);
    }
    let m = match module_of(&state, &viewer, &q.module).await {
        Ok(m) => m,
        Err(e) => return failure(l, e),
    };
    let settings = starting_settings(&state, &viewer, &lot, &m).await;
    viewer
        .frame_at("/console/lots")
        .page(
            l.t(Msg::NewVersion),
            version_form(&viewer, &lot, &m, &settings, "", &[], None),
        )
        .into_response()
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Response {
    let l = viewer.locale;
    let one = |name: &str| form_value(&pairs, name);
    let m = match module_of(&state, &viewer, &one("module")).await {
        Ok(m) => m,
        Err(e) => return failure(l, e),
    };
    let note = one("note");
    let made = async {
        let settings = super::schema_form::read(&m.settings_schema, &pairs)?;
        let asked = NewPolicyVersion {
            module: m.digest.clone(),
            settings,
            note: Some(note.clone()).filter(|n| !n.trim().is_empty()),
        };
        policies::create_version(
            State(state.clone()),
            viewer.caller.clone(),
            Path(lot.clone()),
            Json(asked),
        )
        .await
    };
    match made.await {
        Ok((_, axum::Json(v))) => see_other(&format!(
            "/console/lots/{lot}/policies/{}?preview=1&created=1",
            v.version
        )),
        Err(e) if e.status().is_client_error() => {
            // The form again, as posted, with each refusal at its field.
            let errors: Vec<(String, String)> = e
                .fields()
                .into_iter()
                .map(|(p, m)| {
                    (
                        p.strip_prefix("settings.").unwrap_or(p).to_owned(),
                        m.to_owned(),
                    )
                })
                .collect();
            let posted = super::schema_form::read_as_typed(&m.settings_schema, &pairs);
            let page = viewer.frame_at("/console/lots").page(
                l.t(Msg::NewVersion),
                version_form(
                    &viewer,
                    &lot,
                    &m,
                    &posted,
                    &note,
                    &errors,
                    Some(&e.to_string()),
                ),
            );
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => failure(l, e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct VersionQuery {
    preview: Option<String>,
    created: Option<String>,
}

async fn version_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, version)): Path<(String, i64)>,
    Query(q): Query<VersionQuery>,
    flash: Flash,
) -> Response {
    let l = viewer.locale;
    let list = match versions(&state, &viewer, &lot).await {
        Ok(list) => list,
        Err(e) => return failure(l, e),
    };
    let Some(v) = list.iter().find(|v| v.version == version) else {
        return failure(
            l,
            ApiError::not_found(format!("lot `{lot}` has no policy version {version}")),
        );
    };
    let preview = match q.preview {
        Some(_) => Some(
            policies::preview(
                State(state.clone()),
                viewer.caller.clone(),
                Path((lot.clone(), version)),
                ApiQuery(PreviewQuery { limit: Some(200) }),
            )
            .await
            .map(|axum::Json(p)| p),
        ),
        None => None,
    };
    let frame = viewer.frame_at("/console/lots");
    frame
        .page(
            l.t(Msg::Policies),
            html! {
                h1 { (l.t(Msg::Version)) " " (v.version) " · " code { (lot) } @if v.active { " " span.tag.online { (l.t(Msg::Active)) } } }
                (lot_nav(l, &lot, "policies"))
                @if q.created.is_some() { p.notice role="status" { (l.f(Msg::VersionCreated, &[("version", &v.version.to_string())])) } }
                (flash.notice())
                (flash.error("activate"))
                p { (l.t(Msg::Module)) ": " (v.module_name.as_deref().unwrap_or("")) " " code { (short(&v.module)) } @if let Some(n) = &v.note { " · " (n) } }
                @if !v.active {
                    form method="post" action={ "/console/lots/" (lot) "/policies/" (v.version) "/activate" } {
                        (frame.csrf_field())
                        button.primary #activate type="submit" { (l.t(Msg::Activate)) " " (v.version) }
                    }
                }
                @match &preview {
                    None => p { a href="?preview=1" { (l.t(Msg::Preview)) } },
                    Some(Err(e)) => p.field-error role="alert" { (e.to_string()) },
                    Some(Ok(p)) => section.card #preview {
                        h2 { (l.t(Msg::Preview)) }
                        p #preview-summary { (l.f(Msg::Replayed, &[("replayed", &p.replayed.to_string()), ("changed", &p.changed.to_string())])) }
                        @if p.examples.is_empty() { p.muted { (l.t(Msg::NoDifference)) } } @else {
                            table.list #preview-list {
                                thead { tr { th { (l.t(Msg::Gate)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::Before)) } th { (l.t(Msg::After)) } } }
                                tbody { @for d in &p.examples { tr data-decision=(d.decision_id) {
                                    td { (d.gate_id) } td.plate { (d.plate.as_deref().unwrap_or("—")) }
                                    td.before { (super::congestion::reason_text(l, &d.before.reason)) @if let Some(f) = &d.before.fee { " · " (f) } br; span.muted { (d.before.voice) } }
                                    td.after { (super::congestion::reason_text(l, &d.after.reason)) @if let Some(f) = &d.after.fee { " · " (f) } br; span.muted { (d.after.voice) } }
                                } } }
                            }
                        }
                    },
                }
                h2 { (l.t(Msg::Settings)) }
                pre.settings #version-settings { (serde_json::to_string_pretty(&v.settings).unwrap_or_default()) }
            },
        )
        .into_response()
}

async fn activate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, version)): Path<(String, i64)>,
    Posted(_): Posted<NoFields>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/policies");
    let result = policies::activate(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot.clone(), version)),
    )
    .await
    .map(|axum::Json(a)| l.f(Msg::ActivatedNow, &[("version", &a.version.to_string())]));
    after_form(&viewer, &page, "activate", result, &[])
}
