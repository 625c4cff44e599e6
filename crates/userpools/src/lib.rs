//! The cognito-idp service: user pools, app clients, users and groups.
//!
//! Each API family lives in its own module as plain async functions taking the service,
//! the request context and the typed input; this file only routes the generated trait to
//! them. Domain functions return `cognitod_model::Error`, which converts into each
//! operation's own error enum.

mod app_client;
mod attributes;
mod challenges;
mod client_secrets;
mod client_settings;
mod clients;
#[cfg(test)]
mod clients_tests;
mod codes;
mod create_user;
mod credentials;
mod current_user;
mod errors;
mod filter;
mod forgot_password;
mod groups;
#[cfg(test)]
mod groups_tests;
mod hashing_pool;
mod identity;
mod list_users;
#[cfg(test)]
mod list_users_tests;
mod lookup;
mod notify;
mod page_token;
mod password_policy;
mod passwords;
mod pool_mfa;
mod pool_settings;
mod pool_store;
mod pools;
#[cfg(test)]
mod pools_tests;
mod refresh;
mod schema;
mod self_attributes;
mod session;
mod sign_in;
mod sign_up;
mod signing_keys;
mod srp_challenge;
mod srp_verifiers;
mod stored;
mod tags;
mod tokens;
#[cfg(test)]
mod user_fixtures;
mod user_passwords;
mod user_sessions;
#[cfg(test)]
mod user_state_tests;
mod user_view;
mod users;
#[cfg(test)]
mod users_tests;

/// Entry points for the fuzz targets in `fuzz/`: the ListUsers filter parser as
/// `(attribute, is_prefix, value)`.
#[doc(hidden)]
pub mod fuzzing {
    pub fn parse_filter(input: &str) -> Result<(String, bool, String), cognitod_model::Error> {
        let f = crate::filter::parse(input)?;
        Ok((f.attribute, f.op == crate::filter::Op::Prefix, f.value))
    }
}

use std::sync::Arc;

use async_trait::async_trait;
use cognitod_crypto::{Clock, MasterKey};
use cognitod_messaging::Messenger;
use cognitod_model::RequestContext;
use cognitod_model::idp::*;
use cognitod_store::Store;

/// Server-wide settings the service needs to build identifiers and URLs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// AWS-style region of this server, e.g. `us-east-1`; pool ids start with it.
    pub region: String,
    /// Account id used in ARNs.
    pub account_id: String,
    /// Public base URL (issuer prefix), without a trailing slash.
    pub public_url: String,
}

/// The cognito-idp service over a store.
pub struct UserPools {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) master_key: Arc<MasterKey>,
    pub(crate) messenger: Arc<Messenger>,
    pub(crate) settings: Settings,
    pub(crate) keys: signing_keys::KeyCache,
}

impl UserPools {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        master_key: Arc<MasterKey>,
        messenger: Arc<Messenger>,
        settings: Settings,
    ) -> Self {
        Self {
            store,
            clock,
            master_key,
            messenger,
            settings,
            keys: Default::default(),
        }
    }

    /// Where the service records the messages it sends.
    pub fn messenger(&self) -> &Arc<Messenger> {
        &self.messenger
    }

    /// The JWKS document of a pool (`<issuer>/.well-known/jwks.json`); None for no such pool.
    pub async fn jwks(
        &self,
        pool_id: &str,
    ) -> Result<Option<serde_json::Value>, cognitod_model::Error> {
        signing_keys::jwks(self, pool_id).await
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
            .map_err(errors::store)?
            .is_none()
        {
            return Ok(None);
        }
        let issuer = tokens::issuer(self, pool_id);
        let base = &self.settings.public_url;
        Ok(Some(serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "authorization_endpoint": format!("{base}/oauth2/authorize"),
            "token_endpoint": format!("{base}/oauth2/token"),
            "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
            "revocation_endpoint": format!("{base}/oauth2/revoke"),
            "end_session_endpoint": format!("{base}/logout"),
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })))
    }

    /// Rotates a pool's signing keys; returns the new kids. Tokens signed with the old keys
    /// keep verifying (the old keys stay in the JWKS for a day).
    pub async fn rotate_keys(&self, pool_id: &str) -> Result<Vec<String>, cognitod_model::Error> {
        stored::load_pool(self, pool_id).await?;
        signing_keys::rotate(self, pool_id).await
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now_millis()
    }
}

#[async_trait]
impl CognitoIdentityProvider for UserPools {
    type Ctx = RequestContext;

    async fn create_user_pool(
        &self,
        ctx: &RequestContext,
        input: CreateUserPoolRequest,
    ) -> Result<CreateUserPoolResponse, CreateUserPoolError> {
        pools::create_user_pool(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn describe_user_pool(
        &self,
        ctx: &RequestContext,
        input: DescribeUserPoolRequest,
    ) -> Result<DescribeUserPoolResponse, DescribeUserPoolError> {
        pools::describe_user_pool(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn update_user_pool(
        &self,
        ctx: &RequestContext,
        input: UpdateUserPoolRequest,
    ) -> Result<UpdateUserPoolResponse, UpdateUserPoolError> {
        pools::update_user_pool(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn delete_user_pool(
        &self,
        ctx: &RequestContext,
        input: DeleteUserPoolRequest,
    ) -> Result<(), DeleteUserPoolError> {
        pools::delete_user_pool(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn list_user_pools(
        &self,
        ctx: &RequestContext,
        input: ListUserPoolsRequest,
    ) -> Result<ListUserPoolsResponse, ListUserPoolsError> {
        pools::list_user_pools(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn add_custom_attributes(
        &self,
        ctx: &RequestContext,
        input: AddCustomAttributesRequest,
    ) -> Result<AddCustomAttributesResponse, AddCustomAttributesError> {
        pools::add_custom_attributes(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn get_user_pool_mfa_config(
        &self,
        ctx: &RequestContext,
        input: GetUserPoolMfaConfigRequest,
    ) -> Result<GetUserPoolMfaConfigResponse, GetUserPoolMfaConfigError> {
        pools::get_user_pool_mfa_config(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn set_user_pool_mfa_config(
        &self,
        ctx: &RequestContext,
        input: SetUserPoolMfaConfigRequest,
    ) -> Result<SetUserPoolMfaConfigResponse, SetUserPoolMfaConfigError> {
        pools::set_user_pool_mfa_config(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn tag_resource(
        &self,
        ctx: &RequestContext,
        input: TagResourceRequest,
    ) -> Result<TagResourceResponse, TagResourceError> {
        tags::tag_resource(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<UntagResourceResponse, UntagResourceError> {
        tags::untag_resource(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn list_tags_for_resource(
        &self,
        ctx: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ListTagsForResourceError> {
        tags::list_tags_for_resource(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn create_user_pool_client(
        &self,
        ctx: &RequestContext,
        input: CreateUserPoolClientRequest,
    ) -> Result<CreateUserPoolClientResponse, CreateUserPoolClientError> {
        clients::create_user_pool_client(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn describe_user_pool_client(
        &self,
        ctx: &RequestContext,
        input: DescribeUserPoolClientRequest,
    ) -> Result<DescribeUserPoolClientResponse, DescribeUserPoolClientError> {
        clients::describe_user_pool_client(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn update_user_pool_client(
        &self,
        ctx: &RequestContext,
        input: UpdateUserPoolClientRequest,
    ) -> Result<UpdateUserPoolClientResponse, UpdateUserPoolClientError> {
        clients::update_user_pool_client(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn delete_user_pool_client(
        &self,
        ctx: &RequestContext,
        input: DeleteUserPoolClientRequest,
    ) -> Result<(), DeleteUserPoolClientError> {
        clients::delete_user_pool_client(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn list_user_pool_clients(
        &self,
        ctx: &RequestContext,
        input: ListUserPoolClientsRequest,
    ) -> Result<ListUserPoolClientsResponse, ListUserPoolClientsError> {
        clients::list_user_pool_clients(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn add_user_pool_client_secret(
        &self,
        ctx: &RequestContext,
        input: AddUserPoolClientSecretRequest,
    ) -> Result<AddUserPoolClientSecretResponse, AddUserPoolClientSecretError> {
        clients::add_user_pool_client_secret(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn list_user_pool_client_secrets(
        &self,
        ctx: &RequestContext,
        input: ListUserPoolClientSecretsRequest,
    ) -> Result<ListUserPoolClientSecretsResponse, ListUserPoolClientSecretsError> {
        clients::list_user_pool_client_secrets(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn delete_user_pool_client_secret(
        &self,
        ctx: &RequestContext,
        input: DeleteUserPoolClientSecretRequest,
    ) -> Result<DeleteUserPoolClientSecretResponse, DeleteUserPoolClientSecretError> {
        clients::delete_user_pool_client_secret(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_create_user(
        &self,
        ctx: &RequestContext,
        input: AdminCreateUserRequest,
    ) -> Result<AdminCreateUserResponse, AdminCreateUserError> {
        users::admin_create_user(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_get_user(
        &self,
        ctx: &RequestContext,
        input: AdminGetUserRequest,
    ) -> Result<AdminGetUserResponse, AdminGetUserError> {
        users::admin_get_user(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_update_user_attributes(
        &self,
        ctx: &RequestContext,
        input: AdminUpdateUserAttributesRequest,
    ) -> Result<AdminUpdateUserAttributesResponse, AdminUpdateUserAttributesError> {
        users::admin_update_user_attributes(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_delete_user_attributes(
        &self,
        ctx: &RequestContext,
        input: AdminDeleteUserAttributesRequest,
    ) -> Result<AdminDeleteUserAttributesResponse, AdminDeleteUserAttributesError> {
        users::admin_delete_user_attributes(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_delete_user(
        &self,
        ctx: &RequestContext,
        input: AdminDeleteUserRequest,
    ) -> Result<(), AdminDeleteUserError> {
        users::admin_delete_user(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_disable_user(
        &self,
        ctx: &RequestContext,
        input: AdminDisableUserRequest,
    ) -> Result<AdminDisableUserResponse, AdminDisableUserError> {
        users::admin_disable_user(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_enable_user(
        &self,
        ctx: &RequestContext,
        input: AdminEnableUserRequest,
    ) -> Result<AdminEnableUserResponse, AdminEnableUserError> {
        users::admin_enable_user(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_confirm_sign_up(
        &self,
        ctx: &RequestContext,
        input: AdminConfirmSignUpRequest,
    ) -> Result<AdminConfirmSignUpResponse, AdminConfirmSignUpError> {
        users::admin_confirm_sign_up(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_set_user_password(
        &self,
        ctx: &RequestContext,
        input: AdminSetUserPasswordRequest,
    ) -> Result<AdminSetUserPasswordResponse, AdminSetUserPasswordError> {
        users::admin_set_user_password(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_reset_user_password(
        &self,
        ctx: &RequestContext,
        input: AdminResetUserPasswordRequest,
    ) -> Result<AdminResetUserPasswordResponse, AdminResetUserPasswordError> {
        users::admin_reset_user_password(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn list_users(
        &self,
        ctx: &RequestContext,
        input: ListUsersRequest,
    ) -> Result<ListUsersResponse, ListUsersError> {
        list_users::list_users(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn create_group(
        &self,
        ctx: &RequestContext,
        input: CreateGroupRequest,
    ) -> Result<CreateGroupResponse, CreateGroupError> {
        groups::create_group(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn get_group(
        &self,
        ctx: &RequestContext,
        input: GetGroupRequest,
    ) -> Result<GetGroupResponse, GetGroupError> {
        groups::get_group(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn update_group(
        &self,
        ctx: &RequestContext,
        input: UpdateGroupRequest,
    ) -> Result<UpdateGroupResponse, UpdateGroupError> {
        groups::update_group(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn delete_group(
        &self,
        ctx: &RequestContext,
        input: DeleteGroupRequest,
    ) -> Result<(), DeleteGroupError> {
        groups::delete_group(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn list_groups(
        &self,
        ctx: &RequestContext,
        input: ListGroupsRequest,
    ) -> Result<ListGroupsResponse, ListGroupsError> {
        groups::list_groups(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_add_user_to_group(
        &self,
        ctx: &RequestContext,
        input: AdminAddUserToGroupRequest,
    ) -> Result<(), AdminAddUserToGroupError> {
        groups::admin_add_user_to_group(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_remove_user_from_group(
        &self,
        ctx: &RequestContext,
        input: AdminRemoveUserFromGroupRequest,
    ) -> Result<(), AdminRemoveUserFromGroupError> {
        groups::admin_remove_user_from_group(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_list_groups_for_user(
        &self,
        ctx: &RequestContext,
        input: AdminListGroupsForUserRequest,
    ) -> Result<AdminListGroupsForUserResponse, AdminListGroupsForUserError> {
        groups::admin_list_groups_for_user(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn list_users_in_group(
        &self,
        ctx: &RequestContext,
        input: ListUsersInGroupRequest,
    ) -> Result<ListUsersInGroupResponse, ListUsersInGroupError> {
        groups::list_users_in_group(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn initiate_auth(
        &self,
        ctx: &RequestContext,
        input: InitiateAuthRequest,
    ) -> Result<InitiateAuthResponse, InitiateAuthError> {
        sign_in::initiate_auth(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_initiate_auth(
        &self,
        ctx: &RequestContext,
        input: AdminInitiateAuthRequest,
    ) -> Result<AdminInitiateAuthResponse, AdminInitiateAuthError> {
        sign_in::admin_initiate_auth(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: RespondToAuthChallengeRequest,
    ) -> Result<RespondToAuthChallengeResponse, RespondToAuthChallengeError> {
        challenges::respond_to_auth_challenge(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: AdminRespondToAuthChallengeRequest,
    ) -> Result<AdminRespondToAuthChallengeResponse, AdminRespondToAuthChallengeError> {
        challenges::admin_respond_to_auth_challenge(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn get_tokens_from_refresh_token(
        &self,
        ctx: &RequestContext,
        input: GetTokensFromRefreshTokenRequest,
    ) -> Result<GetTokensFromRefreshTokenResponse, GetTokensFromRefreshTokenError> {
        refresh::get_tokens_from_refresh_token(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn revoke_token(
        &self,
        ctx: &RequestContext,
        input: RevokeTokenRequest,
    ) -> Result<RevokeTokenResponse, RevokeTokenError> {
        refresh::revoke_token(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn sign_up(
        &self,
        ctx: &RequestContext,
        input: SignUpRequest,
    ) -> Result<SignUpResponse, SignUpError> {
        sign_up::sign_up(self, ctx, input).await.map_err(Into::into)
    }
    async fn confirm_sign_up(
        &self,
        ctx: &RequestContext,
        input: ConfirmSignUpRequest,
    ) -> Result<ConfirmSignUpResponse, ConfirmSignUpError> {
        sign_up::confirm_sign_up(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn resend_confirmation_code(
        &self,
        ctx: &RequestContext,
        input: ResendConfirmationCodeRequest,
    ) -> Result<ResendConfirmationCodeResponse, ResendConfirmationCodeError> {
        sign_up::resend_confirmation_code(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn forgot_password(
        &self,
        ctx: &RequestContext,
        input: ForgotPasswordRequest,
    ) -> Result<ForgotPasswordResponse, ForgotPasswordError> {
        forgot_password::forgot_password(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn confirm_forgot_password(
        &self,
        ctx: &RequestContext,
        input: ConfirmForgotPasswordRequest,
    ) -> Result<ConfirmForgotPasswordResponse, ConfirmForgotPasswordError> {
        forgot_password::confirm_forgot_password(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn change_password(
        &self,
        ctx: &RequestContext,
        input: ChangePasswordRequest,
    ) -> Result<ChangePasswordResponse, ChangePasswordError> {
        forgot_password::change_password(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn get_user(
        &self,
        ctx: &RequestContext,
        input: GetUserRequest,
    ) -> Result<GetUserResponse, GetUserError> {
        current_user::get_user(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn global_sign_out(
        &self,
        ctx: &RequestContext,
        input: GlobalSignOutRequest,
    ) -> Result<GlobalSignOutResponse, GlobalSignOutError> {
        current_user::global_sign_out(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_user_global_sign_out(
        &self,
        ctx: &RequestContext,
        input: AdminUserGlobalSignOutRequest,
    ) -> Result<AdminUserGlobalSignOutResponse, AdminUserGlobalSignOutError> {
        current_user::admin_user_global_sign_out(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn update_user_attributes(
        &self,
        ctx: &RequestContext,
        input: UpdateUserAttributesRequest,
    ) -> Result<UpdateUserAttributesResponse, UpdateUserAttributesError> {
        self_attributes::update_user_attributes(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn delete_user_attributes(
        &self,
        ctx: &RequestContext,
        input: DeleteUserAttributesRequest,
    ) -> Result<DeleteUserAttributesResponse, DeleteUserAttributesError> {
        self_attributes::delete_user_attributes(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn get_user_attribute_verification_code(
        &self,
        ctx: &RequestContext,
        input: GetUserAttributeVerificationCodeRequest,
    ) -> Result<GetUserAttributeVerificationCodeResponse, GetUserAttributeVerificationCodeError>
    {
        self_attributes::get_user_attribute_verification_code(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn verify_user_attribute(
        &self,
        ctx: &RequestContext,
        input: VerifyUserAttributeRequest,
    ) -> Result<VerifyUserAttributeResponse, VerifyUserAttributeError> {
        self_attributes::verify_user_attribute(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn delete_user(
        &self,
        ctx: &RequestContext,
        input: DeleteUserRequest,
    ) -> Result<(), DeleteUserError> {
        self_attributes::delete_user(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn list_user_sessions(
        &self,
        ctx: &RequestContext,
        input: ListUserSessionsRequest,
    ) -> Result<ListUserSessionsResponse, ListUserSessionsError> {
        user_sessions::list_user_sessions(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_list_user_sessions(
        &self,
        ctx: &RequestContext,
        input: AdminListUserSessionsRequest,
    ) -> Result<AdminListUserSessionsResponse, AdminListUserSessionsError> {
        user_sessions::admin_list_user_sessions(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn revoke_user_session(
        &self,
        ctx: &RequestContext,
        input: RevokeUserSessionRequest,
    ) -> Result<RevokeUserSessionResponse, RevokeUserSessionError> {
        user_sessions::revoke_user_session(self, ctx, input)
            .await
            .map_err(Into::into)
    }
    async fn admin_revoke_user_session(
        &self,
        ctx: &RequestContext,
        input: AdminRevokeUserSessionRequest,
    ) -> Result<AdminRevokeUserSessionResponse, AdminRevokeUserSessionError> {
        user_sessions::admin_revoke_user_session(self, ctx, input)
            .await
            .map_err(Into::into)
    }
}
