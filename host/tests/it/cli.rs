//! The `boomgate` command line, as scripts and policy authors use it.

use std::path::PathBuf;
use std::process::Command;

fn boomgate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_boomgate"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("boomgate runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
    fn module(&self) -> PathBuf {
        let path = self.dir.path().join("standard-lot.wasm");
        let (ok, _, err) = run(boomgate()
            .args(["policy", "export", "standard-lot", "--out"])
            .arg(&path));
        assert!(ok, "{err}");
        path
    }
}

fn settings() -> String {
    std::fs::read_to_string(root().join("tests/scenarios/standard-lot/settings.json")).unwrap()
}

const EXIT_INPUT: &str = r#"{
  "event": { "lot_id": "lot-1", "gate_id": "north-exit", "direction": "exit",
             "plate": "粤B12345", "occurred_at": "2026-11-22T08:15:02+08:00" },
  "vehicle": { "monthly_pass": null, "parking_pass": null,
               "session": { "entered_at": "2026-11-22T06:01:00+08:00", "billing": "temporary",
                            "paid_amount": 300, "paid_at": null, "pick": false } }
}"#;

#[test]
fn eval_prints_the_decision() {
    let f = Files::new();
    let module = f.module();
    let (ok, out, err) = run(boomgate()
        .args(["eval", "--policy"])
        .arg(&module)
        .arg("--settings")
        .arg(f.write("settings.json", &settings()))
        .arg("--input")
        .arg(f.write("input.json", EXIT_INPUT)));
    assert!(ok, "{err}");
    let decision: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(decision["reason"], "payment_required");
    assert_eq!(
        decision["fee"],
        serde_json::json!({ "amount": 800, "currency": "CNY" })
    );
    assert_eq!(
        decision["effects"],
        serde_json::json!([{ "kind": "create_order", "order": "temporary", "amount": 800 }])
    );
}

#[test]
fn eval_names_the_field_of_bad_settings_and_input() {
    let f = Files::new();
    let module = f.module();
    let mut bad: serde_json::Value = serde_json::from_str(&settings()).unwrap();
    bad["fees"]["first_period"]["amount"] = serde_json::json!(-5);
    let (ok, _, err) = run(boomgate()
        .args(["eval", "--policy"])
        .arg(&module)
        .arg("--settings")
        .arg(f.write("bad.json", &bad.to_string()))
        .arg("--input")
        .arg(f.write("input.json", EXIT_INPUT)));
    assert!(!ok);
    assert!(
        err.contains("`fees.first_period.amount`: -5 is less than the minimum of 0"),
        "{err}"
    );
    let input = EXIT_INPUT.replace("2026-11-22T08:15:02+08:00", "soon");
    let (ok, _, err) = run(boomgate()
        .args(["eval", "--policy"])
        .arg(&module)
        .arg("--settings")
        .arg(f.write("settings.json", &settings()))
        .arg("--input")
        .arg(f.write("input.json", &input)));
    assert!(!ok);
    assert!(
        err.contains("`event.occurred_at`") && err.contains("`soon` is not an RFC 3339 date-time"),
        "{err}"
    );
}

#[test]
fn fees_prints_the_schedule() {
    let f = Files::new();
    let module = f.module();
    let settings = f.write("settings.json", &settings());
    let (ok, out, err) = run(boomgate()
        .args(["fees", "--policy"])
        .arg(&module)
        .arg("--settings")
        .arg(&settings));
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
    );
    let (ok, out, _) = run(boomgate()
        .args(["fees", "--locale", "ko-KR", "--policy"])
        .arg(&module)
        .arg("--settings")
        .arg(&settings));
    assert!(ok);
    assert_eq!(
        out.trim(),
        "30분 이내 무료, 1시간 이내 5위안, 이후 1시간마다 3위안, 1일 최대 30위안"
    );
}

#[test]
fn check_prints_the_interface_and_schema_or_why_not() {
    let f = Files::new();
    let module = f.module();
    let (ok, out, err) = run(boomgate()
        .args(["policy", "check"])
        .arg(&module)
        .arg("--settings")
        .arg(f.write("s.json", &settings())));
    assert!(ok, "{err}");
    assert!(
        out.contains("interface:  boomgate:policy/policy@0.2.0"),
        "{out}"
    );
    assert!(out.contains("settings:   "), "{out}");
    assert!(out.contains("\"additionalProperties\": false"), "{out}");
    let core = f.write("core.wasm", "");
    std::fs::write(
        &core,
        std::fs::read(boomgate_test_artifacts::CORE_MODULE).unwrap(),
    )
    .unwrap();
    let (ok, _, err) = run(boomgate().args(["policy", "check"]).arg(&core));
    assert!(!ok);
    assert!(
        err.contains("a core WebAssembly module, not a component"),
        "{err}"
    );
}

#[test]
fn build_turns_a_policy_crate_into_a_component() {
    let f = Files::new();
    let out = f.dir.path().join("built.wasm");
    let target = root().join("target/guests");
    let (ok, _, err) = run(boomgate()
        .args(["policy", "build"])
        .arg(root().join("rules/standard-lot"))
        .arg("--out")
        .arg(&out)
        .arg("--target-dir")
        .arg(&target));
    assert!(ok, "{err}");
    let (ok, stdout, err) = run(boomgate().args(["policy", "check"]).arg(&out));
    assert!(ok, "{err}");
    assert!(
        stdout.starts_with("module:     standard-lot 0.1.0"),
        "{stdout}"
    );
    let (ok, _, err) = run(boomgate()
        .args(["policy", "build"])
        .arg(f.dir.path())
        .arg("--out")
        .arg(&out));
    assert!(!ok);
    assert!(err.contains("has no Cargo.toml"), "{err}");
}

#[test]
fn admin_creates_an_owner() {
    let f = Files::new();
    let db = format!("sqlite://{}", f.dir.path().join("admin.db").display());
    let (ok, out, err) =
        run(boomgate().args(["admin", "create-owner", "--db", &db, "--name", "Lot Co"]));
    assert!(ok, "{err}");
    assert!(
        out.trim().starts_with("bgo_") && out.trim().len() == 52,
        "{out}"
    );
    // With a phone, the owner is a person who logs in with it.
    let args = [
        "admin",
        "create-owner",
        "--db",
        &db,
        "--name",
        "Lot Two",
        "--phone",
        "+86 135 0000 0001",
    ];
    let (ok, _, err) = run(boomgate().args(args));
    assert!(ok && err.contains("logs in with 8613500000001"), "{err}");
    let (ok, _, err) = run(boomgate().args(args));
    assert!(!ok && err.contains("someone's number"), "{err}");
    let args = [
        "admin",
        "create-owner",
        "--db",
        &db,
        "--name",
        "X",
        "--phone",
        "call me",
    ];
    let (ok, _, err) = run(boomgate().args(args));
    assert!(!ok && err.contains("--phone"), "{err}");
}

#[test]
fn tariff_import_turns_an_apds_rate_table_into_fee_settings() {
    let files = Files::new();
    let table = files.write(
        "rates.json",
        r#"{ "id": "T", "version": 1, "rateType": "hourly",
             "rateLineCollections": [{ "collectionSequence": 0, "applicableCurrency": "GBP", "maxTime": "PT7H",
               "rateLines": [
                 { "sequence": 0, "rateLineType": "flatRateTier", "durationStart": "00:00", "durationEnd": "00:30", "incrementPeriod": "PT30M", "value": 3 },
                 { "sequence": 1, "rateLineType": "incrementingRate", "durationStart": "00:30", "incrementPeriod": "PT1H", "value": 1.5 } ] }] }"#,
    );
    let (ok, out, err) = run(boomgate().args(["tariff", "import", "--apds"]).arg(&table));
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["currency"], "GBP");
    assert_eq!(
        v["fees"]["tiers"][0],
        serde_json::json!({ "minutes": 30, "every_minutes": null, "amount": 300 })
    );
    assert_eq!(v["fees"]["tiers"][1]["amount"], 150);
    assert!(
        err.contains("note: the table's maximum stay `PT7H`"),
        "{err}"
    );
    let bad = files.write(
        "bad.json",
        r#"{ "rateLineCollections": [{ "applicableCurrency": "GBP", "rateLines": [
             { "sequence": 0, "rateLineType": "incrementingRate", "durationStartTime": "00:00", "incrementPeriod": "PT1H", "value": 1 } ] }] }"#,
    );
    let out = boomgate()
        .args(["tariff", "import", "--apds"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("$.rateLineCollections[0].rateLines[0].durationStartTime: is not a field of an APDS RateLine (did you mean `durationStart`?)"),
        "{err}"
    );
}

#[test]
fn eval_reads_standard_input_and_says_when_the_policy_faulted() {
    use std::io::Write as _;
    use std::process::Stdio;
    let f = Files::new();
    let module = f.module();
    let mut child = boomgate()
        .args(["eval", "--input", "-", "--policy"])
        .arg(&module)
        .arg("--settings")
        .arg(f.write("settings.json", &settings()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(EXIT_INPUT.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("payment_required"));
    // A policy that traps: the fallback decision, exit status 3.
    let hostile = f.dir.path().join("hostile.wasm");
    std::fs::copy(boomgate_test_artifacts::HOSTILE, &hostile).unwrap();
    let out = boomgate()
        .args(["eval", "--policy"])
        .arg(&hostile)
        .arg("--settings")
        .arg(f.write("hostile.json", r#"{"behaviour": "panic"}"#))
        .arg("--input")
        .arg(f.write("input.json", EXIT_INPUT))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("this is the fallback decision"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("policy_fault"));
}

#[test]
fn a_reader_that_stops_reading_is_not_an_error() {
    let f = Files::new();
    let module = f.module();
    // `policy check` prints a long schema; `head` stops reading after a line.
    let out = Command::new("bash")
        .args([
            "-c",
            "set -o pipefail; \"$0\" policy check \"$1\" | head -n 1",
        ])
        .arg(env!("CARGO_BIN_EXE_boomgate"))
        .arg(&module)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("module:"));
}

#[test]
fn flags_name_their_environment_variables() {
    let (ok, out, _) = run(boomgate().args(["serve", "--help"]));
    assert!(ok);
    for var in ["BOOMGATE_DB", "BOOMGATE_LISTEN", "BOOMGATE_CONFIG"] {
        assert!(out.contains(&format!("[env: {var}")), "{var} in {out}");
    }
    // `admin` reads the database from BOOMGATE_DB like `serve` does.
    let f = Files::new();
    let db = format!("sqlite://{}", f.dir.path().join("env.db").display());
    let (ok, out, err) = run(boomgate()
        .args(["admin", "create-owner", "--name", "Env Co"])
        .env("BOOMGATE_DB", &db));
    assert!(ok, "{err}");
    assert!(out.trim().starts_with("bgo_"), "{out}");
    assert!(f.dir.path().join("env.db").exists());
}

/// `serve --log-format json`: each request is one JSON line at INFO with
/// its method, matched route, status, latency and id (the client's
/// `X-Request-Id`, echoed in the response).
#[test]
fn a_request_is_one_json_log_line_with_its_id() {
    use std::io::{BufRead as _, Read as _, Write as _};
    let f = Files::new();
    let db = format!("sqlite://{}", f.dir.path().join("logs.db").display());
    let mut child = boomgate()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--db",
            &db,
        ])
        .env("BOOMGATE_DEMO", "false")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let (lines, received) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let next = || {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        received
            .recv_timeout(left)
            .expect("a log line before the deadline")
    };
    // The first line says where it listens.
    let address = loop {
        let line = next();
        let entry: serde_json::Value = serde_json::from_str(&line).expect("JSON lines");
        if let Some(at) = entry["message"]
            .as_str()
            .and_then(|m| m.strip_prefix("listening on http://"))
        {
            break at.split_whitespace().next().unwrap().to_owned();
        }
    };
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /v1/lots/nowhere HTTP/1.1\r\nHost: x\r\nX-Request-Id: log-test-7\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("x-request-id: log-test-7"),
        "the id is echoed: {response}"
    );
    assert!(
        response
            .to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{response}"
    );
    let mut mine = Vec::new();
    while mine.is_empty() {
        let line = next();
        if line.contains("log-test-7") {
            mine.push(serde_json::from_str::<serde_json::Value>(&line).unwrap());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    while let Ok(line) = received.try_recv() {
        if line.contains("log-test-7") {
            mine.push(serde_json::from_str(&line).unwrap());
        }
    }
    assert_eq!(mine.len(), 1, "one line per request: {mine:?}");
    let entry = &mine[0];
    assert_eq!(entry["level"], "WARN", "a 4xx: {entry}");
    assert_eq!(entry["status"], 401, "{entry}");
    assert!(entry["latency_us"].as_u64().is_some(), "{entry}");
    assert_eq!(entry["span"]["method"], "GET", "{entry}");
    assert_eq!(entry["span"]["route"], "/v1/lots/{lot}", "{entry}");
    assert_eq!(entry["span"]["request_id"], "log-test-7", "{entry}");
}

#[test]
fn openapi_prints_the_document_the_service_serves() {
    let (ok, out, err) = run(boomgate().arg("openapi"));
    assert!(ok, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v1/events"]["post"]["summary"].is_string());
    assert!(doc["paths"]["/v1/events"]["post"]["responses"]["503"].is_object());
}
