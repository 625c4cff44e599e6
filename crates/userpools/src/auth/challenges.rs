//! RespondToAuthChallenge and its admin form, what follows a verified password, and the
//! NEW_PASSWORD_REQUIRED challenge of admin-created users.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext};
use cognitod_store::UserRecord;

use crate::UserPools;
use crate::auth::app_client::{self, AppClient};
use crate::auth::passwords;
use crate::auth::refresh;
use crate::auth::session::{self, AuthSession};
use crate::auth::sign_in::{check_can_sign_in, check_enabled, required};
use crate::auth::srp_challenge;
use crate::shared::attributes::{Schema, set, value_of};
use crate::shared::credentials::Credentials;
use crate::shared::errors;
use crate::shared::lookup::save_user_with_aliases;
use crate::shared::password_policy;
use crate::shared::user_view::status;

const NEW_PASSWORD_REQUIRED: &str = "NEW_PASSWORD_REQUIRED";
const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// Where a step of an auth flow ends: tokens, or the next challenge.
pub(crate) enum Outcome {
    Tokens(AuthenticationResultType),
    Challenge {
        name: ChallengeNameType,
        session: String,
        parameters: ChallengeParametersType,
    },
}

macro_rules! outcome_into {
    ($($response:ty),*) => {$(
        impl From<Outcome> for $response {
            fn from(outcome: Outcome) -> Self {
                match outcome {
                    Outcome::Tokens(result) => Self {
                        authentication_result: Some(result),
                        challenge_parameters: Some(ChallengeParametersType::new()),
                        ..Default::default()
                    },
                    Outcome::Challenge { name, session, parameters } => Self {
                        challenge_name: Some(name),
                        session: Some(session),
                        challenge_parameters: Some(parameters),
                        ..Default::default()
                    },
                }
            }
        }
    )*};
}
outcome_into!(
    InitiateAuthResponse,
    AdminInitiateAuthResponse,
    RespondToAuthChallengeResponse,
    AdminRespondToAuthChallengeResponse
);

/// After a correct password: status checks, then NEW_PASSWORD_REQUIRED or tokens.
pub(crate) async fn after_password(
    svc: &UserPools,
    app: &AppClient,
    user: UserRecord,
    auth_time: i64,
) -> Result<Outcome, Error> {
    check_can_sign_in(&user)?;
    if status(&user)? == UserStatusType::ForceChangePassword {
        return new_password_challenge(svc, app, &user, auth_time);
    }
    Ok(Outcome::Tokens(
        refresh::sign_in(svc, app, &user, auth_time, None).await?,
    ))
}

fn new_password_challenge(
    svc: &UserPools,
    app: &AppClient,
    user: &UserRecord,
    auth_time: i64,
) -> Result<Outcome, Error> {
    let credentials = Credentials::from_json(&user.credentials)?;
    let validity_days = password_policy::of_pool(&app.pool)
        .temporary_password_validity_days
        .unwrap_or(7);
    if let Some(set_at) = credentials.temporary_password_set_at
        && svc.now() > set_at + i64::from(validity_days) * DAY_MILLIS
    {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "Temporary password has expired and must be reset by an administrator.",
        ));
    }
    let schema = Schema::of(&app.pool);
    let missing: Vec<String> = schema
        .required()
        .filter(|name| value_of(&user.attributes, name).is_none())
        .map(|name| format!("userAttributes.{name}"))
        .collect();
    let visible: serde_json::Map<String, serde_json::Value> = user
        .attributes
        .iter()
        .filter(|(name, _)| name != "sub")
        .map(|(n, v)| (n.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let mut session = AuthSession::new(
        NEW_PASSWORD_REQUIRED,
        &app.pool_id,
        app.client_id(),
        &user.username,
        svc.now(),
        app.session_millis(),
    );
    session.auth_time = auth_time;
    let mut parameters = ChallengeParametersType::new();
    parameters.insert("USER_ID_FOR_SRP".into(), user.username.clone());
    parameters.insert(
        "requiredAttributes".into(),
        serde_json::to_string(&missing).map_err(errors::internal)?,
    );
    parameters.insert(
        "userAttributes".into(),
        serde_json::Value::Object(visible).to_string(),
    );
    Ok(Outcome::Challenge {
        name: ChallengeNameType::NewPasswordRequired,
        session: session.seal(svc)?,
        parameters,
    })
}

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
