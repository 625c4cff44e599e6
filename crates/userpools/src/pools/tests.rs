//! Pools, MFA configuration and tags over a real SQLite store.

use std::collections::BTreeMap;
use std::time::Duration;

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, Timestamp};

use crate::pools::mfa::MFA_KEY;
use crate::pools::{self, tags};
use crate::user_fixtures::{Fixture, START, fixture};

const ACCOUNT_ARN: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/";

fn named(name: &str) -> CreateUserPoolRequest {
    CreateUserPoolRequest {
        pool_name: name.into(),
        ..Default::default()
    }
}

impl Fixture {
    async fn create_pool(&self, input: CreateUserPoolRequest) -> Result<UserPoolType, Error> {
        pools::create_user_pool(&self.svc, &self.ctx, input)
            .await
            .map(|r| r.user_pool.unwrap())
    }

    async fn describe(&self, id: &str) -> Result<UserPoolType, Error> {
        let input = DescribeUserPoolRequest {
            user_pool_id: id.into(),
        };
        pools::describe_user_pool(&self.svc, &self.ctx, input)
            .await
            .map(|r| r.user_pool.unwrap())
    }

    async fn update(&self, input: UpdateUserPoolRequest) -> Result<(), Error> {
        pools::update_user_pool(&self.svc, &self.ctx, input)
            .await
            .map(|_| ())
    }

    async fn set_mfa(
        &self,
        input: SetUserPoolMfaConfigRequest,
    ) -> Result<SetUserPoolMfaConfigResponse, Error> {
        pools::mfa::set_user_pool_mfa_config(&self.svc, &self.ctx, input).await
    }

    async fn get_mfa(&self, id: &str) -> GetUserPoolMfaConfigResponse {
        let input = GetUserPoolMfaConfigRequest {
            user_pool_id: id.into(),
        };
        pools::mfa::get_user_pool_mfa_config(&self.svc, &self.ctx, input)
            .await
            .unwrap()
    }

    async fn list_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, Error> {
        let input = ListTagsForResourceRequest {
            resource_arn: arn.into(),
        };
        tags::list_tags_for_resource(&self.svc, &self.ctx, input)
            .await
            .map(|r| r.tags.unwrap())
    }
}

fn assert_error(result: Result<impl std::fmt::Debug, Error>, code: ErrorCode, message: &str) {
    let err = result.unwrap_err();
    assert_eq!((err.code, err.message.as_str()), (code, message));
}

#[tokio::test]
async fn create_fills_every_cognito_default() {
    let f = fixture().await;
    let created = f.create_pool(named("defaults")).await.unwrap();
    let id = created.id.clone().unwrap();
    assert!(id.starts_with("us-east-1_") && id.len() == 19, "{id}");
    assert_eq!(created.arn, Some(format!("{ACCOUNT_ARN}{id}")));
    assert_eq!(created.name.as_deref(), Some("defaults"));
    assert_eq!(
        created.policies,
        Some(UserPoolPolicyType {
            password_policy: Some(PasswordPolicyType {
                minimum_length: Some(8),
                require_uppercase: Some(true),
                require_lowercase: Some(true),
                require_numbers: Some(true),
                require_symbols: Some(true),
                password_history_size: None,
                temporary_password_validity_days: Some(7),
            }),
            sign_in_policy: Some(SignInPolicyType {
                allowed_first_auth_factors: Some(vec![AuthFactorType::Password]),
            }),
        })
    );
    assert_eq!(
        created.admin_create_user_config,
        Some(AdminCreateUserConfigType {
            allow_admin_create_user_only: Some(false),
            unused_account_validity_days: Some(7),
            invite_message_template: None,
        })
    );
    assert_eq!(
        created.verification_message_template,
        Some(VerificationMessageTemplateType {
            default_email_option: Some(DefaultEmailOptionType::ConfirmWithCode),
            ..Default::default()
        })
    );
    assert_eq!(
        created.email_configuration,
        Some(EmailConfigurationType {
            email_sending_account: Some(EmailSendingAccountType::CognitoDefault),
            ..Default::default()
        })
    );
    assert_eq!(created.mfa_configuration, Some(UserPoolMfaType::Off));
    assert_eq!(
        created.deletion_protection,
        Some(DeletionProtectionType::Inactive)
    );
    assert_eq!(created.user_pool_tier, Some(UserPoolTierType::Essentials));
    assert_eq!(created.lambda_config, Some(LambdaConfigType::default()));
    assert_eq!(created.user_pool_tags, Some(BTreeMap::new()));
    assert_eq!(
        created.user_attribute_update_settings,
        Some(UserAttributeUpdateSettingsType {
            attributes_require_verification_before_update: Some(vec![]),
        })
    );
    assert_eq!(created.username_configuration, None);
    assert_eq!(created.account_recovery_setting, None);
    assert_eq!(created.schema_attributes.as_ref().unwrap().len(), 21);
    assert_eq!(created.creation_date, Some(Timestamp::from_millis(START)));
    assert_eq!(
        created.last_modified_date,
        Some(Timestamp::from_millis(START))
    );
    assert_eq!(created.estimated_number_of_users, Some(0));
    assert_eq!(f.describe(&id).await.unwrap(), created);
}

#[tokio::test]
async fn create_keeps_what_it_is_given() {
    let f = fixture().await;
    let pool = f
        .create_pool(CreateUserPoolRequest {
            username_attributes: Some(vec![UsernameAttributeType::Email]),
            username_configuration: Some(UsernameConfigurationType {
                case_sensitive: false,
            }),
            auto_verified_attributes: Some(vec![VerifiedAttributeType::Email]),
            user_pool_tags: Some(BTreeMap::from([("team".into(), "id".into())])),
            user_pool_tier: Some(UserPoolTierType::Lite),
            schema: Some(vec![SchemaAttributeType {
                name: Some("tenant".into()),
                attribute_data_type: Some(AttributeDataType::String),
                ..Default::default()
            }]),
            ..named("given")
        })
        .await
        .unwrap();
    let pool = f.describe(pool.id.as_deref().unwrap()).await.unwrap();
    assert_eq!(
        pool.username_attributes,
        Some(vec![UsernameAttributeType::Email])
    );
    assert_eq!(
        pool.username_configuration,
        Some(UsernameConfigurationType {
            case_sensitive: false
        })
    );
    assert_eq!(pool.user_pool_tags.unwrap()["team"], "id");
    assert_eq!(pool.user_pool_tier, Some(UserPoolTierType::Lite));
    let schema = pool.schema_attributes.unwrap();
    assert_eq!(schema.len(), 22);
    assert_eq!(schema[21].name.as_deref(), Some("custom:tenant"));
}

#[tokio::test]
async fn alias_and_username_attributes_are_exclusive() {
    let f = fixture().await;
    let result = f
        .create_pool(CreateUserPoolRequest {
            alias_attributes: Some(vec![AliasAttributeType::PreferredUsername]),
            username_attributes: Some(vec![UsernameAttributeType::Email]),
            ..named("both")
        })
        .await;
    assert_error(
        result,
        ErrorCode::InvalidParameterException,
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
    );
    let (pools, _) = f.store.list_pools(None, 10).await.unwrap();
    assert!(pools.is_empty());
}

#[tokio::test]
async fn update_returns_absent_settings_to_defaults() {
    let f = fixture().await;
    let created = f
        .create_pool(CreateUserPoolRequest {
            policies: Some(UserPoolPolicyType {
                password_policy: Some(PasswordPolicyType {
                    minimum_length: Some(12),
                    require_symbols: Some(false),
                    ..Default::default()
                }),
                sign_in_policy: None,
            }),
            deletion_protection: Some(DeletionProtectionType::Active),
            auto_verified_attributes: Some(vec![VerifiedAttributeType::Email]),
            alias_attributes: Some(vec![AliasAttributeType::Email]),
            email_verification_subject: Some("Your code".into()),
            ..named("before")
        })
        .await
        .unwrap();
    let id = created.id.clone().unwrap();
    assert_eq!(
        created
            .verification_message_template
            .unwrap()
            .email_subject
            .as_deref(),
        Some("Your code")
    );
    f.clock.advance(Duration::from_secs(60));
    f.update(UpdateUserPoolRequest {
        user_pool_id: id.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    let pool = f.describe(&id).await.unwrap();
    assert_eq!(pool.name.as_deref(), Some("before"));
    let policy = pool.policies.unwrap().password_policy.unwrap();
    assert_eq!(policy.minimum_length, Some(8));
    assert_eq!(policy.require_symbols, Some(true));
    assert_eq!(
        pool.deletion_protection,
        Some(DeletionProtectionType::Inactive)
    );
    assert_eq!(pool.auto_verified_attributes, None);
    assert_eq!(pool.email_verification_subject, None);
    // Fixed at creation.
    assert_eq!(pool.alias_attributes, Some(vec![AliasAttributeType::Email]));
    assert_eq!(pool.schema_attributes, created.schema_attributes);
    assert_eq!(pool.creation_date, Some(Timestamp::from_millis(START)));
    assert_eq!(
        pool.last_modified_date,
        Some(Timestamp::from_millis(START + 60_000))
    );

    f.update(UpdateUserPoolRequest {
        user_pool_id: id.clone(),
        pool_name: Some("after".into()),
        mfa_configuration: Some(UserPoolMfaType::On),
        ..Default::default()
    })
    .await
    .unwrap_err();
    assert_eq!(
        f.describe(&id).await.unwrap().name.as_deref(),
        Some("before")
    );
}

#[tokio::test]
async fn update_of_an_unknown_pool_is_not_found() {
    let f = fixture().await;
    let result = f
        .update(UpdateUserPoolRequest {
            user_pool_id: "us-east-1_nothere".into(),
            ..Default::default()
        })
        .await;
    assert_error(
        result,
        ErrorCode::ResourceNotFoundException,
        "User pool us-east-1_nothere does not exist.",
    );
}

#[tokio::test]
async fn deletion_protection_blocks_delete_until_lifted() {
    let f = fixture().await;
    let id = f
        .create_pool(CreateUserPoolRequest {
            deletion_protection: Some(DeletionProtectionType::Active),
            ..named("protected")
        })
        .await
        .unwrap()
        .id
        .unwrap();
    let delete = || {
        pools::delete_user_pool(
            &f.svc,
            &f.ctx,
            DeleteUserPoolRequest {
                user_pool_id: id.clone(),
            },
        )
    };
    assert_error(
        delete().await,
        ErrorCode::InvalidParameterException,
        "The user pool cannot be deleted because deletion protection is activated. \
         Deletion protection must be inactivated first.",
    );
    f.describe(&id).await.unwrap();
    f.update(UpdateUserPoolRequest {
        user_pool_id: id.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    delete().await.unwrap();
    assert_error(
        f.describe(&id).await,
        ErrorCode::ResourceNotFoundException,
        &format!("User pool {id} does not exist."),
    );
    assert_error(
        delete().await,
        ErrorCode::ResourceNotFoundException,
        &format!("User pool {id} does not exist."),
    );
}

#[tokio::test]
async fn list_user_pools_pages_through_every_pool() {
    let f = fixture().await;
    for i in 0..5 {
        f.create_pool(named(&format!("pool{i}"))).await.unwrap();
    }
    let mut names = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = pools::list_user_pools(
            &f.svc,
            &f.ctx,
            ListUserPoolsRequest {
                max_results: 2,
                next_token: token,
            },
        )
        .await
        .unwrap();
        pages += 1;
        let items = page.user_pools.unwrap();
        assert!(items.len() <= 2);
        for item in items {
            assert_eq!(item.lambda_config, Some(LambdaConfigType::default()));
            assert_eq!(item.creation_date, Some(Timestamp::from_millis(START)));
            names.push(item.name.unwrap());
        }
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    names.sort();
    assert_eq!(names, ["pool0", "pool1", "pool2", "pool3", "pool4"]);
    assert_eq!(pages, 3);
    let bad = pools::list_user_pools(
        &f.svc,
        &f.ctx,
        ListUserPoolsRequest {
            max_results: 2,
            next_token: Some("garbage".into()),
        },
    )
    .await;
    assert_error(
        bad,
        ErrorCode::InvalidParameterException,
        "Invalid pagination token.",
    );
}

#[tokio::test]
async fn custom_attributes_are_added_once() {
    let f = fixture().await;
    let id = f.create_pool(named("custom")).await.unwrap().id.unwrap();
    let add = |names: &[&str]| {
        pools::add_custom_attributes(
            &f.svc,
            &f.ctx,
            AddCustomAttributesRequest {
                user_pool_id: id.clone(),
                custom_attributes: names
                    .iter()
                    .map(|n| SchemaAttributeType {
                        name: Some(n.to_string()),
                        attribute_data_type: Some(AttributeDataType::Number),
                        ..Default::default()
                    })
                    .collect(),
            },
        )
    };
    add(&["level"]).await.unwrap();
    assert_error(
        add(&["score", "level"]).await,
        ErrorCode::InvalidParameterException,
        "custom:level: Existing attribute already has name custom:level.",
    );
    let schema = f.describe(&id).await.unwrap().schema_attributes.unwrap();
    let custom: Vec<_> = schema
        .iter()
        .filter_map(|a| a.name.as_deref())
        .filter(|n| n.starts_with("custom:"))
        .collect();
    assert_eq!(custom, ["custom:level"]);
}

#[tokio::test]
async fn estimated_number_of_users_counts_users() {
    let f = fixture().await;
    let id = f.create_pool(named("people")).await.unwrap().id.unwrap();
    f.create(&id, "alice", &[]).await.unwrap();
    f.create(&id, "bob", &[]).await.unwrap();
    assert_eq!(
        f.describe(&id).await.unwrap().estimated_number_of_users,
        Some(2)
    );
}

fn totp(pool: &str, mode: Option<UserPoolMfaType>) -> SetUserPoolMfaConfigRequest {
    SetUserPoolMfaConfigRequest {
        user_pool_id: pool.into(),
        software_token_mfa_configuration: Some(SoftwareTokenMfaConfigType {
            enabled: Some(true),
        }),
        mfa_configuration: mode,
        ..Default::default()
    }
}

#[tokio::test]
async fn mfa_configuration_round_trips_and_survives_updates() {
    let f = fixture().await;
    let id = f.create_pool(named("mfa")).await.unwrap().id.unwrap();
    let fresh = f.get_mfa(&id).await;
    assert_eq!(fresh.mfa_configuration, Some(UserPoolMfaType::Off));
    assert_eq!(fresh.software_token_mfa_configuration, None);
    assert_eq!(fresh.sms_mfa_configuration, None);

    let set = f
        .set_mfa(totp(&id, Some(UserPoolMfaType::Optional)))
        .await
        .unwrap();
    assert_eq!(set.mfa_configuration, Some(UserPoolMfaType::Optional));
    let got = f.get_mfa(&id).await;
    assert_eq!(got.mfa_configuration, Some(UserPoolMfaType::Optional));
    assert_eq!(
        got.software_token_mfa_configuration,
        Some(SoftwareTokenMfaConfigType {
            enabled: Some(true)
        })
    );
    assert_eq!(
        f.describe(&id).await.unwrap().mfa_configuration,
        Some(UserPoolMfaType::Optional)
    );

    // TOTP enabled lets UpdateUserPool keep MFA optional without SMS; the factors stay
    // stored. MFA ON is refused until sign-in asks for a second factor.
    let refused = f
        .update(UpdateUserPoolRequest {
            user_pool_id: id.clone(),
            mfa_configuration: Some(UserPoolMfaType::On),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        refused
            .message
            .starts_with("MfaConfiguration ON is not supported"),
        "{refused:?}"
    );
    f.update(UpdateUserPoolRequest {
        user_pool_id: id.clone(),
        mfa_configuration: Some(UserPoolMfaType::Optional),
        ..Default::default()
    })
    .await
    .unwrap();
    let got = f.get_mfa(&id).await;
    assert_eq!(got.mfa_configuration, Some(UserPoolMfaType::Optional));
    assert!(got.software_token_mfa_configuration.is_some());
    let record = f.store.get_pool(&id).await.unwrap().unwrap();
    assert!(record.config.get(MFA_KEY).is_some());

    // A tag change keeps them too.
    tags::tag_resource(
        &f.svc,
        &f.ctx,
        TagResourceRequest {
            resource_arn: format!("{ACCOUNT_ARN}{id}"),
            tags: BTreeMap::from([("k".into(), "v".into())]),
        },
    )
    .await
    .unwrap();
    assert!(
        f.get_mfa(&id)
            .await
            .software_token_mfa_configuration
            .is_some()
    );
}

#[tokio::test]
async fn mfa_configuration_errors_change_nothing() {
    let f = fixture().await;
    let id = f.create_pool(named("mfa")).await.unwrap().id.unwrap();
    assert_error(
        f.set_mfa(totp(&id, Some(UserPoolMfaType::Off))).await,
        ErrorCode::InvalidParameterException,
        "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
    );
    assert_error(
        f.set_mfa(totp(&id, None)).await,
        ErrorCode::InvalidParameterException,
        "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
    );
    assert_error(
        f.set_mfa(SetUserPoolMfaConfigRequest {
            user_pool_id: id.clone(),
            mfa_configuration: Some(UserPoolMfaType::On),
            software_token_mfa_configuration: Some(SoftwareTokenMfaConfigType {
                enabled: Some(false),
            }),
            ..Default::default()
        })
        .await,
        ErrorCode::InvalidParameterException,
        "Invalid MFA configuration given, can't disable all MFAs with a required or optional \
         configuration.",
    );
    assert_error(
        f.set_mfa(SetUserPoolMfaConfigRequest {
            user_pool_id: id.clone(),
            mfa_configuration: Some(UserPoolMfaType::On),
            sms_mfa_configuration: Some(SmsMfaConfigType::default()),
            ..Default::default()
        })
        .await,
        ErrorCode::InvalidParameterException,
        "SmsConfiguration is required to turn on SMS MFA.",
    );
    let got = f.get_mfa(&id).await;
    assert_eq!(got.mfa_configuration, Some(UserPoolMfaType::Off));
    assert_eq!(got.software_token_mfa_configuration, None);
    assert_error(
        f.update(UpdateUserPoolRequest {
            user_pool_id: id.clone(),
            mfa_configuration: Some(UserPoolMfaType::Optional),
            ..Default::default()
        })
        .await,
        ErrorCode::InvalidParameterException,
        "SMS configuration and Auto verification for phone_number are required when MFA is \
         required/optional",
    );
}

#[tokio::test]
async fn sms_and_email_mfa() {
    let f = fixture().await;
    let id = f.create_pool(named("sms")).await.unwrap().id.unwrap();
    let sms_config = SmsConfigurationType {
        sns_caller_arn: Some("arn:aws:iam::123456789012:role/sms".into()),
        external_id: Some("ext".into()),
        ..Default::default()
    };
    let set = f
        .set_mfa(SetUserPoolMfaConfigRequest {
            user_pool_id: id.clone(),
            mfa_configuration: Some(UserPoolMfaType::Optional),
            sms_mfa_configuration: Some(SmsMfaConfigType {
                sms_authentication_message: Some("Code: {####}".into()),
                sms_configuration: Some(sms_config.clone()),
            }),
            email_mfa_configuration: Some(EmailMfaConfigType {
                message: Some("Your code {####}".into()),
                subject: Some("Sign-in code".into()),
            }),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        set.sms_mfa_configuration,
        Some(SmsMfaConfigType {
            sms_authentication_message: Some("Code: {####}".into()),
            sms_configuration: Some(sms_config.clone()),
        })
    );
    let pool = f.describe(&id).await.unwrap();
    assert_eq!(pool.sms_configuration, Some(sms_config));
    assert_eq!(
        pool.sms_authentication_message.as_deref(),
        Some("Code: {####}")
    );
    let got = f.get_mfa(&id).await;
    assert_eq!(
        got.email_mfa_configuration.unwrap().subject.as_deref(),
        Some("Sign-in code")
    );
    assert!(got.sms_mfa_configuration.is_some());

    // Leaving SMS out of the next call turns SMS MFA off.
    f.set_mfa(totp(&id, Some(UserPoolMfaType::Optional)))
        .await
        .unwrap();
    let got = f.get_mfa(&id).await;
    assert_eq!(got.sms_mfa_configuration, None);
    assert_eq!(got.email_mfa_configuration, None);

    let lite = f
        .create_pool(CreateUserPoolRequest {
            user_pool_tier: Some(UserPoolTierType::Lite),
            ..named("lite")
        })
        .await
        .unwrap()
        .id
        .unwrap();
    let email_on_lite = f
        .set_mfa(SetUserPoolMfaConfigRequest {
            user_pool_id: lite,
            mfa_configuration: Some(UserPoolMfaType::Optional),
            email_mfa_configuration: Some(EmailMfaConfigType::default()),
            ..Default::default()
        })
        .await;
    assert_eq!(
        email_on_lite.unwrap_err().code,
        ErrorCode::FeatureUnavailableInTierException
    );
}

#[tokio::test]
async fn tags_round_trip_on_the_pool_arn() {
    let f = fixture().await;
    let id = f.create_pool(named("tags")).await.unwrap().id.unwrap();
    let arn = format!("{ACCOUNT_ARN}{id}");
    let tag = |pairs: &[(&str, &str)]| {
        tags::tag_resource(
            &f.svc,
            &f.ctx,
            TagResourceRequest {
                resource_arn: arn.clone(),
                tags: pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            },
        )
    };
    tag(&[("team", "id"), ("env", "dev")]).await.unwrap();
    tag(&[("env", "prod")]).await.unwrap();
    tags::untag_resource(
        &f.svc,
        &f.ctx,
        UntagResourceRequest {
            resource_arn: arn.clone(),
            tag_keys: vec!["team".into(), "absent".into()],
        },
    )
    .await
    .unwrap();
    assert_eq!(
        f.list_tags(&arn).await.unwrap(),
        BTreeMap::from([("env".to_string(), "prod".to_string())])
    );
    let pool = f.describe(&id).await.unwrap();
    assert_eq!(pool.user_pool_tags.unwrap()["env"], "prod");
    assert_eq!(pool.last_modified_date, Some(Timestamp::from_millis(START)));

    let many: Vec<(String, String)> = (0..50).map(|i| (format!("k{i}"), "v".into())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_error(
        tag(&many).await,
        ErrorCode::InvalidParameterException,
        "A user pool can have at most 50 tags.",
    );
    assert_eq!(f.list_tags(&arn).await.unwrap().len(), 1);
    assert_eq!(
        tag(&[("aws:owner", "x")]).await.unwrap_err().code,
        ErrorCode::InvalidParameterException
    );
}

#[tokio::test]
async fn tags_on_unknown_resources_are_not_found() {
    let f = fixture().await;
    let id = f.create_pool(named("tags")).await.unwrap().id.unwrap();
    for arn in [
        format!("{ACCOUNT_ARN}us-east-1_missing"),
        format!("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{id}"),
        format!("arn:aws:cognito-idp:us-east-1:999999999999:userpool/{id}"),
        "not-an-arn".to_string(),
    ] {
        assert_error(
            f.list_tags(&arn).await,
            ErrorCode::ResourceNotFoundException,
            &format!("Resource {arn} does not exist."),
        );
    }
}
