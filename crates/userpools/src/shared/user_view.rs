//! Wire views of a stored user: `UserType` (lists, AdminCreateUser) and AdminGetUser's answer.

use std::str::FromStr;

use cognitod_model::idp::{AdminGetUserResponse, AttributeType, UserStatusType, UserType};
use cognitod_model::{Error, Timestamp};
use cognitod_store::UserRecord;

use crate::shared::credentials::Credentials;
use crate::shared::errors;

pub(crate) fn status(record: &UserRecord) -> Result<UserStatusType, Error> {
    UserStatusType::from_str(&record.status)
        .map_err(|()| errors::internal(format!("unknown stored user status {:?}", record.status)))
}

fn wire_attributes<'a>(pairs: impl Iterator<Item = &'a (String, String)>) -> Vec<AttributeType> {
    pairs
        .map(|(name, value)| AttributeType {
            name: name.clone(),
            value: Some(value.clone()),
        })
        .collect()
}

/// The user as ListUsers / AdminCreateUser show it; `only` restricts the attributes.
pub(crate) fn user_type(record: &UserRecord, only: Option<&[String]>) -> Result<UserType, Error> {
    let credentials = Credentials::from_json(&record.credentials)?;
    let attributes = match only {
        None => wire_attributes(record.attributes.iter()),
        Some(names) => wire_attributes(record.attributes.iter().filter(|(n, _)| names.contains(n))),
    };
    Ok(UserType {
        username: Some(record.username.clone()),
        attributes: Some(attributes),
        user_create_date: Some(Timestamp::from_millis(record.created_at)),
        user_last_modified_date: Some(Timestamp::from_millis(record.updated_at)),
        enabled: Some(record.enabled),
        user_status: Some(status(record)?),
        mfa_options: credentials.mfa_options.filter(|o| !o.is_empty()),
    })
}

/// AdminGetUser's answer; MFA members appear only when the user has MFA settings.
pub(crate) fn admin_get_user(record: &UserRecord) -> Result<AdminGetUserResponse, Error> {
    let credentials = Credentials::from_json(&record.credentials)?;
    Ok(AdminGetUserResponse {
        username: record.username.clone(),
        user_attributes: Some(wire_attributes(record.attributes.iter())),
        user_create_date: Some(Timestamp::from_millis(record.created_at)),
        user_last_modified_date: Some(Timestamp::from_millis(record.updated_at)),
        enabled: Some(record.enabled),
        user_status: Some(status(record)?),
        mfa_options: credentials.mfa_options.filter(|o| !o.is_empty()),
        preferred_mfa_setting: credentials.preferred_mfa_setting,
        user_mfa_setting_list: credentials.user_mfa_setting_list.filter(|l| !l.is_empty()),
    })
}
