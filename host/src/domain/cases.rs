//! Cases (seed 001 §2.3): a gate that needs a person, from the robot's
//! call button, a decision that escalates or a phone call, until an agent
//! closes it (关单). Everything done at the gate while it is open is
//! attached to it, in the same transaction as the act.

use sqlx::AnyConnection;

use crate::db::cases::{self, ActRow, CaseRow, NewCase};
use crate::db::ids::new_id;
use crate::db::types::{CaseActKind, CaseOrigin};

/// A case to open (or find open) at a gate.
pub struct Opening<'a> {
    pub lot: &'a str,
    pub gate: &'a str,
    pub robot: Option<&'a str>,
    pub origin: CaseOrigin,
    pub test: bool,
    /// The decision waiting at the gate.
    pub decision: Option<&'a str>,
    pub plate: Option<&'a str>,
    /// Who opened it, as records name callers.
    pub by: &'a str,
    pub detail: Option<String>,
}

/// Opens a case at the gate, or adds to the one open there. True when it
/// was opened now.
pub async fn open(
    conn: &mut AnyConnection,
    o: &Opening<'_>,
    now: i64,
) -> sqlx::Result<(CaseRow, bool)> {
    let id = new_id("case", now);
    let new = NewCase {
        id: &id,
        lot: o.lot,
        gate: o.gate,
        robot: o.robot,
        origin: o.origin,
        test: o.test,
        decision: o.decision,
        plate: o.plate,
        now,
    };
    let (row, opened) = cases::open_case(&mut *conn, &new).await?;
    let kind = match (opened, o.origin) {
        (false, CaseOrigin::Escalation) => CaseActKind::Escalated,
        (false, _) => CaseActKind::Called,
        (true, _) => CaseActKind::Opened,
    };
    let detail = o
        .detail
        .clone()
        .or_else(|| Some(o.origin.as_str().to_owned()));
    let done = Done {
        kind,
        ref_id: o.decision,
        detail,
        by: o.by,
    };
    act(&mut *conn, &row.id, &done, now).await?;
    Ok((row, opened))
}

/// Something done on a case.
pub struct Done<'a> {
    pub kind: CaseActKind,
    /// What it made or named: a decision, a command, a call, a stay.
    pub ref_id: Option<&'a str>,
    pub detail: Option<String>,
    /// Who did it, as records name callers.
    pub by: &'a str,
}

/// Records an act on a case.
pub async fn act(
    conn: &mut AnyConnection,
    case: &str,
    done: &Done<'_>,
    now: i64,
) -> sqlx::Result<()> {
    let row = ActRow {
        id: new_id("act", now),
        case_id: case.to_owned(),
        kind: done.kind,
        ref_id: done.ref_id.map(str::to_owned),
        detail: done.detail.clone(),
        done_by: done.by.to_owned(),
        created_at: now,
    };
    cases::add_act(&mut *conn, &row).await
}

/// Attaches an act at a gate to the case open there, if any; an agent's
/// act answers a case nobody answered. The case's id, if there is one.
pub async fn attach(
    conn: &mut AnyConnection,
    lot: &str,
    gate: &str,
    done: &Done<'_>,
    now: i64,
) -> sqlx::Result<Option<String>> {
    let Some(case) = cases::open_case_at(&mut *conn, lot, gate, false).await? else {
        return Ok(None);
    };
    if case.agent_id.is_none()
        && let Some(agent) = done.by.strip_prefix("agent:")
    {
        cases::answer_case(&mut *conn, &case.id, agent, None, None, now).await?;
    }
    act(&mut *conn, &case.id, done, now).await?;
    Ok(Some(case.id))
}
