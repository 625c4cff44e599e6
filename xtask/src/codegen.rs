//! Generates `crates/model/src/generated/` from the botocore models in `models/`.
//!
//! For each service: wire types (structs, enums, aliases), static validation tables that the
//! model crate's validator interprets, the operation enum, per-operation error enums, and (for
//! the AWS JSON services) the service trait and its dispatcher. Output is rustfmt-formatted so
//! the checked-in files are stable; `--check` compares instead of writing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

struct Service {
    /// Module name in the model crate.
    module: &'static str,
    file: &'static str,
    /// Trait name; None for REST services without a dispatcher.
    trait_name: Option<&'static str>,
}

const SERVICES: &[Service] = &[
    Service {
        module: "idp",
        file: "cognito-idp.json",
        trait_name: Some("CognitoIdentityProvider"),
    },
    Service {
        module: "identity",
        file: "cognito-identity.json",
        trait_name: Some("CognitoIdentity"),
    },
    Service {
        module: "sync",
        file: "cognito-sync.json",
        trait_name: None,
    },
];

/// Errors any operation may return, whatever its model says: they come from the protocol.
pub const PROTOCOL_ERRORS: &[(&str, u16)] = &[
    ("UnrecognizedClientException", 400),
    ("InvalidSignatureException", 400),
    ("IncompleteSignatureException", 400),
    ("MissingAuthenticationTokenException", 400),
    ("AccessDeniedException", 400),
    ("UnknownOperationException", 400),
    ("SerializationException", 400),
    ("NotImplementedException", 501),
    ("RequestEntityTooLargeException", 413),
    ("TooManyRequestsException", 400),
];

/// Errors an operation's documentation says it returns although its `errors` list omits them.
const DOCUMENTED_EXTRA_ERRORS: &[(&str, &str)] = &[
    // ForceAliasCreation: "If this parameter is set to False, the API throws an
    // AliasExistsException error if the alias already exists."
    ("AdminCreateUser", "AliasExistsException"),
];

/// Model patterns the `regex` crate cannot compile as written, with equivalents.
const PATTERN_TRANSLATIONS: &[(&str, &str)] = &[(
    r"^[0-9A-Za-z\.\-_]*(?<!\.)$",
    r"^(?:[0-9A-Za-z\.\-_]*[0-9A-Za-z\-_])?$",
)];

const KEYWORDS: &[&str] = &[
    "type", "match", "ref", "self", "enum", "struct", "fn", "impl", "mod", "use", "move", "where",
    "loop", "box", "in", "as", "async", "await", "const", "crate", "dyn", "else", "extern", "for",
    "if", "let", "mut", "pub", "return", "static", "super", "trait", "unsafe", "while", "yield",
];

/// Runs the generator; returns whether the checked-in files are (now) up to date.
pub fn run(root: &Path, check: bool) -> Result<bool> {
    let files = generate(root)?;
    let mut up_to_date = true;
    for (path, contents) in &files {
        let full = root.join(path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current != *contents {
            up_to_date = false;
            if check {
                eprintln!("out of date: {}", path.display());
            } else {
                std::fs::create_dir_all(full.parent().unwrap())?;
                std::fs::write(&full, contents)?;
                println!("wrote {}", path.display());
            }
        }
    }
    Ok(up_to_date || !check)
}

/// Every generated file, path relative to the workspace root, formatted.
pub fn generate(root: &Path) -> Result<Vec<(PathBuf, String)>> {
    let out_dir = PathBuf::from("crates/model/src/generated");
    let mut files = Vec::new();
    let mut all_errors: BTreeMap<String, u16> = BTreeMap::new();
    let mut sync_statuses: BTreeMap<String, u16> = BTreeMap::new();
    for service in SERVICES {
        let path = root.join("models").join(service.file);
        let model: Value = serde_json::from_slice(
            &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
        )?;
        let shapes = model["shapes"].as_object().context("shapes")?;
        for (name, shape) in shapes {
            if shape.get("exception").and_then(Value::as_bool) == Some(true) {
                let fault = shape.get("fault").and_then(Value::as_bool) == Some(true);
                let status = if fault { 500 } else { 400 };
                all_errors.entry(name.clone()).or_insert(status);
                if service.module == "sync" {
                    let code = shape["error"]["httpStatusCode"]
                        .as_u64()
                        .unwrap_or(status as u64);
                    sync_statuses.insert(name.clone(), code as u16);
                }
            }
        }
        let code = ServiceGen::new(service, &model)?.render()?;
        files.push((
            out_dir.join(format!("{}.rs", service.module)),
            format(&code)?,
        ));
    }
    for (name, status) in PROTOCOL_ERRORS {
        all_errors.entry(name.to_string()).or_insert(*status);
    }
    files.push((
        out_dir.join("errors.rs"),
        format(&render_errors(&all_errors, &sync_statuses))?,
    ));
    let modules = "//! GENERATED by `cargo run -p xtask -- codegen`. Do not edit.\n\n\
                   pub mod errors;\npub mod identity;\npub mod idp;\npub mod sync;\n";
    files.push((out_dir.join("mod.rs"), format(modules)?));
    Ok(files)
}

fn format(code: &str) -> Result<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--config", "max_width=100"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running rustfmt")?;
    child.stdin.take().unwrap().write_all(code.as_bytes())?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?)
}

fn render_errors(errors: &BTreeMap<String, u16>, sync: &BTreeMap<String, u16>) -> String {
    let mut s = String::from(
        "//! GENERATED by `cargo run -p xtask -- codegen`. Do not edit.\n\n\
         /// Every wire error of the three services plus the protocol's own.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum ErrorCode {\n",
    );
    for name in errors.keys() {
        writeln!(s, "    {name},").unwrap();
    }
    s.push_str("}\n\nimpl ErrorCode {\n    pub const ALL: &'static [ErrorCode] = &[\n");
    for name in errors.keys() {
        writeln!(s, "        ErrorCode::{name},").unwrap();
    }
    s.push_str("    ];\n\n    /// The `__type` on the wire.\n    pub const fn as_str(self) -> &'static str {\n        match self {\n");
    for name in errors.keys() {
        writeln!(s, "            ErrorCode::{name} => \"{name}\",").unwrap();
    }
    s.push_str("        }\n    }\n\n    /// HTTP status for the AWS JSON services.\n    pub const fn http_status(self) -> u16 {\n        match self {\n");
    for (name, status) in errors {
        writeln!(s, "            ErrorCode::{name} => {status},").unwrap();
    }
    s.push_str("        }\n    }\n\n    /// HTTP status for Cognito Sync, whose model gives its own.\n    pub const fn sync_http_status(self) -> u16 {\n        match self {\n");
    for (name, status) in sync {
        writeln!(s, "            ErrorCode::{name} => {status},").unwrap();
    }
    s.push_str("            other => other.http_status(),\n        }\n    }\n\n    /// Errors that come from the protocol layer, which any operation may return.\n    pub const fn is_protocol(self) -> bool {\n        matches!(self, ");
    let protocol: Vec<String> = PROTOCOL_ERRORS
        .iter()
        .map(|(n, _)| format!("ErrorCode::{n}"))
        .collect();
    s.push_str(&protocol.join(" | "));
    s.push_str(")\n    }\n\n    pub fn from_name(name: &str) -> Option<Self> {\n        Self::ALL.iter().copied().find(|c| c.as_str() == name)\n    }\n}\n");
    s
}

struct ServiceGen<'a> {
    service: &'a Service,
    shapes: &'a serde_json::Map<String, Value>,
    operations: &'a serde_json::Map<String, Value>,
    /// Index of each shape in the validation table.
    index: BTreeMap<&'a str, usize>,
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn field_name(member: &str) -> String {
    let snake = member.to_snake_case();
    if KEYWORDS.contains(&snake.as_str()) {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// Enum variant names, made unique if two values fold to the same name.
fn variant_names(values: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    values
        .iter()
        .map(|v| {
            let mut name = v.replace(['.', ':', '/', '-'], "_").to_upper_camel_case();
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                name = format!("V{name}");
            }
            while !seen.insert(name.clone()) {
                name.push('_');
            }
            name
        })
        .collect()
}

/// Rewrites a Java pattern into one the `regex` crate reads the same way: Java's `\w` and `\d`
/// are ASCII-only, and a few constructs need an equivalent.
pub fn translate_pattern(pattern: &str) -> String {
    if let Some((_, t)) = PATTERN_TRANSLATIONS.iter().find(|(p, _)| *p == pattern) {
        return t.to_string();
    }
    let mut out = String::new();
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next().unwrap_or('\\');
                match (next, in_class) {
                    ('w', true) => out.push_str("0-9A-Za-z_"),
                    ('w', false) => out.push_str("[0-9A-Za-z_]"),
                    ('d', true) => out.push_str("0-9"),
                    ('d', false) => out.push_str("[0-9]"),
                    _ => {
                        out.push('\\');
                        out.push(next);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '-' if in_class => {
                // A '-' right after a range or before ']' is a literal in Java.
                let prev_is_range_end = out.chars().rev().nth(1) == Some('-');
                if prev_is_range_end || chars.peek() == Some(&']') {
                    out.push_str("\\-");
                } else {
                    out.push('-');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

impl<'a> ServiceGen<'a> {
    fn new(service: &'a Service, model: &'a Value) -> Result<Self> {
        let shapes = model["shapes"].as_object().context("shapes")?;
        let operations = model["operations"].as_object().context("operations")?;
        let index = shapes
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        Ok(Self {
            service,
            shapes,
            operations,
            index,
        })
    }

    fn shape(&self, name: &str) -> &'a Value {
        &self.shapes[name]
    }

    fn is_document(&self, name: &str) -> bool {
        self.shape(name).get("document").and_then(Value::as_bool) == Some(true)
    }

    /// The Rust type a reference to shape `name` has.
    fn rust_type(&self, name: &str) -> String {
        let shape = self.shape(name);
        match shape["type"].as_str().unwrap() {
            "structure" if self.is_document(name) => "::serde_json::Value".into(),
            _ => name.to_string(),
        }
    }

    fn render(&self) -> Result<String> {
        let mut s = String::new();
        writeln!(
            s,
            "//! GENERATED by `cargo run -p xtask -- codegen` from models/{}. Do not edit.\n",
            self.service.file
        )?;
        s.push_str("#![allow(clippy::all, clippy::pedantic, non_camel_case_types, dead_code)]\n\n");
        self.render_types(&mut s)?;
        self.render_table(&mut s)?;
        self.render_operations(&mut s)?;
        self.render_errors(&mut s)?;
        if let Some(trait_name) = self.service.trait_name {
            self.render_trait(&mut s, trait_name)?;
        }
        Ok(s)
    }

    fn render_types(&self, s: &mut String) -> Result<()> {
        for (name, shape) in self.shapes {
            if shape.get("exception").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let kind = shape["type"].as_str().unwrap();
            match kind {
                "structure" if self.is_document(name) => {
                    writeln!(s, "pub type {name} = ::serde_json::Value;\n")?;
                }
                "structure" => self.render_struct(s, name, shape)?,
                "string" if shape.get("enum").is_some() => self.render_enum(s, name, shape)?,
                "string" => writeln!(s, "pub type {name} = ::std::string::String;\n")?,
                "integer" => writeln!(s, "pub type {name} = i32;\n")?,
                "long" => writeln!(s, "pub type {name} = i64;\n")?,
                "boolean" => writeln!(s, "pub type {name} = bool;\n")?,
                "double" | "float" => writeln!(s, "pub type {name} = f64;\n")?,
                "timestamp" => writeln!(s, "pub type {name} = crate::Timestamp;\n")?,
                "blob" => writeln!(s, "pub type {name} = crate::Blob;\n")?,
                "list" => {
                    let member = self.rust_type(shape["member"]["shape"].as_str().unwrap());
                    writeln!(s, "pub type {name} = ::std::vec::Vec<{member}>;\n")?;
                }
                "map" => {
                    let key = self.rust_type(shape["key"]["shape"].as_str().unwrap());
                    let value = self.rust_type(shape["value"]["shape"].as_str().unwrap());
                    writeln!(
                        s,
                        "pub type {name} = ::std::collections::BTreeMap<{key}, {value}>;\n"
                    )?;
                }
                other => bail!("shape {name}: unsupported type {other}"),
            }
        }
        Ok(())
    }

    /// Whether values of shape `name` must not appear in logs: a sensitive shape, or a list
    /// or map holding one.
    fn is_sensitive(&self, name: &str) -> bool {
        let shape = self.shape(name);
        if shape.get("sensitive").and_then(Value::as_bool) == Some(true) {
            return true;
        }
        match shape["type"].as_str() {
            Some("list") => self.is_sensitive(shape["member"]["shape"].as_str().unwrap()),
            Some("map") => self.is_sensitive(shape["value"]["shape"].as_str().unwrap()),
            _ => false,
        }
    }

    fn render_struct(&self, s: &mut String, name: &str, shape: &Value) -> Result<()> {
        let required: BTreeSet<String> = string_list(shape.get("required")).into_iter().collect();
        let empty = serde_json::Map::new();
        let members = shape["members"].as_object().unwrap_or(&empty);
        let redact = members
            .values()
            .any(|def| self.is_sensitive(def["shape"].as_str().unwrap()));
        let debug = if redact { "" } else { "Debug, " };
        writeln!(
            s,
            "#[derive({debug}Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]\npub struct {name} {{"
        )?;
        for (member, def) in members {
            let ty = self.rust_type(def["shape"].as_str().unwrap());
            let field = field_name(member);
            if required.contains(member) {
                writeln!(
                    s,
                    "    #[serde(rename = \"{member}\")]\n    pub {field}: {ty},"
                )?;
            } else {
                writeln!(
                    s,
                    "    #[serde(rename = \"{member}\", default, skip_serializing_if = \"::std::option::Option::is_none\")]\n    pub {field}: ::std::option::Option<{ty}>,"
                )?;
            }
        }
        s.push_str("}\n\n");
        if redact {
            writeln!(
                s,
                "impl ::std::fmt::Debug for {name} {{\n    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{\n        f.debug_struct(\"{name}\")"
            )?;
            for (member, def) in members {
                let field = field_name(member);
                let label = field.trim_start_matches("r#");
                if self.is_sensitive(def["shape"].as_str().unwrap()) {
                    writeln!(s, "            .field(\"{label}\", &crate::Redacted)")?;
                } else {
                    writeln!(s, "            .field(\"{label}\", &self.{field})")?;
                }
            }
            s.push_str("            .finish()\n    }\n}\n\n");
        }
        Ok(())
    }

    fn render_enum(&self, s: &mut String, name: &str, shape: &Value) -> Result<()> {
        let values = string_list(shape.get("enum"));
        let variants = variant_names(&values);
        writeln!(
            s,
            "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, ::serde::Serialize, ::serde::Deserialize)]\npub enum {name} {{"
        )?;
        for (i, (value, variant)) in values.iter().zip(&variants).enumerate() {
            if i == 0 {
                s.push_str("    #[default]\n");
            }
            writeln!(s, "    #[serde(rename = \"{value}\")]\n    {variant},")?;
        }
        writeln!(
            s,
            "}}\n\nimpl {name} {{\n    pub const ALL: &'static [{name}] = &["
        )?;
        for variant in &variants {
            writeln!(s, "        {name}::{variant},")?;
        }
        s.push_str("    ];\n\n    /// The value on the wire.\n    pub const fn as_str(&self) -> &'static str {\n        match self {\n");
        for (value, variant) in values.iter().zip(&variants) {
            writeln!(s, "            {name}::{variant} => \"{value}\",")?;
        }
        writeln!(
            s,
            "        }}\n    }}\n}}\n\nimpl ::std::fmt::Display for {name} {{\n    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{\n        f.write_str(self.as_str())\n    }}\n}}\n\nimpl ::std::str::FromStr for {name} {{\n    type Err = ();\n    fn from_str(s: &str) -> ::std::result::Result<Self, ()> {{\n        Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or(())\n    }}\n}}\n"
        )?;
        Ok(())
    }

    /// The static shape table the model crate's validator walks.
    fn render_table(&self, s: &mut String) -> Result<()> {
        s.push_str("/// Validation table: every shape of the model, in name order.\npub static SHAPES: &[crate::validate::Shape] = &[\n");
        let opt = |v: Option<&Value>| match v.and_then(Value::as_f64) {
            Some(n) => format!("Some({})", n as i64),
            None => "None".into(),
        };
        for (name, shape) in self.shapes {
            let kind = shape["type"].as_str().unwrap();
            let sensitive = shape.get("sensitive").and_then(Value::as_bool) == Some(true);
            let (min, max) = (opt(shape.get("min")), opt(shape.get("max")));
            let body = match kind {
                "structure" if self.is_document(name) => "Document".to_string(),
                "structure" => {
                    let required: BTreeSet<String> =
                        string_list(shape.get("required")).into_iter().collect();
                    let mut members = String::new();
                    if let Some(ms) = shape["members"].as_object() {
                        for (member, def) in ms {
                            let target = self.index[def["shape"].as_str().unwrap()];
                            write!(
                                members,
                                "crate::validate::Member {{ name: \"{member}\", shape: {target}, required: {} }},",
                                required.contains(member)
                            )?;
                        }
                    }
                    format!("Structure {{ members: &[{members}], sensitive: {sensitive} }}")
                }
                "string" => {
                    let pattern = match shape.get("pattern").and_then(Value::as_str) {
                        Some(p) => {
                            let translated = translate_pattern(p);
                            regex::Regex::new(&format!("^(?:{translated})$")).with_context(
                                || format!("shape {name}: pattern {p:?} -> {translated:?}"),
                            )?;
                            format!("Some(({:?}, {:?}))", p, translated)
                        }
                        None => "None".into(),
                    };
                    let values = string_list(shape.get("enum"));
                    let values: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                    format!(
                        "String {{ min: {min}, max: {max}, pattern: {pattern}, values: &[{}], sensitive: {sensitive} }}",
                        values.join(", ")
                    )
                }
                "integer" | "long" => format!(
                    "Integer {{ min: {min}, max: {max}, long: {} }}",
                    kind == "long"
                ),
                "double" | "float" => "Double".into(),
                "boolean" => "Boolean".into(),
                "timestamp" => "Timestamp".into(),
                "blob" => format!("Blob {{ min: {min}, max: {max}, sensitive: {sensitive} }}"),
                "list" => {
                    let member = self.index[shape["member"]["shape"].as_str().unwrap()];
                    format!("List {{ member: {member}, min: {min}, max: {max} }}")
                }
                "map" => {
                    let key = self.index[shape["key"]["shape"].as_str().unwrap()];
                    let value = self.index[shape["value"]["shape"].as_str().unwrap()];
                    format!(
                        "Map {{ key: {key}, value: {value}, min: {min}, max: {max}, sensitive: {sensitive} }}"
                    )
                }
                other => bail!("shape {name}: unsupported type {other}"),
            };
            writeln!(
                s,
                "    crate::validate::Shape {{ name: \"{name}\", kind: crate::validate::Kind::{body} }},"
            )?;
        }
        s.push_str("];\n\n");
        Ok(())
    }

    fn op_signed(op: &Value) -> bool {
        let none_authtype = op.get("authtype").and_then(Value::as_str) == Some("none");
        let no_auth = string_list(op.get("auth"))
            .iter()
            .any(|a| a == "smithy.api#noAuth");
        !(none_authtype || no_auth)
    }

    fn render_operations(&self, s: &mut String) -> Result<()> {
        s.push_str("/// The operations of this service.\n#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum ApiOperation {\n");
        for name in self.operations.keys() {
            writeln!(s, "    {name},")?;
        }
        s.push_str("}\n\nimpl ApiOperation {\n    pub const ALL: &'static [ApiOperation] = &[\n");
        for name in self.operations.keys() {
            writeln!(s, "        ApiOperation::{name},")?;
        }
        s.push_str(
            "    ];\n\n    pub const fn name(self) -> &'static str {\n        match self {\n",
        );
        for name in self.operations.keys() {
            writeln!(s, "            ApiOperation::{name} => \"{name}\",")?;
        }
        s.push_str("        }\n    }\n\n    pub fn from_name(name: &str) -> Option<Self> {\n        Self::ALL.iter().copied().find(|op| op.name() == name)\n    }\n\n    /// Whether the operation requires a SigV4 signature.\n    pub const fn is_signed(self) -> bool {\n        match self {\n");
        for (name, op) in self.operations {
            writeln!(
                s,
                "            ApiOperation::{name} => {},",
                Self::op_signed(op)
            )?;
        }
        s.push_str("        }\n    }\n\n    /// Index of the input shape in [`SHAPES`], if the operation has one.\n    pub const fn input_shape(self) -> Option<usize> {\n        match self {\n");
        for (name, op) in self.operations {
            match op.get("input").and_then(|i| i["shape"].as_str()) {
                Some(input) => writeln!(
                    s,
                    "            ApiOperation::{name} => Some({}),",
                    self.index[input]
                )?,
                None => writeln!(s, "            ApiOperation::{name} => None,")?,
            }
        }
        s.push_str("        }\n    }\n");
        if self.service.trait_name.is_none() {
            s.push_str("\n    /// HTTP method and URI template (REST JSON).\n    pub const fn http(self) -> (&'static str, &'static str) {\n        match self {\n");
            for (name, op) in self.operations {
                let method = op["http"]["method"].as_str().unwrap_or("POST");
                let uri = op["http"]["requestUri"].as_str().unwrap_or("/");
                writeln!(
                    s,
                    "            ApiOperation::{name} => ({method:?}, {uri:?}),"
                )?;
            }
            s.push_str("        }\n    }\n");
            s.push_str("\n    /// Input members carried outside the JSON body: (member, location, wire name), where\n    /// location is `uri`, `querystring` or `header`.\n    pub const fn http_bindings(self) -> &'static [(&'static str, &'static str, &'static str)] {\n        match self {\n");
            for (name, op) in self.operations {
                let mut bindings = Vec::new();
                if let Some(input) = op.get("input").and_then(|i| i["shape"].as_str())
                    && let Some(members) = self.shape(input)["members"].as_object()
                {
                    for (member, def) in members {
                        if let Some(location) = def.get("location").and_then(Value::as_str) {
                            let wire = def["locationName"].as_str().unwrap_or(member);
                            bindings.push(format!("({member:?}, {location:?}, {wire:?})"));
                        }
                    }
                }
                writeln!(
                    s,
                    "            ApiOperation::{name} => &[{}],",
                    bindings.join(", ")
                )?;
            }
            s.push_str("        }\n    }\n");
        }
        s.push_str("}\n\n");
        Ok(())
    }

    fn op_errors(&self, op: &Value) -> Vec<String> {
        let name = op["name"].as_str().unwrap_or_default();
        let extra = DOCUMENTED_EXTRA_ERRORS
            .iter()
            .filter(|(o, _)| *o == name)
            .map(|(_, e)| e.to_string());
        let mut errors: Vec<String> = op
            .get("errors")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["shape"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        errors.extend(extra);
        errors.sort();
        errors.dedup();
        errors
    }

    fn render_errors(&self, s: &mut String) -> Result<()> {
        for (name, op) in self.operations {
            let errors = self.op_errors(op);
            let internal = if errors.iter().any(|e| e == "InternalErrorException") {
                "InternalErrorException"
            } else if errors.iter().any(|e| e == "InternalServerException") {
                "InternalServerException"
            } else {
                "InternalErrorException"
            };
            let has_internal = errors.iter().any(|e| e == internal);
            writeln!(
                s,
                "/// Errors of {name}, as its model lists them.\n#[derive(Debug, Clone, PartialEq)]\npub enum {name}Error {{"
            )?;
            for e in &errors {
                writeln!(s, "    {e}(::std::string::String),")?;
            }
            s.push_str("    /// cognitod does not implement the operation yet.\n    NotImplemented,\n    /// An error from the protocol layer (signature, throttling, framing).\n    Protocol(crate::Error),\n}\n\n");
            writeln!(
                s,
                "impl ::std::convert::From<{name}Error> for crate::Error {{\n    fn from(e: {name}Error) -> Self {{\n        match e {{"
            )?;
            for e in &errors {
                writeln!(
                    s,
                    "            {name}Error::{e}(m) => crate::Error::new(crate::ErrorCode::{e}, m),"
                )?;
            }
            writeln!(
                s,
                "            {name}Error::NotImplemented => crate::Error::not_implemented(\"{name}\"),\n            {name}Error::Protocol(e) => e,\n        }}\n    }}\n}}\n"
            )?;
            writeln!(
                s,
                "impl ::std::convert::From<crate::Error> for {name}Error {{\n    fn from(e: crate::Error) -> Self {{\n        match e.code {{"
            )?;
            for e in &errors {
                writeln!(
                    s,
                    "            crate::ErrorCode::{e} => {name}Error::{e}(e.message),"
                )?;
            }
            s.push_str("            code if code.is_protocol() => Self::Protocol(e),\n");
            if has_internal {
                writeln!(
                    s,
                    "            _ => {name}Error::{internal}(crate::unlisted_error(\"{name}\", &e)),"
                )?;
            } else {
                writeln!(
                    s,
                    "            _ => Self::Protocol(crate::Error::new(crate::ErrorCode::InternalErrorException, crate::unlisted_error(\"{name}\", &e))),"
                )?;
            }
            s.push_str("        }\n    }\n}\n\n");
        }
        Ok(())
    }

    fn render_trait(&self, s: &mut String, trait_name: &str) -> Result<()> {
        writeln!(
            s,
            "/// The service: one method per operation. Unimplemented operations answer\n/// `NotImplementedException` naming themselves.\n#[::async_trait::async_trait]\npub trait {trait_name}: Send + Sync {{\n    type Ctx: Send + Sync;\n"
        )?;
        for (name, op) in self.operations {
            let input = op.get("input").and_then(|i| i["shape"].as_str());
            let output = op
                .get("output")
                .and_then(|i| i["shape"].as_str())
                .unwrap_or("()");
            let method = name.to_snake_case();
            let input_arg = input.map(|i| format!(", input: {i}")).unwrap_or_default();
            writeln!(
                s,
                "    async fn {method}(&self, ctx: &Self::Ctx{input_arg}) -> ::std::result::Result<{output}, {name}Error> {{\n        let _ = ctx;{}\n        Err({name}Error::NotImplemented)\n    }}\n",
                if input.is_some() {
                    " let _ = input;"
                } else {
                    ""
                }
            )?;
        }
        s.push_str("}\n\n");
        writeln!(
            s,
            "/// Validates a decoded request against the operation's input shape.\npub fn validate(op: ApiOperation, input: &::serde_json::Value) -> ::std::result::Result<(), crate::Error> {{\n    match op.input_shape() {{\n        Some(shape) => crate::validate::validate(SHAPES, shape, input),\n        None => Ok(()),\n    }}\n}}\n"
        )?;
        writeln!(
            s,
            "/// Deserialises a validated request, calls the service and serialises its answer.\npub async fn dispatch<S: {trait_name} + ?Sized>(svc: &S, ctx: &S::Ctx, op: ApiOperation, input: ::serde_json::Value) -> ::std::result::Result<::std::vec::Vec<u8>, crate::Error> {{\n    match op {{"
        )?;
        for (name, op) in self.operations {
            let method = name.to_snake_case();
            let has_input = op.get("input").is_some();
            let decode = if has_input {
                "let input = crate::decode_input(input)?; "
            } else {
                "let _ = input; "
            };
            let call_args = if has_input { "ctx, input" } else { "ctx" };
            writeln!(
                s,
                "        ApiOperation::{name} => {{ {decode}crate::encode_output(&svc.{method}({call_args}).await.map_err(crate::Error::from)?) }}"
            )?;
        }
        s.push_str("    }\n}\n");
        self.render_implement_macro(s, trait_name)
    }

    /// `implement_<trait>!`: the trait implemented from a table of `operation => function`
    /// lines, so a service writes one line per operation it builds instead of a forwarding
    /// method. The methods are written as `#[async_trait]` writes them (a boxed future), so
    /// the macro needs no attribute and can expand one method at a time.
    fn render_implement_macro(&self, s: &mut String, trait_name: &str) -> Result<()> {
        let module = self.service.module;
        let macro_name = format!("implement_{}", trait_name.to_snake_case());
        writeln!(
            s,
            "\n/// Implements [`{trait_name}`] for `$service` from a table with one line per operation\n/// built, `operation_name => path::to::function`, each function an\n/// `async fn(&$service, &$ctx, Input) -> Result<Output, E>` with `E: Into<OperationError>`.\n/// Operations left out keep the trait's `NotImplemented` answer.\n#[macro_export]\nmacro_rules! {macro_name} {{\n    ($service:ty, $ctx:ty, {{ $($operation:ident => $function:path),* $(,)? }}) => {{\n        impl $crate::{module}::{trait_name} for $service {{\n            type Ctx = $ctx;\n            $( $crate::{macro_name}!(@method $operation $function); )*\n        }}\n    }};"
        )?;
        for (name, op) in self.operations {
            let method = name.to_snake_case();
            let input = op.get("input").and_then(|i| i["shape"].as_str());
            let output = op
                .get("output")
                .and_then(|i| i["shape"].as_str())
                .map(|o| format!("$crate::{module}::{o}"))
                .unwrap_or_else(|| "()".into());
            let (input_arg, call) = match input {
                Some(i) => (
                    format!(", input: $crate::{module}::{i}"),
                    "self, ctx, input",
                ),
                None => (String::new(), "self, ctx"),
            };
            writeln!(
                s,
                "    (@method {method} $function:path) => {{\n        fn {method}<'life0, 'life1, 'async_trait>(&'life0 self, ctx: &'life1 Self::Ctx{input_arg}) -> ::core::pin::Pin<::std::boxed::Box<dyn ::core::future::Future<Output = ::std::result::Result<{output}, $crate::{module}::{name}Error>> + ::core::marker::Send + 'async_trait>> where 'life0: 'async_trait, 'life1: 'async_trait, Self: 'async_trait {{\n            ::std::boxed::Box::pin(async move {{ $function({call}).await.map_err(::core::convert::Into::into) }})\n        }}\n    }};"
            )?;
        }
        s.push_str("}\n");
        Ok(())
    }
}
