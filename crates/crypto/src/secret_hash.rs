//! SECRET_HASH (HMAC-SHA256 of username + client id, keyed by the client secret) and digests.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The SECRET_HASH a client with a secret sends: base64(HMAC-SHA256(secret, username + id)).
pub fn secret_hash(client_id: &str, client_secret: &str, username: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()).expect("any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks a SECRET_HASH in constant time.
pub fn verify_secret_hash(
    client_id: &str,
    client_secret: &str,
    username: &str,
    given: &str,
) -> bool {
    constant_time_eq(
        secret_hash(client_id, client_secret, username).as_bytes(),
        given.as_bytes(),
    )
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Equality that takes the same time wherever the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hash_matches_a_known_vector() {
        // python3 -c "import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b'secret',
        //   b'user'+b'client',hashlib.sha256).digest()).decode())"
        assert_eq!(
            secret_hash("client", "secret", "user"),
            "wvW87lzZoI+qQCVGmWVBJLlucdJ65huAVP1z+0MgA6E="
        );
        assert!(verify_secret_hash(
            "client",
            "secret",
            "user",
            "wvW87lzZoI+qQCVGmWVBJLlucdJ65huAVP1z+0MgA6E="
        ));
        assert!(!verify_secret_hash(
            "client",
            "secret",
            "user",
            "wvW87lzZoI+qQCVGmWVBJLlucdJ65huAVP1z+0MgA6E"
        ));
    }

    #[test]
    fn digests() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"diff"));
        assert!(!constant_time_eq(b"same", b"sam"));
    }
}
