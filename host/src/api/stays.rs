//! Stays: the vehicles inside and recent stays, a plate's stays with what
//! they owe (seed 001 §2.4.2), the vehicles inside closest to a misread
//! plate (§2.3 C), and a stay closed at the time the customer states when
//! the exit was not recognised (seed 000).

use crate::api::query::Query;
use axum::extract::{Path, State};
use boomgate_engine::CallError;
use boomgate_engine::sdk::plate::lpr_distance;
use boomgate_engine::sdk::{Billing, Decision, Direction, Quote, Stay as PricedStay};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, orders_lot, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields;
use super::json::Json;
use super::passes::MonthlyPass;
use super::payments::{PAYMENTS_SHOWN_MS, PaymentView};
use super::photos::photo_url;
use crate::db::ids::new_id;
use crate::db::payments;
use crate::db::stays::{self, Exit, NewClosure, SessionRow};
use crate::db::types::ClosedBy;
use crate::db::{lots, passes};
use crate::domain::input::Reading;
use crate::domain::orders::{self, Place};
use crate::domain::pipeline::{self, Site};
use crate::domain::zone::{LotZone, parse_instant};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(list_sessions))
            .routes(routes!(similar))
            .routes(routes!(close_stay))
            .routes(routes!(stays_of_plate))
            .routes(routes!(quote_now)),
    )
}

/// A stay.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stay {
    pub id: String,
    pub plate: String,
    /// `monthly`, `temporary` or `free`.
    pub billing: Billing,
    /// RFC 3339, the lot's local time.
    pub entered_at: String,
    pub entry_gate: Option<String>,
    pub exited_at: Option<String>,
    pub exit_gate: Option<String>,
    /// `robot`, `agent` or `reentry` (a new entry closed a stay whose exit was missed).
    pub closed_by: Option<ClosedBy>,
    pub paid_amount: u64,
    pub paid_at: Option<String>,
    pub pick: bool,
}

impl Stay {
    pub fn new(zone: &LotZone, row: SessionRow) -> Stay {
        Stay {
            id: row.id,
            plate: row.plate.into_string(),
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

/// A stored stay as the policy prices it, ending at `left_at`: with its
/// class, its discounts and, when the policy asks, the plate's earlier
/// stays.
async fn priced(
    state: &AppState,
    zone: &LotZone,
    stay: &SessionRow,
    left_at: i64,
    history_minutes: u32,
) -> Result<PricedStay, ApiError> {
    let pool = state.db.pool();
    let earlier_stays = if history_minutes > 0 {
        let since = stay.entered_at - i64::from(history_minutes) * 60_000;
        let mut rows =
            crate::db::input::earlier_stays(pool, &stay.lot_id, &stay.plate, since).await?;
        rows.retain(|r| r.exited_at <= stay.entered_at);
        pipeline::earlier(zone, rows)
    } else {
        Vec::new()
    };
    Ok(PricedStay {
        settled_until: stay.settled_until.map(|t| zone.local(t)),
        class: stay.vehicle_class.clone(),
        discounts: crate::db::input::discounts(pool, &stay.id).await?,
        earlier_stays,
        ..PricedStay::new(
            zone.local(stay.entered_at),
            zone.local(left_at),
            stay.billing,
            stay.paid_amount,
        )
    })
}

// ---------------------------------------------------------------- lists

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionsQuery {
    /// Only vehicles inside now.
    pub inside: Option<bool>,
    /// At most this many (newest first when not only inside).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/sessions", tag = "agents", summary = "List the vehicles inside or a lot's recent stays", params(("lot" = String, Path), SessionsQuery),
    responses((status = 200, body = Vec<Stay>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<SessionsQuery>,
) -> Result<axum::Json<Vec<Stay>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let rows = if query.inside.unwrap_or(false) {
        stays::sessions_inside(state.db.pool(), &lot.id).await?
    } else {
        let limit = query.limit.unwrap_or(100).clamp(1, 1000);
        stays::recent_sessions(state.db.pool(), &lot.id, limit).await?
    };
    Ok(axum::Json(
        rows.into_iter().map(|r| Stay::new(&lot.zone, r)).collect(),
    ))
}

/// A vehicle inside whose plate is close to a misread one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Similar {
    pub session_id: String,
    pub plate: String,
    /// How far the plate is from the read (0: the same), LPR confusions cheap.
    pub distance: u32,
    pub entered_at: String,
    pub entry_gate: Option<String>,
    pub billing: Billing,
    /// The entry photo, if the robot sent one.
    pub entry_photo: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// The plate as read at the exit.
    pub plate: String,
}

/// How many candidates the fuzzy search offers (seed 001: six).
const SIMILAR: usize = 6;

#[utoipa::path(get, path = "/v1/lots/{lot}/sessions/similar", tag = "agents", summary = "Find the vehicles inside closest to a misread plate",
    params(("lot" = String, Path), SimilarQuery),
    responses((status = 200, description = "At most six vehicles inside, closest plate first", body = Vec<Similar>),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn similar(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<SimilarQuery>,
) -> Result<axum::Json<Vec<Similar>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let read = fields::plate("plate", &query.plate)?;
    let mut ranked: Vec<(u32, SessionRow)> = stays::sessions_inside(state.db.pool(), &lot.id)
        .await?
        .into_iter()
        .map(|s| (lpr_distance(&read, &s.plate), s))
        .collect();
    ranked.sort_by(|(da, a), (db, b)| da.cmp(db).then(b.entered_at.cmp(&a.entered_at)));
    let out = ranked
        .into_iter()
        .take(SIMILAR)
        .map(|(distance, s)| Similar {
            entry_photo: s.entry_photo.as_deref().map(|d| photo_url(&lot.id, d)),
            entered_at: lot.zone.local(s.entered_at).to_string(),
            session_id: s.id,
            plate: s.plate.into_string(),
            distance,
            entry_gate: s.entry_gate,
            billing: s.billing,
        })
        .collect();
    Ok(axum::Json(out))
}

// ---------------------------------------------------------------- a plate's stays

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StayQuery {
    pub plate: String,
}

/// A stay with what it owes and how it began.
#[derive(Debug, Serialize, ToSchema)]
pub struct StayRecord {
    #[serde(flatten)]
    pub stay: Stay,
    /// Minutes from entry to exit, or to now while inside.
    pub minutes: u64,
    /// While inside: what the policy's fee schedule says is due for the
    /// stay as billed if it ended now.
    pub due_now: Option<i64>,
    /// While inside: what the robot at an exit would decide now (a lapsed
    /// pass, a fee, a grace period), as the policy says; nothing is recorded.
    pub exit_now: Option<Decision>,
    /// The entry photo, if the robot sent one.
    pub entry_photo: Option<String>,
    /// Payments on this stay.
    pub payments: Vec<PaymentView>,
}

/// Everything about a plate in a lot, as an agent reads it to a caller
/// (seed 001 §2.4.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlateRecord {
    pub plate: String,
    /// Its monthly pass, if it has one.
    pub monthly_pass: Option<MonthlyPass>,
    /// Whether it has a registered app parking pass.
    pub parking_pass: bool,
    /// Its latest stays, newest first (at most 10); the open one first
    /// while inside.
    pub stays: Vec<StayRecord>,
    /// The plate's payments of the last six months, newest first.
    pub payments: Vec<PaymentView>,
    /// Its pending monthly-pass application, if any (seed 001 §2.4.2).
    pub application: Option<super::applications::Application>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/stays", tag = "agents", summary = "Read a plate's stays, payments and passes in a lot", params(("lot" = String, Path), StayQuery),
    responses((status = 200, description = "The plate's stays, payments and passes", body = PlateRecord),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn stays_of_plate(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<StayQuery>,
) -> Result<axum::Json<PlateRecord>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let plate = fields::plate("plate", &query.plate)?;
    let zone = lot.zone.clone();
    let pool = state.db.pool();
    let now = state.clock.now_ms();
    let active = state.registry.active(&lot.id);
    let exit_gate = lots::gates(pool, &lot.id)
        .await?
        .into_iter()
        .find(|g| g.direction == Direction::Exit);
    let site = exit_gate.map(|gate| Site {
        lot: lot.clone(),
        gate,
    });
    let mut records = Vec::new();
    for row in stays::stays_of_plate(pool, &lot.id, &plate, 10).await? {
        let until = row.exited_at.unwrap_or(now);
        let minutes = zone.local(row.entered_at).minutes_until(&zone.local(until));
        let inside = row.exited_at.is_none();
        let due_now = match &active {
            Some(active) if inside => {
                let history = active.policy.needs().history_minutes;
                active
                    .policy
                    .fee_quote(&priced(&state, &zone, &row, now, history).await?)
                    .ok()
                    .map(|q| i64::try_from(q.due.amount).unwrap_or(i64::MAX))
            }
            _ => None,
        };
        let exit_now = match (&active, &site) {
            (Some(active), Some(site)) if inside => {
                let reading = Reading {
                    plate: Some(plate.clone()),
                    occurred_ms: now,
                    confidence: None,
                    agent: None,
                    vehicle_class: None,
                };
                let input = pipeline::preview(&state, site, &reading).await?;
                Some(active.policy.evaluate(&input))
            }
            _ => None,
        };
        let payments = payments::payments_of_session(pool, &row.id)
            .await?
            .into_iter()
            .map(|r| PaymentView::new(&zone, r))
            .collect();
        records.push(StayRecord {
            entry_photo: row.entry_photo.as_deref().map(|d| photo_url(&lot.id, d)),
            stay: Stay::new(&zone, row),
            minutes,
            due_now,
            exit_now,
            payments,
        });
    }
    let payments = payments::payments_of_plate(pool, &lot.id, &plate, now - PAYMENTS_SHOWN_MS)
        .await?
        .into_iter()
        .map(|r| PaymentView::new(&zone, r))
        .collect();
    let monthly_pass = passes::monthly_pass(pool, &lot.id, &plate).await?;
    super::lookups::record(
        &state,
        &caller,
        Some(&lot.id),
        crate::db::types::LookupKind::Plate,
        plate.as_str(),
        records.len() + usize::from(monthly_pass.is_some()),
        None,
    )
    .await?;
    let application = super::applications::pending_of_plate(&state, &lot, plate.as_str()).await?;
    Ok(axum::Json(PlateRecord {
        application,
        monthly_pass: monthly_pass.map(Into::into),
        parking_pass: passes::has_parking_pass(pool, &lot.id, &plate).await?,
        plate: plate.into_string(),
        stays: records,
        payments,
    }))
}

// ---------------------------------------------------------------- closing a stay

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Closing {
    /// When the customer says the vehicle left, RFC 3339 with any offset.
    pub left_at: String,
    /// What the customer said, e.g. `出口未识别，客户称18:05离场`.
    #[serde(default)]
    pub note: Option<String>,
    /// Charge the fee to the plate's app parking pass, creating the pick
    /// that was not created at entry (seed 000: "주차패스 등록되었으나 pick
    /// 미생성"). Without it, a stay with no pick gets a pending order.
    #[serde(default)]
    pub pay_with_pass: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Closed {
    pub closure_id: String,
    /// The stay, closed.
    pub stay: Stay,
    /// The policy's price of the stay up to `left_at`.
    pub quote: Quote,
    /// Charged to the stay's app parking-pass pick.
    pub charged: i64,
    /// The pending order for what is due, when there is no pick to charge.
    pub order_id: Option<String>,
    pub policy_version: i64,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/sessions/{session}/close", tag = "agents", summary = "Close a stay at the customer's stated exit time and price it",
    params(("lot" = String, Path), ("session" = String, Path)), request_body = Closing,
    responses((status = 200, description = "Closed at the stated time, priced by the policy; the pick charged or an order created", body = Closed),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The stay is already closed", body = ErrorBody),
        (status = 422, description = "The lot's policy cannot price the stay", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn close_stay(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, session)): Path<(String, String)>,
    Json(req): Json<Closing>,
) -> Result<axum::Json<Closed>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let zone = &lot.zone;
    let stay = stays::session(state.db.pool(), &lot.id, &session)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("lot `{}` has no stay `{session}`", lot.id)))?;
    if let Some(exited) = stay.exited_at {
        return Err(ApiError::Conflict(format!(
            "stay `{session}` was already closed at {}",
            zone.local(exited)
        )));
    }
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(ApiError::field("note", "is over 500 characters"));
    }
    let left_at = parse_instant(&req.left_at).map_err(|e| ApiError::field("left_at", e))?;
    if left_at < stay.entered_at {
        return Err(ApiError::field(
            "left_at",
            format!(
                "{} is before the entry at {}",
                zone.local(left_at),
                zone.local(stay.entered_at)
            ),
        ));
    }
    let now = state.clock.now_ms();
    if left_at > now + state.config.max_clock_skew_seconds * 1000 {
        return Err(ApiError::field(
            "left_at",
            format!("{} is in the future", zone.local(left_at)),
        ));
    }
    let active = state.registry.active(&lot.id).ok_or_else(|| {
        ApiError::unprocessable(format!(
            "lot `{}` has no active policy to price the stay",
            lot.id
        ))
    })?;
    let history = active.policy.needs().history_minutes;
    let quote = active
        .policy
        .fee_quote(&priced(&state, zone, &stay, left_at, history).await?)
        .map_err(|e| match e {
            CallError::Refused(why) => {
                ApiError::unprocessable(format!("the policy does not price this stay: {why}"))
            }
            other => {
                ApiError::unprocessable(format!("the policy failed to price the stay: {other}"))
            }
        })?;
    if quote.due.currency != lot.currency {
        return Err(ApiError::unprocessable(format!(
            "the policy prices in {} but the lot charges in {}",
            quote.due.currency, lot.currency
        )));
    }
    if req.pay_with_pass
        && stay.pick_id.is_none()
        && !passes::has_parking_pass(state.db.pool(), &lot.id, &stay.plate).await?
    {
        return Err(ApiError::field(
            "pay_with_pass",
            format!(
                "plate `{}` has no registered parking pass in lot `{}`",
                stay.plate, lot.id
            ),
        ));
    }
    let due = i64::try_from(quote.due.amount).unwrap_or(i64::MAX);
    let by = caller.label();
    let mut tx = state.db.write().await?;
    let pick = match &stay.pick_id {
        Some(pick) => Some(pick.clone()),
        None if req.pay_with_pass => {
            let id = new_id("pck", now);
            stays::insert_pick(&mut tx, &id, &lot.id, &stay.id, &stay.plate, now).await?;
            Some(id)
        }
        None => None,
    };
    let (mut charged, mut order_id) = (0, None);
    match &pick {
        Some(pick) => {
            let payment_id = new_id("pay", now);
            crate::domain::payments::charge_pick(
                &mut tx,
                &stay,
                pick,
                due,
                left_at,
                &payment_id,
                now,
            )
            .await?;
            charged = due;
        }
        None if due > 0 => {
            // Owed until paid: the plate's next exit collects it.
            let order = Place {
                lot: &lot.id,
                session: Some(&stay.id),
                plate: Some(&stay.plate),
                kind: boomgate_engine::sdk::OrderKind::Temporary,
                amount: Some(quote.due.amount),
                owed: 0,
                priced_at: left_at,
                decision: None,
                lifetime_ms: i64::MAX / 4,
            };
            order_id = Some(orders::place(&mut tx, &order, now).await?.id);
        }
        None => {}
    }
    let exit = Exit {
        at: left_at,
        gate: None,
        decision: None,
        by: ClosedBy::Agent,
    };
    stays::close_session(&mut *tx, &stay.id, &exit).await?;
    let closure_id = new_id("cls", now);
    let closure = NewClosure {
        id: &closure_id,
        lot: &lot.id,
        session: &stay.id,
        left_at,
        note,
        total: i64::try_from(quote.total.amount).unwrap_or(i64::MAX),
        due,
        charged,
        order: order_id.as_deref(),
        by: &by,
    };
    stays::insert_closure(&mut *tx, &closure, now).await?;
    // The open cases about this vehicle record the closing.
    for case in
        crate::db::cases::open_cases_of_plate(&mut *tx, &lot.id, stay.plate.as_str()).await?
    {
        let done = crate::domain::cases::Done {
            kind: crate::db::types::CaseActKind::CloseStay,
            ref_id: Some(&stay.id),
            detail: Some(format!("left at {}", zone.local(left_at))),
            by: &by,
        };
        crate::domain::cases::act(&mut tx, &case, &done, now).await?;
    }
    let closed = stays::session(&mut *tx, &lot.id, &stay.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("stay vanished within its transaction"))?;
    tx.commit().await?;
    Ok(axum::Json(Closed {
        closure_id,
        stay: Stay::new(zone, closed),
        quote,
        charged,
        order_id,
        policy_version: active.version,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    /// The plate of the vehicle inside.
    pub plate: String,
}

/// What the plate's open stay costs now, part by part.
#[derive(Debug, Serialize, ToSchema)]
pub struct StayQuote {
    pub session_id: String,
    pub plate: String,
    /// RFC 3339, the lot's local time.
    pub entered_at: String,
    /// The vehicle's class the stay is priced as, when known.
    pub vehicle_class: Option<String>,
    /// RFC 3339, the lot's local time: when it was priced.
    pub priced_at: String,
    /// The total, what is still due, each part (a band's or tier's units, a
    /// cap, a discount) and how it was priced.
    pub quote: Quote,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/quote", tag = "agents",
    summary = "What a vehicle's open stay costs now, part by part",
    params(("lot" = String, Path), QuoteQuery),
    responses((status = 200, body = StayQuote),
        (status = 400, description = "The plate is invalid", body = ErrorBody),
        (status = 404, description = "No such lot, or the plate is not inside", body = ErrorBody),
        (status = 422, description = "The lot's policy cannot price the stay", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn quote_now(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(q): Query<QuoteQuery>,
) -> Result<axum::Json<StayQuote>, ApiError> {
    let lot = orders_lot(&state, &caller, &lot).await?;
    let plate = fields::plate("plate", &q.plate)?;
    let zone = &lot.zone;
    let stay = stays::open_session(state.db.pool(), &lot.id, &plate)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("`{plate}` is not parked in lot `{}` now", lot.id))
        })?;
    let active = state.registry.active(&lot.id).ok_or_else(|| {
        ApiError::unprocessable(format!(
            "lot `{}` has no active policy to price the stay",
            lot.id
        ))
    })?;
    let now = state.clock.now_ms();
    let history = active.policy.needs().history_minutes;
    let quote = active
        .policy
        .fee_quote(&priced(&state, zone, &stay, now, history).await?)
        .map_err(|e| {
            ApiError::unprocessable(format!("the policy does not price this stay: {e}"))
        })?;
    Ok(axum::Json(StayQuote {
        session_id: stay.id,
        plate: plate.into_string(),
        entered_at: zone.local(stay.entered_at).to_string(),
        vehicle_class: stay.vehicle_class,
        priced_at: zone.local(now).to_string(),
        quote,
    }))
}
