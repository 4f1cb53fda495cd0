//! Payments from the payment system: a driver's payment of an order (the
//! robot's QR code points at it) or of a plate's open stay, or a monthly
//! pass's renewal. Every payment on a stay goes through
//! [`crate::domain::payments`]: one that covers an order settles the stay
//! up to the order's price time, so a driver who paid what they were quoted
//! leaves within the grace period without paying more.
//!
//! The payment system's `payment_id` is unique per lot: a retry with the
//! same id and the same request gets the stored answer (200), the same id
//! with another request is a 409 naming the field that differs.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::{Date, OrderKind, Plate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, service_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::{self, check_id};
use super::json::Json;
use crate::db::ids::new_id;
use crate::db::lots::LotRow;
use crate::db::payments::{self as records, OrderRow, PaymentRow};
use crate::db::types::{OrderStatus, PaymentKind, Role};
use crate::db::{self, Tx, passes, stays};
use crate::domain::payments::{self, Payment};
use crate::domain::zone::{LotZone, parse_instant};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(config, OpenApiRouter::new().routes(routes!(record_payment)))
}

/// How far back payments are shown with a pass or a plate (seed 001: six
/// months).
pub const PAYMENTS_SHOWN_MS: i64 = 183 * 24 * 3600 * 1000;

/// A payment, as agents read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Payment)]
pub struct PaymentView {
    pub id: String,
    pub kind: PaymentKind,
    pub amount: i64,
    /// RFC 3339, the lot's local time.
    pub paid_at: String,
    pub plate: Option<String>,
}

impl PaymentView {
    pub fn new(zone: &LotZone, row: PaymentRow) -> PaymentView {
        PaymentView {
            id: row.id,
            kind: row.kind,
            amount: row.amount,
            paid_at: zone.local(row.paid_at).to_string(),
            plate: row.plate,
        }
    }
}

/// What a payment pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentFor {
    /// The fee of a stay: the plate's open stay, or the order's.
    Temporary,
    /// A monthly pass renewed up to `valid_until`.
    MonthlyRenewal,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    /// The plate paid for; with `order_id` it may be left out (and must
    /// match the order's when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plate: Option<String>,
    /// The order paid, as the robot's QR code named it: when `amount`
    /// covers it, the stay is settled up to the order's `priced_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// In the currency's minor unit.
    pub amount: i64,
    /// RFC 3339, any offset.
    pub paid_at: String,
    /// The payment system's id for it, unique per lot: a retry with the
    /// same id gets the same answer and is not recorded twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    /// `temporary` (the default) or `monthly_renewal`; with `order_id`, the
    /// order's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PaymentFor>,
    /// For a monthly renewal: the pass's new last valid local date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaymentRecorded {
    pub payment_id: String,
    /// The order paid, when one was.
    pub order_id: Option<String>,
    /// The stay paid for (temporary payments).
    pub session_id: Option<String>,
    /// Everything paid on the stay so far (temporary payments).
    pub paid_amount: Option<u64>,
    /// The instant the stay is paid up to, RFC 3339 in the lot's time: the
    /// paid order's price time. Within the payment grace the vehicle leaves
    /// without paying more; after it, time after this is billed.
    pub settled_until: Option<String>,
    /// The pass's last valid date now (monthly renewals).
    pub valid_until: Option<String>,
    /// Pending orders now settled.
    pub orders_settled: u64,
    /// Their ids.
    pub settled: Vec<String>,
    /// True when this answers a retry with the stored answer.
    #[serde(default)]
    pub replayed: bool,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/payments", tag = "payments", summary = "Record a payment of an order, an open stay or a monthly renewal", params(("lot" = String, Path)),
    request_body = NewPayment,
    responses((status = 201, description = "Recorded", body = PaymentRecorded),
        (status = 200, description = "A retry of a recorded payment: its stored answer", body = PaymentRecorded),
        (status = 400, body = ErrorBody),
        (status = 403, description = "Not a payments or owner token", body = ErrorBody),
        (status = 404, description = "No open stay (or no monthly pass, or no such order) for what is paid", body = ErrorBody),
        (status = 409, description = "The payment id is recorded with another request, or the order is not payable", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn record_payment(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewPayment>,
) -> Result<(StatusCode, axum::Json<PaymentRecorded>), ApiError> {
    let lot = service_lot(&state, &caller, Role::Payments, &lot).await?;
    let checked = check(&req)?;
    let request = serde_json::to_string(&req).map_err(anyhow::Error::from)?;
    if let Some(external) = &req.payment_id
        && let Some(answer) = retried(&state, &lot, external, &request).await?
    {
        return Ok((StatusCode::OK, axum::Json(answer)));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let recorded = match record(&mut tx, &lot, &req, &checked, &request, now).await {
        Ok(recorded) => recorded,
        // A retry that waited for its original finds the order paid: it
        // gets the original's answer.
        Err(Recording::Api(e)) => {
            tx.rollback().await;
            if let Some(external) = &req.payment_id
                && let Some(answer) = retried(&state, &lot, external, &request).await?
            {
                return Ok((StatusCode::OK, axum::Json(answer)));
            }
            return Err(e);
        }
        // A retry raced its original: answer as the original was.
        Err(Recording::Repeated) => {
            tx.rollback().await;
            let external = req.payment_id.as_deref().unwrap_or_default();
            return match retried(&state, &lot, external, &request).await? {
                Some(answer) => Ok((StatusCode::OK, axum::Json(answer))),
                None => Err(anyhow::anyhow!("payment `{external}` raced and vanished").into()),
            };
        }
    };
    let answer = serde_json::to_string(&recorded).map_err(anyhow::Error::from)?;
    records::set_answer(&mut *tx, &recorded.payment_id, &answer).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(recorded)))
}

/// What a payment request says, checked.
struct Checked {
    plate: Option<Plate>,
    paid_at: i64,
    valid_until: Option<Date>,
}

fn check(req: &NewPayment) -> Result<Checked, ApiError> {
    if req.plate.is_none() && req.order_id.is_none() {
        return Err(ApiError::field(
            "plate",
            "give the `plate` paid for, or the `order_id` paid",
        ));
    }
    let plate = req
        .plate
        .as_deref()
        .map(|p| fields::plate("plate", p))
        .transpose()?;
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
    let valid_until = req
        .valid_until
        .as_deref()
        .map(|d| Date::parse(d).map_err(|e| ApiError::field("valid_until", e.to_string())))
        .transpose()?;
    match (req.kind, valid_until) {
        (Some(PaymentFor::MonthlyRenewal), None) if req.order_id.is_none() => {
            return Err(ApiError::field(
                "valid_until",
                "a monthly renewal says until when the pass is valid",
            ));
        }
        (Some(PaymentFor::Temporary) | None, Some(_)) if req.order_id.is_none() => {
            return Err(ApiError::field(
                "valid_until",
                "only a `monthly_renewal` payment renews a pass",
            ));
        }
        _ => {}
    }
    Ok(Checked {
        plate,
        paid_at,
        valid_until,
    })
}

/// The stored answer to a payment id recorded before, if the request is
/// the same; a 409 naming the field if it is not.
async fn retried(
    state: &AppState,
    lot: &LotRow,
    external: &str,
    request: &str,
) -> Result<Option<PaymentRecorded>, ApiError> {
    let Some(stored) = records::by_external_id(state.db.pool(), &lot.id, external).await? else {
        return Ok(None);
    };
    let before: serde_json::Value = match &stored.request {
        Some(text) => serde_json::from_str(text).map_err(anyhow::Error::from)?,
        None => serde_json::Value::Null,
    };
    let now: serde_json::Value = serde_json::from_str(request).map_err(anyhow::Error::from)?;
    if before != now {
        let field = [
            "plate",
            "order_id",
            "amount",
            "paid_at",
            "kind",
            "valid_until",
        ]
        .into_iter()
        .find(|f| before.get(f) != now.get(f))
        .unwrap_or("payment_id");
        let was = before
            .get(field)
            .map_or("nothing".to_owned(), ToString::to_string);
        return Err(ApiError::Conflict(format!(
            "payment `{external}` was recorded with `{field}` {was}; a different payment needs a different `payment_id`"
        )));
    }
    let answer = stored
        .answer
        .ok_or_else(|| anyhow::anyhow!("payment `{external}` has no stored answer"))?;
    let mut answer: PaymentRecorded = serde_json::from_str(&answer).map_err(anyhow::Error::from)?;
    answer.replayed = true;
    Ok(Some(answer))
}

/// Why recording failed.
enum Recording {
    Api(ApiError),
    /// The payment system's id was recorded meanwhile.
    Repeated,
}

impl<E: Into<ApiError>> From<E> for Recording {
    fn from(e: E) -> Self {
        Recording::Api(e.into())
    }
}

fn repeated(e: sqlx::Error) -> Recording {
    if db::is_unique_violation(&e) {
        Recording::Repeated
    } else {
        Recording::Api(e.into())
    }
}

async fn record(
    tx: &mut Tx,
    lot: &LotRow,
    req: &NewPayment,
    checked: &Checked,
    request: &str,
    now: i64,
) -> Result<PaymentRecorded, Recording> {
    let id = new_id("pay", now);
    let payment = |kind| Payment {
        id: &id,
        kind,
        amount: req.amount,
        paid_at: checked.paid_at,
        external_id: req.payment_id.as_deref(),
        request: Some(request),
    };
    let order = match &req.order_id {
        Some(order_id) => Some(payable(tx, lot, order_id, checked.plate.as_ref()).await?),
        None => None,
    };
    let kind = match (&order, req.kind) {
        (Some(order), _) => match order.kind {
            OrderKind::Temporary => PaymentFor::Temporary,
            OrderKind::MonthlyRenewal => PaymentFor::MonthlyRenewal,
        },
        (None, kind) => kind.unwrap_or(PaymentFor::Temporary),
    };
    let plate = match (&checked.plate, &order) {
        (Some(plate), _) => plate.clone(),
        (None, Some(order)) => order
            .plate
            .as_deref()
            .map(Plate::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("stored order `{}`: {e}", order.id))?
            .ok_or_else(|| {
                ApiError::field(
                    "plate",
                    format!("order `{}` has no plate: give the `plate`", order.id),
                )
            })?,
        (None, None) => unreachable!("checked: a plate or an order"),
    };
    let mut answer = PaymentRecorded {
        payment_id: id.clone(),
        order_id: order.as_ref().map(|o| o.id.clone()),
        session_id: None,
        paid_amount: None,
        settled_until: None,
        valid_until: None,
        orders_settled: 0,
        settled: Vec::new(),
        replayed: false,
    };
    match kind {
        PaymentFor::Temporary => {
            let stay = match order.as_ref().and_then(|o| o.session_id.as_deref()) {
                Some(session) => stays::session(&mut **tx, &lot.id, session).await?,
                None => stays::open_session(&mut **tx, &lot.id, &plate).await?,
            };
            let stay = stay.ok_or_else(|| {
                ApiError::not_found(format!(
                    "no open stay for plate `{plate}` in lot `{}`; to pay an order of an earlier stay, give its `order_id`",
                    lot.id
                ))
            })?;
            // A plate's payment pays the stay's order at the exit, if it has one.
            let order = match order {
                Some(order) => Some(order),
                None => {
                    records::live_order(
                        &mut **tx,
                        &lot.id,
                        Some(&stay.id),
                        None,
                        OrderKind::Temporary,
                    )
                    .await?
                }
            };
            let paid = payments::pay_stay(
                tx,
                &stay,
                order.as_ref(),
                &payment(PaymentKind::Temporary),
                now,
            )
            .await
            .map_err(repeated)?;
            answer.order_id = order.map(|o| o.id);
            answer.session_id = Some(stay.id);
            answer.paid_amount = Some(paid.paid_amount);
            answer.settled_until = paid.settled_until.map(|t| lot.zone.local(t).to_string());
            answer.orders_settled = paid.settled.len() as u64;
            answer.settled = paid.settled;
        }
        PaymentFor::MonthlyRenewal => {
            let until = checked.valid_until.ok_or_else(|| {
                ApiError::field(
                    "valid_until",
                    "a monthly renewal says until when the pass is valid",
                )
            })?;
            let pass = passes::monthly_pass(&mut **tx, &lot.id, &plate)
                .await?
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "plate `{plate}` has no monthly pass in lot `{}`",
                        lot.id
                    ))
                })?;
            passes::upsert_monthly_pass(
                &mut **tx,
                &lot.id,
                &plate,
                &pass.account_id,
                until,
                None,
                now,
            )
            .await?;
            let settled = payments::pay_renewal(
                tx,
                &lot.id,
                &plate,
                &payment(PaymentKind::MonthlyRenewal),
                now,
            )
            .await
            .map_err(repeated)?;
            answer.valid_until = Some(until.to_string());
            answer.orders_settled = settled;
        }
    }
    Ok(answer)
}

/// The order `id` of the lot, if it can be paid: pending, or replaced by a
/// newer price (the driver paid the code they saw).
async fn payable(
    tx: &mut Tx,
    lot: &LotRow,
    id: &str,
    plate: Option<&Plate>,
) -> Result<OrderRow, ApiError> {
    let order = records::order(&mut **tx, &lot.id, id)
        .await?
        .ok_or_else(|| {
            ApiError::field("order_id", format!("lot `{}` has no order `{id}`", lot.id))
        })?;
    match order.status {
        OrderStatus::Pending | OrderStatus::Replaced => {}
        OrderStatus::Paid => {
            return Err(ApiError::Conflict(format!(
                "order `{id}` is already paid (by payment `{}`)",
                order.payment_id.as_deref().unwrap_or("?")
            )));
        }
        OrderStatus::Cancelled => {
            return Err(ApiError::Conflict(format!("order `{id}` was cancelled")));
        }
    }
    if let (Some(plate), Some(theirs)) = (plate, &order.plate)
        && plate.as_str() != theirs
    {
        return Err(ApiError::field(
            "plate",
            format!("order `{id}` is for `{theirs}`, not `{plate}`"),
        ));
    }
    Ok(order)
}
