//! The attribute schema of a pool: Cognito's standard attributes, merged with the attributes a
//! pool declares. Standard ones may be made required or immutable; custom ones are named
//! `custom:<name>`, or `dev:custom:<name>` when developer-only.

use cognitod_model::Error;
use cognitod_model::idp::{
    AttributeDataType, NumberAttributeConstraintsType, SchemaAttributeType,
    StringAttributeConstraintsType,
};

use crate::shared::errors::invalid_parameter;

/// Most custom attributes a pool may have.
pub(crate) const MAX_CUSTOM_ATTRIBUTES: usize = 50;
/// Longest value of a string attribute.
const MAX_STRING_LENGTH: i64 = 2048;

fn string(name: &str, mutable: bool, required: bool, min: &str, max: &str) -> SchemaAttributeType {
    SchemaAttributeType {
        name: Some(name.to_string()),
        attribute_data_type: Some(AttributeDataType::String),
        developer_only_attribute: Some(false),
        mutable: Some(mutable),
        required: Some(required),
        string_attribute_constraints: Some(StringAttributeConstraintsType {
            min_length: Some(min.to_string()),
            max_length: Some(max.to_string()),
        }),
        number_attribute_constraints: None,
    }
}

fn boolean(name: &str) -> SchemaAttributeType {
    SchemaAttributeType {
        name: Some(name.to_string()),
        attribute_data_type: Some(AttributeDataType::Boolean),
        developer_only_attribute: Some(false),
        mutable: Some(true),
        required: Some(false),
        ..Default::default()
    }
}

/// Cognito's standard attributes, in the order DescribeUserPool lists them.
pub(crate) fn standard_attributes() -> Vec<SchemaAttributeType> {
    let text = |name: &str| string(name, true, false, "0", "2048");
    vec![
        string("sub", false, true, "1", "2048"),
        text("name"),
        text("given_name"),
        text("family_name"),
        text("middle_name"),
        text("nickname"),
        text("preferred_username"),
        text("profile"),
        text("picture"),
        text("website"),
        text("email"),
        boolean("email_verified"),
        text("gender"),
        string("birthdate", true, false, "10", "10"),
        text("zoneinfo"),
        text("locale"),
        text("phone_number"),
        boolean("phone_number_verified"),
        text("address"),
        SchemaAttributeType {
            name: Some("updated_at".into()),
            attribute_data_type: Some(AttributeDataType::Number),
            developer_only_attribute: Some(false),
            mutable: Some(true),
            required: Some(false),
            number_attribute_constraints: Some(NumberAttributeConstraintsType {
                min_value: Some("0".into()),
                max_value: None,
            }),
            string_attribute_constraints: None,
        },
        SchemaAttributeType {
            name: Some("identities".into()),
            attribute_data_type: Some(AttributeDataType::String),
            developer_only_attribute: Some(false),
            mutable: Some(true),
            required: Some(false),
            string_attribute_constraints: Some(StringAttributeConstraintsType::default()),
            number_attribute_constraints: None,
        },
    ]
}

/// The full schema of a new pool from the `Schema` of CreateUserPool.
pub(crate) fn build(requested: &[SchemaAttributeType]) -> Result<Vec<SchemaAttributeType>, Error> {
    let mut schema = standard_attributes();
    let mut custom = Vec::new();
    let mut seen = Vec::new();
    for attribute in requested {
        let name = attribute.name.as_deref().unwrap_or_default();
        if seen.contains(&name) {
            return Err(invalid_parameter(format!(
                "Existing attribute already has name {name}."
            )));
        }
        seen.push(name);
        match schema.iter_mut().find(|a| a.name.as_deref() == Some(name)) {
            Some(standard) => redefine_standard(standard, attribute)?,
            None => custom.push(attribute.clone()),
        }
    }
    add_custom(&mut schema, &custom)?;
    Ok(schema)
}

/// A standard attribute as the request sets it: Required, Mutable and string limits only.
fn redefine_standard(
    standard: &mut SchemaAttributeType,
    given: &SchemaAttributeType,
) -> Result<(), Error> {
    let name = standard.name.clone().unwrap_or_default();
    let other_type = given
        .attribute_data_type
        .is_some_and(|t| Some(t) != standard.attribute_data_type);
    if other_type || given.developer_only_attribute == Some(true) {
        return Err(invalid_parameter(format!(
            "You can not change AttributeDataType or set developerOnlyAttribute for standard \
             schema attribute {name}"
        )));
    }
    if name == "sub" && (given.required == Some(false) || given.mutable == Some(true)) {
        return Err(invalid_parameter(
            "sub is a required and immutable attribute and cannot be changed.",
        ));
    }
    if let Some(required) = given.required {
        standard.required = Some(required);
    }
    if let Some(mutable) = given.mutable {
        standard.mutable = Some(mutable);
    }
    if standard.attribute_data_type == Some(AttributeDataType::String)
        && let Some(constraints) = &given.string_attribute_constraints
    {
        check_string_constraints(&name, constraints)?;
        standard.string_attribute_constraints = Some(constraints.clone());
    }
    Ok(())
}

fn limit(value: Option<&str>, kind: &str, name: &str) -> Result<Option<i64>, Error> {
    value
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                invalid_parameter(format!("Invalid {kind} for schema attribute {name}"))
            })
        })
        .transpose()
}

fn check_string_constraints(
    name: &str,
    constraints: &StringAttributeConstraintsType,
) -> Result<(), Error> {
    let kind = "StringAttributeConstraints";
    let min = limit(constraints.min_length.as_deref(), kind, name)?;
    let max = limit(constraints.max_length.as_deref(), kind, name)?;
    if min.is_some_and(|v| v < 0) || max.is_some_and(|v| v < 0) {
        return Err(invalid_parameter(format!(
            "Invalid {kind} for schema attribute {name}"
        )));
    }
    if min.is_some_and(|v| v > MAX_STRING_LENGTH) || max.is_some_and(|v| v > MAX_STRING_LENGTH) {
        return Err(invalid_parameter(format!(
            "user.{name}: String attributes cannot have a length of more than {MAX_STRING_LENGTH}"
        )));
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(invalid_parameter(format!(
            "user.{name}: Max length cannot be less than min length."
        )));
    }
    Ok(())
}

fn check_number_constraints(
    name: &str,
    constraints: &NumberAttributeConstraintsType,
) -> Result<(), Error> {
    let kind = "NumberAttributeConstraints";
    let min = limit(constraints.min_value.as_deref(), kind, name)?;
    let max = limit(constraints.max_value.as_deref(), kind, name)?;
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(invalid_parameter(format!(
            "user.{name}: Max value cannot be less than min value."
        )));
    }
    Ok(())
}

/// The schema entry of one custom attribute, checked.
fn custom_attribute(attribute: &SchemaAttributeType) -> Result<SchemaAttributeType, Error> {
    let given = attribute.name.as_deref().unwrap_or_default();
    // A name given with its prefix is taken as the bare name.
    let bare = given.strip_prefix("custom:").unwrap_or(given);
    let developer_only = attribute.developer_only_attribute.unwrap_or(false);
    let name = if developer_only {
        format!("dev:custom:{bare}")
    } else {
        format!("custom:{bare}")
    };
    let Some(data_type) = attribute.attribute_data_type else {
        return Err(invalid_parameter(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ));
    };
    if attribute.required == Some(true) {
        return Err(invalid_parameter(
            "Required custom attributes are not supported currently.",
        ));
    }
    let mut entry = SchemaAttributeType {
        name: Some(name.clone()),
        attribute_data_type: Some(data_type),
        developer_only_attribute: Some(developer_only),
        mutable: Some(attribute.mutable.unwrap_or(true)),
        required: Some(false),
        string_attribute_constraints: None,
        number_attribute_constraints: None,
    };
    match data_type {
        AttributeDataType::String => {
            let constraints = attribute
                .string_attribute_constraints
                .clone()
                .unwrap_or_default();
            check_string_constraints(&name, &constraints)?;
            entry.string_attribute_constraints = Some(constraints);
        }
        AttributeDataType::Number => {
            let constraints = attribute
                .number_attribute_constraints
                .clone()
                .unwrap_or_default();
            check_number_constraints(&name, &constraints)?;
            entry.number_attribute_constraints = Some(constraints);
        }
        _ => {}
    }
    Ok(entry)
}

/// Whether an attribute name is a custom one (`custom:x` or `dev:custom:x`).
pub(crate) fn is_custom(name: &str) -> bool {
    name.starts_with("custom:") || name.starts_with("dev:custom:")
}

/// Adds custom attributes (names without the prefix) to a schema, all or none.
pub(crate) fn add_custom(
    schema: &mut Vec<SchemaAttributeType>,
    attributes: &[SchemaAttributeType],
) -> Result<(), Error> {
    let mut added: Vec<SchemaAttributeType> = Vec::with_capacity(attributes.len());
    for attribute in attributes {
        let entry = custom_attribute(attribute)?;
        let name = entry.name.clone().unwrap_or_default();
        let bare = name.trim_start_matches("dev:");
        let taken = schema.iter().chain(&added).any(|a| {
            a.name
                .as_deref()
                .is_some_and(|n| n.trim_start_matches("dev:") == bare)
        });
        if taken {
            return Err(invalid_parameter(format!(
                "{bare}: Existing attribute already has name {name}."
            )));
        }
        added.push(entry);
    }
    let existing = schema
        .iter()
        .filter(|a| a.name.as_deref().is_some_and(is_custom))
        .count();
    if existing + added.len() > MAX_CUSTOM_ATTRIBUTES {
        return Err(invalid_parameter(format!(
            "A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )));
    }
    schema.extend(added);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognitod_model::ErrorCode;

    fn custom(name: &str) -> SchemaAttributeType {
        SchemaAttributeType {
            name: Some(name.into()),
            attribute_data_type: Some(AttributeDataType::String),
            ..Default::default()
        }
    }

    fn find<'a>(schema: &'a [SchemaAttributeType], name: &str) -> &'a SchemaAttributeType {
        schema
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn message(result: Result<Vec<SchemaAttributeType>, Error>) -> String {
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidParameterException);
        err.message
    }

    #[test]
    fn default_schema_is_the_standard_list() {
        let schema = build(&[]).unwrap();
        let names: Vec<&str> = schema.iter().filter_map(|a| a.name.as_deref()).collect();
        assert_eq!(names.len(), 21);
        assert_eq!(&names[..3], ["sub", "name", "given_name"]);
        assert_eq!(find(&schema, "sub").required, Some(true));
        assert_eq!(find(&schema, "sub").mutable, Some(false));
        assert_eq!(
            find(&schema, "email").string_attribute_constraints,
            Some(StringAttributeConstraintsType {
                min_length: Some("0".into()),
                max_length: Some("2048".into()),
            })
        );
        assert_eq!(
            find(&schema, "email_verified").attribute_data_type,
            Some(AttributeDataType::Boolean)
        );
        assert_eq!(
            find(&schema, "updated_at").number_attribute_constraints,
            Some(NumberAttributeConstraintsType {
                min_value: Some("0".into()),
                max_value: None,
            })
        );
        assert!(
            schema
                .iter()
                .all(|a| a.developer_only_attribute == Some(false))
        );
    }

    #[test]
    fn standard_attributes_may_be_required_or_immutable() {
        let schema = build(&[SchemaAttributeType {
            name: Some("email".into()),
            required: Some(true),
            mutable: Some(false),
            ..Default::default()
        }])
        .unwrap();
        assert_eq!(find(&schema, "email").required, Some(true));
        assert_eq!(find(&schema, "email").mutable, Some(false));
        assert_eq!(
            message(build(&[SchemaAttributeType {
                name: Some("email".into()),
                attribute_data_type: Some(AttributeDataType::Number),
                ..Default::default()
            }])),
            "You can not change AttributeDataType or set developerOnlyAttribute for standard \
             schema attribute email"
        );
        assert!(
            message(build(&[SchemaAttributeType {
                name: Some("sub".into()),
                mutable: Some(true),
                ..Default::default()
            }]))
            .starts_with("sub is")
        );
    }

    #[test]
    fn custom_attributes_get_their_prefix() {
        let schema = build(&[
            custom("tenant"),
            SchemaAttributeType {
                name: Some("level".into()),
                attribute_data_type: Some(AttributeDataType::Number),
                mutable: Some(false),
                ..Default::default()
            },
            SchemaAttributeType {
                name: Some("secret".into()),
                attribute_data_type: Some(AttributeDataType::String),
                developer_only_attribute: Some(true),
                ..Default::default()
            },
        ])
        .unwrap();
        let tenant = find(&schema, "custom:tenant");
        assert_eq!(tenant.mutable, Some(true));
        assert_eq!(tenant.required, Some(false));
        assert_eq!(
            tenant.string_attribute_constraints,
            Some(StringAttributeConstraintsType::default())
        );
        let level = find(&schema, "custom:level");
        assert_eq!(level.mutable, Some(false));
        assert_eq!(
            level.number_attribute_constraints,
            Some(NumberAttributeConstraintsType::default())
        );
        assert_eq!(
            find(&schema, "dev:custom:secret").developer_only_attribute,
            Some(true)
        );
    }

    #[test]
    fn custom_attribute_rules() {
        let required = SchemaAttributeType {
            required: Some(true),
            ..custom("tenant")
        };
        assert_eq!(
            message(build(&[required])),
            "Required custom attributes are not supported currently."
        );
        let untyped = SchemaAttributeType {
            name: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            message(build(&[untyped])),
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
        );
        let too_long = SchemaAttributeType {
            string_attribute_constraints: Some(StringAttributeConstraintsType {
                min_length: Some("1".into()),
                max_length: Some("4096".into()),
            }),
            ..custom("big")
        };
        assert_eq!(
            message(build(&[too_long])),
            "user.custom:big: String attributes cannot have a length of more than 2048"
        );
        let inverted = SchemaAttributeType {
            string_attribute_constraints: Some(StringAttributeConstraintsType {
                min_length: Some("9".into()),
                max_length: Some("3".into()),
            }),
            ..custom("inv")
        };
        assert_eq!(
            message(build(&[inverted])),
            "user.custom:inv: Max length cannot be less than min length."
        );
        let not_a_number = SchemaAttributeType {
            string_attribute_constraints: Some(StringAttributeConstraintsType {
                min_length: Some("one".into()),
                max_length: None,
            }),
            ..custom("nan")
        };
        assert_eq!(
            message(build(&[not_a_number])),
            "Invalid StringAttributeConstraints for schema attribute custom:nan"
        );
        assert_eq!(
            message(build(&[custom("twice"), custom("twice")])),
            "Existing attribute already has name twice."
        );
    }

    #[test]
    fn add_custom_is_all_or_nothing_and_bounded() {
        let mut schema = build(&[custom("tenant")]).unwrap();
        let before = schema.len();
        let err = add_custom(&mut schema, &[custom("fresh"), custom("tenant")]).unwrap_err();
        assert_eq!(
            err.message,
            "custom:tenant: Existing attribute already has name custom:tenant."
        );
        assert_eq!(schema.len(), before);
        let developer = SchemaAttributeType {
            developer_only_attribute: Some(true),
            ..custom("tenant")
        };
        assert!(add_custom(&mut schema, &[developer]).is_err());
        let batch: Vec<_> = (0..49).map(|i| custom(&format!("a{i}"))).collect();
        add_custom(&mut schema, &batch).unwrap();
        assert_eq!(schema.len(), before + 49);
        let err = add_custom(&mut schema, &[custom("one_too_many")]).unwrap_err();
        assert_eq!(
            err.message,
            "A user pool can have at most 50 custom attributes."
        );
    }
}
