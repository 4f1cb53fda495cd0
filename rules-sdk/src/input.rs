//! What a policy is asked: one plate event and the facts the host knows about
//! the vehicle (the `input` of PRODUCT.md).

use serde::{Deserialize, Serialize};

use crate::plate::Plate;
use crate::time::{Date, Timestamp, days_expired};

/// The policy input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The plate read.
    pub event: Event,
    /// What the host knows about the vehicle.
    #[serde(default)]
    pub vehicle: Vehicle,
}

/// Which way a gate lets vehicles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Into the lot.
    Entry,
    /// Out of it.
    Exit,
}

crate::codes!(Direction, "direction", { Entry => "entry", Exit => "exit" });

/// What a remote agent asks of the policy for the vehicle at the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgentAction {
    /// Open the gate, if the policy lets an agent open it for this vehicle.
    Open,
    /// The agent registered the driver as a visitor (the management
    /// office's confirmation).
    VisitorConfirmed,
}

/// One licence-plate read at a gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The lot.
    pub lot_id: String,
    /// The gate the robot stands at.
    pub gate_id: String,
    /// The gate's direction.
    pub direction: Direction,
    /// `None` when the vehicle has no plate or the camera could not read it.
    pub plate: Option<Plate>,
    /// In the lot's local offset.
    pub occurred_at: Timestamp,
    /// The camera's confidence in the read, 0 to 1, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Set when a remote agent, not the robot, asks for the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentAction>,
    /// The gate's health when the plate was read (unknown when the host
    /// has no heartbeat from its robot).
    #[serde(default, skip_serializing_if = "GateHealth::is_unknown")]
    pub gate_health: GateHealth,
}

/// How a device at the gate is, as its robot's heartbeats tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    /// Working.
    Up,
    /// Reported failing.
    Down,
    /// No heartbeat says.
    #[default]
    Unknown,
}

crate::codes!(DeviceState, "device state", {
    Up => "up",
    Down => "down",
    Unknown => "unknown",
});

/// What the host knows of the gate's robot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GateHealth {
    /// The licence-plate camera.
    #[serde(default)]
    pub lpr_camera: DeviceState,
    /// Seconds since the robot's last heartbeat; `None` when it has sent
    /// none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_since_heartbeat: Option<u32>,
}

impl GateHealth {
    /// Whether nothing is known of the gate (no heartbeat).
    pub fn is_unknown(&self) -> bool {
        *self == GateHealth::default()
    }

    /// Whether the plate camera is reported down.
    pub fn camera_down(&self) -> bool {
        self.lpr_camera == DeviceState::Down
    }
}

/// What the host knows about the vehicle whose plate was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Vehicle {
    /// The vehicle's class (`small`, `large`, `motorcycle`, `new-energy`,
    /// ...), when the camera or the registry knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The plate's monthly pass in this lot, if any.
    #[serde(default)]
    pub monthly_pass: Option<MonthlyPass>,
    /// The plate's app parking pass, if any.
    #[serde(default)]
    pub parking_pass: Option<ParkingPass>,
    /// The plate's open stay in this lot: at an exit, the stay to bill; at
    /// an entry, a stay whose exit was missed.
    #[serde(default)]
    pub session: Option<Session>,
    /// Discounts granted to the open stay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<Discount>,
    /// What the plate still owes from earlier stays (unpaid orders, such as
    /// a missed exit's fee), in minor units.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub owed: u64,
    /// The plate's stays that ended within the window the policy asks for
    /// ([`Needs::history_minutes`](crate::Needs)), newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_stays: Vec<EarlierStay>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What a discount takes off a stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DiscountValue {
    /// Minutes not billed.
    Minutes {
        /// How many.
        minutes: u32,
    },
    /// An amount off the fee.
    Amount {
        /// In minor units.
        amount: u64,
    },
}

/// A discount granted to a stay: a merchant validation, a coupon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Discount {
    /// Who granted it, e.g. `mall-cinema`.
    pub source: String,
    /// What it takes off.
    pub value: DiscountValue,
}

/// An earlier stay of the plate in this lot, closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EarlierStay {
    /// When it entered, lot-local.
    pub entered_at: Timestamp,
    /// When it left, lot-local.
    pub left_at: Timestamp,
    /// How it was billed.
    pub billing: Billing,
    /// What was paid for it, in minor units.
    #[serde(default)]
    pub paid_amount: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
/// A monthly pass and its account's spaces.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MonthlyPass {
    /// The last local date on which the pass is valid.
    pub valid_until: Date,
    /// How many spaces the pass's account holds.
    pub spaces: u32,
    /// The *other* vehicles of the account inside now.
    pub vehicles_inside: u32,
}

impl MonthlyPass {
    /// Days the pass has expired on `today`: 1 the day after `valid_until`,
    /// 0 or less while valid.
    pub fn days_expired(&self, today: Date) -> i64 {
        days_expired(self.valid_until, today)
    }

    /// Whether the account's spaces are all taken by its other vehicles.
    pub fn spaces_full(&self) -> bool {
        self.vehicles_inside >= self.spaces
    }
}

/// The app parking pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ParkingPass {
    /// Whether the car is registered for it.
    pub registered: bool,
    /// The parker's own choice whether a pick is made at every entry (the
    /// app's "주차패스 픽 자동생성"); `None`: the lot's settings decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_pick: Option<bool>,
}

/// How a stay is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// Covered by a monthly pass.
    Monthly,
    /// Paid by the stay (a visitor, a full account, a lapsed pass).
    Temporary,
    /// Not charged (an exempted vehicle).
    Free,
}

crate::codes!(Billing, "billing", {
    Monthly => "monthly",
    Temporary => "temporary",
    Free => "free",
});

/// An open stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// When the vehicle entered, lot-local.
    pub entered_at: Timestamp,
    /// How the stay is billed.
    pub billing: Billing,
    /// Already paid, in the currency's minor unit.
    #[serde(default)]
    pub paid_amount: u64,
    /// When the last payment was made.
    #[serde(default)]
    pub paid_at: Option<Timestamp>,
    /// The stay is paid up to this instant: when the order its last payment
    /// paid was priced. Time after it is billed again once the payment
    /// grace runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_until: Option<Timestamp>,
    /// Whether the stay has an app parking-pass pick.
    #[serde(default)]
    pub pick: bool,
}

impl Input {
    /// The local date of the event.
    pub fn today(&self) -> Date {
        self.event.occurred_at.local_date()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_product_example() {
        let input: Input = serde_json::from_str(
            r#"{
              "event": { "lot_id": "lot-1", "gate_id": "north-exit", "direction": "exit",
                         "plate": "粤B12345", "occurred_at": "2026-11-22T08:15:02+08:00" },
              "vehicle": {
                "monthly_pass": { "valid_until": "2026-11-20", "spaces": 1, "vehicles_inside": 0 },
                "parking_pass": { "registered": true },
                "session": { "entered_at": "2026-11-22T06:01:00+08:00", "billing": "temporary",
                             "paid_amount": 0, "paid_at": null, "pick": false }
              }
            }"#,
        )
        .unwrap();
        let pass = input.vehicle.monthly_pass.unwrap();
        assert_eq!(pass.days_expired(input.today()), 2);
        assert_eq!(input.event.plate.unwrap().as_str(), "粤B12345");
    }

    #[test]
    fn names_the_unknown_field() {
        let e = serde_json::from_str::<Vehicle>(r#"{"monthly_pas": null}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `monthly_pas`"), "{e}");
    }
}
