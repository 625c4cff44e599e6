//! App client secrets: at most two per client so a secret can be rotated without downtime
//! (kept sealed by `shared::client_secrets`). A secret's value is shown when Cognito made it
//! (on create and on add), and the first one by DescribeUserPoolClient.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext, Timestamp};
use cognitod_store::{ClientSecretRecord, StoreError};

use crate::service::UserPools;
use crate::shared::client_secrets::{MAX_SECRETS, list, store};
use crate::shared::errors::{self, invalid_parameter};
use crate::shared::stored::{load_client, load_pool};

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
