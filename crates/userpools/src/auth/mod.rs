//! Sign-in: the app client a call names (`app_client`), the flows that start a sign-in
//! (`sign_in`, `srp_challenge`), the challenges that continue it (`challenges`, `session`),
//! passwords and SRP verifiers (`passwords`, `srp_verifiers`, `hashing_pool`), and the tokens
//! it ends with (`tokens`, `refresh`, `signing_keys`).

pub(crate) mod app_client;
pub(crate) mod challenges;
pub(crate) mod guards;
pub(crate) mod hashing_pool;
pub(crate) mod key_cache;
pub(crate) mod outcome;
pub(crate) mod passwords;
pub(crate) mod refresh;
pub(crate) mod session;
pub(crate) mod sign_in;
pub(crate) mod signing_keys;
pub(crate) mod srp_challenge;
pub(crate) mod srp_verifiers;
pub(crate) mod tokens;
