//! Unplated vehicles (seed 001 §2.2.1 scene 1, §2.2.2 scene 4): the robot
//! shows the unplated-entry code; the driver scans it, and the page behind
//! it (the app platform, or an agent for the driver) asks for a ticket.
//! The ticket is decided by the lot's policy as the vehicle's plate (e.g.
//! `无牌K7Q2M4`): its stay is kept under it, with the driver's phone when
//! given. At the exit, the unplated-exit code's page sends the ticket: the
//! stay is found, priced and paid like any other, and the robot is told.

use axum::extract::{Path, State};
use boomgate_engine::sdk::{Direction, Plate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::auth::{Caller, service_lot, staff_lot};
use crate::api::error::{ApiError, ErrorBody};
use crate::api::fields;
use crate::api::json::Json;
use crate::db::desk::{self, TicketRow};
use crate::db::lots::LotRow;
use crate::db::types::{OpeningKind, Role};
use crate::domain::pipeline::{Decider, Opening, Site};
use crate::service::AppState;

use super::{Gatehouse, Outcome, held};

/// What a ticket's code looks like: `无牌` and six letters and digits no
/// camera confuses (no 0/O, 1/I, 2/Z, 5/S, 8/B).
const TICKET_PREFIX: &str = "无牌";
const TICKET_ALPHABET: &[u8] = b"34679ACDEFGHJKLMNPQRTUVWXY";

fn new_ticket() -> Result<String, ApiError> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no OS randomness for a ticket: {e}"))?;
    let code: String = bytes
        .iter()
        .map(|b| char::from(TICKET_ALPHABET[usize::from(*b) % TICKET_ALPHABET.len()]))
        .collect();
    Ok(format!("{TICKET_PREFIX}{code}"))
}

/// A gate the caller may work for a ticket: staff, or the app platform
/// scoped to the lot.
async fn gatehouse<'a>(
    state: &'a AppState,
    caller: &'a Caller,
    lot: &str,
    gate: &str,
    direction: Direction,
) -> Result<Gatehouse<'a>, ApiError> {
    let lot: LotRow = match caller {
        Caller::Service(_) => service_lot(state, caller, Role::App, lot).await?,
        _ => staff_lot(state, caller, lot).await?,
    };
    let gate = fields::gate_of(state, &lot.id, gate).await?;
    if gate.direction != direction {
        return Err(ApiError::bad_request(format!(
            "gate `{}` is an {}: unplated {} codes are scanned at an {}",
            gate.id,
            gate.direction.as_str(),
            direction.as_str(),
            direction.as_str()
        )));
    }
    let held = held(state, &lot.id, &gate.id).await?;
    Ok(Gatehouse {
        state,
        caller,
        site: Site { lot, gate },
        held,
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    /// The driver's phone, when the page asks for it: agents find the
    /// stay by it.
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketIssued {
    /// The ticket, e.g. `无牌K7Q2M4`: the stay's plate, shown to the driver
    /// and scanned or typed at the exit. Null when the policy did not let
    /// the vehicle in.
    pub ticket: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/unplated-entry", tag = "app", summary = "Issue an unplated vehicle a ticket at an entry gate",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = TicketRequest,
    responses((status = 200, description = "The ticket and the entry the policy decided for it (the robot is told); no ticket when the policy holds", body = TicketIssued),
        (status = 400, description = "Not an entry gate, or a malformed phone", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unplated_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<TicketRequest>,
) -> Result<axum::Json<TicketIssued>, ApiError> {
    let desk = gatehouse(&state, &caller, &lot, &gate, Direction::Entry).await?;
    let phone = fields::optional_phone("phone", req.phone.as_deref())?;
    let ticket = new_ticket()?;
    let plate = Plate::parse(&ticket).map_err(|e| anyhow::anyhow!("ticket `{ticket}`: {e}"))?;
    let lot_id = desk.site.lot.id.clone();
    let gate_id = desk.site.gate.id.clone();
    let outcome = desk
        .act(
            Some(&plate),
            None,
            Decider::PolicyIfOpen,
            Opening::plain(OpeningKind::Ticket),
            None,
        )
        .await?;
    let Some(decision) = outcome.decision_id.clone().filter(|_| outcome.opened) else {
        return Ok(axum::Json(TicketIssued {
            ticket: None,
            outcome,
        }));
    };
    let row = TicketRow {
        lot_id,
        id: ticket.clone(),
        phone,
        entry_gate: gate_id,
        entry_decision: decision,
        issued_by: caller.label(),
        created_at: state.clock.now_ms(),
    };
    desk::insert_ticket(state.db.pool(), &row).await?;
    Ok(axum::Json(TicketIssued {
        ticket: Some(ticket),
        outcome,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketExit {
    /// The ticket the entry gave.
    pub ticket: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/gates/{gate}/unplated-exit", tag = "app", summary = "Decide an unplated vehicle's exit by its ticket",
    params(("lot" = String, Path), ("gate" = String, Path)), request_body = TicketExit,
    responses((status = 200, description = "The exit the policy decided for the ticket's stay: open when paid, or the fee with its order (the robot is told)", body = Outcome),
        (status = 400, description = "Not an exit gate", body = ErrorBody),
        (status = 404, description = "No such ticket in the lot", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn unplated_exit(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
    Json(req): Json<TicketExit>,
) -> Result<axum::Json<Outcome>, ApiError> {
    let desk = gatehouse(&state, &caller, &lot, &gate, Direction::Exit).await?;
    let typed = req.ticket.trim().to_uppercase();
    let code = typed.strip_prefix(TICKET_PREFIX).unwrap_or(&typed);
    let ticket = format!("{TICKET_PREFIX}{code}");
    let Some(row) = desk::ticket(state.db.pool(), &desk.site.lot.id, &ticket).await? else {
        return Err(ApiError::not_found(format!(
            "lot `{}` issued no ticket `{ticket}`",
            desk.site.lot.id
        )));
    };
    let plate = Plate::parse(&row.id).map_err(|e| anyhow::anyhow!("ticket `{}`: {e}", row.id))?;
    let outcome = desk
        .act(
            Some(&plate),
            None,
            Decider::Policy,
            Opening::plain(OpeningKind::Ticket),
            None,
        )
        .await?;
    Ok(axum::Json(outcome))
}
