//! Server side of Cognito's SRP-6a variant (BEHAVIOR.md §3): 3072-bit RFC 3526 group,
//! g = 2, SHA-256, Cognito's `padHex` byte layout, HKDF "Caldera Derived Key" and the
//! PASSWORD_CLAIM_SIGNATURE HMAC. Pure functions; state (b, verifier) is the caller's.
//!
//! Big integers are `crypto-bigint` (constant time). All exponents here are 256 bits
//! (b is 32 random bytes, x and u are SHA-256 outputs), so every exponentiation is bounded
//! to 256 bits: 256 squarings instead of 3072, with a time pattern independent of the value.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U256, U3072};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;
type Monty = FixedMontyForm<{ U3072::LIMBS }>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SrpError {
    #[error("invalid hex")]
    InvalidHex,
    #[error("SRP_A is 0 mod N")]
    ZeroA,
    #[error("u is zero")]
    ZeroU,
}

/// N, the RFC 3526 3072-bit MODP prime Cognito's SRP uses (amazon-cognito-identity-js
/// `initN`), as uppercase hex.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

const N: Odd<U3072> = Odd::<U3072>::from_be_hex(N_HEX);
const N_BYTES: usize = 384;
const EXP_BITS: u32 = 256;

/// Montgomery parameters for N (N is public, so the variable-time setup is fine).
static PARAMS: LazyLock<FixedMontyParams<{ U3072::LIMBS }>> =
    LazyLock::new(|| FixedMontyParams::new_vartime(N));

/// k = H(PAD(N) || PAD(g)): PAD(N) is 385 bytes because N's top bit is set.
static K: LazyLock<[u8; 32]> = LazyLock::new(|| sha256(&[&pad(&N.to_be_bytes()), &pad(&[2])]));

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut m = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m
}

fn strip_zeros(be: &[u8]) -> &[u8] {
    let first = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    &be[first..]
}

/// Bytes of `padHex`: the minimal big-endian two's-complement encoding of a positive integer.
fn pad(be: &[u8]) -> Vec<u8> {
    let s = strip_zeros(be);
    match s.first() {
        None => vec![0],
        Some(&b) if b >= 0x80 => [&[0], s].concat(),
        Some(_) => s.to_vec(),
    }
}

/// Cognito's padHex of a positive integer given big-endian bytes: lowercase hex, no leading zeros, then "0" prefix if odd length else "00" prefix if first nibble >= 8.
pub fn pad_hex(be: &[u8]) -> String {
    hex::encode(pad(be))
}

/// Lowercase hex of the integer without leading zeros (how SRP_B is sent).
pub fn to_hex(be: &[u8]) -> String {
    let h = hex::encode(strip_zeros(be));
    match h.strip_prefix('0') {
        Some(rest) => rest.to_owned(),
        None if h.is_empty() => "0".to_owned(),
        None => h,
    }
}

/// Clients re-apply padHex to the SALT they receive, and CIJ drops redundant leading zeros
/// while pycognito keeps them: a first byte in 0x01..=0x7f is canonical for both.
fn canonical_first_byte(b: u8) -> u8 {
    1 + b % 127
}

/// 16 random bytes, first byte in 0x01..=0x7f (so its padHex has no extra byte and no leading zero).
pub fn random_salt() -> [u8; 16] {
    let mut salt: [u8; 16] = rand::random();
    salt[0] = canonical_first_byte(salt[0]);
    salt
}

/// Deterministic salt of the same shape for fake challenges: HMAC-SHA256(seed, username)[..16] with the first byte forced into 0x01..=0x7f.
///
/// Stable per username so repeated sign-in attempts for a missing user look like a real one.
pub fn fake_salt(seed: &[u8], username: &str) -> [u8; 16] {
    let mac = hmac(seed, &[username.as_bytes()]).finalize().into_bytes();
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&mac[..16]);
    salt[0] = canonical_first_byte(salt[0]);
    salt
}

/// A verifier of the same shape for fake challenges, as cheap as reading a stored one: 48
/// HMAC-SHA256 blocks of (seed, username) reduced mod N. A real verifier costs a 3072-bit
/// exponentiation; computing one for unknown users only would time them apart.
pub fn fake_verifier(seed: &[u8], username: &str) -> Vec<u8> {
    let mut wide = Zeroizing::new(Vec::with_capacity(N_BYTES + 32));
    for block in 0u8..=(N_BYTES / 32) as u8 {
        let mac = hmac(seed, &[b"verifier", &[block], username.as_bytes()]);
        wide.extend_from_slice(&mac.finalize().into_bytes());
    }
    to_bytes(&reduce(&wide))
}

/// Left-pads up to 384 big-endian bytes into a U3072.
fn uint(be: &[u8]) -> U3072 {
    let mut buf = Zeroizing::new([0u8; N_BYTES]);
    buf[N_BYTES - be.len()..].copy_from_slice(be);
    U3072::from_be_slice(&buf[..])
}

/// Any-length big-endian integer mod N, by Horner's rule over 384-byte chunks.
fn reduce(be: &[u8]) -> U3072 {
    let (head, rest) = be.split_at(be.len() % N_BYTES);
    let mut acc = U3072::ZERO;
    for chunk in std::iter::once(head).chain(rest.chunks(N_BYTES)) {
        // acc < N, so acc * 2^3072 + chunk is a valid double-width dividend.
        acc = U3072::rem_wide((uint(chunk), acc), N.as_nz_ref());
    }
    acc
}

fn monty(x: &U3072) -> Monty {
    Monty::new(x, &PARAMS)
}

fn generator() -> Monty {
    monty(&U3072::from_u8(2))
}

/// A 256-bit exponent. Panics on more than 32 bytes: every exponent here is 32 bytes.
fn exponent(be: &[u8]) -> Zeroizing<U256> {
    assert!(be.len() <= 32, "SRP exponents are at most 256 bits");
    let mut buf = Zeroizing::new([0u8; 32]);
    buf[32 - be.len()..].copy_from_slice(be);
    Zeroizing::new(U256::from_be_slice(&buf[..]))
}

fn to_bytes(x: &U3072) -> Vec<u8> {
    strip_zeros(&x.to_be_bytes()).to_vec()
}

/// v = g^x mod N, x = SHA256(PAD(salt) || SHA256(poolName || userId || ":" || password)); big-endian, no leading zero bytes.
pub fn verifier(pool_name: &str, user_id: &str, password: &str, salt: &[u8]) -> Vec<u8> {
    let inner = Zeroizing::new(sha256(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]));
    let x = Zeroizing::new(sha256(&[&pad(salt), &inner[..]]));
    to_bytes(
        &generator()
            .pow_bounded_exp(&*exponent(&x[..]), EXP_BITS)
            .retrieve(),
    )
}

/// 32 random bytes.
pub fn random_private() -> [u8; 32] {
    rand::random()
}

/// B = (k*v + g^b) mod N, big-endian without leading zero bytes.
///
/// Panics if `b` is longer than 32 bytes.
pub fn public_b(verifier: &[u8], b: &[u8]) -> Vec<u8> {
    let k = monty(&reduce(&K[..]));
    let v = monty(&reduce(verifier));
    let gb = Zeroizing::new(generator().pow_bounded_exp(&*exponent(b), EXP_BITS));
    to_bytes(&(k * v + *gb).retrieve())
}

/// Parses SRP_A from hex of any length (odd length allowed, leading zeros allowed, upper/lower case); InvalidHex for empty/non-hex; ZeroA when A mod N == 0 (including A = N, 2N...). Returns A mod N as big-endian bytes without leading zeros.
pub fn parse_public_a(hex: &str) -> Result<Vec<u8>, SrpError> {
    if hex.is_empty() {
        return Err(SrpError::InvalidHex);
    }
    let even = if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex.to_owned()
    };
    let bytes = hex::decode(even).map_err(|_| SrpError::InvalidHex)?;
    let a = reduce(&bytes);
    if a.is_zero_vartime() {
        return Err(SrpError::ZeroA);
    }
    Ok(to_bytes(&a))
}

/// u = SHA256(PAD(A)||PAD(B)) (ZeroU if 0), S = (A * v^u)^b mod N, K = HKDF one block: PRK = HMAC(key=PAD(u), msg=PAD(S)), K = HMAC(PRK, "Caldera Derived Key" || 0x01)[..16].
///
/// Panics if `b` is longer than 32 bytes.
pub fn session_key(
    a: &[u8],
    b_pub: &[u8],
    b: &[u8],
    verifier: &[u8],
) -> Result<[u8; 16], SrpError> {
    // Re-checked here so a caller that skipped parse_public_a still cannot be fed A = 0
    // (which would force S = 0 and a key known to anyone).
    let a = reduce(a);
    if a.is_zero_vartime() {
        return Err(SrpError::ZeroA);
    }
    let u_hash = sha256(&[&pad(&to_bytes(&a)), &pad(b_pub)]);
    let u = U256::from_be_slice(&u_hash);
    if u.is_zero_vartime() {
        return Err(SrpError::ZeroU);
    }
    let v = monty(&reduce(verifier));
    let base = Zeroizing::new(monty(&a) * v.pow_bounded_exp(&u, EXP_BITS));
    let s = Zeroizing::new(base.pow_bounded_exp(&*exponent(b), EXP_BITS).retrieve());
    // PAD strips S's leading zero bytes, as every client does; the HMAC message stays within
    // the same number of SHA-256 blocks either way, so its length leaks nothing measurable.
    let s_bytes = Zeroizing::new(pad(&s.to_be_bytes()));
    let prk = Zeroizing::<[u8; 32]>::new(
        hmac(&pad(&u_hash), &[&s_bytes[..]])
            .finalize()
            .into_bytes()
            .into(),
    );
    let okm = hmac(&prk[..], &[b"Caldera Derived Key", &[1]])
        .finalize()
        .into_bytes();
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm[..16]);
    Ok(key)
}

fn claim_mac(key: &[u8; 16], pool_name: &str, user_id: &str, block: &[u8], ts: &str) -> HmacSha256 {
    hmac(
        key,
        &[
            pool_name.as_bytes(),
            user_id.as_bytes(),
            block,
            ts.as_bytes(),
        ],
    )
}

/// base64 (standard, padded) of HMAC-SHA256(key=K, poolName || userId || secretBlock || timestamp).
pub fn claim_signature(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> String {
    let mac = claim_mac(key, pool_name, user_id, secret_block, timestamp);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Constant-time check of a client's PASSWORD_CLAIM_SIGNATURE (base64); false on malformed input.
pub fn verify_claim(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
    claimed_b64: &str,
) -> bool {
    let Ok(claimed) = STANDARD.decode(claimed_b64) else {
        return false;
    };
    // verify_slice refuses a wrong length and compares in constant time.
    claim_mac(key, pool_name, user_id, secret_block, timestamp)
        .verify_slice(&claimed)
        .is_ok()
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Proleptic Gregorian (year, month 1..=12, day 1..=31) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Inverse of `civil_from_days`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// 1970-01-01 was a Thursday.
fn weekday(days: i64) -> usize {
    (days + 4).rem_euclid(7) as usize
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// "EEE MMM d HH:mm:ss UTC yyyy", English names, day without zero padding, e.g. "Tue Mar 5 09:07:03 UTC 2024".
pub fn format_timestamp(unix_secs: i64) -> String {
    let (days, secs) = (unix_secs.div_euclid(86_400), unix_secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{} {} {d} {:02}:{:02}:{:02} UTC {y:04}",
        WEEKDAYS[weekday(days)],
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
    )
}

/// ASCII digits only (str::parse alone would accept a sign), with a length in `len`.
fn digits(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<i64> {
    if !len.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Strict parse of that format (zero-padded day refused, wrong weekday refused); returns unix seconds.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let [wd, mon, day, hms, utc, year] =
        <[&str; 6]>::try_from(s.split(' ').collect::<Vec<_>>()).ok()?;
    let wd = WEEKDAYS.iter().position(|w| *w == wd)?;
    let m = MONTHS.iter().position(|x| *x == mon)? as i64 + 1;
    let y = digits(year, 4..=4)?;
    if utc != "UTC" || day.starts_with('0') {
        return None;
    }
    let d = digits(day, 1..=2)?;
    let [h, mi, sec] = <[&str; 3]>::try_from(hms.split(':').collect::<Vec<_>>()).ok()?;
    let (h, mi, sec) = (digits(h, 2..=2)?, digits(mi, 2..=2)?, digits(sec, 2..=2)?);
    if d > days_in_month(y, m) || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    (weekday(days) == wd).then_some(days * 86_400 + h * 3600 + mi * 60 + sec)
}

#[cfg(test)]
#[path = "srp_tests.rs"]
mod tests;
