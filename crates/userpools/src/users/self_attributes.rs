//! A signed-in user's own attributes and account: UpdateUserAttributes,
//! DeleteUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUser.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext};
use cognitod_store::StoreError;

use crate::auth::tokens::{AccessGrant, check_access_token};
use crate::messages::codes::{self, Purpose};
use crate::service::UserPools;
use crate::shared::attributes::{Schema, set};
use crate::shared::credentials::{CodeDigest, Credentials};
use crate::shared::errors;
use crate::shared::identity::{EMAIL, PHONE, PoolIdentity};
use crate::shared::lookup::save_user_with_aliases;
use crate::shared::stored::{load_client, load_pool};
use crate::users::admin::{ChangedBy, send_verification_code, update_attributes};

/// The attributes a user may write through the client that issued the token: the client's
/// WriteAttributes, or every mutable attribute; never the `_verified` flags.
async fn check_writable(
    svc: &UserPools,
    grant: &AccessGrant,
    names: impl Iterator<Item = &str>,
) -> Result<(), Error> {
    let client_id = grant.client_id.as_str();
    let writable = match load_client(svc, &grant.pool_id, client_id).await {
        Ok((_, client)) => client.write_attributes,
        Err(_) => None,
    };
    for name in names {
        let allowed = !name.ends_with("_verified")
            && writable
                .as_ref()
                .is_none_or(|list| list.iter().any(|w| w == name));
        if !allowed {
            return Err(Error::new(
                ErrorCode::NotAuthorizedException,
                format!("A client attempted to write unauthorized attribute {name}"),
            ));
        }
    }
    Ok(())
}

pub(crate) async fn update_user_attributes(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: UpdateUserAttributesRequest,
) -> Result<UpdateUserAttributesResponse, Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    let (_, pool) = load_pool(svc, &grant.pool_id).await?;
    check_writable(
        svc,
        &grant,
        input.user_attributes.iter().map(|a| a.name.as_str()),
    )
    .await?;
    let changes = Schema::of(&pool).validate_update(&input.user_attributes)?;
    let identity = PoolIdentity::of(&pool);
    let sent =
        update_attributes(svc, &pool, &identity, grant.user, &changes, ChangedBy::User).await?;
    let details: Vec<CodeDeliveryDetailsType> = sent.iter().map(codes::delivery_details).collect();
    Ok(UpdateUserAttributesResponse {
        code_delivery_details_list: (!details.is_empty()).then_some(details),
    })
}

pub(crate) async fn delete_user_attributes(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: DeleteUserAttributesRequest,
) -> Result<DeleteUserAttributesResponse, Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    let (_, pool) = load_pool(svc, &grant.pool_id).await?;
    check_writable(
        svc,
        &grant,
        input.user_attribute_names.iter().map(String::as_str),
    )
    .await?;
    Schema::of(&pool).validate_deletion(&input.user_attribute_names)?;
    let mut user = grant.user;
    for name in &input.user_attribute_names {
        crate::shared::attributes::remove(&mut user.attributes, name);
        if name == EMAIL || name == PHONE {
            crate::shared::attributes::remove(&mut user.attributes, &format!("{name}_verified"));
        }
    }
    user.updated_at = svc.now();
    save_user_with_aliases(svc, &PoolIdentity::of(&pool), &mut user).await?;
    Ok(DeleteUserAttributesResponse {})
}

fn verifiable(name: &str) -> Result<&'static str, Error> {
    match name {
        EMAIL => Ok(EMAIL),
        PHONE => Ok(PHONE),
        other => Err(errors::invalid_parameter(format!(
            "Attribute {other} cannot be verified: only email and phone_number can."
        ))),
    }
}

pub(crate) async fn get_user_attribute_verification_code(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: GetUserAttributeVerificationCodeRequest,
) -> Result<GetUserAttributeVerificationCodeResponse, Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    let kind = verifiable(&input.attribute_name)?;
    let (_, pool) = load_pool(svc, &grant.pool_id).await?;
    let to = send_verification_code(svc, &pool, grant.user, kind).await?;
    Ok(GetUserAttributeVerificationCodeResponse {
        code_delivery_details: Some(codes::delivery_details(&to)),
    })
}

pub(crate) async fn verify_user_attribute(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: VerifyUserAttributeRequest,
) -> Result<VerifyUserAttributeResponse, Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    let kind = verifiable(&input.attribute_name)?;
    let (_, pool) = load_pool(svc, &grant.pool_id).await?;
    let mut user = grant.user;
    let mut credentials = Credentials::from_json(&user.credentials)?;
    let pending: Option<CodeDigest> = credentials
        .attribute_verification_codes
        .get(kind)
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    codes::check(
        svc,
        &user,
        Purpose::AttributeVerification,
        pending.as_ref(),
        &input.code,
    )
    .await?;
    credentials.attribute_verification_codes.remove(kind);
    // A value held back until verified replaces the current one now.
    if let Some(pending) = credentials.pending_attributes.remove(kind) {
        set(&mut user.attributes, kind, &pending);
    }
    set(&mut user.attributes, &format!("{kind}_verified"), "true");
    user.credentials = credentials.to_json()?;
    user.updated_at = svc.now();
    // In alias pools a verified contact becomes a sign-in alias; a taken one conflicts.
    save_user_with_aliases(svc, &PoolIdentity::of(&pool), &mut user).await?;
    Ok(VerifyUserAttributeResponse {})
}

pub(crate) async fn delete_user(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: DeleteUserRequest,
) -> Result<(), Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    match svc
        .store
        .delete_user(&grant.pool_id, &grant.user.username_key)
        .await
    {
        Ok(()) | Err(StoreError::NotFound) => Ok(()),
        Err(other) => Err(errors::store(other)),
    }
}
