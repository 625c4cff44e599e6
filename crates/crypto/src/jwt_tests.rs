use super::*;
use serde_json::json;
use std::sync::OnceLock;

// RSA key generation takes tens of milliseconds; share two keys across the tests.
fn key_a() -> &'static RsaSigningKey {
    static KEY: OnceLock<RsaSigningKey> = OnceLock::new();
    KEY.get_or_init(|| RsaSigningKey::generate("kid-a").unwrap())
}

fn key_b() -> &'static RsaSigningKey {
    static KEY: OnceLock<RsaSigningKey> = OnceLock::new();
    KEY.get_or_init(|| RsaSigningKey::generate("kid-b").unwrap())
}

fn claims() -> Value {
    json!({
        "sub": "0d5a7f7e-2a4b-4f0e-9b1c-3f1e2d4c5b6a",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": 1_700_000_000,
        "exp": 1_700_003_600,
        "iat": 1_700_000_000,
        "cognito:groups": ["admins", "ünïcödé"],
        "username": "alice",
    })
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(part: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(part).unwrap()
}

fn parts(token: &str) -> Vec<&str> {
    token.split('.').collect()
}

/// A token with arbitrary header and payload JSON and the given signature bytes.
fn forge(header: &str, payload: &str, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.as_bytes()),
        b64(payload.as_bytes()),
        b64(sig)
    )
}

#[test]
fn sign_then_verify_round_trip() {
    let key = key_a();
    let token = key.sign(&claims());
    let got = verify(&token, &[key.public_jwk()]).unwrap();
    assert_eq!(Value::Object(got), claims());
}

#[test]
fn verify_picks_key_by_kid_among_several() {
    let jwks = [key_a().public_jwk(), key_b().public_jwk()];
    for key in [key_a(), key_b()] {
        let token = key.sign(&claims());
        assert_eq!(Value::Object(verify(&token, &jwks).unwrap()), claims());
    }
}

#[test]
fn header_bytes_are_exactly_cognitos() {
    let token = key_a().sign(&claims());
    let header = unb64(parts(&token)[0]);
    assert_eq!(
        std::str::from_utf8(&header).unwrap(),
        r#"{"kid":"kid-a","alg":"RS256"}"#
    );
}

#[test]
fn payload_is_compact_claims_as_given() {
    let c = json!({"b": 1, "a": "x"});
    let token = key_a().sign(&c);
    assert_eq!(unb64(parts(&token)[1]), c.to_string().into_bytes());
}

#[test]
fn signature_is_modulus_length_and_deterministic() {
    let key = key_a();
    let token = key.sign(&claims());
    assert_eq!(unb64(parts(&token)[2]).len(), 256);
    // PKCS#1 v1.5 has no randomness: same key and claims, same token.
    assert_eq!(token, key.sign(&claims()));
}

#[test]
fn kid_with_special_characters_is_escaped() {
    let key = RsaSigningKey::from_pkcs8("a\"b\\c/\u{1}", &key_a().to_pkcs8()).unwrap();
    let token = key.sign(&claims());
    assert_eq!(
        decode_header(&token).unwrap(),
        (Some("a\"b\\c/\u{1}".to_owned()), "RS256".to_owned())
    );
    assert!(verify(&token, &[key.public_jwk()]).is_ok());
}

#[test]
fn pkcs8_export_import_round_trip() {
    let original = key_a();
    let der = original.to_pkcs8();
    let imported = RsaSigningKey::from_pkcs8("kid-a", &der).unwrap();
    assert_eq!(imported.kid(), "kid-a");
    assert_eq!(imported.public_jwk(), original.public_jwk());
    assert_eq!(imported.to_pkcs8(), der);

    // Tokens from either verify against either's JWK, and are byte-identical.
    let from_original = original.sign(&claims());
    let from_imported = imported.sign(&claims());
    assert_eq!(from_original, from_imported);
    assert!(verify(&from_original, &[imported.public_jwk()]).is_ok());
    assert!(verify(&from_imported, &[original.public_jwk()]).is_ok());
}

#[test]
fn from_pkcs8_rejects_garbage() {
    for der in [&b""[..], b"not a key", &key_a().to_pkcs8()[..100]] {
        assert!(matches!(
            RsaSigningKey::from_pkcs8("k", der),
            Err(JwtError::Key(_))
        ));
    }
}

#[test]
fn generated_keys_differ() {
    assert_ne!(key_a().public_jwk()["n"], key_b().public_jwk()["n"]);
}

#[test]
fn public_jwk_shape() {
    let jwk = key_a().public_jwk();
    let obj = jwk.as_object().unwrap();
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["alg", "e", "kid", "kty", "n", "use"]);
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["e"], "AQAB");
    assert_eq!(jwk["kid"], "kid-a");
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["use"], "sig");
    let n = unb64(jwk["n"].as_str().unwrap());
    assert_eq!(n.len(), 256, "2048-bit modulus, no leading zero byte");
    assert_ne!(n[0], 0);
    assert!(n[0] & 0x80 != 0, "top bit of a 2048-bit modulus is set");
}

#[test]
fn tampered_payload_is_bad_signature() {
    let key = key_a();
    let token = key.sign(&claims());
    let p = parts(&token);
    let mut evil = claims();
    evil["username"] = json!("mallory");
    let tampered = format!("{}.{}.{}", p[0], b64(evil.to_string().as_bytes()), p[2]);
    assert_eq!(
        verify(&tampered, &[key.public_jwk()]),
        Err(JwtError::BadSignature)
    );
}

#[test]
fn tampered_signature_is_bad_signature() {
    let key = key_a();
    let token = key.sign(&claims());
    let p = parts(&token);
    let mut sig = unb64(p[2]);
    sig[100] ^= 1;
    let tampered = format!("{}.{}.{}", p[0], p[1], b64(&sig));
    assert_eq!(
        verify(&tampered, &[key.public_jwk()]),
        Err(JwtError::BadSignature)
    );
    // Truncated and empty signatures too.
    for sig in [&sig[..255], &[][..]] {
        let t = format!("{}.{}.{}", p[0], p[1], b64(sig));
        assert_eq!(verify(&t, &[key.public_jwk()]), Err(JwtError::BadSignature));
    }
}

#[test]
fn signature_from_another_key_with_same_kid_is_bad() {
    // Key B signing under key A's kid: the JWKS lookup finds A, whose check fails.
    let impostor = RsaSigningKey::from_pkcs8("kid-a", &key_b().to_pkcs8()).unwrap();
    let token = impostor.sign(&claims());
    assert_eq!(
        verify(&token, &[key_a().public_jwk()]),
        Err(JwtError::BadSignature)
    );
}

#[test]
fn alg_none_is_unsupported() {
    let jwks = [key_a().public_jwk()];
    for header in [
        r#"{"kid":"kid-a","alg":"none"}"#,
        r#"{"kid":"kid-a","alg":"None"}"#,
        r#"{"alg":"none"}"#,
    ] {
        let token = forge(header, &claims().to_string(), &[]);
        assert!(token.ends_with('.'));
        assert_eq!(verify(&token, &jwks), Err(JwtError::UnsupportedAlgorithm));
    }
}

#[test]
fn hs256_with_public_key_as_secret_is_unsupported() {
    use hmac::{Hmac, Mac};
    let key = key_a();
    let jwk = key.public_jwk();
    let header = r#"{"kid":"kid-a","alg":"HS256"}"#;
    let payload = claims().to_string();
    let signing_input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    // Every plausible byte form of "the public key" an attacker might try as HMAC secret.
    let secrets: Vec<Vec<u8>> = vec![
        key.pair.public_key().as_ref().to_vec(), // PKCS#1 RSAPublicKey DER
        key.pair.public_key().as_der().unwrap().as_ref().to_vec(), // SPKI DER
        unb64(jwk["n"].as_str().unwrap()),
        jwk.to_string().into_bytes(),
    ];
    for secret in secrets {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&secret).unwrap();
        mac.update(signing_input.as_bytes());
        let sig = mac.finalize().into_bytes();
        let token = format!("{signing_input}.{}", b64(&sig));
        assert_eq!(
            verify(&token, std::slice::from_ref(&jwk)),
            Err(JwtError::UnsupportedAlgorithm)
        );
    }
}

#[test]
fn other_algorithms_are_unsupported() {
    let key = key_a();
    let token = key.sign(&claims());
    let p = parts(&token);
    for alg in [
        "rs256", "RS256 ", "RS384", "RS512", "PS256", "ES256", "HS512", "",
    ] {
        let header = format!(r#"{{"kid":"kid-a","alg":"{alg}"}}"#);
        // Reuse the genuine RS256 signature: the alg check must come first regardless.
        let t = format!("{}.{}.{}", b64(header.as_bytes()), p[1], p[2]);
        assert_eq!(
            verify(&t, &[key.public_jwk()]),
            Err(JwtError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
}

#[test]
fn unknown_or_missing_kid_is_unknown_key() {
    let token = key_b().sign(&claims());
    assert_eq!(
        verify(&token, &[key_a().public_jwk()]),
        Err(JwtError::UnknownKey)
    );
    assert_eq!(verify(&token, &[]), Err(JwtError::UnknownKey));

    let p = parts(&token);
    let no_kid = format!("{}.{}.{}", b64(br#"{"alg":"RS256"}"#), p[1], p[2]);
    assert_eq!(decode_header(&no_kid).unwrap(), (None, "RS256".to_owned()));
    assert_eq!(
        verify(&no_kid, &[key_b().public_jwk()]),
        Err(JwtError::UnknownKey)
    );
}

#[test]
fn unusable_jwk_is_key_error() {
    let token = key_a().sign(&claims());
    let good = key_a().public_jwk();
    let with = |field: &str, value: Value| {
        let mut jwk = good.clone();
        jwk[field] = value;
        jwk
    };
    for jwk in [
        with("kty", json!("EC")),
        with("alg", json!("HS256")),
        with("use", json!("enc")),
        with("n", json!("!!!")),
        with("n", json!(42)),
        with("e", json!("")),
        with("n", json!("AAAA")),
    ] {
        assert!(
            matches!(
                verify(&token, std::slice::from_ref(&jwk)),
                Err(JwtError::Key(_))
            ),
            "{jwk}"
        );
    }
}

#[test]
fn jwk_modulus_with_leading_zero_is_tolerated() {
    let token = key_a().sign(&claims());
    let mut jwk = key_a().public_jwk();
    let mut n = vec![0u8];
    n.extend(unb64(jwk["n"].as_str().unwrap()));
    jwk["n"] = json!(b64(&n));
    assert!(verify(&token, &[jwk]).is_ok());
}

#[test]
fn small_rsa_keys_are_refused() {
    // A 1024-bit modulus in the JWKS must not verify anything (RSA_PKCS1_2048_8192_SHA256).
    let token = key_a().sign(&claims());
    let mut jwk = key_a().public_jwk();
    let n = unb64(jwk["n"].as_str().unwrap());
    jwk["n"] = json!(b64(&n[..128]));
    assert_eq!(verify(&token, &[jwk]), Err(JwtError::BadSignature));
}

#[test]
fn malformed_inputs_are_malformed_never_panic() {
    let key = key_a();
    let jwks = [key.public_jwk()];
    let token = key.sign(&claims());
    let p = parts(&token);
    let obj = b64(br#"{"kid":"kid-a","alg":"RS256"}"#);
    let cases: Vec<String> = vec![
        String::new(),
        ".".into(),
        "..".into(),
        "...".into(),
        "abc".into(),
        format!("{}.{}", p[0], p[1]),                   // two parts
        format!("{token}.{}", p[2]),                    // four parts
        format!("{token}."),                            // trailing dot
        format!("{}=.{}.{}", p[0], p[1], p[2]),         // padding
        format!("{}.{}.{}=", p[0], p[1], p[2]),         // padding on signature
        format!("{}.{}+.{}", p[0], p[1], p[2]),         // standard alphabet
        format!("{}.{}.{}", "@@@", p[1], p[2]),         // bad base64 header
        format!("{}.{}.{}", p[0], "a", p[2]),           // impossible length
        format!("{}.{}.{}", p[0], p[1], "*"),           // bad base64 signature
        format!("{}.{}.{}", b64(b"[1,2]"), p[1], p[2]), // non-object header
        format!("{}.{}.{}", b64(b"\"RS256\""), p[1], p[2]),
        format!("{}.{}.{}", b64(b"null"), p[1], p[2]),
        format!("{}.{}.{}", b64(b"{\"alg\":"), p[1], p[2]), // truncated JSON
        format!("{}.{}.{}", b64(b"{}"), p[1], p[2]),        // no alg
        format!("{}.{}.{}", b64(br#"{"alg":256}"#), p[1], p[2]),
        format!("{}.{}.{}", b64(br#"{"alg":"RS256","kid":7}"#), p[1], p[2]),
        format!("{}.{}.{}", b64(&[0xff, 0xfe]), p[1], p[2]), // not UTF-8
        format!("{obj} .{}.{}", p[1], p[2]),                 // whitespace
        " ".repeat(10),
        "é.é.é".into(),
    ];
    for case in &cases {
        assert_eq!(decode_header(case), Err(JwtError::Malformed), "{case:?}");
        assert_eq!(verify(case, &jwks), Err(JwtError::Malformed), "{case:?}");
    }
}

#[test]
fn validly_signed_non_object_claims_are_malformed() {
    let key = key_a();
    for c in [json!([1, 2]), json!("sub"), json!(null), json!(7)] {
        let token = key.sign(&c);
        assert_eq!(
            verify(&token, &[key.public_jwk()]),
            Err(JwtError::Malformed)
        );
    }
}

#[test]
fn decode_header_reads_kid_and_alg_without_verifying() {
    let token = key_a().sign(&claims());
    assert_eq!(
        decode_header(&token).unwrap(),
        (Some("kid-a".to_owned()), "RS256".to_owned())
    );
    let none = forge(r#"{"alg":"none","typ":"JWT"}"#, "{}", &[]);
    assert_eq!(decode_header(&none).unwrap(), (None, "none".to_owned()));
}

#[test]
fn random_single_character_mutations_never_verify_or_panic() {
    use rand::Rng;
    let key = key_a();
    let jwks = [key.public_jwk()];
    let token = key.sign(&claims());
    let alphabet = b"ABCabcxyz0189-_.=+/ ";
    let mut rng = rand::rng();
    for _ in 0..500 {
        let mut bytes = token.clone().into_bytes();
        let at = rng.random_range(0..bytes.len());
        bytes[at] = alphabet[rng.random_range(0..alphabet.len())];
        let mutated = String::from_utf8(bytes).unwrap();
        let result = verify(&mutated, &jwks);
        if mutated == token {
            assert!(result.is_ok());
        } else {
            assert!(result.is_err(), "mutation at {at} verified: {mutated}");
        }
        let _ = decode_header(&mutated);
    }
}

#[test]
fn debug_does_not_print_key_material() {
    let key = key_a();
    let debug = format!("{key:?}");
    let alt = format!("{key:#?}");
    assert!(debug.contains("kid-a"));
    let der = key.to_pkcs8();
    for rendering in [&debug, &alt] {
        assert!(!rendering.contains(&hex::encode(&der)));
        assert!(!rendering.contains(&hex::encode(&der[der.len() - 32..])));
        assert!(!rendering.contains(&b64(&der)));
        assert!(!rendering.contains(&format!("{:?}", &der[..16])));
        assert!(!rendering.contains(key.public_jwk()["n"].as_str().unwrap()));
        assert!(rendering.len() < 100, "{rendering}");
    }
}

#[test]
fn key_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RsaSigningKey>();
}

#[test]
fn error_messages() {
    assert_eq!(JwtError::Malformed.to_string(), "malformed token");
    assert_eq!(
        JwtError::UnsupportedAlgorithm.to_string(),
        "unsupported algorithm"
    );
    assert_eq!(JwtError::UnknownKey.to_string(), "unknown key");
    assert_eq!(JwtError::BadSignature.to_string(), "bad signature");
    assert_eq!(JwtError::Key("x".into()).to_string(), "key error: x");
}

/// `cargo test --release -p cognitod-crypto jwt -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn jwt_throughput() {
    use std::time::Instant;
    const N: u32 = 1000;
    let key = key_a();
    let jwks = [key_b().public_jwk(), key.public_jwk()];
    let c = claims();

    let start = Instant::now();
    let tokens: Vec<String> = (0..N)
        .map(|i| {
            let mut c = c.clone();
            c["jti"] = json!(i);
            key.sign(&c)
        })
        .collect();
    let sign = start.elapsed();

    let start = Instant::now();
    for t in &tokens {
        verify(t, &jwks).unwrap();
    }
    let verify_time = start.elapsed();

    // Bare aws-lc signing of the same input, for comparison under the same machine load:
    // the JWS layer (cached key, serialisation, base64) should add only a few percent.
    let input = tokens[0].rsplit_once('.').unwrap().0.as_bytes();
    let mut sig = vec![0u8; key.pair.public_modulus_len()];
    let start = Instant::now();
    for _ in 0..N {
        key.pair
            .sign(&RSA_PKCS1_SHA256, &key.rng, input, &mut sig)
            .unwrap();
    }
    let raw = start.elapsed();

    let rate = |d: std::time::Duration| f64::from(N) / d.as_secs_f64();
    println!(
        "raw aws-lc RSA sign: {N} in {raw:?} = {:.0}/s ({:.1} us/op)",
        rate(raw),
        raw.as_secs_f64() * 1e6 / f64::from(N)
    );
    println!(
        "sign:   {N} in {sign:?} = {:.0}/s ({:.1} us/op); token {} bytes",
        rate(sign),
        sign.as_secs_f64() * 1e6 / f64::from(N),
        tokens[0].len()
    );
    println!(
        "verify: {N} in {verify_time:?} = {:.0}/s ({:.1} us/op)",
        rate(verify_time),
        verify_time.as_secs_f64() * 1e6 / f64::from(N)
    );
}
