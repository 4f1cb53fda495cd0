//! What a policy answers: the gate, what the robot says and shows, the light,
//! the fee due and the records to create (the `decision` of PRODUCT.md), with
//! builders so a rule reads like the table row it implements.

use serde::{Deserialize, Serialize};

use crate::input::Billing;
use crate::money::Money;

/// The reason codes of PRODUCT.md. Policies may add their own.
pub mod reason {
    /// A valid monthly pass (entry with a free space, or exit).
    pub const MONTHLY_PASS_VALID: &str = "monthly_pass_valid";
    /// No plate read at an entry.
    pub const UNPLATED_ENTRY: &str = "unplated_entry";
    /// No plate read at an exit.
    pub const UNPLATED_EXIT: &str = "unplated_exit";
    /// An expired pass within its renewal window: renew to pass.
    pub const MONTHLY_PASS_EXPIRED_RENEW: &str = "monthly_pass_expired_renew";
    /// An expired pass within its open window at the exit: a reminder.
    pub const MONTHLY_PASS_EXPIRED_REMINDER: &str = "monthly_pass_expired_reminder";
    /// A pass expired beyond its renewal window: the stay is billed as temporary.
    pub const MONTHLY_PASS_LAPSED: &str = "monthly_pass_lapsed";
    /// A visitor at a lot that needs the management office to confirm visitors.
    pub const VISITOR_CONFIRMATION_REQUIRED: &str = "visitor_confirmation_required";
    /// A visitor admitted.
    pub const VISITOR_WELCOME: &str = "visitor_welcome";
    /// The pass's account has no free space and visitors need confirmation.
    pub const SHARED_SPACES_FULL: &str = "shared_spaces_full";
    /// The pass's account has no free space; admitted as a visitor.
    pub const SHARED_SPACES_FULL_VISITOR: &str = "shared_spaces_full_visitor";
    /// A fee is due before the exit opens.
    pub const PAYMENT_REQUIRED: &str = "payment_required";
    /// Nothing more is due: the stay is paid.
    pub const PAID: &str = "paid";
    /// A stay within the free minutes.
    pub const FREE_PERIOD: &str = "free_period";
    /// The fee is charged to the stay's app parking-pass pick.
    pub const PICK_AUTOPAY: &str = "pick_autopay";
    /// A plate read at an exit with no stay and no valid pass.
    pub const NO_ENTRY_RECORD: &str = "no_entry_record";
    /// The host's safe answer when a policy fails: hold and escalate.
    pub const POLICY_FAULT: &str = "policy_fault";
    /// The host's safe answer when its storage fails (down, hung, full) and
    /// the decision cannot be recorded: hold and escalate.
    pub const STORAGE_FAULT: &str = "storage_fault";

    /// Every code above: a policy's own codes are not among them (the
    /// service's metrics count those as `other`, keeping the label bounded).
    pub const ALL: &[&str] = &[
        MONTHLY_PASS_VALID,
        UNPLATED_ENTRY,
        UNPLATED_EXIT,
        MONTHLY_PASS_EXPIRED_RENEW,
        MONTHLY_PASS_EXPIRED_REMINDER,
        MONTHLY_PASS_LAPSED,
        VISITOR_CONFIRMATION_REQUIRED,
        VISITOR_WELCOME,
        SHARED_SPACES_FULL,
        SHARED_SPACES_FULL_VISITOR,
        PAYMENT_REQUIRED,
        PAID,
        FREE_PERIOD,
        PICK_AUTOPAY,
        NO_ENTRY_RECORD,
        POLICY_FAULT,
        STORAGE_FAULT,
    ];
}

/// What the robot says when its policy cannot decide (the fallback decision).
pub const FALLBACK_VOICE: &str = "系统繁忙，正在为您联系客服";

/// What the robot shows when its policy cannot decide (the fallback decision).
pub const FALLBACK_TEXT: &str = "请稍候，正在联系客服";

/// Whether the barrier opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Open the barrier.
    Open,
    /// Keep it down.
    Hold,
}

crate::codes!(Gate, "gate state", { Open => "open", Hold => "hold" });

/// The robot's light strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// Proceed (or follow the prompt).
    Green,
    /// Attention: the driver must act or call.
    Yellow,
    /// Stop.
    Red,
}

/// Which QR code the display shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QrCode {
    /// Scan to enter without a plate.
    UnplatedEntry,
    /// Scan to pay and leave without a plate.
    UnplatedExit,
    /// Scan to renew the monthly pass.
    MonthlyRenewal,
    /// Scan to pay the stay and leave.
    QuickExit,
}

impl QrCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            QrCode::UnplatedEntry => "unplated_entry",
            QrCode::UnplatedExit => "unplated_exit",
            QrCode::MonthlyRenewal => "monthly_renewal",
            QrCode::QuickExit => "quick_exit",
        }
    }
}

/// What the robot shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Display {
    /// A smiling face.
    Smile,
    /// A QR code.
    Qr {
        /// Which one.
        qr: QrCode,
    },
    /// A text.
    Text {
        /// What it says.
        text: String,
    },
    /// The account's vehicles inside, with their entry photos.
    VehiclesInside,
    /// Ask for an ID document at the ID camera.
    IdPrompt,
}

impl Display {
    /// Shows a QR code.
    pub fn qr(code: QrCode) -> Self {
        Display::Qr { qr: code }
    }

    /// Shows a text.
    pub fn text(text: impl Into<String>) -> Self {
        Display::Text { text: text.into() }
    }
}

/// What an order is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// The fee of a stay.
    Temporary,
    /// Renewing a monthly pass.
    MonthlyRenewal,
}

crate::codes!(OrderKind, "order kind", {
    Temporary => "temporary",
    MonthlyRenewal => "monthly_renewal",
});

/// A record the host creates or changes with the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    /// Open a stay (entry).
    OpenSession {
        /// How the stay is billed.
        billing: Billing,
    },
    /// Close the vehicle's stay (exit).
    CloseSession,
    /// Create an order for the driver to pay.
    CreateOrder {
        /// What it is for.
        order: OrderKind,
        /// In minor units, when known.
        #[serde(default)]
        amount: Option<u64>,
        /// Of `amount`, what the plate owed from earlier stays
        /// ([`Vehicle::owed`](crate::Vehicle)); paying the order settles
        /// those too.
        #[serde(default, skip_serializing_if = "is_zero")]
        owed: u64,
    },
    /// Create an app parking-pass pick for the stay being opened.
    CreatePick,
    /// Charge the stay's pick.
    ChargePick {
        /// In minor units.
        amount: u64,
    },
    /// Hand the case to the remote agents.
    Escalate,
    /// At an entry: the open stay's exit was missed. Close it and leave
    /// `amount` (its fee) owed by the plate as an unpaid order.
    MissedExit {
        /// In minor units.
        amount: u64,
    },
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Effect {
    /// An order of `kind` for `amount`, owing nothing from earlier stays.
    pub fn order(kind: OrderKind, amount: Option<u64>) -> Effect {
        Effect::CreateOrder {
            order: kind,
            amount,
            owed: 0,
        }
    }

    /// The effect's `kind` as it appears in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::OpenSession { .. } => "open_session",
            Effect::CloseSession => "close_session",
            Effect::CreateOrder { .. } => "create_order",
            Effect::CreatePick => "create_pick",
            Effect::ChargePick { .. } => "charge_pick",
            Effect::Escalate => "escalate",
            Effect::MissedExit { .. } => "missed_exit",
        }
    }
}

/// A prompt an agent pushes to the robot with one click (seed 001 §2.3):
/// what the robot says and shows, in the lot's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Prompt {
    /// The prompt's name, e.g. `renewal_qr`, `id_prompt`, `farewell`.
    pub name: String,
    /// What the robot says.
    pub voice: String,
    /// What the robot shows.
    pub display: Display,
    /// The light.
    pub light: Light,
}

/// The answer for one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Open or hold.
    pub gate: Gate,
    /// A reason code, e.g. `payment_required`.
    pub reason: String,
    /// What the robot says.
    pub voice: String,
    /// What the robot shows.
    pub display: Display,
    /// The light.
    pub light: Light,
    /// What is due now.
    pub fee: Option<Money>,
    /// Records the host creates or changes with the decision.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Lines that explain the decision to an agent.
    #[serde(default)]
    pub trace: Vec<String>,
}

impl Decision {
    /// Open the gate for `reason`; smile, green light, nothing said yet.
    pub fn open(reason: impl Into<String>) -> Self {
        Self::new(Gate::Open, reason.into())
    }

    /// Hold the gate for `reason`; smile, green light, nothing said yet.
    pub fn hold(reason: impl Into<String>) -> Self {
        Self::new(Gate::Hold, reason.into())
    }

    fn new(gate: Gate, reason: String) -> Self {
        Decision {
            gate,
            reason,
            voice: String::new(),
            display: Display::Smile,
            light: Light::Green,
            fee: None,
            effects: Vec::new(),
            trace: Vec::new(),
        }
    }

    /// The safe answer when a policy cannot decide, in the words every part
    /// of boomgate uses ([`FALLBACK_VOICE`], [`FALLBACK_TEXT`]): hold, yellow,
    /// hand the case to an agent, and say why in the trace.
    pub fn fallback(why: impl Into<String>) -> Self {
        Decision::fault(FALLBACK_VOICE, FALLBACK_TEXT, why)
    }

    /// The safe answer when a policy cannot decide, in other words (a host
    /// configured to say something else): hold, yellow, hand the case to an
    /// agent, and say why in the trace.
    pub fn fault(
        voice: impl Into<String>,
        text: impl Into<String>,
        why: impl Into<String>,
    ) -> Self {
        Decision::hold(reason::POLICY_FAULT)
            .voice(voice)
            .display(Display::text(text))
            .light(Light::Yellow)
            .effect(Effect::Escalate)
            .trace(why)
    }

    /// Says `voice`.
    pub fn voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = voice.into();
        self
    }

    /// Shows `display`.
    pub fn display(mut self, display: Display) -> Self {
        self.display = display;
        self
    }

    /// Lights `light`.
    pub fn light(mut self, light: Light) -> Self {
        self.light = light;
        self
    }

    /// States the fee due now.
    pub fn fee(mut self, fee: Money) -> Self {
        self.fee = Some(fee);
        self
    }

    /// Adds an effect.
    pub fn effect(mut self, effect: Effect) -> Self {
        self.effects.push(effect);
        self
    }

    /// Adds a trace line.
    pub fn trace(mut self, line: impl Into<String>) -> Self {
        self.trace.push(line.into());
        self
    }

    /// Whether the gate opens.
    pub fn is_open(&self) -> bool {
        self.gate == Gate::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn writes_the_product_json_shape() {
        let d = Decision::hold(reason::PAYMENT_REQUIRED)
            .voice("请扫码缴费后出场")
            .display(Display::qr(QrCode::QuickExit))
            .fee(Money::new(800, Currency::CNY))
            .effect(Effect::order(OrderKind::Temporary, Some(800)))
            .trace("temporary stay of 2h14m");
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "gate": "hold", "reason": "payment_required", "voice": "请扫码缴费后出场",
                "display": { "kind": "qr", "qr": "quick_exit" }, "light": "green",
                "fee": { "amount": 800, "currency": "CNY" },
                "effects": [ { "kind": "create_order", "order": "temporary", "amount": 800 } ],
                "trace": [ "temporary stay of 2h14m" ]
            })
        );
        assert_eq!(serde_json::from_value::<Decision>(json).unwrap(), d);
    }

    #[test]
    fn display_and_effects_read_their_tagged_forms() {
        let d: Display =
            serde_json::from_str(r#"{"kind":"text","text":"该车场禁止临停"}"#).unwrap();
        assert_eq!(d, Display::text("该车场禁止临停"));
        let e: Effect =
            serde_json::from_str(r#"{"kind":"open_session","billing":"monthly"}"#).unwrap();
        assert_eq!(
            e,
            Effect::OpenSession {
                billing: Billing::Monthly
            }
        );
        let e: Effect =
            serde_json::from_str(r#"{"kind":"create_order","order":"monthly_renewal"}"#).unwrap();
        assert_eq!(e, Effect::order(OrderKind::MonthlyRenewal, None));
        let e: Effect = serde_json::from_str(
            r#"{"kind":"create_order","order":"temporary","amount":1300,"owed":500}"#,
        )
        .unwrap();
        assert_eq!(
            e,
            Effect::CreateOrder {
                order: OrderKind::Temporary,
                amount: Some(1300),
                owed: 500
            }
        );
        let e: Effect = serde_json::from_str(r#"{"kind":"missed_exit","amount":300}"#).unwrap();
        assert_eq!(e, Effect::MissedExit { amount: 300 });
        assert!(serde_json::from_str::<Effect>(r#"{"kind":"launch"}"#).is_err());
    }
}
