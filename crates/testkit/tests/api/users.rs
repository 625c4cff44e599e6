//! Users through the admin API: create (with the invitation in the outbox), get, update,
//! disable, confirm, passwords.

use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, DeliveryMediumType, UserStatusType, UsernameAttributeType,
};
use cognitod_testkit::TestServer;

use crate::{attr, create_pool, error_of};

#[tokio::test]
async fn admin_create_user_sends_an_invitation_and_stores_no_plaintext() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "users").await;
    let user = idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("ana")
        .temporary_password("Temp-Pass-123")
        .user_attributes(attr("email", "ana@example.com"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(user.username(), Some("ana"));
    assert_eq!(
        user.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(user.enabled());
    let sub = user
        .attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value());
    assert_eq!(sub.map(str::len), Some(36));

    let messages = server.outbox(&pool, Some("ana")).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].medium, "EMAIL");
    assert_eq!(messages[0].destination, "ana@example.com");
    assert!(messages[0].body.contains("ana") && messages[0].body.contains("Temp-Pass-123"));

    let stored = server
        .store()
        .get_user(&pool, "ana")
        .await
        .unwrap()
        .unwrap();
    let hash = stored.password_hash.unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("Temp-Pass-123"));
}

#[tokio::test]
async fn duplicate_username_is_refused() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "dupes").await;
    crate::create_user(&idp, &pool, "bob", "bob@example.com").await;
    let (code, message) = error_of(
        idp.admin_create_user()
            .user_pool_id(&pool)
            .username("bob")
            .send()
            .await,
    );
    assert_eq!(code, "UsernameExistsException");
    assert_eq!(message, "User account already exists");
}

#[tokio::test]
async fn get_update_delete_attributes() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "attrs").await;
    crate::create_user(&idp, &pool, "cy", "cy@example.com").await;
    idp.admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("cy")
        .user_attributes(attr("given_name", "Cyrus"))
        .user_attributes(attr("email", "cyrus@example.com"))
        .send()
        .await
        .unwrap();
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("cy")
        .send()
        .await
        .unwrap();
    let value = |name: &str| crate::attr_value(user.user_attributes(), name);
    assert_eq!(value("given_name").as_deref(), Some("Cyrus"));
    assert_eq!(value("email").as_deref(), Some("cyrus@example.com"));

    idp.admin_delete_user_attributes()
        .user_pool_id(&pool)
        .username("cy")
        .user_attribute_names("given_name")
        .send()
        .await
        .unwrap();
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("cy")
        .send()
        .await
        .unwrap();
    assert!(
        user.user_attributes()
            .iter()
            .all(|a| a.name() != "given_name")
    );

    let (code, _) = error_of(
        idp.admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("cy")
            .user_attributes(attr("no_such_attribute", "x"))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn disable_enable_confirm_and_passwords() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "states").await;
    crate::create_user(&idp, &pool, "dee", "dee@example.com").await;

    idp.admin_disable_user()
        .user_pool_id(&pool)
        .username("dee")
        .send()
        .await
        .unwrap();
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("dee")
        .send()
        .await
        .unwrap();
    assert!(!user.enabled());
    idp.admin_enable_user()
        .user_pool_id(&pool)
        .username("dee")
        .send()
        .await
        .unwrap();
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("dee")
        .send()
        .await
        .unwrap();
    assert!(user.enabled());

    let (code, message) = error_of(
        idp.admin_set_user_password()
            .user_pool_id(&pool)
            .username("dee")
            .password("short")
            .permanent(true)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidPasswordException");
    assert!(
        message.starts_with("Password does not conform to policy"),
        "{message}"
    );

    idp.admin_set_user_password()
        .user_pool_id(&pool)
        .username("dee")
        .password("Perm-Pass-456")
        .permanent(true)
        .send()
        .await
        .unwrap();
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("dee")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));

    let (code, message) = error_of(
        idp.admin_get_user()
            .user_pool_id(&pool)
            .username("nobody")
            .send()
            .await,
    );
    assert_eq!(code, "UserNotFoundException");
    assert_eq!(message, "User does not exist.");

    idp.admin_delete_user()
        .user_pool_id(&pool)
        .username("dee")
        .send()
        .await
        .unwrap();
    let (code, _) = error_of(
        idp.admin_get_user()
            .user_pool_id(&pool)
            .username("dee")
            .send()
            .await,
    );
    assert_eq!(code, "UserNotFoundException");
}

#[tokio::test]
async fn email_username_pools_store_a_uuid_username() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = idp
        .create_user_pool()
        .pool_name("by-email")
        .username_attributes(UsernameAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let user = idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("eve@example.com")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    let username = user.username().unwrap().to_string();
    assert_eq!(username.len(), 36, "{username}");
    let sub = user
        .attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap();
    assert_eq!(username, sub);
    let fetched = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("eve@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.username(), username);

    let (code, _) = error_of(
        idp.admin_create_user()
            .user_pool_id(&pool)
            .username("eve@example.com")
            .send()
            .await,
    );
    assert_eq!(code, "UsernameExistsException");
}

#[tokio::test]
async fn verified_email_alias_is_unique() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = idp
        .create_user_pool()
        .pool_name("alias")
        .alias_attributes(AliasAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let create = |name: &'static str| {
        idp.admin_create_user()
            .user_pool_id(&pool)
            .username(name)
            .user_attributes(attr("email", "same@example.com"))
            .user_attributes(attr("email_verified", "true"))
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .send()
    };
    create("first").await.unwrap();
    let (code, _) = error_of(create("second").await);
    assert_eq!(code, "AliasExistsException");
    let fetched = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("same@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.username(), "first");
}

#[tokio::test]
async fn admin_reset_sends_a_code_and_requires_a_reset() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "reset").await;
    idp.admin_create_user()
        .user_pool_id(&pool)
        .username("fay")
        .user_attributes(attr("email", "fay@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    idp.admin_set_user_password()
        .user_pool_id(&pool)
        .username("fay")
        .password("Perm-Pass-456")
        .permanent(true)
        .send()
        .await
        .unwrap();
    idp.admin_reset_user_password()
        .user_pool_id(&pool)
        .username("fay")
        .send()
        .await
        .unwrap();
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("fay")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::ResetRequired));
    let messages = server.outbox(&pool, Some("fay")).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0].destination, "fay@example.com");
    let code: String = messages[0]
        .body
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    assert!(code.len() >= 6, "no code in {:?}", messages[0].body);
}
