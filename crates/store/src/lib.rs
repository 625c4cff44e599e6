//! Storage: records, capability traits, and the SQL shared by the backends.
//!
//! The store is domain-agnostic. The userpools crate owns the rules (case folding, which
//! attributes are aliases, what a status means); the store guarantees that every call is
//! atomic, that uniqueness (usernames, subs, alias keys) is enforced by the database so
//! concurrent writers cannot both win, and that lookups and filters are index scans. Times are
//! epoch milliseconds passed in by the caller.

mod auth;
pub mod conformance;
pub mod conformance_auth;
mod records;
#[doc(hidden)]
pub mod sql;
#[doc(hidden)]
pub mod sql_auth;
mod traits;

pub use auth::*;
pub use records::*;
pub use traits::*;
