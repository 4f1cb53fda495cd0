//! Service configuration: defaults, then a TOML file, then `BOOMGATE_*`
//! environment variables, then command-line flags.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

/// How the service runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where to listen (`BOOMGATE_LISTEN`).
    pub listen: SocketAddr,
    /// The database: `sqlite://FILE` or `postgres://...` (`BOOMGATE_DB`).
    /// PostgreSQL's `sslmode` (`disable`, `prefer`, `require`, `verify-ca`,
    /// `verify-full`) and `sslrootcert` are read from the URL, and its
    /// password may stay out of it: `db_password_file`, `PGPASSWORD` or
    /// `~/.pgpass`.
    pub db: String,
    /// A file holding the PostgreSQL password (a mounted secret), so that
    /// neither the URL nor the process's arguments carry it
    /// (`BOOMGATE_DB_PASSWORD_FILE`).
    pub db_password_file: Option<std::path::PathBuf>,
    /// Create a demo lot with the standard policy on first start with an
    /// empty database, and print its tokens (`BOOMGATE_DEMO`).
    pub demo: bool,
    /// The largest JSON body accepted, in bytes.
    pub body_limit: usize,
    /// The largest policy module accepted, in bytes.
    pub module_limit: usize,
    /// The largest photo accepted, in bytes.
    pub photo_limit: usize,
    /// Failed authentications from one source before it is locked out.
    pub lockout_failures: i64,
    /// How long a locked-out source stays locked, in minutes.
    pub lockout_minutes: i64,
    /// Take the client address from `X-Forwarded-For` (behind a proxy):
    /// the rightmost address that is not one of `trusted_proxies`, so a
    /// client cannot choose its own address by sending the header.
    pub trust_forwarded_for: bool,
    /// The proxies in front of the service, as addresses or CIDR ranges
    /// (`10.0.0.0/8`, `::1`). With `trust_forwarded_for`, forwarded headers
    /// are read only from a peer in this list; an empty list trusts the
    /// peer alone (one proxy, in front of the service).
    pub trusted_proxies: Vec<Cidr>,
    /// Policy work allowed per call (fuel units).
    pub policy_fuel: u64,
    /// Linear memory a policy instance may have, in bytes.
    pub policy_memory: usize,
    /// How far in the future a robot's `occurred_at` may be, in seconds
    /// (robot clocks drift; a larger skew is refused as a wrong clock).
    pub max_clock_skew_seconds: i64,
    /// How often other hosts' policy activations are picked up, in
    /// milliseconds (several hosts on one PostgreSQL database).
    pub policy_refresh_ms: u64,
    /// How often a robot's long poll for commands looks in the database,
    /// in milliseconds: commands issued on this host wake it at once, those
    /// issued on other hosts reach it within this interval.
    pub command_repoll_ms: u64,
    /// A read at a gate within this many seconds of the gate's previous
    /// decision about the same plate (or one the camera confuses with it)
    /// is a duplicate: it gets that decision back. Lots and gates may set
    /// their own (`debounce_seconds`); 0 turns it off.
    pub debounce_seconds: i64,
    /// Events that happened longer ago than this, in hours, are refused as
    /// a wrong robot clock (400 naming `occurred_at`).
    pub max_event_age_hours: i64,
    /// How long a robot's event may take, in milliseconds, before it gets
    /// the fallback decision (storage down, hung or full): a robot is never
    /// left waiting or without a decision.
    pub decision_budget_ms: u64,
    /// How long an order is offered to pay, in minutes; a later read of
    /// the plate at the exit places a new one.
    pub order_expiry_minutes: i64,
    /// How often robots are asked to send a heartbeat, in seconds.
    pub heartbeat_seconds: i64,
    /// A robot with no heartbeat for this many seconds is offline: it shows
    /// in the congestion list, the lot's information and the metrics.
    pub robot_offline_seconds: i64,
    /// A vehicle held, or a case no agent has answered, for this many
    /// seconds shows in the congestion list (seed 001 §2.3.3: a minute).
    pub congestion_after_seconds: i64,
    /// Where login codes go: `dev` (the service log) or `webhook`.
    pub login_sender: String,
    /// The SMS gateway's URL for `login_sender = "webhook"` (`http://`).
    pub login_webhook_url: Option<String>,
    /// How long a login code works, in minutes.
    pub login_code_minutes: i64,
    /// How long before another code is sent to the same person, in seconds.
    pub login_resend_seconds: i64,
    /// Wrong codes that lock a person's account (whatever the source).
    pub login_lockout_failures: i64,
    /// How long a locked account stays locked, in hours.
    pub login_lockout_hours: i64,
    /// How long a console session lasts, in hours.
    pub session_hours: i64,
    /// Codes one source address may ask for in an hour, whatever the
    /// numbers (a guard against sending floods of SMS).
    pub login_codes_per_source_hour: i64,
    /// How the service logs: `text` (for people) or `json` (one object per
    /// line, for a log collector) (`BOOMGATE_LOG_FORMAT`, `--log-format`).
    pub log_format: LogFormat,
    /// How long a request may take before it is answered 503 `timeout`, in
    /// seconds; at least 35, above a robot's 30-second long poll (a robot's
    /// event has its own, shorter `decision_budget_ms`).
    pub request_timeout_seconds: u64,
    /// The token `GET /metrics` requires (`Authorization: Bearer …`); unset,
    /// the metrics are open to whoever reaches them (bind `metrics_listen`
    /// to a private address instead, or set both).
    pub metrics_token: Option<String>,
    /// Serve `GET /metrics` on this address instead of `listen` (a
    /// monitoring network); unset, it is served on `listen`.
    pub metrics_listen: Option<SocketAddr>,
    /// The expensive routes (module uploads and compiles, previews of a
    /// policy against history, imports of passes and tariffs) one token may call per minute;
    /// more are answered 429 with `Retry-After`, so one tenant cannot
    /// starve the others. 0 turns the limit off.
    pub expensive_per_minute: u32,
    /// Modules compiled at once, each on one thread at a low priority, so
    /// compiling never takes the cores robots' decisions run on. Uploads
    /// beyond it wait their turn.
    pub compile_concurrency: usize,
    /// How long an upload waits for a compile turn before it is answered
    /// 503 `busy` (with `Retry-After`), in seconds.
    pub compile_wait_seconds: u64,
    /// How long one module may take to compile, in seconds: beyond it the
    /// upload is refused (422) naming the limit.
    pub compile_budget_seconds: u64,
    /// Memory one compile may allocate, in MiB: each module compiles in a
    /// worker process of its own (`boomgate compile-worker`), capped at
    /// this much and killed at `compile_budget_seconds`; beyond either the
    /// upload is refused (422) naming the limit.
    pub compile_memory_mib: u64,
    /// The program compiles run in (its `compile-worker` command): by
    /// default the running `boomgate` binary. Unset where the service runs
    /// embedded in another program, compiles run on a thread of the
    /// service, bounded in time only.
    pub compile_worker: Option<std::path::PathBuf>,
    /// Functions one module may define; an upload with more is refused
    /// before it is compiled (compiling costs memory and time per function).
    pub max_functions: usize,
    /// Bytes of code one module may have, refused before compiling.
    pub max_code_bytes: usize,
}

/// How the service logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: "sqlite://boomgate.db".to_owned(),
            db_password_file: None,
            demo: true,
            body_limit: 64 << 10,
            module_limit: 8 << 20,
            photo_limit: 2 << 20,
            lockout_failures: 10,
            lockout_minutes: 24 * 60,
            trust_forwarded_for: false,
            trusted_proxies: Vec::new(),
            policy_fuel: 10_000_000,
            policy_memory: 16 << 20,
            max_clock_skew_seconds: 300,
            policy_refresh_ms: 2_000,
            command_repoll_ms: 1_000,
            debounce_seconds: 8,
            max_event_age_hours: 72,
            decision_budget_ms: 1_000,
            order_expiry_minutes: 30,
            heartbeat_seconds: 30,
            robot_offline_seconds: 90,
            congestion_after_seconds: 60,
            login_sender: "dev".to_owned(),
            login_webhook_url: None,
            login_code_minutes: 5,
            login_resend_seconds: 60,
            login_lockout_failures: 10,
            login_lockout_hours: 24,
            session_hours: 12,
            login_codes_per_source_hour: 20,
            log_format: LogFormat::Text,
            request_timeout_seconds: 60,
            metrics_token: None,
            metrics_listen: None,
            expensive_per_minute: 30,
            compile_concurrency: 1,
            compile_wait_seconds: 10,
            compile_budget_seconds: 30,
            compile_memory_mib: 1024,
            compile_worker: None,
            max_functions: 20_000,
            max_code_bytes: 6 << 20,
        }
    }
}

const KEYS: &[&str] = &[
    "listen",
    "db",
    "db_password_file",
    "demo",
    "body_limit",
    "module_limit",
    "photo_limit",
    "lockout_failures",
    "lockout_minutes",
    "trust_forwarded_for",
    "trusted_proxies",
    "policy_fuel",
    "policy_memory",
    "max_clock_skew_seconds",
    "policy_refresh_ms",
    "command_repoll_ms",
    "debounce_seconds",
    "max_event_age_hours",
    "decision_budget_ms",
    "order_expiry_minutes",
    "heartbeat_seconds",
    "robot_offline_seconds",
    "congestion_after_seconds",
    "login_sender",
    "login_webhook_url",
    "login_code_minutes",
    "login_resend_seconds",
    "login_lockout_failures",
    "login_lockout_hours",
    "session_hours",
    "login_codes_per_source_hour",
    "log_format",
    "request_timeout_seconds",
    "metrics_token",
    "metrics_listen",
    "expensive_per_minute",
    "compile_concurrency",
    "compile_wait_seconds",
    "compile_budget_seconds",
    "compile_memory_mib",
    "compile_worker",
    "max_functions",
    "max_code_bytes",
];

impl Config {
    /// Defaults, overlaid with `file` (if given) and the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read `{}`", path.display()))?;
                toml::from_str::<toml::Table>(&text)
                    .with_context(|| format!("`{}` is not valid TOML", path.display()))?
            }
            None => toml::Table::new(),
        };
        for key in KEYS {
            let var = format!("BOOMGATE_{}", key.to_uppercase());
            if let Ok(raw) = std::env::var(&var) {
                let value = if LIST_KEYS.contains(key) {
                    env_list(&raw)
                } else {
                    env_value(&raw)
                };
                table.insert((*key).to_owned(), value);
            }
        }
        let config = Config::deserialize(toml::Value::Table(table))
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        config.check()?;
        Ok(config)
    }

    /// The database URL to connect with: `db`, with the password from
    /// `db_password_file` when one is set.
    pub fn database_url(&self) -> anyhow::Result<String> {
        match &self.db_password_file {
            Some(file) => with_password_file(&self.db, file),
            None => Ok(self.db.clone()),
        }
    }

    /// Refuses settings that cannot work together, naming them.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.request_timeout_seconds < 35 {
            anyhow::bail!(
                "invalid configuration: request_timeout_seconds = {} is too short: a robot's long poll waits up to 30 seconds (use at least 35)",
                self.request_timeout_seconds
            );
        }
        if self
            .metrics_token
            .as_deref()
            .is_some_and(|t| t.trim().len() < 16)
        {
            anyhow::bail!("invalid configuration: metrics_token must be at least 16 characters");
        }
        if self.compile_concurrency == 0 {
            anyhow::bail!(
                "invalid configuration: compile_concurrency must be at least 1 (modules could never be compiled)"
            );
        }
        if self.compile_memory_mib < 64 {
            anyhow::bail!(
                "invalid configuration: compile_memory_mib must be at least 64 (the standard policy needs about 30 MiB to compile)"
            );
        }
        if self.compile_budget_seconds == 0 {
            anyhow::bail!("invalid configuration: compile_budget_seconds must be at least 1");
        }
        Ok(())
    }
}

/// An address or a range of addresses: `10.0.0.0/8`, `192.0.2.7`, `::1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: std::net::IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `addr` is in the range (an IPv4-mapped IPv6 address counts
    /// as its IPv4 address).
    pub fn contains(&self, addr: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let addr = match addr {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, addr) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(raw: &str) -> Result<Cidr, String> {
        let (addr, prefix) = match raw.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (raw, None),
        };
        let network: std::net::IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("`{raw}` is not an address or a CIDR range"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{raw}`: the prefix length must be 0 to {max}"))?,
        };
        Ok(Cidr { network, prefix })
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cidr, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// A PostgreSQL URL with the password read from `file` (its first line).
pub fn with_password_file(url: &str, file: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| {
        format!(
            "cannot read the database password from `{}` (db_password_file)",
            file.display()
        )
    })?;
    let password = text.lines().next().unwrap_or_default();
    if password.is_empty() {
        anyhow::bail!("`{}` (db_password_file) is empty", file.display());
    }
    let Some((scheme, rest)) = url
        .split_once("://")
        .filter(|(s, _)| *s == "postgres" || *s == "postgresql")
    else {
        anyhow::bail!("db_password_file is for PostgreSQL; the database is `{url}`");
    };
    let (userinfo, host) = rest.split_once('@').ok_or_else(|| {
        anyhow::anyhow!(
            "with db_password_file, name the user in the database URL: postgres://USER@HOST/DB"
        )
    })?;
    if userinfo.contains(':') {
        anyhow::bail!(
            "the database URL has a password already; with db_password_file, leave it out"
        );
    }
    // Percent-encoded: a password may hold any character.
    let encoded: String = password
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect();
    Ok(format!("{scheme}://{userinfo}:{encoded}@{host}"))
}

/// Settings that are lists: their environment value is comma-separated
/// (`BOOMGATE_TRUSTED_PROXIES=10.0.0.0/8,::1`).
const LIST_KEYS: &[&str] = &["trusted_proxies"];

fn env_list(raw: &str) -> toml::Value {
    toml::Value::Array(
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| toml::Value::String(s.to_owned()))
            .collect(),
    )
}

/// An environment value as TOML: numbers and booleans as such, anything
/// else as a string.
fn env_value(raw: &str) -> toml::Value {
    if let Ok(n) = raw.parse::<i64>() {
        return toml::Value::Integer(n);
    }
    match raw {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => toml::Value::String(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_overrides_defaults_and_names_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("boomgate.toml");
        std::fs::write(&path, "db = \"sqlite://x.db\"\nlockout_failures = 5\n").unwrap();
        let config = Config::load(Some(&path)).unwrap();
        assert_eq!(config.db, "sqlite://x.db");
        assert_eq!(config.lockout_failures, 5);
        assert_eq!(config.body_limit, 64 << 10);
        std::fs::write(&path, "colour = \"blue\"\n").unwrap();
        let e = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(e.contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn the_example_file_names_every_setting_with_its_default() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../boomgate.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        // Settings without a default are shown commented out.
        for key in KEYS {
            let commented = text.lines().any(|l| l.starts_with(&format!("# {key} = ")));
            assert!(
                table.contains_key(*key) || commented,
                "boomgate.example.toml lacks `{key}`"
            );
        }
        let example = Config::load(Some(&path)).unwrap();
        let defaults = Config::default();
        assert_eq!(example.command_repoll_ms, defaults.command_repoll_ms);
        assert_eq!(example.policy_refresh_ms, defaults.policy_refresh_ms);
        assert_eq!(example.body_limit, defaults.body_limit);
        assert_eq!(example.compile_memory_mib, defaults.compile_memory_mib);
    }

    #[test]
    fn a_compile_memory_too_small_for_any_policy_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("boomgate.toml");
        std::fs::write(&path, "compile_memory_mib = 16\n").unwrap();
        let error = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(
            error.contains("compile_memory_mib must be at least 64"),
            "{error}"
        );
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let net: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains("10.200.3.4".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.2.3".parse().unwrap()));
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert!(one.contains("192.0.2.7".parse().unwrap()));
        assert!(!one.contains("192.0.2.8".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("10.0.0.1".parse().unwrap()));
        assert_eq!(
            "10.0.0.0/33".parse::<Cidr>().unwrap_err(),
            "`10.0.0.0/33`: the prefix length must be 0 to 32"
        );
        assert_eq!(
            "proxy.local".parse::<Cidr>().unwrap_err(),
            "`proxy.local` is not an address or a CIDR range"
        );
        assert_eq!(
            env_list("10.0.0.0/8, ::1"),
            toml::Value::Array(vec!["10.0.0.0/8".into(), "::1".into()])
        );
    }

    #[test]
    fn the_password_file_goes_into_the_url_encoded() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cr@t/:é\n").unwrap();
        assert_eq!(
            with_password_file(
                "postgres://app@db.local:5432/boomgate?sslmode=require",
                &file
            )
            .unwrap(),
            "postgres://app:s3cr%40t%2F%3A%C3%A9@db.local:5432/boomgate?sslmode=require"
        );
        let e = with_password_file("postgres://app:x@db/b", &file).unwrap_err();
        assert!(e.to_string().contains("has a password already"), "{e}");
        let e = with_password_file("sqlite://x.db", &file).unwrap_err();
        assert!(e.to_string().contains("for PostgreSQL"), "{e}");
        let e = with_password_file("postgres://db/b", &dir.path().join("none")).unwrap_err();
        assert!(
            e.to_string().contains("cannot read the database password"),
            "{e}"
        );
    }

    #[test]
    fn environment_values_take_their_natural_types() {
        assert_eq!(env_value("42"), toml::Value::Integer(42));
        assert_eq!(env_value("true"), toml::Value::Boolean(true));
        assert_eq!(
            env_value("0.0.0.0:80"),
            toml::Value::String("0.0.0.0:80".into())
        );
    }
}
