//! What every family uses: errors, stored records and their lookups, usernames and aliases,
//! credentials, pagination tokens, the views of a user, attributes and the schema, and the
//! password policy. Nothing here imports a family.

pub(crate) mod attributes;
pub(crate) mod client_secrets;
pub(crate) mod credentials;
pub(crate) mod errors;
pub(crate) mod identity;
pub(crate) mod lookup;
pub(crate) mod page_token;
pub(crate) mod password_policy;
pub(crate) mod schema;
pub(crate) mod stored;
pub(crate) mod user_view;
