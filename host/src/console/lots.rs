//! A lot's information panel (seed 001 §2.3.1 C): what an agent tells a
//! caller — free spaces, whether visitors may enter, the fee schedule and
//! the visitor policy in the agent's language, the emergency contact — and
//! the state of each gate's robots.

use crate::api::query::Query as ApiQuery;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;

use super::i18n::Msg;
use super::{Viewer, failure};
use crate::api::lots::{InfoQuery, lot_info};
use crate::domain::health::Status;
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/console/lots/{lot}/info", get(info_page))
}

/// The number in a contact such as `张三 13000000000`, for a `tel:` link.
fn dial(contact: &str) -> String {
    contact
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

async fn info_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
) -> Response {
    let l = viewer.locale;
    let asked = InfoQuery {
        locale: Some(l.name().to_owned()),
    };
    let info = match lot_info(
        State(state.clone()),
        viewer.caller.clone(),
        Path(lot),
        ApiQuery(asked),
    )
    .await
    {
        Ok(axum::Json(info)) => info,
        Err(e) => return failure(l, e),
    };
    let yes_no = |b: bool| if b { l.t(Msg::Yes) } else { l.t(Msg::No) };
    let not_set = || html! { span.muted { (l.t(Msg::NotSet)) } };
    viewer
        .frame_at("/console")
        .page(
            &info.name,
            html! {
                p { a href="/console" { "← " (l.t(Msg::Lots)) } }
                h1 { (info.name) " " code { (info.lot_id) } }
                div.panels {
                    section.card #lot-info {
                        dl.facts {
                            dt { (l.t(Msg::FreeSpaces)) }
                            dd #free-spaces {
                                @match (info.free_spaces, info.capacity) {
                                    (Some(free), Some(capacity)) => strong { (l.f(Msg::FreeOf, &[("free", &free.to_string()), ("capacity", &capacity.to_string())])) },
                                    _ => (not_set()),
                                }
                            }
                            dt { (l.t(Msg::Occupied)) } dd #occupied { (info.occupied) }
                            dt { (l.t(Msg::VisitorsAdmitted)) }
                            dd #visitors-admitted { @match info.visitors_admitted { Some(b) => (yes_no(b)), None => (not_set()) } }
                            dt { (l.t(Msg::EmergencyContact)) }
                            dd #emergency-contact { @match &info.emergency_contact { Some(c) => a href={ "tel:" (dial(c)) } { (c) }, None => (not_set()) } }
                            dt { (l.t(Msg::Address)) } dd { @match &info.address { Some(a) => (a), None => (not_set()) } }
                            dt { (l.t(Msg::TimeZone)) } dd { (info.timezone) }
                            dt { (l.t(Msg::PolicyVersion)) }
                            dd { @match info.policy_version { Some(v) => (v), None => (l.t(Msg::NoPolicy)) } }
                            dt { (l.t(Msg::Agents)) } dd { (info.agents.join(", ")) }
                        }
                    }
                    section.card {
                        h2 { (l.t(Msg::FeeSchedule)) }
                        p #fee-schedule.text { @match &info.fee_schedule { Some(t) => (t), None => (not_set()) } }
                        h2 { (l.t(Msg::VisitorPolicy)) }
                        p #visitor-policy.text { @match &info.visitor_policy { Some(t) => (t), None => (not_set()) } }
                    }
                }
                h2 { (l.t(Msg::Gates)) }
                table.list #gates {
                    thead { tr { th { (l.t(Msg::Gate)) } th { (l.t(Msg::Robots)) } } }
                    tbody {
                        @for gate in &info.gates {
                            tr data-gate=(gate.id) {
                                td { (gate.id) " · " (super::congestion::direction_text(l, gate.direction)) }
                                td {
                                    @for robot in &gate.robots {
                                        div.robot {
                                            span class={ "tag " (robot.status.as_str()) } {
                                                (match robot.status { Status::Online => l.t(Msg::Online), Status::Degraded => l.t(Msg::Degraded), Status::Offline => l.t(Msg::Offline) })
                                            }
                                            " " (robot.name.as_deref().unwrap_or(&robot.id))
                                            @if let Some(phone) = &robot.phone { " · " a href={ "tel:" (phone) } { (phone) } }
                                            @if !robot.problems.is_empty() { " · " (super::congestion::reason_text(l, &robot.problems.join(", "))) }
                                            @if let Some(seen) = &robot.last_seen_at { " · " span.muted { (l.t(Msg::LastSeen)) " " (seen.get(..19).unwrap_or(seen).replace('T', " ")) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            },
        )
        .into_response()
}
