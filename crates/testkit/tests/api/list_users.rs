//! ListUsers: filters, AttributesToGet, pagination.

use cognitod_testkit::TestServer;

use crate::{create_pool, create_user, error_of};

async fn usernames(
    idp: &aws_sdk_cognitoidentityprovider::Client,
    pool: &str,
    filter: &str,
) -> Vec<String> {
    let mut names: Vec<String> = idp
        .list_users()
        .user_pool_id(pool)
        .filter(filter)
        .send()
        .await
        .unwrap_or_else(|e| panic!("filter {filter}: {e:?}"))
        .users()
        .iter()
        .map(|u| u.username().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn filters_select_exactly_the_matching_users() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "filters").await;
    create_user(&idp, &pool, "a1", "a1@example.com").await;
    create_user(&idp, &pool, "a2", "a2@example.com").await;
    create_user(&idp, &pool, "b1", "b1@example.com").await;
    idp.admin_disable_user()
        .user_pool_id(&pool)
        .username("b1")
        .send()
        .await
        .unwrap();

    assert_eq!(
        usernames(&idp, &pool, r#"email ^= "a""#).await,
        ["a1", "a2"]
    );
    assert_eq!(
        usernames(&idp, &pool, r#"email = "a2@example.com""#).await,
        ["a2"]
    );
    assert_eq!(usernames(&idp, &pool, r#"username = "b1""#).await, ["b1"]);
    assert_eq!(
        usernames(&idp, &pool, r#"username ^= "a""#).await,
        ["a1", "a2"]
    );
    assert_eq!(
        usernames(&idp, &pool, r#"status = "Disabled""#).await,
        ["b1"]
    );
    assert_eq!(
        usernames(&idp, &pool, r#"status = "Enabled""#).await,
        ["a1", "a2"]
    );
    assert_eq!(
        usernames(
            &idp,
            &pool,
            r#"cognito:user_status = "force_change_password""#
        )
        .await,
        ["a1", "a2", "b1"]
    );
    assert!(
        usernames(&idp, &pool, r#"email = "nobody@example.com""#)
            .await
            .is_empty()
    );

    let (code, _) = error_of(
        idp.list_users()
            .user_pool_id(&pool)
            .filter(r#"custom:tenant = "x""#)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = error_of(
        idp.list_users()
            .user_pool_id(&pool)
            .filter("email ^= a")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn attributes_to_get_limits_the_attributes() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "attrs").await;
    create_user(&idp, &pool, "g1", "g1@example.com").await;
    let users = idp
        .list_users()
        .user_pool_id(&pool)
        .attributes_to_get("email")
        .send()
        .await
        .unwrap();
    let attributes = users.users()[0].attributes();
    assert_eq!(attributes.len(), 1);
    assert_eq!(attributes[0].name(), "email");
}

#[tokio::test]
async fn pagination_returns_every_user_once_even_with_concurrent_inserts() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "pages").await;
    for i in 0..25 {
        create_user(
            &idp,
            &pool,
            &format!("u{i:02}"),
            &format!("u{i:02}@example.com"),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut inserted = 0;
    loop {
        let page = idp
            .list_users()
            .user_pool_id(&pool)
            .limit(7)
            .set_pagination_token(token.clone())
            .send()
            .await
            .unwrap();
        assert!(page.users().len() <= 7);
        seen.extend(
            page.users()
                .iter()
                .map(|u| u.username().unwrap().to_string()),
        );
        token = page.pagination_token().map(str::to_string);
        if token.is_none() {
            break;
        }
        // A user created between pages must not shift the pages already agreed on.
        create_user(
            &idp,
            &pool,
            &format!("late{inserted}"),
            &format!("late{inserted}@example.com"),
        )
        .await;
        inserted += 1;
    }
    for i in 0..25 {
        let name = format!("u{i:02}");
        assert_eq!(
            seen.iter().filter(|s| **s == name).count(),
            1,
            "{name} in {seen:?}"
        );
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "a user was repeated: {seen:?}");
}
