//! The validator over a small hand-made table: every constraint kind, paths and redaction.

use cognitod_model::ErrorCode;
use cognitod_model::validate::{Kind, Member, Shape, validate};
use serde_json::{Value, json};

const ROOT: usize = 0;
const NAME: usize = 1;
const SECRET: usize = 2;
const COUNT: usize = 3;
const BIG: usize = 4;
const COLOR: usize = 5;
const ITEMS: usize = 6;
const ITEM: usize = 7;
const TAGS: usize = 8;
const HIDDEN: usize = 9;
const DATA: usize = 10;

static SHAPES: &[Shape] = &[
    Shape {
        name: "Root",
        kind: Kind::Structure {
            members: &[
                Member {
                    name: "Name",
                    shape: NAME,
                    required: true,
                },
                Member {
                    name: "Secret",
                    shape: SECRET,
                    required: false,
                },
                Member {
                    name: "Count",
                    shape: COUNT,
                    required: false,
                },
                Member {
                    name: "Big",
                    shape: BIG,
                    required: false,
                },
                Member {
                    name: "Color",
                    shape: COLOR,
                    required: false,
                },
                Member {
                    name: "Items",
                    shape: ITEMS,
                    required: false,
                },
                Member {
                    name: "Tags",
                    shape: TAGS,
                    required: false,
                },
                Member {
                    name: "Hidden",
                    shape: HIDDEN,
                    required: false,
                },
                Member {
                    name: "Data",
                    shape: DATA,
                    required: false,
                },
            ],
            sensitive: false,
        },
    },
    Shape {
        name: "NameType",
        kind: Kind::String {
            min: Some(2),
            max: Some(5),
            pattern: Some((r"[\p{L}]+", r"[\p{L}]+")),
            values: &[],
            sensitive: false,
        },
    },
    Shape {
        name: "SecretType",
        kind: Kind::String {
            min: Some(8),
            max: None,
            pattern: None,
            values: &[],
            sensitive: true,
        },
    },
    Shape {
        name: "CountType",
        kind: Kind::Integer {
            min: Some(1),
            max: Some(60),
            long: false,
        },
    },
    Shape {
        name: "BigType",
        kind: Kind::Integer {
            min: None,
            max: None,
            long: true,
        },
    },
    Shape {
        name: "ColorType",
        kind: Kind::String {
            min: None,
            max: None,
            pattern: None,
            values: &["RED", "GREEN"],
            sensitive: false,
        },
    },
    Shape {
        name: "ItemListType",
        kind: Kind::List {
            member: ITEM,
            min: None,
            max: Some(2),
        },
    },
    Shape {
        name: "ItemType",
        kind: Kind::Structure {
            members: &[Member {
                name: "Name",
                shape: NAME,
                required: true,
            }],
            sensitive: false,
        },
    },
    Shape {
        name: "TagsType",
        kind: Kind::Map {
            key: NAME,
            value: NAME,
            min: Some(1),
            max: None,
            sensitive: false,
        },
    },
    Shape {
        name: "HiddenType",
        kind: Kind::Structure {
            members: &[Member {
                name: "Name",
                shape: NAME,
                required: false,
            }],
            sensitive: true,
        },
    },
    Shape {
        name: "DataType",
        kind: Kind::Blob {
            min: None,
            max: Some(3),
            sensitive: false,
        },
    },
];

fn check(input: Value) -> Result<(), cognitod_model::Error> {
    validate(SHAPES, ROOT, &input)
}

fn invalid(input: Value) -> String {
    let err = check(input).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidParameterException, "{err}");
    err.message
}

fn serialization(input: Value) -> String {
    let err = check(input).unwrap_err();
    assert_eq!(err.code, ErrorCode::SerializationException, "{err}");
    err.message
}

#[test]
fn a_valid_value_passes() {
    check(
        json!({"Name": "Zoë", "Count": 60, "Big": 1_099_511_627_776i64, "Color": "RED",
                 "Items": [{"Name": "ab"}], "Tags": {"ab": "cd"}, "Data": "AQID"}),
    )
    .unwrap();
}

#[test]
fn required_members() {
    assert_eq!(
        invalid(json!({"Name": null})),
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn string_length_counts_characters() {
    assert_eq!(
        invalid(json!({"Name": "abcdéf"})),
        "1 validation error detected: Value 'abcdéf' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5"
    );
    assert_eq!(
        invalid(json!({"Name": "a"})),
        "1 validation error detected: Value 'a' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2"
    );
}

#[test]
fn patterns_match_the_whole_value() {
    assert_eq!(
        invalid(json!({"Name": "ab1"})),
        "1 validation error detected: Value 'ab1' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}]+"
    );
}

#[test]
fn several_violations_are_joined() {
    assert_eq!(
        invalid(json!({"Name": "1", "Count": 0})),
        "3 validation errors detected: Value '1' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2; \
         Value '1' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}]+; \
         Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
}

#[test]
fn numeric_ranges_and_widths() {
    assert_eq!(
        invalid(json!({"Name": "ab", "Count": 61})),
        "1 validation error detected: Value '61' at 'count' failed to satisfy constraint: Member must have value less than or equal to 60"
    );
    assert_eq!(
        serialization(json!({"Name": "ab", "Count": 2_147_483_648i64})),
        "NUMBER_VALUE can not be converted to an Integer"
    );
    assert_eq!(
        serialization(json!({"Name": "ab", "Count": 1.5})),
        "NUMBER_VALUE can not be converted to an Integer"
    );
    assert_eq!(
        serialization(json!({"Name": "ab", "Big": "1"})),
        "STRING_VALUE can not be converted to a Long"
    );
}

#[test]
fn enums() {
    assert_eq!(
        invalid(json!({"Name": "ab", "Color": "BLUE"})),
        "1 validation error detected: Value 'BLUE' at 'color' failed to satisfy constraint: Member must satisfy enum value set: [RED, GREEN]"
    );
}

#[test]
fn list_length_and_nested_paths() {
    assert_eq!(
        invalid(json!({"Name": "ab", "Items": [{"Name": "ab"}, {}]})),
        "1 validation error detected: Value null at 'items.2.member.name' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        invalid(json!({"Name": "ab", "Items": [{"Name": "ab"}, {"Name": "cd"}, {"Name": "ef"}]})),
        "1 validation error detected: Value '[{\"Name\":\"ab\"}, {\"Name\":\"cd\"}, {\"Name\":\"ef\"}]' at 'items' \
         failed to satisfy constraint: Member must have length less than or equal to 2"
    );
}

#[test]
fn map_entries() {
    assert_eq!(
        invalid(json!({"Name": "ab", "Tags": {}})),
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        invalid(json!({"Name": "ab", "Tags": {"ab": "c"}})),
        "1 validation error detected: Value 'c' at 'tags.ab.value' failed to satisfy constraint: Member must have length greater than or equal to 2"
    );
}

#[test]
fn sensitive_values_are_not_echoed() {
    assert_eq!(
        invalid(json!({"Name": "ab", "Secret": "short"})),
        "1 validation error detected: Value at 'secret' failed to satisfy constraint: Member must have length greater than or equal to 8"
    );
    // Everything under a sensitive structure is hidden too.
    assert_eq!(
        invalid(json!({"Name": "ab", "Hidden": {"Name": "x"}})),
        "1 validation error detected: Value at 'hidden.name' failed to satisfy constraint: Member must have length greater than or equal to 2"
    );
}

#[test]
fn blobs_are_base64_and_measured_in_bytes() {
    assert_eq!(
        invalid(json!({"Name": "ab", "Data": "AQIDBA=="})),
        "1 validation error detected: Value 'AQIDBA==' at 'data' failed to satisfy constraint: Member must have length less than or equal to 3"
    );
    assert_eq!(
        serialization(json!({"Name": "ab", "Data": "not base64!"})),
        "Base64 encoded value expected for member 'data'"
    );
}

#[test]
fn json_types_are_checked() {
    assert_eq!(
        serialization(json!({"Name": 5})),
        "NUMBER_VALUE can not be converted to a String"
    );
    assert_eq!(
        serialization(json!({"Name": "ab", "Items": {}})),
        "Start of structure or map found where not expected."
    );
    assert_eq!(
        serialization(json!({"Name": "ab", "Tags": []})),
        "Start of list found where not expected"
    );
}
