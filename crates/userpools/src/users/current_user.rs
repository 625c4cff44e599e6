//! Calls a signed-in user makes with an access token (GetUser, GlobalSignOut), and the admin
//! sign-out of a user.

use cognitod_model::idp::*;
use cognitod_model::{Error, RequestContext};
use cognitod_store::UserRecord;

use crate::auth::tokens::check_access_token;
use crate::service::UserPools;
use crate::shared::credentials::Credentials;
use crate::shared::errors;
use crate::shared::lookup::{pool_user, save_user};
use crate::shared::user_view;

pub(crate) async fn get_user(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: GetUserRequest,
) -> Result<GetUserResponse, Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    let view = user_view::admin_get_user(&grant.user)?;
    Ok(GetUserResponse {
        username: grant.user.username.clone(),
        user_attributes: view.user_attributes.unwrap_or_default(),
        mfa_options: view.mfa_options,
        preferred_mfa_setting: view.preferred_mfa_setting,
        user_mfa_setting_list: view.user_mfa_setting_list,
    })
}

/// Revokes every refresh token of the user and marks every access token issued so far as
/// signed out; the caller saves `user`. Revoked families stay revoked, so nothing issued
/// before comes back (GlobalSignOut, AdminUserGlobalSignOut, AdminDisableUser).
pub(crate) async fn revoke_all_tokens(svc: &UserPools, user: &mut UserRecord) -> Result<(), Error> {
    let now = svc.now();
    svc.store
        .revoke_user_refresh_tokens(&user.pool_id, &user.username_key, now)
        .await
        .map_err(errors::store)?;
    let mut credentials = Credentials::from_json(&user.credentials)?;
    credentials.signed_out_at = Some(now);
    user.credentials = credentials.to_json()?;
    Ok(())
}

async fn sign_out_everywhere(svc: &UserPools, mut user: UserRecord) -> Result<(), Error> {
    revoke_all_tokens(svc, &mut user).await?;
    save_user(svc, &mut user).await
}

pub(crate) async fn global_sign_out(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: GlobalSignOutRequest,
) -> Result<GlobalSignOutResponse, Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    sign_out_everywhere(svc, grant.user).await?;
    Ok(GlobalSignOutResponse {})
}

pub(crate) async fn admin_user_global_sign_out(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminUserGlobalSignOutRequest,
) -> Result<AdminUserGlobalSignOutResponse, Error> {
    let (_, _, user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
    sign_out_everywhere(svc, user).await?;
    Ok(AdminUserGlobalSignOutResponse {})
}
