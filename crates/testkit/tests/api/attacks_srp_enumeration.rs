//! SRP step one under PreventUserExistenceErrors: the fake PASSWORD_VERIFIER challenge of a
//! name nobody has is the size of a real one, byte for byte, and takes the same time.

use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider as idp;
use cognitod_testkit::TestServer;
use idp::types::{AuthFlowType, PreventUserExistenceErrorTypes, UsernameAttributeType};

use crate::signin::{PASSWORD, confirmed_user, create_client};
use crate::{attr, create_pool};

/// A valid SRP_A (any value that is not 0 mod N will do for step one).
const SRP_A: &str = "a5c3f1";

/// What step one answers, as the sizes an observer can measure, and how long it took.
#[derive(Debug, PartialEq)]
struct Sizes {
    session: usize,
    secret_block: usize,
    salt: usize,
    user_id: usize,
}

async fn step_one(idp: &idp::Client, client: &str, username: &str) -> (Sizes, String, Duration) {
    let started = Instant::now();
    let answer = idp
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", SRP_A)
        .send()
        .await
        .unwrap_or_else(|e| panic!("step one for {username}: {e:?}"));
    let took = started.elapsed();
    let params = answer.challenge_parameters().unwrap();
    let sizes = Sizes {
        session: answer.session().unwrap().len(),
        secret_block: params["SECRET_BLOCK"].len(),
        salt: params["SALT"].len(),
        user_id: params["USER_ID_FOR_SRP"].len(),
    };
    (sizes, params["USER_ID_FOR_SRP"].clone(), took)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test]
async fn step_one_is_as_large_and_as_slow_for_unknown_users() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "srp-enum").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    confirmed_user(&idp, &pool, "known1").await;

    // Interleaved, so that load on the machine falls on both alike.
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for round in 0..41 {
        let (known_sizes, _, known_took) = step_one(&idp, &client, "known1").await;
        let (ghost_sizes, _, ghost_took) = step_one(&idp, &client, "ghost1").await;
        assert_eq!(known_sizes, ghost_sizes, "round {round}");
        if round > 0 {
            known.push(known_took);
            unknown.push(ghost_took);
        }
    }
    // The fake challenge used to compute a verifier (one more 3072-bit exponentiation, a
    // third of the step); now both read or derive theirs at the same cost.
    let (known, unknown) = (median(known), median(unknown));
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    assert!(
        (0.8..1.25).contains(&ratio),
        "median step one: unknown {unknown:?} vs known {known:?}"
    );
}

#[tokio::test]
async fn fake_challenges_of_email_pools_carry_a_user_id_like_real_ones() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = idp
        .create_user_pool()
        .pool_name("srp-email")
        .username_attributes(UsernameAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    idp.admin_create_user()
        .user_pool_id(&pool)
        .username("kate@example.com")
        .user_attributes(attr("email_verified", "true"))
        .message_action(idp::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    idp.admin_set_user_password()
        .user_pool_id(&pool)
        .username("kate@example.com")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let (known, known_id, _) = step_one(&idp, &client, "kate@example.com").await;
    let (ghost, ghost_id, _) = step_one(&idp, &client, "gina@example.com").await;
    assert_eq!(known, ghost);
    for id in [&known_id, &ghost_id] {
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }
    // Stable per name, as a real user's id is.
    assert_eq!(
        step_one(&idp, &client, "gina@example.com").await.1,
        ghost_id
    );
}
