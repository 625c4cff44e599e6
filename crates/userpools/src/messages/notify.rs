//! Messages to users: the AdminCreateUser invitation and one-time codes, rendered from the
//! pool's templates and recorded in the outbox.

use cognitod_messaging::{Medium, Message, render};
use cognitod_model::Error;
use cognitod_model::idp::{DeliveryMediumType, RecoveryOptionNameType, UserPoolType};

use crate::service::UserPools;
use crate::shared::attributes::value_of;
use crate::shared::errors::{self, invalid_parameter};
use crate::shared::identity::{EMAIL, PHONE};

const DEFAULT_INVITE: &str = "Your username is {username} and temporary password is {####}.";
const DEFAULT_INVITE_SUBJECT: &str = "Your temporary password";
const DEFAULT_CODE: &str = "Your verification code is {####}. ";
const DEFAULT_CODE_SUBJECT: &str = "Your verification code";

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Destination {
    pub medium: Medium,
    pub address: String,
}

/// The invitation destinations for AdminCreateUser. SMS is the default medium; a medium the
/// user has no attribute for is skipped, and asking only for undeliverable mediums fails.
pub(crate) fn invitation_destinations(
    requested: Option<&[DeliveryMediumType]>,
    attributes: &[(String, String)],
) -> Result<Vec<Destination>, Error> {
    let explicit = requested.is_some_and(|r| !r.is_empty());
    let requested = requested
        .filter(|r| !r.is_empty())
        .unwrap_or(&[DeliveryMediumType::Sms]);
    let mut out: Vec<Destination> = Vec::new();
    for medium in requested {
        let (medium, attribute) = match medium {
            DeliveryMediumType::Email => (Medium::Email, EMAIL),
            DeliveryMediumType::Sms => (Medium::Sms, PHONE),
        };
        if let Some(address) = value_of(attributes, attribute).filter(|v| !v.is_empty())
            && !out.iter().any(|d| d.medium == medium)
        {
            out.push(Destination {
                medium,
                address: address.to_string(),
            });
        }
    }
    if explicit && out.is_empty() {
        return Err(invalid_parameter(
            "User has no attribute matching desired delivery mediums",
        ));
    }
    Ok(out)
}

/// Where a password-reset code goes, following the pool's AccountRecoverySetting (by
/// priority); without one, a verified phone is preferred over a verified email. `Ok(None)`
/// means the pool allows only administrators to recover accounts.
pub(crate) fn recovery_destination(
    pool: &UserPoolType,
    attributes: &[(String, String)],
) -> Result<Option<Destination>, Error> {
    let verified = |attribute: &str, medium: Medium| {
        (value_of(attributes, &format!("{attribute}_verified")) == Some("true"))
            .then(|| value_of(attributes, attribute).filter(|v| !v.is_empty()))
            .flatten()
            .map(|address| Destination {
                medium,
                address: address.to_string(),
            })
    };
    let mut mechanisms = pool
        .account_recovery_setting
        .as_ref()
        .and_then(|s| s.recovery_mechanisms.clone())
        .unwrap_or_default();
    mechanisms.sort_by_key(|m| m.priority);
    let names: Vec<RecoveryOptionNameType> = if mechanisms.is_empty() {
        vec![
            RecoveryOptionNameType::VerifiedPhoneNumber,
            RecoveryOptionNameType::VerifiedEmail,
        ]
    } else {
        mechanisms.iter().map(|m| m.name).collect()
    };
    if names == [RecoveryOptionNameType::AdminOnly] {
        return Ok(None);
    }
    names
        .iter()
        .find_map(|name| match name {
            RecoveryOptionNameType::VerifiedEmail => verified(EMAIL, Medium::Email),
            RecoveryOptionNameType::VerifiedPhoneNumber => verified(PHONE, Medium::Sms),
            RecoveryOptionNameType::AdminOnly => None,
        })
        .map(Some)
        .ok_or_else(|| {
            invalid_parameter(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            )
        })
}

/// A rendered message, before it is addressed.
struct Content<'a> {
    subject: Option<String>,
    body: String,
    /// The pool's own sender address, if it has one.
    from: Option<&'a str>,
}

async fn send(
    svc: &UserPools,
    pool_id: &str,
    username: &str,
    to: &Destination,
    kind: &str,
    Content {
        subject,
        body,
        from,
    }: Content<'_>,
) -> Result<(), Error> {
    let message = Message {
        pool_id: pool_id.to_string(),
        username: username.to_string(),
        medium: to.medium,
        destination: to.address.clone(),
        kind: kind.to_string(),
        subject,
        body,
        from: from.map(str::to_string),
    };
    svc.messenger
        .send(message, svc.now())
        .await
        .map_err(errors::store)?;
    Ok(())
}

/// Sends the AdminCreateUser invitation (kind `Invitation`) to each destination.
/// `shown_username` is the name the user signs in with; `stored_username` keys the outbox.
pub(crate) async fn invite(
    svc: &UserPools,
    pool_id: &str,
    pool: &UserPoolType,
    stored_username: &str,
    shown_username: &str,
    temporary_password: &str,
    destinations: &[Destination],
) -> Result<(), Error> {
    let template = pool
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.invite_message_template.as_ref());
    for to in destinations {
        let (subject, body) = match to.medium {
            Medium::Email => (
                Some(
                    template
                        .and_then(|t| t.email_subject.clone())
                        .unwrap_or_else(|| DEFAULT_INVITE_SUBJECT.into()),
                ),
                template
                    .and_then(|t| t.email_message.clone())
                    .unwrap_or_else(|| DEFAULT_INVITE.into()),
            ),
            Medium::Sms => (
                None,
                template
                    .and_then(|t| t.sms_message.clone())
                    .unwrap_or_else(|| DEFAULT_INVITE.into()),
            ),
        };
        let body = render(&body, shown_username, temporary_password);
        send(
            svc,
            pool_id,
            stored_username,
            to,
            "Invitation",
            Content {
                subject,
                body,
                from: sender_address(pool),
            },
        )
        .await?;
    }
    Ok(())
}

/// Sends a one-time code with the pool's verification message (kind e.g. `ForgotPassword`).
pub(crate) async fn send_code(
    svc: &UserPools,
    pool_id: &str,
    pool: &UserPoolType,
    username: &str,
    to: &Destination,
    kind: &str,
    code: &str,
) -> Result<(), Error> {
    let template = pool.verification_message_template.as_ref();
    let (subject, body) = match to.medium {
        Medium::Email => (
            Some(
                template
                    .and_then(|t| t.email_subject.clone())
                    .or_else(|| pool.email_verification_subject.clone())
                    .unwrap_or_else(|| DEFAULT_CODE_SUBJECT.into()),
            ),
            template
                .and_then(|t| t.email_message.clone())
                .or_else(|| pool.email_verification_message.clone())
                .unwrap_or_else(|| DEFAULT_CODE.into()),
        ),
        Medium::Sms => (
            None,
            template
                .and_then(|t| t.sms_message.clone())
                .or_else(|| pool.sms_verification_message.clone())
                .unwrap_or_else(|| DEFAULT_CODE.into()),
        ),
    };
    send(
        svc,
        pool_id,
        username,
        to,
        kind,
        Content {
            subject,
            body: render(&body, username, code),
            from: sender_address(pool),
        },
    )
    .await
}

/// The pool's own sender address (EmailConfiguration.From), if it has one.
fn sender_address(pool: &UserPoolType) -> Option<&str> {
    pool.email_configuration
        .as_ref()
        .and_then(|c| c.from.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognitod_model::ErrorCode;
    use cognitod_model::idp::{AccountRecoverySettingType, RecoveryOptionType};

    fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sms_is_the_default_and_missing_attributes_are_skipped() {
        let both = attrs(&[("email", "a@b.c"), ("phone_number", "+15550100")]);
        assert_eq!(
            invitation_destinations(None, &both).unwrap(),
            vec![Destination {
                medium: Medium::Sms,
                address: "+15550100".into()
            }]
        );
        assert!(
            invitation_destinations(None, &attrs(&[("email", "a@b.c")]))
                .unwrap()
                .is_empty()
        );
        let chosen = invitation_destinations(
            Some(&[DeliveryMediumType::Email, DeliveryMediumType::Sms]),
            &both,
        )
        .unwrap();
        assert_eq!(chosen.len(), 2);
        assert_eq!(
            chosen[0],
            Destination {
                medium: Medium::Email,
                address: "a@b.c".into()
            }
        );
    }

    #[test]
    fn explicit_undeliverable_mediums_fail() {
        let e = invitation_destinations(
            Some(&[DeliveryMediumType::Email]),
            &attrs(&[("phone_number", "+15550100")]),
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameterException);
        assert_eq!(
            e.message,
            "User has no attribute matching desired delivery mediums"
        );
    }

    #[test]
    fn recovery_prefers_the_pool_setting_then_phone() {
        let user = attrs(&[
            ("email", "a@b.c"),
            ("email_verified", "true"),
            ("phone_number", "+15550100"),
            ("phone_number_verified", "true"),
        ]);
        let legacy = UserPoolType::default();
        assert_eq!(
            recovery_destination(&legacy, &user)
                .unwrap()
                .unwrap()
                .medium,
            Medium::Sms
        );
        let email_first = UserPoolType {
            account_recovery_setting: Some(AccountRecoverySettingType {
                recovery_mechanisms: Some(vec![
                    RecoveryOptionType {
                        name: RecoveryOptionNameType::VerifiedPhoneNumber,
                        priority: 2,
                    },
                    RecoveryOptionType {
                        name: RecoveryOptionNameType::VerifiedEmail,
                        priority: 1,
                    },
                ]),
            }),
            ..Default::default()
        };
        assert_eq!(
            recovery_destination(&email_first, &user).unwrap(),
            Some(Destination {
                medium: Medium::Email,
                address: "a@b.c".into()
            })
        );
        let admin_only = UserPoolType {
            account_recovery_setting: Some(AccountRecoverySettingType {
                recovery_mechanisms: Some(vec![RecoveryOptionType {
                    name: RecoveryOptionNameType::AdminOnly,
                    priority: 1,
                }]),
            }),
            ..Default::default()
        };
        assert_eq!(recovery_destination(&admin_only, &user).unwrap(), None);
    }

    #[test]
    fn recovery_needs_a_verified_contact() {
        let unverified = attrs(&[("email", "a@b.c"), ("email_verified", "false")]);
        let e = recovery_destination(&UserPoolType::default(), &unverified).unwrap_err();
        assert_eq!(
            e.message,
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        );
    }
}
