//! The host's own stored codes (who a token is for, how a stay ended, where
//! an order stands, ...). Each is stored as its word and decodes back into
//! the enum, or fails with the column and the word named: a stored value is
//! never guessed. The interface's codes (direction, billing, order kind,
//! gate state) are the SDK's enums, decoded with `#[sqlx(try_from =
//! "String")]`.

use boomgate_engine::sdk::code::UnknownCode;
use sqlx::any::{AnyTypeInfo, AnyValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Any, Database, Decode, Encode, Type};

macro_rules! stored {
    ($(
        $(#[$doc:meta])*
        $ty:ident, $what:literal { $( $(#[$vdoc:meta])* $variant:ident => $code:literal ),+ $(,)? }
    )*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $ty {
            $( $(#[$vdoc])* $variant ),+
        }

        impl $ty {
            /// Every value.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stored word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $code),+
                }
            }
        }

        impl ::core::str::FromStr for $ty {
            type Err = UnknownCode;

            fn from_str(code: &str) -> Result<Self, UnknownCode> {
                match code {
                    $($code => Ok($ty::$variant),)+
                    _ => Err(UnknownCode {
                        what: $what,
                        code: code.to_owned(),
                        expected: &[$($code),+],
                    }),
                }
            }
        }

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Type<Any> for $ty {
            fn type_info() -> AnyTypeInfo {
                <str as Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <str as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for $ty {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let word = <&str as Decode<'r, Any>>::decode(value)?;
                Ok(word.parse::<$ty>()?)
            }
        }

        impl<'q> Encode<'q, Any> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut <Any as Database>::ArgumentBuffer,
            ) -> Result<IsNull, BoxDynError> {
                <&str as Encode<'q, Any>>::encode(self.as_str(), buf)
            }
        }
    )*};
}

stored! {
    /// Who a token is for.
    Role, "token role" {
        /// A lot owner: their lots.
        Owner => "owner",
        /// A gate robot: its gate.
        Robot => "robot",
        /// A remote agent: the lots it serves.
        Agent => "agent",
        /// The payment system: posts payments and reads orders, in its lots.
        Payments => "payments",
        /// The app platform (seed 000): tells whether a registered car is
        /// parked and confirms its pick, in its lots.
        App => "app",
        /// The telephony system: reports the calls that ring agents' seats.
        Telephony => "telephony",
        /// A merchant: grants discounts to stays, in its lots.
        Merchant => "merchant",
    }

    /// Who or what ended a stay.
    ClosedBy, "stay closer" {
        /// The exit robot, by the policy's decision.
        Robot => "robot",
        /// An agent (or owner): an opening, or the exit at a stated time.
        Agent => "agent",
        /// A new entry of the same plate closed it (by a policy of
        /// `boomgate:policy@0.1.0`, before missed exits were priced).
        Reentry => "reentry",
        /// A new entry of the same plate: the exit was missed; its fee was
        /// left owed.
        ExitMissed => "exit_missed",
    }

    /// Where an order stands.
    OrderStatus, "order status" {
        /// Waiting to be paid.
        Pending => "pending",
        /// Paid.
        Paid => "paid",
        /// Cancelled by an owner or agent.
        Cancelled => "cancelled",
        /// Superseded by an order at a newer price for the same stay.
        Replaced => "replaced",
    }

    /// What a payment paid.
    PaymentKind, "payment kind" {
        /// The fee of a stay.
        Temporary => "temporary",
        /// A monthly pass renewed.
        MonthlyRenewal => "monthly_renewal",
        /// A stay's fee charged to its app parking-pass pick.
        Pick => "pick",
    }

    /// Where an app parking-pass pick stands.
    PickStatus, "pick status" {
        /// Made at entry (or by an agent), not yet charged.
        Open => "open",
        /// The stay's fee was charged to it.
        Charged => "charged",
    }

    /// Who caused a decision.
    Source, "decision source" {
        /// A robot's plate event.
        Robot => "robot",
        /// An agent's (or owner's) act at a gate.
        Agent => "agent",
    }

    /// How a person opened a gate.
    OpeningKind, "opening kind" {
        /// The policy let the agent open.
        Normal => "normal",
        /// Opened regardless, for a reason, with evidence.
        Abnormal => "abnormal",
        /// A registered visitor was let in.
        Visitor => "visitor",
        /// The held event was decided again with a corrected plate or the
        /// matched entry.
        Correction => "correction",
        /// An unplated vehicle's driver scanned the gate's code: its ticket
        /// was decided as its plate.
        Ticket => "ticket",
    }

    /// What a camera at a robot films.
    CameraKind, "camera kind" {
        /// The environment camera: the gate's scene (seed 001 §2.1.2).
        Environment => "environment",
        /// The robot's ID camera: a driver's document held up to it.
        Id => "id",
    }

    /// What a robot's capture shows.
    CaptureKind, "capture kind" {
        /// A snapshot of the gate's scene.
        Scene => "scene",
        /// A document held up to the ID camera.
        IdCard => "id_card",
    }

    /// What powers a robot.
    Power, "power source" {
        /// The mains.
        Mains => "mains",
        /// Its battery (a power cut).
        Battery => "battery",
    }

    /// How a device of a robot is, as its heartbeat says.
    DeviceState, "device state" {
        /// Working.
        Up => "up",
        /// Not working.
        Down => "down",
        /// Not fitted.
        Absent => "absent",
    }

    /// What opened a case.
    CaseOrigin, "case origin" {
        /// The robot's call button.
        CallButton => "call_button",
        /// A decision that escalated.
        Escalation => "escalation",
        /// A phone call to a seat from a robot's number.
        Call => "call",
        /// An agent, at the desk.
        Agent => "agent",
    }

    /// How a case ended (关单).
    CaseOutcome, "case outcome" {
        /// The gate was opened (by the policy or a person).
        Opened => "opened",
        /// The driver paid and left.
        Paid => "paid",
        /// The vehicle was not let through and left.
        TurnedAway => "turned_away",
        /// Nobody answered or the caller hung up.
        NoAnswer => "no_answer",
        /// Otherwise resolved: the note says how.
        Resolved => "resolved",
        /// A commissioning test.
        Test => "test",
    }

    /// What was done on a case.
    CaseActKind, "case act" {
        /// The case was opened.
        Opened => "opened",
        /// A decision at the gate escalated.
        Escalated => "escalated",
        /// A phone call reached a seat.
        Called => "called",
        /// An agent took the case.
        Answered => "answered",
        /// The held event was decided again with a corrected plate.
        Correct => "correct",
        /// An agent opened the gate (or asked to).
        Open => "open",
        /// A visitor was registered.
        Visitor => "visitor",
        /// The exit was matched to an entry.
        Match => "match",
        /// Something was pushed to the robot's display.
        Display => "display",
        /// A stay was closed at a stated time.
        CloseStay => "close_stay",
        /// A person's data was looked up.
        Lookup => "lookup",
        /// The case was closed.
        Closed => "closed",
    }

    /// What a caller's number resolved to.
    CallResolved, "call resolution" {
        /// A robot's SIM: its gate's case.
        Robot => "robot",
        /// A monthly-pass holder's phone.
        Pass => "pass",
        /// A driver with recent stays (an unplated ticket's phone).
        Stays => "stays",
        /// A registered visitor's phone.
        Visitor => "visitor",
        /// Nothing known.
        Nothing => "nothing",
    }

    /// What a lookup searched by.
    LookupKind, "lookup kind" {
        /// A phone number.
        Phone => "phone",
        /// A plate.
        Plate => "plate",
    }

    /// What a monthly-pass application asks for.
    ApplicationKind, "application kind" {
        /// A new pass.
        New => "new",
        /// A lapsed or expiring pass renewed.
        Renewal => "renewal",
    }

    /// Where a monthly-pass application stands.
    ApplicationStatus, "application status" {
        /// Waiting in the lot's queue.
        Pending => "pending",
        /// Approved: the pass was created or extended.
        Approved => "approved",
        /// Rejected, with a reason.
        Rejected => "rejected",
        /// Withdrawn by the driver.
        Withdrawn => "withdrawn",
    }

    /// What a person with an account is.
    PersonRole, "person role" {
        /// A lot owner or operator: the owner's lots and back office.
        Owner => "owner",
        /// A remote agent: the lots its agent serves.
        Agent => "agent",
    }

    /// What a one-time code is for.
    CodePurpose, "code purpose" {
        /// Logging in.
        Login => "login",
        /// Confirming a new phone number staff set.
        NewPhone => "new_phone",
    }

    /// What happened in a login.
    LoginEventKind, "login event" {
        CodeSent => "code_sent",
        CodeRateLimited => "code_rate_limited",
        CodeUnknownNumber => "code_unknown_number",
        CodeSendFailed => "code_send_failed",
        CodeWrong => "code_wrong",
        CodeExpired => "code_expired",
        PasswordWrong => "password_wrong",
        NewDevice => "new_device",
        PasswordSet => "password_set",
        Login => "login",
        Locked => "locked",
        LockLifted => "lock_lifted",
        Logout => "logout",
        PhoneChangeRequested => "phone_change_requested",
        PhoneChanged => "phone_changed",
    }
}

/// A stored text read into its domain type (a plate, a date, a currency, a
/// time zone, the interface's codes): `#[sqlx(try_from = "Parsed<T>")]`.
/// A text that does not parse fails the read with the column and the
/// reason named.
pub struct Parsed<T>(T);

impl<T> Type<Any> for Parsed<T> {
    fn type_info() -> AnyTypeInfo {
        <str as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <str as Type<Any>>::compatible(ty)
    }
}

impl<'r, T> Decode<'r, Any> for Parsed<T>
where
    T: TryFrom<String>,
    T::Error: std::fmt::Display,
{
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <String as Decode<'r, Any>>::decode(value)?;
        T::try_from(text)
            .map(Parsed)
            .map_err(|e| e.to_string().into())
    }
}

macro_rules! parsed {
    ($($ty:ty),*) => {$(
        impl From<Parsed<$ty>> for $ty {
            fn from(parsed: Parsed<$ty>) -> $ty {
                parsed.0
            }
        }
    )*};
}

parsed!(
    boomgate_engine::sdk::Billing,
    boomgate_engine::sdk::Currency,
    boomgate_engine::sdk::Date,
    boomgate_engine::sdk::Direction,
    boomgate_engine::sdk::Gate,
    boomgate_engine::sdk::OrderKind,
    boomgate_engine::sdk::Plate,
    crate::domain::zone::LotZone
);

/// A stored count or amount read as an unsigned number:
/// `#[sqlx(try_from = "Unsigned<u64>")]`. A negative one fails the read
/// with the column named.
pub struct Unsigned<T>(T);

impl<T> Type<Any> for Unsigned<T> {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r, T: TryFrom<i64>> Decode<'r, Any> for Unsigned<T> {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let n = <i64 as Decode<'r, Any>>::decode(value)?;
        T::try_from(n)
            .map(Unsigned)
            .map_err(|_| format!("{n} is negative or too large").into())
    }
}

impl From<Unsigned<u64>> for u64 {
    fn from(n: Unsigned<u64>) -> u64 {
        n.0
    }
}

impl From<Unsigned<u32>> for u32 {
    fn from(n: Unsigned<u32>) -> u32 {
        n.0
    }
}

/// A stored count or amount that must not be negative, as the type the
/// domain uses; the column is named when it is negative.
pub fn non_negative(column: &str, value: i64) -> sqlx::Result<u64> {
    u64::try_from(value).map_err(|_| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("{value} is negative").into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_are_named() {
        for &role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
            assert_eq!(
                serde_json::to_value(role).unwrap().as_str(),
                Some(role.as_str())
            );
        }
        for &kind in PaymentKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap().as_str(),
                Some(kind.as_str())
            );
        }
        assert_eq!(
            "robbot".parse::<Role>().unwrap_err().to_string(),
            "`robbot` is not a token role (`owner`, `robot`, `agent`, `payments`, `app`, `telephony`, `merchant`)"
        );
    }
}
