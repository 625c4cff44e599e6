//! ID and access tokens: RS256 JWTs with Cognito's claim set, and the checks an access token
//! passes before a self-service call trusts it.

use cognitod_model::idp::AuthenticationResultType;
use cognitod_model::{Error, ErrorCode};
use cognitod_store::{GroupRecord, UserRecord};
use serde_json::{Map, Value, json};

use crate::auth::app_client::AppClient;
use crate::auth::signing_keys::pool_keys;
use crate::service::UserPools;
use crate::shared::credentials::Credentials;
use crate::shared::errors;

/// The scope of tokens issued through the API (not the hosted UI).
pub(crate) const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// What a new pair of tokens is minted from.
pub(crate) struct Grant<'a> {
    pub app: &'a AppClient,
    pub user: &'a UserRecord,
    /// The refresh-token family: every access token carries it as `origin_jti`.
    pub family_id: &'a str,
    /// When the user signed in (epoch ms), kept across refreshes.
    pub auth_time: i64,
    pub device_key: Option<&'a str>,
}

pub(crate) fn issuer(svc: &UserPools, pool_id: &str) -> String {
    format!("{}/{pool_id}", svc.settings.public_url)
}

/// Mints the ID and access tokens of a grant; `refresh_token` is added as given.
pub(crate) async fn mint(
    svc: &UserPools,
    grant: &Grant<'_>,
    refresh_token: Option<String>,
) -> Result<AuthenticationResultType, Error> {
    let app = grant.app;
    let keys = pool_keys(svc, &app.pool_id).await?;
    let groups = user_groups(svc, grant.user).await?;
    let now_secs = svc.now() / 1000;
    let auth_time = grant.auth_time / 1000;
    let event_id = uuid::Uuid::new_v4().to_string();
    let iss = issuer(svc, &app.pool_id);
    let group_names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    let access_seconds = app.access_token_seconds();

    let mut access = Map::new();
    access.insert("sub".into(), json!(grant.user.sub));
    if !groups.is_empty() {
        access.insert("cognito:groups".into(), json!(group_names));
    }
    access.insert("iss".into(), json!(iss));
    access.insert("client_id".into(), json!(app.client_id()));
    access.insert("origin_jti".into(), json!(grant.family_id));
    access.insert("event_id".into(), json!(event_id));
    access.insert("token_use".into(), json!("access"));
    access.insert("scope".into(), json!(ADMIN_SCOPE));
    access.insert("auth_time".into(), json!(auth_time));
    access.insert("exp".into(), json!(now_secs + access_seconds));
    access.insert("iat".into(), json!(now_secs));
    access.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    access.insert("username".into(), json!(grant.user.username));
    if let Some(device_key) = grant.device_key {
        access.insert("device_key".into(), json!(device_key));
    }

    let mut id = Map::new();
    id.insert("sub".into(), json!(grant.user.sub));
    if !groups.is_empty() {
        id.insert("cognito:groups".into(), json!(group_names));
        let roles: Vec<&str> = groups
            .iter()
            .filter_map(|g| g.role_arn.as_deref())
            .collect();
        if !roles.is_empty() {
            id.insert("cognito:roles".into(), json!(roles));
        }
        if let Some(role) = preferred_role(&groups) {
            id.insert("cognito:preferred_role".into(), json!(role));
        }
    }
    for (name, value) in readable_attributes(app, grant.user) {
        id.insert(name, value);
    }
    id.insert("iss".into(), json!(iss));
    id.insert("cognito:username".into(), json!(grant.user.username));
    id.insert("origin_jti".into(), json!(grant.family_id));
    id.insert("aud".into(), json!(app.client_id()));
    id.insert("event_id".into(), json!(event_id));
    id.insert("token_use".into(), json!("id"));
    id.insert("auth_time".into(), json!(auth_time));
    id.insert("exp".into(), json!(now_secs + app.id_token_seconds()));
    id.insert("iat".into(), json!(now_secs));
    id.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));

    Ok(AuthenticationResultType {
        access_token: Some(keys.access.sign(&Value::Object(access))),
        expires_in: Some(access_seconds as i32),
        token_type: Some("Bearer".into()),
        refresh_token,
        id_token: Some(keys.id.sign(&Value::Object(id))),
        new_device_metadata: None,
    })
}

/// The user's groups, lowest precedence first (groups without one last), as tokens list them.
async fn user_groups(svc: &UserPools, user: &UserRecord) -> Result<Vec<GroupRecord>, Error> {
    let mut groups = Vec::new();
    let mut after = None;
    loop {
        let (page, next) = svc
            .store
            .list_groups_for_user(&user.pool_id, &user.username_key, after.as_deref(), 60)
            .await
            .map_err(errors::store)?;
        groups.extend(page);
        match next {
            Some(token) => after = Some(token),
            None => break,
        }
    }
    groups.sort_by_key(|g| (g.precedence.is_none(), g.precedence, g.name.clone()));
    Ok(groups)
}

/// The role of the group with the lowest precedence; none on a tie, as Cognito.
fn preferred_role(groups: &[GroupRecord]) -> Option<&str> {
    let with_role: Vec<&GroupRecord> = groups.iter().filter(|g| g.role_arn.is_some()).collect();
    let best = with_role.iter().filter_map(|g| g.precedence).min();
    let candidates: Vec<&&GroupRecord> =
        with_role.iter().filter(|g| g.precedence == best).collect();
    match candidates.as_slice() {
        [only] => only.role_arn.as_deref(),
        _ => None,
    }
}

/// The user's attributes the client may read, typed as Cognito's ID tokens carry them.
fn readable_attributes(app: &AppClient, user: &UserRecord) -> Vec<(String, Value)> {
    let readable = app.client.read_attributes.as_ref();
    user.attributes
        .iter()
        .filter(|(name, _)| name != "sub")
        .filter(|(name, _)| readable.is_none_or(|names| names.contains(name)))
        .map(|(name, value)| {
            let typed = match name.as_str() {
                "email_verified" | "phone_number_verified" => json!(value == "true"),
                "updated_at" => value
                    .parse::<i64>()
                    .map_or_else(|_| json!(value), |n| json!(n)),
                "address" => json!({ "formatted": value }),
                _ => json!(value),
            };
            (name.clone(), typed)
        })
        .collect()
}

/// An access token that passed every check, with the user it names.
pub(crate) struct AccessGrant {
    pub pool_id: String,
    /// The app client the token was issued to.
    pub client_id: String,
    /// The refresh-token family (`origin_jti`) the token came from.
    pub family_id: Option<String>,
    pub user: UserRecord,
}

fn invalid_token() -> Error {
    Error::new(ErrorCode::NotAuthorizedException, "Invalid Access Token")
}

/// Checks an access token given to a self-service call: signature, issuer, expiry, use,
/// scope, revocation (RevokeToken, GlobalSignOut) and the user's state.
pub(crate) async fn check_access_token(svc: &UserPools, token: &str) -> Result<AccessGrant, Error> {
    let unverified = unverified_claims(token).ok_or_else(invalid_token)?;
    let iss = unverified
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(invalid_token)?;
    let pool_id = iss.rsplit('/').next().unwrap_or_default().to_string();
    if iss != issuer(svc, &pool_id) {
        return Err(invalid_token());
    }
    // Cached keys spare the hot path a read of the pool; otherwise the pool must exist
    // before keys are read (or made) for it.
    let keys = match crate::auth::signing_keys::cached_pool_keys(svc, &pool_id) {
        Some(keys) => keys,
        None => {
            if svc
                .store
                .get_pool(&pool_id)
                .await
                .map_err(errors::store)?
                .is_none()
            {
                return Err(invalid_token());
            }
            pool_keys(svc, &pool_id).await?
        }
    };
    let claims = cognitod_crypto::jwt::verify(token, &keys.jwks).map_err(|_| invalid_token())?;
    let now_secs = svc.now() / 1000;
    if claims.get("token_use").and_then(Value::as_str) != Some("access") {
        return Err(invalid_token());
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(invalid_token)?;
    if now_secs >= exp {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "Access Token has expired",
        ));
    }
    let scopes = claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !scopes.split(' ').any(|s| s == ADMIN_SCOPE) {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "Access Token does not have required scopes",
        ));
    }
    let revoked = || {
        Error::new(
            ErrorCode::NotAuthorizedException,
            "Access Token has been revoked",
        )
    };
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .ok_or_else(invalid_token)?;
    let family = claims.get("origin_jti").and_then(Value::as_str);
    let (user, family_revoked) = match family {
        Some(family) => svc
            .store
            .get_user_by_sub_checking_family(&pool_id, sub, family)
            .await
            .map_err(errors::store)?,
        None => svc
            .store
            .get_user_by_sub(&pool_id, sub)
            .await
            .map_err(errors::store)?
            .map(|user| (user, false)),
    }
    .ok_or_else(|| Error::new(ErrorCode::NotAuthorizedException, "User does not exist."))?;
    let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or(0);
    let credentials = Credentials::from_json(&user.credentials)?;
    // Same-second tokens are left to the family check (GlobalSignOut revokes every family).
    if credentials.signed_out_at.is_some_and(|at| iat < at / 1000) || family_revoked {
        return Err(revoked());
    }
    if !user.enabled {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "User is disabled.",
        ));
    }
    let client_id = claims
        .get("client_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let family_id = family.map(str::to_string);
    Ok(AccessGrant {
        pool_id,
        client_id,
        family_id,
        user,
    })
}

fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}
