//! Pagination tokens handed to clients: the store's keyset token wrapped together with the
//! listing it belongs to, so that a token from another listing (or a made-up one) is refused
//! with InvalidParameterException instead of reaching the store.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Envelope {
    /// What is being listed, e.g. `users|<pool>|<filter>`.
    s: String,
    /// The store's token.
    t: String,
}

pub(crate) fn encode(scope: &str, store_token: &str) -> String {
    let envelope = Envelope {
        s: scope.to_string(),
        t: store_token.to_string(),
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&envelope).expect("strings always serialise"))
}

/// The store token inside `token`, if it was issued for `scope`.
pub(crate) fn decode(scope: &str, token: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(token.as_bytes()).ok()?;
    let envelope: Envelope = serde_json::from_slice(&bytes).ok()?;
    (envelope.s == scope).then_some(envelope.t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_within_its_scope_only() {
        let token = encode("users|p1|", "k:42");
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(decode("users|p1|", &token).as_deref(), Some("k:42"));
        assert_eq!(decode("users|p2|", &token), None);
        assert_eq!(decode("users|p1|", "not a token"), None);
        assert_eq!(decode("users|p1|", "bm90IGpzb24"), None);
    }
}
