//! The standard lot's settings: what an operator decides per lot.

use std::collections::BTreeMap;

use boomgate_rules_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::voice::{Say, VOICE_KEYS};

/// The longest voice line accepted, in characters.
pub const MAX_VOICE_CHARS: usize = 200;

/// Settings of the standard lot policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The lot's currency; amounts are in its minor unit (fen for CNY).
    pub currency: Currency,
    /// The language of voice lines, display texts and fee text.
    #[serde(default = "default_locale")]
    pub locale: Locale,
    /// Whether a visitor (no valid pass) needs the management office's
    /// confirmation to enter. On: the entry holds and says so. Off: visitors
    /// enter and pay at the exit.
    pub visitor_confirmation: bool,
    /// Whether a visitor whose car is registered for the app parking pass gets
    /// a pick (an app parking session paid automatically at exit) on entry;
    /// a parker's own choice in the app comes first.
    #[serde(default)]
    pub auto_pick: bool,
    /// What an entry does when the plate's earlier stay is still open (its
    /// exit was missed). `close` (the default): the earlier stay closes as
    /// `exit_missed` and its fee is left owed by the plate, then the entry
    /// is decided as usual. `hold`: the entry holds and an agent resolves it.
    #[serde(default)]
    pub missed_exit: MissedExit,
    /// Whether an exit collects what the plate still owes from earlier stays
    /// (a missed exit's fee) with the stay's own fee. Off: it is left to the
    /// agents.
    #[serde(default = "default_true")]
    pub collect_owed: bool,
    /// What a read with no plate does while the gate's licence-plate camera
    /// is reported down (`event.gate_health.lpr_camera` is `down`). A read
    /// that still carries a plate is decided as read: the plate shows the
    /// camera works, whatever the last heartbeat said.
    #[serde(default)]
    pub lpr_camera_down: LprCameraDown,
    /// How long an expired monthly pass keeps some of its privileges.
    pub monthly_pass: PassWindows,
    /// The temporary-parking tariff: the seed's schedule, or bands, tiers,
    /// calendars, caps and classes (see `boomgate_rules_sdk::tariff`).
    pub fees: boomgate_rules_sdk::tariff::Fees,
    /// After paying in full, a vehicle has this many minutes to leave without
    /// paying more.
    pub payment_grace_minutes: u32,
    /// Voice lines to say instead of the defaults, keyed by reason code
    /// (`payment_required`) or by direction and reason
    /// (`entry.monthly_pass_valid`), the latter taking precedence.
    #[serde(default)]
    #[cfg_attr(test, schemars(schema_with = "voice_schema"))]
    pub voice: BTreeMap<String, String>,
}

/// Windows, in days expired, of an expired monthly pass. Day 1 is the day
/// after the pass's last valid date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PassWindows {
    /// Up to this many days expired, the entry holds and shows the renewal
    /// code; later the vehicle is a visitor.
    pub entry_renewal_days: u32,
    /// Up to this many days expired, the exit opens with a reminder.
    pub exit_open_days: u32,
    /// Past `exit_open_days` and up to this many days expired, the exit holds
    /// for renewal; later the pass has lapsed and the stay is billed as
    /// temporary.
    pub exit_renewal_days: u32,
    /// Up to this many days expired, a remote agent may open for the pass:
    /// it enters as a temporary stay, or leaves.
    #[serde(default = "default_agent_open_days")]
    pub agent_open_days: u32,
}

fn default_agent_open_days() -> u32 {
    3
}

fn default_true() -> bool {
    true
}

/// What an entry does when the plate's earlier stay is still open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MissedExit {
    /// Close the earlier stay as `exit_missed`, its fee left owed, and
    /// decide the entry as usual.
    #[default]
    Close,
    /// Hold the entry and hand it to an agent.
    Hold,
}

/// What a read with no plate does while the gate's licence-plate camera is
/// reported down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LprCameraDown {
    /// At an entry. `unplated_qr` (the default): hold with the unplated-entry
    /// code, so the driver scans in. `as_read`: decide as for any read
    /// without a plate (`unplated_entry`).
    #[serde(default)]
    pub entry: CameraDownEntry,
    /// At an exit. `quick_exit_qr` (the default): hold with the quick-exit
    /// code, where the driver pays by plate. `as_read`: decide as for any
    /// read without a plate (`unplated_exit`).
    #[serde(default)]
    pub exit: CameraDownExit,
    /// Whether an entry held with the unplated-entry code because the camera
    /// is down is handed to the agents.
    #[serde(default)]
    pub escalate_entry: bool,
    /// Whether an exit held with the quick-exit code because the camera is
    /// down is handed to the agents.
    #[serde(default = "default_true")]
    pub escalate_exit: bool,
}

impl Default for LprCameraDown {
    fn default() -> Self {
        LprCameraDown {
            entry: CameraDownEntry::default(),
            exit: CameraDownExit::default(),
            escalate_entry: false,
            escalate_exit: true,
        }
    }
}

/// What an entry read with no plate does while the camera is down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CameraDownEntry {
    /// Hold with the unplated-entry code (`lpr_camera_down`).
    #[default]
    UnplatedQr,
    /// Decide as for any read without a plate (`unplated_entry`).
    AsRead,
}

/// What an exit read with no plate does while the camera is down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CameraDownExit {
    /// Hold with the quick-exit code (`lpr_camera_down`).
    #[default]
    QuickExitQr,
    /// Decide as for any read without a plate (`unplated_exit`).
    AsRead,
}

fn default_locale() -> Locale {
    Locale::ZhCn
}

impl Settings {
    /// Checks what the schema cannot.
    pub fn check(&self) -> Result<(), SettingsError> {
        self.fees.check("fees")?;
        let w = &self.monthly_pass;
        if w.exit_open_days > w.exit_renewal_days {
            return Err(SettingsError::new(
                "monthly_pass.exit_open_days",
                format!(
                    "must not exceed `monthly_pass.exit_renewal_days` ({})",
                    w.exit_renewal_days
                ),
            ));
        }
        for (key, line) in &self.voice {
            if !VOICE_KEYS.contains(&key.as_str()) {
                return Err(SettingsError::new(
                    format!("voice.{key}"),
                    "is not a voice line of this policy (see the settings schema for the keys)",
                ));
            }
            if line.chars().count() > MAX_VOICE_CHARS {
                return Err(SettingsError::new(
                    format!("voice.{key}"),
                    format!("is longer than {MAX_VOICE_CHARS} characters"),
                ));
            }
        }
        Ok(())
    }

    /// The voice line for `say` at `direction`: the operator's, else the
    /// default in the lot's locale.
    pub fn voice(&self, direction: Direction, say: Say) -> String {
        match self.voice_override(Some(direction), say) {
            Some(line) => line.to_owned(),
            None => say.line(self.locale, direction).to_owned(),
        }
    }

    /// The operator's line for `say`: at `direction`, the key qualified by
    /// it first, then the bare key; with no direction, the bare key only.
    pub fn voice_override(&self, direction: Option<Direction>, say: Say) -> Option<&str> {
        if self.voice.is_empty() {
            return None;
        }
        let code = say.code();
        direction
            .and_then(|d| self.voice.get(&format!("{}.{code}", d.as_str())))
            .or_else(|| self.voice.get(code))
            .map(String::as_str)
    }
}

#[cfg(test)]
fn voice_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "Voice lines to say instead of the defaults, keyed by reason code (`payment_required`) or by direction and reason (`entry.monthly_pass_valid`), the latter taking precedence.",
        "type": "object",
        "propertyNames": { "enum": VOICE_KEYS },
        "additionalProperties": { "type": "string", "maxLength": MAX_VOICE_CHARS },
        "default": {}
    })
}
