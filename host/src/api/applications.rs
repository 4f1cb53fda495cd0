//! Monthly-pass applications and renewals, in their queue (seed 001
//! §2.2.2 scene 3: a pass lapsed beyond the renewal window "重新排队申请月卡";
//! §2.4.1: renewals show in the pass query). A driver applies through an
//! agent or the app platform; applications wait in order per lot; an owner
//! or agent approves one (the pass is created or extended, with its
//! renewal order when a price is given) or rejects it with a reason.

use crate::api::query::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::time::days_expired;
use boomgate_engine::sdk::{Date, OrderKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, service_lot, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::{self, check_id};
use super::json::Json;
use crate::db::applications::{self, ApplicationRow};
use crate::db::ids::new_id;
use crate::db::lots::LotRow;
use crate::db::types::{ApplicationKind, ApplicationStatus, Role};
use crate::db::{passes, payments};
use crate::domain::orders::{self, Place};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(apply, list_applications))
            .routes(routes!(approve))
            .routes(routes!(reject)),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    pub plate: String,
    /// `new` or `renewal`; by default `renewal` when the plate has a pass
    /// in the lot, else `new`.
    #[serde(default)]
    pub kind: Option<ApplicationKind>,
    /// The account to join (a household, a company); a renewal keeps the
    /// pass's own.
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub holder: Option<String>,
    /// The driver's phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// How many months (1 to 36; 1 by default).
    #[serde(default)]
    pub months: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// An application, as the queue shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Application {
    pub id: String,
    pub lot_id: String,
    pub plate: String,
    pub kind: ApplicationKind,
    pub status: ApplicationStatus,
    /// Its place in the lot's queue while pending: 1 is next.
    pub position: Option<i64>,
    pub account: Option<String>,
    pub holder: Option<String>,
    pub phone: Option<String>,
    pub months: i64,
    pub note: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub applied_by: String,
    /// RFC 3339, the lot's local time.
    pub applied_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The pass's last valid day, once approved.
    pub valid_until: Option<String>,
    /// The renewal order placed on approval.
    pub order_id: Option<String>,
}

pub(crate) async fn view(
    state: &AppState,
    lot: &LotRow,
    a: ApplicationRow,
) -> Result<Application, ApiError> {
    let position = match a.status {
        ApplicationStatus::Pending => Some(applications::position(state.db.pool(), &a).await?),
        _ => None,
    };
    let zone = &lot.zone;
    Ok(Application {
        position,
        applied_at: zone.local(a.applied_at).to_string(),
        decided_at: a.decided_at.map(|t| zone.local(t).to_string()),
        id: a.id,
        lot_id: a.lot_id,
        plate: a.plate,
        kind: a.kind,
        status: a.status,
        account: a.account_id,
        holder: a.holder,
        phone: a.phone,
        months: a.months,
        note: a.note,
        reason: a.reason,
        applied_by: a.applied_by,
        decided_by: a.decided_by,
        valid_until: a.valid_until,
        order_id: a.order_id,
    })
}

/// A plate's pending application in the lot, as the pass and stay
/// searches show it (seed 001 §2.4.1, §2.4.2).
pub(crate) async fn pending_of_plate(
    state: &AppState,
    lot: &LotRow,
    plate: &str,
) -> Result<Option<Application>, ApiError> {
    let pending = applications::applications(
        state.db.pool(),
        &lot.id,
        Some(ApplicationStatus::Pending),
        Some(plate),
        1,
    )
    .await?;
    match pending.into_iter().next() {
        Some(a) => Ok(Some(view(state, lot, a).await?)),
        None => Ok(None),
    }
}

/// The lot, for staff or the app platform scoped to it.
async fn applicant_lot(state: &AppState, caller: &Caller, lot: &str) -> Result<LotRow, ApiError> {
    match caller {
        Caller::Service(_) => service_lot(state, caller, Role::App, lot).await,
        _ => staff_lot(state, caller, lot).await,
    }
}

#[utoipa::path(post, path = "/v1/lots/{lot}/pass-applications", tag = "agents", summary = "Queue a monthly pass application or renewal for a plate", params(("lot" = String, Path)),
    request_body = NewApplication,
    responses((status = 201, description = "Queued: its place in the lot's queue", body = Application),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The plate has an application pending", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewApplication>,
) -> Result<(StatusCode, axum::Json<Application>), ApiError> {
    let lot = applicant_lot(&state, &caller, &lot).await?;
    let plate = fields::plate("plate", &req.plate)?;
    let months = req.months.unwrap_or(1);
    if !(1..=36).contains(&months) {
        return Err(ApiError::field(
            "months",
            format!("{months} is not between 1 and 36"),
        ));
    }
    if let Some(account) = &req.account {
        check_id("account", account)?;
    }
    let phone = fields::optional_phone("phone", req.phone.as_deref())?;
    let holder = fields::optional_text("holder", Some(&req.holder), 100)?.flatten();
    let note = fields::optional_text("note", Some(&req.note), 500)?.flatten();
    let pool = state.db.pool();
    let pass = passes::monthly_pass(pool, &lot.id, &plate).await?;
    let kind = req.kind.unwrap_or(match pass {
        Some(_) => ApplicationKind::Renewal,
        None => ApplicationKind::New,
    });
    if kind == ApplicationKind::Renewal && pass.is_none() {
        return Err(ApiError::field(
            "kind",
            format!("`{plate}` has no monthly pass in lot `{}` to renew", lot.id),
        ));
    }
    let now = state.clock.now_ms();
    let row = ApplicationRow {
        id: new_id("app", now),
        lot_id: lot.id.clone(),
        plate: plate.to_string(),
        kind,
        account_id: req
            .account
            .clone()
            .or_else(|| pass.as_ref().map(|p| p.account_id.clone())),
        holder: holder.map(str::to_owned),
        phone,
        months,
        note: note.map(str::to_owned),
        status: ApplicationStatus::Pending,
        reason: None,
        applied_by: caller.label(),
        applied_at: now,
        decided_by: None,
        decided_at: None,
        valid_until: None,
        order_id: None,
    };
    let mut tx = state.db.write().await?;
    let pending = applications::applications(
        &mut *tx,
        &lot.id,
        Some(ApplicationStatus::Pending),
        Some(plate.as_str()),
        1,
    )
    .await?;
    if let Some(earlier) = pending.first() {
        return Err(ApiError::Conflict(format!(
            "`{plate}` has application `{}` pending since {}",
            earlier.id,
            lot.zone.local(earlier.applied_at)
        )));
    }
    applications::insert(&mut *tx, &row).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(view(&state, &lot, row).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationsQuery {
    /// `pending` (the queue, the default), `approved`, `rejected`,
    /// `withdrawn`, or `all`.
    pub status: Option<String>,
    pub plate: Option<String>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/pass-applications", tag = "agents", summary = "List a lot's monthly pass applications in queue order", params(("lot" = String, Path), ApplicationsQuery),
    responses((status = 200, description = "The lot's applications in queue order", body = Vec<Application>),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_applications(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<ApplicationsQuery>,
) -> Result<axum::Json<Vec<Application>>, ApiError> {
    let lot = applicant_lot(&state, &caller, &lot).await?;
    let status = match query.status.as_deref() {
        None | Some("") | Some("pending") => Some(ApplicationStatus::Pending),
        Some("all") => None,
        Some(other) => Some(
            other
                .parse::<ApplicationStatus>()
                .map_err(|e| ApiError::field("status", format!("{e}, or `all`")))?,
        ),
    };
    let plate = query
        .plate
        .as_deref()
        .map(|p| fields::plate("plate", p))
        .transpose()?;
    let rows = applications::applications(
        state.db.pool(),
        &lot.id,
        status,
        plate.as_ref().map(|p| p.as_str()),
        1000,
    )
    .await?;
    let mut out = Vec::new();
    for row in rows {
        out.push(view(&state, &lot, row).await?);
    }
    Ok(axum::Json(out))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The pass's last valid day; by default the application's months on
    /// from the later of its current last day and yesterday.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// The spaces of a new account (1 by default).
    #[serde(default)]
    pub spaces: Option<i64>,
    /// The renewal's price in the currency's minor units: a pending
    /// `monthly_renewal` order the driver pays.
    #[serde(default)]
    pub amount: Option<u64>,
}

/// A pending application of the lot, or 404 / 409.
async fn pending(state: &AppState, lot: &LotRow, id: &str) -> Result<ApplicationRow, ApiError> {
    let row = applications::application(state.db.pool(), &lot.id, id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("lot `{}` has no application `{id}`", lot.id))
        })?;
    if row.status != ApplicationStatus::Pending {
        return Err(ApiError::Conflict(format!(
            "application `{id}` was {} at {} by {}",
            row.status,
            row.decided_at
                .map_or_else(String::new, |t| lot.zone.local(t).to_string()),
            row.decided_by.as_deref().unwrap_or("?")
        )));
    }
    Ok(row)
}

/// `months` after `from`, as a pass's last valid day.
fn months_after(from: Date, months: i64) -> Result<Date, ApiError> {
    let civil: jiff::civil::Date = from
        .to_string()
        .parse()
        .map_err(|e| anyhow::anyhow!("date `{from}`: {e}"))?;
    let until = civil
        .checked_add(jiff::Span::new().months(months))
        .map_err(|e| anyhow::anyhow!("{months} months after {from}: {e}"))?;
    Date::parse(&until.to_string()).map_err(|e| anyhow::anyhow!("date `{until}`: {e}").into())
}

#[utoipa::path(post, path = "/v1/lots/{lot}/pass-applications/{application}/approve", tag = "agents", summary = "Approve a monthly pass application: create or extend the pass",
    params(("lot" = String, Path), ("application" = String, Path)), request_body = Approval,
    responses((status = 200, description = "Approved: the pass is created or extended (and its renewal order placed)", body = Application),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Decided already", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, id)): Path<(String, String)>,
    Json(req): Json<Approval>,
) -> Result<axum::Json<Application>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let mut row = pending(&state, &lot, &id).await?;
    let plate = fields::plate("plate", &row.plate)?;
    let now = state.clock.now_ms();
    let today = lot.zone.today(now);
    let pool = state.db.pool();
    let pass = passes::monthly_pass(pool, &lot.id, &plate).await?;
    let valid_until = match &req.valid_until {
        Some(raw) => Date::parse(raw).map_err(|e| ApiError::field("valid_until", e.to_string()))?,
        None => {
            let yesterday = today.add_days(-1);
            let from = pass
                .as_ref()
                .map(|p| p.valid_until)
                .filter(|d| *d > yesterday)
                .unwrap_or(yesterday);
            months_after(from, row.months)?
        }
    };
    if days_expired(valid_until, today) > 0 {
        return Err(ApiError::field(
            "valid_until",
            format!("{valid_until} is before today ({today})"),
        ));
    }
    let spaces = u32::try_from(req.spaces.unwrap_or(1))
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .ok_or_else(|| ApiError::field("spaces", "is not between 1 and 1000"))?;
    let account = row
        .account_id
        .clone()
        .or_else(|| pass.as_ref().map(|p| p.account_id.clone()))
        .unwrap_or_else(|| format!("acc-{}", plate.as_str()));
    let mut tx = state.db.write().await?;
    let spaces = match &pass {
        Some(p) if p.account_id == account => p.spaces,
        _ => spaces,
    };
    passes::upsert_account(
        &mut *tx,
        &lot.id,
        &account,
        spaces,
        row.holder.as_deref(),
        row.phone.as_deref(),
        now,
    )
    .await?;
    passes::upsert_monthly_pass(&mut *tx, &lot.id, &plate, &account, valid_until, None, now)
        .await?;
    // The renewal an exit asked for is settled by the pass being valid.
    payments::settle_plate_orders(
        &mut *tx,
        &lot.id,
        &plate,
        OrderKind::MonthlyRenewal,
        None,
        now,
    )
    .await?;
    if let Some(amount) = req.amount.filter(|a| *a > 0) {
        let order = Place {
            lot: &lot.id,
            session: None,
            plate: Some(&plate),
            kind: OrderKind::MonthlyRenewal,
            amount: Some(amount),
            owed: 0,
            priced_at: now,
            decision: None,
            lifetime_ms: i64::MAX / 4,
        };
        row.order_id = Some(orders::place(&mut tx, &order, now).await?.id);
    }
    row.status = ApplicationStatus::Approved;
    row.account_id = Some(account);
    row.decided_by = Some(caller.label());
    row.decided_at = Some(now);
    row.valid_until = Some(valid_until.to_string());
    if !applications::decide(&mut *tx, &row).await? {
        drop(tx);
        return Err(pending(&state, &lot, &id).await.err().unwrap_or_else(|| {
            ApiError::Conflict(format!("application `{id}` was decided meanwhile"))
        }));
    }
    tx.commit().await?;
    Ok(axum::Json(view(&state, &lot, row).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// Why, as the driver is told, e.g. `车位已满，请下月再申请`.
    pub reason: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/pass-applications/{application}/reject", tag = "agents", summary = "Reject a monthly pass application with a reason",
    params(("lot" = String, Path), ("application" = String, Path)), request_body = Rejection,
    responses((status = 200, description = "Rejected with the reason", body = Application),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Decided already", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, id)): Path<(String, String)>,
    Json(req): Json<Rejection>,
) -> Result<axum::Json<Application>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let mut row = pending(&state, &lot, &id).await?;
    let reason = fields::text("reason", &req.reason, 500, "say why it is rejected")?;
    let now = state.clock.now_ms();
    row.status = ApplicationStatus::Rejected;
    row.reason = Some(reason.to_owned());
    row.decided_by = Some(caller.label());
    row.decided_at = Some(now);
    if !applications::decide(state.db.pool(), &row).await? {
        return Err(pending(&state, &lot, &id).await.err().unwrap_or_else(|| {
            ApiError::Conflict(format!("application `{id}` was decided meanwhile"))
        }));
    }
    Ok(axum::Json(view(&state, &lot, row).await?))
}
