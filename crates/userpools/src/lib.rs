//! The cognito-idp service: user pools, app clients, users and groups.
//!
//! Each API family lives in its own folder as plain async functions taking the service, the
//! request context and the typed input; this file holds the service type and the table that
//! routes the generated trait to them. Domain functions return `cognitod_model::Error`, which
//! converts into each operation's own error enum. Families use `shared/`, `messages/` and
//! `auth/`; `shared/` uses no family.

mod auth;
mod clients;
mod groups;
mod messages;
mod pools;
mod service;
mod shared;
#[cfg(test)]
mod user_fixtures;
mod users;

/// Entry points for the fuzz targets in `fuzz/`: the ListUsers filter parser as
/// `(attribute, is_prefix, value)`.
#[doc(hidden)]
pub mod fuzzing {
    pub fn parse_filter(input: &str) -> Result<(String, bool, String), cognitod_model::Error> {
        let f = crate::users::filter::parse(input)?;
        Ok((
            f.attribute,
            f.op == crate::users::filter::Op::Prefix,
            f.value,
        ))
    }
}

pub use service::{Settings, UserPools};

impl UserPools {
    /// The JWKS document of a pool (`<issuer>/.well-known/jwks.json`); None for no such pool.
    pub async fn jwks(
        &self,
        pool_id: &str,
    ) -> Result<Option<serde_json::Value>, cognitod_model::Error> {
        auth::signing_keys::jwks(self, pool_id).await
    }

    /// The OpenID discovery document of a pool; None for no such pool.
    pub async fn openid_configuration(
        &self,
        pool_id: &str,
    ) -> Result<Option<serde_json::Value>, cognitod_model::Error> {
        if self
            .store
            .get_pool(pool_id)
            .await
            .map_err(shared::errors::store)?
            .is_none()
        {
            return Ok(None);
        }
        let issuer = auth::tokens::issuer(self, pool_id);
        // Only what answers: the OAuth2 endpoints (authorize, token, userInfo, revoke,
        // logout) join the document when they are served.
        Ok(Some(serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })))
    }

    /// Rotates a pool's signing keys; returns the new kids. Tokens signed with the old keys
    /// keep verifying (the old keys stay in the JWKS for a day).
    pub async fn rotate_keys(&self, pool_id: &str) -> Result<Vec<String>, cognitod_model::Error> {
        shared::stored::load_pool(self, pool_id).await?;
        auth::signing_keys::rotate(self, pool_id).await
    }
}

// The operations built, each to the function of its family that serves it; every other
// operation answers NotImplementedException (the trait's default).
cognitod_model::implement_cognito_identity_provider!(UserPools, cognitod_model::RequestContext, {
    create_user_pool => pools::create_user_pool,
    describe_user_pool => pools::describe_user_pool,
    update_user_pool => pools::update_user_pool,
    delete_user_pool => pools::delete_user_pool,
    list_user_pools => pools::list_user_pools,
    add_custom_attributes => pools::add_custom_attributes,
    get_user_pool_mfa_config => pools::mfa::get_user_pool_mfa_config,
    set_user_pool_mfa_config => pools::mfa::set_user_pool_mfa_config,
    tag_resource => pools::tags::tag_resource,
    untag_resource => pools::tags::untag_resource,
    list_tags_for_resource => pools::tags::list_tags_for_resource,
    create_user_pool_client => clients::create_user_pool_client,
    describe_user_pool_client => clients::describe_user_pool_client,
    update_user_pool_client => clients::update_user_pool_client,
    delete_user_pool_client => clients::delete_user_pool_client,
    list_user_pool_clients => clients::list_user_pool_clients,
    add_user_pool_client_secret => clients::secrets::add_user_pool_client_secret,
    list_user_pool_client_secrets => clients::secrets::list_user_pool_client_secrets,
    delete_user_pool_client_secret => clients::secrets::delete_user_pool_client_secret,
    admin_create_user => users::admin::admin_create_user,
    admin_get_user => users::admin::admin_get_user,
    admin_update_user_attributes => users::admin::admin_update_user_attributes,
    admin_delete_user_attributes => users::admin::admin_delete_user_attributes,
    admin_delete_user => users::admin::admin_delete_user,
    admin_disable_user => users::admin::admin_disable_user,
    admin_enable_user => users::admin::admin_enable_user,
    admin_confirm_sign_up => users::admin::admin_confirm_sign_up,
    admin_set_user_password => users::admin::admin_set_user_password,
    admin_reset_user_password => users::admin::admin_reset_user_password,
    list_users => users::list_users::list_users,
    create_group => groups::create_group,
    get_group => groups::get_group,
    update_group => groups::update_group,
    delete_group => groups::delete_group,
    list_groups => groups::list_groups,
    admin_add_user_to_group => groups::admin_add_user_to_group,
    admin_remove_user_from_group => groups::admin_remove_user_from_group,
    admin_list_groups_for_user => groups::admin_list_groups_for_user,
    list_users_in_group => groups::list_users_in_group,
    initiate_auth => auth::sign_in::initiate_auth,
    admin_initiate_auth => auth::sign_in::admin_initiate_auth,
    respond_to_auth_challenge => auth::challenges::respond_to_auth_challenge,
    admin_respond_to_auth_challenge => auth::challenges::admin_respond_to_auth_challenge,
    get_tokens_from_refresh_token => auth::refresh::get_tokens_from_refresh_token,
    revoke_token => auth::refresh::revoke_token,
    sign_up => users::sign_up::sign_up,
    confirm_sign_up => users::sign_up::confirm_sign_up,
    resend_confirmation_code => users::sign_up::resend_confirmation_code,
    forgot_password => users::forgot_password::forgot_password,
    confirm_forgot_password => users::forgot_password::confirm_forgot_password,
    change_password => users::forgot_password::change_password,
    get_user => users::current_user::get_user,
    global_sign_out => users::current_user::global_sign_out,
    admin_user_global_sign_out => users::current_user::admin_user_global_sign_out,
    update_user_attributes => users::self_attributes::update_user_attributes,
    delete_user_attributes => users::self_attributes::delete_user_attributes,
    get_user_attribute_verification_code => users::self_attributes::get_user_attribute_verification_code,
    verify_user_attribute => users::self_attributes::verify_user_attribute,
    delete_user => users::self_attributes::delete_user,
    list_user_sessions => users::user_sessions::list_user_sessions,
    admin_list_user_sessions => users::user_sessions::admin_list_user_sessions,
    revoke_user_session => users::user_sessions::revoke_user_session,
    admin_revoke_user_session => users::user_sessions::admin_revoke_user_session,
});
