//! Identifiers and random secrets in Cognito's formats (uniform, no modulo bias).

use rand::Rng;
use rand::seq::IndexedRandom;

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER_ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const BASE32_UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";
/// Cognito's password symbols, without the space.
const SYMBOLS: &[u8] = b"^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

/// `len` characters drawn uniformly from `alphabet`.
pub fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| *alphabet.choose(&mut rng).expect("non-empty alphabet") as char)
        .collect()
}

/// `<region>_<9 alphanumerics>`, e.g. `us-east-1_AbC123xYz`.
pub fn user_pool_id(region: &str) -> String {
    format!("{region}_{}", random_string(ALNUM, 9))
}

/// 26 characters of `[a-z0-9]`.
pub fn client_id() -> String {
    random_string(LOWER_ALNUM, 26)
}

/// 51 characters of `[a-z0-9]`.
pub fn client_secret() -> String {
    random_string(LOWER_ALNUM, 51)
}

/// Id of one of a client's secrets: `<client id>--<13 digits of epoch millis>`, as Cognito.
pub fn client_secret_id(client_id: &str, created_millis: i64) -> String {
    format!("{client_id}--{created_millis:013}")
}

/// A UUID v4, lowercase and hyphenated.
pub fn sub() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `AKIA` + 16 characters of `[A-Z2-7]`, like an AWS access key id.
pub fn access_key_id() -> String {
    format!("AKIA{}", random_string(BASE32_UPPER, 16))
}

/// 40 characters, like an AWS secret access key.
pub fn secret_access_key() -> String {
    random_string(SECRET_KEY_CHARS, 40)
}

/// A numeric code of `digits` digits (leading zeros kept).
pub fn random_code(digits: usize) -> String {
    random_string(DIGITS, digits)
}

/// A temporary password that satisfies the policy: at least `min_len` (and 8) characters,
/// with one of each required class, shuffled.
pub fn generate_temporary_password(
    min_len: usize,
    require_upper: bool,
    require_lower: bool,
    require_digit: bool,
    require_symbol: bool,
) -> String {
    let mut rng = rand::rng();
    let len = min_len.max(8);
    let mut chars: Vec<u8> = Vec::with_capacity(len);
    for (required, class) in [
        (require_upper, UPPER),
        (require_lower, LOWER),
        (require_digit, DIGITS),
        (require_symbol, SYMBOLS),
    ] {
        if required {
            chars.push(*class.choose(&mut rng).unwrap());
        }
    }
    let all: Vec<u8> = [UPPER, LOWER, DIGITS, SYMBOLS].concat();
    while chars.len() < len {
        chars.push(*all.choose(&mut rng).unwrap());
    }
    // Fisher-Yates so the required characters are not always first.
    for i in (1..chars.len()).rev() {
        let j = rng.random_range(0..=i);
        chars.swap(i, j);
    }
    String::from_utf8(chars).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    /// `pattern` from the service model, anchored, and a length range.
    fn assert_shape(value: &str, pattern: &str, len: std::ops::RangeInclusive<usize>) {
        let re = Regex::new(&format!("^(?:{pattern})$")).unwrap();
        assert!(re.is_match(value), "{value:?} !~ {pattern}");
        assert!(len.contains(&value.chars().count()), "{value:?} length");
    }

    #[test]
    fn identifiers_match_the_model_and_cognito() {
        for _ in 0..200 {
            let pool = user_pool_id("eu-west-1");
            assert_shape(&pool, r"[\w-]+_[0-9a-zA-Z]+", 1..=55);
            assert_shape(&pool, r"eu-west-1_[0-9A-Za-z]{9}", 19..=19);
            let client = client_id();
            assert_shape(&client, r"[\w+]+", 1..=128);
            assert_shape(&client, "[a-z0-9]{26}", 26..=26);
            let secret = client_secret();
            assert_shape(&secret, r"[\w+]+", 24..=64);
            assert_shape(&secret, "[a-z0-9]{51}", 51..=51);
            let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
            assert_shape(&sub(), uuid, 36..=36);
            assert_shape(&request_id(), uuid, 36..=36);
            assert_shape(&access_key_id(), "AKIA[A-Z2-7]{16}", 20..=20);
            assert_shape(&secret_access_key(), "[A-Za-z0-9/+]{40}", 40..=40);
            assert_shape(&random_code(6), "[0-9]{6}", 6..=6);
        }
        assert_eq!(
            client_secret_id("abc", 1_700_000_000_000),
            "abc--1700000000000"
        );
        assert_eq!(client_secret_id("abc", 5), "abc--0000000000005");
        assert_ne!(sub(), sub());
    }

    #[test]
    fn draws_cover_the_whole_alphabet() {
        // 36^26 ids: after 200 draws every character of [a-z0-9] shows up (the chance one
        // is missing is about 36 * (35/36)^5200, i.e. never).
        let seen: std::collections::BTreeSet<u8> =
            (0..200).flat_map(|_| client_id().into_bytes()).collect();
        assert_eq!(seen.len(), 36);
        assert_eq!(random_string(b"x", 5), "xxxxx");
        assert_eq!(random_code(0), "");
    }

    fn classes(p: &str) -> [bool; 4] {
        [
            p.bytes().any(|b| b.is_ascii_uppercase()),
            p.bytes().any(|b| b.is_ascii_lowercase()),
            p.bytes().any(|b| b.is_ascii_digit()),
            p.bytes().any(|b| SYMBOLS.contains(&b)),
        ]
    }

    #[test]
    fn temporary_passwords_satisfy_every_policy() {
        let allowed = Regex::new(r#"^[A-Za-z0-9\^$*.\[\]{}()?"!@#%&/\\,><':;|_~`=+-]+$"#).unwrap();
        for policy in 0..16u8 {
            let [upper, lower, digit, symbol] = [0, 1, 2, 3].map(|bit| policy & (1 << bit) != 0);
            for min_len in [6usize, 8, 12, 99] {
                for _ in 0..100 {
                    let p = generate_temporary_password(min_len, upper, lower, digit, symbol);
                    assert_eq!(p.len(), min_len.max(8), "{p}");
                    assert!(allowed.is_match(&p), "{p}");
                    let has = classes(&p);
                    for (required, present) in [upper, lower, digit, symbol].into_iter().zip(has) {
                        assert!(!required || present, "{p} policy {policy:04b}");
                    }
                }
            }
        }
    }

    #[test]
    fn required_characters_are_not_always_first() {
        let firsts: std::collections::BTreeSet<bool> = (0..200)
            .map(|_| {
                let p = generate_temporary_password(8, true, false, false, false);
                p.as_bytes()[0].is_ascii_uppercase()
            })
            .collect();
        assert_eq!(firsts.len(), 2);
    }
}
