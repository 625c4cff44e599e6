//! A pool's MFA configuration: GetUserPoolMfaConfig and SetUserPoolMfaConfig.
//!
//! `UserPoolType` shows MfaConfiguration, SmsConfiguration and SmsAuthenticationMessage; the
//! other factor settings are kept beside it in the stored JSON under [`MFA_KEY`].
//! SetUserPoolMfaConfig replaces the whole MFA configuration: a factor it leaves out is off,
//! and a missing MfaConfiguration means OFF. Passkey (WebAuthn) settings are not an MFA factor
//! and are kept when the request leaves them out.

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, RequestContext, Timestamp};
use cognitod_store::PoolRecord;
use serde::{Deserialize, Serialize};

use crate::pools::settings::EnabledFactors;
use crate::pools::store::save_pool;
use crate::service::UserPools;
use crate::shared::errors::invalid_parameter;
use crate::shared::stored::{load_pool, to_json};

/// Key of the factor settings in a pool's stored JSON.
pub(crate) const MFA_KEY: &str = "cognitod:mfa";

/// The MFA settings `UserPoolType` has no member for.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct MfaFactors {
    /// Whether SMS MFA is on; absent until SetUserPoolMfaConfig is called, when a pool with
    /// MFA and an SMS configuration uses SMS.
    #[serde(rename = "SmsMfa", default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<bool>,
    #[serde(
        rename = "SoftwareTokenMfaConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub software_token: Option<SoftwareTokenMfaConfigType>,
    #[serde(
        rename = "EmailMfaConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<EmailMfaConfigType>,
    #[serde(
        rename = "WebAuthnConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub web_authn: Option<WebAuthnConfigurationType>,
}

impl MfaFactors {
    pub(crate) fn of(record: &PoolRecord) -> MfaFactors {
        record
            .config
            .get(MFA_KEY)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }

    fn totp_enabled(&self) -> bool {
        self.software_token.as_ref().and_then(|t| t.enabled) == Some(true)
    }

    fn sms_enabled(&self, pool: &UserPoolType) -> bool {
        self.sms.unwrap_or_else(|| {
            pool.mfa_configuration
                .is_some_and(|m| m != UserPoolMfaType::Off)
                && pool.sms_configuration.is_some()
        })
    }
}

/// The factors other than SMS that a pool has enabled.
pub(crate) fn enabled_factors(record: &PoolRecord) -> EnabledFactors {
    let factors = MfaFactors::of(record);
    EnabledFactors {
        totp: factors.totp_enabled(),
        email: factors.email.is_some(),
    }
}

fn invalid_config(detail: &str) -> Error {
    invalid_parameter(format!("Invalid MFA configuration given, {detail}"))
}

fn sms_view(pool: &UserPoolType) -> SmsMfaConfigType {
    SmsMfaConfigType {
        sms_authentication_message: pool.sms_authentication_message.clone(),
        sms_configuration: pool.sms_configuration.clone(),
    }
}

pub(crate) async fn get_user_pool_mfa_config(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: GetUserPoolMfaConfigRequest,
) -> Result<GetUserPoolMfaConfigResponse, Error> {
    let (record, pool) = load_pool(svc, &input.user_pool_id).await?;
    let factors = MfaFactors::of(&record);
    Ok(GetUserPoolMfaConfigResponse {
        sms_mfa_configuration: factors.sms_enabled(&pool).then(|| sms_view(&pool)),
        software_token_mfa_configuration: factors.software_token,
        email_mfa_configuration: factors.email,
        mfa_configuration: pool.mfa_configuration,
        web_authn_configuration: factors.web_authn,
    })
}

fn check_placeholder(message: Option<&str>, member: &str) -> Result<(), Error> {
    match message {
        Some(text) if !text.contains("{####}") => Err(invalid_parameter(format!(
            "{member} must contain the {{####}} placeholder."
        ))),
        _ => Ok(()),
    }
}

pub(crate) async fn set_user_pool_mfa_config(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: SetUserPoolMfaConfigRequest,
) -> Result<SetUserPoolMfaConfigResponse, Error> {
    let (mut record, mut pool) = load_pool(svc, &input.user_pool_id).await?;
    let previous = MfaFactors::of(&record);
    let mode = input.mfa_configuration.unwrap_or(UserPoolMfaType::Off);
    let factors = MfaFactors {
        sms: Some(input.sms_mfa_configuration.is_some()),
        software_token: input.software_token_mfa_configuration.clone(),
        email: input.email_mfa_configuration.clone(),
        web_authn: input.web_authn_configuration.clone().or(previous.web_authn),
    };
    let any_enabled =
        factors.sms == Some(true) || factors.totp_enabled() || factors.email.is_some();
    if mode == UserPoolMfaType::Off && any_enabled {
        return Err(invalid_config(
            "can't turn off MFA and configure an MFA together.",
        ));
    }
    if mode != UserPoolMfaType::Off && !any_enabled {
        return Err(invalid_config(
            "can't disable all MFAs with a required or optional configuration.",
        ));
    }
    if let Some(sms) = &input.sms_mfa_configuration {
        check_placeholder(
            sms.sms_authentication_message.as_deref(),
            "SmsAuthenticationMessage",
        )?;
        if sms.sms_configuration.is_none() && pool.sms_configuration.is_none() {
            return Err(invalid_parameter(
                "SmsConfiguration is required to turn on SMS MFA.",
            ));
        }
    }
    if let Some(email) = &factors.email {
        check_placeholder(email.message.as_deref(), "EmailMfaConfiguration.Message")?;
        if pool.user_pool_tier == Some(UserPoolTierType::Lite) {
            return Err(Error::new(
                ErrorCode::FeatureUnavailableInTierException,
                "Email MFA requires the ESSENTIALS or PLUS feature plan.",
            ));
        }
    }
    // A valid configuration that cognitod cannot enforce yet is refused, not stored.
    crate::pools::settings::refuse_required_mfa(Some(mode))?;
    if let Some(sms) = &input.sms_mfa_configuration {
        if sms.sms_authentication_message.is_some() {
            pool.sms_authentication_message = sms.sms_authentication_message.clone();
        }
        if sms.sms_configuration.is_some() {
            pool.sms_configuration = sms.sms_configuration.clone();
        }
    }
    pool.mfa_configuration = Some(mode);
    pool.last_modified_date = Some(Timestamp::from_millis(svc.now()));
    record.config[MFA_KEY] = to_json(&factors)?;
    save_pool(svc, &record, &pool).await?;
    Ok(SetUserPoolMfaConfigResponse {
        sms_mfa_configuration: factors.sms_enabled(&pool).then(|| sms_view(&pool)),
        software_token_mfa_configuration: factors.software_token,
        email_mfa_configuration: factors.email,
        mfa_configuration: Some(mode),
        web_authn_configuration: factors.web_authn,
    })
}
