//! Guessing attacks: brute force of passwords and codes, sequential and in parallel, hits the
//! limits; under PreventUserExistenceErrors an unknown name cannot be told from a known one by
//! its errors, its lockout or its timing.

use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider as idp;
use cognitod_testkit::TestServer;
use idp::types::{AuthFlowType, PreventUserExistenceErrorTypes};

use crate::signin::{PASSWORD, confirmed_user, create_client, password_sign_in};
use crate::{attr, create_pool, error_of};

fn limit_exceeded() -> (String, String) {
    (
        "LimitExceededException".into(),
        "Attempt limit exceeded, please try after some time.".into(),
    )
}

fn mismatch() -> (String, String) {
    (
        "CodeMismatchException".into(),
        "Invalid verification code provided, please try again.".into(),
    )
}

fn wrong_code(right: &str) -> String {
    format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn sign_up_codes_allow_five_answers() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = crate::create_pool_verifying_email(&idp, "codes").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    idp.sign_up()
        .client_id(&client)
        .username("cody")
        .password(PASSWORD)
        .user_attributes(attr("email", "cody@example.com"))
        .send()
        .await
        .unwrap();
    let code = crate::signin::last_code(&server, &pool, "cody").await;
    let confirm = |code: String| {
        idp.confirm_sign_up()
            .client_id(&client)
            .username("cody")
            .confirmation_code(code)
            .send()
    };
    for _ in 0..5 {
        assert_eq!(error_of(confirm(wrong_code(&code)).await), mismatch());
    }
    // The sixth answer is refused even when right.
    assert_eq!(error_of(confirm(code.clone()).await), limit_exceeded());
    // A new code does not start over (that would buy five guesses per resend)...
    idp.resend_confirmation_code()
        .client_id(&client)
        .username("cody")
        .send()
        .await
        .unwrap();
    let fresh = crate::signin::last_code(&server, &pool, "cody").await;
    assert_eq!(error_of(confirm(fresh.clone()).await), limit_exceeded());
    // ...a quiet quarter of an hour does.
    server.advance(Duration::from_secs(15 * 60 + 1));
    confirm(fresh).await.unwrap();
    password_sign_in(&idp, &client, "cody", PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn parallel_guesses_cannot_outrun_the_code_limit() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "parallel").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    confirmed_user(&idp, &pool, "pia").await;
    idp.forgot_password()
        .client_id(&client)
        .username("pia")
        .send()
        .await
        .unwrap();
    let code = crate::signin::last_code(&server, &pool, "pia").await;
    let guesses = (0..40).map(|i| {
        let idp = idp.clone();
        let client = client.clone();
        let guess = format!("{:06}", (code.parse::<u32>().unwrap() + 1 + i) % 1_000_000);
        async move {
            idp.confirm_forgot_password()
                .client_id(client)
                .username("pia")
                .confirmation_code(guess)
                .password("Taken-Over-1")
                .send()
                .await
        }
    });
    let results = futures::future::join_all(guesses).await;
    let mut answered = 0;
    for result in results {
        let error = error_of(result);
        if error == mismatch() {
            answered += 1;
        } else {
            assert_eq!(error, limit_exceeded());
        }
    }
    assert!(answered <= 5, "{answered} guesses were compared");
    // The right code is refused now, and the password did not change.
    let refused = idp
        .confirm_forgot_password()
        .client_id(&client)
        .username("pia")
        .confirmation_code(&code)
        .password("Taken-Over-1")
        .send()
        .await;
    assert_eq!(error_of(refused), limit_exceeded());
    password_sign_in(&idp, &client, "pia", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        error_of(password_sign_in(&idp, &client, "pia", "Taken-Over-1").await).0,
        "NotAuthorizedException"
    );
}

#[tokio::test]
async fn parallel_password_guesses_hit_the_lockout() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "lockout").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    confirmed_user(&idp, &pool, "lou").await;
    let guesses = (0..20).map(|i| {
        let idp = idp.clone();
        let client = client.clone();
        async move { password_sign_in(&idp, &client, "lou", &format!("Guess-{i}-Aa1")).await }
    });
    for result in futures::future::join_all(guesses).await {
        assert_eq!(error_of(result).0, "NotAuthorizedException");
    }
    // Every failure counted: the right password is refused while the lockout lasts.
    assert_eq!(
        error_of(password_sign_in(&idp, &client, "lou", PASSWORD).await),
        (
            "NotAuthorizedException".into(),
            "Password attempts exceeded".into()
        )
    );
    // The lockout ends (2^15 s is capped at 15 minutes).
    server.advance(Duration::from_secs(15 * 60 + 1));
    password_sign_in(&idp, &client, "lou", PASSWORD)
        .await
        .unwrap();
}

/// The error of a password sign-in of `username` with a wrong password.
async fn wrong_password(idp: &idp::Client, client: &str, username: &str) -> (String, String) {
    error_of(
        idp.initiate_auth()
            .client_id(client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", "Not-The-Password-1")
            .send()
            .await,
    )
}

#[tokio::test]
async fn unknown_names_look_like_known_ones() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "enumeration").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    const ROUNDS: usize = 12;
    for i in 0..ROUNDS {
        confirmed_user(&idp, &pool, &format!("known{i}")).await;
    }

    // The same error, and the same lockout after the same number of failures.
    for name in ["known0", "ghost0"] {
        for _ in 0..5 {
            assert_eq!(
                wrong_password(&idp, &client, name).await,
                (
                    "NotAuthorizedException".into(),
                    "Incorrect username or password.".into()
                ),
                "{name}"
            );
        }
        // The sixth failure starts a lockout; the seventh attempt meets it.
        wrong_password(&idp, &client, name).await;
        assert_eq!(
            wrong_password(&idp, &client, name).await,
            (
                "NotAuthorizedException".into(),
                "Password attempts exceeded".into()
            ),
            "{name}"
        );
    }

    // About the same time: each attempt on a fresh name (no lockout), interleaved so that
    // load on the machine falls on both alike; medians compared with a wide margin (what
    // is caught is a missing password hash, which would make unknown names many times
    // faster).
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 1..ROUNDS {
        let started = Instant::now();
        wrong_password(&idp, &client, &format!("known{i}")).await;
        known.push(started.elapsed());
        let started = Instant::now();
        wrong_password(&idp, &client, &format!("ghost{i}")).await;
        unknown.push(started.elapsed());
    }
    known.sort();
    unknown.sort();
    let (known, unknown) = (known[known.len() / 2], unknown[unknown.len() / 2]);
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    assert!(
        (0.5..2.0).contains(&ratio),
        "median unknown {unknown:?} vs known {known:?}"
    );
}
