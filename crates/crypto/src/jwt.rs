//! RS256 JSON Web Tokens, as Cognito issues them (BEHAVIOR.md §4).
//!
//! Minting uses a cached `aws-lc-rs` key pair and a hand-written JWS compact serialiser
//! (`b64(header).b64(payload).b64(signature)`): parsing the PKCS#8 key per token would
//! roughly double the cost of every token (research/crates.md, "JWT").
//!
//! Verification is deliberately strict and closed: the only accepted algorithm is RS256,
//! whatever the header claims, so `alg: none` and HS256-with-the-public-key ("algorithm
//! confusion") tokens are refused before any key is looked at. Time-based claims (exp, iat,
//! nbf) and iss/aud are left to the caller, which owns the clock.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// The only algorithm this module mints or accepts.
const RS256: &str = "RS256";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    #[error("malformed token")]
    Malformed,
    #[error("unsupported algorithm")]
    UnsupportedAlgorithm,
    #[error("unknown key")]
    UnknownKey,
    #[error("bad signature")]
    BadSignature,
    #[error("key error: {0}")]
    Key(String),
}

/// An RSA-2048 signing key with its kid; the parsed key is cached.
///
/// Keys imported with [`RsaSigningKey::from_pkcs8`] may be any size aws-lc accepts
/// (2048 to 8192 bits); [`RsaSigningKey::generate`] always makes 2048-bit keys, as Cognito.
pub struct RsaSigningKey {
    kid: String,
    pair: RsaKeyPair,
    /// `base64url({"kid":..,"alg":"RS256"})`: identical for every token, so encoded once.
    header_b64: String,
    /// The public JWK, computed once; JWKS documents are served often.
    jwk: Value,
    // aws-lc ignores the RNG for RSA signing (PKCS#1 v1.5 is deterministic), but the
    // ring-compatible signature still asks for one.
    rng: SystemRandom,
}

// Only the kid: the key pair's own Debug is opaque today, but not printing it at all means
// a future aws-lc change cannot leak the private key into logs.
impl std::fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaSigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl RsaSigningKey {
    /// A fresh 2048-bit key (the size Cognito publishes).
    pub fn generate(kid: &str) -> Result<Self, JwtError> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048)
            .map_err(|e| JwtError::Key(format!("RSA key generation failed: {e}")))?;
        Ok(Self::new(kid, pair))
    }

    /// Imports an unencrypted PKCS#8 (RFC 5208) DER private key, as made by [`Self::to_pkcs8`].
    pub fn from_pkcs8(kid: &str, der: &[u8]) -> Result<Self, JwtError> {
        let pair = RsaKeyPair::from_pkcs8(der)
            .map_err(|e| JwtError::Key(format!("invalid PKCS#8 RSA key: {e}")))?;
        Ok(Self::new(kid, pair))
    }

    fn new(kid: &str, pair: RsaKeyPair) -> Self {
        // serde_json escapes the kid, so any string yields a valid header; the key order
        // (kid first) is Cognito's, which some clients' snapshot tests compare byte for byte.
        let header = format!(r#"{{"kid":{},"alg":"{RS256}"}}"#, Value::from(kid));
        let public = pair.public_key();
        let jwk = serde_json::json!({
            "alg": RS256,
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
            "kid": kid,
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "use": "sig",
        });
        Self {
            kid: kid.to_owned(),
            header_b64: URL_SAFE_NO_PAD.encode(header),
            jwk,
            pair,
            rng: SystemRandom::new(),
        }
    }

    /// The private key as PKCS#8 v1 DER, for storage (sealed by the caller).
    pub fn to_pkcs8(&self) -> Vec<u8> {
        // Marshalling an already-validated in-memory key only fails on allocation failure.
        self.pair
            .as_der()
            .expect("a parsed RSA key can be serialised")
            .as_ref()
            .to_vec()
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `{"alg":"RS256","e":"AQAB","kid":..,"kty":"RSA","n":..,"use":"sig"}`
    /// (n, e base64url unpadded, big-endian without leading zero, per RFC 7518 §6.3.1).
    pub fn public_jwk(&self) -> Value {
        self.jwk.clone()
    }

    /// Header exactly `{"kid":"<kid>","alg":"RS256"}` (that key order, as Cognito), then the
    /// claims as given, serialised compactly.
    pub fn sign(&self, claims: &Value) -> String {
        let payload = claims.to_string(); // Display of a Value is infallible compact JSON
        let sig_len = self.pair.public_modulus_len();
        // 4/3 expansion for base64, plus two dots and a little slack.
        let mut token =
            String::with_capacity(self.header_b64.len() + (payload.len() + sig_len) * 4 / 3 + 8);
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload.as_bytes(), &mut token);

        let mut sig = vec![0u8; sig_len];
        // Fails only on internal aws-lc errors (the buffer length is the one it asks for).
        self.pair
            .sign(&RSA_PKCS1_SHA256, &self.rng, token.as_bytes(), &mut sig)
            .expect("RSA signing with a valid key");
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&sig, &mut token);
        token
    }
}

/// A token split at its dots and base64url-decoded; nothing is trusted yet.
struct Parts<'a> {
    /// `header.payload` exactly as received: the signature covers these bytes, not a
    /// re-serialisation of the decoded JSON.
    signing_input: &'a str,
    header: Map<String, Value>,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

fn split(token: &str) -> Result<Parts<'_>, JwtError> {
    let mut it = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(JwtError::Malformed);
    };
    // URL_SAFE_NO_PAD rejects padding, the standard alphabet and non-zero trailing bits, so
    // each part has exactly one accepted spelling.
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| JwtError::Malformed)
    };
    let header = match serde_json::from_slice(&decode(h)?) {
        Ok(Value::Object(map)) => map,
        _ => return Err(JwtError::Malformed),
    };
    Ok(Parts {
        signing_input: &token[..h.len() + 1 + p.len()],
        header,
        payload: decode(p)?,
        signature: decode(s)?,
    })
}

/// `(kid, alg)` from an object header; `alg` must be a string and `kid`, if present, too.
fn kid_and_alg(header: &Map<String, Value>) -> Result<(Option<String>, String), JwtError> {
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        _ => return Err(JwtError::Malformed),
    };
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(JwtError::Malformed),
    };
    Ok((kid, alg))
}

/// Decodes the header without verifying: returns (kid, alg). Malformed on anything not three
/// base64url parts with a JSON object header.
pub fn decode_header(token: &str) -> Result<(Option<String>, String), JwtError> {
    kid_and_alg(&split(token)?.header)
}

/// Verifies an RS256 token against a set of JWKs (as produced by [`RsaSigningKey::public_jwk`])
/// and returns its claims object. Does not check exp/iss/aud (the caller does, with its clock).
///
/// Order of checks: shape (Malformed), algorithm (UnsupportedAlgorithm, before any key is
/// touched), key by kid (UnknownKey; a token without kid is never matched), signature
/// (BadSignature), and only then the payload is parsed as JSON (Malformed unless an object).
pub fn verify(token: &str, jwks: &[Value]) -> Result<Map<String, Value>, JwtError> {
    let parts = split(token)?;
    let (kid, alg) = kid_and_alg(&parts.header)?;
    if alg != RS256 {
        return Err(JwtError::UnsupportedAlgorithm);
    }
    let kid = kid.ok_or(JwtError::UnknownKey)?;
    let jwk = jwks
        .iter()
        .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid.as_str()))
        .ok_or(JwtError::UnknownKey)?;
    let (n, e) = rsa_components(jwk)?;

    // RSA_PKCS1_2048_8192_SHA256 also refuses keys under 2048 bits.
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            parts.signing_input.as_bytes(),
            &parts.signature,
        )
        .map_err(|_| JwtError::BadSignature)?;

    match serde_json::from_slice(&parts.payload) {
        Ok(Value::Object(claims)) => Ok(claims),
        _ => Err(JwtError::Malformed),
    }
}

/// `(n, e)` big-endian from an RSA JWK. A JWK that is not an RS256-capable RSA key is a key
/// error, not a bad signature: it means the key set itself is wrong.
fn rsa_components(jwk: &Value) -> Result<(Vec<u8>, Vec<u8>), JwtError> {
    let field = |name: &str| jwk.get(name).and_then(Value::as_str);
    if field("kty") != Some("RSA") {
        return Err(JwtError::Key("JWK is not an RSA key".into()));
    }
    if field("alg").is_some_and(|alg| alg != RS256) || field("use").is_some_and(|u| u != "sig") {
        return Err(JwtError::Key("JWK is not an RS256 signing key".into()));
    }
    let component = |name: &str| -> Result<Vec<u8>, JwtError> {
        let encoded = field(name).ok_or_else(|| JwtError::Key(format!("JWK has no {name}")))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| JwtError::Key(format!("JWK {name} is not base64url")))?;
        // RFC 7518 forbids leading zeros but some producers emit them; aws-lc rejects them.
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        if start == bytes.len() {
            return Err(JwtError::Key(format!("JWK {name} is zero")));
        }
        Ok(bytes[start..].to_vec())
    };
    Ok((component("n")?, component("e")?))
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
