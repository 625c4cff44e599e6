//! Attacks spread over two nodes of one PostgreSQL database: code guesses and code sends are
//! counted in the store, so alternating nodes buys nothing; the fake SRP challenge of an
//! unknown user looks the same from every node as a real one.

mod support;

use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider as idp;
use idp::error::ProvideErrorMetadata;
use idp::types::{
    AuthFlowType, ExplicitAuthFlowsType as Flow, MessageActionType, PreventUserExistenceErrorTypes,
};
use support::cluster::Cluster;
use support::{PASSWORD, attr};

const LIMIT: &str = "LimitExceededException";
const MISMATCH: &str = "CodeMismatchException";

fn outcome<T, E: ProvideErrorMetadata>(result: Result<T, E>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(err) => err.code().unwrap_or("<no code>").to_string(),
    }
}

/// A pool with a client that hides unknown users, and a user with a verified email.
async fn hiding_pool(idp: &idp::Client, name: &str, user: &str) -> (String, String) {
    let pool = idp
        .create_user_pool()
        .pool_name(name)
        .send()
        .await
        .unwrap()
        .user_pool
        .and_then(|p| p.id)
        .unwrap();
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowUserSrpAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .and_then(|c| c.client_id)
        .unwrap();
    idp.admin_create_user()
        .user_pool_id(&pool)
        .username(user)
        .user_attributes(attr("email", &format!("{user}@example.com")))
        .user_attributes(attr("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    idp.admin_set_user_password()
        .user_pool_id(&pool)
        .username(user)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    (pool, client)
}

#[tokio::test]
async fn code_guesses_and_sends_are_limited_across_nodes() {
    let Some(cluster) = Cluster::start("code limits across nodes", 2).await else {
        return;
    };
    let nodes = cluster.clients();
    let (_, client) = hiding_pool(&nodes[0], "codes", "kim").await;
    let expected: Vec<(String, String)> = (0..6)
        .map(|round| {
            let sent = if round < 5 { "ok" } else { LIMIT };
            let answered = if round < 5 { MISMATCH } else { LIMIT };
            (sent.to_string(), answered.to_string())
        })
        .collect();
    for name in ["kim", "ghost"] {
        let mut rounds = Vec::new();
        for round in 0..6 {
            // The code is asked for on one node and guessed on the other, in turn.
            let (asks, guesses) = (&nodes[round % 2], &nodes[(round + 1) % 2]);
            let sent = asks
                .forgot_password()
                .client_id(&client)
                .username(name)
                .send()
                .await;
            let answered = guesses
                .confirm_forgot_password()
                .client_id(&client)
                .username(name)
                .confirmation_code("000000")
                .password("Taken-Over-1")
                .send()
                .await;
            rounds.push((outcome(sent), outcome(answered)));
        }
        assert_eq!(rounds, expected, "{name}");
    }
    cluster.stop().await;
}

/// Step one of USER_SRP_AUTH: the sizes an observer sees (Session, SECRET_BLOCK, SALT,
/// USER_ID_FOR_SRP), the salt itself, and the time it took.
async fn step_one(
    node: &idp::Client,
    client: &str,
    username: &str,
) -> ([usize; 4], String, Duration) {
    let started = Instant::now();
    let answer = node
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", "a5c3f1")
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    let params = answer.challenge_parameters().unwrap();
    let sizes = [
        answer.session().unwrap().len(),
        params["SECRET_BLOCK"].len(),
        params["SALT"].len(),
        params["USER_ID_FOR_SRP"].len(),
    ];
    (sizes, params["SALT"].clone(), took)
}

#[tokio::test]
async fn fake_srp_challenges_look_real_from_every_node() {
    let Some(cluster) = Cluster::start("srp enumeration across nodes", 2).await else {
        return;
    };
    let nodes = cluster.clients();
    let (_, client) = hiding_pool(&nodes[0], "srp", "known1").await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    let (mut known_salts, mut ghost_salts) = (Vec::new(), Vec::new());
    for round in 0..31 {
        let node = &nodes[round % 2];
        let (known_sizes, known_salt, known_took) = step_one(node, &client, "known1").await;
        let (ghost_sizes, ghost_salt, ghost_took) = step_one(node, &client, "ghost1").await;
        assert_eq!(known_sizes, ghost_sizes, "round {round}");
        known_salts.push(known_salt);
        ghost_salts.push(ghost_salt);
        if round > 0 {
            known.push(known_took);
            unknown.push(ghost_took);
        }
    }
    // A real user's salt is the same from every node; so is a fake one (keyed by the
    // master key every node shares).
    known_salts.dedup();
    ghost_salts.dedup();
    assert_eq!((known_salts.len(), ghost_salts.len()), (1, 1));
    known.sort();
    unknown.sort();
    let (known, unknown) = (known[known.len() / 2], unknown[unknown.len() / 2]);
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    assert!(
        (0.8..1.25).contains(&ratio),
        "median step one: unknown {unknown:?} vs known {known:?}"
    );
    cluster.stop().await;
}
