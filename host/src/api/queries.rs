//! What agents look up and settle while they talk to a driver or a caller:
//! a stay closed at the time the customer states (seed 000), the congestion
//! list, the lot's information, monthly passes and temporary stays, and the
//! openings people made.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use boomgate_engine::CallError;
use boomgate_engine::sdk::{Date, Decision, Direction, Plate, Quote, Stay as PricedStay};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::agents::photo_url;
use super::desk::Payment;
use super::error::{ApiError, ErrorBody};
use super::json::Json;
use super::stays::Stay;
use crate::auth::{Caller, staff_lot, visible_lots};
use crate::db::{self, NewClosure};
use crate::decide::{self, parse_billing};
use crate::ids::new_id;
use crate::state::AppState;
use crate::tz::{LotZone, parse_instant};

/// How far back payments are shown with a pass (seed 001: six months).
const PAYMENTS_SHOWN_MS: i64 = 183 * 24 * 3600 * 1000;

/// Holds younger than this are not congestion yet (seed 001: a minute).
const CONGESTION_AFTER_MS: i64 = 60_000;

// ---------------------------------------------------------------- closing a stay

/// A stored stay as the policy prices it, ending at `left_at`.
fn priced(zone: &LotZone, stay: &db::SessionRow, left_at: i64) -> PricedStay {
    PricedStay {
        entered_at: zone.local(stay.entered_at),
        left_at: zone.local(left_at),
        billing: parse_billing(&stay.billing),
        paid_amount: u64::try_from(stay.paid_amount).unwrap_or(0),
    }
}

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

#[utoipa::path(post, path = "/v1/lots/{lot}/sessions/{session}/close", tag = "agents",
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
    let zone = LotZone::of(&lot)?;
    let stay = db::session(state.db.pool(), &lot.id, &session)
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
    let priced = priced(&zone, &stay, left_at);
    let quote = active.policy.fee_quote(&priced).map_err(|e| match e {
        CallError::Refused(why) => {
            ApiError::unprocessable(format!("the policy does not price this stay: {why}"))
        }
        other => ApiError::unprocessable(format!("the policy failed to price the stay: {other}")),
    })?;
    if quote.due.currency.code() != lot.currency {
        return Err(ApiError::unprocessable(format!(
            "the policy prices in {} but the lot charges in {}",
            quote.due.currency, lot.currency
        )));
    }
    if req.pay_with_pass
        && stay.pick_id.is_none()
        && !db::has_parking_pass(state.db.pool(), &lot.id, &stay.plate).await?
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
            db::insert_pick(&mut *tx, &id, &lot.id, &stay.id, &stay.plate, now).await?;
            db::set_session_pick(&mut *tx, &stay.id, &id).await?;
            Some(id)
        }
        None => None,
    };
    let (mut charged, mut order_id) = (0, None);
    if let Some(pick) = &pick {
        db::charge_pick(&mut *tx, pick, due, left_at).await?;
    }
    if due > 0 {
        if pick.is_some() {
            let payment = db::NewPayment {
                id: &new_id("pay", now),
                lot: &lot.id,
                session: Some(&stay.id),
                order: None,
                plate: Some(&stay.plate),
                kind: "pick",
                amount: due,
                paid_at: left_at,
            };
            db::insert_payment(&mut *tx, &payment, now).await?;
            db::add_session_payment(&mut *tx, &stay.id, due, left_at).await?;
            db::settle_orders(&mut *tx, &stay.id, left_at).await?;
            charged = due;
        } else {
            let order = db::NewOrder {
                id: &new_id("ord", now),
                lot: &lot.id,
                session: Some(&stay.id),
                plate: Some(&stay.plate),
                kind: "temporary",
                amount: Some(due),
                decision: None,
            };
            order_id = Some(db::upsert_pending_order(&mut tx, &order, now).await?);
        }
    }
    db::close_session(&mut *tx, &stay.id, left_at, None, None, "agent").await?;
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
    db::insert_closure(&mut *tx, &closure, now).await?;
    let closed = db::session(&mut *tx, &lot.id, &stay.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("stay vanished within its transaction"))?;
    tx.commit().await?;
    Ok(axum::Json(Closed {
        closure_id,
        stay: Stay::new(&zone, closed),
        quote,
        charged,
        order_id,
        policy_version: active.version,
    }))
}

// ---------------------------------------------------------------- congestion

/// A gate where a vehicle has been held for over a minute.
#[derive(Debug, Serialize, ToSchema)]
pub struct Congested {
    pub lot_id: String,
    pub lot_name: String,
    pub gate_id: String,
    pub direction: String,
    pub plate: Option<String>,
    /// Why the robot held.
    pub reason: String,
    pub decision_id: String,
    /// RFC 3339, the lot's local time.
    pub held_since: String,
    pub waiting_seconds: i64,
}

#[utoipa::path(get, path = "/v1/congestion", tag = "agents",
    responses((status = 200, description = "Gates of the caller's lots with a vehicle held for over a minute that has not paid, left or been let through since; longest wait first", body = Vec<Congested>),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn congestion(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Congested>>, ApiError> {
    let now = state.clock.now_ms();
    let mut out = Vec::new();
    for lot in visible_lots(&state, &caller).await? {
        let zone = LotZone::of(&lot)?;
        // The latest decision at a gate is its state: another vehicle's
        // read, the robot letting this one through, or an agent's answer
        // replaces a hold.
        for held in db::latest_decisions(state.db.pool(), &lot.id).await? {
            let waited = now - held.created_at;
            if held.gate != "hold" || waited < CONGESTION_AFTER_MS {
                continue;
            }
            if let Some(plate) = &held.plate
                && db::paid_since(state.db.pool(), &lot.id, plate, held.created_at).await? > 0
            {
                continue;
            }
            out.push(Congested {
                lot_id: lot.id.clone(),
                lot_name: lot.name.clone(),
                gate_id: held.gate_id,
                direction: held.direction,
                plate: held.plate,
                reason: held.reason,
                decision_id: held.id,
                held_since: zone.local(held.created_at).to_string(),
                waiting_seconds: waited / 1000,
            });
        }
    }
    out.sort_by(|a, b| {
        b.waiting_seconds
            .cmp(&a.waiting_seconds)
            .then_with(|| a.gate_id.cmp(&b.gate_id))
    });
    Ok(axum::Json(out))
}

// ---------------------------------------------------------------- lot information

#[derive(Debug, Deserialize, IntoParams)]
pub struct InfoQuery {
    /// The agent's locale (`zh-CN`, `ko-KR`, `en`); the policy's own when
    /// absent or not spoken by the policy.
    pub locale: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RobotInfo {
    pub id: String,
    /// When it last sent an event, RFC 3339 in the lot's local time.
    pub last_seen_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GateInfo {
    pub id: String,
    pub direction: String,
    pub robots: Vec<RobotInfo>,
}

/// What an agent tells a caller about the lot.
#[derive(Debug, Serialize, ToSchema)]
pub struct LotInformation {
    pub lot_id: String,
    pub name: String,
    pub timezone: String,
    pub currency: String,
    pub emergency_contact: Option<String>,
    /// The active policy version; the policy's texts are null without one.
    pub policy_version: Option<i64>,
    /// The locale the texts are in: the one asked for, or null for the
    /// policy's own when it does not speak that one.
    pub locale: Option<String>,
    /// Whether vehicles without a pass may enter.
    pub visitors_admitted: Option<bool>,
    /// The visitor policy from the active settings.
    pub visitor_policy: Option<String>,
    /// The fee schedule as text.
    pub fee_schedule: Option<String>,
    pub gates: Vec<GateInfo>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/info", tag = "agents", params(("lot" = String, Path), InfoQuery),
    responses((status = 200, body = LotInformation), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn lot_info(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<InfoQuery>,
) -> Result<axum::Json<LotInformation>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let zone = LotZone::of(&lot)?;
    let mut info = LotInformation {
        lot_id: lot.id.clone(),
        name: lot.name.clone(),
        timezone: lot.timezone.clone(),
        currency: lot.currency.clone(),
        emergency_contact: lot.emergency_contact.clone(),
        policy_version: None,
        locale: None,
        visitors_admitted: None,
        visitor_policy: None,
        fee_schedule: None,
        gates: Vec::new(),
    };
    if let Some(active) = state.registry.active(&lot.id) {
        let mut locale = query.locale.filter(|l| !l.is_empty());
        let texts = match active.policy.lot_info(locale.as_deref()) {
            Err(CallError::Refused(_)) if locale.is_some() => {
                locale = None;
                active.policy.lot_info(None)
            }
            other => other,
        }
        .map_err(|e| ApiError::unprocessable(format!("the policy cannot describe the lot: {e}")))?;
        info.policy_version = Some(active.version);
        info.locale = locale;
        info.visitors_admitted = Some(texts.visitors_admitted);
        info.visitor_policy = Some(texts.visitor_policy);
        info.fee_schedule = Some(texts.fee_schedule);
    }
    let seen: HashMap<String, i64> = db::robots_last_seen(state.db.pool(), &lot.id)
        .await?
        .into_iter()
        .collect();
    let robots = db::robots(state.db.pool(), &lot.id).await?;
    for gate in db::gates(state.db.pool(), &lot.id).await? {
        let robots = robots
            .iter()
            .filter(|r| r.gate_id == gate.id)
            .map(|r| RobotInfo {
                id: r.id.clone(),
                last_seen_at: seen.get(&r.id).map(|&t| zone.local(t).to_string()),
            })
            .collect();
        info.gates.push(GateInfo {
            id: gate.id,
            direction: gate.direction,
            robots,
        });
    }
    Ok(axum::Json(info))
}

// ---------------------------------------------------------------- monthly passes

#[derive(Debug, Deserialize, IntoParams)]
pub struct PassQuery {
    /// The account's phone number, as registered.
    pub phone: Option<String>,
    pub plate: Option<String>,
    /// Only this lot (otherwise every lot the caller sees).
    pub lot: Option<String>,
}

/// A monthly pass, as an agent reads it to a caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct PassRecord {
    pub lot_id: String,
    pub plate: String,
    pub account: String,
    pub holder: Option<String>,
    pub phone: Option<String>,
    pub spaces: i64,
    pub valid_until: String,
    /// Days expired today in the lot (0 or less: valid).
    pub days_expired: i64,
    pub valid: bool,
    /// Whether the vehicle is inside now.
    pub inside: bool,
    /// The account's payments of the last six months, newest first.
    pub payments: Vec<Payment>,
}

#[utoipa::path(get, path = "/v1/monthly-passes", tag = "agents", params(PassQuery),
    responses((status = 200, description = "Passes matching every given criterion", body = Vec<PassRecord>),
        (status = 400, description = "No criterion, or a malformed plate", body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn find_monthly_passes(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PassQuery>,
) -> Result<axum::Json<Vec<PassRecord>>, ApiError> {
    let phone = query
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let plate = query
        .plate
        .as_deref()
        .map(|p| super::plate("plate", p))
        .transpose()?;
    let lots = match query.lot.as_deref() {
        Some(lot) => vec![staff_lot(&state, &caller, lot).await?],
        None if phone.is_none() && plate.is_none() => {
            return Err(ApiError::bad_request(
                "give a `phone`, a `plate` or a `lot` to search",
            ));
        }
        None => visible_lots(&state, &caller).await?,
    };
    let now = state.clock.now_ms();
    let mut out = Vec::new();
    for lot in lots {
        let zone = LotZone::of(&lot)?;
        let today = zone.today(now);
        let mut payments: HashMap<String, Vec<Payment>> = HashMap::new();
        for pass in db::find_passes(
            state.db.pool(),
            &lot.id,
            phone,
            plate.as_ref().map(Plate::as_str),
        )
        .await?
        {
            if !payments.contains_key(&pass.account_id) {
                let rows = db::account_payments(
                    state.db.pool(),
                    &lot.id,
                    &pass.account_id,
                    now - PAYMENTS_SHOWN_MS,
                )
                .await?;
                payments.insert(
                    pass.account_id.clone(),
                    rows.into_iter().map(|r| Payment::new(&zone, r)).collect(),
                );
            }
            let days_expired = Date::parse(&pass.valid_until)
                .map(|until| boomgate_engine::sdk::time::days_expired(until, today))
                .map_err(|e| anyhow::anyhow!("stored pass of `{}`: {e}", pass.plate))?;
            let inside = db::open_session(state.db.pool(), &lot.id, &pass.plate)
                .await?
                .is_some();
            out.push(PassRecord {
                lot_id: lot.id.clone(),
                payments: payments[&pass.account_id].clone(),
                plate: pass.plate,
                account: pass.account_id,
                holder: pass.holder,
                phone: pass.phone,
                spaces: pass.spaces,
                valid_until: pass.valid_until,
                days_expired,
                valid: days_expired <= 0,
                inside,
            });
        }
    }
    Ok(axum::Json(out))
}

// ---------------------------------------------------------------- stays

#[derive(Debug, Deserialize, IntoParams)]
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
    pub payments: Vec<Payment>,
}

/// Everything about a plate in a lot, as an agent reads it to a caller
/// (seed 001 §2.4.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlateRecord {
    pub plate: String,
    /// Its monthly pass, if it has one.
    pub monthly_pass: Option<super::stays::MonthlyPass>,
    /// Whether it has a registered app parking pass.
    pub parking_pass: bool,
    /// Its latest stays, newest first (at most 10); the open one first
    /// while inside.
    pub stays: Vec<StayRecord>,
    /// The plate's payments of the last six months, newest first.
    pub payments: Vec<Payment>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/stays", tag = "agents", params(("lot" = String, Path), StayQuery),
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
    let plate = super::plate("plate", &query.plate)?;
    let zone = LotZone::of(&lot)?;
    let pool = state.db.pool();
    let now = state.clock.now_ms();
    let active = state.registry.active(&lot.id);
    let exit_gate = db::gates(pool, &lot.id)
        .await?
        .into_iter()
        .find(|g| g.way() == Direction::Exit);
    let mut stays = Vec::new();
    for row in db::stays_of_plate(pool, &lot.id, plate.as_str(), 10).await? {
        let until = row.exited_at.unwrap_or(now);
        let entered = zone.local(row.entered_at);
        let minutes = entered.minutes_until(&zone.local(until));
        let due_now = match (&active, row.exited_at) {
            (Some(active), None) => {
                let priced = priced(&zone, &row, now);
                active
                    .policy
                    .fee_quote(&priced)
                    .ok()
                    .map(|q| i64::try_from(q.due.amount).unwrap_or(i64::MAX))
            }
            _ => None,
        };
        let exit_now = match (&active, &exit_gate, row.exited_at) {
            (Some(active), Some(gate), None) => {
                let assembled = decide::assemble(
                    &state,
                    &lot,
                    &zone,
                    &gate.id,
                    Direction::Exit,
                    Some(&plate),
                    now,
                )
                .await?;
                Some(active.policy.evaluate(&assembled.input))
            }
            _ => None,
        };
        let entry_photo = db::entry_photo(pool, &row.id)
            .await?
            .map(|d| photo_url(&lot.id, &d));
        let payments = db::payments_of_session(pool, &row.id)
            .await?
            .into_iter()
            .map(|r| Payment::new(&zone, r))
            .collect();
        stays.push(StayRecord {
            stay: Stay::new(&zone, row),
            minutes,
            due_now,
            exit_now,
            entry_photo,
            payments,
        });
    }
    let payments = db::payments_of_plate(pool, &lot.id, plate.as_str(), now - PAYMENTS_SHOWN_MS)
        .await?
        .into_iter()
        .map(|r| Payment::new(&zone, r))
        .collect();
    Ok(axum::Json(PlateRecord {
        monthly_pass: db::monthly_pass(pool, &lot.id, plate.as_str())
            .await?
            .map(Into::into),
        parking_pass: db::has_parking_pass(pool, &lot.id, plate.as_str()).await?,
        plate: plate.as_str().to_owned(),
        stays,
        payments,
    }))
}

// ---------------------------------------------------------------- openings

#[derive(Debug, Deserialize, IntoParams)]
pub struct OpeningsQuery {
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<i64>,
}

/// A gate opened by a person.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningRecord {
    pub id: String,
    pub gate_id: String,
    pub direction: String,
    pub plate: Option<String>,
    /// `normal`, `abnormal`, `visitor` or `correction`.
    pub kind: String,
    /// For abnormal openings: `special_vehicle`, `special_person`,
    /// `non_motor_vehicle`; for visitors, why they came.
    pub reason: Option<String>,
    pub note: Option<String>,
    /// Where to read the ID photos.
    pub id_photos: Vec<String>,
    /// Where to read the scene photos.
    pub scene_photos: Vec<String>,
    pub decision_id: String,
    /// Who opened: `agent:<id>` or `owner:<id>`.
    pub opened_by: String,
    /// RFC 3339, the lot's local time.
    pub opened_at: String,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/openings", tag = "agents", params(("lot" = String, Path), OpeningsQuery),
    responses((status = 200, body = Vec<OpeningRecord>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn openings(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<OpeningsQuery>,
) -> Result<axum::Json<Vec<OpeningRecord>>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let zone = LotZone::of(&lot)?;
    let urls = |json: &str| -> Vec<String> {
        serde_json::from_str::<Vec<String>>(json)
            .unwrap_or_default()
            .iter()
            .map(|d| photo_url(&lot.id, d))
            .collect()
    };
    let rows = db::openings(
        state.db.pool(),
        &lot.id,
        query.limit.unwrap_or(100).clamp(1, 1000),
    )
    .await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|row| OpeningRecord {
                id_photos: urls(&row.id_photos),
                scene_photos: urls(&row.scene_photos),
                opened_at: zone.local(row.created_at).to_string(),
                id: row.id,
                gate_id: row.gate_id,
                direction: row.direction,
                plate: row.plate,
                kind: row.kind,
                reason: row.reason,
                note: row.note,
                decision_id: row.decision_id,
                opened_by: row.opened_by,
            })
            .collect(),
    ))
}
