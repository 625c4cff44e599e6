//! The refusals every flow and challenge shares: missing parameters, wrong or unknown
//! credentials, and users whose state forbids signing in.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode};
use cognitod_store::UserRecord;

use crate::auth::app_client::AppClient;
use crate::shared::errors;
use crate::shared::user_view::status;

pub(crate) fn incorrect_credentials() -> Error {
    Error::new(
        ErrorCode::NotAuthorizedException,
        "Incorrect username or password.",
    )
}

pub(crate) fn required(params: &AuthParametersType, name: &str) -> Result<String, Error> {
    params
        .get(name)
        .cloned()
        .ok_or_else(|| errors::invalid_parameter(format!("Missing required parameter {name}")))
}

/// Unknown users: a generic refusal when the client hides users, else UserNotFound.
pub(crate) fn unknown_user(app: &AppClient) -> Error {
    if app.hides_users() {
        incorrect_credentials()
    } else {
        Error::new(ErrorCode::UserNotFoundException, "User does not exist.")
    }
}

pub(crate) fn check_enabled(user: &UserRecord) -> Result<(), Error> {
    if user.enabled {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "User is disabled.",
        ))
    }
}

/// Statuses that cannot sign in whatever the password.
pub(crate) fn check_can_sign_in(user: &UserRecord) -> Result<(), Error> {
    match status(user)? {
        UserStatusType::Unconfirmed => Err(Error::new(
            ErrorCode::UserNotConfirmedException,
            "User is not confirmed.",
        )),
        UserStatusType::ResetRequired => Err(Error::new(
            ErrorCode::PasswordResetRequiredException,
            "Password reset required for the user",
        )),
        _ => Ok(()),
    }
}
