use super::*;
use num_bigint::BigUint;

const POOL_ID: &str = "us-east-1_AbCdEf123";
const POOL: &str = "AbCdEf123";
const USER: &str = "5f1c2a4e-0b7d-4c1e-9a3b-2d6e8f0a1b2c";

fn n_big() -> BigUint {
    BigUint::from_bytes_be(&N.to_be_bytes())
}

/// Independent client, written from the client formulas with a variable-time bignum.
struct HandClient {
    a: BigUint,
    a_pub: BigUint,
}

fn h(parts: &[&[u8]]) -> Vec<u8> {
    let mut d = Sha256::new();
    parts.iter().for_each(|p| d.update(p));
    d.finalize().to_vec()
}

/// The client's own padHex, written from the JavaScript rule on the integer's hex string.
fn client_pad(n: &BigUint) -> Vec<u8> {
    let s = n.to_str_radix(16);
    let s = if s.len() % 2 == 1 {
        format!("0{s}")
    } else if "89abcdef".contains(&s[..1]) {
        format!("00{s}")
    } else {
        s
    };
    hex::decode(s).unwrap()
}

impl HandClient {
    fn new() -> Self {
        let a = BigUint::from_bytes_be(&rand::random::<[u8; 128]>());
        let a_pub = BigUint::from(2u8).modpow(&a, &n_big());
        HandClient { a, a_pub }
    }

    fn a_hex(&self) -> String {
        self.a_pub.to_str_radix(16)
    }

    /// PASSWORD_CLAIM_SIGNATURE from the challenge parameters as sent on the wire.
    fn sign(&self, password: &str, salt_hex: &str, b_hex: &str, block: &[u8], ts: &str) -> String {
        let n = n_big();
        let g = BigUint::from(2u8);
        let int = |b: &[u8]| BigUint::from_bytes_be(b);
        let b_pub = BigUint::parse_bytes(b_hex.as_bytes(), 16).unwrap();
        let salt = BigUint::parse_bytes(salt_hex.as_bytes(), 16).unwrap();
        let k = int(&h(&[&client_pad(&n), &client_pad(&g)]));
        let u = int(&h(&[&client_pad(&self.a_pub), &client_pad(&b_pub)]));
        let inner = h(&[POOL.as_bytes(), USER.as_bytes(), b":", password.as_bytes()]);
        let x = int(&h(&[&client_pad(&salt), &inner]));
        let kgx = k * g.modpow(&x, &n) % &n;
        let s = ((&b_pub + &n - kgx) % &n).modpow(&(&self.a + &u * &x), &n);
        let prk = hmac(&client_pad(&u), &[&client_pad(&s)])
            .finalize()
            .into_bytes();
        let okm = hmac(&prk[..], &[b"Caldera Derived Key\x01"])
            .finalize()
            .into_bytes();
        let sig = hmac(
            &okm[..16],
            &[POOL.as_bytes(), USER.as_bytes(), block, ts.as_bytes()],
        );
        STANDARD.encode(sig.finalize().into_bytes())
    }
}

/// Server side of one PASSWORD_VERIFIER round: returns whether the client's signature passes.
fn exchange(client: &HandClient, salt: &[u8], set_pw: &str, login_pw: &str) -> bool {
    let v = verifier(POOL, USER, set_pw, salt);
    let b = random_private();
    let b_pub = public_b(&v, &b);
    let a = parse_public_a(&client.a_hex()).unwrap();
    let key = session_key(&a, &b_pub, &b, &v).unwrap();
    let block = rand::random::<[u8; 48]>();
    let ts = format_timestamp(1_709_629_623);
    let sig = client.sign(login_pw, &pad_hex(salt), &to_hex(&b_pub), &block, &ts);
    assert_eq!(
        sig == claim_signature(&key, POOL, USER, &block, &ts),
        set_pw == login_pw
    );
    verify_claim(&key, POOL, USER, &block, &ts, &sig)
}

#[test]
fn srp_k_matches_spec() {
    assert_eq!(
        hex::encode(*K),
        "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    );
}

#[test]
fn srp_n_is_the_3072_bit_prime() {
    let n = to_hex(&N.to_be_bytes());
    assert_eq!(n.len(), 768);
    assert!(n.starts_with("ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd1"));
    assert!(n.ends_with("43db5bfce0fd108e4b82d120a93ad2caffffffffffffffff"));
}

#[test]
fn srp_pad_hex_cases() {
    let cases: &[(&[u8], &str)] = &[
        (&[], "00"),
        (&[0], "00"),
        (&[0x01], "01"),
        (&[0x7f, 0xff], "7fff"),
        (&[0x80], "0080"),
        (&[0x0a, 0xbc], "0abc"),   // odd hex length "abc" gets one "0"
        (&[0xab, 0xcd], "00abcd"), // high nibble gets "00"
        (&[0, 0, 0x12, 0x34], "1234"),
        (&[0, 0, 0x08, 0x00], "0800"),
        (&[0, 0x9a], "009a"),
    ];
    for (be, want) in cases {
        assert_eq!(pad_hex(be), *want, "{be:02x?}");
    }
    assert_eq!(pad_hex(&N.to_be_bytes()).len(), 770);
    assert_eq!(to_hex(&[]), "0");
    assert_eq!(to_hex(&[0, 0]), "0");
    assert_eq!(to_hex(&[0, 0x0a, 0xbc]), "abc");
    assert_eq!(to_hex(&[0x80, 0x01]), "8001");
}

#[test]
fn srp_salts_have_canonical_pad_hex() {
    for _ in 0..2000 {
        let s = random_salt();
        assert!((1..=0x7f).contains(&s[0]));
        assert_eq!(pad_hex(&s), hex::encode(s));
    }
    let f = fake_salt(b"seed", "alice");
    assert_eq!(f, fake_salt(b"seed", "alice"));
    assert_ne!(f, fake_salt(b"seed", "bob"));
    assert_ne!(f, fake_salt(b"other", "alice"));
    for i in 0..2000 {
        let f = fake_salt(b"seed", &format!("user{i}"));
        assert!((1..=0x7f).contains(&f[0]));
    }
}

#[test]
fn srp_full_exchange_with_hand_client() {
    for _ in 0..3 {
        let client = HandClient::new();
        let salt = random_salt();
        assert!(exchange(&client, &salt, "Passw0rd!", "Passw0rd!"));
        assert!(!exchange(&client, &salt, "Passw0rd!", "Passw0rd?"));
    }
}

#[test]
fn srp_salt_with_leading_zero_bytes_uses_pad_semantics() {
    // PAD(0x0000 12..) drops the zeros; PAD(0x00 9a..) keeps one as the sign byte.
    let client = HandClient::new();
    for salt in [
        [0u8, 0, 0x12, 0x34, 0x56, 0x78, 9, 10],
        [0, 0x9a, 3, 4, 5, 6, 7, 8],
    ] {
        assert_eq!(
            verifier(POOL, USER, "pw", &salt),
            verifier(POOL, USER, "pw", &pad(&salt))
        );
        assert!(exchange(&client, &salt, "pw", "pw"));
    }
}

#[test]
fn srp_odd_length_a_exchange() {
    let client = std::iter::repeat_with(HandClient::new)
        .find(|c| c.a_hex().len() % 2 == 1)
        .unwrap();
    assert!(exchange(&client, &random_salt(), "pw", "pw"));
    assert!(!exchange(&client, &random_salt(), "pw", "pW"));
}

#[test]
fn srp_parse_public_a() {
    assert_eq!(parse_public_a("abc"), Ok(vec![0x0a, 0xbc]));
    assert_eq!(parse_public_a("000ABC"), Ok(vec![0x0a, 0xbc]));
    assert_eq!(parse_public_a("1"), Ok(vec![1]));
    let n = to_hex(&N.to_be_bytes());
    let two_n = (n_big() * 2u8).to_str_radix(16);
    let n_plus_5 = (n_big() + 5u8).to_str_radix(16);
    let big = (n_big() * n_big() * 7u8 + 9u8).to_str_radix(16); // several 384-byte chunks
    for zero in [
        "0",
        "00",
        "000",
        &n,
        &n.to_uppercase(),
        &format!("00{n}"),
        &two_n,
    ] {
        assert_eq!(parse_public_a(zero), Err(SrpError::ZeroA), "{zero}");
    }
    assert_eq!(parse_public_a(&n_plus_5), Ok(vec![5]));
    assert_eq!(parse_public_a(&big), Ok(vec![9]));
    for bad in ["", "xyz", "12 34", "+12", "0x12", "12g", "é1"] {
        assert_eq!(parse_public_a(bad), Err(SrpError::InvalidHex), "{bad}");
    }
}

#[test]
fn srp_session_key_refuses_zero_a() {
    let v = verifier(POOL, USER, "pw", &random_salt());
    let b = random_private();
    let b_pub = public_b(&v, &b);
    assert_eq!(session_key(&[], &b_pub, &b, &v), Err(SrpError::ZeroA));
    assert_eq!(
        session_key(&N.to_be_bytes(), &b_pub, &b, &v),
        Err(SrpError::ZeroA)
    );
}

#[test]
fn srp_claim_verification_refuses_bad_input() {
    let key = [7u8; 16];
    let sig = claim_signature(&key, POOL, USER, b"block", "Tue Mar 5 09:07:03 UTC 2024");
    assert_eq!(STANDARD.decode(&sig).unwrap().len(), 32);
    let ok = |k: &[u8; 16], ts: &str, s: &str| verify_claim(k, POOL, USER, b"block", ts, s);
    assert!(ok(&key, "Tue Mar 5 09:07:03 UTC 2024", &sig));
    assert!(!ok(&[8; 16], "Tue Mar 5 09:07:03 UTC 2024", &sig));
    assert!(!ok(&key, "Tue Mar 5 09:07:04 UTC 2024", &sig));
    assert!(!ok(&key, "Tue Mar 5 09:07:03 UTC 2024", &sig[..40]));
    assert!(!ok(&key, "Tue Mar 5 09:07:03 UTC 2024", "not base64!"));
    assert!(!ok(&key, "Tue Mar 5 09:07:03 UTC 2024", ""));
}

#[test]
fn srp_aws_cognito_srp_user_flow() {
    use aws_cognito_srp::{SrpClient, User};
    for (set_pw, login_pw) in [("Secret-1", "Secret-1"), ("Secret-1", "Secret-2")] {
        let client = SrpClient::new(User::new(POOL_ID, "alice", login_pw), "client-id", None);
        let a = parse_public_a(&client.get_auth_parameters().a).unwrap();
        let salt = random_salt();
        let v = verifier(POOL, USER, set_pw, &salt);
        let b = random_private();
        let b_pub = public_b(&v, &b);
        let block = rand::random::<[u8; 64]>();
        let resp = client
            .verify(
                &STANDARD.encode(block),
                USER,
                &pad_hex(&salt),
                &to_hex(&b_pub),
            )
            .unwrap();
        let key = session_key(&a, &b_pub, &b, &v).unwrap();
        let ts = parse_timestamp(&resp.timestamp).expect("client timestamp parses");
        let now = crate::Clock::now_millis(&crate::SystemClock) / 1000;
        assert!((now - ts).abs() < 60, "client clock and ours agree");
        let accepted = verify_claim(
            &key,
            POOL,
            USER,
            &block,
            &resp.timestamp,
            &resp.password_claim_signature,
        );
        assert_eq!(accepted, set_pw == login_pw);
    }
}

#[test]
fn srp_aws_cognito_srp_device_flow() {
    use aws_cognito_srp::{SrpClient, UntrackedDevice};
    let (group, device) = (
        "-abcDEF12",
        "us-east-1_3f2a1b4c-1111-4222-8333-444455556666",
    );
    let confirm = SrpClient::new(
        UntrackedDevice::new(POOL_ID, group, device),
        "client-id",
        None,
    );
    let params = confirm.get_password_verifier();
    let v = STANDARD.decode(&params.verifier).unwrap();
    let salt = STANDARD.decode(&params.salt).unwrap();
    let client = SrpClient::new(
        confirm.take_credentials().into_tracked(&params.password),
        "c",
        None,
    );
    let a = parse_public_a(&client.get_auth_parameters().a).unwrap();
    let b = random_private();
    let b_pub = public_b(&v, &b);
    let block = rand::random::<[u8; 32]>();
    let resp = client
        .verify(
            &STANDARD.encode(block),
            &hex::encode(&salt),
            &to_hex(&b_pub),
        )
        .unwrap();
    let key = session_key(&a, &b_pub, &b, &v).unwrap();
    let sig = &resp.password_claim_signature;
    assert!(verify_claim(
        &key,
        group,
        device,
        &block,
        &resp.timestamp,
        sig
    ));
    // Our verifier from the same inputs matches the one the device registered.
    assert_eq!(
        strip_zeros(&v),
        verifier(group, device, &params.password, &salt)
    );
}

#[test]
fn srp_timestamp_examples() {
    // Expected strings from GNU `date -u -d @T '+%a %b %-d %H:%M:%S UTC %Y'`.
    let cases = [
        (0, "Thu Jan 1 00:00:00 UTC 1970"),
        (-1, "Wed Dec 31 23:59:59 UTC 1969"),
        (-86_400, "Wed Dec 31 00:00:00 UTC 1969"),
        (-2_208_988_800, "Mon Jan 1 00:00:00 UTC 1900"),
        (68_169_600, "Tue Feb 29 00:00:00 UTC 1972"),
        (946_684_799, "Fri Dec 31 23:59:59 UTC 1999"),
        (951_782_400, "Tue Feb 29 00:00:00 UTC 2000"),
        (1_078_012_800, "Sun Feb 29 00:00:00 UTC 2004"),
        (1_234_567_890, "Fri Feb 13 23:31:30 UTC 2009"),
        (1_709_251_199, "Thu Feb 29 23:59:59 UTC 2024"),
        (1_709_629_623, "Tue Mar 5 09:07:03 UTC 2024"),
        (1_739_212_212, "Mon Feb 10 18:30:12 UTC 2025"),
        (4_102_444_800, "Fri Jan 1 00:00:00 UTC 2100"),
        (4_107_542_400, "Mon Mar 1 00:00:00 UTC 2100"),
        (13_569_465_600, "Sat Jan 1 00:00:00 UTC 2400"),
        (253_402_214_400, "Fri Dec 31 00:00:00 UTC 9999"),
    ];
    for (t, s) in cases {
        assert_eq!(format_timestamp(t), s);
        assert_eq!(parse_timestamp(s), Some(t), "{s}");
    }
}

#[test]
fn srp_timestamp_round_trip() {
    // Every day of 2023-2025 at a varying time of day, then a sweep from year 0 to 9999.
    let days_2023 = days_from_civil(2023, 1, 1);
    let every_day = (0..3 * 366).map(|i| (days_2023 + i) * 86_400 + i * 7919 % 86_400);
    let sweep = (-62_167_219_200..253_402_300_800).step_by(3_155_777);
    for t in every_day.chain(sweep) {
        let s = format_timestamp(t);
        assert_eq!(parse_timestamp(&s), Some(t), "{s}");
        let day = s.split(' ').nth(2).unwrap();
        assert!(!day.starts_with('0') && day.len() <= 2, "{s}");
    }
    assert!(parse_timestamp("Thu Feb 29 12:00:00 UTC 2024").is_some());
    for s in [
        "Tue Feb 29 12:00:00 UTC 2000",
        "Wed Feb 29 12:00:00 UTC 2012",
        "Sat Jan 1 00:00:00 UTC 0000",
    ] {
        assert_eq!(format_timestamp(parse_timestamp(s).unwrap()), s);
    }
}

#[test]
fn srp_timestamp_strict_parse() {
    for bad in [
        "Tue Mar 05 09:07:03 UTC 2024", // zero-padded day
        "Wed Mar 5 09:07:03 UTC 2024",  // wrong weekday
        "Tue Mar  5 09:07:03 UTC 2024",
        "tue Mar 5 09:07:03 UTC 2024",
        "Tue MAR 5 09:07:03 UTC 2024",
        "Tue Mar 5 9:07:03 UTC 2024",
        "Tue Mar 5 09:07:03 GMT 2024",
        "Tue Mar 5 09:07:03 UTC 24",
        "Tue Mar 5 09:07:03 UTC 2024 ",
        "Tue Mar +5 09:07:03 UTC 2024",
        "Tue Mar 5 24:00:00 UTC 2024",
        "Tue Mar 5 09:60:00 UTC 2024",
        "Tue Mar 5 09:07:60 UTC 2024",
        "Tue Mar 5 09:07:03:00 UTC 2024",
        "Sun Mar 0 09:07:03 UTC 2024",
        "Sun Feb 30 09:07:03 UTC 2024",
        "Thu Feb 29 00:00:00 UTC 2023",
        "Thu Feb 29 00:00:00 UTC 1900",
        "",
    ] {
        assert_eq!(parse_timestamp(bad), None, "{bad}");
    }
}

/// `cargo test --release -p cognitod-crypto srp_timing -- --ignored --nocapture`
#[test]
#[ignore]
fn srp_timing() {
    let v = verifier(POOL, USER, "pw", &random_salt());
    let a = parse_public_a(&HandClient::new().a_hex()).unwrap();
    let b = random_private();
    let b_pub = public_b(&v, &b);
    let runs = 50;
    let t = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(public_b(&v, &b));
    }
    println!("public_b: {:?}", t.elapsed() / runs);
    let t = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(session_key(&a, &b_pub, &b, &v).unwrap());
    }
    println!("session_key: {:?}", t.elapsed() / runs);
    let t = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(verifier(POOL, USER, "pw", &b[..16]));
    }
    println!("verifier: {:?}", t.elapsed() / runs);
}
