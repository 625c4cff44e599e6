//! Groups and membership against a real (in-memory) store.

use std::time::Duration;

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode};

use super::*;
use crate::user_fixtures::{Fixture, START, fixture};

fn expect_err<T: std::fmt::Debug>(result: Result<T, Error>, code: ErrorCode, message: &str) {
    let err = result.expect_err("the call should fail");
    assert_eq!((err.code, err.message.as_str()), (code, message));
}

async fn create(f: &Fixture, pool: &str, name: &str) -> GroupType {
    let input = CreateGroupRequest {
        user_pool_id: pool.into(),
        group_name: name.into(),
        ..Default::default()
    };
    create_group(&f.svc, &f.ctx, input)
        .await
        .unwrap()
        .group
        .unwrap()
}

fn membership(pool: &str, user: &str, group: &str) -> AdminAddUserToGroupRequest {
    AdminAddUserToGroupRequest {
        user_pool_id: pool.into(),
        username: user.into(),
        group_name: group.into(),
    }
}

#[tokio::test]
async fn group_lifecycle() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    let role = "arn:aws:iam::123456789012:role/Admins";
    let created = create_group(
        &f.svc,
        &f.ctx,
        CreateGroupRequest {
            user_pool_id: pool.clone(),
            group_name: "admins".into(),
            description: Some("Administrators".into()),
            role_arn: Some(role.into()),
            precedence: Some(1),
        },
    )
    .await
    .unwrap()
    .group
    .unwrap();
    assert_eq!(
        created,
        GroupType {
            group_name: Some("admins".into()),
            user_pool_id: Some(pool.clone()),
            description: Some("Administrators".into()),
            role_arn: Some(role.into()),
            precedence: Some(1),
            last_modified_date: Some(cognitod_model::Timestamp::from_millis(START)),
            creation_date: Some(cognitod_model::Timestamp::from_millis(START)),
        }
    );
    expect_err(
        create_group(
            &f.svc,
            &f.ctx,
            CreateGroupRequest {
                user_pool_id: pool.clone(),
                group_name: "admins".into(),
                ..Default::default()
            },
        )
        .await,
        ErrorCode::GroupExistsException,
        "A group with the name already exists.",
    );

    f.clock.advance(Duration::from_secs(5));
    let updated = update_group(
        &f.svc,
        &f.ctx,
        UpdateGroupRequest {
            user_pool_id: pool.clone(),
            group_name: "admins".into(),
            description: Some("Admins".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .group
    .unwrap();
    assert_eq!(updated.description.as_deref(), Some("Admins"));
    assert_eq!(
        (updated.precedence, updated.role_arn.as_deref()),
        (Some(1), Some(role))
    );
    assert_eq!(
        updated.last_modified_date.map(|t| t.millis()),
        Some(START + 5_000)
    );
    assert_eq!(updated.creation_date.map(|t| t.millis()), Some(START));
    let fetched = get_group(
        &f.svc,
        &f.ctx,
        GetGroupRequest {
            user_pool_id: pool.clone(),
            group_name: "admins".into(),
        },
    )
    .await
    .unwrap()
    .group
    .unwrap();
    assert_eq!(fetched, updated);

    delete_group(
        &f.svc,
        &f.ctx,
        DeleteGroupRequest {
            user_pool_id: pool.clone(),
            group_name: "admins".into(),
        },
    )
    .await
    .unwrap();
    expect_err(
        get_group(
            &f.svc,
            &f.ctx,
            GetGroupRequest {
                user_pool_id: pool.clone(),
                group_name: "admins".into(),
            },
        )
        .await,
        ErrorCode::ResourceNotFoundException,
        "Group not found.",
    );
    expect_err(
        delete_group(
            &f.svc,
            &f.ctx,
            DeleteGroupRequest {
                user_pool_id: pool.clone(),
                group_name: "admins".into(),
            },
        )
        .await,
        ErrorCode::ResourceNotFoundException,
        "Group not found.",
    );
    expect_err(
        create_group(
            &f.svc,
            &f.ctx,
            CreateGroupRequest {
                user_pool_id: "us-east-1_none".into(),
                group_name: "g".into(),
                ..Default::default()
            },
        )
        .await,
        ErrorCode::ResourceNotFoundException,
        "User pool us-east-1_none does not exist.",
    );
}

#[tokio::test]
async fn list_groups_pages() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    for name in ["c", "a", "b"] {
        create(&f, &pool, name).await;
    }
    let first = list_groups(
        &f.svc,
        &f.ctx,
        ListGroupsRequest {
            user_pool_id: pool.clone(),
            limit: Some(2),
            next_token: None,
        },
    )
    .await
    .unwrap();
    let mut names: Vec<String> = first
        .groups
        .unwrap()
        .into_iter()
        .filter_map(|g| g.group_name)
        .collect();
    assert_eq!(names.len(), 2);
    let rest = list_groups(
        &f.svc,
        &f.ctx,
        ListGroupsRequest {
            user_pool_id: pool.clone(),
            limit: Some(2),
            next_token: first.next_token,
        },
    )
    .await
    .unwrap();
    names.extend(
        rest.groups
            .unwrap()
            .into_iter()
            .filter_map(|g| g.group_name),
    );
    names.sort();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(rest.next_token, None);
    expect_err(
        list_groups(
            &f.svc,
            &f.ctx,
            ListGroupsRequest {
                user_pool_id: pool.clone(),
                limit: None,
                next_token: Some("bogus".into()),
            },
        )
        .await,
        ErrorCode::InvalidParameterException,
        "Invalid pagination token.",
    );
}

#[tokio::test]
async fn membership_lifecycle() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(&pool, "hal", &[]).await.unwrap();
    f.create(&pool, "ida", &[]).await.unwrap();
    create(&f, &pool, "admins").await;
    create(&f, &pool, "staff").await;

    admin_add_user_to_group(&f.svc, &f.ctx, membership(&pool, "hal", "admins"))
        .await
        .unwrap();
    admin_add_user_to_group(&f.svc, &f.ctx, membership(&pool, "hal", "admins"))
        .await
        .unwrap();
    admin_add_user_to_group(&f.svc, &f.ctx, membership(&pool, "hal", "staff"))
        .await
        .unwrap();
    let members = list_users_in_group(
        &f.svc,
        &f.ctx,
        ListUsersInGroupRequest {
            user_pool_id: pool.clone(),
            group_name: "admins".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let names: Vec<String> = members
        .users
        .unwrap()
        .into_iter()
        .filter_map(|u| u.username)
        .collect();
    assert_eq!(names, ["hal"]);
    let groups = admin_list_groups_for_user(
        &f.svc,
        &f.ctx,
        AdminListGroupsForUserRequest {
            user_pool_id: pool.clone(),
            username: "hal".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut group_names: Vec<String> = groups
        .groups
        .unwrap()
        .into_iter()
        .filter_map(|g| g.group_name)
        .collect();
    group_names.sort();
    assert_eq!(group_names, ["admins", "staff"]);

    expect_err(
        admin_add_user_to_group(&f.svc, &f.ctx, membership(&pool, "nobody", "admins")).await,
        ErrorCode::UserNotFoundException,
        "User does not exist.",
    );
    expect_err(
        admin_add_user_to_group(&f.svc, &f.ctx, membership(&pool, "ida", "none")).await,
        ErrorCode::ResourceNotFoundException,
        "Group not found.",
    );

    let remove = AdminRemoveUserFromGroupRequest {
        user_pool_id: pool.clone(),
        username: "hal".into(),
        group_name: "admins".into(),
    };
    admin_remove_user_from_group(&f.svc, &f.ctx, remove.clone())
        .await
        .unwrap();
    admin_remove_user_from_group(&f.svc, &f.ctx, remove)
        .await
        .unwrap();
    let members = list_users_in_group(
        &f.svc,
        &f.ctx,
        ListUsersInGroupRequest {
            user_pool_id: pool.clone(),
            group_name: "admins".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(members.users, Some(vec![]));
    expect_err(
        list_users_in_group(
            &f.svc,
            &f.ctx,
            ListUsersInGroupRequest {
                user_pool_id: pool.clone(),
                group_name: "none".into(),
                ..Default::default()
            },
        )
        .await,
        ErrorCode::ResourceNotFoundException,
        "Group not found.",
    );
}

#[tokio::test]
async fn a_user_belongs_to_at_most_100_groups() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(&pool, "joiner", &[]).await.unwrap();
    for i in 0..101 {
        create(&f, &pool, &format!("g{i:03}")).await;
    }
    for i in 0..100 {
        admin_add_user_to_group(
            &f.svc,
            &f.ctx,
            membership(&pool, "joiner", &format!("g{i:03}")),
        )
        .await
        .unwrap();
    }
    // Re-adding an existing membership is still fine at the limit.
    admin_add_user_to_group(&f.svc, &f.ctx, membership(&pool, "joiner", "g000"))
        .await
        .unwrap();
    expect_err(
        admin_add_user_to_group(&f.svc, &f.ctx, membership(&pool, "joiner", "g100")).await,
        ErrorCode::InvalidParameterException,
        "A user can belong to at most 100 groups.",
    );
}
