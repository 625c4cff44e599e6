//! Attribute changes, status transitions and administrator password operations.

use std::time::Duration;

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode};
use cognitod_store::UserRecord;

use crate::user_fixtures::{Fixture, START, attr, attrs, fixture};
use crate::users::admin::*;

fn expect_err<T: std::fmt::Debug>(result: Result<T, Error>, code: ErrorCode, message: &str) {
    let err = result.expect_err("the call should fail");
    assert_eq!((err.code, err.message.as_str()), (code, message));
}

fn update(pool: &str, username: &str, pairs: &[(&str, &str)]) -> AdminUpdateUserAttributesRequest {
    AdminUpdateUserAttributesRequest {
        user_pool_id: pool.into(),
        username: username.into(),
        user_attributes: attrs(pairs),
        ..Default::default()
    }
}

/// Stores a user directly, e.g. in a status AdminCreateUser cannot produce.
async fn put_user(
    f: &Fixture,
    pool: &str,
    username: &str,
    status: &str,
    attributes: &[(&str, &str)],
) {
    let record = UserRecord {
        pool_id: pool.into(),
        username: username.into(),
        username_key: username.into(),
        sub: cognitod_crypto::sub(),
        status: status.into(),
        enabled: true,
        attributes: attributes
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        password_hash: None,
        credentials: serde_json::json!({}),
        created_at: START,
        updated_at: START,
        version: 0,
    };
    f.store.create_user(&record, &[]).await.unwrap();
}

#[tokio::test]
async fn updating_a_contact_unverifies_it_unless_the_admin_vouches() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(
        &pool,
        "cy",
        &[("email", "cy@example.com"), ("email_verified", "true")],
    )
    .await
    .unwrap();
    f.clock.advance(Duration::from_secs(10));
    admin_update_user_attributes(
        &f.svc,
        &f.ctx,
        update(
            &pool,
            "cy",
            &[("email", "cyrus@example.com"), ("given_name", "Cyrus")],
        ),
    )
    .await
    .unwrap();
    let user = f.user(&pool, "cy").await;
    assert_eq!(attr(&user, "email"), Some("cyrus@example.com"));
    assert_eq!(attr(&user, "email_verified"), Some("false"));
    assert_eq!(attr(&user, "given_name"), Some("Cyrus"));
    assert_eq!(user.updated_at, START + 10_000);
    // Not an auto-verified attribute in this pool: no code is sent.
    assert!(f.outbox(&pool).await.is_empty());

    admin_update_user_attributes(
        &f.svc,
        &f.ctx,
        update(
            &pool,
            "cy",
            &[("email", "c@example.com"), ("email_verified", "true")],
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        attr(&f.user(&pool, "cy").await, "email_verified"),
        Some("true")
    );
}

#[tokio::test]
async fn auto_verified_contacts_get_a_code() {
    let f = fixture().await;
    let pool = f
        .pool(UserPoolType {
            auto_verified_attributes: Some(vec![VerifiedAttributeType::Email]),
            ..Default::default()
        })
        .await;
    f.create(&pool, "vi", &[("email", "vi@example.com")])
        .await
        .unwrap();
    admin_update_user_attributes(
        &f.svc,
        &f.ctx,
        update(&pool, "vi", &[("email", "new@example.com")]),
    )
    .await
    .unwrap();
    let outbox = f.outbox(&pool).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].kind.as_str(), outbox[0].destination.as_str()),
        ("UpdateUserAttribute", "new@example.com")
    );
    let code = outbox[0]
        .body
        .strip_prefix("Your verification code is ")
        .unwrap()
        .trim_end_matches(". ");
    let stored = &f.user(&pool, "vi").await.credentials["attribute_verification_codes"]["email"];
    assert_eq!(
        stored["digest"],
        serde_json::json!(cognitod_crypto::sha256_hex(code.as_bytes()))
    );
    assert_eq!(
        stored["expires_at"],
        serde_json::json!(START + 24 * 3_600_000)
    );
}

#[tokio::test]
async fn alias_conflicts_on_update_change_nothing() {
    let f = fixture().await;
    let pool = f
        .pool(UserPoolType {
            alias_attributes: Some(vec![AliasAttributeType::Email]),
            ..Default::default()
        })
        .await;
    f.create(
        &pool,
        "one",
        &[("email", "one@example.com"), ("email_verified", "true")],
    )
    .await
    .unwrap();
    f.create(
        &pool,
        "two",
        &[("email", "two@example.com"), ("email_verified", "true")],
    )
    .await
    .unwrap();
    expect_err(
        admin_update_user_attributes(
            &f.svc,
            &f.ctx,
            update(
                &pool,
                "two",
                &[
                    ("email", "ONE@example.com"),
                    ("email_verified", "true"),
                    ("name", "Two"),
                ],
            ),
        )
        .await,
        ErrorCode::AliasExistsException,
        "An account with the given email already exists.",
    );
    let two = f.user(&pool, "two").await;
    assert_eq!(
        (attr(&two, "email"), attr(&two, "name")),
        (Some("two@example.com"), None)
    );
    let holder = f
        .store
        .get_user_by_alias(&pool, "email", "two@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(holder.username, "two");

    // Unverifying releases the alias.
    admin_update_user_attributes(
        &f.svc,
        &f.ctx,
        update(&pool, "one", &[("email_verified", "false")]),
    )
    .await
    .unwrap();
    assert!(
        f.store
            .get_user_by_alias(&pool, "email", "one@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn update_errors() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(&pool, "ed", &[]).await.unwrap();
    expect_err(
        admin_update_user_attributes(
            &f.svc,
            &f.ctx,
            update(&pool, "ed", &[("no_such_attribute", "x")]),
        )
        .await,
        ErrorCode::InvalidParameterException,
        "Invalid user attributes: user.no_such_attribute: Attribute does not exist in the schema.\n",
    );
    expect_err(
        admin_update_user_attributes(
            &f.svc,
            &f.ctx,
            update(&pool, "ed", &[("phone_number", "12345")]),
        )
        .await,
        ErrorCode::InvalidParameterException,
        "Invalid phone number format.",
    );
    expect_err(
        admin_update_user_attributes(&f.svc, &f.ctx, update(&pool, "nobody", &[("name", "x")]))
            .await,
        ErrorCode::UserNotFoundException,
        "User does not exist.",
    );
}

#[tokio::test]
async fn deleting_attributes() {
    let f = fixture().await;
    let pool = f
        .pool(UserPoolType {
            alias_attributes: Some(vec![AliasAttributeType::Email]),
            ..Default::default()
        })
        .await;
    f.create(
        &pool,
        "del",
        &[
            ("email", "del@example.com"),
            ("email_verified", "true"),
            ("name", "D"),
        ],
    )
    .await
    .unwrap();
    let delete = |names: &[&str]| AdminDeleteUserAttributesRequest {
        user_pool_id: pool.clone(),
        username: "del".into(),
        user_attribute_names: names.iter().map(|n| n.to_string()).collect(),
    };
    admin_delete_user_attributes(&f.svc, &f.ctx, delete(&["email", "name"]))
        .await
        .unwrap();
    let user = f.user(&pool, "del").await;
    assert_eq!(
        user.attributes
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        ["sub"]
    );
    assert!(
        f.store
            .get_user_by_alias(&pool, "email", "del@example.com")
            .await
            .unwrap()
            .is_none()
    );
    expect_err(
        admin_delete_user_attributes(&f.svc, &f.ctx, delete(&["sub"])).await,
        ErrorCode::InvalidParameterException,
        "user.sub: Attribute cannot be updated.",
    );
}

#[tokio::test]
async fn delete_disable_enable() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(&pool, "dee", &[]).await.unwrap();
    let target = |username: &str| (pool.clone(), username.to_string());
    let (p, u) = target("dee");
    admin_disable_user(
        &f.svc,
        &f.ctx,
        AdminDisableUserRequest {
            user_pool_id: p.clone(),
            username: u.clone(),
        },
    )
    .await
    .unwrap();
    assert!(!f.user(&pool, "dee").await.enabled);
    admin_enable_user(
        &f.svc,
        &f.ctx,
        AdminEnableUserRequest {
            user_pool_id: p.clone(),
            username: u.clone(),
        },
    )
    .await
    .unwrap();
    assert!(f.user(&pool, "dee").await.enabled);
    admin_delete_user(
        &f.svc,
        &f.ctx,
        AdminDeleteUserRequest {
            user_pool_id: p.clone(),
            username: u.clone(),
        },
    )
    .await
    .unwrap();
    assert!(f.store.get_user(&pool, "dee").await.unwrap().is_none());
    expect_err(
        admin_delete_user(
            &f.svc,
            &f.ctx,
            AdminDeleteUserRequest {
                user_pool_id: p,
                username: u,
            },
        )
        .await,
        ErrorCode::UserNotFoundException,
        "User does not exist.",
    );
}

#[tokio::test]
async fn confirm_sign_up_only_from_unconfirmed() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    put_user(&f, &pool, "una", "UNCONFIRMED", &[]).await;
    let confirm = || AdminConfirmSignUpRequest {
        user_pool_id: pool.clone(),
        username: "una".into(),
        ..Default::default()
    };
    admin_confirm_sign_up(&f.svc, &f.ctx, confirm())
        .await
        .unwrap();
    assert_eq!(f.user(&pool, "una").await.status, "CONFIRMED");
    expect_err(
        admin_confirm_sign_up(&f.svc, &f.ctx, confirm()).await,
        ErrorCode::NotAuthorizedException,
        "User cannot be confirmed. Current status is CONFIRMED",
    );
}

#[tokio::test]
async fn set_user_password() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    f.create(&pool, "sam", &[]).await.unwrap();
    let set = |password: &str, permanent: bool| AdminSetUserPasswordRequest {
        user_pool_id: pool.clone(),
        username: "sam".into(),
        password: password.into(),
        permanent: Some(permanent),
    };
    expect_err(
        admin_set_user_password(&f.svc, &f.ctx, set("alllowercase1!", true)).await,
        ErrorCode::InvalidPasswordException,
        "Password does not conform to policy: Password must have uppercase characters",
    );
    assert_eq!(f.user(&pool, "sam").await.status, "FORCE_CHANGE_PASSWORD");

    admin_set_user_password(&f.svc, &f.ctx, set("Perm-Pass-456", true))
        .await
        .unwrap();
    let user = f.user(&pool, "sam").await;
    assert_eq!(user.status, "CONFIRMED");
    assert_eq!(user.credentials.get("temporary_password_set_at"), None);
    assert!(cognitod_crypto::password::verify_password(
        "Perm-Pass-456",
        user.password_hash.as_deref().unwrap()
    ));

    f.clock.advance(Duration::from_secs(60));
    admin_set_user_password(&f.svc, &f.ctx, set("Temp-Pass-789", false))
        .await
        .unwrap();
    let user = f.user(&pool, "sam").await;
    assert_eq!(user.status, "FORCE_CHANGE_PASSWORD");
    assert_eq!(
        user.credentials["temporary_password_set_at"],
        serde_json::json!(START + 60_000)
    );
}

#[tokio::test]
async fn reset_user_password_sends_a_code_and_keeps_only_its_digest() {
    let f = fixture().await;
    let pool = f.pool(UserPoolType::default()).await;
    put_user(
        &f,
        &pool,
        "fay",
        "CONFIRMED",
        &[("email", "fay@example.com"), ("email_verified", "true")],
    )
    .await;
    let reset = |username: &str| AdminResetUserPasswordRequest {
        user_pool_id: pool.clone(),
        username: username.into(),
        ..Default::default()
    };
    admin_reset_user_password(&f.svc, &f.ctx, reset("fay"))
        .await
        .unwrap();
    let user = f.user(&pool, "fay").await;
    assert_eq!(user.status, "RESET_REQUIRED");
    let outbox = f.outbox(&pool).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (
            outbox[0].kind.as_str(),
            outbox[0].medium.as_str(),
            outbox[0].destination.as_str()
        ),
        ("ForgotPassword", "EMAIL", "fay@example.com")
    );
    let code: String = outbox[0]
        .body
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert_eq!(code.len(), 6);
    let stored = &user.credentials["password_reset_code"];
    assert_eq!(
        stored["digest"],
        serde_json::json!(cognitod_crypto::sha256_hex(code.as_bytes()))
    );
    assert_eq!(stored["expires_at"], serde_json::json!(START + 3_600_000));
    assert!(!user.credentials.to_string().contains(&code));

    put_user(
        &f,
        &pool,
        "nov",
        "CONFIRMED",
        &[("email", "nov@example.com")],
    )
    .await;
    expect_err(
        admin_reset_user_password(&f.svc, &f.ctx, reset("nov")).await,
        ErrorCode::InvalidParameterException,
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    );
    assert_eq!(f.user(&pool, "nov").await.status, "CONFIRMED");
    f.create(
        &pool,
        "new",
        &[("email", "new@example.com"), ("email_verified", "true")],
    )
    .await
    .unwrap();
    expect_err(
        admin_reset_user_password(&f.svc, &f.ctx, reset("new")).await,
        ErrorCode::NotAuthorizedException,
        "User password cannot be reset in the current state.",
    );
}

#[tokio::test]
async fn password_history_forbids_recent_passwords() {
    let f = fixture().await;
    let policy = PasswordPolicyType {
        minimum_length: Some(6),
        password_history_size: Some(2),
        ..Default::default()
    };
    let pool = f
        .pool(UserPoolType {
            policies: Some(UserPoolPolicyType {
                password_policy: Some(policy),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await;
    f.create(&pool, "hist", &[]).await.unwrap();
    let set = |password: &str| AdminSetUserPasswordRequest {
        user_pool_id: pool.clone(),
        username: "hist".into(),
        password: password.into(),
        permanent: Some(true),
    };
    admin_set_user_password(&f.svc, &f.ctx, set("first1"))
        .await
        .unwrap();
    admin_set_user_password(&f.svc, &f.ctx, set("second"))
        .await
        .unwrap();
    for reused in ["second", "first1"] {
        expect_err(
            admin_set_user_password(&f.svc, &f.ctx, set(reused)).await,
            ErrorCode::PasswordHistoryPolicyViolationException,
            "The password you entered has been used recently. Please choose a different password.",
        );
    }
    admin_set_user_password(&f.svc, &f.ctx, set("third3"))
        .await
        .unwrap();
    // Two passwords back is as far as the pool remembers.
    admin_set_user_password(&f.svc, &f.ctx, set("first1"))
        .await
        .unwrap();
    assert_eq!(
        f.user(&pool, "hist").await.credentials["password_history"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}
