//! Attacks on tokens: forged, altered, misused and stale JWTs and refresh tokens are refused
//! with Cognito's errors, and none of them changes anything.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider as idp;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognitod_testkit::TestServer;
use hmac::{Hmac, Mac};
use idp::types::{AuthFlowType, PreventUserExistenceErrorTypes};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::signin::{PASSWORD, claims, confirmed_user, create_client, password_sign_in};
use crate::{attr, create_pool, error_of};

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn header(token: &str) -> Value {
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// `header.payload.signature` from JSON parts and raw signature bytes.
fn assemble(header: &Value, payload: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes()),
        b64(signature)
    )
}

/// The token with its payload replaced and the original signature kept.
fn with_payload(token: &str, payload: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    format!(
        "{}.{}.{}",
        parts[0],
        b64(payload.to_string().as_bytes()),
        parts[2]
    )
}

struct Signed {
    server: TestServer,
    idp: idp::Client,
    pool: String,
    client: String,
    access: String,
    id: String,
    refresh: String,
}

async fn signed_in() -> Signed {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "tokens").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    confirmed_user(&idp, &pool, "tia").await;
    let tokens = password_sign_in(&idp, &client, "tia", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    Signed {
        access: tokens.access_token.unwrap(),
        id: tokens.id_token.unwrap(),
        refresh: tokens.refresh_token.unwrap(),
        server,
        idp,
        pool,
        client,
    }
}

async fn get_user_error(idp: &idp::Client, token: &str) -> (String, String) {
    error_of(idp.get_user().access_token(token).send().await)
}

fn invalid() -> (String, String) {
    (
        "NotAuthorizedException".into(),
        "Invalid Access Token".into(),
    )
}

#[tokio::test]
async fn forged_and_altered_access_tokens_are_refused() {
    let s = signed_in().await;
    let real_header = header(&s.access);
    let payload = claims(&s.access);
    let kid = real_header["kid"].as_str().unwrap().to_string();

    // alg=none, with and without a signature.
    let none = json!({ "kid": kid, "alg": "none" });
    assert_eq!(
        get_user_error(&s.idp, &assemble(&none, &payload, b"")).await,
        invalid()
    );
    assert_eq!(
        get_user_error(&s.idp, &assemble(&none, &payload, b"sig")).await,
        invalid()
    );

    // HS256 keyed with the public key, in each form an attacker might try.
    let jwks: Value = reqwest::get(format!("{}/{}/.well-known/jwks.json", s.server.url, s.pool))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap()
        .clone();
    let hs256 = json!({ "kid": kid, "alg": "HS256" });
    for secret in [
        jwk.to_string().into_bytes(),
        jwk["n"].as_str().unwrap().as_bytes().to_vec(),
        URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap(),
    ] {
        let unsigned = format!(
            "{}.{}",
            b64(hs256.to_string().as_bytes()),
            b64(payload.to_string().as_bytes())
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret).unwrap();
        mac.update(unsigned.as_bytes());
        let forged = format!("{unsigned}.{}", b64(&mac.finalize().into_bytes()));
        assert_eq!(get_user_error(&s.idp, &forged).await, invalid());
    }

    // A kid the pool never published, and no kid at all.
    for bad_header in [
        json!({ "kid": "not-a-key", "alg": "RS256" }),
        json!({ "alg": "RS256" }),
    ] {
        let parts: Vec<&str> = s.access.split('.').collect();
        let token = format!(
            "{}.{}.{}",
            b64(bad_header.to_string().as_bytes()),
            parts[1],
            parts[2]
        );
        assert_eq!(get_user_error(&s.idp, &token).await, invalid());
    }

    // Claims changed under the real signature: another user, a later expiry, more scope.
    let mut other_sub = payload.clone();
    other_sub["sub"] = json!(uuid::Uuid::new_v4().to_string());
    let mut later = payload.clone();
    later["exp"] = json!(payload["exp"].as_i64().unwrap() + 86_400);
    let mut scoped = payload.clone();
    scoped["scope"] = json!("aws.cognito.signin.user.admin openid");
    for altered in [other_sub, later, scoped] {
        assert_eq!(
            get_user_error(&s.idp, &with_payload(&s.access, &altered)).await,
            invalid()
        );
    }

    // Garbage of every shape.
    for garbage in [
        "",
        ".",
        "..",
        "a.b.c",
        "a.b.c.d",
        "eyJhbGciOiJSUzI1NiJ9",
        &format!("{}.", s.access),
        &"A".repeat(20_000),
    ] {
        let result = s.idp.get_user().access_token(garbage).send().await;
        let (code, _) = error_of(result);
        assert!(
            code == "NotAuthorizedException" || code == "InvalidParameterException",
            "{garbage:.40}: {code}"
        );
    }

    // None of it touched the user, and the real token still works.
    let me = s
        .idp
        .get_user()
        .access_token(&s.access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.username(), "tia");
}

#[tokio::test]
async fn tokens_are_bound_to_their_use_pool_and_client() {
    let s = signed_in().await;
    // An ID token is not an access token.
    assert_eq!(get_user_error(&s.idp, &s.id).await, invalid());

    // A token of another pool claiming this pool's issuer keeps the other pool's signature.
    let other_pool = create_pool(&s.idp, "other").await;
    let (other_client, _) = create_client(
        &s.idp,
        &other_pool,
        false,
        PreventUserExistenceErrorTypes::Legacy,
    )
    .await;
    confirmed_user(&s.idp, &other_pool, "tia").await;
    let other = password_sign_in(&s.idp, &other_client, "tia", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let mut moved = claims(other.access_token().unwrap());
    moved["iss"] = claims(&s.access)["iss"].clone();
    assert_eq!(
        get_user_error(&s.idp, &with_payload(other.access_token().unwrap(), &moved)).await,
        invalid()
    );

    // A refresh token works only with the client it was issued to.
    let (second_client, _) = create_client(
        &s.idp,
        &s.pool,
        false,
        PreventUserExistenceErrorTypes::Enabled,
    )
    .await;
    for client in [&second_client, &other_client] {
        let refused = s
            .idp
            .initiate_auth()
            .client_id(client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &s.refresh)
            .send()
            .await;
        assert_eq!(
            error_of(refused),
            (
                "NotAuthorizedException".into(),
                "Invalid Refresh Token.".into()
            )
        );
    }
    // A refresh token altered by one character is unknown.
    let mut altered = s.refresh.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let refused = s
        .idp
        .initiate_auth()
        .client_id(&s.client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", String::from_utf8(altered).unwrap())
        .send()
        .await;
    assert_eq!(error_of(refused).0, "NotAuthorizedException");
    // The genuine one still refreshes: nothing was revoked by the attempts.
    s.idp
        .initiate_auth()
        .client_id(&s.client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &s.refresh)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn expired_tokens_are_refused_and_change_nothing() {
    let s = signed_in().await;
    s.server.advance(Duration::from_secs(3601));
    assert_eq!(
        get_user_error(&s.idp, &s.access).await,
        (
            "NotAuthorizedException".into(),
            "Access Token has expired".into()
        )
    );
    // An expired token cannot write either.
    let refused = s
        .idp
        .update_user_attributes()
        .access_token(&s.access)
        .user_attributes(attr("name", "Mallory"))
        .send()
        .await;
    assert_eq!(error_of(refused).0, "NotAuthorizedException");
    let user = s
        .idp
        .admin_get_user()
        .user_pool_id(&s.pool)
        .username("tia")
        .send()
        .await
        .unwrap();
    assert!(user.user_attributes().iter().all(|a| a.name() != "name"));
}

#[tokio::test]
async fn tokens_of_a_deleted_pool_are_refused() {
    let s = signed_in().await;
    s.idp
        .get_user()
        .access_token(&s.access)
        .send()
        .await
        .unwrap();
    s.idp
        .delete_user_pool()
        .user_pool_id(&s.pool)
        .send()
        .await
        .unwrap();
    assert_eq!(get_user_error(&s.idp, &s.access).await, invalid());
}

#[tokio::test]
async fn disabling_a_user_revokes_every_token_for_good() {
    let s = signed_in().await;
    let refresh = |token: String| {
        s.idp
            .initiate_auth()
            .client_id(&s.client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", token)
            .send()
    };
    s.idp
        .admin_disable_user()
        .user_pool_id(&s.pool)
        .username("tia")
        .send()
        .await
        .unwrap();
    assert_eq!(
        get_user_error(&s.idp, &s.access).await.0,
        "NotAuthorizedException"
    );
    assert_eq!(
        error_of(refresh(s.refresh.clone()).await).0,
        "NotAuthorizedException"
    );
    s.idp
        .admin_enable_user()
        .user_pool_id(&s.pool)
        .username("tia")
        .send()
        .await
        .unwrap();
    // Enabled again, the user signs in anew; what was issued before stays dead.
    assert_eq!(
        get_user_error(&s.idp, &s.access).await,
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    assert_eq!(
        error_of(refresh(s.refresh.clone()).await).0,
        "NotAuthorizedException"
    );
    let fresh = password_sign_in(&s.idp, &s.client, "tia", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    s.idp
        .get_user()
        .access_token(fresh.access_token.unwrap())
        .send()
        .await
        .expect("a token issued after the enable works");
    refresh(fresh.refresh_token.unwrap())
        .await
        .expect("so does its refresh token");
}
