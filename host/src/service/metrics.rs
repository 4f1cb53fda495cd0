//! Prometheus metrics, through `prometheus-client` (the OpenMetrics text
//! format): HTTP requests by route and status with their latency, decisions
//! by lot and reason (a policy's own reason codes count as `other`, so the
//! label stays bounded), policy faults, evaluation and robot-event times,
//! duplicates, storage faults, cases, failed authentications; at each scrape
//! the database pool, robots by state, the process and the build.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// Bucket bounds of the evaluation histogram, in seconds: policies decide in
/// microseconds.
const EVALUATION_BUCKETS: [f64; 12] = [
    2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2,
];

/// Bucket bounds of the case histograms, in seconds: a driver waits
/// seconds to minutes for an agent.
const CASE_BUCKETS: [f64; 10] = [
    5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];

/// Bucket bounds of the robot event and HTTP histograms, in seconds: a
/// request includes a durable write.
const REQUEST_BUCKETS: [f64; 13] = [
    1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 1.0, 5.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LotReason {
    lot: String,
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LotKind {
    lot: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LotLabel {
    lot: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LotOrigin {
    lot: String,
    origin: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LotOutcome {
    lot: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LotStatus {
    lot: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn request_histogram() -> Histogram {
    Histogram::new(REQUEST_BUCKETS.iter().copied())
}

/// What a scrape reads at the time: set by the service just before
/// rendering.
#[derive(Debug, Default, Clone, Copy)]
pub struct Snapshot {
    /// Connections the database pool holds, and of those idle.
    pub pool_size: u32,
    pub pool_idle: u32,
    /// Robots' events answered while storage failed, not yet recorded.
    pub storage_backlog: usize,
    /// SQLite's group commit: batches committed, and the write
    /// transactions they held.
    pub write_batches: u64,
    pub batched_writes: u64,
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    decisions: Family<LotReason, Counter>,
    faults: Family<LotKind, Counter>,
    evaluation: Histogram,
    events: Histogram,
    auth_failures: Counter,
    duplicates: Family<LotLabel, Counter>,
    storage_faults: Family<LotLabel, Counter>,
    cases_opened: Family<LotOrigin, Counter>,
    cases_closed: Family<LotOutcome, Counter>,
    case_waiting: Histogram,
    case_resolving: Histogram,
    requests: Family<HttpLabels, Counter>,
    request_seconds: Histograms<RouteLabels>,
    robots: Family<LotStatus, Gauge>,
    pool_size: Gauge,
    pool_idle: Gauge,
    storage_backlog: Gauge,
    write_batches: Counter,
    batched_writes: Counter,
    resident_bytes: Gauge,
    cpu_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    open_fds: Gauge,
    start_time: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut m = Metrics {
            registry: Registry::with_prefix("boomgate"),
            decisions: Family::default(),
            faults: Family::default(),
            evaluation: Histogram::new(EVALUATION_BUCKETS.iter().copied()),
            events: Histogram::new(REQUEST_BUCKETS.iter().copied()),
            auth_failures: Counter::default(),
            duplicates: Family::default(),
            storage_faults: Family::default(),
            cases_opened: Family::default(),
            cases_closed: Family::default(),
            case_waiting: Histogram::new(CASE_BUCKETS.iter().copied()),
            case_resolving: Histogram::new(CASE_BUCKETS.iter().copied()),
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(request_histogram as fn() -> Histogram),
            robots: Family::default(),
            pool_size: Gauge::default(),
            pool_idle: Gauge::default(),
            write_batches: Counter::default(),
            batched_writes: Counter::default(),
            storage_backlog: Gauge::default(),
            resident_bytes: Gauge::default(),
            cpu_seconds: Gauge::default(),
            open_fds: Gauge::default(),
            start_time: Gauge::default(),
        };
        m.registry.register(
            "decisions",
            "Decisions given, by lot and reason (a policy's own codes: other)",
            m.decisions.clone(),
        );
        m.registry.register(
            "policy_faults",
            "Fallback decisions given because a policy failed, by lot and fault",
            m.faults.clone(),
        );
        m.registry.register(
            "duplicate_reads",
            "Reads answered as duplicates of the gate's previous decision, by lot",
            m.duplicates.clone(),
        );
        m.registry.register(
            "storage_fault_answers",
            "Robots' events answered with the fallback because storage failed, by lot",
            m.storage_faults.clone(),
        );
        m.registry.register(
            "cases_opened",
            "Cases opened, by lot and what opened them",
            m.cases_opened.clone(),
        );
        m.registry.register(
            "cases_closed",
            "Cases closed (关单), by lot and outcome",
            m.cases_closed.clone(),
        );
        m.registry.register_with_unit(
            "case_wait",
            "Time from a case opening to an agent answering it",
            Unit::Seconds,
            m.case_waiting.clone(),
        );
        m.registry.register_with_unit(
            "case_resolve",
            "Time from a case opening to its closing",
            Unit::Seconds,
            m.case_resolving.clone(),
        );
        m.registry.register_with_unit(
            "evaluation",
            "Time a policy took to decide",
            Unit::Seconds,
            m.evaluation.clone(),
        );
        m.registry.register_with_unit(
            "robot_event",
            "Time from a robot event's arrival to its answer, durable write included",
            Unit::Seconds,
            m.events.clone(),
        );
        m.registry.register(
            "auth_failures",
            "Requests refused for a wrong token",
            m.auth_failures.clone(),
        );
        m.registry.register(
            "http_requests",
            "HTTP requests answered, by method, matched route and status",
            m.requests.clone(),
        );
        m.registry.register_with_unit(
            "http_request",
            "Time to answer an HTTP request (to its response's head), by method and matched route",
            Unit::Seconds,
            m.request_seconds.clone(),
        );
        m.registry.register(
            "robots",
            "Active robots by lot and state from their heartbeats (offline: none within robot_offline_seconds)",
            m.robots.clone(),
        );
        m.registry.register(
            "db_pool_connections",
            "Connections the database pool holds",
            m.pool_size.clone(),
        );
        m.registry.register(
            "db_pool_idle_connections",
            "Of the pool's connections, those idle",
            m.pool_idle.clone(),
        );
        m.registry.register(
            "db_write_batches",
            "SQLite write batches committed (one fsync each)",
            m.write_batches.clone(),
        );
        m.registry.register(
            "db_batched_writes",
            "Write transactions committed in SQLite's batches (over db_write_batches_total: the batch size)",
            m.batched_writes.clone(),
        );
        m.registry.register(
            "storage_fault_backlog",
            "Robots' events answered while storage failed, not yet recorded",
            m.storage_backlog.clone(),
        );
        let build: Family<BuildLabels, Gauge> = Family::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION").to_owned(),
            })
            .set(1);
        m.registry
            .register("build_info", "The running build (always 1)", build);
        let process = m.registry.sub_registry_with_prefix("process");
        process.register_with_unit(
            "resident_memory",
            "Resident memory of the service's process",
            Unit::Bytes,
            m.resident_bytes.clone(),
        );
        process.register_with_unit(
            "cpu",
            "CPU time the process has used, user and system",
            Unit::Seconds,
            m.cpu_seconds.clone(),
        );
        process.register(
            "open_fds",
            "File descriptors the process has open",
            m.open_fds.clone(),
        );
        process.register_with_unit(
            "start_time",
            "When the process started, since the Unix epoch",
            Unit::Seconds,
            m.start_time.clone(),
        );
        m.start_time.set(jiff::Timestamp::now().as_second());
        m
    }
}

/// A reason code as a label: one of PRODUCT.md's codes, else `other`.
fn reason_label(reason: &str) -> String {
    if boomgate_engine::sdk::reason::ALL.contains(&reason) {
        reason.to_owned()
    } else {
        "other".to_owned()
    }
}

impl Metrics {
    /// A decision given for `lot`, evaluated in `evaluation`; `fault` is the
    /// fault kind if it is a fallback.
    pub fn decided(&self, lot: &str, reason: &str, evaluation: Duration, fault: Option<&str>) {
        self.decisions
            .get_or_create(&LotReason {
                lot: lot.to_owned(),
                reason: reason_label(reason),
            })
            .inc();
        if let Some(kind) = fault {
            self.faults
                .get_or_create(&LotKind {
                    lot: lot.to_owned(),
                    kind: kind.to_owned(),
                })
                .inc();
        }
        self.evaluation.observe(evaluation.as_secs_f64());
    }

    /// A robot event answered, start to finish.
    pub fn event(&self, took: Duration) {
        self.events.observe(took.as_secs_f64());
    }

    pub fn auth_failed(&self) {
        self.auth_failures.inc();
    }

    /// A duplicate read at a lot's gate, answered with the decision it
    /// duplicates.
    pub fn duplicate(&self, lot: &str) {
        self.duplicates
            .get_or_create(&LotLabel {
                lot: lot.to_owned(),
            })
            .inc();
    }

    /// A robot's event answered with the fallback because storage failed.
    pub fn storage_fault(&self, lot: &str) {
        self.storage_faults
            .get_or_create(&LotLabel {
                lot: lot.to_owned(),
            })
            .inc();
    }

    /// A case opened at a lot's gate, by what opened it.
    pub fn case_opened(&self, lot: &str, origin: &str) {
        self.cases_opened
            .get_or_create(&LotOrigin {
                lot: lot.to_owned(),
                origin: origin.to_owned(),
            })
            .inc();
    }

    /// A case answered by an agent after `waited`.
    pub fn case_answered(&self, waited: Duration) {
        self.case_waiting.observe(waited.as_secs_f64());
    }

    /// A case closed with `outcome`, `took` after it opened.
    pub fn case_closed(&self, lot: &str, outcome: &str, took: Duration) {
        self.cases_closed
            .get_or_create(&LotOutcome {
                lot: lot.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
        self.case_resolving.observe(took.as_secs_f64());
    }

    /// An HTTP request answered: `route` is the matched route's pattern
    /// (bounded), never the path.
    pub fn http_request(
        &self,
        method: &axum::http::Method,
        route: &str,
        status: u16,
        took: Duration,
    ) {
        self.requests
            .get_or_create(&HttpLabels {
                method: method.as_str().to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.request_seconds
            .get_or_create(&RouteLabels {
                method: method.as_str().to_owned(),
                route: route.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// Robots by lot and state, as the scrape finds them (replacing the
    /// last scrape's).
    pub fn set_robots(&self, counts: impl IntoIterator<Item = ((String, &'static str), i64)>) {
        self.robots.clear();
        for ((lot, status), n) in counts {
            self.robots
                .get_or_create(&LotStatus {
                    lot,
                    status: status.to_owned(),
                })
                .set(n);
        }
    }

    /// The OpenMetrics text exposition, with what `snapshot` and the
    /// process say now.
    pub fn render(&self, snapshot: Snapshot) -> String {
        self.pool_size.set(i64::from(snapshot.pool_size));
        self.pool_idle.set(i64::from(snapshot.pool_idle));
        self.storage_backlog
            .set(i64::try_from(snapshot.storage_backlog).unwrap_or(i64::MAX));
        // Counted by the database; brought up to its count here.
        for (counter, now) in [
            (&self.write_batches, snapshot.write_batches),
            (&self.batched_writes, snapshot.batched_writes),
        ] {
            counter.inc_by(now.saturating_sub(counter.get()));
        }
        if let Some(process) = Process::read() {
            self.resident_bytes.set(process.resident_bytes);
            self.cpu_seconds.set(process.cpu_seconds);
            self.open_fds.set(process.open_fds);
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The process as Linux's `/proc/self` tells it.
struct Process {
    resident_bytes: i64,
    cpu_seconds: f64,
    open_fds: i64,
}

impl Process {
    #[cfg(target_os = "linux")]
    fn read() -> Option<Process> {
        // Kernel pages and clock ticks: 4 KiB and 100 Hz on every Linux
        // this runs on (no libc call needed to ask).
        const PAGE: i64 = 4096;
        const TICKS: f64 = 100.0;
        let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
        let resident: i64 = statm.split_whitespace().nth(1)?.parse().ok()?;
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name (which may hold spaces), from 3.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: f64 = fields.get(11)?.parse().ok()?;
        let stime: f64 = fields.get(12)?.parse().ok()?;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count();
        Some(Process {
            resident_bytes: resident * PAGE,
            cpu_seconds: (utime + stime) / TICKS,
            open_fds: i64::try_from(open_fds).unwrap_or(i64::MAX),
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn read() -> Option<Process> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_cumulative_buckets_and_bounded_reasons() {
        let m = Metrics::default();
        m.decided("lot-1", "paid", Duration::from_micros(3), None);
        m.decided(
            "lot-1",
            "policy_fault",
            Duration::from_micros(40),
            Some("deadline"),
        );
        m.decided("lot\"2", "paid", Duration::from_secs(1), None);
        m.decided("lot-1", "my_own_code_1", Duration::from_micros(3), None);
        m.decided("lot-1", "my_own_code_2", Duration::from_micros(3), None);
        let text = m.render(Snapshot::default());
        for line in [
            "boomgate_decisions_total{lot=\"lot-1\",reason=\"paid\"} 1",
            "boomgate_decisions_total{lot=\"lot\\\"2\",reason=\"paid\"} 1",
            "boomgate_decisions_total{lot=\"lot-1\",reason=\"other\"} 2",
            "boomgate_policy_faults_total{lot=\"lot-1\",kind=\"deadline\"} 1",
            "boomgate_evaluation_seconds_bucket{le=\"0.000005\"} 3",
            "boomgate_evaluation_seconds_bucket{le=\"0.00005\"} 4",
            "boomgate_evaluation_seconds_bucket{le=\"+Inf\"} 5",
            "boomgate_evaluation_seconds_count 5",
            "boomgate_build_info{version=\"",
            "# EOF",
        ] {
            assert!(text.contains(line), "{line} in:\n{text}");
        }
        assert!(!text.contains("my_own_code"), "{text}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_reads_itself() {
        let process = Process::read().unwrap();
        assert!(process.resident_bytes > 1 << 20);
        assert!(process.open_fds >= 3);
    }
}
