//! The held event at a gate, as the agent who answers the robot's call
//! sees it: the decision, its trace, the vehicle's facts.

use axum::extract::{Path, State};
use boomgate_engine::sdk::{Billing, Decision, Direction};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::auth::{Caller, staff_lot};
use crate::api::error::{ApiError, ErrorBody};
use crate::api::fields;
use crate::api::payments::PaymentView;
use crate::db::{passes, payments, stays};
use crate::domain::pipeline::Site;
use crate::service::AppState;

use super::held;

/// A monthly pass as the policy saw it, with its account.
#[derive(Debug, Serialize, ToSchema)]
pub struct PassFacts {
    pub valid_until: String,
    /// Days expired on the event's local date (0 or less: valid).
    pub days_expired: i64,
    pub valid: bool,
    pub spaces: u32,
    /// The account's other vehicles inside.
    pub vehicles_inside: u32,
    pub account: Option<String>,
    pub holder: Option<String>,
    pub phone: Option<String>,
}

/// The stay as the policy saw it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionFacts {
    pub entered_at: String,
    pub billing: Billing,
    /// Minutes from entry to the event.
    pub minutes: u64,
    pub paid_amount: u64,
    pub paid_at: Option<String>,
    pub pick: bool,
}

/// What the policy saw about the vehicle.
#[derive(Debug, Serialize, ToSchema)]
pub struct Facts {
    pub monthly_pass: Option<PassFacts>,
    pub parking_pass: bool,
    pub session: Option<SessionFacts>,
    /// Payments on the stay.
    pub payments: Vec<PaymentView>,
}

/// A held event, as the agent who answers the robot's call sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pending {
    pub decision_id: String,
    pub gate_id: String,
    pub direction: Direction,
    pub event_id: Option<String>,
    pub plate: Option<String>,
    /// RFC 3339, the lot's local time.
    pub occurred_at: String,
    /// How long the vehicle has been held.
    pub waiting_seconds: i64,
    pub policy_version: Option<i64>,
    /// The decision, its trace saying why the robot held.
    pub decision: Decision,
    pub facts: Facts,
}

/// What the policy saw about the vehicle, with the account and payments
/// beside it.
async fn facts(
    state: &AppState,
    site: &Site,
    input: &boomgate_engine::sdk::Input,
) -> Result<Facts, ApiError> {
    let lot = &site.lot;
    let today = input.today();
    let plate = input.event.plate.as_ref();
    let account = match plate {
        Some(p) => passes::monthly_pass(state.db.pool(), &lot.id, p).await?,
        None => None,
    };
    let monthly_pass = input.vehicle.monthly_pass.map(|pass| {
        let days = pass.days_expired(today);
        PassFacts {
            valid_until: pass.valid_until.to_string(),
            days_expired: days,
            valid: days <= 0,
            spaces: pass.spaces,
            vehicles_inside: pass.vehicles_inside,
            account: account.as_ref().map(|a| a.account_id.clone()),
            holder: account.as_ref().and_then(|a| a.holder.clone()),
            phone: account.as_ref().and_then(|a| a.phone.clone()),
        }
    });
    let session = input.vehicle.session.map(|s| SessionFacts {
        entered_at: s.entered_at.to_string(),
        billing: s.billing,
        minutes: s.entered_at.minutes_until(&input.event.occurred_at),
        paid_amount: s.paid_amount,
        paid_at: s.paid_at.map(|t| t.to_string()),
        pick: s.pick,
    });
    let mut payments = Vec::new();
    if let Some(p) = plate
        && input.vehicle.session.is_some()
        && let Some(open) = stays::open_session(state.db.pool(), &lot.id, p).await?
    {
        payments = payments::payments_of_session(state.db.pool(), &open.id)
            .await?
            .into_iter()
            .map(|r| PaymentView::new(&lot.zone, r))
            .collect();
    }
    Ok(Facts {
        monthly_pass,
        parking_pass: input.vehicle.parking_pass.is_some_and(|p| p.registered),
        session,
        payments,
    })
}

#[utoipa::path(get, path = "/v1/lots/{lot}/gates/{gate}/pending", tag = "agents",
    params(("lot" = String, Path), ("gate" = String, Path)),
    responses((status = 200, body = Pending), (status = 404, description = "Nothing is held at the gate", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn pending(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, gate)): Path<(String, String)>,
) -> Result<axum::Json<Pending>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    let gate = fields::gate_of(&state, &lot.id, &gate).await?;
    let row = held(&state, &lot.id, &gate.id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("nothing is held at gate `{}`", gate.id)))?;
    let input = row.input()?;
    let decision = row.decision()?;
    let site = Site { lot, gate };
    Ok(axum::Json(Pending {
        facts: facts(&state, &site, &input).await?,
        decision_id: row.id,
        gate_id: row.gate_id,
        direction: row.direction,
        event_id: row.event_id,
        plate: row.plate,
        occurred_at: input.event.occurred_at.to_string(),
        waiting_seconds: (state.clock.now_ms() - row.created_at) / 1000,
        policy_version: row.policy_version,
        decision,
    }))
}
