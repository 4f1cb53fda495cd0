//! `boomgate loadtest`: a lot's gate loop at a constant rate, with
//! latencies corrected for coordinated omission.
//!
//! The run adds gate pairs to the lot (`gates`, a robot at each), and each
//! worker drives one pair, so a gate sees one vehicle at a time as a real
//! barrier does. Each vehicle plays what a real lot sees: an entry, a
//! second read of the same plate a few seconds later (a duplicate), then an
//! exit. Half the
//! vehicles stay ten minutes and leave free; the other half stay two hours,
//! are held at the exit with a fee, pay the quoted amount through the
//! payments API, and are read again at the barrier, which opens. Five
//! requests in ten are decisions with durable writes, one in ten is a
//! payment.
//!
//! Requests are sent on a fixed schedule (request *i* at `start + i/rate`),
//! each by the first of `connections` workers to be free; a request's
//! latency is counted from when it was *due*, not from when a worker got
//! to send it (as wrk2 and `oha --latency-correction` do). A service that
//! falls behind so shows the wait its robots would see, rather than the
//! client quietly slowing down to its pace.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};

/// What to load and how hard.
#[derive(Debug, Clone)]
pub struct Options {
    /// The services' base URLs: workers are spread over them (several
    /// hosts on one database).
    pub urls: Vec<String>,
    pub lot: String,
    /// The lot owner's token: the run adds its own gates and robots.
    pub owner_token: String,
    pub payments_token: String,
    /// Entry and exit gate pairs the run adds, a robot at each; each worker
    /// drives one pair, so a gate sees one vehicle at a time as at a real
    /// barrier (and a second read of a plate is a duplicate).
    pub gates: usize,
    /// Requests per second.
    pub rate: u32,
    pub duration: Duration,
    /// Concurrent requests at most (one connection each).
    pub connections: usize,
    /// Where plates start counting (runs on the same lot use different
    /// ranges).
    pub first_plate: u64,
}

/// The kinds of request in the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Entry,
    Duplicate,
    Exit,
    Payment,
}

const KINDS: [Kind; 4] = [Kind::Entry, Kind::Duplicate, Kind::Exit, Kind::Payment];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Entry => "entry",
            Kind::Duplicate => "duplicate",
            Kind::Exit => "exit",
            Kind::Payment => "payment",
        }
    }
}

/// One request's outcome.
struct Sample {
    kind: Kind,
    /// From when it was due to its answer.
    corrected: Duration,
    /// From when it was sent to its answer.
    service: Duration,
    /// The decision's reason (or the payment's status), or the error.
    outcome: String,
    ok: bool,
}

/// The run's figures.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    pub rate: u32,
    pub seconds: f64,
    pub connections: usize,
    pub hosts: usize,
    pub requests: usize,
    pub errors: usize,
    pub achieved_per_second: f64,
    pub decisions_per_second: f64,
    /// Corrected for coordinated omission (from when each request was due).
    pub latency_ms: Percentiles,
    /// As the client saw it once sent (what an uncorrected tool reports).
    pub service_ms: Percentiles,
    pub by_kind: Vec<KindReport>,
    /// Decisions' reasons and payments' statuses, with how many.
    pub outcomes: Vec<(String, usize)>,
}

#[derive(Debug, serde::Serialize)]
pub struct KindReport {
    pub kind: &'static str,
    pub requests: usize,
    pub latency_ms: Percentiles,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

impl Percentiles {
    fn of(mut values: Vec<Duration>) -> Percentiles {
        if values.is_empty() {
            return Percentiles::default();
        }
        values.sort_unstable();
        let at = |q: f64| {
            let i = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len()) - 1;
            values[i].as_secs_f64() * 1e3
        };
        Percentiles {
            p50: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            p999: at(0.999),
            max: at(1.0),
        }
    }
}

/// One gate pair's robots' tokens.
struct Pair {
    entry: String,
    exit: String,
}

struct Shared {
    options: Options,
    pairs: Vec<Pair>,
    client: reqwest::Client,
    start: Instant,
    /// The schedule's slots as they come due, from the pacer.
    slots: tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<Instant>>,
    vehicle: AtomicU64,
}

impl Shared {
    /// Waits for the next slot (the first free worker takes it); `None`
    /// once the schedule is over.
    async fn due(&self) -> Option<Instant> {
        self.slots.lock().await.recv().await
    }
}

/// Releases slot *i* at `start + i/rate` until `end`. A thread of its own
/// with the OS's sleep (tens of microseconds late at most) rather than the
/// async runtime's timer, whose millisecond ticks would count as latency.
fn pace(
    start: Instant,
    end: Instant,
    rate: u32,
    slots: tokio::sync::mpsc::UnboundedSender<Instant>,
) {
    for slot in 0u64.. {
        let due = start + Duration::from_secs_f64(slot as f64 / f64::from(rate));
        if due >= end {
            break;
        }
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        if slots.send(due).is_err() {
            break;
        }
    }
}

/// Runs the load and reports it.
pub async fn run(options: Options) -> anyhow::Result<Report> {
    anyhow::ensure!(!options.urls.is_empty(), "no service URL to load");
    anyhow::ensure!(
        options.rate > 0,
        "--rate must be at least 1 request per second"
    );
    anyhow::ensure!(options.connections > 0, "--connections must be at least 1");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.connections)
        .timeout(Duration::from_secs(30))
        .build()?;
    for url in &options.urls {
        let health = client
            .get(format!("{url}/healthz"))
            .send()
            .await
            .with_context(|| format!("cannot reach the service at {url}"))?;
        anyhow::ensure!(
            health.status().is_success(),
            "{url}/healthz answers {}",
            health.status()
        );
    }
    let pairs = gates(&client, &options).await?;
    let start = Instant::now() + Duration::from_millis(50);
    let (release, slots) = tokio::sync::mpsc::unbounded_channel();
    let (end, rate) = (start + options.duration, options.rate);
    let pacer = std::thread::Builder::new()
        .name("loadtest-pacer".into())
        .spawn(move || pace(start, end, rate, release))?;
    let shared = Arc::new(Shared {
        options: options.clone(),
        pairs,
        client,
        start,
        slots: tokio::sync::Mutex::new(slots),
        vehicle: AtomicU64::new(options.first_plate),
    });
    let workers: Vec<_> = (0..options.connections)
        .map(|worker| {
            let shared = shared.clone();
            tokio::spawn(async move { drive(&shared, worker).await })
        })
        .collect();
    let mut samples = Vec::new();
    for worker in workers {
        samples.extend(worker.await?);
    }
    let _ = pacer.join();
    let seconds = shared.start.elapsed().as_secs_f64();
    Ok(report(&options, seconds, samples))
}

/// Adds the run's gate pairs, each with a robot at both gates.
async fn gates(client: &reqwest::Client, options: &Options) -> anyhow::Result<Vec<Pair>> {
    anyhow::ensure!(options.gates > 0, "--gates must be at least 1");
    let run = jiff::Timestamp::now().as_millisecond() % 1_000_000_000;
    let url = &options.urls[0];
    let post = |path: String, body: Value| {
        let request = client
            .post(format!("{url}{path}"))
            .bearer_auth(&options.owner_token)
            .json(&body);
        async move {
            let response = request.send().await?;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            anyhow::ensure!(status.is_success(), "{path} answers {status}: {body}");
            Ok::<_, anyhow::Error>(body)
        }
    };
    let lot = &options.lot;
    let mut pairs = Vec::new();
    for k in 0..options.gates {
        let mut tokens = Vec::new();
        for direction in ["entry", "exit"] {
            let gate = format!("load-{run}-{k}-{direction}");
            post(
                format!("/v1/lots/{lot}/gates"),
                json!({ "id": gate, "direction": direction }),
            )
            .await
            .context("cannot add the run's gates: is --owner-token the lot owner's?")?;
            let robot = post(
                format!("/v1/lots/{lot}/robots"),
                json!({ "id": format!("{gate}-robot"), "gate_id": gate }),
            )
            .await?;
            let token = robot["token"]
                .as_str()
                .context("a new robot comes with its token")?;
            tokens.push(token.to_owned());
        }
        let exit = tokens.pop().unwrap_or_default();
        let entry = tokens.pop().unwrap_or_default();
        pairs.push(Pair { entry, exit });
    }
    Ok(pairs)
}

/// One worker: vehicles one after another through its gate pair, each
/// request at its slot.
async fn drive(shared: &Shared, worker: usize) -> Vec<Sample> {
    let url = &shared.options.urls[worker % shared.options.urls.len()];
    let pair = &shared.pairs[worker % shared.pairs.len()];
    let mut samples = Vec::new();
    'vehicles: loop {
        let n = shared.vehicle.fetch_add(1, Ordering::Relaxed);
        let plate = plate(n);
        let long = n % 2 == 1;
        let now = jiff::Timestamp::now();
        let entered = now - jiff::SignedDuration::from_mins(if long { 120 } else { 10 });
        let steps = [
            (Kind::Entry, entered),
            (
                Kind::Duplicate,
                entered + jiff::SignedDuration::from_secs(3),
            ),
            (Kind::Exit, now),
        ];
        for (kind, at) in steps {
            let Some(due) = shared.due().await else {
                break 'vehicles;
            };
            let (gate_token, id) = match kind {
                Kind::Exit => (&pair.exit, format!("lt{n}-x")),
                Kind::Duplicate => (&pair.entry, format!("lt{n}-d")),
                _ => (&pair.entry, format!("lt{n}-e")),
            };
            let body = json!({ "event_id": id, "plate": plate, "occurred_at": at.to_string() });
            let (sample, answer) =
                send(shared, url, gate_token, "/v1/events", &body, kind, due).await;
            samples.push(sample);
            let Some(answer) = answer else {
                continue 'vehicles;
            };
            if kind != Kind::Exit {
                continue;
            }
            let Some(amount) = answer["fee"]["amount"]
                .as_i64()
                .filter(|_| answer["gate"] == "hold")
            else {
                continue 'vehicles;
            };
            // Held with a fee: pay what was quoted, then the barrier reads again.
            let Some(due) = shared.due().await else {
                break 'vehicles;
            };
            let path = format!("/v1/lots/{}/payments", shared.options.lot);
            let paid = json!({ "plate": plate, "amount": amount, "paid_at": jiff::Timestamp::now().to_string(),
                "payment_id": format!("lt{n}-p") });
            let (sample, _) = send(
                shared,
                url,
                &shared.options.payments_token,
                &path,
                &paid,
                Kind::Payment,
                due,
            )
            .await;
            samples.push(sample);
            let Some(due) = shared.due().await else {
                break 'vehicles;
            };
            let again = json!({ "event_id": format!("lt{n}-y"), "plate": plate,
                "occurred_at": jiff::Timestamp::now().to_string() });
            let (sample, _) = send(
                shared,
                url,
                &pair.exit,
                "/v1/events",
                &again,
                Kind::Exit,
                due,
            )
            .await;
            samples.push(sample);
        }
    }
    samples
}

/// A valid plate per vehicle number: `粤` and a letter, five digits.
fn plate(n: u64) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    let letter = LETTERS[(n / 100_000 % LETTERS.len() as u64) as usize] as char;
    format!("粤{letter}{:05}", n % 100_000)
}

async fn send(
    shared: &Shared,
    url: &str,
    token: &str,
    path: &str,
    body: &Value,
    kind: Kind,
    due: Instant,
) -> (Sample, Option<Value>) {
    let sent = Instant::now();
    let answer = shared
        .client
        .post(format!("{url}{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await;
    let (ok, outcome, value) = match answer {
        Ok(response) => {
            let status = response.status();
            match response.json::<Value>().await {
                Ok(value) if status.is_success() => {
                    let outcome = match kind {
                        Kind::Payment => "payment_recorded".to_owned(),
                        _ if value["recorded"] == false => "storage_fallback".to_owned(),
                        _ if value["duplicate_of"].is_string() => "duplicate_read".to_owned(),
                        _ => value["reason"].as_str().unwrap_or("?").to_owned(),
                    };
                    (true, outcome, Some(value))
                }
                Ok(value) => (
                    false,
                    format!("{status}: {}", value["error"].as_str().unwrap_or("?")),
                    None,
                ),
                Err(e) => (false, format!("{status}: {e}"), None),
            }
        }
        Err(e) => (false, format!("transport: {e}"), None),
    };
    let done = Instant::now();
    let sample = Sample {
        kind,
        corrected: done - due,
        service: done - sent,
        outcome,
        ok,
    };
    (sample, value)
}

fn report(options: &Options, seconds: f64, samples: Vec<Sample>) -> Report {
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for s in &samples {
        *outcomes.entry(s.outcome.clone()).or_default() += 1;
    }
    let mut outcomes: Vec<_> = outcomes.into_iter().collect();
    outcomes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let by_kind = KINDS
        .iter()
        .map(|&kind| {
            let of: Vec<_> = samples
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| s.corrected)
                .collect();
            KindReport {
                kind: kind.name(),
                requests: of.len(),
                latency_ms: Percentiles::of(of),
            }
        })
        .collect();
    let decisions = samples.iter().filter(|s| s.kind != Kind::Payment).count();
    Report {
        rate: options.rate,
        seconds,
        connections: options.connections,
        hosts: options.urls.len(),
        requests: samples.len(),
        errors: samples.iter().filter(|s| !s.ok).count(),
        achieved_per_second: samples.len() as f64 / seconds,
        decisions_per_second: decisions as f64 / seconds,
        latency_ms: Percentiles::of(samples.iter().map(|s| s.corrected).collect()),
        service_ms: Percentiles::of(samples.iter().map(|s| s.service).collect()),
        by_kind,
        outcomes,
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let row = |f: &mut std::fmt::Formatter<'_>, name: &str, n: usize, p: &Percentiles| {
            writeln!(
                f,
                "  {name:<22} {n:>8}  {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
                p.p50, p.p90, p.p99, p.p999, p.max
            )
        };
        writeln!(
            f,
            "{} requests in {:.1} s at {}/s asked, {} connections, {} host(s): {:.0}/s done ({:.0} decisions/s), {} errors",
            self.requests,
            self.seconds,
            self.rate,
            self.connections,
            self.hosts,
            self.achieved_per_second,
            self.decisions_per_second,
            self.errors
        )?;
        writeln!(
            f,
            "  latency (ms)           requests       p50      p90      p99    p99.9      max"
        )?;
        row(f, "all, corrected", self.requests, &self.latency_ms)?;
        row(f, "all, uncorrected", self.requests, &self.service_ms)?;
        for k in &self.by_kind {
            row(f, k.kind, k.requests, &k.latency_ms)?;
        }
        write!(f, "  outcomes:")?;
        for (outcome, n) in &self.outcomes {
            write!(f, " {outcome} {n};")?;
        }
        writeln!(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<_> = (1..=1000).map(Duration::from_millis).collect();
        let p = Percentiles::of(values);
        assert_eq!(p.p50, 500.0);
        assert_eq!(p.p99, 990.0);
        assert_eq!(p.p999, 999.0);
        assert_eq!(p.max, 1000.0);
        assert_eq!(Percentiles::of(vec![]).max, 0.0);
    }

    #[test]
    fn plates_are_distinct_and_valid() {
        let a = plate(0);
        let b = plate(100_000);
        assert_eq!(a, "粤A00000");
        assert_eq!(b, "粤B00000");
        assert!(boomgate_engine::sdk::Plate::parse(&plate(2_399_999)).is_ok());
    }
}
