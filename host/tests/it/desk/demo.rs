//! The demo lot a fresh install creates has a working desk.

use super::*;

/// The first start's demo lot works for its robots and its agent at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_lot_has_a_desk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = boomgate_host::service::Config {
        db: format!("sqlite://{}", dir.path().join("demo.db").display()),
        ..boomgate_host::service::Config::default()
    };
    let state = boomgate_host::AppState::new(config, boomgate_host::service::Clock::system())
        .await
        .expect("service starts");
    let demo = boomgate_host::service::demo::create_if_empty(&state)
        .await
        .expect("demo")
        .expect("an empty database gets the demo lot");
    assert!(
        boomgate_host::service::demo::create_if_empty(&state)
            .await
            .expect("demo")
            .is_none(),
        "only once"
    );
    let (url, _server) = crate::harness::serve(state).await;
    let client = reqwest::Client::new();
    let event = json!({ "event_id": "e1", "plate": "粤B12345", "occurred_at": minutes_ago(0) });
    let answer: Value = client
        .post(format!("{url}/v1/events"))
        .bearer_auth(&demo.exit_robot_token)
        .json(&event)
        .send()
        .await
        .expect("event")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["reason"], "no_entry_record");
    let pending: Value = client
        .get(format!("{url}/v1/lots/demo/gates/north-exit/pending"))
        .bearer_auth(&demo.agent_token)
        .send()
        .await
        .expect("pending")
        .json()
        .await
        .expect("json");
    assert_eq!(pending["decision_id"], answer["decision_id"]);
    let info: Value = client
        .get(format!("{url}/v1/lots/demo/info"))
        .bearer_auth(&demo.agent_token)
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("json");
    assert_eq!(info["emergency_contact"], "张三 13000000000");
    assert_eq!(
        info["fee_schedule"],
        "30分钟内免费，1小时内5元，之后每小时3元，30元封顶"
    );
}
