//! User pools: create, describe, update, list, delete, custom attributes, MFA config, tags.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, DeletionProtectionType, SchemaAttributeType, UserPoolMfaType,
};
use cognitod_testkit::TestServer;

use crate::{create_pool, error_of};

#[tokio::test]
async fn create_then_describe_returns_cognito_defaults() {
    let server = TestServer::start().await;
    let client = server.idp();
    let created = client
        .create_user_pool()
        .pool_name("defaults")
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let id = created.id().unwrap().to_string();
    assert!(id.starts_with("us-east-1_"), "{id}");
    assert_eq!(id.len(), "us-east-1_".len() + 9);
    assert_eq!(
        created.arn(),
        Some(format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}").as_str())
    );

    let pool = client
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.name(), Some("defaults"));
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(8));
    assert!(policy.require_uppercase());
    assert_eq!(policy.temporary_password_validity_days(), 7);
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert_eq!(
        pool.deletion_protection(),
        Some(&DeletionProtectionType::Inactive)
    );
    assert_eq!(pool.estimated_number_of_users(), 0);
    let names: Vec<&str> = pool
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .collect();
    for standard in [
        "sub",
        "email",
        "email_verified",
        "phone_number",
        "given_name",
        "updated_at",
    ] {
        assert!(
            names.contains(&standard),
            "{standard} missing from {names:?}"
        );
    }
    let sub = pool
        .schema_attributes()
        .iter()
        .find(|a| a.name() == Some("sub"))
        .unwrap();
    assert_eq!(sub.required(), Some(true));
    assert_eq!(sub.mutable(), Some(false));
    assert!(pool.creation_date().is_some() && pool.last_modified_date().is_some());
}

#[tokio::test]
async fn custom_attributes_are_prefixed_and_unique() {
    let server = TestServer::start().await;
    let client = server.idp();
    let pool = create_pool(&client, "custom").await;
    client
        .add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let described = client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let schema = described.user_pool().unwrap().schema_attributes();
    assert!(schema.iter().any(|a| a.name() == Some("custom:tenant")));

    let (code, _) = error_of(
        client
            .add_custom_attributes()
            .user_pool_id(&pool)
            .custom_attributes(
                SchemaAttributeType::builder()
                    .name("tenant")
                    .attribute_data_type(AttributeDataType::String)
                    .build(),
            )
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn list_user_pools_paginates() {
    let server = TestServer::start().await;
    let client = server.idp();
    for i in 0..7 {
        create_pool(&client, &format!("pool{i}")).await;
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_user_pools()
            .max_results(3)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        assert!(page.user_pools().len() <= 3);
        seen.extend(
            page.user_pools()
                .iter()
                .map(|p| p.name().unwrap().to_string()),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    seen.sort();
    assert_eq!(seen, (0..7).map(|i| format!("pool{i}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn deletion_protection_blocks_delete() {
    let server = TestServer::start().await;
    let client = server.idp();
    let pool = client
        .create_user_pool()
        .pool_name("protected")
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let (code, _) = error_of(client.delete_user_pool().user_pool_id(&pool).send().await);
    assert_eq!(code, "InvalidParameterException");
    client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("still there");

    client
        .update_user_pool()
        .user_pool_id(&pool)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    client
        .delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let (code, message) = error_of(client.describe_user_pool().user_pool_id(&pool).send().await);
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("User pool {pool} does not exist."));
}

#[tokio::test]
async fn mfa_config_round_trips() {
    let server = TestServer::start().await;
    let client = server.idp();
    let pool = create_pool(&client, "mfa").await;
    let config = client
        .get_user_pool_mfa_config()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(config.mfa_configuration(), Some(&UserPoolMfaType::Off));
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .software_token_mfa_configuration(
            aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType::builder()
                .enabled(true)
                .build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let config = client
        .get_user_pool_mfa_config()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(config.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert!(config.software_token_mfa_configuration().unwrap().enabled());
}

#[tokio::test]
async fn tags_round_trip_on_the_pool_arn() {
    let server = TestServer::start().await;
    let client = server.idp();
    let pool = create_pool(&client, "tags").await;
    let arn = format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool}");
    client
        .tag_resource()
        .resource_arn(&arn)
        .tags("team", "id")
        .tags("env", "dev")
        .send()
        .await
        .unwrap();
    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let tags = tags.tags().unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags.get("team").map(String::as_str), Some("id"));
}

#[tokio::test]
async fn settings_cognitod_cannot_enforce_yet_are_refused_and_nothing_is_stored() {
    use aws_sdk_cognitoidentityprovider::types::{LambdaConfigType, SoftwareTokenMfaConfigType};
    let server = TestServer::start().await;
    let client = server.idp();

    // A pool that would require MFA, or run a trigger, is not created.
    let (code, message) = error_of(
        client
            .create_user_pool()
            .pool_name("mfa-on")
            .mfa_configuration(UserPoolMfaType::On)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    // Without a factor, Cognito's own complaint comes first.
    assert!(
        message.contains("required when MFA is required/optional"),
        "{message}"
    );
    let (code, message) = error_of(
        client
            .create_user_pool()
            .pool_name("trigger")
            .lambda_config(
                LambdaConfigType::builder()
                    .pre_authentication("arn:aws:lambda:us-east-1:000000000000:function:f")
                    .build(),
            )
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "LambdaConfig (PreAuthentication) is not supported by cognitod yet: it does not \
         invoke Lambda triggers"
    );
    let listed = client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert!(listed.user_pools().is_empty());

    // SetUserPoolMfaConfig: ON with a valid factor is refused and changes nothing; OPTIONAL
    // is kept (no user can enrol a factor yet, so none is asked for).
    let pool = create_pool(&client, "mfa").await;
    let totp = SoftwareTokenMfaConfigType::builder().enabled(true).build();
    let (code, message) = error_of(
        client
            .set_user_pool_mfa_config()
            .user_pool_id(&pool)
            .mfa_configuration(UserPoolMfaType::On)
            .software_token_mfa_configuration(totp.clone())
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "MfaConfiguration ON is not supported by cognitod yet: sign-in does not ask for a \
         second factor, so a pool cannot require one"
    );
    let got = client
        .get_user_pool_mfa_config()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert!(got.software_token_mfa_configuration().is_none());
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(totp)
        .send()
        .await
        .unwrap();
    let (code, _) = error_of(
        client
            .update_user_pool()
            .user_pool_id(&pool)
            .mfa_configuration(UserPoolMfaType::On)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
}
