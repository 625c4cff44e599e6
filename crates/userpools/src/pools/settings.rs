//! The settings CreateUserPool and UpdateUserPool share: applying a request to a pool with
//! Cognito's defaults, and checking the result.
//!
//! UpdateUserPool replaces every updatable setting: a member the request leaves out goes back
//! to its default, as Cognito documents. Both requests name these members exactly as
//! `UserPoolType` does, so a request is overlaid on a pool member by member in JSON.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode};

use crate::shared::errors::{self, invalid_parameter};
use crate::shared::stored::to_json;

/// The `UserPoolType` members that CreateUserPool and UpdateUserPool set, absent meaning
/// default. PoolName, UserPoolTags and UserPoolTier keep their value when an update leaves
/// them out; Schema, UsernameAttributes, AliasAttributes and UsernameConfiguration are
/// fixed at creation.
pub(crate) const UPDATABLE: &[&str] = &[
    "Policies",
    "DeletionProtection",
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "MfaConfiguration",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "DcrConfiguration",
    "AccountRecoverySetting",
    "KeyConfiguration",
    "IssuerConfiguration",
    "AcrConfiguration",
];

/// Most tags a user pool may carry.
pub(crate) const MAX_TAGS: usize = 50;

/// Settings that reject a pool change when they do not hold, with the MFA factors enabled by
/// SetUserPoolMfaConfig (which `UserPoolType` does not show).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct EnabledFactors {
    pub totp: bool,
    pub email: bool,
}

/// `pool` with the updatable members of `request` in place of its own (absent ones removed),
/// then with Cognito's defaults filled in.
pub(crate) fn overlay<R: serde::Serialize>(
    pool: &UserPoolType,
    request: &R,
) -> Result<UserPoolType, Error> {
    let mut target = to_json(pool)?;
    let source = to_json(request)?;
    let object = target
        .as_object_mut()
        .ok_or_else(|| errors::internal("a pool configuration is not an object"))?;
    for key in UPDATABLE {
        match source.get(*key) {
            Some(value) => object.insert((*key).to_string(), value.clone()),
            None => object.remove(*key),
        };
    }
    let mut pool: UserPoolType = serde_json::from_value(target).map_err(errors::internal)?;
    fill_defaults(&mut pool)?;
    Ok(pool)
}

fn default_password_policy() -> PasswordPolicyType {
    PasswordPolicyType {
        minimum_length: Some(8),
        require_uppercase: Some(true),
        require_lowercase: Some(true),
        require_numbers: Some(true),
        require_symbols: Some(true),
        password_history_size: None,
        temporary_password_validity_days: Some(7),
    }
}

/// A given password policy: unset requirements are off, length and validity as default.
fn complete_password_policy(given: PasswordPolicyType) -> PasswordPolicyType {
    let defaults = default_password_policy();
    PasswordPolicyType {
        minimum_length: given.minimum_length.or(defaults.minimum_length),
        require_uppercase: Some(given.require_uppercase.unwrap_or(false)),
        require_lowercase: Some(given.require_lowercase.unwrap_or(false)),
        require_numbers: Some(given.require_numbers.unwrap_or(false)),
        require_symbols: Some(given.require_symbols.unwrap_or(false)),
        password_history_size: given.password_history_size,
        temporary_password_validity_days: given.temporary_password_validity_days,
    }
}

fn fill_defaults(pool: &mut UserPoolType) -> Result<(), Error> {
    let policies = pool.policies.take().unwrap_or_default();
    let mut password = policies
        .password_policy
        .map(complete_password_policy)
        .unwrap_or_else(default_password_policy);
    let mut admin = pool.admin_create_user_config.take().unwrap_or_default();
    // UnusedAccountValidityDays is the older name of TemporaryPasswordValidityDays.
    match (
        password.temporary_password_validity_days,
        admin.unused_account_validity_days,
    ) {
        (Some(days), Some(unused)) if days != unused => {
            return Err(invalid_parameter(
                "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of \
                 UnusedAccountValidityDays",
            ));
        }
        (Some(days), _) => admin.unused_account_validity_days = Some(days),
        (None, Some(unused)) => password.temporary_password_validity_days = Some(unused),
        (None, None) => {
            password.temporary_password_validity_days = Some(7);
            admin.unused_account_validity_days = Some(7);
        }
    }
    admin.allow_admin_create_user_only = Some(admin.allow_admin_create_user_only.unwrap_or(false));
    pool.admin_create_user_config = Some(admin);
    pool.policies = Some(UserPoolPolicyType {
        password_policy: Some(password),
        sign_in_policy: Some(policies.sign_in_policy.unwrap_or(SignInPolicyType {
            allowed_first_auth_factors: Some(vec![AuthFactorType::Password]),
        })),
    });

    pool.lambda_config.get_or_insert_with(Default::default);
    pool.user_attribute_update_settings
        .get_or_insert_with(|| UserAttributeUpdateSettingsType {
            attributes_require_verification_before_update: Some(Vec::new()),
        });
    pool.mfa_configuration.get_or_insert(UserPoolMfaType::Off);
    pool.deletion_protection
        .get_or_insert(DeletionProtectionType::Inactive);
    let email = pool
        .email_configuration
        .get_or_insert_with(Default::default);
    email
        .email_sending_account
        .get_or_insert(EmailSendingAccountType::CognitoDefault);
    sync_verification_messages(pool);
    Ok(())
}

/// The legacy verification message members and the template mirror each other.
fn sync_verification_messages(pool: &mut UserPoolType) {
    let template = pool
        .verification_message_template
        .get_or_insert_with(Default::default);
    template
        .default_email_option
        .get_or_insert(DefaultEmailOptionType::ConfirmWithCode);
    fn mirror(a: &mut Option<String>, b: &mut Option<String>) {
        if a.is_none() {
            a.clone_from(b);
        } else if b.is_none() {
            b.clone_from(a);
        }
    }
    mirror(
        &mut template.email_message,
        &mut pool.email_verification_message,
    );
    mirror(
        &mut template.email_subject,
        &mut pool.email_verification_subject,
    );
    mirror(
        &mut template.sms_message,
        &mut pool.sms_verification_message,
    );
}

fn feature_unavailable(message: &str) -> Error {
    Error::new(ErrorCode::FeatureUnavailableInTierException, message)
}

fn require_placeholder(value: Option<&str>, member: &str, placeholder: &str) -> Result<(), Error> {
    match value {
        Some(text) if !text.contains(placeholder) => Err(invalid_parameter(format!(
            "{member} must contain the {placeholder} placeholder."
        ))),
        _ => Ok(()),
    }
}

/// Message templates must carry the placeholders Cognito replaces.
fn check_messages(pool: &UserPoolType) -> Result<(), Error> {
    let code = "{####}";
    require_placeholder(
        pool.sms_verification_message.as_deref(),
        "SmsVerificationMessage",
        code,
    )?;
    require_placeholder(
        pool.email_verification_message.as_deref(),
        "EmailVerificationMessage",
        code,
    )?;
    require_placeholder(
        pool.sms_authentication_message.as_deref(),
        "SmsAuthenticationMessage",
        code,
    )?;
    if let Some(template) = &pool.verification_message_template {
        require_placeholder(
            template.email_message.as_deref(),
            "VerificationMessageTemplate.EmailMessage",
            code,
        )?;
        require_placeholder(
            template.sms_message.as_deref(),
            "VerificationMessageTemplate.SmsMessage",
            code,
        )?;
        if let Some(link) = &template.email_message_by_link
            && !(link.contains("{##") && link.contains("##}"))
        {
            return Err(invalid_parameter(
                "VerificationMessageTemplate.EmailMessageByLink must contain the {##Click Here##} \
                 link placeholder.",
            ));
        }
    }
    let invite = pool
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.invite_message_template.as_ref());
    if let Some(invite) = invite {
        for (value, member) in [
            (
                invite.email_message.as_deref(),
                "InviteMessageTemplate.EmailMessage",
            ),
            (
                invite.sms_message.as_deref(),
                "InviteMessageTemplate.SMSMessage",
            ),
        ] {
            require_placeholder(value, member, "{username}")?;
            require_placeholder(value, member, code)?;
        }
    }
    Ok(())
}

fn check_sign_in_policy(pool: &UserPoolType, tier: UserPoolTierType) -> Result<(), Error> {
    let factors = pool
        .policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.clone())
        .unwrap_or_default();
    if factors.contains(&AuthFactorType::SoftwareToken) {
        return Err(invalid_parameter(
            "SOFTWARE_TOKEN is not supported as a first authentication factor.",
        ));
    }
    if !factors.contains(&AuthFactorType::Password) {
        return Err(invalid_parameter(
            "AllowedFirstAuthFactors must include PASSWORD.",
        ));
    }
    if tier == UserPoolTierType::Lite && factors.len() > 1 {
        return Err(feature_unavailable(
            "Passwordless sign-in requires the ESSENTIALS or PLUS feature plan.",
        ));
    }
    Ok(())
}

/// MFA ON or OPTIONAL needs a factor: SMS (with phone numbers verified automatically), or
/// TOTP or email enabled through SetUserPoolMfaConfig.
fn check_mfa(pool: &UserPoolType, factors: EnabledFactors) -> Result<(), Error> {
    if pool.mfa_configuration == Some(UserPoolMfaType::Off) || factors.totp || factors.email {
        return Ok(());
    }
    let phone_verified = pool
        .auto_verified_attributes
        .iter()
        .flatten()
        .any(|a| *a == VerifiedAttributeType::PhoneNumber);
    if pool.sms_configuration.is_some() && phone_verified {
        return Ok(());
    }
    Err(invalid_parameter(
        "SMS configuration and Auto verification for phone_number are required when MFA is \
         required/optional",
    ))
}

/// A setting cognitod does not enforce yet, refused rather than stored and ignored: each
/// would change what a client gets (a second factor, a trigger's veto, an adaptive block, a
/// device challenge) or weaken security if it were silently skipped.
fn not_supported_yet(setting: &str, why: &str) -> Error {
    invalid_parameter(format!("{setting} is not supported by cognitod yet: {why}"))
}

/// MfaConfiguration ON needs sign-in to ask for a second factor, which it does not yet.
/// (OPTIONAL is honest: no user can enrol a factor yet, so none is asked for.)
pub(crate) fn refuse_required_mfa(mode: Option<UserPoolMfaType>) -> Result<(), Error> {
    if mode == Some(UserPoolMfaType::On) {
        return Err(not_supported_yet(
            "MfaConfiguration ON",
            "sign-in does not ask for a second factor, so a pool cannot require one",
        ));
    }
    Ok(())
}

/// The settings of a valid pool that cognitod would otherwise store without enforcing.
fn refuse_settings_not_in_effect(pool: &UserPoolType) -> Result<(), Error> {
    refuse_required_mfa(pool.mfa_configuration)?;
    if let Some(lambda) = &pool.lambda_config {
        let set: Vec<String> = serde_json::to_value(lambda)
            .ok()
            .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect()))
            .unwrap_or_default();
        if !set.is_empty() {
            return Err(not_supported_yet(
                &format!("LambdaConfig ({})", set.join(", ")),
                "it does not invoke Lambda triggers",
            ));
        }
    }
    if let Some(add_ons) = &pool.user_pool_add_ons {
        let custom_auth_enforced = add_ons
            .advanced_security_additional_flows
            .as_ref()
            .and_then(|flows| flows.custom_auth_mode)
            == Some(AdvancedSecurityEnabledModeType::Enforced);
        if add_ons.advanced_security_mode == AdvancedSecurityModeType::Enforced
            || custom_auth_enforced
        {
            return Err(not_supported_yet(
                "UserPoolAddOns AdvancedSecurityMode ENFORCED",
                "it takes no adaptive authentication actions",
            ));
        }
    }
    if pool
        .device_configuration
        .as_ref()
        .and_then(|d| d.challenge_required_on_new_device)
        == Some(true)
    {
        return Err(not_supported_yet(
            "DeviceConfiguration ChallengeRequiredOnNewDevice",
            "it does not remember or challenge devices",
        ));
    }
    Ok(())
}

/// Everything a created or updated pool must satisfy.
pub(crate) fn check(pool: &UserPoolType, factors: EnabledFactors) -> Result<(), Error> {
    let tier = pool.user_pool_tier.unwrap_or(UserPoolTierType::Essentials);
    check_messages(pool)?;
    check_sign_in_policy(pool, tier)?;
    check_mfa(pool, factors)?;
    if let Some(add_ons) = &pool.user_pool_add_ons
        && add_ons.advanced_security_mode != AdvancedSecurityModeType::Off
        && tier != UserPoolTierType::Plus
    {
        return Err(feature_unavailable(
            "Threat protection requires the PLUS feature plan.",
        ));
    }
    if pool.dcr_configuration.is_some() && tier == UserPoolTierType::Lite {
        return Err(feature_unavailable(
            "Dynamic client registration requires the ESSENTIALS or PLUS feature plan.",
        ));
    }
    if let Some(email) = &pool.email_configuration
        && email.email_sending_account == Some(EmailSendingAccountType::Developer)
        && email.source_arn.is_none()
    {
        return Err(invalid_parameter(
            "EmailConfiguration.SourceArn is required when EmailSendingAccount is DEVELOPER.",
        ));
    }
    if pool
        .user_pool_tags
        .as_ref()
        .is_some_and(|t| t.len() > MAX_TAGS)
    {
        return Err(invalid_parameter(format!(
            "A user pool can have at most {MAX_TAGS} tags."
        )));
    }
    refuse_settings_not_in_effect(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_updatable_member_is_copied_from_an_update() {
        let request = UpdateUserPoolRequest {
            user_pool_id: "us-east-1_x".into(),
            policies: Some(UserPoolPolicyType {
                password_policy: Some(PasswordPolicyType {
                    minimum_length: Some(12),
                    ..Default::default()
                }),
                sign_in_policy: None,
            }),
            deletion_protection: Some(DeletionProtectionType::Active),
            lambda_config: Some(LambdaConfigType {
                pre_sign_up: Some("arn:aws:lambda:us-east-1:1:function:f".into()),
                ..Default::default()
            }),
            auto_verified_attributes: Some(vec![VerifiedAttributeType::Email]),
            sms_verification_message: Some("sms {####}".into()),
            email_verification_message: Some("mail {####}".into()),
            email_verification_subject: Some("subject".into()),
            sms_authentication_message: Some("auth {####}".into()),
            device_configuration: Some(DeviceConfigurationType {
                challenge_required_on_new_device: Some(true),
                device_only_remembered_on_user_prompt: None,
            }),
            account_recovery_setting: Some(AccountRecoverySettingType {
                recovery_mechanisms: Some(vec![RecoveryOptionType {
                    priority: 1,
                    name: RecoveryOptionNameType::VerifiedEmail,
                }]),
            }),
            ..Default::default()
        };
        let pool = overlay(&UserPoolType::default(), &request).unwrap();
        let policy = pool.policies.unwrap().password_policy.unwrap();
        assert_eq!(policy.minimum_length, Some(12));
        assert_eq!(policy.require_uppercase, Some(false));
        assert_eq!(
            pool.deletion_protection,
            Some(DeletionProtectionType::Active)
        );
        assert_eq!(
            pool.lambda_config.unwrap().pre_sign_up.as_deref(),
            Some("arn:aws:lambda:us-east-1:1:function:f")
        );
        assert_eq!(
            pool.auto_verified_attributes,
            Some(vec![VerifiedAttributeType::Email])
        );
        assert_eq!(pool.sms_verification_message.as_deref(), Some("sms {####}"));
        let template = pool.verification_message_template.unwrap();
        assert_eq!(template.email_message.as_deref(), Some("mail {####}"));
        assert_eq!(template.email_subject.as_deref(), Some("subject"));
        assert_eq!(template.sms_message.as_deref(), Some("sms {####}"));
        assert_eq!(
            pool.sms_authentication_message.as_deref(),
            Some("auth {####}")
        );
        assert_eq!(
            pool.device_configuration
                .unwrap()
                .challenge_required_on_new_device,
            Some(true)
        );
        assert_eq!(
            pool.account_recovery_setting
                .unwrap()
                .recovery_mechanisms
                .unwrap()[0]
                .priority,
            1
        );
    }

    #[test]
    fn absent_members_return_to_defaults() {
        let mut pool = UserPoolType {
            mfa_configuration: Some(UserPoolMfaType::On),
            deletion_protection: Some(DeletionProtectionType::Active),
            auto_verified_attributes: Some(vec![VerifiedAttributeType::Email]),
            name: Some("kept".into()),
            ..Default::default()
        };
        pool.policies = Some(UserPoolPolicyType {
            password_policy: Some(PasswordPolicyType {
                minimum_length: Some(20),
                ..Default::default()
            }),
            sign_in_policy: None,
        });
        let request = UpdateUserPoolRequest {
            user_pool_id: "us-east-1_x".into(),
            ..Default::default()
        };
        let pool = overlay(&pool, &request).unwrap();
        assert_eq!(pool.name.as_deref(), Some("kept"));
        assert_eq!(pool.mfa_configuration, Some(UserPoolMfaType::Off));
        assert_eq!(
            pool.deletion_protection,
            Some(DeletionProtectionType::Inactive)
        );
        assert_eq!(pool.auto_verified_attributes, None);
        assert_eq!(
            pool.policies.unwrap().password_policy,
            Some(default_password_policy())
        );
        assert_eq!(pool.lambda_config, Some(LambdaConfigType::default()));
        assert_eq!(
            pool.email_configuration.unwrap().email_sending_account,
            Some(EmailSendingAccountType::CognitoDefault)
        );
        let admin = pool.admin_create_user_config.unwrap();
        assert_eq!(admin.allow_admin_create_user_only, Some(false));
        assert_eq!(admin.unused_account_validity_days, Some(7));
    }

    #[test]
    fn unused_account_validity_follows_the_password_policy() {
        let request = |days: Option<i32>, unused: Option<i32>| CreateUserPoolRequest {
            pool_name: "p".into(),
            policies: Some(UserPoolPolicyType {
                password_policy: Some(PasswordPolicyType {
                    temporary_password_validity_days: days,
                    ..Default::default()
                }),
                sign_in_policy: None,
            }),
            admin_create_user_config: Some(AdminCreateUserConfigType {
                unused_account_validity_days: unused,
                ..Default::default()
            }),
            ..Default::default()
        };
        let pool = overlay(&UserPoolType::default(), &request(Some(3), None)).unwrap();
        assert_eq!(
            pool.admin_create_user_config
                .unwrap()
                .unused_account_validity_days,
            Some(3)
        );
        let pool = overlay(&UserPoolType::default(), &request(None, Some(4))).unwrap();
        let policy = pool.policies.unwrap().password_policy.unwrap();
        assert_eq!(policy.temporary_password_validity_days, Some(4));
        let err = overlay(&UserPoolType::default(), &request(Some(3), Some(4))).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidParameterException);
        assert_eq!(
            err.message,
            "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of \
             UnusedAccountValidityDays"
        );
    }

    fn checked(given: UserPoolType) -> Result<(), Error> {
        let mut pool = overlay(&UserPoolType::default(), &given)?;
        pool.user_pool_tier = given.user_pool_tier;
        check(&pool, EnabledFactors::default())
    }

    #[test]
    fn messages_need_their_placeholders() {
        let err = checked(UserPoolType {
            email_verification_message: Some("no code here".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidParameterException);
        assert_eq!(
            err.message,
            "EmailVerificationMessage must contain the {####} placeholder."
        );
        let invite = |sms: &str| UserPoolType {
            admin_create_user_config: Some(AdminCreateUserConfigType {
                invite_message_template: Some(MessageTemplateType {
                    sms_message: Some(sms.into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            checked(invite("code {####}")).unwrap_err().message,
            "InviteMessageTemplate.SMSMessage must contain the {username} placeholder."
        );
        checked(invite("{username} {####}")).unwrap();
    }

    #[test]
    fn mfa_needs_a_factor() {
        let err = checked(UserPoolType {
            mfa_configuration: Some(UserPoolMfaType::Optional),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.message,
            "SMS configuration and Auto verification for phone_number are required when MFA \
             is required/optional"
        );
        checked(UserPoolType {
            mfa_configuration: Some(UserPoolMfaType::Optional),
            auto_verified_attributes: Some(vec![VerifiedAttributeType::PhoneNumber]),
            sms_configuration: Some(SmsConfigurationType {
                sns_caller_arn: Some("arn:aws:iam::1:role/sms".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .unwrap();
        let pool = overlay(
            &UserPoolType::default(),
            &UserPoolType {
                mfa_configuration: Some(UserPoolMfaType::Optional),
                ..Default::default()
            },
        )
        .unwrap();
        check(
            &pool,
            EnabledFactors {
                totp: true,
                email: false,
            },
        )
        .unwrap();
    }

    #[test]
    fn settings_not_enforced_yet_are_refused_by_name() {
        let sms_pool = || UserPoolType {
            auto_verified_attributes: Some(vec![VerifiedAttributeType::PhoneNumber]),
            sms_configuration: Some(SmsConfigurationType {
                sns_caller_arn: Some("arn:aws:iam::1:role/sms".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let refused = |pool: UserPoolType| {
            let err = checked(pool).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidParameterException);
            err.message
        };
        let message = refused(UserPoolType {
            mfa_configuration: Some(UserPoolMfaType::On),
            ..sms_pool()
        });
        assert!(
            message.starts_with("MfaConfiguration ON is not supported by cognitod yet"),
            "{message}"
        );
        let message = refused(UserPoolType {
            lambda_config: Some(LambdaConfigType {
                pre_sign_up: Some("arn:aws:lambda:us-east-1:1:function:f".into()),
                pre_token_generation: Some("arn:aws:lambda:us-east-1:1:function:g".into()),
                ..Default::default()
            }),
            ..Default::default()
        });
        assert!(
            message.starts_with("LambdaConfig (PreSignUp, PreTokenGeneration) is not supported"),
            "{message}"
        );
        let message = refused(UserPoolType {
            user_pool_tier: Some(UserPoolTierType::Plus),
            user_pool_add_ons: Some(UserPoolAddOnsType {
                advanced_security_mode: AdvancedSecurityModeType::Enforced,
                advanced_security_additional_flows: None,
            }),
            ..Default::default()
        });
        assert!(
            message.contains("AdvancedSecurityMode ENFORCED"),
            "{message}"
        );
        let message = refused(UserPoolType {
            device_configuration: Some(DeviceConfigurationType {
                challenge_required_on_new_device: Some(true),
                device_only_remembered_on_user_prompt: None,
            }),
            ..Default::default()
        });
        assert!(
            message.contains("ChallengeRequiredOnNewDevice"),
            "{message}"
        );
        // What is honest stays allowed: OPTIONAL (no user can enrol a factor yet), audit
        // only, devices without a challenge, an empty LambdaConfig.
        checked(UserPoolType {
            mfa_configuration: Some(UserPoolMfaType::Optional),
            lambda_config: Some(LambdaConfigType::default()),
            user_pool_tier: Some(UserPoolTierType::Plus),
            user_pool_add_ons: Some(UserPoolAddOnsType {
                advanced_security_mode: AdvancedSecurityModeType::Audit,
                advanced_security_additional_flows: None,
            }),
            device_configuration: Some(DeviceConfigurationType {
                challenge_required_on_new_device: Some(false),
                device_only_remembered_on_user_prompt: Some(true),
            }),
            ..sms_pool()
        })
        .unwrap();
    }

    #[test]
    fn plan_features() {
        let err = checked(UserPoolType {
            user_pool_add_ons: Some(UserPoolAddOnsType {
                advanced_security_mode: AdvancedSecurityModeType::Enforced,
                advanced_security_additional_flows: None,
            }),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::FeatureUnavailableInTierException);
        let passwordless = |tier| UserPoolType {
            user_pool_tier: Some(tier),
            policies: Some(UserPoolPolicyType {
                password_policy: None,
                sign_in_policy: Some(SignInPolicyType {
                    allowed_first_auth_factors: Some(vec![
                        AuthFactorType::Password,
                        AuthFactorType::EmailOtp,
                    ]),
                }),
            }),
            ..Default::default()
        };
        assert_eq!(
            checked(passwordless(UserPoolTierType::Lite))
                .unwrap_err()
                .code,
            ErrorCode::FeatureUnavailableInTierException
        );
        checked(passwordless(UserPoolTierType::Essentials)).unwrap();
        let no_password = UserPoolType {
            policies: Some(UserPoolPolicyType {
                password_policy: None,
                sign_in_policy: Some(SignInPolicyType {
                    allowed_first_auth_factors: Some(vec![AuthFactorType::EmailOtp]),
                }),
            }),
            ..Default::default()
        };
        assert_eq!(
            checked(no_password).unwrap_err().message,
            "AllowedFirstAuthFactors must include PASSWORD."
        );
    }
}
