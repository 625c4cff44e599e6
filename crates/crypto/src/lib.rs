//! Cryptography and identifiers. Pure: no I/O but the OS random source; time is passed in.

mod clock;
mod ids;
pub mod jwt;
mod master_key;
pub mod password;
mod secret_hash;
pub mod srp;

pub use clock::{Clock, ManualClock, SystemClock};
pub use ids::{
    access_key_id, client_id, client_secret, client_secret_id, generate_temporary_password,
    random_code, random_string, request_id, secret_access_key, sub, user_pool_id,
};
pub use master_key::{CryptoError, MasterKey};
pub use secret_hash::{constant_time_eq, secret_hash, sha256_hex, verify_secret_hash};
