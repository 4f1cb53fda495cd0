//! The owners' back office for lots and their devices (seed 001 §2.1):
//! lots (create; name, capacity, contact, address, coordinates, payment
//! link, the duplicate-read window), gates, robots with the §2.1.1 fields
//! (name, lot, gate, factory code, SIM; a token shown once, rotated,
//! retired), and the cameras bound to them (§2.1.2). Each form is the
//! API's handler; a refusal comes back at its form with what was typed.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::{Locale, Msg};
use super::{Flash, NoFields, Posted, Viewer, after_form, failure};
use crate::api::error::ApiError;
use crate::api::gates::{self, NewGate};
use crate::api::json::Json;
use crate::api::lots::{self, Lot, LotUpdate, NewLot};
use crate::api::robots::{self, NewCamera, NewRobot, RobotUpdate};
use crate::db::types::CameraKind;
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/lots", get(lots_page).post(create_lot))
        .route(
            "/console/lots/{lot}/settings",
            get(settings_page).post(update_lot),
        )
        .route("/console/lots/{lot}/devices", get(devices_page))
        .route("/console/lots/{lot}/gates", post(create_gate))
        .route("/console/lots/{lot}/robots", post(create_robot))
        .route("/console/lots/{lot}/robots/{robot}", post(update_robot))
        .route(
            "/console/lots/{lot}/robots/{robot}/retire",
            post(retire_robot),
        )
        .route(
            "/console/lots/{lot}/robots/{robot}/token",
            post(rotate_token),
        )
        .route("/console/lots/{lot}/robots/{robot}/tests", get(tests_page))
        .route("/console/lots/{lot}/cameras", post(create_camera))
        .route(
            "/console/lots/{lot}/cameras/{camera}/delete",
            post(delete_camera),
        )
}

/// The back-office pages of a lot, as a row of links.
pub fn lot_nav(l: Locale, lot: &str, here: &str) -> Markup {
    let pages = [
        ("info", Msg::Info),
        ("settings", Msg::Settings),
        ("devices", Msg::Devices),
        ("passes", Msg::Passes),
        ("policies", Msg::Policies),
        ("decisions", Msg::Decisions),
        ("openings", Msg::Openings),
        ("orders", Msg::Orders),
        ("cases", Msg::Cases),
    ];
    html! {
        nav.lot-nav aria-label=(lot) {
            @for (page, label) in pages {
                a href={ "/console/lots/" (lot) "/" (page) } aria-current=[(page == here).then_some("page")] { (l.t(label)) }
            }
        }
    }
}

/// `Some(None)` for an empty field (clear it), `Some(Some(v))` otherwise.
fn set_text(raw: &str) -> Option<Option<String>> {
    let v = raw.trim();
    Some((!v.is_empty()).then(|| v.to_owned()))
}

/// A number field: empty clears it; anything else must parse, or the
/// field is named.
fn set_number<T: std::str::FromStr>(field: &str, raw: &str) -> Result<Option<Option<T>>, ApiError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(Some(None));
    }
    v.parse()
        .map(|n| Some(Some(n)))
        .map_err(|_| ApiError::field(field, format!("`{v}` is not a number")))
}

fn opt_text(raw: &str) -> Option<String> {
    set_text(raw).flatten()
}

// ---------------------------------------------------------------- lots

async fn lots_page(State(state): State<AppState>, viewer: Viewer, flash: Flash) -> Response {
    let l = viewer.locale;
    let lots = match lots::list_lots(State(state.clone()), viewer.caller.clone()).await {
        Ok(axum::Json(lots)) => lots,
        Err(e) => return failure(l, e),
    };
    let frame = viewer.frame_at("/console/lots");
    let k = |f: &str| flash.kept(f).unwrap_or("").to_owned();
    frame
        .page(
            l.t(Msg::Lots),
            html! {
                h1 { (l.t(Msg::Lots)) }
                (flash.notice())
                table.list #owner-lots {
                    thead { tr { th { (l.t(Msg::LotName)) } th { (l.t(Msg::Address)) } th { (l.t(Msg::Capacity)) } th { (l.t(Msg::PolicyVersion)) } th {} } }
                    tbody {
                        @for lot in &lots {
                            tr data-lot=(lot.id) {
                                td { strong { (lot.name) } br; code { (lot.id) } }
                                td { (lot.address.as_deref().unwrap_or("")) }
                                td { (lot.capacity.map(|c| c.to_string()).unwrap_or_default()) }
                                td { (lot.active_version.map_or_else(|| l.t(Msg::NoPolicy).to_owned(), |v| v.to_string())) }
                                td { (lot_nav(l, &lot.id, "")) }
                            }
                        }
                    }
                }
                section.card #new-lot {
                    h2 { (l.t(Msg::NewLot)) }
                    form.grid method="post" action="/console/lots" {
                        (frame.csrf_field())
                        label { (l.t(Msg::LotId)) input name="id" required value=(k("id")); }
                        label { (l.t(Msg::LotName)) input name="name" required value=(k("name")); }
                        label { (l.t(Msg::TimeZone)) input name="timezone" required value=(flash.kept("timezone").unwrap_or("Asia/Shanghai")); }
                        label { (l.t(Msg::Currency)) input name="currency" required value=(flash.kept("currency").unwrap_or("CNY")); }
                        label { (l.t(Msg::Capacity)) input name="capacity" inputmode="numeric" value=(k("capacity")); }
                        label { (l.t(Msg::EmergencyContact)) input name="emergency_contact" value=(k("emergency_contact")); }
                        label.wide { (l.t(Msg::Address)) input name="address" value=(k("address")); }
                        label { (l.t(Msg::Latitude)) input name="latitude" inputmode="decimal" value=(k("latitude")); }
                        label { (l.t(Msg::Longitude)) input name="longitude" inputmode="decimal" value=(k("longitude")); }
                        (flash.error("new-lot"))
                        button.primary type="submit" { (l.t(Msg::Create)) }
                    }
                }
            },
        )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct LotForm {
    id: String,
    name: String,
    timezone: String,
    currency: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    emergency_contact: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    latitude: String,
    #[serde(default)]
    longitude: String,
}

async fn create_lot(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<LotForm>,
) -> Response {
    let l = viewer.locale;
    let kept = [
        ("id", form.id.as_str()),
        ("name", form.name.as_str()),
        ("timezone", form.timezone.as_str()),
        ("currency", form.currency.as_str()),
        ("capacity", form.capacity.as_str()),
        ("emergency_contact", form.emergency_contact.as_str()),
        ("address", form.address.as_str()),
        ("latitude", form.latitude.as_str()),
        ("longitude", form.longitude.as_str()),
    ];
    let result = async {
        let asked = NewLot {
            id: form.id.trim().to_owned(),
            name: form.name.clone(),
            timezone: form.timezone.trim().to_owned(),
            currency: form.currency.trim().to_owned(),
            emergency_contact: opt_text(&form.emergency_contact),
            payment_link: None,
            debounce_seconds: None,
            capacity: set_number("capacity", &form.capacity)?.flatten(),
            address: opt_text(&form.address),
            latitude: set_number("latitude", &form.latitude)?.flatten(),
            longitude: set_number("longitude", &form.longitude)?.flatten(),
        };
        lots::create_lot(State(state.clone()), viewer.caller.clone(), Json(asked)).await
    }
    .await
    .map(|_| l.t(Msg::Created).to_owned());
    after_form(&viewer, "/console/lots", "new-lot", result, &kept)
}

async fn settings_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    flash: Flash,
) -> Response {
    let l = viewer.locale;
    let lot: Lot = match lots::get_lot(State(state.clone()), viewer.caller.clone(), Path(lot)).await
    {
        Ok(axum::Json(lot)) => lot,
        Err(e) => return failure(l, e),
    };
    let frame = viewer.frame_at("/console/lots");
    let v = |field: &str, stored: Option<String>| {
        flash
            .kept(field)
            .map(str::to_owned)
            .or(stored)
            .unwrap_or_default()
    };
    frame
        .page(
            &lot.name,
            html! {
                h1 { (lot.name) " " code { (lot.id) } }
                (lot_nav(l, &lot.id, "settings"))
                (flash.notice())
                form.card.grid #lot-settings method="post" action={ "/console/lots/" (lot.id) "/settings" } {
                    (frame.csrf_field())
                    label { (l.t(Msg::LotName)) input name="name" required value=(v("name", Some(lot.name.clone()))); }
                    label { (l.t(Msg::Capacity)) input name="capacity" inputmode="numeric" value=(v("capacity", lot.capacity.map(|c| c.to_string()))); }
                    label { (l.t(Msg::EmergencyContact)) input name="emergency_contact" value=(v("emergency_contact", lot.emergency_contact.clone())); }
                    label.wide { (l.t(Msg::Address)) input name="address" value=(v("address", lot.address.clone())); }
                    label { (l.t(Msg::Latitude)) input name="latitude" inputmode="decimal" value=(v("latitude", lot.latitude.map(|c| c.to_string()))); }
                    label { (l.t(Msg::Longitude)) input name="longitude" inputmode="decimal" value=(v("longitude", lot.longitude.map(|c| c.to_string()))); }
                    label.wide { (l.t(Msg::PaymentLink)) input name="payment_link" value=(v("payment_link", lot.payment_link.clone())); }
                    label { (l.t(Msg::DebounceSeconds)) input name="debounce_seconds" inputmode="numeric" value=(v("debounce_seconds", lot.debounce_seconds.map(|c| c.to_string()))); }
                    p.muted.wide { (l.t(Msg::TimeZone)) ": " (lot.timezone) " · " (l.t(Msg::Currency)) ": " (lot.currency) }
                    (flash.error("settings"))
                    button.primary type="submit" { (l.t(Msg::Save)) }
                }
            },
        )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct SettingsForm {
    name: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    emergency_contact: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    latitude: String,
    #[serde(default)]
    longitude: String,
    #[serde(default)]
    payment_link: String,
    #[serde(default)]
    debounce_seconds: String,
}

async fn update_lot(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Posted(form): Posted<SettingsForm>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/settings");
    let kept = [
        ("name", form.name.as_str()),
        ("capacity", form.capacity.as_str()),
        ("emergency_contact", form.emergency_contact.as_str()),
        ("address", form.address.as_str()),
        ("latitude", form.latitude.as_str()),
        ("longitude", form.longitude.as_str()),
        ("payment_link", form.payment_link.as_str()),
        ("debounce_seconds", form.debounce_seconds.as_str()),
    ];
    let result = async {
        let asked = LotUpdate {
            name: Some(form.name.clone()),
            emergency_contact: set_text(&form.emergency_contact),
            payment_link: set_text(&form.payment_link),
            debounce_seconds: set_number("debounce_seconds", &form.debounce_seconds)?,
            capacity: set_number("capacity", &form.capacity)?,
            address: set_text(&form.address),
            latitude: set_number("latitude", &form.latitude)?,
            longitude: set_number("longitude", &form.longitude)?,
        };
        lots::update_lot(
            State(state.clone()),
            viewer.caller.clone(),
            Path(lot.clone()),
            Json(asked),
        )
        .await
    }
    .await
    .map(|_| l.t(Msg::Saved).to_owned());
    after_form(&viewer, &page, "settings", result, &kept)
}

// ---------------------------------------------------------------- devices

/// The devices page; `shown` is a token to show this once (just created
/// or rotated), never put in a URL.
async fn devices(
    state: &AppState,
    viewer: &Viewer,
    lot: &str,
    flash: &Flash,
    shown: Option<(&str, &str)>,
) -> Response {
    let l = viewer.locale;
    let st = || State(state.clone());
    let caller = || viewer.caller.clone();
    let at = || Path(lot.to_owned());
    let loaded = async {
        let axum::Json(gates) = gates::list_gates(st(), caller(), at()).await?;
        let axum::Json(robots) = robots::list_robots(st(), caller(), at()).await?;
        let axum::Json(cameras) = robots::list_cameras(st(), caller(), at()).await?;
        Ok::<_, ApiError>((gates, robots, cameras))
    };
    let (gate_list, robot_list, camera_list) = match loaded.await {
        Ok(all) => all,
        Err(e) => return failure(l, e),
    };
    let frame = viewer.frame_at("/console/lots");
    let k = |f: &str| flash.kept(f).unwrap_or("").to_owned();
    let status = if shown.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let page = frame.page(
        l.t(Msg::Devices),
        html! {
            h1 { (l.t(Msg::Devices)) " · " code { (lot) } }
            (lot_nav(l, lot, "devices"))
            (flash.notice())
            @if let Some((robot, token)) = shown {
                div.notice #token-once role="status" {
                    p { strong { (robot) } ": " (l.t(Msg::TokenOnce)) }
                    p { code.token { (token) } }
                }
            }
            section.card #gates-section {
                h2 { (l.t(Msg::Gates)) }
                table.list #gate-list {
                    thead { tr { th { (l.t(Msg::GateId)) } th { (l.t(Msg::Direction)) } th { (l.t(Msg::DebounceSeconds)) } } }
                    tbody { @for g in &gate_list { tr { td { (g.id) } td { (super::congestion::direction_text(l, g.direction)) } td { (g.debounce_seconds.map(|d| d.to_string()).unwrap_or_default()) } } } }
                }
                form.row method="post" action={ "/console/lots/" (lot) "/gates" } {
                    (frame.csrf_field())
                    label { (l.t(Msg::GateId)) input name="id" required value=(k("gate.id")); }
                    label { (l.t(Msg::Direction))
                        select name="direction" { option value="entry" { (l.t(Msg::Entry)) } option value="exit" selected[flash.kept("gate.direction") == Some("exit")] { (l.t(Msg::Exit)) } }
                    }
                    button type="submit" { (l.t(Msg::AddGate)) }
                    (flash.error("gate"))
                }
            }
            section.card #robots-section {
                h2 { (l.t(Msg::Robots)) }
                table.list #robot-list {
                    thead { tr { th { (l.t(Msg::RobotId)) } th { (l.t(Msg::Gate)) } th { (l.t(Msg::RobotName)) " · " (l.t(Msg::FactoryCode)) " · " (l.t(Msg::Sim)) } th { (l.t(Msg::Status)) } th {} } }
                    tbody {
                        @for r in &robot_list {
                            tr data-robot=(r.id) {
                                td { code { (r.id) } }
                                td { (r.gate_id) }
                                td {
                                    form.row method="post" action={ "/console/lots/" (lot) "/robots/" (r.id) } {
                                        (frame.csrf_field())
                                        input name="name" value=(r.name.as_deref().unwrap_or("")) aria-label=(l.t(Msg::RobotName)) placeholder=(l.t(Msg::RobotName));
                                        input name="factory_code" value=(r.factory_code.as_deref().unwrap_or("")) aria-label=(l.t(Msg::FactoryCode)) placeholder=(l.t(Msg::FactoryCode));
                                        input name="phone" value=(r.phone.as_deref().unwrap_or("")) aria-label=(l.t(Msg::Sim)) placeholder=(l.t(Msg::Sim));
                                        button type="submit" { (l.t(Msg::Save)) }
                                    }
                                }
                                td {
                                    @if r.retired_at.is_some() { span.tag { (l.t(Msg::Retired)) } } @else {
                                        span class={ "tag " (r.status.as_str()) } { (r.status.as_str()) }
                                        @if !r.problems.is_empty() { " " (super::congestion::reason_text(l, &r.problems.join(", "))) }
                                    }
                                }
                                td {
                                    a href={ "/console/lots/" (lot) "/robots/" (r.id) "/tests" } { (l.t(Msg::Tests)) }
                                    " "
                                    @if r.retired_at.is_none() {
                                        form.inline method="post" action={ "/console/lots/" (lot) "/robots/" (r.id) "/token" } {
                                            (frame.csrf_field()) button type="submit" { (l.t(Msg::RotateToken)) }
                                        }
                                        form.inline method="post" action={ "/console/lots/" (lot) "/robots/" (r.id) "/retire" } {
                                            (frame.csrf_field()) button type="submit" { (l.t(Msg::Retire)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                (flash.error("robot-edit"))
                form.grid #new-robot method="post" action={ "/console/lots/" (lot) "/robots" } {
                    (frame.csrf_field())
                    label { (l.t(Msg::RobotId)) input name="id" required value=(k("robot.id")); }
                    label { (l.t(Msg::Gate)) select name="gate_id" { @for g in &gate_list { option value=(g.id) selected[flash.kept("robot.gate_id") == Some(g.id.as_str())] { (g.id) } } } }
                    label { (l.t(Msg::RobotName)) input name="name" value=(k("robot.name")); }
                    label { (l.t(Msg::FactoryCode)) input name="factory_code" value=(k("robot.factory_code")); }
                    label { (l.t(Msg::Sim)) input name="phone" type="tel" value=(k("robot.phone")); }
                    (flash.error("robot"))
                    button.primary type="submit" { (l.t(Msg::AddRobot)) }
                }
            }
            section.card #cameras-section {
                h2 { (l.t(Msg::Cameras2)) }
                table.list #camera-list {
                    thead { tr { th { (l.t(Msg::CameraId)) } th { (l.t(Msg::Robot)) } th { (l.t(Msg::CameraKindLabel)) } th { (l.t(Msg::CameraName)) } th { (l.t(Msg::VendorId)) } th {} } }
                    tbody { @for c in &camera_list { tr data-camera=(c.id) {
                        td { code { (c.id) } } td { (c.robot_id) }
                        td { (match c.kind { CameraKind::Environment => l.t(Msg::CameraEnvironment), CameraKind::Id => l.t(Msg::CameraIdKind) }) }
                        td { (c.name) } td { (c.vendor_id.as_deref().unwrap_or("")) }
                        td { form.inline method="post" action={ "/console/lots/" (lot) "/cameras/" (c.id) "/delete" } { (frame.csrf_field()) button type="submit" { (l.t(Msg::Delete)) } } }
                    } } }
                }
                form.grid #new-camera method="post" action={ "/console/lots/" (lot) "/cameras" } {
                    (frame.csrf_field())
                    label { (l.t(Msg::CameraId)) input name="id" required value=(k("camera.id")); }
                    label { (l.t(Msg::Robot)) select name="robot_id" { @for r in robot_list.iter().filter(|r| r.retired_at.is_none()) { option value=(r.id) { (r.name.as_deref().unwrap_or(&r.id)) } } } }
                    label { (l.t(Msg::CameraKindLabel)) select name="kind" { option value="environment" { (l.t(Msg::CameraEnvironment)) } option value="id" { (l.t(Msg::CameraIdKind)) } } }
                    label { (l.t(Msg::CameraName)) input name="name" value=(k("camera.name")); }
                    label { (l.t(Msg::VendorId)) input name="vendor_id" value=(k("camera.vendor_id")); }
                    label.wide { (l.t(Msg::SnapshotUrl)) input name="snapshot_url" type="url" value=(k("camera.snapshot_url")); }
                    label.wide { (l.t(Msg::StreamUrl)) input name="stream_url" type="url" value=(k("camera.stream_url")); }
                    (flash.error("camera"))
                    button.primary type="submit" { (l.t(Msg::AddCamera)) }
                }
            }
        },
    );
    (status, page).into_response()
}

async fn devices_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    flash: Flash,
) -> Response {
    devices(&state, &viewer, &lot, &flash, None).await
}

#[derive(Debug, Deserialize)]
struct GateForm {
    id: String,
    direction: String,
}

async fn create_gate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Posted(form): Posted<GateForm>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/devices");
    let asked = NewGate {
        id: form.id.trim().to_owned(),
        direction: form.direction.clone(),
        debounce_seconds: None,
    };
    let result = gates::create_gate(
        State(state.clone()),
        viewer.caller.clone(),
        Path(lot),
        Json(asked),
    )
    .await
    .map(|_| l.t(Msg::Created).to_owned());
    let kept = [
        ("gate.id", form.id.as_str()),
        ("gate.direction", form.direction.as_str()),
    ];
    after_form(&viewer, &page, "gate", result, &kept)
}

#[derive(Debug, Deserialize)]
struct RobotForm {
    id: String,
    gate_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    factory_code: String,
    #[serde(default)]
    phone: String,
}

async fn create_robot(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Posted(form): Posted<RobotForm>,
) -> Response {
    let asked = NewRobot {
        id: form.id.trim().to_owned(),
        gate_id: form.gate_id.clone(),
        name: opt_text(&form.name),
        factory_code: opt_text(&form.factory_code),
        phone: opt_text(&form.phone),
    };
    match robots::create_robot(
        State(state.clone()),
        viewer.caller.clone(),
        Path(lot.clone()),
        Json(asked),
    )
    .await
    {
        Ok((_, axum::Json(created))) => {
            devices(
                &state,
                &viewer,
                &lot,
                &Flash::default(),
                Some((&created.id, &created.token)),
            )
            .await
        }
        Err(e) => {
            let kept = [
                ("robot.id", form.id.as_str()),
                ("robot.gate_id", form.gate_id.as_str()),
                ("robot.name", form.name.as_str()),
                ("robot.factory_code", form.factory_code.as_str()),
                ("robot.phone", form.phone.as_str()),
            ];
            after_form(
                &viewer,
                &format!("/console/lots/{lot}/devices"),
                "robot",
                Err(e),
                &kept,
            )
        }
    }
}

#[derive(Debug, Deserialize)]
struct RobotEdit {
    #[serde(default)]
    name: String,
    #[serde(default)]
    factory_code: String,
    #[serde(default)]
    phone: String,
}

async fn update_robot(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, robot)): Path<(String, String)>,
    Posted(form): Posted<RobotEdit>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/devices");
    let asked = RobotUpdate {
        gate_id: None,
        name: set_text(&form.name),
        factory_code: set_text(&form.factory_code),
        phone: set_text(&form.phone),
    };
    let result = robots::update_robot(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot, robot)),
        Json(asked),
    )
    .await
    .map(|_| l.t(Msg::Saved).to_owned());
    after_form(&viewer, &page, "robot-edit", result, &[])
}

async fn retire_robot(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, robot)): Path<(String, String)>,
    Posted(_): Posted<NoFields>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/devices");
    let result = robots::retire_robot(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot, robot)),
    )
    .await
    .map(|_| l.t(Msg::Saved).to_owned());
    after_form(&viewer, &page, "robot-edit", result, &[])
}

async fn rotate_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, robot)): Path<(String, String)>,
    Posted(_): Posted<NoFields>,
) -> Response {
    match robots::rotate_robot_token(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot.clone(), robot)),
    )
    .await
    {
        Ok((_, axum::Json(created))) => {
            devices(
                &state,
                &viewer,
                &lot,
                &Flash::default(),
                Some((&created.id, &created.token)),
            )
            .await
        }
        Err(e) => after_form(
            &viewer,
            &format!("/console/lots/{lot}/devices"),
            "robot-edit",
            Err(e),
            &[],
        ),
    }
}

#[derive(Debug, Deserialize)]
struct CameraForm {
    id: String,
    robot_id: String,
    kind: CameraKind,
    #[serde(default)]
    name: String,
    #[serde(default)]
    vendor_id: String,
    #[serde(default)]
    snapshot_url: String,
    #[serde(default)]
    stream_url: String,
}

async fn create_camera(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Posted(form): Posted<CameraForm>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/devices");
    let asked = NewCamera {
        id: form.id.trim().to_owned(),
        robot_id: form.robot_id.clone(),
        kind: form.kind,
        name: opt_text(&form.name),
        vendor_id: opt_text(&form.vendor_id),
        snapshot_url: opt_text(&form.snapshot_url),
        stream_url: opt_text(&form.stream_url),
    };
    let result = robots::create_camera(
        State(state.clone()),
        viewer.caller.clone(),
        Path(lot),
        Json(asked),
    )
    .await
    .map(|_| l.t(Msg::Created).to_owned());
    let kept = [
        ("camera.id", form.id.as_str()),
        ("camera.name", form.name.as_str()),
        ("camera.vendor_id", form.vendor_id.as_str()),
        ("camera.snapshot_url", form.snapshot_url.as_str()),
        ("camera.stream_url", form.stream_url.as_str()),
    ];
    after_form(&viewer, &page, "camera", result, &kept)
}

async fn delete_camera(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, camera)): Path<(String, String)>,
    Posted(_): Posted<NoFields>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/devices");
    let result = robots::delete_camera(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot, camera)),
    )
    .await
    .map(|_| l.t(Msg::Deleted).to_owned());
    after_form(&viewer, &page, "camera", result, &[])
}

/// A robot's commissioning tests (seed 001 §2.1.3 调试): the test events
/// it sent (`"test": true`) and what the lot's policy answered, which
/// nothing records as a real passage.
async fn tests_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, robot)): Path<(String, String)>,
) -> Response {
    let l = viewer.locale;
    let at = Path((lot.clone(), robot.clone()));
    let list = match robots::robot_tests(State(state.clone()), viewer.caller.clone(), at).await {
        Ok(axum::Json(list)) => list,
        Err(e) => return failure(l, e),
    };
    viewer
        .frame_at("/console/lots")
        .page(
            l.t(Msg::Tests),
            html! {
                h1 { (l.t(Msg::Tests)) " · " code { (robot) } }
                (lot_nav(l, &lot, "devices"))
                table.list #test-list {
                    thead { tr { th { (l.t(Msg::Time)) } th { (l.t(Msg::Gate)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::Decision)) } th { (l.t(Msg::Says)) } } }
                    tbody {
                        @for t in &list {
                            tr data-event=(t.event_id) {
                                td { (super::when(&t.occurred_at)) }
                                td { (t.gate_id) }
                                td.plate { (t.plate.as_deref().unwrap_or("—")) }
                                td { span class={ "tag " (if t.gate == "open" { "online" } else { "offline" }) } { (super::congestion::reason_text(l, &t.reason)) } }
                                td { (t.decision.voice) }
                            }
                        }
                    }
                }
                @if list.is_empty() { p.empty { (l.t(Msg::NothingFound)) } }
            },
        )
        .into_response()
}
