//! The reads one decision's input is made of, in one query: whether the
//! event is a retry, whether its photo was uploaded, the latest decision at
//! the gate and the plate's stay that gate last closed (for duplicate
//! reads), the plate's monthly pass with its account and the account's
//! other vehicles inside, its app parking pass, its open stay, and what it
//! still owes from earlier stays. Earlier stays, when the policy asks for
//! them, are a second query.

use boomgate_engine::sdk::Plate;
use sqlx::FromRow;

use super::passes::PassRow;
use super::stays::SessionRow;
use super::types::{ClosedBy, DeviceState, OrderStatus};
use super::{Exec, Result};

/// What the query asks about.
pub struct Ask<'a> {
    pub lot: &'a str,
    pub gate: &'a str,
    pub plate: Option<&'a Plate>,
    /// The robot and event id, when a robot asks: a retry is answered with
    /// what was decided.
    pub event: Option<(&'a str, &'a str)>,
    /// A photo the event names.
    pub photo: Option<&'a str>,
}

/// The latest decision at a gate, as duplicate reads are told by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    pub decision_id: String,
    pub plate: Option<String>,
    /// When the read it decided happened (Unix ms); its record time for
    /// decisions made before this was stored.
    pub occurred_at: i64,
    /// Whether it opened the gate.
    pub opened: bool,
    /// The policy version that decided it.
    pub policy_version: Option<i64>,
    /// Whether the plate paid something since.
    pub paid_since: bool,
}

/// A stay a gate closed: its exit decision and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub decision_id: String,
    pub exited_at: i64,
}

/// What the database knows for one decision.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The event already received under this id: its payload hash and
    /// decision.
    pub received: Option<(String, String)>,
    /// Whether the event's photo was uploaded to the lot.
    pub photo_found: bool,
    /// The latest decision at the gate.
    pub latest: Option<Latest>,
    /// The plate's stay this gate closed last, if any.
    pub closed_here: Option<Closed>,
    /// The gate's and the lot's debounce windows, in seconds, if set.
    pub debounce: (Option<i64>, Option<i64>),
    /// The plate's monthly pass.
    pub pass: Option<PassRow>,
    /// How many other vehicles of the pass's account are inside.
    pub account_inside: u32,
    /// Whether the plate has a registered app parking pass, and the
    /// parker's own pick choice.
    pub parking_pass: Option<Option<bool>>,
    /// The plate's open stay.
    pub session: Option<SessionRow>,
    /// What the plate owes from earlier stays: pending temporary orders of
    /// stays that are closed.
    pub owed: u64,
    /// The gate's freshest heartbeat: when, and its plate camera.
    pub health: Option<(i64, DeviceState)>,
    /// How many discounts the open stay has (read with [`discounts`]).
    pub discounts: i64,
}

#[derive(FromRow)]
struct Row {
    event_hash: Option<String>,
    event_decision: Option<String>,
    photo_found: i64,
    latest_id: Option<String>,
    latest_plate: Option<String>,
    latest_at: Option<i64>,
    latest_gate: Option<String>,
    latest_version: Option<i64>,
    latest_paid_since: i64,
    closed_decision: Option<String>,
    closed_at: Option<i64>,
    gate_debounce: Option<i64>,
    lot_debounce: Option<i64>,
    pass_account: Option<String>,
    pass_valid_until: Option<String>,
    pass_spaces: Option<i64>,
    pass_holder: Option<String>,
    pass_phone: Option<String>,
    pass_inside: i64,
    parking_pass: i64,
    parking_auto_pick: Option<i64>,
    session_id: Option<String>,
    session_billing: Option<String>,
    session_entered_at: Option<i64>,
    session_entry_gate: Option<String>,
    session_paid_amount: Option<i64>,
    session_paid_at: Option<i64>,
    session_settled_until: Option<i64>,
    session_pick_id: Option<String>,
    session_entry_photo: Option<String>,
    owed: Option<i64>,
    health_at: Option<i64>,
    health_lpr_camera: Option<String>,
    session_class: Option<String>,
    pass_class: Option<String>,
    discounts: i64,
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

/// The one query of a decision's input. Every table is searched by an
/// index on more than the lot, so an event costs the same in a lot with a
/// million decisions and stays as in a new one (a test holds the plan to
/// that).
const FACTS: &str = "SELECT
             e.payload_hash AS event_hash, e.decision_id AS event_decision,
             (SELECT COUNT(*) FROM photos f WHERE f.lot_id = $1 AND f.digest = $5) AS photo_found,
             d.id AS latest_id, d.plate AS latest_plate,
             COALESCE(d.occurred_at, d.created_at) AS latest_at,
             d.gate AS latest_gate, d.policy_version AS latest_version,
             (SELECT COUNT(*) FROM payments lp
              WHERE lp.lot_id = $1 AND lp.plate = d.plate AND lp.created_at >= d.created_at)
                 AS latest_paid_since,
             c.exit_decision AS closed_decision, c.exited_at AS closed_at,
             g.debounce_seconds AS gate_debounce, l.debounce_seconds AS lot_debounce,
             p.account_id AS pass_account, p.valid_until AS pass_valid_until,
             a.spaces AS pass_spaces, a.holder AS pass_holder, a.phone AS pass_phone,
             (SELECT COUNT(*) FROM monthly_passes op
                  JOIN sessions o ON o.lot_id = op.lot_id AND o.plate = op.plate
                      AND o.exited_at IS NULL
              WHERE op.lot_id = $1 AND op.account_id = p.account_id AND op.plate <> $2)
                 AS pass_inside,
             (SELECT COUNT(*) FROM parking_passes pp WHERE pp.lot_id = $1 AND pp.plate = $2)
                 AS parking_pass,
             (SELECT pp.auto_pick FROM parking_passes pp WHERE pp.lot_id = $1 AND pp.plate = $2)
                 AS parking_auto_pick,
             s.id AS session_id, s.billing AS session_billing, s.entered_at AS session_entered_at,
             s.entry_gate AS session_entry_gate, s.paid_amount AS session_paid_amount,
             s.paid_at AS session_paid_at, s.settled_until AS session_settled_until,
             s.pick_id AS session_pick_id, s.entry_photo AS session_entry_photo,
             (SELECT CAST(SUM(w.amount) AS BIGINT) FROM orders w JOIN sessions ws ON ws.id = w.session_id
              WHERE w.lot_id = $1 AND w.plate = $2 AND w.kind = 'temporary' AND w.status = $7
                  AND ws.exited_at IS NOT NULL) AS owed,
             h.heartbeat_at AS health_at, h.lpr_camera AS health_lpr_camera,
             s.vehicle_class AS session_class, p.vehicle_class AS pass_class,
             (SELECT COUNT(*) FROM stay_discounts sd WHERE sd.session_id = s.id) AS discounts
         FROM (SELECT 1 AS one) one
         LEFT JOIN events e ON e.lot_id = $1 AND e.robot_id = $3 AND e.event_id = $4
         LEFT JOIN decisions d ON d.id = (SELECT MAX(x.id) FROM decisions x
                                          WHERE x.lot_id = $1 AND x.gate_id = $6)
         LEFT JOIN sessions c ON c.id = (SELECT y.id FROM sessions y
                                         WHERE y.lot_id = $1 AND y.plate = $2 AND y.exit_gate = $6
                                         ORDER BY y.exited_at DESC LIMIT 1)
         LEFT JOIN gates g ON g.lot_id = $1 AND g.id = $6
         LEFT JOIN lots l ON l.id = $1
         LEFT JOIN monthly_passes p ON p.lot_id = $1 AND p.plate = $2
         LEFT JOIN accounts a ON a.lot_id = p.lot_id AND a.id = p.account_id
         LEFT JOIN sessions s ON s.lot_id = $1 AND s.plate = $2 AND s.exited_at IS NULL
         LEFT JOIN robot_health h ON h.lot_id = $1
             AND h.robot_id = (SELECT hh.robot_id FROM robot_health hh
                               WHERE hh.lot_id = $1 AND hh.gate_id = $6
                               ORDER BY hh.heartbeat_at DESC LIMIT 1)";

/// Reads everything one decision needs, in one round trip.
pub async fn facts<'e>(db: impl Exec<'e>, ask: &Ask<'_>) -> Result<Facts> {
    let (robot, event_id) = ask.event.unzip();
    let row: Row = sqlx::query_as(FACTS)
        .bind(ask.lot)
        .bind(ask.plate.map(Plate::as_str))
        .bind(robot)
        .bind(event_id)
        .bind(ask.photo)
        .bind(ask.gate)
        .bind(OrderStatus::Pending)
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
            vehicle_class: row.pass_class,
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
            settled_until: row.session_settled_until,
            pick_id: row.session_pick_id,
            entry_photo: row.session_entry_photo,
            vehicle_class: row.session_class,
        }),
        _ => None,
    };
    Ok(Facts {
        received: row.event_hash.zip(row.event_decision),
        photo_found: row.photo_found > 0,
        latest: match (row.latest_id, row.latest_at) {
            (Some(decision_id), Some(occurred_at)) => Some(Latest {
                decision_id,
                plate: row.latest_plate,
                occurred_at,
                opened: row.latest_gate.as_deref() == Some("open"),
                policy_version: row.latest_version,
                paid_since: row.latest_paid_since > 0,
            }),
            _ => None,
        },
        closed_here: row
            .closed_decision
            .zip(row.closed_at)
            .map(|(decision_id, exited_at)| Closed {
                decision_id,
                exited_at,
            }),
        debounce: (row.gate_debounce, row.lot_debounce),
        account_inside: u32::try_from(row.pass_inside).unwrap_or(u32::MAX),
        pass,
        parking_pass: (row.parking_pass > 0).then_some(row.parking_auto_pick.map(|v| v != 0)),
        session,
        owed: super::types::non_negative("owed", row.owed.unwrap_or(0))?,
        health: match (row.health_at, row.health_lpr_camera) {
            (Some(at), Some(camera)) => Some((
                at,
                camera
                    .parse::<DeviceState>()
                    .map_err(|e| sqlx::Error::ColumnDecode {
                        index: "lpr_camera".to_owned(),
                        source: e.to_string().into(),
                    })?,
            )),
            _ => None,
        },
        discounts: row.discounts,
    })
}

/// The discounts granted to stay `session`, in the order they were.
pub async fn discounts<'e>(
    db: impl Exec<'e>,
    session: &str,
) -> Result<Vec<boomgate_engine::sdk::Discount>> {
    let rows: Vec<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT source, minutes, amount FROM stay_discounts
         WHERE session_id = $1 ORDER BY created_at, id",
    )
    .bind(session)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(source, minutes, amount)| {
            use boomgate_engine::sdk::DiscountValue;
            let value = match (minutes, amount) {
                (Some(m), None) => DiscountValue::Minutes {
                    minutes: u32::try_from(m).map_err(|_| bad_discount("minutes", m))?,
                },
                (None, Some(a)) => DiscountValue::Amount {
                    amount: u64::try_from(a).map_err(|_| bad_discount("amount", a))?,
                },
                _ => return Err(bad_discount("minutes", -1)),
            };
            Ok(boomgate_engine::sdk::Discount { source, value })
        })
        .collect()
}

fn bad_discount(column: &str, n: i64) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("{n} is not a discount's {column}").into(),
    }
}

fn decode_spaces(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| sqlx::Error::ColumnDecode {
        index: "spaces".to_owned(),
        source: format!("{n} is not a number of spaces").into(),
    })
}

/// An earlier stay of the plate, as the policy is told it.
#[derive(Debug, Clone, FromRow)]
pub struct EarlierRow {
    pub entered_at: i64,
    pub exited_at: i64,
    #[sqlx(try_from = "super::types::Parsed<boomgate_engine::sdk::Billing>")]
    pub billing: boomgate_engine::sdk::Billing,
    #[sqlx(try_from = "super::types::Unsigned<u64>")]
    pub paid_amount: u64,
}

/// The plate's stays that ended at or after `since`, newest first (at most
/// 100).
pub async fn earlier_stays<'e>(
    db: impl Exec<'e>,
    lot: &str,
    plate: &Plate,
    since: i64,
) -> Result<Vec<EarlierRow>> {
    sqlx::query_as(
        "SELECT entered_at, exited_at, billing, paid_amount FROM sessions
         WHERE lot_id = $1 AND plate = $2 AND exited_at IS NOT NULL AND exited_at >= $3
         ORDER BY exited_at DESC LIMIT 100",
    )
    .bind(lot)
    .bind(plate.as_str())
    .bind(since)
    .fetch_all(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::FACTS;

    /// SQLite's plan for the facts query: no table scanned, none searched
    /// by the lot alone, the gate's latest decision found in its index.
    #[tokio::test]
    async fn facts_search_every_table_by_an_index() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        let db = crate::db::Db::connect(&url).await.expect("database");
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {FACTS}")))
                .bind("lot")
                .bind("粤B12345")
                .bind("robot")
                .bind("event")
                .bind("digest")
                .bind("gate")
                .bind("pending")
                .fetch_all(db.pool())
                .await
                .expect("a plan");
        let steps: Vec<&str> = plan.iter().map(|(_, _, _, step)| step.as_str()).collect();
        let wasteful: Vec<&&str> = steps
            .iter()
            .filter(|step| {
                (step.starts_with("SCAN") && !matches!(**step, "SCAN one" | "SCAN CONSTANT ROW"))
                    || step.ends_with("(lot_id=?)")
            })
            .collect();
        assert!(wasteful.is_empty(), "{wasteful:?} in {steps:#?}");
        assert!(
            steps.iter().any(
                |s| s.contains("COVERING INDEX decisions_gate_latest (lot_id=? AND gate_id=?)")
            ),
            "{steps:#?}"
        );
    }
}
