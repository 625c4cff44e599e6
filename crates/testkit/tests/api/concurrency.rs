//! Uniqueness under concurrency is the database's job: exactly one of many racing creates wins.

use aws_sdk_cognitoidentityprovider::types::{AliasAttributeType, MessageActionType};
use cognitod_testkit::TestServer;
use futures::future::join_all;

use crate::{attr, create_pool};

fn tally<T, E: aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata>(
    results: Vec<Result<T, E>>,
) -> (usize, Vec<String>) {
    let mut ok = 0;
    let mut codes = Vec::new();
    for result in results {
        match result {
            Ok(_) => ok += 1,
            Err(err) => codes.push(err.code().unwrap_or("<none>").to_string()),
        }
    }
    (ok, codes)
}

#[tokio::test]
async fn fifty_creates_of_one_username_yield_exactly_one_user() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "race").await;
    let calls = (0..50).map(|_| {
        idp.admin_create_user()
            .user_pool_id(&pool)
            .username("racer")
            .message_action(MessageActionType::Suppress)
            .send()
    });
    let (ok, codes) = tally(join_all(calls).await);
    assert_eq!(ok, 1, "{codes:?}");
    assert_eq!(codes.len(), 49);
    assert!(
        codes.iter().all(|c| c == "UsernameExistsException"),
        "{codes:?}"
    );
    let users = idp.list_users().user_pool_id(&pool).send().await.unwrap();
    assert_eq!(users.users().len(), 1);
}

#[tokio::test]
async fn fifty_creates_with_one_email_alias_yield_exactly_one_holder() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = idp
        .create_user_pool()
        .pool_name("alias-race")
        .alias_attributes(AliasAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let calls = (0..50).map(|i| {
        idp.admin_create_user()
            .user_pool_id(&pool)
            .username(format!("racer{i}"))
            .user_attributes(attr("email", "shared@example.com"))
            .user_attributes(attr("email_verified", "true"))
            .message_action(MessageActionType::Suppress)
            .send()
    });
    let (ok, codes) = tally(join_all(calls).await);
    assert_eq!(ok, 1, "{codes:?}");
    assert!(
        codes.iter().all(|c| c == "AliasExistsException"),
        "{codes:?}"
    );
    let users = idp.list_users().user_pool_id(&pool).send().await.unwrap();
    assert_eq!(users.users().len(), 1);
}

/// Two acknowledged writes to one user both stick: a write that read the user before the
/// other wrote is run again on fresh state instead of overwriting it.
#[tokio::test]
async fn concurrent_writes_to_one_user_both_stick() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "writes").await;
    for i in 0..5 {
        let username = format!("user-{i}");
        idp.admin_create_user()
            .user_pool_id(&pool)
            .username(&username)
            .user_attributes(attr("given_name", "before"))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
        let set_password = idp
            .admin_set_user_password()
            .user_pool_id(&pool)
            .username(&username)
            .password("Correct-Horse-1")
            .permanent(true)
            .send();
        let renames = ["family_name", "middle_name", "nickname"].map(|name| {
            idp.admin_update_user_attributes()
                .user_pool_id(&pool)
                .username(&username)
                .user_attributes(attr(name, "x"))
                .user_attributes(attr("given_name", "after"))
                .send()
        });
        let (set_password, renames) = tokio::join!(set_password, join_all(renames));
        set_password.unwrap();
        for rename in renames {
            rename.unwrap();
        }
        let user = idp
            .admin_get_user()
            .user_pool_id(&pool)
            .username(&username)
            .send()
            .await
            .unwrap();
        let value = |name: &str| crate::attr_value(user.user_attributes(), name);
        assert_eq!(user.user_status().map(|s| s.as_str()), Some("CONFIRMED"));
        for name in ["given_name", "family_name", "middle_name", "nickname"] {
            assert!(
                value(name).is_some_and(|v| v != "before"),
                "{username}: {name} lost"
            );
        }
    }
}
