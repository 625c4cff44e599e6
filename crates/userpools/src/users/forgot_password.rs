//! ForgotPassword, ConfirmForgotPassword and ChangePassword.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext};

use crate::auth::app_client;
use crate::auth::guards::incorrect_credentials;
use crate::auth::passwords;
use crate::auth::tokens::check_access_token;
use crate::messages::codes::{self, Purpose};
use crate::messages::notify;
use crate::service::UserPools;
use crate::shared::credentials::{CodeDigest, Credentials};
use crate::shared::errors;
use crate::shared::lookup::{find_user, save_user};
use crate::shared::password_policy;
use crate::shared::user_view::status;
use crate::users::sign_up::pretend_delivery;
use crate::users::user_passwords::RESET_CODE_MILLIS;

fn combination_not_found() -> Error {
    Error::new(
        ErrorCode::UserNotFoundException,
        "Username/client id combination not found.",
    )
}

pub(crate) async fn forgot_password(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ForgotPasswordRequest,
) -> Result<ForgotPasswordResponse, Error> {
    let app = app_client::load(svc, &input.client_id).await?;
    app.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
    let Some(mut user) = find_user(svc, &app.pool_id, &app.identity, &input.username).await? else {
        if app.hides_users() {
            return Ok(ForgotPasswordResponse {
                code_delivery_details: Some(pretend_delivery(svc, &app, &input.username).await?),
            });
        }
        return Err(combination_not_found());
    };
    if !user.enabled {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "User is disabled.",
        ));
    }
    if status(&user)? == UserStatusType::ForceChangePassword {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "User password cannot be reset in the current state.",
        ));
    }
    let to = notify::recovery_destination(&app.pool, &user.attributes)?.ok_or_else(|| {
        Error::new(
            ErrorCode::NotAuthorizedException,
            "Password reset is only possible through an administrator for this user pool.",
        )
    })?;
    codes::count_send(svc, &app.pool_id, &user.username_key).await?;
    let code = cognitod_crypto::random_code(6);
    let mut credentials = Credentials::from_json(&user.credentials)?;
    credentials.password_reset_code = Some(CodeDigest::new(&code, svc.now() + RESET_CODE_MILLIS));
    user.credentials = credentials.to_json()?;
    save_user(svc, &mut user).await?;
    notify::send_code(
        svc,
        &app.pool_id,
        &app.pool,
        &user.username,
        &to,
        "ForgotPassword",
        &code,
    )
    .await?;
    Ok(ForgotPasswordResponse {
        code_delivery_details: Some(codes::delivery_details(&to)),
    })
}

pub(crate) async fn confirm_forgot_password(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ConfirmForgotPasswordRequest,
) -> Result<ConfirmForgotPasswordResponse, Error> {
    let app = app_client::load(svc, &input.client_id).await?;
    app.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
    // Checked before the lookup, so a weak password is refused alike for every name.
    let policy = password_policy::of_pool(&app.pool);
    password_policy::check_admin(&policy, &input.password)?;
    let Some(mut user) = find_user(svc, &app.pool_id, &app.identity, &input.username).await? else {
        // A client that hides users answers as a wrong code would.
        if app.hides_users() {
            let key = app.identity.username_key(&input.username);
            return Err(
                codes::refuse_unknown(svc, &app.pool_id, Purpose::PasswordReset, &key).await,
            );
        }
        return Err(combination_not_found());
    };
    let mut credentials = Credentials::from_json(&user.credentials)?;
    let pending = credentials.password_reset_code.clone();
    codes::check(
        svc,
        &user,
        Purpose::PasswordReset,
        pending.as_ref(),
        &input.confirmation_code,
    )
    .await?;
    password_policy::check_history(
        &policy,
        user.password_hash.as_deref(),
        &credentials,
        &input.password,
    )
    .await?;
    passwords::apply(
        svc,
        &mut user,
        &mut credentials,
        &input.password,
        password_policy::history_size(&policy),
        None,
    )
    .await?;
    if matches!(
        status(&user)?,
        UserStatusType::ResetRequired | UserStatusType::ForceChangePassword
    ) {
        user.status = UserStatusType::Confirmed.as_str().to_string();
    }
    user.credentials = credentials.to_json()?;
    user.updated_at = svc.now();
    save_user(svc, &mut user).await?;
    passwords::record_success(svc, &user).await?;
    Ok(ConfirmForgotPasswordResponse {})
}

pub(crate) async fn change_password(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ChangePasswordRequest,
) -> Result<ChangePasswordResponse, Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    let mut user = grant.user;
    let (_, pool) = crate::shared::stored::load_pool(svc, &grant.pool_id).await?;
    let policy = password_policy::of_pool(&pool);
    if user.password_hash.is_some() {
        let previous = input.previous_password.as_deref().unwrap_or_default();
        passwords::check_lockout(svc, &user).await?;
        if !passwords::verify(Some(&user), previous).await? {
            passwords::record_failure(svc, &user).await?;
            return Err(incorrect_credentials());
        }
        passwords::record_success(svc, &user).await?;
    }
    password_policy::check_admin(&policy, &input.proposed_password)?;
    let mut credentials = Credentials::from_json(&user.credentials)?;
    password_policy::check_history(
        &policy,
        user.password_hash.as_deref(),
        &credentials,
        &input.proposed_password,
    )
    .await?;
    passwords::apply(
        svc,
        &mut user,
        &mut credentials,
        &input.proposed_password,
        password_policy::history_size(&policy),
        None,
    )
    .await?;
    user.credentials = credentials.to_json()?;
    user.updated_at = svc.now();
    save_user(svc, &mut user).await.map_err(|e| match e.code {
        ErrorCode::UserNotFoundException => errors::invalid_parameter("User does not exist."),
        _ => e,
    })?;
    Ok(ChangePasswordResponse {})
}
