//! Seed 001 §2.3 C: the vehicles inside closest to a misread plate, LPR
//! confusions cheap.

use super::*;

/// Realistic misreads: what the exit camera read, the vehicle that is
/// really there, and the other vehicles inside that look alike.
const MISREADS: &[(&str, &str, &[&str])] = &[
    // 0/D, 8/B, 5/S, 2/Z, 1/I, 6/G confusions in China plates.
    (
        "粤B0D123",
        "粤BDD123",
        &["粤B0D128", "粤B9D123", "湘B0D123"],
    ),
    (
        "粤B8S6Z1",
        "粤B85621",
        &["粤B35621", "粤B85629", "粤B8S6Z7"],
    ),
    (
        "京A1I6G2",
        "京A11662",
        &["京A1I6G7", "京A71662", "京B11662"],
    ),
    // A wrong province costs less than a wrong serial character.
    ("湘A12345", "粤A12345", &["湘A12349", "湘A72345"]),
    // The province was not read at all.
    ("B2Q5O8", "粤B2Q508", &["粤B2Q5O9", "粤B7Q508"]),
    // 8-character new-energy plates.
    ("粤BD12345", "粤BD1234S", &["粤BD12349", "粤BF12345"]),
    ("沪AD8B0O1", "沪AD88001", &["沪AD8B0O7", "沪AF88001"]),
    // Korean plates: a misread Hangul syllable or region costs little.
    ("12거3456", "12가3456", &["12거3459", "72거3456"]),
    ("123가4S67", "123가4567", &["123가4568", "128가4567"]),
    ("서울34나5678", "34나5678", &["서울34나5679"]),
];

async fn fuzzy_search(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = Desk::open(&app, json!({ "visitor_confirmation": false })).await;
    let mut inside = 0;
    for (_, truth, lookalikes) in MISREADS {
        for plate in std::iter::once(truth).chain(lookalikes.iter()) {
            assert_eq!(
                desk.read(ENTRY, Some(plate), 60).await["gate"],
                "open",
                "{plate}"
            );
            inside += 1;
        }
    }
    assert_eq!(desk.inside().await.len(), inside);
    for (read, truth, _) in MISREADS {
        let found = desk
            .get(StatusCode::OK, &format!("/sessions/similar?plate={read}"))
            .await;
        let found = found.as_array().expect("candidates");
        assert_eq!(found.len(), 6, "six candidates for {read}");
        assert_eq!(found[0]["plate"], *truth, "{read}: {found:?}");
        let distances: Vec<i64> = found
            .iter()
            .map(|f| f["distance"].as_i64().expect("distance"))
            .collect();
        assert!(
            distances.windows(2).all(|w| w[0] <= w[1]),
            "{read}: {distances:?}"
        );
    }
    let bad = desk
        .get(StatusCode::BAD_REQUEST, "/sessions/similar?plate=粤B!")
        .await;
    assert_eq!(bad["error"]["fields"][0]["path"], "plate");
}

crate::on_both!(fuzzy_search);
