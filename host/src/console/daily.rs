//! Daily control (seed 001 §2.4): what an agent looks up for a caller —
//! by the caller's phone (passes, visits, stays, unplated tickets), the
//! monthly passes of a plate or phone with six months of payments and a
//! pending renewal (§2.4.1), a plate's stays with the entry photo and what
//! is due now (§2.4.2) — and the renewal applications agents decide.
//! Each lookup goes through the API, which records it in the access log.

use crate::api::query::Query as ApiQuery;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::Msg;
use super::{Flash, NoFields, Posted, Viewer, after_form, failure};
use crate::api::applications::{self, ApplicationsQuery, Approval, Rejection};
use crate::api::auth::visible_lots;
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::api::lookups::{self, PhoneQuery};
use crate::api::passes::{self, PassQuery};
use crate::api::stays::{self, StayQuery};
use crate::db::lots::LotRow;
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/daily", get(daily_page))
        .route("/console/lots/{lot}/applications", get(applications_page))
        .route(
            "/console/lots/{lot}/applications/{id}/approve",
            post(approve),
        )
        .route("/console/lots/{lot}/applications/{id}/reject", post(reject))
}

#[derive(Debug, Default, Deserialize)]
struct DailyQuery {
    /// The caller's phone.
    phone: Option<String>,
    /// A plate for the pass and stay queries.
    plate: Option<String>,
    /// The lot of a stay query.
    lot: Option<String>,
    /// Which query: `phone`, `passes` or `stays`.
    q: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

async fn daily_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DailyQuery>,
) -> Response {
    let l = viewer.locale;
    let lots = match visible_lots(&state, &viewer.caller).await {
        Ok(lots) => lots,
        Err(e) => return failure(l, e),
    };
    let st = || State(state.clone());
    let caller = || viewer.caller.clone();
    let phone = given(&q.phone);
    let plate = given(&q.plate);
    let mut results = Vec::new();
    if q.q.as_deref() == Some("phone")
        && let Some(phone) = phone
    {
        let asked = PhoneQuery {
            phone: phone.to_owned(),
            lot: None,
            case: None,
        };
        results.push(
            match lookups::phone_lookup(st(), caller(), ApiQuery(asked)).await {
                Ok(axum::Json(found)) => phone_results(&viewer, &lots, &found),
                Err(e) => query_error(&viewer, e),
            },
        );
    }
    if q.q.as_deref() == Some("passes") && (phone.is_some() || plate.is_some()) {
        let asked = PassQuery {
            phone: phone.map(str::to_owned),
            plate: plate.map(str::to_owned),
            lot: given(&q.lot).map(str::to_owned),
        };
        results.push(
            match passes::find_monthly_passes(st(), caller(), ApiQuery(asked)).await {
                Ok(axum::Json(found)) => pass_results(&viewer, &lots, &found),
                Err(e) => query_error(&viewer, e),
            },
        );
    }
    if q.q.as_deref() == Some("stays")
        && let (Some(plate), Some(lot)) = (plate, given(&q.lot))
    {
        let asked = StayQuery {
            plate: plate.to_owned(),
        };
        results.push(
            match stays::stays_of_plate(st(), caller(), Path(lot.to_owned()), ApiQuery(asked)).await
            {
                Ok(axum::Json(found)) => stay_results(&viewer, &lots, lot, &found),
                Err(e) => query_error(&viewer, e),
            },
        );
    }
    let chosen_lot = given(&q.lot).unwrap_or_else(|| lots.first().map_or("", |l| l.id.as_str()));
    viewer
        .frame_at("/console/daily")
        .page(
            l.t(Msg::Daily),
            html! {
                h1 { (l.t(Msg::Daily)) }
                p.muted { (l.t(Msg::DailyLead)) }
                div.queries {
                    form.card #phone-query method="get" action="/console/daily" {
                        h2 { (l.t(Msg::CallerLookup)) " / " (l.t(Msg::UnplatedLookup)) }
                        input type="hidden" name="q" value="phone";
                        label for="q-phone" { (l.t(Msg::Phone)) }
                        input #q-phone name="phone" type="tel" value=[phone.filter(|_| q.q.as_deref() == Some("phone"))];
                        button.primary type="submit" { (l.t(Msg::Query)) }
                    }
                    form.card #pass-query method="get" action="/console/daily" {
                        h2 { (l.t(Msg::PassLookup)) }
                        input type="hidden" name="q" value="passes";
                        label for="p-plate" { (l.t(Msg::Plate)) }
                        input #p-plate name="plate" value=[plate.filter(|_| q.q.as_deref() == Some("passes"))];
                        label for="p-phone" { (l.t(Msg::Phone)) }
                        input #p-phone name="phone" type="tel" value=[phone.filter(|_| q.q.as_deref() == Some("passes"))];
                        button.primary type="submit" { (l.t(Msg::Query)) }
                    }
                    form.card #stay-query method="get" action="/console/daily" {
                        h2 { (l.t(Msg::StayLookup)) }
                        input type="hidden" name="q" value="stays";
                        label for="s-lot" { (l.t(Msg::LotName)) }
                        select #s-lot name="lot" {
                            @for lot in &lots { option value=(lot.id) selected[lot.id == chosen_lot] { (lot.name) } }
                        }
                        label for="s-plate" { (l.t(Msg::Plate)) }
                        input #s-plate name="plate" value=[plate.filter(|_| q.q.as_deref() == Some("stays"))];
                        button.primary type="submit" { (l.t(Msg::Query)) }
                    }
                }
                @for r in &results { (r) }
                h2 { (l.t(Msg::Applications)) }
                ul { @for lot in &lots { li { a href={ "/console/lots/" (lot.id) "/applications" } { (lot.name) } } } }
            },
        )
        .into_response()
}

fn query_error(viewer: &Viewer, e: ApiError) -> Markup {
    let message = match e.fields().first() {
        Some((path, m)) => format!("{}: {path}: {m}", viewer.locale.t(Msg::CheckField)),
        None if e.status().is_server_error() => "internal error".to_owned(),
        None => e.to_string(),
    };
    html! { p.field-error #query-error role="alert" { (message) } }
}

/// An amount of a lot's, in its currency.
fn amount(lots: &[LotRow], lot: &str, minor: i64) -> String {
    match lots.iter().find(|l| l.id == lot) {
        Some(row) => super::money(row.currency, minor),
        None => minor.to_string(),
    }
}

fn phone_results(viewer: &Viewer, lots: &[LotRow], found: &lookups::PhoneFindings) -> Markup {
    let l = viewer.locale;
    html! {
        section.card #phone-results {
            h2 { (l.t(Msg::CallerLookup)) ": " (found.phone) }
            @if found.passes.is_empty() && found.visits.is_empty() && found.stays.is_empty() {
                p.empty { (l.t(Msg::NothingFound)) }
            }
            @if !found.passes.is_empty() {
                h3 { (l.t(Msg::Passes)) }
                table.list #phone-passes {
                    thead { tr { th { (l.t(Msg::LotName)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::Account)) } th { (l.t(Msg::Holder)) } th { (l.t(Msg::MonthlyPass)) } th {} } }
                    tbody { @for p in &found.passes { tr {
                        td { (p.lot_id) } td.plate { (p.plate) } td { (p.account) } td { (p.holder.as_deref().unwrap_or("")) }
                        td { @if p.days_expired > 0 { span.warn { (l.f(Msg::ExpiredDays, &[("days", &p.days_expired.to_string())])) } } @else { (l.f(Msg::ValidUntil, &[("date", &p.valid_until)])) } }
                        td { @if p.inside { span.tag.online { (l.t(Msg::Inside)) } } }
                    } } }
                }
            }
            @if !found.visits.is_empty() {
                h3 { (l.t(Msg::Visits)) }
                table.list #phone-visits {
                    thead { tr { th { (l.t(Msg::LotName)) } th { (l.t(Msg::Gate)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::VisitReason)) } th { (l.t(Msg::Since)) } th { (l.t(Msg::RegisteredBy)) } } }
                    tbody { @for v in &found.visits { tr {
                        td { (v.lot_id) } td { (v.gate_id) } td.plate { (v.plate.as_deref().unwrap_or("—")) } td { (v.reason) } td { (super::when(&v.registered_at)) } td { (v.registered_by) }
                    } } }
                }
            }
            @if !found.stays.is_empty() {
                h3 { (l.t(Msg::Stays)) " · " (l.t(Msg::UnplatedLookup)) }
                table.list #phone-stays {
                    thead { tr { th { (l.t(Msg::LotName)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::EnteredCol)) } th { (l.t(Msg::ExitedCol)) } th { (l.t(Msg::Amount)) } } }
                    tbody { @for s in &found.stays { tr {
                        td { (s.lot_id) } td.plate { (s.plate) } td { (super::when(&s.entered_at)) }
                        td { (s.exited_at.as_deref().map_or_else(|| l.t(Msg::Inside).to_owned(), super::when)) }
                        td { (amount(lots, &s.lot_id, i64::try_from(s.paid_amount).unwrap_or(i64::MAX))) }
                    } } }
                }
            }
        }
    }
}

fn pass_results(viewer: &Viewer, lots: &[LotRow], found: &[passes::PassRecord]) -> Markup {
    let l = viewer.locale;
    html! {
        section.card #pass-results {
            h2 { (l.t(Msg::PassLookup)) }
            @if found.is_empty() { p.empty { (l.t(Msg::NothingFound)) } }
            @for p in found {
                article.pass data-plate=(p.plate) {
                    h3 { span.plate { (p.plate) } " · " (p.lot_id) " · " (l.t(Msg::Account)) " " (p.account) }
                    p {
                        @if p.valid { (l.f(Msg::ValidUntil, &[("date", &p.valid_until)])) } @else { span.warn { (l.f(Msg::ExpiredDays, &[("days", &p.days_expired.to_string())])) } " (" (p.valid_until) ")" }
                        " · " (l.t(Msg::Spaces)) " " (p.spaces)
                        @if let Some(h) = &p.holder { " · " (h) } @if let Some(ph) = &p.phone { " · " (ph) }
                        @if p.inside { " " span.tag.online { (l.t(Msg::Inside)) } }
                    }
                    @if let Some(app) = &p.application {
                        p.notice { (l.t(Msg::PendingApplication)) ": " (app.months) " · " (super::when(&app.applied_at)) " "
                            a href={ "/console/lots/" (p.lot_id) "/applications" } { (l.t(Msg::Applications)) } }
                    }
                    h4 { (l.t(Msg::Payments)) }
                    @if p.payments.is_empty() { p.muted { (l.t(Msg::NothingFound)) } } @else {
                        table.list.payments {
                            thead { tr { th { (l.t(Msg::PaidAt)) } th { (l.t(Msg::Kind)) } th { (l.t(Msg::Amount)) } } }
                            tbody { @for pay in &p.payments { tr { td { (super::when(&pay.paid_at)) } td { (pay.kind.as_str()) } td { (amount(lots, &p.lot_id, pay.amount)) } } } }
                        }
                    }
                    p { a href={ "/console/lots/" (p.lot_id) "/orders?plate=" (super::form_urlencoded(&p.plate)) } { (l.t(Msg::Orders)) " →" } }
                }
            }
        }
    }
}

fn stay_results(viewer: &Viewer, lots: &[LotRow], lot: &str, found: &stays::PlateRecord) -> Markup {
    let l = viewer.locale;
    html! {
        section.card #stay-results {
            h2 { (l.t(Msg::StayLookup)) ": " span.plate { (found.plate) } }
            @if let Some(p) = &found.monthly_pass { p { (l.t(Msg::MonthlyPass)) ": " (l.f(Msg::ValidUntil, &[("date", &p.valid_until)])) } }
            @if found.stays.is_empty() { p.empty { (l.t(Msg::NothingFound)) } }
            table.list #stays {
                thead { tr { th { (l.t(Msg::PlatePhoto)) } th { (l.t(Msg::EnteredCol)) } th { (l.t(Msg::ExitedCol)) } th { (l.t(Msg::Minutes)) } th { (l.t(Msg::DueNow)) } th { (l.t(Msg::ExitNow)) } th { (l.t(Msg::Payments)) } } }
                tbody {
                    @for s in &found.stays {
                        tr data-session=(s.stay.id) {
                            td { @if let Some(url) = &s.entry_photo { img.entry-photo src=(url) alt=(found.plate) loading="lazy"; } }
                            td { (super::when(&s.stay.entered_at)) br; span.muted { (s.stay.entry_gate.as_deref().unwrap_or("")) } }
                            td { @match &s.stay.exited_at { Some(t) => (super::when(t)), None => span.tag.online { (l.t(Msg::Inside)) } } }
                            td { (s.minutes) }
                            td.due { @if let Some(due) = s.due_now { (amount(lots, lot, due)) } }
                            td { @if let Some(d) = &s.exit_now { (super::congestion::reason_text(l, &d.reason)) @if let Some(f) = &d.fee { " · " (f) } } }
                            td { @for pay in &s.payments { div { (super::when(&pay.paid_at)) " · " (amount(lots, lot, pay.amount)) } } }
                        }
                    }
                }
            }
            p { a href={ "/console/lots/" (lot) "/orders?plate=" (super::form_urlencoded(&found.plate)) } { (l.t(Msg::Orders)) " →" } }
        }
    }
}

// ---------------------------------------------------------------- applications

async fn applications_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    flash: Flash,
) -> Response {
    let l = viewer.locale;
    let asked = ApplicationsQuery {
        status: Some("pending".into()),
        plate: None,
    };
    let list = match applications::list_applications(
        State(state.clone()),
        viewer.caller.clone(),
        Path(lot.clone()),
        ApiQuery(asked),
    )
    .await
    {
        Ok(axum::Json(list)) => list,
        Err(e) => return failure(l, e),
    };
    let frame = viewer.frame_at("/console/daily");
    frame
        .page(
            l.t(Msg::Applications),
            html! {
                p { a href="/console/daily" { "← " (l.t(Msg::Daily)) } }
                h1 { (l.t(Msg::Applications)) " · " (lot) }
                (flash.notice())
                (flash.error("applications"))
                @if list.is_empty() { p.empty { (l.t(Msg::NoApplications)) } } @else {
                    table.list #applications {
                        thead { tr { th { (l.t(Msg::Plate)) } th { (l.t(Msg::Kind)) } th { (l.t(Msg::Account)) } th { (l.t(Msg::Months)) } th { (l.t(Msg::Since)) } th {} } }
                        tbody { @for a in &list { tr data-application=(a.id) {
                            td.plate { (a.plate) } td { (a.kind.as_str()) } td { (a.account.as_deref().unwrap_or("")) } td { (a.months) }
                            td { (super::when(&a.applied_at)) " · " (a.applied_by) }
                            td {
                                form.inline method="post" action={ "/console/lots/" (lot) "/applications/" (a.id) "/approve" } {
                                    (frame.csrf_field())
                                    button.primary type="submit" { (l.t(Msg::Approve)) }
                                }
                                form.inline method="post" action={ "/console/lots/" (lot) "/applications/" (a.id) "/reject" } {
                                    (frame.csrf_field())
                                    input name="reason" required placeholder=(l.t(Msg::Reason)) aria-label=(l.t(Msg::Reason));
                                    button type="submit" { (l.t(Msg::Reject)) }
                                }
                            }
                        } } }
                    }
                }
            },
        )
        .into_response()
}

async fn approve(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, id)): Path<(String, String)>,
    Posted(_): Posted<NoFields>,
) -> Response {
    let page = format!("/console/lots/{lot}/applications");
    let asked = Approval {
        valid_until: None,
        spaces: None,
        amount: None,
    };
    let result = applications::approve(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot, id)),
        Json(asked),
    )
    .await
    .map(|_| viewer.locale.t(Msg::Approved).to_owned());
    after_form(&viewer, &page, "applications", result, &[])
}

#[derive(Debug, Deserialize)]
struct RejectForm {
    reason: String,
}

async fn reject(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, id)): Path<(String, String)>,
    Posted(form): Posted<RejectForm>,
) -> Response {
    let page = format!("/console/lots/{lot}/applications");
    let asked = Rejection {
        reason: form.reason,
    };
    let result = applications::reject(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot, id)),
        Json(asked),
    )
    .await
    .map(|_| viewer.locale.t(Msg::Rejected).to_owned());
    after_form(&viewer, &page, "applications", result, &[])
}
