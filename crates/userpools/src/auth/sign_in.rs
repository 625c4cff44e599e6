//! InitiateAuth and AdminInitiateAuth: the first step of every auth flow.

use cognitod_model::idp::*;
use cognitod_model::{Error, RequestContext};

use crate::auth::app_client::{self, AppClient, Flow};
use crate::auth::guards::{check_enabled, incorrect_credentials, required, unknown_user};
use crate::auth::outcome::{Outcome, after_password};
use crate::auth::passwords;
use crate::auth::refresh;
use crate::auth::srp_challenge;
use crate::service::UserPools;
use crate::shared::errors;
use crate::shared::lookup::find_user;

pub(crate) async fn initiate_auth(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: InitiateAuthRequest,
) -> Result<InitiateAuthResponse, Error> {
    let app = app_client::load(svc, &input.client_id).await?;
    let params = input.auth_parameters.unwrap_or_default();
    let outcome = match input.auth_flow {
        AuthFlowType::UserSrpAuth => srp_challenge::start(svc, &app, &params).await?,
        AuthFlowType::UserPasswordAuth => {
            app.require(Flow::UserPassword, "USER_PASSWORD_AUTH")?;
            password_flow(svc, &app, &params).await?
        }
        AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => {
            Outcome::Tokens(refresh::refresh_flow(svc, &app, &params).await?)
        }
        AuthFlowType::AdminNoSrpAuth | AuthFlowType::AdminUserPasswordAuth => {
            return Err(errors::invalid_parameter(format!(
                "Initiate Auth method not supported: {} is an AdminInitiateAuth flow.",
                input.auth_flow.as_str()
            )));
        }
        other => return Err(unsupported_flow(&app, other)),
    };
    Ok(outcome.into())
}

pub(crate) async fn admin_initiate_auth(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminInitiateAuthRequest,
) -> Result<AdminInitiateAuthResponse, Error> {
    let app = app_client::load_in_pool(svc, &input.user_pool_id, &input.client_id).await?;
    let params = input.auth_parameters.unwrap_or_default();
    let outcome = match input.auth_flow {
        AuthFlowType::AdminNoSrpAuth | AuthFlowType::AdminUserPasswordAuth => {
            app.require(Flow::AdminUserPassword, "ADMIN_USER_PASSWORD_AUTH")?;
            password_flow(svc, &app, &params).await?
        }
        AuthFlowType::UserSrpAuth => srp_challenge::start(svc, &app, &params).await?,
        AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => {
            Outcome::Tokens(refresh::refresh_flow(svc, &app, &params).await?)
        }
        AuthFlowType::UserPasswordAuth => {
            return Err(errors::invalid_parameter(
                "Initiate Auth method not supported: USER_PASSWORD_AUTH is an InitiateAuth flow.",
            ));
        }
        other => return Err(unsupported_flow(&app, other)),
    };
    Ok(outcome.into())
}

fn unsupported_flow(app: &AppClient, flow: AuthFlowType) -> Error {
    if flow == AuthFlowType::CustomAuth && !app.allows(Flow::Custom) {
        return errors::invalid_parameter("CUSTOM_AUTH flow not enabled for this client");
    }
    errors::invalid_parameter(format!(
        "{} is not supported by this server yet.",
        flow.as_str()
    ))
}

/// USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: the password checked against its hash.
async fn password_flow(
    svc: &UserPools,
    app: &AppClient,
    params: &AuthParametersType,
) -> Result<Outcome, Error> {
    let username = required(params, "USERNAME")?;
    let password = required(params, "PASSWORD")?;
    app.check_secret_hash(&username, params.get("SECRET_HASH").map(String::as_str))?;
    let user = find_user(svc, &app.pool_id, &app.identity, &username).await?;
    let Some(user) = user else {
        if !app.hides_users() {
            passwords::verify(None, &password).await?;
            return Err(unknown_user(app));
        }
        // Unknown names take the known-user path step for step: lockout, a hash's time,
        // a counted failure.
        let key = app.identity.username_key(&username);
        passwords::check_lockout_of(svc, &app.pool_id, &key).await?;
        passwords::verify(None, &password).await?;
        passwords::record_failure_of(svc, &app.pool_id, &key).await?;
        return Err(unknown_user(app));
    };
    check_enabled(&user)?;
    passwords::check_lockout(svc, &user).await?;
    if !passwords::verify(Some(&user), &password).await? {
        passwords::record_failure(svc, &user).await?;
        return Err(incorrect_credentials());
    }
    passwords::record_success(svc, &user).await?;
    let user = crate::auth::srp_verifiers::backfill(svc, user, &password).await?;
    after_password(svc, app, user, svc.now()).await
}
