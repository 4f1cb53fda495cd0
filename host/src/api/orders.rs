//! Orders: what drivers are asked to pay, each at a locked price with the
//! time it is the price at and an expiry, and a payment URL from the lot's
//! template for the robot's QR code. Owners, agents and the payment system
//! read them; owners and agents cancel them.

use crate::api::query::Query;
use axum::extract::{Path, State};
use boomgate_engine::sdk::OrderKind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, orders_lot, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields;
use crate::db::lots::LotRow;
use crate::db::payments::{self, OrderRow};
use crate::db::types::OrderStatus;
use crate::domain::orders::payment_url;
use crate::domain::zone::LotZone;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(list_orders))
            .routes(routes!(get_order))
            .routes(routes!(cancel_order)),
    )
}

/// An order, as the robot's QR code and the payment system see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderView {
    pub id: String,
    /// `temporary` (a stay's fee) or `monthly_renewal`.
    pub kind: OrderKind,
    /// `pending`, `paid`, `cancelled`, or `replaced` (a newer price of the
    /// same stay took its place; it can still be paid).
    pub status: OrderStatus,
    /// Whether a pending order is past its expiry: a new read at the exit
    /// places a new one.
    pub expired: bool,
    /// In the currency's minor unit; null when the policy did not price it
    /// (a pass renewal).
    pub amount: Option<i64>,
    pub currency: String,
    /// Of `amount`, what the plate owed from earlier stays.
    pub owed_included: i64,
    pub plate: Option<String>,
    pub session_id: Option<String>,
    /// The instant the amount is the price at, RFC 3339 in the lot's time:
    /// paying the order settles the stay up to it.
    pub priced_at: Option<String>,
    pub expires_at: Option<String>,
    /// Where the driver pays it: the lot's payment link with the order's id.
    pub payment_url: Option<String>,
    pub decision_id: Option<String>,
    /// The payment that paid it.
    pub payment_id: Option<String>,
    pub created_at: String,
    pub settled_at: Option<String>,
}

impl OrderView {
    pub fn new(lot: &LotRow, now: i64, row: OrderRow) -> OrderView {
        let zone: &LotZone = &lot.zone;
        let local = |t: i64| zone.local(t).to_string();
        OrderView {
            expired: row.status == OrderStatus::Pending
                && row.expires_at.is_some_and(|at| at <= now),
            payment_url: payment_url(lot.payment_link.as_deref(), &row),
            currency: lot.currency.code().to_owned(),
            priced_at: row.priced_at.map(local),
            expires_at: row.expires_at.filter(|at| *at < i64::MAX / 8).map(local),
            created_at: local(row.created_at),
            settled_at: row.settled_at.map(local),
            id: row.id,
            kind: row.kind,
            status: row.status,
            amount: row.amount,
            owed_included: row.owed_included,
            plate: row.plate,
            session_id: row.session_id,
            decision_id: row.decision_id,
            payment_id: row.payment_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    /// Only this plate's.
    pub plate: Option<String>,
    /// Only in this status: `pending`, `paid`, `cancelled`, `replaced`.
    pub status: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/orders", tag = "payments", summary = "List a lot's orders, newest first",
    params(("lot" = String, Path), OrdersQuery),
    responses((status = 200, description = "Newest first", body = Vec<OrderView>),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_orders(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<OrdersQuery>,
) -> Result<axum::Json<Vec<OrderView>>, ApiError> {
    let lot = orders_lot(&state, &caller, &lot).await?;
    let plate = query
        .plate
        .as_deref()
        .map(|p| fields::plate("plate", p))
        .transpose()?;
    let status = query
        .status
        .as_deref()
        .map(|s| {
            s.parse::<OrderStatus>()
                .map_err(|e| ApiError::field("status", e.to_string()))
        })
        .transpose()?;
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let rows = payments::orders(state.db.pool(), &lot.id, plate.as_ref(), status, limit).await?;
    let now = state.clock.now_ms();
    Ok(axum::Json(
        rows.into_iter()
            .map(|r| OrderView::new(&lot, now, r))
            .collect(),
    ))
}

async fn find(state: &AppState, lot: &LotRow, id: &str) -> Result<OrderRow, ApiError> {
    payments::order(state.db.pool(), &lot.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("lot `{}` has no order `{id}`", lot.id)))
}

#[utoipa::path(get, path = "/v1/lots/{lot}/orders/{order}", tag = "payments", summary = "Read an order with its payment URL",
    params(("lot" = String, Path), ("order" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_order(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, order)): Path<(String, String)>,
) -> Result<axum::Json<OrderView>, ApiError> {
    let lot = orders_lot(&state, &caller, &lot).await?;
    let row = find(&state, &lot, &order).await?;
    Ok(axum::Json(OrderView::new(&lot, state.clock.now_ms(), row)))
}

#[utoipa::path(post, path = "/v1/lots/{lot}/orders/{order}/cancel", tag = "agents", summary = "Cancel a pending order",
    params(("lot" = String, Path), ("order" = String, Path)),
    responses((status = 200, description = "Cancelled", body = OrderView), (status = 404, body = ErrorBody),
        (status = 409, description = "The order is not pending", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel_order(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, order)): Path<(String, String)>,
) -> Result<axum::Json<OrderView>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let row = payments::order(&mut *tx, &lot.id, &order)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("lot `{}` has no order `{order}`", lot.id)))?;
    if !payments::end_order(&mut *tx, &row.id, OrderStatus::Cancelled, None, now).await? {
        return Err(ApiError::Conflict(format!(
            "order `{order}` is {}, not pending",
            row.status
        )));
    }
    let cancelled = payments::order(&mut *tx, &lot.id, &order)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order vanished within its transaction"))?;
    tx.commit().await?;
    Ok(axum::Json(OrderView::new(&lot, now, cancelled)))
}
