//! Payments from the payment system: a driver's payment of a stay's fee,
//! or a monthly pass's renewal. Every payment on a stay goes through
//! [`crate::domain::payments`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, owned_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::{self, check_id};
use super::json::Json;
use crate::db::ids::new_id;
use crate::db::payments::PaymentRow;
use crate::db::types::PaymentKind;
use crate::db::{passes, stays};
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentFor {
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
    pub kind: PaymentFor,
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
    pub paid_amount: Option<u64>,
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
    let plate = fields::plate("plate", &req.plate)?;
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
        (PaymentFor::MonthlyRenewal, Some(date)) => {
            Some(Date::parse(date).map_err(|e| ApiError::field("valid_until", e.to_string()))?)
        }
        (PaymentFor::MonthlyRenewal, None) => {
            return Err(ApiError::field(
                "valid_until",
                "a monthly renewal says until when the pass is valid",
            ));
        }
        (PaymentFor::Temporary, Some(_)) => {
            return Err(ApiError::field(
                "valid_until",
                "only a `monthly_renewal` payment renews a pass",
            ));
        }
        (PaymentFor::Temporary, None) => None,
    };
    let now = state.clock.now_ms();
    let id = req
        .payment_id
        .clone()
        .map_or_else(|| new_id("pay", now), |id| format!("ext_{id}"));
    let mut tx = state.db.write().await?;
    let recorded = match valid_until {
        None => {
            let stay = stays::open_session(&mut *tx, &lot.id, &plate)
                .await?
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "no open stay for plate `{plate}` in lot `{}`",
                        lot.id
                    ))
                })?;
            let payment = Payment {
                id: &id,
                kind: PaymentKind::Temporary,
                amount: req.amount,
                paid_at,
            };
            let paid = payments::pay_stay(&mut tx, &stay, &payment, now)
                .await
                .map_err(|e| repeated(e, &req))?;
            PaymentRecorded {
                payment_id: id.clone(),
                session_id: Some(stay.id),
                paid_amount: Some(paid.paid_amount),
                valid_until: None,
                orders_settled: paid.orders_settled,
            }
        }
        Some(until) => {
            let pass = passes::monthly_pass(&mut *tx, &lot.id, &plate)
                .await?
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "plate `{plate}` has no monthly pass in lot `{}`",
                        lot.id
                    ))
                })?;
            passes::upsert_monthly_pass(&mut *tx, &lot.id, &plate, &pass.account_id, until, now)
                .await?;
            let payment = Payment {
                id: &id,
                kind: PaymentKind::MonthlyRenewal,
                amount: req.amount,
                paid_at,
            };
            let settled = payments::pay_renewal(&mut tx, &lot.id, &plate, &payment, now)
                .await
                .map_err(|e| repeated(e, &req))?;
            PaymentRecorded {
                payment_id: id.clone(),
                session_id: None,
                paid_amount: None,
                valid_until: Some(until.to_string()),
                orders_settled: settled,
            }
        }
    };
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(recorded)))
}

/// A payment id recorded before is a conflict.
fn repeated(e: sqlx::Error, req: &NewPayment) -> ApiError {
    if crate::db::is_unique_violation(&e) {
        ApiError::Conflict(format!(
            "payment `{}` is already recorded",
            req.payment_id.as_deref().unwrap_or_default()
        ))
    } else {
        e.into()
    }
}
