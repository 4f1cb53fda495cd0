//! Storage that fails never reaches a robot as a 5xx, nor keeps it
//! waiting: past the decision budget (`decision_budget_ms`) the robot gets
//! the fallback (hold, escalate, reason `storage_fault`, `recorded:
//! false`), `/healthz` says the database fails, the answered events wait in
//! memory and in the metrics, and once storage works again writes recover
//! by themselves and the events are listed at `storage-faults`.
//!
//! PostgreSQL is reached through a TCP proxy the test cuts (refusing, as a
//! stopped server) or hangs (as a stalled network); SQLite lives on a small
//! tmpfs the test fills.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::{Gate, metric, said};
use crate::harness::{Backend, unique};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Up,
    /// Connections are cut and new ones refused.
    Down,
    /// Nothing gets through, and nothing is closed.
    Hung,
}

/// A TCP proxy to PostgreSQL whose link the test sets.
struct Proxy {
    addr: SocketAddr,
    link: watch::Sender<Link>,
}

impl Proxy {
    async fn to(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (link, _) = watch::channel(Link::Up);
        let links = link.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(pipe(client, upstream, links.subscribe()));
            }
        });
        Proxy { addr, link }
    }

    fn set(&self, link: Link) {
        self.link.send_replace(link);
    }
}

async fn pipe(mut client: TcpStream, upstream: SocketAddr, mut link: watch::Receiver<Link>) {
    let now = *link.borrow_and_update();
    match now {
        Link::Down => return,
        Link::Hung => {
            let _ = link.wait_for(|l| *l != Link::Hung).await;
            return;
        }
        Link::Up => {}
    }
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let changed = tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => None,
        changed = link.wait_for(|l| *l != Link::Up) => changed.ok().map(|l| *l),
    };
    // A hung link holds both ends until it changes, then cuts them.
    if changed == Some(Link::Hung) {
        let _ = link.wait_for(|l| *l != Link::Hung).await;
    }
}

/// Reads until one is recorded again (storage works), each a new plate so
/// that none is a duplicate; at most 30 s.
async fn until_recorded(gate: &Gate, hms: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let answer = gate.exit(Some(&plate()), hms).await;
        if answer["recorded"] == true {
            return answer;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "storage did not come back: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A fresh plate: `粤B` and five digits.
fn plate() -> String {
    let n = unique("").replace('x', "");
    format!("粤B{}", &n[n.len().saturating_sub(5)..])
}

/// Waits until `/healthz` answers `status`; at most 30 s.
async fn health(gate: &Gate, status: StatusCode) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (got, text) = gate.app.plain("/healthz").await;
        if got == status {
            return text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/healthz stayed {got}: {text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What a robot is told when storage fails.
fn fallback(answer: &Value) {
    assert_eq!(said(answer), ("hold", "storage_fault"), "{answer}");
    assert_eq!(answer["recorded"], false, "{answer}");
    assert!(
        answer["effects"]
            .as_array()
            .unwrap()
            .contains(&json!({ "kind": "escalate" })),
        "{answer}"
    );
}

/// The answered events are written once storage works: listed, and the
/// backlog is empty.
async fn flushed(gate: &Gate, event_ids: &[String]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let listed = gate.read_path("storage-faults").await;
        let got: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["event_id"].as_str())
            .collect();
        if event_ids.iter().all(|id| got.contains(&id.as_str())) {
            let metrics = gate.app.metrics().await;
            assert_eq!(
                metric(&metrics, "boomgate_storage_fault_backlog"),
                0.0,
                "{metrics}"
            );
            let line = format!(
                "boomgate_storage_fault_answers_total{{lot=\"{}\"}}",
                gate.lot.id
            );
            assert!(
                metric(&metrics, &line) >= event_ids.len() as f64,
                "{metrics}"
            );
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not written: {listed}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_or_hung_gives_the_fallback_and_recovers() {
    let admin = std::env::var("BOOMGATE_TEST_PG_URL").expect("BOOMGATE_TEST_PG_URL");
    let upstream: SocketAddr = admin
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|hostport| hostport.parse().ok())
        .expect("a PostgreSQL URL with an IP address and port");
    let proxy = Proxy::to(upstream).await;
    let through = proxy.addr;
    let gate = Gate::open_with(
        Backend::Postgres,
        |c| {
            c.db = c.db.replace(&upstream.to_string(), &through.to_string());
            c.decision_budget_ms = 300;
        },
        json!({}),
    )
    .await;
    let before = gate.entry(Some("粤B12345"), "06:00:00").await;
    assert_eq!(before["recorded"], true, "{before}");

    let mut told = Vec::new();
    for (link, hms) in [(Link::Down, "07:00:00"), (Link::Hung, "07:10:00")] {
        proxy.set(link);
        // Robots at both gates get a decision: the fallback, never a 5xx.
        for robot in [&gate.lot.exit, &gate.lot.entry] {
            let id = unique("ev");
            let (status, answer) = gate.read_as(robot, &id, Some(&plate()), hms).await;
            assert_eq!(status, StatusCode::OK, "{link:?}: {answer}");
            fallback(&answer);
            told.push(id);
        }
        let text = health(&gate, StatusCode::SERVICE_UNAVAILABLE).await;
        assert!(text.contains("database"), "{text}");
        let metrics = gate.app.metrics().await;
        assert!(
            metric(&metrics, "boomgate_storage_fault_backlog") >= 2.0,
            "{metrics}"
        );
        proxy.set(Link::Up);
        until_recorded(&gate, hms).await;
        health(&gate, StatusCode::OK).await;
    }
    flushed(&gate, &told).await;
    // What was recorded before is intact.
    let stays = gate.stays().await;
    assert!(stays.iter().any(|s| s["plate"] == "粤B12345"), "{stays:?}");
}

/// A small tmpfs for a SQLite database, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().expect("temp dir");
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "this test mounts a tmpfs to fill: it needs root (scripts/test runs as the CI user, root)"
        );
        Tmpfs { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// Writes a file until the filesystem is full.
    fn fill(&self) -> PathBuf {
        use std::io::Write as _;
        let path = self.dir.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        while file.write_all(&block[..512]).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sqlite_disk_gives_the_fallback_and_recovers() {
    let disk = Tmpfs::mount("24m");
    let file = disk.path().join("boomgate.db");
    let gate = Gate::open_with(
        Backend::Sqlite,
        |c| c.db = format!("sqlite://{}", file.display()),
        json!({}),
    )
    .await;
    let before = gate.entry(Some("粤B12345"), "06:00:00").await;
    assert_eq!(before["recorded"], true, "{before}");

    let filler = disk.fill();
    let mut told = Vec::new();
    // Write until the WAL has no room: then every robot gets the fallback.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let id = unique("ev");
        let (status, answer) = gate
            .read_as(&gate.lot.entry, &id, Some(&plate()), "07:00:00")
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        if answer["recorded"] == false {
            fallback(&answer);
            told.push(id);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the disk never filled"
        );
    }
    let (status, answer) = gate
        .read_as(&gate.lot.exit, &unique("ev"), Some("粤B12345"), "07:00:10")
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    fallback(&answer);
    let text = health(&gate, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(text.contains("writes fail"), "{text}");

    // Space returns: writes recover without a restart.
    std::fs::remove_file(filler).expect("free the disk");
    health(&gate, StatusCode::OK).await;
    let after = until_recorded(&gate, "07:01:00").await;
    assert_eq!(after["recorded"], true);
    let out = gate.exit(Some("粤B12345"), "07:02:00").await;
    assert_eq!(said(&out), ("hold", "payment_required"), "{out}");
    flushed(&gate, &told).await;
}
