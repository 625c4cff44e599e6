//! The server side of SRP (USER_SRP_AUTH / PASSWORD_VERIFIER) on arbitrary client input.
//!
//! Input: newline-separated fields `SRP_A` (hex), salt (hex, else its raw bytes), username,
//! password, `PASSWORD_CLAIM_SIGNATURE`, `TIMESTAMP`, then the secret block (the rest).
//!
//! Properties, checked against num-bigint: `parse_public_a` never panics, refuses empty and
//! non-hex input, refuses every A ≡ 0 (mod N) — the input itself, and A·N built from it —
//! and otherwise returns A mod N; `session_key` refuses A ≡ 0 too and agrees on A and
//! A mod N; B is below N; a claim signature verifies exactly when it is the one the key
//! produces; timestamps round-trip; `pad_hex` and `to_hex` keep the value.

#![no_main]

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognitod_crypto::srp::{self, SrpError};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;

const POOL_NAME: &str = "AbCdEfGhI";
/// b: the server's private value (random per challenge in the server; fixed here).
const B: [u8; 32] = [
    0x5e, 0x11, 0x7a, 0x02, 0x9c, 0x43, 0xd8, 0x6b, 0x21, 0x90, 0x0f, 0xe4, 0x37, 0x88, 0xab, 0x14,
    0xc6, 0x59, 0x72, 0x3d, 0xf0, 0x0b, 0x96, 0x4e, 0x25, 0xb1, 0x68, 0xda, 0x03, 0x7f, 0xc2, 0x1d,
];
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years `format_timestamp` writes as
/// four digits.
const FIRST_SECOND: i64 = -62_135_596_800;
const LAST_SECOND: i64 = 253_402_300_799;

static N: LazyLock<BigUint> =
    LazyLock::new(|| BigUint::parse_bytes(srp::N_HEX.as_bytes(), 16).unwrap());

/// Big-endian bytes without leading zeros (empty for zero), as the srp module returns them.
fn be(n: &BigUint) -> Vec<u8> {
    if *n == BigUint::ZERO {
        Vec::new()
    } else {
        n.to_bytes_be()
    }
}

/// Checks `parse_public_a` on `hex` against the reference; returns A's bytes as sent and
/// A mod N when it is accepted.
fn check_parse_a(hex: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let got = srp::parse_public_a(hex);
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        assert_eq!(got, Err(SrpError::InvalidHex), "{hex:?}");
        return None;
    }
    let a = BigUint::parse_bytes(hex.as_bytes(), 16).expect("hex digits");
    let reduced = &a % &*N;
    if reduced == BigUint::ZERO {
        assert_eq!(got, Err(SrpError::ZeroA), "A = 0 mod N was accepted: {hex}");
        return None;
    }
    assert_eq!(got.as_deref(), Ok(&be(&reduced)[..]), "{hex}");
    let padded = if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex.to_owned()
    };
    Some((hex::decode(padded).expect("hex digits"), be(&reduced)))
}

fuzz_target!(|data: &[u8]| {
    let mut fields = data.splitn(7, |&b| b == b'\n');
    let mut next = || fields.next().unwrap_or_default();
    let a_hex = String::from_utf8_lossy(next()).into_owned();
    let salt_field = next();
    let username = String::from_utf8_lossy(next()).into_owned();
    let password = String::from_utf8_lossy(next()).into_owned();
    let signature = String::from_utf8_lossy(next()).into_owned();
    let timestamp = String::from_utf8_lossy(next()).into_owned();
    let secret_block = next();
    let salt = hex::decode(salt_field).unwrap_or_else(|_| salt_field.to_vec());

    // Encodings of the salt (any bytes) keep its value.
    let value = BigUint::from_bytes_be(&salt);
    let sent = srp::to_hex(&salt);
    assert_eq!(
        BigUint::parse_bytes(sent.as_bytes(), 16),
        Some(value.clone())
    );
    assert!(sent == "0" || !sent.starts_with('0'), "{sent}");
    let padded = hex::decode(srp::pad_hex(&salt)).expect("pad_hex is hex");
    assert_eq!(BigUint::from_bytes_be(&padded), value);
    assert!(
        padded[0] < 0x80,
        "padHex is a positive two's-complement number"
    );
    assert!(
        padded.len() == 1 || padded[0] != 0 || padded[1] >= 0x80,
        "{padded:?}"
    );
    let fake = srp::fake_salt(&salt, &username);
    assert!((1..=0x7f).contains(&fake[0]));

    // Timestamps: a strict parse is the inverse of the formatter.
    if let Some(secs) = srp::parse_timestamp(&timestamp) {
        assert_eq!(srp::format_timestamp(secs), timestamp);
    }
    if let Some(raw) = password.as_bytes().first_chunk::<8>() {
        let secs = i64::from_le_bytes(*raw).rem_euclid(LAST_SECOND - FIRST_SECOND + 1);
        let secs = FIRST_SECOND + secs;
        let text = srp::format_timestamp(secs);
        assert_eq!(srp::parse_timestamp(&text), Some(secs), "{text}");
    }

    // SRP_A, and a multiple of N made from it, which must always be refused.
    let accepted = check_parse_a(&a_hex);
    if let Some(a) = BigUint::parse_bytes(a_hex.as_bytes(), 16)
        .filter(|_| a_hex.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        let multiple = (a + 1u8) * &*N;
        check_parse_a(&multiple.to_str_radix(16));
        assert_eq!(
            srp::session_key(&multiple.to_bytes_be(), &[1], &B, &[2]),
            Err(SrpError::ZeroA)
        );
    }
    let Some((a_sent, a_reduced)) = accepted else {
        let even = if a_hex.len() % 2 == 1 {
            format!("0{a_hex}")
        } else {
            a_hex.clone()
        };
        if let Ok(raw) = hex::decode(even) {
            let zero = BigUint::from_bytes_be(&raw) % &*N == BigUint::ZERO;
            if zero {
                assert_eq!(srp::session_key(&raw, &[1], &B, &[2]), Err(SrpError::ZeroA));
            }
        }
        return;
    };

    // The challenge, then the answer, as srp_challenge runs them.
    let verifier = srp::verifier(POOL_NAME, &username, &password, &salt);
    assert!(BigUint::from_bytes_be(&verifier) < *N);
    let b_pub = srp::public_b(&verifier, &B);
    assert!(BigUint::from_bytes_be(&b_pub) < *N);
    let key = match srp::session_key(&a_reduced, &b_pub, &B, &verifier) {
        Ok(key) => key,
        Err(e) => {
            assert_eq!(e, SrpError::ZeroU);
            return;
        }
    };
    if a_sent != a_reduced {
        assert_eq!(srp::session_key(&a_sent, &b_pub, &B, &verifier), Ok(key));
    }
    let expected = srp::claim_signature(&key, POOL_NAME, &username, secret_block, &timestamp);
    let verified = srp::verify_claim(
        &key,
        POOL_NAME,
        &username,
        secret_block,
        &timestamp,
        &signature,
    );
    assert_eq!(verified, signature == expected, "{signature:?}");
    assert!(srp::verify_claim(
        &key,
        POOL_NAME,
        &username,
        secret_block,
        &timestamp,
        &expected
    ));
    // A signature over other bytes never verifies.
    let mut other = STANDARD.decode(&expected).expect("base64");
    other[usize::from(key[0]) % 32] ^= 1 << (key[1] % 8);
    assert!(!srp::verify_claim(
        &key,
        POOL_NAME,
        &username,
        secret_block,
        &timestamp,
        &STANDARD.encode(other)
    ));
});
