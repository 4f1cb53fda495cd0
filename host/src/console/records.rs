//! A lot's records for its owner (and its agents): monthly passes by
//! account (add, renew, delete, import a CSV), the decisions log with its
//! filters, the openings by people with their evidence, orders (cancel)
//! and the payments on them, cases with their timings; and the owner's
//! access log beside the login audit.

use crate::api::query::Query as ApiQuery;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;

use super::congestion::{direction_text, reason_text};
use super::i18n::Msg;
use super::office::lot_nav;
use super::{Flash, NoFields, Posted, Viewer, after_form, failure};
use crate::api::cases::{self, CasesQuery};
use crate::api::decisions::{self, DecisionsQuery};
use crate::api::desk::lists::{self, OpeningsQuery};
use crate::api::json::Json;
use crate::api::lookups::{self, AccessLogQuery};
use crate::api::orders::{self, OrdersQuery};
use crate::api::passes::{self, NewMonthlyPass};
use crate::service::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console/lots/{lot}/passes",
            get(passes_page).post(put_pass),
        )
        .route("/console/lots/{lot}/passes/import", post(import_passes))
        .route(
            "/console/lots/{lot}/passes/{plate}/delete",
            post(delete_pass),
        )
        .route("/console/lots/{lot}/decisions", get(decisions_page))
        .route("/console/lots/{lot}/openings", get(openings_page))
        .route("/console/lots/{lot}/orders", get(orders_page))
        .route(
            "/console/lots/{lot}/orders/{order}/cancel",
            post(cancel_order),
        )
        .route("/console/lots/{lot}/cases", get(cases_page))
        .route("/console/access", get(access_page))
}

// ---------------------------------------------------------------- passes

async fn passes_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    flash: Flash,
) -> Response {
    let l = viewer.locale;
    let mut list = match passes::list_monthly_passes(
        State(state.clone()),
        viewer.caller.clone(),
        Path(lot.clone()),
    )
    .await
    {
        Ok(axum::Json(list)) => list,
        Err(e) => return failure(l, e),
    };
    list.sort_by(|a, b| a.account.cmp(&b.account).then(a.plate.cmp(&b.plate)));
    let frame = viewer.frame_at("/console/lots");
    let k = |f: &str| flash.kept(f).unwrap_or("").to_owned();
    frame
        .page(
            l.t(Msg::Passes),
            html! {
                h1 { (l.t(Msg::Passes)) " · " code { (lot) } }
                (lot_nav(l, &lot, "passes"))
                (flash.notice())
                table.list #pass-list {
                    thead { tr { th { (l.t(Msg::Account)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::MonthlyPass)) } th { (l.t(Msg::Spaces)) } th { (l.t(Msg::Holder2)) } th { (l.t(Msg::Phone)) } th {} } }
                    tbody {
                        @for (i, p) in list.iter().enumerate() {
                            @let first = i == 0 || list[i - 1].account != p.account;
                            tr data-plate=(p.plate) class=[first.then_some("account-first")] {
                                td { @if first { strong { (p.account) } } }
                                td.plate { (p.plate) }
                                td { (p.valid_until) }
                                td { (p.spaces) }
                                td { (p.holder.as_deref().unwrap_or("")) }
                                td { (p.phone.as_deref().unwrap_or("")) }
                                td { form.inline method="post" action={ "/console/lots/" (lot) "/passes/" (super::form_urlencoded(&p.plate)) "/delete" } { (frame.csrf_field()) button type="submit" { (l.t(Msg::Delete)) } } }
                            }
                        }
                    }
                }
                (flash.error("delete"))
                div.panels {
                    section.card #new-pass {
                        h2 { (l.t(Msg::AddPass)) }
                        form.grid method="post" action={ "/console/lots/" (lot) "/passes" } {
                            (frame.csrf_field())
                            label { (l.t(Msg::Plate)) input name="plate" required value=(k("plate")); }
                            label { (l.t(Msg::ValidUntil).replace("{date}", "").trim()) input name="valid_until" type="date" required value=(k("valid_until")); }
                            label { (l.t(Msg::Account)) input name="account" required value=(k("account")); }
                            label { (l.t(Msg::Spaces)) input name="spaces" inputmode="numeric" required value=(flash.kept("spaces").unwrap_or("1")); }
                            label { (l.t(Msg::Holder2)) input name="holder" value=(k("holder")); }
                            label { (l.t(Msg::Phone)) input name="phone" type="tel" value=(k("phone")); }
                            (flash.error("pass"))
                            button.primary type="submit" { (l.t(Msg::Save)) }
                        }
                    }
                    section.card #import-passes {
                        h2 { (l.t(Msg::ImportCsv)) }
                        p.muted { (l.t(Msg::ImportLead)) }
                        form method="post" action={ "/console/lots/" (lot) "/passes/import" } {
                            (frame.csrf_field())
                            label for="csv" { (l.t(Msg::CsvFile)) }
                            textarea #csv name="csv" rows="6" required placeholder="粤B12345,2027-01-31,1-303,1,张三,13800000000" { (k("csv")) }
                            (flash.error("import"))
                            button.primary type="submit" { (l.t(Msg::ImportCsv)) }
                        }
                    }
                }
            },
        )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct PassForm {
    plate: String,
    valid_until: String,
    account: String,
    spaces: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    phone: String,
}

async fn put_pass(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Posted(form): Posted<PassForm>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/passes");
    let kept = [
        ("plate", form.plate.as_str()),
        ("valid_until", form.valid_until.as_str()),
        ("account", form.account.as_str()),
        ("spaces", form.spaces.as_str()),
        ("holder", form.holder.as_str()),
        ("phone", form.phone.as_str()),
    ];
    let result = async {
        let spaces = form.spaces.trim().parse().map_err(|_| {
            crate::api::error::ApiError::field(
                "spaces",
                format!("`{}` is not a number", form.spaces),
            )
        })?;
        let asked = NewMonthlyPass {
            vehicle_class: None,
            plate: form.plate.clone(),
            valid_until: form.valid_until.clone(),
            account: form.account.trim().to_owned(),
            spaces,
            holder: Some(form.holder.trim().to_owned()).filter(|h| !h.is_empty()),
            phone: Some(form.phone.trim().to_owned()).filter(|p| !p.is_empty()),
        };
        passes::put_monthly_pass(
            State(state.clone()),
            viewer.caller.clone(),
            Path(lot.clone()),
            Json(asked),
        )
        .await
    }
    .await
    .map(|_| l.t(Msg::Saved).to_owned());
    after_form(&viewer, &page, "pass", result, &kept)
}

#[derive(Debug, Deserialize)]
struct ImportForm {
    csv: String,
}

async fn import_passes(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Posted(form): Posted<ImportForm>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/passes");
    let result = passes::import_monthly_passes(
        State(state.clone()),
        viewer.caller.clone(),
        Path(lot.clone()),
        form.csv.clone(),
    )
    .await
    .map(|(_, axum::Json(done))| l.f(Msg::Imported, &[("count", &done.imported.to_string())]));
    after_form(
        &viewer,
        &page,
        "import",
        result,
        &[("csv", form.csv.as_str())],
    )
}

async fn delete_pass(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, plate)): Path<(String, String)>,
    Posted(_): Posted<NoFields>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/passes");
    let result = passes::delete_monthly_pass(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot.clone(), plate)),
    )
    .await
    .map(|_| l.t(Msg::Deleted).to_owned());
    after_form(&viewer, &page, "delete", result, &[])
}

// ---------------------------------------------------------------- decisions

#[derive(Debug, Default, Deserialize)]
struct DecisionFilter {
    gate: Option<String>,
    before: Option<String>,
    plate: Option<String>,
    reason: Option<String>,
    version: Option<String>,
}

async fn decisions_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Query(f): Query<DecisionFilter>,
) -> Response {
    let l = viewer.locale;
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let version = match nonempty(&f.version).map(|v| v.parse::<i64>()) {
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            let e = crate::api::error::ApiError::field("version", "is not a version number");
            return failure(l, e);
        }
        None => None,
    };
    let asked = DecisionsQuery {
        gate: nonempty(&f.gate),
        plate: nonempty(&f.plate),
        reason: nonempty(&f.reason),
        version,
        before: nonempty(&f.before),
        limit: Some(PAGE),
    };
    let loaded = async {
        let row = crate::api::auth::staff_lot(&state, &viewer.caller, &lot).await?;
        let axum::Json(list) = decisions::list_decisions(
            State(state.clone()),
            viewer.caller.clone(),
            Path(lot.clone()),
            ApiQuery(asked),
        )
        .await?;
        Ok::<_, crate::api::error::ApiError>((row, list))
    };
    let (row, list) = match loaded.await {
        Ok(all) => all,
        Err(e) => return failure(l, e),
    };
    let zone = row.zone;
    // The next page: the same filters, older than the last shown.
    let older = list.last().filter(|_| list.len() as i64 == PAGE).map(|d| {
        let mut query: Vec<(&str, String)> = vec![("before", d.id.clone())];
        for (name, value) in [
            ("gate", &f.gate),
            ("plate", &f.plate),
            ("reason", &f.reason),
            ("version", &f.version),
        ] {
            if let Some(v) = nonempty(value) {
                query.push((name, v));
            }
        }
        serde_urlencoded::to_string(query).unwrap_or_default()
    });
    viewer
        .frame_at("/console/lots")
        .page(
            l.t(Msg::Decisions),
            html! {
                h1 { (l.t(Msg::Decisions)) " · " code { (lot) } }
                (lot_nav(l, &lot, "decisions"))
                form.row.filters method="get" {
                    label { (l.t(Msg::Gate)) input name="gate" value=[f.gate.as_deref()]; }
                    label { (l.t(Msg::Plate)) input name="plate" value=[f.plate.as_deref()]; }
                    label { (l.t(Msg::Reason)) input name="reason" value=[f.reason.as_deref()]; }
                    label { (l.t(Msg::Version)) input name="version" inputmode="numeric" value=[f.version.as_deref()]; }
                    button type="submit" { (l.t(Msg::Filter)) }
                }
                table.list #decision-list {
                    thead { tr { th { (l.t(Msg::Time)) " (" (zone.name()) ")" } th { (l.t(Msg::Gate)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::Decision)) } th { (l.t(Msg::Fee)) } th { (l.t(Msg::Version)) } th { (l.t(Msg::DecidedBy)) } th { (l.t(Msg::Evaluation)) } } }
                    tbody {
                        @for d in &list {
                            tr data-decision=(d.id) data-version=[d.policy_version] {
                                td { (crate::domain::zone::parse_instant(&d.created_at).map_or_else(|_| d.created_at.clone(), |ms| super::lot_when(ms, &zone))) }
                                td { (d.gate_id) " · " (direction_text(l, d.direction)) }
                                td.plate { (d.plate.as_deref().unwrap_or("—")) }
                                td {
                                    span class={ "tag " (if d.decision.gate == boomgate_engine::sdk::Gate::Open { "online" } else { "offline" }) } { (reason_text(l, &d.decision.reason)) }
                                    @if let Some(fault) = &d.fault { br; span.warn { (l.t(Msg::Fault)) ": " (fault) } }
                                    details { summary { (d.decision.voice) } ol.trace { @for line in &d.decision.trace { li { (line) } } } }
                                }
                                td { @if let Some(fee) = &d.decision.fee { (fee) } }
                                td.version { (d.policy_version.map(|v| v.to_string()).unwrap_or_default()) }
                                td { (d.decided_by.as_deref().unwrap_or("robot")) }
                                td { (d.evaluation_us) " µs" }
                            }
                        }
                    }
                }
                @if let Some(older) = older {
                    p { a #older href={ "?" (older) } { (l.t(Msg::Older)) " →" } }
                }
            },
        )
        .into_response()
}

/// Decisions on a page of the log.
const PAGE: i64 = 200;

// ---------------------------------------------------------------- openings

async fn openings_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
) -> Response {
    let l = viewer.locale;
    let list = match lists::openings(
        State(state.clone()),
        viewer.caller.clone(),
        Path(lot.clone()),
        ApiQuery(OpeningsQuery { limit: Some(200) }),
    )
    .await
    {
        Ok(axum::Json(list)) => list,
        Err(e) => return failure(l, e),
    };
    viewer
        .frame_at("/console/lots")
        .page(
            l.t(Msg::Openings),
            html! {
                h1 { (l.t(Msg::Openings)) " · " code { (lot) } }
                (lot_nav(l, &lot, "openings"))
                table.list #opening-list {
                    thead { tr { th { (l.t(Msg::Time)) } th { (l.t(Msg::Gate)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::Kind)) } th { (l.t(Msg::Reason)) " · " (l.t(Msg::Note)) } th { (l.t(Msg::Evidence)) } th { (l.t(Msg::OpenedBy)) } } }
                    tbody {
                        @for o in &list {
                            tr data-opening=(o.id) data-kind=(o.kind.as_str()) {
                                td { (super::when(&o.opened_at)) }
                                td { (o.gate_id) " · " (o.direction) }
                                td.plate { (o.plate.as_deref().unwrap_or("—")) }
                                td { (o.kind.as_str()) }
                                td { (o.reason.as_deref().unwrap_or("")) @if let Some(n) = &o.note { br; (n) } }
                                td.thumbs { @for url in o.id_photos.iter().chain(&o.scene_photos) { a href=(url) target="_blank" { img src=(url) alt=(l.t(Msg::Evidence)) loading="lazy"; } } }
                                td { (o.opened_by) }
                            }
                        }
                    }
                }
            },
        )
        .into_response()
}

// ---------------------------------------------------------------- orders

#[derive(Debug, Default, Deserialize)]
struct OrderFilter {
    plate: Option<String>,
    status: Option<String>,
}

async fn orders_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
    Query(f): Query<OrderFilter>,
    flash: Flash,
) -> Response {
    let l = viewer.locale;
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let asked = OrdersQuery {
        plate: nonempty(&f.plate),
        status: nonempty(&f.status),
        limit: Some(200),
    };
    let list = match orders::list_orders(
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
    let frame = viewer.frame_at("/console/lots");
    frame
        .page(
            l.t(Msg::Orders),
            html! {
                h1 { (l.t(Msg::Orders)) " · " code { (lot) } }
                (lot_nav(l, &lot, "orders"))
                (flash.notice())
                (flash.error("cancel"))
                form.row.filters method="get" {
                    label { (l.t(Msg::Plate)) input name="plate" value=[f.plate.as_deref()]; }
                    label { (l.t(Msg::Status)) select name="status" {
                        @for s in ["", "pending", "paid", "cancelled"] { option value=(s) selected[f.status.as_deref().unwrap_or("") == s] { (if s.is_empty() { l.t(Msg::AllStatuses) } else { s }) } }
                    } }
                    button type="submit" { (l.t(Msg::Filter)) }
                }
                table.list #order-list {
                    thead { tr { th { (l.t(Msg::Time)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::Kind)) } th { (l.t(Msg::Status)) } th { (l.t(Msg::Amount)) } th { (l.t(Msg::PaidAt)) } th {} } }
                    tbody {
                        @for o in &list {
                            tr data-order=(o.id) data-status=(o.status.as_str()) {
                                td { (super::when(&o.created_at)) }
                                td.plate { (o.plate.as_deref().unwrap_or("—")) }
                                td { (super::code_of(&o.kind)) }
                                td { (o.status.as_str()) @if o.expired { " " span.warn { "expired" } } }
                                td { (o.amount.map(|a| boomgate_engine::sdk::Currency::parse(&o.currency).map_or_else(|_| a.to_string(), |c| super::money(c, a))).unwrap_or_default()) }
                                td { (o.settled_at.as_deref().map(super::when).unwrap_or_default()) @if let Some(p) = &o.payment_id { br; code { (p) } } }
                                td {
                                    @if o.status == crate::db::types::OrderStatus::Pending {
                                        form.inline method="post" action={ "/console/lots/" (lot) "/orders/" (o.id) "/cancel" } { (frame.csrf_field()) button type="submit" { (l.t(Msg::Cancel)) } }
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

async fn cancel_order(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((lot, order)): Path<(String, String)>,
    Posted(_): Posted<NoFields>,
) -> Response {
    let l = viewer.locale;
    let page = format!("/console/lots/{lot}/orders");
    let result = orders::cancel_order(
        State(state.clone()),
        viewer.caller.clone(),
        Path((lot.clone(), order)),
    )
    .await
    .map(|_| l.t(Msg::Cancelled).to_owned());
    after_form(&viewer, &page, "cancel", result, &[])
}

// ---------------------------------------------------------------- cases

async fn cases_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(lot): Path<String>,
) -> Response {
    let l = viewer.locale;
    let asked = CasesQuery {
        status: None,
        gate: None,
        agent: None,
        since: None,
        until: None,
        test: None,
        limit: Some(200),
    };
    let list = match cases::list_cases(
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
    viewer
        .frame_at("/console/lots")
        .page(
            l.t(Msg::Cases),
            html! {
                h1 { (l.t(Msg::Cases)) " · " code { (lot) } }
                (lot_nav(l, &lot, "cases"))
                table.list #case-list {
                    thead { tr { th { (l.t(Msg::Time)) } th { (l.t(Msg::Gate)) } th { (l.t(Msg::Origin)) } th { (l.t(Msg::Plate)) } th { (l.t(Msg::Agent)) } th { (l.t(Msg::Waiting)) } th { (l.t(Msg::Resolve)) } th { (l.t(Msg::Outcome)) } } }
                    tbody {
                        @for c in &list {
                            tr data-case=(c.id) {
                                td { (super::when(&c.opened_at)) }
                                td { (c.gate_id) }
                                td { (reason_text(l, c.opened_by.as_str())) }
                                td.plate { (c.plate.as_deref().unwrap_or("—")) }
                                td { (c.agent_id.as_deref().unwrap_or("—")) @if let Some(s) = &c.seat { " · " (s) } }
                                td { (l.duration(c.waiting_seconds)) }
                                td {
                                    @if let (Some(closed), Ok(opened)) = (c.closed_at.as_deref(), crate::domain::zone::parse_instant(&c.opened_at)) {
                                        @if let Ok(closed) = crate::domain::zone::parse_instant(closed) { (l.duration((closed - opened) / 1000)) }
                                    }
                                }
                                td { (c.outcome.map(|o| o.as_str()).unwrap_or("")) @if let Some(n) = &c.note { br; span.muted { (n) } } }
                            }
                        }
                    }
                }
            },
        )
        .into_response()
}

// ---------------------------------------------------------------- access

async fn access_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let l = viewer.locale;
    let log = match lookups::access_log(
        State(state.clone()),
        viewer.caller.clone(),
        ApiQuery(AccessLogQuery {
            since: None,
            limit: Some(200),
        }),
    )
    .await
    {
        Ok(axum::Json(log)) => log,
        Err(e) => return failure(l, e),
    };
    let logins =
        match crate::api::people::login_events(State(state.clone()), viewer.caller.clone()).await {
            Ok(axum::Json(e)) => e,
            Err(e) => return failure(l, e),
        };
    viewer
        .frame_at("/console/access")
        .page(
            l.t(Msg::AccessLog),
            html! {
                h1 { (l.t(Msg::AccessLog)) }
                table.list #access-list {
                    thead { tr { th { (l.t(Msg::Time)) } th { (l.t(Msg::Looked)) } th { (l.t(Msg::Kind)) } th { (l.t(Msg::Query2)) } th { (l.t(Msg::Results)) } th { (l.t(Msg::LotName)) } } }
                    tbody { @for a in &log { tr { td { (super::utc_time(&a.at)) } td { (a.looked_by) } td { (a.kind.as_str()) } td { (a.query) } td { (a.results) } td { (a.lot_id.as_deref().unwrap_or("")) } } } }
                }
                h2 { (l.t(Msg::LoginAudit)) }
                table.list #login-list {
                    thead { tr { th { (l.t(Msg::Time)) } th { (l.t(Msg::Phone)) } th { (l.t(Msg::Kind)) } th { (l.t(Msg::Source)) } th { (l.t(Msg::DecidedBy)) } th { (l.t(Msg::Note)) } } }
                    tbody { @for e in &logins { tr data-kind=(e.kind.as_str()) { td { (super::utc_time(&e.at)) } td { (e.phone.as_deref().unwrap_or("")) } td { (e.kind.as_str()) } td { (e.source) } td { (e.by.as_deref().unwrap_or("")) } td { (e.detail.as_deref().unwrap_or("")) } } } }
                }
            },
        )
        .into_response()
}
