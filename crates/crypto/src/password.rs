//! Password hashing: argon2id (m = 19456 KiB, t = 2, p = 1), PHC strings.
//!
//! Each thread keeps its argon2 working memory (19 MiB of blocks) and reuses it: allocating
//! and clearing it for every hash costs about a tenth of the hash. Every block is written
//! before it is read, so stale contents never reach a result. The server hashes on a fixed
//! thread per core, which bounds the memory kept to one block set per core.

use std::cell::RefCell;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::constant_time_eq;

const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
const OUTPUT_LEN: usize = 32;

fn params() -> Params {
    Params::new(M_COST_KIB, T_COST, P_COST, Some(OUTPUT_LEN)).expect("valid argon2 parameters")
}

thread_local! {
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `hash` with `count` blocks of this thread's working memory. A hash that needs more
/// than our own parameters do (a hash made elsewhere) gets memory of its own, not kept.
fn with_blocks<R>(count: usize, hash: impl FnOnce(&mut [Block]) -> R) -> R {
    if count > params().block_count() {
        return hash(&mut vec![Block::default(); count]);
    }
    BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        hash(&mut blocks[..count])
    })
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
///
/// CPU-heavy (about 20 ms): call it off the async workers.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_buf)
        .expect("a generated salt decodes");
    let params = params();
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; OUTPUT_LEN];
    with_blocks(params.block_count(), |blocks| {
        hasher.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, blocks)
    })
    .expect("argon2 hashing of an in-memory password cannot fail");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("valid argon2 parameters"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("a 32-byte output")),
    }
    .to_string()
}

/// Checks a password against a PHC string (any argon2 variant and cost) in constant time;
/// a malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let hasher = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let hashed = with_blocks(params.block_count(), |blocks| {
        hasher.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks)
    });
    hashed.is_ok() && constant_time_eq(&out, expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn hash_then_verify() {
        let phc = hash_password("Correct-Horse-1");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("Correct-Horse-1", &phc));
        assert!(!verify_password("correct-horse-1", &phc));
        assert!(!verify_password("Correct-Horse-1", "not a hash"));
        // Reused memory: the same thread verifies again, right and wrong.
        assert!(verify_password("Correct-Horse-1", &phc));
        assert!(!verify_password("Correct-Horse-2", &phc));
    }

    #[test]
    fn interoperates_with_the_argon2_crate_phc_functions() {
        let ours = hash_password("Interop-Pass-1");
        let parsed = PasswordHash::new(&ours).unwrap();
        let standard = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        assert!(standard.verify_password(b"Interop-Pass-1", &parsed).is_ok());
        assert!(
            standard
                .verify_password(b"Interop-Pass-2", &parsed)
                .is_err()
        );

        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let theirs = standard
            .hash_password(b"Interop-Pass-3", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("Interop-Pass-3", &theirs));
        assert!(!verify_password("Interop-Pass-4", &theirs));
    }

    #[test]
    fn other_costs_and_variants_verify_and_truncated_hashes_do_not() {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        // A larger memory cost than ours (not kept in the thread's memory) and argon2i.
        for (algorithm, m_cost) in [(Algorithm::Argon2id, 32_768), (Algorithm::Argon2i, 8_192)] {
            let params = Params::new(m_cost, 1, 1, Some(24)).unwrap();
            let phc = Argon2::new(algorithm, Version::V0x13, params)
                .hash_password(b"Other-Cost-1", &salt)
                .unwrap()
                .to_string();
            assert!(verify_password("Other-Cost-1", &phc), "{phc}");
            assert!(!verify_password("Other-Cost-2", &phc), "{phc}");
        }
        let phc = hash_password("Cut-Short-1");
        let cut = &phc[..phc.rfind('$').unwrap()];
        assert!(!verify_password("Cut-Short-1", cut));
    }
}
