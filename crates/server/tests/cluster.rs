//! Several `cognitod serve` processes on one PostgreSQL database behave as one server:
//! challenges continue on any node, uniqueness and lockout hold across nodes, sign-out and
//! key rotation reach every node.

mod support;

use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider as idp;
use idp::types::{AuthFlowType, ChallengeNameType, MessageActionType};
use support::cluster::{Cluster, PUBLIC_URL};
use support::{
    PASSWORD, attr, claims, confirmed_user, error_of, kid, password_sign_in, pool_and_client,
};

/// How long a node may keep signing with keys it read before a rotation.
const KEY_CACHE_BOUND: Duration = Duration::from_secs(31);

fn revoked(what: &str) -> (String, String) {
    (
        "NotAuthorizedException".into(),
        format!("{what} Token has been revoked"),
    )
}

#[tokio::test]
async fn challenges_started_on_one_node_finish_on_another() {
    let Some(cluster) = Cluster::start("challenges across nodes", 3).await else {
        return;
    };
    let [a, b, c] = <[idp::Client; 3]>::try_from(cluster.clients())
        .ok()
        .unwrap();
    let (pool, client) = pool_and_client(&a, "challenges", true).await;
    confirmed_user(&a, &pool, "bea").await;

    // USER_SRP_AUTH: started on A, answered on B; the session is spent for C too.
    use aws_cognito_srp::{SrpClient, User};
    let srp = SrpClient::new(User::new(&pool, "bea", PASSWORD), &client, None);
    let started = a
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
    let proof = srp
        .verify(
            &params["SECRET_BLOCK"],
            &params["USER_ID_FOR_SRP"],
            &params["SALT"],
            &params["SRP_B"],
        )
        .unwrap();
    let answer = |node: &idp::Client| {
        node.respond_to_auth_challenge()
            .client_id(&client)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(started.session().unwrap())
            .challenge_responses("USERNAME", &params["USER_ID_FOR_SRP"])
            .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &params["SECRET_BLOCK"])
            .challenge_responses("TIMESTAMP", &proof.timestamp)
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &proof.password_claim_signature)
            .send()
    };
    let tokens = answer(&b).await.unwrap().authentication_result.unwrap();
    let access = claims(tokens.access_token().unwrap());
    assert_eq!(access["username"], "bea");
    // Every node names the same issuer: the public URL in front of them all.
    assert_eq!(access["iss"], format!("{PUBLIC_URL}/{pool}").as_str());
    let user = c
        .get_user()
        .access_token(tokens.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), "bea");
    assert_eq!(
        error_of(&answer(&c).await.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session can only be used once.".into()
        )
    );

    // NEW_PASSWORD_REQUIRED: the user is created on C, signs in on A, answers on B.
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("eve")
        .temporary_password("Temp-Pass-123")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let started = a
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "eve")
        .auth_parameters("PASSWORD", "Temp-Pass-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let done = b
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(started.session().unwrap())
        .challenge_responses("USERNAME", "eve")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    let tokens = done.authentication_result.unwrap();
    assert_eq!(
        claims(tokens.id_token().unwrap())["cognito:username"],
        "eve"
    );
    // The new password is the user's everywhere.
    password_sign_in(&c, &client, "eve", PASSWORD)
        .await
        .unwrap();
    cluster.stop().await;
}

#[tokio::test]
async fn racing_sign_ups_of_one_username_have_one_winner() {
    let Some(cluster) = Cluster::start("sign-up races across nodes", 3).await else {
        return;
    };
    let nodes = cluster.clients();
    let (pool, client) = pool_and_client(&nodes[0], "races", false).await;
    const ROUNDS: usize = 10;
    const RACERS_PER_NODE: usize = 2;
    for round in 0..ROUNDS {
        let username = format!("racer-{round}");
        let racers = nodes.iter().cycle().take(nodes.len() * RACERS_PER_NODE);
        let results = futures::future::join_all(racers.map(|node| {
            node.sign_up()
                .client_id(&client)
                .username(&username)
                .password(PASSWORD)
                .send()
        }))
        .await;
        let mut winners = 0;
        for result in results {
            match result {
                Ok(_) => winners += 1,
                Err(err) => assert_eq!(
                    error_of(&err),
                    (
                        "UsernameExistsException".into(),
                        "User already exists".into()
                    ),
                    "round {round}"
                ),
            }
        }
        assert_eq!(winners, 1, "round {round}: {winners} sign-ups won");
    }
    for node in &nodes {
        let listed = node.list_users().user_pool_id(&pool).send().await.unwrap();
        assert_eq!(listed.users().len(), ROUNDS);
    }
    cluster.stop().await;
}

#[tokio::test]
async fn failed_passwords_on_every_node_lock_the_user_everywhere() {
    let Some(cluster) = Cluster::start("lockout across nodes", 3).await else {
        return;
    };
    let nodes = cluster.clients();
    let (pool, client) = pool_and_client(&nodes[0], "lockout", false).await;
    confirmed_user(&nodes[0], &pool, "kim").await;
    let incorrect = (
        "NotAuthorizedException".to_string(),
        "Incorrect username or password.".to_string(),
    );
    let exceeded = (
        "NotAuthorizedException".to_string(),
        "Password attempts exceeded".to_string(),
    );

    // Seven failures, round robin: no node sees more than three. The first five are free;
    // after them each failure locks the user for 2^(n-5) s, during which attempts are refused
    // without counting, so those are waited out.
    let mut failures = 0;
    let mut attempt = 0;
    while failures < 7 {
        let node = &nodes[attempt % nodes.len()];
        attempt += 1;
        let error = password_sign_in(node, &client, "kim", "Wrong-Horse-1")
            .await
            .unwrap_err();
        if error == incorrect {
            failures += 1;
        } else {
            assert_eq!(error, exceeded);
            assert!(failures >= 5, "locked after only {failures} failures");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    // Locked for 4 s now, on every node, even with the right password.
    let locked_at = Instant::now();
    for node in &nodes {
        let error = password_sign_in(node, &client, "kim", PASSWORD)
            .await
            .unwrap_err();
        assert_eq!(error, exceeded);
    }
    assert!(locked_at.elapsed() < Duration::from_secs(4));
    // The lockout ends for every node at once.
    tokio::time::sleep(Duration::from_secs(5)).await;
    password_sign_in(&nodes[2], &client, "kim", PASSWORD)
        .await
        .unwrap();
    cluster.stop().await;
}

#[tokio::test]
async fn global_sign_out_on_one_node_revokes_tokens_on_the_others() {
    let Some(cluster) = Cluster::start("sign-out across nodes", 3).await else {
        return;
    };
    let [a, b, c] = <[idp::Client; 3]>::try_from(cluster.clients())
        .ok()
        .unwrap();
    let (pool, client) = pool_and_client(&a, "signout", false).await;
    confirmed_user(&a, &pool, "ana").await;
    let tokens = password_sign_in(&a, &client, "ana", PASSWORD)
        .await
        .unwrap();
    let access = tokens.access_token().unwrap().to_string();
    let refresh = tokens.refresh_token().unwrap().to_string();
    let refresh_on = |node: &idp::Client| {
        node.initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &refresh)
            .send()
    };
    // Before: B and C accept both tokens.
    let refreshed = refresh_on(&b).await.unwrap().authentication_result.unwrap();
    let refreshed_access = refreshed.access_token().unwrap().to_string();
    for node in [&b, &c] {
        node.get_user().access_token(&access).send().await.unwrap();
    }

    a.global_sign_out()
        .access_token(&access)
        .send()
        .await
        .unwrap();

    for node in [&b, &c] {
        for token in [&access, &refreshed_access] {
            let refused = node
                .get_user()
                .access_token(token)
                .send()
                .await
                .unwrap_err();
            assert_eq!(error_of(&refused), revoked("Access"));
        }
        let refused = refresh_on(node).await.unwrap_err();
        assert_eq!(error_of(&refused), revoked("Refresh"));
    }
    cluster.stop().await;
}

#[tokio::test]
async fn rotated_signing_keys_reach_every_node() {
    let Some(cluster) = Cluster::start("key rotation across nodes", 3).await else {
        return;
    };
    let nodes = cluster.clients();
    let (pool, client) = pool_and_client(&nodes[0], "rotation", false).await;
    confirmed_user(&nodes[0], &pool, "lee").await;
    let sign_in_on = |on: &'static [usize]| {
        let (nodes, client) = (&nodes, &client);
        async move {
            let mut tokens = Vec::new();
            for &i in on {
                let issued = password_sign_in(&nodes[i], client, "lee", PASSWORD).await;
                tokens.push(issued.unwrap());
            }
            tokens
        }
    };
    // Nodes 0 and 1 sign (and so cache the pool's keys) before the rotation; node 2 reads
    // the keys only after it.
    let before = sign_in_on(&[0, 1]).await;
    let old_kids: Vec<String> = before
        .iter()
        .map(|t| kid(t.access_token().unwrap()))
        .collect();

    let rotated_at = Instant::now();
    let output = cluster.cli(&["keys", "rotate", "--pool", &pool]).await;
    let new_kids: Vec<String> = output
        .rsplit_once("new kids:")
        .expect("the new kids")
        .1
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(new_kids.len(), 2, "{output}");
    assert!(old_kids.iter().all(|kid| !new_kids.contains(kid)));

    // Right away node 2 signs with the new keys, nodes 0 and 1 with what they cached, and
    // every token verifies on every node: the old keys stay published, the new ones were
    // published ahead of their turn.
    let during = sign_in_on(&[0, 1, 2]).await;
    assert_signed_with(&during[2], &new_kids);
    check_everywhere(&cluster, &nodes, &pool, &before).await;
    check_everywhere(&cluster, &nodes, &pool, &during).await;

    // Past the cache bound every node signs with the new keys; older tokens still work.
    tokio::time::sleep(KEY_CACHE_BOUND.saturating_sub(rotated_at.elapsed())).await;
    let after = sign_in_on(&[0, 1, 2]).await;
    for tokens in &after {
        assert_signed_with(tokens, &new_kids);
    }
    for tokens in [&before, &during, &after] {
        check_everywhere(&cluster, &nodes, &pool, tokens).await;
    }
    cluster.stop().await;
}

fn assert_signed_with(tokens: &idp::types::AuthenticationResultType, kids: &[String]) {
    for token in [tokens.access_token().unwrap(), tokens.id_token().unwrap()] {
        let used = kid(token);
        assert!(
            kids.contains(&used),
            "signed with {used}, not one of {kids:?}"
        );
    }
}

/// Every token verifies against every node's JWKS, and every access token is accepted by
/// GetUser on every node.
async fn check_everywhere(
    cluster: &Cluster,
    nodes: &[idp::Client],
    pool: &str,
    tokens: &[idp::types::AuthenticationResultType],
) {
    for (i, node) in cluster.nodes.iter().enumerate() {
        let jwks = node.jwks(pool).await;
        for issued in tokens {
            for token in [issued.access_token().unwrap(), issued.id_token().unwrap()] {
                if let Err(err) = cognitod_crypto::jwt::verify(token, &jwks) {
                    panic!(
                        "node {i}'s JWKS does not verify kid {}: {err:?}",
                        kid(token)
                    );
                }
            }
            let access = issued.access_token().unwrap();
            if let Err(err) = nodes[i].get_user().access_token(access).send().await {
                panic!("node {i} refuses kid {}: {:?}", kid(access), error_of(&err));
            }
        }
    }
}

/// Two acknowledged writes to one user from two nodes both stick: AdminSetUserPassword reads
/// the user, hashes the password, then writes the whole record back; when an attribute update
/// was acknowledged in between, its version check fails and it runs again on fresh state.
#[tokio::test]
async fn concurrent_writes_to_one_user_on_two_nodes_both_stick() {
    let Some(cluster) = Cluster::start("concurrent writes to one user", 2).await else {
        return;
    };
    let [a, b] = <[idp::Client; 2]>::try_from(cluster.clients())
        .ok()
        .unwrap();
    let (pool, _) = pool_and_client(&a, "updates", false).await;
    for i in 0..5 {
        let username = format!("user-{i}");
        a.admin_create_user()
            .user_pool_id(&pool)
            .username(&username)
            .user_attributes(attr("given_name", "before"))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
        let set_password = a
            .admin_set_user_password()
            .user_pool_id(&pool)
            .username(&username)
            .password(PASSWORD)
            .permanent(true)
            .send();
        let rename = b
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username(&username)
            .user_attributes(attr("given_name", "after"))
            .send();
        let (set_password, rename) = tokio::join!(set_password, rename);
        set_password.unwrap();
        rename.unwrap();
        let user = b
            .admin_get_user()
            .user_pool_id(&pool)
            .username(&username)
            .send()
            .await
            .unwrap();
        let given_name = user
            .user_attributes()
            .iter()
            .find(|a| a.name() == "given_name")
            .and_then(|a| a.value());
        assert_eq!(user.user_status().map(|s| s.as_str()), Some("CONFIRMED"));
        assert_eq!(given_name, Some("after"), "{username}: the rename was lost");
    }
    cluster.stop().await;
}
