//! Self-registration: SignUp, ConfirmSignUp and ResendConfirmationCode.

use cognitod_messaging::Medium;
use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext};
use cognitod_store::{StoreError, UserRecord};

use crate::auth::app_client::{self, AppClient};
use crate::auth::passwords;
use crate::messages::codes::{self, Purpose};
use crate::messages::notify::{self, Destination};
use crate::service::UserPools;
use crate::shared::attributes::{Schema, set, value_of};
use crate::shared::credentials::{CodeDigest, Credentials};
use crate::shared::errors;
use crate::shared::identity::{EMAIL, PHONE};
use crate::shared::lookup::{find_user, save_user, save_user_with_aliases};
use crate::shared::password_policy;
use crate::shared::user_view::status;

/// Sign-up codes stay valid for a day.
const CONFIRMATION_CODE_MILLIS: i64 = 24 * 60 * 60 * 1000;

fn combination_not_found() -> Error {
    Error::new(
        ErrorCode::UserNotFoundException,
        "Username/client id combination not found.",
    )
}

/// Where the confirmation code of a new user goes: the auto-verified contact it has (the
/// phone first, as Cognito), or nowhere (an administrator confirms the user).
fn confirmation_destination(pool: &UserPoolType, user: &UserRecord) -> Option<Destination> {
    let auto = pool.auto_verified_attributes.clone().unwrap_or_default();
    let candidates = [
        (VerifiedAttributeType::PhoneNumber, PHONE, Medium::Sms),
        (VerifiedAttributeType::Email, EMAIL, Medium::Email),
    ];
    candidates.into_iter().find_map(|(kind, name, medium)| {
        let address = value_of(&user.attributes, name).filter(|v| !v.is_empty())?;
        auto.contains(&kind).then(|| Destination {
            medium,
            address: address.to_string(),
        })
    })
}

/// Issues a new confirmation code to the user's destination, if any.
async fn send_confirmation_code(
    svc: &UserPools,
    app: &AppClient,
    user: &mut UserRecord,
) -> Result<Option<CodeDeliveryDetailsType>, Error> {
    let Some(to) = confirmation_destination(&app.pool, user) else {
        return Ok(None);
    };
    codes::count_send(svc, &app.pool_id, &user.username_key).await?;
    let code = cognitod_crypto::random_code(6);
    let mut credentials = Credentials::from_json(&user.credentials)?;
    credentials.confirmation_code =
        Some(CodeDigest::new(&code, svc.now() + CONFIRMATION_CODE_MILLIS));
    user.credentials = credentials.to_json()?;
    save_user(svc, user).await?;
    notify::send_code(
        svc,
        &app.pool_id,
        &app.pool,
        &user.username,
        &to,
        "SignUp",
        &code,
    )
    .await?;
    Ok(Some(codes::delivery_details(&to)))
}

pub(crate) async fn sign_up(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: SignUpRequest,
) -> Result<SignUpResponse, Error> {
    let app = app_client::load(svc, &input.client_id).await?;
    app.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
    let identity = &app.identity;
    let schema = Schema::of(&app.pool);
    let mut attributes =
        schema.validate_new(input.user_attributes.as_deref().unwrap_or_default())?;
    let sub = cognitod_crypto::sub();
    let username = if identity.uses_username_attributes() {
        let kind = identity.username_attribute_for(&input.username)?;
        set(&mut attributes, kind, &input.username);
        sub.clone()
    } else {
        identity.check_username_shape(&input.username)?;
        input.username.clone()
    };
    attributes.insert(0, ("sub".to_string(), sub.clone()));
    schema.check_required(&attributes)?;
    let password = input
        .password
        .as_deref()
        .ok_or_else(|| errors::invalid_parameter("Missing required parameter Password"))?;
    let policy = password_policy::of_pool(&app.pool);
    if let Some(reason) = password_policy::violation(&policy, password) {
        return Err(Error::new(
            ErrorCode::InvalidPasswordException,
            format!("Password did not conform with policy: {reason}"),
        ));
    }
    let (hash, srp) = passwords::secrets(svc, &app.pool_id, &username, password).await?;
    let now = svc.now();
    let mut user = UserRecord {
        pool_id: app.pool_id.clone(),
        username_key: identity.username_key(&username),
        username,
        sub: sub.clone(),
        status: UserStatusType::Unconfirmed.as_str().to_string(),
        enabled: true,
        attributes,
        password_hash: Some(hash),
        credentials: Credentials {
            srp,
            ..Default::default()
        }
        .to_json()?,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    let aliases = identity.alias_keys(&user.attributes);
    match svc.store.create_user(&user, &aliases).await {
        Ok(()) => {}
        Err(StoreError::UsernameExists) => {
            return Err(Error::new(
                ErrorCode::UsernameExistsException,
                "User already exists",
            ));
        }
        Err(StoreError::AliasExists { kind }) => {
            return Err(Error::new(
                ErrorCode::UsernameExistsException,
                format!("An account with the given {kind} already exists."),
            ));
        }
        Err(other) => return Err(errors::store(other)),
    }
    let delivery = send_confirmation_code(svc, &app, &mut user).await?;
    Ok(SignUpResponse {
        code_delivery_details: delivery,
        session: None,
        user_confirmed: false,
        user_sub: sub,
    })
}

pub(crate) async fn confirm_sign_up(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ConfirmSignUpRequest,
) -> Result<ConfirmSignUpResponse, Error> {
    let app = app_client::load(svc, &input.client_id).await?;
    app.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
    let Some(mut user) = find_user(svc, &app.pool_id, &app.identity, &input.username).await? else {
        if app.hides_users() {
            let key = app.identity.username_key(&input.username);
            return Err(codes::refuse_unknown(svc, &app.pool_id, Purpose::SignUp, &key).await);
        }
        return Err(combination_not_found());
    };
    let current = status(&user)?;
    if current != UserStatusType::Unconfirmed {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            format!(
                "User cannot be confirmed. Current status is {}",
                current.as_str()
            ),
        ));
    }
    let mut credentials = Credentials::from_json(&user.credentials)?;
    let pending = credentials.confirmation_code.clone();
    codes::check(
        svc,
        &user,
        Purpose::SignUp,
        pending.as_ref(),
        &input.confirmation_code,
    )
    .await?;
    // The contact the code went to is now verified.
    if let Some(to) = confirmation_destination(&app.pool, &user) {
        let attribute = match to.medium {
            Medium::Email => "email_verified",
            Medium::Sms => "phone_number_verified",
        };
        set(&mut user.attributes, attribute, "true");
    }
    credentials.confirmation_code = None;
    user.credentials = credentials.to_json()?;
    user.status = UserStatusType::Confirmed.as_str().to_string();
    user.updated_at = svc.now();
    save_user_with_aliases(svc, &app.identity, &mut user).await?;
    Ok(ConfirmSignUpResponse { session: None })
}

pub(crate) async fn resend_confirmation_code(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ResendConfirmationCodeRequest,
) -> Result<ResendConfirmationCodeResponse, Error> {
    let app = app_client::load(svc, &input.client_id).await?;
    app.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
    let Some(mut user) = find_user(svc, &app.pool_id, &app.identity, &input.username).await? else {
        if app.hides_users() {
            return Ok(ResendConfirmationCodeResponse {
                code_delivery_details: Some(pretend_delivery(svc, &app, &input.username).await?),
            });
        }
        return Err(combination_not_found());
    };
    if status(&user)? != UserStatusType::Unconfirmed {
        return Err(errors::invalid_parameter("User is already confirmed."));
    }
    let delivery = send_confirmation_code(svc, &app, &mut user)
        .await?
        .ok_or_else(|| {
            errors::invalid_parameter(
                "The user has no auto-verified email or phone_number to send a code to.",
            )
        })?;
    Ok(ResendConfirmationCodeResponse {
        code_delivery_details: Some(delivery),
    })
}

/// A code pretended to be sent to a name nobody has, when the client hides users: counted
/// against the send limit as a real send is, and described as a real delivery would be.
pub(crate) async fn pretend_delivery(
    svc: &UserPools,
    app: &AppClient,
    username: &str,
) -> Result<CodeDeliveryDetailsType, Error> {
    codes::count_send(svc, &app.pool_id, &app.identity.username_key(username)).await?;
    Ok(simulated_delivery(username))
}

/// What an unknown user's code delivery looks like when the client hides users.
fn simulated_delivery(username: &str) -> CodeDeliveryDetailsType {
    let address = if username.contains('@') {
        username.to_string()
    } else {
        let seed = username.bytes().fold(0u8, |a, b| a.wrapping_add(b));
        format!(
            "{}@{}.com",
            char::from(b'a' + seed % 26),
            char::from(b'a' + (seed / 26) % 26)
        )
    };
    codes::delivery_details(&Destination {
        medium: Medium::Email,
        address,
    })
}
