//! JWT header decoding and RS256 verification on arbitrary token strings.
//!
//! The key set is fixed for the run: a key generated at start-up (so no input can carry its
//! signature), a second RSA key, and two broken JWKs. Input starting with `{` is a claims
//! object instead: it is signed with the first key, must verify, and must stop verifying
//! once any one character of the token is changed.
//!
//! Properties: `decode_header` and `verify` never panic; `verify` never accepts an input
//! token; `verify` gets past the shape checks only where `decode_header` does.

#![no_main]

use std::sync::LazyLock;

use cognitod_crypto::jwt::{self, JwtError, RsaSigningKey};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const KID: &str = "fuzz-kid";

static KEY: LazyLock<RsaSigningKey> =
    LazyLock::new(|| RsaSigningKey::generate(KID).expect("RSA key generation"));

static JWKS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let other = RsaSigningKey::generate("other-kid").expect("RSA key generation");
    vec![
        KEY.public_jwk(),
        other.public_jwk(),
        json!({"kid": "not-rsa", "kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}),
        json!({"kid": "bad-n", "kty": "RSA", "alg": "RS256", "n": "!!", "e": "AQAB"}),
    ]
});

fn check_token(token: &str) {
    let header = jwt::decode_header(token);
    let verified = jwt::verify(token, &JWKS);
    match &verified {
        Ok(claims) => panic!("verified a token nobody signed: {claims:?}"),
        Err(JwtError::Malformed) => {}
        Err(_) => assert!(header.is_ok(), "verify read a header decode_header refused"),
    }
    if let Ok((_, alg)) = &header
        && alg != "RS256"
    {
        assert_eq!(verified, Err(JwtError::UnsupportedAlgorithm));
    }
}

fuzz_target!(|data: &[u8]| {
    if data.first() != Some(&b'{') {
        check_token(&String::from_utf8_lossy(data));
        return;
    }
    let Ok(claims) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let token = KEY.sign(&claims);
    assert_eq!(
        jwt::decode_header(&token),
        Ok((Some(KID.into()), "RS256".into()))
    );
    let got = jwt::verify(&token, &JWKS).expect("a token this key signed verifies");
    // The claims as the payload spells them: serde_json's default float parsing is not
    // correctly rounded, so a float may not survive print-and-parse bit for bit.
    let signed: Value = serde_json::from_str(&claims.to_string()).expect("printed JSON parses");
    assert_eq!(Value::Object(got), signed);

    // Change one character, chosen by the input, to another base64url character or a dot.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    let seed = data
        .iter()
        .fold(0usize, |h, &b| h.wrapping_mul(31).wrapping_add(b.into()));
    let at = seed % token.len();
    let old = token.as_bytes()[at];
    let mut replacement = ALPHABET[(seed / token.len()) % ALPHABET.len()];
    if replacement == old {
        replacement = if old == b'A' { b'B' } else { b'A' };
    }
    let mut changed = token.into_bytes();
    changed[at] = replacement;
    let changed = String::from_utf8(changed).expect("ASCII");
    assert!(
        jwt::verify(&changed, &JWKS).is_err(),
        "a changed token still verifies: byte {at} -> {:?}",
        replacement as char
    );
});
