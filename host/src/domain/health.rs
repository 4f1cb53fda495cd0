//! How a robot is, from its latest heartbeat (PRODUCT.md P19): online,
//! degraded (a device down or on battery) or offline (no heartbeat within
//! `robot_offline_seconds`); and the gate's health as the policy sees it.

use boomgate_engine::sdk::{self, GateHealth};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::devices::HealthRow;
use crate::db::types::{DeviceState, Power};

/// A robot's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Heartbeats arrive and every device works.
    Online,
    /// Heartbeats arrive, but a device is down or the robot runs on its
    /// battery.
    Degraded,
    /// No heartbeat within the timeout (or none ever).
    Offline,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Online => "online",
            Status::Degraded => "degraded",
            Status::Offline => "offline",
        }
    }
}

/// Whether a heartbeat at `at` is recent at `now`.
fn fresh(at: i64, now: i64, offline_seconds: i64) -> bool {
    now - at <= offline_seconds.saturating_mul(1000)
}

/// A robot's state from its latest heartbeat, and what is wrong.
pub fn status(row: Option<&HealthRow>, now: i64, offline_seconds: i64) -> (Status, Vec<String>) {
    let Some(h) = row else {
        return (Status::Offline, vec!["no heartbeat yet".to_owned()]);
    };
    if !fresh(h.heartbeat_at, now, offline_seconds) {
        let silent = (now - h.heartbeat_at) / 1000;
        return (
            Status::Offline,
            vec![format!("no heartbeat for {silent} s")],
        );
    }
    let mut problems = Vec::new();
    for (device, state) in [
        ("lpr_camera", h.lpr_camera),
        ("environment_camera", h.environment_camera),
        ("barrier", h.barrier),
        ("display", h.display),
    ] {
        if state == DeviceState::Down {
            problems.push(format!("{device} down"));
        }
    }
    if h.power == Power::Battery {
        problems.push(match h.battery_percent {
            Some(p) => format!("on battery ({p}%)"),
            None => "on battery".to_owned(),
        });
    }
    if problems.is_empty() {
        (Status::Online, problems)
    } else {
        (Status::Degraded, problems)
    }
}

/// The gate's health for the policy: the licence-plate camera as its
/// robots' freshest heartbeat says (unknown when it is stale or there is
/// none), and the seconds since that heartbeat.
pub fn gate_health(
    latest: Option<(i64, DeviceState)>,
    now: i64,
    offline_seconds: i64,
) -> GateHealth {
    let Some((at, camera)) = latest else {
        return GateHealth::default();
    };
    // To the nearest second: a heartbeat 41.9 s old is 42 s old.
    let seconds = u32::try_from(((now - at + 500) / 1000).max(0)).unwrap_or(u32::MAX);
    let lpr_camera = match camera {
        _ if !fresh(at, now, offline_seconds) => sdk::DeviceState::Unknown,
        DeviceState::Up => sdk::DeviceState::Up,
        DeviceState::Down => sdk::DeviceState::Down,
        DeviceState::Absent => sdk::DeviceState::Unknown,
    };
    GateHealth {
        lpr_camera,
        seconds_since_heartbeat: Some(seconds),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(at: i64, camera: DeviceState, power: Power) -> HealthRow {
        HealthRow {
            lot_id: "lot".into(),
            robot_id: "r".into(),
            gate_id: "g".into(),
            heartbeat_at: at,
            power,
            battery_percent: Some(40),
            lpr_camera: camera,
            environment_camera: DeviceState::Up,
            barrier: DeviceState::Up,
            display: DeviceState::Up,
            app_version: None,
        }
    }

    #[test]
    fn a_robot_is_offline_past_the_timeout_and_degraded_with_a_device_down() {
        let up = beat(0, DeviceState::Up, Power::Mains);
        assert_eq!(status(Some(&up), 90_000, 90).0, Status::Online);
        let (s, why) = status(Some(&up), 90_001, 90);
        assert_eq!(
            (s, why),
            (Status::Offline, vec!["no heartbeat for 90 s".to_owned()])
        );
        assert_eq!(status(None, 0, 90).0, Status::Offline);
        let down = beat(0, DeviceState::Down, Power::Battery);
        let (s, why) = status(Some(&down), 1_000, 90);
        assert_eq!(s, Status::Degraded);
        assert_eq!(why, ["lpr_camera down", "on battery (40%)"]);
    }

    #[test]
    fn the_policy_sees_the_camera_only_from_a_fresh_heartbeat() {
        let h = gate_health(Some((0, DeviceState::Down)), 12_400, 90);
        assert_eq!(h.lpr_camera, sdk::DeviceState::Down);
        assert_eq!(h.seconds_since_heartbeat, Some(12));
        let stale = gate_health(Some((0, DeviceState::Down)), 91_000, 90);
        assert_eq!(stale.lpr_camera, sdk::DeviceState::Unknown);
        assert_eq!(stale.seconds_since_heartbeat, Some(91));
        assert_eq!(gate_health(None, 0, 90), GateHealth::default());
    }
}
