//! The SRP verifier is kept only while SRP sign-in is possible in the pool: dropped when no
//! client allows it any more, given back by the next password sign-in once one does again.

use aws_cognito_srp::{SrpClient, User};
use aws_sdk_cognitoidentityprovider as idp;
use cognitod_testkit::TestServer;
use idp::types::{AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as Flow};

use crate::signin::{PASSWORD, confirmed_user, password_sign_in};
use crate::{attr, create_pool, error_of};

async fn client_with(idp: &idp::Client, pool: &str, flows: &[Flow]) -> String {
    let mut call = idp
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("app");
    for flow in flows {
        call = call.explicit_auth_flows(flow.clone());
    }
    call.send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

/// A full SRP sign-in; Ok(()) when it issued tokens, else the error type and message.
async fn srp_sign_in(
    idp: &idp::Client,
    pool: &str,
    client: &str,
    username: &str,
) -> Result<(), (String, String)> {
    let srp = SrpClient::new(User::new(pool, username, PASSWORD), client, None);
    let started = idp
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", srp.get_auth_parameters().a)
        .send()
        .await
        .map_err(|e| error_of::<(), _>(Err(e)))?;
    let params = started.challenge_parameters().unwrap();
    let proof = srp
        .verify(
            &params["SECRET_BLOCK"],
            &params["USER_ID_FOR_SRP"],
            &params["SALT"],
            &params["SRP_B"],
        )
        .unwrap();
    idp.respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .session(started.session().unwrap())
        .challenge_responses("USERNAME", &params["USER_ID_FOR_SRP"])
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &params["SECRET_BLOCK"])
        .challenge_responses("TIMESTAMP", &proof.timestamp)
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &proof.password_claim_signature)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_of::<(), _>(Err(e)))
}

async fn has_verifier(server: &TestServer, pool: &str, username: &str) -> bool {
    let user = server
        .store()
        .get_user(pool, username)
        .await
        .unwrap()
        .unwrap();
    user.credentials.get("srp").is_some()
}

#[tokio::test]
async fn verifiers_live_only_while_a_client_allows_srp() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "verifiers").await;

    // Before any client exists, SRP is still possible (a new client allows it by default).
    confirmed_user(&idp, &pool, "ann").await;
    assert!(has_verifier(&server, &pool, "ann").await);

    // The pool's first client does not allow SRP: every verifier goes.
    let password_client = client_with(
        &idp,
        &pool,
        &[Flow::AllowUserPasswordAuth, Flow::AllowRefreshTokenAuth],
    )
    .await;
    assert!(!has_verifier(&server, &pool, "ann").await);
    // Passwords set now leave none either.
    idp.sign_up()
        .client_id(&password_client)
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .unwrap();
    assert!(!has_verifier(&server, &pool, "bob").await);
    password_sign_in(&idp, &password_client, "ann", PASSWORD)
        .await
        .unwrap();
    assert!(!has_verifier(&server, &pool, "ann").await);

    // An SRP client arrives: without a verifier, SRP refuses like a wrong password...
    let srp_client = client_with(
        &idp,
        &pool,
        &[Flow::AllowUserSrpAuth, Flow::AllowRefreshTokenAuth],
    )
    .await;
    assert_eq!(
        srp_sign_in(&idp, &pool, &srp_client, "ann").await,
        Err((
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        ))
    );
    // ...until a password sign-in gives the user one back.
    password_sign_in(&idp, &password_client, "ann", PASSWORD)
        .await
        .unwrap();
    assert!(has_verifier(&server, &pool, "ann").await);
    srp_sign_in(&idp, &pool, &srp_client, "ann").await.unwrap();

    // The SRP client stops allowing SRP: the verifiers go again.
    idp.update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&srp_client)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    assert!(!has_verifier(&server, &pool, "ann").await);

    // A client with Cognito's default flows (SRP among them) brings SRP back; deleting it
    // again drops the verifier a new password left.
    let default_client = client_with(&idp, &pool, &[]).await;
    idp.admin_set_user_password()
        .user_pool_id(&pool)
        .username("ann")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    assert!(has_verifier(&server, &pool, "ann").await);
    srp_sign_in(&idp, &pool, &default_client, "ann")
        .await
        .unwrap();
    idp.delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&default_client)
        .send()
        .await
        .unwrap();
    assert!(!has_verifier(&server, &pool, "ann").await);
}
