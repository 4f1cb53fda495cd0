//! Passes, stays, payments and the decision log of a lot (owners; payments
//! also from the payment system).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::{Date, Decision};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::json::Json;
use super::lots::check_id;
use crate::auth::{Caller, owned_lot, staff_lot};
use crate::db::{self, SessionRow};
use crate::ids::new_id;
use crate::state::AppState;
use crate::tz::{LotZone, parse_instant};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMonthlyPass {
    pub plate: String,
    /// The last local date on which the pass is valid.
    pub valid_until: String,
    /// The pass's account (a household, a company); passes of one account
    /// share its spaces.
    pub account: String,
    /// How many spaces the account holds.
    pub spaces: i64,
    #[serde(default)]
    pub holder: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyPass {
    pub plate: String,
    pub valid_until: String,
    pub account: String,
    pub spaces: i64,
    pub holder: Option<String>,
    pub phone: Option<String>,
}

impl From<db::PassRow> for MonthlyPass {
    fn from(row: db::PassRow) -> Self {
        MonthlyPass {
            plate: row.plate,
            valid_until: row.valid_until,
            account: row.account_id,
            spaces: row.spaces,
            holder: row.holder,
            phone: row.phone,
        }
    }
}

#[utoipa::path(post, path = "/v1/lots/{lot}/monthly-passes", tag = "owners", params(("lot" = String, Path)),
    request_body = NewMonthlyPass,
    responses((status = 201, description = "Created or renewed", body = MonthlyPass), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_monthly_pass(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewMonthlyPass>,
) -> Result<(StatusCode, axum::Json<MonthlyPass>), ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let plate = super::plate("plate", &req.plate)?;
    let valid_until =
        Date::parse(&req.valid_until).map_err(|e| ApiError::field("valid_until", e.to_string()))?;
    check_id("account", &req.account)?;
    if !(1..=1000).contains(&req.spaces) {
        return Err(ApiError::field(
            "spaces",
            format!("{} is not between 1 and 1000", req.spaces),
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    db::upsert_account(
        &mut *tx,
        &lot.id,
        &req.account,
        req.spaces,
        req.holder.as_deref(),
        req.phone.as_deref(),
        now,
    )
    .await?;
    db::upsert_monthly_pass(
        &mut *tx,
        &lot.id,
        plate.as_str(),
        &req.account,
        &valid_until.to_string(),
        now,
    )
    .await?;
    let row = db::monthly_pass(&mut *tx, &lot.id, plate.as_str())
        .await?
        .ok_or_else(|| anyhow::anyhow!("pass vanished within its transaction"))?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(row.into())))
}

#[utoipa::path(get, path = "/v1/lots/{lot}/monthly-passes", tag = "owners", params(("lot" = String, Path)),
    responses((status = 200, body = Vec<MonthlyPass>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_monthly_passes(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
) -> Result<axum::Json<Vec<MonthlyPass>>, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let rows = db::monthly_passes(state.db.pool(), &lot.id).await?;
    Ok(axum::Json(
        rows.into_iter().map(MonthlyPass::from).collect(),
    ))
}

#[utoipa::path(delete, path = "/v1/lots/{lot}/monthly-passes/{plate}", tag = "owners",
    params(("lot" = String, Path), ("plate" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_monthly_pass(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, raw)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let plate = super::plate("plate", &raw)?;
    if db::delete_monthly_pass(state.db.pool(), &lot.id, plate.as_str()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "no monthly pass for `{plate}` in lot `{}`",
            lot.id
        )))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewParkingPass {
    pub plate: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParkingPass {
    pub plate: String,
    pub registered: bool,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/parking-passes", tag = "owners", params(("lot" = String, Path)),
    request_body = NewParkingPass,
    responses((status = 201, body = ParkingPass), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn register_parking_pass(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewParkingPass>,
) -> Result<(StatusCode, axum::Json<ParkingPass>), ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let plate = super::plate("plate", &req.plate)?;
    db::insert_parking_pass(
        state.db.pool(),
        &lot.id,
        plate.as_str(),
        state.clock.now_ms(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ParkingPass {
            plate: plate.into_string(),
            registered: true,
        }),
    ))
}

/// A stay.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stay {
    pub id: String,
    pub plate: String,
    /// `monthly`, `temporary` or `free`.
    pub billing: String,
    /// RFC 3339, the lot's local time.
    pub entered_at: String,
    pub entry_gate: Option<String>,
    pub exited_at: Option<String>,
    pub exit_gate: Option<String>,
    /// `robot`, `agent` or `reentry` (a new entry closed a stay whose exit was missed).
    pub closed_by: Option<String>,
    pub paid_amount: i64,
    pub paid_at: Option<String>,
    pub pick: bool,
}

impl Stay {
    pub fn new(zone: &LotZone, row: SessionRow) -> Stay {
        Stay {
            id: row.id,
            plate: row.plate,
            billing: row.billing,
            entered_at: zone.local(row.entered_at).to_string(),
            entry_gate: row.entry_gate,
            exited_at: row.exited_at.map(|t| zone.local(t).to_string()),
            exit_gate: row.exit_gate,
            closed_by: row.closed_by,
            paid_amount: row.paid_amount,
            paid_at: row.paid_at.map(|t| zone.local(t).to_string()),
            pick: row.pick_id.is_some(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SessionsQuery {
    /// Only vehicles inside now.
    pub inside: Option<bool>,
    /// At most this many (newest first when not only inside).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/sessions", tag = "agents", params(("lot" = String, Path), SessionsQuery),
    responses((status = 200, body = Vec<Stay>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<SessionsQuery>,
) -> Result<axum::Json<Vec<Stay>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let zone = LotZone::of(&lot)?;
    let rows = if query.inside.unwrap_or(false) {
        db::sessions_inside(state.db.pool(), &lot.id).await?
    } else {
        db::recent_sessions(
            state.db.pool(),
            &lot.id,
            query.limit.unwrap_or(100).clamp(1, 1000),
        )
        .await?
    };
    Ok(axum::Json(
        rows.into_iter().map(|r| Stay::new(&zone, r)).collect(),
    ))
}

/// What a payment pays for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// The fee of the plate's open stay.
    #[default]
    Temporary,
    /// A monthly pass renewed up to `valid_until`.
    MonthlyRenewal,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    pub plate: String,
    /// In the currency's minor unit.
    pub amount: i64,
    /// RFC 3339, any offset.
    pub paid_at: String,
    /// The payment system's id for it: a retry with the same id is not
    /// recorded twice.
    #[serde(default)]
    pub payment_id: Option<String>,
    #[serde(default)]
    pub kind: PaymentKind,
    /// For a monthly renewal: the pass's new last valid local date.
    #[serde(default)]
    pub valid_until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentRecorded {
    pub payment_id: String,
    /// The stay paid for (temporary payments).
    pub session_id: Option<String>,
    /// Everything paid on the stay so far (temporary payments).
    pub paid_amount: Option<i64>,
    /// The pass's last valid date now (monthly renewals).
    pub valid_until: Option<String>,
    /// Pending orders now settled.
    pub orders_settled: u64,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/payments", tag = "payments", params(("lot" = String, Path)),
    request_body = NewPayment,
    responses((status = 201, body = PaymentRecorded), (status = 400, body = ErrorBody),
        (status = 404, description = "No open stay (or no monthly pass) for the plate", body = ErrorBody),
        (status = 409, description = "The payment id is already recorded", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn record_payment(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewPayment>,
) -> Result<(StatusCode, axum::Json<PaymentRecorded>), ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let plate = super::plate("plate", &req.plate)?;
    if req.amount <= 0 {
        return Err(ApiError::field(
            "amount",
            "must be a positive amount in the minor unit",
        ));
    }
    let paid_at = parse_instant(&req.paid_at).map_err(|e| ApiError::field("paid_at", e))?;
    if let Some(id) = &req.payment_id {
        check_id("payment_id", id)?;
    }
    let valid_until = match (req.kind, &req.valid_until) {
        (PaymentKind::MonthlyRenewal, Some(date)) => {
            Some(Date::parse(date).map_err(|e| ApiError::field("valid_until", e.to_string()))?)
        }
        (PaymentKind::MonthlyRenewal, None) => {
            return Err(ApiError::field(
                "valid_until",
                "a monthly renewal says until when the pass is valid",
            ));
        }
        (PaymentKind::Temporary, Some(_)) => {
            return Err(ApiError::field(
                "valid_until",
                "only a `monthly_renewal` payment renews a pass",
            ));
        }
        (PaymentKind::Temporary, None) => None,
    };
    let now = state.clock.now_ms();
    let id = req
        .payment_id
        .clone()
        .map_or_else(|| new_id("pay", now), |id| format!("ext_{id}"));
    let mut tx = state.db.write().await?;
    let (session, kind) = match valid_until {
        None => {
            let session = db::open_session(&mut *tx, &lot.id, plate.as_str())
                .await?
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "no open stay for plate `{plate}` in lot `{}`",
                        lot.id
                    ))
                })?;
            (Some(session), "temporary")
        }
        Some(until) => {
            let pass = db::monthly_pass(&mut *tx, &lot.id, plate.as_str())
                .await?
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "plate `{plate}` has no monthly pass in lot `{}`",
                        lot.id
                    ))
                })?;
            db::upsert_monthly_pass(
                &mut *tx,
                &lot.id,
                plate.as_str(),
                &pass.account_id,
                &until.to_string(),
                now,
            )
            .await?;
            (None, "monthly_renewal")
        }
    };
    let payment = db::NewPayment {
        id: &id,
        lot: &lot.id,
        session: session.as_ref().map(|s| s.id.as_str()),
        order: None,
        plate: Some(plate.as_str()),
        kind,
        amount: req.amount,
        paid_at,
    };
    if let Err(e) = db::insert_payment(&mut *tx, &payment, now).await {
        if db::is_unique_violation(&e) {
            return Err(ApiError::Conflict(format!(
                "payment `{}` is already recorded",
                req.payment_id.unwrap_or_default()
            )));
        }
        return Err(e.into());
    }
    let settled = match &session {
        Some(session) => {
            db::add_session_payment(&mut *tx, &session.id, req.amount, paid_at).await?;
            db::settle_orders(&mut *tx, &session.id, paid_at).await?
        }
        None => db::settle_plate_orders(&mut *tx, &lot.id, plate.as_str(), kind, paid_at).await?,
    };
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PaymentRecorded {
            payment_id: id,
            paid_amount: session.as_ref().map(|s| s.paid_amount + req.amount),
            session_id: session.map(|s| s.id),
            valid_until: valid_until.map(|d| d.to_string()),
            orders_settled: settled,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DecisionsQuery {
    /// Only this gate.
    pub gate: Option<String>,
    /// Decisions older than this decision id (for paging).
    pub before: Option<String>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// A recorded decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionRecord {
    pub id: String,
    pub gate_id: String,
    pub direction: String,
    pub plate: Option<String>,
    /// `robot` or `agent`.
    pub source: String,
    pub event_id: Option<String>,
    pub policy_version: Option<i64>,
    pub decision: Decision,
    /// Why the fallback was given, if the policy failed.
    pub fault: Option<String>,
    pub evaluation_us: i64,
    /// The decision this one replaced (an agent's correction).
    pub supersedes: Option<String>,
    /// Who decided, for decisions by people: `agent:<id>` or `owner:<id>`.
    pub decided_by: Option<String>,
    /// RFC 3339 (UTC).
    pub created_at: String,
}

impl TryFrom<db::DecisionRow> for DecisionRecord {
    type Error = anyhow::Error;
    fn try_from(row: db::DecisionRow) -> anyhow::Result<Self> {
        Ok(DecisionRecord {
            decision: serde_json::from_str(&row.decision)?,
            id: row.id,
            gate_id: row.gate_id,
            direction: row.direction,
            plate: row.plate,
            source: row.source,
            event_id: row.event_id,
            policy_version: row.policy_version,
            fault: row.fault,
            evaluation_us: row.evaluation_us,
            supersedes: row.supersedes,
            decided_by: row.agent_id,
            created_at: jiff::Timestamp::from_millisecond(row.created_at)?.to_string(),
        })
    }
}

#[utoipa::path(get, path = "/v1/lots/{lot}/decisions", tag = "agents", params(("lot" = String, Path), DecisionsQuery),
    responses((status = 200, description = "Newest first", body = Vec<DecisionRecord>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_decisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<DecisionsQuery>,
) -> Result<axum::Json<Vec<DecisionRecord>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let rows = db::decisions(
        state.db.pool(),
        &lot.id,
        query.gate.as_deref(),
        query.before.as_deref(),
        limit,
    )
    .await?;
    let records: anyhow::Result<Vec<DecisionRecord>> =
        rows.into_iter().map(DecisionRecord::try_from).collect();
    Ok(axum::Json(records?))
}
