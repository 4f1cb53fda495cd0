//! Remote agents (owners create them, each scoped to some of their lots,
//! with a token shown once).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, owned_lot};
use super::error::{ApiError, ErrorBody};
use super::json::Json;
use crate::db::agents;
use crate::db::ids::{new_id, token};
use crate::db::owners::{self, NewToken};
use crate::db::types::Role;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(create_agent, list_agents))
            .routes(routes!(update_agent))
            .routes(routes!(rotate_agent_token))
            .routes(routes!(revoke_agent_tokens)),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub name: String,
    /// The lots the agent serves: the owner's.
    pub lots: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentCreated {
    pub id: String,
    pub name: String,
    pub lots: Vec<String>,
    /// The agent's token: shown once, stored only as a hash.
    pub token: String,
}

#[utoipa::path(post, path = "/v1/agents", tag = "owners", summary = "Create a remote agent serving some of the owner's lots", request_body = NewAgent,
    responses((status = 201, body = AgentCreated), (status = 400, body = ErrorBody), (status = 404, description = "A lot that is not the owner's", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_agent(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewAgent>,
) -> Result<(StatusCode, axum::Json<AgentCreated>), ApiError> {
    let owner = caller.owner()?;
    if req.name.trim().is_empty() || req.name.chars().count() > 100 {
        return Err(ApiError::field("name", "must be 1 to 100 characters"));
    }
    if req.lots.is_empty() {
        return Err(ApiError::field("lots", "an agent serves at least one lot"));
    }
    for lot in &req.lots {
        owned_lot(&state, owner, lot).await?;
    }
    let now = state.clock.now_ms();
    let id = new_id("agt", now);
    let (secret, hash) = token(Role::Agent)?;
    let mut tx = state.db.write().await?;
    agents::insert_agent(&mut *tx, &id, owner, req.name.trim(), now).await?;
    for lot in &req.lots {
        agents::add_agent_lot(&mut *tx, &id, lot).await?;
    }
    owners::insert_token(&mut *tx, &NewToken::agent(&hash, owner, &id), now).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AgentCreated {
            id,
            name: req.name.trim().to_owned(),
            lots: req.lots,
            token: secret,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub lots: Vec<String>,
}

#[utoipa::path(get, path = "/v1/agents", tag = "owners", summary = "List the owner's agents and their lots", responses((status = 200, body = Vec<Agent>)), security(("bearer" = [])))]
pub async fn list_agents(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Agent>>, ApiError> {
    let owner = caller.owner()?;
    let served = agents::agent_lots_of_owner(state.db.pool(), owner).await?;
    let out = agents::agents_of_owner(state.db.pool(), owner)
        .await?
        .into_iter()
        .map(|row| Agent {
            lots: served
                .iter()
                .filter(|(agent, _)| *agent == row.id)
                .map(|(_, lot)| lot.clone())
                .collect(),
            id: row.id,
            name: row.name,
        })
        .collect();
    Ok(axum::Json(out))
}

/// One of the owner's agents as listed, read again after a change.
async fn agent_of(state: &AppState, owner: &str, agent: &str) -> Result<Agent, ApiError> {
    let row = agents::agents_of_owner(state.db.pool(), owner)
        .await?
        .into_iter()
        .find(|a| a.id == agent)
        .ok_or_else(|| anyhow::anyhow!("agent `{agent}` vanished"))?;
    let lots = agents::agent_lots_of_owner(state.db.pool(), owner)
        .await?
        .into_iter()
        .filter(|(a, _)| a == agent)
        .map(|(_, lot)| lot)
        .collect();
    Ok(Agent {
        id: row.id,
        name: row.name,
        lots,
    })
}

/// One of the owner's agents, or 404.
async fn owned_agent(state: &AppState, owner: &str, agent: &str) -> Result<(), ApiError> {
    let known = agents::agents_of_owner(state.db.pool(), owner)
        .await?
        .into_iter()
        .any(|a| a.id == agent);
    if known {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("no agent `{agent}` of yours")))
    }
}

#[utoipa::path(post, path = "/v1/agents/{agent}/token", tag = "owners", summary = "Issue an agent a new token, ending its earlier ones", params(("agent" = String, Path)),
    responses((status = 201, description = "A new token, shown once; the agent's earlier tokens stop working", body = AgentCreated),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn rotate_agent_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<String>,
) -> Result<(StatusCode, axum::Json<AgentCreated>), ApiError> {
    let owner = caller.owner()?;
    owned_agent(&state, owner, &agent).await?;
    let now = state.clock.now_ms();
    let (secret, hash) = token(Role::Agent)?;
    let mut tx = state.db.write().await?;
    owners::revoke_agent_tokens(&mut *tx, &agent, now).await?;
    owners::insert_token(&mut *tx, &NewToken::agent(&hash, owner, &agent), now).await?;
    tx.commit().await?;
    let Agent { name, lots, .. } = agent_of(&state, owner, &agent).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AgentCreated {
            id: agent,
            name,
            lots,
            token: secret,
        }),
    ))
}

#[utoipa::path(post, path = "/v1/agents/{agent}/revoke", tag = "owners", summary = "Revoke every token of an agent and free its seat", params(("agent" = String, Path)),
    responses((status = 204, description = "Every token of the agent stops working (its seat is freed)"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke_agent_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<String>,
) -> Result<StatusCode, ApiError> {
    let owner = caller.owner()?;
    owned_agent(&state, owner, &agent).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    owners::revoke_agent_tokens(&mut *tx, &agent, now).await?;
    crate::db::cases::unbind_seat(&mut *tx, &agent).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What an owner changes of an agent: each field given is set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    #[serde(default)]
    pub name: Option<String>,
    /// The lots the agent serves from now on (the owner's; at least one).
    #[serde(default)]
    pub lots: Option<Vec<String>>,
}

#[utoipa::path(patch, path = "/v1/agents/{agent}", tag = "owners", summary = "Rename an agent or change the lots it serves", params(("agent" = String, Path)), request_body = AgentUpdate,
    responses((status = 200, body = Agent), (status = 400, body = ErrorBody),
        (status = 404, description = "No such agent of the owner's, or a lot that is not theirs", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(agent): Path<String>,
    Json(req): Json<AgentUpdate>,
) -> Result<axum::Json<Agent>, ApiError> {
    let owner = caller.owner()?;
    owned_agent(&state, owner, &agent).await?;
    let name = req
        .name
        .as_deref()
        .map(|n| super::fields::text("name", n, 100, "name the agent"))
        .transpose()?;
    if let Some(lots) = &req.lots {
        if lots.is_empty() {
            return Err(ApiError::field("lots", "an agent serves at least one lot"));
        }
        for lot in lots {
            owned_lot(&state, owner, lot).await?;
        }
    }
    let mut tx = state.db.write().await?;
    if let Some(name) = name {
        agents::rename_agent(&mut *tx, &agent, name).await?;
    }
    if let Some(lots) = &req.lots {
        agents::clear_agent_lots(&mut *tx, &agent).await?;
        for lot in lots {
            agents::add_agent_lot(&mut *tx, &agent, lot).await?;
        }
    }
    tx.commit().await?;
    let Agent { name, lots, .. } = agent_of(&state, owner, &agent).await?;
    Ok(axum::Json(Agent {
        id: agent,
        name,
        lots,
    }))
}
