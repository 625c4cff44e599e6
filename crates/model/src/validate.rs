//! Validation of a decoded request against the model's constraints.
//!
//! The generated tables (`SHAPES` in each service module) describe every shape; this walker
//! checks JSON types (a mismatch is a `SerializationException`, as AWS answers) and collects
//! constraint violations into one `InvalidParameterException` worded as Cognito words them:
//! `2 validation errors detected: Value 'x' at 'userPoolId' failed to satisfy constraint:
//! Member must ...; Value null at 'username' failed to satisfy constraint: Member must not be
//! null`. Sensitive values are never echoed.

use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use regex::Regex;
use serde_json::Value;

use crate::{Error, ErrorCode};

/// One shape of a service model.
#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    pub kind: Kind,
}

#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub shape: usize,
    pub required: bool,
}

#[derive(Debug)]
pub enum Kind {
    Structure {
        members: &'static [Member],
        sensitive: bool,
    },
    Document,
    String {
        min: Option<i64>,
        max: Option<i64>,
        /// (the model's pattern, its `regex`-crate equivalent)
        pattern: Option<(&'static str, &'static str)>,
        values: &'static [&'static str],
        sensitive: bool,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
        /// A `long` shape (i64); otherwise the value must fit an i32.
        long: bool,
    },
    Double,
    Boolean,
    Timestamp,
    Blob {
        min: Option<i64>,
        max: Option<i64>,
        sensitive: bool,
    },
    List {
        member: usize,
        min: Option<i64>,
        max: Option<i64>,
    },
    Map {
        key: usize,
        value: usize,
        min: Option<i64>,
        max: Option<i64>,
        sensitive: bool,
    },
}

/// Validates `value` against shape `root` of `shapes`.
pub fn validate(shapes: &'static [Shape], root: usize, value: &Value) -> Result<(), Error> {
    let mut walker = Walker {
        shapes,
        violations: Vec::new(),
    };
    walker.walk(root, value, "", false)?;
    match walker.violations.len() {
        0 => Ok(()),
        1 => Err(invalid(format!(
            "1 validation error detected: {}",
            walker.violations[0]
        ))),
        n => Err(invalid(format!(
            "{n} validation errors detected: {}",
            walker.violations.join("; ")
        ))),
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidParameterException, message)
}

struct Walker {
    shapes: &'static [Shape],
    violations: Vec<String>,
}

/// `UserPoolId` -> `userPoolId`, the way AWS names members in validation messages.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn join(path: &str, segment: &str) -> String {
    if path.is_empty() {
        segment.to_string()
    } else {
        format!("{path}.{segment}")
    }
}

fn type_error(found: &Value, expected: &str) -> Error {
    let message = match found {
        Value::Object(_) => "Start of structure or map found where not expected.".to_string(),
        Value::Array(_) => "Start of list found where not expected".to_string(),
        Value::String(_) => format!("STRING_VALUE can not be converted to {expected}"),
        Value::Number(_) => format!("NUMBER_VALUE can not be converted to {expected}"),
        Value::Bool(_) => format!("BOOLEAN_VALUE can not be converted to {expected}"),
        Value::Null => format!("NULL_VALUE can not be converted to {expected}"),
    };
    Error::serialization(message)
}

fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(render).collect::<Vec<_>>().join(", ")
            )
        }
        other => other.to_string(),
    }
}

static REGEX_CACHE: LazyLock<RwLock<HashMap<&'static str, Regex>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

fn matches_pattern(translated: &'static str, text: &str) -> bool {
    if let Some(re) = REGEX_CACHE
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(translated)
    {
        return re.is_match(text);
    }
    // The generator compiled every pattern, so this cannot fail.
    let re = Regex::new(&format!("^(?:{translated})$")).expect("generated patterns compile");
    let matched = re.is_match(text);
    REGEX_CACHE
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(translated, re);
    matched
}

impl Walker {
    fn violation(&mut self, value: Option<&str>, path: &str, constraint: String) {
        let shown = match value {
            Some(v) => format!("Value '{v}' at '{path}'"),
            None => format!("Value at '{path}'"),
        };
        self.violations.push(format!(
            "{shown} failed to satisfy constraint: {constraint}"
        ));
    }

    fn length(
        &mut self,
        len: i64,
        min: Option<i64>,
        max: Option<i64>,
        shown: Option<&str>,
        path: &str,
    ) {
        if let Some(max) = max.filter(|m| len > *m) {
            self.violation(
                shown,
                path,
                format!("Member must have length less than or equal to {max}"),
            );
        }
        if let Some(min) = min.filter(|m| len < *m) {
            self.violation(
                shown,
                path,
                format!("Member must have length greater than or equal to {min}"),
            );
        }
    }

    /// Checks `value` against `shape`; `hidden` is set under a sensitive shape, whose values
    /// are never echoed.
    fn walk(&mut self, shape: usize, value: &Value, path: &str, hidden: bool) -> Result<(), Error> {
        let shapes = self.shapes;
        match &shapes[shape].kind {
            Kind::Structure { members, sensitive } => {
                let object = value
                    .as_object()
                    .ok_or_else(|| type_error(value, "a structure"))?;
                let hidden = hidden || *sensitive;
                for member in members.iter() {
                    let member_path = join(path, &lower_first(member.name));
                    match object.get(member.name) {
                        None | Some(Value::Null) => {
                            if member.required {
                                self.violations.push(format!(
                                    "Value null at '{member_path}' failed to satisfy constraint: Member must not be null"
                                ));
                            }
                        }
                        Some(v) => self.walk(member.shape, v, &member_path, hidden)?,
                    }
                }
            }
            Kind::Document => {}
            Kind::String {
                min,
                max,
                pattern,
                values,
                sensitive,
            } => {
                let text = value
                    .as_str()
                    .ok_or_else(|| type_error(value, "a String"))?;
                let shown = (!hidden && !sensitive).then_some(text);
                self.length(text.chars().count() as i64, *min, *max, shown, path);
                if !values.is_empty() && !values.contains(&text) {
                    self.violation(
                        shown,
                        path,
                        format!(
                            "Member must satisfy enum value set: [{}]",
                            values.join(", ")
                        ),
                    );
                }
                if let Some((original, translated)) = pattern
                    && !matches_pattern(translated, text)
                {
                    self.violation(
                        shown,
                        path,
                        format!("Member must satisfy regular expression pattern: {original}"),
                    );
                }
            }
            Kind::Integer { min, max, long } => {
                let n = value
                    .as_i64()
                    .filter(|n| *long || i32::try_from(*n).is_ok())
                    .ok_or_else(|| {
                        type_error(value, if *long { "a Long" } else { "an Integer" })
                    })?;
                let text = n.to_string();
                let shown = (!hidden).then_some(text.as_str());
                if let Some(max) = max.filter(|m| n > *m) {
                    self.violation(
                        shown,
                        path,
                        format!("Member must have value less than or equal to {max}"),
                    );
                }
                if let Some(min) = min.filter(|m| n < *m) {
                    self.violation(
                        shown,
                        path,
                        format!("Member must have value greater than or equal to {min}"),
                    );
                }
            }
            Kind::Double => {
                value
                    .as_f64()
                    .ok_or_else(|| type_error(value, "a Double"))?;
            }
            Kind::Boolean => {
                value
                    .as_bool()
                    .ok_or_else(|| type_error(value, "a Boolean"))?;
            }
            Kind::Timestamp => {
                value
                    .as_f64()
                    .ok_or_else(|| type_error(value, "a Timestamp"))?;
            }
            Kind::Blob {
                min,
                max,
                sensitive,
            } => {
                use base64::Engine;
                let text = value.as_str().ok_or_else(|| type_error(value, "a Blob"))?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|_| {
                        Error::serialization(format!(
                            "Base64 encoded value expected for member '{path}'"
                        ))
                    })?;
                let shown = (!hidden && !sensitive).then_some(text);
                self.length(bytes.len() as i64, *min, *max, shown, path);
            }
            Kind::List { member, min, max } => {
                let items = value
                    .as_array()
                    .ok_or_else(|| type_error(value, "a List"))?;
                let rendered = render(value);
                let shown = (!hidden).then_some(rendered.as_str());
                self.length(items.len() as i64, *min, *max, shown, path);
                for (i, item) in items.iter().enumerate() {
                    if !item.is_null() {
                        self.walk(*member, item, &format!("{path}.{}.member", i + 1), hidden)?;
                    }
                }
            }
            Kind::Map {
                key,
                value: value_shape,
                min,
                max,
                sensitive,
            } => {
                let entries = value
                    .as_object()
                    .ok_or_else(|| type_error(value, "a Map"))?;
                let hidden = hidden || *sensitive;
                self.length(entries.len() as i64, *min, *max, None, path);
                for (k, v) in entries {
                    let entry = format!("{path}.{k}");
                    self.walk(
                        *key,
                        &Value::String(k.clone()),
                        &format!("{entry}.key"),
                        hidden,
                    )?;
                    if !v.is_null() {
                        self.walk(*value_shape, v, &format!("{entry}.value"), hidden)?;
                    }
                }
            }
        }
        Ok(())
    }
}
