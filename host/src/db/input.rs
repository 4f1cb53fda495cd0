//! The reads one decision's input is made of, in one query: whether the
//! event is a retry, whether its photo was uploaded, the plate's monthly
//! pass with its account and the account's other vehicles inside, its app
//! parking pass, and its open stay.

use boomgate_engine::sdk::Plate;
use sqlx::FromRow;

use super::passes::PassRow;
use super::stays::SessionRow;
use super::types::ClosedBy;
use super::{Exec, Result};

/// What the query asks about.
pub struct Ask<'a> {
    pub lot: &'a str,
    pub plate: Option<&'a Plate>,
    /// The robot and event id, when a robot asks: a retry is answered with
    /// what was decided.
    pub event: Option<(&'a str, &'a str)>,
    /// A photo the event names.
    pub photo: Option<&'a str>,
}

/// What the database knows for one decision.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The event already received under this id: its payload hash and
    /// decision.
    pub received: Option<(String, String)>,
    /// Whether the event's photo was uploaded to the lot.
    pub photo_found: bool,
    /// The plate's monthly pass.
    pub pass: Option<PassRow>,
    /// How many other vehicles of the pass's account are inside.
    pub account_inside: u32,
    /// Whether the plate has a registered app parking pass.
    pub parking_pass: bool,
    /// The plate's open stay.
    pub session: Option<SessionRow>,
}

#[derive(FromRow)]
struct Row {
    event_hash: Option<String>,
    event_decision: Option<String>,
    photo_found: i64,
    pass_account: Option<String>,
    pass_valid_until: Option<String>,
    pass_spaces: Option<i64>,
    pass_holder: Option<String>,
    pass_phone: Option<String>,
    pass_inside: i64,
    parking_pass: i64,
    session_id: Option<String>,
    session_billing: Option<String>,
    session_entered_at: Option<i64>,
    session_entry_gate: Option<String>,
    session_paid_amount: Option<i64>,
    session_paid_at: Option<i64>,
    session_pick_id: Option<String>,
    session_entry_photo: Option<String>,
}

/// A stored value, decoded into its domain type or failing with the column
/// named.
fn decode<T, E>(column: &str, value: String) -> Result<T>
where
    T: TryFrom<String, Error = E>,
    E: std::fmt::Display,
{
    T::try_from(value).map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: e.to_string().into(),
    })
}

/// Reads everything one decision needs, in one round trip.
pub async fn facts<'e>(db: impl Exec<'e>, ask: &Ask<'_>) -> Result<Facts> {
    let (robot, event_id) = ask.event.unzip();
    let row: Row = sqlx::query_as(
        "SELECT
             e.payload_hash AS event_hash, e.decision_id AS event_decision,
             (SELECT COUNT(*) FROM photos f WHERE f.lot_id = $1 AND f.digest = $5) AS photo_found,
             p.account_id AS pass_account, p.valid_until AS pass_valid_until,
             a.spaces AS pass_spaces, a.holder AS pass_holder, a.phone AS pass_phone,
             (SELECT COUNT(*) FROM sessions o
                  JOIN monthly_passes op ON op.lot_id = o.lot_id AND op.plate = o.plate
              WHERE o.lot_id = $1 AND op.account_id = p.account_id AND o.plate <> $2
                  AND o.exited_at IS NULL) AS pass_inside,
             (SELECT COUNT(*) FROM parking_passes pp WHERE pp.lot_id = $1 AND pp.plate = $2)
                 AS parking_pass,
             s.id AS session_id, s.billing AS session_billing, s.entered_at AS session_entered_at,
             s.entry_gate AS session_entry_gate, s.paid_amount AS session_paid_amount,
             s.paid_at AS session_paid_at, s.pick_id AS session_pick_id,
             s.entry_photo AS session_entry_photo
         FROM (SELECT 1 AS one) one
         LEFT JOIN events e ON e.lot_id = $1 AND e.robot_id = $3 AND e.event_id = $4
         LEFT JOIN monthly_passes p ON p.lot_id = $1 AND p.plate = $2
         LEFT JOIN accounts a ON a.lot_id = p.lot_id AND a.id = p.account_id
         LEFT JOIN sessions s ON s.lot_id = $1 AND s.plate = $2 AND s.exited_at IS NULL",
    )
    .bind(ask.lot)
    .bind(ask.plate.map(Plate::as_str))
    .bind(robot)
    .bind(event_id)
    .bind(ask.photo)
    .fetch_one(db)
    .await?;
    let pass = match (ask.plate, row.pass_account, row.pass_valid_until) {
        (Some(plate), Some(account_id), Some(valid_until)) => Some(PassRow {
            plate: plate.clone(),
            account_id,
            valid_until: decode("valid_until", valid_until)?,
            spaces: row.pass_spaces.map(decode_spaces).transpose()?.unwrap_or(0),
            holder: row.pass_holder,
            phone: row.pass_phone,
        }),
        _ => None,
    };
    let session = match (
        ask.plate,
        row.session_id,
        row.session_billing,
        row.session_entered_at,
    ) {
        (Some(plate), Some(id), Some(billing), Some(entered_at)) => Some(SessionRow {
            id,
            lot_id: ask.lot.to_owned(),
            plate: plate.clone(),
            billing: decode("billing", billing)?,
            entered_at,
            entry_gate: row.session_entry_gate,
            exited_at: None,
            exit_gate: None,
            closed_by: None::<ClosedBy>,
            paid_amount: super::types::non_negative(
                "paid_amount",
                row.session_paid_amount.unwrap_or(0),
            )?,
            paid_at: row.session_paid_at,
            pick_id: row.session_pick_id,
            entry_photo: row.session_entry_photo,
        }),
        _ => None,
    };
    Ok(Facts {
        received: row.event_hash.zip(row.event_decision),
        photo_found: row.photo_found > 0,
        account_inside: u32::try_from(row.pass_inside).unwrap_or(u32::MAX),
        pass,
        parking_pass: row.parking_pass > 0,
        session,
    })
}

fn decode_spaces(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| sqlx::Error::ColumnDecode {
        index: "spaces".to_owned(),
        source: format!("{n} is not a number of spaces").into(),
    })
}
