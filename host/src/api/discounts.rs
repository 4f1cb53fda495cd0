//! Discounts granted to stays: a merchant's validation ("2 hours free with
//! a cinema ticket"), a coupon. The lot's tariff takes them off the fee
//! (minutes from the start of billing, amounts before the caps); the policy
//! is told them as `vehicle.discounts`. Merchants call these with their own
//! `merchant` token; owners and the lot's agents may too.

use crate::api::query::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, service_lot, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields;
use super::json::Json;
use crate::db::ids::new_id;
use crate::db::lots::LotRow;
use crate::db::types::Role;
use crate::db::{self, stays};
use crate::service::{AppState, Config};

/// The most minutes one discount grants: a week.
const MAX_MINUTES: u32 = 7 * 24 * 60;

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(config, OpenApiRouter::new().routes(routes!(grant, list)))
}

/// A discount to grant to the plate's open stay: `minutes` or `amount`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDiscount {
    /// The plate of the vehicle inside.
    pub plate: String,
    /// Who grants it, e.g. `mall-cinema` (1 to 64 letters, digits, `-`,
    /// `_`, `.`); fee quotes and traces name it.
    pub source: String,
    /// The grantor's own reference, e.g. a receipt number: granting the
    /// same reference again is the same discount, not a second one.
    pub reference: String,
    /// Minutes not billed, 1 to 10080.
    #[serde(default)]
    pub minutes: Option<u32>,
    /// An amount off the fee, in the lot currency's minor unit.
    #[serde(default)]
    pub amount: Option<u64>,
}

/// A discount granted to a stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, FromRow)]
pub struct Discount {
    pub id: String,
    pub session_id: String,
    pub plate: String,
    pub source: String,
    pub reference: String,
    /// Minutes not billed; null for an amount.
    pub minutes: Option<i64>,
    /// The amount off, in the minor unit; null for minutes.
    pub amount: Option<i64>,
    /// Who granted it: `merchant:<token id>`, `owner:<id>`, `agent:<id>`.
    pub granted_by: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, session_id, plate, source, reference, minutes, amount, granted_by, created_at";

/// The lot, for a merchant of it, its owner or an agent serving it.
async fn discount_lot(state: &AppState, caller: &Caller, lot: &str) -> Result<LotRow, ApiError> {
    match caller {
        Caller::Service(_) => service_lot(state, caller, Role::Merchant, lot).await,
        _ => staff_lot(state, caller, lot).await,
    }
}

#[utoipa::path(post, path = "/v1/lots/{lot}/discounts", tag = "merchants",
    summary = "Grant a discount to a vehicle's stay",
    params(("lot" = String, Path)),
    request_body = NewDiscount,
    responses((status = 201, description = "Granted", body = Discount),
        (status = 200, description = "Granted before under the same reference", body = Discount),
        (status = 400, description = "A field is invalid", body = ErrorBody),
        (status = 403, description = "Not a merchant, owner or agent token", body = ErrorBody),
        (status = 404, description = "No such lot, or the plate is not inside", body = ErrorBody),
        (status = 409, description = "The reference was granted with another value", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn grant(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewDiscount>,
) -> Result<(StatusCode, axum::Json<Discount>), ApiError> {
    let lot = discount_lot(&state, &caller, &lot).await?;
    let plate = fields::plate("plate", &req.plate)?;
    fields::check_id("source", &req.source)?;
    fields::check_id("reference", &req.reference)?;
    let (minutes, amount) = match (req.minutes, req.amount) {
        (Some(m), None) if (1..=MAX_MINUTES).contains(&m) => (Some(i64::from(m)), None),
        (Some(m), None) => {
            return Err(ApiError::field(
                "minutes",
                format!("{m} is not between 1 and {MAX_MINUTES} (a week)"),
            ));
        }
        (None, Some(a)) if a > 0 && i64::try_from(a).is_ok() => (None, i64::try_from(a).ok()),
        (None, Some(a)) => {
            return Err(ApiError::field(
                "amount",
                format!("{a} is not a positive amount in the minor unit"),
            ));
        }
        _ => {
            return Err(ApiError::field(
                "minutes",
                "give `minutes` or `amount`, not both and not neither",
            ));
        }
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let stay = stays::open_session(&mut *tx, &lot.id, &plate)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("`{plate}` is not parked in lot `{}` now", lot.id))
        })?;
    let existing: Option<Discount> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM stay_discounts
         WHERE session_id = $1 AND source = $2 AND reference = $3"
    )))
    .bind(&stay.id)
    .bind(&req.source)
    .bind(&req.reference)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(before) = existing {
        tx.rollback().await;
        if (before.minutes, before.amount) != (minutes, amount) {
            return Err(ApiError::Conflict(format!(
                "`{}` granted reference `{}` to this stay before with another value",
                req.source, req.reference
            )));
        }
        return Ok((StatusCode::OK, axum::Json(before)));
    }
    let discount = Discount {
        id: new_id("dsc", now),
        session_id: stay.id,
        plate: plate.into_string(),
        source: req.source,
        reference: req.reference,
        minutes,
        amount,
        granted_by: caller.label(),
        created_at: now,
    };
    sqlx::query(
        "INSERT INTO stay_discounts (id, lot_id, session_id, plate, source, reference, minutes,
             amount, granted_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&discount.id)
    .bind(&lot.id)
    .bind(&discount.session_id)
    .bind(&discount.plate)
    .bind(&discount.source)
    .bind(&discount.reference)
    .bind(discount.minutes)
    .bind(discount.amount)
    .bind(&discount.granted_by)
    .bind(discount.created_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            ApiError::Conflict(format!(
                "`{}` granted reference `{}` at the same moment; retry to read it",
                discount.source, discount.reference
            ))
        } else {
            e.into()
        }
    })?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(discount)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiscountsQuery {
    /// The plate whose open stay's discounts to list.
    pub plate: String,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/discounts", tag = "merchants",
    summary = "The discounts of a vehicle's open stay",
    params(("lot" = String, Path), DiscountsQuery),
    responses((status = 200, body = Vec<Discount>),
        (status = 400, description = "The plate is invalid", body = ErrorBody),
        (status = 403, description = "Not a merchant, owner or agent token", body = ErrorBody),
        (status = 404, description = "No such lot, or the plate is not inside", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(q): Query<DiscountsQuery>,
) -> Result<axum::Json<Vec<Discount>>, ApiError> {
    let lot = discount_lot(&state, &caller, &lot).await?;
    let plate = fields::plate("plate", &q.plate)?;
    let pool = state.db.pool();
    let stay = stays::open_session(pool, &lot.id, &plate)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("`{plate}` is not parked in lot `{}` now", lot.id))
        })?;
    let rows: Vec<Discount> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM stay_discounts WHERE session_id = $1 ORDER BY created_at, id"
    )))
    .bind(&stay.id)
    .fetch_all(pool)
    .await?;
    Ok(axum::Json(rows))
}
