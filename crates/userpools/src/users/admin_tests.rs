//! Behaviour of AdminCreateUser and the identity rules, against a real (in-memory) store.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode};

use crate::user_fixtures::{START, attr, attrs, fixture};
use crate::users::admin::{admin_create_user, admin_get_user};

fn expect_err<T: std::fmt::Debug>(result: Result<T, Error>, code: ErrorCode, message: &str) {
    let err = result.expect_err("the call should fail");
    assert_eq!((err.code, err.message.as_str()), (code, message));
}

fn create_request(pool: &str, username: &str) -> AdminCreateUserRequest {
    AdminCreateUserRequest {
        user_pool_id: pool.to_string(),
        username: username.to_string(),
        ..Default::default()
    }
}

fn case_insensitive() -> UserPoolType {
    UserPoolType {
        username_configuration: Some(UsernameConfigurationType {
            case_sensitive: false,
        }),
        ..Default::default()
    }
}

fn email_alias_pool() -> UserPoolType {
    UserPoolType {
        alias_attributes: Some(vec![AliasAttributeType::Email]),
        ..Default::default()
    }
}

#[tokio::test]
async fn create_returns_the_user_and_sends_the_invitation() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    let input = AdminCreateUserRequest {
        temporary_password: Some("Temp-Pass-123".into()),
        user_attributes: Some(attrs(&[
            ("email", "ana@example.com"),
            ("given_name", "Ana"),
        ])),
        desired_delivery_mediums: Some(vec![DeliveryMediumType::Email]),
        ..create_request(&pool, "ana")
    };
    let user = admin_create_user(&f.svc, &f.ctx, input)
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(user.username.as_deref(), Some("ana"));
    assert_eq!(user.user_status, Some(UserStatusType::ForceChangePassword));
    assert_eq!(user.enabled, Some(true));
    assert_eq!(user.user_create_date.map(|t| t.millis()), Some(START));
    assert_eq!(
        user.user_last_modified_date.map(|t| t.millis()),
        Some(START)
    );
    assert_eq!(user.mfa_options, None);
    let attributes = user.attributes.unwrap();
    let names: Vec<&str> = attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["sub", "email", "given_name"]);
    let sub = attributes[0].value.clone().unwrap();
    assert_eq!(sub.len(), 36);

    let stored = f.user(&pool, "ana").await;
    assert_eq!(stored.sub, sub);
    assert_eq!(stored.status, "FORCE_CHANGE_PASSWORD");
    let hash = stored.password_hash.clone().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("Temp-Pass-123"));
    assert!(cognitod_crypto::password::verify_password(
        "Temp-Pass-123",
        &hash
    ));
    assert!(!stored.credentials.to_string().contains("Temp-Pass-123"));
    assert_eq!(
        stored.credentials["temporary_password_set_at"],
        serde_json::json!(START)
    );

    let outbox = f.outbox(&pool).await;
    assert_eq!(outbox.len(), 1);
    let message = &outbox[0];
    assert_eq!(
        (
            message.medium.as_str(),
            message.destination.as_str(),
            message.kind.as_str(),
            message.username.as_str()
        ),
        ("EMAIL", "ana@example.com", "Invitation", "ana")
    );
    assert_eq!(message.subject.as_deref(), Some("Your temporary password"));
    assert_eq!(
        message.body,
        "Your username is ana and temporary password is Temp-Pass-123."
    );
}

#[tokio::test]
async fn invitation_uses_the_pool_template_and_generated_passwords_follow_the_policy() {
    let f = fixture().await;
    let pool = f
        .pool(UserPoolType {
            admin_create_user_config: Some(AdminCreateUserConfigType {
                invite_message_template: Some(MessageTemplateType {
                    sms_message: Some("Hi {username}, code {####}".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await;
    let input = AdminCreateUserRequest {
        user_attributes: Some(attrs(&[("phone_number", "+15555550100")])),
        ..create_request(&pool, "bo")
    };
    admin_create_user(&f.svc, &f.ctx, input).await.unwrap();
    let outbox = f.outbox(&pool).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].medium.as_str(), outbox[0].destination.as_str()),
        ("SMS", "+15555550100")
    );
    assert_eq!(outbox[0].subject, None);
    let password = outbox[0].body.strip_prefix("Hi bo, code ").unwrap();
    let policy = crate::shared::password_policy::of_pool(&UserPoolType::default());
    assert_eq!(
        crate::shared::password_policy::violation(&policy, password),
        None,
        "{password}"
    );
    let hash = f.user(&pool, "bo").await.password_hash.unwrap();
    assert!(cognitod_crypto::password::verify_password(password, &hash));
}

#[tokio::test]
async fn suppress_sends_nothing_and_the_default_sms_needs_a_phone() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(&pool, "quiet", &[("email", "q@example.com")])
        .await
        .unwrap();
    admin_create_user(&f.svc, &f.ctx, create_request(&pool, "nophone"))
        .await
        .unwrap();
    assert!(f.outbox(&pool).await.is_empty());
}

#[tokio::test]
async fn failed_creates_store_nothing() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    let weak = AdminCreateUserRequest {
        temporary_password: Some("short".into()),
        ..create_request(&pool, "w")
    };
    expect_err(
        admin_create_user(&f.svc, &f.ctx, weak).await,
        ErrorCode::InvalidPasswordException,
        "Password does not conform to policy: Password not long enough",
    );
    let unreachable = AdminCreateUserRequest {
        desired_delivery_mediums: Some(vec![DeliveryMediumType::Email]),
        ..create_request(&pool, "u")
    };
    expect_err(
        admin_create_user(&f.svc, &f.ctx, unreachable).await,
        ErrorCode::InvalidParameterException,
        "User has no attribute matching desired delivery mediums",
    );
    expect_err(
        f.create(&pool, "x", &[("custom:nope", "1")]).await,
        ErrorCode::InvalidParameterException,
        "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n",
    );
    expect_err(
        f.create(&pool, "x", &[("sub", "mine")]).await,
        ErrorCode::InvalidParameterException,
        "Attributes did not conform to the schema: sub: Attribute cannot be updated.\n",
    );
    expect_err(
        f.create(&pool, "x", &[("email", "not-an-email")]).await,
        ErrorCode::InvalidParameterException,
        "Invalid email address format.",
    );
    assert_eq!(f.store.count_users(&pool).await.unwrap(), 0);
    assert!(f.outbox(&pool).await.is_empty());
}

#[tokio::test]
async fn required_attributes_must_be_given() {
    let f = fixture().await;
    let mut schema =
        crate::shared::attributes::Schema::of(&UserPoolType::default()).into_attributes();
    for attribute in schema
        .iter_mut()
        .filter(|a| a.name.as_deref() == Some("name"))
    {
        attribute.required = Some(true);
    }
    let pool = f
        .pool(UserPoolType {
            schema_attributes: Some(schema),
            ..Default::default()
        })
        .await;
    expect_err(
        f.create(&pool, "x", &[("email", "x@example.com")]).await,
        ErrorCode::InvalidParameterException,
        "Attributes did not conform to the schema: name: The attribute is required\n",
    );
    f.create(&pool, "x", &[("name", "Xavier")]).await.unwrap();
}

#[tokio::test]
async fn duplicate_usernames_and_case_folding() {
    let f = fixture().await;
    let sensitive = f.pool(UserPoolType::default()).await;
    f.create(&sensitive, "Ana", &[]).await.unwrap();
    expect_err(
        f.create(&sensitive, "Ana", &[]).await,
        ErrorCode::UsernameExistsException,
        "User account already exists",
    );
    f.create(&sensitive, "ana", &[]).await.unwrap();

    let insensitive = f.pool(case_insensitive()).await;
    f.create(&insensitive, "Ana", &[]).await.unwrap();
    expect_err(
        f.create(&insensitive, "aNA", &[]).await,
        ErrorCode::UsernameExistsException,
        "User account already exists",
    );
    let stored = f.user(&insensitive, "ana").await;
    assert_eq!(
        (stored.username.as_str(), stored.username_key.as_str()),
        ("Ana", "ana")
    );
    let get = AdminGetUserRequest {
        user_pool_id: insensitive.clone(),
        username: "ANA".into(),
    };
    assert_eq!(
        admin_get_user(&f.svc, &f.ctx, get).await.unwrap().username,
        "Ana"
    );
}

#[tokio::test]
async fn email_username_pools_store_the_sub_as_username() {
    let f = fixture().await;
    let pool = f
        .pool(UserPoolType {
            username_attributes: Some(vec![UsernameAttributeType::Email]),
            ..Default::default()
        })
        .await;
    let created = admin_create_user(
        &f.svc,
        &f.ctx,
        AdminCreateUserRequest {
            message_action: Some(MessageActionType::Suppress),
            ..create_request(&pool, "Eve@Example.com")
        },
    )
    .await
    .unwrap()
    .user
    .unwrap();
    let username = created.username.unwrap();
    let stored = f.user(&pool, &username).await;
    assert_eq!(stored.sub, username);
    assert_eq!(attr(&stored, "email"), Some("Eve@Example.com"));

    for alias in ["Eve@Example.com", "eve@example.com", username.as_str()] {
        let get = AdminGetUserRequest {
            user_pool_id: pool.clone(),
            username: alias.into(),
        };
        assert_eq!(
            admin_get_user(&f.svc, &f.ctx, get).await.unwrap().username,
            username,
            "{alias}"
        );
    }
    expect_err(
        f.create(&pool, "EVE@example.com", &[]).await,
        ErrorCode::UsernameExistsException,
        "An account with the given email already exists.",
    );
    expect_err(
        f.create(&pool, "eve", &[]).await,
        ErrorCode::InvalidParameterException,
        "Username should be an email.",
    );
    assert_eq!(f.store.count_users(&pool).await.unwrap(), 1);
}

#[tokio::test]
async fn verified_email_aliases_are_unique_and_found() {
    let f = fixture().await;
    let pool = f.pool(email_alias_pool()).await;
    let verified = [("email", "same@example.com"), ("email_verified", "true")];
    f.create(&pool, "first", &verified).await.unwrap();
    expect_err(
        f.create(&pool, "second", &verified).await,
        ErrorCode::AliasExistsException,
        "An account with the given email already exists.",
    );
    // Unverified contacts are not aliases, so they may repeat.
    f.create(&pool, "third", &[("email", "same@example.com")])
        .await
        .unwrap();
    expect_err(
        f.create(&pool, "me@example.com", &[]).await,
        ErrorCode::InvalidParameterException,
        "Username cannot be of email format, since user pool is configured for email alias.",
    );
    let get = AdminGetUserRequest {
        user_pool_id: pool.clone(),
        username: "SAME@example.com".into(),
    };
    assert_eq!(
        admin_get_user(&f.svc, &f.ctx, get).await.unwrap().username,
        "first"
    );
}

#[tokio::test]
async fn force_alias_creation_moves_the_alias() {
    let f = fixture().await;
    let pool = f.pool(email_alias_pool()).await;
    f.create(
        &pool,
        "first",
        &[("email", "same@example.com"), ("email_verified", "true")],
    )
    .await
    .unwrap();
    let input = AdminCreateUserRequest {
        user_attributes: Some(attrs(&[
            ("email", "same@example.com"),
            ("email_verified", "true"),
        ])),
        force_alias_creation: Some(true),
        message_action: Some(MessageActionType::Suppress),
        ..create_request(&pool, "second")
    };
    admin_create_user(&f.svc, &f.ctx, input).await.unwrap();
    let first = f.user(&pool, "first").await;
    assert_eq!(attr(&first, "email"), Some("same@example.com"));
    assert_eq!(attr(&first, "email_verified"), Some("false"));
    let holder = f
        .store
        .get_user_by_alias(&pool, "email", "same@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(holder.username, "second");
}

#[tokio::test]
async fn force_alias_creation_gives_the_alias_back_when_the_create_fails() {
    let f = fixture().await;
    let pool = f.pool(email_alias_pool()).await;
    f.create(
        &pool,
        "first",
        &[("email", "same@example.com"), ("email_verified", "true")],
    )
    .await
    .unwrap();
    f.create(&pool, "taken", &[]).await.unwrap();
    let input = AdminCreateUserRequest {
        user_attributes: Some(attrs(&[
            ("email", "same@example.com"),
            ("email_verified", "true"),
        ])),
        force_alias_creation: Some(true),
        ..create_request(&pool, "taken")
    };
    expect_err(
        admin_create_user(&f.svc, &f.ctx, input).await,
        ErrorCode::UsernameExistsException,
        "User account already exists",
    );
    assert_eq!(
        attr(&f.user(&pool, "first").await, "email_verified"),
        Some("true")
    );
}

#[tokio::test]
async fn resend_resets_the_temporary_password() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    let resend = |username: &str| AdminCreateUserRequest {
        message_action: Some(MessageActionType::Resend),
        desired_delivery_mediums: Some(vec![DeliveryMediumType::Email]),
        temporary_password: Some("Again-Pass-2".into()),
        ..create_request(&pool, username)
    };
    expect_err(
        admin_create_user(&f.svc, &f.ctx, resend("ghost")).await,
        ErrorCode::UserNotFoundException,
        "User does not exist.",
    );

    f.create(&pool, "rae", &[("email", "rae@example.com")])
        .await
        .unwrap();
    f.clock.advance(std::time::Duration::from_secs(3600));
    let user = admin_create_user(&f.svc, &f.ctx, resend("rae"))
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(user.user_status, Some(UserStatusType::ForceChangePassword));
    let stored = f.user(&pool, "rae").await;
    assert_eq!(
        stored.credentials["temporary_password_set_at"],
        serde_json::json!(START + 3_600_000)
    );
    assert!(cognitod_crypto::password::verify_password(
        "Again-Pass-2",
        stored.password_hash.as_deref().unwrap()
    ));
    let outbox = f.outbox(&pool).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        outbox[0].body,
        "Your username is rae and temporary password is Again-Pass-2."
    );

    let confirm = AdminSetUserPasswordRequest {
        user_pool_id: pool.clone(),
        username: "rae".into(),
        password: "Perm-Pass-3".into(),
        permanent: Some(true),
    };
    crate::users::admin::admin_set_user_password(&f.svc, &f.ctx, confirm)
        .await
        .unwrap();
    expect_err(
        admin_create_user(&f.svc, &f.ctx, resend("rae")).await,
        ErrorCode::UnsupportedUserStateException,
        "Resend not possible. rae status is CONFIRMED",
    );
}

#[tokio::test]
async fn get_user_shows_the_stored_view() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(&pool, "gil", &[("email", "gil@example.com")])
        .await
        .unwrap();
    let got = admin_get_user(
        &f.svc,
        &f.ctx,
        AdminGetUserRequest {
            user_pool_id: pool.clone(),
            username: "gil".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(got.username, "gil");
    assert_eq!(got.enabled, Some(true));
    assert_eq!(got.user_status, Some(UserStatusType::ForceChangePassword));
    let names: Vec<String> = got
        .user_attributes
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["sub", "email"]);
    assert_eq!(
        (
            got.mfa_options,
            got.preferred_mfa_setting,
            got.user_mfa_setting_list
        ),
        (None, None, None)
    );
    expect_err(
        admin_get_user(
            &f.svc,
            &f.ctx,
            AdminGetUserRequest {
                user_pool_id: pool.clone(),
                username: "nobody".into(),
            },
        )
        .await,
        ErrorCode::UserNotFoundException,
        "User does not exist.",
    );
    expect_err(
        admin_get_user(
            &f.svc,
            &f.ctx,
            AdminGetUserRequest {
                user_pool_id: "us-east-1_missing".into(),
                username: "gil".into(),
            },
        )
        .await,
        ErrorCode::ResourceNotFoundException,
        "User pool us-east-1_missing does not exist.",
    );
}

#[tokio::test]
async fn passwordless_pools_create_confirmed_users_without_a_password() {
    let f = fixture().await;
    let pool = f
        .pool(UserPoolType {
            policies: Some(UserPoolPolicyType {
                sign_in_policy: Some(SignInPolicyType {
                    allowed_first_auth_factors: Some(vec![
                        AuthFactorType::Password,
                        AuthFactorType::EmailOtp,
                    ]),
                }),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await;
    let input = AdminCreateUserRequest {
        user_attributes: Some(attrs(&[
            ("email", "pat@example.com"),
            ("email_verified", "true"),
        ])),
        message_action: Some(MessageActionType::Suppress),
        ..create_request(&pool, "pat")
    };
    let user = admin_create_user(&f.svc, &f.ctx, input)
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(user.user_status, Some(UserStatusType::Confirmed));
    let stored = f.user(&pool, "pat").await;
    assert_eq!(stored.password_hash, None);
    assert_eq!(stored.credentials, serde_json::json!({}));

    // With a temporary password the usual rules apply.
    f.create(&pool, "pw", &[]).await.unwrap();
    assert_eq!(f.user(&pool, "pw").await.status, "FORCE_CHANGE_PASSWORD");
}
