//! How a pool identifies users: username normalisation, username attributes (email or phone
//! as the sign-in name, with a UUID username) and alias attributes (verified email/phone and
//! preferred_username as extra sign-in names). Every uniqueness rule ends up as alias keys
//! that the store keeps unique.

use cognitod_model::idp::{AliasAttributeType, UserPoolType, UsernameAttributeType};
use cognitod_model::{Error, ErrorCode};
use cognitod_store::AliasKey;

use crate::shared::attributes::{is_email, is_phone_number, value_of};
use crate::shared::errors::invalid_parameter;

pub(crate) const EMAIL: &str = "email";
pub(crate) const PHONE: &str = "phone_number";
pub(crate) const PREFERRED_USERNAME: &str = "preferred_username";

/// The identity settings of one pool.
#[derive(Debug, Clone, Default)]
pub(crate) struct PoolIdentity {
    pub case_insensitive: bool,
    /// Attributes used instead of a username (email and/or phone_number).
    pub username_attributes: Vec<&'static str>,
    /// Attributes usable as aliases next to the username.
    pub alias_attributes: Vec<&'static str>,
}

impl PoolIdentity {
    pub(crate) fn of(pool: &UserPoolType) -> Self {
        let username_attributes = pool
            .username_attributes
            .iter()
            .flatten()
            .map(|a| match a {
                UsernameAttributeType::Email => EMAIL,
                UsernameAttributeType::PhoneNumber => PHONE,
            })
            .collect();
        let alias_attributes = pool
            .alias_attributes
            .iter()
            .flatten()
            .map(|a| match a {
                AliasAttributeType::Email => EMAIL,
                AliasAttributeType::PhoneNumber => PHONE,
                AliasAttributeType::PreferredUsername => PREFERRED_USERNAME,
            })
            .collect();
        Self {
            // The API default is case sensitive.
            case_insensitive: pool
                .username_configuration
                .as_ref()
                .is_some_and(|c| !c.case_sensitive),
            username_attributes,
            alias_attributes,
        }
    }

    pub(crate) fn uses_username_attributes(&self) -> bool {
        !self.username_attributes.is_empty()
    }

    /// The stored, unique form of a username.
    pub(crate) fn username_key(&self, username: &str) -> String {
        if self.case_insensitive {
            username.to_lowercase()
        } else {
            username.to_string()
        }
    }

    /// The normalised key of an alias value of the given kind.
    pub(crate) fn alias_key(&self, kind: &str, value: &str) -> String {
        match kind {
            EMAIL => value.to_lowercase(),
            PREFERRED_USERNAME => self.username_key(value),
            _ => value.to_string(),
        }
    }

    /// In a username-attributes pool, which attribute the given sign-in name stands for.
    pub(crate) fn username_attribute_for(&self, username: &str) -> Result<&'static str, Error> {
        let allows = |kind| self.username_attributes.contains(&kind);
        if allows(EMAIL) && is_email(username) {
            return Ok(EMAIL);
        }
        if allows(PHONE) && is_phone_number(username) {
            return Ok(PHONE);
        }
        Err(invalid_parameter(match (allows(EMAIL), allows(PHONE)) {
            (true, true) => "Username should be either an email or a phone number.",
            (true, false) => "Username should be an email.",
            _ => "Username should be a phone number.",
        }))
    }

    /// Refuses usernames shaped like an alias of the pool (they would be ambiguous).
    pub(crate) fn check_username_shape(&self, username: &str) -> Result<(), Error> {
        if self.alias_attributes.contains(&EMAIL) && is_email(username) {
            return Err(invalid_parameter(
                "Username cannot be of email format, since user pool is configured for email alias.",
            ));
        }
        if self.alias_attributes.contains(&PHONE) && is_phone_number(username) {
            return Err(invalid_parameter(
                "Username cannot be of phone number format, since user pool is configured for phone number alias.",
            ));
        }
        Ok(())
    }

    /// The alias keys a user with these attributes holds.
    pub(crate) fn alias_keys(&self, attributes: &[(String, String)]) -> Vec<AliasKey> {
        let mut keys = Vec::new();
        let mut add = |kind: &str| {
            if let Some(value) = value_of(attributes, kind).filter(|v| !v.is_empty()) {
                keys.push(AliasKey {
                    kind: kind.to_string(),
                    key: self.alias_key(kind, value),
                });
            }
        };
        if self.uses_username_attributes() {
            // Username attributes are unique whether verified or not.
            for kind in &self.username_attributes {
                add(kind);
            }
        } else {
            for kind in &self.alias_attributes {
                let active = match *kind {
                    PREFERRED_USERNAME => true,
                    kind => value_of(attributes, &format!("{kind}_verified")) == Some("true"),
                };
                if active {
                    add(kind);
                }
            }
        }
        keys
    }

    /// The error for an alias held by another user, as Cognito words it for this pool.
    pub(crate) fn alias_conflict(&self, kind: &str, creating: bool) -> Error {
        let message = format!("An account with the given {kind} already exists.");
        if creating && self.uses_username_attributes() {
            Error::new(ErrorCode::UsernameExistsException, message)
        } else {
            Error::new(ErrorCode::AliasExistsException, message)
        }
    }
}

/// The SRP pool name: the pool id after its region prefix.
pub(crate) fn srp_pool_name(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or(pool_id, |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognitod_model::idp::UsernameConfigurationType;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn key(kind: &str, key: &str) -> AliasKey {
        AliasKey {
            kind: kind.into(),
            key: key.into(),
        }
    }

    #[test]
    fn case_sensitivity_follows_the_pool() {
        let sensitive = PoolIdentity::of(&UserPoolType::default());
        assert_eq!(sensitive.username_key("Ana"), "Ana");
        let pool = UserPoolType {
            username_configuration: Some(UsernameConfigurationType {
                case_sensitive: false,
            }),
            ..Default::default()
        };
        let insensitive = PoolIdentity::of(&pool);
        assert_eq!(insensitive.username_key("Ana"), "ana");
        assert_eq!(insensitive.alias_key(PREFERRED_USERNAME, "Nick"), "nick");
        assert_eq!(sensitive.alias_key(PREFERRED_USERNAME, "Nick"), "Nick");
        assert_eq!(sensitive.alias_key(EMAIL, "A@B.C"), "a@b.c");
        assert_eq!(sensitive.alias_key(PHONE, "+15550100"), "+15550100");
    }

    #[test]
    fn username_attribute_pools() {
        let pool = UserPoolType {
            username_attributes: Some(vec![UsernameAttributeType::Email]),
            ..Default::default()
        };
        let id = PoolIdentity::of(&pool);
        assert_eq!(id.username_attribute_for("a@b.c").unwrap(), EMAIL);
        assert_eq!(
            id.username_attribute_for("+15550100").unwrap_err().message,
            "Username should be an email."
        );
        // Unverified emails are still unique keys.
        assert_eq!(
            id.alias_keys(&attrs(&[("email", "A@b.c")])),
            vec![key(EMAIL, "a@b.c")]
        );
        assert_eq!(
            id.alias_conflict(EMAIL, true).code,
            ErrorCode::UsernameExistsException
        );
        assert_eq!(
            id.alias_conflict(EMAIL, false).code,
            ErrorCode::AliasExistsException
        );

        let both = PoolIdentity::of(&UserPoolType {
            username_attributes: Some(vec![
                UsernameAttributeType::Email,
                UsernameAttributeType::PhoneNumber,
            ]),
            ..Default::default()
        });
        assert_eq!(both.username_attribute_for("+15550100").unwrap(), PHONE);
        assert_eq!(
            both.username_attribute_for("bob").unwrap_err().message,
            "Username should be either an email or a phone number."
        );
        let phone = PoolIdentity::of(&UserPoolType {
            username_attributes: Some(vec![UsernameAttributeType::PhoneNumber]),
            ..Default::default()
        });
        assert_eq!(
            phone.username_attribute_for("a@b.c").unwrap_err().message,
            "Username should be a phone number."
        );
    }

    #[test]
    fn alias_pools_use_only_verified_contacts() {
        let id = PoolIdentity::of(&UserPoolType {
            alias_attributes: Some(vec![
                AliasAttributeType::Email,
                AliasAttributeType::PhoneNumber,
                AliasAttributeType::PreferredUsername,
            ]),
            ..Default::default()
        });
        let unverified = attrs(&[
            ("email", "a@b.c"),
            ("phone_number", "+15550100"),
            ("email_verified", "false"),
        ]);
        assert!(id.alias_keys(&unverified).is_empty());
        let verified = attrs(&[
            ("email", "A@b.c"),
            ("email_verified", "true"),
            ("phone_number", "+15550100"),
            ("phone_number_verified", "true"),
            ("preferred_username", "Nick"),
        ]);
        assert_eq!(
            id.alias_keys(&verified),
            vec![
                key(EMAIL, "a@b.c"),
                key(PHONE, "+15550100"),
                key(PREFERRED_USERNAME, "Nick")
            ]
        );
        assert_eq!(
            id.alias_conflict(PHONE, true).message,
            "An account with the given phone_number already exists."
        );
    }

    #[test]
    fn plain_pools_have_no_aliases() {
        let id = PoolIdentity::of(&UserPoolType::default());
        assert!(
            id.alias_keys(&attrs(&[("email", "a@b.c"), ("email_verified", "true")]))
                .is_empty()
        );
        assert!(id.check_username_shape("a@b.c").is_ok());
    }

    #[test]
    fn alias_shaped_usernames_are_refused() {
        let id = PoolIdentity::of(&UserPoolType {
            alias_attributes: Some(vec![
                AliasAttributeType::Email,
                AliasAttributeType::PhoneNumber,
            ]),
            ..Default::default()
        });
        assert_eq!(
            id.check_username_shape("a@b.c").unwrap_err().message,
            "Username cannot be of email format, since user pool is configured for email alias."
        );
        assert_eq!(
            id.check_username_shape("+15550100").unwrap_err().code,
            ErrorCode::InvalidParameterException
        );
        assert!(id.check_username_shape("bob").is_ok());
    }
}
