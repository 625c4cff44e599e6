//! Users: the administrators' operations (`admin`, `create_user`, `user_passwords`,
//! `list_users` with its `filter`) and the users' own (`sign_up`, `forgot_password`,
//! `current_user`, `self_attributes`, `user_sessions`).

pub(crate) mod admin;
pub(crate) mod create_user;
pub(crate) mod current_user;
pub(crate) mod filter;
pub(crate) mod forgot_password;
pub(crate) mod list_users;
pub(crate) mod self_attributes;
pub(crate) mod sign_up;
pub(crate) mod user_passwords;
pub(crate) mod user_sessions;

#[cfg(test)]
mod admin_tests;
#[cfg(test)]
mod list_users_tests;
#[cfg(test)]
mod user_state_tests;
