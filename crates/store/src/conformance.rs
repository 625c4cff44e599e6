//! The behaviour every backend must have. Each backend's tests expand
//! [`conformance_tests!`] with a factory for a fresh, empty store.

use std::sync::Arc;

use crate::*;

pub fn pool(id: &str) -> PoolRecord {
    PoolRecord {
        id: id.into(),
        name: format!("name-{id}"),
        config: serde_json::json!({ "Id": id }),
        created_at: 1,
        updated_at: 1,
    }
}

pub fn user(pool_id: &str, username: &str) -> UserRecord {
    UserRecord {
        pool_id: pool_id.into(),
        username: username.into(),
        username_key: username.to_lowercase(),
        sub: format!("sub-{username}"),
        status: "CONFIRMED".into(),
        enabled: true,
        attributes: vec![("email".into(), format!("{username}@Example.com"))],
        password_hash: Some("$argon2id$hash".into()),
        credentials: serde_json::json!({}),
        created_at: 10,
        updated_at: 10,
        version: 0,
    }
}

fn email(key: &str) -> AliasKey {
    AliasKey {
        kind: "email".into(),
        key: key.into(),
    }
}

pub async fn pools_crud_and_pagination(store: Arc<dyn Store>) {
    for i in 0..5 {
        store.create_pool(&pool(&format!("p{i}"))).await.unwrap();
    }
    assert!(matches!(
        store.create_pool(&pool("p0")).await,
        Err(StoreError::Conflict(_))
    ));
    let mut fetched = store.get_pool("p1").await.unwrap().unwrap();
    assert_eq!(fetched, pool("p1"));
    fetched.name = "renamed".into();
    fetched.updated_at = 2;
    store.update_pool(&fetched).await.unwrap();
    assert_eq!(store.get_pool("p1").await.unwrap().unwrap().name, "renamed");
    assert_eq!(
        store.update_pool(&pool("nope")).await,
        Err(StoreError::NotFound)
    );
    let (first, token) = store.list_pools(None, 3).await.unwrap();
    assert_eq!(
        first.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["p0", "p1", "p2"]
    );
    let (rest, token) = store.list_pools(token.as_deref(), 3).await.unwrap();
    assert_eq!(
        rest.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["p3", "p4"]
    );
    assert!(token.is_none());
    assert_eq!(
        store.list_pools(Some("garbage"), 3).await.unwrap_err(),
        StoreError::InvalidToken
    );
}

pub async fn delete_pool_cascades(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    store.create_pool(&pool("q")).await.unwrap();
    let client = ClientRecord {
        pool_id: "p".into(),
        client_id: "c1".into(),
        name: "app".into(),
        config: serde_json::json!({}),
        created_at: 1,
        updated_at: 1,
    };
    store.create_client(&client).await.unwrap();
    store
        .add_client_secret(&ClientSecretRecord {
            pool_id: "p".into(),
            client_id: "c1".into(),
            secret_id: "s1".into(),
            sealed_secret: "sealed".into(),
            created_at: 1,
        })
        .await
        .unwrap();
    store
        .create_user(&user("p", "ana"), &[email("ana@example.com")])
        .await
        .unwrap();
    store
        .create_user(&user("q", "ana"), &[email("ana@example.com")])
        .await
        .unwrap();
    let group = GroupRecord {
        pool_id: "p".into(),
        name: "g".into(),
        description: None,
        role_arn: None,
        precedence: Some(3),
        created_at: 1,
        updated_at: 1,
    };
    store.create_group(&group).await.unwrap();
    store.add_user_to_group("p", "ana", "g").await.unwrap();
    store.delete_pool("p").await.unwrap();
    assert!(store.get_pool("p").await.unwrap().is_none());
    assert!(store.get_client("p", "c1").await.unwrap().is_none());
    assert!(
        store
            .list_client_secrets("p", "c1")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.get_user("p", "ana").await.unwrap().is_none());
    assert!(
        store
            .get_user_by_alias("p", "email", "ana@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.get_group("p", "g").await.unwrap().is_none());
    // The other pool is untouched, and the freed alias can be taken again.
    assert!(store.get_user("q", "ana").await.unwrap().is_some());
    store.create_pool(&pool("p")).await.unwrap();
    store
        .create_user(&user("p", "bob"), &[email("ana@example.com")])
        .await
        .unwrap();
    assert_eq!(
        store.delete_pool("missing").await,
        Err(StoreError::NotFound)
    );
}

pub async fn users_uniqueness_and_lookup(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    let ana = user("p", "Ana");
    store
        .create_user(&ana, &[email("ana@example.com")])
        .await
        .unwrap();
    assert_eq!(store.get_user("p", "ana").await.unwrap().unwrap(), ana);
    assert_eq!(
        store
            .get_user_by_sub("p", "sub-Ana")
            .await
            .unwrap()
            .unwrap()
            .username,
        "Ana"
    );
    assert_eq!(
        store
            .get_user_by_alias("p", "email", "ana@example.com")
            .await
            .unwrap()
            .unwrap()
            .username,
        "Ana"
    );
    assert_eq!(
        store.create_user(&ana, &[]).await,
        Err(StoreError::UsernameExists)
    );
    let mut same_sub = user("p", "other");
    same_sub.sub = ana.sub.clone();
    assert_eq!(
        store.create_user(&same_sub, &[]).await,
        Err(StoreError::SubExists)
    );
    assert_eq!(
        store
            .create_user(&user("p", "eve"), &[email("ana@example.com")])
            .await,
        Err(StoreError::AliasExists {
            kind: "email".into()
        })
    );
    // Nothing of a refused create remains.
    assert!(store.get_user("p", "eve").await.unwrap().is_none());
    assert_eq!(store.count_users("p").await.unwrap(), 1);
}

pub async fn credentials_member_removal(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    store.create_pool(&pool("q")).await.unwrap();
    let with_srp = serde_json::json!({ "srp": { "salt": "00", "verifier": "01" }, "keep": 1 });
    let mut ana = user("p", "ana");
    ana.credentials = with_srp.clone();
    let bob = user("p", "bob");
    let mut other = user("q", "cy");
    other.credentials = with_srp.clone();
    for u in [&ana, &bob, &other] {
        store.create_user(u, &[]).await.unwrap();
    }
    assert_eq!(
        store.remove_credentials_member("p", "srp").await.unwrap(),
        1
    );
    let ana_after = store.get_user("p", "ana").await.unwrap().unwrap();
    assert_eq!(ana_after.credentials, serde_json::json!({ "keep": 1 }));
    let bob_after = store.get_user("p", "bob").await.unwrap().unwrap();
    assert_eq!(bob_after.credentials, serde_json::json!({}));
    // Another pool's users keep theirs.
    let other_after = store.get_user("q", "cy").await.unwrap().unwrap();
    assert_eq!(other_after.credentials, with_srp);
    assert_eq!(
        store.remove_credentials_member("p", "srp").await.unwrap(),
        0
    );
}

pub async fn stale_updates_write_nothing(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    store.create_user(&user("p", "ana"), &[]).await.unwrap();
    let read_once = store.get_user("p", "ana").await.unwrap().unwrap();
    assert_eq!(read_once.version, 0);
    let mut first = read_once.clone();
    first.status = "FIRST".into();
    assert_eq!(store.update_user(&first, None).await.unwrap(), 1);
    // A second writer that read before the first wrote loses, and writes nothing.
    let mut second = read_once.clone();
    second.status = "SECOND".into();
    second.attributes = vec![];
    assert_eq!(
        store.update_user(&second, None).await,
        Err(StoreError::Stale)
    );
    let stored = store.get_user("p", "ana").await.unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.version), ("FIRST", 1));
    assert_eq!(stored.attributes, read_once.attributes);
    // Read again, it wins.
    second.version = stored.version;
    assert_eq!(store.update_user(&second, None).await.unwrap(), 2);
    let mut gone = user("p", "nobody");
    gone.version = 5;
    assert_eq!(
        store.update_user(&gone, None).await,
        Err(StoreError::NotFound)
    );
}

pub async fn failed_update_changes_nothing(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    store
        .create_user(&user("p", "ana"), &[email("ana@example.com")])
        .await
        .unwrap();
    store
        .create_user(&user("p", "bob"), &[email("bob@example.com")])
        .await
        .unwrap();
    let mut bob = store.get_user("p", "bob").await.unwrap().unwrap();
    bob.attributes = vec![("email".into(), "ana@example.com".into())];
    bob.updated_at = 99;
    assert_eq!(
        store
            .update_user(&bob, Some(&[email("ana@example.com")]))
            .await,
        Err(StoreError::AliasExists {
            kind: "email".into()
        })
    );
    let stored = store.get_user("p", "bob").await.unwrap().unwrap();
    assert_eq!(stored, user("p", "bob"));
    assert_eq!(
        store
            .get_user_by_alias("p", "email", "bob@example.com")
            .await
            .unwrap()
            .unwrap()
            .username,
        "bob"
    );
    bob.attributes = vec![("email".into(), "robert@example.com".into())];
    store
        .update_user(&bob, Some(&[email("robert@example.com")]))
        .await
        .unwrap();
    assert!(
        store
            .get_user_by_alias("p", "email", "bob@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .get_user("p", "bob")
            .await
            .unwrap()
            .unwrap()
            .updated_at,
        99
    );
    store.delete_user("p", "bob").await.unwrap();
    assert_eq!(
        store.delete_user("p", "bob").await,
        Err(StoreError::NotFound)
    );
    assert!(
        store
            .get_user_by_alias("p", "email", "robert@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

async fn collect(store: &Arc<dyn Store>, filter: Option<UserFilter>, limit: u32) -> Vec<String> {
    let mut names = Vec::new();
    let mut after = None;
    loop {
        let query = UserQuery {
            filter: filter.clone(),
            limit,
            after,
        };
        let (users, next) = store.list_users("p", &query).await.unwrap();
        names.extend(users.into_iter().map(|u| u.username));
        match next {
            Some(token) => after = Some(token),
            None => return names,
        }
    }
}

fn filter(
    field: SearchField,
    op: FilterOp,
    value: &str,
    case_insensitive: bool,
) -> Option<UserFilter> {
    Some(UserFilter {
        field,
        op,
        value: value.into(),
        case_insensitive,
    })
}

pub async fn list_users_filters(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    for name in ["amy", "al", "bo", "cy"] {
        store.create_user(&user("p", name), &[]).await.unwrap();
    }
    let mut cy = store.get_user("p", "cy").await.unwrap().unwrap();
    cy.enabled = false;
    cy.status = "UNCONFIRMED".into();
    store.update_user(&cy, None).await.unwrap();
    let email = || SearchField::Attribute("email".into());
    assert_eq!(collect(&store, None, 2).await, ["al", "amy", "bo", "cy"]);
    assert_eq!(
        collect(&store, filter(email(), FilterOp::Prefix, "a", false), 1).await,
        ["al", "amy"]
    );
    assert_eq!(
        collect(
            &store,
            filter(email(), FilterOp::Equals, "bo@Example.com", false),
            5
        )
        .await,
        ["bo"]
    );
    assert!(
        collect(
            &store,
            filter(email(), FilterOp::Equals, "bo@example.com", false),
            5
        )
        .await
        .is_empty()
    );
    assert_eq!(
        collect(
            &store,
            filter(email(), FilterOp::Equals, "BO@EXAMPLE.COM", true),
            5
        )
        .await,
        ["bo"]
    );
    assert_eq!(
        collect(
            &store,
            filter(SearchField::Username, FilterOp::Prefix, "a", false),
            5
        )
        .await,
        ["al", "amy"]
    );
    assert_eq!(
        collect(
            &store,
            filter(SearchField::Enabled, FilterOp::Equals, "Disabled", false),
            5
        )
        .await,
        ["cy"]
    );
    assert_eq!(
        collect(
            &store,
            filter(SearchField::Status, FilterOp::Equals, "UNCONFIRMED", false),
            5
        )
        .await,
        ["cy"]
    );
    assert_eq!(
        collect(
            &store,
            filter(SearchField::Sub, FilterOp::Equals, "sub-bo", false),
            5
        )
        .await,
        ["bo"]
    );
    // LIKE metacharacters are plain characters.
    assert!(
        collect(&store, filter(email(), FilterOp::Prefix, "%", false), 5)
            .await
            .is_empty()
    );
}

pub async fn pagination_is_stable_under_inserts(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    for i in 0..20 {
        store
            .create_user(&user("p", &format!("u{i:02}")), &[])
            .await
            .unwrap();
    }
    let mut extra = 0;
    for filter in [
        None,
        Some(UserFilter {
            field: SearchField::Attribute("email".into()),
            op: FilterOp::Prefix,
            value: "u".into(),
            case_insensitive: false,
        }),
    ] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let query = UserQuery {
                filter: filter.clone(),
                limit: 3,
                after,
            };
            let (users, next) = store.list_users("p", &query).await.unwrap();
            seen.extend(users.into_iter().map(|u| u.username));
            let Some(token) = next else { break };
            after = Some(token);
            store
                .create_user(&user("p", &format!("u00-new{extra}")), &[])
                .await
                .unwrap();
            extra += 1;
        }
        for i in 0..20 {
            let name = format!("u{i:02}");
            assert_eq!(
                seen.iter().filter(|s| **s == name).count(),
                1,
                "{name}: {seen:?}"
            );
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len());
    }
}

pub async fn groups_and_membership(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    store.create_user(&user("p", "ana"), &[]).await.unwrap();
    store.create_user(&user("p", "bob"), &[]).await.unwrap();
    for name in ["g1", "g2", "g3"] {
        let group = GroupRecord {
            pool_id: "p".into(),
            name: name.into(),
            description: Some(format!("{name} desc")),
            role_arn: None,
            precedence: None,
            created_at: 1,
            updated_at: 1,
        };
        store.create_group(&group).await.unwrap();
    }
    let mut g1 = store.get_group("p", "g1").await.unwrap().unwrap();
    assert!(matches!(
        store.create_group(&g1).await,
        Err(StoreError::Conflict(_))
    ));
    g1.precedence = Some(5);
    store.update_group(&g1).await.unwrap();
    assert_eq!(
        store
            .get_group("p", "g1")
            .await
            .unwrap()
            .unwrap()
            .precedence,
        Some(5)
    );
    store.add_user_to_group("p", "ana", "g1").await.unwrap();
    store.add_user_to_group("p", "ana", "g1").await.unwrap();
    store.add_user_to_group("p", "ana", "g2").await.unwrap();
    store.add_user_to_group("p", "bob", "g1").await.unwrap();
    assert_eq!(
        store.add_user_to_group("p", "nobody", "g1").await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.add_user_to_group("p", "ana", "none").await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.count_groups_for_user("p", "ana").await.unwrap(), 2);
    let (groups, next) = store
        .list_groups_for_user("p", "ana", None, 1)
        .await
        .unwrap();
    assert_eq!(groups[0].name, "g1");
    let (groups, _) = store
        .list_groups_for_user("p", "ana", next.as_deref(), 1)
        .await
        .unwrap();
    assert_eq!(groups[0].name, "g2");
    let (members, _) = store
        .list_users_in_group("p", "g1", None, 10)
        .await
        .unwrap();
    assert_eq!(
        members
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["ana", "bob"]
    );
    store
        .remove_user_from_group("p", "ana", "g1")
        .await
        .unwrap();
    let (members, _) = store
        .list_users_in_group("p", "g1", None, 10)
        .await
        .unwrap();
    assert_eq!(members.len(), 1);
    store.delete_user("p", "bob").await.unwrap();
    let (members, _) = store
        .list_users_in_group("p", "g1", None, 10)
        .await
        .unwrap();
    assert!(members.is_empty());
    store.delete_group("p", "g2").await.unwrap();
    assert_eq!(store.count_groups_for_user("p", "ana").await.unwrap(), 0);
    let (groups, _) = store.list_groups("p", None, 10).await.unwrap();
    assert_eq!(groups.len(), 2);
}

pub async fn outbox_and_keys(store: Arc<dyn Store>) {
    for (i, (pool, user)) in [("p", "ana"), ("p", "bob"), ("q", "ana")]
        .into_iter()
        .enumerate()
    {
        let id = store
            .push(&OutboxMessage {
                id: 0,
                pool_id: pool.into(),
                username: user.into(),
                medium: "EMAIL".into(),
                destination: format!("{user}@example.com"),
                kind: "Invitation".into(),
                subject: Some("hi".into()),
                body: format!("message {i}"),
                created_at: i as i64,
            })
            .await
            .unwrap();
        assert!(id > 0);
    }
    let all = store.list(None, None, None, 10).await.unwrap();
    assert_eq!(
        all.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["message 0", "message 1", "message 2"]
    );
    let ana_p = store.list(Some("p"), Some("ana"), None, 10).await.unwrap();
    assert_eq!(ana_p.len(), 1);
    assert_eq!(
        store
            .list(None, None, Some(all[0].id), 10)
            .await
            .unwrap()
            .len(),
        2
    );

    let key = AccessKeyRecord {
        access_key_id: "AKIA1".into(),
        sealed_secret: "sealed".into(),
        allowed_actions: vec!["Admin*".into()],
        pool_ids: vec!["p".into()],
        description: Some("test".into()),
        created_at: 1,
    };
    store.create_access_key(&key).await.unwrap();
    assert_eq!(store.get_access_key("AKIA1").await.unwrap().unwrap(), key);
    assert_eq!(store.list_access_keys().await.unwrap(), vec![key]);
    store.delete_access_key("AKIA1").await.unwrap();
    assert!(store.get_access_key("AKIA1").await.unwrap().is_none());
    store.ping().await.unwrap();
}

pub async fn concurrent_creates_have_one_winner(store: Arc<dyn Store>) {
    store.create_pool(&pool("p")).await.unwrap();
    let same_name = (0..50).map(|i| {
        let store = store.clone();
        async move {
            let mut u = user("p", "racer");
            u.sub = format!("sub-{i}");
            store.create_user(&u, &[]).await
        }
    });
    let results = futures::future::join_all(same_name).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(
        results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| *r == Err(StoreError::UsernameExists))
    );

    let same_alias = (0..50).map(|i| {
        let store = store.clone();
        async move {
            store
                .create_user(
                    &user("p", &format!("alias{i}")),
                    &[email("shared@example.com")],
                )
                .await
        }
    });
    let results = futures::future::join_all(same_alias).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(results.iter().filter(|r| r.is_err()).all(|r| *r
        == Err(StoreError::AliasExists {
            kind: "email".into()
        })));
    assert_eq!(store.count_users("p").await.unwrap(), 2);
}

/// Expands one `#[tokio::test]` per conformance check, each on a fresh store from `$factory`
/// (an async expression returning `Arc<dyn Store>`).
#[macro_export]
macro_rules! conformance_tests {
    ($factory:expr) => {
        $crate::conformance_tests!(@each $factory; conformance;
            pools_crud_and_pagination, delete_pool_cascades, users_uniqueness_and_lookup,
            failed_update_changes_nothing, list_users_filters, pagination_is_stable_under_inserts,
            groups_and_membership, outbox_and_keys, concurrent_creates_have_one_winner,
            credentials_member_removal, stale_updates_write_nothing);
        $crate::conformance_tests!(@each $factory; conformance_auth;
            signing_keys_created_once, signing_keys_concurrent_creation, signing_keys_rotation,
            signing_keys_concurrent_rotation, signing_keys_next_promotion, refresh_tokens_lifecycle,
            session_nonces_consumed_once, sign_in_failures_count_and_reset,
            sign_in_failures_concurrent, auth_rows_go_with_pool_and_user);
    };
    (@each $factory:expr; $module:ident; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                $crate::$module::$name($factory.await).await;
            }
        )*
    };
}
