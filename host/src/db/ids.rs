//! Record ids and API tokens.

use sha2::{Digest, Sha256};

use super::types::Role;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS random source does not fail on the platforms the service runs
    // on; a zeroed buffer would only weaken ids, never tokens (see `token`).
    let _ = getrandom::fill(&mut bytes);
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Ids made by this process, so that ids made in the same millisecond
/// still sort in the order they were made.
static MADE: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);

/// A new id: `prefix`, then the time and this process's count (so ids sort
/// by creation) and 48 random bits, e.g. `dec_0193a5f012340001_8c1d...`.
pub fn new_id(prefix: &str, now_ms: i64) -> String {
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}_{now_ms:012x}{n:04x}{}", hex(&random_bytes::<6>()))
}

/// A new secret API token for `role` and the hash it is stored under.
pub fn token(role: Role) -> anyhow::Result<(String, String)> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no OS randomness for a token: {e}"))?;
    let prefix = match role {
        Role::Owner => "bgo",
        Role::Robot => "bgr",
        Role::Agent => "bga",
        Role::Payments => "bgp",
        Role::App => "bgx",
        Role::Telephony => "bgt",
        Role::Merchant => "bgm",
    };
    let secret = format!("{prefix}_{}", hex(&bytes));
    let hash = token_hash(&secret);
    Ok((secret, hash))
}

/// How a token is stored: its sha256, in hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// sha256 of bytes, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_do_not_repeat() {
        let a = new_id("dec", 1_000);
        let b = new_id("dec", 2_000);
        assert!(a < b);
        assert_ne!(new_id("dec", 1_000), new_id("dec", 1_000));
        assert!(a.starts_with("dec_0000000003e8"));
        // Made in the same millisecond, they still sort as they were made.
        let made: Vec<String> = (0..100).map(|_| new_id("act", 5_000)).collect();
        let wrapped = made.windows(2).filter(|w| w[0] >= w[1]).count();
        assert!(wrapped <= 1, "{made:?}");
    }

    #[test]
    fn tokens_are_stored_hashed() {
        let (secret, hash) = token(Role::Robot).unwrap();
        assert!(secret.starts_with("bgr_") && secret.len() == 52);
        assert_eq!(hash, token_hash(&secret));
        assert!(!hash.contains(&secret[4..]));
    }
}
