//! Groups and membership.

use cognitod_testkit::TestServer;

use crate::{create_pool, create_user, error_of};

#[tokio::test]
async fn group_lifecycle_and_membership() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "groups").await;
    create_user(&idp, &pool, "hal", "hal@example.com").await;
    create_user(&idp, &pool, "ida", "ida@example.com").await;

    let group = idp
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Administrators")
        .precedence(1)
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(group.group_name(), Some("admins"));
    assert_eq!(group.precedence(), Some(1));
    let (code, _) = error_of(
        idp.create_group()
            .user_pool_id(&pool)
            .group_name("admins")
            .send()
            .await,
    );
    assert_eq!(code, "GroupExistsException");

    idp.update_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Admins")
        .send()
        .await
        .unwrap();
    let fetched = idp
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(fetched.description(), Some("Admins"));
    assert_eq!(fetched.precedence(), Some(1));

    idp.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("hal")
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let members = idp
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = members
        .users()
        .iter()
        .filter_map(|u| u.username())
        .collect();
    assert_eq!(names, ["hal"]);
    let groups = idp
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("hal")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups().len(), 1);

    let (code, _) = error_of(
        idp.admin_add_user_to_group()
            .user_pool_id(&pool)
            .username("nobody")
            .group_name("admins")
            .send()
            .await,
    );
    assert_eq!(code, "UserNotFoundException");
    let (code, _) = error_of(
        idp.admin_add_user_to_group()
            .user_pool_id(&pool)
            .username("ida")
            .group_name("none")
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");

    idp.admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("hal")
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let members = idp
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    assert!(members.users().is_empty());

    idp.delete_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let (code, _) = error_of(
        idp.get_group()
            .user_pool_id(&pool)
            .group_name("admins")
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
    let listed = idp.list_groups().user_pool_id(&pool).send().await.unwrap();
    assert!(listed.groups().is_empty());
}
