//! Activating a policy version while robots keep posting: no event fails or
//! waits on the swap, a version that does not load leaves the active one
//! serving, and rolling back is activating an older version.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp, eventually, minutes_ago, standard_settings, unique};

async fn hot_swap_under_concurrent_events(backend: Backend) {
    let app = Arc::new(TestApp::spawn(backend).await);
    let owner = app.owner.clone();
    let lot = app
        .lot(&owner, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;
    let module = app.standard_module(&owner).await;
    // v1 turns visitors away; v2 lets them in; v3 lets them in and says so in English.
    let v1 = app
        .version(&owner, &lot.id, &module, &standard_settings())
        .await;
    let mut open = standard_settings();
    open["visitor_confirmation"] = json!(false);
    let v2 = app.version(&owner, &lot.id, &module, &open).await;
    open["locale"] = json!("en");
    let v3 = app.version(&owner, &lot.id, &module, &open).await;
    app.activate(&owner, &lot.id, v1).await;

    // Two robots' worth of events, flowing throughout; each answer's
    // version is counted as it comes.
    let done = Arc::new(AtomicBool::new(false));
    let decided: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut posters = Vec::new();
    for worker in 0..2 {
        let (app, done, robot) = (app.clone(), done.clone(), lot.entry.clone());
        let decided = decided.clone();
        posters.push(tokio::spawn(async move {
            let mut answers: Vec<(StatusCode, Value)> = Vec::new();
            let mut i = 0;
            while !done.load(Ordering::Relaxed) || i < 20 {
                let plate = format!("粤D{worker}{i:04}");
                let answer = app
                    .event(
                        &robot,
                        &format!("w{worker}-{i}"),
                        Some(&plate),
                        &minutes_ago(1),
                    )
                    .await;
                if let Some(version) = answer.1["policy_version"].as_i64() {
                    decided.lock().unwrap().push(version);
                }
                answers.push(answer);
                i += 1;
            }
            answers
        }));
    }
    // Each version serves a few events before the next is activated.
    let served = |version: i64| {
        let decided = decided.clone();
        move || {
            decided
                .lock()
                .unwrap()
                .iter()
                .filter(|v| **v == version)
                .count()
                >= 5
        }
    };
    eventually("version 1 serves events", served(v1)).await;
    app.activate(&owner, &lot.id, v2).await;
    eventually("version 2 serves events", served(v2)).await;
    // A version whose module is gone cannot be prepared: the swap is refused
    // and v2 serves on.
    let path = format!("/v1/lots/{}/policies/99/activate", lot.id);
    assert_eq!(
        app.post(&owner, &path, json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    app.activate(&owner, &lot.id, v3).await;
    eventually("version 3 serves events", served(v3)).await;
    done.store(true, Ordering::Relaxed);

    let mut versions = Vec::new();
    for poster in posters {
        let answers = poster.await.unwrap();
        let mut last = 0;
        for (status, answer) in answers {
            assert_eq!(
                status,
                StatusCode::OK,
                "an event failed during a swap: {answer}"
            );
            let version = answer["policy_version"].as_i64().unwrap();
            assert!(
                version >= last,
                "versions go forward for one robot: {last} then {version}"
            );
            last = version;
            let expected = match version {
                1 => (
                    "visitor_confirmation_required",
                    "该停车场不允许临停车辆进场，有需请联系管理处",
                ),
                2 => ("visitor_welcome", "欢迎光临"),
                _ => ("visitor_welcome", "Welcome"),
            };
            assert_eq!(
                (
                    answer["reason"].as_str().unwrap(),
                    answer["voice"].as_str().unwrap()
                ),
                expected,
                "{answer}"
            );
            versions.push(version);
        }
    }
    for v in [v1, v2, v3] {
        assert!(
            versions.contains(&v),
            "no event was decided by version {v}: {versions:?}"
        );
    }

    // Roll back to v1; the history keeps every version, v1 marked active.
    app.activate(&owner, &lot.id, v1).await;
    let answer = app
        .ok(
            StatusCode::OK,
            app.event(&lot.entry, "after", Some("粤D99999"), &minutes_ago(1))
                .await,
        )
        .await;
    assert_eq!(
        (answer["policy_version"].as_i64(), answer["reason"].as_str()),
        (Some(v1), Some("visitor_confirmation_required"))
    );
    let history = app
        .read(&owner, &format!("/v1/lots/{}/policies", lot.id))
        .await;
    let active: Vec<(i64, bool)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["active"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(active, [(v1, true), (v2, false), (v3, false)]);

    // What would v2 change? Every visitor v1 turned away.
    let preview = app
        .ok(
            StatusCode::OK,
            app.post(
                &owner,
                &format!("/v1/lots/{}/policies/{v2}/preview", lot.id),
                json!({}),
            )
            .await,
        )
        .await;
    assert!(preview["changed"].as_u64().unwrap() > 0, "{preview}");
    assert_eq!(
        preview["examples"][0]["after"]["reason"], "visitor_welcome",
        "{preview}"
    );
}

crate::on_both!(hot_swap_under_concurrent_events);

async fn a_broken_module_never_leaves_a_robot_without_an_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lot = app
        .lot(&app.owner, &unique("lot"), "Asia/Shanghai", "CNY")
        .await;
    let hostile = std::fs::read(boomgate_test_artifacts::HOSTILE).expect("hostile guest");
    let module = app
        .ok(StatusCode::CREATED, app.upload(&app.owner, &hostile).await)
        .await;
    let digest = module["digest"].as_str().unwrap();
    for (i, behaviour) in ["spin", "memory_bomb", "panic", "contradictory_effects"]
        .iter()
        .enumerate()
    {
        let v = app
            .version(
                &app.owner,
                &lot.id,
                digest,
                &json!({ "behaviour": behaviour }),
            )
            .await;
        app.activate(&app.owner, &lot.id, v).await;
        let answer = app
            .ok(
                StatusCode::OK,
                app.event(
                    &lot.exit,
                    &format!("h{i}"),
                    Some("粤B12345"),
                    &minutes_ago(1),
                )
                .await,
            )
            .await;
        assert_eq!(
            (answer["gate"].as_str(), answer["reason"].as_str()),
            (Some("hold"), Some("policy_fault")),
            "{behaviour}: {answer}"
        );
        assert_eq!(answer["effects"], json!([{ "kind": "escalate" }]));
    }
    let log = app
        .read(
            &app.owner,
            &format!("/v1/lots/{}/decisions?limit=4", lot.id),
        )
        .await;
    let faults: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["fault"].as_str().unwrap_or(""))
        .collect();
    assert!(
        faults[0].contains("contract") && faults[3].contains("deadline"),
        "{faults:?}"
    );
    let metrics = app
        .client
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(&format!(
            "boomgate_policy_faults_total{{lot=\"{}\",kind=\"deadline\"}} 1",
            lot.id
        )),
        "{metrics}"
    );
}

crate::on_both!(a_broken_module_never_leaves_a_robot_without_an_answer);
