//! Integration tests: the server driven through the official AWS SDK for Rust (and raw signed
//! requests where the wire bytes matter). One binary; each test starts its own server with a
//! fresh store, so tests run in parallel and in any order. The backend is chosen by
//! `COGNITOD_TEST_BACKEND` (sqlite or postgres).

mod attacks_guessing;
mod attacks_input;
mod attacks_paging;
mod attacks_resends;
mod attacks_scope;
mod attacks_srp_enumeration;
mod attacks_tokens;
mod auth;
mod clients;
mod concurrency;
mod groups;
mod list_users;
mod pools;
mod refresh;
mod restart;
mod self_service;
mod signin;
mod srp_verifiers;
mod users;
mod validation;

use aws_sdk_cognitoidentityprovider as idp;
use idp::error::ProvideErrorMetadata;

/// The error code and message of a failed SDK call.
pub fn error_of<T, E: ProvideErrorMetadata>(result: Result<T, E>) -> (String, String) {
    match result {
        Ok(_) => panic!("expected the call to fail"),
        Err(err) => (
            err.code().unwrap_or("<no code>").to_string(),
            err.message().unwrap_or("<no message>").to_string(),
        ),
    }
}

/// Creates a pool with default settings and returns its id.
pub async fn create_pool(client: &idp::Client, name: &str) -> String {
    client
        .create_user_pool()
        .pool_name(name)
        .send()
        .await
        .expect("create_user_pool")
        .user_pool
        .expect("UserPool in the response")
        .id
        .expect("pool id")
}

/// Creates a pool that verifies emails with a code (sign-up confirmations, changed emails).
pub async fn create_pool_verifying_email(client: &idp::Client, name: &str) -> String {
    client
        .create_user_pool()
        .pool_name(name)
        .auto_verified_attributes(idp::types::VerifiedAttributeType::Email)
        .send()
        .await
        .expect("create_user_pool")
        .user_pool
        .expect("UserPool in the response")
        .id
        .expect("pool id")
}

/// Creates a user with an email and returns nothing; the pool must accept the username.
pub async fn create_user(client: &idp::Client, pool: &str, username: &str, email: &str) {
    client
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .user_attributes(attr("email", email))
        .message_action(idp::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap_or_else(|e| panic!("admin_create_user {username}: {e:?}"));
}

/// The value of the attribute `name` among `attributes`, if it is there.
pub fn attr_value(attributes: &[idp::types::AttributeType], name: &str) -> Option<String> {
    attributes
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
        .map(str::to_string)
}

pub fn attr(name: &str, value: &str) -> idp::types::AttributeType {
    idp::types::AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}
