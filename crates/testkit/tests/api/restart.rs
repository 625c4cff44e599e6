//! Durability: everything acknowledged is there after a restart.

use cognitod_testkit::TestServer;

use crate::{create_pool, create_user};

#[tokio::test]
async fn pools_clients_users_and_groups_survive_a_restart() {
    let mut server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "durable").await;
    let client_id = idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .generate_secret(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    create_user(&idp, &pool, "kim", "kim@example.com").await;
    idp.create_group()
        .user_pool_id(&pool)
        .group_name("staff")
        .send()
        .await
        .unwrap();
    idp.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("kim")
        .group_name("staff")
        .send()
        .await
        .unwrap();

    server.restart().await;
    let idp = server.idp();
    let described = idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool().unwrap().name(), Some("durable"));
    let client = idp
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert!(client.client_secret().is_some());
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("kim")
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), "kim");
    let members = idp
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("staff")
        .send()
        .await
        .unwrap();
    assert_eq!(members.users().len(), 1);
}
