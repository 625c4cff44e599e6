//! Sign-in through the SDK: SRP and password flows, NEW_PASSWORD_REQUIRED, tokens and their
//! claims, refresh, sign-out and revocation, and the exact errors of the negative paths.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider as idp;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognitod_testkit::TestServer;
use idp::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as Flow, PreventUserExistenceErrorTypes,
    UserStatusType,
};
use serde_json::Value;

use crate::{attr, create_pool, error_of};

pub(crate) const PASSWORD: &str = "Correct-Horse-1";

pub(crate) fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// A client allowing every password flow, SRP and refresh; optionally with a secret.
pub(crate) async fn create_client(
    idp: &idp::Client,
    pool: &str,
    secret: bool,
    prevent: PreventUserExistenceErrorTypes,
) -> (String, Option<String>) {
    let client = idp
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("app")
        .generate_secret(secret)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowUserSrpAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(prevent)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    (client.client_id.unwrap(), client.client_secret)
}

/// A confirmed user with a permanent password.
pub(crate) async fn confirmed_user(idp: &idp::Client, pool: &str, username: &str) {
    idp.admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .user_attributes(attr("email", &format!("{username}@example.com")))
        .user_attributes(attr("email_verified", "true"))
        .message_action(idp::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    idp.admin_set_user_password()
        .user_pool_id(pool)
        .username(username)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

pub(crate) async fn password_sign_in(
    idp: &idp::Client,
    client: &str,
    username: &str,
    password: &str,
) -> Result<
    idp::operation::initiate_auth::InitiateAuthOutput,
    idp::error::SdkError<idp::operation::initiate_auth::InitiateAuthError>,
> {
    idp.initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
}

/// The access token of a password sign-in that must succeed.
pub(crate) async fn access_token(
    idp: &idp::Client,
    client: &str,
    username: &str,
    password: &str,
) -> String {
    password_sign_in(idp, client, username, password)
        .await
        .unwrap_or_else(|e| panic!("sign-in of {username}: {e:?}"))
        .authentication_result
        .and_then(|tokens| tokens.access_token)
        .expect("an access token")
}

#[tokio::test]
async fn password_sign_in_issues_cognito_tokens_that_refresh_and_sign_out() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "signin").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    confirmed_user(&idp, &pool, "ana").await;
    idp.create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .precedence(1)
        .role_arn("arn:aws:iam::000000000000:role/admins")
        .send()
        .await
        .unwrap();
    idp.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("ana")
        .group_name("admins")
        .send()
        .await
        .unwrap();

    let result = password_sign_in(&idp, &client, "ana", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    let access = claims(result.access_token().unwrap());
    let id = claims(result.id_token().unwrap());
    let issuer = format!("{}/{pool}", server.url);
    assert_eq!(access["iss"], issuer.as_str());
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], client.as_str());
    assert_eq!(access["username"], "ana");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["cognito:groups"], serde_json::json!(["admins"]));
    assert!(access.get("aud").is_none());
    assert_eq!(
        access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], client.as_str());
    assert_eq!(id["cognito:username"], "ana");
    assert_eq!(id["email"], "ana@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["sub"], access["sub"]);
    assert_eq!(id["origin_jti"], access["origin_jti"]);
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/admins"
    );

    // The tokens verify against the pool's JWKS; ID and access keys differ.
    let jwks: Value = reqwest::get(format!("{issuer}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap().clone();
    // The active pair, then the next pair published ahead of its turn.
    assert_eq!(keys.len(), 4);
    for token in [result.access_token().unwrap(), result.id_token().unwrap()] {
        cognitod_crypto::jwt::verify(token, &keys).expect("token verifies with the JWKS");
    }
    let discovery: Value = reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(
        discovery["jwks_uri"],
        format!("{issuer}/.well-known/jwks.json").as_str()
    );
    // Every endpoint the document names answers; none of the OAuth2 ones is served yet.
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "revocation_endpoint",
        "end_session_endpoint",
    ] {
        assert!(discovery.get(endpoint).is_none(), "{endpoint}: {discovery}");
    }
    let jwks_status = reqwest::get(discovery["jwks_uri"].as_str().unwrap())
        .await
        .unwrap()
        .status();
    assert_eq!(jwks_status, 200);

    let user = idp
        .get_user()
        .access_token(result.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), "ana");

    let refresh = result.refresh_token().unwrap().to_string();
    let refreshed = idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(refreshed.refresh_token().is_none());
    let again = claims(refreshed.access_token().unwrap());
    assert_eq!(again["origin_jti"], access["origin_jti"]);
    assert_eq!(again["auth_time"], access["auth_time"]);

    idp.global_sign_out()
        .access_token(refreshed.access_token().unwrap())
        .send()
        .await
        .unwrap();
    let refused = idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await;
    assert_eq!(
        error_of(refused),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has been revoked".into()
        )
    );
    let refused = idp
        .get_user()
        .access_token(result.access_token().unwrap())
        .send()
        .await;
    assert_eq!(
        error_of(refused),
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    // A new sign-in works again.
    password_sign_in(&idp, &client, "ana", PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn srp_sign_in_completes_with_an_independent_client() {
    use aws_cognito_srp::{SrpClient, User};
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "srp").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    confirmed_user(&idp, &pool, "bea").await;

    for (password, accepted) in [("Wrong-Horse-1", false), (PASSWORD, true)] {
        let srp = SrpClient::new(User::new(&pool, "bea", password), &client, None);
        let started = idp
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "bea")
            .auth_parameters("SRP_A", srp.get_auth_parameters().a)
            .send()
            .await
            .unwrap();
        assert_eq!(
            started.challenge_name(),
            Some(&ChallengeNameType::PasswordVerifier)
        );
        let params = started.challenge_parameters().unwrap();
        assert_eq!(params["USER_ID_FOR_SRP"], "bea");
        let proof = srp
            .verify(
                &params["SECRET_BLOCK"],
                &params["USER_ID_FOR_SRP"],
                &params["SALT"],
                &params["SRP_B"],
            )
            .unwrap();
        let answer = idp
            .respond_to_auth_challenge()
            .client_id(&client)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(started.session().unwrap())
            .challenge_responses("USERNAME", &params["USER_ID_FOR_SRP"])
            .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &params["SECRET_BLOCK"])
            .challenge_responses("TIMESTAMP", &proof.timestamp)
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &proof.password_claim_signature)
            .send()
            .await;
        if accepted {
            let tokens = answer.unwrap().authentication_result.unwrap();
            assert_eq!(claims(tokens.access_token().unwrap())["username"], "bea");
            // The session was single-use.
            let reused = idp
                .respond_to_auth_challenge()
                .client_id(&client)
                .challenge_name(ChallengeNameType::PasswordVerifier)
                .session(started.session().unwrap())
                .challenge_responses("USERNAME", "bea")
                .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &params["SECRET_BLOCK"])
                .challenge_responses("TIMESTAMP", &proof.timestamp)
                .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &proof.password_claim_signature)
                .send()
                .await;
            assert_eq!(
                error_of(reused),
                (
                    "NotAuthorizedException".into(),
                    "Invalid session for the user, session can only be used once.".into()
                )
            );
        } else {
            assert_eq!(
                error_of(answer),
                (
                    "NotAuthorizedException".into(),
                    "Incorrect username or password.".into()
                )
            );
        }
    }
}

#[tokio::test]
async fn unknown_users_follow_prevent_user_existence_errors() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "existence").await;
    let (legacy, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    let (hidden, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    assert_eq!(
        error_of(password_sign_in(&idp, &legacy, "nobody", PASSWORD).await),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    assert_eq!(
        error_of(password_sign_in(&idp, &hidden, "nobody", PASSWORD).await),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    // SRP for an unknown user under ENABLED: a challenge of the usual shape, stable salt.
    let srp_a = "ab".repeat(384);
    let mut salts = Vec::new();
    for _ in 0..2 {
        let started = idp
            .initiate_auth()
            .client_id(&hidden)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "nobody")
            .auth_parameters("SRP_A", &srp_a)
            .send()
            .await
            .unwrap();
        assert_eq!(
            started.challenge_name(),
            Some(&ChallengeNameType::PasswordVerifier)
        );
        let params = started.challenge_parameters().unwrap();
        for name in [
            "SALT",
            "SRP_B",
            "SECRET_BLOCK",
            "USER_ID_FOR_SRP",
            "USERNAME",
        ] {
            assert!(params.contains_key(name), "{name}");
        }
        salts.push(params["SALT"].clone());
    }
    assert_eq!(salts[0], salts[1]);
    let legacy_srp = idp
        .initiate_auth()
        .client_id(&legacy)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("SRP_A", &srp_a)
        .send()
        .await;
    assert_eq!(error_of(legacy_srp).0, "UserNotFoundException");
    // SRP_A = 0 mod N is refused.
    let zero = idp
        .initiate_auth()
        .client_id(&legacy)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("SRP_A", "0")
        .send()
        .await;
    assert_eq!(error_of(zero).0, "InvalidParameterException");
}

#[tokio::test]
async fn negative_paths_give_cognito_errors() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "negative").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    confirmed_user(&idp, &pool, "cy").await;

    assert_eq!(
        error_of(password_sign_in(&idp, &client, "cy", "Wrong-Horse-1").await),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    // Disabled.
    idp.admin_disable_user()
        .user_pool_id(&pool)
        .username("cy")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(password_sign_in(&idp, &client, "cy", PASSWORD).await),
        ("NotAuthorizedException".into(), "User is disabled.".into())
    );
    idp.admin_enable_user()
        .user_pool_id(&pool)
        .username("cy")
        .send()
        .await
        .unwrap();

    // Unconfirmed (self-registered, not confirmed).
    idp.sign_up()
        .client_id(&client)
        .username("dee")
        .password(PASSWORD)
        .user_attributes(attr("email", "dee@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(password_sign_in(&idp, &client, "dee", PASSWORD).await),
        (
            "UserNotConfirmedException".into(),
            "User is not confirmed.".into()
        )
    );

    // A flow the client does not allow.
    let srp_only = idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("srp-only")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let (code, _) = error_of(password_sign_in(&idp, &srp_only, "cy", PASSWORD).await);
    assert_eq!(code, "InvalidParameterException");

    // Lockout: after 5 failures the next attempt is refused even with the right password,
    // and the lockout ends after its time.
    for _ in 0..5 {
        let (code, _) = error_of(password_sign_in(&idp, &client, "cy", "Wrong-Horse-1").await);
        assert_eq!(code, "NotAuthorizedException");
    }
    assert_eq!(
        error_of(password_sign_in(&idp, &client, "cy", PASSWORD).await),
        (
            "NotAuthorizedException".into(),
            "Password attempts exceeded".into()
        )
    );
    server.advance(Duration::from_secs(2));
    password_sign_in(&idp, &client, "cy", PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn new_password_required_then_expired_sessions() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "newpw").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    idp.admin_create_user()
        .user_pool_id(&pool)
        .username("eve")
        .temporary_password("Temp-Pass-123")
        .message_action(idp::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let start = || async {
        idp.admin_initiate_auth()
            .user_pool_id(&pool)
            .client_id(&client)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "eve")
            .auth_parameters("PASSWORD", "Temp-Pass-123")
            .send()
            .await
            .unwrap()
    };
    let started = start().await;
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    assert_eq!(
        started.challenge_parameters().unwrap()["requiredAttributes"],
        "[]"
    );

    // An expired session is refused.
    server.advance(Duration::from_secs(4 * 60));
    let expired = idp
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(started.session().unwrap())
        .challenge_responses("USERNAME", "eve")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .send()
        .await;
    assert_eq!(
        error_of(expired),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )
    );

    let started = start().await;
    let weak = idp
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(started.session().unwrap())
        .challenge_responses("USERNAME", "eve")
        .challenge_responses("NEW_PASSWORD", "short")
        .send()
        .await;
    assert_eq!(error_of(weak).0, "InvalidPasswordException");
    let done = idp
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(started.session().unwrap())
        .challenge_responses("USERNAME", "eve")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(
        done.authentication_result()
            .unwrap()
            .refresh_token()
            .is_some()
    );
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("eve")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    password_sign_in(&idp, &client, "eve", PASSWORD)
        .await
        .unwrap();
}

/// The code of the last message sent to `username`.
pub(crate) async fn last_code(server: &TestServer, pool: &str, username: &str) -> String {
    let messages = server.outbox(pool, Some(username)).await;
    let body = &messages.last().expect("a message").body;
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a 6-digit code")
        .to_string()
}

#[tokio::test]
async fn sign_up_confirm_forgot_password_and_nothing_secret_is_stored() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = crate::create_pool_verifying_email(&idp, "selfservice").await;
    let (client, secret) =
        create_client(&idp, &pool, true, PreventUserExistenceErrorTypes::Legacy).await;
    let secret = secret.unwrap();
    let hash = |user: &str| cognitod_crypto::secret_hash(&client, &secret, user);

    // A client with a secret refuses a missing or wrong SECRET_HASH.
    let missing = idp
        .sign_up()
        .client_id(&client)
        .username("fay")
        .password(PASSWORD)
        .send()
        .await;
    assert_eq!(
        error_of(missing),
        (
            "NotAuthorizedException".into(),
            format!("Client {client} is configured for secret but secret was not received")
        )
    );
    let wrong = idp
        .sign_up()
        .client_id(&client)
        .username("fay")
        .password(PASSWORD)
        .secret_hash(hash("someone-else"))
        .send()
        .await;
    assert_eq!(
        error_of(wrong),
        (
            "NotAuthorizedException".into(),
            format!("Unable to verify secret hash for client {client}")
        )
    );

    let signed_up = idp
        .sign_up()
        .client_id(&client)
        .username("fay")
        .password(PASSWORD)
        .secret_hash(hash("fay"))
        .user_attributes(attr("email", "fay@example.com"))
        .send()
        .await
        .unwrap();
    assert!(!signed_up.user_confirmed());
    let delivery = signed_up.code_delivery_details().unwrap();
    assert_eq!(delivery.destination(), Some("f***@e***"));
    let code = last_code(&server, &pool, "fay").await;
    let mismatch = idp
        .confirm_sign_up()
        .client_id(&client)
        .username("fay")
        .secret_hash(hash("fay"))
        .confirmation_code(if code == "000000" { "111111" } else { "000000" })
        .send()
        .await;
    assert_eq!(
        error_of(mismatch),
        (
            "CodeMismatchException".into(),
            "Invalid verification code provided, please try again.".into()
        )
    );
    idp.confirm_sign_up()
        .client_id(&client)
        .username("fay")
        .secret_hash(hash("fay"))
        .confirmation_code(&code)
        .send()
        .await
        .unwrap();
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("fay")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));

    // Forgot password: the code from the outbox sets a new password; an expired code fails.
    idp.forgot_password()
        .client_id(&client)
        .username("fay")
        .secret_hash(hash("fay"))
        .send()
        .await
        .unwrap();
    let old_code = last_code(&server, &pool, "fay").await;
    server.advance(Duration::from_secs(61 * 60));
    let expired = idp
        .confirm_forgot_password()
        .client_id(&client)
        .username("fay")
        .secret_hash(hash("fay"))
        .confirmation_code(&old_code)
        .password("New-Horse-22")
        .send()
        .await;
    assert_eq!(
        error_of(expired),
        (
            "ExpiredCodeException".into(),
            "Invalid code provided, please request a code again.".into()
        )
    );
    idp.forgot_password()
        .client_id(&client)
        .username("fay")
        .secret_hash(hash("fay"))
        .send()
        .await
        .unwrap();
    let reset_code = last_code(&server, &pool, "fay").await;
    idp.confirm_forgot_password()
        .client_id(&client)
        .username("fay")
        .secret_hash(hash("fay"))
        .confirmation_code(&reset_code)
        .password("New-Horse-22")
        .send()
        .await
        .unwrap();
    let tokens = idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "fay")
        .auth_parameters("PASSWORD", "New-Horse-22")
        .auth_parameters("SECRET_HASH", hash("fay"))
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let refresh = tokens.refresh_token().unwrap().to_string();

    // Nothing secret is readable in the database.
    let stored = server.database_text().await;
    for secret_value in [
        PASSWORD,
        "New-Horse-22",
        &code,
        &reset_code,
        &refresh,
        &secret,
    ] {
        assert!(
            !stored.contains(secret_value),
            "{secret_value} is stored in plaintext"
        );
    }
    assert!(!stored.contains("BEGIN PRIVATE KEY"));
}

#[tokio::test]
async fn key_rotation_keeps_issued_tokens_valid() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "rotation").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    confirmed_user(&idp, &pool, "gil").await;
    let before = password_sign_in(&idp, &client, "gil", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let old_access = before.access_token().unwrap().to_string();
    let old_kid = claims_header(&old_access);
    let jwks_url = format!("{}/{pool}/.well-known/jwks.json", server.url);
    let published_kids = |jwks: &Value| -> Vec<String> {
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_string())
            .collect()
    };
    // The active pair and, ahead of its turn, the next pair.
    let jwks: Value = reqwest::get(&jwks_url).await.unwrap().json().await.unwrap();
    let before_rotation = published_kids(&jwks);
    assert_eq!(before_rotation.len(), 4, "{jwks}");
    assert!(before_rotation[..2].contains(&old_kid));

    let new_kids = server.rotate_signing_keys(&pool).await;
    assert_eq!(new_kids.len(), 2);
    // The keys that now sign were published before the rotation.
    assert!(
        new_kids
            .iter()
            .all(|kid| before_rotation[2..].contains(kid))
    );
    // Nodes see the new keys within their cache bound.
    server.advance(Duration::from_secs(31));
    let jwks: Value = reqwest::get(&jwks_url).await.unwrap().json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap().clone();
    assert_eq!(
        keys.len(),
        6,
        "the new active keys, a fresh next pair and the retired ones: {keys:?}"
    );
    assert_eq!(published_kids(&jwks)[..2], new_kids[..]);
    cognitod_crypto::jwt::verify(&old_access, &keys).expect("an old token still verifies");
    idp.get_user()
        .access_token(&old_access)
        .send()
        .await
        .unwrap();

    let after = password_sign_in(&idp, &client, "gil", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let new_kid = claims_header(after.access_token().unwrap());
    assert_ne!(new_kid, old_kid);
    assert!(new_kids.contains(&new_kid));

    // A day later the retired keys are gone from the JWKS.
    server.advance(Duration::from_secs(25 * 60 * 60));
    let jwks: Value = reqwest::get(&jwks_url).await.unwrap().json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 4);
    assert!(!published_kids(&jwks).contains(&old_kid));
}

fn claims_header(token: &str) -> String {
    let (kid, _) = cognitod_crypto::jwt::decode_header(token).unwrap();
    kid.unwrap()
}
