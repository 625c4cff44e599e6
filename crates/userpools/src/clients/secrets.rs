//! App client secrets: sealed with the master key in their own records, at most two per client
//! so a secret can be rotated without downtime. A secret's value is shown when Cognito made it
//! (on create and on add), and the first one by DescribeUserPoolClient.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext, Timestamp};
use cognitod_store::{ClientSecretRecord, StoreError};

use crate::UserPools;
use crate::shared::errors::{self, invalid_parameter};
use crate::shared::stored::{load_client, load_pool};

/// Most secrets one client may hold at a time.
pub(crate) const MAX_SECRETS: usize = 2;

/// Binds a sealed secret to its client, so it cannot be moved to another one.
fn secret_aad(client_id: &str) -> Vec<u8> {
    format!("client-secret:{client_id}").into_bytes()
}

pub(crate) fn open(svc: &UserPools, record: &ClientSecretRecord) -> Result<String, Error> {
    let plain = svc
        .master_key
        .open_str(&record.sealed_secret, &secret_aad(&record.client_id))
        .map_err(errors::internal)?;
    String::from_utf8(plain).map_err(errors::internal)
}

pub(crate) async fn list(
    svc: &UserPools,
    pool_id: &str,
    client_id: &str,
) -> Result<Vec<ClientSecretRecord>, Error> {
    svc.store
        .list_client_secrets(pool_id, client_id)
        .await
        .map_err(errors::store)
}

/// Seals and stores a secret created at `now` (kept distinct from the client's other ids).
pub(crate) async fn store(
    svc: &UserPools,
    pool_id: &str,
    client_id: &str,
    secret: &str,
    existing: &[ClientSecretRecord],
) -> Result<ClientSecretRecord, Error> {
    let mut created_at = svc.now();
    // Secret ids carry the creation time: two in the same millisecond would collide.
    if let Some(latest) = existing.iter().map(|s| s.created_at).max()
        && latest >= created_at
    {
        created_at = latest + 1;
    }
    let record = ClientSecretRecord {
        pool_id: pool_id.to_string(),
        client_id: client_id.to_string(),
        secret_id: cognitod_crypto::client_secret_id(client_id, created_at),
        sealed_secret: svc
            .master_key
            .seal_to_string(secret.as_bytes(), &secret_aad(client_id)),
        created_at,
    };
    svc.store
        .add_client_secret(&record)
        .await
        .map_err(errors::store)?;
    Ok(record)
}

/// The first (oldest) secret of a client, opened.
pub(crate) async fn primary(
    svc: &UserPools,
    pool_id: &str,
    client_id: &str,
) -> Result<Option<String>, Error> {
    let secrets = list(svc, pool_id, client_id).await?;
    secrets.first().map(|s| open(svc, s)).transpose()
}

fn descriptor(record: &ClientSecretRecord, value: Option<String>) -> ClientSecretDescriptorType {
    ClientSecretDescriptorType {
        client_secret_id: Some(record.secret_id.clone()),
        client_secret_value: value,
        client_secret_create_date: Some(Timestamp::from_millis(record.created_at)),
    }
}

pub(crate) async fn add_user_pool_client_secret(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AddUserPoolClientSecretRequest,
) -> Result<AddUserPoolClientSecretResponse, Error> {
    load_pool(svc, &input.user_pool_id).await?;
    load_client(svc, &input.user_pool_id, &input.client_id).await?;
    let secrets = list(svc, &input.user_pool_id, &input.client_id).await?;
    if secrets.is_empty() {
        return Err(invalid_parameter(format!(
            "Client {} has no client secret: secrets can only be added to a confidential app \
             client.",
            input.client_id
        )));
    }
    if secrets.len() >= MAX_SECRETS {
        return Err(Error::new(
            ErrorCode::LimitExceededException,
            format!("An app client can have at most {MAX_SECRETS} client secrets."),
        ));
    }
    let generated = input.client_secret.is_none();
    let secret = input
        .client_secret
        .unwrap_or_else(cognitod_crypto::client_secret);
    let record = store(
        svc,
        &input.user_pool_id,
        &input.client_id,
        &secret,
        &secrets,
    )
    .await?;
    Ok(AddUserPoolClientSecretResponse {
        client_secret_descriptor: Some(descriptor(&record, generated.then_some(secret))),
    })
}

pub(crate) async fn list_user_pool_client_secrets(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ListUserPoolClientSecretsRequest,
) -> Result<ListUserPoolClientSecretsResponse, Error> {
    load_pool(svc, &input.user_pool_id).await?;
    load_client(svc, &input.user_pool_id, &input.client_id).await?;
    let secrets = list(svc, &input.user_pool_id, &input.client_id).await?;
    Ok(ListUserPoolClientSecretsResponse {
        client_secrets: Some(secrets.iter().map(|s| descriptor(s, None)).collect()),
        next_token: None,
    })
}

pub(crate) async fn delete_user_pool_client_secret(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: DeleteUserPoolClientSecretRequest,
) -> Result<DeleteUserPoolClientSecretResponse, Error> {
    load_pool(svc, &input.user_pool_id).await?;
    load_client(svc, &input.user_pool_id, &input.client_id).await?;
    let secrets = list(svc, &input.user_pool_id, &input.client_id).await?;
    let not_found = || {
        Error::new(
            ErrorCode::ResourceNotFoundException,
            format!("Client secret {} does not exist.", input.client_secret_id),
        )
    };
    if !secrets
        .iter()
        .any(|s| s.secret_id == input.client_secret_id)
    {
        return Err(not_found());
    }
    if secrets.len() == 1 {
        return Err(invalid_parameter(
            "The last client secret of an app client cannot be deleted.",
        ));
    }
    match svc
        .store
        .delete_client_secret(
            &input.user_pool_id,
            &input.client_id,
            &input.client_secret_id,
        )
        .await
    {
        Err(StoreError::NotFound) => Err(not_found()),
        other => other
            .map_err(errors::store)
            .map(|()| DeleteUserPoolClientSecretResponse {}),
    }
}
