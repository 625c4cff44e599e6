//! AdminCreateUser: a new user in FORCE_CHANGE_PASSWORD with a temporary password, or
//! (MessageAction RESEND) a fresh temporary password and invitation for an existing one.

use cognitod_model::idp::{
    AdminCreateUserRequest, AdminCreateUserResponse, AuthFactorType, MessageActionType,
    UserPoolType, UserStatusType,
};
use cognitod_model::{Error, ErrorCode, RequestContext};
use cognitod_store::{AliasKey, StoreError, UserRecord};

use crate::messages::notify::{self, invitation_destinations};
use crate::service::UserPools;
use crate::shared::attributes::{Schema, set};
use crate::shared::credentials::Credentials;
use crate::shared::errors;
use crate::shared::identity::{PREFERRED_USERNAME, PoolIdentity};
use crate::shared::lookup::require_user;
use crate::shared::password_policy;
use crate::shared::stored::load_pool;
use crate::shared::user_view::{self, status};

pub(crate) fn username_exists() -> Error {
    Error::new(
        ErrorCode::UsernameExistsException,
        "User account already exists",
    )
}

pub(crate) async fn admin_create_user(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminCreateUserRequest,
) -> Result<AdminCreateUserResponse, Error> {
    let (_, pool) = load_pool(svc, &input.user_pool_id).await?;
    let identity = PoolIdentity::of(&pool);
    if input.message_action == Some(MessageActionType::Resend) {
        return resend(svc, &pool, &identity, &input).await;
    }
    let pool_id = input.user_pool_id.as_str();
    let schema = Schema::of(&pool);
    let mut attributes =
        schema.validate_new(input.user_attributes.as_deref().unwrap_or_default())?;
    let sub = cognitod_crypto::sub();
    let username = if identity.uses_username_attributes() {
        // The email or phone signs in; the stored username is the sub.
        let kind = identity.username_attribute_for(&input.username)?;
        set(&mut attributes, kind, &input.username);
        sub.clone()
    } else {
        identity.check_username_shape(&input.username)?;
        input.username.clone()
    };
    attributes.insert(0, ("sub".to_string(), sub.clone()));
    schema.check_required(&attributes)?;

    let policy = password_policy::of_pool(&pool);
    // Without a temporary password, a pool that signs users in with one-time codes creates
    // a passwordless, confirmed user; any other pool gets a generated password.
    let password = match &input.temporary_password {
        Some(given) => {
            password_policy::check_admin(&policy, given)?;
            Some(given.clone())
        }
        None if allows_passwordless(&pool) => None,
        None => Some(password_policy::generate_temporary(&policy)),
    };
    let destinations = if input.message_action == Some(MessageActionType::Suppress) {
        Vec::new()
    } else {
        invitation_destinations(input.desired_delivery_mediums.as_deref(), &attributes)?
    };

    let username_key = identity.username_key(&username);
    if svc
        .store
        .get_user(pool_id, &username_key)
        .await
        .map_err(errors::store)?
        .is_some()
    {
        return Err(username_exists());
    }
    let aliases = identity.alias_keys(&attributes);
    let force = input.force_alias_creation == Some(true) && !identity.uses_username_attributes();
    let mut holders = Vec::new();
    for alias in &aliases {
        let holder = svc
            .store
            .get_user_by_alias(pool_id, &alias.kind, &alias.key)
            .await
            .map_err(errors::store)?;
        match holder {
            None => {}
            // Only verified contacts move; a preferred_username always conflicts.
            Some(holder) if force && alias.kind != PREFERRED_USERNAME => {
                holders.push((holder, alias.kind.clone()))
            }
            Some(_) => return Err(identity.alias_conflict(&alias.kind, true)),
        }
    }

    let (password_hash, srp) = match &password {
        Some(password) => {
            let (hash, srp) =
                crate::auth::passwords::secrets(svc, pool_id, &username, password).await?;
            (Some(hash), srp)
        }
        None => (None, None),
    };
    let now = svc.now();
    let credentials = Credentials {
        temporary_password_set_at: password.as_ref().map(|_| now),
        srp,
        ..Default::default()
    };
    let status = match password {
        Some(_) => UserStatusType::ForceChangePassword,
        None => UserStatusType::Confirmed,
    };
    let record = UserRecord {
        pool_id: pool_id.to_string(),
        username,
        username_key,
        sub,
        status: status.as_str().to_string(),
        enabled: true,
        attributes,
        password_hash,
        credentials: credentials.to_json()?,
        created_at: now,
        updated_at: now,
        version: 0,
    };

    let mut released = Vec::new();
    for (holder, kind) in holders {
        let mut before = holder.clone();
        match release_alias(svc, &identity, holder, &kind, now).await {
            // Restoring it writes over the release, so it goes with the release's version.
            Ok(version) => before.version = version,
            Err(err) => {
                restore(svc, &identity, released).await;
                return Err(err);
            }
        }
        released.push(before);
    }
    if let Err(err) = svc.store.create_user(&record, &aliases).await {
        restore(svc, &identity, released).await;
        return Err(match err {
            StoreError::UsernameExists => username_exists(),
            StoreError::AliasExists { kind } => identity.alias_conflict(&kind, true),
            other => errors::store(other),
        });
    }

    notify::invite(
        svc,
        pool_id,
        &pool,
        &record.username,
        &input.username,
        password.as_deref().unwrap_or_default(),
        &destinations,
    )
    .await?;
    Ok(AdminCreateUserResponse {
        user: Some(user_view::user_type(&record, None)?),
    })
}

/// Whether the pool lets users sign in with one-time codes instead of a password.
fn allows_passwordless(pool: &UserPoolType) -> bool {
    pool.policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|p| p.allowed_first_auth_factors.as_ref())
        .is_some_and(|factors| {
            factors
                .iter()
                .any(|f| matches!(f, AuthFactorType::EmailOtp | AuthFactorType::SmsOtp))
        })
}

/// ForceAliasCreation: the previous holder keeps the value, unverified, and loses the alias.
async fn release_alias(
    svc: &UserPools,
    identity: &PoolIdentity,
    mut holder: UserRecord,
    kind: &str,
    now: i64,
) -> Result<i64, Error> {
    set(&mut holder.attributes, &format!("{kind}_verified"), "false");
    holder.updated_at = now;
    let aliases = identity.alias_keys(&holder.attributes);
    svc.store
        .update_user(&holder, Some(&aliases))
        .await
        .map_err(errors::store)
}

/// Puts back users whose alias was released for a create that then failed.
async fn restore(svc: &UserPools, identity: &PoolIdentity, users: Vec<UserRecord>) {
    for user in users {
        let aliases: Vec<AliasKey> = identity.alias_keys(&user.attributes);
        if let Err(err) = svc.store.update_user(&user, Some(&aliases)).await {
            tracing::warn!(error = %err, "could not give an alias back after a failed AdminCreateUser");
        }
    }
}

/// MessageAction RESEND: a new temporary password, a restarted validity clock, and the
/// invitation again. Only users still waiting for their first sign-in qualify.
async fn resend(
    svc: &UserPools,
    pool: &UserPoolType,
    identity: &PoolIdentity,
    input: &AdminCreateUserRequest,
) -> Result<AdminCreateUserResponse, Error> {
    let pool_id = input.user_pool_id.as_str();
    let mut user = require_user(svc, pool_id, identity, &input.username).await?;
    let current = status(&user)?;
    if current != UserStatusType::ForceChangePassword {
        return Err(Error::new(
            ErrorCode::UnsupportedUserStateException,
            format!(
                "Resend not possible. {} status is {}",
                input.username,
                current.as_str()
            ),
        ));
    }
    let policy = password_policy::of_pool(pool);
    let password = match &input.temporary_password {
        Some(given) => {
            password_policy::check_admin(&policy, given)?;
            given.clone()
        }
        None => password_policy::generate_temporary(&policy),
    };
    let destinations =
        invitation_destinations(input.desired_delivery_mediums.as_deref(), &user.attributes)?;
    let now = svc.now();
    let mut credentials = Credentials::from_json(&user.credentials)?;
    crate::auth::passwords::apply(svc, &mut user, &mut credentials, &password, 0, Some(now))
        .await?;
    user.credentials = credentials.to_json()?;
    user.updated_at = now;
    crate::shared::lookup::save_user(svc, &mut user).await?;
    notify::invite(
        svc,
        pool_id,
        pool,
        &user.username,
        &input.username,
        &password,
        &destinations,
    )
    .await?;
    Ok(AdminCreateUserResponse {
        user: Some(user_view::user_type(&user, None)?),
    })
}
