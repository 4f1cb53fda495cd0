//! The congestion list (seed 001 §2.3.3): every gate of the person's lots
//! where a vehicle has waited over `congestion_after_seconds`, a call went
//! unanswered, or the robot is offline or its plate camera down; longest
//! wait first, live. The agent calls the robot from it.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use boomgate_engine::sdk::Direction;
use maud::{Markup, html};

use super::i18n::{self, Locale, Msg};
use super::{Viewer, failure};
use crate::api::desk::lists::Congested;
use crate::api::error::ApiError;
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/console/congestion", get(page))
}

async fn page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let l = viewer.locale;
    let list = match fragment(&state, &viewer).await {
        Ok(list) => list,
        Err(e) => return failure(l, e),
    };
    viewer
        .frame_at("/console/congestion")
        .live_page(
            l.t(Msg::Congestion),
            "congestion",
            html! {
                h1 { (l.t(Msg::Congestion)) }
                p.muted { (l.t(Msg::CongestionLead)) }
                (list)
            },
        )
        .into_response()
}

/// The list as the person's lots have it now.
async fn congested(state: &AppState, viewer: &Viewer) -> Result<Vec<Congested>, ApiError> {
    let axum::Json(list) =
        crate::api::desk::lists::congestion(State(state.clone()), viewer.caller.clone()).await?;
    Ok(list)
}

pub fn kind_text(l: Locale, kind: &str) -> &'static str {
    match kind {
        "held" => l.t(Msg::KindHeld),
        "case_waiting" => l.t(Msg::KindCaseWaiting),
        "robot_offline" => l.t(Msg::KindRobotOffline),
        "camera_down" => l.t(Msg::KindCameraDown),
        _ => "",
    }
}

pub fn direction_text(l: Locale, direction: Direction) -> &'static str {
    match direction {
        Direction::Entry => l.t(Msg::Entry),
        Direction::Exit => l.t(Msg::Exit),
    }
}

/// A reason in words where the console knows it, with its code.
pub fn reason_text(l: Locale, code: &str) -> Markup {
    html! {
        @for (i, part) in code.split(", ").filter(|p| !p.is_empty()).enumerate() {
            @if i > 0 { ", " }
            @match i18n::reason(l, part) {
                Some(words) => span title=(part) { (words) },
                None => code { (part) },
            }
        }
    }
}

/// The live list: `#congestion`.
pub async fn fragment(state: &AppState, viewer: &Viewer) -> Result<Markup, ApiError> {
    let l = viewer.locale;
    let list = congested(state, viewer).await?;
    Ok(html! {
        div #congestion {
            @if list.is_empty() {
                p.empty { (l.t(Msg::NoCongestion)) }
            } @else {
                table.list {
                    thead { tr {
                        th { (l.t(Msg::Waiting)) } th { (l.t(Msg::Kind)) } th { (l.t(Msg::LotName)) }
                        th { (l.t(Msg::Gate)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::Reason)) }
                        th { (l.t(Msg::Since)) } th { (l.t(Msg::Robot)) } th {}
                    } }
                    tbody {
                        @for c in &list {
                            tr.congested data-kind=(c.kind) data-gate=(c.gate_id) data-lot=(c.lot_id) {
                                td.wait { strong { (l.duration(c.waiting_seconds)) } }
                                td { span class={ "tag " (c.kind) } { (kind_text(l, &c.kind)) } }
                                td { (c.lot_name) }
                                td { (c.gate_id) " · " (direction_text(l, c.direction)) }
                                td.plate { @match &c.plate { Some(p) => (p), None => span.muted { "—" } } }
                                td { (reason_text(l, &c.reason)) @if c.case_id.is_some() { " " span.tag.case { (l.t(Msg::CaseOpen)) } } }
                                td { time datetime=(c.held_since) { (super::when(&c.held_since)) } }
                                td {
                                    @if let Some(phone) = &c.robot_phone {
                                        a.tel href={ "tel:" (phone) } { (phone) }
                                    } @else if let Some(robot) = &c.robot_id {
                                        code { (robot) }
                                    }
                                }
                                td {
                                    // Agents answer: the call opens the gate's case as theirs.
                                    @if viewer.person.role == crate::db::types::PersonRole::Agent {
                                        form.inline method="post" action="/console/congestion/call" {
                                            (viewer.frame().csrf_field())
                                            input type="hidden" name="lot" value=(c.lot_id);
                                            input type="hidden" name="gate" value=(c.gate_id);
                                            button.primary type="submit" { (l.t(Msg::CallRobot)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}
