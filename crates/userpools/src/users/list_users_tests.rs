//! ListUsers against a real (in-memory) store.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode};

use crate::user_fixtures::{Fixture, fixture};
use crate::users::list_users::list_users;

fn request(pool: &str) -> ListUsersRequest {
    ListUsersRequest {
        user_pool_id: pool.to_string(),
        ..Default::default()
    }
}

async fn names(f: &Fixture, input: ListUsersRequest) -> Result<Vec<String>, Error> {
    let page = list_users(&f.svc, &f.ctx, input).await?;
    let mut names: Vec<String> = page
        .users
        .unwrap()
        .into_iter()
        .map(|u| u.username.unwrap())
        .collect();
    names.sort();
    Ok(names)
}

async fn filtered(f: &Fixture, pool: &str, filter: &str) -> Vec<String> {
    names(
        f,
        ListUsersRequest {
            filter: Some(filter.into()),
            ..request(pool)
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn filters_select_exactly_the_matching_users() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(
        &pool,
        "a1",
        &[("email", "A1@example.com"), ("given_name", "Al")],
    )
    .await
    .unwrap();
    f.create(
        &pool,
        "a2",
        &[("email", "a2@example.com"), ("given_name", "Alma")],
    )
    .await
    .unwrap();
    f.create(
        &pool,
        "b1",
        &[("email", "b1@example.com"), ("name", "say \"hi\"")],
    )
    .await
    .unwrap();
    let disable = AdminDisableUserRequest {
        user_pool_id: pool.clone(),
        username: "b1".into(),
    };
    crate::users::admin::admin_disable_user(&f.svc, &f.ctx, disable)
        .await
        .unwrap();

    assert_eq!(filtered(&f, &pool, r#"email ^= "a""#).await, ["a1", "a2"]);
    assert_eq!(
        filtered(&f, &pool, r#"email = "a1@example.com""#).await,
        ["a1"]
    );
    assert_eq!(
        filtered(&f, &pool, r#"given_name ^= "Al""#).await,
        ["a1", "a2"]
    );
    assert_eq!(
        filtered(&f, &pool, r#"given_name ^= "al""#).await,
        Vec::<String>::new()
    );
    assert_eq!(filtered(&f, &pool, r#"username = "b1""#).await, ["b1"]);
    assert_eq!(
        filtered(&f, &pool, r#"username = "B1""#).await,
        Vec::<String>::new()
    );
    assert_eq!(
        filtered(&f, &pool, r#"username ^= "a""#).await,
        ["a1", "a2"]
    );
    assert_eq!(filtered(&f, &pool, r#"status = "Disabled""#).await, ["b1"]);
    assert_eq!(
        filtered(&f, &pool, r#"status = "Enabled""#).await,
        ["a1", "a2"]
    );
    assert_eq!(
        filtered(&f, &pool, r#"status = "nope""#).await,
        Vec::<String>::new()
    );
    assert_eq!(
        filtered(
            &f,
            &pool,
            r#"cognito:user_status = "force_change_password""#
        )
        .await,
        ["a1", "a2", "b1"]
    );
    assert_eq!(filtered(&f, &pool, r#"name = "say \"hi\"""#).await, ["b1"]);
    assert_eq!(filtered(&f, &pool, "  ").await, ["a1", "a2", "b1"]);
    let sub = f.user(&pool, "a2").await.sub;
    assert_eq!(
        filtered(&f, &pool, &format!(r#"sub = "{sub}""#)).await,
        ["a2"]
    );

    for (filter, message) in [
        (
            r#"custom:tenant = "x""#,
            "Invalid search attribute: custom:tenant",
        ),
        ("email ^= a", "Error while parsing filter."),
    ] {
        let err = names(
            &f,
            ListUsersRequest {
                filter: Some(filter.into()),
                ..request(&pool)
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (ErrorCode::InvalidParameterException, message)
        );
    }
}

#[tokio::test]
async fn case_insensitive_pools_fold_username_filters() {
    let f = fixture().await;
    let pool = f
        .pool(UserPoolType {
            username_configuration: Some(UsernameConfigurationType {
                case_sensitive: false,
            }),
            ..Default::default()
        })
        .await;
    f.create(&pool, "Mixed", &[]).await.unwrap();
    assert_eq!(
        filtered(&f, &pool, r#"username = "mIXED""#).await,
        ["Mixed"]
    );
}

#[tokio::test]
async fn attributes_to_get_limits_the_attributes() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(&pool, "g1", &[("email", "g1@example.com"), ("name", "G")])
        .await
        .unwrap();
    let page = list_users(
        &f.svc,
        &f.ctx,
        ListUsersRequest {
            attributes_to_get: Some(vec!["email".into()]),
            ..request(&pool)
        },
    )
    .await
    .unwrap();
    let user = &page.users.unwrap()[0];
    assert_eq!(
        user.attributes.as_deref(),
        Some(
            &[AttributeType {
                name: "email".into(),
                value: Some("g1@example.com".into())
            }][..]
        )
    );
    assert_eq!(user.user_status, Some(UserStatusType::ForceChangePassword));
    let err = list_users(
        &f.svc,
        &f.ctx,
        ListUsersRequest {
            attributes_to_get: Some(vec!["custom:none".into()]),
            ..request(&pool)
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            ErrorCode::InvalidParameterException,
            "Attribute custom:none does not exist in the schema."
        )
    );
}

#[tokio::test]
async fn pagination_visits_every_user_once() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    for i in 0..12 {
        f.create(&pool, &format!("u{i:02}"), &[]).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = list_users(
            &f.svc,
            &f.ctx,
            ListUsersRequest {
                limit: Some(5),
                pagination_token: token.clone(),
                ..request(&pool)
            },
        )
        .await
        .unwrap();
        let users = page.users.unwrap();
        assert!(users.len() <= 5);
        seen.extend(users.into_iter().map(|u| u.username.unwrap()));
        pages += 1;
        token = page.pagination_token;
        if token.is_none() {
            break;
        }
        f.create(&pool, &format!("late{pages}"), &[]).await.unwrap();
    }
    for i in 0..12 {
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
    assert_eq!(unique.len(), seen.len());
}

#[tokio::test]
async fn foreign_or_forged_tokens_are_refused() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    for name in ["p1", "p2", "p3"] {
        f.create(&pool, name, &[]).await.unwrap();
    }
    let first = list_users(
        &f.svc,
        &f.ctx,
        ListUsersRequest {
            limit: Some(1),
            ..request(&pool)
        },
    )
    .await
    .unwrap();
    let token = first.pagination_token.expect("more pages");
    for (filter, token) in [
        (Some(r#"username ^= "p""#), token.clone()),
        (None, "forged".to_string()),
    ] {
        let input = ListUsersRequest {
            filter: filter.map(str::to_string),
            pagination_token: Some(token),
            ..request(&pool)
        };
        let err = list_users(&f.svc, &f.ctx, input).await.unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (
                ErrorCode::InvalidParameterException,
                "Invalid pagination token."
            )
        );
    }
}
