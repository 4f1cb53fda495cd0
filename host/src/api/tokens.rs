//! An owner's extra tokens (`owner`: their own, for a script or a second
//! office) and their machines' tokens: the payment system (`payments`: posts
//! payments and reads orders) and the app platform (`app`: tells whether a
//! registered car is parked and confirms its pick) and the telephony
//! system (`telephony`: reports calls to agents' seats), each scoped to some of
//! the owner's lots. Shown once, stored hashed; revocable.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, owned_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::{rfc3339, text};
use super::json::Json;
use crate::db::ids::{new_id, token};
use crate::db::owners::{self, NewToken};
use crate::db::types::Role;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    super::json(
        config,
        OpenApiRouter::new()
            .routes(routes!(create_token, list_tokens))
            .routes(routes!(revoke_token))
            .routes(routes!(rotate_token)),
    )
}

/// What an extra token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MachineRole {
    /// Another token of the owner's own (a script, a second office): every
    /// owner route, all the owner's lots; give no `lots`.
    Owner,
    /// The payment system: posts payments and reads orders.
    Payments,
    /// The app platform: whether a registered car is parked, its pick.
    App,
    /// The telephony system: reports the calls that ring agents' seats
    /// (`POST /v1/calls`).
    Telephony,
    /// A merchant (a shop, a cinema): validates its customers' stays with
    /// discounts (`POST /v1/lots/{lot}/discounts`).
    Merchant,
}

impl From<MachineRole> for Role {
    fn from(role: MachineRole) -> Role {
        match role {
            MachineRole::Owner => Role::Owner,
            MachineRole::Payments => Role::Payments,
            MachineRole::App => Role::App,
            MachineRole::Telephony => Role::Telephony,
            MachineRole::Merchant => Role::Merchant,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMachineToken {
    pub role: MachineRole,
    /// What it is for, e.g. `WeChat Pay gateway`.
    pub name: String,
    /// The owner's lots it acts in.
    pub lots: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MachineToken {
    pub id: String,
    pub role: Role,
    pub name: Option<String>,
    pub lots: Vec<String>,
    /// RFC 3339 (UTC).
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// The token itself: only in the answer that creates it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[utoipa::path(post, path = "/v1/tokens", tag = "owners", summary = "Create a token for the owner or one of their machines", request_body = NewMachineToken,
    responses((status = 201, description = "Created; the token is shown once", body = MachineToken),
        (status = 400, body = ErrorBody), (status = 404, description = "A lot that is not the owner's", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewMachineToken>,
) -> Result<(StatusCode, axum::Json<MachineToken>), ApiError> {
    let owner = caller.owner()?;
    let name = text("name", &req.name, 100, "say what the token is for")?;
    match (req.role, req.lots.is_empty()) {
        (MachineRole::Owner, false) => {
            return Err(ApiError::field(
                "lots",
                "an owner token acts in all the owner's lots: give no `lots`",
            ));
        }
        (MachineRole::Owner, true) | (_, false) => {}
        (_, true) => return Err(ApiError::field("lots", "a token acts in at least one lot")),
    }
    for lot in &req.lots {
        owned_lot(&state, owner, lot).await?;
    }
    let role = Role::from(req.role);
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let (id, secret) = mint(&mut tx, owner, role, Some(name), &req.lots, now).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(MachineToken {
            id,
            role,
            name: Some(name.to_owned()),
            lots: req.lots,
            created_at: rfc3339(now),
            revoked_at: None,
            token: Some(secret),
        }),
    ))
}

/// A new machine token of the owner's in `tx`: its id and its secret
/// (stored hashed).
async fn mint(
    tx: &mut crate::db::Tx,
    owner: &str,
    role: Role,
    name: Option<&str>,
    lots: &[String],
    now: i64,
) -> Result<(String, String), ApiError> {
    let id = new_id("tok", now);
    let (secret, hash) = token(role)?;
    let scope = NewToken {
        id: Some(&id),
        name,
        role,
        ..NewToken::owner(&hash, owner)
    };
    owners::insert_token(&mut **tx, &scope, now).await?;
    for lot in lots {
        owners::add_token_lot(&mut **tx, &hash, lot).await?;
    }
    Ok((id, secret))
}

#[utoipa::path(get, path = "/v1/tokens", tag = "owners", summary = "List the owner's extra and machine tokens",
    responses((status = 200, description = "The owner's tokens (their own, the payment system's, the app platform's, the telephony system's), newest first; never the secrets", body = Vec<MachineToken>)),
    security(("bearer" = [])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<MachineToken>>, ApiError> {
    let owner = caller.owner()?;
    let mut out = Vec::new();
    for row in owners::service_tokens(state.db.pool(), owner).await? {
        out.push(MachineToken {
            lots: owners::token_lots(state.db.pool(), &row.id).await?,
            id: row.id,
            role: row.role,
            name: row.name,
            created_at: rfc3339(row.created_at),
            revoked_at: row.revoked_at.map(rfc3339),
            token: None,
        });
    }
    Ok(axum::Json(out))
}

#[utoipa::path(post, path = "/v1/tokens/{token}/rotate", tag = "owners", summary = "Replace a token with a new one of the same role, name and lots", params(("token" = String, Path)),
    responses((status = 201, description = "A new token with the same role, name and lots, shown once; the old one no longer authenticates", body = MachineToken),
        (status = 404, description = "No live token of the owner's with that id", body = ErrorBody),
        (status = 409, description = "The token making the request: rotate it with another", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn rotate_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(asked): Path<String>,
) -> Result<(StatusCode, axum::Json<MachineToken>), ApiError> {
    let owner = caller.owner()?;
    if let Caller::Owner {
        token_id: Some(own),
        ..
    } = &caller
        && *own == asked
    {
        return Err(ApiError::Conflict(format!(
            "`{asked}` is the token this request came with: rotate it with another of yours"
        )));
    }
    let pool = state.db.pool();
    let old = owners::service_tokens(pool, owner)
        .await?
        .into_iter()
        .find(|t| t.id == asked && t.revoked_at.is_none())
        .ok_or_else(|| {
            ApiError::not_found(format!("no live token `{asked}` of yours to rotate"))
        })?;
    let lots = owners::token_lots(pool, &old.id).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let (id, secret) = mint(&mut tx, owner, old.role, old.name.as_deref(), &lots, now).await?;
    if !owners::revoke_service_token(&mut *tx, owner, &old.id, now).await? {
        return Err(ApiError::Conflict(format!(
            "token `{asked}` was revoked meanwhile"
        )));
    }
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(MachineToken {
            id,
            role: old.role,
            name: old.name,
            lots,
            created_at: rfc3339(now),
            revoked_at: None,
            token: Some(secret),
        }),
    ))
}

#[utoipa::path(post, path = "/v1/tokens/{token}/revoke", tag = "owners", summary = "Revoke one of the owner's extra or machine tokens", params(("token" = String, Path)),
    responses((status = 204, description = "Revoked: it no longer authenticates"), (status = 404, body = ErrorBody),
        (status = 409, description = "The token making the request: revoke it with another", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
) -> Result<StatusCode, ApiError> {
    let owner = caller.owner()?;
    if let Caller::Owner {
        token_id: Some(own),
        ..
    } = &caller
        && *own == token
    {
        return Err(ApiError::Conflict(format!(
            "`{token}` is the token this request came with: revoke it with another of yours"
        )));
    }
    if owners::revoke_service_token(state.db.pool(), owner, &token, state.clock.now_ms()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "no token `{token}` of yours to revoke"
        )))
    }
}
