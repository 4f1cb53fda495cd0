//! The agents' desk at a gate (seed 001 §2.3): the held event and why, a
//! corrected plate, a normal or abnormal opening, a registered visitor, a
//! QR code or prompt pushed to the robot, the entry record picked from the
//! vehicles inside; the gates where vehicles wait longest; the audit list
//! of openings. What an agent decides goes through the decision pipeline,
//! is recorded beside the robot's decision it replaces, and the robot is
//! told.

pub(crate) mod acts;
pub(crate) mod display;
pub(crate) mod lists;
pub(crate) mod pending;
mod tickets;

pub use acts::{AbnormalReason, Correction, Match, OpenRequest, VisitorRegistration};
pub use display::{Presets, Push, Pushed};
pub use lists::{Congested, OpeningRecord, OpeningsQuery};
pub use pending::{Capture, Facts, PassFacts, Pending, Scene, SessionFacts, Showing};
pub use tickets::{TicketExit, TicketIssued, TicketRequest};

use boomgate_engine::sdk::{AgentAction, Decision, Direction, Plate};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::auth::{Caller, staff_lot};
use crate::api::error::ApiError;
use crate::api::fields;
use crate::db::decisions::{self, DecisionRow};
use crate::db::passes;
use crate::domain::input::{Reading, VehicleInside};
use crate::domain::pipeline::{self, AgentAct, Decider, Evaluated, Opening, Origin, Site};
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(pending::pending))
            .routes(routes!(acts::correct_plate))
            .routes(routes!(acts::match_entry))
            .routes(routes!(acts::open_gate))
            .routes(routes!(acts::register_visitor))
            .routes(routes!(display::push_display))
            .routes(routes!(display::list_presets))
            .routes(routes!(tickets::unplated_entry))
            .routes(routes!(tickets::unplated_exit))
            .routes(routes!(lists::congestion))
            .routes(routes!(lists::openings)),
    )
}

/// The held event at a gate: its latest decision, if that holds and no
/// case about it was closed (关单) since.
async fn held(state: &AppState, lot: &str, gate: &str) -> Result<Option<DecisionRow>, ApiError> {
    let Some(hold) = decisions::latest_hold(state.db.pool(), lot, gate).await? else {
        return Ok(None);
    };
    if crate::db::cases::closed_since(state.db.pool(), lot, gate, hold.created_at).await? {
        return Ok(None);
    }
    Ok(Some(hold))
}

// ---------------------------------------------------------------- acting

/// What an agent's request came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Outcome {
    /// Whether the gate opens.
    pub opened: bool,
    /// The decision. When the policy does not let the agent open, it is the
    /// policy's answer (with the reason in its trace) and nothing changes.
    pub decision: Decision,
    /// The decision's id, when it was recorded and applied.
    pub decision_id: Option<String>,
    /// The held decision it replaces.
    pub supersedes: Option<String>,
    /// The opening recorded, when the gate opens.
    pub opening_id: Option<String>,
    /// The command sent to the robot.
    pub command_id: Option<String>,
    pub policy_version: Option<i64>,
    /// The orders the decision placed: what the driver pays.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<crate::api::orders::OrderView>,
}

impl Outcome {
    /// The policy's answer when it does not let the agent open: nothing is
    /// recorded.
    fn refused(evaluated: Evaluated) -> Outcome {
        Outcome {
            opened: false,
            decision: evaluated.decision,
            decision_id: None,
            supersedes: None,
            opening_id: None,
            command_id: None,
            policy_version: evaluated.version,
            orders: Vec::new(),
        }
    }
}

/// An agent at a gate: who, where, and what is held there.
struct Gatehouse<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    site: Site,
    /// The gate's held decision, which what the agent decides replaces.
    held: Option<DecisionRow>,
}

impl<'a> Gatehouse<'a> {
    /// The gate, if the caller may work it (404 otherwise, 403 for robots).
    async fn enter(
        state: &'a AppState,
        caller: &'a Caller,
        lot: &str,
        gate: &str,
    ) -> Result<Gatehouse<'a>, ApiError> {
        let lot = staff_lot(state, caller, lot).await?;
        let gate = fields::gate_of(state, &lot.id, gate).await?;
        let held = held(state, &lot.id, &gate.id).await?;
        Ok(Gatehouse {
            state,
            caller,
            site: Site { lot, gate },
            held,
        })
    }

    fn direction(&self) -> Direction {
        self.site.gate.direction
    }

    /// The plate the agent names, or else the held event's.
    fn plate(&self, given: Option<&str>) -> Result<Option<Plate>, ApiError> {
        match given {
            Some(raw) => fields::plate("plate", raw).map(Some),
            None => self
                .held
                .as_ref()
                .and_then(|d| d.plate.as_deref())
                .map(|p| fields::plate("plate", p))
                .transpose(),
        }
    }

    /// The vehicles inside of the held vehicle's monthly-pass account (seed
    /// 001 §2.3 B scene 5b: shown when its shared spaces are full).
    async fn account_vehicles(&self) -> Result<Vec<VehicleInside>, ApiError> {
        let plate = self.plate(None)?.ok_or_else(|| {
            ApiError::field(
                "display.kind",
                format!(
                    "no vehicle with a plate is held at gate `{}`: whose vehicles inside to show?",
                    self.site.gate.id
                ),
            )
        })?;
        let lot = &self.site.lot;
        let pool = self.state.db.pool();
        let Some(pass) = passes::monthly_pass(pool, &lot.id, &plate).await? else {
            return Err(ApiError::field(
                "display.kind",
                format!("`{plate}` has no monthly pass, so no account vehicles to show"),
            ));
        };
        let inside =
            passes::account_vehicles_inside(pool, &lot.id, &pass.account_id, &plate).await?;
        Ok(VehicleInside::list(&lot.zone, inside))
    }

    /// Decides for the vehicle at the gate now, as the agent asks, through
    /// the decision pipeline, and records the answer with the act (the
    /// opening and the visitor when the gate opens, the gate's cases
    /// resolved, the robot told). With [`Decider::PolicyIfOpen`], an answer
    /// that does not open changes nothing.
    async fn act(
        self,
        plate: Option<&Plate>,
        agent: Option<AgentAction>,
        decider: Decider,
        opening: Opening<'_>,
        visitor: Option<(&str, &str)>,
    ) -> Result<Outcome, ApiError> {
        let reading = Reading {
            plate: plate.cloned(),
            occurred_ms: self.state.clock.now_ms(),
            confidence: None,
            agent,
            vehicle_class: None,
        };
        let by = self.caller.label();
        let supersedes = self.held.map(|h| h.id);
        let act = AgentAct {
            by: &by,
            supersedes: supersedes.as_deref(),
            opening,
            visitor,
        };
        let outcome = pipeline::decide(
            self.state,
            &self.site,
            &reading,
            Origin::Agent(&act),
            decider,
        )
        .await?;
        match outcome {
            pipeline::Outcome::Recorded {
                evaluated,
                recorded,
                ..
            } => Ok(Outcome {
                orders: recorded
                    .orders
                    .into_iter()
                    .map(|o| {
                        let now = self.state.clock.now_ms();
                        crate::api::orders::OrderView::new(&self.site.lot, now, o)
                    })
                    .collect(),
                opened: evaluated.decision.is_open(),
                decision: evaluated.decision,
                decision_id: Some(recorded.decision_id),
                supersedes,
                opening_id: recorded.opening_id,
                command_id: recorded.command_id,
                policy_version: evaluated.version,
            }),
            pipeline::Outcome::Refused { evaluated } => Ok(Outcome::refused(*evaluated)),
            pipeline::Outcome::Received { .. } | pipeline::Outcome::Duplicate { .. } => {
                Err(anyhow::anyhow!("an agent's act is neither a retry nor a duplicate").into())
            }
        }
    }
}
