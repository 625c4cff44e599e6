//! The sign-in behaviour every backend must have (signing keys, refresh tokens, sessions,
//! failure counters); expanded by [`crate::conformance_tests!`] with the checks of
//! [`crate::conformance`].

use std::sync::Arc;

use crate::conformance::{pool, user};
use crate::*;

pub fn signing_key(pool_id: &str, kid: &str, token_use: &str, created_at: i64) -> SigningKeyRecord {
    SigningKeyRecord {
        pool_id: pool_id.into(),
        kid: kid.into(),
        token_use: token_use.into(),
        state: "active".into(),
        sealed_private_key: format!("sealed-{kid}"),
        public_jwk: serde_json::json!({ "kty": "RSA", "kid": kid, "n": "AQAB", "e": "AQAB" }),
        created_at,
        publish_until: None,
    }
}

/// An active `id` and `access` key pair, `<prefix>-id` and `<prefix>-access`.
fn key_pair(pool_id: &str, prefix: &str, created_at: i64) -> Vec<SigningKeyRecord> {
    ["id", "access"]
        .map(|token_use| {
            signing_key(
                pool_id,
                &format!("{prefix}-{token_use}"),
                token_use,
                created_at,
            )
        })
        .to_vec()
}

pub fn refresh_token(
    pool_id: &str,
    username_key: &str,
    digest: &str,
    family_id: &str,
) -> RefreshTokenRecord {
    RefreshTokenRecord {
        digest: digest.into(),
        pool_id: pool_id.into(),
        client_id: "client".into(),
        username_key: username_key.into(),
        family_id: family_id.into(),
        device_key: None,
        auth_time: 5,
        created_at: 10,
        expires_at: 1_000,
        revoked_at: None,
        replaced_at: None,
    }
}

/// `(kid, state, publish_until)` of every key of the pool, in listing order.
async fn key_states(store: &Arc<dyn Store>, pool_id: &str) -> Vec<(String, String, Option<i64>)> {
    store
        .list_signing_keys(pool_id)
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.kid, k.state, k.publish_until))
        .collect()
}

fn states(expected: &[(&str, &str, Option<i64>)]) -> Vec<(String, String, Option<i64>)> {
    expected
        .iter()
        .map(|(kid, state, until)| (kid.to_string(), state.to_string(), *until))
        .collect()
}

pub async fn signing_keys_created_once(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    store.create_pool(&pool("q")).await.unwrap();
    let first = key_pair("p", "a", 10);
    assert!(store.create_initial_signing_keys(&first).await.unwrap());
    assert_eq!(store.list_signing_keys("p").await.unwrap(), first);
    // Another node lost the race: nothing of its keys is stored.
    assert!(
        !store
            .create_initial_signing_keys(&key_pair("p", "b", 5))
            .await
            .unwrap()
    );
    assert_eq!(store.list_signing_keys("p").await.unwrap(), first);
    // All or nothing: one conflicting token use refuses the whole set.
    assert!(
        store
            .create_initial_signing_keys(&[signing_key("q", "q-id", "id", 1)])
            .await
            .unwrap()
    );
    assert!(
        !store
            .create_initial_signing_keys(&key_pair("q", "c", 2))
            .await
            .unwrap()
    );
    assert_eq!(
        key_states(&store, "q").await,
        states(&[("q-id", "active", None)])
    );
    assert_eq!(
        store
            .create_initial_signing_keys(&key_pair("missing", "m", 1))
            .await,
        Err(StoreError::NotFound)
    );
    assert!(store.list_signing_keys("missing").await.unwrap().is_empty());
}

pub async fn signing_keys_concurrent_creation(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    let racers = (0..10).map(|i| {
        let store = store.clone();
        async move {
            store
                .create_initial_signing_keys(&key_pair("p", &format!("r{i}"), 10))
                .await
        }
    });
    let results = futures::future::join_all(racers).await;
    assert_eq!(
        results.iter().filter(|r| **r == Ok(true)).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results.iter().filter(|r| **r == Ok(false)).count(),
        9,
        "{results:?}"
    );
    let keys = store.list_signing_keys("p").await.unwrap();
    assert_eq!(keys.len(), 2);
    let winner = keys[0].kid.trim_end_matches("-id");
    assert_eq!(keys, key_pair("p", winner, 10));
}

pub async fn signing_keys_rotation(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    store.create_pool(&pool("q")).await.unwrap();
    assert!(
        store
            .create_initial_signing_keys(&key_pair("p", "k1", 10))
            .await
            .unwrap()
    );
    assert!(
        store
            .create_initial_signing_keys(&key_pair("q", "other", 10))
            .await
            .unwrap()
    );
    store
        .rotate_signing_keys("p", &key_pair("p", "k2", 20), 100, 20)
        .await
        .unwrap();
    let listed = store.list_signing_keys("p").await.unwrap();
    let mut retired = key_pair("p", "k1", 10);
    for key in &mut retired {
        key.state = "retired".into();
        key.publish_until = Some(100);
    }
    assert_eq!(listed[..2], retired[..]);
    assert_eq!(listed[2..], key_pair("p", "k2", 20)[..]);
    // Keys retired until 100 are still published at 100; the next rotation keeps them.
    store
        .rotate_signing_keys("p", &key_pair("p", "k3", 30), 200, 100)
        .await
        .unwrap();
    assert_eq!(
        key_states(&store, "p").await,
        states(&[
            ("k1-id", "retired", Some(100)),
            ("k1-access", "retired", Some(100)),
            ("k2-id", "retired", Some(200)),
            ("k2-access", "retired", Some(200)),
            ("k3-id", "active", None),
            ("k3-access", "active", None),
        ])
    );
    // Past 100 they are purged.
    store
        .rotate_signing_keys("p", &key_pair("p", "k4", 40), 300, 101)
        .await
        .unwrap();
    assert_eq!(
        key_states(&store, "p").await,
        states(&[
            ("k2-id", "retired", Some(200)),
            ("k2-access", "retired", Some(200)),
            ("k3-id", "retired", Some(300)),
            ("k3-access", "retired", Some(300)),
            ("k4-id", "active", None),
            ("k4-access", "active", None),
        ])
    );
    // Another pool is untouched.
    assert_eq!(
        store.list_signing_keys("q").await.unwrap(),
        key_pair("q", "other", 10)
    );
    assert_eq!(
        store
            .rotate_signing_keys("missing", &key_pair("missing", "m", 1), 10, 1)
            .await,
        Err(StoreError::NotFound)
    );
    assert!(store.list_signing_keys("missing").await.unwrap().is_empty());
}

fn with_state(mut keys: Vec<SigningKeyRecord>, state: &str) -> Vec<SigningKeyRecord> {
    for key in &mut keys {
        key.state = state.into();
    }
    keys
}

pub async fn signing_keys_next_promotion(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    let mut initial = key_pair("p", "a1", 10);
    initial.extend(with_state(key_pair("p", "n1", 10), "next"));
    assert!(store.create_initial_signing_keys(&initial).await.unwrap());
    // Each rotation promotes the published next keys; the spare active ones are not used.
    let mut fresh = key_pair("p", "a2", 20);
    fresh.extend(with_state(key_pair("p", "n2", 20), "next"));
    store
        .rotate_signing_keys("p", &fresh, 100, 20)
        .await
        .unwrap();
    assert_eq!(
        key_states(&store, "p").await,
        states(&[
            ("a1-id", "retired", Some(100)),
            ("a1-access", "retired", Some(100)),
            ("n1-id", "active", None),
            ("n1-access", "active", None),
            ("n2-id", "next", None),
            ("n2-access", "next", None),
        ])
    );
}

pub async fn signing_keys_concurrent_rotation(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    assert!(
        store
            .create_initial_signing_keys(&key_pair("p", "k0", 10))
            .await
            .unwrap()
    );
    let rotations = (1..=5).map(|i| {
        let store = store.clone();
        async move {
            store
                .rotate_signing_keys("p", &key_pair("p", &format!("k{i}"), 20), 1_000, 20)
                .await
        }
    });
    let results = futures::future::join_all(rotations).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let keys = store.list_signing_keys("p").await.unwrap();
    assert_eq!(keys.len(), 12);
    let active: Vec<_> = keys.iter().filter(|k| k.state == "active").collect();
    assert_eq!(active.len(), 2, "{keys:?}");
    assert_ne!(active[0].token_use, active[1].token_use);
    assert!(
        keys.iter()
            .filter(|k| k.state == "retired")
            .all(|k| k.publish_until == Some(1_000))
    );
}

pub async fn refresh_tokens_lifecycle(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    store.create_pool(&pool("q")).await.unwrap();
    store.create_user(&user("p", "ana"), &[]).await.unwrap();
    store.create_user(&user("p", "bob"), &[]).await.unwrap();
    store.create_user(&user("q", "ana"), &[]).await.unwrap();
    let mut t1 = refresh_token("p", "ana", "d1", "f1");
    t1.device_key = Some("device".into());
    let t2 = refresh_token("p", "ana", "d2", "f1");
    let t3 = refresh_token("p", "ana", "d3", "f2");
    let mut t4 = refresh_token("p", "bob", "d4", "f3");
    t4.expires_at = 50;
    // Same family id and user in another pool.
    let other = refresh_token("q", "ana", "d5", "f1");
    for t in [&t1, &t2, &t3, &t4, &other] {
        store.insert_refresh_token(t).await.unwrap();
    }
    assert_eq!(store.get_refresh_token("d1").await.unwrap().unwrap(), t1);
    assert!(store.get_refresh_token("nope").await.unwrap().is_none());
    let digests = |tokens: Vec<RefreshTokenRecord>| -> Vec<String> {
        tokens.into_iter().map(|t| t.digest).collect()
    };
    assert_eq!(
        digests(store.list_user_refresh_tokens("p", "ana").await.unwrap()),
        ["d1", "d2", "d3"]
    );
    assert_eq!(
        digests(store.list_user_refresh_tokens("q", "ana").await.unwrap()),
        ["d5"]
    );
    assert!(
        store
            .list_user_refresh_tokens("p", "nobody")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.insert_refresh_token(&t1).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .insert_refresh_token(&refresh_token("p", "nobody", "d9", "f9"))
            .await,
        Err(StoreError::NotFound)
    );
    assert!(store.get_refresh_token("d9").await.unwrap().is_none());

    assert!(store.mark_refresh_token_replaced("d1", 100).await.unwrap());
    assert!(!store.mark_refresh_token_replaced("d1", 101).await.unwrap());
    assert!(
        !store
            .mark_refresh_token_replaced("nope", 101)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .get_refresh_token("d1")
            .await
            .unwrap()
            .unwrap()
            .replaced_at,
        Some(100)
    );

    assert!(!store.is_refresh_family_revoked("p", "f1").await.unwrap());
    assert_eq!(
        store.revoke_refresh_family("p", "f1", 200).await.unwrap(),
        2
    );
    assert_eq!(
        store.revoke_refresh_family("p", "f1", 201).await.unwrap(),
        0
    );
    assert!(store.is_refresh_family_revoked("p", "f1").await.unwrap());
    assert!(!store.is_refresh_family_revoked("p", "f2").await.unwrap());
    assert!(!store.is_refresh_family_revoked("q", "f1").await.unwrap());
    // The access-token read: the user and its family's state together.
    let (ana, revoked) = store
        .get_user_by_sub_checking_family("p", "sub-ana", "f1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((ana.username.as_str(), revoked), ("ana", true));
    for (pool, family) in [("p", "f2"), ("q", "f1"), ("p", "unknown")] {
        let (ana, revoked) = store
            .get_user_by_sub_checking_family(pool, "sub-ana", family)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((ana.pool_id.as_str(), revoked), (pool, false));
    }
    assert!(
        store
            .get_user_by_sub_checking_family("p", "sub-nobody", "f1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .is_refresh_family_revoked("p", "unknown")
            .await
            .unwrap()
    );
    let revoked = store.get_refresh_token("d2").await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(200));
    assert_eq!(
        revoked,
        RefreshTokenRecord {
            revoked_at: Some(200),
            ..t2
        }
    );
    assert!(
        store
            .get_refresh_token("d5")
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );

    // Only the tokens not revoked yet; earlier revocation times stay.
    assert_eq!(
        store
            .revoke_user_refresh_tokens("p", "ana", 300)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .revoke_user_refresh_tokens("p", "ana", 301)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .get_refresh_token("d1")
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(200)
    );
    assert_eq!(
        store
            .get_refresh_token("d3")
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(300)
    );
    assert!(store.is_refresh_family_revoked("p", "f2").await.unwrap());
    assert!(
        store
            .get_refresh_token("d4")
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );
    assert!(
        store
            .get_refresh_token("d5")
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );

    // Expired before `now` only: t4 expires at 50, the others at 1000.
    assert_eq!(store.delete_expired_refresh_tokens(50).await.unwrap(), 0);
    assert_eq!(store.delete_expired_refresh_tokens(51).await.unwrap(), 1);
    assert!(store.get_refresh_token("d4").await.unwrap().is_none());
    assert!(store.get_refresh_token("d1").await.unwrap().is_some());
    assert_eq!(store.delete_expired_refresh_tokens(1_001).await.unwrap(), 4);
    assert!(store.get_refresh_token("d5").await.unwrap().is_none());
}

pub async fn session_nonces_consumed_once(store: Arc<dyn Store>) {
    assert!(store.consume_session_nonce("n1", 100, 10).await.unwrap());
    assert!(!store.consume_session_nonce("n1", 100, 10).await.unwrap());
    assert!(store.consume_session_nonce("n2", 100, 10).await.unwrap());
    // A nonce expiring at `now` has not expired before it: it is still remembered.
    assert!(store.consume_session_nonce("n3", 500, 100).await.unwrap());
    assert!(!store.consume_session_nonce("n1", 100, 100).await.unwrap());
    // Purging the expired ones (allowed once `now` is past them) keeps the live ones.
    assert!(store.consume_session_nonce("n4", 900, 200).await.unwrap());
    assert!(!store.consume_session_nonce("n3", 500, 200).await.unwrap());

    let racers = (0..50).map(|_| {
        let store = store.clone();
        async move { store.consume_session_nonce("raced", 1_000, 300).await }
    });
    let results = futures::future::join_all(racers).await;
    assert_eq!(
        results.iter().filter(|r| **r == Ok(true)).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results.iter().filter(|r| **r == Ok(false)).count(),
        49,
        "{results:?}"
    );
}

pub async fn sign_in_failures_count_and_reset(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    store.create_pool(&pool("q")).await.unwrap();
    let failures = |count, last_failure_at| SignInFailures {
        count,
        last_failure_at,
    };
    assert!(
        store
            .get_sign_in_failures("p", "ana")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .record_sign_in_failure("p", "ana", 1_000, 500)
            .await
            .unwrap(),
        failures(1, 1_000)
    );
    assert_eq!(
        store
            .record_sign_in_failure("p", "ana", 1_200, 500)
            .await
            .unwrap(),
        failures(2, 1_200)
    );
    // Exactly `reset_after_ms` after the last failure is not older than it yet.
    assert_eq!(
        store
            .record_sign_in_failure("p", "ana", 1_700, 500)
            .await
            .unwrap(),
        failures(3, 1_700)
    );
    assert_eq!(
        store.get_sign_in_failures("p", "ana").await.unwrap(),
        Some(failures(3, 1_700))
    );
    // Older: the count restarts.
    assert_eq!(
        store
            .record_sign_in_failure("p", "ana", 2_201, 500)
            .await
            .unwrap(),
        failures(1, 2_201)
    );
    // Per user and per pool.
    assert_eq!(
        store
            .record_sign_in_failure("p", "bob", 2_300, 500)
            .await
            .unwrap(),
        failures(1, 2_300)
    );
    assert_eq!(
        store
            .record_sign_in_failure("q", "ana", 2_300, 500)
            .await
            .unwrap(),
        failures(1, 2_300)
    );
    store.clear_sign_in_failures("p", "ana").await.unwrap();
    assert!(
        store
            .get_sign_in_failures("p", "ana")
            .await
            .unwrap()
            .is_none()
    );
    store.clear_sign_in_failures("p", "ana").await.unwrap();
    assert_eq!(
        store.get_sign_in_failures("p", "bob").await.unwrap(),
        Some(failures(1, 2_300))
    );
    assert_eq!(
        store
            .record_sign_in_failure("p", "ana", 2_400, 500)
            .await
            .unwrap(),
        failures(1, 2_400)
    );
    // Stale counters go; a counter exactly at the bound stays.
    assert_eq!(store.delete_stale_sign_in_failures(2_400).await.unwrap(), 2);
    assert!(
        store
            .get_sign_in_failures("p", "bob")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .get_sign_in_failures("q", "ana")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.get_sign_in_failures("p", "ana").await.unwrap(),
        Some(failures(1, 2_400))
    );
}

pub async fn sign_in_failures_concurrent(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    // Times arrive out of order (several nodes): none is lost, the latest one is kept.
    let racers = (0..20).map(|i| {
        let store = store.clone();
        async move {
            store
                .record_sign_in_failure("p", "ana", 10_000 + (i * 7) % 20, 60_000)
                .await
        }
    });
    let results = futures::future::join_all(racers).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let mut counts: Vec<u32> = results.iter().map(|r| r.as_ref().unwrap().count).collect();
    counts.sort();
    assert_eq!(counts, (1..=20).collect::<Vec<_>>());
    assert_eq!(
        store.get_sign_in_failures("p", "ana").await.unwrap(),
        Some(SignInFailures {
            count: 20,
            last_failure_at: 10_019
        })
    );
}

pub async fn auth_rows_go_with_pool_and_user(store: Arc<dyn Store>) {
    for pool_id in ["p", "q"] {
        store.create_pool(&pool(pool_id)).await.unwrap();
        store.create_user(&user(pool_id, "ana"), &[]).await.unwrap();
        store.create_user(&user(pool_id, "bob"), &[]).await.unwrap();
        assert!(
            store
                .create_initial_signing_keys(&key_pair(pool_id, pool_id, 10))
                .await
                .unwrap()
        );
        store
            .rotate_signing_keys(
                pool_id,
                &key_pair(pool_id, &format!("{pool_id}2"), 20),
                100,
                20,
            )
            .await
            .unwrap();
        for name in ["ana", "bob"] {
            store
                .insert_refresh_token(&refresh_token(
                    pool_id,
                    name,
                    &format!("{pool_id}-{name}"),
                    name,
                ))
                .await
                .unwrap();
            store
                .record_sign_in_failure(pool_id, name, 10, 1_000)
                .await
                .unwrap();
        }
    }

    // Deleting a user drops its refresh tokens and failure counter, nothing else.
    store.delete_user("p", "bob").await.unwrap();
    assert!(store.get_refresh_token("p-bob").await.unwrap().is_none());
    assert!(
        store
            .get_sign_in_failures("p", "bob")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.get_refresh_token("p-ana").await.unwrap().is_some());
    assert!(
        store
            .get_sign_in_failures("p", "ana")
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.get_refresh_token("q-bob").await.unwrap().is_some());
    assert!(
        store
            .get_sign_in_failures("q", "bob")
            .await
            .unwrap()
            .is_some()
    );
    // A user created again under the name starts clean.
    store.create_user(&user("p", "bob"), &[]).await.unwrap();
    assert!(
        store
            .get_sign_in_failures("p", "bob")
            .await
            .unwrap()
            .is_none()
    );

    store.delete_pool("p").await.unwrap();
    assert!(store.list_signing_keys("p").await.unwrap().is_empty());
    assert!(store.get_refresh_token("p-ana").await.unwrap().is_none());
    assert!(
        store
            .get_sign_in_failures("p", "ana")
            .await
            .unwrap()
            .is_none()
    );
    // The other pool keeps everything.
    assert_eq!(store.list_signing_keys("q").await.unwrap().len(), 4);
    assert!(store.get_refresh_token("q-ana").await.unwrap().is_some());
    assert!(
        store
            .get_sign_in_failures("q", "ana")
            .await
            .unwrap()
            .is_some()
    );
    // A pool created again under the id gets first keys of its own.
    store.create_pool(&pool("p")).await.unwrap();
    assert!(
        store
            .create_initial_signing_keys(&key_pair("p", "new", 30))
            .await
            .unwrap()
    );
    assert_eq!(
        store.list_signing_keys("p").await.unwrap(),
        key_pair("p", "new", 30)
    );
}
