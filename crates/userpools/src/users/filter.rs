//! The ListUsers filter grammar: `attribute = "value"` or `attribute ^= "value"`.
//!
//! Whitespace around the parts is ignored; inside the quotes `\"` stands for a quote and `\\`
//! for a backslash. Only Cognito's searchable attributes are accepted.

use cognitod_model::Error;

use crate::shared::errors::invalid_parameter;

/// Attributes ListUsers can search on, as Cognito documents them.
pub(crate) const SEARCHABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// How the value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `=`: exact match.
    Equals,
    /// `^=`: starts with.
    Prefix,
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    pub attribute: String,
    pub op: Op,
    pub value: String,
}

fn parse_error() -> Error {
    invalid_parameter("Error while parsing filter.")
}

/// Parses a non-empty filter expression.
pub(crate) fn parse(input: &str) -> Result<Filter, Error> {
    let rest = input.trim_start();
    let name_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(rest.len());
    if name_len == 0 {
        return Err(parse_error());
    }
    let (attribute, rest) = rest.split_at(name_len);
    let rest = rest.trim_start();
    let (op, rest) = if let Some(rest) = rest.strip_prefix("^=") {
        (Op::Prefix, rest)
    } else if let Some(rest) = rest.strip_prefix('=') {
        (Op::Equals, rest)
    } else {
        return Err(parse_error());
    };
    let rest = rest
        .trim_start()
        .strip_prefix('"')
        .ok_or_else(parse_error)?;
    let (value, rest) = quoted_value(rest)?;
    if !rest.trim().is_empty() {
        return Err(parse_error());
    }
    if !SEARCHABLE.contains(&attribute) {
        return Err(invalid_parameter(format!(
            "Invalid search attribute: {attribute}"
        )));
    }
    Ok(Filter {
        attribute: attribute.to_string(),
        op,
        value,
    })
}

/// Reads up to the closing quote, unescaping; returns the value and what follows the quote.
fn quoted_value(input: &str) -> Result<(String, &str), Error> {
    let mut value = String::new();
    let mut chars = input.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &input[at + 1..])),
            '\\' => match chars.next() {
                Some((_, escaped @ ('"' | '\\'))) => value.push(escaped),
                Some((_, other)) => {
                    value.push('\\');
                    value.push(other);
                }
                None => return Err(parse_error()),
            },
            other => value.push(other),
        }
    }
    Err(parse_error())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognitod_model::ErrorCode;

    fn ok(input: &str) -> (String, Op, String) {
        let f = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        (f.attribute, f.op, f.value)
    }

    fn err(input: &str) -> String {
        let e = parse(input).expect_err(input);
        assert_eq!(e.code, ErrorCode::InvalidParameterException);
        e.message
    }

    #[test]
    fn equals_and_prefix() {
        assert_eq!(
            ok(r#"email = "a@b.c""#),
            ("email".into(), Op::Equals, "a@b.c".into())
        );
        assert_eq!(
            ok(r#"given_name ^= "Jo""#),
            ("given_name".into(), Op::Prefix, "Jo".into())
        );
    }

    #[test]
    fn whitespace_is_optional_and_tolerated() {
        assert_eq!(
            ok(r#"username="x""#),
            ("username".into(), Op::Equals, "x".into())
        );
        assert_eq!(
            ok("  sub\t^=  \"ab\"  "),
            ("sub".into(), Op::Prefix, "ab".into())
        );
    }

    #[test]
    fn namespaced_attribute_names() {
        assert_eq!(
            ok(r#"cognito:user_status = "CONFIRMED""#),
            ("cognito:user_status".into(), Op::Equals, "CONFIRMED".into())
        );
    }

    #[test]
    fn escapes_inside_the_value() {
        assert_eq!(ok(r#"name = "say \"hi\"""#).2, r#"say "hi""#);
        assert_eq!(ok(r#"name = "back\\slash""#).2, r"back\slash");
        assert_eq!(ok(r#"name = "keep\n""#).2, r"keep\n");
        assert_eq!(ok(r#"name = """#).2, "");
        assert_eq!(ok(r#"name = "a = b ^= c""#).2, "a = b ^= c");
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "",
            "   ",
            "email",
            "email ^= a",
            r#"email == "a""#,
            r#"email ~ "a""#,
            r#"= "a""#,
            r#"email = "unterminated"#,
            r#"email = "a" extra"#,
            r#"email = "a" and name = "b""#,
            r#"email = "ends with backslash\"#,
            r#"email = 'single'"#,
            r#"em ail = "a""#,
        ] {
            assert_eq!(err(bad), "Error while parsing filter.", "{bad:?}");
        }
    }

    #[test]
    fn unsearchable_attributes() {
        assert_eq!(
            err(r#"custom:tenant = "x""#),
            "Invalid search attribute: custom:tenant"
        );
        assert_eq!(
            err(r#"address ^= "x""#),
            "Invalid search attribute: address"
        );
        assert_eq!(err(r#"Email = "x""#), "Invalid search attribute: Email");
    }

    #[test]
    fn every_searchable_attribute_parses() {
        for name in SEARCHABLE {
            assert_eq!(ok(&format!(r#"{name} = "v""#)).0, *name);
        }
    }
}
