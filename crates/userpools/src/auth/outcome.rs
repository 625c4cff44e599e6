//! The one way out of every sign-in step: tokens or the next challenge ([`Outcome`]), and what
//! follows a verified password (status checks, NEW_PASSWORD_REQUIRED, or tokens).

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode};
use cognitod_store::UserRecord;

use crate::auth::app_client::AppClient;
use crate::auth::guards::check_can_sign_in;
use crate::auth::refresh;
use crate::auth::session::AuthSession;
use crate::service::UserPools;
use crate::shared::attributes::{Schema, value_of};
use crate::shared::credentials::Credentials;
use crate::shared::errors;
use crate::shared::password_policy;
use crate::shared::user_view::status;

pub(crate) const NEW_PASSWORD_REQUIRED: &str = "NEW_PASSWORD_REQUIRED";
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
