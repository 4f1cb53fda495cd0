//! A real service for each test: its own SQLite file or PostgreSQL
//! database, served over TCP on loopback, with an owner to drive it.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};

use boomgate_host::AppState;
use boomgate_host::service::Clock;
use boomgate_host::service::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Executor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running service and an owner of it.
pub struct TestApp {
    pub url: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub owner: String,
    pub owner_id: String,
    pub clock: Clock,
    config: Config,
    server: tokio::task::JoinHandle<()>,
    _dir: Option<tempfile::TempDir>,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

/// A unique suffix for names in this test process.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}x{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

async fn database(backend: Backend) -> (String, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("boomgate.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => {
            let admin = std::env::var("BOOMGATE_TEST_PG_URL").expect(
                "PostgreSQL tests need a server: run `scripts/test` (it starts one) or set BOOMGATE_TEST_PG_URL",
            );
            sqlx::any::install_default_drivers();
            let name = unique("bg_test_");
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("PostgreSQL server");
            conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create database");
            (database_url(&admin, &name), None)
        }
    }
}

/// `admin` (a PostgreSQL URL) naming database `name` instead, its
/// parameters (`sslmode`, …) kept.
pub fn database_url(admin: &str, name: &str) -> String {
    let (url, query) = admin
        .split_once('?')
        .map_or((admin, None), |(u, q)| (u, Some(q)));
    let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// A service whose configuration `tweak` adjusts.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let (db, dir) = database(backend).await;
        let mut config = Config {
            db,
            demo: false,
            policy_refresh_ms: 100_000,
            // Tests upload many modules with one token; the limit has its
            // own test (operability::expensive_routes_are_limited_per_token).
            expensive_per_minute: 0,
            // Compiles run in worker processes, as under `boomgate serve`.
            compile_worker: Some(env!("CARGO_BIN_EXE_boomgate").into()),
            ..Config::default()
        };
        tweak(&mut config);
        let clock = Clock::system();
        let state = AppState::new(config.clone(), clock.clone())
            .await
            .expect("service starts");
        let (owner_id, owner) =
            boomgate_host::service::admin::create_owner(&state.db, "Test owner", clock.now_ms())
                .await
                .expect("owner");
        let (url, server) = serve(state.clone()).await;
        TestApp {
            url,
            client: reqwest::Client::new(),
            state,
            owner,
            owner_id,
            clock,
            config,
            server,
            _dir: dir,
        }
    }

    /// Stops the service and starts a new one on the same database, as a
    /// restart does.
    pub async fn restart(self) -> TestApp {
        let TestApp {
            client,
            owner,
            owner_id,
            clock,
            config,
            _dir,
            state,
            server,
            ..
        } = self;
        server.abort();
        let _ = server.await;
        drop(state);
        let state = AppState::new(config.clone(), clock.clone())
            .await
            .expect("service restarts");
        let (url, server) = serve(state.clone()).await;
        TestApp {
            url,
            client,
            state,
            owner,
            owner_id,
            clock,
            config,
            server,
            _dir,
        }
    }

    /// A second host on the same PostgreSQL database, as a deployment runs
    /// several: its own state and server, the same owner and clock.
    pub async fn twin(&self) -> TestApp {
        assert!(
            self._dir.is_none(),
            "hosts share a PostgreSQL database only"
        );
        let state = AppState::new(self.config.clone(), self.clock.clone())
            .await
            .expect("second host starts");
        let (url, server) = serve(state.clone()).await;
        TestApp {
            url,
            client: reqwest::Client::new(),
            state,
            owner: self.owner.clone(),
            owner_id: self.owner_id.clone(),
            clock: self.clock.clone(),
            config: self.config.clone(),
            server,
            _dir: None,
        }
    }

    /// Sets the service's clock to `rfc3339`: what it does now, it does
    /// then.
    pub fn set_clock(&self, rfc3339: &str) {
        let t: jiff::Timestamp = rfc3339.parse().expect("an RFC 3339 instant");
        self.clock.advance(t.as_millisecond() - self.clock.now_ms());
    }

    /// Another owner, with their token.
    pub async fn new_owner(&self, name: &str) -> String {
        boomgate_host::service::admin::create_owner(&self.state.db, name, self.clock.now_ms())
            .await
            .expect("owner")
            .1
    }

    /// A client whose requests come from `source` (any 127.x address).
    pub fn client_from(source: IpAddr) -> reqwest::Client {
        reqwest::Client::builder()
            .local_address(source)
            .build()
            .expect("client")
    }

    pub async fn send(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(&self.client, reqwest::Method::POST, token, path, Some(body))
            .await
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.send(&self.client, reqwest::Method::GET, token, path, None)
            .await
    }

    /// A GET that must succeed: its body.
    pub async fn read(&self, token: &str, path: &str) -> Value {
        self.ok(StatusCode::OK, self.get(token, path).await).await
    }

    /// An unauthenticated GET's status and text (`/healthz`, `/metrics`).
    pub async fn plain(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// The service's metrics.
    pub async fn metrics(&self) -> String {
        let (status, text) = self.plain("/metrics").await;
        assert_eq!(status, StatusCode::OK, "{text}");
        text
    }

    /// Posts a policy module as `application/wasm`.
    pub async fn upload(&self, token: &str, bytes: &[u8]) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/v1/modules", self.url))
            .bearer_auth(token)
            .header("content-type", "application/wasm")
            .body(bytes.to_vec())
            .send()
            .await
            .expect("upload");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Expects `status`, returning the body.
    pub async fn ok(&self, expect: StatusCode, call: (StatusCode, Value)) -> Value {
        let (status, body) = call;
        assert_eq!(status, expect, "{body}");
        body
    }

    /// A lot with an entry and an exit gate and a robot at each.
    pub async fn lot(&self, owner: &str, id: &str, timezone: &str, currency: &str) -> Lot {
        let body = json!({ "id": id, "name": format!("Lot {id}"), "timezone": timezone, "currency": currency });
        self.ok(
            StatusCode::CREATED,
            self.post(owner, "/v1/lots", body).await,
        )
        .await;
        let mut tokens = Vec::new();
        for (gate, direction) in [("north-entry", "entry"), ("north-exit", "exit")] {
            let path = format!("/v1/lots/{id}/gates");
            self.ok(
                StatusCode::CREATED,
                self.post(owner, &path, json!({ "id": gate, "direction": direction }))
                    .await,
            )
            .await;
            let path = format!("/v1/lots/{id}/robots");
            let robot = json!({ "id": format!("robot-{direction}"), "gate_id": gate });
            let created = self
                .ok(StatusCode::CREATED, self.post(owner, &path, robot).await)
                .await;
            tokens.push(created["token"].as_str().expect("token").to_owned());
        }
        let exit = tokens.pop().expect("exit token");
        let entry = tokens.pop().expect("entry token");
        Lot {
            id: id.to_owned(),
            entry,
            exit,
        }
    }

    /// Uploads the standard policy; returns its digest.
    pub async fn standard_module(&self, owner: &str) -> String {
        let bytes =
            boomgate_host::service::shipped::module("standard-lot").expect("shipped standard lot");
        let module = self
            .ok(StatusCode::CREATED, self.upload(owner, bytes).await)
            .await;
        module["digest"].as_str().expect("digest").to_owned()
    }

    /// A lot in Shanghai on the standard policy with the scenarios'
    /// settings, visitors admitted, `patch` merged in, activated.
    pub async fn visitor_lot(&self, owner: &str, patch: &Value) -> Lot {
        let lot = self
            .lot(owner, &unique("lot"), "Asia/Shanghai", "CNY")
            .await;
        let module = self.standard_module(owner).await;
        let mut settings = standard_settings();
        settings["visitor_confirmation"] = json!(false);
        boomgate_engine::sdk::testing::merge_patch(&mut settings, patch);
        let version = self.version(owner, &lot.id, &module, &settings).await;
        self.activate(owner, &lot.id, version).await;
        lot
    }

    /// Creates a policy version; returns its number.
    pub async fn version(&self, owner: &str, lot: &str, module: &str, settings: &Value) -> i64 {
        let body = json!({ "module": module, "settings": settings });
        let created = self
            .ok(
                StatusCode::CREATED,
                self.post(owner, &format!("/v1/lots/{lot}/policies"), body)
                    .await,
            )
            .await;
        created["version"].as_i64().expect("version")
    }

    pub async fn activate(&self, owner: &str, lot: &str, version: i64) {
        let path = format!("/v1/lots/{lot}/policies/{version}/activate");
        self.ok(StatusCode::OK, self.post(owner, &path, json!({})).await)
            .await;
    }

    /// A robot's plate event.
    pub async fn event(
        &self,
        robot: &str,
        event_id: &str,
        plate: Option<&str>,
        occurred_at: &str,
    ) -> (StatusCode, Value) {
        let body = json!({ "event_id": event_id, "plate": plate, "occurred_at": occurred_at });
        self.post(robot, "/v1/events", body).await
    }
}

pub async fn serve(state: AppState) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let app = boomgate_host::app(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), server)
}

/// A lot made by [`TestApp::lot`]: its id and robot tokens.
pub struct Lot {
    pub id: String,
    pub entry: String,
    pub exit: String,
}

/// The standard policy's settings as the scenarios use them.
pub fn standard_settings() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/scenarios/standard-lot/settings.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("settings")).expect("settings JSON")
}

/// An RFC 3339 instant `minutes` before now (UTC).
pub fn minutes_ago(minutes: i64) -> String {
    let t = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(minutes);
    t.round(jiff::Unit::Second).expect("rounding").to_string()
}

/// Waits until `condition` holds, looking again as the service works, for
/// at most 30 seconds; panics saying `what` did not happen.
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "within 30 s: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// Polls futures together until all are done.
pub async fn join_all<F: std::future::Future + Unpin>(mut futures: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut results: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in futures.iter_mut().enumerate() {
            if results[i].is_none() {
                match std::pin::Pin::new(f).poll(cx) {
                    Poll::Ready(v) => results[i] = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    results
        .into_iter()
        .map(|r| r.expect("every future finished"))
        .collect()
}
