//! The demo lot: on first start with an empty database, `serve` creates a
//! lot with the standard policy active and prints an owner token, robot
//! tokens and an agent token, so the service works at once.

use boomgate_engine::sdk::{Currency, Direction};

use super::AppState;
use crate::db::agents;
use crate::db::ids::{new_id, token};
use crate::db::lots::{self, GateRow, LotRow, RobotRow};
use crate::db::owners::{self, NewToken};
use crate::db::people::{self, PersonRow};
use crate::db::policies::{self, ModuleRow};
use crate::db::types::{PersonRole, Role};
use crate::domain::zone::LotZone;

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

/// Where the demo lot's drivers pay (a placeholder: point it at a real
/// payment page with `PATCH /v1/lots/demo`).
pub const DEMO_PAYMENT_LINK: &str = "https://pay.example.com/o/{order_id}";

/// What the demo created.
/// The demo operator's phone number: log in with it and the code from
/// the service log.
pub const DEMO_OWNER_PHONE: &str = "13800000001";
/// The demo agent's phone number.
pub const DEMO_AGENT_PHONE: &str = "13800000002";

pub struct Demo {
    pub lot: String,
    pub owner_token: String,
    pub entry_robot_token: String,
    pub exit_robot_token: String,
    pub agent_token: String,
    /// The payment system's token for the demo lot.
    pub payments_token: String,
}

/// Creates the demo lot if the database has no owner yet.
pub async fn create_if_empty(state: &AppState) -> anyhow::Result<Option<Demo>> {
    if owners::count_owners(state.db.pool()).await? > 0 {
        return Ok(None);
    }
    let bytes = super::shipped::module("standard-lot")
        .ok_or_else(|| anyhow::anyhow!("the standard policy is not built into this binary"))?;
    let loaded = state.registry.load(bytes.to_vec()).await?;
    let now = state.clock.now_ms();
    let owner = "demo";
    let lot = "demo";
    let (owner_token, owner_hash) = token(Role::Owner)?;
    let (entry_token, entry_hash) = token(Role::Robot)?;
    let (exit_token, exit_hash) = token(Role::Robot)?;
    let (agent_token, agent_hash) = token(Role::Agent)?;
    let (payments_token, payments_hash) = token(Role::Payments)?;
    let info = loaded.info();
    let mut tx = state.db.write().await?;
    owners::insert_owner(&mut *tx, owner, "Demo operator", now).await?;
    owners::insert_token(&mut *tx, &NewToken::owner(&owner_hash, owner), now).await?;
    let row = LotRow {
        id: lot.to_owned(),
        owner_id: owner.to_owned(),
        name: "Demo lot".to_owned(),
        zone: LotZone::parse("Asia/Shanghai").map_err(anyhow::Error::msg)?,
        currency: Currency::CNY,
        emergency_contact: Some("张三 13000000000".to_owned()),
        active_version: None,
        payment_link: Some(DEMO_PAYMENT_LINK.to_owned()),
        debounce_seconds: None,
        capacity: Some(120),
        address: Some("深圳市南山区科技园北区 1 号".to_owned()),
        latitude: Some(22.5431),
        longitude: Some(113.9538),
        created_at: now,
    };
    lots::insert_lot(&mut *tx, &row).await?;
    for (gate, direction, robot, hash, name, phone) in [
        (
            "north-entry",
            Direction::Entry,
            "robot-entry",
            &entry_hash,
            "北门入口",
            "13900000001",
        ),
        (
            "north-exit",
            Direction::Exit,
            "robot-exit",
            &exit_hash,
            "北门出口",
            "13900000002",
        ),
    ] {
        let gate = GateRow {
            lot_id: lot.to_owned(),
            id: gate.to_owned(),
            direction,
            debounce_seconds: None,
        };
        lots::insert_gate(&mut *tx, &gate, now).await?;
        let robot_row = RobotRow {
            lot_id: lot.to_owned(),
            id: robot.to_owned(),
            gate_id: gate.id,
            name: Some(name.to_owned()),
            factory_code: None,
            phone: Some(phone.to_owned()),
            retired_at: None,
            created_at: now,
        };
        lots::insert_robot(&mut *tx, &robot_row).await?;
        owners::insert_token(&mut *tx, &NewToken::robot(hash, owner, lot, robot), now).await?;
    }
    let agent = "demo-agent";
    agents::insert_agent(&mut *tx, agent, owner, "Demo agent", now).await?;
    agents::add_agent_lot(&mut *tx, agent, lot).await?;
    owners::insert_token(&mut *tx, &NewToken::agent(&agent_hash, owner, agent), now).await?;
    // The people who log in: the operator and the agent (seed 002).
    for (id, role, agent_id, name, phone) in [
        (
            "per-demo-owner",
            PersonRole::Owner,
            None,
            "Demo operator",
            DEMO_OWNER_PHONE,
        ),
        (
            "per-demo-agent",
            PersonRole::Agent,
            Some(agent),
            "Demo agent",
            DEMO_AGENT_PHONE,
        ),
    ] {
        let person = PersonRow {
            id: id.to_owned(),
            ..PersonRow::new(
                owner,
                role,
                agent_id.map(str::to_owned),
                name,
                phone,
                "zh-CN",
                now,
            )
        };
        people::insert_person(&mut *tx, &person).await?;
    }
    let payments = NewToken {
        id: Some("tok-demo-payments"),
        name: Some("Demo payment system"),
        role: Role::Payments,
        ..NewToken::owner(&payments_hash, owner)
    };
    owners::insert_token(&mut *tx, &payments, now).await?;
    owners::add_token_lot(&mut *tx, &payments_hash, lot).await?;
    let module = ModuleRow::new(info, now);
    policies::insert_module(&mut tx, &module, bytes, owner).await?;
    let version =
        policies::insert_version(&mut tx, lot, &info.digest, DEMO_SETTINGS, Some("demo"), now)
            .await?;
    policies::activate(&mut tx, &new_id("act", now), lot, version, "demo", now).await?;
    tx.commit().await?;
    state.registry.refresh(&state.db).await?;
    state.robots_seen.load(state).await?;
    Ok(Some(Demo {
        lot: lot.to_owned(),
        owner_token,
        entry_robot_token: entry_token,
        exit_robot_token: exit_token,
        agent_token,
        payments_token,
    }))
}
