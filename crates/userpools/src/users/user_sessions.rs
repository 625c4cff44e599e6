//! User sessions: one per sign-in, that is one per refresh-token family, while any of its
//! tokens is live. ListUserSessions / RevokeUserSession and their admin forms.

use std::collections::BTreeMap;

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext, Timestamp};
use cognitod_store::{RefreshTokenRecord, UserRecord};

use crate::auth::tokens::check_access_token;
use crate::service::UserPools;
use crate::shared::errors;
use crate::shared::lookup::pool_user;

/// Cognito's session ids: `tkn` and 25 lowercase letters or digits.
fn session_id(family_id: &str) -> String {
    let digest = cognitod_crypto::sha256_hex(family_id.as_bytes());
    format!("tkn{}", &digest[..25])
}

/// The user's live sessions, oldest first: (family id, its tokens).
async fn live_families(
    svc: &UserPools,
    user: &UserRecord,
) -> Result<Vec<(String, Vec<RefreshTokenRecord>)>, Error> {
    let now = svc.now();
    let tokens = svc
        .store
        .list_user_refresh_tokens(&user.pool_id, &user.username_key)
        .await
        .map_err(errors::store)?;
    let mut families: BTreeMap<String, Vec<RefreshTokenRecord>> = BTreeMap::new();
    for token in tokens {
        families
            .entry(token.family_id.clone())
            .or_default()
            .push(token);
    }
    let mut live: Vec<(String, Vec<RefreshTokenRecord>)> = families
        .into_iter()
        .filter(|(_, tokens)| {
            tokens
                .iter()
                .any(|t| t.revoked_at.is_none() && t.expires_at > now)
        })
        .collect();
    live.sort_by_key(|(_, tokens)| tokens.iter().map(|t| t.auth_time).min());
    Ok(live)
}

fn describe(
    family_id: &str,
    tokens: &[RefreshTokenRecord],
    current: Option<&str>,
) -> SessionDescriptionType {
    let created = tokens.iter().map(|t| t.auth_time).min().unwrap_or_default();
    let active = tokens.iter().map(|t| t.created_at).max().unwrap_or(created);
    SessionDescriptionType {
        client_id: tokens.first().map(|t| t.client_id.clone()),
        create_date: Some(Timestamp::from_millis(created)),
        last_active_date: Some(Timestamp::from_millis(active)),
        is_current_session: current.map(|c| c == family_id),
        session_id: Some(session_id(family_id)),
        session_type: Some(SessionTypeType::Token),
        ..Default::default()
    }
}

async fn revoke(svc: &UserPools, user: &UserRecord, wanted: &str) -> Result<(), Error> {
    let families = live_families(svc, user).await?;
    let family = families
        .iter()
        .map(|(family, _)| family)
        .find(|family| session_id(family) == wanted)
        .ok_or_else(|| {
            Error::new(
                ErrorCode::ResourceNotFoundException,
                format!("Session {wanted} does not exist."),
            )
        })?;
    svc.store
        .revoke_refresh_family(&user.pool_id, family, svc.now())
        .await
        .map_err(errors::store)?;
    Ok(())
}

pub(crate) async fn list_user_sessions(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ListUserSessionsRequest,
) -> Result<ListUserSessionsResponse, Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    let families = live_families(svc, &grant.user).await?;
    let current = grant.family_id.as_deref();
    Ok(ListUserSessionsResponse {
        next_token: None,
        sessions: Some(
            families
                .iter()
                .map(|(f, t)| describe(f, t, current))
                .collect(),
        ),
    })
}

pub(crate) async fn admin_list_user_sessions(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminListUserSessionsRequest,
) -> Result<AdminListUserSessionsResponse, Error> {
    let (_, _, user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
    let families = live_families(svc, &user).await?;
    Ok(AdminListUserSessionsResponse {
        next_token: None,
        sessions: Some(families.iter().map(|(f, t)| describe(f, t, None)).collect()),
    })
}

pub(crate) async fn revoke_user_session(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: RevokeUserSessionRequest,
) -> Result<RevokeUserSessionResponse, Error> {
    let grant = check_access_token(svc, &input.access_token).await?;
    revoke(svc, &grant.user, &input.session_id).await?;
    Ok(RevokeUserSessionResponse {})
}

pub(crate) async fn admin_revoke_user_session(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: AdminRevokeUserSessionRequest,
) -> Result<AdminRevokeUserSessionResponse, Error> {
    let (_, _, user) = pool_user(svc, &input.user_pool_id, &input.username).await?;
    revoke(svc, &user, &input.session_id).await?;
    Ok(AdminRevokeUserSessionResponse {})
}
