//! Administrator password operations: AdminSetUserPassword and AdminResetUserPassword.

use cognitod_model::idp::{
    AdminResetUserPasswordRequest, AdminResetUserPasswordResponse, AdminSetUserPasswordRequest,
    AdminSetUserPasswordResponse, UserStatusType,
};
use cognitod_model::{Error, ErrorCode, RequestContext};

use crate::messages::notify;
use crate::service::UserPools;
use crate::shared::credentials::{CodeDigest, Credentials};
use crate::shared::lookup::{pool_user, save_user};
use crate::shared::password_policy;
use crate::shared::user_view::status;

/// Password-reset codes stay valid for an hour.
pub(crate) const RESET_CODE_MILLIS: i64 = 60 * 60 * 1000;

pub(crate) async fn admin_set_user_password(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminSetUserPasswordRequest,
) -> Result<AdminSetUserPasswordResponse, Error> {
    let (pool, _, mut user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
    let policy = password_policy::of_pool(&pool);
    password_policy::check_admin(&policy, &input.password)?;
    let mut credentials = Credentials::from_json(&user.credentials)?;
    password_policy::check_history(
        &policy,
        user.password_hash.as_deref(),
        &credentials,
        &input.password,
    )
    .await?;
    let now = svc.now();
    let permanent = input.permanent == Some(true);
    let next = if permanent {
        UserStatusType::Confirmed
    } else {
        UserStatusType::ForceChangePassword
    };
    crate::auth::passwords::apply(
        svc,
        &mut user,
        &mut credentials,
        &input.password,
        password_policy::history_size(&policy),
        (!permanent).then_some(now),
    )
    .await?;
    user.status = next.as_str().to_string();
    user.credentials = credentials.to_json()?;
    user.updated_at = now;
    save_user(svc, &mut user).await?;
    Ok(AdminSetUserPasswordResponse {})
}

pub(crate) async fn admin_reset_user_password(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminResetUserPasswordRequest,
) -> Result<AdminResetUserPasswordResponse, Error> {
    let (pool, _, mut user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
    if !user.enabled {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "User is disabled.",
        ));
    }
    if !matches!(
        status(&user)?,
        UserStatusType::Confirmed | UserStatusType::ResetRequired
    ) {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "User password cannot be reset in the current state.",
        ));
    }
    let destination = notify::recovery_destination(&pool, &user.attributes)?;
    let now = svc.now();
    let code = cognitod_crypto::random_code(6);
    let mut credentials = Credentials::from_json(&user.credentials)?;
    credentials.password_reset_code = Some(CodeDigest::new(&code, now + RESET_CODE_MILLIS));
    user.status = UserStatusType::ResetRequired.as_str().to_string();
    user.credentials = credentials.to_json()?;
    user.updated_at = now;
    save_user(svc, &mut user).await?;
    if let Some(to) = destination {
        notify::send_code(
            svc,
            &input.user_pool_id,
            &pool,
            &user.username,
            &to,
            "ForgotPassword",
            &code,
        )
        .await?;
    }
    Ok(AdminResetUserPasswordResponse {})
}
