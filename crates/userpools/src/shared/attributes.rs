//! User attribute values checked against the pool's schema: names, mutability, required
//! attributes, data types and constraints, with Cognito's messages.

use cognitod_model::Error;
use cognitod_model::idp::{
    AttributeDataType, AttributeType, SchemaAttributeType, StringAttributeConstraintsType,
    UserPoolType,
};

use crate::shared::errors::invalid_parameter;

/// Longest value Cognito stores for any attribute.
const MAX_VALUE_CHARS: usize = 2048;
const CREATE_PREFIX: &str = "Attributes did not conform to the schema: ";
const UPDATE_PREFIX: &str = "Invalid user attributes: ";

/// The value of an attribute in a stored attribute list.
pub(crate) fn value_of<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Sets an attribute, keeping its position when it already exists.
pub(crate) fn set(attributes: &mut Vec<(String, String)>, name: &str, value: &str) {
    match attributes.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = value.to_string(),
        None => attributes.push((name.to_string(), value.to_string())),
    }
}

pub(crate) fn remove(attributes: &mut Vec<(String, String)>, name: &str) {
    attributes.retain(|(n, _)| n != name);
}

/// Cognito's email shape: something@something, no spaces.
pub(crate) fn is_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// E.164: a plus sign and up to 15 digits.
pub(crate) fn is_phone_number(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Where an attribute write comes from; it decides the wording of errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// AdminCreateUser / SignUp.
    Create,
    /// AdminUpdateUserAttributes / UpdateUserAttributes.
    Update,
}

fn problem(write: Write, name: &str, text: &str) -> Error {
    invalid_parameter(match write {
        Write::Create => format!("{CREATE_PREFIX}{name}: {text}\n"),
        Write::Update => format!("{UPDATE_PREFIX}user.{name}: {text}\n"),
    })
}

/// A pool's attribute schema.
pub(crate) struct Schema {
    attributes: Vec<SchemaAttributeType>,
}

impl Schema {
    pub(crate) fn of(pool: &UserPoolType) -> Self {
        match &pool.schema_attributes {
            Some(list) if !list.is_empty() => Self {
                attributes: list.clone(),
            },
            _ => Self {
                attributes: standard(),
            },
        }
    }

    #[cfg(test)]
    pub(crate) fn into_attributes(self) -> Vec<SchemaAttributeType> {
        self.attributes
    }

    pub(crate) fn get(&self, name: &str) -> Option<&SchemaAttributeType> {
        self.attributes
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub(crate) fn required(&self) -> impl Iterator<Item = &str> {
        self.attributes
            .iter()
            .filter(|a| a.required == Some(true))
            .filter_map(|a| a.name.as_deref())
            .filter(|name| *name != "sub")
    }

    /// Checks the attributes of a new user; returns them as stored (booleans lowercased,
    /// empty values dropped, a repeated name keeps its last value).
    pub(crate) fn validate_new(
        &self,
        given: &[AttributeType],
    ) -> Result<Vec<(String, String)>, Error> {
        let mut out: Vec<(String, String)> = Vec::new();
        for attribute in given {
            let value = attribute.value.as_deref().unwrap_or_default();
            let Some(definition) = self.get(&attribute.name) else {
                return Err(problem(
                    Write::Create,
                    &attribute.name,
                    "Attribute does not exist in the schema.",
                ));
            };
            if attribute.name == "sub" {
                return Err(problem(
                    Write::Create,
                    "sub",
                    "Attribute cannot be updated.",
                ));
            }
            if value.is_empty() {
                remove(&mut out, &attribute.name);
                continue;
            }
            let value = check_value(Write::Create, definition, &attribute.name, value)?;
            set(&mut out, &attribute.name, &value);
        }
        Ok(out)
    }

    /// Fails with every required attribute missing from a new user.
    pub(crate) fn check_required(&self, attributes: &[(String, String)]) -> Result<(), Error> {
        let missing: String = self
            .required()
            .filter(|name| value_of(attributes, name).is_none_or(str::is_empty))
            .map(|name| format!("{name}: The attribute is required\n"))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(invalid_parameter(format!("{CREATE_PREFIX}{missing}")))
        }
    }

    /// Checks an update; returns the changes in order, `None` meaning "delete" (empty value).
    pub(crate) fn validate_update(
        &self,
        given: &[AttributeType],
    ) -> Result<Vec<(String, Option<String>)>, Error> {
        let mut changes = Vec::with_capacity(given.len());
        for attribute in given {
            let name = attribute.name.as_str();
            let Some(definition) = self.get(name) else {
                return Err(problem(
                    Write::Update,
                    name,
                    "Attribute does not exist in the schema.",
                ));
            };
            if name == "sub" || definition.mutable == Some(false) {
                return Err(invalid_parameter(format!(
                    "user.{name}: Attribute cannot be updated."
                )));
            }
            let value = attribute.value.as_deref().unwrap_or_default();
            if value.is_empty() {
                self.check_deletable(name)?;
                changes.push((name.to_string(), None));
            } else {
                changes.push((
                    name.to_string(),
                    Some(check_value(Write::Update, definition, name, value)?),
                ));
            }
        }
        Ok(changes)
    }

    /// Checks that the named attributes may be deleted.
    pub(crate) fn validate_deletion(&self, names: &[String]) -> Result<(), Error> {
        for name in names {
            let Some(definition) = self.get(name) else {
                return Err(problem(
                    Write::Update,
                    name,
                    "Attribute does not exist in the schema.",
                ));
            };
            if name == "sub" || definition.mutable == Some(false) {
                return Err(invalid_parameter(format!(
                    "user.{name}: Attribute cannot be updated."
                )));
            }
            self.check_deletable(name)?;
        }
        Ok(())
    }

    fn check_deletable(&self, name: &str) -> Result<(), Error> {
        if self.required().any(|r| r == name) {
            return Err(invalid_parameter(format!(
                "user.{name}: Required attribute cannot be deleted."
            )));
        }
        Ok(())
    }
}

/// Checks one non-empty value against its definition; returns the value to store.
fn check_value(
    write: Write,
    definition: &SchemaAttributeType,
    name: &str,
    value: &str,
) -> Result<String, Error> {
    let chars = value.chars().count();
    if chars > MAX_VALUE_CHARS {
        return Err(problem(
            write,
            name,
            &format!("String must be no longer than {MAX_VALUE_CHARS} characters"),
        ));
    }
    match name {
        "email" if !is_email(value) => {
            return Err(invalid_parameter("Invalid email address format."));
        }
        "phone_number" if !is_phone_number(value) => {
            return Err(invalid_parameter("Invalid phone number format."));
        }
        _ => {}
    }
    match definition
        .attribute_data_type
        .unwrap_or(AttributeDataType::String)
    {
        AttributeDataType::String => {
            check_length(
                write,
                name,
                chars,
                definition.string_attribute_constraints.as_ref(),
            )?;
            Ok(value.to_string())
        }
        AttributeDataType::Number => {
            let number: i64 = value
                .parse()
                .map_err(|_| problem(write, name, "Number must be an integer"))?;
            if let Some(constraints) = &definition.number_attribute_constraints {
                let bound = |b: &Option<String>| b.as_deref().and_then(|b| b.parse::<i64>().ok());
                if let Some(min) = bound(&constraints.min_value).filter(|min| number < *min) {
                    return Err(problem(
                        write,
                        name,
                        &format!("Number must be no less than {min}"),
                    ));
                }
                if let Some(max) = bound(&constraints.max_value).filter(|max| number > *max) {
                    return Err(problem(
                        write,
                        name,
                        &format!("Number must be no greater than {max}"),
                    ));
                }
            }
            Ok(value.to_string())
        }
        AttributeDataType::Boolean => match value.to_ascii_lowercase().as_str() {
            lower @ ("true" | "false") => Ok(lower.to_string()),
            _ => Err(problem(write, name, "Value must be either true or false")),
        },
        AttributeDataType::DateTime => Ok(value.to_string()),
    }
}

fn check_length(
    write: Write,
    name: &str,
    chars: usize,
    constraints: Option<&StringAttributeConstraintsType>,
) -> Result<(), Error> {
    let Some(constraints) = constraints else {
        return Ok(());
    };
    let bound = |b: &Option<String>| b.as_deref().and_then(|b| b.parse::<usize>().ok());
    if let Some(max) = bound(&constraints.max_length).filter(|max| chars > *max) {
        return Err(problem(
            write,
            name,
            &format!("String must be no longer than {max} characters"),
        ));
    }
    if let Some(min) = bound(&constraints.min_length).filter(|min| chars < *min) {
        return Err(problem(
            write,
            name,
            &format!("String must be no shorter than {min} characters"),
        ));
    }
    Ok(())
}

/// The standard attributes, used when a stored pool carries no schema.
fn standard() -> Vec<SchemaAttributeType> {
    const STRINGS: &[&str] = &[
        "address",
        "birthdate",
        "email",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "picture",
        "preferred_username",
        "profile",
        "website",
        "zoneinfo",
    ];
    let make = |name: &str, data_type, mutable| SchemaAttributeType {
        name: Some(name.to_string()),
        attribute_data_type: Some(data_type),
        developer_only_attribute: Some(false),
        mutable: Some(mutable),
        required: Some(name == "sub"),
        ..Default::default()
    };
    let mut list = vec![make("sub", AttributeDataType::String, false)];
    list.extend(
        STRINGS
            .iter()
            .map(|name| make(name, AttributeDataType::String, true)),
    );
    list.push(make("email_verified", AttributeDataType::Boolean, true));
    list.push(make(
        "phone_number_verified",
        AttributeDataType::Boolean,
        true,
    ));
    list.push(make("updated_at", AttributeDataType::Number, true));
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognitod_model::ErrorCode;
    use cognitod_model::idp::NumberAttributeConstraintsType;

    fn attr(name: &str, value: &str) -> AttributeType {
        AttributeType {
            name: name.to_string(),
            value: Some(value.to_string()),
        }
    }

    fn custom(name: &str, data_type: AttributeDataType, mutable: bool) -> SchemaAttributeType {
        SchemaAttributeType {
            name: Some(name.to_string()),
            attribute_data_type: Some(data_type),
            mutable: Some(mutable),
            required: Some(false),
            ..Default::default()
        }
    }

    fn schema() -> Schema {
        let mut attributes = standard();
        for a in attributes.iter_mut() {
            if a.name.as_deref() == Some("email") {
                a.required = Some(true);
            }
        }
        let mut tenant = custom("custom:tenant", AttributeDataType::String, false);
        tenant.string_attribute_constraints = Some(StringAttributeConstraintsType {
            min_length: Some("2".into()),
            max_length: Some("5".into()),
        });
        let mut age = custom("custom:age", AttributeDataType::Number, true);
        age.number_attribute_constraints = Some(NumberAttributeConstraintsType {
            min_value: Some("0".into()),
            max_value: Some("150".into()),
        });
        attributes.extend([
            tenant,
            age,
            custom("custom:vip", AttributeDataType::Boolean, true),
        ]);
        Schema { attributes }
    }

    fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
        let e = result.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameterException);
        e.message
    }

    #[test]
    fn shapes() {
        assert!(is_email("a@b.c") && is_email("first.last+tag@sub.example.org"));
        assert!(
            !is_email("ab.c")
                && !is_email("@b.c")
                && !is_email("a@")
                && !is_email("a b@c.d")
                && !is_email("a@b@c")
        );
        assert!(is_phone_number("+15555550100"));
        assert!(
            !is_phone_number("15555550100")
                && !is_phone_number("+1 555")
                && !is_phone_number("+1234567890123456")
        );
    }

    #[test]
    fn new_user_values_are_checked_and_normalised() {
        let s = schema();
        let stored = s
            .validate_new(&[
                attr("email", "a@b.c"),
                attr("email_verified", "True"),
                attr("custom:tenant", "acme"),
                attr("name", ""),
                attr("custom:age", "42"),
            ])
            .unwrap();
        assert_eq!(
            stored,
            vec![
                ("email".into(), "a@b.c".into()),
                ("email_verified".into(), "true".into()),
                ("custom:tenant".into(), "acme".into()),
                ("custom:age".into(), "42".into()),
            ]
        );
    }

    #[test]
    fn new_user_errors() {
        let s = schema();
        assert_eq!(
            message(s.validate_new(&[attr("custom:nope", "x")])),
            "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n"
        );
        assert_eq!(
            message(s.validate_new(&[attr("sub", "x")])),
            "Attributes did not conform to the schema: sub: Attribute cannot be updated.\n"
        );
        assert_eq!(
            message(s.validate_new(&[attr("email", "nope")])),
            "Invalid email address format."
        );
        assert_eq!(
            message(s.validate_new(&[attr("phone_number", "555")])),
            "Invalid phone number format."
        );
        assert_eq!(
            message(s.validate_new(&[attr("custom:tenant", "toolong")])),
            "Attributes did not conform to the schema: custom:tenant: String must be no longer than 5 characters\n"
        );
        assert_eq!(
            message(s.validate_new(&[attr("custom:tenant", "a")])),
            "Attributes did not conform to the schema: custom:tenant: String must be no shorter than 2 characters\n"
        );
        assert_eq!(
            message(s.validate_new(&[attr("custom:age", "old")])),
            "Attributes did not conform to the schema: custom:age: Number must be an integer\n"
        );
        assert_eq!(
            message(s.validate_new(&[attr("custom:age", "151")])),
            "Attributes did not conform to the schema: custom:age: Number must be no greater than 150\n"
        );
        assert_eq!(
            message(s.validate_new(&[attr("custom:age", "-1")])),
            "Attributes did not conform to the schema: custom:age: Number must be no less than 0\n"
        );
        assert_eq!(
            message(s.validate_new(&[attr("custom:vip", "yes")])),
            "Attributes did not conform to the schema: custom:vip: Value must be either true or false\n"
        );
        assert_eq!(
            message(s.validate_new(&[attr("name", &"x".repeat(2049))])),
            "Attributes did not conform to the schema: name: String must be no longer than 2048 characters\n"
        );
    }

    #[test]
    fn required_attributes_are_listed() {
        let mut s = schema();
        for a in s.attributes.iter_mut() {
            if a.name.as_deref() == Some("name") {
                a.required = Some(true);
            }
        }
        assert_eq!(
            message(s.check_required(&[])),
            "Attributes did not conform to the schema: email: The attribute is required\nname: The attribute is required\n"
        );
        let ok = vec![
            ("email".to_string(), "a@b.c".to_string()),
            ("name".to_string(), "A".to_string()),
        ];
        assert!(s.check_required(&ok).is_ok());
    }

    #[test]
    fn updates() {
        let s = schema();
        assert_eq!(
            s.validate_update(&[
                attr("given_name", "Al"),
                attr("custom:age", ""),
                attr("custom:vip", "FALSE")
            ])
            .unwrap(),
            vec![
                ("given_name".to_string(), Some("Al".to_string())),
                ("custom:age".to_string(), None),
                ("custom:vip".to_string(), Some("false".to_string())),
            ]
        );
        assert_eq!(
            message(s.validate_update(&[attr("nope", "x")])),
            "Invalid user attributes: user.nope: Attribute does not exist in the schema.\n"
        );
        assert_eq!(
            message(s.validate_update(&[attr("custom:tenant", "abc")])),
            "user.custom:tenant: Attribute cannot be updated."
        );
        assert_eq!(
            message(s.validate_update(&[attr("sub", "abc")])),
            "user.sub: Attribute cannot be updated."
        );
        assert_eq!(
            message(s.validate_update(&[attr("email", "")])),
            "user.email: Required attribute cannot be deleted."
        );
        assert_eq!(
            message(s.validate_update(&[attr("custom:age", "x")])),
            "Invalid user attributes: user.custom:age: Number must be an integer\n"
        );
    }

    #[test]
    fn deletions() {
        let s = schema();
        assert!(
            s.validate_deletion(&["given_name".into(), "custom:age".into()])
                .is_ok()
        );
        assert_eq!(
            message(s.validate_deletion(&["email".into()])),
            "user.email: Required attribute cannot be deleted."
        );
        assert_eq!(
            message(s.validate_deletion(&["custom:x".into()])),
            "Invalid user attributes: user.custom:x: Attribute does not exist in the schema.\n"
        );
        assert_eq!(
            message(s.validate_deletion(&["custom:tenant".into()])),
            "user.custom:tenant: Attribute cannot be updated."
        );
    }

    #[test]
    fn attribute_list_helpers() {
        let mut list = vec![("a".to_string(), "1".to_string())];
        set(&mut list, "b", "2");
        set(&mut list, "a", "3");
        assert_eq!(
            list,
            vec![
                ("a".to_string(), "3".to_string()),
                ("b".to_string(), "2".to_string())
            ]
        );
        assert_eq!(value_of(&list, "b"), Some("2"));
        remove(&mut list, "a");
        assert_eq!(value_of(&list, "a"), None);
    }
}
