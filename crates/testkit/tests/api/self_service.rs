//! A signed-in user's own calls: attribute updates with verification, attribute deletion,
//! password change and account deletion.

use aws_sdk_cognitoidentityprovider as idp;
use cognitod_testkit::TestServer;
use idp::types::{PreventUserExistenceErrorTypes, VerifiedAttributeType};

use crate::signin::{
    PASSWORD, access_token, confirmed_user, create_client, last_code, password_sign_in,
};
use crate::{attr, error_of};

#[tokio::test]
async fn users_manage_their_own_attributes_password_and_account() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = crate::create_pool_verifying_email(&idp, "self").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    confirmed_user(&idp, &pool, "hal").await;
    let access = access_token(&idp, &client, "hal", PASSWORD).await;
    let email_verified = |user: &idp::operation::admin_get_user::AdminGetUserOutput| {
        crate::attr_value(user.user_attributes(), "email_verified")
    };

    // A new email is unverified until its code comes back.
    let updated = idp
        .update_user_attributes()
        .access_token(&access)
        .user_attributes(attr("email", "hal@new.example.com"))
        .user_attributes(attr("given_name", "Hal"))
        .send()
        .await
        .unwrap();
    let details = updated.code_delivery_details_list();
    assert_eq!(details.len(), 1);
    assert_eq!(details[0].attribute_name(), Some("email"));
    assert_eq!(details[0].destination(), Some("h***@n***"));
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("hal")
        .send()
        .await
        .unwrap();
    assert_eq!(email_verified(&user).as_deref(), Some("false"));
    let code = last_code(&server, &pool, "hal").await;
    let wrong = idp
        .verify_user_attribute()
        .access_token(&access)
        .attribute_name("email")
        .code(if code == "000000" { "111111" } else { "000000" })
        .send()
        .await;
    assert_eq!(error_of(wrong).0, "CodeMismatchException");
    idp.verify_user_attribute()
        .access_token(&access)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .unwrap();
    let user = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("hal")
        .send()
        .await
        .unwrap();
    assert_eq!(email_verified(&user).as_deref(), Some("true"));

    // Users cannot vouch for their own contacts, nor verify other attributes.
    let vouch = idp
        .update_user_attributes()
        .access_token(&access)
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await;
    assert_eq!(error_of(vouch).0, "NotAuthorizedException");
    let other = idp
        .get_user_attribute_verification_code()
        .access_token(&access)
        .attribute_name("given_name")
        .send()
        .await;
    assert_eq!(error_of(other).0, "InvalidParameterException");

    idp.delete_user_attributes()
        .access_token(&access)
        .user_attribute_names("given_name")
        .send()
        .await
        .unwrap();
    let me = idp.get_user().access_token(&access).send().await.unwrap();
    assert!(
        me.user_attributes()
            .iter()
            .all(|a| a.name() != "given_name")
    );

    // Password change needs the current password.
    let wrong = idp
        .change_password()
        .access_token(&access)
        .previous_password("Wrong-Horse-1")
        .proposed_password("Fresh-Horse-33")
        .send()
        .await;
    assert_eq!(
        error_of(wrong),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    idp.change_password()
        .access_token(&access)
        .previous_password(PASSWORD)
        .proposed_password("Fresh-Horse-33")
        .send()
        .await
        .unwrap();
    password_sign_in(&idp, &client, "hal", "Fresh-Horse-33")
        .await
        .unwrap();
    let (code, _) = error_of(password_sign_in(&idp, &client, "hal", PASSWORD).await);
    assert_eq!(code, "NotAuthorizedException");

    idp.delete_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let gone = idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("hal")
        .send()
        .await;
    assert_eq!(error_of(gone).0, "UserNotFoundException");
    let refused = idp.get_user().access_token(&access).send().await;
    assert_eq!(error_of(refused).0, "NotAuthorizedException");
}

#[tokio::test]
async fn a_verified_email_stays_until_its_replacement_is_verified() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = idp
        .create_user_pool()
        .pool_name("held")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .user_attribute_update_settings(
            idp::types::UserAttributeUpdateSettingsType::builder()
                .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    confirmed_user(&idp, &pool, "ivy").await;
    let access = access_token(&idp, &client, "ivy", PASSWORD).await;
    let updated = idp
        .update_user_attributes()
        .access_token(&access)
        .user_attributes(attr("email", "ivy@new.example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.code_delivery_details_list()[0].destination(),
        Some("i***@n***")
    );
    // Until verified, the old address (still verified) is the user's email.
    let me = idp.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(
        crate::attr_value(me.user_attributes(), "email").as_deref(),
        Some("ivy@example.com")
    );
    assert_eq!(
        crate::attr_value(me.user_attributes(), "email_verified").as_deref(),
        Some("true")
    );
    let messages = server.outbox(&pool, Some("ivy")).await;
    assert_eq!(messages.last().unwrap().destination, "ivy@new.example.com");
    let code = last_code(&server, &pool, "ivy").await;
    idp.verify_user_attribute()
        .access_token(&access)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .unwrap();
    let me = idp.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(
        crate::attr_value(me.user_attributes(), "email").as_deref(),
        Some("ivy@new.example.com")
    );
    assert_eq!(
        crate::attr_value(me.user_attributes(), "email_verified").as_deref(),
        Some("true")
    );
}
