//! Pagination tokens handed to clients: the store's keyset token sealed with the master key
//! and bound to the listing it belongs to (operation and scope, e.g. `users|<pool>|<filter>`).
//! A token from another listing, a made-up one or any altered byte fails to open and is
//! refused with InvalidParameterException; nothing unauthenticated reaches the store.

use cognitod_crypto::MasterKey;
use cognitod_model::Error;

use crate::service::UserPools;
use crate::shared::errors::invalid_parameter;

const AAD_PREFIX: &str = "cognitod:page-token:v1|";

fn aad(scope: &str) -> Vec<u8> {
    format!("{AAD_PREFIX}{scope}").into_bytes()
}

fn seal(key: &MasterKey, scope: &str, store_token: &str) -> String {
    key.seal_to_string(store_token.as_bytes(), &aad(scope))
}

fn open(key: &MasterKey, scope: &str, token: &str) -> Option<String> {
    let plain = key.open_str(token, &aad(scope)).ok()?;
    String::from_utf8(plain).ok()
}

/// The client's token for the store's `store_token` of the listing `scope`.
pub(crate) fn encode(svc: &UserPools, scope: &str, store_token: &str) -> String {
    seal(&svc.master_key, scope, store_token)
}

/// The store token inside a client's token, if one was given; InvalidParameterException when
/// it was not issued by this server for `scope`.
pub(crate) fn decode(
    svc: &UserPools,
    scope: &str,
    token: Option<&str>,
) -> Result<Option<String>, Error> {
    token
        .map(|t| {
            open(&svc.master_key, scope, t)
                .ok_or_else(|| invalid_parameter("Invalid pagination token."))
        })
        .transpose()
}

/// Cognito's page size when Limit is absent (or 0).
pub(crate) const DEFAULT_LIMIT: u32 = 60;

/// A list Limit as the store takes it: absent or 0 means the default.
pub(crate) fn page_limit(limit: Option<i32>) -> u32 {
    match limit {
        Some(n) if n > 0 => n.min(DEFAULT_LIMIT as i32) as u32,
        _ => DEFAULT_LIMIT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_within_its_scope_only_and_not_once_altered() {
        let key = MasterKey::generate();
        let token = seal(&key, "users|p1|", "k:42");
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(open(&key, "users|p1|", &token).as_deref(), Some("k:42"));
        assert_eq!(open(&key, "users|p2|", &token), None);
        assert_eq!(open(&MasterKey::generate(), "users|p1|", &token), None);
        assert_eq!(open(&key, "users|p1|", "not a token"), None);
        for i in 0..token.len() {
            let mut altered = token.clone().into_bytes();
            altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(altered).unwrap();
            if altered != token {
                assert_eq!(open(&key, "users|p1|", &altered), None, "byte {i}");
            }
        }
    }
}
