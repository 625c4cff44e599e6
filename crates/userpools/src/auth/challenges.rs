//! RespondToAuthChallenge and its admin form, what follows a verified password, and the
//! NEW_PASSWORD_REQUIRED challenge of admin-created users.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext};

use crate::auth::app_client::{self, AppClient};
use crate::auth::guards::{check_enabled, required};
use crate::auth::outcome::{NEW_PASSWORD_REQUIRED, Outcome};
use crate::auth::passwords;
use crate::auth::refresh;
use crate::auth::session;
use crate::auth::srp_challenge;
use crate::service::UserPools;
use crate::shared::attributes::{Schema, set};
use crate::shared::credentials::Credentials;
use crate::shared::errors;
use crate::shared::lookup::save_user_with_aliases;
use crate::shared::password_policy;
use crate::shared::user_view::status;

pub(crate) async fn respond_to_auth_challenge(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: RespondToAuthChallengeRequest,
) -> Result<RespondToAuthChallengeResponse, Error> {
    let app = app_client::load(svc, &input.client_id).await?;
    let responses = input.challenge_responses.unwrap_or_default();
    respond(
        svc,
        &app,
        input.challenge_name,
        &responses,
        input.session.as_deref(),
    )
    .await
    .map(Into::into)
}

pub(crate) async fn admin_respond_to_auth_challenge(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminRespondToAuthChallengeRequest,
) -> Result<AdminRespondToAuthChallengeResponse, Error> {
    let app = app_client::load_in_pool(svc, &input.user_pool_id, &input.client_id).await?;
    let responses = input.challenge_responses.unwrap_or_default();
    respond(
        svc,
        &app,
        input.challenge_name,
        &responses,
        input.session.as_deref(),
    )
    .await
    .map(Into::into)
}

async fn respond(
    svc: &UserPools,
    app: &AppClient,
    challenge: ChallengeNameType,
    responses: &ChallengeResponsesType,
    session: Option<&str>,
) -> Result<Outcome, Error> {
    match challenge {
        ChallengeNameType::PasswordVerifier => {
            srp_challenge::answer(svc, app, responses, session).await
        }
        ChallengeNameType::NewPasswordRequired => {
            answer_new_password(svc, app, responses, session).await
        }
        other => Err(errors::invalid_parameter(format!(
            "Challenge {} is not supported by this server yet.",
            other.as_str()
        ))),
    }
}

async fn answer_new_password(
    svc: &UserPools,
    app: &AppClient,
    responses: &ChallengeResponsesType,
    sealed: Option<&str>,
) -> Result<Outcome, Error> {
    let username = required(responses, "USERNAME")?;
    let new_password = required(responses, "NEW_PASSWORD")?;
    app.check_secret_hash(&username, responses.get("SECRET_HASH").map(String::as_str))?;
    let policy = password_policy::of_pool(&app.pool);
    password_policy::check_admin(&policy, &new_password)?;
    let session = session::redeem(svc, sealed, app.client_id(), NEW_PASSWORD_REQUIRED).await?;
    let mut user = svc
        .store
        .get_user(&app.pool_id, &app.identity.username_key(&session.username))
        .await
        .map_err(errors::store)?
        .ok_or_else(|| Error::new(ErrorCode::UserNotFoundException, "User does not exist."))?;
    check_enabled(&user)?;
    if status(&user)? != UserStatusType::ForceChangePassword {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "Invalid session for the user, session is expired.",
        ));
    }
    // userAttributes.<name> entries fill the required attributes (and may set others).
    let schema = Schema::of(&app.pool);
    let given: Vec<AttributeType> = responses
        .iter()
        .filter_map(|(key, value)| {
            key.strip_prefix("userAttributes.")
                .map(|name| AttributeType {
                    name: name.to_string(),
                    value: Some(value.clone()),
                })
        })
        .collect();
    for (name, value) in schema.validate_update(&given)? {
        match value {
            Some(value) => set(&mut user.attributes, &name, &value),
            None => crate::shared::attributes::remove(&mut user.attributes, &name),
        }
    }
    schema.check_required(&user.attributes)?;
    let mut credentials = Credentials::from_json(&user.credentials)?;
    password_policy::check_history(
        &policy,
        user.password_hash.as_deref(),
        &credentials,
        &new_password,
    )
    .await?;
    passwords::apply(
        svc,
        &mut user,
        &mut credentials,
        &new_password,
        password_policy::history_size(&policy),
        None,
    )
    .await?;
    user.status = UserStatusType::Confirmed.as_str().to_string();
    user.credentials = credentials.to_json()?;
    user.updated_at = svc.now();
    save_user_with_aliases(svc, &app.identity, &mut user).await?;
    Ok(Outcome::Tokens(
        refresh::sign_in(svc, app, &user, session.auth_time, None).await?,
    ))
}
