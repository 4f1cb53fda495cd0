//! Who is calling: every request carries a bearer token bound to one role
//! and scope. Tokens are stored hashed. A source that fails to authenticate
//! too often is locked out for a while; valid tokens keep working from it,
//! so one misbehaving device behind a shared address cannot lock a gate's
//! robot out.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use super::error::ApiError;
use crate::db::ids::token_hash;
use crate::db::lots::{self, LotRow};
use crate::db::owners::{self, TokenRow};
use crate::db::types::Role;
use crate::db::{Tx, agents};
use crate::domain::pipeline::Site;
use crate::service::AppState;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A lot owner: their lots. `token_id` names the token it came with,
    /// `person_id` the person logged in (a console session).
    Owner {
        owner_id: String,
        token_id: Option<String>,
        person_id: Option<String>,
    },
    /// A gate robot: its gate.
    Robot(Box<Robot>),
    /// A remote agent: the lots it serves.
    Agent { agent_id: String, owner_id: String },
    /// A machine of the owner's (the payment system, the app platform,
    /// the telephony system): its role's routes, in its lots.
    Service(Box<Service>),
}

/// A machine's token: what it may do, where.
#[derive(Debug, Clone)]
pub struct Service {
    /// `payments`, `app` or `telephony`.
    pub role: Role,
    pub owner_id: String,
    /// The token's id, as records name it.
    pub token_id: String,
    /// The lots it may act in.
    pub lots: Vec<String>,
}

/// A robot and where it stands: its lot and gate, read with its token.
#[derive(Debug, Clone)]
pub struct Robot {
    pub owner_id: String,
    pub robot_id: String,
    pub site: Site,
}

impl Robot {
    /// The robot's lot.
    pub fn lot_id(&self) -> &str {
        &self.site.lot.id
    }

    /// The robot's gate.
    pub fn gate_id(&self) -> &str {
        &self.site.gate.id
    }
}

impl Caller {
    /// The owner, or 403 for other roles.
    pub fn owner(&self) -> Result<&str, ApiError> {
        match self {
            Caller::Owner { owner_id, .. } => Ok(owner_id),
            _ => Err(ApiError::Forbidden("this route is for lot owners".into())),
        }
    }

    /// The robot, or 403 for other roles.
    pub fn robot(&self) -> Result<&Robot, ApiError> {
        match self {
            Caller::Robot(robot) => Ok(robot),
            _ => Err(ApiError::Forbidden("this route is for gate robots".into())),
        }
    }

    /// An owner or an agent (the people who resolve what robots cannot), or
    /// 403 for robots and machines.
    pub fn staff(&self) -> Result<(), ApiError> {
        match self {
            Caller::Owner { .. } | Caller::Agent { .. } => Ok(()),
            Caller::Robot(_) | Caller::Service(_) => Err(ApiError::Forbidden(
                "this route is for agents and lot owners".into(),
            )),
        }
    }

    /// How the caller appears in records.
    pub fn label(&self) -> String {
        match self {
            Caller::Owner {
                owner_id,
                person_id: Some(person),
                ..
            } => format!("owner:{owner_id}/person:{person}"),
            Caller::Owner { owner_id, .. } => format!("owner:{owner_id}"),
            Caller::Robot(r) => format!("robot:{}/{}", r.lot_id(), r.robot_id),
            Caller::Agent { agent_id, .. } => format!("agent:{agent_id}"),
            Caller::Service(s) => format!("{}:{}", s.role, s.token_id),
        }
    }
}

/// The lot, if the caller is its owner or a machine of `role` scoped to
/// it; 404 for another owner's lot, 403 for other roles.
pub async fn service_lot(
    state: &AppState,
    caller: &Caller,
    role: Role,
    lot: &str,
) -> Result<LotRow, ApiError> {
    match caller {
        Caller::Owner { owner_id, .. } => owned_lot(state, owner_id, lot).await,
        Caller::Service(s) if s.role == role => match lots::lot(state.db.pool(), lot).await? {
            Some(row) if row.owner_id == s.owner_id && s.lots.iter().any(|l| l == lot) => Ok(row),
            _ => Err(ApiError::not_found(format!("lot `{lot}` not found"))),
        },
        _ => Err(ApiError::Forbidden(format!(
            "this route is for the {} and lot owners",
            match role {
                Role::Payments => "payment system",
                Role::App => "app platform",
                Role::Telephony => "telephony system",
                Role::Merchant => "merchants",
                _ => "service",
            }
        ))),
    }
}

/// The lot, if the caller is its owner, an agent serving it or the
/// payment system of it: who may read its orders.
pub async fn orders_lot(state: &AppState, caller: &Caller, lot: &str) -> Result<LotRow, ApiError> {
    match caller {
        Caller::Service(_) => service_lot(state, caller, Role::Payments, lot).await,
        _ => staff_lot(state, caller, lot).await,
    }
}

/// The lot, if `owner` owns it; 404 otherwise (another owner's lot does not
/// exist as far as this caller can tell).
pub async fn owned_lot(state: &AppState, owner: &str, lot: &str) -> Result<LotRow, ApiError> {
    match lots::lot(state.db.pool(), lot).await? {
        Some(row) if row.owner_id == owner => Ok(row),
        _ => Err(ApiError::not_found(format!("lot `{lot}` not found"))),
    }
}

/// The lot, if the caller is its owner or an agent serving it; 404
/// otherwise, 403 for robots.
pub async fn staff_lot(state: &AppState, caller: &Caller, lot: &str) -> Result<LotRow, ApiError> {
    caller.staff()?;
    let row = lots::lot(state.db.pool(), lot).await?;
    let allowed = match (&row, caller) {
        (Some(row), Caller::Owner { owner_id, .. }) => row.owner_id == *owner_id,
        (Some(_), Caller::Agent { agent_id, .. }) => {
            agents::serves(state.db.pool(), agent_id, lot).await?
        }
        _ => false,
    };
    match row {
        Some(row) if allowed => Ok(row),
        _ => Err(ApiError::not_found(format!("lot `{lot}` not found"))),
    }
}

/// The lots a caller may see: an owner's, or those an agent serves.
pub async fn visible_lots(state: &AppState, caller: &Caller) -> Result<Vec<LotRow>, ApiError> {
    match caller {
        Caller::Owner { owner_id, .. } => Ok(lots::lots_of_owner(state.db.pool(), owner_id).await?),
        Caller::Agent { agent_id, .. } => Ok(lots::lots_of_agent(state.db.pool(), agent_id).await?),
        Caller::Robot(_) | Caller::Service(_) => Err(ApiError::Forbidden(
            "this route is for agents and lot owners".into(),
        )),
    }
}

/// Where a request comes from: the peer address or, behind trusted
/// proxies (`trust_forwarded_for`), the rightmost `X-Forwarded-For` hop that
/// is not one of them. Proxies append the address they received from, so
/// the hops left of the first untrusted one are the client's to choose and
/// never count.
pub(crate) fn source(parts: &Parts, config: &crate::service::Config) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    client_address(
        peer,
        parts.headers.get_all("x-forwarded-for").iter(),
        config,
    )
    .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

fn client_address<'h>(
    peer: Option<std::net::IpAddr>,
    forwarded: impl DoubleEndedIterator<Item = &'h axum::http::HeaderValue>,
    config: &crate::service::Config,
) -> Option<std::net::IpAddr> {
    let trusted = |ip: std::net::IpAddr| {
        config
            .trusted_proxies
            .iter()
            .any(|range| range.contains(ip))
    };
    let peer_trusted = peer.is_some_and(|ip| config.trusted_proxies.is_empty() || trusted(ip));
    if !config.trust_forwarded_for || !peer_trusted {
        return peer;
    }
    // Several headers are one list, in order.
    let mut hops: Vec<&str> = Vec::new();
    for value in forwarded {
        let Ok(value) = value.to_str() else {
            return peer;
        };
        hops.extend(value.split(',').map(str::trim));
    }
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A hop that is not an address (`unknown`, garbage): the chain
        // cannot be read further left; the last trusted proxy's peer is it.
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = Some(ip);
        if !trusted(ip) {
            break;
        }
    }
    client
}

/// A forwarded hop: an address, possibly with a port (`[::1]:443`,
/// `192.0.2.1:80`).
fn parse_hop(hop: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    hop.parse::<SocketAddr>().ok().map(|addr| addr.ip())
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let Some(token) = bearer(parts) else {
            // A person logged in to the console: the session cookie.
            if let Some(secret) = session_cookie(parts) {
                return session_caller(parts, state, &secret).await;
            }
            return Err(ApiError::Unauthorized(
                "send a token: `Authorization: Bearer <token>`, or log in".into(),
            ));
        };
        let hash = token_hash(token);
        let arrived = *parts
            .extensions
            .get_or_insert_with(|| Arrived(std::time::Instant::now()));
        let lookup = async {
            // Robots, the hot path, are found in one read; other tokens in
            // two.
            if let Some((token, lot, gate)) = lots::robot_by_token(state.db.pool(), &hash).await? {
                return Ok(Some(Caller::Robot(Box::new(Robot {
                    owner_id: token.owner_id,
                    robot_id: token.robot_id,
                    site: Site { lot, gate },
                }))));
            }
            match owners::find_token(state.db.pool(), &hash).await? {
                Some(row) => caller(state, row).await,
                None => Ok(None),
            }
        };
        // A known robot's lookup gets half its decision budget: the rest is
        // for deciding, or for the fallback if storage does not answer.
        let found = match state.robots_seen.recall(&hash) {
            Some(known) => {
                let half = std::time::Duration::from_millis(state.config.decision_budget_ms / 2);
                match tokio::time::timeout_at((arrived.0 + half).into(), lookup).await {
                    Ok(found) => found,
                    Err(_) => return Ok(known),
                }
            }
            None => lookup.await,
        };
        match found {
            Ok(Some(caller)) => {
                if matches!(caller, Caller::Robot(_)) {
                    state.robots_seen.remember(&hash, &caller);
                }
                return Ok(caller);
            }
            Ok(None) => state.robots_seen.forget(&hash),
            // The database fails: a robot it knew keeps getting decisions
            // (the fallback, if storage stays down).
            Err(e) => {
                return state.robots_seen.recall(&hash).ok_or(e);
            }
        }
        state.metrics.auth_failed();
        let source = source(parts, &state.config);
        let now = state.clock.now_ms();
        let lock_ms = state.config.lockout_minutes * 60_000;
        let mut tx: Tx = state.db.write().await?;
        let locked = owners::record_auth_failure(
            &mut tx,
            &source,
            now,
            state.config.lockout_failures,
            lock_ms,
        )
        .await?;
        tx.commit().await?;
        match locked {
            Some(until) => Err(ApiError::Locked {
                message: format!(
                    "too many failed authentications from {source}: locked until {}",
                    jiff::Timestamp::from_millisecond(until)
                        .map_or_else(|_| until.to_string(), |t| t.to_string())
                ),
                retry_after_seconds: (until - now).div_euclid(1000).max(1),
            }),
            None => Err(ApiError::Unauthorized("invalid token".into())),
        }
    }
}

/// The console session's secret from the `bg_session` cookie.
pub(crate) fn session_cookie(parts: &Parts) -> Option<String> {
    cookie_of(parts, SESSION_COOKIE)
}

/// Where a request comes from (the peer, or `X-Forwarded-For` behind a
/// trusted proxy), for the records.
pub struct Source(pub String);

impl FromRequestParts<AppState> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Source, Self::Rejection> {
        Ok(Source(source(parts, &state.config)))
    }
}

/// The console session's secret from a request's `bg_session` cookie.
pub struct SessionSecret(pub Option<String>);

impl FromRequestParts<AppState> for SessionSecret {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<SessionSecret, Self::Rejection> {
        Ok(SessionSecret(session_cookie(parts)))
    }
}

/// The console session cookie's name.
pub const SESSION_COOKIE: &str = "bg_session";

/// The `Set-Cookie` value of a session: HttpOnly, SameSite=Lax, for
/// `max_age` seconds, Secure over TLS.
pub fn session_cookie_set(secret: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that clears the session cookie.
pub fn session_cookie_cleared() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// Whether the browser reached the service over TLS, as a trusted proxy
/// says with `X-Forwarded-Proto` (the service itself speaks plain HTTP).
pub fn over_tls(headers: &axum::http::HeaderMap, trust_forwarded_for: bool) -> bool {
    trust_forwarded_for
        && headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes() == b"https")
}

/// The cookie a browser is known by once it logged in with a code (a
/// password alone is refused on a browser without it).
pub const DEVICE_COOKIE: &str = "bg_device";

/// A request's cookie.
pub(crate) fn cookie_of(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The browser a person logs in from: its `bg_device` cookie and its user
/// agent.
pub struct BrowserSeen {
    pub device: Option<String>,
    pub user_agent: Option<String>,
}

impl BrowserSeen {
    pub fn as_browser(&self) -> crate::domain::logins::Browser<'_> {
        crate::domain::logins::Browser {
            device: self.device.as_deref(),
            user_agent: self.user_agent.as_deref(),
        }
    }

    /// The `Set-Cookie` value that keeps a device secret for 400 days.
    pub fn cookie(device: &str, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        format!(
            "{DEVICE_COOKIE}={device}; Path=/; HttpOnly; SameSite=Lax; Max-Age=34560000{secure}"
        )
    }
}

impl FromRequestParts<AppState> for BrowserSeen {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<BrowserSeen, Self::Rejection> {
        Ok(BrowserSeen {
            device: cookie_of(parts, DEVICE_COOKIE),
            user_agent: parts
                .headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(300).collect()),
        })
    }
}

/// The person a session cookie stands for, as the caller their role makes
/// them. A request that changes something must carry the session's CSRF
/// token in `X-CSRF-Token`.
async fn session_caller(parts: &Parts, state: &AppState, secret: &str) -> Result<Caller, ApiError> {
    let Some(person) = crate::domain::logins::session_person(state, secret).await? else {
        return Err(ApiError::Unauthorized(
            "the session has ended: log in again".into(),
        ));
    };
    let safe = matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if !safe {
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !crate::domain::logins::same_secret(sent, &crate::domain::logins::csrf_of(secret)) {
            return Err(ApiError::Forbidden(
                "a change from a session needs its `X-CSRF-Token`".into(),
            ));
        }
    }
    caller_of_person(&person).ok_or_else(|| {
        ApiError::Forbidden("this person's account acts as no one: ask staff".into())
    })
}

/// The caller a person acts as: an agent person as its agent, an owner
/// person as the owner (named in records). Anything else — an agent with
/// no agent row, which the schema forbids — acts as no one.
pub(crate) fn caller_of_person(person: &crate::db::people::PersonRow) -> Option<Caller> {
    use crate::db::types::PersonRole;
    match (&person.role, &person.agent_id) {
        (PersonRole::Agent, Some(agent_id)) => Some(Caller::Agent {
            agent_id: agent_id.clone(),
            owner_id: person.owner_id.clone(),
        }),
        (PersonRole::Owner, None) => Some(Caller::Owner {
            owner_id: person.owner_id.clone(),
            token_id: None,
            person_id: Some(person.id.clone()),
        }),
        _ => None,
    }
}

/// When a request's caller began to be looked up: a robot's decision
/// budget runs from then.
#[derive(Debug, Clone, Copy)]
pub struct Arrived(pub std::time::Instant);

/// The caller a stored token stands for, if its scope still exists.
async fn caller(state: &AppState, row: TokenRow) -> Result<Option<Caller>, ApiError> {
    Ok(match row.role {
        Role::Owner => Some(Caller::Owner {
            owner_id: row.owner_id,
            token_id: row.id,
            person_id: None,
        }),
        Role::Robot => {
            let (Some(lot_id), Some(robot_id)) = (row.lot_id, row.robot_id) else {
                return Ok(None);
            };
            lots::robot_site(state.db.pool(), &lot_id, &robot_id)
                .await?
                .map(|(lot, gate)| {
                    Caller::Robot(Box::new(Robot {
                        owner_id: row.owner_id,
                        robot_id,
                        site: Site { lot, gate },
                    }))
                })
        }
        Role::Agent => row.agent_id.map(|agent_id| Caller::Agent {
            agent_id,
            owner_id: row.owner_id,
        }),
        role @ (Role::Payments | Role::App | Role::Telephony | Role::Merchant) => {
            let token_id = row.id.unwrap_or_default();
            let lots = owners::token_lots(state.db.pool(), &token_id).await?;
            Some(Caller::Service(Box::new(Service {
                role,
                owner_id: row.owner_id,
                token_id,
                lots,
            })))
        }
    })
}

/// The robots the service knows, by token hash: every robot's at start,
/// those created or authenticated since. While the database fails they
/// keep being recognised, so that they get the fallback decision instead
/// of an error; a token the database no longer knows is forgotten.
#[derive(Default)]
pub struct RobotsSeen {
    robots: std::sync::Mutex<std::collections::HashMap<String, Caller>>,
}

/// How many robots are remembered at most.
const ROBOTS_SEEN: usize = 10_000;

impl RobotsSeen {
    /// Learns every robot's live token.
    pub async fn load(&self, state: &AppState) -> anyhow::Result<usize> {
        let tokens = owners::robot_tokens(state.db.pool()).await?;
        let mut known = 0;
        for robot in tokens {
            let found = caller(state, robot.token)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if let Some(caller) = found {
                self.remember(&robot.hash, &caller);
                known += 1;
            }
        }
        Ok(known)
    }

    /// Remembers a robot's token.
    pub fn remember(&self, hash: &str, caller: &Caller) {
        let mut robots = self.robots.lock().unwrap_or_else(|p| p.into_inner());
        if robots.len() >= ROBOTS_SEEN && !robots.contains_key(hash) {
            robots.clear();
        }
        robots.insert(hash.to_owned(), caller.clone());
    }

    fn recall(&self, hash: &str) -> Option<Caller> {
        let robots = self.robots.lock().unwrap_or_else(|p| p.into_inner());
        robots.get(hash).cloned()
    }

    /// Forgets every token of a robot (retired, rotated or moved).
    pub fn forget_robot(&self, lot: &str, robot: &str) {
        let mut robots = self.robots.lock().unwrap_or_else(|p| p.into_inner());
        robots.retain(|_, caller| {
            !matches!(caller, Caller::Robot(r) if r.lot_id() == lot && r.robot_id == robot)
        });
    }

    fn forget(&self, hash: &str) {
        let mut robots = self.robots.lock().unwrap_or_else(|p| p.into_inner());
        robots.remove(hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn client(peer: &str, headers: &[&str], trust: bool, proxies: &[&str]) -> String {
        let config = crate::service::Config {
            trust_forwarded_for: trust,
            trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(),
            ..Default::default()
        };
        let values: Vec<HeaderValue> = headers
            .iter()
            .map(|h| HeaderValue::from_str(h).unwrap())
            .collect();
        client_address(Some(peer.parse().unwrap()), values.iter(), &config)
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_client_address_is_the_rightmost_untrusted_hop() {
        // Not trusted: the peer, whatever the header says.
        assert_eq!(
            client("10.0.0.2", &["198.51.100.1"], false, &[]),
            "10.0.0.2"
        );
        // One proxy (the peer): what it appended, not what the client sent.
        assert_eq!(
            client("10.0.0.2", &["1.1.1.1, 203.0.113.5"], true, &[]),
            "203.0.113.5"
        );
        // Two proxies: past both, and several headers are one list.
        assert_eq!(
            client(
                "10.0.0.2",
                &["6.6.6.6, 203.0.113.5", "10.0.0.9"],
                true,
                &["10.0.0.0/8"]
            ),
            "203.0.113.5"
        );
        // A peer that is not a listed proxy cannot forward.
        assert_eq!(
            client("192.0.2.50", &["203.0.113.5"], true, &["10.0.0.0/8"]),
            "192.0.2.50"
        );
        // Ports and brackets; garbage stops the walk at the last good hop.
        assert_eq!(
            client("10.0.0.2", &["[2001:db8::1]:443"], true, &[]),
            "2001:db8::1"
        );
        assert_eq!(
            client(
                "10.0.0.2",
                &["203.0.113.5, nonsense, 10.0.0.7"],
                true,
                &["10.0.0.0/8"]
            ),
            "10.0.0.7"
        );
        // No header: the peer.
        assert_eq!(client("10.0.0.2", &[], true, &[]), "10.0.0.2");
    }
}
