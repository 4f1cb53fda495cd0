//! What a robot is told was recorded is on disk: a `kill -9` of the service
//! while robots' events are committed in batches loses none of them.

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// A service on `db`, with where it listens and what it printed.
struct Service {
    child: Child,
    url: String,
    out: Vec<String>,
}

/// Starts the service on `db`; `demo`: waits for the demo lot's tokens.
fn start(db: &str, demo: bool) -> Service {
    let mut child = Command::new(env!("CARGO_BIN_EXE_boomgate"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--db",
            db,
        ])
        .env("BOOMGATE_DEMO", "true")
        .env("BOOMGATE_EXPENSIVE_PER_MINUTE", "0")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel::<(bool, String)>();
    for (is_log, stream) in [
        (false, Box::new(stdout) as Box<dyn std::io::Read + Send>),
        (true, Box::new(stderr)),
    ] {
        let lines = lines.clone();
        std::thread::spawn(move || {
            // Read to the end, whoever listens: a service whose log pipe
            // closed would fail its writes.
            for line in std::io::BufReader::new(stream)
                .lines()
                .map_while(Result::ok)
            {
                let _ = lines.send((is_log, line));
            }
        });
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let mut out = Vec::new();
    let url = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let (is_log, line) = received.recv_timeout(left).expect("the service starts");
        if !is_log {
            out.push(line);
            continue;
        }
        let entry: Value = serde_json::from_str(&line).expect("JSON log lines");
        if let Some(at) = entry["message"]
            .as_str()
            .and_then(|m| m.strip_prefix("listening on "))
        {
            break at.split_whitespace().next().unwrap().to_owned();
        }
    };
    while demo && !out.iter().any(|l| l.contains("tokens are shown once")) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let (is_log, line) = received.recv_timeout(left).expect("the demo's tokens");
        if !is_log {
            out.push(line);
        }
    }
    Service { child, url, out }
}

impl Drop for Service {
    fn drop(&mut self) {
        // A failing test leaves no service behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn printed(out: &[String], label: &str) -> String {
    out.iter()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("`{label}` in {out:?}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_batched_writes_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("kill.db").display());
    let mut service = start(&db, true);
    let token = printed(&service.out, "entry robot token:");
    let client = reqwest::Client::new();
    // Events the service answered as recorded, with their answers.
    let acknowledged = Arc::new(Mutex::new(Vec::<(Value, String)>::new()));
    let robots: Vec<_> = (0..16)
        .map(|robot| {
            let (client, url, token) = (client.clone(), service.url.clone(), token.clone());
            let acknowledged = acknowledged.clone();
            tokio::spawn(async move {
                for n in 0.. {
                    let event = json!({
                        "event_id": format!("k{robot}-{n}"),
                        "plate": format!("粤K{:05}", robot * 5_000 + n),
                        "occurred_at": jiff::Timestamp::now().to_string(),
                    });
                    let Ok(response) = client
                        .post(format!("{url}/v1/events"))
                        .bearer_auth(&token)
                        .json(&event)
                        .send()
                        .await
                    else {
                        break; // killed
                    };
                    let Ok(answer) = response.json::<Value>().await else {
                        break;
                    };
                    if answer["recorded"] == true {
                        let id = answer["decision_id"].as_str().unwrap().to_owned();
                        acknowledged.lock().unwrap().push((event, id));
                    }
                }
            })
        })
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    while acknowledged.lock().unwrap().len() < 300 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "300 events recorded"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    service.child.kill().unwrap(); // SIGKILL, mid-batch
    service.child.wait().unwrap();
    for robot in robots {
        robot.await.unwrap();
    }
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());

    let service = start(&db, false);
    for (event, decision_id) in &acknowledged {
        let answer: Value = client
            .post(format!("{}/v1/events", service.url))
            .bearer_auth(&token)
            .json(event)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (&answer["replayed"], answer["decision_id"].as_str()),
            (&json!(true), Some(decision_id.as_str())),
            "{event} was acknowledged before the kill: {answer}"
        );
    }
}
