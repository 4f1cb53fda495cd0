//! Policy modules and each lot's policy versions: upload, configure,
//! activate (hot, with the previous version serving until the new one is
//! ready), roll back, preview what a version would change, read the fees.

use crate::api::query::Query;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use boomgate_engine::sdk::Decision;
use boomgate_engine::{CallError, ConfigureError, FieldError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, owned_lot, staff_lot};
use super::error::{ApiError, ErrorBody};
use super::fields::rfc3339;
use super::json::{Json, body_error};
use crate::db::ids::new_id;
use crate::db::policies::{self, ModuleRow};
use crate::db::types::Source;
use crate::db::{decisions, lots::LotRow};
use crate::service::registry::PrepareError;
use crate::service::{AppState, Config};

pub(crate) fn router(config: &Config) -> OpenApiRouter<AppState> {
    let modules = OpenApiRouter::new()
        .routes(routes!(upload_module, list_modules))
        .layer(DefaultBodyLimit::max(config.module_limit));
    let versions = OpenApiRouter::new()
        .routes(routes!(create_version, list_versions))
        .routes(routes!(activate))
        .routes(routes!(get_module))
        .routes(routes!(preview))
        .routes(routes!(fees));
    modules.merge(super::json(config, versions))
}

/// A module as the service knows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Module {
    /// sha256 of the module, in hex: how policy versions name it.
    pub digest: String,
    pub name: String,
    pub version: String,
    pub sdk_version: String,
    pub interface_version: String,
    pub size: i64,
    pub locales: Vec<String>,
    /// The JSON Schema of the module's settings.
    #[schema(value_type = Object)]
    pub settings_schema: serde_json::Value,
}

/// A module body: `application/wasm` (or `application/octet-stream`, as
/// generic clients send bytes), within the module size limit.
pub struct Wasm(pub Bytes);

impl FromRequest<AppState> for Wasm {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let wasm = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct == "application/wasm" || ct == "application/octet-stream");
        if !wasm {
            return Err(ApiError::UnsupportedMediaType(
                "send the module as `application/wasm`".into(),
            ));
        }
        Bytes::from_request(req, state)
            .await
            .map(Wasm)
            .map_err(body_error)
    }
}

fn prepare_error(e: PrepareError) -> ApiError {
    match e {
        PrepareError::Configure(ConfigureError::Invalid(fields)) => settings_refused(fields),
        PrepareError::Db(e) => e.into(),
        PrepareError::Join(e) => ApiError::Internal(anyhow::anyhow!(e)),
        PrepareError::NoSuchVersion(v) => {
            ApiError::not_found(format!("policy version {v} not found"))
        }
        busy @ PrepareError::Busy { .. } => ApiError::Busy {
            message: busy.to_string(),
            retry_after_seconds: 5,
        },
        other => ApiError::unprocessable(other.to_string()),
    }
}

/// 422 naming each refused field, under `settings`.
fn settings_refused(fields: Vec<FieldError>) -> ApiError {
    let fields: Vec<FieldError> = fields
        .into_iter()
        .map(|f| FieldError {
            path: if f.path.is_empty() {
                "settings".to_owned()
            } else {
                format!("settings.{}", f.path)
            },
            message: f.message,
        })
        .collect();
    let list: Vec<String> = fields.iter().map(ToString::to_string).collect();
    ApiError::Unprocessable {
        message: format!("invalid settings: {}", list.join("; ")),
        fields,
    }
}

#[utoipa::path(post, path = "/v1/modules", tag = "owners", summary = "Upload a policy module (a WebAssembly component)",
    request_body(content = Vec<u8>, content_type = "application/wasm", description = "A policy component"),
    responses((status = 201, body = Module), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "Not a policy module this host can run; the message says why", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload_module(
    State(state): State<AppState>,
    caller: Caller,
    Wasm(bytes): Wasm,
) -> Result<(StatusCode, axum::Json<Module>), ApiError> {
    let owner = caller.owner()?;
    let loaded = state
        .registry
        .load(bytes.to_vec())
        .await
        .map_err(prepare_error)?;
    let info = loaded.info();
    let row = ModuleRow::new(info, state.clock.now_ms());
    let mut tx = state.db.write().await?;
    policies::insert_module(&mut tx, &row, &bytes, owner).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(Module::from(row))))
}

impl From<ModuleRow> for Module {
    fn from(row: ModuleRow) -> Module {
        Module {
            locales: row
                .locales
                .as_deref()
                .and_then(|l| serde_json::from_str(l).ok())
                .unwrap_or_default(),
            settings_schema: serde_json::from_str(&row.settings_schema)
                .unwrap_or(serde_json::Value::Null),
            digest: row.digest,
            name: row.name,
            version: row.version,
            sdk_version: row.sdk_version,
            interface_version: row.interface_version,
            size: row.size,
        }
    }
}

#[utoipa::path(get, path = "/v1/modules", tag = "owners", summary = "List the policy modules the owner uploaded",
    responses((status = 200, description = "The modules the owner uploaded, newest first", body = Vec<Module>)),
    security(("bearer" = [])))]
pub async fn list_modules(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Module>>, ApiError> {
    let owner = caller.owner()?;
    let rows = policies::modules_of_owner(state.db.pool(), owner).await?;
    Ok(axum::Json(rows.into_iter().map(Module::from).collect()))
}

#[utoipa::path(get, path = "/v1/modules/{digest}", tag = "owners", summary = "Read an uploaded policy module by its digest", params(("digest" = String, Path)),
    responses((status = 200, description = "The module: its name, versions, size, locales and settings schema", body = Module),
        (status = 404, description = "No module with that digest was uploaded by the owner", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_module(
    State(state): State<AppState>,
    caller: Caller,
    Path(digest): Path<String>,
) -> Result<axum::Json<Module>, ApiError> {
    let owner = caller.owner()?;
    policies::module_of_owner(state.db.pool(), &digest, owner)
        .await?
        .map(|row| axum::Json(Module::from(row)))
        .ok_or_else(|| ApiError::not_found(format!("no module `{digest}` of yours")))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPolicyVersion {
    /// The module's digest (from `POST /v1/modules`).
    pub module: String,
    /// Settings, checked against the module's schema.
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// Why this version exists.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyVersion {
    pub version: i64,
    pub module: String,
    pub module_name: Option<String>,
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    pub note: Option<String>,
    pub active: bool,
    /// RFC 3339 (UTC).
    pub created_at: String,
    /// When this version was last activated, RFC 3339 (UTC).
    pub activated_at: Option<String>,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/policies", tag = "owners", summary = "Create a lot's policy version from a module and its settings", params(("lot" = String, Path)),
    request_body = NewPolicyVersion,
    responses((status = 201, body = PolicyVersion), (status = 404, body = ErrorBody),
        (status = 422, description = "Settings the module refuses; each field is named", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_version(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Json(req): Json<NewPolicyVersion>,
) -> Result<(StatusCode, axum::Json<PolicyVersion>), ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let module = policies::module_of_owner(state.db.pool(), &req.module, owner)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "module",
                format!("no module `{}` among your uploads", req.module),
            )
        })?;
    let loaded = state
        .registry
        .module(&state.db, &module.digest)
        .await
        .map_err(prepare_error)?;
    let settings = req.settings.to_string();
    state
        .registry
        .configure(loaded, settings.clone())
        .await
        .map_err(prepare_error)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let version = policies::insert_version(
        &mut tx,
        &lot.id,
        &module.digest,
        &settings,
        req.note.as_deref(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PolicyVersion {
            version,
            module: module.digest,
            module_name: Some(module.name),
            settings: req.settings,
            note: req.note,
            active: false,
            created_at: rfc3339(now),
            activated_at: None,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Activated {
    pub version: i64,
    pub previous: Option<i64>,
    pub activated_at: String,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/policies/{version}/activate", tag = "owners", summary = "Activate a lot's policy version",
    params(("lot" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = Activated), (status = 404, body = ErrorBody),
        (status = 422, description = "The version does not load; the active one keeps serving", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn activate(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, version)): Path<(String, i64)>,
) -> Result<axum::Json<Activated>, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    // Ready before anything changes: if it fails, the active version serves on.
    let active = state
        .registry
        .prepare(&state.db, &lot.id, version)
        .await
        .map_err(prepare_error)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    policies::activate(
        &mut tx,
        &new_id("act", now),
        &lot.id,
        version,
        &caller.label(),
        now,
    )
    .await?;
    tx.commit().await?;
    state.registry.install(&lot.id, active);
    tracing::info!(
        lot = lot.id,
        version,
        previous = lot.active_version,
        "policy version activated"
    );
    Ok(axum::Json(Activated {
        version,
        previous: lot.active_version,
        activated_at: rfc3339(now),
    }))
}

#[utoipa::path(get, path = "/v1/lots/{lot}/policies", tag = "owners", summary = "List a lot's policy versions", params(("lot" = String, Path)),
    responses((status = 200, description = "Every version, oldest first; the active one marked", body = Vec<PolicyVersion>),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
) -> Result<axum::Json<Vec<PolicyVersion>>, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let rows = policies::versions(state.db.pool(), &lot.id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(PolicyVersion {
            settings: serde_json::from_str(&row.settings).map_err(|e| {
                anyhow::anyhow!(
                    "stored settings of version {} are not JSON: {e}",
                    row.version
                )
            })?,
            active: lot.active_version == Some(row.version),
            version: row.version,
            module: row.module_digest,
            module_name: Some(row.module_name),
            note: row.note,
            created_at: rfc3339(row.created_at),
            activated_at: row.activated_at.map(rfc3339),
        });
    }
    Ok(axum::Json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// How many recent decisions to replay (at most 1000).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    pub version: i64,
    /// Decisions replayed.
    pub replayed: usize,
    /// Of those, decided differently.
    pub changed: usize,
    /// The first differences.
    pub examples: Vec<Difference>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Difference {
    pub decision_id: String,
    pub gate_id: String,
    pub plate: Option<String>,
    pub before: Decision,
    pub after: Decision,
}

#[utoipa::path(post, path = "/v1/lots/{lot}/policies/{version}/preview", tag = "owners", summary = "Preview what a policy version would decide for recent events",
    params(("lot" = String, Path), ("version" = i64, Path), PreviewQuery),
    responses((status = 200, description = "What the version would have decided for the lot's recent events", body = Preview),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Path((lot, version)): Path<(String, i64)>,
    Query(query): Query<PreviewQuery>,
) -> Result<axum::Json<Preview>, ApiError> {
    let owner = caller.owner()?;
    let lot = owned_lot(&state, owner, &lot).await?;
    let candidate = state
        .registry
        .prepare(&state.db, &lot.id, version)
        .await
        .map_err(prepare_error)?;
    let limit = query.limit.unwrap_or(200).clamp(1, 1000);
    let rows = decisions::decisions(
        state.db.pool(),
        &lot.id,
        &decisions::DecisionFilter::default(),
        limit,
    )
    .await?;
    let result = tokio::task::spawn_blocking(move || {
        let mut warm = candidate.policy.warm();
        let mut replayed = 0;
        let mut changed = 0;
        let mut examples = Vec::new();
        for row in rows.into_iter().filter(|r| r.source == Source::Robot) {
            let (Ok(input), Ok(before)) = (row.input(), row.decision()) else {
                continue;
            };
            replayed += 1;
            let after = warm.evaluate(&input);
            let same = after.gate == before.gate
                && after.reason == before.reason
                && after.fee == before.fee
                && after.effects == before.effects
                && after.voice == before.voice;
            if !same {
                changed += 1;
                if examples.len() < 20 {
                    examples.push(Difference {
                        decision_id: row.id,
                        gate_id: row.gate_id,
                        plate: row.plate,
                        before,
                        after,
                    });
                }
            }
        }
        Preview {
            version,
            replayed,
            changed,
            examples,
        }
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("preview worker failed: {e}")))?;
    Ok(axum::Json(result))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeesQuery {
    /// `zh-CN`, `ko-KR`, `en`; the lot's own locale when absent.
    pub locale: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Fees {
    pub lot_id: String,
    pub policy_version: i64,
    pub locale: Option<String>,
    /// The fee schedule as text, e.g. `30分钟内免费，1小时内5元，之后每小时3元，30元封顶`.
    pub text: String,
}

#[utoipa::path(get, path = "/v1/lots/{lot}/fees", tag = "owners", summary = "Read a lot's fee schedule text from its active policy", params(("lot" = String, Path), FeesQuery),
    responses((status = 200, body = Fees), (status = 400, description = "A locale the policy does not speak", body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn fees(
    State(state): State<AppState>,
    caller: Caller,
    Path(lot): Path<String>,
    Query(query): Query<FeesQuery>,
) -> Result<axum::Json<Fees>, ApiError> {
    let lot = staff_lot(&state, &caller, &lot).await?;
    fee_text(&state, &lot, query.locale).map(axum::Json)
}

/// The active policy's fee text for `lot`.
fn fee_text(state: &AppState, lot: &LotRow, locale: Option<String>) -> Result<Fees, ApiError> {
    let lot = lot.id.as_str();
    let active = state
        .registry
        .active(lot)
        .ok_or_else(|| ApiError::not_found(format!("lot `{lot}` has no active policy")))?;
    let text = active
        .policy
        .fee_schedule(locale.as_deref())
        .map_err(|e| match e {
            CallError::Refused(why) => ApiError::field("locale", why),
            other => ApiError::unprocessable(other.to_string()),
        })?;
    Ok(Fees {
        lot_id: lot.to_owned(),
        policy_version: active.version,
        locale,
        text,
    })
}
