//! The demo lot: on first start with an empty database, `serve` creates a
//! lot with the standard policy active and prints an owner token, robot
//! tokens and an agent token, so the service works at once.

use crate::db::{self, LotRow, ModuleRow, NewToken};
use crate::ids::{new_id, token};
use crate::state::AppState;

/// The standard policy's settings for the demo lot: PRODUCT.md's defaults,
/// with visitors admitted so a walk-through can enter, pay and leave.
pub const DEMO_SETTINGS: &str = r#"{
  "currency": "CNY",
  "locale": "zh-CN",
  "visitor_confirmation": false,
  "auto_pick": false,
  "monthly_pass": { "entry_renewal_days": 7, "exit_open_days": 3, "exit_renewal_days": 7 },
  "fees": {
    "free_minutes": 30,
    "first_period": { "minutes": 60, "amount": 500 },
    "then": { "every_minutes": 60, "amount": 300 },
    "daily_cap": 3000
  },
  "payment_grace_minutes": 15
}"#;

/// What the demo created.
pub struct Demo {
    pub lot: String,
    pub owner_token: String,
    pub entry_robot_token: String,
    pub exit_robot_token: String,
    pub agent_token: String,
}

/// Creates the demo lot if the database has no owner yet.
pub async fn create_if_empty(state: &AppState) -> anyhow::Result<Option<Demo>> {
    if db::count_owners(state.db.pool()).await? > 0 {
        return Ok(None);
    }
    let bytes = crate::shipped::module("standard-lot")
        .ok_or_else(|| anyhow::anyhow!("the standard policy is not built into this binary"))?;
    let loaded = state.registry.load(bytes.to_vec()).await?;
    let now = state.clock.now_ms();
    let owner = "demo";
    let lot = "demo";
    let (owner_token, owner_hash) = token("owner")?;
    let (entry_token, entry_hash) = token("robot")?;
    let (exit_token, exit_hash) = token("robot")?;
    let (agent_token, agent_hash) = token("agent")?;
    let info = loaded.info();
    let mut tx = state.db.write().await?;
    db::insert_owner(&mut *tx, owner, "Demo operator", now).await?;
    db::insert_token(
        &mut *tx,
        &NewToken {
            hash: &owner_hash,
            role: "owner",
            owner_id: owner,
            ..NewToken::default()
        },
        now,
    )
    .await?;
    let row = LotRow {
        id: lot.to_owned(),
        owner_id: owner.to_owned(),
        name: "Demo lot".to_owned(),
        timezone: "Asia/Shanghai".to_owned(),
        currency: "CNY".to_owned(),
        emergency_contact: Some("张三 13000000000".to_owned()),
        active_version: None,
        created_at: now,
    };
    db::insert_lot(&mut *tx, &row).await?;
    for (gate, direction, robot, hash) in [
        ("north-entry", "entry", "robot-entry", &entry_hash),
        ("north-exit", "exit", "robot-exit", &exit_hash),
    ] {
        db::insert_gate(&mut *tx, lot, gate, direction, now).await?;
        db::insert_robot(&mut *tx, lot, robot, gate, now).await?;
        let scope = NewToken {
            hash,
            role: "robot",
            owner_id: owner,
            lot_id: Some(lot),
            robot_id: Some(robot),
            agent_id: None,
        };
        db::insert_token(&mut *tx, &scope, now).await?;
    }
    let agent = "demo-agent";
    db::insert_agent(&mut *tx, agent, owner, "Demo agent", now).await?;
    db::add_agent_lot(&mut *tx, agent, lot).await?;
    let scope = NewToken {
        hash: &agent_hash,
        role: "agent",
        owner_id: owner,
        agent_id: Some(agent),
        ..NewToken::default()
    };
    db::insert_token(&mut *tx, &scope, now).await?;
    let module = ModuleRow::new(info, now);
    db::insert_module(&mut tx, &module, bytes, owner).await?;
    let version =
        db::insert_version(&mut tx, lot, &info.digest, DEMO_SETTINGS, Some("demo"), now).await?;
    db::activate(&mut tx, &new_id("act", now), lot, version, "demo", now).await?;
    tx.commit().await?;
    state.registry.refresh(&state.db).await?;
    Ok(Some(Demo {
        lot: lot.to_owned(),
        owner_token,
        entry_robot_token: entry_token,
        exit_robot_token: exit_token,
        agent_token,
    }))
}
