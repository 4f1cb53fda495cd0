//! Monthly passes and their accounts (owners register and renew them;
//! agents search them by phone or plate, with six months of payments) and
//! the app parking passes of seed 000.

use std::collections::HashMap;

use crate::api::query::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::sdk::Date;
use boomgate_engine::sdk::time::days_expired;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, owned_lot, service_lot, staff_lot, visible_lots};
use super::error::{ApiError, ErrorBody};
use super::fields::{self, check_id};
use super::json::Json;
use super::payments::{PAYMENTS_SHOWN_MS, PaymentView};
use crate::db::passes::{self, PassRow};
use crate::db::types::Role;
use crate::db::{payments, stays};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(put_monthly_pass, list_monthly_passes))
            .routes(routes!(delete_monthly_pass))
            .routes(routes!(register_parking_pass))
            .routes(routes!(find_monthly_passes))
            .routes(routes!(import_monthly_passes)),
    )
}

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
    /// The vehicle's class, which tariffs may price by (`large`,
    /// `new-energy`, ...): 1 to 32 lowercase letters, digits and `-`.
    #[serde(default)]
    pub vehicle_class: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyPass {
    pub plate: String,
    pub valid_until: String,
    pub account: String,
    pub spaces: u32,
    pub holder: Option<String>,
    pub phone: Option<String>,
    pub vehicle_class: Option<String>,
}

impl From<PassRow> for MonthlyPass {
    fn from(row: PassRow) -> Self {
        MonthlyPass {
            plate: row.plate.into_string(),
            valid_until: row.valid_until.to_string(),
            account: row.account_id,
            spaces: row.spaces,
            holder: row.holder,
            phone: row.phone,
            vehicle_class: row.vehicle_class,
        }
    }
}

#[utoipa::path(post, path = "/v1/lots/{lot}/monthly-passes", tag = "owners", summary = "Create or renew a monthly pass", params(("lot" = String, Path)),
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
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let row = put_pass(&mut tx, &lot, &req, now).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(row.into())))
}

/// Checks a pass and writes it, its account created or updated, in `tx`.
async fn put_pass(
    tx: &mut crate::db::Tx,
    lot: &crate::db::lots::LotRow,
    req: &NewMonthlyPass,
    now: i64,
) -> Result<PassRow, ApiError> {
    let plate = fields::plate("plate", &req.plate)?;
    let valid_until =
        Date::parse(&req.valid_until).map_err(|e| ApiError::field("valid_until", e.to_string()))?;
    check_id("account", &req.account)?;
    let spaces = u32::try_from(req.spaces)
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .ok_or_else(|| {
            ApiError::field(
                "spaces",
                format!("{} is not between 1 and 1000", req.spaces),
            )
        })?;
    let phone = fields::optional_phone("phone", req.phone.as_deref())?;
    let class = req
        .vehicle_class
        .as_deref()
        .map(|c| fields::vehicle_class("vehicle_class", c))
        .transpose()?;
    passes::upsert_account(
        &mut **tx,
        &lot.id,
        &req.account,
        spaces,
        req.holder.as_deref(),
        phone.as_deref(),
        now,
    )
    .await?;
    passes::upsert_monthly_pass(
        &mut **tx,
        &lot.id,
        &plate,
        &req.account,
        valid_until,
        class.as_deref(),
        now,
    )
    .await?;
    // A pass valid again today settles the renewal its exit asked for.
    if days_expired(valid_until, lot.zone.today(now)) <= 0 {
        payments::settle_plate_orders(
            &mut **tx,
            &lot.id,
            &plate,
            boomgate_engine::sdk::OrderKind::MonthlyRenewal,
            None,
            now,
        )
        .await?;
    }
    Ok(passes::monthly_pass(&mut **tx, &lot.id, &plate)
        .await?
        .ok_or_else(|| anyhow::anyhow!("pass vanished within its transaction"))?)
}

/// The fields of a CSV line: commas separate them; a field in double
/// quotes may hold commas, and `""` is a quote inside it.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field).trim().to_owned()),
            (c, _) => field.push(c),
        }
    }
    fields.push(field.trim().to_owned());
    fields
}

/// How many passes were imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    pub imported: usize,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/monthly-passes/import", tag = "owners", summary = "Import monthly passes from CSV", params(("lot" = String, Path)),
    request_body(content = String, content_type = "text/csv",
        description = "One pass a line: `plate,valid_until,account,spaces,holder,phone,vehicle_class` (holder, phone and vehicle_class may be empty or left off; an empty class keeps the one registered; a first line starting with `plate` is a header). Each pass is created or renewed as `POST /v1/lots/{lot}/monthly-passes` does."),
    responses((status = 201, description = "Every line imported, in one transaction", body = Imported),
        (status = 400, description = "A line that is wrong: nothing is imported; the field is named `line N: field`", body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn import_monthly_passes(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    body: String,
) -> Result<(StatusCode, axum::Json<Imported>), ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let mut imported = 0;
    // A spreadsheet's export may begin with a byte-order mark.
    let body = body.strip_prefix('\u{feff}').unwrap_or(&body);
    for (n, line) in body.lines().enumerate() {
        let number = n + 1;
        let line = line.trim();
        if line.is_empty() || (number == 1 && line.to_ascii_lowercase().starts_with("plate")) {
            continue;
        }
        let f = csv_fields(line);
        let at = |i: usize| f.get(i).cloned().unwrap_or_default();
        let spaces = at(3).parse().map_err(|_| {
            ApiError::field(
                format!("line {number}: spaces"),
                format!("`{}` is not a number", at(3)),
            )
        })?;
        let pass = NewMonthlyPass {
            vehicle_class: Some(at(6)).filter(|c| !c.is_empty()),
            plate: at(0),
            valid_until: at(1),
            account: at(2),
            spaces,
            holder: Some(at(4)).filter(|h| !h.is_empty()),
            phone: Some(at(5)).filter(|p| !p.is_empty()),
        };
        put_pass(&mut tx, &lot, &pass, now)
            .await
            .map_err(|e| match e {
                ApiError::BadRequest {
                    field: Some(field), ..
                } => ApiError::field(format!("line {number}: {}", field.path), field.message),
                other => other,
            })?;
        imported += 1;
    }
    if imported == 0 {
        return Err(ApiError::bad_request("the CSV has no passes"));
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(Imported { imported })))
}

#[utoipa::path(get, path = "/v1/lots/{lot}/monthly-passes", tag = "owners", summary = "List a lot's monthly passes", params(("lot" = String, Path)),
    responses((status = 200, body = Vec<MonthlyPass>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_monthly_passes(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
) -> Result<axum::Json<Vec<MonthlyPass>>, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let rows = passes::monthly_passes(state.db.pool(), &lot.id).await?;
    Ok(axum::Json(
        rows.into_iter().map(MonthlyPass::from).collect(),
    ))
}

#[utoipa::path(delete, path = "/v1/lots/{lot}/monthly-passes/{plate}", tag = "owners", summary = "Remove a plate's monthly pass",
    params(("lot" = String, Path), ("plate" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete_monthly_pass(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, raw)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let plate = fields::plate("plate", &raw)?;
    if passes::delete_monthly_pass(state.db.pool(), &lot.id, &plate).await? {
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

#[utoipa::path(post, path = "/v1/lots/{lot}/parking-passes", tag = "owners", summary = "Register a plate's app parking pass", params(("lot" = String, Path)),
    request_body = NewParkingPass,
    responses((status = 201, body = ParkingPass), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn register_parking_pass(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewParkingPass>,
) -> Result<(StatusCode, axum::Json<ParkingPass>), ApiError> {
    let lot = service_lot(&state, &caller, Role::App, &lot).await?;
    let plate = fields::plate("plate", &req.plate)?;
    passes::insert_parking_pass(state.db.pool(), &lot.id, &plate, state.clock.now_ms()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ParkingPass {
            plate: plate.into_string(),
            registered: true,
        }),
    ))
}

// ---------------------------------------------------------------- search

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
    pub spaces: u32,
    pub valid_until: String,
    /// Days expired today in the lot (0 or less: valid).
    pub days_expired: i64,
    pub valid: bool,
    /// Whether the vehicle is inside now.
    pub inside: bool,
    /// The account's payments of the last six months, newest first.
    pub payments: Vec<PaymentView>,
    /// The plate's pending application (a renewal in the queue), if any.
    pub application: Option<super::applications::Application>,
}

#[utoipa::path(get, path = "/v1/monthly-passes", tag = "agents", summary = "Search monthly passes by phone, plate or lot, with their payments", params(PassQuery),
    responses((status = 200, description = "Passes matching every given criterion", body = Vec<PassRecord>),
        (status = 400, description = "No criterion, or a malformed plate", body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn find_monthly_passes(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PassQuery>,
) -> Result<axum::Json<Vec<PassRecord>>, ApiError> {
    let phone = fields::optional_phone("phone", query.phone.as_deref())?;
    let phone = phone.as_deref();
    let plate = query
        .plate
        .as_deref()
        .map(|p| fields::plate("plate", p))
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
        let zone = &lot.zone;
        let today = zone.today(now);
        let mut payments: HashMap<String, Vec<PaymentView>> = HashMap::new();
        for pass in passes::find_passes(state.db.pool(), &lot.id, phone, plate.as_ref()).await? {
            if !payments.contains_key(&pass.account_id) {
                let rows = payments::account_payments(
                    state.db.pool(),
                    &lot.id,
                    &pass.account_id,
                    now - PAYMENTS_SHOWN_MS,
                )
                .await?;
                payments.insert(
                    pass.account_id.clone(),
                    rows.into_iter()
                        .map(|r| PaymentView::new(zone, r))
                        .collect(),
                );
            }
            let days_expired = days_expired(pass.valid_until, today);
            let inside = stays::open_session(state.db.pool(), &lot.id, &pass.plate)
                .await?
                .is_some();
            let application =
                super::applications::pending_of_plate(&state, &lot, pass.plate.as_str()).await?;
            out.push(PassRecord {
                application,
                lot_id: lot.id.clone(),
                payments: payments[&pass.account_id].clone(),
                plate: pass.plate.into_string(),
                account: pass.account_id,
                holder: pass.holder,
                phone: pass.phone,
                spaces: pass.spaces,
                valid_until: pass.valid_until.to_string(),
                days_expired,
                valid: days_expired <= 0,
                inside,
            });
        }
    }
    // Who looked at whose pass: by phone or plate (a lot's whole list is
    // the owner's or agent's working view, not a person's lookup).
    let looked = match (phone, &plate) {
        (Some(p), _) => Some((crate::db::types::LookupKind::Phone, p.to_owned())),
        (None, Some(p)) => Some((crate::db::types::LookupKind::Plate, p.to_string())),
        (None, None) => None,
    };
    if let Some((kind, what)) = looked {
        super::lookups::record(
            &state,
            &caller,
            query.lot.as_deref(),
            kind,
            &what,
            out.len(),
            None,
        )
        .await?;
    }
    Ok(axum::Json(out))
}
