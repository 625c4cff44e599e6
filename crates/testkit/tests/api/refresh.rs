//! Refresh tokens: rotation through GetTokensFromRefreshToken (with its grace period and reuse
//! detection), RevokeToken, and expiry.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider as idp;
use cognitod_testkit::TestServer;
use idp::types::{
    AuthFlowType, ExplicitAuthFlowsType as Flow, FeatureType, RefreshTokenRotationType,
};

use crate::signin::{PASSWORD, claims, confirmed_user, password_sign_in};
use crate::{create_pool, error_of};

async fn client_with(
    idp: &idp::Client,
    pool: &str,
    rotation: Option<RefreshTokenRotationType>,
) -> String {
    idp.create_user_pool_client()
        .user_pool_id(pool)
        .client_name("app")
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .set_refresh_token_rotation(rotation)
        .refresh_token_validity(60)
        .token_validity_units(
            idp::types::TokenValidityUnitsType::builder()
                .refresh_token(idp::types::TimeUnitsType::Minutes)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

#[tokio::test]
async fn rotation_replaces_refresh_tokens_and_detects_reuse() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "rotation").await;
    let rotation = RefreshTokenRotationType::builder()
        .feature(FeatureType::Enabled)
        .retry_grace_period_seconds(10)
        .build()
        .unwrap();
    let client = client_with(&idp, &pool, Some(rotation)).await;
    confirmed_user(&idp, &pool, "ida").await;
    let first = password_sign_in(&idp, &client, "ida", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let old = first.refresh_token().unwrap().to_string();

    // With rotation on, REFRESH_TOKEN_AUTH is refused.
    let legacy = idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &old)
        .send()
        .await;
    assert_eq!(error_of(legacy).0, "InvalidParameterException");

    let rotated = idp
        .get_tokens_from_refresh_token()
        .client_id(&client)
        .refresh_token(&old)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let new = rotated.refresh_token().unwrap().to_string();
    assert_ne!(new, old);
    let access = claims(rotated.access_token().unwrap());
    assert_eq!(
        access["origin_jti"],
        claims(first.access_token().unwrap())["origin_jti"]
    );
    assert!(access["iat"].is_i64());

    // Within the grace period the old token still works; after it, reuse is detected.
    idp.get_tokens_from_refresh_token()
        .client_id(&client)
        .refresh_token(&old)
        .send()
        .await
        .unwrap();
    server.advance(Duration::from_secs(11));
    let reused = idp
        .get_tokens_from_refresh_token()
        .client_id(&client)
        .refresh_token(&old)
        .send()
        .await;
    assert_eq!(error_of(reused).0, "RefreshTokenReuseException");
    idp.get_tokens_from_refresh_token()
        .client_id(&client)
        .refresh_token(&new)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn revoke_token_ends_the_family_and_tokens_expire() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "revoke").await;
    let client = client_with(&idp, &pool, None).await;
    confirmed_user(&idp, &pool, "jo").await;
    let refresh = |token: String| {
        let idp = idp.clone();
        let client = client.clone();
        async move {
            idp.initiate_auth()
                .client_id(&client)
                .auth_flow(AuthFlowType::RefreshTokenAuth)
                .auth_parameters("REFRESH_TOKEN", token)
                .send()
                .await
        }
    };
    let one = password_sign_in(&idp, &client, "jo", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let two = password_sign_in(&idp, &client, "jo", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();

    // An access token cannot be revoked; a refresh token can, with its access tokens.
    let wrong_kind = idp
        .revoke_token()
        .client_id(&client)
        .token(one.access_token().unwrap())
        .send()
        .await;
    assert_eq!(error_of(wrong_kind).0, "UnsupportedTokenTypeException");
    idp.revoke_token()
        .client_id(&client)
        .token(one.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(refresh(one.refresh_token().unwrap().to_string()).await),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has been revoked".into()
        )
    );
    let revoked = idp
        .get_user()
        .access_token(one.access_token().unwrap())
        .send()
        .await;
    assert_eq!(
        error_of(revoked),
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    // The other sign-in is untouched.
    refresh(two.refresh_token().unwrap().to_string())
        .await
        .unwrap();
    idp.get_user()
        .access_token(two.access_token().unwrap())
        .send()
        .await
        .unwrap();

    // A tampered token is unknown; an expired one is refused; so is an expired access token.
    let tampered = format!("{}x", two.refresh_token().unwrap());
    assert_eq!(
        error_of(refresh(tampered).await),
        (
            "NotAuthorizedException".into(),
            "Invalid Refresh Token.".into()
        )
    );
    server.advance(Duration::from_secs(61 * 60));
    assert_eq!(
        error_of(refresh(two.refresh_token().unwrap().to_string()).await),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has expired".into()
        )
    );
    let expired = idp
        .get_user()
        .access_token(two.access_token().unwrap())
        .send()
        .await;
    assert_eq!(
        error_of(expired),
        (
            "NotAuthorizedException".into(),
            "Access Token has expired".into()
        )
    );
}

/// The session operations are newer than the SDK in the lockfile: raw JSON calls.
async fn unsigned(server: &TestServer, op: &str, body: serde_json::Value) -> serde_json::Value {
    let response = server
        .call_bytes(op, serde_json::to_vec(&body).unwrap(), None)
        .await;
    let json = response.json();
    if response.status == 200 {
        json
    } else {
        serde_json::json!({"error": json["__type"]})
    }
}

#[tokio::test]
async fn user_sessions_list_and_revoke_sign_ins() {
    use serde_json::json;
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "sessions").await;
    let client = client_with(&idp, &pool, None).await;
    confirmed_user(&idp, &pool, "kit").await;
    let mut access = Vec::new();
    for _ in 0..2 {
        let result = password_sign_in(&idp, &client, "kit", PASSWORD)
            .await
            .unwrap()
            .authentication_result
            .unwrap();
        access.push(result.access_token().unwrap().to_string());
    }
    let listed = unsigned(
        &server,
        "ListUserSessions",
        json!({"AccessToken": access[1]}),
    )
    .await;
    let sessions = listed["Sessions"].as_array().expect("Sessions").clone();
    assert_eq!(sessions.len(), 2, "{listed}");
    // Exactly one session is the caller's own.
    let others: Vec<&serde_json::Value> = sessions
        .iter()
        .filter(|s| s["IsCurrentSession"] == false)
        .collect();
    assert_eq!(others.len(), 1, "{listed}");
    for session in &sessions {
        let id = session["SessionId"].as_str().unwrap();
        assert!(id.len() == 28 && id.starts_with("tkn"), "{id}");
        assert_eq!(session["ClientId"], client.as_str());
        assert_eq!(session["SessionType"], "TOKEN");
    }
    let admin = server
        .call(
            "AdminListUserSessions",
            &json!({"UserPoolId": pool, "Username": "kit"}),
        )
        .await;
    assert_eq!(admin.status, 200, "{}", admin.body);
    assert_eq!(admin.json()["Sessions"].as_array().unwrap().len(), 2);

    // Revoking the other sign-in's session ends its tokens, not the caller's.
    let first = others[0]["SessionId"].as_str().unwrap().to_string();
    let revoked = unsigned(
        &server,
        "RevokeUserSession",
        json!({"AccessToken": access[1], "SessionId": first}),
    )
    .await;
    assert_eq!(revoked, json!({}));
    let refused = idp.get_user().access_token(&access[0]).send().await;
    assert_eq!(error_of(refused).0, "NotAuthorizedException");
    idp.get_user()
        .access_token(&access[1])
        .send()
        .await
        .unwrap();
    let again = server
        .call(
            "AdminRevokeUserSession",
            &json!({"UserPoolId": pool, "Username": "kit", "SessionId": first}),
        )
        .await;
    assert_eq!(
        again.error_type().as_deref(),
        Some("ResourceNotFoundException")
    );
}
