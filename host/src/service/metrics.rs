//! Prometheus metrics: decisions by lot and reason, policy faults, how long
//! evaluations and whole robot events take, failed authentications.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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

/// Bucket bounds of the robot event histogram, in seconds: an event includes
/// a durable write.
const EVENT_BUCKETS: [f64; 12] = [
    1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 1.0,
];

struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    sum_ns: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_ns: AtomicU64::new(0),
        }
    }

    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let i = self
            .bounds
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(self.bounds.len());
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        self.sum_ns.fetch_add(
            u64::try_from(d.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (i, bound) in self.bounds.iter().enumerate() {
            cumulative += self.counts[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.counts[self.bounds.len()].load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = self.sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {cumulative}");
    }
}

/// The service's metrics.
pub struct Metrics {
    decisions: Mutex<BTreeMap<(String, String), u64>>,
    faults: Mutex<BTreeMap<(String, String), u64>>,
    evaluation: Histogram,
    events: Histogram,
    auth_failures: AtomicU64,
    duplicates: Mutex<BTreeMap<(String, String), u64>>,
    storage_faults: Mutex<BTreeMap<(String, String), u64>>,
    cases_opened: Mutex<BTreeMap<(String, String), u64>>,
    cases_closed: Mutex<BTreeMap<(String, String), u64>>,
    case_waiting: Histogram,
    case_resolving: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            decisions: Mutex::default(),
            faults: Mutex::default(),
            evaluation: Histogram::new(&EVALUATION_BUCKETS),
            events: Histogram::new(&EVENT_BUCKETS),
            auth_failures: AtomicU64::new(0),
            duplicates: Mutex::default(),
            storage_faults: Mutex::default(),
            cases_opened: Mutex::default(),
            cases_closed: Mutex::default(),
            case_waiting: Histogram::new(&CASE_BUCKETS),
            case_resolving: Histogram::new(&CASE_BUCKETS),
        }
    }
}

fn bump(map: &Mutex<BTreeMap<(String, String), u64>>, a: &str, b: &str) {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    *map.entry((a.to_owned(), b.to_owned())).or_default() += 1;
}

/// A label value with `\`, `"` and newlines escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// A decision given for `lot`, evaluated in `evaluation`; `fault` is the
    /// fault kind if it is a fallback.
    pub fn decided(&self, lot: &str, reason: &str, evaluation: Duration, fault: Option<&str>) {
        bump(&self.decisions, lot, reason);
        if let Some(kind) = fault {
            bump(&self.faults, lot, kind);
        }
        self.evaluation.observe(evaluation);
    }

    /// A robot event answered, start to finish.
    pub fn event(&self, took: Duration) {
        self.events.observe(took);
    }

    pub fn auth_failed(&self) {
        self.auth_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// A duplicate read at a lot's gate, answered with the decision it
    /// duplicates.
    pub fn duplicate(&self, lot: &str) {
        bump(&self.duplicates, lot, "");
    }

    /// A robot's event answered with the fallback because storage failed.
    pub fn storage_fault(&self, lot: &str) {
        bump(&self.storage_faults, lot, "");
    }

    /// A case opened at a lot's gate, by what opened it.
    pub fn case_opened(&self, lot: &str, origin: &str) {
        bump(&self.cases_opened, lot, origin);
    }

    /// A case answered by an agent after `waited`.
    pub fn case_answered(&self, waited: Duration) {
        self.case_waiting.observe(waited);
    }

    /// A case closed with `outcome`, `took` after it opened.
    pub fn case_closed(&self, lot: &str, outcome: &str, took: Duration) {
        bump(&self.cases_closed, lot, outcome);
        self.case_resolving.observe(took);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP boomgate_decisions_total Decisions given, by lot and reason.\n# TYPE boomgate_decisions_total counter"
        );
        for ((lot, reason), n) in self
            .decisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "boomgate_decisions_total{{lot=\"{}\",reason=\"{}\"}} {n}",
                label(lot),
                label(reason)
            );
        }
        let _ = writeln!(
            out,
            "# HELP boomgate_policy_faults_total Fallback decisions given because a policy failed, by lot and fault.\n# TYPE boomgate_policy_faults_total counter"
        );
        for ((lot, kind), n) in self.faults.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(
                out,
                "boomgate_policy_faults_total{{lot=\"{}\",kind=\"{}\"}} {n}",
                label(lot),
                label(kind)
            );
        }
        let _ = writeln!(
            out,
            "# HELP boomgate_duplicate_reads_total Reads answered as duplicates of the gate's previous decision, by lot.\n# TYPE boomgate_duplicate_reads_total counter"
        );
        for ((lot, _), n) in self
            .duplicates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "boomgate_duplicate_reads_total{{lot=\"{}\"}} {n}",
                label(lot)
            );
        }
        let _ = writeln!(
            out,
            "# HELP boomgate_storage_fault_answers_total Robots' events answered with the fallback because storage failed, by lot.\n# TYPE boomgate_storage_fault_answers_total counter"
        );
        for ((lot, _), n) in self
            .storage_faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "boomgate_storage_fault_answers_total{{lot=\"{}\"}} {n}",
                label(lot)
            );
        }
        for (name, help, label_name, map) in [
            (
                "boomgate_cases_opened_total",
                "Cases opened, by lot and what opened them.",
                "origin",
                &self.cases_opened,
            ),
            (
                "boomgate_cases_closed_total",
                "Cases closed (关单), by lot and outcome.",
                "outcome",
                &self.cases_closed,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for ((lot, value), n) in map.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                let _ = writeln!(
                    out,
                    "{name}{{lot=\"{}\",{label_name}=\"{}\"}} {n}",
                    label(lot),
                    label(value)
                );
            }
        }
        self.case_waiting.render(
            &mut out,
            "boomgate_case_wait_seconds",
            "Time from a case opening to an agent answering it.",
        );
        self.case_resolving.render(
            &mut out,
            "boomgate_case_resolve_seconds",
            "Time from a case opening to its closing.",
        );
        self.evaluation.render(
            &mut out,
            "boomgate_evaluation_seconds",
            "Time a policy took to decide.",
        );
        self.events.render(
            &mut out,
            "boomgate_robot_event_seconds",
            "Time from a robot event's arrival to its answer, durable write included.",
        );
        let _ = writeln!(
            out,
            "# HELP boomgate_auth_failures_total Requests refused for a wrong token.\n# TYPE boomgate_auth_failures_total counter\nboomgate_auth_failures_total {}",
            self.auth_failures.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.decided("lot-1", "paid", Duration::from_micros(3), None);
        m.decided(
            "lot-1",
            "policy_fault",
            Duration::from_micros(40),
            Some("deadline"),
        );
        m.decided("lot\"2", "paid", Duration::from_secs(1), None);
        let text = m.render();
        assert!(
            text.contains("boomgate_decisions_total{lot=\"lot-1\",reason=\"paid\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("boomgate_decisions_total{lot=\"lot\\\"2\",reason=\"paid\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("boomgate_policy_faults_total{lot=\"lot-1\",kind=\"deadline\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("boomgate_evaluation_seconds_bucket{le=\"0.000005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("boomgate_evaluation_seconds_bucket{le=\"0.00005\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("boomgate_evaluation_seconds_bucket{le=\"+Inf\"} 3"),
            "{text}"
        );
    }
}
