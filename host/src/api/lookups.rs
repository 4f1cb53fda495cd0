//! Looking people up by phone (seed 001 §2.4): a caller's monthly passes,
//! their visits and the stays of those vehicles — and the access log of
//! every such lookup, which owners read. The seeds insist the agent
//! verifies the caller before telling them anything (seed 000: "본인이
//! 아닌 경우 상담제한"); the log says who looked at whose data, when.

use crate::api::query::Query;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, staff_lot, visible_lots};
use super::error::{ApiError, ErrorBody};
use super::fields;
use crate::db::cases::{self, LookupRow};
use crate::db::ids::new_id;
use crate::db::lots::LotRow;
use crate::db::types::LookupKind;
use crate::db::{desk, passes, stays};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(phone_lookup))
            .routes(routes!(access_log)),
    )
}

/// How far back visits count.
const VISITS_SHOWN_MS: i64 = 90 * 86_400_000;

/// A monthly pass a phone holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhonePass {
    pub lot_id: String,
    pub plate: String,
    pub account: String,
    pub holder: Option<String>,
    pub valid_until: String,
    /// Days expired today in the lot (0 or less: valid).
    pub days_expired: i64,
    pub inside: bool,
}

/// A visit registered with a phone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhoneVisit {
    pub lot_id: String,
    pub gate_id: String,
    pub plate: Option<String>,
    pub reason: String,
    /// RFC 3339, the lot's local time.
    pub registered_at: String,
    pub registered_by: String,
}

/// A stay of a vehicle the phone is known with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhoneStay {
    pub lot_id: String,
    pub session_id: String,
    pub plate: String,
    /// RFC 3339, the lot's local time.
    pub entered_at: String,
    pub exited_at: Option<String>,
    pub paid_amount: u64,
}

/// What a phone number is known for in the caller's lots. Empty lists when
/// it matches nothing.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PhoneFindings {
    /// The number searched, digits only.
    pub phone: String,
    pub passes: Vec<PhonePass>,
    pub visits: Vec<PhoneVisit>,
    /// The latest stays of those vehicles, newest first.
    pub stays: Vec<PhoneStay>,
}

impl PhoneFindings {
    pub fn count(&self) -> usize {
        self.passes.len() + self.visits.len() + self.stays.len()
    }
}

/// Everything `lots` know of a phone number.
pub async fn find_phone(
    state: &AppState,
    lots: &[LotRow],
    raw: &str,
) -> Result<PhoneFindings, ApiError> {
    let digits = fields::phone("phone", raw)?;
    let mut candidates = fields::phone_candidates(&digits);
    let typed = raw.trim().to_owned();
    if !candidates.contains(&typed) {
        candidates.push(typed);
    }
    let pool = state.db.pool();
    let now = state.clock.now_ms();
    let mut found = PhoneFindings {
        phone: digits,
        ..PhoneFindings::default()
    };
    for lot in lots {
        let zone = &lot.zone;
        let today = zone.today(now);
        let mut plates = Vec::new();
        for pass in passes::passes_by_phones(pool, &lot.id, &candidates).await? {
            let inside = stays::open_session(pool, &lot.id, &pass.plate)
                .await?
                .is_some();
            plates.push(pass.plate.clone());
            found.passes.push(PhonePass {
                lot_id: lot.id.clone(),
                plate: pass.plate.to_string(),
                account: pass.account_id,
                holder: pass.holder,
                valid_until: pass.valid_until.to_string(),
                days_expired: boomgate_engine::sdk::time::days_expired(pass.valid_until, today),
                inside,
            });
        }
        for visit in
            desk::visitors_by_phones(pool, &lot.id, &candidates, now - VISITS_SHOWN_MS).await?
        {
            if let Some(plate) = visit
                .plate
                .as_deref()
                .and_then(|p| boomgate_engine::sdk::Plate::parse(p).ok())
                && !plates.contains(&plate)
            {
                plates.push(plate);
            }
            found.visits.push(PhoneVisit {
                lot_id: lot.id.clone(),
                gate_id: visit.gate_id,
                plate: visit.plate,
                reason: visit.reason,
                registered_at: zone.local(visit.created_at).to_string(),
                registered_by: visit.registered_by,
            });
        }
        for ticket in
            desk::tickets_by_phones(pool, &lot.id, &candidates, now - VISITS_SHOWN_MS).await?
        {
            if let Ok(plate) = boomgate_engine::sdk::Plate::parse(&ticket.id)
                && !plates.contains(&plate)
            {
                plates.push(plate);
            }
        }
        for plate in &plates {
            for stay in stays::stays_of_plate(pool, &lot.id, plate, 5).await? {
                found.stays.push(PhoneStay {
                    lot_id: lot.id.clone(),
                    session_id: stay.id,
                    plate: stay.plate.to_string(),
                    entered_at: zone.local(stay.entered_at).to_string(),
                    exited_at: stay.exited_at.map(|t| zone.local(t).to_string()),
                    paid_amount: stay.paid_amount,
                });
            }
        }
    }
    found.stays.sort_by(|a, b| b.entered_at.cmp(&a.entered_at));
    Ok(found)
}

/// Records that the caller looked up a person's data.
pub async fn record(
    state: &AppState,
    caller: &Caller,
    lot: Option<&str>,
    kind: LookupKind,
    query: &str,
    results: usize,
    case: Option<&str>,
) -> Result<(), ApiError> {
    let owner = match caller {
        Caller::Owner { owner_id, .. } | Caller::Agent { owner_id, .. } => owner_id,
        Caller::Service(s) => &s.owner_id,
        Caller::Robot(r) => &r.owner_id,
    };
    let now = state.clock.now_ms();
    let row = LookupRow {
        id: new_id("lkp", now),
        owner_id: owner.clone(),
        lot_id: lot.map(str::to_owned),
        looked_by: caller.label(),
        kind,
        query: query.to_owned(),
        results: i64::try_from(results).unwrap_or(i64::MAX),
        case_id: case.map(str::to_owned),
        created_at: now,
    };
    cases::insert_lookup(state.db.pool(), &row).await?;
    Ok(())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PhoneQuery {
    /// The caller's number, as dialled or shown (`+86 130 0000 0000` finds
    /// `13000000000`).
    pub phone: String,
    /// Only this lot (otherwise every lot the caller sees).
    pub lot: Option<String>,
    /// The case the lookup is for, recorded with it.
    pub case: Option<String>,
}

#[utoipa::path(get, path = "/v1/lookup", tag = "agents", summary = "Look up a caller's monthly passes, visits and stays by phone", params(PhoneQuery),
    responses((status = 200, description = "The phone's passes, visits and stays in the caller's lots (empty lists when it matches nothing); the lookup is recorded in the access log", body = PhoneFindings),
        (status = 400, description = "Not a phone number", body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn phone_lookup(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PhoneQuery>,
) -> Result<axum::Json<PhoneFindings>, ApiError> {
    let lots = match query.lot.as_deref() {
        Some(lot) => vec![staff_lot(&state, &caller, lot).await?],
        None => visible_lots(&state, &caller).await?,
    };
    let found = find_phone(&state, &lots, &query.phone).await?;
    record(
        &state,
        &caller,
        query.lot.as_deref(),
        LookupKind::Phone,
        &found.phone,
        found.count(),
        query.case.as_deref(),
    )
    .await?;
    Ok(axum::Json(found))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogQuery {
    /// Only lookups since this instant (RFC 3339); the last 30 days by
    /// default.
    pub since: Option<String>,
    /// At most this many, newest first (default 200, at most 1000).
    pub limit: Option<i64>,
}

/// One lookup of a person's data.
#[derive(Debug, Serialize, ToSchema)]
pub struct Lookup {
    pub id: String,
    pub lot_id: Option<String>,
    /// Who looked: `agent:<id>` or `owner:<id>`.
    pub looked_by: String,
    /// `phone` or `plate`.
    pub kind: LookupKind,
    /// What was searched.
    pub query: String,
    /// How many records it found.
    pub results: i64,
    pub case_id: Option<String>,
    /// RFC 3339 (UTC).
    pub at: String,
}

#[utoipa::path(get, path = "/v1/access-log", tag = "owners", summary = "Read the log of who looked up people's data by phone or plate", params(AccessLogQuery),
    responses((status = 200, description = "Every lookup of a person's data by phone or plate in the owner's lots, newest first", body = Vec<Lookup>),
        (status = 400, body = ErrorBody), (status = 403, description = "Not an owner", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AccessLogQuery>,
) -> Result<axum::Json<Vec<Lookup>>, ApiError> {
    let owner = caller.owner()?;
    let since = match query.since.as_deref() {
        Some(raw) => {
            crate::domain::zone::parse_instant(raw).map_err(|e| ApiError::field("since", e))?
        }
        None => state.clock.now_ms() - 30 * 86_400_000,
    };
    let limit = query.limit.unwrap_or(200).clamp(1, 1000);
    let rows = cases::lookups(state.db.pool(), owner, since, limit).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|r| Lookup {
                id: r.id,
                lot_id: r.lot_id,
                looked_by: r.looked_by,
                kind: r.kind,
                query: r.query,
                results: r.results,
                case_id: r.case_id,
                at: fields::rfc3339(r.created_at),
            })
            .collect(),
    ))
}
