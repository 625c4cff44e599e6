//! Admin operations on one user: read, attribute changes, delete, enable/disable, confirm.
//! Creation lives in `create_user`, passwords in `user_passwords`.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext};
use cognitod_store::{StoreError, UserRecord};

use crate::messages::notify::{self, Destination};
use crate::service::UserPools;
use crate::shared::attributes::{Schema, remove, set, value_of};
use crate::shared::credentials::{CodeDigest, Credentials};
use crate::shared::errors;
use crate::shared::identity::{EMAIL, PHONE, PoolIdentity};
use crate::shared::lookup::{pool_user, save_user, save_user_with_aliases, user_not_found};
use crate::shared::user_view::{self, status};

pub(crate) use crate::users::create_user::admin_create_user;
pub(crate) use crate::users::user_passwords::{admin_reset_user_password, admin_set_user_password};

/// Attribute verification codes stay valid for a day.
const VERIFICATION_CODE_MILLIS: i64 = 24 * 60 * 60 * 1000;

pub(crate) async fn admin_get_user(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminGetUserRequest,
) -> Result<AdminGetUserResponse, Error> {
    let (_, _, user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
    user_view::admin_get_user(&user)
}

pub(crate) async fn admin_update_user_attributes(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminUpdateUserAttributesRequest,
) -> Result<AdminUpdateUserAttributesResponse, Error> {
    let (pool, identity, user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
    let changes = Schema::of(&pool).validate_update(&input.user_attributes)?;
    update_attributes(svc, &pool, &identity, user, &changes, ChangedBy::Admin).await?;
    Ok(AdminUpdateUserAttributesResponse {})
}

/// Applies checked attribute changes. A changed email or phone number becomes unverified
/// (unless the change sets its `_verified` flag too) and, when the pool auto-verifies it, gets
/// a verification code; returns where the codes went.
/// Who changes the attributes: a user's own changes count their code sends against the
/// send limit; an administrator's do not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChangedBy {
    User,
    Admin,
}

pub(crate) async fn update_attributes(
    svc: &UserPools,
    pool: &UserPoolType,
    identity: &PoolIdentity,
    mut user: UserRecord,
    changes: &[(String, Option<String>)],
    changed_by: ChangedBy,
) -> Result<Vec<Destination>, Error> {
    let before = user.attributes.clone();
    for (name, value) in changes {
        match value {
            Some(value) => set(&mut user.attributes, name, value),
            None => remove(&mut user.attributes, name),
        }
    }
    let set_explicitly = |name: &str| changes.iter().any(|(n, _)| n == name);
    let mut credentials = Credentials::from_json(&user.credentials)?;
    let mut to_verify = Vec::new();
    for kind in [EMAIL, PHONE] {
        let flag = format!("{kind}_verified");
        let changed = value_of(&before, kind) != value_of(&user.attributes, kind);
        if !changed || set_explicitly(&flag) {
            continue;
        }
        let new_value = value_of(&user.attributes, kind).map(str::to_string);
        // AttributesRequireVerificationBeforeUpdate: a verified contact stays in place until
        // the new one is verified; the new value waits with its code.
        if let Some(address) = &new_value
            && held_until_verified(pool, kind)
            && value_of(&before, &flag) == Some("true")
        {
            let old = value_of(&before, kind).unwrap_or_default().to_string();
            set(&mut user.attributes, kind, &old);
            credentials
                .pending_attributes
                .insert(kind.to_string(), address.clone());
            to_verify.push((kind, address.clone()));
            continue;
        }
        credentials.pending_attributes.remove(kind);
        // A new contact is unverified until proven, unless the admin vouches for it.
        match new_value {
            Some(address) => {
                set(&mut user.attributes, &flag, "false");
                to_verify.push((kind, address));
            }
            None => remove(&mut user.attributes, &flag),
        }
    }
    let auto_verified = |kind: &str| {
        pool.auto_verified_attributes
            .iter()
            .flatten()
            .any(|a| a.as_str() == kind)
    };
    let now = svc.now();
    let mut codes = Vec::new();
    for (kind, address) in to_verify
        .into_iter()
        .filter(|(kind, _)| auto_verified(kind))
    {
        if changed_by == ChangedBy::User {
            // UpdateUserAttributes has no LimitExceededException in its model: past the
            // limit the change is refused as throttled, and nothing is written.
            crate::messages::codes::count_send(svc, &user.pool_id, &user.username_key)
                .await
                .map_err(|err| match err.code {
                    ErrorCode::LimitExceededException => {
                        Error::new(ErrorCode::TooManyRequestsException, "Too many requests")
                    }
                    _ => err,
                })?;
        }
        let code = cognitod_crypto::random_code(6);
        credentials.set_attribute_code(
            kind,
            &CodeDigest::new(&code, now + VERIFICATION_CODE_MILLIS),
        )?;
        codes.push((verification_destination(kind, address), code));
    }
    user.credentials = credentials.to_json()?;
    user.updated_at = now;
    save_user_with_aliases(svc, identity, &mut user).await?;
    let mut sent = Vec::new();
    for (to, code) in codes {
        notify::send_code(
            svc,
            &user.pool_id,
            pool,
            &user.username,
            &to,
            "UpdateUserAttribute",
            &code,
        )
        .await?;
        sent.push(to);
    }
    Ok(sent)
}

/// Whether the pool keeps a verified `kind` until its replacement is verified.
fn held_until_verified(pool: &UserPoolType, kind: &str) -> bool {
    pool.user_attribute_update_settings
        .as_ref()
        .and_then(|s| s.attributes_require_verification_before_update.as_ref())
        .is_some_and(|kinds| kinds.iter().any(|k| k.as_str() == kind))
}

/// Where the verification code of `kind` (email or phone_number) goes.
pub(crate) fn verification_destination(kind: &str, address: String) -> Destination {
    let medium = if kind == EMAIL {
        cognitod_messaging::Medium::Email
    } else {
        cognitod_messaging::Medium::Sms
    };
    Destination { medium, address }
}

/// Issues a verification code for the user's `kind` attribute (1 day validity).
pub(crate) async fn send_verification_code(
    svc: &UserPools,
    pool: &UserPoolType,
    mut user: UserRecord,
    kind: &str,
) -> Result<Destination, Error> {
    let mut credentials = Credentials::from_json(&user.credentials)?;
    // A value waiting for verification is the one to verify.
    let address = credentials
        .pending_attributes
        .get(kind)
        .cloned()
        .or_else(|| value_of(&user.attributes, kind).map(str::to_string))
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            errors::invalid_parameter(format!("The user has no {kind} attribute to verify."))
        })?;
    crate::messages::codes::count_send(svc, &user.pool_id, &user.username_key).await?;
    let code = cognitod_crypto::random_code(6);
    credentials.set_attribute_code(
        kind,
        &CodeDigest::new(&code, svc.now() + VERIFICATION_CODE_MILLIS),
    )?;
    user.credentials = credentials.to_json()?;
    save_user(svc, &mut user).await?;
    let to = verification_destination(kind, address);
    notify::send_code(
        svc,
        &user.pool_id,
        pool,
        &user.username,
        &to,
        "VerifyUserAttribute",
        &code,
    )
    .await?;
    Ok(to)
}

pub(crate) async fn admin_delete_user_attributes(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminDeleteUserAttributesRequest,
) -> Result<AdminDeleteUserAttributesResponse, Error> {
    let (pool, identity, mut user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
    Schema::of(&pool).validate_deletion(&input.user_attribute_names)?;
    for name in &input.user_attribute_names {
        remove(&mut user.attributes, name);
        if name == EMAIL || name == PHONE {
            remove(&mut user.attributes, &format!("{name}_verified"));
        }
    }
    user.updated_at = svc.now();
    save_user_with_aliases(svc, &identity, &mut user).await?;
    Ok(AdminDeleteUserAttributesResponse {})
}

pub(crate) async fn admin_delete_user(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminDeleteUserRequest,
) -> Result<(), Error> {
    let (_, _, user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
    match svc
        .store
        .delete_user(&input.user_pool_id, &user.username_key)
        .await
    {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(user_not_found()),
        Err(other) => Err(errors::store(other)),
    }
}

async fn set_enabled(
    svc: &UserPools,
    pool_id: &str,
    username: &str,
    enabled: bool,
) -> Result<(), Error> {
    let (_, _, mut user) = pool_user(svc, pool_id, username).await?;
    if !enabled {
        // As Cognito does: disabling revokes every token, so enabling again revives none.
        crate::users::current_user::revoke_all_tokens(svc, &mut user).await?;
    }
    user.enabled = enabled;
    user.updated_at = svc.now();
    save_user(svc, &mut user).await
}

pub(crate) async fn admin_disable_user(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminDisableUserRequest,
) -> Result<AdminDisableUserResponse, Error> {
    set_enabled(svc, &input.user_pool_id, &input.username, false).await?;
    Ok(AdminDisableUserResponse {})
}

pub(crate) async fn admin_enable_user(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminEnableUserRequest,
) -> Result<AdminEnableUserResponse, Error> {
    set_enabled(svc, &input.user_pool_id, &input.username, true).await?;
    Ok(AdminEnableUserResponse {})
}

pub(crate) async fn admin_confirm_sign_up(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminConfirmSignUpRequest,
) -> Result<AdminConfirmSignUpResponse, Error> {
    let (_, _, mut user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
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
    user.status = UserStatusType::Confirmed.as_str().to_string();
    user.updated_at = svc.now();
    save_user(svc, &mut user).await?;
    Ok(AdminConfirmSignUpResponse {})
}
