//! The policy input, assembled from what the database knows: the pass and
//! how many of its account's vehicles are inside, the app parking pass, the
//! open stay with its payments, all on the lot's wall clock.

use boomgate_engine::sdk::{
    AgentAction, Event, Input, MonthlyPass, ParkingPass, Plate, Session, Vehicle,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::input::Facts;
use crate::db::lots::{GateRow, LotRow};
use crate::db::passes::InsideRow;
use crate::domain::zone::LotZone;

/// What is read at a gate: by a robot's camera, or by an agent.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The plate, or none when there is none or it cannot be read.
    pub plate: Option<Plate>,
    /// When, in Unix milliseconds.
    pub occurred_ms: i64,
    /// The camera's confidence.
    pub confidence: Option<f32>,
    /// What an agent asks of the policy.
    pub agent: Option<AgentAction>,
    /// The vehicle's class as the camera tells it (plate colour or type).
    pub vehicle_class: Option<String>,
}

/// The policy input for `reading` at `gate` of `lot`, from `facts`.
/// The input a policy decides on. `offline_seconds` says how old a
/// heartbeat may be for the gate's camera state to count.
pub fn assemble(
    lot: &LotRow,
    gate: &GateRow,
    reading: &Reading,
    facts: &Facts,
    offline_seconds: i64,
) -> Input {
    let zone = &lot.zone;
    let mut vehicle = Vehicle::default();
    if let Some(pass) = &facts.pass {
        vehicle.monthly_pass = Some(MonthlyPass {
            valid_until: pass.valid_until,
            spaces: pass.spaces,
            vehicles_inside: facts.account_inside,
        });
    }
    if let Some(auto_pick) = facts.parking_pass {
        vehicle.parking_pass = Some(ParkingPass {
            registered: true,
            auto_pick,
        });
    }
    // At an exit, the stay to bill; at an entry, a stay whose exit was
    // missed.
    if let Some(stay) = &facts.session {
        vehicle.session = Some(Session {
            entered_at: zone.local(stay.entered_at),
            billing: stay.billing,
            paid_amount: stay.paid_amount,
            paid_at: stay.paid_at.map(|t| zone.local(t)),
            settled_until: stay.settled_until.map(|t| zone.local(t)),
            pick: stay.pick_id.is_some(),
        });
    }
    vehicle.owed = facts.owed;
    // The camera's reading first, then what the stay was entered with,
    // then the pass registry.
    vehicle.class = reading
        .vehicle_class
        .clone()
        .or_else(|| facts.session.as_ref().and_then(|s| s.vehicle_class.clone()))
        .or_else(|| facts.pass.as_ref().and_then(|p| p.vehicle_class.clone()));
    Input {
        event: Event {
            lot_id: lot.id.clone(),
            gate_id: gate.id.clone(),
            direction: gate.direction,
            plate: reading.plate.clone(),
            occurred_at: zone.local(reading.occurred_ms),
            confidence: reading.confidence,
            agent: reading.agent,
            gate_health: crate::domain::health::gate_health(
                facts.health,
                reading.occurred_ms,
                offline_seconds,
            ),
        },
        vehicle,
    }
}

/// A vehicle of the same account inside the lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VehicleInside {
    pub plate: String,
    /// RFC 3339, the lot's local time.
    pub entered_at: String,
}

impl VehicleInside {
    /// The vehicles inside as the robot shows them.
    pub fn list(zone: &LotZone, rows: Vec<InsideRow>) -> Vec<VehicleInside> {
        rows.into_iter()
            .map(|row| VehicleInside {
                plate: row.plate,
                entered_at: zone.local(row.entered_at).to_string(),
            })
            .collect()
    }
}
