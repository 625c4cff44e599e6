//! Guessing codes through resends: asking for a fresh code buys no fresh guesses, and code
//! sends are limited per user, for password resets, sign-up confirmations and attribute
//! verification. Under PreventUserExistenceErrors a name nobody has meets the same limits at
//! the same moments.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider as idp;
use cognitod_testkit::TestServer;
use idp::types::PreventUserExistenceErrorTypes;

use crate::signin::{
    PASSWORD, access_token, confirmed_user, create_client, last_code, password_sign_in,
};
use crate::{attr, create_pool, error_of};

const LIMIT: &str = "LimitExceededException";
const MISMATCH: &str = "CodeMismatchException";
/// Past the quiet period that gives attempts and sends back.
const QUIET: Duration = Duration::from_secs(15 * 60 + 1);

fn outcome<T, E: idp::error::ProvideErrorMetadata>(result: Result<T, E>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(err) => err.code().unwrap_or("<no code>").to_string(),
    }
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

/// Six rounds of (ForgotPassword, a wrong ConfirmForgotPassword) for `username`.
async fn reset_rounds(idp: &idp::Client, client: &str, username: &str) -> Vec<(String, String)> {
    let mut rounds = Vec::new();
    for _ in 0..6 {
        let sent = idp
            .forgot_password()
            .client_id(client)
            .username(username)
            .send()
            .await;
        let answered = idp
            .confirm_forgot_password()
            .client_id(client)
            .username(username)
            .confirmation_code("000000")
            .password("Taken-Over-1")
            .send()
            .await;
        rounds.push((outcome(sent), outcome(answered)));
    }
    rounds
}

#[tokio::test]
async fn password_reset_codes_give_no_fresh_guesses_and_sends_are_limited() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "resets").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    confirmed_user(&idp, &pool, "kim").await;

    let expected: Vec<(String, String)> = (0..6)
        .map(|round| {
            let sent = if round < 5 { "ok" } else { LIMIT };
            let answered = if round < 5 { MISMATCH } else { LIMIT };
            (sent.to_string(), answered.to_string())
        })
        .collect();
    // A code is "000000" with a chance of one in a million; the rounds would show it.
    assert_eq!(reset_rounds(&idp, &client, "kim").await, expected, "known");
    assert_eq!(
        reset_rounds(&idp, &client, "ghost").await,
        expected,
        "unknown"
    );
    // Five codes went out, no more.
    assert_eq!(server.outbox(&pool, Some("kim")).await.len(), 5);

    // The last code sent is right, and still refused: the guesses are used up.
    let code = last_code(&server, &pool, "kim").await;
    let refused = idp
        .confirm_forgot_password()
        .client_id(&client)
        .username("kim")
        .confirmation_code(&code)
        .password("Taken-Over-1")
        .send()
        .await;
    assert_eq!(outcome(refused), LIMIT);
    password_sign_in(&idp, &client, "kim", PASSWORD)
        .await
        .unwrap();

    // A quiet quarter of an hour gives both back.
    server.advance(QUIET);
    idp.forgot_password()
        .client_id(&client)
        .username("kim")
        .send()
        .await
        .unwrap();
    let code = last_code(&server, &pool, "kim").await;
    idp.confirm_forgot_password()
        .client_id(&client)
        .username("kim")
        .confirmation_code(&code)
        .password("Taken-Over-1")
        .send()
        .await
        .unwrap();
    password_sign_in(&idp, &client, "kim", "Taken-Over-1")
        .await
        .unwrap();
}

#[tokio::test]
async fn unknown_names_answer_as_known_ones_with_no_code_requested() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "no-request").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    confirmed_user(&idp, &pool, "kai").await;
    for name in ["kai", "ghost"] {
        let confirm = |password: &str| {
            idp.confirm_forgot_password()
                .client_id(&client)
                .username(name)
                .confirmation_code("123456")
                .password(password)
                .send()
        };
        // A weak password is refused alike, before anything else.
        assert_eq!(
            error_of(confirm("short").await).0,
            "InvalidPasswordException",
            "{name}"
        );
        // No code was asked for: ExpiredCodeException, five times, then the limit.
        for _ in 0..5 {
            assert_eq!(
                error_of(confirm("Another-Pass-1").await).0,
                "ExpiredCodeException",
                "{name}"
            );
        }
        assert_eq!(outcome(confirm("Another-Pass-1").await), LIMIT, "{name}");
    }
}

#[tokio::test]
async fn sign_up_codes_give_no_fresh_guesses_and_resends_are_limited() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = crate::create_pool_verifying_email(&idp, "signups").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    idp.sign_up()
        .client_id(&client)
        .username("sam")
        .password(PASSWORD)
        .user_attributes(attr("email", "sam@example.com"))
        .send()
        .await
        .unwrap();
    let confirm = |name: &'static str, code: String| {
        idp.confirm_sign_up()
            .client_id(&client)
            .username(name)
            .confirmation_code(code)
            .send()
    };
    let resend = |name: &'static str| {
        idp.resend_confirmation_code()
            .client_id(&client)
            .username(name)
            .send()
    };
    // The sign-up sent one code; four resends follow, each with one wrong answer.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    // The unknown name gets a first (pretended) send too, as SignUp gave the known one.
    assert_eq!(outcome(resend("nobody").await), "ok");
    for _ in 0..4 {
        let code = last_code(&server, &pool, "sam").await;
        known.push(outcome(confirm("sam", wrong(&code)).await));
        known.push(outcome(resend("sam").await));
        unknown.push(outcome(confirm("nobody", "123456".into()).await));
        unknown.push(outcome(resend("nobody").await));
    }
    let expected: Vec<String> = [
        MISMATCH, "ok", MISMATCH, "ok", MISMATCH, "ok", MISMATCH, "ok",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(known, expected);
    assert_eq!(unknown, expected);
    // The sixth send and the sixth answer meet the limits, the right code included.
    assert_eq!(outcome(resend("sam").await), LIMIT);
    assert_eq!(outcome(resend("nobody").await), LIMIT);
    let code = last_code(&server, &pool, "sam").await;
    assert_eq!(outcome(confirm("sam", wrong(&code)).await), MISMATCH);
    assert_eq!(outcome(confirm("sam", code.clone()).await), LIMIT);
    assert_eq!(outcome(confirm("nobody", "123456".into()).await), MISMATCH);
    assert_eq!(outcome(confirm("nobody", "123456".into()).await), LIMIT);
    assert_eq!(server.outbox(&pool, Some("sam")).await.len(), 5);

    server.advance(QUIET);
    confirm("sam", code).await.unwrap();
}

#[tokio::test]
async fn attribute_verification_codes_give_no_fresh_guesses_and_sends_are_limited() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "attributes").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    confirmed_user(&idp, &pool, "val").await;
    let token = access_token(&idp, &client, "val", PASSWORD).await;
    let send = || {
        idp.get_user_attribute_verification_code()
            .access_token(&token)
            .attribute_name("email")
            .send()
    };
    let verify = |code: String| {
        idp.verify_user_attribute()
            .access_token(&token)
            .attribute_name("email")
            .code(code)
            .send()
    };
    let mut rounds = Vec::new();
    for _ in 0..6 {
        let sent = outcome(send().await);
        let code = last_code(&server, &pool, "val").await;
        rounds.push((sent, outcome(verify(wrong(&code)).await)));
    }
    let expected: Vec<(String, String)> = (0..6)
        .map(|round| {
            let sent = if round < 5 { "ok" } else { LIMIT };
            let answered = if round < 5 { MISMATCH } else { LIMIT };
            (sent.to_string(), answered.to_string())
        })
        .collect();
    assert_eq!(rounds, expected);
    let code = last_code(&server, &pool, "val").await;
    assert_eq!(outcome(verify(code.clone()).await), LIMIT);

    server.advance(QUIET);
    verify(code).await.unwrap();
}

#[tokio::test]
async fn changing_ones_email_over_and_over_meets_the_send_limit() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = crate::create_pool_verifying_email(&idp, "bomb").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    confirmed_user(&idp, &pool, "bo").await;
    let token = access_token(&idp, &client, "bo", PASSWORD).await;
    let change = |i: usize| {
        idp.update_user_attributes()
            .access_token(&token)
            .user_attributes(attr("email", &format!("victim{i}@example.com")))
            .send()
    };
    let mut outcomes = Vec::new();
    for i in 0..6 {
        outcomes.push(outcome(change(i).await));
    }
    assert_eq!(
        outcomes.iter().filter(|o| *o == "ok").count(),
        5,
        "{outcomes:?}"
    );
    // UpdateUserAttributes lists no LimitExceededException: it is throttled instead.
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| *o == "TooManyRequestsException")
            .count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(server.outbox(&pool, Some("bo")).await.len(), 5);
    // An administrator's changes are not limited.
    for i in 0..3 {
        idp.admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("bo")
            .user_attributes(attr("email", &format!("admin{i}@example.com")))
            .send()
            .await
            .unwrap();
    }
}
