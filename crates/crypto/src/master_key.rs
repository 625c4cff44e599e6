//! The server's master key and sealing of secrets at rest (XChaCha20-Poly1305).
//!
//! Sealed form: `0x01 | nonce (24) | ciphertext+tag`; the associated data binds a sealed value
//! to what it belongs to (e.g. a client id), so sealed values cannot be swapped between rows.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("invalid master key: {0}")]
    InvalidKey(String),
    #[error("sealed data is malformed or was not sealed with this key")]
    Unseal,
}

/// 32 secret bytes.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }

    pub fn from_base64(encoded: &str) -> Result<Self, CryptoError> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|e| CryptoError::InvalidKey(e.to_string()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidKey("expected 32 bytes".into()))?;
        Ok(Self(key))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// A secret derived for one purpose: HMAC-SHA256(master key, label). Stable across
    /// restarts and nodes, unknowable without the master key.
    pub fn derive(&self, label: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(label);
        mac.finalize().into_bytes().into()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != VERSION {
            return Err(CryptoError::Unseal);
        }
        let (nonce, ciphertext) = sealed[1..].split_at(NONCE_LEN);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Unseal)
    }

    /// `seal`, as URL-safe base64 text for storage in text columns.
    pub fn seal_to_string(&self, plaintext: &[u8], aad: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.seal(plaintext, aad))
    }

    pub fn open_str(&self, sealed: &str, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed)
            .map_err(|_| CryptoError::Unseal)?;
        self.open(&bytes, aad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let key = MasterKey::generate();
        let sealed = key.seal_to_string(b"client secret", b"client:abc");
        assert!(!sealed.contains("client secret"));
        assert_eq!(
            key.open_str(&sealed, b"client:abc").unwrap(),
            b"client secret"
        );
        assert_eq!(
            key.open_str(&sealed, b"client:other"),
            Err(CryptoError::Unseal)
        );
        assert_eq!(
            MasterKey::generate().open_str(&sealed, b"client:abc"),
            Err(CryptoError::Unseal)
        );
        let mut raw = key.seal(b"x", b"");
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert_eq!(key.open(&raw, b""), Err(CryptoError::Unseal));
        let again = MasterKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(
            again.open_str(&sealed, b"client:abc").unwrap(),
            b"client secret"
        );
        assert_eq!(format!("{key:?}"), "MasterKey(***)");
    }

    #[test]
    fn every_malformed_input_is_refused() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"payload", b"aad");
        assert_eq!(sealed.len(), 1 + 24 + 7 + 16);
        assert_eq!(sealed[0], 1);
        assert_ne!(sealed, key.seal(b"payload", b"aad"), "nonces are random");
        let mut wrong_version = sealed.clone();
        wrong_version[0] = 2;
        assert_eq!(key.open(&wrong_version, b"aad"), Err(CryptoError::Unseal));
        assert_eq!(key.open(&sealed[..40], b"aad"), Err(CryptoError::Unseal));
        assert_eq!(key.open(&[], b"aad"), Err(CryptoError::Unseal));
        let mut nonce_flipped = sealed.clone();
        nonce_flipped[5] ^= 0x80;
        assert_eq!(key.open(&nonce_flipped, b"aad"), Err(CryptoError::Unseal));
        assert_eq!(
            key.open_str("not base64!", b"aad"),
            Err(CryptoError::Unseal)
        );
        assert_eq!(key.open(&sealed, b"aad").unwrap(), b"payload");
        assert_eq!(key.open(&key.seal(b"", b""), b"").unwrap(), b"");
    }

    #[test]
    fn keys_load_from_base64_of_32_bytes_only() {
        let fixed =
            MasterKey::from_base64(" AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= \n").unwrap();
        assert_eq!(
            fixed.to_base64(),
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
        );
        assert_eq!(
            MasterKey::from_base64("AAEC").unwrap_err(),
            CryptoError::InvalidKey("expected 32 bytes".into())
        );
        assert!(matches!(
            MasterKey::from_base64("***").unwrap_err(),
            CryptoError::InvalidKey(_)
        ));
        assert_ne!(
            MasterKey::generate().to_base64(),
            MasterKey::generate().to_base64()
        );
    }
}
