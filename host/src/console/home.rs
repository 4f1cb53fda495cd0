//! The console's first page (seed 001 §2.3.1). An agent binds or changes
//! the seat calls ring at (A, B) and sees every seat; everyone sees their
//! lots, searchable, on a map drawn from their coordinates, each with its
//! information panel (C).

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::Msg;
use super::{Flash, NoFields, Posted, Viewer, after_form, failure};
use crate::api::auth::visible_lots;
use crate::api::cases::{self, Seat, SeatBinding};
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::db::lots::LotRow;
use crate::db::types::PersonRole;
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/seat", post(take_seat))
        .route("/console/seat/leave", post(leave_seat))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct HomeQuery {
    /// Lots whose name, id or address contains it.
    q: Option<String>,
}

pub(super) async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<HomeQuery>,
    flash: Flash,
) -> Response {
    render(&state, &viewer, &q, &flash, None).await
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    q: &HomeQuery,
    flash: &Flash,
    seat_error: Option<(axum::http::StatusCode, String, String)>,
) -> Response {
    let l = viewer.locale;
    let lots = match visible_lots(state, &viewer.caller).await {
        Ok(lots) => lots,
        Err(e) => return failure(l, e),
    };
    let seats = match cases::list_seats(State(state.clone()), viewer.caller.clone()).await {
        Ok(axum::Json(seats)) => seats,
        Err(e) => return failure(l, e),
    };
    let wanted = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let shown: Vec<&LotRow> = lots.iter().filter(|lot| matches(lot, wanted)).collect();
    let frame = viewer.frame_at("/console");
    let status = seat_error
        .as_ref()
        .map_or(axum::http::StatusCode::OK, |(s, _, _)| *s);
    let page = frame.page(
        l.t(Msg::Home),
        html! {
            h1 #welcome { (l.f(Msg::Welcome, &[("name", &viewer.person.name)])) }
            (flash.notice())
            @if viewer.person.role == PersonRole::Agent {
                (seat_card(viewer, &seats, seat_error.as_ref().map(|(_, m, typed)| (m.as_str(), typed.as_str()))))
            }
            section #lots-section {
                h2 { (l.t(Msg::Lots)) }
                form.search method="get" action="/console" role="search" {
                    label.visually-hidden for="lot-search" { (l.t(Msg::SearchLots)) }
                    input #lot-search type="search" name="q" value=[wanted] placeholder=(l.t(Msg::SearchLots)) aria-keyshortcuts="/";
                    button type="submit" { (l.t(Msg::Search)) }
                }
                div.lots {
                    (lot_table(viewer, &shown, lots.is_empty()))
                    (lot_map(viewer, &shown))
                }
            }
            @if viewer.person.role == PersonRole::Owner {
                (seat_list(viewer, &seats))
            }
        },
    );
    (status, page).into_response()
}

fn matches(lot: &LotRow, wanted: Option<&str>) -> bool {
    let Some(wanted) = wanted else { return true };
    let wanted = wanted.to_lowercase();
    [
        Some(lot.name.as_str()),
        Some(lot.id.as_str()),
        lot.address.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_lowercase().contains(&wanted))
}

/// The agent's seat; `refused` is a refusal and the seat typed.
fn seat_card(viewer: &Viewer, seats: &[Seat], refused: Option<(&str, &str)>) -> Markup {
    let error = refused.map(|(message, _)| message);
    let l = viewer.locale;
    let frame = viewer.frame();
    let mine = seats
        .iter()
        .find(|s| Some(&s.agent_id) == viewer.person.agent_id.as_ref());
    html! {
        section.card #seat {
            h2 { (l.t(Msg::MySeat)) }
            @match mine {
                Some(seat) => p #my-seat {
                    (l.fm(Msg::SeatYours, &[
                        ("seat", html! { strong { (seat.seat) } }),
                        ("since", super::utc_time(&seat.bound_at)),
                    ]))
                },
                None => p #my-seat.warn { (l.t(Msg::SeatNone)) },
            }
            form.row method="post" action="/console/seat" novalidate {
                (frame.csrf_field())
                label for="seat-number" { (l.t(Msg::SeatNumber)) }
                input #seat-number name="seat" inputmode="numeric" autocomplete="off" maxlength="16" required
                    value=[refused.map(|(_, typed)| typed)]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "seat-error")];
                @if let Some(error) = error {
                    p.field-error #seat-error role="alert" { (l.t(Msg::CheckField)) ": " (error) }
                }
                button.primary type="submit" { (if mine.is_some() { l.t(Msg::ChangeSeat) } else { l.t(Msg::BindSeat) }) }
            }
            @if mine.is_some() {
                form.inline method="post" action="/console/seat/leave" {
                    (frame.csrf_field())
                    button type="submit" { (l.t(Msg::LeaveSeat)) }
                }
            }
            details #all-seats {
                summary { (l.t(Msg::Seats)) " (" (seats.len()) ")" }
                (seat_table(viewer, seats))
            }
        }
    }
}

fn seat_list(viewer: &Viewer, seats: &[Seat]) -> Markup {
    html! {
        section #all-seats {
            h2 { (viewer.locale.t(Msg::Seats)) }
            (seat_table(viewer, seats))
        }
    }
}

fn seat_table(viewer: &Viewer, seats: &[Seat]) -> Markup {
    let l = viewer.locale;
    html! {
        @if seats.is_empty() {
            p.muted { (l.t(Msg::NoSeats)) }
        } @else {
            table.list #seats {
                thead { tr { th { (l.t(Msg::Seat)) } th { (l.t(Msg::Agent)) } th { (l.t(Msg::Since)) } } }
                tbody {
                    @for s in seats {
                        tr { td { (s.seat) } td { (s.agent_name) } td { (super::utc_time(&s.bound_at)) } }
                    }
                }
            }
        }
    }
}

fn lot_table(viewer: &Viewer, lots: &[&LotRow], none_at_all: bool) -> Markup {
    let l = viewer.locale;
    html! {
        @if lots.is_empty() {
            p.muted { (if none_at_all { l.t(Msg::NoLots) } else { l.t(Msg::NoMatch) }) }
        } @else {
            table.list #lots {
                thead { tr { th { (l.t(Msg::LotName)) } th { (l.t(Msg::Address)) } th { (l.t(Msg::TimeZone)) } th {} } }
                tbody {
                    @for lot in lots {
                        tr data-lot=(lot.id) {
                            td { strong { (lot.name) } br; code { (lot.id) } }
                            td { (lot.address.as_deref().unwrap_or("")) }
                            td { (lot.zone.name()) }
                            td { a href={ "/console/lots/" (lot.id) "/info" } { (l.t(Msg::Info)) } }
                        }
                    }
                }
            }
        }
    }
}

/// The lots with coordinates, as dots on a plane scaled to fit them (no
/// map tiles: the console reaches no tile server).
fn lot_map(viewer: &Viewer, lots: &[&LotRow]) -> Markup {
    let placed: Vec<(&LotRow, f64, f64)> = lots
        .iter()
        .filter_map(|lot| Some((*lot, lot.longitude?, lot.latitude?)))
        .collect();
    if placed.is_empty() {
        return html! {};
    }
    let (mut west, mut east, mut south, mut north) = (180.0f64, -180.0f64, 90.0f64, -90.0f64);
    for (_, lon, lat) in &placed {
        west = west.min(*lon);
        east = east.max(*lon);
        south = south.min(*lat);
        north = north.max(*lat);
    }
    // At least about a kilometre across, and a margin around the dots.
    let span = (east - west).max(north - south).max(0.01);
    let pad = span * 0.15;
    let (w, h) = (span + 2.0 * pad, span + 2.0 * pad);
    let x0 = (west + east) / 2.0 - w / 2.0;
    let y0 = -((south + north) / 2.0) - h / 2.0;
    let r = w / 60.0;
    html! {
        figure.map {
            svg #lot-map role="img" aria-label=(viewer.locale.t(Msg::LotMap)) viewBox={ (x0) " " (y0) " " (w) " " (h) } preserveAspectRatio="xMidYMid meet" {
                @for (lot, lon, lat) in &placed {
                    a href={ "/console/lots/" (lot.id) "/info" } {
                        circle cx=(lon) cy=(-lat) r=(r) {}
                        text x=(lon + r * 1.5) y=(-lat + r / 2.0) font-size=(r * 2.2) { (lot.name) }
                        title { (lot.name) " · " (lot.address.as_deref().unwrap_or("")) }
                    }
                }
            }
            figcaption.muted { (viewer.locale.t(Msg::LotMap)) }
        }
    }
}

#[derive(Debug, Deserialize)]
struct SeatForm {
    seat: String,
}

async fn take_seat(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(form): Posted<SeatForm>,
) -> Response {
    let asked = SeatBinding {
        seat: form.seat.clone(),
    };
    match cases::bind_seat(State(state.clone()), viewer.caller.clone(), Json(asked)).await {
        Ok(axum::Json(seat)) => {
            let done = viewer.locale.f(Msg::SeatBound, &[("seat", &seat.seat)]);
            after_form(&viewer, "/console", "seat", Ok(done), &[])
        }
        Err(e) => refused(&state, &viewer, e, &form.seat).await,
    }
}

/// The home again, with the refusal at the seat field and what was typed.
async fn refused(state: &AppState, viewer: &Viewer, e: ApiError, typed: &str) -> Response {
    match e {
        ApiError::Conflict(_) | ApiError::BadRequest { .. } => {
            let message = e
                .fields()
                .first()
                .map_or_else(|| e.to_string(), |(_, m)| (*m).to_owned());
            let refusal = Some((e.status(), message, typed.to_owned()));
            render(
                state,
                viewer,
                &HomeQuery::default(),
                &Flash::default(),
                refusal,
            )
            .await
        }
        e => failure(viewer.locale, e),
    }
}

async fn leave_seat(
    State(state): State<AppState>,
    viewer: Viewer,
    Posted(_): Posted<NoFields>,
) -> Response {
    match cases::leave_seat(State(state.clone()), viewer.caller.clone()).await {
        Ok(_) | Err(ApiError::NotFound(_)) => {
            let done = viewer.locale.t(Msg::SeatLeft).to_owned();
            after_form(&viewer, "/console", "seat", Ok(done), &[])
        }
        Err(e) => refused(&state, &viewer, e, "").await,
    }
}
