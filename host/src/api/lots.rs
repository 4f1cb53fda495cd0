//! Lots (owners create and read them) and what an agent tells a caller
//! about one (its information panel, seed 001 §2.3.1 C).

use crate::api::query::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use boomgate_engine::CallError;
use boomgate_engine::sdk::{Currency, Direction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, owned_lot, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::check_id;
use super::json::Json;
use crate::db::{self, lots::LotRow};
use crate::domain::zone::LotZone;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(create_lot, list_lots))
            .routes(routes!(get_lot, update_lot))
            .routes(routes!(lot_info)),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLot {
    pub id: String,
    pub name: String,
    /// IANA time zone, e.g. `Asia/Shanghai`.
    pub timezone: String,
    /// ISO 4217 code, e.g. `CNY`.
    pub currency: String,
    /// Who to call in an emergency, e.g. `张三 13000000000`.
    #[serde(default)]
    pub emergency_contact: Option<String>,
    /// Where drivers pay an order: an `https` URL with `{order_id}` in it,
    /// e.g. `https://pay.example.com/o/{order_id}` (`{lot_id}` and
    /// `{amount}` are filled in too). The robot's QR code carries it.
    #[serde(default)]
    pub payment_link: Option<String>,
    /// A read at a gate of this lot within this many seconds of the gate's
    /// previous decision about the same plate is a duplicate; the service's
    /// `debounce_seconds` when absent. Gates may set their own.
    #[serde(default)]
    pub debounce_seconds: Option<i64>,
    /// How many vehicles the lot holds: free spaces are this less the
    /// stays open.
    #[serde(default)]
    pub capacity: Option<i64>,
    /// The lot's address, as drivers and agents read it.
    #[serde(default)]
    pub address: Option<String>,
    /// Where it is on the map, WGS 84 degrees (with `longitude`).
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Lot {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub currency: String,
    pub emergency_contact: Option<String>,
    /// The active policy version, if any.
    pub active_version: Option<i64>,
    pub payment_link: Option<String>,
    pub debounce_seconds: Option<i64>,
    pub capacity: Option<i64>,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// Checks a capacity.
fn capacity(value: Option<i64>) -> Result<(), ApiError> {
    match value {
        Some(n) if !(0..=1_000_000).contains(&n) => Err(ApiError::field(
            "capacity",
            format!("{n} is not a number of spaces (0 to 1000000)"),
        )),
        _ => Ok(()),
    }
}

/// Checks a position: both coordinates or neither, within their ranges.
fn position(latitude: Option<f64>, longitude: Option<f64>) -> Result<Option<(f64, f64)>, ApiError> {
    match (latitude, longitude) {
        (None, None) => Ok(None),
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(ApiError::field(
                    "latitude",
                    format!("{lat} is not between -90 and 90"),
                ));
            }
            if !(-180.0..=180.0).contains(&lon) {
                return Err(ApiError::field(
                    "longitude",
                    format!("{lon} is not between -180 and 180"),
                ));
            }
            Ok(Some((lat, lon)))
        }
        (Some(_), None) => Err(ApiError::field("longitude", "give it with `latitude`")),
        (None, Some(_)) => Err(ApiError::field("latitude", "give it with `longitude`")),
    }
}

/// Checks a payment link template.
fn payment_link(link: &str) -> Result<(), ApiError> {
    let ok = (link.starts_with("https://") || link.starts_with("http://"))
        && link.contains("{order_id}")
        && link.len() <= 500
        && !link.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "payment_link",
            format!(
                "`{link}` is not a payment link: an http(s) URL of at most 500 characters with `{{order_id}}` in it"
            ),
        ))
    }
}

/// Checks a debounce window.
pub(crate) fn debounce(field: &str, seconds: Option<i64>) -> Result<(), ApiError> {
    match seconds {
        Some(s) if !(0..=3600).contains(&s) => Err(ApiError::field(
            field,
            format!("{s} is not between 0 and 3600 seconds"),
        )),
        _ => Ok(()),
    }
}

impl From<LotRow> for Lot {
    fn from(row: LotRow) -> Self {
        Lot {
            id: row.id,
            name: row.name,
            timezone: row.zone.name().to_owned(),
            currency: row.currency.code().to_owned(),
            emergency_contact: row.emergency_contact,
            active_version: row.active_version,
            payment_link: row.payment_link,
            debounce_seconds: row.debounce_seconds,
            capacity: row.capacity,
            address: row.address,
            latitude: row.latitude,
            longitude: row.longitude,
        }
    }
}

#[utoipa::path(post, path = "/v1/lots", tag = "owners", summary = "Create a lot", request_body = NewLot,
    responses((status = 201, body = Lot), (status = 400, body = ErrorBody), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_lot(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewLot>,
) -> Result<(StatusCode, axum::Json<Lot>), ApiError> {
    let owner = caller.owner()?;
    check_id("id", &req.id)?;
    if req.name.trim().is_empty() || req.name.chars().count() > 200 {
        return Err(ApiError::field("name", "must be 1 to 200 characters"));
    }
    let zone = LotZone::parse(&req.timezone).map_err(|e| ApiError::field("timezone", e))?;
    if let Some(link) = &req.payment_link {
        payment_link(link)?;
    }
    debounce("debounce_seconds", req.debounce_seconds)?;
    capacity(req.capacity)?;
    let place = position(req.latitude, req.longitude)?;
    let address = super::fields::optional_text("address", Some(&req.address), 300)?.flatten();
    let currency = Currency::parse(&req.currency).map_err(|e| ApiError::field("currency", e))?;
    let row = LotRow {
        id: req.id,
        owner_id: owner.to_owned(),
        name: req.name.trim().to_owned(),
        zone,
        currency,
        emergency_contact: req.emergency_contact,
        active_version: None,
        payment_link: req.payment_link,
        debounce_seconds: req.debounce_seconds,
        capacity: req.capacity,
        address: address.map(str::to_owned),
        latitude: place.map(|p| p.0),
        longitude: place.map(|p| p.1),
        created_at: state.clock.now_ms(),
    };
    match db::lots::insert_lot(state.db.pool(), &row).await {
        Ok(()) => Ok((StatusCode::CREATED, axum::Json(row.into()))),
        Err(e) if db::is_unique_violation(&e) => {
            Err(ApiError::Conflict(format!("lot id `{}` is taken", row.id)))
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(get, path = "/v1/lots", tag = "owners", summary = "List the owner's lots",
    responses((status = 200, body = Vec<Lot>)), security(("bearer" = [])))]
pub async fn list_lots(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Lot>>, ApiError> {
    let owner = caller.owner()?;
    let lots = db::lots::lots_of_owner(state.db.pool(), owner).await?;
    Ok(axum::Json(lots.into_iter().map(Lot::from).collect()))
}

#[utoipa::path(get, path = "/v1/lots/{lot}", tag = "owners", summary = "Read a lot", params(("lot" = String, Path)),
    responses((status = 200, body = Lot), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_lot(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
) -> Result<axum::Json<Lot>, ApiError> {
    let owner = caller.owner()?;
    Ok(axum::Json(owned_lot(&state, owner, &lot).await?.into()))
}

/// What an owner changes of a lot: each field given is set (`null`
/// clears it), the others stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LotUpdate {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, with = "super::fields::nullable")]
    #[schema(value_type = Option<String>)]
    pub emergency_contact: Option<Option<String>>,
    #[serde(default, with = "super::fields::nullable")]
    #[schema(value_type = Option<String>)]
    pub payment_link: Option<Option<String>>,
    #[serde(default, with = "super::fields::nullable")]
    #[schema(value_type = Option<i64>)]
    pub debounce_seconds: Option<Option<i64>>,
    #[serde(default, with = "super::fields::nullable")]
    #[schema(value_type = Option<i64>)]
    pub capacity: Option<Option<i64>>,
    #[serde(default, with = "super::fields::nullable")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    /// Set with `longitude`; `null` on both clears the position.
    #[serde(default, with = "super::fields::nullable")]
    #[schema(value_type = Option<f64>)]
    pub latitude: Option<Option<f64>>,
    #[serde(default, with = "super::fields::nullable")]
    #[schema(value_type = Option<f64>)]
    pub longitude: Option<Option<f64>>,
}

#[utoipa::path(patch, path = "/v1/lots/{lot}", tag = "owners", summary = "Change a lot's details", params(("lot" = String, Path)),
    request_body = LotUpdate,
    responses((status = 200, body = Lot), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_lot(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<LotUpdate>,
) -> Result<axum::Json<Lot>, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let name = req
        .name
        .as_deref()
        .map(|n| super::fields::text("name", n, 200, "name the lot"))
        .transpose()?;
    if let Some(Some(link)) = &req.payment_link {
        payment_link(link)?;
    }
    debounce("debounce_seconds", req.debounce_seconds.flatten())?;
    capacity(req.capacity.flatten())?;
    let place = match (req.latitude, req.longitude) {
        (None, None) => None,
        (lat, lon) => Some(position(lat.flatten(), lon.flatten())?),
    };
    let address = super::fields::optional_text("address", req.address.as_ref(), 300)?;
    let changes = db::lots::LotChanges {
        name,
        emergency_contact: req.emergency_contact.as_ref().map(Option::as_deref),
        payment_link: req.payment_link.as_ref().map(Option::as_deref),
        debounce_seconds: req.debounce_seconds,
        capacity: req.capacity,
        address,
        position: place,
    };
    db::lots::update_lot(state.db.pool(), &lot.id, &changes).await?;
    let updated = db::lots::lot(state.db.pool(), &lot.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("lot `{}` vanished", lot.id))?;
    Ok(axum::Json(updated.into()))
}

// ---------------------------------------------------------------- information

/// The later of two local times in the same zone (RFC 3339 with the same
/// offset rules, so they compare as instants).
fn latest_of(a: Option<String>, b: Option<String>) -> Option<String> {
    let instant = |t: &String| crate::domain::zone::parse_instant(t).unwrap_or(i64::MIN);
    match (a, b) {
        (Some(a), Some(b)) => Some(if instant(&a) >= instant(&b) { a } else { b }),
        (a, b) => a.or(b),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InfoQuery {
    /// The agent's locale (`zh-CN`, `ko-KR`, `en`); the policy's own when
    /// absent or not spoken by the policy.
    pub locale: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RobotInfo {
    pub id: String,
    pub name: Option<String>,
    /// Its SIM number: the agent calls it (§2.3.3).
    pub phone: Option<String>,
    /// `online`, `degraded` or `offline`, from its heartbeats.
    pub status: crate::domain::health::Status,
    /// What is wrong, e.g. `lpr_camera down`.
    pub problems: Vec<String>,
    /// When it last sent a heartbeat or an event, RFC 3339 in the lot's
    /// local time.
    pub last_seen_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GateInfo {
    pub id: String,
    pub direction: Direction,
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
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Spaces in the lot, as its owner set them.
    pub capacity: Option<i64>,
    /// Vehicles inside now: the stays open.
    pub occupied: i64,
    /// `capacity` less `occupied` (never below 0); null without a capacity.
    pub free_spaces: Option<i64>,
    /// The agents serving the lot, by name.
    pub agents: Vec<String>,
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

#[utoipa::path(get, path = "/v1/lots/{lot}/info", tag = "agents", summary = "Read what an agent tells a caller about a lot", params(("lot" = String, Path), InfoQuery),
    responses((status = 200, body = LotInformation), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn lot_info(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<InfoQuery>,
) -> Result<axum::Json<LotInformation>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let zone = &lot.zone;
    let mut info = LotInformation {
        lot_id: lot.id.clone(),
        name: lot.name.clone(),
        timezone: zone.name().to_owned(),
        currency: lot.currency.code().to_owned(),
        emergency_contact: lot.emergency_contact.clone(),
        address: lot.address.clone(),
        latitude: lot.latitude,
        longitude: lot.longitude,
        capacity: lot.capacity,
        occupied: 0,
        free_spaces: None,
        agents: Vec::new(),
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
    let pool = state.db.pool();
    info.occupied = db::stays::open_count(pool, &lot.id).await?;
    info.free_spaces = lot.capacity.map(|c| (c - info.occupied).max(0));
    info.agents = db::agents::agents_of_lot(pool, &lot.id)
        .await?
        .into_iter()
        .map(|a| a.name)
        .collect();
    let robots = super::robots::robot_views(&state, &lot, super::robots::LastEvents::Read).await?;
    for gate in db::lots::gates(pool, &lot.id).await? {
        let robots = robots
            .iter()
            .filter(|r| r.gate_id == gate.id && r.retired_at.is_none())
            .map(|r| RobotInfo {
                id: r.id.clone(),
                name: r.name.clone(),
                phone: r.phone.clone(),
                status: r.status,
                problems: r.problems.clone(),
                last_seen_at: latest_of(
                    r.heartbeat.as_ref().map(|h| h.at.clone()),
                    r.last_event_at.clone(),
                ),
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
