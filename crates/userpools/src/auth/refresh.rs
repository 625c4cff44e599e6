//! Refresh tokens: opaque random strings of which only the SHA-256 digest is stored, grouped
//! in families (one per sign-in) for rotation, RevokeToken and GlobalSignOut.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext};
use cognitod_store::{RefreshTokenRecord, UserRecord};

use crate::auth::app_client::{self, AppClient, Flow};
use crate::auth::tokens::{self, Grant};
use crate::service::UserPools;
use crate::shared::errors;

fn new_refresh_token() -> String {
    let mut bytes = [0u8; 48];
    bytes[..32].copy_from_slice(&cognitod_crypto::srp::random_private());
    bytes[32..].copy_from_slice(&cognitod_crypto::srp::random_private()[..16]);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn digest(token: &str) -> String {
    cognitod_crypto::sha256_hex(token.as_bytes())
}

fn not_authorized(message: &str) -> Error {
    Error::new(ErrorCode::NotAuthorizedException, message)
}

fn invalid() -> Error {
    not_authorized("Invalid Refresh Token.")
}

async fn store_token(
    svc: &UserPools,
    app: &AppClient,
    user: &UserRecord,
    family_id: &str,
    auth_time: i64,
    device_key: Option<&str>,
) -> Result<String, Error> {
    let token = new_refresh_token();
    let now = svc.now();
    let record = RefreshTokenRecord {
        digest: digest(&token),
        pool_id: app.pool_id.clone(),
        client_id: app.client_id().to_string(),
        username_key: user.username_key.clone(),
        family_id: family_id.to_string(),
        device_key: device_key.map(str::to_string),
        auth_time,
        created_at: now,
        expires_at: now + app.refresh_token_seconds() * 1000,
        revoked_at: None,
        replaced_at: None,
    };
    svc.store
        .insert_refresh_token(&record)
        .await
        .map_err(errors::store)?;
    Ok(token)
}

/// Tokens for a user who just signed in: a new refresh-token family and its first tokens.
pub(crate) async fn sign_in(
    svc: &UserPools,
    app: &AppClient,
    user: &UserRecord,
    auth_time: i64,
    device_key: Option<&str>,
) -> Result<AuthenticationResultType, Error> {
    let family_id = uuid::Uuid::new_v4().to_string();
    let refresh = store_token(svc, app, user, &family_id, auth_time, device_key).await?;
    let grant = Grant {
        app,
        user,
        family_id: &family_id,
        auth_time,
        device_key,
    };
    tokens::mint(svc, &grant, Some(refresh)).await
}

/// The live token record and its user, or Cognito's refusal.
async fn redeem(
    svc: &UserPools,
    app: &AppClient,
    token: &str,
) -> Result<(RefreshTokenRecord, UserRecord), Error> {
    let record = svc
        .store
        .get_refresh_token(&digest(token))
        .await
        .map_err(errors::store)?
        .filter(|r| r.client_id == app.client_id() && r.pool_id == app.pool_id)
        .ok_or_else(invalid)?;
    let now = svc.now();
    if record.revoked_at.is_some() {
        return Err(not_authorized("Refresh Token has been revoked"));
    }
    if now >= record.expires_at {
        return Err(not_authorized("Refresh Token has expired"));
    }
    let user = svc
        .store
        .get_user(&app.pool_id, &record.username_key)
        .await
        .map_err(errors::store)?
        .ok_or_else(invalid)?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    Ok((record, user))
}

/// InitiateAuth / AdminInitiateAuth with REFRESH_TOKEN_AUTH: new ID and access tokens, no
/// new refresh token.
pub(crate) async fn refresh_flow(
    svc: &UserPools,
    app: &AppClient,
    params: &AuthParametersType,
) -> Result<AuthenticationResultType, Error> {
    app.require(Flow::RefreshToken, "REFRESH_TOKEN")?;
    let token = params
        .get("REFRESH_TOKEN")
        .ok_or_else(|| errors::invalid_parameter("Missing required parameter REFRESH_TOKEN"))?;
    if app.rotation_grace_seconds().is_some() {
        return Err(errors::invalid_parameter(
            "Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken.",
        ));
    }
    let (record, user) = redeem(svc, app, token).await?;
    // With a secret, the hash is over the internal username (cognito:username).
    app.check_secret_hash(
        &user.username,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let grant = Grant {
        app,
        user: &user,
        family_id: &record.family_id,
        auth_time: record.auth_time,
        device_key: record.device_key.as_deref(),
    };
    tokens::mint(svc, &grant, None).await
}

/// GetTokensFromRefreshToken: like REFRESH_TOKEN_AUTH, and with rotation on, a new refresh
/// token replaces the old one (which stays valid for the grace period).
pub(crate) async fn get_tokens_from_refresh_token(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: GetTokensFromRefreshTokenRequest,
) -> Result<GetTokensFromRefreshTokenResponse, Error> {
    let app = app_client::load(svc, &input.client_id).await?;
    app.check_client_secret(input.client_secret.as_deref())?;
    app.require(Flow::RefreshToken, "REFRESH_TOKEN")?;
    let (record, user) = redeem(svc, &app, &input.refresh_token).await?;
    let now = svc.now();
    let rotated = match app.rotation_grace_seconds() {
        None => None,
        Some(grace) => {
            if let Some(replaced_at) = record.replaced_at
                && now > replaced_at + grace * 1000
            {
                return Err(Error::new(
                    ErrorCode::RefreshTokenReuseException,
                    "Refresh token has already been used.",
                ));
            }
            svc.store
                .mark_refresh_token_replaced(&record.digest, now)
                .await
                .map_err(errors::store)?;
            Some(
                store_token(
                    svc,
                    &app,
                    &user,
                    &record.family_id,
                    record.auth_time,
                    record.device_key.as_deref(),
                )
                .await?,
            )
        }
    };
    let grant = Grant {
        app: &app,
        user: &user,
        family_id: &record.family_id,
        auth_time: record.auth_time,
        device_key: record.device_key.as_deref(),
    };
    Ok(GetTokensFromRefreshTokenResponse {
        authentication_result: Some(tokens::mint(svc, &grant, rotated).await?),
    })
}

/// RevokeToken: the refresh token's family goes, with every access token minted from it.
pub(crate) async fn revoke_token(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: RevokeTokenRequest,
) -> Result<RevokeTokenResponse, Error> {
    // RevokeToken answers client problems with its own error types.
    let app = app_client::load(svc, &input.client_id)
        .await
        .map_err(|_| errors::invalid_parameter("Invalid client id."))?;
    app.check_client_secret(input.client_secret.as_deref())
        .map_err(|e| Error::new(ErrorCode::UnauthorizedException, e.message))?;
    if !app.revocation_enabled() {
        return Err(Error::new(
            ErrorCode::UnsupportedOperationException,
            "Token revocation is not enabled for this client.",
        ));
    }
    if input.token.split('.').count() == 3 {
        return Err(Error::new(
            ErrorCode::UnsupportedTokenTypeException,
            "Only refresh tokens can be revoked.",
        ));
    }
    let record = svc
        .store
        .get_refresh_token(&digest(&input.token))
        .await
        .map_err(errors::store)?;
    match record {
        // Revoking a token that is unknown or already revoked succeeds, as Cognito.
        None => Ok(RevokeTokenResponse {}),
        Some(record) if record.client_id != app.client_id() => Err(Error::new(
            ErrorCode::UnauthorizedException,
            "The token was not issued to this client.",
        )),
        Some(record) => {
            svc.store
                .revoke_refresh_family(&record.pool_id, &record.family_id, svc.now())
                .await
                .map_err(errors::store)?;
            Ok(RevokeTokenResponse {})
        }
    }
}
